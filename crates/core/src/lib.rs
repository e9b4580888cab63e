//! Onramp's pure core: everything the console and the local API server must agree on.
//!
//! No browser and no server dependencies live here, so every rule is host-tested once and
//! enforced identically on both sides of the wire.

pub mod account_status;
pub mod accounts_view;
pub mod aws_org;
pub mod aws_setup;
pub mod azure_setup;
pub mod azure_subs;
pub mod choice;
pub mod countries;
pub mod dto;
pub mod embed;
pub mod envelope;
pub mod gcp_setup;
#[cfg(test)]
mod golden;
pub mod ids;
pub mod management;
pub mod onboarding;
pub mod org_batch;
pub mod percent;
pub mod retry;
pub mod return_to;
pub mod routes;
pub mod settings_view;
pub mod text;
pub mod time;
pub mod validate;

pub use envelope::{Envelope, RequestInfo, ResponseBody, SpotError, Status};
pub use validate::FieldError;
