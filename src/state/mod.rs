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
use std::cell::Cell;

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

thread_local! {
    static INTERACTIVE: Cell<bool> = const { Cell::new(false) };
}

/// `performance.mark("onramp:interactive")`, once per page load, when the first screen shows
/// its data (the bench reads it).
pub fn mark_interactive() {
    if INTERACTIVE.with(|m| m.replace(true)) {
        return;
    }
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.mark("onramp:interactive");
    }
}
