//! Step 3: one Spot account per chosen subscription, then each is validated and given the app
//! registration's credentials, a few at a time, with the progress in one live summary and a
//! per-subscription status table (**Try again** on failed ones).
//!
//! Creating is never done twice for a subscription: the batch plan (kept in the draft) records
//! each account as its answer arrives, every create carries the subscription's own
//! `Idempotency-Key` when the API honours one, and after any doubt (a lost answer, a 429, a
//! reload) the plan is reconciled with the account listing before anything is sent again.

use super::flow::{Draft, Flow, expiration};
use crate::api::{Api, ApiError, describe};
use crate::components::Link;
use crate::components::{
    Banner, Button, CodeBlock, Notice, SecretInput, StatusRow, StatusTable, focus_id, notice, rule,
};
use crate::platform::clock::{now, sleep};
use crate::platform::tasks::{self, Tasks};
use crate::state::connected::remember_connected;
use crate::state::draft::PersistedDraft;
use crate::state::{Config, use_api};
use leptos::prelude::*;
use onramp_core::azure_subs::{
    Subscription, is_connected, member_state, role_assignment_command, spot_names, to_connect,
};
use onramp_core::dto::{AzureCredentials, BatchMemberState};
use onramp_core::envelope::codes;
use onramp_core::org_batch::{BatchPlan, StateCounts, reconcile};
use onramp_core::text::count;
use onramp_core::validate;
use onramp_core::validate::guid_form;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// Requests in flight at once: quick for a few dozen subscriptions, gentle on the rate limit.
const CONCURRENCY: usize = 4;
/// Rounds of creating before a subscription whose answer stays unknown is left to Try again.
const ROUNDS: usize = 4;
/// The longest announced rate-limit wait this page sits through by itself.
const MAX_WAIT_SECS: u64 = 60;
const SECRET_AGAIN_ID: &str = "azure-subs-secret-again";
/// How a subscription refused for want of a role assignment starts its reason (the reason is
/// kept in the draft, so a reload still knows which ones need the command).
const NO_ROLE: &str = "Azure refused the app registration: it has no role on this subscription.";

/// The reason shown for a subscription Azure refused because the app registration has no role
/// there: what happened and the exact command that assigns the role on it.
fn no_role_reason(client_id: &str, subscription_id: &str) -> String {
    format!(
        "{NO_ROLE} Assign it with {} then wait a few minutes for Azure to apply it and press Try again.",
        role_assignment_command(client_id, subscription_id).trim_end()
    )
}

/// What a create request came to.
enum Created {
    Done,
    /// No usable answer: the account may exist. Reconcile before anything else.
    Unknown(ApiError),
    /// 429: wait this long, then reconcile.
    Wait(u64),
    Refused(ApiError),
    /// The session ended: stop.
    Stop,
}

/// A run and the signals it changes. It belongs to the whole flow, not to this step: going
/// Back and returning finds it still going (busy, so it is not started twice), and leaving the
/// flow ends its requests.
#[derive(Clone, Copy)]
pub(super) struct Run {
    draft: Draft,
    persisted: PersistedDraft<Draft>,
    secret: RwSignal<String>,
    /// While a run (or the check on return) is going.
    busy: RwSignal<bool>,
    /// Subscriptions the listing shows connected to their Spot account.
    connected: RwSignal<BTreeSet<String>>,
    /// What is being done for a subscription right now.
    working: RwSignal<BTreeMap<String, &'static str>>,
    /// A pause the whole run is in (a rate-limit wait).
    pause: RwSignal<Option<String>>,
    banner: RwSignal<Option<Notice>>,
    idempotency: bool,
    tasks: Tasks,
}

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// Runs `work` for every item, at most [`CONCURRENCY`] at once.
async fn bounded(items: Vec<usize>, work: Rc<dyn Fn(usize) -> Task>) {
    let queue = Rc::new(RefCell::new(VecDeque::from(items)));
    let workers = (0..CONCURRENCY)
        .map(|_| {
            let queue = queue.clone();
            let work = work.clone();
            Box::pin(async move {
                loop {
                    let next = queue.borrow_mut().pop_front();
                    let Some(i) = next else { break };
                    work(i).await;
                }
            }) as Task
        })
        .collect();
    tasks::all(workers).await;
}

