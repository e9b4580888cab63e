//! The flow's frame: one view for every step's URL (`/accounts/new/aws-organization`,
//! `…/members`, `…/create`, `…/deploy`), its drafts and the stepper. The URL picks the step,
//! core's `OrgStep::allowed` decides whether it may open.

use super::create::CreateStep;
use super::list::ListStep;
use super::members::MembersStep;
use crate::components::{Step, Stepper, focus_id, set_title};
use crate::platform::history::NavigateOptions;
use crate::platform::history::{use_location, use_navigate};
use crate::state::draft::PersistedDraft;
use crate::state::mark_interactive;
use leptos::prelude::*;
use onramp_core::FieldError;
use onramp_core::aws_org::{NamingChoice, OrgMember, OrgStep, parse_members};
use onramp_core::dto::AwsBatch;
use onramp_core::org_batch::{BatchPlan, Phase};
use onramp_core::text::count;
use onramp_core::validate::AwsEnvironment;
use serde::{Deserialize, Serialize};

const DRAFT_KEY: &str = "onramp.draft.awsorg";
const PLAN_KEY: &str = "onramp.draft.awsorg.plan";

/// What the user gave in steps 1 and 2, one signal per answer. The list is kept as typed, so
/// nothing is lost on an error or a reload.
#[derive(Clone, Copy, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct OrgDraft {
    pub input: RwSignal<String>,
    /// The uploaded file's name, when the list came from one.
    pub file_name: RwSignal<Option<String>>,
    /// The chosen AWS account IDs, and a fingerprint of the list they were chosen from (another
    /// list starts again from the default choice).
    pub chosen: RwSignal<Vec<String>>,
    pub chosen_for: RwSignal<u64>,
    pub naming: RwSignal<NamingChoice>,
    pub prefix: RwSignal<String>,
    /// The organizational units (or root) the StackSet deploys to, as typed.
    pub targets: RwSignal<String>,
    /// The S3 bucket a template too large to pass inline is uploaded to.
    pub bucket: RwSignal<String>,
    /// Which AWS the organization lives in (commercial, GovCloud, China): the commands' region
    /// and S3 host, and the ARNs of the roles the stacks create.
    pub environment: RwSignal<AwsEnvironment>,
}

