//! Focus after an in-app screen change: the old screen's focused control is gone (focus would
//! fall back to `<body>`, and a screen reader would say nothing), so once the new screen is
//! drawn its main heading takes focus, which also announces it. A screen that puts focus
//! somewhere itself (a wizard's step heading, a refused field) keeps it; the first load of a
//! page moves nothing, and neither does a screen that appears after the user has pressed
//! something else (say, opened the user menu while a chunk was loading).

use crate::components::focused;
use crate::platform::clock::next_frame;
use crate::platform::history::use_location;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// How many frames a new screen may take to appear (its chunk may still be loading): about
/// ten seconds.
const PATIENCE_FRAMES: u32 = 600;

/// Put in the app once, after `provide_history`.
#[component]
pub(crate) fn ScreenFocus() -> impl IntoView {
    let location = use_location();
    // Bumped by every navigation: a wait still running for an earlier one stops.
    let navigation = StoredValue::new(0u32);
    // Presses (pointer or key) on this page so far. A redirect while the first screen loads is
    // no move of the user's: only a navigation after a press moves focus. (The browser's own
    // user-activation flag does not tell: a navigation from the address bar sets it.) A press
    // after the navigation means the user has moved on, and the wait stops.
    let presses = StoredValue::new(0u32);
    let count = move |_| presses.update_value(|n| *n = n.wrapping_add(1));
    for press in [
        window_event_listener_untyped("pointerdown", count),
        window_event_listener_untyped("keydown", count),
    ] {
        on_cleanup(move || press.remove());
    }
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        let pressed = presses.get_value();
        if previous.is_some_and(|p| p != path) && pressed > 0 {
            let n = navigation.get_value().wrapping_add(1);
            navigation.set_value(n);
            let before = focused();
            leptos::task::spawn_local(focus_when_drawn(before, move || {
                navigation.try_get_value() == Some(n) && presses.try_get_value() == Some(pressed)
            }));
        }
        path
    });
}

/// Waits for the new screen's `h1` inside `#main` and focuses it, unless the screen has put
/// focus somewhere inside `#main` itself by then.
async fn focus_when_drawn(before: Option<web_sys::Element>, current: impl Fn() -> bool) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // The heading seen one frame earlier: a screen's own focus call (made in an effect, often
    // a frame later) has had its chance by the time the heading was seen twice.
    let mut seen = false;
    for _ in 0..PATIENCE_FRAMES {
        next_frame().await;
        if !current() {
            return;
        }
        let Some(main) = document.get_element_by_id("main") else {
            return;
        };
        let active = focused();
        let chosen_by_screen = active
            .as_ref()
            .is_some_and(|a| Some(a) != before.as_ref() && a != &main && main.contains(Some(a)));
        if chosen_by_screen {
            return;
        }
        let heading = main
            .query_selector("h1")
            .ok()
            .flatten()
            .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok());
        match heading {
            Some(h) if seen => {
                if !h.has_attribute("tabindex") {
                    let _ = h.set_attribute("tabindex", "-1");
                }
                let _ = h.focus();
                return;
            }
            Some(_) => seen = true,
            None => seen = false,
        }
    }
}