/// A fresh `Idempotency-Key`: two 53-bit random numbers in hex. It names a request and guards
/// nothing, so `Math.random` is enough.
fn random_key() -> String {
    let half = || (js_sys::Math::random() * 2f64.powi(53)) as u64;
    format!("{:016x}{:016x}", half(), half())
}

impl Run {
    /// Call in the flow's component: the run lives as long as it does.
    pub(super) fn new(
        draft: Draft,
        persisted: PersistedDraft<Draft>,
        secret: RwSignal<String>,
    ) -> Self {
        Self {
            draft,
            persisted,
            secret,
            busy: RwSignal::new(false),
            connected: RwSignal::new(BTreeSet::new()),
            working: RwSignal::new(BTreeMap::new()),
            pause: RwSignal::new(None),
            banner: RwSignal::new(None),
            idempotency: expect_context::<Config>().idempotency_keys,
            tasks: Tasks::here(),
        }
    }

    /// The plan's members needing what `f` lists; none once the flow has gone.
    fn plan_list(&self, f: impl FnOnce(&BatchPlan) -> Vec<usize>) -> Vec<usize> {
        self.draft
            .plan
            .try_with_untracked(|p| p.as_ref().map(f))
            .flatten()
            .unwrap_or_default()
    }

    /// Member `i`; `None` once the flow has gone (its answers then change nothing).
    fn member(&self, i: usize) -> Option<(String, String, Option<onramp_core::ids::AccountId>)> {
        self.draft
            .plan
            .try_with_untracked(|p| {
                p.as_ref()?.members.get(i).map(|m| {
                    (
                        m.cloud_id.clone(),
                        m.spot_name.clone(),
                        m.account_id.clone(),
                    )
                })
            })
            .flatten()
    }

    fn fail(&self, cloud_id: &str, reason: String) {
        self.draft.failed.try_update(|f| {
            f.insert(cloud_id.to_owned(), reason);
        });
    }

    fn failed(&self, cloud_id: &str) -> bool {
        self.draft
            .failed
            .try_with_untracked(|f| f.contains_key(cloud_id))
            .unwrap_or(true)
    }

    fn set_working(&self, ids: &[usize], what: Option<&'static str>) {
        for &i in ids {
            if let Some((cloud, ..)) = self.member(i) {
                self.working.try_update(|w| match what {
                    Some(t) => {
                        w.insert(cloud, t);
                    }
                    None => {
                        w.remove(&cloud);
                    }
                });
            }
        }
    }

    /// Brings the plan in line with the listing (adopting what a lost answer created) and
    /// reads which subscriptions are connected.
    async fn refresh(&self, api: &Api) -> Result<(), ApiError> {
        // The flow has gone: nothing to bring in line (and nothing more is sent).
        if self.draft.plan.is_disposed() {
            return Ok(());
        }
        let list = api.list_accounts().await?;
        let connected = self
            .draft
            .plan
            .try_update(|p| {
                let Some(p) = p else { return BTreeSet::new() };
                reconcile(p, &list);
                p.members
                    .iter()
                    .filter(|m| is_connected(m, &list))
                    .map(|m| m.cloud_id.clone())
                    .collect()
            })
            .unwrap_or_default();
        self.connected.try_set(connected);
        self.persisted.save_now();
        Ok(())
    }

