//! **Default permissions** / **Customize permissions** for the AWS linked account's policy:
//! one checkbox per product group from core, kept in the draft. GovCloud and
//! China accounts use the default policy: the choice is disabled there, and says why.

use leptos::prelude::*;
use onramp_core::aws_setup::{PolicyError, PolicyProduct};
use onramp_core::onboarding::ConnectDraft;

/// The element ids this component uses (tests and the policy preview refer to them).
pub const DEFAULT_ID: &str = "aws-permissions-default";
pub const CUSTOM_ID: &str = "aws-permissions-custom";
pub const NOTE_ID: &str = "aws-permissions-note";
pub const PRODUCTS_ID: &str = "aws-products";
pub const PRODUCTS_ERROR_ID: &str = "aws-products-error";

/// The id of a product's checkbox.
pub fn product_id(p: PolicyProduct) -> String {
    format!("aws-product-{}", p.slug())
}

#[component]
pub fn AwsPermissions(
    draft: RwSignal<ConnectDraft>,
    /// Called when the user chooses **Customize permissions** (e.g. to show the preview).
    #[prop(optional)]
    on_customize: Option<Callback<()>>,
) -> impl IntoView {
    let allowed = Memo::new(move |_| draft.with(|d| d.aws.custom_allowed()));
    let wants_custom = Memo::new(move |_| draft.with(|d| d.aws.custom_permissions));
    let custom = Memo::new(move |_| wants_custom.get() && allowed.get());
    let nothing_chosen =
        Memo::new(move |_| draft.with(|d| d.aws.custom_products.is_empty()) && custom.get());

    let choose = move |c: bool| {
        let changed = draft
            .try_update(|d| d.aws.choose_custom_permissions(c))
            .unwrap_or(false);
        if changed
            && c
            && let Some(cb) = on_customize
        {
            cb.run(());
        }
    };

    let products = move || {
        PolicyProduct::ALL
            .into_iter()
            .map(|p| {
                let id = product_id(p);
                let hint_id = format!("{id}-hint");
                view! {
                    <div class="check-row">
                        <input
                            type="checkbox"
                            id=id.clone()
                            name="aws-products"
                            aria-describedby=hint_id.clone()
                            prop:checked=move || draft.with(|d| d.aws.custom_products.contains(&p))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                draft.update(|d| d.aws.set_product(p, on));
                            }
                        />
                        <label for=id>{p.label()}</label>
                        <p class="check-hint muted" id=hint_id>{p.description()}</p>
                    </div>
                }
            })
            .collect_view()
    };

    view! {
        <fieldset
            class="field radio-group aws-permissions"
            aria-describedby=move || (!allowed.get()).then_some(NOTE_ID)
        >
            <legend class="field-label">"Permissions"</legend>
            <div class="radio-row">
                <input
                    type="radio"
                    id=DEFAULT_ID
                    name="aws-permissions"
                    value="default"
                    prop:checked=move || !custom.get()
                    on:change=move |_| choose(false)
                />
                <label for=DEFAULT_ID>"Default permissions"</label>
            </div>
            <div class="radio-row">
                <input
                    type="radio"
                    id=CUSTOM_ID
                    name="aws-permissions"
                    value="custom"
                    disabled=move || !allowed.get()
                    prop:checked=move || custom.get()
                    on:change=move |_| choose(true)
                />
                <label for=CUSTOM_ID>"Customize permissions"</label>
            </div>
            <Show when=move || !allowed.get()>
                <p class="field-hint" id=NOTE_ID>
                    {PolicyError::CustomNotSupported.to_string()}
                    " Choose “No” above for a commercial AWS account to pick products."
                </p>
            </Show>
        </fieldset>
        <Show when=move || wants_custom.get()>
            <fieldset
                class="field check-group"
                id=PRODUCTS_ID
                disabled=move || !allowed.get()
                aria-describedby=move || nothing_chosen.get().then_some(PRODUCTS_ERROR_ID)
            >
                <legend class="field-label">"Products the policy covers"</legend>
                {products()}
                <Show when=move || nothing_chosen.get()>
                    <p class="field-error" id=PRODUCTS_ERROR_ID>
                        <span>{PolicyError::NothingChosen.to_string()}</span>
                    </p>
                </Show>
            </fieldset>
        </Show>
    }
}
