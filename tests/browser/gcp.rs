//! The Google Cloud connect panel (`features::gcp::GcpConnect`): the key parsed in core and
//! kept out of the draft, the summary after a reload, the script for the typed project, and the
//! API calls of **Validate** / **Connect account** against a replaced `fetch`.

use super::*;
use onramp::features::gcp::connect::GcpConnect;
use onramp::state::draft::{ConnectStore, WizardDraft};
use onramp::state::{Config, Session};
use onramp_core::ids::AccountId;
use onramp_core::onboarding::{FirstRunDraft, GcpKeySummary, Panel};

/// A wizard key under which no draft is ever stored: the panel then keeps no part either.
const UNSTORED: &str = "onramp.draft.test-unstored";

const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7+/8=\n-----END PRIVATE KEY-----\n";
const EMAIL: &str = "spot-connector@acme-prod-42.iam.gserviceaccount.com";
const KEY_ID: &str = "0123456789abcdef0123456789abcdef01234567";

fn account() -> AccountId {
    AccountId::from_bits(0x1a2b_3c4d)
}

fn good_key() -> String {
    serde_json::json!({
        "type": "service_account",
        "project_id": "acme-prod-42",
        "private_key_id": KEY_ID,
        "private_key": PEM,
        "client_email": EMAIL,
        "client_id": "112233445566778899001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/spot-connector%40acme-prod-42.iam.gserviceaccount.com",
        "universe_domain": "googleapis.com"
    })
    .to_string()
}

/// Mounts the panel signed in as the owner of `account()`; returns the draft and a flag set by
/// `on_connected`.
fn mount_panel(
    draft: FirstRunDraft,
) -> (
    WizardDraft<FirstRunDraft>,
    RwSignal<bool>,
    impl Sized,
    Session,
) {
    let draft = WizardDraft::new(draft);
    let connected = RwSignal::new(false);
    let session = signed_in("tok-gcp", account());
    // A failed test never unmounts its panel: drop what an earlier one left, so ids stay unique.
    let stale = document().query_selector_all(".gcp-under-test").unwrap();
    for i in 0..stale.length() {
        if let Some(node) = stale.item(i) {
            node.unchecked_into::<Element>().remove();
        }
    }
    let root = container();
    root.class_list().add_1("gcp-under-test").unwrap();
    let mounted = mount_to(root, move || {
        provide_context(Config::default());
        provide_context(session);
        view! { <GcpConnect store=ConnectStore::new(draft.connect, UNSTORED, Callback::new(move |_| connected.set(true)))/> }
            .into_any()
    });
    (draft, connected, mounted, session)
}

async fn choose(content: &str, name: &str) {
    let input: HtmlInputElement = by_id("gcp-key").unchecked_into();
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer
        .items()
        .add_with_file(&make_file(content, name))
        .unwrap();
    input.set_files(transfer.files().as_ref());
    let before = body_html();
    fire(&input, "change");
    // The file is read asynchronously; the panel then shows a summary or a message.
    until("the chosen file to be read", || body_html() != before).await;
}

fn click(id: &str) {
    by_id(id).unchecked_into::<HtmlElement>().click();
}

fn body_html() -> String {
    document().body().unwrap().inner_html()
}

fn expanded(id: &str) -> Option<String> {
    by_id(&format!("{id}-button")).get_attribute("aria-expanded")
}

