//! Menu button (WAI-ARIA APG pattern): a button with `aria-haspopup="menu"` and
//! `aria-expanded` that opens a `role="menu"`. Enter, Space or ArrowDown open it on the first
//! item, ArrowUp on the last; arrows, Home and End move; Escape closes and returns focus to
//! the button; leaving the menu with Tab or a click elsewhere closes it.
//!
//! Optionally the popup also has a search box above the menu (it takes focus on opening;
//! ArrowDown moves into the items, ArrowUp from the first item back to it) and dynamic groups
//! of items (e.g. accounts, with a provider icon and `menuitemradio` for the current one).

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

#[derive(Clone)]
pub struct MenuItem {
    pub label: &'static str,
    pub on_select: Callback<()>,
}

/// An item of a dynamic group.
#[derive(Clone)]
pub struct MenuEntry {
    pub label: String,
    /// A second, smaller line (e.g. an account ID).
    pub detail: Option<String>,
    /// A decorative icon's URL (the label names the thing).
    pub icon: Option<&'static str>,
    /// `Some`: a `menuitemradio` with this `aria-checked`.
    pub checked: Option<bool>,
    pub on_select: Callback<()>,
}

/// A labelled group of entries (`role="group"`), shown above the fixed items.
#[derive(Clone)]
pub struct MenuGroup {
    pub label: String,
    pub entries: Vec<MenuEntry>,
    /// A note shown by the search box, e.g. "No account matches" (outside the menu, which may
    /// hold only items).
    pub empty: Option<String>,
}

/// The popup's search box.
#[derive(Clone, Copy)]
pub struct MenuSearch {
    pub label: &'static str,
    pub value: RwSignal<String>,
}

/// How a menu starts that replaces its stand-in ([`MenuButtonStandIn`]): the user had focused
/// the stand-in (focus moves to the real button), or pressed it to open the menu on its first
/// place (Enter, Space, ArrowDown, a click) or on its last item (ArrowUp).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MenuStart {
    Focused,
    OpenFirst,
    OpenLast,
}

const ITEMS: &str = "[role=menuitem],[role=menuitemradio]";

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
    /// Dynamic groups shown before `items`.
    #[prop(optional, into)]
    groups: Option<Signal<Vec<MenuGroup>>>,
    #[prop(optional)] search: Option<MenuSearch>,
    /// Runs each time the menu opens (e.g. to bring a list up to date).
    #[prop(optional)]
    on_open: Option<Callback<()>>,
    /// Set when this menu replaces its stand-in: what the user had done to that.
    #[prop(optional_no_strip)]
    start: Option<MenuStart>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let button_ref = NodeRef::<html::Button>::new();
    let menu_ref = NodeRef::<html::Ul>::new();
    let popup_ref = NodeRef::<html::Div>::new();
    let search_ref = NodeRef::<html::Input>::new();
    let button_id = format!("{id}-button");
    let search_id = format!("{id}-search");

    let menu_items = move || -> Vec<HtmlElement> {
        let Some(menu) = menu_ref.try_get_untracked().flatten() else {
            return Vec::new();
        };
        let Ok(list) = menu.query_selector_all(ITEMS) else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
            .collect()
    };
    // Focus must move now, not after the next render tick, so the menu is un-hidden directly;
    // the reactive `hidden` binding then agrees with it.
    let focus_search = move || -> bool {
        match search_ref.try_get_untracked().flatten() {
            Some(input) => {
                let _ = input.focus();
                true
            }
            None => false,
        }
    };
    let open_at = move |index: Option<usize>| {
        if open.try_get_untracked() == Some(false)
            && let Some(f) = on_open
        {
            f.run(());
        }
        open.try_set(true);
        if let Some(menu) = menu_ref.try_get_untracked().flatten() {
            menu.set_hidden(false);
        }
        if let Some(popup) = popup_ref.try_get_untracked().flatten() {
            popup.set_hidden(false);
        }
        if index == Some(0) && focus_search() {
            return;
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
        if let Some(popup) = popup_ref.try_get_untracked().flatten() {
            popup.set_hidden(true);
        }
        if refocus && let Some(b) = button_ref.try_get_untracked().flatten() {
            let _ = b.focus();
        }
    };

    if let Some(start) = start {
        // Once drawn: the stand-in (and with it, focus) is gone by then.
        Effect::new(move |_| match start {
            MenuStart::Focused => {
                if let Some(b) = button_ref.get_untracked() {
                    let _ = b.focus();
                }
            }
            MenuStart::OpenFirst => open_at(Some(0)),
            MenuStart::OpenLast => open_at(None),
        });
    }
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
        let current = super::focused().and_then(|a| items.iter().position(|i| **i == a));
        let last = items.len() - 1;
        let next = match ev.key().as_str() {
            "ArrowDown" => Some(current.map_or(0, |i| if i == last { 0 } else { i + 1 })),
            // From the first item back up to the search box, when there is one.
            "ArrowUp" if current == Some(0) && search.is_some() => {
                ev.prevent_default();
                focus_search();
                None
            }
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

    let entry_view = move |e: MenuEntry| {
        let role = if e.checked.is_some() {
            "menuitemradio"
        } else {
            "menuitem"
        };
        let on_select = e.on_select;
        view! {
            <li role="none">
                <button
                    type="button"
                    role=role
                    tabindex="-1"
                    class="menu-item menu-entry"
                    aria-checked=e.checked.map(|c| if c { "true" } else { "false" })
                    on:click=move |_| {
                        close(true);
                        on_select.run(());
                    }
                >
                    {e.icon.map(|src| view! { <img class="menu-icon" src=src alt="" width="18" height="18"/> })}
                    <span class="menu-entry-text">
                        <span class="menu-entry-label">{e.label}</span>
                        {e.detail.map(|d| view! { <span class="menu-detail">{d}</span> })}
                    </span>
                    {(e.checked == Some(true)).then(|| view! {
                        <svg class="menu-check" aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                            <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                        </svg>
                    })}
                </button>
            </li>
        }
    };
    let group_views = move || {
        groups.map(|g| {
            g.get()
                .into_iter()
                .enumerate()
                .map(|(i, group)| {
                    let label_id = format!("{id}-group-{i}");
                    view! {
                        <li role="none" class="menu-group-wrap">
                            // Hidden from the tree (a menu holds only items and groups); it still
                            // names the group through aria-labelledby.
                            <span class="menu-group-label" id=label_id.clone() aria-hidden="true">{group.label}</span>
                            <ul role="group" class="menu-group" aria-labelledby=label_id>
                                {group.entries.into_iter().map(entry_view).collect_view()}
                            </ul>
                        </li>
                        <li role="separator" class="menu-separator"></li>
                    }
                })
                .collect_view()
        })
    };
    let on_search_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            if let Some(first) = menu_items().first() {
                let _ = first.focus();
            }
        }
        "Escape" => {
            ev.prevent_default();
            close(true);
        }
        _ => {}
    };
    let search_box = search.map(|s| {
        let sid = search_id.clone();
        view! {
            <div class="menu-search">
                <label class="sr-only" for=sid.clone()>{s.label}</label>
                <input
                    id=sid
                    type="search"
                    class="menu-search-input"
                    placeholder=s.label
                    autocomplete="off"
                    node_ref=search_ref
                    prop:value=move || s.value.get()
                    on:input=move |ev| s.value.set(event_target_value(&ev))
                    on:keydown=on_search_key
                />
            </div>
        }
    });

    // A group's note (e.g. nothing matches the search) sits by the search box, outside the menu.
    let empty_note =
        move || groups.and_then(|g| g.with(|gs| gs.iter().find_map(|g| g.empty.clone())));

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
                {face(label, detail)}
            </button>
            <div class="menu-popup" node_ref=popup_ref hidden=move || !open.get()>
                {search_box}
                <p role="status" class="menu-empty muted">{empty_note}</p>
                <ul
                    role="menu"
                    id=id
                    class="menu-list"
                    aria-labelledby=button_id
                    node_ref=menu_ref
                    hidden=move || !open.get()
                    on:keydown=on_menu_key
                >
                    {group_views}
                    {entries}
                </ul>
            </div>
        </div>
    }
}

