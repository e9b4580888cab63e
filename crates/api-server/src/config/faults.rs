//! The fault injection knobs as plain data (see `crate::fault` for what they do). They live with
//! the configuration because flags set them at start; the control endpoint changes them live.

use serde::{Deserialize, Serialize};

/// The knobs, exactly as `GET`/`POST /api/_faults` show them (camelCase).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Faults {
    /// Added before every matching `/api` answer.
    pub latency_ms: u64,
    /// Share (0..=1) answered 500 `InternalError`.
    pub error_rate: f64,
    /// Every Nth matching request answers 429 (0: never).
    pub rate_limit_every: u64,
    /// `X-RateLimit-Reset` / `Retry-After` of those 429s, in seconds.
    pub reset_secs: u64,
    /// Share whose connection is dropped without an answer.
    pub drop_rate: f64,
    /// Share answered 200 with a truncated (invalid) JSON body.
    pub malformed_rate: f64,
    /// Share of writes that run and commit, then lose their answer (dropped connection).
    pub lose_after_write_rate: f64,
    /// Only paths starting with this (e.g. `/api/setup/credentials`); null: all of `/api`.
    pub only: Option<String>,
    /// A session's idle lifetime in seconds instead of `--session-idle-hours`, so a test can
    /// let a session expire by disuse in seconds; null: the flag's.
    #[serde(default)]
    pub session_idle_secs: Option<u64>,
    /// How long a new AWS connect token stays valid, in seconds, instead of 2 hours, so a
    /// test can see one expire; null: 2 hours.
    #[serde(default)]
    pub connect_token_ttl_secs: Option<u64>,
    /// How long a new (or renewed) AWS batch connect token stays valid, in seconds, instead of
    /// 24 hours; null: 24 hours.
    #[serde(default)]
    pub batch_token_ttl_secs: Option<u64>,
    /// Azure subscription IDs on which the service principal has no role assignment: the Azure
    /// credential calls (validation and set) for them answer 400 `AZURE_ROLE_NOT_ASSIGNED`, as
    /// Spot's validation refuses such a principal. Empty: none (the local server cannot ask
    /// Azure, so it takes every subscription otherwise).
    #[serde(default)]
    pub azure_role_missing: Vec<String>,
}

// Rates are checked finite (never NaN), so equality is an equivalence.
impl Eq for Faults {}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: 0.0,
            rate_limit_every: 0,
            reset_secs: 2,
            drop_rate: 0.0,
            malformed_rate: 0.0,
            lose_after_write_rate: 0.0,
            only: None,
            session_idle_secs: None,
            connect_token_ttl_secs: None,
            batch_token_ttl_secs: None,
            azure_role_missing: Vec::new(),
        }
    }
}

impl Faults {
    /// The longest `latency_ms` (10 minutes).
    pub const MAX_LATENCY_MS: u64 = 600_000;
    /// The longest `reset_secs` (one day).
    pub const MAX_RESET_SECS: u64 = 86_400;

    /// No fault would ever fire.
    pub fn is_off(&self) -> bool {
        self.session_idle_secs.is_none()
            && self.azure_role_missing.is_empty()
            && self.connect_token_ttl_secs.is_none()
            && self.batch_token_ttl_secs.is_none()
            && self.latency_ms == 0
            && self.error_rate == 0.0
            && self.rate_limit_every == 0
            && self.drop_rate == 0.0
            && self.malformed_rate == 0.0
            && self.lose_after_write_rate == 0.0
    }

    /// Refuses rates outside 0..=1 (or NaN), absurd latencies and an `only` that is not an
    /// absolute path. Messages name the knob.
    pub fn check(&self) -> Result<(), String> {
        for (name, p) in [
            ("errorRate", self.error_rate),
            ("dropRate", self.drop_rate),
            ("malformedRate", self.malformed_rate),
            ("loseAfterWriteRate", self.lose_after_write_rate),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("{name} must be a share between 0 and 1."));
            }
        }
        if self.latency_ms > Self::MAX_LATENCY_MS {
            return Err("latencyMs must be at most 600000 (10 minutes).".into());
        }
        if self.reset_secs > Self::MAX_RESET_SECS {
            return Err("resetSecs must be at most 86400 (one day).".into());
        }
        if self.connect_token_ttl_secs == Some(0) {
            return Err("connectTokenTtlSecs must be at least 1, or null.".into());
        }
        if self.batch_token_ttl_secs == Some(0) {
            return Err("batchTokenTtlSecs must be at least 1, or null.".into());
        }
        if self.session_idle_secs == Some(0) {
            return Err("sessionIdleSecs must be at least 1, or null.".into());
        }
        if let Some(bad) = self
            .azure_role_missing
            .iter()
            .find(|s| onramp_core::validate::azure_guid(s, "Subscription ID").is_err())
        {
            return Err(format!(
                "azureRoleMissing lists subscription IDs (GUIDs); {bad:?} is not one."
            ));
        }
        if let Some(o) = &self.only
            && !o.starts_with('/')
        {
            return Err("only must be a path prefix starting with \"/\", e.g. /api/setup/credentials, or null.".into());
        }
        Ok(())
    }

    /// Whether the knobs say the service principal has no role on `subscription_id`.
    pub fn azure_role_missing(&self, subscription_id: &str) -> bool {
        let id = |s: &str| onramp_core::validate::azure_guid(s, "Subscription ID").ok();
        let Some(wanted) = id(subscription_id) else {
            return false;
        };
        self.azure_role_missing
            .iter()
            .any(|s| id(s).as_ref() == Some(&wanted))
    }

    pub(crate) fn applies_to(&self, path: &str) -> bool {
        self.only.as_deref().is_none_or(|p| path.starts_with(p))
    }
}
