//! One `fetch` wrapper for every endpoint: bearer token, JSON, time limit, abort on cleanup,
//! Spot envelope decoding and error classification.

use super::ApiError;
use js_sys::{Array, Promise};
use leptos::prelude::on_cleanup;
use onramp_core::Envelope;
use send_wrapper::SendWrapper;
use serde::de::{DeserializeOwned, IgnoredAny};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

/// Default time limit for one request; long enough for a slow mobile link, short enough that a
/// hung server turns into a message the user can act on.
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;

/// Everything a request needs; cheap to build per call from config and session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    pub base_url: String,
    pub token: Option<String>,
    pub timeout_ms: u32,
}

impl Api {
    pub fn new(base_url: impl Into<String>, token: Option<String>) -> Self {
        Self {
            base_url: base_url.into(),
            token,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }

    pub fn with_timeout(mut self, ms: u32) -> Self {
        self.timeout_ms = ms;
        self
    }

    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url.trim_end_matches('/'), path)
    }

    /// Sends one request and decodes a 200 into the envelope; every other outcome is an error.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<Envelope<T>, ApiError> {
        let window = web_sys::window().ok_or(ApiError::Network)?;
        let controller = AbortController::new().map_err(|_| ApiError::Network)?;

        let headers = Headers::new().map_err(|_| ApiError::Network)?;
        let _ = headers.set("Accept", "application/json");
        let init = RequestInit::new();
        init.set_method(method);
        if let Some(body) = &body {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&JsValue::from_str(body));
        }
        if let Some(token) = &self.token {
            let _ = headers.set("Authorization", &format!("Bearer {token}"));
        }
        init.set_headers(&headers);
        init.set_signal(Some(&controller.signal()));

        // A page that goes away takes its requests with it.
        let on_leave = SendWrapper::new(controller.clone());
        on_cleanup(move || on_leave.abort());

        // The timer resolves with `undefined`; a fetch resolves with a Response. Racing the two
        // (rather than relying on abort alone) also covers a fetch that ignores its signal.
        let mut timer_id = None;
        let timer = Promise::new(&mut |resolve, _reject| {
            timer_id = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    self.timeout_ms.min(i32::MAX as u32) as i32,
                )
                .ok();
        });
        let result = self
            .exchange::<T>(&window, &controller, &init, path, &timer)
            .await;
        if let Some(id) = timer_id {
            window.clear_timeout_with_handle(id);
        }
        result
    }

    async fn exchange<T: DeserializeOwned>(
        &self,
        window: &web_sys::Window,
        controller: &AbortController,
        init: &RequestInit,
        path: &str,
        timer: &Promise,
    ) -> Result<Envelope<T>, ApiError> {
        let fetch = window.fetch_with_str_and_init(&self.url(path), init);
        let answer = race(&fetch, timer).await.map_err(|_| ApiError::Network)?;
        let Ok(response) = answer.dyn_into::<Response>() else {
            controller.abort();
            return Err(ApiError::Timeout);
        };

        let status = response.status();
        if status == 429 {
            let reset_secs = response
                .headers()
                .get("X-RateLimit-Reset")
                .ok()
                .flatten()
                .and_then(|s| s.trim().parse::<u64>().ok());
            return Err(ApiError::RateLimited { reset_secs });
        }
        if status == 401 {
            return Err(ApiError::Unauthorized);
        }

        let text_promise = response.text().map_err(|_| ApiError::Decode)?;
        let text = race(&text_promise, timer)
            .await
            .map_err(|_| ApiError::Network)?;
        let Some(text) = text.as_string() else {
            controller.abort();
            return Err(ApiError::Timeout);
        };

        if status == 200 {
            serde_json::from_str::<Envelope<T>>(&text).map_err(|_| ApiError::Decode)
        } else {
            // Items are skipped unread (`IgnoredAny`): only the errors and request ID matter,
            // and this avoids linking a generic JSON value type into the app.
            let (errors, request_id) = serde_json::from_str::<Envelope<IgnoredAny>>(&text)
                .map(|env| {
                    (
                        env.response.errors.unwrap_or_default(),
                        Some(env.request.id),
                    )
                })
                .unwrap_or_default();
            Err(ApiError::Http {
                status,
                errors,
                request_id,
            })
        }
    }
}

impl Api {
    /// A plain GET returning the body text (for `/config.json`, which is not an envelope).
    pub async fn get_text(url: &str, timeout_ms: u32) -> Result<String, ApiError> {
        let window = web_sys::window().ok_or(ApiError::Network)?;
        let timer = Promise::new(&mut |resolve, _reject| {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, timeout_ms as i32);
        });
        let answer = race(&window.fetch_with_str(url), &timer)
            .await
            .map_err(|_| ApiError::Network)?;
        let response = answer
            .dyn_into::<Response>()
            .map_err(|_| ApiError::Timeout)?;
        if response.status() != 200 {
            return Err(ApiError::Http {
                status: response.status(),
                errors: Vec::new(),
                request_id: None,
            });
        }
        let text = race(&response.text().map_err(|_| ApiError::Decode)?, &timer)
            .await
            .map_err(|_| ApiError::Network)?;
        text.as_string().ok_or(ApiError::Timeout)
    }
}

async fn race(work: &Promise, timer: &Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::race(&Array::of2(work, timer))).await
}

/// Percent-encodes a query value.
pub fn enc(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}
