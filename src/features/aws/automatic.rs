//! The AWS linked account, **Automatically (CloudFormation)**: the quick-create
//! link in the partition's console (template served next to the app, parameters `AccountId`,
//! `ExternalId`, `Principal`, and `ApiUrl` + `ConnectToken` when the server has a public API
//! URL), **Download template**, then waiting for the stack's custom resource to set the
//! credentials: the account is polled with a growing pause, visibly, with **Cancel**; after the
//! time-out the user can paste the role ARN instead. Without a public API URL the stack cannot
//! connect itself, and the page says so.

use crate::api::ApiError;
use crate::api::describe;
use crate::components::ExternalLink;
use crate::components::notice;
use crate::components::{Banner, Notice, StatusMessage, keep_focus_in};
use crate::platform::clock::{now, sleep};
use crate::state::{Config, use_api};
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use onramp_core::aws_setup::{
    LINKED_TEMPLATE_PATH, STACK_WAIT_TIMEOUT_MS, SelfConnect, linked_quick_create_url,
    linked_template_url, stack_poll_delay_ms,
};
use onramp_core::dto::CloudProvider;
use onramp_core::ids::AccountId;
use onramp_core::onboarding::ConnectDraft;

/// Where the wait for the stack stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wait {
    /// Not started (the link not yet followed).
    Idle,
    /// Checking the account every few seconds.
    Waiting,
    /// **Cancel** was pressed.
    Stopped,
    /// No credentials after [`STACK_WAIT_TIMEOUT_MS`].
    TimedOut,
    /// A check failed in a way that waiting won't fix (e.g. the account is gone).
    Failed(Notice),
}

/// The one-time connect token the quick-create link hands the stack. Never put in a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// The server has no public API URL: no stack can reach it.
    Off,
    Minting,
    Ready(String),
    Failed(Notice),
    /// A stack launched before this panel was drawn (a reload, or Change provider and back)
    /// holds the account's newest token. A new one would replace it and that stack's callback
    /// would be refused, so none is made until the user asks for a new link.
    Held,
}

/// A failed check that another check may well get past.
fn transient(e: &ApiError) -> bool {
    match e {
        ApiError::Network | ApiError::Timeout | ApiError::Decode => true,
        ApiError::RateLimited { .. } => true,
        ApiError::Http { status, .. } => *status >= 500,
        ApiError::Unauthorized => false,
    }
}

fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

