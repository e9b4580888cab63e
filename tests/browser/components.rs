//! The design system: Field, the password checklist, the menu button, disclosure, provider
//! picker, copy button, code block, stepper and file drop.

use super::*;
use onramp::components::LazyView;
use onramp::platform::clock::after_paint;

#[wasm_bindgen_test]
async fn field_shows_message_after_blur_and_keeps_value() {
    let (value, error) = field_state();
    let _mounted = mount_to(container(), move || {
        view! {
            <Field id="t-email" label="Email" value=value error=error check=rule(v::email)
                hint="We send the receipt here." input_type="email" autocomplete="email"/>
        }
    });
    tick().await;
    let input: HtmlInputElement = by_id("t-email").unchecked_into();
    assert_eq!(attr(&input, "autocomplete"), "email");
    let label = document()
        .query_selector("label[for=t-email]")
        .unwrap()
        .unwrap();
    assert_eq!(label.text_content().as_deref(), Some("Email"));

    input.set_value("not-an-email");
    fire(&input, "input");
    tick().await;
    // Typing alone does not scold: the first check is on blur.
    assert_eq!(input.get_attribute("aria-invalid"), None);
    assert_eq!(value.get_untracked(), "not-an-email");

    fire(&input, "blur");
    tick().await;
    assert_eq!(attr(&input, "aria-invalid"), "true");
    let message = by_id("t-email-error");
    let expected = v::email("not-an-email").unwrap_err().message;
    assert_eq!(message.text_content().unwrap().trim(), expected);
    let described: Vec<String> = input
        .get_attribute("aria-describedby")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert!(
        described.contains(&"t-email-error".to_owned()),
        "{described:?}"
    );
    assert!(
        described.contains(&"t-email-hint".to_owned()),
        "{described:?}"
    );
    assert_eq!(
        input.value(),
        "not-an-email",
        "the value survives the error"
    );

    // Fixing the value clears the message as the user types.
    input.set_value("ada@example.com");
    fire(&input, "input");
    tick().await;
    assert_eq!(input.get_attribute("aria-invalid"), None);
    assert!(document().get_element_by_id("t-email-error").is_none());
    assert_eq!(attr(&input, "aria-describedby"), "t-email-hint");
}

#[wasm_bindgen_test]
async fn field_select_lists_countries_and_validates() {
    let (value, error) = field_state();
    let _mounted = mount_to(container(), move || {
        view! {
            <Field id="t-country" label="Country" value=value error=error check=rule(v::country)
                options=onramp_core::countries::COUNTRIES empty_option="Choose your country"
                autocomplete="country"/>
        }
    });
    tick().await;
    let select: web_sys::HtmlSelectElement = by_id("t-country").unchecked_into();
    assert_eq!(
        select.length() as usize,
        onramp_core::countries::COUNTRIES.len() + 1
    );
    fire(&select, "blur");
    tick().await;
    assert_eq!(attr(&select, "aria-invalid"), "true");
    assert_eq!(
        by_id("t-country-error").text_content().unwrap().trim(),
        "Choose your country."
    );
    select.set_value("FR");
    fire(&select, "change");
    tick().await;
    assert_eq!(value.get_untracked(), "FR");
    assert_eq!(select.get_attribute("aria-invalid"), None);
}

#[wasm_bindgen_test]
async fn password_checklist_follows_the_password() {
    let password = RwSignal::new(String::new());
    let _mounted = mount_to(container(), move || {
        view! { <PasswordChecklist id="t-rules" password=password/> }
    });
    tick().await;
    let list = document().query_selector("#t-rules ul").unwrap().unwrap();
    assert_eq!(attr(&list, "aria-live"), "polite");
    for check in ["Length", "Digit", "Upper", "Lower", "Special"] {
        assert_eq!(check_state(check), "not met", "{check}");
    }
    password.set("abc1".into());
    tick().await;
    assert_eq!(check_state("Digit"), "met");
    assert_eq!(check_state("Lower"), "met");
    assert_eq!(check_state("Upper"), "not met");
    assert_eq!(check_state("Length"), "not met");
    password.set("Abcdefg1!".into());
    tick().await;
    for check in ["Length", "Digit", "Upper", "Lower", "Special"] {
        assert_eq!(check_state(check), "met", "{check}");
    }
}

