//! App state in the browser: the session token's storage, sign-out, drafts and the runtime
//! config.

use super::*;

#[wasm_bindgen_test]
async fn session_token_only_in_session_storage_and_sign_out_clears_drafts() {
    use onramp::state::Session;
    let window = web_sys::window().unwrap();
    let session_store = window.session_storage().unwrap().unwrap();
    let local_store = window.local_storage().unwrap().unwrap();

    let session = Session::restore();
    session.sign_in("tok-abc".into(), None);
    assert_eq!(
        session_store.get_item("onramp.session").unwrap().as_deref(),
        Some("tok-abc")
    );
    assert_eq!(local_store.get_item("onramp.session").unwrap(), None);
    assert_eq!(session.token_untracked().as_deref(), Some("tok-abc"));
    // A later page load in the same tab picks the token up again.
    assert_eq!(
        Session::restore().token_untracked().as_deref(),
        Some("tok-abc")
    );

    session_store
        .set_item("onramp.draft.signup", r#"{"email":"ada@example.com"}"#)
        .unwrap();
    session_store.set_item("onramp.draft.other", "{}").unwrap();
    session_store.set_item("unrelated", "kept").unwrap();
    session.clear();
    assert_eq!(session_store.get_item("onramp.session").unwrap(), None);
    assert_eq!(session_store.get_item("onramp.draft.signup").unwrap(), None);
    assert_eq!(session_store.get_item("onramp.draft.other").unwrap(), None);
    assert_eq!(
        session_store.get_item("unrelated").unwrap().as_deref(),
        Some("kept")
    );
    assert_eq!(session.token_untracked(), None);
    session_store.remove_item("unrelated").unwrap();
}

#[wasm_bindgen_test]
fn sign_out_forgets_the_account_chosen_in_the_menu() {
    use onramp::state::{CurrentAccount, Session};
    use onramp_core::ids::AccountId;
    const KEY: &str = "onramp.currentAccount";
    let store = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    let id = AccountId::parse("act-1a2b3c4d").unwrap();

    // Where no menu state is provided, the stored choice still goes.
    store.set_item(KEY, id.as_str()).unwrap();
    Session::restore().clear();
    assert_eq!(store.get_item(KEY).unwrap(), None);

    // With it, the live choice goes back to the default account too.
    let owner = Owner::new();
    owner.with(|| {
        let current = CurrentAccount::restore();
        provide_context(current);
        current.set(id.clone());
        assert_eq!(
            CurrentAccount::restore().0.get_untracked(),
            Some(id.clone())
        );
        Session::restore().clear();
        assert_eq!(current.0.get_untracked(), None);
        assert_eq!(store.get_item(KEY).unwrap(), None);
    });
}

#[wasm_bindgen_test]
fn config_defaults_to_same_origin_api() {
    use onramp::state::Config;
    assert_eq!(Config::parse("{}").unwrap().api_base_url, "/api");
    // No Idempotency-Key unless the server says it takes one (Spot's CORS would refuse it).
    assert!(!Config::parse("{}").unwrap().idempotency_keys);
    let c = Config::parse(
        r#"{"apiBaseUrl": "https://api.spotinst.io", "embedOrigins": ["https://partner.example"],
            "spotPrincipal": "arn:aws:iam::922761411349:root", "spotAwsAccountId": "922761411349",
            "idempotencyKeys": true}"#,
    )
    .unwrap();
    assert!(c.idempotency_keys);
    assert_eq!(c.api_base_url, "https://api.spotinst.io");
    assert_eq!(c.embed_origins, vec!["https://partner.example".to_owned()]);
    assert_eq!(Config::parse("not json"), None);
}

/// Drafts are written by an effect, which needs the task executor; tests that mount a view
/// get it from `mount_to`, these do not mount, and the runner's order is not fixed.
fn start_executor() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
}

fn session_store() -> web_sys::Storage {
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
}