/// FNV-1a: tells one pasted list from another without keeping a second copy.
pub(super) fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Everything the steps share. The app only passes it from the flow to the deploy step (see
/// [`DeployPanel`]); its parts are this feature's.
#[derive(Clone, Copy)]
pub struct Org {
    pub(super) draft: OrgDraft,
    /// The batch in progress (no token in it), persisted apart from the draft: it changes with
    /// every account created.
    pub(super) plan: RwSignal<Option<BatchPlan>>,
    /// The batch token and its expiry, from the answer that made or renewed it. Memory only: a
    /// reload forgets it and the deploy step offers to renew it.
    pub(super) token: RwSignal<Option<AwsBatch>>,
    /// The server said it cannot give connect tokens (no public URL): the deploy step falls back
    /// to connecting members by their predictable role ARN.
    pub(super) no_tokens: RwSignal<bool>,
    pub(super) members: Memo<Result<Vec<OrgMember>, FieldError>>,
    pub(super) go: Callback<OrgStep>,
    /// Forgets the list, the choice and the plan (the accounts already created stay).
    pub(super) start_over: Callback<()>,
}

/// How the flow draws its last step, given by the app: the deploy step (template and command
/// generation, the status table) arrives in a chunk of its own, fetched while the accounts are
/// being created, so the steps before it do not carry it.
#[derive(Clone, Copy)]
pub struct DeployPanel {
    /// Draws the deploy step ([`DeployStep`](super::DeployStep)).
    pub view: fn(Org) -> AnyView,
    /// Fetches what `view` needs without drawing anything.
    pub prefetch: fn(),
}

#[component]
pub fn AwsOrganization(deploy: DeployPanel) -> impl IntoView {
    set_title("Connect an AWS Organization");
    let navigate = use_navigate();
    let location = use_location();

    let stored_draft = PersistedDraft::new(DRAFT_KEY, OrgDraft::default);
    let stored_plan = PersistedDraft::new(PLAN_KEY, || RwSignal::new(None::<BatchPlan>));
    let draft = *stored_draft;
    let plan = *stored_plan;
    let members = Memo::new(move |_| draft.input.with(|t| parse_members(t)));
    let step = RwSignal::new(None::<OrgStep>);

    let go = {
        let navigate = navigate.clone();
        Callback::new(move |s: OrgStep| navigate(&s.path(), NavigateOptions::default()))
    };
    let start_over = {
        let navigate = navigate.clone();
        Callback::new(move |()| {
            plan.set(None);
            draft.input.set(String::new());
            draft.file_name.set(None);
            draft.chosen.set(Vec::new());
            draft.chosen_for.set(0);
            draft.targets.set(String::new());
            navigate(&OrgStep::List.path(), NavigateOptions::default());
        })
    };
    let org = Org {
        draft,
        plan,
        token: RwSignal::new(None),
        no_tokens: RwSignal::new(false),
        members,
        go,
        start_over,
    };

    Effect::new(move |prev: Option<()>| {
        let path = location.pathname.get();
        let Some(wanted) = OrgStep::parse(&path) else {
            return;
        };
        let listed = members.with_untracked(Result::is_ok);
        let chosen = draft.chosen.with_untracked(Vec::len);
        let (has_plan, deployable) = plan.with_untracked(|p| {
            (
                p.is_some(),
                p.as_ref()
                    .is_some_and(|p| matches!(p.phase(), Phase::Batch | Phase::Deploy)),
            )
        });
        let target = OrgStep::allowed(wanted, listed, chosen, has_plan, deployable);
        if target != wanted {
            navigate(&target.path(), NavigateOptions { replace: true });
            return;
        }
        let before = step.get_untracked();
        step.set(Some(wanted));
        if wanted == OrgStep::Create {
            (deploy.prefetch)();
        }
        mark_interactive();
        if prev.is_some() && before.is_some() && before != Some(wanted) {
            let n = wanted.index() + 1;
            request_animation_frame(move || focus_id(&format!("aws-org-step-{n}")));
        }
    });

    let current = Signal::derive(move || step.get().map_or(0, OrgStep::index));
    let list_summary = move || {
        view! {
            <p>{move || match members.get() {
                Ok(m) => format!("{} listed", count(m.len() as u64, "account", "accounts")),
                Err(_) => String::new(),
            }}</p>
        }
    };
    let members_summary = move || {
        view! {
            <p>{move || {
                let n = plan.with(|p| p.as_ref().map(|p| p.members.len()))
                    .unwrap_or_else(|| draft.chosen.with(Vec::len));
                format!("{n} chosen")
            }}</p>
        }
    };
    let create_summary = move || {
        view! {
            <p>{move || plan.with(|p| p.as_ref().map(|p| {
                format!("{} created", count(p.progress().accounts as u64, "Spot account", "Spot accounts"))
            }))}</p>
        }
    };

    view! {
        <section class="page aws-org">
            <h1>"Connect an AWS Organization"</h1>
            <p class="lead">
                "Connect many AWS accounts at once: one Spot account per member account, and one CloudFormation StackSet that connects each of them."
            </p>
            <Show
                when=move || step.with(Option::is_some)
                fallback=|| view! { <p role="status" class="muted">"Loading…"</p> }
            >
                <Stepper id="aws-org" label="Steps to connect an AWS Organization" current=current>
                    <Step slot title=OrgStep::List.title() summary=list_summary>
                        <ListStep org=org/>
                    </Step>
                    <Step slot title=OrgStep::Members.title() summary=members_summary>
                        <MembersStep org=org/>
                    </Step>
                    <Step slot title=OrgStep::Create.title() summary=create_summary>
                        <CreateStep org=org/>
                    </Step>
                    <Step slot title=OrgStep::Deploy.title()>
                        {(deploy.view)(org)}
                    </Step>
                </Stepper>
            </Show>
        </section>
    }
}