#[wasm_bindgen_test]
async fn menu_button_keyboard() {
    let chosen = RwSignal::new(None::<&'static str>);
    let _mounted = mount_to(container(), move || {
        view! {
            <MenuButton
                id="t-menu"
                label="Ada Lovelace"
                detail="Analytical Engines"
                items=vec![
                    MenuItem { label: "Dashboard", on_select: Callback::new(move |()| chosen.set(Some("Dashboard"))) },
                    MenuItem { label: "Sign out", on_select: Callback::new(move |()| chosen.set(Some("Sign out"))) },
                ]
            />
        }
    });
    tick().await;
    let button = by_id("t-menu-button");
    let menu = by_id("t-menu");
    assert_eq!(attr(&button, "aria-haspopup"), "menu");
    assert_eq!(attr(&button, "aria-expanded"), "false");
    assert!(menu.has_attribute("hidden"));
    assert!(
        button
            .text_content()
            .unwrap()
            .contains("Analytical Engines")
    );
    let items = menu.query_selector_all("[role=menuitem]").unwrap();
    assert_eq!(items.length(), 2);
    let item = |i: u32| -> Element { items.item(i).unwrap().unchecked_into() };
    let focused = || document().active_element().unwrap();

    button.unchecked_ref::<HtmlElement>().focus().unwrap();
    press(&button, "ArrowDown");
    tick().await;
    assert_eq!(attr(&button, "aria-expanded"), "true");
    assert!(!menu.has_attribute("hidden"));
    assert_eq!(focused(), item(0));

    press(&focused(), "ArrowDown");
    assert_eq!(focused(), item(1));
    press(&focused(), "ArrowDown");
    assert_eq!(focused(), item(0), "wraps around");
    press(&focused(), "ArrowUp");
    assert_eq!(focused(), item(1), "wraps backwards");
    press(&focused(), "Home");
    assert_eq!(focused(), item(0));
    press(&focused(), "End");
    assert_eq!(focused(), item(1));

    press(&focused(), "Escape");
    tick().await;
    assert_eq!(attr(&button, "aria-expanded"), "false");
    assert!(menu.has_attribute("hidden"));
    assert_eq!(active_id(), "t-menu-button", "focus returns to the button");

    press(&button, "ArrowUp");
    tick().await;
    assert_eq!(focused(), item(1), "ArrowUp opens on the last item");
    focused().unchecked_ref::<HtmlElement>().click();
    tick().await;
    assert_eq!(chosen.get_untracked(), Some("Sign out"));
    assert_eq!(attr(&button, "aria-expanded"), "false");
    assert_eq!(active_id(), "t-menu-button");
}

#[wasm_bindgen_test]
async fn disclosure_toggles_by_click_and_keys_and_keeps_input() {
    use onramp::components::Disclosure;
    let _mounted = mount_to(container(), move || {
        view! {
            <Disclosure id="t-disc" title="Linked account" level=4>
                <label for="t-disc-input">"Role ARN"</label>
                <input id="t-disc-input"/>
            </Disclosure>
        }
    });
    tick().await;
    let button = by_id("t-disc-button");
    let panel = by_id("t-disc");
    assert_eq!(button.tag_name(), "BUTTON");
    assert_eq!(attr(&button, "type"), "button");
    assert_eq!(button.parent_element().unwrap().tag_name(), "H4");
    assert_eq!(attr(&button, "aria-controls"), "t-disc");
    assert_eq!(attr(&button, "aria-expanded"), "false");
    assert!(panel.has_attribute("hidden"));
    assert_eq!(attr(&panel, "aria-labelledby"), "t-disc-button");
    // Collapsed, the panel is still there (hidden), so its input already exists.
    let input: HtmlInputElement = by_id("t-disc-input").unchecked_into();

    let expanded = || button.get_attribute("aria-expanded").unwrap();
    button.unchecked_ref::<HtmlElement>().click();
    tick().await;
    assert_eq!(expanded(), "true");
    assert!(!panel.has_attribute("hidden"));

    input.set_value("arn:aws:iam::123456789012:role/Spot-Role");
    fire(&input, "input");
    button.unchecked_ref::<HtmlElement>().click();
    tick().await;
    assert_eq!(expanded(), "false");
    assert!(panel.has_attribute("hidden"));

    // A real Enter or Space on a button is a keydown (and for Space a keyup) followed by one
    // click from the browser (and Space on a button activates it instead of scrolling).
    // Replay that sequence: each key must toggle exactly once.
    for key in ["Enter", " "] {
        let before = expanded();
        let init = KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        init.set_cancelable(true);
        let down = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        button.dispatch_event(&down).unwrap();
        let up = KeyboardEvent::new_with_keyboard_event_init_dict("keyup", &init).unwrap();
        button.dispatch_event(&up).unwrap();
        tick().await;
        assert_eq!(
            expanded(),
            before,
            "{key:?}: the key alone does not toggle twice"
        );
        button.unchecked_ref::<HtmlElement>().click();
        tick().await;
        assert_ne!(expanded(), before, "{key:?} toggles");
        assert_eq!(panel.has_attribute("hidden"), expanded() == "false");
    }
    // Two toggles later the panel is collapsed again, and reopening shows the value kept.
    assert_eq!(expanded(), "false");
    button.unchecked_ref::<HtmlElement>().click();
    tick().await;
    let input: HtmlInputElement = by_id("t-disc-input").unchecked_into();
    assert_eq!(input.value(), "arn:aws:iam::123456789012:role/Spot-Role");
}

#[wasm_bindgen_test]
async fn disclosure_can_be_controlled() {
    use onramp::components::Disclosure;
    let open = RwSignal::new(true);
    let _mounted = mount_to(container(), move || {
        view! { <Disclosure id="t-disc2" title="Management account" expanded=open>"Body"</Disclosure> }
    });
    tick().await;
    let button = by_id("t-disc2-button");
    assert_eq!(
        button.parent_element().unwrap().tag_name(),
        "H3",
        "default level"
    );
    assert_eq!(attr(&button, "aria-expanded"), "true");
    open.set(false);
    tick().await;
    assert_eq!(attr(&button, "aria-expanded"), "false");
    assert!(by_id("t-disc2").has_attribute("hidden"));
    button.unchecked_ref::<HtmlElement>().click();
    tick().await;
    assert!(open.get_untracked(), "a click writes the caller's signal");
}

#[wasm_bindgen_test]
async fn provider_picker_keyboard_and_signal() {
    use onramp::components::ProviderPicker;
    let value = RwSignal::new(None::<CloudProvider>);
    let error = RwSignal::new(Some("Choose a cloud provider.".to_owned()));
    let _mounted = mount_to(container(), move || {
        view! { <ProviderPicker id="t-pick" label="Cloud provider" value=value error=error/> }
    });
    tick().await;
    let group = by_id("t-pick");
    assert_eq!(attr(&group, "role"), "radiogroup");
    assert_eq!(attr(&group, "aria-labelledby"), "t-pick-label");
    assert_eq!(attr(&group, "aria-describedby"), "t-pick-error");
    assert_eq!(attr(&group, "aria-invalid"), "true");
    assert_eq!(text_of("t-pick-error").trim(), "Choose a cloud provider.");
    let aws = by_id("t-pick-aws");
    let gcp = by_id("t-pick-gcp");
    let azure = by_id("t-pick-azure");
    assert_eq!(aws.text_content().unwrap().trim(), "Amazon Web Services");
    assert_eq!(gcp.text_content().unwrap().trim(), "Google Cloud Platform");
    assert_eq!(azure.text_content().unwrap().trim(), "Microsoft Azure");
    let logo = aws.query_selector("img").unwrap().unwrap();
    assert_eq!(
        logo.get_attribute("alt").as_deref(),
        Some(""),
        "decorative logo"
    );
    let tabindexes = || {
        [&aws, &gcp, &azure]
            .map(|r| r.get_attribute("tabindex").unwrap())
            .join(",")
    };
    let checked = || {
        [&aws, &gcp, &azure]
            .map(|r| r.get_attribute("aria-checked").unwrap())
            .join(",")
    };
    // Nothing chosen: Tab enters at the first radio.
    assert_eq!(tabindexes(), "0,-1,-1");
    assert_eq!(checked(), "false,false,false");
    aws.unchecked_ref::<HtmlElement>().focus().unwrap();

    press(&aws, " ");
    tick().await;
    assert_eq!(
        value.get_untracked(),
        Some(CloudProvider::Aws),
        "Space selects"
    );
    assert_eq!(checked(), "true,false,false");
    assert_eq!(error.get_untracked(), None, "a choice clears the message");
    assert!(document().get_element_by_id("t-pick-error").is_none());
    assert_eq!(group.get_attribute("aria-invalid"), None);

    press(&aws, "ArrowDown");
    tick().await;
    assert_eq!(
        value.get_untracked(),
        Some(CloudProvider::Gcp),
        "arrow selects"
    );
    assert_eq!(active_id(), "t-pick-gcp", "arrow moves focus");
    assert_eq!(checked(), "false,true,false");
    assert_eq!(
        tabindexes(),
        "-1,0,-1",
        "Tab re-enters at the checked radio"
    );

    for (from, key, to, id, why) in [
        (
            &gcp,
            "ArrowRight",
            CloudProvider::Azure,
            "t-pick-azure",
            "next",
        ),
        (
            &azure,
            "ArrowDown",
            CloudProvider::Aws,
            "t-pick-aws",
            "wraps around",
        ),
        (
            &aws,
            "ArrowUp",
            CloudProvider::Azure,
            "t-pick-azure",
            "wraps backwards",
        ),
    ] {
        press(from, key);
        tick().await;
        assert_eq!(value.get_untracked(), Some(to), "{key}: {why}");
        assert_eq!(active_id(), id, "{key}: {why}");
    }
    press(&azure, "ArrowLeft");
    tick().await;
    assert_eq!(value.get_untracked(), Some(CloudProvider::Gcp));
    assert_eq!(tabindexes(), "-1,0,-1");

    aws.unchecked_ref::<HtmlElement>().click();
    tick().await;
    assert_eq!(
        value.get_untracked(),
        Some(CloudProvider::Aws),
        "a click selects"
    );
    // The signal drives the view too (e.g. restored from a draft).
    value.set(Some(CloudProvider::Azure));
    tick().await;
    assert_eq!(checked(), "false,false,true");
    assert_eq!(tabindexes(), "-1,-1,0");
}

#[wasm_bindgen_test]
async fn copy_button_says_copied_when_the_clipboard_accepts() {
    use onramp::components::CopyButton;
    let _fake = FakeClipboard::write_text("return Promise.resolve();");
    let _mounted = mount_to(container(), move || {
        view! { <div id="t-copy-wrap"><CopyButton id="t-copy" value="922761411349" what="Spot account ID"/></div> }
    });
    tick().await;
    let button = document()
        .query_selector("#t-copy-wrap button")
        .unwrap()
        .unwrap();
    assert_eq!(
        button
            .text_content()
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        "Copy Spot account ID",
        "accessible name from content"
    );
    let status = by_id("t-copy-status");
    assert_eq!(attr(&status, "role"), "status");
    assert_eq!(status.text_content().unwrap().trim(), "");

    button.unchecked_ref::<HtmlElement>().click();
    sleep(50).await;
    assert_eq!(FakeClipboard::copied(), "922761411349");
    assert_eq!(status.text_content().unwrap().trim(), "Copied");
    assert!(
        document().get_element_by_id("t-copy-text").is_none(),
        "no fallback when copying worked"
    );
    // "Copied" goes away by itself after about two seconds.
    sleep(2300).await;
    assert_eq!(status.text_content().unwrap().trim(), "");
}

#[wasm_bindgen_test]
async fn copy_button_falls_back_to_selected_text_when_refused_or_missing() {
    use onramp::components::CopyButton;
    for missing in [false, true] {
        let _fake = if missing {
            FakeClipboard::missing()
        } else {
            FakeClipboard::write_text(
                "return Promise.reject(new DOMException('denied', 'NotAllowedError'));",
            )
        };
        let id = if missing { "t-copy-m" } else { "t-copy-r" };
        let _mounted = mount_to(container(), move || {
            view! { <CopyButton id=id value="ext-4f2a9c" what="external ID"/> }
        });
        tick().await;
        let status = by_id(&format!("{id}-status"));
        click_copy(id);
        sleep(100).await;
        assert_eq!(
            status.text_content().unwrap().trim(),
            "The clipboard is not available. Press Ctrl+C to copy.",
            "missing: {missing}"
        );
        let text: HtmlInputElement = by_id(&format!("{id}-text")).unchecked_into();
        assert!(text.read_only());
        assert_eq!(text.value(), "ext-4f2a9c");
        assert_eq!(active_id(), format!("{id}-text"), "the box takes focus");
        assert_eq!(
            text.selection_start().unwrap(),
            Some(0),
            "all of it selected"
        );
        assert_eq!(text.selection_end().unwrap(), Some(10));
    }

    // Several lines (a policy, a script) fall back to a read-only text area, newlines kept.
    let _fake = FakeClipboard::missing();
    let script = "gcloud config set project acme\ngcloud iam service-accounts create spot";
    let _mounted = mount_to(container(), move || {
        view! { <CopyButton id="t-copy-l" value=script what="script"/> }
    });
    tick().await;
    click_copy("t-copy-l");
    sleep(100).await;
    let area: web_sys::HtmlTextAreaElement = by_id("t-copy-l-text").unchecked_into();
    assert_eq!(area.tag_name(), "TEXTAREA");
    assert!(area.read_only());
    assert_eq!(area.value(), script);
    assert_eq!(active_id(), "t-copy-l-text");
    assert_eq!(area.selection_end().unwrap(), Some(script.len() as u32));
}

#[wasm_bindgen_test]
async fn code_block_copies_and_downloads() {
    use onramp::components::CodeBlock;
    let _fake = FakeClipboard::write_text("return Promise.resolve();");
    let policy = "{\n  \"Version\": \"2012-10-17\"\n}";
    let _mounted = mount_to(container(), move || {
        view! { <CodeBlock id="t-code" label="IAM policy" code=policy filename="spot-policy.json" mime="application/json"/> }
    });
    tick().await;
    assert_eq!(text_of("t-code-code"), policy);
    let scroll = by_id("t-code-code").parent_element().unwrap();
    assert_eq!(scroll.tag_name(), "PRE");
    assert_eq!(attr(&scroll, "tabindex"), "0");
    assert_eq!(attr(&scroll, "aria-labelledby"), "t-code-label");
    assert_eq!(text_of("t-code-label"), "IAM policy");

    // Catch the temporary link's click before the browser acts on it.
    let window = web_sys::window().unwrap();
    let catch = Function::new_with_args(
        "ev",
        "if (ev.target.tagName === 'A' && ev.target.download) { ev.preventDefault(); \
           window.__onrampDownload = {name: ev.target.download, href: ev.target.href}; }",
    );
    window
        .add_event_listener_with_callback_and_bool("click", &catch, true)
        .unwrap();
    let buttons = by_id("t-code").query_selector_all("button").unwrap();
    let button_named = |name: &str| -> HtmlElement {
        (0..buttons.length())
            .map(|i| buttons.item(i).unwrap().unchecked_into::<HtmlElement>())
            .find(|b| {
                b.text_content()
                    .unwrap()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    == name
            })
            .unwrap_or_else(|| panic!("no button {name}"))
    };
    button_named("Download IAM policy").click();
    window
        .remove_event_listener_with_callback_and_bool("click", &catch, true)
        .unwrap();
    let got = Reflect::get(&window, &"__onrampDownload".into()).unwrap();
    assert_eq!(
        Reflect::get(&got, &"name".into()).unwrap(),
        "spot-policy.json"
    );
    let href = Reflect::get(&got, &"href".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(href.starts_with("blob:"), "{href}");
    let response: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(&href))
            .await
            .unwrap()
            .unchecked_into();
    let body = wasm_bindgen_futures::JsFuture::from(response.text().unwrap())
        .await
        .unwrap();
    assert_eq!(body, policy);
    assert!(
        document().query_selector("a[download]").unwrap().is_none(),
        "the temporary link is gone"
    );

    button_named("Copy IAM policy").click();
    sleep(50).await;
    assert_eq!(FakeClipboard::copied(), policy);
    assert_eq!(text_of("t-code-copy-status").trim(), "Copied");
}

#[wasm_bindgen_test]
async fn a_long_code_block_draws_its_first_lines_and_copies_all() {
    use onramp::components::CodeBlock;
    let _fake = FakeClipboard::write_text("return Promise.resolve();");
    let code = RwSignal::new("one\ntwo\nthree".to_owned());
    let _mounted = mount_to(container(), move || {
        view! { <CodeBlock id="t-long" label="Template" code=code filename="t.json" max_lines=3/> }
    });
    tick().await;
    // Fits: drawn whole, no note.
    assert_eq!(text_of("t-long-code"), "one\ntwo\nthree");
    assert!(document().get_element_by_id("t-long-more").is_none());

    code.set("one\ntwo\nthree\nfour\nfive".to_owned());
    tick().await;
    assert_eq!(text_of("t-long-code"), "one\ntwo\nthree");
    assert_eq!(
        text_of("t-long-more"),
        "Showing the first 3 of 5 lines; Copy and Download take all of them."
    );
    // The bar's first button is Copy.
    by_id("t-long")
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    sleep(50).await;
    assert_eq!(FakeClipboard::copied(), "one\ntwo\nthree\nfour\nfive");
}

#[wasm_bindgen_test]
async fn stepper_marks_current_done_and_upcoming() {
    use onramp::components::{Step, Stepper};
    let current = RwSignal::new(1usize);
    let _mounted = mount_to(container(), move || {
        view! {
            <Stepper id="t-steps" label="Setup steps" current=current>
                <Step slot title="Create your organization" summary=|| "Organization: Acme"/>
                <Step slot title="Select a cloud provider" summary=|| "Amazon Web Services">
                    <p id="t-steps-picker">"picker"</p>
                </Step>
                <Step slot title="Connect your cloud account">"connect"</Step>
            </Stepper>
        }
    });
    tick().await;
    let list = by_id("t-steps");
    assert_eq!(list.tag_name(), "OL");
    assert_eq!(attr(&list, "aria-label"), "Setup steps");
    let items = list.query_selector_all(":scope > li").unwrap();
    assert_eq!(items.length(), 3);
    let item = |i: u32| -> Element { items.item(i).unwrap().unchecked_into() };
    let currents = || {
        (0..3)
            .map(|i| item(i).get_attribute("aria-current").unwrap_or_default())
            .collect::<Vec<_>>()
    };
    // What a reader gets, blocks apart (text_content would glue the title to the summary).
    let words = |i: u32| {
        item(i)
            .unchecked_into::<HtmlElement>()
            .inner_text()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(currents(), ["", "step", ""]);
    assert_eq!(
        words(0),
        "Done: Create your organization Organization: Acme"
    );
    assert_eq!(words(1), "2 Current step: Select a cloud provider picker");
    assert_eq!(words(2), "3 Not started: Connect your cloud account");
    assert!(
        item(0)
            .query_selector(".stepper-mark svg")
            .unwrap()
            .is_some(),
        "a check"
    );
    assert_eq!(
        text_of("t-steps-step-2"),
        "Current step: Select a cloud provider"
    );

    current.set(2);
    tick().await;
    assert_eq!(currents(), ["", "", "step"]);
    assert_eq!(
        words(1),
        "Done: Select a cloud provider Amazon Web Services"
    );
    assert_eq!(
        words(2),
        "3 Current step: Connect your cloud account connect"
    );
    assert!(document().get_element_by_id("t-steps-picker").is_none());
}

#[wasm_bindgen_test]
async fn file_drop_refuses_big_files_unread_and_delivers_small_ones() {
    use onramp::components::FileDrop;
    let got = RwSignal::new(None::<(String, Vec<u8>)>);
    let error = RwSignal::new(None::<String>);
    let _mounted = mount_to(container(), move || {
        view! {
            <FileDrop id="t-key" label="Service account key (JSON)" accept=".json,application/json"
                max_bytes=64 on_file=Callback::new(move |f| got.set(Some(f))) error=error/>
        }
    });
    tick().await;
    let input: HtmlInputElement = by_id("t-key").unchecked_into();
    assert_eq!(input.type_(), "file");
    assert_eq!(input.accept(), ".json,application/json");
    let label = document()
        .query_selector("label[for=t-key]")
        .unwrap()
        .unwrap();
    assert_eq!(
        label.text_content().as_deref(),
        Some("Service account key (JSON)")
    );
    let browse = by_id("t-key-browse");
    assert_eq!(browse.tag_name(), "BUTTON");
    assert_eq!(browse.text_content().unwrap().trim(), "Browse");
    assert_eq!(attr(&browse, "aria-labelledby"), "t-key-browse t-key-label");

    // Too big, chosen with the file input: refused at once, nothing read.
    let big = make_file(&"x".repeat(65), "huge.json");
    spy_reads(&big);
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&big).unwrap();
    input.set_files(transfer.files().as_ref());
    fire(&input, "change");
    tick().await;
    assert_eq!(
        text_of("t-key-error").trim(),
        "“huge.json” is 65 bytes. The limit is 64 bytes: choose a smaller file."
    );
    assert_eq!(attr(&input, "aria-invalid"), "true");
    assert_eq!(attr(&input, "aria-describedby"), "t-key-error");
    assert_eq!(attr(&browse, "aria-describedby"), "t-key-error");
    sleep(50).await;
    assert!(!was_read(), "a refused file is never read");
    assert_eq!(got.get_untracked(), None);
    assert_eq!(text_of("t-key-chosen").trim(), "");

    // Small enough, dropped on the zone: delivered, named, the error gone.
    let zone = input.parent_element().unwrap();
    let small = make_file(r#"{"type":"service_account"}"#, "key.json");
    spy_reads(&small);
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&small).unwrap();
    let init = web_sys::DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(&transfer));
    let over = web_sys::DragEvent::new_with_event_init_dict("dragover", &init).unwrap();
    zone.dispatch_event(&over).unwrap();
    tick().await;
    assert!(
        over.default_prevented(),
        "dragover accepted, or the drop never comes"
    );
    assert!(zone.class_list().contains("file-drop-active"));
    let drop = web_sys::DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    zone.dispatch_event(&drop).unwrap();
    assert!(
        drop.default_prevented(),
        "the browser must not open the file"
    );
    sleep(50).await;
    assert!(was_read());
    assert_eq!(
        got.get_untracked(),
        Some((
            "key.json".to_owned(),
            br#"{"type":"service_account"}"#.to_vec()
        ))
    );
    assert_eq!(text_of("t-key-chosen").trim(), "Chosen file: key.json");
    assert!(!zone.class_list().contains("file-drop-active"));
    assert_eq!(error.get_untracked(), None);
    assert_eq!(input.get_attribute("aria-invalid"), None);
    assert!(document().get_element_by_id("t-key-error").is_none());
}

