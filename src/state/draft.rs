//! Drafts: what a form has been given so far, kept in sessionStorage so that a reload and
//! back/forward keep it. Never a secret (password, client secret, private key, token): the
//! draft types have no field for one.

use crate::platform::storage;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

pub const DRAFT_PREFIX: &str = "onramp.draft.";
pub const SIGNUP_DRAFT_KEY: &str = "onramp.draft.signup";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignupDraft {
    pub full_name: String,
    pub company: String,
    pub email: String,
    pub country: String,
    /// Messages the server gave for screen-1 fields (e.g. email already registered), keyed by
    /// the plain field name (`email`), so screen 1 shows them after the way back.
    pub field_errors: Vec<(String, String)>,
}

impl SignupDraft {
    pub fn load() -> Option<Self> {
        serde_json::from_str(&storage::session_get(SIGNUP_DRAFT_KEY)?).ok()
    }

    pub fn save(&self) {
        if let Ok(json) = serde_json::to_string(self) {
            storage::session_set(SIGNUP_DRAFT_KEY, &json);
        }
    }

    pub fn field_error(&self, name: &str) -> Option<String> {
        self.field_errors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m.clone())
    }

    pub fn clear() {
        storage::session_remove(SIGNUP_DRAFT_KEY);
    }

    /// True when every screen-1 answer passes core's rules.
    pub fn is_complete(&self) -> bool {
        use onramp_core::validate as v;
        v::full_name(&self.full_name).is_ok()
            && v::organization_name(&self.company).is_ok()
            && v::email(&self.email).is_ok()
            && v::country(&self.country).is_ok()
            && self.field_errors.is_empty()
    }
}

/// The draft kept under `key`; `None` when there is none or it no longer reads (an older shape).
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_str(&storage::session_get(key)?).ok()
}

pub fn save<T: Serialize>(key: &str, draft: &T) {
    if let Ok(json) = serde_json::to_string(draft) {
        storage::session_set(key, &json);
    }
}

pub fn remove(key: &str) {
    storage::session_remove(key);
}

pub fn clear_all() {
    storage::session_remove_prefixed(DRAFT_PREFIX);
}

pub const FIRST_RUN_DRAFT_KEY: &str = "onramp.draft.firstrun";

/// The first-run wizard's draft (provider choice, AWS answers, the typed role ARN and the
/// external ID, which is shown on screen and is not a secret). Core's type has no field for a
/// secret, so nothing secret can end up here.
pub fn load_first_run() -> Option<onramp_core::onboarding::FirstRunDraft> {
    load(FIRST_RUN_DRAFT_KEY)
}

pub fn save_first_run(draft: &onramp_core::onboarding::FirstRunDraft) {
    save(FIRST_RUN_DRAFT_KEY, draft);
}
