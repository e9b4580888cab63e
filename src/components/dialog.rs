//! A modal dialog on the native `<dialog>` element: `showModal()` makes the rest of the page
//! inert, traps Tab, closes on Escape and returns focus to what opened it. The title names
//! the dialog (`aria-labelledby`).

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// Calls a method without arguments by name (`showModal`, `close`): web-sys's dialog type
/// is not among the enabled features, and this keeps the bundle small.
fn call(el: &web_sys::HtmlElement, method: &str) {
    if let Ok(f) = js_sys::Reflect::get(el, &JsValue::from_str(method))
        && let Some(f) = f.dyn_ref::<js_sys::Function>()
    {
        let _ = f.call0(el);
    }
}

/// `showModal` refuses a detached element, and a dialog drawn already open (its code came when
/// it was asked for) may not be in the document yet: it is tried again on the next frames, and
/// given up (closed, so that the next press asks again) if it never arrives.
fn show_when_connected(el: web_sys::HtmlElement, open: RwSignal<bool>, frames: u32) {
    if el.is_connected() {
        call(&el, "showModal");
    } else if frames == 0 {
        open.try_set(false);
    } else {
        request_animation_frame(move || {
            if open.try_get_untracked() == Some(true) && !el.has_attribute("open") {
                show_when_connected(el, open, frames - 1);
            }
        });
    }
}

/// Whether a dialog about one row of a list (`target`) is still open for the row `is_it`
/// picks. It may have been closed, or opened for another row, while a request about that row
/// was on its way: then the answer is not the dialog's to show (closing it, or putting an
/// error in it, would act on another row's form), and the page says it instead.
pub fn still_showing<T: Send + Sync + 'static>(
    open: RwSignal<bool>,
    target: RwSignal<Option<T>>,
    is_it: impl Fn(&T) -> bool,
) -> bool {
    open.try_get_untracked() == Some(true)
        && target.try_with_untracked(|t| t.as_ref().is_some_and(&is_it)) == Some(true)
}

/// The ids to try, in order, for [`Modal`]'s way back from `opener`.
fn way_back_from(opener: Option<web_sys::Element>) -> Vec<String> {
    let Some(opener) = opener else {
        return Vec::new();
    };
    let heading = opener
        .closest("section[aria-labelledby]")
        .ok()
        .flatten()
        .and_then(|s| s.get_attribute("aria-labelledby"));
    [Some(opener.id()), heading]
        .into_iter()
        .flatten()
        .filter(|id| !id.is_empty())
        .collect()
}

#[component]
pub fn Modal(
    /// The dialog's id; the title's is `{id}-title`.
    id: &'static str,
    #[prop(into)] title: Signal<String>,
    /// Open state; Escape (the browser's `close` event) sets it back to false.
    open: RwSignal<bool>,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<html::Dialog>::new();
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    // Where focus goes back to if what opened the dialog is gone when it closes (its row was
    // removed or drawn again meanwhile): an element with the opener's id, else the heading of
    // the section it was in. The browser would leave it on the body.
    let way_back = StoredValue::new(Vec::<String>::new());
    Effect::new(move |_| {
        let want = open.get();
        let Some(el) = node.get() else { return };
        let el: web_sys::HtmlElement = el.unchecked_into();
        let shown = el.has_attribute("open");
        if want && !shown {
            way_back.set_value(way_back_from(super::focused()));
            show_when_connected(el, open, 10);
        } else if !want && shown {
            call(&el, "close");
        }
    });
    view! {
        <dialog
            id=id
            class="modal"
            node_ref=node
            aria-labelledby=labelled_by
            on:close=move |_| {
                open.try_set(false);
                let ids = way_back.try_get_value().unwrap_or_default();
                request_animation_frame(move || {
                    for id in ids.iter().filter(|_| super::focused().is_none()) {
                        super::focus_id(id);
                    }
                });
            }
        >
            <h2 id=title_id class="modal-title">{move || title.get()}</h2>
            {children()}
        </dialog>
    }
}