/// Clicks the button of the CopyButton `id` (beside its status region).
fn click_copy(id: &str) {
    by_id(&format!("{id}-status"))
        .parent_element()
        .unwrap()
        .query_selector("button")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
}

thread_local! {
    static SCREENS_BUILT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

onramp::split_view!(
    probe,
    fn probe_screen(shown: RwSignal<u32>) {
        SCREENS_BUILT.with(|n| n.set(n.get() + 1));
        let first = shown.get();
        view! { <p id="t-probe">{format!("built with {first}")}</p> }
    }
);

#[wasm_bindgen_test]
async fn lazy_view_builds_its_screen_once_whatever_the_screen_reads() {
    SCREENS_BUILT.with(|n| n.set(0));
    let shown = RwSignal::new(1u32);
    let _mounted = mount_to(container(), move || {
        view! { <LazyView load=move || probe_screen(shown)/> }
    });
    until("the lazily loaded screen", || {
        document().get_element_by_id("t-probe").is_some()
    })
    .await;
    shown.set(2);
    tick().await;
    sleep(50).await;
    assert_eq!(
        SCREENS_BUILT.with(|n| n.get()),
        1,
        "a signal the screen read rebuilt it"
    );
    assert_eq!(text_of("t-probe"), "built with 1");
}

thread_local! {
    static LOADS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A chunk that fails to arrive the first time.
async fn flaky_load() -> Result<AnyView, &'static str> {
    let n = LOADS.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    if n == 1 {
        Err("the chunk did not arrive")
    } else {
        Ok(view! { <h1 id="t-loaded">"Loaded"</h1> }.into_any())
    }
}

#[wasm_bindgen_test]
async fn lazy_view_that_fails_says_so_and_try_again_loads_it() {
    LOADS.with(|n| n.set(0));
    let _mounted = mount_to(container(), move || view! { <LazyView load=flaky_load/> });
    until("the failure message", || {
        document()
            .query_selector("[role=alert]")
            .ok()
            .flatten()
            .is_some_and(|a| a.text_content().unwrap_or_default().contains("didn't load"))
    })
    .await;
    let heading = document().query_selector("h1").unwrap().unwrap();
    assert_eq!(heading.text_content().unwrap(), "Something didn't load");
    let retry = document()
        .query_selector("button")
        .unwrap()
        .expect("a Try again button");
    assert_eq!(retry.text_content().unwrap().trim(), "Try again");
    retry.unchecked_ref::<HtmlElement>().click();
    until("the screen after Try again", || {
        document().get_element_by_id("t-loaded").is_some()
    })
    .await;
    assert_eq!(LOADS.with(|n| n.get()), 2, "one load per attempt");
    assert!(
        document().query_selector("[role=alert]").unwrap().is_none(),
        "the error is gone"
    );
}

// ---- blur validation and the error summary ------------------------------------------------

/// A `blur` on `from` whose focus goes to `to` (as a Tab press makes it).
fn blur_towards(from: &Element, to: &Element) {
    let init = js_sys::Object::new();
    Reflect::set(&init, &"relatedTarget".into(), to).unwrap();
    let ctor: Function = Reflect::get(&web_sys::window().unwrap(), &"FocusEvent".into())
        .unwrap()
        .unchecked_into();
    let args = js_sys::Array::of2(&"blur".into(), &init);
    let ev: Event = Reflect::construct(&ctor, &args).unwrap().unchecked_into();
    from.dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
async fn field_validates_on_blur_towards_the_submit_button_when_no_pointer_presses_it() {
    let (value, error) = field_state();
    let _mounted = mount_to(container(), move || {
        view! {
            <form>
                <Field id="t-tab-name" label="Account name" value=value error=error
                    check=rule(v::account_name)/>
                <button type="submit" id="t-tab-submit">"Create account"</button>
            </form>
        }
    });
    tick().await;
    let input: HtmlInputElement = by_id("t-tab-name").unchecked_into();
    input.set_value("1234");
    fire(&input, "input");
    // Tab from the field to the submit button: no pointer press, so the message shows now.
    blur_towards(&input, &by_id("t-tab-submit"));
    tick().await;
    assert_eq!(attr(&input, "aria-invalid"), "true");
    assert_eq!(
        error.get_untracked(),
        v::account_name("1234").err().map(|e| e.message)
    );
}

#[wasm_bindgen_test]
fn problems_keep_form_order_and_pick_where_focus_goes() {
    use onramp::components::{FocusTo, Problem, focus_to, problems};
    let none = problems([("a", None), ("b", None)]);
    assert_eq!(none, Vec::<Problem>::new());
    assert_eq!(focus_to(&none), FocusTo::Nothing);

    let one = problems([("a", None), ("b", Some("Enter b.".to_owned()))]);
    assert_eq!(
        one,
        vec![Problem {
            id: "b".into(),
            message: "Enter b.".into()
        }]
    );
    assert_eq!(focus_to(&one), FocusTo::Field("b"));

    let two = problems([
        ("c", Some("Enter c.".to_owned())),
        ("a", None),
        ("b", Some("Enter b.".to_owned())),
    ]);
    let ids: Vec<&str> = two.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["c", "b"], "in the order the form gives them");
    assert_eq!(focus_to(&two), FocusTo::Summary);
}

#[wasm_bindgen_test]
async fn error_summary_for_two_or_more_problems_and_the_field_for_one() {
    use onramp::components::{ErrorSummary, FieldCheck, FormErrors};
    let (name, e_name) = field_state();
    let (email, e_email) = field_state();
    let errors = FormErrors::new("t-summary");
    let fields = [
        FieldCheck {
            id: "t-sum-name",
            value: name,
            error: e_name,
            check: rule(v::full_name),
        },
        FieldCheck {
            id: "t-sum-email",
            value: email,
            error: e_email,
            check: rule(v::email),
        },
    ];
    let _mounted = mount_to(container(), move || {
        view! {
            <form>
                <ErrorSummary errors/>
                <Field id="t-sum-name" label="Full name" value=name error=e_name check=fields[0].check/>
                <Field id="t-sum-email" label="Email" value=email error=e_email check=fields[1].check/>
            </form>
        }
    });
    tick().await;

    // Both refused: both messages, and the summary lists them in form order, focused.
    assert!(!errors.check(&fields));
    until("the summary has focus", || active_id() == "t-summary").await;
    assert!(e_name.get_untracked().is_some() && e_email.get_untracked().is_some());
    let summary = by_id("t-summary");
    assert_eq!(attr(&summary, "tabindex"), "-1");
    let title = by_id(&attr(&summary, "aria-labelledby"));
    assert_eq!(title.text_content().as_deref(), Some("There is a problem"));
    let links = summary.query_selector_all("a").unwrap();
    let hrefs: Vec<String> = (0..links.length())
        .map(|i| attr(&links.item(i).unwrap().unchecked_into(), "href"))
        .collect();
    assert_eq!(hrefs, ["#t-sum-name", "#t-sum-email"]);
    let second: HtmlElement = links.item(1).unwrap().unchecked_into();
    assert_eq!(second.text_content(), v::email("").err().map(|e| e.message));
    second.click();
    assert_eq!(active_id(), "t-sum-email", "the link focuses its field");

    // One refused: focus on it, no summary.
    name.set("Ada Lovelace".into());
    assert!(!errors.check(&fields));
    tick().await;
    assert_eq!(active_id(), "t-sum-email");
    assert!(document().get_element_by_id("t-summary").is_none());

    // None: nothing to show.
    email.set("ada@example.com".into());
    assert!(errors.check(&fields));
    tick().await;
    assert!(document().get_element_by_id("t-summary").is_none());
}

/// The chooser: the filter is the page's, All skips a blocked item, None clears what the filter
/// shows, a tick reaches the page, the counts line and the row limit follow.
#[wasm_bindgen_test]
async fn chooser_all_none_filter_and_limit() {
    use onramp::components::{BulkLabel, ChoiceCell, ChoiceRow, Chooser};
    use onramp_core::choice::{ChoiceCounts, apply};
    use std::collections::BTreeSet;

    let items: Vec<(String, bool)> = (1..=5).map(|i| (format!("item{i}"), i == 2)).collect();
    let query = RwSignal::new(String::new());
    let chosen = RwSignal::new(BTreeSet::<String>::new());
    let rows = Memo::new({
        let items = items.clone();
        move |_| {
            let q = query.get();
            items
                .iter()
                .filter(|(k, _)| k.contains(&q))
                .map(|(k, blocked)| ChoiceRow {
                    key: k.clone(),
                    label: format!("Item {k}"),
                    tag: None,
                    blocked: *blocked,
                    cells: vec![ChoiceCell::Code(k.clone())],
                })
                .collect::<Vec<_>>()
        }
    });
    let counts = Signal::derive(move || ChoiceCounts {
        chosen: chosen.with(BTreeSet::len),
        total: 5,
        blocked: 1,
        matching: rows.with(Vec::len),
    });
    let on_choose = Callback::new(move |(keys, on): (Vec<String>, bool)| {
        chosen.update(|c| *c = apply(c, &keys, on));
    });
    let _mounted = mount_to(container(), move || {
        view! {
            <Chooser id="t-pick" caption="Items" filter_label="Filter items" query=query
                all=BulkLabel { text: "All", more: " items shown" } none=BulkLabel { text: "None", more: "" }
                headers=&["Item", "ID"] rows=rows chosen=chosen counts=counts on_choose=on_choose
                error=Signal::stored(None::<String>) limit=3 empty="No item matches."/>
        }
    });
    tick().await;
    let drawn = || {
        document()
            .query_selector_all("#t-pick-choice tbody tr")
            .unwrap()
            .length()
    };
    assert_eq!(drawn(), 3, "at most the limit is drawn");
    let chooser = document().query_selector(".chooser").unwrap().unwrap();
    assert!(
        chooser
            .text_content()
            .unwrap()
            .contains("Showing the first 3 of 5")
    );
    assert_eq!(
        text_of("t-pick-count"),
        "0 of 5 chosen · 1 cannot be connected"
    );

    let all: HtmlElement = by_id("t-pick-all").unchecked_into();
    assert_eq!(all.text_content().unwrap(), "All items shown");
    all.click();
    tick().await;
    let want: BTreeSet<String> = ["item1", "item3", "item4", "item5"]
        .map(str::to_owned)
        .into();
    assert_eq!(
        chosen.get_untracked(),
        want,
        "All acts beyond the limit, never on a blocked item"
    );
    let blocked: HtmlInputElement = by_id("t-pick-pick-item2").unchecked_into();
    assert!(blocked.disabled() && !blocked.checked());
    assert_eq!(
        text_of("t-pick-count"),
        "4 of 5 chosen · 1 cannot be connected"
    );

    // A tick on one box.
    let one: HtmlInputElement = by_id("t-pick-pick-item1").unchecked_into();
    assert!(one.checked());
    one.click();
    tick().await;
    assert!(!chosen.get_untracked().contains("item1"));

    // None acts on the filter's matches only.
    let filter: HtmlInputElement = by_id("t-pick-filter").unchecked_into();
    filter.set_value("item5");
    fire(&filter, "input");
    tick().await;
    assert_eq!(query.get_untracked(), "item5");
    assert_eq!(drawn(), 1);
    assert!(text_of("t-pick-count").ends_with("· 1 matches the filter"));
    by_id("t-pick-none").unchecked_into::<HtmlElement>().click();
    tick().await;
    let want: BTreeSet<String> = ["item3", "item4"].map(str::to_owned).into();
    assert_eq!(chosen.get_untracked(), want);

    filter.set_value("nothing");
    fire(&filter, "input");
    tick().await;
    assert_eq!(drawn(), 0);
    assert!(chooser.text_content().unwrap().contains("No item matches."));
}

/// The status table's search and pages (a long batch): the filter by state and the search
/// combine, one page is drawn, Previous and Next move between pages and stop at the ends.
#[wasm_bindgen_test]
async fn status_table_search_and_pages() {
    use onramp::components::{StatusRow, StatusSearch, StatusTable};
    use onramp_core::dto::BatchMemberState;

    let rows: Vec<StatusRow> = (0..250)
        .map(|i| StatusRow {
            key: format!("{:012}", 100_000_000_000u64 + i),
            name: format!("Team {i:03}"),
            detail: format!("{:012}", 100_000_000_000u64 + i),
            account: Some(format!("act-{i:08x}")),
            state: if i % 10 == 0 {
                BatchMemberState::Failed
            } else {
                BatchMemberState::Waiting
            },
            note: None,
        })
        .collect();
    let _mounted = mount_to(container(), move || {
        view! {
            <StatusTable id="t-status" title="Members" what="Member" rows=Signal::stored(rows.clone())
                search=StatusSearch { label: "Search by name or ID" } page_size=100>
                <p id="t-status-extra">"Summary"</p>
            </StatusTable>
        }
    });
    tick().await;
    let body_rows = || {
        document()
            .query_selector_all("#t-status-heading ~ .table-wrap tbody tr")
            .unwrap()
    };
    let drawn = || body_rows().length();
    let first_row = || body_rows().item(0).unwrap().text_content().unwrap();
    assert_eq!(drawn(), 100, "one page is drawn");
    assert!(
        text_of("t-status-extra").contains("Summary"),
        "the page's part is shown"
    );
    let section = document()
        .query_selector("section.status-table")
        .unwrap()
        .unwrap();
    let range = || {
        section
            .query_selector(".pager-range")
            .unwrap()
            .map(|r| r.text_content().unwrap())
    };
    let pager_button = |name: &str| -> HtmlElement {
        let buttons = section.query_selector_all(".pager button").unwrap();
        (0..buttons.length())
            .map(|i| buttons.item(i).unwrap().unchecked_into::<HtmlElement>())
            .find(|b| b.text_content().unwrap() == name)
            .unwrap_or_else(|| panic!("no button {name}"))
    };
    assert_eq!(range().as_deref(), Some("Showing 1–100 of 250"));
    assert_eq!(attr(&pager_button("Previous"), "aria-disabled"), "true");
    pager_button("Previous").click();
    tick().await;
    assert_eq!(
        range().as_deref(),
        Some("Showing 1–100 of 250"),
        "no page before the first"
    );

    pager_button("Next").click();
    tick().await;
    assert_eq!(range().as_deref(), Some("Showing 101–200 of 250"));
    assert!(first_row().contains("Team 100"), "{}", first_row());
    pager_button("Next").click();
    tick().await;
    assert_eq!(range().as_deref(), Some("Showing 201–250 of 250"));
    assert_eq!(drawn(), 50, "the last page holds the rest");
    assert_eq!(attr(&pager_button("Next"), "aria-disabled"), "true");
    pager_button("Next").click();
    tick().await;
    assert_eq!(
        range().as_deref(),
        Some("Showing 201–250 of 250"),
        "no page after the last"
    );
    pager_button("Previous").click();
    tick().await;
    assert_eq!(range().as_deref(), Some("Showing 101–200 of 250"));
    assert_eq!(attr(&pager_button("Previous"), "aria-disabled"), "");

    let search: HtmlInputElement = by_id("t-status-search").unchecked_into();
    // A new search starts at the first page (every row has a "1" in its ID).
    search.set_value("1");
    fire(&search, "input");
    tick().await;
    assert_eq!(
        range().as_deref(),
        Some("Showing 101–200 of 250"),
        "the rows follow the key only once it is drawn"
    );
    after_paint().await;
    tick().await;
    assert_eq!(range().as_deref(), Some("Showing 1–100 of 250"));
    pager_button("Next").click();
    tick().await;
    search.set_value("  TEAM 2");
    fire(&search, "input");
    search.set_value("  TEAM 24");
    fire(&search, "input");
    tick().await;
    after_paint().await;
    tick().await;
    assert_eq!(drawn(), 10, "Team 240–249, from the first page again");
    assert_eq!(range(), None, "one page: no pager");

    by_id("t-status-show-failed")
        .unchecked_into::<HtmlElement>()
        .click();
    tick().await;
    assert_eq!(drawn(), 1, "Team 240 alone is failed");
    search.set_value("act-000000f0");
    fire(&search, "input");
    tick().await;
    after_paint().await;
    tick().await;
    assert_eq!(drawn(), 1, "the Spot account is searched too (240 = 0xf0)");
    search.set_value("nobody");
    fire(&search, "input");
    tick().await;
    after_paint().await;
    tick().await;
    assert_eq!(drawn(), 0);
    assert!(
        section
            .text_content()
            .unwrap()
            .contains("None matches the search.")
    );
}
