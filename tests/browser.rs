//! Browser tests (headless Chromium via wasm-bindgen-test): components and the API client.
//! All in one binary because each binary pays for a browser start.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect};
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use onramp::api::{Api, ApiError};
use onramp::components::{Field, MenuButton, MenuItem, PasswordChecklist, rule};
use onramp_core::dto::{CloudProvider, PasswordGrant, SignupRequest};
use onramp_core::validate as v;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{
    Document, Element, Event, EventInit, HtmlElement, HtmlInputElement, KeyboardEvent,
    KeyboardEventInit,
};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh element under `<body>` for one test's component.
fn container() -> HtmlElement {
    let div = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn by_id(id: &str) -> Element {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("no element #{id}"))
}

fn active_id() -> String {
    document()
        .active_element()
        .map(|e| e.id())
        .unwrap_or_default()
}

fn fire(target: &Element, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    let ev = Event::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&ev).unwrap();
}

fn press(target: &Element, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&ev).unwrap();
}

// ---- Field ---------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn field_shows_message_after_blur_and_keeps_value() {
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let _mounted = mount_to(container(), move || {
        view! {
            <Field id="t-email" label="Email" value=value error=error check=rule(v::email)
                hint="We send the receipt here." input_type="email" autocomplete="email"/>
        }
    });
    tick().await;
    let input: HtmlInputElement = by_id("t-email").unchecked_into();
    assert_eq!(
        input.get_attribute("autocomplete").as_deref(),
        Some("email")
    );
    let label = document()
        .query_selector("label[for=t-email]")
        .unwrap()
        .unwrap();
    assert_eq!(label.text_content().as_deref(), Some("Email"));

    input.set_value("not-an-email");
    fire(&input, "input");
    tick().await;
    // Typing alone does not scold: the first check is on blur.
    assert_eq!(input.get_attribute("aria-invalid"), None);
    assert_eq!(value.get_untracked(), "not-an-email");

    fire(&input, "blur");
    tick().await;
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    let message = by_id("t-email-error");
    let expected = v::email("not-an-email").unwrap_err().message;
    assert_eq!(message.text_content().unwrap().trim(), expected);
    let described: Vec<String> = input
        .get_attribute("aria-describedby")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert!(
        described.contains(&"t-email-error".to_owned()),
        "{described:?}"
    );
    assert!(
        described.contains(&"t-email-hint".to_owned()),
        "{described:?}"
    );
    assert_eq!(
        input.value(),
        "not-an-email",
        "the value survives the error"
    );

    // Fixing the value clears the message as the user types.
    input.set_value("ada@example.com");
    fire(&input, "input");
    tick().await;
    assert_eq!(input.get_attribute("aria-invalid"), None);
    assert!(document().get_element_by_id("t-email-error").is_none());
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("t-email-hint")
    );
}

#[wasm_bindgen_test]
async fn field_select_lists_countries_and_validates() {
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let _mounted = mount_to(container(), move || {
        view! {
            <Field id="t-country" label="Country" value=value error=error check=rule(v::country)
                options=onramp_core::countries::COUNTRIES empty_option="Choose your country"
                autocomplete="country"/>
        }
    });
    tick().await;
    let select: web_sys::HtmlSelectElement = by_id("t-country").unchecked_into();
    assert_eq!(
        select.length() as usize,
        onramp_core::countries::COUNTRIES.len() + 1
    );
    fire(&select, "blur");
    tick().await;
    assert_eq!(
        select.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        by_id("t-country-error").text_content().unwrap().trim(),
        "Choose your country."
    );
    select.set_value("FR");
    fire(&select, "change");
    tick().await;
    assert_eq!(value.get_untracked(), "FR");
    assert_eq!(select.get_attribute("aria-invalid"), None);
}

// ---- Password checklist -------------------------------------------------------------------

