//! The signed-in session: bearer token (sessionStorage `onramp.session` only, so it dies with
//! the tab and is never written to localStorage) and who it belongs to.

use super::{draft, storage};
use crate::api::{Api, ApiError};
use leptos::prelude::*;
use onramp_core::dto::{Account, WhoAmI};
use onramp_core::ids::AccountId;

pub const SESSION_KEY: &str = "onramp.session";

/// What the user menu shows. Built from `/auth/me`, or, against Spot's API which has no such
/// endpoint, from the organization the token's accounts belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: Option<String>,
    pub email: Option<String>,
    pub organization: String,
    /// The organization's default (oldest) account: the first-run wizard connects it.
    pub default_account_id: Option<AccountId>,
}

impl From<&WhoAmI> for Profile {
    fn from(w: &WhoAmI) -> Self {
        Self {
            name: Some(w.full_name.clone()),
            email: Some(w.email.clone()),
            organization: w.organization_name.clone(),
            default_account_id: Some(w.default_account_id.clone()),
        }
    }
}

impl Profile {
    pub fn from_accounts(accounts: &[Account]) -> Option<Self> {
        // The oldest account is the default one (ISO instants sort as text).
        let oldest = accounts
            .iter()
            .min_by(|a, b| a.created_at.cmp(&b.created_at))?;
        Some(Self {
            name: None,
            email: None,
            organization: format!("Organization {}", oldest.organization_id),
            default_account_id: Some(oldest.account_id.clone()),
        })
    }
}

/// Who a token belongs to: `/auth/me`, or on Spot's API (no such endpoint, 404) the
/// organization of the accounts it can list.
pub async fn identify(api: &Api) -> Result<Profile, ApiError> {
    match api.me().await {
        Ok(who) => Ok(Profile::from(&who)),
        Err(ApiError::Http { status: 404, .. }) => {
            let accounts = api.list_accounts().await?;
            Ok(Profile::from_accounts(&accounts).unwrap_or(Profile {
                name: None,
                email: None,
                organization: "Your organization".into(),
                default_account_id: None,
            }))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Session {
    token: RwSignal<Option<String>>,
    pub profile: RwSignal<Option<Profile>>,
    /// A one-off status message for the next screen (e.g. "You have signed out.").
    pub flash: RwSignal<Option<String>>,
}

impl Session {
    /// Picks up a token left by an earlier page load in this tab.
    pub fn restore() -> Self {
        Self {
            token: RwSignal::new(storage::session_get(SESSION_KEY).filter(|t| !t.is_empty())),
            profile: RwSignal::new(None),
            flash: RwSignal::new(None),
        }
    }

    /// Tracked: re-runs the caller when the user signs in or out.
    pub fn token(&self) -> Option<String> {
        self.token.get()
    }

    pub fn token_untracked(&self) -> Option<String> {
        self.token.get_untracked()
    }

    pub fn is_signed_in(&self) -> bool {
        self.token.with(Option::is_some)
    }

    pub fn sign_in(&self, token: String, profile: Option<Profile>) {
        storage::session_set(SESSION_KEY, &token);
        self.profile.set(profile);
        self.flash.set(None);
        self.token.set(Some(token));
    }

    /// Forgets the token and every draft (a shared computer must not keep a half-filled form).
    pub fn clear(&self) {
        storage::session_remove(SESSION_KEY);
        draft::clear_all();
        self.profile.set(None);
        self.token.set(None);
    }
}