    async fn create_one(&self, api: Api, i: usize) -> Created {
        let Some((cloud, name, _)) = self.member(i) else {
            return Created::Done;
        };
        let api = if self.idempotency {
            let key = self
                .draft
                .keys
                .try_update(|k| k.entry(cloud.clone()).or_insert_with(random_key).clone())
                .unwrap_or_else(random_key);
            // Kept before the request leaves, so a reload repeats it with the same key.
            self.persisted.save_now();
            api.with_idempotency_key(key)
        } else {
            api
        };
        match api.create_account(&name).await {
            Ok(created) => {
                self.draft.plan.try_update(|p| {
                    if let Some(p) = p {
                        p.record_account(i, created.id);
                    }
                });
                self.persisted.save_now();
                Created::Done
            }
            Err(ApiError::Unauthorized) => Created::Stop,
            Err(ApiError::RateLimited { reset_secs }) => Created::Wait(reset_secs.unwrap_or(5)),
            Err(e) if e.may_have_acted() => Created::Unknown(e),
            Err(e) => Created::Refused(e),
        }
    }

    /// Validates, then sets, the credentials of member `i`'s Spot account.
    async fn connect_one(&self, api: Api, i: usize) {
        let Some((cloud, _, Some(account))) = self.member(i) else {
            return;
        };
        let d = self.draft;
        let mut creds = AzureCredentials {
            client_id: guid_form(&d.client_id.get_untracked()),
            client_secret: self.secret.get_untracked(),
            tenant_id: guid_form(&d.tenant_id.get_untracked()),
            subscription_id: cloud.clone(),
            expiration_date: None,
        };
        let (client_id, subscription_id) = (creds.client_id.clone(), cloud.clone());
        let no_role = move |e: &ApiError| {
            e.has_code(codes::AZURE_ROLE_NOT_ASSIGNED)
                .then(|| no_role_reason(&client_id, &subscription_id))
        };
        if let Err(e) = api.set_azure_credentials(&account, &creds, true).await {
            if e != ApiError::Unauthorized {
                let reason =
                    no_role(&e).unwrap_or_else(|| format!("Validation failed: {}", describe(&e)));
                self.fail(&cloud, reason);
            }
            return;
        }
        // The flow may have gone while Azure was asked.
        let Some(expires) = d.expiration.try_get_untracked() else {
            return;
        };
        creds.expiration_date = Some(expiration(&expires));
        match api.set_azure_credentials(&account, &creds, false).await {
            Ok(()) => {
                remember_connected(&account);
                self.connected.try_update(|c| {
                    c.insert(cloud);
                });
            }
            Err(ApiError::Unauthorized) => {}
            Err(e) => {
                let reason =
                    no_role(&e).unwrap_or_else(|| format!("Not connected: {}", describe(&e)));
                self.fail(&cloud, reason);
            }
        }
    }

