//! Mounts the app; nothing else lives here.

#[cfg(all(target_arch = "wasm32", not(feature = "auth-bundle")))]
fn main() {
    onramp::start();
}

// The app only runs in the browser; the host build exists so `cargo test` covers the workspace
// (and the sign-in bundle's build has no console to start).
#[cfg(any(not(target_arch = "wasm32"), feature = "auth-bundle"))]
fn main() {}