fn check_state(check: &str) -> String {
    document()
        .query_selector(&format!("#t-rules li[data-check={check}] .check-state"))
        .unwrap()
        .unwrap_or_else(|| panic!("no line {check}"))
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn password_checklist_follows_the_password() {
    let password = RwSignal::new(String::new());
    let _mounted = mount_to(container(), move || {
        view! { <PasswordChecklist id="t-rules" password=password/> }
    });
    tick().await;
    let list = document().query_selector("#t-rules ul").unwrap().unwrap();
    assert_eq!(list.get_attribute("aria-live").as_deref(), Some("polite"));
    for check in ["Length", "Digit", "Upper", "Lower", "Special"] {
        assert_eq!(check_state(check), "not met", "{check}");
    }
    password.set("abc1".into());
    tick().await;
    assert_eq!(check_state("Digit"), "met");
    assert_eq!(check_state("Lower"), "met");
    assert_eq!(check_state("Upper"), "not met");
    assert_eq!(check_state("Length"), "not met");
    password.set("Abcdefg1!".into());
    tick().await;
    for check in ["Length", "Digit", "Upper", "Lower", "Special"] {
        assert_eq!(check_state(check), "met", "{check}");
    }
}

// ---- Menu button --------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn menu_button_keyboard() {
    let chosen = RwSignal::new(None::<&'static str>);
    let _mounted = mount_to(container(), move || {
        view! {
            <MenuButton
                id="t-menu"
                label="Ada Lovelace"
                detail="Analytical Engines"
                items=vec![
                    MenuItem { label: "Dashboard", on_select: Callback::new(move |()| chosen.set(Some("Dashboard"))) },
                    MenuItem { label: "Sign out", on_select: Callback::new(move |()| chosen.set(Some("Sign out"))) },
                ]
            />
        }
    });
    tick().await;
    let button = by_id("t-menu-button");
    let menu = by_id("t-menu");
    assert_eq!(
        button.get_attribute("aria-haspopup").as_deref(),
        Some("menu")
    );
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(menu.has_attribute("hidden"));
    assert!(
        button
            .text_content()
            .unwrap()
            .contains("Analytical Engines")
    );
    let items = menu.query_selector_all("[role=menuitem]").unwrap();
    assert_eq!(items.length(), 2);
    let item = |i: u32| -> Element { items.item(i).unwrap().unchecked_into() };
    let focused = || document().active_element().unwrap();

    button.unchecked_ref::<HtmlElement>().focus().unwrap();
    press(&button, "ArrowDown");
    tick().await;
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert!(!menu.has_attribute("hidden"));
    assert_eq!(focused(), item(0));

    press(&focused(), "ArrowDown");
    assert_eq!(focused(), item(1));
    press(&focused(), "ArrowDown");
    assert_eq!(focused(), item(0), "wraps around");
    press(&focused(), "ArrowUp");
    assert_eq!(focused(), item(1), "wraps backwards");
    press(&focused(), "Home");
    assert_eq!(focused(), item(0));
    press(&focused(), "End");
    assert_eq!(focused(), item(1));

    press(&focused(), "Escape");
    tick().await;
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(menu.has_attribute("hidden"));
    assert_eq!(active_id(), "t-menu-button", "focus returns to the button");

    press(&button, "ArrowUp");
    tick().await;
    assert_eq!(focused(), item(1), "ArrowUp opens on the last item");
    focused().unchecked_ref::<HtmlElement>().click();
    tick().await;
    assert_eq!(chosen.get_untracked(), Some("Sign out"));
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert_eq!(active_id(), "t-menu-button");
}

// ---- API client against a replaced fetch --------------------------------------------------

/// Replaces `window.fetch` for one test and restores it on drop. The fake records the last
/// request in `window.__onrampLast`.
struct FakeFetch {
    original: JsValue,
}

impl FakeFetch {
    fn with_body(body: &str) -> Self {
        let code = format!(
            "window.__onrampLast = {{url: url, method: init.method, \
               auth: init.headers.get('Authorization'), body: init.body}}; {body}"
        );
        let window = web_sys::window().unwrap();
        let original = Reflect::get(&window, &"fetch".into()).unwrap();
        let fake = Function::new_with_args("url, init", &code);
        Reflect::set(&window, &"fetch".into(), &fake).unwrap();
        Self { original }
    }

    fn respond(status: u16, json: &str, headers: &str) -> Self {
        let json = JsValue::from_str(json);
        let window = web_sys::window().unwrap();
        Reflect::set(&window, &"__onrampBody".into(), &json).unwrap();
        Self::with_body(&format!(
            "return Promise.resolve(new Response(window.__onrampBody, \
               {{status: {status}, headers: {headers}}}));"
        ))
    }

    fn last(field: &str) -> JsValue {
        let window = web_sys::window().unwrap();
        let last = Reflect::get(&window, &"__onrampLast".into()).unwrap();
        Reflect::get(&last, &field.into()).unwrap()
    }
}

impl Drop for FakeFetch {
    fn drop(&mut self) {
        let window = web_sys::window().unwrap();
        Reflect::set(&window, &"fetch".into(), &self.original).unwrap();
    }
}

const REQ: &str = r#""request":{"id":"6f1c2d3e-0000-4000-8000-00000000abcd","url":"/x","method":"GET","timestamp":"2026-11-22T10:43:42.538Z"}"#;

fn api() -> Api {
    Api::new("/api", Some("tok-123".into()))
}

#[wasm_bindgen_test]
async fn api_decodes_success_envelope() {
    let body = format!(
        r#"{{{REQ},"response":{{"status":{{"code":200,"message":"OK"}},"kind":"spotinst:setup:account","count":2,
        "items":[{{"accountId":"act-1a2b3c4d","name":"Acme","organizationId":606079874744,"providerExternalId":null,"cloudProvider":null,"createdAt":"2026-11-22T10:43:42.538Z"}},
                 {{"accountId":"act-0000beef","name":"Prod","organizationId":"606079874744","providerExternalId":"123456789012","cloudProvider":"aws","createdAt":"2026-11-22T11:00:00.000Z"}}]}}}}"#
    );
    let _fake = FakeFetch::respond(200, &body, "{'Content-Type': 'application/json'}");
    let accounts = api().list_accounts().await.expect("decoded");
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0].account_id.as_str(), "act-1a2b3c4d");
    assert_eq!(accounts[0].cloud_provider, None);
    assert_eq!(accounts[1].cloud_provider, Some(CloudProvider::Aws));
    assert_eq!(FakeFetch::last("url"), "/api/setup/account");
    assert_eq!(FakeFetch::last("method"), "GET");
    assert_eq!(FakeFetch::last("auth"), "Bearer tok-123");
}

