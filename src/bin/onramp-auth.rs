//! The sign-in bundle: sign-up, sign-in and joining by invitation (see `app::AuthApp`).

#[cfg(target_arch = "wasm32")]
fn main() {
    onramp::start_auth();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
