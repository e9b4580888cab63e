//! Split points: screens loaded on first use from their own wasm chunk.
//!
//! [`split_view!`] declares an `async fn` that returns a screen's view. Built with the `split`
//! feature (the release build), its body lives in a chunk that is fetched the first time the
//! function runs; the split tool (`scripts/lib.sh`, `split_bundle`) cuts the module at these
//! functions. Without the feature it is an ordinary function: `trunk serve` and the browser tests
//! keep one module. Either way a caller sees the same signature, and a chunk that fails to load
//! is an `Err` (never a panic), so the screen can offer **Try again**: a failed load is not
//! remembered, the next call fetches again.

use leptos::prelude::{AnyView, IntoAny, IntoView, untrack};
use std::future::Future;

pub use wasm_split_helpers::SplitLoaderError as ChunkError;

/// `split_view!(chunk, fn name(args) { view })`, or with `preload name,` before `fn` to also
/// declare `async fn name() -> Result<(), ChunkError>`, which fetches the chunk without showing
/// anything (see [`prefetch`]). Functions that name the same chunk share it.
#[macro_export]
macro_rules! split_view {
    ($chunk:ident, $(preload $preload:ident,)? fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        #[cfg(feature = "split")]
        #[::wasm_split_helpers::wasm_split($chunk, fallible $(, preload(#[allow(dead_code)] $preload))?)]
        fn $name($($arg: $ty),*) -> $crate::platform::lazy::Screen {
            $crate::platform::lazy::screen(|| $body)
        }

        #[cfg(not(feature = "split"))]
        async fn $name($($arg: $ty),*) -> $crate::platform::lazy::Screen {
            $crate::platform::lazy::screen(|| $body)
        }

        $(
            #[cfg(not(feature = "split"))]
            #[allow(dead_code)]
            async fn $preload() -> ::core::result::Result<(), $crate::platform::lazy::ChunkError> {
                ::core::result::Result::Ok(())
            }
        )?
    };
}

/// What a split point gives: the screen, or why its chunk did not load.
pub type Screen = Result<AnyView, ChunkError>;

/// Builds a screen untracked: the signals it reads are its own business, and must not rebuild
/// it from the outside (the loader's `Suspense` would otherwise track them).
pub fn screen<V: IntoView + 'static>(build: impl FnOnce() -> V) -> Screen {
    Ok(untrack(build).into_any())
}

/// A chunk fetch that shows nothing: a `preload` function of [`split_view!`], not yet started.
pub type Preload = std::pin::Pin<Box<dyn Future<Output = Result<(), ChunkError>>>>;

/// Fetches chunks the user is likely to need next, one after another, once the current screen
/// has settled, so that the next step does not wait for the network. `pack` names the release
/// build's prefetch pack for them (all they need beyond the current screen, in one file; see
/// `scripts/lib.sh`): asked for first, it serves the chunks the loads below would otherwise fetch
/// one by one. It stops at the first failure (a failed pack is not one: the loader then fetches
/// what it held alone) and never starts while the browser is offline: the
/// screen that needs a chunk fetches it again and says so if it still cannot, and a prefetch must
/// not fill the console with errors of its own.
pub fn prefetch(pack: &'static str, chunks: Vec<Preload>) {
    // After the first screen is interactive (the user menu, waiting for the same moment, asks
    // for its code first: the prefetch packs count it as there), and after the current screen's
    // own requests.
    crate::state::when_interactive(move || leptos::task::spawn_local(fetch_after(pack, chunks)));
}

async fn fetch_after(pack: &'static str, chunks: Vec<Preload>) {
    crate::platform::clock::sleep(300).await;
    if !online() {
        return;
    }
    fetch_pack(pack);
    for chunk in chunks {
        if !online() || chunk.await.is_err() {
            return;
        }
    }
}

/// Starts fetching the pack `name`: a screen's (its chunk and the shared code it needs, in one
/// file; called as the app starts, before its config loads and anything is drawn, so the first
/// screen finds its code on the way) or a prefetch pack (see [`prefetch`]). Only the release
/// build has packs (their loader, written by `scripts/pack_chunks.py`, defines the hook);
/// elsewhere this does nothing.
pub fn fetch_pack(name: &str) {
    use wasm_bindgen::JsCast;
    let hook = js_sys::Reflect::get(&js_sys::global(), &"__onrampFetchPack".into());
    if let Ok(fetch) = hook.and_then(|h| h.dyn_into::<js_sys::Function>()) {
        let _ = fetch.call1(&wasm_bindgen::JsValue::NULL, &name.into());
    }
}

/// What the browser believes of its connection (`navigator.onLine`); true where unknown.
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}
