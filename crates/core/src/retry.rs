//! When the console tries a request again by itself, and how long it waits first. Pure
//! arithmetic: the app's API client feeds it what happened and a random number, and sleeps.
//!
//! The policy: only safe requests (GET, HEAD, OPTIONS) are ever repeated automatically, on a
//! failure that may pass (no answer, time-out, 408/500/502/503/504, an unreadable 200), with
//! exponential backoff and jitter, at most [`Policy::max_attempts`] tries in all. A 429 on a safe
//! request waits for the reset the server announced when that is short; a write (POST, PUT,
//! PATCH, DELETE) is never repeated behind the user's back: they see the outcome and press Retry.

/// What went wrong with one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No answer at all: offline, connection refused or dropped.
    Network,
    /// No answer within the client's time limit.
    Timeout,
    /// An HTTP status other than 200 and 429.
    Status(u16),
    /// A 200 whose body is not the expected JSON.
    Malformed,
    /// HTTP 429, with the seconds until the limit resets when the server said.
    RateLimited { reset_secs: Option<u64> },
}

impl Failure {
    /// A failure that may well not happen again a moment later.
    pub fn is_transient(self) -> bool {
        match self {
            Failure::Network | Failure::Timeout | Failure::Malformed => true,
            Failure::Status(s) => matches!(s, 408 | 500 | 502 | 503 | 504),
            Failure::RateLimited { .. } => false,
        }
    }
}

/// Safe methods (RFC 9110 §9.2.1): repeating them changes nothing on the server.
pub fn is_safe(method: &str) -> bool {
    ["GET", "HEAD", "OPTIONS"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method.trim()))
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Wait `after_ms`, then send the request again. `rate_limited` says the wait is the
    /// server's announced reset (the app tells the user it is waiting).
    Retry { after_ms: u64, rate_limited: bool },
    /// Hand the failure to the caller.
    Stop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Tries in all, the first one included (1: never retry).
    pub max_attempts: u32,
    /// The backoff before the first retry, before jitter; it doubles for each further retry.
    pub base_delay_ms: u64,
    /// No backoff is longer than this.
    pub max_delay_ms: u64,
    /// A safe request waits for an announced rate-limit reset up to this long; a longer one is
    /// handed to the caller (the page says "wait N seconds" and offers Retry).
    pub max_rate_limit_wait_secs: u64,
    /// Extra wait after an announced reset, at most, scaled by the jitter (so many tabs do not
    /// all come back in the same millisecond).
    pub rate_limit_spread_ms: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Policy {
    /// 3 tries, backoff about 0.25–0.5 s then 0.5–1 s, 429 waits of up to 10 s.
    pub const DEFAULT: Policy = Policy {
        max_attempts: 3,
        base_delay_ms: 500,
        max_delay_ms: 4_000,
        max_rate_limit_wait_secs: 10,
        rate_limit_spread_ms: 250,
    };

    /// Never retries.
    pub const NEVER: Policy = Policy {
        max_attempts: 1,
        ..Policy::DEFAULT
    };

    /// The backoff before retry number `retry` (1 for the first retry): `base × 2^(retry-1)`,
    /// capped at `max_delay_ms`, then "equal jitter": half of it fixed, the other half scaled by
    /// `jitter` (a random number in 0..1; out-of-range or NaN values are clamped).
    pub fn backoff_ms(&self, retry: u32, jitter: f64) -> u64 {
        let exp = retry.saturating_sub(1).min(32);
        let full = self
            .base_delay_ms
            .saturating_mul(1u64 << exp)
            .min(self.max_delay_ms);
        let half = full / 2;
        half + scale(full - half, jitter)
    }

    /// After attempt number `attempt` (1 for the first) of a `method` request failed with
    /// `failure`: retry (and after how long) or stop. `jitter` is a random number in 0..1.
    pub fn next(&self, method: &str, attempt: u32, failure: Failure, jitter: f64) -> Next {
        if attempt >= self.max_attempts || !is_safe(method) {
            return Next::Stop;
        }
        match failure {
            Failure::RateLimited {
                reset_secs: Some(secs),
            } if secs <= self.max_rate_limit_wait_secs => Next::Retry {
                after_ms: secs * 1000 + scale(self.rate_limit_spread_ms, jitter),
                rate_limited: true,
            },
            Failure::RateLimited { .. } => Next::Stop,
            f if f.is_transient() => Next::Retry {
                after_ms: self.backoff_ms(attempt, jitter),
                rate_limited: false,
            },
            _ => Next::Stop,
        }
    }
}

/// `amount × jitter`, with `jitter` clamped to 0..=1 (NaN counts as 0).
fn scale(amount: u64, jitter: f64) -> u64 {
    let j = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    (amount as f64 * j).floor() as u64
}

