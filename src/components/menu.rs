//! Menu button (WAI-ARIA APG pattern): a button with `aria-haspopup="menu"` and
//! `aria-expanded` that opens a `role="menu"`. Enter, Space or ArrowDown open it on the first
//! item, ArrowUp on the last; arrows, Home and End move; Escape closes and returns focus to
//! the button; leaving the menu with Tab or a click elsewhere closes it.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

#[derive(Clone)]
pub struct MenuItem {
    pub label: &'static str,
    pub on_select: Callback<()>,
}

#[component]
pub fn MenuButton(
    id: &'static str,
    /// First line of the button (e.g. the user's name).
    #[prop(into)]
    label: Signal<String>,
    /// Second, smaller line (e.g. the organization).
    #[prop(into, optional)]
    detail: Signal<String>,
    items: Vec<MenuItem>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let button_ref = NodeRef::<html::Button>::new();
    let menu_ref = NodeRef::<html::Ul>::new();
    let button_id = format!("{id}-button");

    let menu_items = move || -> Vec<HtmlElement> {
        let Some(menu) = menu_ref.try_get_untracked().flatten() else {
            return Vec::new();
        };
        let Ok(list) = menu.query_selector_all("[role=menuitem]") else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
            .collect()
    };
    // Focus must move now, not after the next render tick, so the menu is un-hidden directly;
    // the reactive `hidden` binding then agrees with it.
    let open_at = move |index: Option<usize>| {
        open.try_set(true);
        if let Some(menu) = menu_ref.try_get_untracked().flatten() {
            menu.set_hidden(false);
        }
        let items = menu_items();
        let target = match index {
            Some(i) => items.get(i),
            None => items.last(),
        };
        if let Some(el) = target {
            let _ = el.focus();
        }
    };
    let close = move |refocus: bool| {
        open.try_set(false);
        if let Some(menu) = menu_ref.try_get_untracked().flatten() {
            menu.set_hidden(true);
        }
        if refocus && let Some(b) = button_ref.try_get_untracked().flatten() {
            let _ = b.focus();
        }
    };

    let on_button_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" | "Enter" | " " => {
            ev.prevent_default();
            open_at(Some(0));
        }
        "ArrowUp" => {
            ev.prevent_default();
            open_at(None);
        }
        "Escape" => close(true),
        _ => {}
    };
    let on_menu_key = move |ev: KeyboardEvent| {
        let items = menu_items();
        if items.is_empty() {
            return;
        }
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let current = active.and_then(|a| items.iter().position(|i| **i == a));
        let last = items.len() - 1;
        let next = match ev.key().as_str() {
            "ArrowDown" => Some(current.map_or(0, |i| if i == last { 0 } else { i + 1 })),
            "ArrowUp" => Some(current.map_or(last, |i| if i == 0 { last } else { i - 1 })),
            "Home" => Some(0),
            "End" => Some(last),
            "Escape" => {
                ev.prevent_default();
                close(true);
                None
            }
            "Tab" => {
                close(false);
                None
            }
            _ => None,
        };
        if let Some(i) = next {
            ev.prevent_default();
            let _ = items[i].focus();
        }
    };
    // Handlers use `try_` access: the menu can be unmounted while an event is in flight
    // (Sign out removes it), and a disposed signal must not bring the app down.
    let on_focus_out = move |ev: web_sys::FocusEvent| {
        let wrapper = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let to = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = matches!((&wrapper, &to), (Some(w), Some(t)) if w.contains(Some(t)));
        if !inside && open.try_get_untracked() == Some(true) {
            close(false);
        }
    };

    let entries = items
        .into_iter()
        .map(|item| {
            view! {
                <li role="none">
                    <button
                        type="button"
                        role="menuitem"
                        tabindex="-1"
                        class="menu-item"
                        on:click=move |_| {
                            close(true);
                            item.on_select.run(());
                        }
                    >
                        {item.label}
                    </button>
                </li>
            }
        })
        .collect_view();

    view! {
        <div class="menu" on:focusout=on_focus_out>
            <button
                type="button"
                class="menu-button"
                id=button_id.clone()
                node_ref=button_ref
                aria-haspopup="menu"
                aria-controls=id
                aria-expanded=move || if open.get() { "true" } else { "false" }
                on:click=move |_| if open.try_get_untracked() == Some(true) { close(true) } else { open_at(Some(0)) }
                on:keydown=on_button_key
            >
                <span class="menu-avatar" aria-hidden="true">
                    {move || label.with(|l| l.chars().next().unwrap_or('?').to_uppercase().to_string())}
                </span>
                <span class="menu-text">
                    <span class="menu-label">{move || label.get()}</span>
                    <span class="menu-detail">{move || detail.get()}</span>
                </span>
                <svg class="menu-caret" aria-hidden="true" viewBox="0 0 12 12" width="12" height="12">
                    <path d="M2 4l4 4 4-4" fill="none" stroke="currentColor" stroke-width="1.6"/>
                </svg>
            </button>
            <ul
                role="menu"
                id=id
                class="menu-list"
                aria-labelledby=button_id
                node_ref=menu_ref
                hidden=move || !open.get()
                on:keydown=on_menu_key
            >
                {entries}
            </ul>
        </div>
    }
}
