//! Cloud provider choice: the WAI-ARIA radio group pattern with a roving tabindex. Tab enters
//! the group at the checked radio (the first one when none is checked); arrow keys move focus
//! AND select, wrapping around; Space selects the focused radio; a click selects too.
//! Each radio shows the provider's logo (decorative: the text names it).

use leptos::html;
use leptos::prelude::*;
use onramp_core::dto::CloudProvider;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

/// The three providers, in the order the picker shows them.
pub const PROVIDERS: [CloudProvider; 3] =
    [CloudProvider::Aws, CloudProvider::Gcp, CloudProvider::Azure];

/// The provider's full name, as users read it.
pub fn provider_name(provider: CloudProvider) -> &'static str {
    match provider {
        CloudProvider::Aws => "Amazon Web Services",
        CloudProvider::Gcp => "Google Cloud Platform",
        CloudProvider::Azure => "Microsoft Azure",
    }
}

/// The logo's URL (an SVG under `public/logos/`, served at `/logos/`).
pub fn provider_logo(provider: CloudProvider) -> &'static str {
    match provider {
        CloudProvider::Aws => "/logos/aws.svg",
        CloudProvider::Gcp => "/logos/gcp.svg",
        CloudProvider::Azure => "/logos/azure.svg",
    }
}

/// Short stable name for ids and test hooks: `aws`, `gcp`, `azure`.
pub fn provider_slug(provider: CloudProvider) -> &'static str {
    match provider {
        CloudProvider::Aws => "aws",
        CloudProvider::Gcp => "gcp",
        CloudProvider::Azure => "azure",
    }
}

#[component]
pub fn ProviderPicker(
    /// The group's id; each radio's is `{id}-{aws|gcp|azure}`, the label's `{id}-label`, the
    /// message's `{id}-error`.
    id: &'static str,
    /// The group's visible label (its accessible name).
    label: &'static str,
    value: RwSignal<Option<CloudProvider>>,
    /// The message under the group ("Choose a cloud provider."); cleared by a choice.
    error: RwSignal<Option<String>>,
    /// Keeps the label for screen readers only (when a heading right above says the same).
    #[prop(optional)]
    hide_label: bool,
) -> impl IntoView {
    let label_id = format!("{id}-label");
    let error_id = format!("{id}-error");
    let group_ref = NodeRef::<html::Div>::new();

    let choose = move |provider: CloudProvider| {
        value.set(Some(provider));
        error.set(None);
    };
    let radio_el = move |provider: CloudProvider| -> Option<HtmlElement> {
        group_ref
            .get_untracked()?
            .query_selector(&format!("#{id}-{}", provider_slug(provider)))
            .ok()
            .flatten()?
            .dyn_into::<HtmlElement>()
            .ok()
    };
    let on_key = move |provider: CloudProvider, ev: KeyboardEvent| {
        let here = PROVIDERS.iter().position(|p| *p == provider).unwrap_or(0);
        let last = PROVIDERS.len() - 1;
        let next = match ev.key().as_str() {
            "ArrowDown" | "ArrowRight" => Some(if here == last { 0 } else { here + 1 }),
            "ArrowUp" | "ArrowLeft" => Some(if here == 0 { last } else { here - 1 }),
            " " => {
                // Space would scroll the page: it selects instead.
                ev.prevent_default();
                choose(provider);
                None
            }
            _ => None,
        };
        if let Some(i) = next {
            ev.prevent_default();
            let target = PROVIDERS[i];
            choose(target);
            if let Some(el) = radio_el(target) {
                let _ = el.focus();
            }
        }
    };

    let radios = PROVIDERS
        .iter()
        .enumerate()
        .map(|(i, &provider)| {
            let checked = move || value.get() == Some(provider);
            // Roving tabindex: the checked radio, or the first when none is.
            let tabindex = move || match value.get() {
                Some(p) if p == provider => "0",
                None if i == 0 => "0",
                _ => "-1",
            };
            view! {
                <div
                    role="radio"
                    id=format!("{id}-{}", provider_slug(provider))
                    class="provider-option"
                    data-provider=provider_slug(provider)
                    aria-checked=move || if checked() { "true" } else { "false" }
                    tabindex=tabindex
                    on:click=move |_| choose(provider)
                    on:keydown=move |ev| on_key(provider, ev)
                >
                    <span class="provider-radio" aria-hidden="true"></span>
                    <img class="provider-logo" src=provider_logo(provider) alt="" width="48" height="48"/>
                    <span class="provider-name">{provider_name(provider)}</span>
                </div>
            }
        })
        .collect_view();

    view! {
        <div class="provider-picker" class:field-invalid=move || error.with(Option::is_some)>
            <p id=label_id.clone() class="field-label" class:sr-only=hide_label>{label}</p>
            <div
                role="radiogroup"
                id=id
                class="provider-options"
                node_ref=group_ref
                aria-labelledby=label_id
                aria-required="true"
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby={
                    let error_id = error_id.clone();
                    move || error.with(Option::is_some).then(|| error_id.clone())
                }
            >
                {radios}
            </div>
            {move || error.get().map(|msg| view! {
                <p class="field-error" id=error_id.clone()>
                    <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                        <circle cx="8" cy="8" r="7" fill="currentColor"/>
                        <path d="M8 4v5M8 11v1.2" stroke="var(--color-on-danger)" stroke-width="1.8" stroke-linecap="round"/>
                    </svg>
                    <span>{msg}</span>
                </p>
            })}
        </div>
    }
}

/// **Change provider**, beside the chosen provider in a wizard's summary. While `busy` (a panel's
/// credentials on their way) it says so and ignores presses.
#[component]
pub fn ChangeProviderButton(on_press: Callback<()>, busy: Signal<bool>) -> impl IntoView {
    // As in `Button`: a connect that moves to another screen changes `busy` after this button's
    // props were disposed with its screen; reading nothing then is right.
    let is_busy = move || busy.try_get().unwrap_or(false);
    view! {
        <button
            type="button"
            class="btn btn-secondary btn-small"
            aria-disabled=move || is_busy().then_some("true")
            title=move || is_busy().then_some("Wait for the connection to be answered")
            on:click=move |_| {
                if !busy.try_get_untracked().unwrap_or(false) {
                    on_press.run(());
                }
            }
        >
            <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                <path d="M11 2.5l2.5 2.5L6 12.5 3 13l.5-3z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/>
            </svg>
            "Change provider"
        </button>
    }
}
