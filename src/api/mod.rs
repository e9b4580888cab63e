//! Typed client for Spot's setup API and the local auth additions.
//!
//! No view code here: callers get `Result<_, ApiError>` and turn errors into words themselves.

mod client;
mod endpoints;
mod error;
mod management;

pub use client::{Api, DEFAULT_TIMEOUT_MS, OnUnauthorized, rate_limit_wait};
pub use endpoints::send_time;
pub use error::{ApiError, describe, field_name};
