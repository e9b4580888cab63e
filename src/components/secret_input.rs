//! A secret's field (client secret, key): a password input with a **Show** toggle, and the same
//! label / hint / message wiring as [`Field`](super::Field), plus an optional warning that
//! informs without blocking (e.g. "this looks like the secret's ID").
//!
//! The toggle is a real `<button type="button" aria-pressed aria-controls>`: its name stays
//! "Show <label>" while `aria-pressed` says whether the value is visible, so Enter and Space
//! work and screen readers announce the state. The value lives only in the signal it is given:
//! this component never writes it anywhere else. While shown, spell checking and
//! autocorrection stay off so the browser does not send the secret to a spelling service.

use super::Field;
use crate::platform::clock::today;
use leptos::prelude::*;
use onramp_core::validate::{self, SECRET_ID_WARNING, secret_looks_like_secret_id};
use wasm_bindgen::JsCast;

/// The warning for an Azure client secret's field: a GUID-shaped value is the secret's ID, not
/// its value (a warning, not an error).
pub fn secret_id_warning(secret: RwSignal<String>) -> Signal<Option<String>> {
    Signal::derive(move || {
        secret
            .with(|s| secret_looks_like_secret_id(s))
            .then(|| SECRET_ID_WARNING.to_owned())
    })
}

/// The rule of a client secret's expiration date (after today, at most two years ahead) as a
/// field's check.
pub fn secret_expiry_rule() -> Callback<String, Option<String>> {
    Callback::new(|v: String| {
        validate::secret_expiration(&v, &today())
            .err()
            .map(|e| e.message)
    })
}

/// A client secret's expiration date: a date input whose picker offers only the days the rule
/// accepts, checked by that rule unless the form gives its own check.
#[component]
pub fn SecretExpiryField(
    id: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<String>>,
    #[prop(optional)] check: Option<Callback<String, Option<String>>>,
    /// Which secret's date (e.g. "the new secret's").
    #[prop(
        default = "The date in the secret's Expires column: after today and at most 2 years ahead."
    )]
    hint: &'static str,
) -> impl IntoView {
    // Field has no `min`/`max` of its own: set them on the input once it is in the document.
    request_animation_frame(move || {
        if let Some((first, last)) = validate::secret_expiration_range(&today())
            && let Some(input) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(id))
        {
            let _ = input.set_attribute("min", &first);
            let _ = input.set_attribute("max", &last);
        }
    });
    view! {
        <Field
            id=id
            label="Secret expiration date"
            value=value
            error=error
            check=check.unwrap_or_else(secret_expiry_rule)
            input_type="date"
            hint=hint
            autocomplete="off"
        />
    }
}

#[component]
pub fn SecretInput(
    /// The input's id; the hint, message, warning and toggle ids derive from it.
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<String>>,
    check: Callback<String, Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    /// A non-blocking note shown under the field while `Some`.
    #[prop(into, optional)]
    warning: Option<Signal<Option<String>>>,
    /// Shown or hidden; give a signal to hide it again from outside (e.g. after a submit).
    #[prop(optional)]
    revealed: Option<RwSignal<bool>>,
) -> impl IntoView {
    let revealed = revealed.unwrap_or_else(|| RwSignal::new(false));
    let warning = warning.unwrap_or_else(|| Signal::stored(None));
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let warning_id = format!("{id}-warning");
    let described_by = {
        let (hint_id, error_id, warning_id) =
            (hint_id.clone(), error_id.clone(), warning_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            if warning.with(Option::is_some) {
                ids.push(warning_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let validate = move || error.set(check.run(value.get_untracked()));
    // As in Field: leaving for the submit button validates there, not here.
    let on_blur = move |ev: web_sys::FocusEvent| {
        let to_submit = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlButtonElement>().ok())
            .is_some_and(|b| b.type_() == "submit");
        if !to_submit {
            validate();
        }
    };

    view! {
        <div class="field secret-field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=id class="field-label">{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <div class="secret-row">
                <input
                    id=id
                    name=id
                    type=move || if revealed.get() { "text" } else { "password" }
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    required=true
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    aria-describedby=described_by
                    prop:value=move || value.get()
                    on:input=move |ev| {
                        value.set(event_target_value(&ev));
                        if error.with_untracked(Option::is_some) {
                            validate();
                        }
                    }
                    on:blur=on_blur
                />
                <button
                    type="button"
                    class="btn btn-secondary secret-toggle"
                    id=format!("{id}-reveal")
                    aria-controls=id
                    aria-pressed=move || if revealed.get() { "true" } else { "false" }
                    on:click=move |_| revealed.update(|r| *r = !*r)
                >
                    <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                        <path d="M1 8s2.6-4.5 7-4.5S15 8 15 8s-2.6 4.5-7 4.5S1 8 1 8z" fill="none" stroke="currentColor" stroke-width="1.5"/>
                        <circle cx="8" cy="8" r="2" fill="currentColor"/>
                        <path class="secret-toggle-slash" d="M2.5 13.5l11-11" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/>
                    </svg>
                    "Show"
                    <span class="sr-only">" " {label}</span>
                </button>
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
            // Always in the DOM so a warning that appears while typing is announced.
            <p class="field-warning" id=warning_id.clone() aria-live="polite" class:empty=move || warning.with(Option::is_none)>
                {move || warning.get().map(|w| view! {
                    <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                        <path d="M8 1.5L15 14H1z" fill="currentColor"/>
                        <path d="M8 6v3.5M8 11.3v1" stroke="var(--color-surface)" stroke-width="1.6" stroke-linecap="round"/>
                    </svg>
                    <span>{w}</span>
                })}
            </p>
        </div>
    }
}
