//! Signing up, signing in, and where a signed-in user starts (`/`).

mod home;
mod signin;
mod signup;

pub use home::Home;
pub use signin::SignIn;
pub use signup::{SignupDetails, SignupPassword};

use onramp_core::dto::Account;

/// Where a signed-in user starts: the wizard until some account is connected.
pub fn landing_for(accounts: &[Account]) -> &'static str {
    if accounts.iter().any(|a| a.cloud_provider.is_some()) {
        "/dashboard"
    } else {
        "/welcome"
    }
}
