//! The account the user works in, chosen in the user menu.

use crate::platform::storage;
use leptos::prelude::*;
use onramp_core::ids::AccountId;

/// The `?accountId=` a page was opened with (e.g. from **Add account**), if well-formed.
pub fn account_from_query() -> Option<AccountId> {
    untrack(|| crate::platform::history::query_param("accountId"))
        .and_then(|s| AccountId::parse(&s))
}

/// sessionStorage key: the choice survives a reload of the tab, and goes with the session.
pub(crate) const CURRENT_KEY: &str = "onramp.currentAccount";

/// The account chosen in the user menu. `None`: the organization's default account.
#[derive(Debug, Clone, Copy)]
pub struct CurrentAccount(pub RwSignal<Option<AccountId>>);

impl CurrentAccount {
    pub fn restore() -> Self {
        Self(RwSignal::new(
            storage::session_get(CURRENT_KEY).and_then(|s| AccountId::parse(&s)),
        ))
    }

    pub fn set(&self, id: AccountId) {
        storage::session_set(CURRENT_KEY, id.as_str());
        self.0.set(Some(id));
    }

    /// Back to the default account (the chosen one was deleted, or the session ended).
    pub fn forget(&self) {
        storage::session_remove(CURRENT_KEY);
        self.0.try_set(None);
    }
}