#[wasm_bindgen_test]
async fn api_maps_field_errors_to_fields() {
    let body = format!(
        r#"{{{REQ},"response":{{"status":{{"code":409,"message":"Conflict"}},
        "errors":[{{"code":"Email_ALREADY_REGISTERED","message":"That email is already registered.","field":"body.email"}}]}}}}"#
    );
    let _fake = FakeFetch::respond(409, &body, "{}");
    let req = SignupRequest {
        full_name: "Ada Lovelace".into(),
        company: "Acme".into(),
        email: "ada@example.com".into(),
        country: "GB".into(),
        password: "Abcdefg1!".into(),
    };
    let err = api().signup(&req).await.unwrap_err();
    assert_eq!(err.status(), Some(409));
    assert_eq!(
        err.field_message("email"),
        Some("That email is already registered.")
    );
    assert_eq!(err.field_message("password"), None);
    assert_eq!(
        err.request_id(),
        Some("6f1c2d3e-0000-4000-8000-00000000abcd")
    );
    assert_eq!(FakeFetch::last("method"), "POST");
    let sent = FakeFetch::last("body").as_string().unwrap();
    assert!(sent.contains(r#""fullName":"Ada Lovelace""#), "{sent}");

    let body = format!(
        r#"{{{REQ},"response":{{"status":{{"code":400,"message":"Bad Request"}},
        "errors":[{{"code":"ValidationError","message":"Use a longer password.","field":"body.password"}}]}}}}"#
    );
    let _fake = FakeFetch::respond(400, &body, "{}");
    let err = api().signup(&req).await.unwrap_err();
    assert!(matches!(err, ApiError::Http { status: 400, .. }));
    assert_eq!(
        err.field_message("password"),
        Some("Use a longer password.")
    );
}

