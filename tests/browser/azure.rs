//! The Azure subscription panel (`features::azure::AzureConnect`) and the secret field it
//! uses (`components::SecretInput`): the reveal toggle, the secret-ID warning, the secret kept
//! out of the draft, the request bodies of **Validate** / **Connect account** against a replaced
//! `fetch`, and refusals mapped onto their fields.

use super::*;
use onramp::components::SecretInput;
use onramp::features::azure::connect::AzureConnect;
use onramp::state::draft::{self, ConnectStore, WizardDraft};
use onramp::state::{Config, Session};
use onramp_core::ids::AccountId;
use onramp_core::onboarding::{FirstRunDraft, Panel};

const CLIENT: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const TENANT: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const SUB: &str = "16fd2706-8baf-433b-82eb-8c7fada847da";
/// A wizard key under which no draft is ever stored: the panel then keeps no part either.
const UNSTORED: &str = "onramp.draft.test-unstored";

const SECRET: &str = "Qx8~Zk.p3Rm_Ve2Lw9Nq-Ty4Hb6Js1Dc5Fg7Ku0A";

fn input(id: &str) -> HtmlInputElement {
    by_id(id).unchecked_into()
}

fn type_into(id: &str, value: &str) {
    let el = input(id);
    el.set_value(value);
    fire(&el, "input");
}

fn click(id: &str) {
    by_id(id).unchecked_into::<HtmlElement>().click();
}

