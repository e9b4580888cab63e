//! Embed mode: the console inside a partner portal's iframe (docs/embedding.md).
//!
//! The page is in embed mode for its whole life when it was loaded inside a frame of an
//! allowed partner origin (the entry `/embed?parent=<origin>`, or a reload later in the
//! flow). Then: the app chrome is hidden (`embed` class on `<html>`), `ready` goes to the parent,
//! the main area stays hidden until the parent's `init` (from exactly that origin and window) is
//! checked by core and its token accepted by the API; the token lives in the session signal only
//! (never in storage or a URL); the content height is reported with `resize`; the wizard's
//! success path calls [`account_connected`]. Every message goes to the parent origin, never `*`.
//!
//! A framed page whose framing origin is neither this origin nor on the allow-list shows a
//! refusal instead of the app (the server's CSP `frame-ancestors` blocks it first; this covers
//! static hosts without that header).

use crate::api::{Api, ApiError};
use crate::components::{
    Field, LazyView, ProviderPicker, focus_id, provider_name, rule, set_title,
};
use crate::platform::history::NavigateOptions;
use crate::platform::history::use_navigate;
use crate::state::draft::{self, FIRST_RUN_DRAFT_KEY, save_first_run};
use crate::state::embed::{self, Embed, Phase, post, state};
use crate::state::session::identify;
use crate::state::{Config, Session};
use leptos::prelude::*;
use onramp_core::dto::CloudProvider;
use onramp_core::embed::{
    ChildMessage, CloseReason, ENTRY_ROUTE, EmbedStart, ErrorCode, InitMessage, ParentMessage,
    ThemeOverrides, allowed_origin, normalise_origin, parent_origin_from_query, parse_allow_list,
    parse_parent_message,
};
use onramp_core::ids::AccountId;
use onramp_core::onboarding::FirstRunDraft;
use std::cell::Cell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

thread_local! {
    /// Bumped by every `init`, so a slower earlier one cannot win.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
    static LAST_HEIGHT: Cell<u32> = const { Cell::new(u32::MAX) };
}

fn root() -> Option<web_sys::HtmlElement> {
    web_sys::window()?
        .document()?
        .document_element()?
        .dyn_into()
        .ok()
}

fn set_root_class(class: &str, on: bool) {
    if let Some(r) = root() {
        let list = r.class_list();
        let _ = if on {
            list.add_1(class)
        } else {
            list.remove_1(class)
        };
    }
}

/// The partner's theme as custom properties set through CSSOM (the CSP forbids `style`
/// attributes); a later `init` without a theme puts the defaults back.
fn apply_theme(theme: ThemeOverrides) {
    let Some(r) = root() else { return };
    let style = r.style();
    for name in ["--accent", "--on-accent", "--radius", "--radius-small"] {
        let _ = style.remove_property(name);
    }
    for (name, value) in theme.css_declarations() {
        let _ = style.set_property(&name, &value);
    }
    set_root_class("embed-accent", theme.accent.is_some());
    // Pinned without touching the user's stored preference.
    let _ = match theme.effective_mode() {
        Some(m) => r.set_attribute("data-theme", m.as_str()),
        None => r.remove_attribute("data-theme"),
    };
}

