//! The signed-in session: bearer token (sessionStorage `onramp.session` only, so it dies with
//! the tab and is never written to localStorage) and who it belongs to.

use super::{current_account, draft};
use crate::api::{Api, ApiError};
use crate::platform::storage;
use crate::platform::tasks::Tasks;
use leptos::prelude::*;
use onramp_core::dto::{Account, Role, WhoAmI};
use onramp_core::ids::AccountId;
use onramp_core::return_to::safe_return_path;
use std::future::Future;

pub const SESSION_KEY: &str = "onramp.session";

/// What the user sees after the API accepted the credentials (on the dashboard).
pub const CONNECTED_MESSAGE: &str = "Your account has been successfully connected!";

/// What the user menu shows. Built from `/auth/me`, or, against Spot's API which has no such
/// endpoint, from the organization the token's accounts belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: Option<String>,
    pub email: Option<String>,
    pub organization: String,
    /// The organization's default (oldest) account: the first-run wizard connects it.
    pub default_account_id: Option<AccountId>,
    /// `None` against Spot's API, which does not say: the server then decides what is allowed.
    pub role: Option<Role>,
}

impl From<&WhoAmI> for Profile {
    fn from(w: &WhoAmI) -> Self {
        Self {
            name: Some(w.full_name.clone()),
            email: Some(w.email.clone()),
            organization: w.organization_name.clone(),
            default_account_id: Some(w.default_account_id.clone()),
            role: Some(w.role),
        }
    }
}

impl Profile {
    /// A viewer can look but not change anything (the server refuses with 403 anyway).
    pub fn read_only(&self) -> bool {
        self.role == Some(Role::Viewer)
    }

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
            role: None,
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
                role: None,
            }))
        }
        Err(e) => Err(e),
    }
}

/// The token an earlier page load in this tab left (an empty one is none).
fn stored_token() -> Option<String> {
    storage::session_get(SESSION_KEY).filter(|t| !t.is_empty())
}

#[derive(Debug, Clone, Copy)]
pub struct Session {
    token: RwSignal<Option<String>>,
    pub profile: RwSignal<Option<Profile>>,
    /// A one-off status message for the next screen (e.g. "You have signed out.").
    pub flash: RwSignal<Option<String>>,
    /// The app's (see [`Session::run_busy`]); none for a session made outside any component.
    tasks: Option<Tasks>,
}

impl Session {
    /// Picks up a token left by an earlier page load in this tab.
    pub fn restore() -> Self {
        Self {
            token: RwSignal::new(stored_token()),
            profile: RwSignal::new(None),
            flash: RwSignal::new(None),
            tasks: Owner::current().map(|_| Tasks::here()),
        }
    }

    /// Runs a request that ends or changes this session (Sign out everywhere, a new password)
    /// under the app, not the page that asked: leaving the page (Back) must not abort it while
    /// the server may still carry it out, and leave the tab not knowing whether it is signed in.
    pub fn run_busy(&self, busy: RwSignal<bool>, work: impl Future<Output = ()> + 'static) {
        // Made outside any component (a test's): under the caller's.
        self.tasks.unwrap_or_else(Tasks::here).run_busy(busy, work);
    }

