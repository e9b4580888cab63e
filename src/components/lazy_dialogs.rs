//! Dialogs whose code arrives in a chunk of their own, fetched the first time one of them opens:
//! a visitor who never opens one never downloads it (the dashboard's four dialogs were a quarter
//! of its code).

use crate::components::LazyView;
use leptos::prelude::*;
use std::future::Future;

/// Draws what `load` (a `split_view!` function) returns, the dialogs behind the `opens` signals,
/// once one of those signals is first set. Their code comes with the prefetch pack `pack` (the
/// release build's, declared in `scripts/lib.sh`: one request instead of one per chunk). If it
/// cannot be fetched the dialogs close, a message says so where they would be, and **Try again**
/// fetches it again and opens what was asked for.
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
    let wanted = Memo::new(move |_| opens.with_value(|o| o.iter().any(|o| o.get())));
    let started = RwSignal::new(false);
    Effect::new(move |_| {
        if wanted.get() && !started.get_untracked() {
            crate::platform::lazy::fetch_pack(pack);
            started.set(true);
        }
    });
    // The dialogs asked for while the code was missing, opened once it is there.
    let asked = StoredValue::new(Vec::<RwSignal<bool>>::new());
    let load = move || async move {
        let got = load().await;
        match &got {
            Ok(_) => {
                for open in asked.try_update_value(std::mem::take).unwrap_or_default() {
                    open.set(true);
                }
            }
            Err(_) => {
                let all = opens.get_value();
                let open: Vec<_> = all.iter().copied().filter(|o| o.get_untracked()).collect();
                if !open.is_empty() {
                    asked.set_value(open);
                }
                for o in all {
                    o.set(false);
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

fn dialog_failed(attempt: RwSignal<u32>) -> AnyView {
    // After a failed Try again the button that had focus is gone: it goes to the new one.
    request_animation_frame(|| {
        let body_has_focus = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .is_none_or(|a| a.tag_name() == "BODY");
        if body_has_focus {
            crate::components::focus_id("dialog-retry");
        }
    });
    view! {
        <div class="banner banner-error dialog-failed" role="alert">
            <p class="banner-text">"This dialog didn't load. Check your connection, then try again."</p>
            <button type="button" id="dialog-retry" class="btn btn-secondary" on:click=move |_| attempt.update(|n| *n += 1)>
                "Try again"
            </button>
        </div>
    }
    .into_any()
}