/// What the menu button shows: an initial, the label and the detail, a caret.
fn face(label: Signal<String>, detail: Signal<String>) -> impl IntoView {
    view! {
        // The initial as typed; the stylesheet capitalises it (Rust's Unicode case tables were
        // 3 KB brotli of the console's main module).
        <span class="menu-avatar" aria-hidden="true">
            {move || label.with(|l| l.chars().next().unwrap_or('?').to_string())}
        </span>
        <span class="menu-text">
            <span class="menu-label">{move || label.get()}</span>
            <span class="menu-detail">{move || detail.get()}</span>
        </span>
        <svg class="menu-caret" aria-hidden="true" viewBox="0 0 12 12" width="12" height="12">
            <path d="M2 4l4 4 4-4" fill="none" stroke="currentColor" stroke-width="1.6"/>
        </svg>
    }
}

/// A [`MenuButton`] whose code is still on its way: the same button, closed. Pressing it (or
/// focusing it) is passed on as a [`MenuStart`] for the menu that replaces it. `waiting`: pressed,
/// the code is on its way; `failed`: it did not come. The button says so (and pressing it asks
/// again), and so does a live region.
#[component]
pub fn MenuButtonStandIn(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] detail: Signal<String>,
    on_press: Callback<MenuStart>,
    #[prop(into)] waiting: Signal<bool>,
    #[prop(into)] failed: Signal<bool>,
) -> impl IntoView {
    let on_key = move |ev: KeyboardEvent| {
        let start = match ev.key().as_str() {
            "ArrowDown" | "Enter" | " " => MenuStart::OpenFirst,
            "ArrowUp" => MenuStart::OpenLast,
            _ => return,
        };
        ev.prevent_default();
        on_press.run(start);
    };
    let detail = Signal::derive(move || {
        if failed.get() {
            "The menu didn't load: press to try again".to_owned()
        } else {
            detail.get()
        }
    });
    view! {
        <div class="menu">
            <button
                type="button"
                class="menu-button"
                id=format!("{id}-button")
                aria-haspopup="menu"
                aria-expanded="false"
                aria-busy=move || waiting.get().then_some("true")
                on:click=move |_| on_press.run(MenuStart::OpenFirst)
                on:keydown=on_key
            >
                {face(label, detail)}
            </button>
            <p role="status" class="sr-only">
                {move || {
                    if failed.get() {
                        Some("The menu didn't load. Press the menu button to try again.")
                    } else {
                        waiting.get().then_some("Loading the menu…")
                    }
                }}
            </p>
        </div>
    }
}
