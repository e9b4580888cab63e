use crate::components::Link;
use crate::components::set_title;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    set_title("Page not found");
    crate::state::mark_interactive();
    view! {
        <section class="page page-narrow">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
            <p><Link href="/">"Go to the start page"</Link></p>
        </section>
    }
}
