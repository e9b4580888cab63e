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

pub use accounts::CurrentAccount;
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

use crate::api::ApiError;
use crate::components::Notice;
use crate::state::Session;
use leptos::prelude::{RwSignal, Set};
use onramp_core::dto::Account;

/// Runs one form submission in the page's scope, with `busy` true meanwhile. (A hand-rolled
/// stand-in for `Action::new_local`: the same behaviour for one-shot submits, and measurably
/// smaller in the wasm bundle, which has a 200 KB first-load budget.)
pub fn run_busy(busy: RwSignal<bool>, work: impl Future<Output = ()> + 'static) {
    busy.set(true);
    leptos::task::spawn_local_scoped(async move {
        work.await;
        busy.try_set(false);
    });
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
        } => format!("Too many requests in a short time. Wait {s} seconds, then try again."),
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

pub fn notice(err: &ApiError) -> Notice {
    Notice {
        text: describe(err),
        request_id: err.request_id().map(str::to_owned),
    }
}

/// A 401 on a signed-in call: the token is gone, so is the session; protected routes then
/// send the user to sign in, where this message waits. Drafts are kept and the page is
/// remembered: signing in again brings the user back to it with what they typed.
pub fn expire_session(session: Session) {
    session.expire();
    session.flash.set(Some(
        "Your session has ended. Sign in again to continue where you left off; what you typed is kept."
            .into(),
    ));
}

/// Where a signed-in user starts: the wizard until some account is connected.
pub fn landing_for(accounts: &[Account]) -> &'static str {
    if accounts.iter().any(|a| a.cloud_provider.is_some()) {
        "/dashboard"
    } else {
        "/welcome"
    }
}