    /// Whether this tab has a stored session, read before any signal exists (at start-up).
    pub fn stored() -> bool {
        stored_token().is_some()
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

    /// The loaded profile says viewer (tracked). `false` while it is unknown.
    pub fn is_viewer(&self) -> bool {
        self.profile
            .with(|p| p.as_ref().is_some_and(Profile::read_only))
    }

    pub fn sign_in(&self, token: String, profile: Option<Profile>) {
        storage::session_set(SESSION_KEY, &token);
        self.sign_in_for_this_page(token, profile);
    }

    /// Signs in where someone may have been signed in before (this tab's session): a session
    /// still there is ended for real (its token revoked, as Sign out does), and what an earlier
    /// one left (its drafts and way back) goes unless it was the same organization's, so that
    /// none of it reaches someone else. A failed revoke changes nothing here: the tab forgets
    /// that token either way.
    pub async fn sign_in_over(&self, base_url: String, token: String, profile: Profile) {
        if let Some(old) = self.token_untracked().filter(|old| *old != token) {
            let _ = Api::new(base_url, Some(old)).signout().await;
            self.clear();
        } else if !left_by(&profile) {
            self.clear();
        }
        self.sign_in(token, Some(profile));
    }

    /// Signed in for this page load only: the token is never written to storage (embed mode,
    /// where the partner hands it over and a reload asks the partner again).
    pub fn sign_in_for_this_page(&self, token: String, profile: Option<Profile>) {
        if let Some(p) = &profile {
            remember_who(p);
        }
        self.profile.set(profile);
        self.flash.set(None);
        self.token.set(Some(token));
    }

    /// Signing out: forgets the token, every draft and the way back (a shared computer must not
    /// keep a half-filled form).
    pub fn clear(&self) {
        storage::session_remove(SESSION_KEY);
        storage::session_remove(RETURN_KEY);
        storage::session_remove(WHO_KEY);
        // The next user starts in their own default account, not in the last one chosen here.
        match use_context::<current_account::CurrentAccount>() {
            Some(current) => current.forget(),
            None => storage::session_remove(current_account::CURRENT_KEY),
        }
        draft::clear_all();
        self.profile.set(None);
        self.token.set(None);
    }

    /// The session ended on its own (a 401: token expired or revoked): the token goes, the
    /// drafts stay, and the page the user was on is remembered so that signing in again brings
    /// them back to it with what they typed. Secrets were never in a draft.
    pub fn expire(&self) {
        // Ended already (a second 401 on its way): the way back is the first one's.
        if self.token.with_untracked(Option::is_none) {
            return;
        }
        if let Some(path) = current_path().as_deref().and_then(safe_return_path) {
            let back = ReturnTo {
                path: path.to_owned(),
                who: storage::session_get(WHO_KEY),
            };
            if let Ok(json) = serde_json::to_string(&back) {
                storage::session_set(RETURN_KEY, &json);
            }
        }
        storage::session_remove(SESSION_KEY);
        self.profile.set(None);
        self.token.set(None);
    }

    /// After signing in: the page to go back to, if the session had expired there and the same
    /// organization's account signed in again. Someone else, or someone the tab cannot tell
    /// apart, gets neither the page nor the previous session's drafts. Read once.
    pub fn take_return(&self, profile: &Profile) -> Option<String> {
        let saved = storage::session_get(RETURN_KEY)?;
        storage::session_remove(RETURN_KEY);
        let back: ReturnTo = serde_json::from_str(&saved).ok()?;
        if back.who.is_none() || back.who != who_of(profile) {
            draft::clear_all();
            return None;
        }
        safe_return_path(&back.path).map(str::to_owned)
    }

    /// The profile as `/auth/me` told it.
    pub fn set_profile(&self, profile: Profile) {
        remember_who(&profile);
        self.profile.set(Some(profile));
    }
}

/// Whose this tab's session is (sessionStorage `onramp.who`: the organization's default account
/// ID, not a secret; see [`who_of`]). Unlike the profile it outlives a reload, so a session that
/// expired before its profile loaded again is still recognised.
const WHO_KEY: &str = "onramp.who";

/// The organization's default account; against Spot's API, which does not say it, the
/// organization's name.
fn who_of(profile: &Profile) -> Option<String> {
    match &profile.default_account_id {
        Some(a) => Some(a.as_str().to_owned()),
        None => (!profile.organization.is_empty()).then(|| format!("org:{}", profile.organization)),
    }
}

fn remember_who(profile: &Profile) {
    if let Some(who) = who_of(profile) {
        storage::session_set(WHO_KEY, &who);
    }
}

/// Whether what an earlier session left in this tab is `profile`'s organization's (known, and
/// the same).
fn left_by(profile: &Profile) -> bool {
    storage::session_get(WHO_KEY).is_some_and(|who| Some(who) == who_of(profile))
}

/// Where the user was when their session expired (sessionStorage `onramp.return_to`).
pub const RETURN_KEY: &str = "onramp.return_to";

#[derive(serde::Serialize, serde::Deserialize)]
struct ReturnTo {
    /// Path and query of this app, checked by `safe_return_path` when written and when read.
    path: String,
    /// The default account of the expired session (an ID, not a secret), to recognise the user.
    who: Option<String>,
}

fn current_path() -> Option<String> {
    let location = web_sys::window()?.location();
    Some(location.pathname().ok()? + &location.search().ok()?)
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
