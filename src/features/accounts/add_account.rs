//! The additional-account flow: `/accounts/new[?kind=…]`,
//! `/accounts/new/<kind|name|provider>`, `/accounts/new/connect/<provider>`, and
//! `/accounts/<id>/setup` for **Resume setup**.
//!
//! Kind (linked or management; management hidden when the organization has one) → **Account
//! name** → **Create account** (the account exists from then on) → provider → the same connect
//! panels as the first-run wizard. Core's `AddAccountDraft` decides which step a URL may open and
//! is kept in sessionStorage (never a secret), so a reload, back/forward or leaving and coming
//! back resumes at the right step. A **Create account** whose answer is lost is looked up in
//! the listing before anything is sent again, so a retry never makes a duplicate.

use super::org::load_management;
use crate::api::ApiError;
use crate::api::describe;
use crate::components::notice;
use crate::components::{
    Banner, Button, ChangeProviderButton, ConnectPanels, Field, Notice, ProviderPicker,
    RetryButton, Step, Stepper, focus_id, provider_logo, provider_name, set_title,
};
use crate::platform::history::NavigateOptions;
use crate::platform::history::{query_param, use_location, use_navigate};
use crate::platform::tasks::Tasks;
use crate::state::connected::remember_connected;
use crate::state::draft::{self, ConnectStore};
use crate::state::expire_session;
use crate::state::session::CONNECTED_MESSAGE;
use crate::state::{Profile, Session, mark_interactive, use_api};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use onramp_core::accounts_view::{AddAccountRoute, kind_from_query};
use onramp_core::dto::CloudProvider;
use onramp_core::ids::AccountId;
use onramp_core::onboarding::{
    AccountKind, AddAccountDraft, AddAccountStep, can_enter, first_incomplete_step, kinds_offered,
    providers_offered, resume_step,
};
use onramp_core::validate;

const DRAFT_KEY: &str = "onramp.draft.addaccount";

/// Where a created account's draft waits while another add-account flow runs: **Resume setup**
/// on that account takes it back, with everything typed on its connect step.
fn parked_key(id: &AccountId) -> String {
    format!("{DRAFT_KEY}.{id}")
}

/// Sets `d` (the flow's current draft) aside when it is a created account's that is not
/// connected yet, with the provider parts its panels keep beside it.
fn park(d: &AddAccountDraft) {
    if let (Some(id), false) = (&d.created_account_id, d.connect.connected) {
        draft::save(&parked_key(id), d);
        draft::move_parts(DRAFT_KEY, &parked_key(id));
    }
}
const NAME_ID: &str = "add-account-name";

fn replace() -> NavigateOptions {
    NavigateOptions { replace: true }
}

/// What **Try again** does after the page's own error.
#[derive(Clone, Copy, PartialEq)]
enum Retry {
    /// Asks again whether the organization has its management account.
    CheckManagement,
    /// Handles the Resume route again.
    Resume,
}

