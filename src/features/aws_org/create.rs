//! Step 3: one Spot account per chosen member, then an external ID for each, then the batch
//! whose one token lets every member's stack connect it.
//!
//! Resumable and never twice: the plan is saved before the first request and after every
//! answer; every run (a reload, **Try again**, a lost answer) first reconciles the plan with the
//! account listing, adopting accounts whose answers never came, and only then creates what is
//! still missing. At most four requests are in flight.

use super::flow::Org;
use super::work::each;
use crate::api::{Api, ApiError, describe};
use crate::components::{Banner, Button, Notice, focus_id};
use crate::platform::clock::now;
use crate::platform::tasks::Tasks;
use crate::state::{Config, use_api};
use leptos::prelude::*;
use onramp_core::aws_org::{OrgStep, planned};
use onramp_core::ids::AccountId;
use onramp_core::org_batch::{BatchPlan, Phase, reconcile};
use onramp_core::text::count;

/// Rounds of "some answers were lost, look and go on" before asking the user.
const MAX_ROUNDS: u32 = 8;

/// How a run ended.
enum Outcome {
    Done,
    /// The server cannot give connect tokens (no public URL).
    NoTokens,
    /// Stopped; the user reads why and presses Try again.
    Stopped(Notice),
    /// The session ended (the client has already handled it).
    SignedOut,
}

fn stopped(what: &str, e: &ApiError) -> Outcome {
    match e {
        ApiError::Unauthorized => Outcome::SignedOut,
        _ => Outcome::Stopped(Notice {
            text: format!("{what} {}", describe(e)),
            request_id: e.request_id().map(str::to_owned),
        }),
    }
}

/// The `Idempotency-Key` of one member's **Create account**: the same on every attempt of this
/// batch, so a server that honours keys answers a repeat with the account it made.
fn create_key(plan: &BatchPlan, cloud_id: &str) -> String {
    let started =
        onramp_core::time::Timestamp::parse(&plan.started_at).map_or(0, |t| t.as_millis());
    format!("org-{started:x}-{cloud_id}")
}

async fn reconcile_with_listing(
    api: &Api,
    plan: RwSignal<Option<BatchPlan>>,
) -> Result<(), ApiError> {
    let list = api.list_accounts().await?;
    plan.try_update(|p| {
        if let Some(p) = p {
            reconcile(p, &list);
        }
    });
    Ok(())
}