#[component]
pub fn AwsAutomatic(
    draft: RwSignal<ConnectDraft>,
    account_id: Memo<Option<AccountId>>,
    /// The external ID's text (`None` while it is being generated).
    external_id: Signal<Option<String>>,
    /// Spot's principal that the role trusts.
    principal: Signal<String>,
    /// Fetches a new external ID (it expired).
    refresh_external_id: Callback<()>,
    on_connected: Callback<CloudProvider>,
    /// **Paste the role ARN instead**: open the manual way at **Role ARN**.
    on_paste_arn: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let public_api_url = expect_context::<Config>().public_api_url;

    // A token per external ID: the server binds the token to the external ID the link carries,
    // and keeps only the newest token of the account, so only the newest answer counts.
    let token = RwSignal::new(if public_api_url.is_some() {
        Token::Minting
    } else {
        Token::Off
    });
    let launched = Memo::new(move |_| draft.with(|d| d.aws.stack_launched));
    let minted = StoredValue::new(0u32);
    let mint = {
        let api = api.clone();
        move |id: AccountId| {
            let n = minted.get_value().wrapping_add(1);
            minted.set_value(n);
            token.set(Token::Minting);
            let api = api();
            spawn_local_scoped(async move {
                let answer = api.aws_connect_token(&id).await;
                if minted.try_get_value() != Some(n) {
                    return;
                }
                token.try_set(match answer {
                    Ok(t) => Token::Ready(t.connect_token),
                    Err(e) => Token::Failed(notice(&e)),
                });
            });
        }
    };
    if public_api_url.is_some() {
        let mint = mint.clone();
        Effect::new(move |_| {
            let (Some(id), Some(_)) = (account_id.get(), external_id.get()) else {
                return;
            };
            if launched.get_untracked()
                && token.with_untracked(|t| matches!(t, Token::Minting | Token::Held))
            {
                token.set(Token::Held);
                return;
            }
            mint(id);
        });
    }
    // The button goes once the link is made: focus moves to the link, not to the page.
    let focus_link = StoredValue::new(false);
    let new_link = move |_| {
        if let Some(id) = account_id.get_untracked() {
            focus_link.set_value(true);
            mint(id);
        }
    };
    Effect::new(move |_| {
        if !matches!(token.get(), Token::Minting | Token::Held) && focus_link.get_value() {
            focus_link.set_value(false);
            request_animation_frame(|| {
                if crate::components::focused().is_none() {
                    crate::components::focus_id("aws-quick-create");
                }
            });
        }
    });

    let partition = Memo::new(move |_| draft.with(|d| d.aws.partition()));
    let quick_create = Memo::new(move |_| {
        let id = account_id.get()?;
        let ext = external_id.get()?;
        token.with(|t| {
            let connect = match (t, public_api_url.as_deref()) {
                (Token::Minting | Token::Held, _) => return None,
                (Token::Ready(secret), Some(api_url)) => Some(SelfConnect {
                    api_url,
                    connect_token: secret,
                }),
                _ => None,
            };
            Some(linked_quick_create_url(
                partition.get(),
                &linked_template_url(&page_origin()),
                id.as_str(),
                &ext,
                &principal.get(),
                connect,
            ))
        })
    });
    let token_problem = Signal::derive(move || match token.get() {
        Token::Failed(n) => Some(n),
        _ => None,
    });

    let wait = RwSignal::new(Wait::Idle);
    let checks = RwSignal::new(0u32);
    let last_problem = RwSignal::new(None::<String>);
    let link_note = RwSignal::new(None::<Notice>);
    // Each wait gets a number; Cancel (or a new wait) moves it on, which ends the old loop.
    let generation = StoredValue::new(0u32);
    let current = move |n: u32| generation.try_get_value() == Some(n);

    // A wait asked for before the account is known (a reload, a slow profile) starts once it is.
    let resume_pending = StoredValue::new(launched.get_untracked());
    let start_waiting = {
        let api = api.clone();
        move || {
            let Some(id) = account_id.get_untracked() else {
                resume_pending.set_value(true);
                wait.set(Wait::Waiting);
                return;
            };
            if draft.with_untracked(|d| d.aws.wait_timed_out(now())) {
                wait.set(Wait::TimedOut);
                return;
            }
            let n = generation.get_value().wrapping_add(1);
            generation.set_value(n);
            wait.set(Wait::Waiting);
            checks.set(0);
            last_problem.set(None);
            let api = api();
            spawn_local_scoped(async move {
                let mut attempt = 0u32;
                let mut pause = stack_poll_delay_ms(0);
                loop {
                    sleep(pause).await;
                    if !current(n) {
                        return;
                    }
                    let timed_out = draft
                        .try_with_untracked(|d| d.aws.wait_timed_out(now()))
                        .unwrap_or(true);
                    // The wait's Cancel goes with it: focus (if it was there) stays in the step.
                    if timed_out {
                        wait.try_set(Wait::TimedOut);
                        keep_focus_in("aws-wait");
                        return;
                    }
                    let answer = api.get_account(&id).await;
                    if !current(n) {
                        return;
                    }
                    attempt += 1;
                    pause = stack_poll_delay_ms(attempt);
                    checks.try_update(|c| *c += 1);
                    match answer {
                        Ok(account) => match account.cloud_provider {
                            Some(CloudProvider::Aws) => {
                                draft.try_update(|d| d.aws.stop_waiting());
                                on_connected.run(CloudProvider::Aws);
                                return;
                            }
                            Some(other) => {
                                draft.try_update(|d| d.aws.stop_waiting());
                                wait.try_set(Wait::Failed(Notice::new(format!(
                                    "This Spot account is already connected to {}, so the stack can't connect it to AWS.",
                                    other.label()
                                ))));
                                keep_focus_in("aws-wait");
                                return;
                            }
                            None => {
                                last_problem.try_set(None);
                            }
                        },
                        // The client has ended the session: stop waiting.
                        Err(ApiError::Unauthorized) => return,
                        Err(e) if transient(&e) => {
                            if let ApiError::RateLimited {
                                reset_secs: Some(s),
                            } = e
                            {
                                pause = pause
                                    .max(u32::try_from(s.saturating_mul(1000)).unwrap_or(u32::MAX));
                            }
                            last_problem.try_set(Some(format!(
                                "The last check failed: {} We'll check again shortly.",
                                describe(&e)
                            )));
                        }
                        Err(e) => {
                            wait.try_set(Wait::Failed(notice(&e)));
                            keep_focus_in("aws-wait");
                            return;
                        }
                    }
                }
            });
        }
    };

    {
        let start_waiting = start_waiting.clone();
        Effect::new(move |_| {
            if account_id.with(Option::is_some) && resume_pending.get_value() {
                resume_pending.set_value(false);
                start_waiting();
            }
        });
    }
    // Another environment (another console) ends the wait: the stack must be run again there.
    Effect::new(move |_| {
        if !launched.get() && wait.get_untracked() == Wait::Waiting {
            resume_pending.set_value(false);
            generation.update_value(|g| *g = g.wrapping_add(1));
            wait.set(Wait::Idle);
        }
    });

    let begin = {
        let start_waiting = start_waiting.clone();
        move || {
            draft.update(|d| d.aws.launch_stack(now()));
            start_waiting();
        }
    };
    let on_link = {
        let begin = begin.clone();
        move |ev: leptos::ev::MouseEvent| {
            if draft.with_untracked(|d| d.aws.external_id_needs_refresh(now())) {
                ev.prevent_default();
                refresh_external_id.run(());
                link_note.set(Some(Notice::new(
                    "The external ID had expired, so the link now carries a new one. Press Run CloudFormation template again.",
                )));
                return;
            }
            link_note.set(None);
            begin();
        }
    };
    let cancel = move |_| {
        keep_focus_in("aws-wait");
        resume_pending.set_value(false);
        generation.update_value(|g| *g = g.wrapping_add(1));
        wait.set(Wait::Stopped);
        draft.update(|d| d.aws.stop_waiting());
    };

    let status = Signal::derive(move || {
        Some(match wait.get() {
            Wait::Idle => return None,
            Wait::Waiting => {
                "Waiting for the stack to connect your account. This page moves on by itself once it has.".to_owned()
            }
            Wait::Stopped => "Stopped waiting for the stack.".to_owned(),
            Wait::TimedOut => format!(
                "The stack has not connected the account after {} minutes.",
                STACK_WAIT_TIMEOUT_MS / 60_000
            ),
            Wait::Failed(_) => "Stopped waiting: the account could not be checked.".to_owned(),
        })
    });
    let failure = Signal::derive(move || match wait.get() {
        Wait::Failed(n) => Some(n),
        _ => None,
    });
    let template_href = format!("/{LINKED_TEMPLATE_PATH}");
    let paste_button = move || {
        view! {
            <button type="button" class="btn btn-secondary" on:click=move |_| on_paste_arn.run(())>
                "Paste the role ARN instead"
            </button>
        }
    };

    view! {
        {move || match token.get() {
            Token::Off => view! {
                <p>"A CloudFormation stack creates the role and its policy (the default permissions) in your account."</p>
                <p id="aws-no-self-connect">
                    "It can't connect the account to Spot by itself from this console, because the console has no public API address that AWS can reach: once the stack is created, copy "
                    <code>"SpotinstRoleArn"</code> " from its Outputs tab and paste it as the role ARN."
                </p>
            }.into_any(),
            Token::Failed(_) => view! {
                <p>"A CloudFormation stack creates the role and its policy (the default permissions) in your account."</p>
                <p id="aws-no-self-connect">
                    "This time it can't connect the account by itself (see below): once the stack is created, copy "
                    <code>"SpotinstRoleArn"</code> " from its Outputs tab and paste it as the role ARN."
                </p>
                <Banner notice=token_problem/>
            }.into_any(),
            _ => view! {
                <p>
                    "A CloudFormation stack creates the role and its policy (the default permissions) in your account, then connects it to Spot by itself."
                </p>
            }.into_any(),
        }}
        <ol class="setup-steps">
            <li>
                <p>
                    "Open the template in the AWS console, tick the box that acknowledges IAM resources with custom names, and choose "
                    <strong>"Create stack"</strong> "."
                </p>
                <div class="form-actions">
                    {move || token.with(|t| *t == Token::Held).then(|| view! {
                        <p id="aws-link-held">
                            "The stack launched earlier from this page can still connect the account. A new link replaces its permission to connect, so that stack would then fail."
                        </p>
                        <button type="button" class="btn btn-secondary" id="aws-new-link" on:click=new_link.clone()>
                            "Make a new link"
                        </button>
                    })}
                    {move || match quick_create.get() {
                        Some(href) => view! {
                            <ExternalLink
                                attr:class="btn btn-primary"
                                attr:id="aws-quick-create"
                                href=href
                                on:click=on_link.clone()
                            >
                                "Run CloudFormation template"
                            </ExternalLink>
                        }.into_any(),
                        None if token.with(|t| *t == Token::Held) => ().into_any(),
                        None => view! {
                            <span class="muted">"Preparing the link (it needs the external ID)…"</span>
                        }.into_any(),
                    }}
                    <a class="btn btn-secondary" href=template_href download="spot-linked-account.json">
                        "Download template"
                    </a>
                </div>
                <Banner notice=link_note/>
                <p class="muted">
                    "Creating the stack from the downloaded file instead? Give it the parameters "
                    <code>"AccountId"</code> " = " <code>{move || account_id.get().map(|a| a.to_string()).unwrap_or_default()}</code>
                    " and " <code>"ExternalId"</code> " = " <code>{move || external_id.get().unwrap_or_default()}</code> "."
                </p>
            </li>
            <li id="aws-wait">
                <StatusMessage text=status/>
                {move || match wait.get() {
                    Wait::Idle => view! {
                        <p>"Once the stack is created, this page notices and moves on. Already ran it?"</p>
                        <div class="form-actions">
                            <button type="button" class="btn btn-secondary" on:click={
                                let begin = begin.clone();
                                move |_| {
                                    begin();
                                    keep_focus_in("aws-wait");
                                }
                            }>
                                "Check for the connection"
                            </button>
                        </div>
                    }.into_any(),
                    Wait::Waiting => view! {
                        <p class="aws-wait">
                            <span class="spinner" aria-hidden="true"></span>
                            <span>{move || match checks.get() {
                                0 => "Checking your account…".to_owned(),
                                1 => "Checked your account once; no credentials yet.".to_owned(),
                                n => format!("Checked your account {n} times; no credentials yet."),
                            }}</span>
                        </p>
                        {move || last_problem.get().map(|p| view! { <p class="muted">{p}</p> })}
                        <div class="form-actions">
                            <button type="button" class="btn btn-secondary" id="aws-wait-cancel" on:click=cancel>
                                "Cancel"
                            </button>
                        </div>
                    }.into_any(),
                    Wait::Stopped => view! {
                        <p>"Run the stack, or press Check for the connection once it is created. You can also finish by hand."</p>
                        <div class="form-actions">
                            <button type="button" class="btn btn-secondary" on:click={
                                let begin = begin.clone();
                                move |_| {
                                    begin();
                                    keep_focus_in("aws-wait");
                                }
                            }>
                                "Check for the connection"
                            </button>
                            {paste_button()}
                        </div>
                    }.into_any(),
                    Wait::TimedOut => view! {
                        <p>
                            "If the stack failed, its Events tab in the CloudFormation console says why. If it was created, copy "
                            <code>"SpotinstRoleArn"</code> " from its Outputs tab and paste it as the role ARN."
                        </p>
                        <div class="form-actions">
                            {paste_button()}
                            <button type="button" class="btn btn-secondary" on:click={
                                let begin = begin.clone();
                                move |_| {
                                    begin();
                                    keep_focus_in("aws-wait");
                                }
                            }>
                                "Keep waiting"
                            </button>
                        </div>
                    }.into_any(),
                    Wait::Failed(_) => view! {
                        <Banner notice=failure/>
                        <div class="form-actions">
                            <button type="button" class="btn btn-secondary" on:click={
                                let begin = begin.clone();
                                move |_| {
                                    begin();
                                    keep_focus_in("aws-wait");
                                }
                            }>
                                "Check again"
                            </button>
                            {paste_button()}
                        </div>
                    }.into_any(),
                }}
            </li>
        </ol>
    }
}
