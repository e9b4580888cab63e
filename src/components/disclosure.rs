//! Disclosure (WAI-ARIA APG pattern): a heading holding a `<button aria-expanded aria-controls>`
//! that shows and hides a panel. The panel stays mounted while collapsed (the `hidden`
//! attribute), so what the user typed inside it survives closing and reopening.
//!
//! Keyboard: the native button does the work. Enter and Space activate it (one `click` each),
//! and Space on a focused button activates it instead of scrolling the page, so no key handler
//! is needed, and adding one would toggle twice.

use leptos::prelude::*;

#[component]
pub fn Disclosure(
    /// The panel's id; the button's is `{id}-button`.
    id: &'static str,
    /// The button's text, which names the panel too.
    #[prop(into)]
    title: Signal<String>,
    /// Heading level of the element around the button (2 to 6).
    #[prop(default = 3)]
    level: u8,
    /// Open or closed; give a signal to control it from outside (e.g. "open the first panel").
    #[prop(optional)]
    expanded: Option<RwSignal<bool>>,
    /// A short line under the title, outside the button (e.g. what the panel is for).
    #[prop(optional, into)]
    description: Option<Signal<String>>,
    children: Children,
) -> impl IntoView {
    let expanded = expanded.unwrap_or_else(|| RwSignal::new(false));
    let button_id = format!("{id}-button");
    let button = {
        let button_id = button_id.clone();
        move || {
            view! {
                <button
                    type="button"
                    class="disclosure-button"
                    id=button_id
                    aria-expanded=move || if expanded.get() { "true" } else { "false" }
                    aria-controls=id
                    on:click=move |_| expanded.update(|open| *open = !*open)
                >
                    <svg class="disclosure-chevron" aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                        <path d="M6 3l5 5-5 5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
                    </svg>
                    <span>{move || title.get()}</span>
                </button>
            }
        }
    };
    let heading = match level {
        0..=2 => view! { <h2 class="disclosure-heading">{button()}</h2> }.into_any(),
        3 => view! { <h3 class="disclosure-heading">{button()}</h3> }.into_any(),
        4 => view! { <h4 class="disclosure-heading">{button()}</h4> }.into_any(),
        5 => view! { <h5 class="disclosure-heading">{button()}</h5> }.into_any(),
        _ => view! { <h6 class="disclosure-heading">{button()}</h6> }.into_any(),
    };

    view! {
        <div class="disclosure" class:disclosure-open=move || expanded.get()>
            {heading}
            {description.map(|d| view! { <p class="disclosure-description muted">{move || d.get()}</p> })}
            <div
                id=id
                class="disclosure-panel"
                role="region"
                aria-labelledby=button_id
                hidden=move || !expanded.get()
            >
                {children()}
            </div>
        </div>
    }
}
