//! Screens by path, layout (skip link, top bar, main landmark) and the app-wide providers.
//!
//! Two bundles start here: the sign-in bundle ([`AuthApp`]) and the console ([`App`], in
//! `console.rs`). The release build of the sign-in bundle leaves the console out altogether
//! (feature `auth-bundle`): a split point is kept in every binary that links it, so the console's
//! must not be compiled into the sign-in bundle.

use crate::components::Link;
use crate::components::{LazyView, Notice, notice};
use crate::features::auth::{SignIn, SignupDetails, SignupPassword};
use crate::features::invitations::JoinByInvitation;
use crate::platform::history::{provide_history, use_location};
use crate::state::session::identify;
use crate::state::theme::Theme;
use crate::state::{Config, Session, use_api};
use leptos::prelude::*;
use leptos::tachys::reactive_graph::OwnedView;
use onramp_core::routes::Page;

#[cfg(not(feature = "auth-bundle"))]
mod console;
mod screen_focus;
#[cfg(not(feature = "auth-bundle"))]
pub use console::{App, first_chunk};
use screen_focus::ScreenFocus;

/// The sign-in bundle (`auth.html`, binary `onramp-auth`): only the screens a signed-out visitor
/// starts on, so the first load stays small. Any other path is the console's: the page loads
/// again and the server answers it with `index.html`.
#[component]
pub fn AuthApp(config: Config) -> impl IntoView {
    provide_context(config);
    provide_history();
    let session = Session::restore();
    provide_context(session);
    provide_context(crate::state::CurrentAccount::restore());
    // A tab already signed in (e.g. joining by invitation) says who it is signed in as.
    let _ = load_profile(session);

    view! {
        <ScreenFocus/>
        <SkipLink/>
        <TopBar/>
        <main id="main" tabindex="-1" class="main">
            <crate::components::OfflineBanner waiting=crate::api::rate_limit_wait()/>
            <AuthScreens/>
        </main>
    }
}

/// The screen the address opens, of the few this bundle has (see `onramp_core::routes`).
#[component]
fn AuthScreens() -> impl IntoView {
    screens(|page| match page {
        Some(Page::Signup) => view! { <LazyView load=signup_details/> }.into_any(),
        Some(Page::SignupPassword) => view! { <LazyView load=signup_password/> }.into_any(),
        // Drawn from the main module: a chunk of its own only added a request, and the fields and
        // buttons it shares with the other screens were in each of their packs anyway.
        Some(Page::SignIn) => view! { <SignIn/> }.into_any(),
        Some(Page::Invite) => view! { <LazyView load=join/> }.into_any(),
        _ => view! { <ToConsole/> }.into_any(),
    })
}

/// The chunk (split point name) of the screen a page opens, given whether a session is stored.
pub type FirstChunk = fn(Page, bool) -> Option<&'static str>;

/// The chunks of this bundle's screens (the split points below; sign-in has none here).
pub fn auth_first_chunk(page: Page, _signed_in: bool) -> Option<&'static str> {
    match page {
        Page::Signup | Page::SignupPassword => Some("signup"),
        Page::Invite => Some("join"),
        _ => None,
    }
}

/// Starts fetching the code of the screen the address opens, while the config loads and the
/// app is first drawn (otherwise the screen's request would only start after both).
pub(crate) fn fetch_first_chunk(chunk_of: FirstChunk) {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let signed_in = Session::stored();
    if let Some(chunk) = Page::parse(&path).and_then(|page| chunk_of(page, signed_in)) {
        crate::platform::lazy::fetch_pack(chunk);
    }
}

/// Draws `screen` for the page the address opens, again only when the page changes (a new step
/// of the same wizard is the same page; see `onramp_core::routes`). Like a router's screen
/// swap, the change comes in a task of its own and the old screen is disposed a task after the
/// new one is built: the code that navigated (an event handler, an effect or a task of the old
/// screen) finishes with the old screen's signals first.
pub(crate) fn screens(screen: fn(Option<Page>) -> AnyView) -> impl IntoView {
    let location = use_location();
    let page = RwSignal::new(location.pathname.with_untracked(|p| Page::parse(p)));
    Effect::new(move |_| {
        let next = location.pathname.with(|p| Page::parse(p));
        if page.get_untracked() != next {
            page.set(next);
        }
    });
    // Each screen is built and drawn under an owner of its own; `OwnedView` drops the last
    // screen's owner only after the effects already queued have run.
    let host = Owner::current();
    move || {
        let page = page.get();
        let owner = host.as_ref().map_or_else(Owner::new, Owner::child);
        let view = owner.with(|| {
            // A screen follows the address while it names that screen: the screen on its way
            // out (a link or Back to another page) then cannot send the user back to itself.
            provide_context(location.following(move |p| Page::parse(p) == page));
            untrack(|| screen(page))
        });
        OwnedView::new_with_owner(view, owner)
    }
}

