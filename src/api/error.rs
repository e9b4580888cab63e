//! What can go wrong talking to the API, as data. Words for people live at the view edge.

use onramp_core::SpotError;
use onramp_core::retry::Failure;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request never got an answer (offline, DNS, CORS, connection refused).
    #[error("network error")]
    Network,
    /// No answer within the client's time limit; the request was aborted.
    #[error("request timed out")]
    Timeout,
    /// An answer other than 200, with whatever Spot errors its body carried.
    #[error("HTTP {status}")]
    Http {
        status: u16,
        errors: Vec<SpotError>,
        request_id: Option<String>,
    },
    /// HTTP 429; `reset_secs` from `X-RateLimit-Reset` (or `Retry-After`) when the server sent
    /// it. A safe request has already waited for a short reset and tried again; a write never
    /// does, so the page says "wait N seconds" and offers Retry.
    #[error("rate limited")]
    RateLimited { reset_secs: Option<u64> },
    /// HTTP 401: missing, unknown or revoked token, or wrong credentials on sign-in.
    #[error("unauthorized")]
    Unauthorized,
    /// A 200 whose body is not the expected envelope.
    #[error("unexpected response")]
    Decode,
}

impl ApiError {
    /// The Spot message aimed at a form field, if any. `name` is the field's plain name:
    /// `email` matches Spot's `body.email` (and `query.email`).
    pub fn field_message(&self, name: &str) -> Option<&str> {
        self.spot_errors()
            .iter()
            .find(|e| e.field.as_deref().map(field_name) == Some(name))
            .map(|e| e.message.as_str())
    }

    /// True when no Spot error of this answer names a field: the whole form is concerned.
    pub fn has_field_errors(&self) -> bool {
        self.spot_errors().iter().any(|e| e.field.is_some())
    }

    pub fn spot_errors(&self) -> &[SpotError] {
        match self {
            ApiError::Http { errors, .. } => errors,
            _ => &[],
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::Http { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            ApiError::RateLimited { .. } => Some(429),
            ApiError::Unauthorized => Some(401),
            _ => None,
        }
    }

    /// The answer may have been lost after the server acted (no answer, an unreadable one, a
    /// 5xx): a write may have happened, so look before doing it again.
    pub fn may_have_acted(&self) -> bool {
        matches!(self, Self::Network | Self::Timeout | Self::Decode)
            || self.status().is_some_and(|s| s >= 500)
    }

    pub fn has_code(&self, code: &str) -> bool {
        self.spot_errors().iter().any(|e| e.code == code)
    }

    /// What core's retry policy needs to know about this failure.
    pub fn failure(&self) -> Failure {
        match self {
            ApiError::Network => Failure::Network,
            ApiError::Timeout => Failure::Timeout,
            ApiError::Decode => Failure::Malformed,
            ApiError::RateLimited { reset_secs } => Failure::RateLimited {
                reset_secs: *reset_secs,
            },
            ApiError::Unauthorized => Failure::Status(401),
            ApiError::Http { status, .. } => Failure::Status(*status),
        }
    }
}

/// `body.email` → `email`, `query.accountId` → `accountId`; anything else as given.
pub fn field_name(field: &str) -> &str {
    field
        .strip_prefix("body.")
        .or_else(|| field.strip_prefix("query."))
        .unwrap_or(field)
}

/// Plain words for an API failure.
pub fn describe(err: &ApiError) -> String {
    match err {
        ApiError::Network => {
            "We couldn't reach the server. Check your connection, then try again.".into()
        }
        ApiError::Timeout => "The server took too long to answer. Try again.".into(),
        ApiError::RateLimited {
            reset_secs: Some(s),
        } => format!(
            "Too many requests in a short time. Wait {}, then try again.",
            onramp_core::text::count(*s, "second", "seconds")
        ),
        ApiError::RateLimited { reset_secs: None } => {
            "Too many requests in a short time. Wait a minute, then try again.".into()
        }
        ApiError::Unauthorized => "Your session has ended. Sign in again.".into(),
        ApiError::Decode => "The server's answer could not be read. Try again; if it keeps \
                             happening, contact support."
            .into(),
        ApiError::Http { status, errors, .. } => match errors.first() {
            Some(e) => e.message.clone(),
            None if *status >= 500 => {
                "Something went wrong on our side. Try again in a moment.".into()
            }
            None if *status == 404 => "That item no longer exists.".into(),
            None => format!("The request was refused (HTTP {status})."),
        },
    }
}
