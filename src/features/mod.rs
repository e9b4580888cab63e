//! One folder per feature, each owning its screens and their helpers. A feature never imports
//! another feature: what two features share lives below them (components, state, api,
//! platform, core), and where one screen shows another feature's part, `app.rs` composes them
//! (see `components::ConnectPanels` and the dashboard's invite slot).

// Console only (as are the other features the sign-in bundle never shows, but these two hold
// split points, which a binary keeps whenever it compiles them).
#[cfg(not(feature = "auth-bundle"))]
pub mod accounts;
pub mod auth;
pub mod aws;
pub mod aws_org;
pub mod azure;
pub mod azure_subs;
pub mod embed;
pub mod finops;
pub mod gcp;
pub mod invitations;
pub mod management;
#[cfg(not(feature = "auth-bundle"))]
pub mod onboarding;
pub mod settings;
