//! A screen that arrives in its own chunk: nothing until it is there, and a clear message with
//! **Try again** when the chunk cannot be fetched (offline, a server error, a cut-off download),
//! while the rest of the console keeps working.

use crate::components::{Banner, Notice, RetryButton};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Renders what `load` returns (a function declared with `split_view!`, whose error is a
/// `ChunkError`; any error reads the same to the user).
#[component]
pub fn LazyView<F, Fut, E>(
    load: F,
    /// What shows when the chunk cannot be fetched, given the counter **Try again** bumps; a
    /// whole screen's message by default.
    #[prop(optional)]
    failed: Option<fn(RwSignal<u32>) -> AnyView>,
) -> impl IntoView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, E>> + 'static,
    E: 'static,
{
    // Only this boxing is compiled once per split point; the loading view below once in all
    // (it was a sizeable copy per screen in the main module).
    let load = move || {
        let loading = load();
        Box::pin(async move { loading.await.map_err(drop) }) as Loading
    };
    lazy_view(Arc::new(load), failed)
}

type Loading = Pin<Box<dyn Future<Output = Result<AnyView, ()>>>>;

fn lazy_view(
    load: Arc<dyn Fn() -> Loading + Send + Sync>,
    failed: Option<fn(RwSignal<u32>) -> AnyView>,
) -> AnyView {
    // Bumped by **Try again**; the view below tracks it and loads once more.
    let attempt = RwSignal::new(0u32);
    // The screen is built under this view's owner, not under the `Suspend` that awaits it: its
    // signals then live exactly as long as the effects that read them. Under the `Suspend`'s
    // owner they could go first when the route changed, and an effect run in between panicked
    // ("reactive value already disposed").
    let home = Owner::current().unwrap_or_default();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                attempt.track();
                // The load awaits browser promises (not `Send`); it stays on this thread anyway.
                let loading = SendWrapper::new(
                    home.with(|| leptos::reactive::computed::ScopedFuture::new_untracked(load())),
                );
                Suspend::new(async move {
                    match loading.await {
                        Ok(screen) => screen,
                        Err(_) => match failed {
                            Some(failed) => failed(attempt),
                            None => view! { <ChunkFailed attempt/> }.into_any(),
                        },
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// A part of a screen (a dialog, a group of panels) whose chunk did not load: the message in
/// place, with **Try again**, under the screen that still works around it.
pub fn failed_in_place(attempt: RwSignal<u32>, text: &'static str) -> AnyView {
    let retry = NodeRef::<leptos::html::Button>::new();
    // After a failed Try again the button that had focus is gone: it goes to the new one.
    request_animation_frame(move || {
        if super::focused().is_none()
            && let Some(b) = retry.get_untracked()
        {
            let _ = b.focus();
        }
    });
    view! {
        <div class="banner banner-error part-failed" role="alert">
            <p class="banner-text">{text}</p>
            <button type="button" class="btn btn-secondary" node_ref=retry on:click=move |_| attempt.update(|n| *n += 1)>
                "Try again"
            </button>
        </div>
    }
    .into_any()
}

#[component]
fn ChunkFailed(attempt: RwSignal<u32>) -> impl IntoView {
    crate::state::mark_interactive();
    let notice = Signal::stored(Some(Notice::new(
        "This part of Onramp didn't load. Check your connection, then try again.",
    )));
    view! {
        <section class="page page-narrow chunk-failed">
            <h1>"Something didn't load"</h1>
            <Banner notice/>
            // This section goes: focus waits on the page's main region, not on <body>.
            <RetryButton heading="main" variant="primary"
                on_retry=Callback::new(move |()| attempt.update(|n| *n += 1))>
                "Try again"
            </RetryButton>
        </section>
    }
}