#[wasm_bindgen_test]
async fn gcp_key_is_parsed_in_core_summarised_and_never_in_the_draft() {
    let (draft, _connected, mounted, session) = mount_panel(FirstRunDraft::default());
    tick().await;
    assert_eq!(expanded("gcp-linked").as_deref(), Some("true"));
    assert_eq!(expanded("gcp-manual").as_deref(), Some("true"));
    assert_eq!(expanded("gcp-automatic").as_deref(), Some("false"));
    assert_eq!(text_of("gcp-sa-name"), "spotinst-role-act-1a2b3c4d");
    let label = document()
        .query_selector("label[for=gcp-key]")
        .unwrap()
        .unwrap();
    assert_eq!(
        label.text_content().as_deref(),
        Some("Service account key (JSON)")
    );

    choose(&good_key(), "key.json").await;
    let summary = text_of("gcp-key-summary");
    for part in ["acme-prod-42", EMAIL, KEY_ID] {
        assert!(summary.contains(part), "{part} missing from {summary:?}");
    }
    assert!(!body_html().contains("PRIVATE KEY"));
    let stored = draft.with_untracked(|d| serde_json::to_string(d).unwrap());
    assert!(!stored.contains("PRIVATE KEY"), "{stored}");
    assert_eq!(
        draft.with_untracked(|d| d.connect.gcp.key.clone()),
        Some(GcpKeySummary {
            project_id: "acme-prod-42".into(),
            client_email: EMAIL.into(),
            private_key_id: KEY_ID.into(),
        })
    );
    assert!(document().get_element_by_id("gcp-key-error").is_none());

    // A bad file next: core's exact message at the field; the good key is forgotten.
    let creds =
        r#"{"type":"authorized_user","client_id":"x","client_secret":"y","refresh_token":"z"}"#;
    choose(creds, "application_default_credentials.json").await;
    let expected = v::gcp_key_file(creds.as_bytes()).unwrap_err().message;
    assert_eq!(text_of("gcp-key-error").trim(), expected);
    let input = by_id("gcp-key");
    assert_eq!(attr(&input, "aria-invalid"), "true");
    assert!(document().get_element_by_id("gcp-key-summary").is_none());
    assert_eq!(draft.with_untracked(|d| d.connect.gcp.key.clone()), None);

    drop(mounted);
    session.clear();
}

#[wasm_bindgen_test]
async fn gcp_after_a_reload_the_key_must_be_chosen_again_and_nothing_is_sent() {
    let mut d = FirstRunDraft::default();
    d.connect.gcp.key = Some(GcpKeySummary {
        project_id: "acme-prod-42".into(),
        client_email: EMAIL.into(),
        private_key_id: KEY_ID.into(),
    });
    let (_draft, connected, mounted, session) = mount_panel(d);
    tick().await;
    let again = text_of("gcp-key-again");
    assert!(
        again.contains(EMAIL) && again.contains("choose the file again"),
        "{again}"
    );
    assert!(document().get_element_by_id("gcp-key-summary").is_none());

    let _fake = FakeFetch::respond(200, "{}", "{}");
    Reflect::set(
        &web_sys::window().unwrap(),
        &"__onrampLast".into(),
        &JsValue::UNDEFINED,
    )
    .unwrap();
    click("gcp-validate");
    sleep(30).await;
    assert!(
        text_of("gcp-key-error").contains("Choose the key file again"),
        "{}",
        text_of("gcp-key-error")
    );
    assert_eq!(active_id(), "gcp-key-browse");
    click("gcp-connect-submit");
    sleep(30).await;
    assert!(
        Reflect::get(&web_sys::window().unwrap(), &"__onrampLast".into())
            .unwrap()
            .is_undefined(),
        "no request without a key in memory"
    );
    assert!(!connected.get_untracked());

    drop(mounted);
    session.clear();
}