    /// Creates what is missing, then connects, for `targets` (every subscription when `None`).
    async fn go(self, api: Api, targets: Option<BTreeSet<usize>>) {
        if let Err(e) = self.refresh(&api).await {
            if e != ApiError::Unauthorized {
                self.banner.try_set(Some(Notice {
                    text: format!(
                        "We couldn't read your accounts, so nothing was sent: {}",
                        describe(&e)
                    ),
                    request_id: e.request_id().map(str::to_owned),
                }));
            }
            return;
        }
        let wanted = |i: &usize| targets.as_ref().is_none_or(|t| t.contains(i));
        let mut last_error: BTreeMap<usize, ApiError> = BTreeMap::new();
        for _ in 0..ROUNDS {
            let todo: Vec<usize> = self
                .plan_list(BatchPlan::needing_account)
                .into_iter()
                .filter(wanted)
                .filter(|&i| self.member(i).is_some_and(|(c, ..)| !self.failed(&c)))
                .collect();
            if todo.is_empty() {
                break;
            }
            self.set_working(&todo, Some("Creating its Spot account…"));
            let results = Rc::new(RefCell::new(Vec::new()));
            {
                let results = results.clone();
                let api = api.clone();
                bounded(
                    todo.clone(),
                    Rc::new(move |i| {
                        let results = results.clone();
                        let api = api.clone();
                        Box::pin(async move {
                            let r = self.create_one(api, i).await;
                            results.borrow_mut().push((i, r));
                        }) as Task
                    }),
                )
                .await;
            }
            self.set_working(&todo, None);
            let mut wait = 0;
            let mut doubt = false;
            for (i, r) in results.take() {
                match r {
                    Created::Done => {}
                    Created::Stop => return,
                    Created::Unknown(e) => {
                        doubt = true;
                        last_error.insert(i, e);
                    }
                    Created::Wait(s) => {
                        doubt = true;
                        wait = wait.max(s);
                    }
                    Created::Refused(e) => {
                        if let Some((cloud, ..)) = self.member(i) {
                            self.fail(
                                &cloud,
                                format!("Its Spot account was not created: {}", describe(&e)),
                            );
                        }
                    }
                }
            }
            if !doubt {
                break;
            }
            if wait > 0 {
                let secs = wait.min(MAX_WAIT_SECS);
                self.pause.try_set(Some(format!(
                    "Too many requests in a short time: going on in {}.",
                    count(secs, "second", "seconds")
                )));
                sleep((secs * 1000) as u32).await;
                self.pause.try_set(None);
            }
            // Whatever the lost answers created is adopted before anything is sent again.
            if self.refresh(&api).await.is_err() {
                break;
            }
        }
        // Still without an account after every round: the user decides when to try again.
        let left: Vec<usize> = self
            .plan_list(BatchPlan::needing_account)
            .into_iter()
            .filter(wanted)
            .collect();
        for i in left {
            if let Some((cloud, ..)) = self.member(i)
                && !self.failed(&cloud)
            {
                let why = last_error
                    .get(&i)
                    .map(describe)
                    .unwrap_or_else(|| "the server did not answer.".into());
                self.fail(
                    &cloud,
                    format!(
                        "We don't know yet whether its Spot account was created: {why} Press Try again; we check first, so it won't be created twice."
                    ),
                );
            }
        }

        // ---- credentials ----
        let todo: Vec<usize> = self.plan_list(|p| {
            self.connected
                .try_with_untracked(|c| {
                    to_connect(p, targets.as_ref(), c)
                        .into_iter()
                        .filter(|&i| {
                            p.members[i].account_id.is_some()
                                && !self.failed(&p.members[i].cloud_id)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        });
        self.set_working(&todo, Some("Checking the credentials…"));
        bounded(
            todo.clone(),
            Rc::new(move |i| {
                let api = api.clone();
                Box::pin(async move {
                    self.connect_one(api, i).await;
                    self.set_working(&[i], None);
                }) as Task
            }),
        )
        .await;
        self.set_working(&todo, None);
    }
}

#[component]
pub(super) fn ConnectStep(flow: Flow) -> impl IntoView {
    let draft = flow.draft;
    let api = use_api();
    let run = flow.run;
    let busy = run.busy;
    let secret_error = RwSignal::new(None::<String>);
    let started = Memo::new(move |_| draft.plan.with(Option::is_some));

    // Back on this step with a batch (a reload, or later): where does each subscription stand?
    // Not while the run is still going (it says so itself).
    if started.get_untracked() && !busy.get_untracked() {
        let api = api();
        run.tasks.run_busy(busy, async move {
            if let Err(e) = run.refresh(&api).await
                && e != ApiError::Unauthorized
            {
                run.banner.try_set(Some(notice(&e)));
            }
        });
    }

    let names: Memo<BTreeMap<String, String>> = Memo::new(move |_| {
        flow.subs.with(|s| {
            s.as_ref()
                .map(|all| {
                    all.iter()
                        .map(|x: &Subscription| (x.id.clone(), x.name.clone()))
                        .collect()
                })
                .unwrap_or_default()
        })
    });
    let rows = Memo::new(move |_| {
        let connected = run.connected.get();
        let failed = draft.failed.get();
        let working = run.working.get();
        let names = names.get();
        draft.plan.with(|p| {
            p.as_ref()
                .map(|p| {
                    p.members
                        .iter()
                        .map(|m| {
                            let (state, reason) = member_state(m, &connected, &failed);
                            let note = match state {
                                BatchMemberState::Waiting => working
                                    .get(&m.cloud_id)
                                    .map(|t| (*t).to_owned())
                                    .or_else(|| Some("Not connected yet.".into())),
                                _ => reason,
                            };
                            StatusRow {
                                key: m.cloud_id.clone(),
                                name: names
                                    .get(&m.cloud_id)
                                    .filter(|n| !n.trim().is_empty())
                                    .cloned()
                                    .unwrap_or_else(|| m.cloud_id.clone()),
                                detail: m.cloud_id.clone(),
                                account: m
                                    .account_id
                                    .as_ref()
                                    .map(|id| format!("{} · {id}", m.spot_name)),
                                state,
                                note,
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    // The role assignments still missing, one line per refused subscription, to copy at once.
    let missing_roles = Memo::new(move |_| {
        let client = guid_form(&draft.client_id.get());
        draft.failed.with(|f| {
            f.iter()
                .filter(|(_, reason)| reason.starts_with(NO_ROLE))
                .map(|(sub, _)| role_assignment_command(&client, sub))
                .collect::<String>()
        })
    });
    let tally = Memo::new(move |_| rows.with(|r| StateCounts::of(r.iter().map(|x| x.state))));
    let all_connected = Memo::new(move |_| tally.get().all_connected());
    // The one live summary of the whole run.
    let summary = move || {
        let c = tally.get();
        let mut text = if !started.get() {
            return String::new();
        } else {
            let (made, total) = draft.plan.with(|p| {
                p.as_ref()
                    .map(|p| (p.progress().accounts, p.progress().total))
                    .unwrap_or_default()
            });
            if busy.get() && made < total {
                format!("Creating Spot accounts: {made} of {total} made.")
            } else if let Some(all) = c.all_connected_text("subscription", "subscriptions") {
                all
            } else {
                format!(
                    "{} of {} connected · {} failed · {} waiting.",
                    c.connected,
                    c.total(),
                    c.failed,
                    c.waiting
                )
            }
        };
        if busy.get() && !text.starts_with("Creating") && !c.all_connected() {
            text = format!("Connecting… {text}");
        }
        if let Some(p) = run.pause.get() {
            text.push(' ');
            text.push_str(&p);
        }
        text
    };
    // Finished: nothing is kept for a reload any more, and focus (on the button that goes
    // away, or on the summary after a row's Try again) moves to what comes next.
    Effect::new(move |_| {
        if all_connected.get() && !busy.get() {
            flow.persisted.clear();
            request_animation_frame(|| {
                let active = crate::components::focused().map(|e| e.id());
                if matches!(active.as_deref(), None | Some("" | "azure-subs-summary")) {
                    focus_id("azure-subs-done");
                }
            });
        }
    });

    let start = {
        let api = api.clone();
        Callback::new(move |targets: Option<BTreeSet<usize>>| {
            if busy.get_untracked() {
                return;
            }
            let problem = validate::azure_client_secret(&flow.secret.get_untracked())
                .err()
                .map(|e| e.message);
            secret_error.set(problem.clone());
            if problem.is_some() {
                focus_id(SECRET_AGAIN_ID);
                return;
            }
            run.banner.set(None);
            if draft.plan.with_untracked(Option::is_none) {
                let names = flow.chosen.with_untracked(|c| {
                    let refs: Vec<&Subscription> = c.iter().collect();
                    spot_names(
                        draft.naming.get_untracked(),
                        &draft.prefix.get_untracked(),
                        &refs,
                    )
                });
                let Ok(names) = names else {
                    flow.go.run(super::flow::BASE_CHOOSE);
                    return;
                };
                // A little before now, so a server clock somewhat behind this browser's still
                // dates the accounts after the plan started.
                let started_at = now().plus_millis(-120_000).to_string();
                draft.plan.set(Some(BatchPlan::new(&started_at, names)));
                flow.persisted.save_now();
            }
            // A retry starts those subscriptions afresh.
            let clear: Vec<String> = draft.plan.with_untracked(|p| {
                p.as_ref()
                    .map(|p| {
                        p.members
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| targets.as_ref().is_none_or(|t| t.contains(i)))
                            .map(|(_, m)| m.cloud_id.clone())
                            .collect()
                    })
                    .unwrap_or_default()
            });
            draft.failed.update(|f| {
                for c in &clear {
                    f.remove(c);
                }
            });
            run.tasks.run_busy(busy, run.go(api(), targets));
        })
    };
    let retry_one = Callback::new(move |key: String| {
        let i = draft.plan.with_untracked(|p| {
            p.as_ref()
                .and_then(|p| p.members.iter().position(|m| m.cloud_id == key))
        });
        if let Some(i) = i {
            // The row is redrawn (and its button goes) as it starts again: focus stays on the
            // summary that says how it goes.
            focus_id("azure-subs-summary");
            start.run(Some(BTreeSet::from([i])));
        }
    });
    let main_label = move || {
        let c = tally.get();
        if !started.get() {
            format!(
                "Create and connect {}",
                count(
                    flow.chosen.with(Vec::len) as u64,
                    "subscription",
                    "subscriptions"
                )
            )
        } else if c.failed > 0 {
            "Try again for every failed subscription".to_owned()
        } else {
            "Continue".to_owned()
        }
    };
    // Asked for here when this step opens without it (a reload). Decided once: removing the
    // field as soon as something is typed would take it away from under the cursor.
    let ask_secret = flow.secret.with_untracked(String::is_empty);

    view! {
        <div class="azure-subs-connect">
            <Show when=move || !started.get()>
                <p>
                    {move || format!("{} will be created, one per chosen subscription, and each is given this app registration's credentials once Azure accepts them.", count(flow.chosen.with(Vec::len) as u64, "Spot account", "Spot accounts"))}
                </p>
            </Show>
            <Show when=move || ask_secret && !all_connected.get()>
                <Show when=move || flow.secret_lost || started.get()>
                    <p class="azure-secret-note">
                        "The client secret value is never kept, not even for a reload: paste it again to go on."
                    </p>
                </Show>
                <SecretInput
                    id=SECRET_AGAIN_ID
                    label="Client secret value"
                    value=flow.secret
                    error=secret_error
                    check=rule(validate::azure_client_secret)
                    hint="The same value as in the first step. Kept only on this page."
                />
            </Show>
            <p role="status" aria-live="polite" class="batch-summary" id="azure-subs-summary" tabindex="-1">{summary}</p>
            <Banner notice=run.banner/>
            <Show when=move || { tally.get().failed > 0 }>
                <p class="muted">
                    "A new role assignment can take a few minutes to apply in Azure. If a subscription failed because the application has no role there yet, wait a moment, then press Try again."
                </p>
            </Show>
            <Show when=move || missing_roles.with(|m| !m.is_empty())>
                <p id="azure-subs-no-role">
                    "Azure refused the app registration on some subscriptions because it has no role there. Run these commands in Cloud Shell (the role itself already exists), wait a few minutes for Azure to apply the assignments, then press Try again:"
                </p>
                <CodeBlock id="azure-subs-missing-roles" label="Missing role assignments" code=missing_roles filename="spot-role-assignments.sh"/>
            </Show>
            <Show when=move || !all_connected.get()>
                <div class="form-actions">
                    <Button kind="button" id="azure-subs-start" busy=busy on_press=Callback::new(move |()| start.run(None))>
                        {main_label}
                    </Button>
                </div>
            </Show>
            <Show when=move || all_connected.get()>
                <div class="form-actions">
                    <Link href="/dashboard" attr:class="btn btn-primary" attr:id="azure-subs-done">"Go to the dashboard"</Link>
                </div>
            </Show>
            <Show when=move || started.get()>
                <StatusTable id="azure-subs-status" title="Subscriptions" what="Subscription" rows=rows on_retry=retry_one busy=busy/>
            </Show>
        </div>
    }
}
