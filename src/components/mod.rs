//! Design system. Components make no API calls and know no feature: they take signals and
//! callbacks.

mod banner;
mod button;
mod chooser;
mod code_block;
mod copy_button;
mod dialog;
mod disclosure;
mod error_summary;
mod external_link;
mod field;
mod file_drop;
mod lazy_dialogs;
mod lazy_view;
mod link;
mod menu;
mod not_found;
mod offline_banner;
mod password_checklist;
mod provider_picker;
mod secret_input;
mod status_table;
mod stepper;

pub use banner::{Banner, Notice, StatusMessage, notice};
pub use button::{Button, InFlight, RetryButton, run_busy};
pub use chooser::{BulkLabel, ChoiceCell, ChoiceRow, Chooser};
pub use code_block::{CodeBlock, download_text};
pub use copy_button::CopyButton;
pub use dialog::{Modal, still_showing};
pub use disclosure::Disclosure;
pub use error_summary::{
    ErrorSummary, FieldCheck, FocusTo, FormErrors, Problem, focus_to, problems,
};
pub use external_link::ExternalLink;
pub use field::{Field, rule};
pub use file_drop::FileDrop;
pub use lazy_dialogs::LazyDialogs;
pub use lazy_view::{LazyView, failed_in_place};
pub use link::Link;
pub use menu::{
    MenuButton, MenuButtonStandIn, MenuEntry, MenuGroup, MenuItem, MenuSearch, MenuStart,
};
pub use not_found::NotFound;
pub use offline_banner::OfflineBanner;
pub use password_checklist::PasswordChecklist;
pub use provider_picker::{
    ChangeProviderButton, PROVIDERS, ProviderPicker, provider_logo, provider_name, provider_slug,
};
pub use secret_input::{SecretExpiryField, SecretInput, secret_expiry_rule, secret_id_warning};
pub use status_table::{StatusRow, StatusSearch, StatusTable};
pub use stepper::{Step, Stepper};

/// Sets the document title for the current screen ("Sign in · Onramp").
pub fn set_title(page: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(&format!("{page} · Onramp"));
    }
}

/// Moves keyboard focus to the element with this id, if it exists.
pub fn focus_id(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// The element that has keyboard focus; `None` when nothing does (the document's body). An
/// element in a dialog that has just closed counts as none: the browser moves focus off it only
/// at its next style update.
pub fn focused() -> Option<web_sys::Element> {
    let el = web_sys::window()?.document()?.active_element()?;
    let in_closed_dialog = el.closest("dialog:not([open])").ok().flatten().is_some();
    (el.tag_name() != "BODY" && !in_closed_dialog).then_some(el)
}

/// Once the page is drawn again, if focus fell to the body (the focused element went away),
/// it goes to the element `id` (a list's heading, say), so a keyboard user keeps their place.
pub fn focus_if_lost(id: &'static str) {
    leptos::prelude::request_animation_frame(move || {
        if focused().is_none() {
            focus_id(id);
        }
    });
}

/// After a press on a button that the press itself takes away (**Try again**, **Cancel**, …):
/// once the new content is drawn, if focus fell to the body, it goes to the first button or link
/// inside the element `id`, so a keyboard user keeps their place.
pub fn keep_focus_in(id: &'static str) {
    leptos::prelude::request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if focused().is_some() {
            return;
        }
        let first = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|c| {
                c.query_selector("button:not([disabled]), a[href]")
                    .ok()
                    .flatten()
            })
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = first {
            let _ = el.focus();
        }
    });
}

/// Each provider's connect panel, for the wizards that show one. The app provides it (as a
/// context): the wizards (first run, add account) then depend on no provider feature, and each
/// provider's panel stays a separate piece that could be loaded on its own.
#[derive(Clone, Copy)]
pub struct ConnectPanels {
    /// Draws one provider's panel, editing a wizard's Connect-step draft and writing the
    /// credentials through its store.
    pub view: fn(
        onramp_core::dto::CloudProvider,
        crate::state::draft::ConnectStore,
    ) -> leptos::prelude::AnyView,
    /// Fetches, in the background, the code of a provider's panel and of the dashboard that
    /// follows it in the first-run wizard, once the user has picked that provider.
    pub prefetch_first_run: fn(onramp_core::dto::CloudProvider),
}
