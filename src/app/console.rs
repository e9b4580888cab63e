//! The console: every route and the layout of a signed-in user (user menu, profile problems).

use super::{
    ProfileLoad, ScreenFocus, SkipLink, TopBar, join, load_profile, screens, signup_details,
    signup_password,
};
use crate::components::Link;
use crate::components::{Banner, MenuButton, MenuItem, Notice};
use crate::components::{ConnectPanels, LazyView, NotFound};
use crate::features::accounts::{AddAccount, Dashboard};
use crate::features::auth::Home as HomeScreen;
use crate::features::aws::AwsConnect;
use crate::features::aws_org::{AwsOrganization, DeployPanel, DeployStep, Org};
use crate::features::azure::AzureConnect;
use crate::features::azure_subs::AzureSubscriptions;
use crate::features::embed::{EmbedAddAccount, EmbedEntry, EmbedFlow, EmbedLayer};
use crate::features::finops::FinOps;
use crate::features::gcp::GcpConnect;
use crate::features::invitations::InviteCard;
use crate::features::management::{AzureBilling, ManagementWizard};
use crate::features::onboarding::Welcome;
use crate::features::settings::{Members, Security};
use crate::platform::history::{provide_history, redirect, use_navigate};
use crate::platform::lazy::{Preload, prefetch};
use crate::state::draft::ConnectStore;
use crate::state::{Config, Profile, Session, embed, use_api};
use leptos::prelude::*;
use onramp_core::dto::CloudProvider;
use onramp_core::routes::Page;

#[component]
pub fn App(config: Config) -> impl IntoView {
    provide_context(config);
    provide_history();
    let session = Session::restore();
    provide_context(session);
    provide_context(crate::state::CurrentAccount::restore());
    provide_context(ConnectPanels {
        view: connect_panel,
        prefetch_first_run,
    });
    let profile_load = load_profile(session);

    view! {
        <ScreenFocus/>
        <SkipLink/>
        <EmbedLayer/>
        <TopBar>
            <Show when=move || session.is_signed_in()>
                <UserMenuSlot/>
            </Show>
        </TopBar>
        <main id="main" tabindex="-1" class="main">
            <crate::components::OfflineBanner waiting=crate::api::rate_limit_wait()/>
            <ProfileProblem load=profile_load/>
            <Screens/>
        </main>
    }
}

/// The screen the address opens, built again only when that screen changes (see
/// `onramp_core::routes`): a wizard moving between its steps keeps its page.
#[component]
fn Screens() -> impl IntoView {
    screens(screen)
}

fn screen(page: Option<Page>) -> AnyView {
    use Page::*;
    let Some(page) = page else {
        return view! { <NotFound/> }.into_any();
    };
    match page {
        Home => view! { <HomeScreen/> }.into_any(),
        Signup => view! { <LazyView load=signup_details/> }.into_any(),
        SignupPassword => view! { <LazyView load=signup_password/> }.into_any(),
        SignIn => view! { <LazyView load=sign_in/> }.into_any(),
        // Joining by invitation: public, like sign-up.
        Invite => view! { <LazyView load=join/> }.into_any(),
        Welcome => welcome().into_any(),
        // Framed, the embed screens wait for the layer: they come in its chunk, so a chunk
        // that fails fails once, in the layer, whose Try again then brings them too.
        Embed => {
            view! { <Show when=embed::layer_up><LazyView load=embed_entry/></Show> }.into_any()
        }
        EmbedFlow => {
            view! { <Show when=embed::layer_up><LazyView load=embed_flow/></Show> }.into_any()
        }
        EmbedAddAccount => {
            view! { <Show when=embed::layer_up><LazyView load=embed_add_account/></Show> }
                .into_any()
        }
        Management => management().into_any(),
        ManagementAzure => {
            view! { <RequireSession writer=true><LazyView load=azure_billing/></RequireSession> }
                .into_any()
        }
        FinOps => view! { <RequireSession writer=true><LazyView load=finops/></RequireSession> }
            .into_any(),
        Dashboard => {
            view! { <RequireSession><LazyView load=dashboard/></RequireSession> }.into_any()
        }
        // Many Azure subscriptions at once: one entry for its three steps, so moving between
        // them keeps the page, and with it the client secret it holds in memory only.
        AzureSubscriptions => azure_subs().into_any(),
        // Connecting a whole AWS Organization: its own flow.
        AwsOrganization => aws_organization().into_any(),
        // The additional-account flow; one view reads the URL.
        AddAccount => add_account().into_any(),
        // Settings: any role (a viewer sees the members read-only).
        Settings => {
            redirect("/settings/members");
            ().into_any()
        }
        SettingsMembers => {
            view! { <RequireSession><LazyView load=settings_members/></RequireSession> }.into_any()
        }
        SettingsSecurity => {
            view! { <RequireSession><LazyView load=settings_security/></RequireSession> }.into_any()
        }
    }
}

