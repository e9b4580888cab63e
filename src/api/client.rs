//! One `fetch` wrapper (gloo-net) for every endpoint: bearer token, JSON, time limit, abort on
//! cleanup, Spot envelope decoding, error classification, and retries of safe requests.
//!
//! Retry policy (core's `retry::Policy`): a GET that got no answer, timed out, met a
//! 408/500/502/503/504 or an unreadable 200 is sent again after an exponential backoff with
//! jitter, 3 tries in all. A GET answered 429 waits for the reset the server announced (when
//! it is at most 10 s; [`rate_limit_wait`] says so meanwhile), then tries again. Writes are never
//! repeated behind the user's back: their failure goes to the page, which offers Retry.

use super::ApiError;
use crate::platform::clock::{self, within};
use gloo_net::http::Request;
use leptos::prelude::{ArcRwSignal, Set, on_cleanup};
use onramp_core::envelope::{decode_errors, decode_items, items_text};
use onramp_core::retry::{Next, Policy, reset_secs};
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use web_sys::{AbortController, AbortSignal, Headers, RequestInit};

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

    /// Sends one request (again, for a safe one that failed in a way that may pass) and reads a
    /// 200's items as `T`s; every other outcome is an error. A 401 to a request that carried
    /// the token runs [`Api::with_on_unauthorized`]'s hook first.
    pub async fn call<T: DeserializeOwned + 'static>(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<Vec<T>, ApiError> {
        // Only this decoding step depends on `T`; the sending, the time limit and the retries
        // are one copy for every endpoint (generic, they were a copy per response type, in the
        // main module and in every chunk that calls the API).
        let items = self
            .request(method, path, body, |text| {
                decode_items::<T>(text).map(|items| Box::new(items) as Box<dyn Any>)
            })
            .await?;
        items
            .downcast::<Vec<T>>()
            .map(|items| *items)
            .map_err(|_| ApiError::Decode)
    }

    /// [`Api::call`] for an answer whose items nobody reads (a write's status).
    pub async fn call_status(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<(), ApiError> {
        self.request(method, path, body, |text| {
            items_text(text).map(|_| Box::new(()) as Box<dyn Any>)
        })
        .await
        .map(drop)
    }

    /// What `call` and `call_status` share, type-erased: `decode` turns a 200's body into the
    /// caller's value (`None`: unreadable, which counts as the attempt's failure).
    async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        decode: fn(&str) -> Option<Box<dyn Any>>,
    ) -> Result<Box<dyn Any>, ApiError> {
        let mut decoded = None;
        let mut read = |text: &str| {
            decoded = Some(decode(text).ok_or(ApiError::Decode)?);
            Ok(())
        };
        let result = self.send(method, path, body, &mut read).await;
        if matches!(result, Err(ApiError::Unauthorized))
            && self.token.is_some()
            && let Some(hook) = &self.on_unauthorized
        {
            (hook.0)();
        }
        result.and_then(|()| decoded.ok_or(ApiError::Decode))
    }

    /// `decode` reads a 200's body; its failure counts as the attempt's (so an unreadable 200 to
    /// a safe request is tried again, like a 503).
    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        decode: &mut dyn FnMut(&str) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
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
                .attempt(&controller, method, path, body.as_deref())
                .await
                .and_then(|text| decode(&text));
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
            clock::sleep(u32::try_from(after_ms).unwrap_or(u32::MAX)).await;
            if left.get() {
                return result;
            }
            attempt += 1;
        }
    }

    /// One try: a 200's body, or what went wrong.
    async fn attempt(
        &self,
        controller: &AbortController,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<String, ApiError> {
        let mut headers = vec![("Accept", "application/json".to_owned())];
        if body.is_some() {
            headers.push(("Content-Type", "application/json".to_owned()));
        }
        if let Some(token) = &self.token {
            headers.push(("Authorization", format!("Bearer {token}")));
        }
        if let Some(key) = &self.idempotency_key {
            headers.push(("Idempotency-Key", key.clone()));
        }
        let request = build_request(
            &self.url(path),
            method,
            &headers,
            body,
            &controller.signal(),
        )?;
        // The time limit covers the answer and its body. Racing it (rather than relying on
        // abort alone) also covers a fetch that ignores its signal.
        match within(self.timeout_ms, exchange(request)).await {
            Some(result) => result,
            None => {
                controller.abort();
                Err(ApiError::Timeout)
            }
        }
    }
}

/// Sends `request`: a 200's body text, or the error its answer means.
async fn exchange(request: Request) -> Result<String, ApiError> {
    let response = request.send().await.map_err(|_| ApiError::Network)?;

    let status = response.status();
    if status == 429 {
        let now = u64::try_from(clock::now().as_millis() / 1000).unwrap_or(0);
        let header = |name| response.headers().get(name);
        let reset_secs = header("X-RateLimit-Reset")
            .or_else(|| header("Retry-After"))
            .and_then(|v| reset_secs(&v, now));
        return Err(ApiError::RateLimited { reset_secs });
    }
    if status == 401 {
        return Err(ApiError::Unauthorized);
    }

    let text = response.text().await.map_err(|_| ApiError::Network)?;

    if status == 200 {
        Ok(text)
    } else {
        let (errors, request_id) = match decode_errors(&text) {
            Some((errors, id)) => (errors, Some(id)),
            None => (Vec::new(), None),
        };
        Err(ApiError::Http {
            status,
            errors,
            request_id,
        })
    }
}

impl Api {
    /// A plain GET of a same-origin file returning its text (for `/config.json`, which is not an
    /// envelope): sent, timed and tried again like any safe request.
    pub async fn get_text(url: &str, timeout_ms: u32) -> Result<String, ApiError> {
        let mut text = None;
        Api::new("", None)
            .with_timeout(timeout_ms)
            .send("GET", url, None, &mut |body| {
                text = Some(body.to_owned());
                Ok(())
            })
            .await?;
        text.ok_or(ApiError::Decode)
    }
}

/// A gloo-net request with the URL exactly as built: gloo-net 0.6's own builder appends a `&`
/// to a URL that already has a query.
fn build_request(
    url: &str,
    method: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
    signal: &AbortSignal,
) -> Result<Request, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    let list = Headers::new().map_err(|_| ApiError::Network)?;
    for (name, value) in headers {
        // A value the browser refuses (a token with a line break) is left out, not thrown.
        let _ = list.set(name, value);
    }
    init.set_headers(&list);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    init.set_signal(Some(signal));
    web_sys::Request::new_with_str_and_init(url, &init)
        .map(Request::from)
        .map_err(|_| ApiError::Network)
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
