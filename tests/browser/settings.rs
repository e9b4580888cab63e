//! The settings screens against a replaced `fetch` answering per route: Members (a role changed
//! in place with focus kept, removal after a confirmation naming the person, the server's
//! LAST_ADMIN refusal inside the dialog, a viewer's read-only table), Security (a wrong password
//! at the token form's password field, the new token shown once, a wrong current password at
//! the password form, sign out everywhere ending this tab's session).

use super::*;
use onramp::features::settings::security::SIGNED_OUT_EVERYWHERE;
use onramp::features::settings::{Members, Security};
use onramp::platform::history::provide_history;
use onramp::state::{Config, Profile, Session};
use onramp_core::dto::Role;

const ADA: &str = "u-0000ada0";
const BOB: &str = "u-0000b0b0";

fn ok(kind: &str, items: &str) -> String {
    format!(
        r#"{{{REQ},"response":{{"status":{{"code":200,"message":"OK"}},"kind":"{kind}","items":{items}}}}}"#
    )
}

fn status_only() -> String {
    format!(r#"{{{REQ},"response":{{"status":{{"code":200,"message":"OK"}}}}}}"#)
}

fn refusal(status: u16, code: &str, message: &str, field: Option<&str>) -> String {
    let field = field.map_or(String::new(), |f| format!(r#","field":"{f}""#));
    format!(
        r#"{{{REQ},"response":{{"status":{{"code":{status},"message":"No"}},"errors":[{{"code":"{code}","message":"{message}"{field}}}]}}}}"#
    )
}

fn member(id: &str, name: &str, email: &str, role: &str) -> String {
    format!(
        r#"{{"userId":"{id}","name":"{name}","email":"{email}","role":"{role}","joined":"2026-11-30T10:00:00.000Z"}}"#
    )
}

fn members(bob_role: &str) -> String {
    ok(
        "onramp:member",
        &format!(
            "[{},{}]",
            member(ADA, "Ada Lovelace", "ada@example.com", "admin"),
            member(BOB, "Bob Builder", "bob@example.com", bob_role)
        ),
    )
}

/// A fetch that answers by `METHOD path` (set with [`route`]) and records every call in
/// `window.__onrampCalls`; an unknown route answers 599.
fn routed() -> FakeFetch {
    let window = web_sys::window().unwrap();
    Reflect::set(&window, &"__onrampRoutes".into(), &js_sys::Object::new()).unwrap();
    Reflect::set(&window, &"__onrampCalls".into(), &js_sys::Array::new()).unwrap();
    FakeFetch::with_body(
        "window.__onrampCalls.push({method: init.method, url: url, body: init.body}); \
         var r = window.__onrampRoutes[init.method + ' ' + url]; \
         if (!r) return Promise.resolve(new Response('{}', {status: 599})); \
         return Promise.resolve(new Response(r.body, {status: r.status}));",
    )
}

fn route(key: &str, status: u16, body: &str) {
    let window = web_sys::window().unwrap();
    let routes = Reflect::get(&window, &"__onrampRoutes".into()).unwrap();
    let answer = js_sys::Object::new();
    Reflect::set(&answer, &"status".into(), &status.into()).unwrap();
    Reflect::set(&answer, &"body".into(), &body.into()).unwrap();
    Reflect::set(&routes, &key.into(), &answer).unwrap();
}

/// Every call so far as `METHOD path`, and the last call's body.
fn calls() -> Vec<String> {
    let window = web_sys::window().unwrap();
    let list: js_sys::Array = Reflect::get(&window, &"__onrampCalls".into())
        .unwrap()
        .unchecked_into();
    list.iter()
        .map(|c| {
            let get = |k: &str| {
                Reflect::get(&c, &k.into())
                    .unwrap()
                    .as_string()
                    .unwrap_or_default()
            };
            format!("{} {}", get("method"), get("url"))
        })
        .collect()
}

fn last_body() -> serde_json::Value {
    serde_json::from_str(&FakeFetch::last("body").as_string().unwrap()).unwrap()
}

fn session_as(role: Role) -> Session {
    let session = Session::restore();
    session.sign_in(
        "tok-settings".into(),
        Some(Profile {
            name: Some("Ada Lovelace".into()),
            email: Some("ada@example.com".into()),
            organization: "Acme".into(),
            default_account_id: None,
            role: Some(role),
        }),
    );
    session
}

/// Drops what an earlier (failed) test left, so ids stay unique.
fn fresh_root() -> HtmlElement {
    let stale = document()
        .query_selector_all(".settings-under-test")
        .unwrap();
    for i in 0..stale.length() {
        if let Some(node) = stale.item(i) {
            node.unchecked_into::<Element>().remove();
        }
    }
    let root = container();
    root.class_list().add_1("settings-under-test").unwrap();
    root
}

fn mount_members(session: Session) -> impl Sized {
    mount_to(fresh_root(), move || {
        provide_context(Config::default());
        provide_context(session);
        provide_history();
        view! { <Members/> }
    })
}

fn mount_security(session: Session) -> impl Sized {
    mount_to(fresh_root(), move || {
        provide_context(Config::default());
        provide_context(session);
        provide_history();
        view! { <Security/> }
    })
}

fn row(id: &str) -> Option<Element> {
    document()
        .query_selector(&format!("tr[data-member=\"{id}\"]"))
        .unwrap()
}

fn cell_text(id: &str, n: u32) -> String {
    row(id)
        .and_then(|r| r.query_selector_all("td").unwrap().item(n))
        .and_then(|c| c.text_content())
        .unwrap_or_default()
}

fn click(el: &Element) {
    el.unchecked_ref::<HtmlElement>().click();
}

fn type_into(id: &str, value: &str) {
    let el: HtmlInputElement = by_id(id).unchecked_into();
    el.set_value(value);
    fire(&el, "input");
}

fn dialog_open(id: &str) -> bool {
    by_id(id).has_attribute("open")
}

fn confirm_button(dialog: &str) -> Element {
    document()
        .query_selector(&format!("#{dialog} .btn-danger"))
        .unwrap()
        .expect("the dialog's confirm button")
}

fn submit(form_child: &str) {
    let form = by_id(form_child).closest("form").unwrap().unwrap();
    let button = form.query_selector("button[type=submit]").unwrap().unwrap();
    click(&button);
}

#[wasm_bindgen_test]
async fn members_admin_changes_a_role_in_place_then_removes_after_confirming() {
    let _fake = routed();
    route("GET /api/onramp/members", 200, &members("viewer"));
    let session = session_as(Role::Admin);
    let mounted = mount_members(session);
    until("the members", || row(BOB).is_some()).await;

    // Admins get the actions; the signed-in user's own row says so.
    assert!(
        text_of("member-role-u-0000ada0").contains("Make viewer"),
        "{}",
        text_of("member-role-u-0000ada0")
    );
    assert!(row(ADA).unwrap().text_content().unwrap().contains("You"));
    assert_eq!(cell_text(BOB, 1), "Viewer");
    assert_eq!(cell_text(BOB, 2), "30 Nov 2026");

    // One press makes Bob an admin: the row changes in place and keeps focus on its button.
    route(
        &format!("PUT /api/onramp/members/{BOB}"),
        200,
        &ok(
            "onramp:member",
            &format!(
                "[{}]",
                member(BOB, "Bob Builder", "bob@example.com", "admin")
            ),
        ),
    );
    let bob_role = by_id(&format!("member-role-{BOB}"));
    bob_role.unchecked_ref::<HtmlElement>().focus().unwrap();
    click(&bob_role);
    until("Bob to be an admin", || cell_text(BOB, 1) == "Admin").await;
    assert_eq!(FakeFetch::last("method").as_string().unwrap(), "PUT");
    assert_eq!(last_body(), serde_json::json!({"role": "admin"}));
    assert!(text_of(&format!("member-role-{BOB}")).contains("Make viewer"));
    until("focus back on Bob's role button", || {
        active_id() == format!("member-role-{BOB}")
    })
    .await;
    let status = by_id("members-heading")
        .parent_element()
        .unwrap()
        .query_selector("[role=status]")
        .unwrap()
        .unwrap();
    assert!(
        status
            .text_content()
            .unwrap()
            .contains("Bob Builder is now an admin."),
        "{:?}",
        status.text_content()
    );

    // Removing asks first, naming the person; nothing is sent before the confirmation.
    let remove = row(BOB)
        .unwrap()
        .query_selector(".btn-danger")
        .unwrap()
        .unwrap();
    click(&remove);
    until("the dialog", || dialog_open("member-dialog")).await;
    assert_eq!(text_of("member-dialog-title"), "Remove Bob Builder?");
    assert!(text_of("member-dialog").contains("bob@example.com"));
    assert!(!calls().iter().any(|c| c.starts_with("DELETE")));
    route(
        &format!("DELETE /api/onramp/members/{BOB}"),
        200,
        &status_only(),
    );
    click(&confirm_button("member-dialog"));
    until("Bob's row to go", || row(BOB).is_none()).await;
    assert!(calls().contains(&format!("DELETE /api/onramp/members/{BOB}")));
    assert!(!dialog_open("member-dialog"));
    until("focus on the heading", || active_id() == "members-heading").await;
    assert!(
        status
            .text_content()
            .unwrap()
            .contains("Bob Builder was removed")
    );
    drop(mounted);
    session.clear();
}

#[wasm_bindgen_test]
async fn members_the_last_admin_refusal_is_said_in_the_dialog() {
    let _fake = routed();
    route("GET /api/onramp/members", 200, &members("viewer"));
    let session = session_as(Role::Admin);
    let mounted = mount_members(session);
    until("the members", || row(ADA).is_some()).await;

    // Demoting yourself ends your session: asked first.
    click(&by_id(&format!("member-role-{ADA}")));
    until("the dialog", || dialog_open("member-dialog")).await;
    assert_eq!(text_of("member-dialog-title"), "Make yourself a viewer?");
    assert!(!calls().iter().any(|c| c.starts_with("PUT")));
    let message = "This is the organization's only admin. Make another member an admin first.";
    route(
        &format!("PUT /api/onramp/members/{ADA}"),
        409,
        &refusal(409, "LAST_ADMIN", message, None),
    );
    click(&confirm_button("member-dialog"));
    let alert = || {
        document()
            .query_selector("#member-dialog [role=alert]")
            .unwrap()
            .and_then(|a| a.text_content())
            .unwrap_or_default()
    };
    until("the refusal in the dialog", || alert().contains(message)).await;
    assert!(dialog_open("member-dialog"), "the dialog stays open");
    assert_eq!(session.token_untracked().as_deref(), Some("tok-settings"));
    assert_eq!(cell_text(ADA, 1), "Admin");
    drop(mounted);
    session.clear();
}

#[wasm_bindgen_test]
async fn members_a_viewer_sees_the_list_without_controls() {
    let _fake = routed();
    route("GET /api/onramp/members", 200, &members("viewer"));
    let session = session_as(Role::Viewer);
    let mounted = mount_members(session);
    until("the members", || row(BOB).is_some()).await;
    let table = document()
        .query_selector(".members-table")
        .unwrap()
        .unwrap();
    assert_eq!(table.query_selector_all("button").unwrap().length(), 0);
    assert!(!table.text_content().unwrap().contains("Actions"));
    assert!(
        document()
            .query_selector(".settings .lead")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
            .contains("Only admins")
    );
    drop(mounted);
    session.clear();
}

#[wasm_bindgen_test]
async fn tokens_a_wrong_password_is_at_its_field_and_the_new_token_is_shown_once() {
    let _fake = routed();
    route("GET /api/onramp/tokens", 200, &ok("onramp:token", "[]"));
    let session = session_as(Role::Viewer);
    let mounted = mount_security(session);
    until("the empty list", || {
        document()
            .query_selector(".tokens-empty")
            .unwrap()
            .is_some()
    })
    .await;

    click(&by_id("tokens-create"));
    until("the form, focused", || active_id() == "token-name").await;
    // The dialog focuses the name as it opens and the form once more a frame later; a user
    // types after that (typing first, the second focus took Days' focus back: a flake).
    next_frame().await;
    assert_eq!(active_id(), "token-name");
    assert_eq!(
        by_id("token-days")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "90"
    );

    // The days are checked here with core's rule: nothing is sent.
    type_into("token-name", "CI deploy");
    type_into("token-days", "0");
    type_into("token-password", "Wrong-password-1");
    submit("token-name");
    until("the days message", || {
        document().get_element_by_id("token-days-error").is_some()
    })
    .await;
    assert!(text_of("token-days-error").contains("from 1 to 365"));
    // The form moves focus once its messages are drawn, which may be a frame after they show.
    until("focus at the refused Days", || active_id() == "token-days").await;
    assert!(!calls().iter().any(|c| c.starts_with("POST")));

    // A wrong password: the server's words at the password field, focused, the field emptied.
    type_into("token-days", "30");
    let wrong = "This is not your current password. Try again.";
    route(
        "POST /api/onramp/tokens",
        400,
        &refusal(400, "WRONG_PASSWORD", wrong, Some("body.password")),
    );
    submit("token-name");
    until("the password message", || {
        document()
            .get_element_by_id("token-password-error")
            .is_some()
    })
    .await;
    assert_eq!(text_of("token-password-error").trim(), wrong);
    assert_eq!(active_id(), "token-password");
    assert_eq!(
        last_body(),
        serde_json::json!({"name": "CI deploy", "expiresInDays": 30.0, "password": "Wrong-password-1"})
    );
    assert_eq!(
        by_id("token-password")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        ""
    );
    assert!(document().get_element_by_id("token-name-error").is_none());

    // The right one: the token, once, with Copy and the warning; in no storage.
    let secret = "s3cr3t-T0ken-abcdefghijklmnopqrstuvwxyz0123";
    let token = r#"{"tokenId":"tok-0000c1c1","name":"CI deploy","created":"2026-12-01T00:00:00.000Z","expires":"2026-12-31T00:00:00.000Z","lastUsed":null}"#;
    route(
        "POST /api/onramp/tokens",
        200,
        &ok(
            "onramp:token:created",
            &format!(r#"[{{"token":{token},"accessToken":"{secret}","tokenType":"Bearer"}}]"#),
        ),
    );
    type_into("token-password", "Right-password-1");
    submit("token-name");
    until("the new token", || {
        document().get_element_by_id("token-value").is_some()
    })
    .await;
    assert_eq!(
        by_id("token-value")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        secret
    );
    assert_eq!(text_of("token-dialog-title"), "Token “CI deploy” created");
    assert!(text_of("token-once").contains("won't be shown again"));
    assert!(document().get_element_by_id("token-copy-status").is_some());
    let window = web_sys::window().unwrap();
    for store in [
        window.session_storage().unwrap().unwrap(),
        window.local_storage().unwrap().unwrap(),
    ] {
        for i in 0..store.length().unwrap() {
            let key = store.key(i).unwrap().unwrap();
            let value = store.get_item(&key).unwrap().unwrap_or_default();
            assert!(!value.contains(secret), "{key} holds the token");
            assert!(
                !value.contains("Right-password-1"),
                "{key} holds the password"
            );
        }
    }

    // Done: the token is gone from the page, the list is loaded again and shows it.
    route(
        "GET /api/onramp/tokens",
        200,
        &ok("onramp:token", &format!("[{token}]")),
    );
    click(
        &by_id("token-dialog")
            .query_selector(".btn-primary")
            .unwrap()
            .unwrap(),
    );
    until("the listed token", || {
        document()
            .query_selector("tr[data-token=\"tok-0000c1c1\"]")
            .unwrap()
            .is_some()
    })
    .await;
    assert!(document().get_element_by_id("token-value").is_none());
    let listed = document()
        .query_selector("tr[data-token=\"tok-0000c1c1\"]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(listed.contains("Never"), "{listed}");
    assert!(listed.contains("31 Dec 2026"), "{listed}");
    drop(mounted);
    session.clear();
}

#[wasm_bindgen_test]
async fn password_a_wrong_current_password_is_at_its_field_then_the_change_is_said() {
    let _fake = routed();
    route("GET /api/onramp/tokens", 200, &ok("onramp:token", "[]"));
    let session = session_as(Role::Admin);
    let mounted = mount_security(session);
    until("the page", || {
        document()
            .query_selector(".tokens-empty")
            .unwrap()
            .is_some()
    })
    .await;

    // The new password must differ from the current one: said here, nothing sent.
    type_into("pw-current", "Same-password-1");
    type_into("pw-new", "Same-password-1");
    type_into("pw-confirm", "Same-password-1");
    submit("pw-current");
    until("the new-password message", || {
        document().get_element_by_id("pw-new-error").is_some()
    })
    .await;
    assert!(text_of("pw-new-error").contains("other than your current one"));
    assert!(!calls().iter().any(|c| c.starts_with("POST")));

    let wrong = "This is not your current password. Try again.";
    route(
        "POST /api/auth/password",
        400,
        &refusal(400, "WRONG_PASSWORD", wrong, Some("body.currentPassword")),
    );
    type_into("pw-new", "New-password-2");
    type_into("pw-confirm", "New-password-2");
    submit("pw-current");
    until("the current-password message", || {
        document().get_element_by_id("pw-current-error").is_some()
    })
    .await;
    assert_eq!(text_of("pw-current-error").trim(), wrong);
    assert_eq!(active_id(), "pw-current");
    assert_eq!(
        last_body(),
        serde_json::json!({"currentPassword": "Same-password-1", "newPassword": "New-password-2"})
    );

    // Success: said in the status line, fields emptied, the tokens loaded again.
    route("POST /api/auth/password", 200, &status_only());
    let lists_before = calls().iter().filter(|c| c.starts_with("GET")).count();
    type_into("pw-current", "Right-password-1");
    submit("pw-current");
    let status = || {
        by_id("password-heading")
            .parent_element()
            .unwrap()
            .query_selector("[role=status]")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap_or_default()
    };
    until("the success message", || {
        status().contains("every other session")
    })
    .await;
    for id in ["pw-current", "pw-new", "pw-confirm"] {
        assert_eq!(
            by_id(id).unchecked_into::<HtmlInputElement>().value(),
            "",
            "{id}"
        );
    }
    until("the tokens loaded again", || {
        calls().iter().filter(|c| c.starts_with("GET")).count() > lists_before
    })
    .await;
    drop(mounted);
    session.clear();
}

#[wasm_bindgen_test]
async fn sign_out_everywhere_asks_then_ends_this_tab_too() {
    let back = web_sys::window().unwrap().location().pathname().unwrap();
    let _fake = routed();
    route("GET /api/onramp/tokens", 200, &ok("onramp:token", "[]"));
    route("POST /api/auth/signout-everywhere", 200, &status_only());
    let session = session_as(Role::Viewer);
    let mounted = mount_security(session);
    click(&by_id("everywhere-open"));
    until("the dialog", || dialog_open("everywhere-dialog")).await;
    assert!(!calls().iter().any(|c| c.contains("signout")));
    click(&confirm_button("everywhere-dialog"));
    until("the session to end", || session.token_untracked().is_none()).await;
    assert!(calls().contains(&"POST /api/auth/signout-everywhere".to_owned()));
    assert_eq!(
        session.flash.get_untracked().as_deref(),
        Some(SIGNED_OUT_EVERYWHERE)
    );
    until("the way to sign in", || {
        web_sys::window().unwrap().location().pathname().unwrap() == "/signin"
    })
    .await;
    drop(mounted);
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some(&back))
        .unwrap();
}
