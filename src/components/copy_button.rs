//! Copy to clipboard with the async Clipboard API. Success shows "Copied" for about two seconds
//! in a polite live region next to the button. Where the clipboard is missing (insecure context,
//! old browser) or refuses (permission), the value appears in a read-only box, selected and
//! focused, with "Press Ctrl+C to copy" — the user is never left with nothing.
//!
//! The button's visible text stays "Copy" and its accessible name is "Copy <what>", so the
//! name contains the visible label (WCAG 2.5.3) and does not change under the user.

use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How long "Copied" stays on screen.
const COPIED_FOR: Duration = Duration::from_millis(2000);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyState {
    Idle,
    Copied,
    /// The clipboard is unavailable: the value is selected in the read-only box.
    Manual,
}

/// Writes `text` with `navigator.clipboard.writeText`; `false` when the API is missing, throws
/// or its promise rejects.
async fn write_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) else {
        return false;
    };
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    let Some(write) = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return false;
    };
    let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text)) else {
        return false;
    };
    let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else {
        return false;
    };
    JsFuture::from(promise).await.is_ok()
}

/// The key to press, in words, for this platform.
fn copy_shortcut() -> &'static str {
    let apple = web_sys::window()
        .and_then(|w| w.navigator().platform().ok())
        .is_some_and(|p| p.starts_with("Mac") || p.starts_with("iP"));
    if apple { "Command+C" } else { "Ctrl+C" }
}

#[component]
pub fn CopyButton(
    /// Base id: the fallback box is `{id}-text`, the status line `{id}-status`.
    #[prop(into)]
    id: String,
    /// The text to copy.
    #[prop(into)]
    value: Signal<String>,
    /// What is copied, for the accessible name "Copy <what>" (e.g. "external ID").
    what: &'static str,
) -> impl IntoView {
    let state = RwSignal::new(CopyState::Idle);
    // Each copy gets a number, so an older timer does not clear a newer "Copied".
    let generation = StoredValue::new(0u32);
    let text_id = format!("{id}-text");
    let status_id = format!("{id}-status");

    let select_fallback = {
        let text_id = text_id.clone();
        move || {
            // The box is un-hidden by the next render; select once it is there.
            let text_id = text_id.clone();
            request_animation_frame(move || {
                let el = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id(&text_id));
                if let Some(el) = el {
                    if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                        let _ = input.focus();
                        input.select();
                    } else if let Some(area) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                        let _ = area.focus();
                        area.select();
                    }
                }
            });
        }
    };

    let copy = move |_| {
        let text = value.get_untracked();
        let select_fallback = select_fallback.clone();
        leptos::task::spawn_local(async move {
            let copied = write_clipboard(&text).await;
            if copied {
                let mine = generation.try_update_value(|g| {
                    *g += 1;
                    *g
                });
                state.try_set(CopyState::Copied);
                set_timeout(
                    move || {
                        if generation.try_get_value() == mine {
                            state.try_update(|s| {
                                if *s == CopyState::Copied {
                                    *s = CopyState::Idle;
                                }
                            });
                        }
                    },
                    COPIED_FOR,
                );
            } else {
                state.try_set(CopyState::Manual);
                select_fallback();
            }
        });
    };

    let multiline = move || value.with(|v| v.contains('\n'));
    let manual = move || state.get() == CopyState::Manual;
    let fallback = {
        let text_id = text_id.clone();
        let status_id = status_id.clone();
        move || {
            let (text_id, status_id) = (text_id.clone(), status_id.clone());
            if multiline() {
                view! {
                    <textarea
                        id=text_id
                        class="copy-fallback"
                        readonly=true
                        rows="6"
                        aria-label=what
                        aria-describedby=status_id
                        prop:value=move || value.get()
                    ></textarea>
                }
                .into_any()
            } else {
                view! {
                    <input
                        id=text_id
                        class="copy-fallback"
                        type="text"
                        readonly=true
                        aria-label=what
                        aria-describedby=status_id
                        prop:value=move || value.get()
                    />
                }
                .into_any()
            }
        }
    };

    view! {
        <span class="copy">
            <button type="button" class="btn btn-secondary copy-button" on:click=copy>
                <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                    <rect x="5.5" y="5.5" width="8" height="9" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.5"/>
                    <path d="M3.5 10.5h-1V2.5a1 1 0 0 1 1-1h6v1" fill="none" stroke="currentColor" stroke-width="1.5"/>
                </svg>
                "Copy"
                <span class="sr-only">" " {what}</span>
            </button>
            <span role="status" id=status_id class="copy-status">
                {move || match state.get() {
                    CopyState::Idle => None,
                    CopyState::Copied => Some(view! {
                        <span class="copy-copied">
                            <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                                <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                            </svg>
                            "Copied"
                        </span>
                    }.into_any()),
                    CopyState::Manual => Some(view! {
                        <span class="copy-manual">
                            {format!("The clipboard is not available. Press {} to copy.", copy_shortcut())}
                        </span>
                    }.into_any()),
                }}
            </span>
            <Show when=manual>{fallback.clone()}</Show>
        </span>
    }
}
