//! `/dashboard`: for now, the accounts; savings figures come with the billing integration.

use super::accounts::AccountList;
use crate::components::{StatusMessage, set_title};
use crate::state::Session;
use leptos::prelude::*;

#[component]
pub fn Dashboard() -> impl IntoView {
    set_title("Insights & Recommendations");
    let session = expect_context::<Session>();
    // A message left by the previous screen ("Your account has been successfully connected!"),
    // put into the live region after it exists so screen readers announce it.
    let toast = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Some(m)) = session.flash.try_update(Option::take) {
            toast.set(Some(m));
        }
    });
    view! {
        <section class="page">
            <div class="toast">
                <StatusMessage text=toast/>
            </div>
            <h1>"Insights & Recommendations"</h1>
            <p class="lead">"Data can take up to 24 hours to appear after an account is connected."</p>
            <AccountList heading="Accounts"/>
        </section>
    }
}
