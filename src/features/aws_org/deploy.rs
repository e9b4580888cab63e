//! Step 4: the StackSet (template, target OUs, the two commands, console instructions) and the
//! members table, which follows each member from Waiting to Connected or Failed.
//!
//! The batch token is shown only in the answer that made or renewed it and is never stored:
//! after a reload the page says so and offers **Renew the batch token**. Without connect tokens
//! (a server with no public URL) the role each stack creates still has a fixed name, so
//! **Connect deployed members** sets each member's predictable role ARN from here.

use super::flow::Org;
use super::stackset;
use super::work::each;
use crate::api::{Api, ApiError, describe};
use crate::components::{
    Banner, Button, CodeBlock, Field, Notice, StatusMessage, StatusRow, StatusSearch, StatusTable,
    focus_id,
};
use crate::platform::clock::{now, sleep};
use crate::platform::tasks::Tasks;
use crate::state::{Config, use_api};
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use onramp_core::aws_org::OrgMember;
use onramp_core::aws_setup::{SPOT_PRINCIPAL, stack_region};
use onramp_core::dto::{AwsBatchMember, BatchMemberState};
use onramp_core::ids::AccountId;
use onramp_core::org_batch::{StateCounts, poll_delay_ms, token_expired};
use onramp_core::validate::{AwsEnvironment, Partition};
use std::collections::HashMap;

/// Members per page of the table (drawing a thousand rows makes every keystroke slow).
const PAGE: usize = 25;
const TARGETS_ID: &str = "aws-org-targets";
/// Template lines drawn (about 70 members' worth); Copy and Download take the whole template.
const TEMPLATE_LINES: usize = 600;

/// The partition choice's id suffix and words.
fn environment_choice(env: AwsEnvironment) -> (&'static str, &'static str) {
    match env {
        AwsEnvironment::Commercial => ("commercial", "Commercial AWS"),
        AwsEnvironment::GovCloud => ("govcloud", "AWS GovCloud (US)"),
        AwsEnvironment::China => ("china", "AWS China"),
    }
}

/// The members' states: the batch's own status, or (without a batch) whether each account has
/// credentials, plus what **Connect deployed members** was told.
async fn fetch_states(
    api: &Api,
    batch_id: Option<&str>,
    refused: &HashMap<AccountId, String>,
) -> Result<(Vec<AwsBatchMember>, Option<String>), ApiError> {
    match batch_id {
        Some(id) => {
            let s = api.aws_batch_status(id).await?;
            Ok((s.members, Some(s.expires_at)))
        }
        None => {
            let list = api.list_accounts().await?;
            let members = list
                .into_iter()
                .map(|a| {
                    let reason = refused.get(&a.account_id).cloned();
                    AwsBatchMember {
                        state: if a.cloud_provider.is_some() {
                            BatchMemberState::Connected
                        } else if reason.is_some() {
                            BatchMemberState::Failed
                        } else {
                            BatchMemberState::Waiting
                        },
                        account_id: a.account_id,
                        reason,
                        updated_at: None,
                    }
                })
                .collect();
            Ok((members, None))
        }
    }
}

