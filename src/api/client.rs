//! One `fetch` wrapper for every endpoint: bearer token, JSON, time limit, abort on cleanup,
//! Spot envelope decoding, error classification, and retries of safe requests.
//!
//! Retry policy (core's `retry::Policy`): a GET that got no answer, timed out, met a
//! 408/500/502/503/504 or an unreadable 200 is sent again after an exponential backoff with
//! jitter, 3 tries in all. A GET answered 429 waits for the reset the server announced (when
//! it is at most 10 s; [`rate_limit_wait`] says so meanwhile), then tries again. Writes are never
//! repeated behind the user's back: their failure goes to the page, which offers Retry.

use super::ApiError;
use js_sys::{Array, Promise};
use leptos::prelude::{ArcRwSignal, Set, on_cleanup};
use onramp_core::Envelope;
use onramp_core::retry::{Next, Policy, reset_secs};
use send_wrapper::SendWrapper;
use serde::de::{DeserializeOwned, IgnoredAny};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
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
    /// When a failed safe request is tried again (writes never are).
    pub retry: Policy,
    /// Sent as `Idempotency-Key`, where the server honours it (config `idempotencyKeys`).
    pub idempotency_key: Option<String>,
    /// Runs when a request that carried the token is answered 401: the session is over.
    pub on_unauthorized: Option<OnUnauthorized>,
}

/// What a session-bound client does on a 401 (ends the session once, for every caller).
#[derive(Clone)]
pub struct OnUnauthorized(Rc<dyn Fn()>);

impl std::fmt::Debug for OnUnauthorized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnUnauthorized")
    }
}

impl PartialEq for OnUnauthorized {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for OnUnauthorized {}

impl Api {
    pub fn new(base_url: impl Into<String>, token: Option<String>) -> Self {
        Self {
            base_url: base_url.into(),
            token,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            retry: Policy::DEFAULT,
            idempotency_key: None,
            on_unauthorized: None,
        }
    }

    /// `f` runs whenever a request sent with this client's token is refused with 401, before
    /// the caller sees `ApiError::Unauthorized`.
    pub fn with_on_unauthorized(mut self, f: impl Fn() + 'static) -> Self {
        self.on_unauthorized = Some(OnUnauthorized(Rc::new(f)));
        self
    }

    /// Makes the write repeatable: the server answers a repeat of it without doing it twice.
    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    pub fn with_timeout(mut self, ms: u32) -> Self {
        self.timeout_ms = ms;
        self
    }

    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    pub fn with_retry(mut self, policy: Policy) -> Self {
        self.retry = policy;
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url.trim_end_matches('/'), path)
    }