async fn run(api: Api, keys: bool, org: Org) -> Outcome {
    let plan = org.plan;
    let todo = |f: fn(&BatchPlan) -> Vec<usize>| {
        plan.try_with_untracked(|p| p.as_ref().map(f).unwrap_or_default())
            .unwrap_or_default()
    };

    // 1. Spot accounts.
    let mut rounds = 0;
    loop {
        if let Err(e) = reconcile_with_listing(&api, plan).await {
            return stopped(
                "We couldn't check which accounts exist, so nothing was created.",
                &e,
            );
        }
        let missing = todo(BatchPlan::needing_account);
        if missing.is_empty() {
            break;
        }
        rounds += 1;
        if rounds > MAX_ROUNDS {
            return Outcome::Stopped(Notice {
                text: "Answers from the server keep getting lost. Nothing was created twice; try again in a moment.".into(),
                request_id: None,
            });
        }
        let api = api.clone();
        let job = move |i: usize| {
            let api = api.clone();
            async move {
                let Some((name, key)) = plan
                    .try_with_untracked(|p| {
                        p.as_ref().and_then(|p| {
                            let m = p.members.get(i)?;
                            Some((m.spot_name.clone(), create_key(p, &m.cloud_id)))
                        })
                    })
                    .flatten()
                else {
                    return Ok(());
                };
                let api = if keys {
                    api.with_idempotency_key(key)
                } else {
                    api
                };
                let created = api.create_account(&name).await?;
                plan.try_update(|p| {
                    if let Some(p) = p {
                        p.record_account(i, created.id);
                    }
                });
                Ok(())
            }
        };
        if let Err(e) = each(missing, job).await {
            return stopped("Creating the Spot accounts stopped:", &e);
        }
        // Lost answers are found by the listing at the top of the loop.
    }

    // 2. External IDs. A lost answer is simply asked again: the newest ID is the one that counts.
    let mut rounds = 0;
    loop {
        let missing = todo(BatchPlan::needing_external_id);
        if missing.is_empty() {
            break;
        }
        rounds += 1;
        if rounds > MAX_ROUNDS {
            return Outcome::Stopped(Notice {
                text: "Answers from the server keep getting lost. Try again in a moment.".into(),
                request_id: None,
            });
        }
        let api = api.clone();
        let job = move |i: usize| {
            let api = api.clone();
            async move {
                let Some(id) = plan
                    .try_with_untracked(|p| {
                        p.as_ref()
                            .and_then(|p| p.members.get(i)?.account_id.clone())
                    })
                    .flatten()
                else {
                    return Ok(());
                };
                let x = api.aws_external_id(&id).await?;
                plan.try_update(|p| {
                    if let Some(p) = p {
                        p.record_external_id(&id, x.external_id);
                    }
                });
                Ok(())
            }
        };
        if let Err(e) = each(missing, job).await {
            return stopped("Generating the external IDs stopped:", &e);
        }
    }

    // 3. The batch and its token. A lost answer cannot be recovered (the token was in it), so
    // one more batch is made; the first one's token was never seen by anyone.
    let members = plan
        .try_with_untracked(|p| p.as_ref().map(BatchPlan::accounts_with_cloud_ids))
        .flatten()
        .unwrap_or_default();
    let mut tries = 0;
    loop {
        tries += 1;
        match api.create_aws_batch(&members).await {
            Ok(batch) => {
                plan.try_update(|p| {
                    if let Some(p) = p {
                        p.batch_id = Some(batch.batch_id.clone());
                    }
                });
                org.token.try_set(Some(batch));
                return Outcome::Done;
            }
            Err(e) if e.has_code("CONNECT_TOKENS_UNAVAILABLE") => return Outcome::NoTokens,
            Err(e) if e.has_code("EXTERNAL_ID_MISSING") => {
                // Forget the external IDs the server does not know; the next run makes them.
                let named = named_accounts(&e);
                plan.try_update(|p| {
                    if let Some(p) = p {
                        for m in &mut p.members {
                            if named.is_empty()
                                || m.account_id.as_ref().is_some_and(|a| named.contains(a))
                            {
                                m.external_id = None;
                            }
                        }
                    }
                });
                return stopped("Some accounts had no external ID yet:", &e);
            }
            // Not after the flow has gone: its requests were aborted, and a new one would not be.
            Err(e) if e.may_have_acted() && tries < 2 && !plan.is_disposed() => {}
            Err(e) => return stopped("Making the batch token stopped:", &e),
        }
    }
}

/// The accounts (`act-…`) an error's messages name.
fn named_accounts(e: &ApiError) -> Vec<AccountId> {
    e.spot_errors()
        .iter()
        .flat_map(|s| {
            s.message
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        })
        .filter_map(AccountId::parse)
        .collect()
}

