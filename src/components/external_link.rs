use leptos::prelude::*;

/// A link to a page outside Onramp. It opens in a new tab, so the work in progress here stays
/// open; screen readers hear that it does (`new_tab` words, e.g. naming the site it opens).
/// Classes, ids and handlers go on the link as usual: `<ExternalLink attr:class="btn" …>`.
#[component]
pub fn ExternalLink(
    #[prop(into)] href: Signal<String>,
    #[prop(default = "opens in a new tab")] new_tab: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <a href=move || href.get() target="_blank" rel="noopener">
            {children()}
            <span class="sr-only">{format!(" ({new_tab})")}</span>
        </a>
    }
}
