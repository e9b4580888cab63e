//! Router, layout (skip link, top bar, main landmark) and the app-wide providers.

use crate::api::ApiError;
use crate::components::{MenuButton, MenuItem};
use crate::pages::{
    Dashboard, Home, NotFound, SignIn, SignupDetails, SignupPassword, Welcome, expire_session,
};
use crate::state::session::identify;
use crate::state::theme::Theme;
use crate::state::{Config, Profile, Session, use_api};
use leptos::prelude::*;
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_navigate;
use leptos_router::path;

#[component]
pub fn App(config: Config) -> impl IntoView {
    provide_context(config);
    let session = Session::restore();
    provide_context(session);
    load_profile(session);

    view! {
        <Router>
            <a
                class="skip-link"
                href="#main"
                on:click=|ev| {
                    // Handled here so the router does not treat the fragment as a navigation.
                    ev.prevent_default();
                    crate::components::focus_id("main");
                }
            >
                "Skip to main content"
            </a>
            <TopBar/>
            <main id="main" tabindex="-1" class="main">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/signup") view=SignupDetails/>
                    <Route path=path!("/signup/password") view=SignupPassword/>
                    <Route path=path!("/signin") view=SignIn/>
                    <Route
                        path=path!("/welcome")
                        view=|| view! { <RequireSession><Welcome/></RequireSession> }
                    />
                    <Route
                        path=path!("/welcome/provider")
                        view=|| view! { <RequireSession><Welcome/></RequireSession> }
                    />
                    <Route
                        path=path!("/welcome/connect/:provider")
                        view=|| view! { <RequireSession><Welcome/></RequireSession> }
                    />
                    <Route
                        path=path!("/dashboard")
                        view=|| view! { <RequireSession><Dashboard/></RequireSession> }
                    />
                </Routes>
            </main>
        </Router>
    }
}

/// Fills in who is signed in whenever there is a token but no profile yet (page reload).
fn load_profile(session: Session) {
    let api = use_api();
    Effect::new(move |_| {
        if session.token().is_none() || session.profile.with_untracked(Option::is_some) {
            return;
        }
        let api = api();
        leptos::task::spawn_local_scoped(async move {
            let profile = identify(&api).await;
            match profile {
                Ok(p) => session.profile.set(Some(p)),
                Err(ApiError::Unauthorized) => expire_session(session),
                Err(_) => {}
            }
        });
    });
}

/// Renders its children only with a session; otherwise sends the user to sign in.
#[component]
fn RequireSession(children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<Session>();
    let signed_in = Memo::new(move |_| session.is_signed_in());
    move || {
        if signed_in.get() {
            children().into_any()
        } else {
            view! { <Redirect path="/signin"/> }.into_any()
        }
    }
}

#[component]
fn TopBar() -> impl IntoView {
    let session = expect_context::<Session>();
    let signed_in = Memo::new(move |_| session.is_signed_in());
    let theme = RwSignal::new(Theme::load());

    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                <svg class="brand-logo" aria-hidden="true" viewBox="0 0 24 24" width="24" height="24">
                    <path d="M3 17l6-6 4 4 8-8" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/>
                    <path d="M15 7h6v6" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/>
                </svg>
                <span>"Onramp"</span>
            </A>
            <nav class="topnav" aria-label="Main">
                <Show
                    when=move || signed_in.get()
                    fallback=|| view! {
                        <A href="/signin">"Sign in"</A>
                        <A href="/signup">"Create account"</A>
                    }
                >
                    <A href="/welcome">"Get started"</A>
                    <A href="/dashboard">"Dashboard"</A>
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
                <Show when=move || signed_in.get()>
                    <UserMenu/>
                </Show>
            </div>
        </header>
    }
}

#[component]
fn UserMenu() -> impl IntoView {
    let session = expect_context::<Session>();
    let api = use_api();
    let navigate = use_navigate();

    let label = Signal::derive(move || {
        session.profile.with(|p| match p {
            Some(Profile { name: Some(n), .. }) => n.clone(),
            Some(_) => "API token".into(),
            None => "Account".into(),
        })
    });
    let detail = Signal::derive(move || {
        session.profile.with(|p| {
            p.as_ref()
                .map(|p| p.organization.clone())
                .unwrap_or_default()
        })
    });

    let go_dashboard = {
        let navigate = navigate.clone();
        Callback::new(move |()| navigate("/dashboard", Default::default()))
    };
    let sign_out = Callback::new(move |()| {
        let api = api();
        let navigate = navigate.clone();
        leptos::task::spawn_local_scoped(async move {
            // The token is revoked server-side when possible; locally it goes either way.
            let _ = api.signout().await;
            session.clear();
            session.flash.set(Some("You have signed out.".into()));
            navigate("/signin", Default::default());
        });
    });

    view! {
        <MenuButton
            id="user-menu"
            label=label
            detail=detail
            items=vec![
                MenuItem { label: "Dashboard", on_select: go_dashboard },
                MenuItem { label: "Sign out", on_select: sign_out },
            ]
        />
    }
}
