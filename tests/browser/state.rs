//! App state in the browser: the session token's storage, sign-out, drafts and the runtime
//! config.

use super::*;

#[wasm_bindgen_test]
async fn session_token_only_in_session_storage_and_sign_out_clears_drafts() {
    use onramp::state::Session;
    use onramp::state::draft::SignupDraft;
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

    SignupDraft {
        email: "ada@example.com".into(),
        ..Default::default()
    }
    .save();
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