#[wasm_bindgen_test]
async fn api_401_is_unauthorized() {
    let body = format!(
        r#"{{{REQ},"response":{{"status":{{"code":401,"message":"Unauthorized"}},"errors":[{{"code":"InvalidCredentials","message":"no"}}]}}}}"#
    );
    let _fake = FakeFetch::respond(401, &body, "{}");
    let grant = PasswordGrant {
        email: "ada@example.com".into(),
        password: "wrong".into(),
    };
    assert_eq!(api().token(&grant).await, Err(ApiError::Unauthorized));
    assert_eq!(api().me().await, Err(ApiError::Unauthorized));
}

#[wasm_bindgen_test]
async fn api_429_is_rate_limited_with_reset() {
    let body = format!(
        r#"{{{REQ},"response":{{"status":{{"code":429,"message":"Too Many Requests"}},"data":"Rate limit exceeded"}}}}"#
    );
    let _fake = FakeFetch::respond(
        429,
        &body,
        "{'X-RateLimit-Limit': '600', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '37'}",
    );
    assert_eq!(
        api().list_accounts().await,
        Err(ApiError::RateLimited {
            reset_secs: Some(37)
        })
    );
}

#[wasm_bindgen_test]
async fn api_malformed_json_is_decode_error() {
    let _fake = FakeFetch::respond(200, "{\"request\": oops", "{}");
    assert_eq!(api().list_accounts().await, Err(ApiError::Decode));
    // Valid JSON of the wrong shape is just as unreadable.
    let _fake = FakeFetch::respond(200, "{\"hello\": 1}", "{}");
    assert_eq!(api().me().await, Err(ApiError::Decode));
}

#[wasm_bindgen_test]
async fn api_never_answering_fetch_times_out() {
    let _fake = FakeFetch::with_body(
        "window.__onrampSignal = init.signal; return new Promise(function () {});",
    );
    let started = js_sys::Date::now();
    let result = api().with_timeout(60).list_accounts().await;
    assert_eq!(result, Err(ApiError::Timeout));
    assert!(js_sys::Date::now() - started < 5_000.0);
    // The request is aborted, not left running.
    let window = web_sys::window().unwrap();
    let signal: web_sys::AbortSignal = Reflect::get(&window, &"__onrampSignal".into())
        .unwrap()
        .unchecked_into();
    assert!(signal.aborted());
}

#[wasm_bindgen_test]
async fn api_rejected_fetch_is_network_error() {
    let _fake = FakeFetch::with_body("return Promise.reject(new TypeError('Failed to fetch'));");
    assert_eq!(api().list_accounts().await, Err(ApiError::Network));
}

// ---- Session, drafts and config -----------------------------------------------------------

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
fn config_defaults_to_same_origin_api() {
    use onramp::state::Config;
    assert_eq!(Config::parse("{}").unwrap().api_base_url, "/api");
    let c = Config::parse(
        r#"{"apiBaseUrl": "https://api.spotinst.io", "embedOrigins": ["https://partner.example"],
            "spotPrincipal": "arn:aws:iam::922761411349:root", "spotAwsAccountId": "922761411349"}"#,
    )
    .unwrap();
    assert_eq!(c.api_base_url, "https://api.spotinst.io");
    assert_eq!(c.embed_origins, vec!["https://partner.example".to_owned()]);
    assert_eq!(Config::parse("not json"), None);
}
