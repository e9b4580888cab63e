//! Mounts the app; nothing else lives here.

#[cfg(target_arch = "wasm32")]
fn main() {
    onramp::start();
}

// The app only runs in the browser; the host build exists so `cargo test` covers the workspace.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
