//! The connection line under the top bar: says when the browser is offline (`navigator.onLine`,
//! `offline`/`online` events) and when a request is waiting for the server's rate limit to reset
//! before trying again by itself. A polite status region, always in the DOM so that screen
//! readers announce changes; empty when all is well.

use leptos::ev;
use leptos::prelude::*;

use crate::platform::lazy::online as browser_online;

/// The words for a rate-limit wait of `secs` seconds.
fn waiting_text(secs: u64) -> String {
    match secs {
        0 => "The server asked us to slow down. Trying again now…".into(),
        s => format!(
            "The server asked us to slow down. Trying again in {}…",
            onramp_core::text::count(s, "second", "seconds")
        ),
    }
}

#[component]
pub fn OfflineBanner(
    /// `Some(seconds)` while a request waits for an announced rate-limit reset (the API
    /// client's `rate_limit_wait`).
    #[prop(into, default = Signal::stored(None))]
    waiting: Signal<Option<u64>>,
) -> impl IntoView {
    let online = RwSignal::new(browser_online());
    let on = window_event_listener(ev::online, move |_| online.set(true));
    let off = window_event_listener(ev::offline, move |_| online.set(false));
    on_cleanup(move || {
        on.remove();
        off.remove();
    });

    let text = move || {
        if !online.get() {
            Some(
                "You're offline. Nothing you typed is lost: once you're back online, carry on \
                 or press the button again."
                    .to_owned(),
            )
        } else {
            waiting.get().map(waiting_text)
        }
    };
    view! {
        <div role="status" id="network-status" class="network-status">
            {move || text().map(|t| view! {
                <div class="banner banner-warning">
                    <p class="banner-text">{t}</p>
                </div>
            })}
        </div>
    }
}
