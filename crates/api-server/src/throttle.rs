//! Login throttling (issue 7) on `POST /api/auth/token` and `POST /api/auth/signup`.
//!
//! Failed sign-ins (401) are counted per email *and client* (the email trimmed and
//! case-insensitive, kept as a digest; the client's IP as `client_ip` resolves it) and per client IP, in a sliding
//! window (15 minutes). Once an email has `--login-attempts` failures (default 5) from one
//! client — or a client four times as many over any emails, since an IP may be shared (offices,
//! CI) — that client's further attempts answer 429 in Spot's shape with `X-RateLimit-*` and
//! `Retry-After` (seconds until one failure leaves the window), without checking the password.
//! Keying by client means guesses from one place cannot lock the owner out from another.
//! Sign-up conflicts (409, email already registered) are not failed sign-ins: they count in a
//! bucket of the client's own (also four times the limit), which slows probing for registered
//! emails and locks nobody else. Attempts still being checked count too: each one holds a slot
//! until its answer is known, so a burst of simultaneous guesses gets no more checks than a
//! sequence (the rest answer 429 with `Retry-After: 1`). A successful sign-in or sign-up clears
//! the email's failures from that client. `--login-attempts 0` turns throttling off.
//!
//! A signed-in user's password asked again (creating an API token, changing the password) is
//! checked by its handler with the same keys (the user's email and the client, [`email_key`] and
//! [`ip_key`]) through [`LoginThrottle::reserve`]: this layer cannot, since it runs before the
//! bearer token is resolved.
//!
//! The same counter, a second instance with `--invitation-limit` and a one-hour window, limits
//! the invitations each organization creates ([`org_key`], [`Attempt::counted`]; see
//! `routes::invitations::create`): there every created invitation counts, not failures.
//!
//! It is a route layer outside the general rate limiter, so its headers are not overwritten
//! and throttled attempts cost no argon2 work. A rate-limiting crate such as `governor` cannot
//! do this: it counts requests when they arrive, while this counts failures once their answer
//! is known and holds a slot for each attempt still being checked.

