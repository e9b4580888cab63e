//! App state: session, runtime config, drafts, theme. No view code.

pub mod config;
pub mod connected;
pub mod current_account;
pub mod draft;
pub mod embed;
pub mod session;
pub mod theme;

pub use config::Config;
pub use current_account::CurrentAccount;
pub use session::{Profile, Session, expire_session};

use crate::api::Api;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};

/// Returns a builder of API clients for the current config and session token; call it at
/// component set-up (contexts are not reachable after an `.await`). A 401 to any of their
/// requests ends the session here, once: drafts stay, the page is remembered, sign-in says why.
pub fn use_api() -> impl Fn() -> Api + Clone + 'static {
    let config = expect_context::<Config>();
    let session = expect_context::<Session>();
    move || {
        Api::new(config.api_base_url.clone(), session.token_untracked())
            .with_on_unauthorized(move || expire_session(session))
    }
}

/// Counts changes (edits, chosen files, routes handled) so that an answer can tell whether it
/// is still about what is on screen: take a `ticket()` as the request goes, and act on the
/// answer only if `is_current(ticket)`.
#[derive(Clone, Copy)]
pub struct Changes(StoredValue<u32>);

impl Changes {
    pub fn new() -> Self {
        Self(StoredValue::new(0))
    }

    pub fn bump(self) {
        self.0.update_value(|n| *n = n.wrapping_add(1));
    }

    pub fn ticket(self) -> u32 {
        self.0.get_value()
    }

    /// False once anything changed since `ticket` was taken, or once its page is gone.
    pub fn is_current(self, ticket: u32) -> bool {
        self.0.try_get_value() == Some(ticket)
    }

    /// True once anything changed since `ticket` was taken (false once its page is gone).
    pub fn changed_since(self, ticket: u32) -> bool {
        self.0.try_get_value().is_some_and(|n| n != ticket)
    }
}

impl Default for Changes {
    fn default() -> Self {
        Self::new()
    }
}

/// The loads of one list that a page also changes itself (a rename, a revoke, a removal).
/// Loads can overlap (closing a dialog asks for one, a late answer another): only the answer of
/// the last one started is shown, and a load that was on its way while the page changed the
/// list is done again, since its answer may predate the change and bring back what was removed.
#[derive(Clone, Copy, Default)]
pub struct Loads {
    started: Changes,
    edits: Changes,
}

impl Loads {
    pub fn new() -> Self {
        Self::default()
    }

    /// Says that the page changed the list itself (the server has the change already).
    pub fn edited(self) {
        self.edits.bump();
    }

    /// Runs `fetch` until its answer is no older than the page's own changes. `None` when a
    /// later load was started meanwhile, or the page is gone: that answer is not to be shown.
    pub async fn latest<T, E, Fut>(self, mut fetch: impl FnMut() -> Fut) -> Option<Result<T, E>>
    where
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        self.started.bump();
        let this_load = self.started.ticket();
        let answer = loop {
            let edited = self.edits.ticket();
            let answer = fetch().await;
            if answer.is_err() || !self.edits.changed_since(edited) {
                break answer;
            }
        };
        self.started.is_current(this_load).then_some(answer)
    }
}

thread_local! {
    static INTERACTIVE: Cell<bool> = const { Cell::new(false) };
    static WHEN_INTERACTIVE: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
}

/// `performance.mark("onramp:interactive")`, once per page load, when the first screen shows
/// its data (the bench reads it); then runs what waited for it ([`when_interactive`]).
pub fn mark_interactive() {
    if INTERACTIVE.with(|m| m.replace(true)) {
        return;
    }
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.mark("onramp:interactive");
    }
    for run in WHEN_INTERACTIVE.with(|w| w.take()) {
        run();
    }
}

/// Whether the first screen of this page load has been interactive.
pub fn is_interactive() -> bool {
    INTERACTIVE.with(Cell::get)
}

/// Runs `run` once the first screen is interactive (at once if it already is): for code the
/// screen does not need to show, so that it does not compete with the screen's own.
pub fn when_interactive(run: impl FnOnce() + 'static) {
    if is_interactive() {
        run();
    } else {
        WHEN_INTERACTIVE.with(|w| w.borrow_mut().push(Box::new(run)));
    }
}
