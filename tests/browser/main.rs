//! Browser tests (headless Chromium via wasm-bindgen-test): the harness (mounting, events,
//! a replaced `fetch` and clipboard, waiting) and one module per area. All in one binary because
//! each binary pays for a browser start.
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
    KeyboardEventInit, MouseEvent, MouseEventInit,
};

wasm_bindgen_test_configure!(run_in_browser);

mod aws;
mod azure;
mod client;
mod components;
mod dashboard;
mod embed;
mod gcp;
mod history;
mod invitations;
mod settings;
mod state;

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

/// `el`'s attribute `name`; `""` when it has none (so compare with a non-empty value).
fn attr(el: &Element, name: &str) -> String {
    el.get_attribute(name).unwrap_or_default()
}

/// The session of a user of "Acme", signed in with `token`, whose default account is `account`.
fn signed_in(token: &str, account: onramp_core::ids::AccountId) -> onramp::state::Session {
    let session = onramp::state::Session::restore();
    session.sign_in(
        token.into(),
        Some(onramp::state::Profile {
            name: None,
            email: None,
            organization: "Acme".into(),
            default_account_id: Some(account),
            role: None,
        }),
    );
    session
}

/// A Field's value and message signals, both empty.
fn field_state() -> (RwSignal<String>, RwSignal<Option<String>>) {
    (RwSignal::new(String::new()), RwSignal::new(None))
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

// ---- Reading what components show ---------------------------------------------------------

fn check_state(check: &str) -> String {
    document()
        .query_selector(&format!("#t-rules li[data-check={check}] .check-state"))
        .unwrap()
        .unwrap_or_else(|| panic!("no line {check}"))
        .text_content()
        .unwrap_or_default()
}

// ---- A replaced fetch ----------------------------------------------------------------------

/// Replaces `window.fetch` for one test and restores it on drop. The fake records the last
/// request in `window.__onrampLast`.
struct FakeFetch {
    original: JsValue,
}

impl FakeFetch {
    /// `body` sees the call as `fetch(url, init)`: `url` (a same-origin one as its path and
    /// query) and `init` (method, headers, signal, body text), however fetch was called. The
    /// client calls `fetch(request)` with one `Request`, whose body can only be read later.
    fn with_body(body: &str) -> Self {
        let code = format!(
            "var go = function (url, init) {{ window.__onrampLast = {{url: url, method: init.method, \
               auth: init.headers.get('Authorization'), body: init.body}}; {body} }}; \
             if (!(input instanceof Request)) return go(input, init); \
             var u = new URL(input.url); \
             var url = u.origin === location.origin ? u.pathname + u.search : input.url; \
             var seen = {{method: input.method, headers: input.headers, signal: input.signal}}; \
             return input.text().then(function (text) {{ \
               seen.body = text === '' ? undefined : text; return go(url, seen); }});"
        );
        let window = web_sys::window().unwrap();
        let original = Reflect::get(&window, &"fetch".into()).unwrap();
        let fake = Function::new_with_args("input, init", &code);
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

/// Spot's 400 answer with one `ValidationError` (`message`, at `field`).
fn validation_error(message: &str, field: &str) -> String {
    format!(
        r#"{{{REQ},"response":{{"status":{{"code":400,"message":"Bad Request"}},
        "errors":[{{"code":"ValidationError","message":"{message}","field":"{field}"}}]}}}}"#
    )
}

fn api() -> Api {
    Api::new("/api", Some("tok-123".into()))
}

// ---- Waiting, clipboard, files -------------------------------------------------------------

/// Waits until `done` holds, checking every 10 ms for up to 10 s, then fails naming `what`. A
/// click's request and its answer land a few tasks later, later still on a loaded machine:
/// waiting for what the user would see beats guessing a delay.
async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..1000 {
        if done() {
            return;
        }
        sleep(10).await;
    }
    panic!("waited 10 s for {what}");
}

/// Waits `ms` milliseconds of real time (promises, timers, animation frames get to run).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits for the next animation frame: what a screen queued for it (e.g. a focus) has run.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        request_animation_frame(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn text_of(id: &str) -> String {
    by_id(id).text_content().unwrap_or_default()
}

/// Replaces `navigator.clipboard.writeText` for one test (recording the text in
/// `window.__onrampCopied`), or removes `navigator.clipboard` altogether; restores on drop.
struct FakeClipboard;

impl FakeClipboard {
    fn write_text(body: &str) -> Self {
        Self::restore();
        let install = Function::new_no_args(&format!(
            "window.__onrampCopied = undefined; \
             navigator.clipboard.writeText = function (text) {{ window.__onrampCopied = text; {body} }};"
        ));
        install.call0(&JsValue::NULL).unwrap();
        Self
    }

    fn missing() -> Self {
        Self::restore();
        let install = Function::new_no_args(
            "Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true});",
        );
        install.call0(&JsValue::NULL).unwrap();
        Self
    }

    fn copied() -> JsValue {
        Reflect::get(&web_sys::window().unwrap(), &"__onrampCopied".into()).unwrap()
    }
}

impl FakeClipboard {
    /// Own properties shadow the prototype's: deleting them brings the real API back. Also run
    /// first, since a failed test (no unwinding on wasm) never drops its fake.
    fn restore() {
        let restore = Function::new_no_args(
            "if (Object.getOwnPropertyDescriptor(navigator, 'clipboard')) delete navigator.clipboard; \
             if (navigator.clipboard) delete navigator.clipboard.writeText;",
        );
        restore.call0(&JsValue::NULL).unwrap();
    }
}

impl Drop for FakeClipboard {
    fn drop(&mut self) {
        Self::restore();
    }
}

fn make_file(content: &str, name: &str) -> web_sys::File {
    let parts = js_sys::Array::of1(&content.into());
    let options = web_sys::FilePropertyBag::new();
    options.set_type("application/json");
    web_sys::File::new_with_str_sequence_and_options(&parts, name, &options).unwrap()
}

/// Makes reading this file observable: `window.__onrampRead` turns true on `text()` or
/// `arrayBuffer()`, which still work.
fn spy_reads(file: &web_sys::File) {
    Reflect::set(
        &web_sys::window().unwrap(),
        &"__onrampRead".into(),
        &false.into(),
    )
    .unwrap();
    let spy = Function::new_with_args(
        "file",
        "for (const m of ['text', 'arrayBuffer']) { const real = file[m].bind(file); \
           file[m] = function () { window.__onrampRead = true; return real(); }; }",
    );
    spy.call1(&JsValue::NULL, file).unwrap();
}

fn was_read() -> bool {
    Reflect::get(&web_sys::window().unwrap(), &"__onrampRead".into())
        .unwrap()
        .is_truthy()
}