#[component]
pub(super) fn CreateStep(org: Org) -> impl IntoView {
    let api = use_api();
    let keys = expect_context::<Config>().idempotency_keys;
    let plan = org.plan;
    let draft = org.draft;
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Notice>);
    // The run belongs to this step, wherever it was started from (a button, or by itself
    // after a reload): leaving the step ends its requests.
    let tasks = Tasks::here();

    let chosen_count = move || draft.chosen.with(Vec::len);
    let start = Callback::new(move |()| {
        if busy.get_untracked() {
            return;
        }
        problem.set(None);
        org.no_tokens.set(false);
        busy.set(true);
        let api = api();
        tasks.spawn(async move {
            let outcome = run(api, keys, org).await;
            busy.try_set(false);
            match outcome {
                Outcome::Done => {
                    org.go.try_run(OrgStep::Deploy);
                }
                Outcome::NoTokens => {
                    org.no_tokens.try_set(true);
                    // The panel replaces the button that had focus: move focus to it once drawn.
                    request_animation_frame(|| focus_id("aws-org-no-tokens"));
                }
                Outcome::Stopped(n) => {
                    problem.try_set(Some(n));
                    focus_id("aws-org-retry");
                }
                Outcome::SignedOut => {}
            }
        });
    });

    let create = Callback::new(move |()| {
        if plan.with_untracked(Option::is_some) {
            start.run(());
            return;
        }
        let Ok(members) = org.members.get_untracked() else {
            return;
        };
        let chosen = draft.chosen.with_untracked(|c| c.iter().cloned().collect());
        let naming = draft
            .naming
            .get_untracked()
            .naming(&draft.prefix.get_untracked());
        // Two minutes early: a server clock a little behind this browser's still dates this
        // batch's accounts after the start, so a lost answer's account is recognised.
        let started = now().plus_millis(-120_000).to_string();
        plan.set(Some(BatchPlan::new(
            &started,
            planned(&members, &chosen, &naming),
        )));
        start.run(());
    });

    // Back on this step with a batch under way (a reload, a return): carry on by itself.
    if plan.with_untracked(|p| p.as_ref().is_some_and(|p| p.phase() != Phase::Deploy)) {
        request_animation_frame(move || {
            start.try_run(());
        });
    }

    let summary = move || {
        plan.with(|p| match p {
            None => None,
            Some(p) => {
                let g = p.progress();
                Some(match p.phase() {
                    Phase::Accounts => format!(
                        "Creating Spot accounts: {} of {} created.",
                        g.accounts, g.total
                    ),
                    // One account is not "all 1 accounts".
                    Phase::ExternalIds if g.total == 1 => format!(
                        "The Spot account exists. Generating its external ID: {} of 1.",
                        g.external_ids
                    ),
                    Phase::Batch if g.total == 1 && busy.get() => {
                        "The account is ready. Making the batch token…".to_owned()
                    }
                    Phase::Batch if g.total == 1 => {
                        "The account is ready for the batch token.".to_owned()
                    }
                    Phase::Deploy if g.total == 1 => {
                        "Done: 1 Spot account, with its external ID, in one batch.".to_owned()
                    }
                    Phase::ExternalIds => format!(
                        "All {} Spot accounts exist. Generating external IDs: {} of {}.",
                        g.total, g.external_ids, g.total
                    ),
                    Phase::Batch if busy.get() => format!(
                        "All {} accounts are ready. Making the batch token…",
                        g.total
                    ),
                    Phase::Batch => {
                        format!("All {} accounts are ready for the batch token.", g.total)
                    }
                    Phase::Deploy => format!(
                        "Done: {} Spot accounts, each with its external ID, in one batch.",
                        g.total
                    ),
                })
            }
        })
    };
    let bar = move || {
        plan.with(|p| {
            p.as_ref().map(|p| {
                let g = p.progress();
                let max = g.total * 2;
                let value = g.accounts + g.external_ids;
                view! { <progress class="aws-org-progress" max=max value=value aria-hidden="true"></progress> }
            })
        })
    };

    view! {
        <div class="aws-org-create">
            <Show when=move || plan.with(Option::is_none)>
                <p>
                    {move || format!("{} will be created, one per chosen member, named as shown in the previous step. Each then gets an external ID, and one batch token lets every member's stack connect its account.", count(chosen_count() as u64, "Spot account", "Spot accounts"))}
                </p>
                <p class="muted">"If the page is reloaded or an answer is lost, it carries on where it stopped and never creates an account twice."</p>
            </Show>
            {bar}
            <p class="aws-org-summary" role="status" aria-live="polite">{summary}</p>
            <Banner notice=problem/>
            <Show when=move || org.no_tokens.get()>
                <div class="banner banner-info" id="aws-org-no-tokens" tabindex="-1">
                    <p>
                        "This server cannot give connect tokens (it has no public URL that AWS can reach), so the stacks cannot report their roles by themselves. The role each stack creates has a fixed name, so its ARN is known in advance: deploy the StackSet, then press Connect deployed members on the next step and Spot sets each member's role itself."
                    </p>
                    <button type="button" class="btn btn-primary" on:click=move |_| org.go.run(OrgStep::Deploy)>
                        "Continue without a token"
                    </button>
                </div>
            </Show>
            <div class="form-actions">
                <Show when=move || plan.with(Option::is_none)>
                    <button type="button" class="btn btn-secondary" on:click=move |_| org.go.run(OrgStep::Members)>"Back"</button>
                </Show>
                <Show when=move || !org.no_tokens.get() && plan.with(|p| p.as_ref().is_none_or(|p| p.phase() != Phase::Deploy))>
                    <Button id="aws-org-retry" kind="button" busy=busy on_press=create>
                        {move || if plan.with(Option::is_none) {
                            format!("Create {}", count(chosen_count() as u64, "account", "accounts"))
                        } else if busy.get() {
                            "Creating accounts…".to_owned()
                        } else {
                            "Try again".to_owned()
                        }}
                    </Button>
                </Show>
                <Show when=move || plan.with(|p| p.as_ref().is_some_and(|p| p.phase() == Phase::Deploy))>
                    <button type="button" class="btn btn-primary" on:click=move |_| org.go.run(OrgStep::Deploy)>"Next"</button>
                </Show>
            </div>
            <Show when=move || plan.with(Option::is_some) && !busy.get()>
                <p class="muted">
                    "To start again with another list, "
                    <button type="button" class="btn-link" on:click=move |_| org.start_over.run(())>"start over"</button>
                    ". The Spot accounts already created stay in your accounts table as Not connected."
                </p>
            </Show>
        </div>
    }
}