/// The chunk of the screen `page` opens (the split points below), for `fetch_first_chunk`:
/// `None` for a screen without one, or one that needs a session when none is stored (it sends
/// the visitor to sign in).
pub fn first_chunk(page: Page, signed_in: bool) -> Option<&'static str> {
    use Page::*;
    // Sign-up and joining are split points of the same names as in the sign-in bundle.
    if let Some(chunk) = super::auth_first_chunk(page, signed_in) {
        return Some(chunk);
    }
    let chunk = match page {
        SignIn => return Some("sign_in"),
        Home | Settings | Signup | SignupPassword | Invite => return None,
        Embed | EmbedFlow | EmbedAddAccount => return Some("embed"),
        Welcome => "welcome",
        Management => "management",
        ManagementAzure => "azure_billing",
        FinOps => "finops",
        Dashboard => "dashboard",
        AzureSubscriptions => "azure_subs",
        AwsOrganization => "aws_org",
        AddAccount => "add_account",
        SettingsMembers => "settings_members",
        SettingsSecurity => "settings_security",
    };
    signed_in.then_some(chunk)
}

/// The connect panel of each provider, for the wizards that show one (see [`ConnectPanels`]).
fn connect_panel(provider: CloudProvider, store: ConnectStore) -> AnyView {
    match provider {
        CloudProvider::Aws => {
            view! { <LazyView load=move || aws_connect(store) failed=panel_failed/> }.into_any()
        }
        CloudProvider::Gcp => {
            view! { <LazyView load=move || gcp_connect(store) failed=panel_failed/> }.into_any()
        }
        CloudProvider::Azure => {
            view! { <LazyView load=move || azure_connect(store) failed=panel_failed/> }.into_any()
        }
    }
}

/// A connect panel is a part of its wizard's step: its message shows there, under the step.
fn panel_failed(attempt: RwSignal<u32>) -> AnyView {
    crate::components::failed_in_place(
        attempt,
        "The connection form didn't load. Check your connection, then try again.",
    )
}

// The sign-in bundle draws sign-in from its main module; here it is a screen like the others.
crate::split_view!(
    sign_in,
    fn sign_in() {
        view! { <crate::features::auth::SignIn/> }
    }
);
crate::split_view!(
    welcome,
    fn welcome_wizard() {
        view! { <Welcome/> }
    }
);
crate::split_view!(aws, preload aws_preload, fn aws_connect(store: ConnectStore) {
    view! { <AwsConnect store/> }
});
crate::split_view!(gcp, preload gcp_preload, fn gcp_connect(store: ConnectStore) {
    view! { <GcpConnect store/> }
});
crate::split_view!(azure, preload azure_preload, fn azure_connect(store: ConnectStore) {
    view! { <AzureConnect store/> }
});
crate::split_view!(
    embed,
    fn embed_entry() {
        view! { <EmbedEntry/> }
    }
);
// The first-run wizard inside a partner portal.
crate::split_view!(
    embed,
    fn embed_flow() {
        view! { <EmbedFlow><Welcome/></EmbedFlow> }
    }
);
crate::split_view!(
    embed,
    fn embed_add_account() {
        view! { <EmbedAddAccount/> }
    }
);
crate::split_view!(
    management,
    fn management_wizard() {
        view! { <ManagementWizard/> }
    }
);
// The Azure billing account: a screen of its own, so the AWS wizard does not carry it.
crate::split_view!(
    azure_billing,
    fn azure_billing() {
        view! { <AzureBilling/> }
    }
);
crate::split_view!(
    finops,
    fn finops() {
        view! { <FinOps/> }
    }
);
crate::split_view!(dashboard, preload dashboard_preload, fn dashboard() {
    view! { <Dashboard invite_card=|| view! { <InviteCard/> }/> }
});
crate::split_view!(
    add_account,
    fn add_account_flow() {
        view! { <AddAccount/> }
    }
);
crate::split_view!(
    aws_org,
    fn aws_organization_flow() {
        view! { <AwsOrganization deploy=DeployPanel { view: aws_org_deploy_panel, prefetch: aws_org_deploy_prefetch }/> }
    }
);
// The organization flow's last step (the StackSet's template and commands, the members' status
// table): a chunk of its own, fetched while the flow creates the accounts.
crate::split_view!(aws_org_deploy, preload aws_org_deploy_preload, fn aws_org_deploy(org: Org) {
    view! { <DeployStep org/> }
});
crate::split_view!(
    azure_subs,
    fn azure_subs_flow() {
        view! { <AzureSubscriptions/> }
    }
);
crate::split_view!(
    settings_members,
    fn settings_members() {
        view! { <Members/> }
    }
);
crate::split_view!(
    settings_security,
    fn settings_security() {
        view! { <Security/> }
    }
);

