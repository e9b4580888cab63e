//! Split points: screens loaded on first use from their own wasm chunk.
//!
//! [`split_view!`] declares an `async fn` that returns a screen's view. Built with the `split`
//! feature (the release build), its body lives in a chunk that is fetched the first time the
//! function runs; the split tool (`scripts/lib.sh`, `split_bundle`) cuts the module at these
//! functions. Without the feature it is an ordinary function: `trunk serve` and the browser tests
//! keep one module. Either way a caller sees the same signature, and a chunk that fails to load
//! is an `Err` (never a panic), so the screen can offer **Try again**: a failed load is not
//! remembered, the next call fetches again.

pub use wasm_split_helpers::SplitLoaderError as ChunkError;

/// `split_view!(chunk_name, fn name() { view })` — see the module's documentation. Functions
/// that name the same chunk share it.
#[macro_export]
macro_rules! split_view {
    ($chunk:ident, $(#[$meta:meta])* $vis:vis fn $name:ident() $body:block) => {
        #[cfg(feature = "split")]
        $(#[$meta])*
        #[::wasm_split_helpers::wasm_split($chunk, fallible)]
        $vis fn $name() -> ::core::result::Result<
            ::leptos::prelude::AnyView,
            $crate::platform::lazy::ChunkError,
        > {
            let screen = $body;
            ::core::result::Result::Ok(::leptos::prelude::IntoAny::into_any(screen))
        }

        #[cfg(not(feature = "split"))]
        $(#[$meta])*
        $vis async fn $name() -> ::core::result::Result<
            ::leptos::prelude::AnyView,
            $crate::platform::lazy::ChunkError,
        > {
            let screen = $body;
            ::core::result::Result::Ok(::leptos::prelude::IntoAny::into_any(screen))
        }
    };
}
