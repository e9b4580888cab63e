//! The API client's resilience against a replaced `fetch` (a scripted sequence of answers):
//! retries with backoff for safe requests only, 429 waits, no retry for writes; the Button's
//! busy state; the offline / rate-limit status line; session expiry vs sign-out.

use super::*;
use onramp::api::rate_limit_wait;
use onramp::components::{Button, OfflineBanner};
use onramp_core::retry::Policy;

/// A fetch that answers from a script, one entry per call (the last one repeats):
/// `"reject"` (network error), `"hang"` (never answers, honours abort), or
/// `{"status": 500, "body": "...", "headers": {...}}`. Calls are counted with their times.
fn scripted(entries: &str) -> FakeFetch {
    let window = web_sys::window().unwrap();
    let seq = js_sys::JSON::parse(entries).expect("script is JSON");
    Reflect::set(&window, &"__onrampSeq".into(), &seq).unwrap();
    Reflect::set(&window, &"__onrampCalls".into(), &js_sys::Array::new()).unwrap();
    FakeFetch::with_body(
        "window.__onrampCalls.push({t: Date.now(), method: init.method}); \
         var seq = window.__onrampSeq; var s = seq.length > 1 ? seq.shift() : seq[0]; \
         if (s === 'reject') return Promise.reject(new TypeError('Failed to fetch')); \
         if (s === 'hang') return new Promise(function (_, reject) { \
           init.signal.addEventListener('abort', function () { reject(new DOMException('aborted', 'AbortError')); }); }); \
         return Promise.resolve(new Response(s.body, {status: s.status, headers: s.headers || {}}));",
    )
}

/// How many times fetch was called, and the milliseconds between the first and the last call.
fn calls() -> (u32, f64) {
    let window = web_sys::window().unwrap();
    let list: js_sys::Array = Reflect::get(&window, &"__onrampCalls".into())
        .unwrap()
        .unchecked_into();
    let time = |i: u32| {
        Reflect::get(&list.get(i), &"t".into())
            .unwrap()
            .as_f64()
            .unwrap()
    };
    let n = list.length();
    let span = if n > 1 { time(n - 1) - time(0) } else { 0.0 };
    (n, span)
}

fn entry(status: u16, body: &str, headers: &str) -> String {
    format!(
        r#"{{"status":{status},"body":{},"headers":{headers}}}"#,
        serde_json::to_string(body).unwrap()
    )
}

fn ok_accounts() -> String {
    entry(
        200,
        &format!(
            r#"{{{REQ},"response":{{"status":{{"code":200,"message":"OK"}},"kind":"spotinst:setup:account","count":1,
            "items":[{{"accountId":"act-1a2b3c4d","name":"Acme","organizationId":"606079874744","providerExternalId":null,"cloudProvider":null,"createdAt":"2026-11-22T10:43:42.538Z"}}]}}}}"#
        ),
        "{}",
    )
}

fn server_error(status: u16) -> String {
    entry(
        status,
        &format!(
            r#"{{{REQ},"response":{{"status":{{"code":{status},"message":"Oops"}},"errors":[{{"code":"InternalError","message":"Something broke."}}]}}}}"#
        ),
        "{}",
    )
}