/// The first-run wizard (its provider step prefetches the picked provider's panel: see
/// [`prefetch_first_run`]).
fn welcome() -> impl IntoView {
    view! { <RequireSession writer=true><LazyView load=welcome_wizard/></RequireSession> }
}

/// The code of `provider`'s connect panel and of the dashboard that follows it, fetched in the
/// background once the first-run wizard's user has picked that provider: one prefetch pack per
/// provider (`scripts/lib.sh`), so a user fetches one provider's panel, not all three.
fn prefetch_first_run(provider: CloudProvider) {
    let (pack, panel): (_, Preload) = match provider {
        CloudProvider::Aws => ("welcome_aws", Box::pin(aws_preload())),
        CloudProvider::Gcp => ("welcome_gcp", Box::pin(gcp_preload())),
        CloudProvider::Azure => ("welcome_azure", Box::pin(azure_preload())),
    };
    prefetch(pack, vec![panel, Box::pin(dashboard_preload())]);
}

fn management() -> impl IntoView {
    view! { <RequireSession writer=true><LazyView load=management_wizard/></RequireSession> }
}

fn aws_organization() -> impl IntoView {
    view! { <RequireSession writer=true><LazyView load=aws_organization_flow/></RequireSession> }
}

fn aws_org_deploy_panel(org: Org) -> AnyView {
    view! { <LazyView load=move || aws_org_deploy(org) failed=deploy_failed/> }.into_any()
}

/// The deploy step is a part of the organization flow's page: its message shows in the step.
fn deploy_failed(attempt: RwSignal<u32>) -> AnyView {
    crate::components::failed_in_place(
        attempt,
        "The last step (deploying to your member accounts) didn't load. Check your connection, then try again.",
    )
}

fn aws_org_deploy_prefetch() {
    prefetch("aws_org_next", vec![Box::pin(aws_org_deploy_preload())]);
}

fn add_account() -> impl IntoView {
    view! { <RequireSession writer=true><LazyView load=add_account_flow/></RequireSession> }
}

fn azure_subs() -> impl IntoView {
    view! { <RequireSession writer=true><LazyView load=azure_subs_flow/></RequireSession> }
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
            redirect("/signin");
            ().into_any()
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
            <Link href="/dashboard" attr:class="btn btn-primary">"Go to the dashboard"</Link>
        </section>
    }
}

