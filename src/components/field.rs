//! A form field that owns its label, control, hint and error message, and wires them together
//! for assistive technology: `aria-invalid`, and `aria-describedby` naming the hint and message.
//!
//! Validation runs on blur and on submit (the form calls the same rule); once a message shows,
//! it is re-checked as the user types so it goes away as soon as the value is fixed. The value
//! is never cleared on error.

use leptos::html;
use leptos::prelude::*;
use onramp_core::validate::Checked;
use wasm_bindgen::JsCast;

/// Wraps one of core's validators as the message-or-nothing check a Field runs.
pub fn rule<T>(validator: fn(&str) -> Checked<T>) -> Callback<String, Option<String>>
where
    T: 'static,
{
    Callback::new(move |value: String| validator(&value).err().map(|e| e.message))
}

/// Whether focus leaves for a submit button that a pointer is pressing (`:active` from press to
/// release; a key press that moves focus there leaves it inactive).
fn pressing_submit(ev: &web_sys::FocusEvent) -> bool {
    ev.related_target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlButtonElement>().ok())
        .is_some_and(|b| b.type_() == "submit" && b.matches(":active").unwrap_or(false))
}

#[component]
pub fn Field(
    /// The control's id; the hint and message ids derive from it.
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    /// The message shown under the field; the form may also set it (submit, API errors).
    error: RwSignal<Option<String>>,
    /// Returns the message for a refused value.
    check: Callback<String, Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into, default = Signal::stored("text"))] input_type: Signal<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    /// When given, the control is a native `<select>` with an empty first option.
    #[prop(optional)]
    options: Option<&'static [(&'static str, &'static str)]>,
    #[prop(optional)] empty_option: Option<&'static str>,
    /// When given (and no `options`), the control is a `<textarea>` of this many rows.
    #[prop(optional)]
    rows: Option<u32>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    // The screen's last changes can reach a field whose screen is already gone (a form that
    // moves on when it is done): its error then reads as none instead of panicking.
    let has_error = move || error.try_with(Option::is_some).unwrap_or(false);
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if has_error() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || has_error().then_some("true");
    let validate = move || error.set(check.run(value.get_untracked()));
    // Leaving the field by pressing its form's submit button with a pointer: the submit
    // validates anyway, and a message appearing now would shift the button away from under the
    // pointer between press and release, swallowing the click. Tabbing to the button validates.
    let on_blur = move |ev: web_sys::FocusEvent| {
        if !pressing_submit(&ev) {
            validate();
        }
    };
    let recheck_if_shown = move || {
        if error.with_untracked(Option::is_some) {
            validate();
        }
    };

    let control = match options {
        None if rows.is_some() => view! {
            <textarea
                id=id
                name=id
                rows=rows
                autocomplete=autocomplete
                spellcheck="false"
                required=true
                aria-invalid=invalid
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    recheck_if_shown();
                }
                on:blur=on_blur
            ></textarea>
        }
        .into_any(),
        None => view! {
            <input
                id=id
                name=id
                type=move || input_type.get()
                autocomplete=autocomplete
                inputmode=inputmode
                required=true
                aria-invalid=invalid
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    recheck_if_shown();
                }
                on:blur=on_blur
            />
        }
        .into_any(),
        Some(options) => {
            let select_ref = NodeRef::<html::Select>::new();
            // Set after the options exist; a `value` set before them would be ignored.
            Effect::new(move |_| {
                let v = value.get();
                if let Some(el) = select_ref.get() {
                    el.set_value(&v);
                }
            });
            let items = options
                .iter()
                .map(|&(code, name)| view! { <option value=code>{name}</option> })
                .collect_view();
            view! {
                <select
                    id=id
                    name=id
                    node_ref=select_ref
                    autocomplete=autocomplete
                    required=true
                    aria-invalid=invalid
                    aria-describedby=described_by
                    on:change=move |ev| {
                        value.set(event_target_value(&ev));
                        recheck_if_shown();
                    }
                    on:blur=on_blur
                >
                    <option value="">{empty_option.unwrap_or("Choose…")}</option>
                    {items}
                </select>
            }
            .into_any()
        }
    };

    view! {
        <div class="field" class:field-invalid=has_error>
            <label for=id class="field-label">{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            {control}
            {move || error.try_get().flatten().map(|msg| view! {
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