#[component]
pub fn AddAccount() -> impl IntoView {
    set_title("Add an account");
    let session = expect_context::<Session>();
    let api = use_api();
    let navigate = use_navigate();
    let location = use_location();

    let persisted = draft::wizard(DRAFT_KEY, || AddAccountDraft::new(None));
    let draft = *persisted;
    let step = RwSignal::new(None::<AddAccountStep>);
    let page_error = RwSignal::new(None::<Notice>);
    // What Try again does after a page error (the effect below reads `resume_attempt`).
    let retry = RwSignal::new(None::<Retry>);
    let resume_attempt = RwSignal::new(0_u32);

    // Whether the organization already has its management account (hides that choice).
    let management_exists = RwSignal::new(None::<bool>);
    let load_mgmt = {
        let api = api.clone();
        Callback::new(move |()| {
            let api = api();
            spawn_local_scoped(async move {
                match load_management(&api).await {
                    Ok(m) => {
                        management_exists.try_set(Some(m.is_some()));
                    }
                    Err(e) => {
                        page_error.try_set(Some(notice(&e)));
                        retry.try_set(Some(Retry::CheckManagement));
                    }
                }
            });
        })
    };
    load_mgmt.run(());
    let try_again = Callback::new(move |()| {
        page_error.set(None);
        match retry.get_untracked() {
            Some(Retry::Resume) => resume_attempt.update(|n| *n += 1),
            Some(Retry::CheckManagement) => load_mgmt.run(()),
            None => {}
        }
        retry.set(None);
    });

    let go = {
        let navigate = navigate.clone();
        Callback::new(move |path: String| navigate(&path, NavigateOptions::default()))
    };
    let redirect = {
        let navigate = navigate.clone();
        Callback::new(move |path: String| navigate(&path, replace()))
    };

    // Step 2's field and step 3's choice. A new flow started below over a created account's
    // draft, or another account's resumed, sets them too: otherwise the name's first write would
    // carry the earlier account's name into the new draft, and the picker show its provider.
    let name = RwSignal::new(draft.with_untracked(|d| d.name_input.clone()));
    let picked = RwSignal::new(draft.connect.with_untracked(|c| c.provider));

    // The URL decides the step, within what the draft allows.
    let api_for_resume = api.clone();
    // Counts the routes the effect below has handled: an answer that comes back after the user
    // went on (another step, a new flow, another page) is not the current route's to act on.
    let routes_seen = crate::state::Changes::new();
    Effect::new(move |prev: Option<()>| {
        let path = location.pathname.get();
        resume_attempt.track();
        routes_seen.bump();
        let this_route = routes_seen.ticket();
        let kind_asked = query_param("kind").as_deref().and_then(kind_from_query);
        let Some(route) = AddAccountRoute::parse(&path) else {
            return;
        };
        let before = step.get_untracked();
        match route {
            AddAccountRoute::Start => {
                let mut d = draft.get_untracked();
                if d.is_created() || d.connect.connected {
                    park(&d);
                    d = AddAccountDraft::new(None);
                }
                if let Some(k) = kind_asked {
                    let has_mgmt = management_exists.get_untracked() == Some(true);
                    d.choose_kind(k, has_mgmt);
                }
                let target = first_incomplete_step(&d).unwrap_or(AddAccountStep::Kind);
                let to = AddAccountRoute::of_step(target, &d).path();
                name.set(d.name_input.clone());
                picked.set(d.connect.provider);
                draft.set(d);
                redirect.run(to);
            }
            AddAccountRoute::Resume(id) => {
                step.set(None);
                let saved = draft.get_untracked();
                let api = api_for_resume();
                spawn_local_scoped(async move {
                    let answer = api.get_account(&id).await;
                    if !routes_seen.is_current(this_route) {
                        return;
                    }
                    match answer {
                        Ok(account) => {
                            let parked = parked_key(&id);
                            if account.cloud_provider.is_some() {
                                draft::discard(&parked);
                                redirect.run("/dashboard".into());
                                return;
                            }
                            let d = if saved.created_account_id.as_ref() == Some(&id) {
                                AddAccountDraft::resume(&account, Some(&saved))
                            } else {
                                // Another account's draft: set it aside in turn, and take
                                // this one's back if it was set aside.
                                park(&saved);
                                let kept = draft::load::<AddAccountDraft>(&parked);
                                draft::move_parts(&parked, DRAFT_KEY);
                                AddAccountDraft::resume(&account, kept.as_ref())
                            };
                            draft::remove(&parked);
                            let s = resume_step(&account, Some(&d));
                            let to = AddAccountRoute::of_step(s, &d).path();
                            name.try_set(d.name_input.clone());
                            picked.try_set(d.connect.provider);
                            draft.try_set(d);
                            redirect.run(to);
                        }
                        Err(e) => {
                            page_error.try_set(Some(notice(&e)));
                            retry.try_set(Some(Retry::Resume));
                            mark_interactive();
                        }
                    }
                });
            }
            AddAccountRoute::Step(_) | AddAccountRoute::Connect(_) => {
                let mut d = draft.get_untracked();
                if d.connect.connected {
                    redirect.run("/dashboard".into());
                    return;
                }
                let wanted = match &route {
                    AddAccountRoute::Connect(p) => {
                        // Back/forward to another provider's panels: switch (nothing typed is lost).
                        if d.connect.chosen() != Some(*p)
                            && providers_offered(d.kind()).contains(p)
                            && can_enter(AddAccountStep::Provider, &d)
                        {
                            d.connect.choose_provider(*p);
                        }
                        AddAccountStep::Connect
                    }
                    AddAccountRoute::Step(s) => *s,
                    _ => AddAccountStep::Kind,
                };
                let ok = can_enter(wanted, &d)
                    && match &route {
                        AddAccountRoute::Connect(p) => d.connect.chosen() == Some(*p),
                        _ => wanted != AddAccountStep::Connect,
                    };
                if ok {
                    draft.set(d);
                    step.set(Some(wanted));
                    mark_interactive();
                    if prev.is_some() && before != Some(wanted) {
                        let n = wanted.number();
                        request_animation_frame(move || focus_id(&format!("add-account-step-{n}")));
                    }
                } else {
                    let target = first_incomplete_step(&d).unwrap_or(AddAccountStep::Connect);
                    let to = AddAccountRoute::of_step(target, &d).path();
                    draft.set(d);
                    redirect.run(to);
                }
            }
        }
    });

    let current = Signal::derive(move || step.get().map_or(0, |s| s.number() - 1));

    // ---- step 1: kind ----
    let picked_kind = RwSignal::new(draft.with_untracked(|d| d.kind));
    let kind_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let k = draft.with(|d| d.kind);
        picked_kind.set(k);
    });
    let kind_next = move |_| {
        let has_mgmt = management_exists.get_untracked() == Some(true);
        let Some(k) = picked_kind.get_untracked() else {
            kind_error.set(Some("Choose the kind of account.".into()));
            focus_id("add-kind-linked");
            return;
        };
        let mut accepted = false;
        draft.update(|d| accepted = d.choose_kind(k, has_mgmt));
        if accepted {
            go.run(AddAccountRoute::Step(AddAccountStep::Name).path());
        } else {
            kind_error.set(Some(
                "Your organization already has its management account; add a linked account instead."
                    .into(),
            ));
        }
    };
    let kind_radio = move |k: AccountKind, id: &'static str, desc: &'static str| {
        let desc_id = format!("{id}-desc");
        view! {
            <div class="radio-row kind-choice">
                <input
                    type="radio"
                    id=id
                    name="add-account-kind"
                    aria-describedby=desc_id.clone()
                    prop:checked=move || picked_kind.get() == Some(k)
                    on:change=move |_| {
                        picked_kind.set(Some(k));
                        kind_error.set(None);
                    }
                />
                <label for=id>
                    <strong>{k.label()}</strong>
                    <span class="muted" id=desc_id>{desc}</span>
                </label>
            </div>
        }
    };
    let kind_summary = move || {
        view! { <p>{move || draft.with(|d| d.kind().label())}</p> }
    };

    // ---- step 2: name + Create account ----
    let name_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let typed = name.get();
        draft.update(|d| {
            d.set_name_input(&typed);
        });
    });
    let check_name = crate::components::rule(validate::account_name);
    let busy = RwSignal::new(false);
    let create_banner = RwSignal::new(None::<Notice>);
    let after_create = Callback::new(move |()| {
        go.run(AddAccountRoute::Step(AddAccountStep::Provider).path());
    });
    let idempotency_keys = expect_context::<crate::state::Config>().idempotency_keys;
    // Create account is pressed inside the Name step, which Back takes away: the request
    // belongs to the page, or the step's going would abort it while the server may act.
    let tasks = Tasks::here();
    let create = {
        let api = api.clone();
        Callback::new(move |ev: SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let problem = check_name.run(name.get_untracked());
            name_error.set(problem.clone());
            if problem.is_some() {
                focus_id(NAME_ID);
                return;
            }
            let Ok(req) = draft.with_untracked(AddAccountDraft::create_request) else {
                return;
            };
            create_banner.set(None);
            let api = api();
            tasks.run_busy(busy, async move {
                // An earlier attempt whose answer never came: it may have created the account.
                if draft.with_untracked(|d| d.create_sent_at.is_some()) {
                    match api.list_accounts().await {
                        Ok(list) => {
                            if draft
                                .try_update(|d| d.recover_created(&list))
                                .flatten()
                                .is_some()
                            {
                                after_create.try_run(());
                                return;
                            }
                        }
                        // The client has ended the session; the draft stays as it is.
                        Err(ApiError::Unauthorized) => return,
                        Err(e) => {
                            create_banner.try_set(Some(Notice {
                                text: format!(
                                    "We couldn't check whether your earlier attempt created the account, so nothing was sent: {}",
                                    describe(&e)
                                ),
                                request_id: e.request_id().map(str::to_owned),
                            }));
                            return;
                        }
                    }
                }
                let key = draft
                    .try_update(|d| {
                        d.begin_create(&crate::api::send_time());
                        d.create_key(random_key)
                    })
                    .unwrap_or_else(random_key);
                let api = if idempotency_keys {
                    api.with_idempotency_key(key)
                } else {
                    api
                };
                match api.create_account(&req.account.name).await {
                    Ok(created) => {
                        draft.try_update(|d| d.record_created(created.id));
                        after_create.try_run(());
                    }
                    // The client has ended the session; nothing was created or refused.
                    Err(ApiError::Unauthorized) => {}
                    Err(e) if e.may_have_acted() => {
                        // The answer was lost: the account may exist. Look before anything else.
                        let found = match api.list_accounts().await {
                            Ok(list) => draft.try_update(|d| d.recover_created(&list)).flatten(),
                            Err(_) => None,
                        };
                        if found.is_some() {
                            after_create.try_run(());
                        } else {
                            create_banner.try_set(Some(Notice {
                                text: format!(
                                    "We don't know yet whether the account was created: {} Press Create account again; we check first, so it won't be created twice.",
                                    describe(&e)
                                ),
                                request_id: e.request_id().map(str::to_owned),
                            }));
                        }
                    }
                    Err(e) => {
                        draft.try_update(AddAccountDraft::create_failed);
                        match e.field_message("account.name") {
                            Some(m) => {
                                name_error.try_set(Some(m.to_owned()));
                                focus_id(NAME_ID);
                            }
                            None => {
                                create_banner.try_set(Some(notice(&e)));
                            }
                        }
                    }
                }
            });
        })
    };
    let name_summary = move || {
        view! {
            <p>
                {move || draft.with(|d| d.name_input.trim().to_owned())}
                {move || draft.with(|d| d.created_account_id.clone()).map(|id| view! {
                    " · " <code>{id.to_string()}</code>
                })}
            </p>
        }
    };

    // ---- step 3: provider ----
    let pick_error = RwSignal::new(None::<String>);
    let provider_next = move |_| {
        let Some(p) = picked.get_untracked() else {
            pick_error.set(Some("Choose a cloud provider.".into()));
            focus_id("add-provider-aws");
            return;
        };
        if !draft.with_untracked(|d| providers_offered(d.kind()).contains(&p)) {
            pick_error.set(Some(
                "A management account connects an AWS management (payer) account or an Azure billing account. Choose Amazon Web Services or Microsoft Azure."
                    .into(),
            ));
            focus_id("add-provider-aws");
            return;
        }
        draft::choose_provider(draft.connect, p);
        go.run(AddAccountRoute::Connect(p).path());
    };
    let on_connected = {
        let navigate = navigate.clone();
        Callback::new(move |provider| {
            let id = draft.with_untracked(|d| d.created_account_id.clone());
            draft.connect.update(|c| c.mark_connected(provider));
            if let Some(id) = &id {
                remember_connected(id);
            }
            persisted.clear();
            session.flash.set(Some(CONNECTED_MESSAGE.into()));
            navigate("/dashboard", NavigateOptions::default());
        })
    };
    let connect_store = ConnectStore::new(draft.connect, DRAFT_KEY, on_connected);
    let change_provider = Callback::new(move |()| {
        picked.set(draft::change_provider(draft.connect));
        go.run(AddAccountRoute::Step(AddAccountStep::Provider).path());
    });
    let chosen = Memo::new(move |_| draft.connect.with(|c| c.chosen()));
    let provider_summary = move || {
        chosen.get().map(|p| {
            view! {
                <p class="provider-summary">
                    <img class="provider-logo" src=provider_logo(p) alt="" width="32" height="32"/>
                    <strong>{provider_name(p)}</strong>
                    <ChangeProviderButton on_press=change_provider busy=connect_store.writing.into()/>
                </p>
            }
        })
    };

    // ---- step 4: connect ----
    // Memos: the panels re-render only when the provider or the account changes, not on
    // every change to the draft (each keystroke is kept there).
    let created_id = Memo::new(move |_| draft.with(|d| d.created_account_id.clone()));
    let kind = Memo::new(move |_| draft.with(AddAccountDraft::kind));
    let connect_panel = move || {
        let (Some(p), Some(id)) = (chosen.get(), created_id.get()) else {
            return ().into_any();
        };
        match kind.get() {
            AccountKind::Management => {
                let (href, what) = match p {
                    CloudProvider::Azure => (
                        format!("/management/azure?accountId={id}"),
                        "Azure billing account",
                    ),
                    _ => (
                        format!("/management?accountId={id}"),
                        "AWS management account",
                    ),
                };
                view! {
                    <div class="card notice-panel">
                        <p>{format!("A management account is connected with its own guided setup: the billing data access, then the roles. Your new account is ready for it; continue there to connect your {what}.")}</p>
                        <a class="btn btn-primary" href=href>"Continue the management account setup"</a>
                    </div>
                }
                .into_any()
            }
            AccountKind::Linked => view! {
                {(p == CloudProvider::Azure).then(|| view! {
                    <p class="many-note">
                        "Several subscriptions share one app registration? "
                        <a href="/accounts/new/azure-subscriptions">"Connect many subscriptions"</a>
                        " at once instead."
                    </p>
                })}
                <ForAccount id=id>
                    {(expect_context::<ConnectPanels>().view)(p, connect_store)}
                </ForAccount>
            }
            .into_any(),
        }
    };

    view! {
        <section class="page add-account">
            <h1 id="add-account-heading" tabindex="-1">"Add an account"</h1>
            <Banner notice=page_error/>
            <Show when=move || page_error.with(Option::is_some)>
                <RetryButton heading="add-account-heading" on_retry=try_again>"Try again"</RetryButton>
            </Show>
            <Show
                when=move || step.with(Option::is_some)
                fallback=move || view! {
                    <Show when=move || page_error.with(Option::is_none)>
                        <p role="status" class="muted">"Loading…"</p>
                    </Show>
                }
            >
                <Stepper id="add-account" label="Steps to add an account" current=current>
                    <Step slot title=AddAccountStep::Kind.label() summary=kind_summary>
                        <fieldset class="field radio-group" aria-describedby="add-kind-error">
                            <legend class="field-label">"What kind of account?"</legend>
                            {kind_radio(AccountKind::Linked, "add-kind-linked", "Optimize compute in one cloud account (Elastigroup, Ocean).")}
                            <Show when=move || {
                                management_exists.get() == Some(false)
                                    && kinds_offered(false).contains(&AccountKind::Management)
                            }>
                                {kind_radio(AccountKind::Management, "add-kind-management", "Analyze your whole organization's costs from its billing data. One per organization.")}
                            </Show>
                            <p class="field-error" id="add-kind-error" hidden=move || kind_error.with(Option::is_none)>
                                {move || kind_error.get()}
                            </p>
                        </fieldset>
                        <Show when=move || management_exists.get() == Some(true)>
                            <p class="muted">"Your organization already has its management account, so only linked accounts can be added."</p>
                        </Show>
                        <p class="org-entry">
                            "Many AWS accounts? "
                            <a href="/accounts/new/aws-organization">"Connect a whole AWS Organization"</a>
                            ": one Spot account per member account, created for you, and one StackSet that connects them all."
                        </p>
                        <div class="form-actions">
                            <button type="button" class="btn btn-primary" on:click=kind_next>"Next"</button>
                        </div>
                    </Step>
                    <Step slot title=AddAccountStep::Name.label() summary=name_summary>
                        <form class="form" novalidate on:submit=move |ev| create.run(ev)>
                            <Field id=NAME_ID label="Account name" value=name error=name_error check=check_name
                                hint="How your team will recognise it, e.g. Production. It needs at least one letter." autocomplete="off"/>
                            <p class="muted">"The account is created as soon as you press Create account; you can connect it to your cloud now or later."</p>
                            <Banner notice=create_banner/>
                            <div class="form-actions">
                                <Button busy=busy>"Create account"</Button>
                            </div>
                        </form>
                    </Step>
                    <Step slot title=AddAccountStep::Provider.label() summary=provider_summary>
                        <ProviderPicker id="add-provider" label="Cloud provider" value=picked error=pick_error hide_label=true/>
                        <div class="form-actions">
                            <button type="button" class="btn btn-primary" on:click=provider_next>"Next"</button>
                        </div>
                    </Step>
                    <Step slot title=AddAccountStep::Connect.label()>
                        {connect_panel}
                    </Step>
                </Stepper>
                <p class="muted leave-note">
                    "You can leave at any time: the account stays in your accounts table as Not connected, with Resume setup."
                </p>
            </Show>
        </section>
    }
}

/// Gives the connect panels below a session whose account is `id`. The panels connect "the
/// session's account" (the first-run wizard's default account); here it is the new one. The
/// token is the same; when a panel ends the session (401), the real session ends too.
#[component]
fn ForAccount(id: AccountId, children: Children) -> impl IntoView {
    let session = expect_context::<Session>();
    let scoped = Session::restore();
    let base = session.profile.get_untracked();
    scoped.profile.set(Some(Profile {
        default_account_id: Some(id),
        ..base.unwrap_or(Profile {
            name: None,
            email: None,
            organization: String::new(),
            default_account_id: None,
            role: None,
        })
    }));
    Effect::new(move |_| {
        if scoped.token().is_none() && session.token_untracked().is_some() {
            expire_session(session);
        }
    });
    // In a child owner of its own: the page's real session stays what everything else sees.
    view! { <leptos::context::Provider value=scoped>{children()}</leptos::context::Provider> }
}

/// A fresh `Idempotency-Key`: two 53-bit random numbers in hex. It names a request and guards
/// nothing, so `Math.random` is enough.
fn random_key() -> String {
    let half = || (js_sys::Math::random() * 2f64.powi(53)) as u64;
    format!("{:016x}{:016x}", half(), half())
}