    /// Sends one request (again, for a safe one that failed in a way that may pass) and decodes a
    /// 200 into the envelope; every other outcome is an error. A 401 to a request that carried
    /// the token runs [`Api::with_on_unauthorized`]'s hook first.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<Envelope<T>, ApiError> {
        let result = self.send::<T>(method, path, body).await;
        if matches!(result, Err(ApiError::Unauthorized))
            && self.token.is_some()
            && let Some(hook) = &self.on_unauthorized
        {
            (hook.0)();
        }
        result
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<Envelope<T>, ApiError> {
        let window = web_sys::window().ok_or(ApiError::Network)?;
        // A page that goes away takes its requests with it: the attempt under way is aborted and
        // no further one starts.
        let current = Rc::new(RefCell::new(None::<AbortController>));
        let left = Rc::new(Cell::new(false));
        let on_leave = SendWrapper::new((current.clone(), left.clone()));
        on_cleanup(move || {
            on_leave.1.set(true);
            if let Some(c) = on_leave.0.borrow().as_ref() {
                c.abort();
            }
        });

        let mut attempt = 1;
        loop {
            let controller = AbortController::new().map_err(|_| ApiError::Network)?;
            current.replace(Some(controller.clone()));
            let result = self
                .attempt::<T>(&window, &controller, method, path, body.as_deref())
                .await;
            let Err(err) = &result else { return result };
            if left.get() {
                return result;
            }
            let Next::Retry {
                after_ms,
                rate_limited,
            } = self
                .retry
                .next(method, attempt, err.failure(), js_sys::Math::random())
            else {
                return result;
            };
            let _said = match (rate_limited, err) {
                (true, ApiError::RateLimited { reset_secs }) => {
                    Some(WaitNotice::begin(reset_secs.unwrap_or_default()))
                }
                _ => None,
            };
            crate::platform::clock::sleep(u32::try_from(after_ms).unwrap_or(u32::MAX)).await;
            if left.get() {
                return result;
            }
            attempt += 1;
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        window: &web_sys::Window,
        controller: &AbortController,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<Envelope<T>, ApiError> {
        let headers = Headers::new().map_err(|_| ApiError::Network)?;
        let _ = headers.set("Accept", "application/json");
        let init = RequestInit::new();
        init.set_method(method);
        if let Some(body) = body {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&JsValue::from_str(body));
        }
        if let Some(token) = &self.token {
            let _ = headers.set("Authorization", &format!("Bearer {token}"));
        }
        if let Some(key) = &self.idempotency_key {
            let _ = headers.set("Idempotency-Key", key);
        }
        init.set_headers(&headers);
        init.set_signal(Some(&controller.signal()));

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
            .exchange::<T>(window, controller, &init, path, &timer)
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
            let now = u64::try_from(crate::platform::clock::now().as_millis() / 1000).unwrap_or(0);
            let header = |name| response.headers().get(name).ok().flatten();
            let reset_secs = header("X-RateLimit-Reset")
                .or_else(|| header("Retry-After"))
                .and_then(|v| reset_secs(&v, now));
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
    /// A plain GET returning the body text (for `/config.json`, which is not an envelope);
    /// tried again like any safe request.
    pub async fn get_text(url: &str, timeout_ms: u32) -> Result<String, ApiError> {
        let window = web_sys::window().ok_or(ApiError::Network)?;
        let policy = Policy::DEFAULT;
        let mut attempt = 1;
        loop {
            let result = get_text_once(&window, url, timeout_ms).await;
            let Err(err) = &result else { return result };
            match policy.next("GET", attempt, err.failure(), js_sys::Math::random()) {
                Next::Retry { after_ms, .. } => {
                    crate::platform::clock::sleep(u32::try_from(after_ms).unwrap_or(u32::MAX)).await
                }
                Next::Stop => return result,
            }
            attempt += 1;
        }
    }
}

async fn get_text_once(
    window: &web_sys::Window,
    url: &str,
    timeout_ms: u32,
) -> Result<String, ApiError> {
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

async fn race(work: &Promise, timer: &Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::race(&Array::of2(work, timer))).await
}

thread_local! {
    /// Seconds a request is waiting for an announced rate-limit reset, and how many wait.
    /// `ArcRwSignal`: reference-counted, owned by no component, so it outlives every page.
    static WAITING: (ArcRwSignal<Option<u64>>, Cell<u32>) =
        (ArcRwSignal::new(None), Cell::new(0));
}

/// `Some(seconds)` while a request waits for the server's rate limit to reset before trying
/// again by itself (the app shows it in a status line), `None` otherwise. Reactive.
pub fn rate_limit_wait() -> ArcRwSignal<Option<u64>> {
    WAITING.with(|(signal, _)| signal.clone())
}

/// Says a rate-limit wait is under way for as long as it lives.
struct WaitNotice;

impl WaitNotice {
    fn begin(secs: u64) -> Self {
        WAITING.with(|(signal, count)| {
            count.set(count.get() + 1);
            signal.set(Some(secs));
        });
        WaitNotice
    }
}

impl Drop for WaitNotice {
    fn drop(&mut self) {
        WAITING.with(|(signal, count)| {
            let left = count.get().saturating_sub(1);
            count.set(left);
            if left == 0 {
                signal.set(None);
            }
        });
    }
}

/// Percent-encodes a path segment or query value.
pub use onramp_core::percent::encode as enc;
