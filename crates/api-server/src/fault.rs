//! Fault injection for tests (issue 7): slow answers, 500s, Spot-shaped 429s, dropped
//! connections, truncated JSON and writes whose answer is lost. Everything is off by default;
//! the flags (`--fault-*`) set the knobs at start, and with `--fault-control` the knobs can be
//! read and changed live at `GET`/`POST /api/_faults` (ours; 404 without the flag).
//!
//! Per `/api` request whose path starts with `only` (the whole `/api` when `only` is null), in
//! this order: wait `latencyMs`; every `rateLimitEvery`-th such request → 429; with
//! `errorRate` → 500 `InternalError`; with `dropRate` → the connection is dropped without an
//! answer; with `malformedRate` → 200 with a truncated JSON body. None of these run the handler.
//! Otherwise the handler runs; then, for a write (POST/PUT/PATCH/DELETE), with
//! `loseAfterWriteRate` its committed answer is replaced by a dropped connection.
//!
//! Randomness comes from one seedable RNG (`--fault-seed`), so a sequence of requests meets
//! the same faults on every run; a rate of 0 never fires and a rate of 1 always does.

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};
use onramp_core::{Envelope, RequestInfo};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::Value;
use std::{
    pin::Pin,
    sync::Mutex,
    task::{Context, Poll},
    time::Duration,
};

use crate::{AppState, body::json_object, respond::ApiError, static_files, util};

// The knobs are plain settings (flags set them at start), so they live with the configuration;
// re-exported because they are this module's API too (`/api/_faults` shows and takes them).
pub use crate::config::Faults;

/// The path of the control endpoint (under `/api`).
pub const CONTROL_PATH: &str = "/api/_faults";
/// `kind` of the control endpoint's answers (ours).
pub const KIND: &str = "onramp:faults";

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Pass,
    RateLimit {
        every: u64,
        reset_secs: u64,
    },
    Error,
    Drop,
    Malformed,
    /// Run the handler, then drop its answer.
    LoseAfterWrite,
}

struct Inner {
    faults: Faults,
    rng: StdRng,
    /// Matching requests seen since start (or the last change of the knobs).
    seen: u64,
}

/// The live knobs, the RNG and the every-Nth counter.
pub struct FaultInjector {
    inner: Mutex<Inner>,
    /// `--fault-control`: serve `/api/_faults`.
    pub control: bool,
    /// Installed at all (some fault set at start, or live control).
    pub installed: bool,
}

fn rng_from(seed: Option<u64>) -> StdRng {
    match seed {
        Some(s) => StdRng::seed_from_u64(s),
        None => StdRng::from_os_rng(),
    }
}

/// `p` of the time; exactly never at 0 and always at 1 (and no RNG draw is spent then, so a
/// knob at 0 or 1 does not shift the others' sequence).
fn roll(rng: &mut StdRng, p: f64) -> bool {
    if p <= 0.0 {
        false
    } else if p >= 1.0 {
        true
    } else {
        rng.random::<f64>() < p
    }
}

fn is_write(m: &Method) -> bool {
    matches!(
        *m,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

impl FaultInjector {
    pub fn new(faults: Faults, seed: Option<u64>, control: bool) -> Self {
        Self {
            installed: control || !faults.is_off(),
            inner: Mutex::new(Inner {
                faults,
                rng: rng_from(seed),
                seen: 0,
            }),
            control,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// The session idle lifetime the knobs impose, if any (never locks when faults are off).
    pub fn session_idle(&self) -> Option<std::time::Duration> {
        if !self.installed {
            return None;
        }
        self.lock()
            .faults
            .session_idle_secs
            .map(std::time::Duration::from_secs)
    }

    /// The connect-token lifetime the knobs impose, if any.
    pub fn connect_token_ttl(&self) -> Option<std::time::Duration> {
        if !self.installed {
            return None;
        }
        self.lock()
            .faults
            .connect_token_ttl_secs
            .map(std::time::Duration::from_secs)
    }

    /// The batch-token lifetime the knobs impose, if any.
    pub fn batch_token_ttl(&self) -> Option<std::time::Duration> {
        if !self.installed {
            return None;
        }
        self.lock()
            .faults
            .batch_token_ttl_secs
            .map(std::time::Duration::from_secs)
    }

    /// Whether the knobs say the service principal has no role on `subscription_id`.
    pub fn azure_role_missing(&self, subscription_id: &str) -> bool {
        self.installed && self.lock().faults.azure_role_missing(subscription_id)
    }

    /// Replaces the knobs (and restarts the every-Nth count; reseeds when `seed` is given).
    pub fn set(&self, faults: Faults, seed: Option<u64>) {
        let mut g = self.lock();
        g.faults = faults;
        g.seen = 0;
        if let Some(s) = seed {
            g.rng = StdRng::seed_from_u64(s);
        }
    }

    /// Decides the fate of one `/api` request: (latency, action).
    pub fn plan(&self, method: &Method, path: &str) -> (Duration, Action) {
        let mut g = self.lock();
        if g.faults.is_off() || !g.faults.applies_to(path) {
            return (Duration::ZERO, Action::Pass);
        }
        g.seen += 1;
        let Inner {
            faults: f,
            rng,
            seen,
        } = &mut *g;
        let latency = Duration::from_millis(f.latency_ms);
        let action = if f.rate_limit_every > 0 && *seen % f.rate_limit_every == 0 {
            Action::RateLimit {
                every: f.rate_limit_every,
                reset_secs: f.reset_secs,
            }
        } else if roll(rng, f.error_rate) {
            Action::Error
        } else if roll(rng, f.drop_rate) {
            Action::Drop
        } else if roll(rng, f.malformed_rate) {
            Action::Malformed
        } else if is_write(method) && roll(rng, f.lose_after_write_rate) {
            Action::LoseAfterWrite
        } else {
            Action::Pass
        };
        (latency, action)
    }
}

// ---- responses ------------------------------------------------------------------------------

/// `request` facts as the envelope middleware writes them (`url` without the `/api` prefix).
fn request_info(req: &Request) -> RequestInfo {
    let pq = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let url = pq.strip_prefix("/api").unwrap_or(pq);
    RequestInfo {
        id: uuid::Uuid::new_v4().to_string(),
        url: if url.is_empty() {
            "/".into()
        } else {
            url.into()
        },
        method: req.method().as_str().to_owned(),
        timestamp: util::now_iso(),
    }
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    static_files::common_headers(h);
    res
}

fn envelope_response(env: &Envelope<Value>) -> Response {
    let status =
        StatusCode::from_u16(env.response.status.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(
        status,
        serde_json::to_vec(env).expect("envelope serialises"),
    )
}

fn error_response(info: RequestInfo, e: ApiError) -> Response {
    envelope_response(&Envelope::errors(info, e.status, e.errors))
}

/// A body that fails on its first poll: hyper then gives up on the response before anything
/// (not even the status line) is flushed and closes the connection, so the client sees the
/// connection end without an answer.
struct Abort;

impl http_body::Body for Abort {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault injection: connection dropped",
        ))))
    }
}

