//! Dialogs whose code arrives in a chunk of their own, fetched the first time one of them opens:
//! a visitor who never opens one never downloads it (the dashboard's four dialogs were a quarter
//! of its code).

use crate::components::LazyView;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::future::Future;

/// Draws what `load` (a `split_view!` function) returns, the dialogs behind the `opens` signals,
/// once one of those signals is first set. Their code comes with the prefetch pack `pack` (the
/// release build's, declared in `scripts/lib.sh`: one request instead of one per chunk). Until
/// it is there only the latest request stands (no modal covers the page meanwhile, so another
/// button can be pressed). If it cannot be fetched the dialogs close, a message says so where
/// they would be, and **Try again** fetches it and opens the dialog last asked for, from the
/// button that asked (where focus returns when it closes).
#[component]
pub fn LazyDialogs<F, Fut, E>(
    /// The `open` signals of the dialogs `load` draws.
    opens: Vec<RwSignal<bool>>,
    pack: &'static str,
    load: F,
) -> impl IntoView
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, E>> + 'static,
    E: 'static,
{
    let opens = StoredValue::new(opens);
    let started = RwSignal::new(false);
    let loaded = StoredValue::new(false);
    // The latest request while the code is missing, and the button it came from.
    let asked = StoredValue::new(None::<RwSignal<bool>>);
    let opener = StoredValue::new(None::<SendWrapper<web_sys::HtmlElement>>);
    Effect::new(move |before: Option<Vec<bool>>| {
        let now: Vec<bool> = opens.with_value(|o| o.iter().map(|s| s.get()).collect());
        if loaded.get_value() {
            return now;
        }
        let before = before.unwrap_or_else(|| vec![false; now.len()]);
        let Some(latest) = (0..now.len()).rev().find(|&i| now[i] && !before[i]) else {
            return now;
        };
        opens.with_value(|o| {
            for (i, s) in o.iter().enumerate() {
                if i != latest {
                    s.set(false);
                }
            }
            asked.set_value(Some(o[latest]));
        });
        opener.set_value(focused().map(SendWrapper::new));
        if !started.get_untracked() {
            crate::platform::lazy::fetch_pack(pack);
            started.set(true);
        }
        now
    });
    let load = move || async move {
        let got = load().await;
        match &got {
            Ok(_) => {
                loaded.try_set_value(true);
                if let Some(open) = asked.try_update_value(Option::take).flatten() {
                    // Focus back where the request came from (a Try again pressed meanwhile is
                    // gone): the dialog returns focus there when it closes.
                    if let Some(el) = opener.try_get_value().flatten() {
                        let _ = el.focus();
                    }
                    open.try_set(true);
                }
            }
            Err(_) => {
                if let Some(all) = opens.try_get_value() {
                    for o in all {
                        o.try_set(false);
                    }
                }
            }
        }
        got
    };
    view! {
        <Show when=move || started.get()>
            <LazyView load=load failed=dialog_failed/>
        </Show>
    }
}

/// The focused element (see [`super::focused`]), as an HTML element that can take focus back.
fn focused() -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    super::focused()?.dyn_into().ok()
}

fn dialog_failed(attempt: RwSignal<u32>) -> AnyView {
    super::lazy_view::failed_in_place(
        attempt,
        "This dialog didn't load. Check your connection, then try again.",
    )
}