/// The first stop of Tab: straight to the page's content.
#[component]
pub(crate) fn SkipLink() -> impl IntoView {
    view! {
        <a
            class="skip-link"
            href="#main"
            on:click=|ev| {
                // Handled here: focus follows the skip, not only the scroll position.
                ev.prevent_default();
                crate::components::focus_id("main");
            }
        >
            "Skip to main content"
        </a>
    }
}

/// In the sign-in bundle, a path it does not have: it is already in the address bar, so loading
/// the page again fetches the console for it.
#[component]
fn ToConsole() -> impl IntoView {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

// Each screen below is a split point: in the release build its code is a chunk of its own,
// fetched the first time it shows (split points that name the same chunk share one file).
crate::split_view!(
    signup,
    fn signup_details() {
        view! { <SignupDetails/> }
    }
);
crate::split_view!(
    signup,
    fn signup_password() {
        view! { <SignupPassword/> }
    }
);
crate::split_view!(
    join,
    fn join() {
        view! { <JoinByInvitation/> }
    }
);

/// Fills in who is signed in whenever there is a token but no profile yet (page reload).
pub(crate) fn load_profile(session: Session) -> ProfileLoad {
    let api = use_api();
    let failed = RwSignal::new(None::<Notice>);
    // Bumped by **Try again**; the effect below tracks it.
    let attempt = RwSignal::new(0u32);
    Effect::new(move |_| {
        attempt.track();
        if session.token().is_none() || session.profile.with_untracked(Option::is_some) {
            return;
        }
        failed.set(None);
        let api = api();
        leptos::task::spawn_local_scoped(async move {
            match identify(&api).await {
                Ok(p) => session.set_profile(p),
                // The client already retried (safe request); now the user decides.
                Err(e) => failed.set(Some(notice(&e))),
            }
        });
    });
    ProfileLoad { failed, attempt }
}

/// Why the profile is missing (after the client's own retries), and the counter that
/// **Try again** bumps to run the load once more.
#[derive(Clone, Copy)]
#[cfg_attr(feature = "auth-bundle", allow(dead_code))] // only the console shows the problem
pub(crate) struct ProfileLoad {
    failed: RwSignal<Option<Notice>>,
    attempt: RwSignal<u32>,
}

/// Brand, main navigation and the theme switch; `children` go at the end (the user menu in the
/// console; nothing in the sign-in bundle, which must not carry the menu's code).
#[component]
pub(crate) fn TopBar(#[prop(optional)] children: Option<Children>) -> impl IntoView {
    let session = expect_context::<Session>();
    let signed_in = Memo::new(move |_| session.is_signed_in());
    let theme = RwSignal::new(Theme::load());

    view! {
        <header class="topbar">
            <Link href="/" attr:class="brand">
                <svg class="brand-logo" aria-hidden="true" viewBox="0 0 24 24" width="24" height="24">
                    <path d="M3 17l6-6 4 4 8-8" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/>
                    <path d="M15 7h6v6" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/>
                </svg>
                <span>"Onramp"</span>
            </Link>
            <nav class="topnav" aria-label="Main">
                <Show
                    when=move || signed_in.get()
                    fallback=|| view! {
                        <Link href="/signin">"Sign in"</Link>
                        <Link href="/signup">"Create account"</Link>
                    }
                >
                    // The first-run wizard connects an account: nothing a viewer can do.
                    <Show when=move || !session.is_viewer()>
                        <Link href="/welcome">"Get started"</Link>
                    </Show>
                    <Link href="/dashboard">"Dashboard"</Link>
                </Show>
            </nav>
            <div class="topbar-tools">
                <button
                    type="button"
                    class="btn btn-ghost theme-toggle"
                    title="Switch between light, dark and your system's theme"
                    on:click=move |_| {
                        let next = theme.get_untracked().next();
                        next.apply();
                        theme.set(next);
                    }
                >
                    <svg aria-hidden="true" viewBox="0 0 20 20" width="18" height="18">
                        <circle cx="10" cy="10" r="7" fill="none" stroke="currentColor" stroke-width="1.8"/>
                        <path d="M10 3a7 7 0 0 1 0 14z" fill="currentColor"/>
                    </svg>
                    <span>{move || format!("Theme: {}", theme.get().label())}</span>
                </button>
                {children.map(|c| c())}
            </div>
        </header>
    }
}
