//! Onramp, the cloud-account onboarding console (Leptos CSR).
//!
//! Direction of dependence: app → features → components → state/api/platform → core; a
//! feature never imports another feature.

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod features;
#[cfg(target_arch = "wasm32")]
pub mod platform;
#[cfg(target_arch = "wasm32")]
pub mod state;

/// Loads the runtime config, then mounts the console; routes never render without it.
#[cfg(all(target_arch = "wasm32", not(feature = "auth-bundle")))]
pub fn start() {
    use leptos::prelude::IntoAny;
    boot(
        |config| leptos::view! { <app::App config/> }.into_any(),
        app::first_chunk,
    );
}

/// The sign-in bundle's entry (`src/bin/onramp-auth.rs`): the same start with [`app::AuthApp`].
#[cfg(target_arch = "wasm32")]
pub fn start_auth() {
    use leptos::prelude::IntoAny;
    boot(
        |config| leptos::view! { <app::AuthApp config/> }.into_any(),
        app::auth_first_chunk,
    );
}

#[cfg(target_arch = "wasm32")]
fn boot(app: fn(state::Config) -> leptos::prelude::AnyView, first_chunk: app::FirstChunk) {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
    app::fetch_first_chunk(first_chunk);
    state::theme::Theme::load().apply();
    // The reactive executor starts with the mount, so this first task uses wasm-bindgen's.
    wasm_bindgen_futures::spawn_local(async move {
        let config = state::Config::load().await;
        leptos::mount::mount_to_body(move || app(config));
    });
}
