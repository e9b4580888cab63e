//! File upload: a drop zone AND a **Browse** button (dragging is never the only way, WCAG
//! 2.5.7). The native `<input type="file">` is visually hidden but labelled, so the label names
//! it (and tests can set files on it); the Browse button opens it. A file over `max_bytes` is
//! refused before a single byte is read, with a message naming the limit. The chosen file's
//! name is shown in a polite status line.

use leptos::html;
use leptos::prelude::*;
use onramp_core::text::file_size;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, File};

#[component]
pub fn FileDrop(
    /// The file input's id; `{id}-label`, `{id}-hint`, `{id}-error`, `{id}-browse`,
    /// `{id}-chosen` derive from it.
    id: &'static str,
    /// "Service account key (JSON)".
    label: &'static str,
    /// The input's `accept` (".json,application/json").
    #[prop(default = "")]
    accept: &'static str,
    /// Larger files are refused without being read.
    max_bytes: u32,
    /// Called with the file's name and content once read.
    on_file: Callback<(String, Vec<u8>)>,
    /// The message under the zone; the caller may set it too (e.g. "This is not JSON").
    error: RwSignal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let input_ref = NodeRef::<html::Input>::new();
    let dragging = RwSignal::new(false);
    let chosen = RwSignal::new(None::<String>);
    let label_id = format!("{id}-label");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let browse_id = format!("{id}-browse");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || error.with(Option::is_some).then_some("true");

    let take = move |file: File| {
        let name = file.name();
        // A file's size is a whole number of bytes (a double in the DOM).
        let size = file.size() as u64;
        if size > u64::from(max_bytes) {
            chosen.set(None);
            let (size, limit) = (file_size(size), file_size(u64::from(max_bytes)));
            error.set(Some(if size == limit {
                format!("“{name}” is just over the limit of {limit}: choose a smaller file.")
            } else {
                format!("“{name}” is {size}. The limit is {limit}: choose a smaller file.")
            }));
            return;
        }
        error.set(None);
        leptos::task::spawn_local(async move {
            match JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => {
                    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                    chosen.try_set(Some(name.clone()));
                    on_file.try_run((name, bytes));
                }
                Err(_) => {
                    chosen.try_set(None);
                    error.try_set(Some(format!(
                        "“{name}” could not be read. Choose the file again."
                    )));
                }
            }
        });
    };

    let on_change = move |_| {
        let Some(input) = input_ref.get_untracked() else {
            return;
        };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            take(file);
        }
        // Choosing the same file again must fire `change` again.
        input.set_value("");
    };
    let on_drag = move |ev: DragEvent| {
        // Without this the browser opens the dropped file instead.
        ev.prevent_default();
        if let Some(dt) = ev.data_transfer() {
            dt.set_drop_effect("copy");
        }
        dragging.set(true);
    };
    let on_leave = move |ev: DragEvent| {
        // Leaving for a child of the zone is not leaving the zone.
        let zone = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let to = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        if !matches!((&zone, &to), (Some(z), Some(t)) if z.contains(Some(t))) {
            dragging.set(false);
        }
    };
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(file) = ev
            .data_transfer()
            .and_then(|dt| dt.files())
            .and_then(|f| f.get(0))
        {
            take(file);
        }
    };
    let browse = move |_| {
        if let Some(input) = input_ref.get_untracked() {
            input.click();
        }
    };

    view! {
        <div class="field file-drop" class:field-invalid=move || error.with(Option::is_some)>
            <label for=id id=label_id.clone() class="field-label">{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <div
                class="file-drop-zone"
                class:file-drop-active=move || dragging.get()
                on:dragenter=on_drag
                on:dragover=on_drag
                on:dragleave=on_leave
                on:drop=on_drop
            >
                <svg class="file-drop-icon" aria-hidden="true" viewBox="0 0 24 24" width="32" height="32">
                    <path d="M12 16V4M7 9l5-5 5 5M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/>
                </svg>
                <p class="file-drop-text">"Drag the file here, or"</p>
                <input
                    type="file"
                    id=id
                    name=id
                    class="sr-only"
                    tabindex="-1"
                    accept=accept
                    node_ref=input_ref
                    aria-invalid=invalid
                    aria-describedby=described_by.clone()
                    on:change=on_change
                />
                <button
                    type="button"
                    id=browse_id.clone()
                    class="btn btn-secondary"
                    aria-labelledby=format!("{browse_id} {label_id}")
                    aria-describedby=described_by
                    on:click=browse
                >
                    "Browse"
                </button>
                <p class="file-drop-chosen" id=format!("{id}-chosen") role="status">
                    {move || chosen.get().map(|name| view! { "Chosen file: " <strong>{name}</strong> })}
                </p>
            </div>
            {move || error.get().map(|msg| view! {
                <p class="field-error" id=error_id.clone()>
                    <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                        <circle cx="8" cy="8" r="7" fill="currentColor"/>
                        <path d="M8 4v5M8 11v1.2" stroke="var(--color-on-danger)" stroke-width="1.8" stroke-linecap="round"/>
                    </svg>
                    <span>{msg}</span>
                </p>
            })}
        </div>
    }
}