/// How this page load relates to framing.
enum Mode {
    Standalone,
    Embedded(String),
    Refused(&'static str),
}

const NOT_ALLOWED: &str =
    "This page is not allowed to show Onramp. Open Onramp in its own tab instead.";

/// Embedded, standalone or refused, from the frame's ancestry, the URL and the allow-list.
///
/// Framed pages: with `?parent=` (the entry), that origin must be on the allow-list and be the
/// real framing origin where the browser tells it; without it (a reload further in the flow),
/// the framing origin must be on the allow-list. Framed by this app's own origin: standalone.
/// Anything else framed is refused. Not framed: standalone, except the embed entry.
fn decide(config: &Config) -> Mode {
    let Some(win) = web_sys::window() else {
        return Mode::Standalone;
    };
    let framed = match win.top() {
        Ok(Some(top)) => !js_sys::Object::is(&top, &win),
        _ => true,
    };
    let location = win.location();
    let path = location.pathname().unwrap_or_default();
    let entry = path == ENTRY_ROUTE || path.starts_with("/embed/");
    if !framed {
        return if entry {
            Mode::Refused(
                "This address is for partner portals that show Onramp inside their own page. Open Onramp's home page instead.",
            )
        } else {
            Mode::Standalone
        };
    }
    let allow = parse_allow_list(&config.embed_origins.join(" "));
    let framer = ancestor(&win);
    let search = location.search().unwrap_or_default();
    let claims_parent = search
        .trim_start_matches('?')
        .split('&')
        .any(|p| p.starts_with("parent="));
    if claims_parent {
        return match (parent_origin_from_query(&search, &allow), framer) {
            (Ok(o), Some(f)) if f != o => Mode::Refused(NOT_ALLOWED),
            (Ok(o), _) => Mode::Embedded(o),
            (Err(_), _) => Mode::Refused(NOT_ALLOWED),
        };
    }
    let own = location.origin().ok().and_then(|o| normalise_origin(&o));
    match framer {
        Some(f) if allowed_origin(&f, &allow).is_some() => Mode::Embedded(f),
        Some(f) if Some(&f) == own.as_ref() && !entry => Mode::Standalone,
        _ => Mode::Refused(NOT_ALLOWED),
    }
}

/// The origin of the page framing this one: `location.ancestorOrigins[0]` where the browser has
/// it, else the referrer's origin; `None` when unknown.
fn ancestor(win: &web_sys::Window) -> Option<String> {
    let location = win.location();
    let from_list = js_sys::Reflect::get(&location, &"ancestorOrigins".into())
        .ok()
        .and_then(|l| l.dyn_into::<web_sys::DomStringList>().ok())
        .and_then(|l| l.item(0));
    let raw = from_list.or_else(|| {
        let referrer = win.document()?.referrer();
        web_sys::Url::new(&referrer).ok().map(|u| u.origin())
    })?;
    normalise_origin(&raw)
}

/// The height of the content, in CSS pixels.
fn content_height() -> f64 {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .map(|b| b.get_bounding_client_rect().height())
        .unwrap_or(0.0)
}

/// Posts `resize` when the whole-pixel height changed (or always, with `force`).
fn report_height(force: bool) {
    let ChildMessage::Resize { height } = ChildMessage::resize(content_height()) else {
        return;
    };
    if LAST_HEIGHT.with(|h| h.replace(height)) != height || force {
        post(&ChildMessage::Resize { height });
    }
}

/// A fresh first-run draft for the partner's start, the provider already chosen for
/// `provider:*`.
fn draft_for(organization: &str, provider: Option<CloudProvider>) -> FirstRunDraft {
    let mut d = FirstRunDraft::new(organization);
    if let Some(p) = provider {
        d.connect.choose_provider(p);
    }
    d
}

/// The app layer of embed mode, placed once in the app's layout: decides the
/// mode, and in embed mode shows the partner bar and the waiting/problem states and wires the
/// messages. Renders nothing in the standalone app.
///
/// Only the decision lives in every visitor's download: once the page is known to be embedded,
/// the chrome and main area are hidden at once and the rest (messages, partner bar, finish
/// screen) comes from the `embed` chunk, which the embed routes need anyway. Console only: a
/// split point stays in every binary that links it, and the sign-in bundle has no embed mode.
#[cfg(not(feature = "auth-bundle"))]
#[component]
pub fn EmbedLayer() -> impl IntoView {
    let config = expect_context::<Config>();
    let session = expect_context::<Session>();
    let origin = match decide(&config) {
        Mode::Standalone => return ().into_any(),
        Mode::Refused(text) => {
            set_root_class("embed-refused", true);
            set_title("Not available here");
            return view! {
                <section class="embed-message" aria-labelledby="embed-refused-title">
                    <h1 id="embed-refused-title">"Onramp can't be shown here"</h1>
                    <p>{text}</p>
                </section>
            }
            .into_any();
        }
        Mode::Embedded(origin) => origin,
    };

    set_root_class("embed", true);
    set_root_class("embed-waiting", true);
    // Whatever an earlier page load left, the embedded console starts signed out.
    if session.token_untracked().is_some() {
        session.clear();
    }
    let s = embed::enter(origin.clone(), session);
    let origin = StoredValue::new(origin);
    view! { <LazyView load=move || embedded_layer(origin.get_value(), s)/> }.into_any()
}

#[cfg(not(feature = "auth-bundle"))]
crate::split_view!(
    embed,
    fn embedded_layer(origin: String, s: Embed) {
        view! { <EmbeddedLayer origin s/> }
    }
);

/// Embed mode once entered: listens for the parent's `init`, starts the flow, reports the
/// height, and shows the partner bar, the waiting/problem states and the finish screen.
#[component]
fn EmbeddedLayer(origin: String, s: Embed) -> impl IntoView {
    s.layer_drawn.set(true);
    let config = expect_context::<Config>();
    let session = s.session;
    let navigate = use_navigate();

    // Main content only once the flow has started.
    Effect::new(move |_| {
        set_root_class("embed-waiting", s.phase.with(|p| *p != Phase::Ready));
    });
    // A token the API refuses later in the flow (the wizard signs out on a 401).
    Effect::new(move |_| {
        let signed_in = session.is_signed_in();
        if !signed_in && s.phase.get_untracked() == Phase::Ready {
            post(&ChildMessage::error(ErrorCode::Unauthorized));
            s.phase.set(Phase::Problem(
                "Your session has ended. Reload the page you came from to start again.".into(),
            ));
        }
    });
    // The finish screen replaces the flow (no navigation: the wizard would resolve its route
    // again and bring the user back to its last step).
    Effect::new(move |_| {
        let done = s.connected.with(Option::is_some);
        set_root_class("embed-finished", done);
        if done {
            // The flow is over: its draft goes (a new `init` starts afresh).
            draft::discard(FIRST_RUN_DRAFT_KEY);
            set_title("Account connected");
            request_animation_frame(|| focus_id("embed-done-title"));
        }
    });

    let base = config.api_base_url.clone();
    let on_init = move |init: InitMessage| {
        let generation = GENERATION.with(|g| {
            g.set(g.get().wrapping_add(1));
            g.get()
        });
        let current = move || GENERATION.with(Cell::get) == generation;
        s.phase.set(Phase::Starting);
        apply_theme(init.theme.unwrap_or_default());
        s.partner.set(init.partner_name.clone());
        s.connected.set(None);
        // A new init is a new flow: the old token and drafts go.
        session.clear();
        let api = Api::new(base.clone(), Some(init.token.expose().to_owned()));
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let mut profile = match identify(&api).await {
                Ok(p) => Some(p),
                Err(e) => {
                    if current() {
                        fail(s, &e);
                    }
                    None
                }
            };
            if let (Some(p), Some(wanted)) = (profile.as_mut(), init.account_id.clone()) {
                match api.list_accounts().await {
                    Ok(list) if list.iter().any(|a| a.account_id == wanted) => {
                        // The account the wizard connects.
                        p.default_account_id = Some(wanted);
                    }
                    Ok(_) => {
                        profile = None;
                        if current() {
                            post(&ChildMessage::error_with(
                                ErrorCode::InvalidInit,
                                "payload.accountId: the token's organization has no account with this id",
                            ));
                            s.phase.set(Phase::Problem(STARTUP_PROBLEM.into()));
                        }
                    }
                    Err(e) => {
                        profile = None;
                        if current() {
                            fail(s, &e);
                        }
                    }
                }
            }
            let Some(profile) = profile else { return };
            if !current() {
                return;
            }
            let provider = match init.start {
                EmbedStart::Provider(p) => Some(p),
                _ => None,
            };
            save_first_run(&draft_for(&profile.organization, provider));
            // In memory only: the standalone session key is not kept in embed mode.
            session.sign_in_for_this_page(init.token.expose().to_owned(), Some(profile));
            s.phase.set(Phase::Ready);
            navigate(init.start.route(), NavigateOptions { replace: true });
            request_animation_frame(|| report_height(true));
        });
    };

    listen(origin, on_init);
    observe_height();
    post(&ChildMessage::ready());

    let partner_line = move || match s.partner.get() {
        Some(name) => view! { "Cloud account setup for " <strong>{name}</strong> }.into_any(),
        None => view! { "Cloud account setup" }.into_any(),
    };
    let status = move || match s.phase.get() {
        Phase::Waiting => Some(("status", "Getting ready…".to_owned())),
        Phase::Starting => Some(("status", "Checking your session…".to_owned())),
        Phase::Ready => None,
        Phase::Problem(text) => Some(("alert", text)),
    };
    view! {
        <header class="embed-bar">
            <p class="embed-partner">{partner_line}</p>
            <Show when=move || s.phase.with(|p| *p == Phase::Ready) && s.connected.with(Option::is_none)>
                <button
                    type="button"
                    class="btn btn-secondary btn-small"
                    on:click=move |_| post(&ChildMessage::Close { reason: CloseReason::Cancelled })
                >
                    "Cancel"
                </button>
            </Show>
        </header>
        {move || status().map(|(role, text)| view! { <p class="embed-status" role=role>{text}</p> })}
        {finish(s)}
    }
    .into_any()
}

