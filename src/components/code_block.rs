//! A labelled block of code (policy JSON, shell script, template) with **Copy** and
//! **Download**. The scroll container takes keyboard focus (`tabindex="0"`) and is a named
//! region, so keyboard users can scroll long lines and screen readers announce what it is.

use super::CopyButton;
use leptos::prelude::*;
use onramp_core::text::first_lines;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// Saves `text` as a file named `filename`: a Blob behind an object URL, clicked through a
/// temporary `<a download>`, the URL revoked once the download has started.
pub fn download_text(filename: &str, mime: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(filename);
    link.set_hidden(true);
    let body = document.body().ok_or("no body")?;
    body.append_child(&link)?;
    link.click();
    link.remove();
    // Revoking in the same task can cancel the download in some browsers: wait a little.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(1),
    );
    Ok(())
}

#[component]
pub fn CodeBlock(
    /// The wrapper's id; the label is `{id}-label`, the code `{id}-code`, the copy button's
    /// status `{id}-copy-status`.
    id: &'static str,
    /// What the code is ("IAM policy"); names the region and both buttons.
    label: &'static str,
    #[prop(into)] code: Signal<String>,
    /// The downloaded file's name ("spot-policy.json").
    #[prop(into)]
    filename: Signal<String>,
    /// The downloaded file's type.
    #[prop(default = "text/plain")]
    mime: &'static str,
    /// Lines drawn at most. A longer text (a StackSet for a thousand members) shows its first
    /// lines and says how many it has; Copy and Download still take all of it. Drawing every
    /// line would slow each keystroke elsewhere on the page.
    #[prop(optional)]
    max_lines: Option<usize>,
) -> impl IntoView {
    let label_id = format!("{id}-label");
    // What is drawn: the whole text, or (past `max_lines`) its first lines and how many it has.
    // Without `max_lines` the text is drawn as it is, with no second copy.
    let drawn = move || match max_lines {
        None => code.get(),
        Some(n) => {
            code.with(|c| first_lines(c, n).map_or_else(|| c.clone(), |(h, _)| h.to_owned()))
        }
    };
    let total = Memo::new(move |_| {
        max_lines.and_then(|n| code.with(|c| first_lines(c, n).map(|(_, total)| total)))
    });
    let note = move || {
        total.get().map(|total| {
            let shown = max_lines.unwrap_or_default();
            view! {
                <p class="muted code-block-note" id=format!("{id}-more")>
                    {format!("Showing the first {shown} of {total} lines; Copy and Download take all of them.")}
                </p>
            }
        })
    };
    let download = move |_| {
        let _ = code.with_untracked(|c| download_text(&filename.get_untracked(), mime, c));
    };

    view! {
        <div class="code-block" id=id>
            <div class="code-block-bar">
                <span class="code-block-label" id=label_id.clone()>{label}</span>
                <span class="code-block-actions">
                    <CopyButton id=format!("{id}-copy") value=code what=label/>
                    <button type="button" class="btn btn-secondary" on:click=download>
                        <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                            <path d="M8 2v8M4.5 6.5L8 10l3.5-3.5M2.5 13.5h11" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>
                        </svg>
                        "Download"
                        <span class="sr-only">" " {label}</span>
                    </button>
                </span>
            </div>
            <pre class="code-block-scroll" tabindex="0" role="region" aria-labelledby=label_id>
                <code id=format!("{id}-code")>{drawn}</code>
            </pre>
            {note}
        </div>
    }
}
