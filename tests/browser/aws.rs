//! The AWS **Permissions** choice (Default / Customize, one checkbox per product): disabled with
//! a reason in GovCloud and China, checkboxes writing to the draft, the "nothing chosen" message
//! tied to its group.

use super::*;
use onramp::features::aws::permissions::{
    AwsPermissions, CUSTOM_ID, DEFAULT_ID, NOTE_ID, PRODUCTS_ERROR_ID, PRODUCTS_ID, product_id,
};
use onramp::state::draft::WizardDraft;
use onramp_core::aws_setup::{Permissions, PolicyProduct};
use onramp_core::onboarding::FirstRunDraft;
use onramp_core::validate::AwsEnvironment;

fn input(id: &str) -> HtmlInputElement {
    by_id(id).unchecked_into()
}

fn exists(id: &str) -> bool {
    document().get_element_by_id(id).is_some()
}

#[wasm_bindgen_test]
async fn customizing_is_disabled_with_a_reason_outside_commercial_aws() {
    let draft = WizardDraft::new(FirstRunDraft::new("Acme"));
    draft.update(|d| d.connect.aws.choose_environment(AwsEnvironment::GovCloud));
    let customized = RwSignal::new(0u32);
    let _mounted = mount_to(container(), move || {
        view! {
            <AwsPermissions draft=draft.connect on_customize=Callback::new(move |()| customized.update(|n| *n += 1))/>
        }
    });
    tick().await;

    let custom = input(CUSTOM_ID);
    assert!(custom.disabled(), "Customize is disabled in GovCloud");
    assert!(input(DEFAULT_ID).checked(), "the default is chosen");
    let note = by_id(NOTE_ID).text_content().unwrap_or_default();
    assert!(note.contains("GovCloud and China"), "{note}");
    let group = custom.closest("fieldset").unwrap().unwrap();
    assert_eq!(
        group.get_attribute("aria-describedby").as_deref(),
        Some(NOTE_ID)
    );

    // Back to commercial AWS: the choice opens up and the reason goes away.
    draft.update(|d| d.connect.aws.choose_environment(AwsEnvironment::Commercial));
    tick().await;
    assert!(!custom.disabled());
    assert!(!exists(NOTE_ID));
    assert_eq!(group.get_attribute("aria-describedby"), None);
    assert!(!exists(PRODUCTS_ID), "no product list before Customize");

    custom.click();
    tick().await;
    assert_eq!(customized.get_untracked(), 1, "on_customize ran");
    assert!(draft.with_untracked(|d| d.connect.aws.custom_permissions));
    for p in PolicyProduct::ALL {
        assert!(input(&product_id(p)).checked(), "{p:?} checked at first");
    }

    // China while customised: the products stay visible but can't change, the default applies.
    draft.update(|d| d.connect.aws.choose_environment(AwsEnvironment::China));
    tick().await;
    let products = by_id(PRODUCTS_ID);
    assert!(
        products.has_attribute("disabled"),
        "the product list is disabled in China"
    );
    assert!(input(DEFAULT_ID).checked());
    assert!(!input(CUSTOM_ID).checked());
    assert_eq!(
        draft.with_untracked(|d| d.connect.aws.permissions()),
        Permissions::Default
    );
}

#[wasm_bindgen_test]
async fn product_checkboxes_write_to_the_draft_and_an_empty_choice_is_explained() {
    let draft = WizardDraft::new(FirstRunDraft::new("Acme"));
    let _mounted = mount_to(
        container(),
        move || view! { <AwsPermissions draft=draft.connect/> },
    );
    tick().await;
    input(CUSTOM_ID).click();
    tick().await;

    input(&product_id(PolicyProduct::Storage)).click();
    tick().await;
    let chosen = draft.with_untracked(|d| d.connect.aws.custom_products.clone());
    assert!(!chosen.contains(&PolicyProduct::Storage), "{chosen:?}");
    assert_eq!(chosen.len(), PolicyProduct::ALL.len() - 1);
    assert!(!exists(PRODUCTS_ERROR_ID));

    for p in PolicyProduct::ALL {
        let el = input(&product_id(p));
        if el.checked() {
            el.click();
            tick().await;
        }
    }
    assert!(draft.with_untracked(|d| d.connect.aws.custom_products.is_empty()));
    let message = by_id(PRODUCTS_ERROR_ID).text_content().unwrap_or_default();
    assert!(message.contains("at least one product"), "{message}");
    assert_eq!(
        by_id(PRODUCTS_ID)
            .get_attribute("aria-describedby")
            .as_deref(),
        Some(PRODUCTS_ERROR_ID)
    );

    // Default permissions again: the selection is kept for later, the message goes.
    input(DEFAULT_ID).click();
    tick().await;
    assert!(!draft.with_untracked(|d| d.connect.aws.custom_permissions));
    assert!(!exists(PRODUCTS_ID));
    assert_eq!(
        draft.with_untracked(|d| d.connect.aws.permissions()),
        Permissions::Default
    );
}