const STARTUP_PROBLEM: &str =
    "This page could not start the setup. Ask the site's owner to check how it opens Onramp.";

/// A failed start: the parent hears why (never the token), the user sees words.
fn fail(s: Embed, e: &ApiError) {
    let (code, text) = match e {
        ApiError::Unauthorized => (
            ErrorCode::Unauthorized,
            "Your session has ended. Reload the page you came from to start again.",
        ),
        ApiError::Network | ApiError::Timeout => (
            ErrorCode::Network,
            "We couldn't reach Onramp. Check your connection, then reload the page you came from.",
        ),
        _ => (
            ErrorCode::Api,
            "Onramp could not start the setup. Wait a moment, then reload the page you came from.",
        ),
    };
    post(&ChildMessage::error(code));
    s.phase.set(Phase::Problem(text.into()));
}

/// Listens for the parent's messages: only from `window.parent`, only from `origin`.
fn listen(origin: String, on_init: impl Fn(InitMessage) + 'static) {
    let Some(win) = web_sys::window() else { return };
    let parent = win.parent().ok().flatten();
    let allow = [origin];
    let handler =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let from_parent = match (ev.source(), parent.as_ref()) {
                (Some(src), Some(p)) => js_sys::Object::is(&src, p),
                _ => false,
            };
            if !from_parent {
                return;
            }
            let data = ev.data();
            let text = match data.as_string() {
                Some(t) => t,
                None => match js_sys::JSON::stringify(&data)
                    .ok()
                    .and_then(|t| t.as_string())
                {
                    Some(t) => t,
                    None => return,
                },
            };
            match parse_parent_message(&ev.origin(), &text, &allow) {
                Ok(ParentMessage::Init(init)) => on_init(init),
                Err(e) => {
                    if let Some(answer) = ChildMessage::for_refused(&e) {
                        post(&answer);
                        if let Some(s) = state()
                            && s.phase.get_untracked() != Phase::Ready
                        {
                            s.phase.set(Phase::Problem(STARTUP_PROBLEM.into()));
                        }
                    }
                }
            }
        });
    let _ = win.add_event_listener_with_callback("message", handler.as_ref().unchecked_ref());
    // Embed mode lasts as long as the page.
    handler.forget();
}

