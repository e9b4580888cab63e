//! Router, layout (skip link, top bar, main landmark) and the app-wide providers.

use crate::components::notice;
use crate::components::{Banner, MenuButton, MenuItem, Notice};
use crate::components::{ConnectPanels, LazyView, NotFound};
use crate::features::accounts::{AddAccount, Dashboard};
use crate::features::auth::{Home, SignIn, SignupDetails, SignupPassword};
use crate::features::aws::AwsConnect;
use crate::features::azure::AzureConnect;
use crate::features::embed::{EmbedAddAccount, EmbedEntry, EmbedFlow, EmbedLayer};
use crate::features::finops::FinOps;
use crate::features::gcp::GcpConnect;
use crate::features::invitations::{InviteCard, JoinByInvitation};
use crate::features::management::{AzureBilling, ManagementWizard};
use crate::features::onboarding::Welcome;
use crate::state::session::identify;
use crate::state::theme::Theme;
use crate::state::{Config, Profile, Session, use_api};
use leptos::prelude::*;
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_navigate;
use leptos_router::path;
use onramp_core::dto::CloudProvider;
use onramp_core::onboarding::ConnectDraft;

#[component]
pub fn App(config: Config) -> impl IntoView {
    provide_context(config);
    let session = Session::restore();
    provide_context(session);
    provide_context(crate::state::CurrentAccount::restore());
    provide_context(ConnectPanels(connect_panel));
    let profile_load = load_profile(session);

    view! {
        <Router>
            <SkipLink/>
            <EmbedLayer/>
            <TopBar>
                <Show when=move || session.is_signed_in()>
                    <UserMenu/>
                </Show>
            </TopBar>
            <main id="main" tabindex="-1" class="main">
                <crate::components::OfflineBanner waiting=crate::api::rate_limit_wait()/>
                <ProfileProblem load=profile_load/>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/signup") view=SignupDetails/>
                    <Route path=path!("/signup/password") view=SignupPassword/>
                    <Route path=path!("/signin") view=SignIn/>
                    // Joining by invitation: public, like sign-up.
                    <Route path=path!("/invite/:token") view=JoinByInvitation/>
                    <Route
                        path=path!("/welcome")
                        view=|| view! { <RequireSession writer=true><Welcome/></RequireSession> }
                    />
                    <Route
                        path=path!("/welcome/provider")
                        view=|| view! { <RequireSession writer=true><Welcome/></RequireSession> }
                    />
                    <Route
                        path=path!("/welcome/connect/:provider")
                        view=|| view! { <RequireSession writer=true><Welcome/></RequireSession> }
                    />
                    <Route path=path!("/embed") view=EmbedEntry/>
                    <Route path=path!("/embed/welcome") view=embed_flow/>
                    <Route path=path!("/embed/connect/:provider") view=embed_flow/>
                    <Route path=path!("/embed/add-account") view=EmbedAddAccount/>
                    <Route
                        path=path!("/management")
                        view=|| view! { <RequireSession writer=true><ManagementWizard/></RequireSession> }
                    />
                    <Route
                        path=path!("/management/azure")
                        view=|| view! { <RequireSession writer=true><AzureBilling/></RequireSession> }
                    />
                    <Route
                        path=path!("/management/:step")
                        view=|| view! { <RequireSession writer=true><ManagementWizard/></RequireSession> }
                    />
                    <Route
                        path=path!("/finops")
                        view=|| view! { <RequireSession writer=true><LazyView load=finops/></RequireSession> }
                    />
                    <Route
                        path=path!("/dashboard")
                        view=|| view! { <RequireSession><Dashboard invite_card=|| view! { <InviteCard/> }/></RequireSession> }
                    />
                    // The additional-account flow; one view reads the URL.
                    <Route path=path!("/accounts/new") view=add_account/>
                    <Route path=path!("/accounts/new/:step") view=add_account/>
                    <Route path=path!("/accounts/new/connect/:provider") view=add_account/>
                    <Route path=path!("/accounts/:id/setup") view=add_account/>
                </Routes>
            </main>
        </Router>
    }
}