/// Where the user menu goes. Its code (the account list, its search, the menu itself: ~18 KB
/// brotli that no screen needs to draw) is a chunk of its own, fetched once the first screen is
/// interactive. Until then a button of the same look stands in: pressing it fetches the menu at
/// once and opens it when it is there, if focus is still on it; focus on it moves to the menu's
/// own button. Embedded, the top bar is hidden and the menu is not fetched.
#[component]
fn UserMenuSlot() -> impl IntoView {
    use crate::components::{MenuButtonStandIn, MenuStart};
    let session = expect_context::<Session>();
    let ready = RwSignal::new(false);
    let failed = RwSignal::new(false);
    // Pressed, and the code is on its way: the stand-in says so.
    let waiting = RwSignal::new(false);
    let loading = StoredValue::new(false);
    let start = StoredValue::new(None::<MenuStart>);
    // `try_`: the slot may be gone (signed out) by the time this runs.
    let load = move || {
        if loading.try_get_value() != Some(false)
            || ready.try_get_untracked() != Some(false)
            || crate::state::embed::is_embedded()
        {
            return;
        }
        loading.set_value(true);
        failed.set(false);
        leptos::task::spawn_local(async move {
            let loaded = user_menu_preload().await.is_ok();
            loading.try_set_value(false);
            waiting.try_set(false);
            failed.try_set(!loaded);
            ready.try_set(loaded);
        });
    };
    if crate::state::is_interactive() {
        // Signed in from within the console: the screen it lands on fetches its code first.
        leptos::task::spawn_local(async move {
            crate::platform::clock::sleep(1000).await;
            load();
        });
    } else {
        crate::state::when_interactive(load);
        // A first screen that never becomes interactive (its data failed) keeps the menu too;
        // a load that already failed waits for a press.
        leptos::task::spawn_local(async move {
            crate::platform::clock::sleep(5000).await;
            if failed.try_get_untracked() == Some(false) {
                load();
            }
        });
    }
    let on_press = Callback::new(move |at: MenuStart| {
        start.set_value(Some(at));
        waiting.set(true);
        load();
    });
    let stand_in = move || {
        view! {
            <MenuButtonStandIn
                id="user-menu"
                label=menu_label(session)
                detail=Signal::derive(move || organization(session))
                on_press
                waiting
                failed
            />
        }
    };
    view! {
        <Show when=move || ready.get() fallback=stand_in>
            {move || {
                // Built while the stand-in is still drawn. A press opens the menu only if focus
                // is still on the stand-in (or nowhere): the user may have moved on meanwhile.
                let active = crate::components::focused();
                let on_stand_in = active.as_ref().is_some_and(|e| e.id() == "user-menu-button");
                let nowhere = active.is_none();
                let start = match start.get_value() {
                    Some(pressed) if on_stand_in || nowhere => Some(pressed),
                    _ => on_stand_in.then_some(MenuStart::Focused),
                };
                view! { <LazyView load=move || user_menu(start)/> }
            }}
        </Show>
    }
}

/// The first line of the user menu's button: the user's name.
fn menu_label(session: Session) -> Signal<String> {
    Signal::derive(move || {
        session.profile.with(|p| match p {
            Some(Profile { name: Some(n), .. }) => n.clone(),
            Some(_) => "API token".into(),
            None => "Account".into(),
        })
    })
}

/// The organization of the signed-in user ("" until the profile is known).
fn organization(session: Session) -> String {
    session.profile.with(|p| {
        p.as_ref()
            .map(|p| p.organization.clone())
            .unwrap_or_default()
    })
}

crate::split_view!(user_menu, preload user_menu_preload, fn user_menu(start: Option<crate::components::MenuStart>) {
    view! { <UserMenu start/> }
});

/// The user/account menu: who is signed in, the account being worked in, a search over the
/// organization's accounts (name or ID) to switch to one, **Add account**, the settings screens
/// (**Members**, **Security**), sign out.
#[component]
fn UserMenu(start: Option<crate::components::MenuStart>) -> impl IntoView {
    use crate::components::{MenuEntry, MenuGroup, MenuSearch, provider_logo};
    use crate::state::CurrentAccount;
    use onramp_core::accounts_view::{default_account, search};
    use onramp_core::dto::Account;

    let session = expect_context::<Session>();
    let current = expect_context::<CurrentAccount>();
    let api = use_api();
    let navigate = use_navigate();
    let location = crate::platform::history::use_location();

    // The accounts, fetched again on every new screen and whenever the menu opens (so a new or
    // renamed account shows), not on every step of a wizard (its steps moved the address and
    // each asked again, for a list that opening the menu brings up to date anyway).
    let accounts = RwSignal::new(Vec::<Account>::new());
    let page = Memo::new(move |_| location.pathname.with(|p| Page::parse(p)));
    let opened = RwSignal::new(0u32);
    {
        let api = api.clone();
        Effect::new(move |_| {
            page.track();
            opened.track();
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

    let label = menu_label(session);
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
            None => organization(session),
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

    // The menu can be opened again while a sign-out is on its way: one is enough.
    let signing_out = StoredValue::new(false);
    let sign_out = Callback::new(move |()| {
        if signing_out.get_value() {
            return;
        }
        signing_out.set_value(true);
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
            on_open=Callback::new(move |()| opened.update(|n| *n += 1))
            start=start
            items=vec![
                MenuItem { label: "Dashboard", on_select: Callback::new(move |()| go.run("/dashboard")) },
                MenuItem { label: "Members", on_select: Callback::new(move |()| go.run("/settings/members")) },
                MenuItem { label: "Security", on_select: Callback::new(move |()| go.run("/settings/security")) },
                MenuItem { label: "Sign out", on_select: sign_out },
            ]
        />
    }
}
