//! The three steps, each with its URL: `/accounts/new/azure-subscriptions` (the app
//! registration and the subscription list), `…/choose` (which subscriptions, their Spot names,
//! the role scope and its commands) and `…/connect` (create the Spot accounts, give each the
//! credentials, the status table). A URL whose earlier steps are incomplete leads back to the
//! first incomplete one.
//!
//! Everything typed but the client secret is kept in one draft (sessionStorage), along with
//! the batch plan once creation started; the secret lives in this page's memory only, so after
//! a reload the page asks for it again.

use super::choose::ChooseStep;
use super::connect::{ConnectStep, Run};
use super::details::DetailsStep;
use crate::components::{Step, Stepper, focus_id, set_title};
use crate::platform::clock::today;
use crate::platform::history::NavigateOptions;
use crate::platform::history::{use_location, use_navigate};
use crate::state::draft::PersistedDraft;
use crate::state::mark_interactive;
use leptos::prelude::*;
use onramp_core::azure_subs::{
    self, Naming, ScopeChoice, Subscription, parse_subscriptions, role_scope, spot_names,
};
use onramp_core::org_batch::BatchPlan;
use onramp_core::text::count;
use onramp_core::validate::{self, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub(super) const BASE: &str = "/accounts/new/azure-subscriptions";
const DRAFT_KEY: &str = "onramp.draft.azuresubs";

/// The draft: one signal per answer (the inputs edit them directly). No client secret.
#[derive(Clone, Copy, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct Draft {
    pub client_id: RwSignal<String>,
    pub tenant_id: RwSignal<String>,
    pub expiration: RwSignal<String>,
    /// The pasted (or uploaded) subscription list, as text.
    pub list: RwSignal<String>,
    /// The subscriptions ticked; `None` until the user changes the default choice.
    pub chosen: RwSignal<Option<BTreeSet<String>>>,
    pub naming: RwSignal<Naming>,
    pub prefix: RwSignal<String>,
    pub scope: RwSignal<ScopeChoice>,
    pub group: RwSignal<String>,
    /// The batch, from the first **Create and connect** on.
    pub plan: RwSignal<Option<BatchPlan>>,
    /// Each member's `Idempotency-Key` for its create request, so a repeat (a reload, a lost
    /// answer) is answered with the account already made.
    pub keys: RwSignal<BTreeMap<String, String>>,
    /// Why a subscription failed, by subscription ID (the server's words; no secret).
    pub failed: RwSignal<BTreeMap<String, String>>,
}

impl Draft {
    /// Whether anything was typed (then a missing secret was lost to a reload).
    fn has_typed_input(&self) -> bool {
        [self.client_id, self.tenant_id, self.expiration, self.list]
            .iter()
            .any(|s| !s.with_untracked(String::is_empty))
    }
}

/// What the steps share.
#[derive(Clone, Copy)]
pub(super) struct Flow {
    pub draft: Draft,
    pub persisted: PersistedDraft<Draft>,
    /// The client secret's value: memory only, never in the draft, storage, the URL or a log.
    pub secret: RwSignal<String>,
    /// Answers were there before this page was built (a reload): the secret must be pasted again.
    pub secret_lost: bool,
    pub subs: Memo<Result<Vec<Subscription>, FieldError>>,
    /// The chosen subscriptions that can be connected, in list order.
    pub chosen: Memo<Vec<Subscription>>,
    pub go: Callback<&'static str>,
    /// The last step's run: it goes on while the user looks at an earlier step.
    pub run: Run,
}

/// The secret's expiration as the API takes it: the validator's ISO date-time (a typed
/// `2027-03-01` is `2027-03-01T00:00:00.000Z`); what was typed, trimmed, while it is invalid.
pub fn expiration(input: &str) -> String {
    validate::secret_expiration(input, &today()).unwrap_or_else(|_| input.trim().to_owned())
}

impl Flow {
    /// The first step's answers (the secret aside, which a reload loses) pass their rules.
    pub fn details_ok(&self) -> bool {
        let d = self.draft;
        validate::azure_guid(&d.client_id.get_untracked(), "").is_ok()
            && validate::azure_guid(&d.tenant_id.get_untracked(), "").is_ok()
            && validate::secret_expiration(&d.expiration.get_untracked(), &today()).is_ok()
            && self.subs.with_untracked(Result::is_ok)
    }