/// A response that makes the server drop the connection instead of answering.
pub fn dropped() -> Response {
    let mut res = Response::new(Body::new(Abort));
    // Marks it for in-process tests (a real client never sees it).
    res.extensions_mut().insert(Dropped);
    res
}

/// Extension on a [`dropped`] response, so in-process tests can tell it apart.
#[derive(Debug, Clone, Copy)]
pub struct Dropped;

fn rate_limited(info: RequestInfo, every: u64, reset_secs: u64) -> Response {
    let mut res = envelope_response(&Envelope::rate_limited(info));
    let h = res.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(every));
    h.insert("x-ratelimit-remaining", HeaderValue::from(0u32));
    h.insert("x-ratelimit-reset", HeaderValue::from(reset_secs.max(1)));
    h.insert(header::RETRY_AFTER, HeaderValue::from(reset_secs.max(1)));
    res
}

/// A 200 whose body is the first half of a real envelope: starts like JSON, never parses.
fn malformed(info: RequestInfo) -> Response {
    let full = serde_json::to_vec(&Envelope::<Value>::ok(info)).expect("envelope serialises");
    json_response(StatusCode::OK, full[..full.len() / 2].to_vec())
}

// ---- middleware -----------------------------------------------------------------------------

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Outermost middleware of the whole router (installed only when faults are configured or
/// controllable): serves the control endpoint and applies the faults to `/api` requests.
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if !is_api(&path) {
        return next.run(req).await;
    }
    let faults = &state.faults;
    if path == CONTROL_PATH && faults.control {
        return control(&state, req).await;
    }
    let (latency, action) = faults.plan(req.method(), &path);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match action {
        Action::Pass => next.run(req).await,
        Action::RateLimit { every, reset_secs } => {
            rate_limited(request_info(&req), every, reset_secs)
        }
        Action::Error => error_response(request_info(&req), ApiError::internal()),
        Action::Drop => dropped(),
        Action::Malformed => malformed(request_info(&req)),
        Action::LoseAfterWrite => {
            // The handler runs to the end (its transaction commits); only the answer is lost.
            let _ = next.run(req).await;
            dropped()
        }
    }
}

/// `GET /api/_faults` → the knobs; `POST` with a JSON object of some knobs (and optionally
/// `seed`) → changes those, answers the new knobs.
async fn control(state: &AppState, req: Request) -> Response {
    let info = request_info(&req);
    let faults = &state.faults;
    match *req.method() {
        Method::GET => {}
        Method::POST => {
            let body = match json_object(req, &()).await {
                Ok(b) => b,
                Err(e) => return error_response(info, e),
            };
            match patched(&faults.faults(), body) {
                Ok((new, seed)) => faults.set(new, seed),
                Err(msg) => return error_response(info, ApiError::validation("body", msg)),
            }
        }
        _ => {
            let mut res = error_response(
                info,
                ApiError::new(
                    405,
                    "MethodNotAllowed",
                    "This endpoint does not accept this HTTP method.",
                ),
            );
            res.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET,POST"));
            return res;
        }
    }
    let item = serde_json::to_value(faults.faults()).expect("knobs serialise");
    envelope_response(&Envelope::items(info, KIND, vec![item]))
}

