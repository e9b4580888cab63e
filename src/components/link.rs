use crate::platform::history::use_location;
use leptos::prelude::*;
use onramp_core::routes::link_is_current;

/// A link to another screen of the app, marked `aria-current="page"` while that screen (or one
/// inside it) is open. The click itself is kept in the app by `platform::history`, like every
/// same-origin link. Classes and ids go on the link: `<Link href="/" attr:class="brand">`.
#[component]
pub fn Link(href: &'static str, children: Children) -> impl IntoView {
    let location = use_location();
    let current = move || {
        location
            .pathname
            .with(|path| link_is_current(href, path))
            .then_some("page")
    };
    view! { <a href=href aria-current=current>{children()}</a> }
}
