//! Spot's envelope on every `/api` answer.
//!
//! Handlers return [`Reply`] or [`ApiError`]; both become a response carrying a [`Pending`]
//! extension, and the [`envelope`] middleware — which saw the request — wraps it into
//! `{request, response}`. Anything else that reaches the middleware with an error status (an
//! axum rejection, a body-limit layer, an unknown route) is rewritten into an envelope too, so
//! no plain-text answer ever leaves `/api`.

use axum::{
    body::Body,
    extract::{FromRequestParts, Query, Request},
    http::{HeaderValue, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use onramp_core::{Envelope, RequestInfo, SpotError, envelope::codes, validate::FieldError};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

use crate::util::now_iso;

/// A handler's successful answer, before the envelope is put around it.
#[derive(Debug, Clone)]
pub enum Reply {
    Items {
        kind: &'static str,
        items: Vec<Value>,
    },
    /// Set, update and delete calls: status only.
    Ok,
}

impl Reply {
    pub fn one<T: Serialize>(kind: &'static str, item: T) -> Self {
        Self::many(kind, std::iter::once(item))
    }
    pub fn many<T: Serialize>(kind: &'static str, items: impl IntoIterator<Item = T>) -> Self {
        Reply::Items {
            kind,
            items: items
                .into_iter()
                .map(|i| serde_json::to_value(i).expect("DTOs serialise"))
                .collect(),
        }
    }
}

/// A Spot error answer: HTTP status plus `response.errors`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub errors: Vec<SpotError>,
    pub rate_limited: bool,
    /// Seconds for a `Retry-After` header (503 while busy).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            errors: vec![SpotError::new(code, message)],
            rate_limited: false,
            retry_after: None,
        }
    }
    pub fn with_field(status: u16, code: &str, field: &str, message: impl Into<String>) -> Self {
        let mut e = SpotError::new(code, message);
        e.field = Some(field.to_owned());
        Self {
            status,
            errors: vec![e],
            rate_limited: false,
            retry_after: None,
        }
    }
    /// 400 `ValidationError` on one field (`body.x.y` / `query.x`).
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::many_fields(vec![SpotError::validation(field, message)])
    }
    pub fn many_fields(errors: Vec<SpotError>) -> Self {
        Self {
            status: 400,
            errors,
            rate_limited: false,
            retry_after: None,
        }
    }
    pub fn field_error(field: &str, e: FieldError) -> Self {
        Self::validation(field, e.message)
    }
    /// Unknown and foreign accounts get exactly this answer.
    pub fn account_doesnt_exist() -> Self {
        Self::new(
            400,
            codes::ACCOUNT_DOESNT_EXIST,
            "Account doesn't exist or is not in your organization.",
        )
    }
    pub fn unauthorized() -> Self {
        Self::new(
            401,
            codes::UNAUTHORIZED,
            "Sign in again: send a valid token as \"Authorization: Bearer <token>\".",
        )
    }
    pub fn rate_limited() -> Self {
        Self {
            status: 429,
            errors: Vec::new(),
            rate_limited: true,
            retry_after: None,
        }
    }
    pub fn internal() -> Self {
        Self::new(
            500,
            codes::INTERNAL,
            "Something went wrong on the server. Try again; if it keeps failing, report it.",
        )
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        // SQL errors never contain request secrets: values are bound, not formatted in.
        eprintln!("onramp-api: database error: {e}");
        Self::internal()
    }
}

impl From<crate::secrets::Undecryptable> for ApiError {
    fn from(e: crate::secrets::Undecryptable) -> Self {
        // Names the row, never the value. Start-up checked every row, so this is a row
        // damaged while running.
        eprintln!("onramp-api: {e}");
        Self::internal()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?}", self.status, self.errors)
    }
}

pub type ApiResult = Result<Reply, ApiError>;

/// What the envelope middleware turns into a body.
#[derive(Debug, Clone)]
pub enum Pending {
    Reply(Reply),
    Error(ApiError),
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut res = StatusCode::OK.into_response();
        res.extensions_mut().insert(Pending::Reply(self));
        res
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = status.into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res.extensions_mut().insert(Pending::Error(self));
        res
    }
}

/// Request facts for `request`: `url` is the path and query as the handler saw them — inside
/// the `/api` nest, so without the prefix, as Spot shows it.
pub fn request_info(req: &Request) -> RequestInfo {
    let url = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| req.uri().path().to_owned());
    RequestInfo {
        id: uuid::Uuid::new_v4().to_string(),
        url,
        method: req.method().as_str().to_owned(),
        timestamp: now_iso(),
    }
}

/// Middleware on the `/api` router: builds the envelope.
pub async fn envelope(req: Request, next: Next) -> Response {
    let info = request_info(&req);
    let mut res = next.run(req).await;
    let pending = res.extensions_mut().remove::<Pending>();
    let status = res.status();
    let env: Envelope<Value> = match pending {
        Some(Pending::Reply(Reply::Items { kind, items })) => Envelope::items(info, kind, items),
        Some(Pending::Reply(Reply::Ok)) => Envelope::ok(info),
        Some(Pending::Error(e)) if e.rate_limited => Envelope::rate_limited(info),
        Some(Pending::Error(e)) => Envelope::errors(info, e.status, e.errors),
        None => {
            // Not ours: an extractor rejection, a layer's refusal or the fallback.
            let e = foreign_error(status);
            Envelope::errors(info, e.status, e.errors)
        }
    };
    let code = env.response.status.code;
    let body = serde_json::to_vec(&env).expect("envelope serialises");
    let mut out = Response::new(Body::from(body));
    *out.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // Keep the inner headers (rate limit, Allow...) except those describing the old body.
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    let h = out.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    out
}

/// Fallback of the `/api` router.
pub async fn unknown_route() -> ApiError {
    ApiError::new(
        404,
        codes::NOT_FOUND,
        "No such endpoint. Check the path against Spot's API reference.",
    )
}

fn foreign_error(status: StatusCode) -> ApiError {
    match status.as_u16() {
        200..=299 => {
            // A handler that forgot to return Reply: a server bug, not a success.
            eprintln!("onramp-api: a handler answered without an envelope");
            ApiError::internal()
        }
        404 => ApiError::new(404, codes::NOT_FOUND, "Not found."),
        405 => ApiError::new(
            405,
            "MethodNotAllowed",
            "This endpoint does not accept this HTTP method.",
        ),
        408 => body_timeout(),
        413 => payload_too_large(),
        415 => ApiError::validation(
            "body",
            "Send the body as JSON with \"Content-Type: application/json\".",
        ),
        400 | 422 => ApiError::validation("body", "The request could not be read."),
        401 => ApiError::unauthorized(),
        429 => ApiError::rate_limited(),
        _ => ApiError::internal(),
    }
}

pub fn payload_too_large() -> ApiError {
    ApiError::new(
        413,
        codes::PAYLOAD_TOO_LARGE,
        "The request body is too large.",
    )
}

/// Our code for a request whose body stopped arriving.
pub const REQUEST_TIMEOUT: &str = "RequestTimeout";

/// 408: the body had not arrived in full `--body-timeout-secs` after the request began.
pub fn body_timeout() -> ApiError {
    ApiError::new(
        408,
        REQUEST_TIMEOUT,
        "The request body stopped arriving. Send the request again.",
    )
}

// ---- extractors ------------------------------------------------------------------------------

// JSON bodies: `crate::body::SpotJson`.

/// Query parameters as a map; a malformed query string → 400 with `field: "query"`.
#[derive(Debug, Clone, Default)]
pub struct Params(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|_| ApiError::validation("query", "The query string could not be read."))
    }
}

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}