/// The current knobs with `body`'s keys laid over them (unknown keys and bad values refused).
fn patched(current: &Faults, body: Value) -> Result<(Faults, Option<u64>), String> {
    let Value::Object(mut patch) = body else {
        return Err("The body must be a JSON object.".into());
    };
    let seed = match patch.remove("seed") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or("seed must be a whole number (0 or more).")?,
        ),
    };
    let mut merged = serde_json::to_value(current).expect("knobs serialise");
    let obj = merged.as_object_mut().expect("an object");
    for (k, v) in patch {
        if !obj.contains_key(&k) {
            return Err(format!(
                "Unknown knob {k:?}. Known: latencyMs, errorRate, rateLimitEvery, resetSecs, \
                 dropRate, malformedRate, loseAfterWriteRate, only, sessionIdleSecs, \
                 connectTokenTtlSecs, batchTokenTtlSecs, azureRoleMissing, seed."
            ));
        }
        obj.insert(k, v);
    }
    let faults: Faults = serde_json::from_value(merged).map_err(|e| {
        // serde's message names the field and the expected type, never a secret.
        format!("A knob has the wrong type: {e}.")
    })?;
    faults.check()?;
    Ok((faults, seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: Faults, seed: u64) -> FaultInjector {
        FaultInjector::new(f, Some(seed), false)
    }

    #[test]
    fn off_by_default_and_not_installed() {
        let i = FaultInjector::new(Faults::default(), None, false);
        assert!(!i.installed);
        for _ in 0..100 {
            assert_eq!(
                i.plan(&Method::POST, "/api/setup/account"),
                (Duration::ZERO, Action::Pass)
            );
        }
        assert!(FaultInjector::new(Faults::default(), None, true).installed);
    }

    #[test]
    fn rates_of_one_and_zero_are_exact() {
        let i = with(
            Faults {
                error_rate: 1.0,
                ..Faults::default()
            },
            1,
        );
        assert!((0..1000).all(|_| i.plan(&Method::GET, "/api/x").1 == Action::Error));
        let i = with(
            Faults {
                lose_after_write_rate: 1.0,
                ..Faults::default()
            },
            1,
        );
        assert!((0..100).all(|_| i.plan(&Method::PUT, "/api/x").1 == Action::LoseAfterWrite));
        assert!((0..100).all(|_| i.plan(&Method::GET, "/api/x").1 == Action::Pass));
        let i = with(
            Faults {
                latency_ms: 1,
                ..Faults::default()
            },
            1,
        );
        assert!((0..1000).all(|_| i.plan(&Method::POST, "/api/x").1 == Action::Pass));
    }

    #[test]
    fn seeded_sequences_repeat_and_rates_are_roughly_right() {
        let f = Faults {
            drop_rate: 0.3,
            ..Faults::default()
        };
        let run = |seed| {
            let i = with(f.clone(), seed);
            (0..2000)
                .map(|_| i.plan(&Method::GET, "/api/x").1 == Action::Drop)
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let hits = run(7).iter().filter(|d| **d).count();
        assert!((450..750).contains(&hits), "{hits}");
    }

    #[test]
    fn every_nth_and_only() {
        let i = with(
            Faults {
                rate_limit_every: 3,
                only: Some("/api/setup/credentials".into()),
                ..Faults::default()
            },
            1,
        );
        let mut got = Vec::new();
        for n in 0..6 {
            // Other paths are not counted.
            assert_eq!(i.plan(&Method::GET, "/api/setup/account").1, Action::Pass);
            let a = i
                .plan(&Method::GET, &format!("/api/setup/credentials/aws?{n}"))
                .1;
            got.push(matches!(a, Action::RateLimit { every: 3, .. }));
        }
        assert_eq!(got, [false, false, true, false, false, true]);
    }

    #[test]
    fn patches_merge_and_refuse_nonsense() {
        let cur = Faults::default();
        let (f, seed) = patched(
            &cur,
            serde_json::json!({"errorRate": 1, "only": "/api/x", "seed": 9}),
        )
        .unwrap();
        assert_eq!(f.error_rate, 1.0);
        assert_eq!(f.only.as_deref(), Some("/api/x"));
        assert_eq!(f.reset_secs, 2);
        assert_eq!(seed, Some(9));
        let (f, _) = patched(&f, serde_json::json!({"only": null})).unwrap();
        assert_eq!(f.only, None);
        assert_eq!(f.error_rate, 1.0);
        for bad in [
            serde_json::json!({"errorRate": 2}),
            serde_json::json!({"errorRate": -0.1}),
            serde_json::json!({"errorRate": "1"}),
            serde_json::json!({"latencyMs": -1}),
            serde_json::json!({"nope": 1}),
            serde_json::json!({"only": "api"}),
            serde_json::json!({"seed": "x"}),
        ] {
            assert!(patched(&cur, bad.clone()).is_err(), "{bad}");
        }
    }
}