use axum::{
    body::Body,
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use std::{
    collections::{HashMap, VecDeque},
    net::{IpAddr, Ipv6Addr},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::{
    AppState,
    body::{BodyDeadline, by_deadline},
    client_ip::ClientIp,
    respond::{ApiError, body_timeout, payload_too_large},
};

/// A client IP may fail this many times more than one email.
pub const IP_FACTOR: u32 = 4;

pub struct LoginThrottle {
    /// Failures allowed per email in the window (0: off).
    attempts: u32,
    window: Duration,
    keys: Mutex<HashMap<String, Entry>>,
}

#[derive(Default)]
struct Entry {
    failures: VecDeque<Instant>,
    /// Attempts let through whose password is still being checked. They count against the
    /// limit, so a burst of simultaneous guesses gets no more checks than a sequence would.
    in_flight: usize,
}

/// An attempt that holds a slot of each of its keys until [`Attempt::failed`] turns it into a
/// failure; dropped otherwise (success, any other answer, or the client went away), it frees it.
pub struct Attempt {
    throttle: Arc<LoginThrottle>,
    keys: Vec<String>,
}

impl Attempt {
    pub fn failed(mut self, now: Instant) {
        let mut map = self.throttle.lock();
        for key in &self.keys {
            let limit = self.throttle.limit_of(key);
            let e = map.entry(key.clone()).or_default();
            e.in_flight = e.in_flight.saturating_sub(1);
            e.failures.push_back(now);
            // Only the newest `limit` failures matter.
            while e.failures.len() > limit {
                e.failures.pop_front();
            }
        }
        drop(map);
        // Converted: nothing left for `drop` to free.
        self.keys.clear();
    }

    /// Keeps the slot as one event in the window: for a counter of things done rather than of
    /// failures (invitations created), the same as [`Attempt::failed`].
    pub fn counted(self, now: Instant) {
        self.failed(now);
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        let mut map = self.throttle.lock();
        for key in &self.keys {
            if let Some(e) = map.get_mut(key) {
                e.in_flight = e.in_flight.saturating_sub(1);
                if e.in_flight == 0 && e.failures.is_empty() {
                    map.remove(key);
                }
            }
        }
    }
}

/// The longest email sign-in takes: sign-up's limit (`validate::email`, bytes after trimming),
/// so no account has a longer one and checking it could only waste work.
pub const EMAIL_MAX: usize = 254;

/// Whether `email` is longer than any account's ([`EMAIL_MAX`]).
pub fn email_too_long(email: &str) -> bool {
    email.trim().len() > EMAIL_MAX
}

/// The key of an email tried from one client (`ip` is an [`ip_key`]); same email
/// normalisation as sign-in's lookup. The email is kept as its SHA-256, so whatever a client
/// sends, a key held for the whole window stays small.
pub fn email_key(email: &str, ip: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    format!("email:{} {ip}", URL_SAFE_NO_PAD.encode(digest))
}

/// Sign-up conflicts of one client: a key of their own, so they never count as failed
/// sign-ins; it starts with `ip:`, so it has the client's larger limit.
pub fn signup_key(ip: &str) -> String {
    format!("{ip} signup")
}

/// The key of an organization in a counter of what it does (invitations created). Not `ip:`,
/// so it has the plain limit.
pub fn org_key(org_id: u64) -> String {
    format!("org:{org_id}")
}

/// The key of a client: its IPv4 address, or its IPv6 /64 (one subscriber usually gets a whole
/// /64, so counting single IPv6 addresses would give an attacker endless fresh clients).
pub fn ip_key(ip: Option<IpAddr>) -> String {
    match ip {
        Some(IpAddr::V4(v4)) => format!("ip:{v4}"),
        Some(IpAddr::V6(v6)) => {
            let net = Ipv6Addr::from_bits(v6.to_bits() & !((1u128 << 64) - 1));
            format!("ip:{net}/64")
        }
        None => "ip:unknown".into(),
    }
}

impl LoginThrottle {
    pub fn new(attempts: u32, window: Duration) -> Self {
        Self {
            attempts,
            window,
            keys: Mutex::new(HashMap::new()),
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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Some((limit, seconds until an attempt is allowed again))` when any key is blocked:
    /// its failures in the window plus its attempts in flight reach its limit.
    pub fn blocked(&self, keys: &[&str], now: Instant) -> Option<(u32, u64)> {
        if self.attempts == 0 {
            return None;
        }
        self.blocked_in(&mut self.lock(), keys, now)
    }

    fn blocked_in(
        &self,
        map: &mut HashMap<String, Entry>,
        keys: &[&str],
        now: Instant,
    ) -> Option<(u32, u64)> {
        let mut worst: Option<(u32, Duration)> = None;
        for key in keys {
            let limit = self.limit_of(key);
            let Some(e) = map.get_mut(*key) else { continue };
            let q = &mut e.failures;
            while q
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                q.pop_front();
            }
            let left = if q.len() >= limit {
                // Allowed again when the oldest failure that keeps the count at the limit leaves.
                let oldest = q[q.len() - limit];
                self.window.saturating_sub(now.duration_since(oldest))
            } else if q.len() + e.in_flight >= limit {
                // Full of checks in progress: one of them ends in a moment.
                Duration::from_secs(1)
            } else {
                continue;
            };
            if worst.is_none_or(|(_, w)| left > w) {
                worst = Some((limit as u32, left));
            }
        }
        worst.map(|(limit, left)| (limit, left.as_secs_f64().ceil().max(1.0) as u64))
    }

    /// Checks the keys and, when none is blocked, holds a slot of each for this attempt, in one
    /// step (so simultaneous attempts cannot all pass the check before any of them fails).
    /// `Err((limit, retry after seconds))` when blocked; `Ok(None)` when throttling is off.
    pub fn reserve(
        self: &Arc<Self>,
        keys: &[&str],
        now: Instant,
    ) -> Result<Option<Attempt>, (u32, u64)> {
        if self.attempts == 0 {
            return Ok(None);
        }
        let mut map = self.lock();
        if let Some(b) = self.blocked_in(&mut map, keys, now) {
            return Err(b);
        }
        if map.len() > 50_000 {
            let window = self.window;
            map.retain(|_, e| {
                e.in_flight > 0
                    || e.failures
                        .back()
                        .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        for key in keys {
            map.entry((*key).to_owned()).or_default().in_flight += 1;
        }
        Ok(Some(Attempt {
            throttle: self.clone(),
            keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        }))
    }

    /// Records a failure for the keys without a reservation.
    pub fn fail(&self, keys: &[&str], now: Instant) {
        let mut map = self.lock();
        for key in keys {
            let limit = self.limit_of(key);
            let q = &mut map.entry((*key).to_owned()).or_default().failures;
            q.push_back(now);
            // Only the newest `limit` failures matter.
            while q.len() > limit {
                q.pop_front();
            }
        }
    }

    pub fn clear(&self, key: &str) {
        let mut map = self.lock();
        if let Some(e) = map.get_mut(key) {
            e.failures.clear();
            if e.in_flight == 0 {
                map.remove(key);
            }
        }
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
    let ip = ip_key(req.extensions().get::<ClientIp>().and_then(|c| c.0));
    // The email is read from the body (best effort: the handler reports malformed bodies).
    let deadline = req.extensions().get::<BodyDeadline>().copied();
    let (parts, body) = req.into_parts();
    let bytes = match by_deadline(deadline, axum::body::to_bytes(body, usize::MAX)).await {
        None => return body_timeout().into_response(),
        Some(Ok(b)) => b,
        Some(Err(_)) => {
            // The body limit layer outside refused it, or the client went away.
            return payload_too_large().into_response();
        }
    };
    let email = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("email")?.as_str().map(str::to_owned));
    if kind == Kind::SignIn && email.as_deref().is_some_and(email_too_long) {
        // The handler refuses it (400) before any password work: nothing to count or hold.
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    }
    let email = email.map(|e| email_key(&e, &ip));
    let signup = signup_key(&ip);
    let keys = match (kind, &email) {
        (Kind::SignIn, Some(e)) => vec![ip.as_str(), e.as_str()],
        (Kind::SignIn, None) => vec![ip.as_str()],
        (Kind::SignUp, _) => vec![signup.as_str()],
    };
    let attempt = match throttle.reserve(&keys, Instant::now()) {
        Ok(a) => a,
        Err((limit, reset)) => return throttled(limit, reset),
    };
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = res.status().as_u16();
    let failed = match kind {
        Kind::SignIn => status == 401,
        Kind::SignUp => status == 409,
    };
    if let Some(attempt) = attempt
        && failed
    {
        attempt.failed(Instant::now());
    } else if status == 200
        && let Some(e) = &email
    {
        throttle.clear(e);
    }
    res
}

/// The throttle's refusal as a handler's error (re-entering the password while signed in):
/// 429 with `Retry-After`. Its `X-RateLimit-*` headers are the general rate limiter's.
pub fn throttled_error(reset: u64) -> ApiError {
    let mut e = ApiError::rate_limited();
    e.retry_after = Some(reset);
    e
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
    fn an_email_key_is_small_whatever_the_email() {
        let ip = "ip:2001:db8:1:2::/64";
        let huge = format!("{}@example.com", "a".repeat(1 << 20));
        let key = email_key(&huge, ip);
        // "email:", 43 characters of digest, a space and the client.
        assert_eq!(key.len(), 6 + 43 + 1 + ip.len(), "{key}");
        assert_eq!(email_key("ada@example.com", ip).len(), key.len());
        // Normalised like sign-in's lookup; distinct emails and clients stay distinct.
        assert_eq!(
            email_key(" Ada@Example.COM ", ip),
            email_key("ada@example.com", ip)
        );
        assert_ne!(
            email_key("ada@example.com", ip),
            email_key("bob@example.com", ip)
        );
        assert_ne!(
            email_key("ada@example.com", ip),
            email_key("ada@example.com", "ip:1.2.3.4")
        );
        assert!(!email_too_long(&format!("  {}  ", "a".repeat(EMAIL_MAX))));
        assert!(email_too_long(&"a".repeat(EMAIL_MAX + 1)));
    }

    #[test]
    fn a_client_is_an_ipv4_address_or_an_ipv6_64() {
        let key = |s: &str| ip_key(Some(s.parse().unwrap()));
        assert_eq!(key("203.0.113.7"), "ip:203.0.113.7");
        assert_ne!(key("203.0.113.7"), key("203.0.113.8"));
        assert_eq!(key("2001:db8:1:2::1"), "ip:2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff:1:2:3"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(ip_key(None), "ip:unknown");
    }

    #[test]
    fn attempts_in_flight_hold_a_slot_until_they_end() {
        let t = Arc::new(LoginThrottle::new(2, 15 * MIN));
        let t0 = Instant::now();
        let keys = ["email:a@x.io"];
        let a = t.reserve(&keys, t0).unwrap().unwrap();
        let b = t.reserve(&keys, t0).unwrap().unwrap();
        // Both slots are taken by checks in progress: come back in a second.
        assert_eq!(t.reserve(&keys, t0).err(), Some((2, 1)));
        // A check that ends without failing frees its slot; one that fails keeps it.
        drop(a);
        b.failed(t0);
        let c = t.reserve(&keys, t0).unwrap().unwrap();
        c.failed(t0 + MIN);
        assert_eq!(t.blocked(&keys, t0 + MIN), Some((2, 840)));
        assert!(t.reserve(&keys, t0 + MIN).is_err());
        let off = Arc::new(LoginThrottle::new(0, MIN));
        assert!(off.reserve(&keys, t0).unwrap().is_none());
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
