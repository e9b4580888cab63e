//! Design system. Components know nothing of the API: they take signals and callbacks.

mod banner;
mod button;
mod field;
mod menu;
mod password_checklist;

pub use banner::{Banner, Notice, StatusMessage};
pub use button::Button;
pub use field::{Field, rule};
pub use menu::{MenuButton, MenuItem};
pub use password_checklist::PasswordChecklist;

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