#[wasm_bindgen_test]
async fn gcp_validate_and_connect_send_the_key_and_map_refusals() {
    let (_draft, connected, mounted, session) = mount_panel(FirstRunDraft::default());
    tick().await;
    choose(&good_key(), "key.json").await;

    // Validate: the validation endpoint, the key as core builds it, the result said.
    let ok = format!(r#"{{{REQ},"response":{{"status":{{"code":200,"message":"OK"}}}}}}"#);
    let fake = FakeFetch::respond(200, &ok, "{'Content-Type': 'application/json'}");
    click("gcp-validate");
    until("the validation result", || {
        body_html().contains("Spot accepted this key")
    })
    .await;
    assert_eq!(
        FakeFetch::last("url"),
        "/api/gcp/setup/credentials/validation?accountId=act-1a2b3c4d"
    );
    assert_eq!(FakeFetch::last("method"), "POST");
    let body: serde_json::Value =
        serde_json::from_str(&FakeFetch::last("body").as_string().unwrap()).unwrap();
    let sa = &body["serviceAccount"];
    assert_eq!(sa["type"], "service_account");
    assert_eq!(sa["private_key"], PEM);
    assert_eq!(sa["client_email"], EMAIL);
    assert!(sa.get("universe_domain").is_none(), "{sa}");
    assert!(
        body_html().contains("Spot accepted this key"),
        "the validation result is shown"
    );
    drop(fake);

    // A refusal about the key lands at the upload field.
    let refused = validation_error("The key was revoked.", "body.serviceAccount");
    let fake = FakeFetch::respond(400, &refused, "{'Content-Type': 'application/json'}");
    click("gcp-connect-submit");
    until("the refusal at the key field", || {
        document()
            .get_element_by_id("gcp-key-error")
            .is_some_and(|e| !e.text_content().unwrap_or_default().trim().is_empty())
    })
    .await;
    assert_eq!(
        FakeFetch::last("url"),
        "/api/gcp/setup/credentials?accountId=act-1a2b3c4d"
    );
    assert_eq!(text_of("gcp-key-error").trim(), "The key was revoked.");
    assert_eq!(active_id(), "gcp-key-browse");
    assert!(!connected.get_untracked());
    drop(fake);

    // Any other refusal: a banner with the request ID, and Try again.
    let other = validation_error(
        "This account is already connected to AWS.",
        "query.accountId",
    );
    let fake = FakeFetch::respond(400, &other, "{'Content-Type': 'application/json'}");
    click("gcp-connect-submit");
    until("the banner", || {
        document()
            .query_selector(".gcp-upload [role=alert]")
            .ok()
            .flatten()
            .is_some()
    })
    .await;
    let banner = document()
        .query_selector(".gcp-upload [role=alert]")
        .unwrap()
        .expect("a banner");
    let text = banner.text_content().unwrap();
    assert!(
        text.contains("We couldn't connect the account: This account is already connected to AWS.")
            && text.contains("6f1c2d3e-0000-4000-8000-00000000abcd"),
        "{text}"
    );
    let try_again = document()
        .query_selector(".gcp-upload .form-actions")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(try_again.contains("Try again"), "{try_again}");
    drop(fake);

    // Accepted: the wizard is told.
    let fake = FakeFetch::respond(200, &ok, "{'Content-Type': 'application/json'}");
    click("gcp-connect-submit");
    until("the wizard told of the connection", || {
        connected.get_untracked()
    })
    .await;
    drop(fake);

    drop(mounted);
    session.clear();
}

#[wasm_bindgen_test]
async fn gcp_script_follows_the_typed_project_id() {
    let mut d = FirstRunDraft::default();
    d.connect.gcp.panels.set_open(Panel::Automatic, true);
    d.connect.gcp.project_id_input = "acme-prod-42".into();
    let (draft, _connected, mounted, session) = mount_panel(d);
    tick().await;
    assert_eq!(expanded("gcp-automatic").as_deref(), Some("true"));
    let input: HtmlInputElement = by_id("gcp-project-id").unchecked_into();
    assert_eq!(input.value(), "acme-prod-42");
    assert!(text_of("gcp-script-code").contains("PROJECT_ID='acme-prod-42'"));
    assert!(text_of("gcp-script-code").contains("SA_NAME='spotinst-role-act-1a2b3c4d'"));

    // A project number: the message at the field, no script.
    input.set_value("123456789012");
    fire(&input, "input");
    fire(&input, "blur");
    tick().await;
    assert_eq!(attr(&input, "aria-invalid"), "true");
    assert!(text_of("gcp-project-id-error").contains("project number"));
    assert!(document().get_element_by_id("gcp-script").is_none());
    assert!(document().get_element_by_id("gcp-script-pending").is_some());
    assert_eq!(
        draft.with_untracked(|d| d.connect.gcp.project_id_input.clone()),
        "123456789012",
        "what was typed is kept"
    );

    // Collapsing keeps the typed value and the panel state goes to the draft.
    click("gcp-automatic-button");
    tick().await;
    assert!(
        !draft.with_untracked(|d| d.connect.gcp.panels.is_open(Panel::Automatic)),
        "the panel state is kept in the draft"
    );
    assert_eq!(input.value(), "123456789012");

    // One byte over the limit reads as such (FileDrop's size words).
    assert_eq!(onramp_core::text::file_size(65_537), "64 KiB");

    drop(mounted);
    session.clear();
}
