//! One module per screen. Pages compose components with state and API calls, and are where
//! API errors become words.

mod accounts;
mod add_account;
mod connect_aws;
mod connect_aws_auto;
pub mod connect_aws_permissions;
pub mod connect_azure;
pub mod connect_gcp;
mod dashboard;
mod finops;
mod home;
pub mod invitations;
mod invite;
mod management;
mod management_azure;
mod not_found;
mod signin;
mod signup;
mod welcome;

pub use add_account::AddAccount;
pub use dashboard::Dashboard;
pub use finops::FinOps;
pub use home::Home;
pub use invite::JoinByInvitation;
pub use management::ManagementWizard;
pub use management_azure::AzureBilling;
pub use not_found::NotFound;
pub use signin::SignIn;
pub use signup::{SignupDetails, SignupPassword};
pub use welcome::Welcome;

use onramp_core::dto::Account;

/// Where a signed-in user starts: the wizard until some account is connected.
pub fn landing_for(accounts: &[Account]) -> &'static str {
    if accounts.iter().any(|a| a.cloud_provider.is_some()) {
        "/dashboard"
    } else {
        "/welcome"
    }
}
