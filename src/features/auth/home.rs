//! `/`: sends the user where they belong (sign in, the wizard, or the dashboard).

use super::landing_for;
use crate::api::ApiError;
use crate::components::set_title;
use crate::platform::history::NavigateOptions;
use crate::platform::history::use_navigate;
use crate::state::{Session, use_api};
use leptos::prelude::*;

#[component]
pub fn Home() -> impl IntoView {
    set_title("Loading");
    let session = expect_context::<Session>();
    let api = use_api();
    let navigate = use_navigate();
    let replace = || NavigateOptions { replace: true };

    Effect::new(move |_| {
        if !session.is_signed_in() {
            navigate("/signin", replace());
            return;
        }
        let api = api();
        let navigate = navigate.clone();
        leptos::task::spawn_local_scoped(async move {
            match api.list_accounts().await {
                Ok(list) => navigate(landing_for(&list), replace()),
                // The client has ended the session.
                Err(ApiError::Unauthorized) => navigate("/signin", replace()),
                // The wizard page shows the error with a Retry.
                Err(_) => navigate("/welcome", replace()),
            }
        });
    });

    view! {
        <section class="page page-narrow">
            <h1>"Onramp"</h1>
            <p role="status">"Loading…"</p>
        </section>
    }
}