fn too_many(header: &str, secs: u64) -> String {
    entry(
        429,
        &format!(
            r#"{{{REQ},"response":{{"status":{{"code":429,"message":"Too Many Requests"}},"data":"Rate limit exceeded"}}}}"#
        ),
        &format!(r#"{{"{header}":"{secs}","X-RateLimit-Remaining":"0"}}"#),
    )
}

/// Short backoffs so the tests run fast; the shape of the policy is core's default.
fn quick() -> Api {
    api().with_retry(Policy {
        base_delay_ms: 20,
        max_delay_ms: 40,
        ..Policy::DEFAULT
    })
}

#[wasm_bindgen_test]
async fn get_is_retried_after_a_500_with_backoff_and_succeeds() {
    let _fake = scripted(&format!("[{}, {}]", server_error(500), ok_accounts()));
    let accounts = api().list_accounts().await.expect("the retry succeeds");
    assert_eq!(accounts.len(), 1);
    let (n, span) = calls();
    assert_eq!(n, 2, "one failure, one retry");
    // Core's default: the first retry waits 250–500 ms.
    assert!(span >= 240.0, "waited {span} ms before retrying");
}

#[wasm_bindgen_test]
async fn get_gives_up_after_three_tries() {
    let _fake = scripted(&format!("[{}]", server_error(503)));
    let err = quick().list_accounts().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(calls().0, 3, "3 tries in all, then the page hears of it");
}

#[wasm_bindgen_test]
async fn get_is_retried_after_a_network_error_and_a_malformed_answer() {
    let _fake = scripted(&format!(
        r#"["reject", {}, {}]"#,
        entry(
            200,
            r#"{"request": {"id": "x"}, "respo"#,
            r#"{"Content-Type":"application/json"}"#
        ),
        ok_accounts()
    ));
    assert_eq!(quick().list_accounts().await.map(|a| a.len()), Ok(1));
    assert_eq!(calls().0, 3);
}

#[wasm_bindgen_test]
async fn get_that_times_out_is_retried_then_reported_as_a_timeout() {
    let _fake = scripted(r#"["hang"]"#);
    let result = quick().with_timeout(40).list_accounts().await;
    assert_eq!(result, Err(ApiError::Timeout));
    assert_eq!(calls().0, 3);
}

#[wasm_bindgen_test]
async fn client_errors_are_not_retried() {
    let unauthorized = entry(
        401,
        &format!(
            r#"{{{REQ},"response":{{"status":{{"code":401,"message":"Unauthorized"}},"errors":[{{"code":"Unauthorized","message":"no"}}]}}}}"#
        ),
        "{}",
    );
    let _fake = scripted(&format!("[{unauthorized}, {}]", ok_accounts()));
    assert_eq!(quick().list_accounts().await, Err(ApiError::Unauthorized));
    assert_eq!(calls().0, 1);

    let not_found = entry(
        404,
        &format!(
            r#"{{{REQ},"response":{{"status":{{"code":404,"message":"Not Found"}},"errors":[{{"code":"NotFound","message":"no"}}]}}}}"#
        ),
        "{}",
    );
    let _fake = scripted(&format!("[{not_found}, {}]", ok_accounts()));
    assert_eq!(
        quick().list_accounts().await.unwrap_err().status(),
        Some(404)
    );
    assert_eq!(calls().0, 1);
}

#[wasm_bindgen_test]
async fn writes_are_never_retried_automatically() {
    let _fake = scripted(&format!("[{}, {}]", server_error(500), ok_accounts()));
    let err = quick().create_account("Prod").await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(calls().0, 1, "a POST after a 500 is the user's call");

    let _fake = scripted(r#"["reject", "reject"]"#);
    assert_eq!(
        quick().create_account("Prod").await.unwrap_err(),
        ApiError::Network
    );
    assert_eq!(calls().0, 1, "a POST whose answer was lost is not repeated");

    let _fake = scripted(r#"["hang"]"#);
    assert_eq!(
        quick().with_timeout(40).create_account("Prod").await,
        Err(ApiError::Timeout)
    );
    assert_eq!(calls().0, 1);
}

#[wasm_bindgen_test]
async fn a_write_answered_429_says_how_long_to_wait_at_once() {
    let _fake = scripted(&format!(
        "[{}, {}]",
        too_many("X-RateLimit-Reset", 2),
        ok_accounts()
    ));
    let started = js_sys::Date::now();
    assert_eq!(
        quick().create_account("Prod").await.unwrap_err(),
        ApiError::RateLimited {
            reset_secs: Some(2)
        }
    );
    assert!(
        js_sys::Date::now() - started < 1000.0,
        "no wait for a write"
    );
    assert_eq!(calls().0, 1);

    // Retry-After stands in when X-RateLimit-Reset is missing.
    let _fake = scripted(&format!("[{}]", too_many("Retry-After", 3)));
    assert_eq!(
        quick().create_account("Prod").await.unwrap_err(),
        ApiError::RateLimited {
            reset_secs: Some(3)
        }
    );
}

#[wasm_bindgen_test]
async fn a_get_answered_429_waits_for_the_reset_says_so_and_tries_again() {
    let _fake = scripted(&format!(
        "[{}, {}]",
        too_many("X-RateLimit-Reset", 1),
        ok_accounts()
    ));
    let waiting = rate_limit_wait();
    assert_eq!(waiting.get_untracked(), None);
    let result = std::rc::Rc::new(std::cell::RefCell::new(None));
    let slot = result.clone();
    leptos::task::spawn_local(async move {
        let r = quick().list_accounts().await;
        slot.replace(Some(r));
    });
    sleep(300).await;
    assert_eq!(
        waiting.get_untracked(),
        Some(1),
        "the wait is announced while it lasts"
    );
    assert!(result.borrow().is_none(), "still waiting for the reset");
    for _ in 0..40 {
        if result.borrow().is_some() {
            break;
        }
        sleep(100).await;
    }
    let r = result
        .borrow_mut()
        .take()
        .expect("answered after the reset");
    assert_eq!(r.map(|a| a.len()), Ok(1));
    let (n, span) = calls();
    assert_eq!(n, 2);
    assert!(span >= 1000.0, "retried {span} ms later, before the reset");
    assert_eq!(
        waiting.get_untracked(),
        None,
        "the notice goes after the wait"
    );
}

#[wasm_bindgen_test]
async fn a_get_answered_429_with_a_long_reset_is_handed_to_the_page() {
    let _fake = scripted(&format!(
        "[{}, {}]",
        too_many("X-RateLimit-Reset", 37),
        ok_accounts()
    ));
    assert_eq!(
        quick().list_accounts().await,
        Err(ApiError::RateLimited {
            reset_secs: Some(37)
        })
    );
    assert_eq!(calls().0, 1);
}

// ---- Button: no double submit -----------------------------------------------------------

#[wasm_bindgen_test]
async fn busy_button_ignores_presses_and_says_so() {
    let busy = RwSignal::new(false);
    let submits = RwSignal::new(0u32);
    let presses = RwSignal::new(0u32);
    let _mounted = mount_to(container(), move || {
        view! {
            <form on:submit=move |ev| {
                ev.prevent_default();
                submits.update(|n| *n += 1);
            }>
                <input id="t-busy-input"/>
                <Button id="t-busy-submit" busy=busy>"Connect"</Button>
                <Button id="t-busy-press" kind="button" busy=busy
                    on_press=Callback::new(move |()| presses.update(|n| *n += 1))>"Press"</Button>
            </form>
        }
    });
    tick().await;
    let submit: HtmlElement = by_id("t-busy-submit").unchecked_into();
    let press: HtmlElement = by_id("t-busy-press").unchecked_into();
    submit.click();
    press.click();
    tick().await;
    assert_eq!((submits.get_untracked(), presses.get_untracked()), (1, 1));
    assert_eq!(submit.get_attribute("aria-disabled"), None);

    busy.set(true);
    tick().await;
    assert_eq!(attr(&submit, "aria-disabled"), "true");
    assert_eq!(attr(&submit, "aria-busy"), "true");
    assert_eq!(
        submit.get_attribute("disabled"),
        None,
        "keeps keyboard focus"
    );
    submit.click();
    submit.click();
    press.click();
    tick().await;
    assert_eq!(
        (submits.get_untracked(), presses.get_untracked()),
        (1, 1),
        "no second submit while in flight"
    );

    busy.set(false);
    tick().await;
    submit.click();
    tick().await;
    assert_eq!(submits.get_untracked(), 2);
}

// ---- Offline and rate-limit status line -------------------------------------------------

#[wasm_bindgen_test]
async fn offline_banner_follows_the_browser_and_announces_waits() {
    let waiting = RwSignal::new(None::<u64>);
    let _mounted = mount_to(container(), move || {
        view! { <OfflineBanner waiting=waiting/> }
    });
    tick().await;
    let region = by_id("network-status");
    assert_eq!(attr(&region, "role"), "status");
    assert_eq!(region.text_content().unwrap_or_default().trim(), "");

    let window = web_sys::window().unwrap();
    window
        .dispatch_event(&Event::new("offline").unwrap())
        .unwrap();
    tick().await;
    let text = region.text_content().unwrap_or_default();
    assert!(text.contains("You're offline"), "{text}");
    assert!(text.contains("Nothing you typed is lost"), "{text}");

    window
        .dispatch_event(&Event::new("online").unwrap())
        .unwrap();
    tick().await;
    assert_eq!(region.text_content().unwrap_or_default().trim(), "");

    waiting.set(Some(3));
    tick().await;
    let text = region.text_content().unwrap_or_default();
    assert!(text.contains("Trying again in 3 seconds"), "{text}");
    waiting.set(None);
    tick().await;
    assert_eq!(region.text_content().unwrap_or_default().trim(), "");
}

// ---- Session: expiry keeps drafts and the way back; sign-out clears them ----------------

#[wasm_bindgen_test]
async fn expiry_keeps_drafts_and_returns_to_the_same_page_sign_out_clears() {
    use onramp::state::session::RETURN_KEY;
    use onramp::state::{Profile, Session};
    use onramp_core::ids::AccountId;
    let window = web_sys::window().unwrap();
    let store = window.session_storage().unwrap().unwrap();
    let before = window.location().href().unwrap();
    let go = |url: &str| {
        Function::new_with_args("u", "history.replaceState(null, '', u)")
            .call1(&JsValue::NULL, &JsValue::from_str(url))
            .unwrap();
    };
    let profile = |act: &str| Profile {
        name: None,
        email: None,
        organization: "Acme".into(),
        default_account_id: AccountId::parse(act),
        role: None,
    };

    // On the Connect step with a draft, the token is revoked.
    go("/welcome/connect/aws");
    let session = Session::restore();
    session.sign_in("tok-1".into(), Some(profile("act-1a2b3c4d")));
    store
        .set_item("onramp.draft.firstrun", r#"{"roleArnInput":"arn"}"#)
        .unwrap();
    session.expire();
    assert_eq!(session.token_untracked(), None);
    assert_eq!(store.get_item("onramp.session").unwrap(), None);
    assert!(
        store.get_item("onramp.draft.firstrun").unwrap().is_some(),
        "an expired session keeps the drafts"
    );
    let saved = store.get_item(RETURN_KEY).unwrap().unwrap_or_default();
    assert!(saved.contains("/welcome/connect/aws"), "{saved}");
    assert!(
        !saved.contains("tok-1"),
        "no token in the way back: {saved}"
    );

    // The same user signs in again: back to the same step, once.
    assert_eq!(
        session.take_return(&profile("act-1a2b3c4d")).as_deref(),
        Some("/welcome/connect/aws")
    );
    assert_eq!(session.take_return(&profile("act-1a2b3c4d")), None);
    assert!(store.get_item("onramp.draft.firstrun").unwrap().is_some());

    // Someone else signs in after an expiry: neither the page nor the drafts.
    session.sign_in("tok-2".into(), Some(profile("act-1a2b3c4d")));
    session.expire();
    assert_eq!(session.take_return(&profile("act-99999990")), None);
    assert_eq!(store.get_item("onramp.draft.firstrun").unwrap(), None);

    // A forged way back to another site is refused.
    store
        .set_item(RETURN_KEY, r#"{"path":"//evil.example/x","who":null}"#)
        .unwrap();
    assert_eq!(session.take_return(&profile("act-1a2b3c4d")), None);

    // Signing out clears the drafts and the way back.
    session.sign_in("tok-3".into(), Some(profile("act-1a2b3c4d")));
    store
        .set_item("onramp.draft.firstrun", r#"{"roleArnInput":"arn"}"#)
        .unwrap();
    session.expire();
    session.sign_in("tok-4".into(), Some(profile("act-1a2b3c4d")));
    session.clear();
    assert_eq!(store.get_item("onramp.draft.firstrun").unwrap(), None);
    assert_eq!(store.get_item(RETURN_KEY).unwrap(), None);
    assert_eq!(store.get_item("onramp.session").unwrap(), None);

    go(&before);
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

    let body = validation_error("Use a longer password.", "body.password");
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

/// A 401 ends the session in one place, the client that `use_api` builds: the token goes, the
/// sign-in page's message is set, and a request that carried no token ends nothing.
#[wasm_bindgen_test]
async fn a_401_ends_the_session_once_in_the_client() {
    use onramp::state::{Config, Session, use_api};
    let unauthorized = || {
        entry(
            401,
            &format!(
                r#"{{{REQ},"response":{{"status":{{"code":401,"message":"Unauthorized"}},"errors":[{{"code":"Unauthorized","message":"no"}}]}}}}"#
            ),
            "{}",
        )
    };
    let owner = Owner::new();
    let (session, api) = owner.with(|| {
        provide_context(Config::parse("{}").unwrap());
        let session = Session::restore();
        session.sign_in("tok-expiring".into(), None);
        provide_context(session);
        (session, use_api())
    });

    // A token-less client (sign-in, say) is refused without touching the session.
    let _fake = scripted(&format!("[{}]", unauthorized()));
    let anonymous = Api::new("/api", None).with_on_unauthorized(|| panic!("no token, no expiry"));
    assert_eq!(anonymous.list_accounts().await, Err(ApiError::Unauthorized));
    drop(_fake);

    // A success leaves it alone.
    let _fake = scripted(&format!("[{}]", ok_accounts()));
    assert!(api().list_accounts().await.is_ok());
    assert_eq!(session.token_untracked().as_deref(), Some("tok-expiring"));
    drop(_fake);

    // A 401 to the signed-in client ends it, with the words sign-in shows.
    let _fake = scripted(&format!("[{}]", unauthorized()));
    assert_eq!(api().list_accounts().await, Err(ApiError::Unauthorized));
    assert_eq!(session.token_untracked(), None);
    assert!(
        session
            .flash
            .get_untracked()
            .is_some_and(|m| m.contains("Your session has ended")),
        "{:?}",
        session.flash.get_untracked()
    );
    drop(_fake);
    session.clear();
}
