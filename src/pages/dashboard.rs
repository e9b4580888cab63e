//! `/dashboard`: for now, the accounts; savings figures come with the billing integration.

use super::accounts::AccountList;
use crate::components::set_title;
use leptos::prelude::*;

#[component]
pub fn Dashboard() -> impl IntoView {
    set_title("Insights & Recommendations");
    view! {
        <section class="page">
            <h1>"Insights & Recommendations"</h1>
            <p class="lead">"Data can take up to 24 hours to appear after an account is connected."</p>
            <AccountList heading="Accounts"/>
        </section>
    }
}
