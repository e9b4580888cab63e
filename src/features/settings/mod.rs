//! Settings: **Members** (`/settings/members`: the organization's people, their roles, removing
//! them) and **Security** (`/settings/security`: API tokens, changing the password, signing out
//! everywhere). Each screen is a split point of its own (declared in `app/console.rs`).
//! What these screens decide and say lives in `onramp_core::settings_view` and core's rules.

mod confirm;
pub mod members;
mod password;
pub mod security;
pub mod tokens;

pub use members::Members;
pub use security::Security;

use leptos::prelude::*;
use leptos_router::components::A;

/// The two settings screens, as links; the router marks the current one `aria-current="page"`.
#[component]
fn SettingsNav() -> impl IntoView {
    view! {
        <nav class="settings-nav" aria-label="Settings">
            <A href="/settings/members">"Members"</A>
            <A href="/settings/security">"Security"</A>
        </nav>
    }
}