fn described_by(id: &str) -> Vec<String> {
    by_id(id)
        .get_attribute("aria-describedby")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

#[wasm_bindgen_test]
async fn secret_input_reveal_is_a_pressed_toggle_and_keeps_the_value() {
    let (value, error) = field_state();
    let warning = Signal::derive(move || {
        v::secret_looks_like_secret_id(&value.get()).then(|| v::SECRET_ID_WARNING.to_owned())
    });
    let _mounted = mount_to(container(), move || {
        view! {
            <SecretInput id="t-secret" label="Client secret value" value=value error=error
                check=rule(v::azure_client_secret) hint="Never saved." warning=warning/>
        }
    });
    tick().await;
    let field = input("t-secret");
    let toggle = by_id("t-secret-reveal");
    assert_eq!(field.type_(), "password");
    assert_eq!(attr(&field, "autocomplete"), "off");
    assert_eq!(toggle.tag_name(), "BUTTON");
    assert_eq!(attr(&toggle, "type"), "button");
    assert_eq!(attr(&toggle, "aria-controls"), "t-secret");
    assert_eq!(attr(&toggle, "aria-pressed"), "false");
    // Its name holds its visible text and says what it shows.
    assert_eq!(
        toggle.text_content().unwrap().trim(),
        "Show Client secret value"
    );

    type_into("t-secret", SECRET);
    tick().await;
    click("t-secret-reveal");
    tick().await;
    assert_eq!(field.type_(), "text");
    assert_eq!(attr(&toggle, "aria-pressed"), "true");
    assert_eq!(attr(&field, "spellcheck"), "false");
    click("t-secret-reveal");
    tick().await;
    assert_eq!(field.type_(), "password");
    assert_eq!(attr(&toggle, "aria-pressed"), "false");
    assert_eq!(field.value(), SECRET);
    assert_eq!(value.get_untracked(), SECRET);

    // The hint only, while nothing is wrong.
    assert_eq!(described_by("t-secret"), ["t-secret-hint"]);
    assert_eq!(text_of("t-secret-warning"), "");

    // A GUID: the warning, announced (live region) and describing the input; not an error.
    type_into("t-secret", CLIENT);
    tick().await;
    assert_eq!(text_of("t-secret-warning").trim(), v::SECRET_ID_WARNING);
    assert_eq!(
        by_id("t-secret-warning")
            .get_attribute("aria-live")
            .as_deref(),
        Some("polite")
    );
    assert_eq!(
        described_by("t-secret"),
        ["t-secret-hint", "t-secret-warning"]
    );
    fire(&field, "blur");
    tick().await;
    assert_eq!(field.get_attribute("aria-invalid"), None);

    // A refused value: the message on blur, cleared as soon as the value is fixed.
    type_into("t-secret", " padded");
    fire(&field, "blur");
    tick().await;
    assert_eq!(attr(&field, "aria-invalid"), "true");
    assert_eq!(
        text_of("t-secret-error").trim(),
        v::azure_client_secret(" padded").unwrap_err().message
    );
    assert_eq!(
        described_by("t-secret"),
        ["t-secret-hint", "t-secret-error"]
    );
    type_into("t-secret", SECRET);
    tick().await;
    assert_eq!(field.get_attribute("aria-invalid"), None);
    assert!(document().get_element_by_id("t-secret-error").is_none());
}

fn account() -> AccountId {
    AccountId::from_bits(0x1a2b_3c4d)
}

fn filled_draft() -> FirstRunDraft {
    let mut d = FirstRunDraft::default();
    let z = &mut d.connect.azure;
    z.client_id_input = CLIENT.into();
    z.tenant_id_input = TENANT.into();
    z.subscription_id_input = SUB.into();
    let today: String = js_sys::Date::new_0().to_iso_string().into();
    z.expiration_date_input = v::secret_expiration_range(&today[..10]).unwrap().0;
    z.panels.set_open(Panel::Subscription, true);
    d
}

fn mount_panel(
    draft: FirstRunDraft,
) -> (
    WizardDraft<FirstRunDraft>,
    RwSignal<bool>,
    impl Sized,
    Session,
) {
    let draft = WizardDraft::new(draft);
    let (connected, mounted, session) = mount_draft(draft, UNSTORED);
    (draft, connected, mounted, session)
}

fn mount_draft(
    draft: WizardDraft<FirstRunDraft>,
    key: &'static str,
) -> (RwSignal<bool>, impl Sized, Session) {
    // A panel left behind by a failed test would duplicate every id: remove it first.
    if let Some(stale) = document()
        .get_element_by_id("azure-subscription")
        .and_then(|el| el.closest(".disclosure").ok().flatten())
        .and_then(|el| el.parent_element())
    {
        stale.remove();
    }
    let connected = RwSignal::new(false);
    let session = signed_in("tok-azure", account());
    let mounted = mount_to(container(), move || {
        provide_context(Config::default());
        provide_context(session);
        view! { <AzureConnect store=ConnectStore::new(draft.connect, key, Callback::new(move |_| connected.set(true)))/> }
            .into_any()
    });
    (connected, mounted, session)
}

fn sent_body() -> serde_json::Value {
    serde_json::from_str(&FakeFetch::last("body").as_string().unwrap()).unwrap()
}

#[wasm_bindgen_test]
async fn azure_after_a_reload_asks_for_the_secret_and_sends_nothing_without_it() {
    let (draft, connected, mounted, session) = mount_panel(filled_draft());
    tick().await;
    assert_eq!(input("azure-client-id").value(), CLIENT);
    assert_eq!(input("azure-subscription-id").value(), SUB);
    assert_eq!(input("azure-client-secret").value(), "");
    assert!(
        text_of("azure-secret-note").contains("paste it again"),
        "{}",
        text_of("azure-secret-note")
    );

    Reflect::set(
        &web_sys::window().unwrap(),
        &"__onrampLast".into(),
        &JsValue::UNDEFINED,
    )
    .unwrap();
    let _fake = FakeFetch::respond(200, "{}", "{}");
    click("azure-connect");
    sleep(30).await;
    assert_eq!(
        text_of("azure-client-secret-error").trim(),
        "Enter the client secret's value."
    );
    assert_eq!(active_id(), "azure-client-secret");
    assert!(
        Reflect::get(&web_sys::window().unwrap(), &"__onrampLast".into())
            .unwrap()
            .is_undefined(),
        "no request without the secret"
    );
    assert!(!connected.get_untracked());

    // Typing the secret removes the note; the draft still has no trace of it.
    type_into("azure-client-secret", SECRET);
    tick().await;
    assert!(document().get_element_by_id("azure-secret-note").is_none());
    // What the panel stores: its part of the draft.
    let stored = draft
        .connect
        .with_untracked(|c| serde_json::to_string(&c.azure).unwrap());
    assert!(!stored.contains(SECRET), "{stored}");
    assert!(stored.contains(TENANT), "{stored}");

    drop(mounted);
    session.clear();
}

#[wasm_bindgen_test]
async fn azure_typed_answers_are_stored_but_never_the_secret() {
    let store = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    let part_key = format!("{}/azure", draft::FIRST_RUN_DRAFT_KEY);
    store.remove_item(draft::FIRST_RUN_DRAFT_KEY).unwrap();
    store.remove_item(&part_key).unwrap();
    let owner = Owner::new();
    let persisted = owner.with(|| draft::first_run(FirstRunDraft::default));
    let (_connected, mounted, session) = mount_draft(*persisted, draft::FIRST_RUN_DRAFT_KEY);
    tick().await;
    type_into("azure-client-id", CLIENT);
    type_into("azure-client-secret", SECRET);
    tick().await;
    tick().await;
    let stored = |key: &str| store.get_item(key).unwrap().unwrap_or_default();
    // The panel keeps its answers apart from the wizard's own draft.
    let part = stored(&part_key);
    assert!(part.contains(CLIENT), "{part}");
    assert!(!part.contains(SECRET), "{part}");
    let wizard = stored(draft::FIRST_RUN_DRAFT_KEY);
    assert!(!wizard.is_empty() && !wizard.contains(CLIENT), "{wizard}");
    drop(mounted);

    // A reload: the wizard's draft comes back without the part; the panel reads it back.
    let owner = Owner::new();
    let reloaded = owner.with(|| draft::first_run(FirstRunDraft::default));
    assert_eq!(reloaded.connect.get_untracked().azure.client_id_input, "");
    let (_connected, mounted, _) = mount_draft(*reloaded, draft::FIRST_RUN_DRAFT_KEY);
    tick().await;
    assert_eq!(input("azure-client-id").value(), CLIENT);
    assert_eq!(
        input("azure-client-secret").value(),
        "",
        "the secret is typed again"
    );

    // Cleared (signed out, or connected): neither the draft nor its part stays behind.
    reloaded.clear();
    assert_eq!(store.get_item(&part_key).unwrap(), None);
    assert_eq!(store.get_item(draft::FIRST_RUN_DRAFT_KEY).unwrap(), None);
    drop(mounted);
    session.clear();
}

#[wasm_bindgen_test]
async fn azure_validate_and_connect_send_flat_bodies_and_map_refusals() {
    let (draft, connected, mounted, session) = mount_panel(FirstRunDraft::default());
    tick().await;
    assert!(
        document().get_element_by_id("azure-secret-note").is_none(),
        "no 'paste it again' on a first visit"
    );
    assert_eq!(
        by_id("azure-subscription-button")
            .get_attribute("aria-expanded")
            .as_deref(),
        Some("true")
    );
    type_into("azure-client-id", &format!("{{{}}}", CLIENT.to_uppercase()));
    type_into("azure-tenant-id", TENANT);
    type_into("azure-client-secret", SECRET);
    type_into("azure-subscription-id", SUB);
    tick().await;
    // The role definition follows the typed subscription.
    assert!(
        text_of("azure-role-json-code").contains(&format!("\"/subscriptions/{SUB}\"")),
        "{}",
        text_of("azure-role-json-code")
    );
    assert!(text_of("azure-role-commands-code").contains(&format!("--assignee {CLIENT}")));

    // Validate: the validation endpoint, no expiration date (none typed yet, and none sent).
    let ok = format!(r#"{{{REQ},"response":{{"status":{{"code":200,"message":"OK"}}}}}}"#);
    let fake = FakeFetch::respond(200, &ok, "{'Content-Type': 'application/json'}");
    click("azure-validate");
    sleep(50).await;
    assert_eq!(
        FakeFetch::last("url"),
        "/api/azure/setup/credentials/validation?accountId=act-1a2b3c4d"
    );
    assert_eq!(FakeFetch::last("method"), "POST");
    let body = sent_body();
    assert_eq!(
        body,
        serde_json::json!({
            "clientId": CLIENT, "tenantId": TENANT, "subscriptionId": SUB, "clientSecret": SECRET,
        })
    );
    assert!(
        document()
            .get_element_by_id("azure-secret-expiration-error")
            .is_none(),
        "Validate does not ask for the date"
    );
    assert!(
        document()
            .body()
            .unwrap()
            .inner_html()
            .contains("Validation passed"),
        "the validation result is shown"
    );
    drop(fake);

    // Connect without a date: the message at the date, nothing sent.
    let fake = FakeFetch::respond(200, &ok, "{'Content-Type': 'application/json'}");
    Reflect::set(
        &web_sys::window().unwrap(),
        &"__onrampLast".into(),
        &JsValue::UNDEFINED,
    )
    .unwrap();
    click("azure-connect");
    sleep(30).await;
    assert_eq!(
        text_of("azure-secret-expiration-error").trim(),
        "Choose the date the client secret expires."
    );
    assert_eq!(active_id(), "azure-secret-expiration");
    assert!(
        Reflect::get(&web_sys::window().unwrap(), &"__onrampLast".into())
            .unwrap()
            .is_undefined()
    );
    drop(fake);

    // A refusal naming a field lands at that field.
    let today: String = js_sys::Date::new_0().to_iso_string().into();
    let (_, latest) = v::secret_expiration_range(&today[..10]).unwrap();
    type_into("azure-secret-expiration", &latest);
    tick().await;
    let refused = validation_error("Azure does not know this tenant.", "body.tenantId");
    let fake = FakeFetch::respond(400, &refused, "{'Content-Type': 'application/json'}");
    click("azure-connect");
    sleep(50).await;
    assert_eq!(
        FakeFetch::last("url"),
        "/api/azure/setup/credentials?accountId=act-1a2b3c4d"
    );
    let body = sent_body();
    assert_eq!(body["expirationDate"], format!("{latest}T00:00:00.000Z"));
    assert_eq!(body["clientSecret"], SECRET);
    assert_eq!(
        text_of("azure-tenant-id-error").trim(),
        "Azure does not know this tenant."
    );
    assert_eq!(active_id(), "azure-tenant-id");
    assert!(!connected.get_untracked());
    drop(fake);

    // Accepted: the wizard is told; the secret never reached the draft.
    let fake = FakeFetch::respond(200, &ok, "{'Content-Type': 'application/json'}");
    click("azure-connect");
    sleep(50).await;
    assert!(connected.get_untracked());
    let stored = draft.with_untracked(|d| serde_json::to_string(d).unwrap());
    assert!(!stored.contains(SECRET), "{stored}");
    drop(fake);

    drop(mounted);
    session.clear();
}