#[wasm_bindgen_test]
async fn a_persisted_draft_comes_back_when_the_page_is_built_again() {
    use onramp::state::draft::{self, FIRST_RUN_DRAFT_KEY, SIGNUP_DRAFT_KEY, SignupDraft};
    use onramp_core::dto::CloudProvider;
    use onramp_core::onboarding::FirstRunDraft;
    start_executor();
    let store = session_store();
    store.remove_item(SIGNUP_DRAFT_KEY).unwrap();
    store.remove_item(FIRST_RUN_DRAFT_KEY).unwrap();

    // One signal per field.
    let owner1 = Owner::new();
    let signup = owner1.with(|| *SignupDraft::persisted());
    signup.email.set("ada@example.com".into());
    signup.country.set("FR".into());
    // A wizard: the Connect step and the rest are separate signals, stored as one draft. A
    // provider's part of the Connect step is not in it: that provider's panel stores it apart.
    let owner2 = Owner::new();
    let wizard = owner2.with(|| *draft::first_run(|| FirstRunDraft::new("Acme")));
    wizard.connect.update(|c| {
        c.choose_provider(CloudProvider::Aws);
        c.aws.role_arn_input = "arn:aws:iam::123456789012:role/Spot".into();
    });
    wizard.update(|d| d.organization_name = "Acme Labs".into());
    tick().await;

    let owner3 = Owner::new();
    let signup_again = owner3.with(|| *SignupDraft::persisted());
    assert_eq!(signup_again.email.get_untracked(), "ada@example.com");
    assert_eq!(signup_again.country.get_untracked(), "FR");
    let owner4 = Owner::new();
    let wizard_again = owner4.with(|| *draft::first_run(FirstRunDraft::default));
    // All of it but the AWS part, which the AWS panel reads back itself.
    let mut expected = wizard.get_untracked();
    expected.connect.aws = Default::default();
    assert_eq!(wizard_again.get_untracked(), expected);
    assert_eq!(
        wizard_again.with_untracked(|d| d.connect.chosen()),
        Some(CloudProvider::Aws)
    );
    assert_eq!(
        wizard_again.with_untracked(|d| d.organization_name.clone()),
        "Acme Labs"
    );
    store.remove_item(SIGNUP_DRAFT_KEY).unwrap();
    store.remove_item(FIRST_RUN_DRAFT_KEY).unwrap();
}

#[wasm_bindgen_test]
async fn a_cleared_draft_is_gone_and_stays_gone() {
    use onramp::state::draft::{SIGNUP_DRAFT_KEY, SignupDraft};
    start_executor();
    let store = session_store();
    let owner5 = Owner::new();
    let persisted = owner5.with(SignupDraft::persisted);
    persisted.email.set("ada@example.com".into());
    tick().await;
    assert!(store.get_item(SIGNUP_DRAFT_KEY).unwrap().is_some());

    persisted.clear();
    assert_eq!(store.get_item(SIGNUP_DRAFT_KEY).unwrap(), None);
    // A change after the flow is over (e.g. the answer that finished it) is not written back.
    persisted.email.set("grace@example.com".into());
    tick().await;
    assert_eq!(store.get_item(SIGNUP_DRAFT_KEY).unwrap(), None);
    let owner6 = Owner::new();
    let fresh = owner6.with(|| *SignupDraft::persisted());
    assert_eq!(fresh.email.get_untracked(), "");
    store.remove_item(SIGNUP_DRAFT_KEY).unwrap();
}

#[wasm_bindgen_test]
fn a_wizard_started_afresh_drops_the_answers_an_earlier_flow_kept() {
    use onramp::state::draft::{self, FIRST_RUN_DRAFT_KEY};
    use onramp_core::onboarding::FirstRunDraft;
    let store = session_store();
    let aws = format!("{FIRST_RUN_DRAFT_KEY}/aws");
    store
        .set_item(
            &aws,
            r#"{"roleArnInput":"arn:aws:iam::123456789012:role/Earlier"}"#,
        )
        .unwrap();
    // The embedded flow's start for a new account.
    draft::save_first_run(&FirstRunDraft::new("Acme"));
    assert_eq!(store.get_item(&aws).unwrap(), None);
    assert!(store.get_item(FIRST_RUN_DRAFT_KEY).unwrap().is_some());
    store.remove_item(FIRST_RUN_DRAFT_KEY).unwrap();
}
