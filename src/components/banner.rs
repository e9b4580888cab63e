//! Form-level messages: an error banner (role=alert) carrying the request ID for support, and a
//! polite status line.

use crate::api::{ApiError, describe};
use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    /// Spot's `request.id`, so support can find the failing call.
    pub request_id: Option<String>,
}

impl Notice {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            request_id: None,
        }
    }
}

#[component]
pub fn Banner(#[prop(into)] notice: Signal<Option<Notice>>) -> impl IntoView {
    move || {
        // Read as nothing once the screen is gone (see Field).
        notice.try_get().flatten().map(|n| {
            view! {
                <div class="banner banner-error" role="alert">
                    <svg class="banner-icon" aria-hidden="true" viewBox="0 0 20 20" width="20" height="20">
                        <circle cx="10" cy="10" r="9" fill="none" stroke="currentColor" stroke-width="2"/>
                        <path d="M10 5v6M10 13.5v1.5" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                    </svg>
                    <div>
                        <p class="banner-text">{n.text}</p>
                        {n.request_id.map(|id| view! {
                            <p class="banner-meta">"Request ID: " <code>{id}</code></p>
                        })}
                    </div>
                </div>
            }
        })
    }
}

/// A status line that is always in the DOM (so screen readers pick up changes) and shows text
/// only when there is some.
#[component]
pub fn StatusMessage(#[prop(into)] text: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div role="status" class="status-message" class:empty=move || text.with(Option::is_none)>
            {move || text.get()}
        </div>
    }
}

/// What a form shows for an API failure: plain words, and the request ID for support.
pub fn notice(err: &ApiError) -> Notice {
    Notice {
        text: describe(err),
        request_id: err.request_id().map(str::to_owned),
    }
}