#[component]
pub fn DeployStep(org: Org) -> impl IntoView {
    let api = use_api();
    let config = expect_context::<Config>();
    let plan = org.plan;
    let draft = org.draft;
    let batch_id = Memo::new(move |_| plan.with(|p| p.as_ref().and_then(|p| p.batch_id.clone())));
    let token = org.token;
    let targets_error = RwSignal::new(None::<String>);
    let partition = Memo::new(move |_| Partition::from_choice(draft.environment.get()));
    let region = move || stack_region(partition.get());
    let check_targets = Callback::new(|v: String| stackset::check_targets(&v));

    // ---- the template and the commands ----
    let template =
        Memo::new(move |_| plan.with(|p| p.as_ref().map(stackset::template).unwrap_or_default()));
    let template_bytes = Memo::new(move |_| template.with(String::len));
    let management: Memo<Option<OrgMember>> = Memo::new(move |_| {
        let chosen = plan.with(|p| {
            p.as_ref()
                .map(|p| {
                    p.members
                        .iter()
                        .map(|m| m.cloud_id.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        });
        org.members.with(|m| {
            m.as_ref().ok().and_then(|list| {
                list.iter()
                    .find(|x| x.management && chosen.contains(&x.id))
                    .cloned()
            })
        })
    });
    let api_url = config.public_api_url.clone().unwrap_or_default();
    let principal = config
        .spot_principal
        .clone()
        .unwrap_or_else(|| SPOT_PRINCIPAL.to_owned());
    let commands = Signal::derive(move || {
        let (targets, bucket) = (draft.targets.get(), draft.bucket.get());
        let bytes = template_bytes.get();
        token.with(|t| {
            let token = t.as_ref().map_or("", |t| t.connect_token.as_str());
            plan.with(|p| {
                let p = p.as_ref().ok_or_else(String::new)?;
                stackset::commands(
                    p,
                    &stackset::Inputs {
                        partition: partition.get(),
                        targets: &targets,
                        bucket: &bucket,
                        api_url: &api_url,
                        token,
                        principal: &principal,
                        template_bytes: bytes,
                    },
                )
            })
        })
    });
    let commands_text = Signal::derive(move || commands.get().unwrap_or_default());
    let bucket_error = RwSignal::new(None::<String>);
    let check_bucket = Callback::new(|v: String| stackset::check_bucket(&v));
    // Set once the token on screen comes from a renewal: the stacks already deployed need it.
    let renewed = RwSignal::new(false);

    // ---- renewing the token ----
    let expires_at =
        RwSignal::new(token.with_untracked(|t| t.as_ref().map(|t| t.expires_at.clone())));
    let renew_busy = RwSignal::new(false);
    let renew_error = RwSignal::new(None::<Notice>);
    // Pressed in the expired banner, which goes once a check sees the new expiry: the renewal
    // belongs to the step, or that would abort it.
    let tasks = Tasks::here();
    let renew = {
        let api = api.clone();
        Callback::new(move |()| {
            let Some(id) = batch_id.get_untracked() else {
                return;
            };
            if renew_busy.get_untracked() {
                return;
            }
            renew_busy.set(true);
            renew_error.set(None);
            let api = api();
            tasks.spawn(async move {
                let result = api.renew_aws_batch_token(&id).await;
                renew_busy.try_set(false);
                match result {
                    Ok(b) => {
                        renewed.try_set(true);
                        expires_at.try_set(Some(b.expires_at.clone()));
                        token.try_set(Some(b));
                        request_animation_frame(|| focus_id("aws-org-token-heading"));
                    }
                    Err(ApiError::Unauthorized) => {}
                    Err(e) => {
                        renew_error.try_set(Some(Notice {
                            text: format!("The batch token was not renewed: {}", describe(&e)),
                            request_id: e.request_id().map(str::to_owned),
                        }));
                    }
                }
            });
        })
    };

    // ---- the members' states, polled with backoff ----
    let states = RwSignal::new(None::<Vec<AwsBatchMember>>);
    let poll_error = RwSignal::new(None::<String>);
    let refused = RwSignal::new(HashMap::<AccountId, String>::new());
    let wake = RwSignal::new(0u32);
    // Counts finished checks: the expiry is compared with the clock again after each one.
    let checks = RwSignal::new(0u32);
    {
        let api = api();
        spawn_local_scoped(async move {
            let mut unchanged = 0;
            loop {
                let Some(id) = batch_id.try_get_untracked() else {
                    return;
                };
                let Some(local) = refused.try_get_untracked() else {
                    return;
                };
                // Taken before the check: a wake during it (a connect that ended meanwhile,
                // whose states this answer may predate) then starts the next check at once.
                let Some(seen) = wake.try_get_untracked() else {
                    return;
                };
                match fetch_states(&api, id.as_deref(), &local).await {
                    Ok((members, exp)) => {
                        poll_error.try_set(None);
                        let same = states.try_with_untracked(|s| s.as_ref() == Some(&members));
                        match same {
                            None => return,
                            Some(true) => unchanged += 1,
                            Some(false) => {
                                unchanged = 0;
                                states.try_set(Some(members));
                            }
                        }
                        if exp.is_some() {
                            expires_at.try_set(exp);
                        }
                    }
                    Err(ApiError::Unauthorized) => return,
                    Err(e) => {
                        poll_error.try_set(Some(format!(
                            "The latest check failed; checking again shortly. {}",
                            describe(&e)
                        )));
                        unchanged += 1;
                    }
                }
                checks.try_update(|n| *n = n.wrapping_add(1));
                let delay = poll_delay_ms(unchanged, js_sys::Math::random());
                let mut waited = 0;
                while waited < delay {
                    sleep(250).await;
                    waited += 250;
                    match wake.try_get_untracked() {
                        None => return,
                        Some(w) if w != seen => {
                            unchanged = 0;
                            break;
                        }
                        Some(_) => {}
                    }
                }
            }
        });
    }
    let expired = Memo::new(move |_| {
        checks.track();
        batch_id.with(Option::is_some)
            && expires_at.with(|e| e.as_deref().is_some_and(|e| token_expired(e, now())))
    });

    // ---- Connect deployed members (no connect tokens) ----
    let connect_busy = RwSignal::new(false);
    let connect_error = RwSignal::new(None::<Notice>);
    let connect_deployed = {
        let api = api.clone();
        Callback::new(move |()| {
            if connect_busy.get_untracked() {
                return;
            }
            connect_busy.set(true);
            connect_error.set(None);
            let api = api();
            let partition = partition.get_untracked();
            let todo: Vec<(AccountId, String)> = plan.with_untracked(|p| {
                let connected: Vec<AccountId> = states.with_untracked(|s| {
                    s.iter()
                        .flatten()
                        .filter(|m| m.state == BatchMemberState::Connected)
                        .map(|m| m.account_id.clone())
                        .collect()
                });
                p.iter()
                    .flat_map(|p| p.members.iter())
                    .filter_map(|m| Some((m.account_id.clone()?, m.cloud_id.clone())))
                    .filter(|(a, _)| !connected.contains(a))
                    .collect()
            });
            spawn_local_scoped(async move {
                let indexes = (0..todo.len()).collect();
                let todo = std::rc::Rc::new(todo);
                let job = move |i: usize| {
                    let (api, todo) = (api.clone(), todo.clone());
                    async move {
                        let (account, cloud_id) = &todo[i];
                        match api
                            .set_aws_credentials(account, &stackset::role_arn(partition, cloud_id))
                            .await
                        {
                            Ok(()) => {
                                refused.try_update(|r| r.remove(account));
                                Ok(())
                            }
                            // A member whose stack is not there yet is refused: say so on its row.
                            Err(ApiError::Http {
                                status,
                                errors,
                                request_id,
                            }) if status < 500 && status != 429 => {
                                let e = ApiError::Http {
                                    status,
                                    errors,
                                    request_id,
                                };
                                refused.try_update(|r| r.insert(account.clone(), describe(&e)));
                                Ok(())
                            }
                            Err(e) => Err(e),
                        }
                    }
                };
                let result = each(indexes, job).await;
                connect_busy.try_set(false);
                wake.try_update(|w| *w += 1);
                match result {
                    Ok(_) => {}
                    Err(ApiError::Unauthorized) => {}
                    Err(e) => {
                        connect_error.try_set(Some(Notice {
                            text: format!("Connecting stopped: {}", describe(&e)),
                            request_id: e.request_id().map(str::to_owned),
                        }));
                    }
                }
            });
        })
    };

    // ---- the table ----
    let rows = Memo::new(move |_| {
        let by_id: HashMap<AccountId, AwsBatchMember> = states.with(|s| {
            s.iter()
                .flatten()
                .map(|m| (m.account_id.clone(), m.clone()))
                .collect()
        });
        plan.with(|p| {
            p.iter()
                .flat_map(|p| p.members.iter())
                .filter_map(|m| {
                    let account_id = m.account_id.as_ref()?;
                    let status = by_id.get(account_id);
                    Some(StatusRow {
                        key: m.cloud_id.clone(),
                        name: m.spot_name.clone(),
                        detail: m.cloud_id.clone(),
                        account: Some(account_id.to_string()),
                        state: status.map_or(BatchMemberState::Waiting, |s| s.state),
                        note: status.and_then(|s| s.reason.clone()),
                    })
                })
                .collect::<Vec<_>>()
        })
    });
    let counts = Memo::new(move |_| rows.with(|r| StateCounts::of(r.iter().map(|row| row.state))));
    let summary = Signal::derive(move || {
        if states.with(Option::is_none) {
            return Some("Checking the members…".to_owned());
        }
        let c = counts.get();
        Some(
            if let Some(all) = c.all_connected_text("member", "members") {
                all
            } else {
                format!(
                    "{} of {} connected · {} failed · {} waiting",
                    c.connected,
                    c.total(),
                    c.failed,
                    c.waiting
                )
            },
        )
    });

    // After a renewal: the new token for the stacks of the members not connected yet.
    let update = Signal::derive(move || {
        if !renewed.get() {
            return None;
        }
        let waiting: Vec<String> = rows.with(|r| {
            r.iter()
                .filter(|row| row.state != BatchMemberState::Connected)
                .map(|row| row.key.clone())
                .collect()
        });
        let targets = draft.targets.get();
        token.with(|t| {
            let t = t.as_ref()?;
            plan.with(|p| {
                stackset::update_command(
                    partition.get(),
                    p.as_ref()?,
                    &targets,
                    &waiting,
                    &t.connect_token,
                )
            })
        })
    });
    let update_text = Signal::derive(move || update.get().unwrap_or_default());

    let token_panel = move || {
        if batch_id.get().is_none() {
            return view! {
                <div class="card notice-panel">
                    <p>
                        "This server cannot give connect tokens (it has no public URL that AWS can reach), so the StackSet's stacks cannot connect the members by themselves: the commands below leave ApiUrl and ConnectToken out, and each stack only creates the role. That role has the same name in every member (Spot-Role-Onramp, with the policy and trust shown in the template): once the stacks are deployed, press Connect deployed members and Spot sets each member's role ARN itself."
                    </p>
                    <Banner notice=connect_error/>
                    <Button id="aws-org-connect-deployed" kind="button" busy=connect_busy on_press=connect_deployed>
                        "Connect deployed members"
                    </Button>
                </div>
            }
            .into_any();
        }
        match token.get() {
            Some(t) => view! {
                <div class="card token-panel">
                    <h3 id="aws-org-token-heading" tabindex="-1">"Batch token"</h3>
                    <p>
                        {format!("The commands below carry the batch token; it works until {} for the members of this batch, once each. ", t.expires_at)}
                        <strong>"It is shown only now:"</strong>
                        " this browser does not keep it. Copy the commands before you leave."
                    </p>
                </div>
            }
            .into_any(),
            None => view! {
                <div class="card token-panel">
                    <h3 id="aws-org-token-heading" tabindex="-1">"Batch token"</h3>
                    <p>
                        "The batch token is not kept in this browser (it is a secret, shown once). To get the commands again, renew it: a new token is made and the old one stops working. Members already connected stay connected."
                    </p>
                    <Banner notice=renew_error/>
                    <Button id="aws-org-renew" kind="button" busy=renew_busy on_press=renew>
                        "Renew the batch token"
                    </Button>
                </div>
            }
            .into_any(),
        }
    };

    view! {
        <div class="aws-org-deploy">
            <h3>"1. The StackSet template"</h3>
            <p>
                "One template for every member: a table in it maps each AWS account ID to its Spot account and external ID, so each stack creates the role for its own account and reports it. It holds no secret."
            </p>
            <CodeBlock id="aws-org-template" label="StackSet template" code=template filename=stackset::TEMPLATE_FILE mime="application/json" max_lines=TEMPLATE_LINES/>

            <h3>"2. Where to deploy it"</h3>
            <fieldset class="field radio-group">
                <legend class="field-label">"Which AWS is the organization in?"</legend>
                {AwsEnvironment::ALL.into_iter().map(|env| {
                    let (slug, label) = environment_choice(env);
                    let id = format!("aws-org-partition-{slug}");
                    view! {
                        <div class="radio-row">
                            <input
                                type="radio"
                                id=id.clone()
                                name="aws-org-partition"
                                value=slug
                                prop:checked=move || draft.environment.get() == env
                                on:change=move |_| draft.environment.set(env)
                            />
                            <label for=id>{label}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <Field id=TARGETS_ID label="Organizational unit IDs" value=draft.targets error=targets_error check=check_targets
                hint="The OUs (ou-…) or the root (r-…) that hold the chosen members, separated by spaces or commas." autocomplete="off"/>
            <Show when=move || stackset::needs_bucket(template_bytes.get())>
                <Field id="aws-org-bucket" label="S3 bucket for the template" value=draft.bucket error=bucket_error check=check_bucket
                    hint="The template is too large to pass inline (over 51,200 bytes): the commands upload it to this bucket first, in the region they deploy to." autocomplete="off"/>
            </Show>

            <h3>"3. Deploy"</h3>
            {token_panel}
            <Show when=move || token.with(Option::is_some) || batch_id.with(Option::is_none)>
                <Show
                    when=move || commands.with(Result::is_ok)
                    fallback=move || view! {
                        <p class="muted">{move || commands.get().err()}</p>
                    }
                >
                    <p>{format!("Save the template as {} in the folder you run these from, in the organization's management account:", stackset::TEMPLATE_FILE)}</p>
                    <CodeBlock id="aws-org-commands" label="AWS CLI commands" code=commands_text filename="spot-stackset.sh"/>
                </Show>
            </Show>
            <Show when=move || update.with(Option::is_some)>
                <p>"Already deployed? Give the new token to the stacks of the members that are not connected yet (connected members are left alone):"</p>
                <CodeBlock id="aws-org-update" label="Token update command" code=update_text filename="spot-stackset-token.sh"/>
            </Show>
            <details class="aws-org-console">
                <summary>"Or use the AWS console"</summary>
                <ol>
                    <li>"Sign in to the organization's management account (or a delegated StackSets administrator)."</li>
                    <li>"Service-managed StackSets need trusted access: in CloudFormation, StackSets, turn on trusted access with AWS Organizations if it is not on yet."</li>
                    <li>"Create a StackSet with service-managed permissions, upload the template above, and fill in the parameters as in the commands (without a batch token, leave ApiUrl and ConnectToken empty)."</li>
                    <li>"Turn automatic deployment off (an account joining later has no Spot account in the template) and acknowledge that the template creates IAM resources with custom names."</li>
                    <li>{move || format!("Deploy to the organizational units above with the account filter Intersection and the chosen members' account IDs, in one region: {}. Set failure tolerance high, so one member's failure does not stop the others.", region())}</li>
                </ol>
            </details>
            <Show when=move || management.with(Option::is_some)>
                <p class="banner banner-info">
                    {move || management.get().map(|m| format!(
                        "A service-managed StackSet does not deploy to the management account itself, so {} ({}) is not reached by it. Create one ordinary stack there from the same template and parameters (CloudFormation, Create stack, in {}), or leave it out.",
                        m.name, m.id, region()
                    ))}
                </p>
            </Show>

            <StatusTable
                id="aws-org-members"
                title="4. Members"
                what="Member"
                rows=rows
                search=StatusSearch { label: "Search by name or ID" }
                page_size=PAGE
            >
                <div class="aws-org-member-summary"><StatusMessage text=summary/></div>
                <Show when=move || expired.get()>
                    <div class="banner banner-error" role="alert">
                        <p>"The batch token has expired: members that are not connected yet cannot connect with it. Renew it and update the StackSet's ConnectToken parameter."</p>
                    </div>
                    <Show when=move || token.with(Option::is_some)>
                        // Here too: the token panel's own message shows only once no token is held.
                        <Banner notice=renew_error/>
                        <Button id="aws-org-renew-expired" kind="button" busy=renew_busy on_press=renew>
                            "Renew the batch token"
                        </Button>
                    </Show>
                </Show>
                <p class="muted">{move || poll_error.get()}</p>
                <div>
                    <button type="button" class="btn btn-secondary btn-small" on:click=move |_| wake.update(|w| *w += 1)>
                        "Check now"
                    </button>
                </div>
            </StatusTable>
            <p class="muted">
                "The new accounts are in your accounts table too; ones that are not connected yet show Not connected there. "
                <a href="/dashboard">"Go to the dashboard"</a>
            </p>
        </div>
    }
}
