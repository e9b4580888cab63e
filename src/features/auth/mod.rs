//! Signing up, signing in, and where a signed-in user starts (`/`).

mod home;
mod signin;
mod signup;

pub use home::Home;
pub use signin::SignIn;
pub use signup::{SignupDetails, SignupPassword};

use crate::api::{Api, ApiError};

/// Where a signed-in user starts: the wizard until some account is connected, a linked account
/// with credentials or the organization's management (billing) account. The management account
/// is asked for only when no linked account is connected, and read as "is there one" alone.
pub async fn landing(api: &Api) -> Result<&'static str, ApiError> {
    let accounts = api.list_accounts().await?;
    if accounts.iter().any(|a| a.cloud_provider.is_some()) {
        return Ok("/dashboard");
    }
    let management = api.management_summary::<serde::de::IgnoredAny>().await?;
    Ok(if management.is_some() {
        "/dashboard"
    } else {
        "/welcome"
    })
}