/// The sign-in bundle (`auth.html`, binary `onramp-auth`): only the screens a signed-out visitor
/// starts on, so the first load stays small. Any other path is the console's: the page loads
/// again and the server answers it with `index.html`.
#[component]
pub fn AuthApp(config: Config) -> impl IntoView {
    provide_context(config);
    let session = Session::restore();
    provide_context(session);
    provide_context(crate::state::CurrentAccount::restore());
    // A tab already signed in (e.g. joining by invitation) says who it is signed in as.
    let _ = load_profile(session);

    view! {
        <Router>
            <SkipLink/>
            <TopBar/>
            <main id="main" tabindex="-1" class="main">
                <crate::components::OfflineBanner waiting=crate::api::rate_limit_wait()/>
                <Routes fallback=ToConsole>
                    <Route path=path!("/signup") view=SignupDetails/>
                    <Route path=path!("/signup/password") view=SignupPassword/>
                    <Route path=path!("/signin") view=SignIn/>
                    <Route path=path!("/invite/:token") view=JoinByInvitation/>
                </Routes>
            </main>
        </Router>
    }
}

/// The first stop of Tab: straight to the page's content.
#[component]
fn SkipLink() -> impl IntoView {
    view! {
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
    }
}

/// In the sign-in bundle, a path it does not have: the router has already put it in the address
/// bar, so loading the page again fetches the console for it.
#[component]
fn ToConsole() -> impl IntoView {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// The connect panel of each provider, for the wizards that show one (see [`ConnectPanels`]).
fn connect_panel(
    provider: CloudProvider,
    draft: RwSignal<ConnectDraft>,
    on_connected: Callback<()>,
) -> AnyView {
    match provider {
        CloudProvider::Aws => view! { <AwsConnect draft on_connected/> }.into_any(),
        CloudProvider::Gcp => view! { <GcpConnect draft on_connected/> }.into_any(),
        CloudProvider::Azure => view! { <AzureConnect draft on_connected/> }.into_any(),
    }
}

crate::split_view!(
    finops,
    fn finops() {
        view! { <FinOps/> }
    }
);

/// The first-run wizard inside a partner portal.
fn embed_flow() -> impl IntoView {
    view! { <EmbedFlow><Welcome/></EmbedFlow> }
}

fn add_account() -> impl IntoView {
    view! { <RequireSession writer=true><AddAccount/></RequireSession> }
}

/// Fills in who is signed in whenever there is a token but no profile yet (page reload).
fn load_profile(session: Session) -> ProfileLoad {
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
                Ok(p) => session.profile.set(Some(p)),
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
struct ProfileLoad {
    failed: RwSignal<Option<Notice>>,
    attempt: RwSignal<u32>,
}

/// Shown when the signed-in user's profile could not be loaded: without it the wizard cannot
/// know the account, so say so and offer **Try again**.
#[component]
fn ProfileProblem(load: ProfileLoad) -> impl IntoView {
    let ProfileLoad { failed, attempt } = load;
    view! {
        <Show when=move || failed.with(Option::is_some)>
            <div class="profile-problem">
                <Banner notice=Signal::derive(move || failed.get().map(|n| Notice {
                    text: format!("We couldn't load your organization. {}", n.text),
                    request_id: n.request_id,
                }))/>
                <button type="button" class="btn btn-secondary" on:click=move |_| attempt.update(|n| *n += 1)>
                    "Try again"
                </button>
            </div>
        </Show>
    }
}

/// Renders its children only with a session; otherwise sends the user to sign in. A `writer`
/// screen (connecting, adding or managing accounts) shows a viewer why it is not for them
/// instead of a form the server would refuse.
#[component]
fn RequireSession(children: ChildrenFn, #[prop(optional)] writer: bool) -> impl IntoView {
    let session = expect_context::<Session>();
    let signed_in = Memo::new(move |_| session.is_signed_in());
    let refused = Memo::new(move |_| writer && session.is_viewer());
    move || {
        if !signed_in.get() {
            view! { <Redirect path="/signin"/> }.into_any()
        } else if refused.get() {
            view! { <ViewerNotice/> }.into_any()
        } else {
            children().into_any()
        }
    }
}

/// What a viewer sees on a screen that changes accounts.
#[component]
fn ViewerNotice() -> impl IntoView {
    let session = expect_context::<Session>();
    let organization = move || {
        session.profile.with(|p| {
            p.as_ref()
                .map(|p| p.organization.clone())
                .unwrap_or_default()
        })
    };
    crate::state::mark_interactive();
    view! {
        <section class="page page-narrow viewer-notice">
            <h1>"An admin is needed here"</h1>
            <p>
                "You are a viewer in " <strong>{organization}</strong>
                ": you can see its accounts and savings, but connecting, adding and changing accounts is for its admins."
            </p>
            <p>"Ask an admin of your organization to do this."</p>
            <A href="/dashboard" attr:class="btn btn-primary">"Go to the dashboard"</A>
        </section>
    }
}

/// Brand, main navigation and the theme switch; `children` go at the end (the user menu in the
/// console; nothing in the sign-in bundle, which must not carry the menu's code).
#[component]
fn TopBar(#[prop(optional)] children: Option<Children>) -> impl IntoView {
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
                    // The first-run wizard connects an account: nothing a viewer can do.
                    <Show when=move || !session.is_viewer()>
                        <A href="/welcome">"Get started"</A>
                    </Show>
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
                {children.map(|c| c())}
            </div>
        </header>
    }
}

/// The user/account menu: who is signed in, the account being worked in, a search over the
/// organization's accounts (name or ID) to switch to one, **Add account**, sign out. There is
/// no settings page yet, so no Settings item.
#[component]
fn UserMenu() -> impl IntoView {
    use crate::components::{MenuEntry, MenuGroup, MenuSearch, provider_logo};
    use crate::state::CurrentAccount;
    use onramp_core::accounts_view::{default_account, search};
    use onramp_core::dto::Account;

    let session = expect_context::<Session>();
    let current = expect_context::<CurrentAccount>();
    let api = use_api();
    let navigate = use_navigate();
    let location = leptos_router::hooks::use_location();

    // The accounts, fetched again on every navigation (so a new or renamed account shows).
    let accounts = RwSignal::new(Vec::<Account>::new());
    {
        let api = api.clone();
        Effect::new(move |_| {
            location.pathname.track();
            let api = api();
            leptos::task::spawn_local_scoped(async move {
                // The menu still works without the list; the pages show the error.
                if let Ok(list) = api.list_accounts().await {
                    accounts.try_set(list);
                }
            });
        });
    }
    let query = RwSignal::new(String::new());

    let label = Signal::derive(move || {
        session.profile.with(|p| match p {
            Some(Profile { name: Some(n), .. }) => n.clone(),
            Some(_) => "API token".into(),
            None => "Account".into(),
        })
    });
    // The current account (the default one until another is chosen).
    let current_id = Memo::new(move |_| {
        current
            .0
            .get()
            .filter(|id| accounts.with(|l| l.iter().any(|a| &a.account_id == id)))
            .or_else(|| accounts.with(|l| default_account(l).cloned()))
    });
    let detail = Signal::derive(move || {
        let id = current_id.get();
        let name = accounts.with(|l| {
            l.iter()
                .find(|a| Some(&a.account_id) == id.as_ref())
                .map(|a| a.name.clone())
        });
        match name {
            Some(n) => format!("Account: {n}"),
            None => session.profile.with(|p| {
                p.as_ref()
                    .map(|p| p.organization.clone())
                    .unwrap_or_default()
            }),
        }
    });

    let go = {
        let navigate = navigate.clone();
        Callback::new(move |path: &'static str| navigate(path, Default::default()))
    };
    let groups = Signal::derive(move || {
        let q = query.get();
        let cur = current_id.get();
        let entries = accounts.with(|l| {
            search(l, &q)
                .into_iter()
                .take(8)
                .map(|a| {
                    let id = a.account_id.clone();
                    MenuEntry {
                        label: a.name.clone(),
                        detail: Some(id.to_string()),
                        icon: a.cloud_provider.map(provider_logo),
                        checked: Some(cur.as_ref() == Some(&id)),
                        on_select: Callback::new(move |()| {
                            current.set(id.clone());
                            go.run("/dashboard");
                        }),
                    }
                })
                .collect::<Vec<_>>()
        });
        let empty = (entries.is_empty() && !q.trim().is_empty())
            .then(|| format!("No account matches “{}”.", q.trim()));
        let mut entries = entries;
        // A viewer can add nothing (the server would refuse); unknown until the profile loads.
        let may_add = session
            .profile
            .with(|p| p.as_ref().is_some_and(|p| !p.read_only()));
        if may_add {
            entries.push(MenuEntry {
                label: "Add account".into(),
                detail: None,
                icon: None,
                checked: None,
                on_select: Callback::new(move |()| go.run("/accounts/new")),
            });
        }
        vec![MenuGroup {
            label: "Accounts".into(),
            entries,
            empty,
        }]
    });

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
            groups=groups
            search=MenuSearch { label: "Search accounts by name or ID", value: query }
            items=vec![
                MenuItem { label: "Dashboard", on_select: Callback::new(move |()| go.run("/dashboard")) },
                MenuItem { label: "Sign out", on_select: sign_out },
            ]
        />
    }
}