/// Seconds to wait, from a 429's `X-RateLimit-Reset` (or `Retry-After`) header value. Spot and
/// the local server send seconds until the reset; a value that looks like a Unix time (after
/// 2001) is read as the moment of the reset instead, relative to `now_unix_secs`. A decimal
/// fraction (`1.2`) is rounded up; anything else (a date, an exponent, garbage, negative) is
/// `None`.
pub fn reset_secs(header: &str, now_unix_secs: u64) -> Option<u64> {
    let v = header.trim();
    // Read by hand, not as an `f64`: float parsing is ~8 KB of the browser's main module.
    let secs = match v.split_once('.') {
        None => v.parse::<u64>().ok()?,
        Some((whole, fraction)) => {
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if !digits(whole) || !digits(fraction) {
                return None;
            }
            let up = fraction.bytes().any(|b| b != b'0');
            whole.parse::<u64>().ok()?.checked_add(u64::from(up))?
        }
    };
    const UNIX_TIME_FLOOR: u64 = 1_000_000_000;
    Some(if secs >= UNIX_TIME_FLOOR {
        secs.saturating_sub(now_unix_secs)
    } else {
        secs
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: Policy = Policy::DEFAULT;

    #[test]
    fn safe_methods() {
        for m in ["GET", "get", " HEAD ", "OPTIONS"] {
            assert!(is_safe(m), "{m}");
        }
        for m in ["POST", "PUT", "PATCH", "DELETE", "", "GETX"] {
            assert!(!is_safe(m), "{m}");
        }
    }

    #[test]
    fn transient_failures() {
        for f in [
            Failure::Network,
            Failure::Timeout,
            Failure::Malformed,
            Failure::Status(500),
            Failure::Status(502),
            Failure::Status(503),
            Failure::Status(504),
            Failure::Status(408),
        ] {
            assert!(f.is_transient(), "{f:?}");
        }
        for f in [
            Failure::Status(400),
            Failure::Status(401),
            Failure::Status(403),
            Failure::Status(404),
            Failure::Status(409),
            Failure::Status(413),
            Failure::Status(501),
            Failure::RateLimited {
                reset_secs: Some(1),
            },
        ] {
            assert!(!f.is_transient(), "{f:?}");
        }
    }

    #[test]
    fn backoff_doubles_with_equal_jitter_and_caps() {
        // jitter 0: half of the full delay; jitter 1: all of it.
        assert_eq!(P.backoff_ms(1, 0.0), 250);
        assert_eq!(P.backoff_ms(1, 1.0), 500);
        assert_eq!(P.backoff_ms(2, 0.0), 500);
        assert_eq!(P.backoff_ms(2, 1.0), 1000);
        assert_eq!(P.backoff_ms(3, 0.5), 1500);
        // capped at 4 s
        assert_eq!(P.backoff_ms(10, 1.0), 4000);
        assert_eq!(P.backoff_ms(u32::MAX, 1.0), 4000);
        assert_eq!(P.backoff_ms(0, 1.0), 500, "retry 0 is read as the first");
        // bad jitter is clamped
        assert_eq!(P.backoff_ms(1, f64::NAN), 250);
        assert_eq!(P.backoff_ms(1, -3.0), 250);
        assert_eq!(P.backoff_ms(1, 7.0), 500);
    }

    #[test]
    fn get_retries_transient_failures_twice_then_stops() {
        for f in [
            Failure::Network,
            Failure::Timeout,
            Failure::Malformed,
            Failure::Status(503),
        ] {
            assert_eq!(
                P.next("GET", 1, f, 0.0),
                Next::Retry {
                    after_ms: 250,
                    rate_limited: false
                }
            );
            assert_eq!(
                P.next("GET", 2, f, 0.0),
                Next::Retry {
                    after_ms: 500,
                    rate_limited: false
                }
            );
            assert_eq!(
                P.next("GET", 3, f, 0.0),
                Next::Stop,
                "{f:?}: 3 tries in all"
            );
        }
    }

    #[test]
    fn writes_are_never_retried() {
        for m in ["POST", "PUT", "PATCH", "DELETE"] {
            for f in [
                Failure::Network,
                Failure::Timeout,
                Failure::Malformed,
                Failure::Status(500),
                Failure::RateLimited {
                    reset_secs: Some(1),
                },
            ] {
                assert_eq!(P.next(m, 1, f, 0.5), Next::Stop, "{m} {f:?}");
            }
        }
    }

    #[test]
    fn client_errors_are_not_retried() {
        for s in [400, 401, 403, 404, 409, 413, 422] {
            assert_eq!(P.next("GET", 1, Failure::Status(s), 0.5), Next::Stop, "{s}");
        }
    }

    #[test]
    fn rate_limit_waits_for_the_announced_reset_when_short() {
        assert_eq!(
            P.next(
                "GET",
                1,
                Failure::RateLimited {
                    reset_secs: Some(2)
                },
                0.0
            ),
            Next::Retry {
                after_ms: 2000,
                rate_limited: true
            }
        );
        assert_eq!(
            P.next(
                "GET",
                1,
                Failure::RateLimited {
                    reset_secs: Some(2)
                },
                1.0
            ),
            Next::Retry {
                after_ms: 2250,
                rate_limited: true
            }
        );
        assert_eq!(
            P.next(
                "GET",
                1,
                Failure::RateLimited {
                    reset_secs: Some(10)
                },
                0.0
            ),
            Next::Retry {
                after_ms: 10_000,
                rate_limited: true
            }
        );
        // Too long a wait, or none announced: the caller says so and offers Retry.
        assert_eq!(
            P.next(
                "GET",
                1,
                Failure::RateLimited {
                    reset_secs: Some(11)
                },
                0.0
            ),
            Next::Stop
        );
        assert_eq!(
            P.next("GET", 1, Failure::RateLimited { reset_secs: None }, 0.0),
            Next::Stop
        );
        // Bounded like any retry.
        assert_eq!(
            P.next(
                "GET",
                3,
                Failure::RateLimited {
                    reset_secs: Some(1)
                },
                0.0
            ),
            Next::Stop
        );
    }

    #[test]
    fn never_policy_never_retries() {
        assert_eq!(
            Policy::NEVER.next("GET", 1, Failure::Network, 0.5),
            Next::Stop
        );
    }

    #[test]
    fn reset_header_values() {
        let now = 1_800_000_000;
        assert_eq!(reset_secs("2", now), Some(2));
        assert_eq!(reset_secs(" 37 ", now), Some(37));
        assert_eq!(reset_secs("0", now), Some(0));
        assert_eq!(reset_secs("1.2", now), Some(2));
        assert_eq!(reset_secs("3.000", now), Some(3));
        assert_eq!(reset_secs("0.01", now), Some(1));
        assert_eq!(reset_secs("1800000045", now), Some(45), "a Unix time");
        assert_eq!(
            reset_secs("1700000000", now),
            Some(0),
            "a Unix time in the past"
        );
        for bad in [
            "",
            "soon",
            "-1",
            "NaN",
            "inf",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "1e400",
            "1e3",
            "1.",
            ".5",
            "1.2.3",
            "-1.5",
            "18446744073709551615.5",
        ] {
            assert_eq!(reset_secs(bad, now), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn a_decimal_reset_is_rounded_up(whole in 0u64..1_000_000_000, fraction in "[0-9]{1,12}") {
            let up = u64::from(fraction.bytes().any(|b| b != b'0'));
            prop_assert_eq!(reset_secs(&format!("{whole}.{fraction}"), 1_800_000_000), Some(whole + up));
        }

        #[test]
        fn backoff_stays_within_half_and_full_of_the_capped_delay(
            retry in 0u32..200, jitter in proptest::num::f64::ANY,
            base in 0u64..100_000, cap in 0u64..1_000_000,
        ) {
            let p = Policy { base_delay_ms: base, max_delay_ms: cap, ..P };
            let full = base.saturating_mul(1u64 << retry.saturating_sub(1).min(32)).min(cap);
            let d = p.backoff_ms(retry, jitter);
            prop_assert!(d <= full && d >= full / 2, "{d} vs {full}");
        }

        #[test]
        fn backoff_never_shrinks_as_retries_go_on(retry in 1u32..60, jitter in 0.0f64..=1.0) {
            prop_assert!(P.backoff_ms(retry + 1, jitter) >= P.backoff_ms(retry, jitter));
        }

        #[test]
        fn retries_are_bounded_and_only_for_safe_methods(
            method in "[A-Za-z]{0,8}", attempt in 0u32..10, status in 0u16..1000,
            reset in proptest::option::of(0u64..100), kind in 0u8..5, jitter in proptest::num::f64::ANY,
        ) {
            let f = match kind {
                0 => Failure::Network,
                1 => Failure::Timeout,
                2 => Failure::Malformed,
                3 => Failure::Status(status),
                _ => Failure::RateLimited { reset_secs: reset },
            };
            match P.next(&method, attempt, f, jitter) {
                Next::Stop => {}
                Next::Retry { after_ms, rate_limited } => {
                    prop_assert!(is_safe(&method));
                    prop_assert!(attempt < P.max_attempts);
                    if rate_limited {
                        let secs = reset.unwrap();
                        prop_assert!(secs <= P.max_rate_limit_wait_secs);
                        prop_assert!(after_ms >= secs * 1000);
                        prop_assert!(after_ms <= secs * 1000 + P.rate_limit_spread_ms);
                    } else {
                        prop_assert!(f.is_transient());
                        prop_assert!(after_ms <= P.max_delay_ms);
                    }
                }
            }
        }

        #[test]
        fn reset_header_never_panics(s in ".{0,40}", now in any::<u64>()) {
            let _ = reset_secs(&s, now);
        }

        #[test]
        fn reset_header_reads_small_numbers_as_seconds(n in 0u64..1_000_000_000, now in any::<u64>()) {
            prop_assert_eq!(reset_secs(&n.to_string(), now), Some(n));
        }
    }
}
