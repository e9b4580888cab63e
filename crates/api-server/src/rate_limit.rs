//! Fixed 60-second windows per (organization or client IP) × route template × method.
//! Every `/api` route answer carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
//! `X-RateLimit-Reset` (seconds until the window resets); over the limit → 429 in Spot's shape,
//! with `Retry-After` (the same seconds).
//!
//! Not `governor`: it meters with GCRA (a steady refill), not fixed windows, so it has no
//! window to reset — `X-RateLimit-Reset` would mean something else and a spent budget would
//! come back one request at a time (`window_counts_and_resets` fails). It would replace only
//! the forty lines of [`RateLimiter`], at the cost of about fifteen more crates (dashmap,
//! quanta, parking_lot…) and 38 KB of release binary (measured on a minimal tokio binary).

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::{auth::AuthCtx, client_ip::ClientIp, respond::ApiError};

pub const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Whole seconds until the window resets (at least 1).
    pub reset_secs: u64,
}

/// Past this many keys, windows that have ended are dropped, at most once a second (a sweep
/// looks at every key, and under the lock every request waits for it).
const SWEEP_ABOVE: usize = 50_000;
const SWEEP_EVERY: Duration = Duration::from_secs(1);

pub struct RateLimiter {
    limit: u32,
    windows: Mutex<Windows>,
}

struct Windows {
    by_key: HashMap<String, (Instant, u32)>,
    swept: Option<Instant>,
}

impl RateLimiter {
    pub fn new(limit: u32) -> Self {
        Self {
            limit,
            windows: Mutex::new(Windows {
                by_key: HashMap::new(),
                swept: None,
            }),
        }
    }

    pub fn check(&self, key: &str, now: Instant) -> Decision {
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if w.by_key.len() > SWEEP_ABOVE
            && w.swept.is_none_or(|t| now.duration_since(t) >= SWEEP_EVERY)
        {
            w.by_key
                .retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            w.swept = Some(now);
        }
        let entry = w.by_key.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        let allowed = entry.1 < self.limit;
        if allowed {
            entry.1 += 1;
        }
        let left = WINDOW.saturating_sub(now.duration_since(entry.0));
        Decision {
            allowed,
            limit: self.limit,
            remaining: self.limit - entry.1,
            reset_secs: left.as_secs_f64().ceil().max(1.0) as u64,
        }
    }
}

/// Route-layer middleware on `/api`, inside `auth::authenticate`: counts the request against
/// the caller's organization (the client IP, see `client_ip`, without a caller).
pub async fn guard(State(limiter): State<Arc<RateLimiter>>, req: Request, next: Next) -> Response {
    // Without a caller, by client address: an IPv6 client by its /64, as the login throttle
    // does, or one host would have a budget per address it can choose.
    let scope = match req.extensions().get::<AuthCtx>() {
        Some(ctx) => format!("org:{}", ctx.org_id),
        None => crate::throttle::ip_key(req.extensions().get::<ClientIp>().and_then(|c| c.0)),
    };
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| req.uri().path().to_owned());
    let key = format!("{scope} {} {route}", req.method());
    let d = limiter.check(&key, Instant::now());
    let mut res = if d.allowed {
        next.run(req).await
    } else {
        let mut res = ApiError::rate_limited().into_response();
        // The standard header, for clients that do not read X-RateLimit-Reset.
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(d.reset_secs));
        res
    };
    let h = res.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(d.limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(d.remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(d.reset_secs));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_and_resets() {
        let l = RateLimiter::new(2);
        let t0 = Instant::now();
        let a = l.check("k", t0);
        assert!(a.allowed);
        assert_eq!(a.remaining, 1);
        assert_eq!(a.reset_secs, 60);
        assert!(l.check("k", t0 + Duration::from_secs(1)).allowed);
        let c = l.check("k", t0 + Duration::from_secs(30));
        assert!(!c.allowed);
        assert_eq!(c.remaining, 0);
        assert_eq!(c.reset_secs, 30);
        assert!(l.check("other", t0).allowed);
        let d = l.check("k", t0 + WINDOW);
        assert!(d.allowed);
        assert_eq!(d.remaining, 1);
    }

    #[test]
    fn ended_windows_are_swept_at_most_once_a_second() {
        let l = RateLimiter::new(5);
        let t0 = Instant::now();
        for i in 0..=SWEEP_ABOVE {
            l.check(&i.to_string(), t0);
        }
        let keys = || l.windows.lock().unwrap().by_key.len();
        // Still in their window: nothing to drop.
        l.check("late", t0 + Duration::from_secs(59));
        assert_eq!(keys(), SWEEP_ABOVE + 2);
        // Swept less than a second ago: no sweep, the keys just add up.
        l.check("later", t0 + Duration::from_millis(59_500));
        assert_eq!(keys(), SWEEP_ABOVE + 3);
        l.check("last", t0 + Duration::from_secs(61));
        assert_eq!(keys(), 3, "only the windows still open, and the new one");
    }
}
