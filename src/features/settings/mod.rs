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

use crate::components::Link;
use leptos::prelude::*;

/// The two settings screens, as links; `Link` marks the current one `aria-current="page"`.
#[component]
fn SettingsNav() -> impl IntoView {
    view! {
        <nav class="settings-nav" aria-label="Settings">
            <Link href="/settings/members">"Members"</Link>
            <Link href="/settings/security">"Security"</Link>
        </nav>
    }
}
