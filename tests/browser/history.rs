//! The address bar without a router: links kept in the app, `aria-current`, Back, query.

use super::*;
use onramp::components::Link;
use onramp::platform::history::{NavigateOptions, provide_history, query_param, use_navigate};

fn path() -> String {
    web_sys::window().unwrap().location().pathname().unwrap()
}

thread_local! {
    static KEPT_IN_APP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Clicks `el`; whether the app kept the click (prevented the browser's own navigation).
/// A listener added after the app's records that, then stops the browser from following any
/// link itself: a new tab opened here would take the focus later tests rely on.
fn click(el: &Element, ctrl: bool) -> bool {
    let init = MouseEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_ctrl_key(ctrl);
    let ev = MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
    KEPT_IN_APP.with(|k| k.get())
}

#[wasm_bindgen_test]
async fn links_stay_in_the_app_and_mark_the_current_page() {
    let start = web_sys::window().unwrap().location().href().unwrap();
    let history = web_sys::window().unwrap().history().unwrap();
    history
        .replace_state_with_url(&JsValue::NULL, "", Some("/t-history/a?accountId=act-1"))
        .unwrap();
    let (shown, set_shown) = signal(String::new());
    let mounted = mount_to(container(), move || {
        let location = provide_history();
        let navigate = use_navigate();
        Effect::new(move |_| set_shown.set(location.pathname.get()));
        view! {
            <nav>
                <Link href="/t-history/a" attr:id="t-link-a">"A"</Link>
                <Link href="/t-history/b" attr:id="t-link-b">"B"</Link>
                <a id="t-link-new-tab" href="/t-history/c" target="_blank">"C"</a>
                <a id="t-link-fragment" href="#t-link-a">"top"</a>
                <button id="t-go" on:click=move |_| {
                    navigate("/t-history/d", NavigateOptions { replace: true })
                }>"D"</button>
            </nav>
        }
    });
    tick().await;
    let after_app = window_event_listener_untyped("click", |ev| {
        KEPT_IN_APP.with(|k| k.set(ev.default_prevented()));
        ev.prevent_default();
    });
    assert_eq!(query_param("accountId").as_deref(), Some("act-1"));
    assert_eq!(attr(&by_id("t-link-a"), "aria-current"), "page");
    assert_eq!(attr(&by_id("t-link-b"), "aria-current"), "");

    assert!(
        click(&by_id("t-link-b"), false),
        "the app follows the link itself"
    );
    tick().await;
    assert_eq!(path(), "/t-history/b");
    assert_eq!(shown.get_untracked(), "/t-history/b");
    assert_eq!(query_param("accountId"), None, "a new address, a new query");
    assert_eq!(attr(&by_id("t-link-a"), "aria-current"), "");
    assert_eq!(attr(&by_id("t-link-b"), "aria-current"), "page");

    // The browser's own: a new tab, a modified click, a fragment of this page.
    assert!(!click(&by_id("t-link-new-tab"), false));
    assert!(!click(&by_id("t-link-a"), true));
    assert!(!click(&by_id("t-link-fragment"), false));
    assert_eq!(path(), "/t-history/b");

    // Back (simulated: a real Back here would leave the test page, whose entries were added by
    // script): the signal follows the address the browser restored.
    history
        .replace_state_with_url(&JsValue::NULL, "", Some("/t-history/a"))
        .unwrap();
    let back = Event::new("popstate").unwrap();
    web_sys::window().unwrap().dispatch_event(&back).unwrap();
    tick().await;
    assert_eq!(shown.get_untracked(), "/t-history/a");
    assert_eq!(attr(&by_id("t-link-a"), "aria-current"), "page");

    // Replace: a new address, no new entry.
    let entries = history.length().unwrap();
    by_id("t-go").unchecked_into::<HtmlElement>().click();
    tick().await;
    assert_eq!(path(), "/t-history/d");
    assert_eq!(history.length().unwrap(), entries);
    assert_eq!(shown.get_untracked(), "/t-history/d");

    after_app.remove();
    drop(mounted);
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&start))
        .unwrap();
}
