//! The account menu (MenuButton with a search box and a dynamic group of accounts): keyboard
//! between the search box and the items, filtering by part of an ID with core's matcher,
//! `menuitemradio` for the current account, Escape back to the button.

use super::*;
use onramp::components::{MenuEntry, MenuGroup, MenuSearch};
use onramp_core::accounts_view::matches;
use onramp_core::dto::Account;

fn account(id: &str, name: &str) -> Account {
    serde_json::from_value(serde_json::json!({
        "accountId": id, "name": name, "organizationId": "606079874744",
        "providerExternalId": null, "cloudProvider": if name == "Beta" { serde_json::json!("aws") } else { serde_json::Value::Null },
        "createdAt": "2026-11-01T00:00:00.000Z",
    }))
    .unwrap()
}

#[wasm_bindgen_test]
async fn account_menu_search_and_keyboard() {
    let accounts = vec![
        account("act-0000aaaa", "Alpha"),
        account("act-1234beef", "Beta"),
    ];
    let query = RwSignal::new(String::new());
    let current = RwSignal::new("act-0000aaaa".to_owned());
    let _mounted = mount_to(container(), move || {
        let accounts = accounts.clone();
        let groups = Signal::derive(move || {
            let q = query.get();
            let entries: Vec<MenuEntry> = accounts
                .iter()
                .filter(|a| matches(a, &q))
                .map(|a| {
                    let id = a.account_id.to_string();
                    MenuEntry {
                        label: a.name.clone(),
                        detail: Some(id.clone()),
                        icon: a.cloud_provider.map(|_| "/logos/aws.svg"),
                        checked: Some(current.get() == id),
                        on_select: Callback::new(move |()| current.set(id.clone())),
                    }
                })
                .collect();
            let empty = entries.is_empty().then(|| "No account matches.".to_owned());
            vec![MenuGroup {
                label: "Accounts".into(),
                entries,
                empty,
            }]
        });
        view! {
            <MenuButton
                id="acct-menu"
                label="Ada"
                groups=groups
                search=MenuSearch { label: "Search accounts", value: query }
                items=vec![MenuItem { label: "Sign out", on_select: Callback::new(|()| {}) }]
            />
        }
    });
    tick().await;
    let button = by_id("acct-menu-button");
    let focused = || document().active_element().unwrap();
    let radios = || {
        document()
            .query_selector_all("#acct-menu [role=menuitemradio]")
            .unwrap()
    };

    // Opening puts focus in the search box; the group is named by its label.
    button.unchecked_ref::<HtmlElement>().focus().unwrap();
    press(&button, "Enter");
    tick().await;
    assert_eq!(attr(&button, "aria-expanded"), "true");
    assert_eq!(active_id(), "acct-menu-search");
    let group = document()
        .query_selector("#acct-menu [role=group]")
        .unwrap()
        .unwrap();
    let label = by_id(&group.get_attribute("aria-labelledby").unwrap());
    assert_eq!(label.text_content().unwrap(), "Accounts");
    assert_eq!(radios().length(), 2);
    let first: Element = radios().item(0).unwrap().unchecked_into();
    assert_eq!(
        attr(&first, "aria-checked"),
        "true",
        "current account checked"
    );

    // ArrowDown into the items, ArrowUp from the first back to the search box.
    press(&by_id("acct-menu-search"), "ArrowDown");
    assert_eq!(focused(), first);
    press(&focused(), "ArrowUp");
    assert_eq!(active_id(), "acct-menu-search");

    // Typing part of an ID filters; a miss says so outside the menu.
    let input: HtmlInputElement = by_id("acct-menu-search").unchecked_into();
    input.set_value("beef");
    fire(&input, "input");
    tick().await;
    assert_eq!(radios().length(), 1);
    let beta: Element = radios().item(0).unwrap().unchecked_into();
    assert!(beta.text_content().unwrap().contains("Beta"));
    assert!(
        beta.query_selector("img.menu-icon").unwrap().is_some(),
        "provider icon"
    );
    input.set_value("nothing-like-this");
    fire(&input, "input");
    tick().await;
    assert_eq!(radios().length(), 0);
    assert!(
        by_id("acct-menu")
            .parent_element()
            .unwrap()
            .text_content()
            .unwrap()
            .contains("No account matches.")
    );

    // Choosing an account closes the menu, returns focus, and makes it current.
    input.set_value("beta");
    fire(&input, "input");
    tick().await;
    let beta: HtmlElement = radios().item(0).unwrap().unchecked_into();
    beta.click();
    tick().await;
    assert_eq!(current.get_untracked(), "act-1234beef");
    assert_eq!(attr(&button, "aria-expanded"), "false");
    assert_eq!(active_id(), "acct-menu-button");

    // Escape from the search box closes and returns focus too.
    press(&button, "ArrowDown");
    tick().await;
    assert_eq!(active_id(), "acct-menu-search");
    press(&by_id("acct-menu-search"), "Escape");
    tick().await;
    assert_eq!(attr(&button, "aria-expanded"), "false");
    assert!(by_id("acct-menu").has_attribute("hidden"));
    assert_eq!(active_id(), "acct-menu-button");
}

/// Beyond ASCII, searching and sorting lowercase through the browser's own mapping: it must
/// agree with Rust's (final sigma, dotted capital I, titlecase digraphs included).
#[wasm_bindgen_test]
fn lowercase_beyond_ascii_agrees_with_rust() {
    for s in [
        "ÉCOLE Ωmega ΟΔΟΣ",
        "İstanbul",
        "Straße ǅ",
        "ÅLAND Côte",
        "Prod EU",
    ] {
        assert_eq!(onramp_core::text::lowercase(s), s.to_lowercase(), "{s}");
    }
}