/// Reports the content height on every change.
fn observe_height() {
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    let callback = Closure::<dyn Fn()>::new(|| report_height(false));
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    callback.forget();
}

/// Shows its children only once the partner's `init` was accepted (the layer hides the main
/// area meanwhile).
#[component]
fn RequireInit(children: ChildrenFn) -> impl IntoView {
    let ready = move || state().is_some_and(|s| s.phase.get() == Phase::Ready);
    move || ready().then(|| children())
}

/// `/embed`: the entry; the layer says what is happening, the flow starts after `init`.
#[component]
pub fn EmbedEntry() -> impl IntoView {
    set_title("Connect a cloud account");
}

/// `/embed/welcome`, `/embed/connect/<provider>`: the first-run wizard, prepared for the
/// partner's start.
///
/// The app passes the wizard in (`children`), so that this feature does not import it.
#[component]
pub fn EmbedFlow(children: ChildrenFn) -> impl IntoView {
    view! { <RequireInit>{children()}</RequireInit> }
}

/// `/embed/add-account`: name a new account and pick its cloud; then the wizard connects it.
#[component]
pub fn EmbedAddAccount() -> impl IntoView {
    view! { <RequireInit><AddAccountForm/></RequireInit> }
}

#[component]
fn AddAccountForm() -> impl IntoView {
    set_title("Add an account");
    let session = expect_context::<Session>();
    let api = crate::state::use_api();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let provider = RwSignal::new(None::<CloudProvider>);
    let provider_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let banner = RwSignal::new(None::<crate::components::Notice>);
    let check_name = rule(onramp_core::validate::account_name);
    let created = RwSignal::new(None::<AccountId>);
    // When the last create request was sent, and the name it sent, while its answer is unknown
    // (memory only: a portal's frame often has no storage). A retry looks for that name, which
    // the user may have edited since.
    let create_sent = StoredValue::new(None::<(String, String)>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let name_problem = check_name.run(name.get_untracked());
        let chosen = provider.get_untracked();
        name_error.set(name_problem.clone());
        provider_error.set(
            chosen
                .is_none()
                .then(|| "Choose a cloud provider.".to_owned()),
        );
        if name_problem.is_some() {
            focus_id("embed-account-name");
            return;
        }
        let Some(chosen) = chosen else {
            focus_id("embed-provider-aws");
            return;
        };
        banner.set(None);
        let api = api();
        let navigate = navigate.clone();
        let typed = name.get_untracked();
        crate::components::run_busy(busy, async move {
            // A retry after a lost answer must not create a second account: the account that
            // request made is looked for first.
            let id = match created.get_untracked() {
                Some(id) => Ok(id),
                None => {
                    let sending = typed.trim().to_owned();
                    api.create_account_once(&sending, create_sent.get_value(), |t| {
                        create_sent.set_value(Some((t, sending.clone())));
                    })
                    .await
                }
            };
            match id {
                Ok(id) => {
                    if created.get_untracked().is_none() {
                        created.set(Some(id.clone()));
                        post(&ChildMessage::AccountCreated {
                            account_id: id.clone(),
                        });
                    }
                    let org = session
                        .profile
                        .with_untracked(|p| p.as_ref().map(|p| p.organization.clone()))
                        .unwrap_or_default();
                    session.profile.update(|p| {
                        if let Some(p) = p {
                            p.default_account_id = Some(id);
                        }
                    });
                    save_first_run(&draft_for(&org, Some(chosen)));
                    // Replace: Back must not return to a form that would create another account.
                    navigate(
                        &format!(
                            "/welcome/connect/{}",
                            crate::components::provider_slug(chosen)
                        ),
                        NavigateOptions { replace: true },
                    );
                }
                Err(e) => {
                    if let Some(m) = e.field_message("account.name") {
                        name_error.set(Some(m.to_owned()));
                        focus_id("embed-account-name");
                    } else {
                        banner.set(Some(crate::components::notice(&e)));
                    }
                }
            }
        });
    };

    view! {
        <section class="page page-narrow">
            <h1>"Add a cloud account"</h1>
            <form class="form card" novalidate on:submit=on_submit>
                <Field
                    id="embed-account-name"
                    label="Account name"
                    value=name
                    error=name_error
                    check=check_name
                    hint="How this account is listed, for example Production."
                    autocomplete="off"
                />
                <ProviderPicker id="embed-provider" label="Cloud provider" value=provider error=provider_error/>
                <crate::components::Banner notice=banner/>
                <div class="form-actions">
                    <crate::components::Button busy=busy>"Continue"</crate::components::Button>
                </div>
            </form>
        </section>
    }
}

/// The finish screen: the account is connected; **Done** asks the partner page to close the
/// frame.
fn finish(s: Embed) -> impl IntoView {
    move || {
        s.connected.get().map(|(id, p)| {
            let back = match s.partner.get() {
                Some(name) => format!("Choose Done to go back to {name}."),
                None => "Choose Done to go back.".to_owned(),
            };
            view! {
                <section class="embed-done page-narrow" aria-labelledby="embed-done-title">
                    <div class="card">
                        <h1 id="embed-done-title" tabindex="-1">"Account connected"</h1>
                        <p>
                            "Your " {provider_name(p)} " account is connected to Onramp as "
                            <code>{id.to_string()}</code> "."
                        </p>
                        <p>"Data can take up to 24 hours to appear. " {back}</p>
                        <div class="form-actions">
                            <button
                                type="button"
                                class="btn btn-primary"
                                on:click=move |_| post(&ChildMessage::Close { reason: CloseReason::Completed })
                            >
                                "Done"
                            </button>
                        </div>
                    </div>
                </section>
            }
        })
    }
}
