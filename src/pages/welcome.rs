//! `/welcome`: the first-run page. Until the onboarding wizard lands it shows the one step that
//! is done (the organization) and the accounts as they are.

use super::accounts::AccountList;
use crate::components::set_title;
use crate::state::Session;
use leptos::prelude::*;

#[component]
pub fn Welcome() -> impl IntoView {
    set_title("Welcome");
    let session = expect_context::<Session>();
    let org = move || {
        session
            .profile
            .with(|p| p.as_ref().map(|p| p.organization.clone()))
    };

    view! {
        <section class="page">
            <h1>"Welcome! Let's get started."</h1>
            <ol class="steps" aria-label="Setup steps">
                <li class="step step-done">
                    <span class="step-mark" aria-hidden="true">"✓"</span>
                    <div>
                        <h2 class="step-title">"Create your organization"</h2>
                        <p class="step-state">
                            <span class="sr-only">"Done. "</span>
                            {move || match org() {
                                Some(name) => view! { "Organization: " <strong>{name}</strong> }.into_any(),
                                None => view! { <span class="muted">"Loading your organization…"</span> }.into_any(),
                            }}
                        </p>
                    </div>
                </li>
                <li class="step step-next">
                    <span class="step-mark" aria-hidden="true">"2"</span>
                    <div>
                        <h2 class="step-title">"Select a cloud provider for your first account"</h2>
                        <p class="step-state muted">"Not started. Connecting a cloud account is coming to this console soon."</p>
                    </div>
                </li>
            </ol>
            <AccountList/>
        </section>
    }
}