    /// The second step's answers are complete.
    pub fn choice_ok(&self) -> bool {
        let d = self.draft;
        self.chosen.with_untracked(|c| {
            let refs: Vec<&Subscription> = c.iter().collect();
            !refs.is_empty()
                && spot_names(d.naming.get_untracked(), &d.prefix.get_untracked(), &refs).is_ok()
                && role_scope(d.scope.get_untracked(), &d.group.get_untracked(), &refs).is_ok()
        })
    }

    /// The tenant ID as typed (for the other-tenant check, which reads braces and capitals as
    /// the same directory; validated elsewhere).
    pub fn tenant(&self) -> String {
        self.draft.tenant_id.get().trim().to_owned()
    }
}

fn step_of(path: &str) -> Option<usize> {
    match path.strip_prefix(BASE)?.trim_end_matches('/') {
        "" => Some(0),
        "/choose" => Some(1),
        "/connect" => Some(2),
        _ => None,
    }
}

pub(super) const BASE_CHOOSE: &str = "/accounts/new/azure-subscriptions/choose";
pub(super) const BASE_CONNECT: &str = "/accounts/new/azure-subscriptions/connect";
const PATHS: [&str; 3] = [BASE, BASE_CHOOSE, BASE_CONNECT];

#[component]
pub fn AzureSubscriptions() -> impl IntoView {
    set_title("Connect many Azure subscriptions");
    let navigate = use_navigate();
    let location = use_location();
    let persisted = PersistedDraft::new(DRAFT_KEY, Draft::default);
    let draft = *persisted;
    let secret_lost = draft.has_typed_input();
    let subs = Memo::new(move |_| draft.list.with(|l| parse_subscriptions(l)));
    let chosen = Memo::new(move |_| {
        let tenant = draft.tenant_id.get();
        let choice = draft.chosen.get();
        subs.with(|s| match s {
            Ok(all) => azure_subs::chosen(all, choice.as_ref(), tenant.trim())
                .into_iter()
                .cloned()
                .collect(),
            Err(_) => Vec::new(),
        })
    });
    let go = {
        let navigate = navigate.clone();
        Callback::new(move |path: &'static str| navigate(path, NavigateOptions::default()))
    };
    let secret = RwSignal::new(String::new());
    let flow = Flow {
        draft,
        persisted,
        secret,
        secret_lost,
        subs,
        chosen,
        go,
        run: Run::new(draft, persisted, secret),
    };

    // The URL decides the step, within what the answers allow.
    let step = RwSignal::new(None::<usize>);
    Effect::new(move |prev: Option<()>| {
        let Some(wanted) = location.pathname.with(|p| step_of(p)) else {
            return;
        };
        let started = draft.plan.with_untracked(Option::is_some);
        let allowed = if started {
            // The batch exists: its accounts are what counts now.
            2
        } else if !flow.details_ok() {
            0
        } else if !flow.choice_ok() {
            1
        } else {
            2
        };
        if wanted > allowed && !(started && wanted == 2) {
            navigate(PATHS[allowed], NavigateOptions { replace: true });
            return;
        }
        let before = step.get_untracked();
        step.set(Some(wanted));
        mark_interactive();
        if prev.is_some() && before != Some(wanted) {
            request_animation_frame(move || focus_id(&format!("azure-subs-step-{}", wanted + 1)));
        }
    });
    let current = Signal::derive(move || step.get().unwrap_or(0));

    let details_summary = move || {
        view! {
            <p>
                {move || count(subs.with(|s| s.as_ref().map_or(0, Vec::len)) as u64, "subscription", "subscriptions")}
                " listed · application "
                <code>{move || draft.client_id.get().trim().to_owned()}</code>
            </p>
        }
    };
    let choose_summary = move || {
        view! { <p>{move || count(chosen.with(Vec::len) as u64, "subscription", "subscriptions")} " chosen"</p> }
    };

    view! {
        <section class="page azure-subs">
            <h1>"Connect many Azure subscriptions"</h1>
            <p class="lead">
                "One app registration connects several subscriptions: each chosen subscription gets its own Spot account with the same credentials."
            </p>
            <Show
                when=move || step.with(Option::is_some)
                fallback=|| view! { <p role="status" class="muted">"Loading…"</p> }
            >
                <Stepper id="azure-subs" label="Steps to connect many subscriptions" current=current>
                    <Step slot title="App registration and subscriptions" summary=details_summary>
                        <DetailsStep flow/>
                    </Step>
                    <Step slot title="Choose subscriptions and assign the role" summary=choose_summary>
                        <ChooseStep flow/>
                    </Step>
                    <Step slot title="Create and connect">
                        <ConnectStep flow/>
                    </Step>
                </Stepper>
            </Show>
        </section>
    }
}
