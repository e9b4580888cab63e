//! Login throttling (issue 7) on `POST /api/auth/token` and `POST /api/auth/signup`.
//!
//! Failures are counted per email (case-insensitive, trimmed) and per client IP in a sliding
//! window (15 minutes): a wrong email or password at sign-in, an already registered email at
//! sign-up. Once an email has `--login-attempts` failures (default 5) in the window — or an IP
//! four times as many, since an IP may be shared (offices, CI) — further attempts answer 429 in
//! Spot's shape with `X-RateLimit-*` and `Retry-After` (seconds until one failure leaves the
//! window), without checking the password. A successful sign-in or sign-up clears the email's
//! failures. `--login-attempts 0` turns throttling off.
//!
//! It is a route layer outside the general rate limiter, so its headers are not overwritten
//! and throttled attempts cost no argon2 work.

use axum::{
    body::Body,
    extract::{ConnectInfo, MatchedPath, Request, State},
    http::{HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::{
    collections::{HashMap, VecDeque},
    net::SocketAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::{
    AppState,
    respond::{ApiError, payload_too_large},
};

/// A client IP may fail this many times more than one email.
pub const IP_FACTOR: u32 = 4;

pub struct LoginThrottle {
    /// Failures allowed per email in the window (0: off).
    attempts: u32,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// The key of an email (same normalisation as sign-in's lookup).
pub fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

pub fn ip_key(ip: Option<std::net::IpAddr>) -> String {
    match ip {
        Some(ip) => format!("ip:{ip}"),
        None => "ip:unknown".into(),
    }
}

impl LoginThrottle {
    pub fn new(attempts: u32, window: Duration) -> Self {
        Self {
            attempts,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn limit_of(&self, key: &str) -> usize {
        let n = if key.starts_with("ip:") {
            self.attempts.saturating_mul(IP_FACTOR)
        } else {
            self.attempts
        };
        n as usize
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Some((limit, seconds until an attempt is allowed again))` when any key is blocked.
    pub fn blocked(&self, keys: &[&str], now: Instant) -> Option<(u32, u64)> {
        if self.attempts == 0 {
            return None;
        }
        let mut map = self.lock();
        let mut worst: Option<(u32, Duration)> = None;
        for key in keys {
            let limit = self.limit_of(key);
            let Some(q) = map.get_mut(*key) else { continue };
            while q
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                q.pop_front();
            }
            if q.len() >= limit {
                // Allowed again when the oldest failure that keeps the count at the limit leaves.
                let oldest = q[q.len() - limit];
                let left = self.window.saturating_sub(now.duration_since(oldest));
                if worst.is_none_or(|(_, w)| left > w) {
                    worst = Some((limit as u32, left));
                }
            }
        }
        worst.map(|(limit, left)| (limit, left.as_secs_f64().ceil().max(1.0) as u64))
    }

    pub fn fail(&self, keys: &[&str], now: Instant) {
        let mut map = self.lock();
        if map.len() > 50_000 {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        for key in keys {
            let limit = self.limit_of(key);
            let q = map.entry((*key).to_owned()).or_default();
            q.push_back(now);
            // Only the newest `limit` failures matter.
            while q.len() > limit {
                q.pop_front();
            }
        }
    }

    pub fn clear(&self, key: &str) {
        self.lock().remove(key);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    SignIn,
    SignUp,
}

/// Route layer on `/api`: only acts on the two auth routes.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let kind = match req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
    {
        Some(p) if p.ends_with("/auth/token") => Kind::SignIn,
        Some(p) if p.ends_with("/auth/signup") => Kind::SignUp,
        _ => return next.run(req).await,
    };
    let throttle = &state.throttle;
    if req.method() != Method::POST || throttle.attempts == 0 {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    // The email is read from the body (best effort: the handler reports malformed bodies).
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(_) => {
            // The body limit layer outside refused it, or the client went away.
            return payload_too_large().into_response();
        }
    };
    let email = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("email")?.as_str().map(email_key));
    let ip = ip_key(ip);
    let mut keys = vec![ip.as_str()];
    if let Some(e) = &email {
        keys.push(e.as_str());
    }
    if let Some((limit, reset)) = throttle.blocked(&keys, Instant::now()) {
        return throttled(limit, reset);
    }
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = res.status().as_u16();
    let failed = match kind {
        Kind::SignIn => status == 401,
        Kind::SignUp => status == 409,
    };
    if failed {
        throttle.fail(&keys, Instant::now());
    } else if status == 200
        && let Some(e) = &email
    {
        throttle.clear(e);
    }
    res
}

fn throttled(limit: u32, reset: u64) -> Response {
    let mut res = ApiError::rate_limited().into_response();
    let h = res.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(0u32));
    h.insert("x-ratelimit-reset", HeaderValue::from(reset));
    h.insert(header::RETRY_AFTER, HeaderValue::from(reset));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn blocks_after_n_failures_until_the_window_passes() {
        let t = LoginThrottle::new(3, 15 * MIN);
        let t0 = Instant::now();
        let keys = ["ip:1.2.3.4", "email:a@x.io"];
        for i in 0..3 {
            assert_eq!(t.blocked(&keys, t0 + i * MIN), None);
            t.fail(&keys, t0 + i * MIN);
        }
        // The 3rd failure was at t0+2m; the first leaves the window at t0+15m.
        assert_eq!(t.blocked(&keys, t0 + 5 * MIN), Some((3, 600)));
        assert_eq!(t.blocked(&["email:a@x.io"], t0 + 5 * MIN), Some((3, 600)));
        // Another email from the same IP is fine (the IP allows 12).
        assert_eq!(
            t.blocked(&["ip:1.2.3.4", "email:b@x.io"], t0 + 5 * MIN),
            None
        );
        assert_eq!(t.blocked(&keys, t0 + 15 * MIN), None);
        // A success clears the email.
        t.clear("email:a@x.io");
        assert_eq!(t.blocked(&keys, t0 + 5 * MIN), None);
    }

    #[test]
    fn ip_limit_is_larger_and_zero_is_off() {
        let t = LoginThrottle::new(2, MIN);
        let t0 = Instant::now();
        for i in 0..8 {
            let e = format!("email:{i}@x.io");
            assert_eq!(t.blocked(&["ip:9.9.9.9", &e], t0), None, "{i}");
            t.fail(&["ip:9.9.9.9", &e], t0);
        }
        assert_eq!(t.blocked(&["ip:9.9.9.9"], t0), Some((8, 60)));
        let off = LoginThrottle::new(0, MIN);
        for _ in 0..100 {
            off.fail(&["email:a"], t0);
        }
        assert_eq!(off.blocked(&["email:a"], t0), None);
    }
}
