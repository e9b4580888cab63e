//! Embed mode: whether the console runs inside a partner portal's frame, and the one way to
//! tell the partner something. The layer (`features::embed`) enters the mode; the wizards call
//! [`account_connected`] on success. Every message goes to the checked parent origin, never `*`.

use crate::state::Session;
use leptos::prelude::*;
use onramp_core::dto::CloudProvider;
use onramp_core::embed::{ChildMessage, ErrorCode, child_message_json};
use onramp_core::ids::AccountId;
use std::cell::{Cell, RefCell};

/// What the embedded console is doing.
#[cfg_attr(feature = "auth-bundle", allow(dead_code))] // the sign-in bundle has no embed mode
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Waiting for the parent's `init`.
    Waiting,
    /// `init` accepted by core; the token is being checked with the API.
    Starting,
    /// The flow is on screen.
    Ready,
    /// Waiting again, with a message (refused `init`, refused token, network).
    Problem(String),
}

/// Embed-mode state shared by the layer, the routes and the wizard's hook.
#[derive(Clone, Copy)]
pub(crate) struct Embed {
    pub(crate) phase: RwSignal<Phase>,
    pub(crate) partner: RwSignal<Option<String>>,
    pub(crate) connected: RwSignal<Option<(AccountId, CloudProvider)>>,
    pub(crate) session: Session,
    /// The layer's code (the `embed` chunk) is there and the layer drawn.
    pub(crate) layer_drawn: RwSignal<bool>,
}

thread_local! {
    /// The checked parent origin while in embed mode.
    static PARENT: RefCell<Option<String>> = const { RefCell::new(None) };
    static STATE: Cell<Option<Embed>> = const { Cell::new(None) };
}

pub(crate) fn state() -> Option<Embed> {
    STATE.with(Cell::get)
}

/// True while the console runs embedded in a partner page.
pub fn is_embedded() -> bool {
    PARENT.with(|p| p.borrow().is_some())
}

/// The wizard's success path (`on_connected`): in embed mode posts `account-connected` with the
/// account the flow connected and shows the finish screen, and answers true (the caller then
/// stays out of the standalone app's dashboard); outside embed mode does nothing and answers
/// false.
pub fn account_connected(provider: Option<CloudProvider>) -> bool {
    let Some(s) = state() else { return false };
    let account = s
        .session
        .profile
        .with_untracked(|p| p.as_ref().and_then(|p| p.default_account_id.clone()));
    match (account, provider) {
        (Some(account_id), Some(provider)) => {
            post(&ChildMessage::AccountConnected {
                account_id: account_id.clone(),
                provider,
            });
            s.connected.set(Some((account_id, provider)));
        }
        _ => post(&ChildMessage::error(ErrorCode::Internal)),
    }
    true
}

/// Whether the embed screens may draw: outside embed mode at once, in it once the layer is
/// drawn.
pub fn layer_up() -> bool {
    state().is_none_or(|s| s.layer_drawn.get())
}

/// Posts `msg` to the parent, to the checked parent origin only.
pub(crate) fn post(msg: &ChildMessage) {
    let Some(origin) = PARENT.with(|p| p.borrow().clone()) else {
        return;
    };
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    if let Ok(value) = js_sys::JSON::parse(&child_message_json(msg)) {
        let _ = parent.post_message(&value, &origin);
    }
}

/// Enters embed mode for the checked parent `origin` (once per page load): the page stays in it
/// for its whole life.
#[cfg_attr(feature = "auth-bundle", allow(dead_code))]
pub(crate) fn enter(origin: String, session: Session) -> Embed {
    PARENT.with(|p| *p.borrow_mut() = Some(origin));
    let s = Embed {
        phase: RwSignal::new(Phase::Waiting),
        partner: RwSignal::new(None),
        connected: RwSignal::new(None),
        session,
        layer_drawn: RwSignal::new(false),
    };
    STATE.with(|c| c.set(Some(s)));
    s
}
