//! `/management`, `/management/<step>`: the AWS management account's first registration
//! as six numbered steps. Core's `ManagementDraft` decides which step a
//! URL may open; the draft lives in sessionStorage (no secret in it), so a reload or
//! back/forward resumes where the user was. One management account per organization: when one
//! exists the wizard is replaced by a plain explanation, and a 409 from the API says the same.

use crate::api::ApiError;
use crate::api::describe;
use crate::components::ExternalLink;
use crate::components::Link;
use crate::components::notice;
use crate::components::{
    Banner, CopyButton, ErrorSummary, Field, FieldCheck, FormErrors, Notice, RetryButton, Step,
    Stepper, focus_id, problems, set_title,
};
use crate::platform::clock::now;
use crate::platform::history::NavigateOptions;
use crate::platform::history::{use_location, use_navigate};
use crate::platform::tasks::Tasks;
use crate::state::current_account::account_from_query;
use crate::state::draft::PersistedDraft;
use crate::state::{Config, Session, mark_interactive, use_api};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use onramp_core::aws_setup::console_url;
use onramp_core::management::{
    self as mgmt, BILLING_ACCESS_HELP_URL, ManagementAccount, ManagementDraft, ManagementProduct,
    ManagementStep, PROCESSING_NOTE, check_products,
};
use onramp_core::onboarding::{can_enter, first_incomplete_step};
use onramp_core::validate::{self, AwsEnvironment, Partition};

const DRAFT_KEY: &str = "onramp.draft.management";
const BUCKET_ID: &str = "management-bucket";
/// Error code of a second management account (ours; docs/contracts.md).
pub(super) const ALREADY_EXISTS: &str = "ManagementAccount_ALREADY_EXISTS";

// ---- shared with the Azure billing page ------------------------------------------------------

/// Whether the organization already has a management account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Existing {
    Loading,
    Failed(Notice),
    Known(Option<ManagementAccount>),
}

/// Reads the organization's management account into a signal; the callback reads it again.
pub(super) fn existing_management() -> (RwSignal<Existing>, Callback<()>) {
    let api = use_api();
    let state = RwSignal::new(Existing::Loading);
    let load = Callback::new(move |()| {
        state.set(Existing::Loading);
        let api = api();
        spawn_local_scoped(async move {
            let next = match api.get_management().await {
                Ok(m) => Existing::Known(m),
                // The client has ended the session.
                Err(ApiError::Unauthorized) => return,
                Err(e) => Existing::Failed(notice(&e)),
            };
            state.try_set(next);
            mark_interactive();
        });
    });
    load.run(());
    (state, load)
}

fn provider_words(m: &ManagementAccount) -> String {
    match m.cloud_provider.as_str() {
        "azure" => format!("Azure billing account {}", m.provider_external_id),
        _ => format!("AWS account {}", m.provider_external_id),
    }
}

/// Shown instead of a registration form when the organization has its management account.
#[component]
pub(super) fn AlreadyRegistered(account: ManagementAccount) -> impl IntoView {
    view! {
        <div class="card notice-panel management-exists">
            <h2 id="management-exists-heading" tabindex="-1">
                "Your organization already has a management account"
            </h2>
            <p>
                "“" {account.account_name.clone()} "” (" <code>{account.account_id.clone()}</code> ") is registered as the management account, for "
                {provider_words(&account)}
                ". An organization has one management account: to use another one, remove this one first (contact your administrator)."
            </p>
            <p>
                <Link href="/dashboard">"Go to the dashboard"</Link>
                " · "
                <Link href="/finops">"Enrol accounts in FinOps products"</Link>
            </p>
        </div>
    }
}

/// The words for a refused registration: a second management account is explained, anything
/// else described.
pub(super) fn registration_notice(e: &ApiError) -> Notice {
    if e.has_code(ALREADY_EXISTS) {
        Notice {
            text: format!(
                "This management account can't be registered: {} Your organization keeps the one it has; nothing was changed.",
                describe(e)
            ),
            request_id: e.request_id().map(str::to_owned),
        }
    } else {
        notice(e)
    }
}

/// The done screen's promise: the processing time and the email.
#[component]
pub(super) fn DoneNote(heading: &'static str) -> impl IntoView {
    let session = expect_context::<Session>();
    let email = move || {
        session
            .profile
            .with(|p| p.as_ref().and_then(|p| p.email.clone()))
    };
    view! {
        <div class="card management-done">
            <h2 id="management-done-heading" tabindex="-1">{heading}</h2>
            <p>
                {PROCESSING_NOTE} " "
                {move || match email() {
                    Some(e) => view! { "We'll email you at " <strong>{e}</strong> " when your dashboards are ready." }.into_any(),
                    None => view! { "We'll email you when your dashboards are ready." }.into_any(),
                }}
            </p>
            <p>
                <Link href="/dashboard">"Go to the dashboard"</Link>
                " · "
                <Link href="/finops">"Enrol accounts in FinOps products"</Link>
            </p>
        </div>
    }
}

/// A confirmation checkbox a step requires before **Next**, with its message under it.
#[component]
fn ConfirmCheck(
    id: &'static str,
    error_id: &'static str,
    label: &'static str,
    checked: Signal<bool>,
    set: Callback<bool>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label class="check-toggle">
                <input
                    type="checkbox"
                    id=id
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    aria-describedby=move || error.with(Option::is_some).then_some(error_id)
                    prop:checked=checked
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        set.run(on);
                        if on {
                            error.set(None);
                        }
                    }
                />
                {label}
            </label>
            <GroupError id=error_id error=error/>
        </div>
    }
}

/// A message under a group of radios or checkboxes (the same look as a Field's).
#[component]
pub(super) fn GroupError(id: &'static str, error: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|msg| {
            view! {
                <p class="field-error" id=id>
                    <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                        <circle cx="8" cy="8" r="7" fill="currentColor"/>
                        <path d="M8 4v5M8 11v1.2" stroke="var(--color-on-danger)" stroke-width="1.8" stroke-linecap="round"/>
                    </svg>
                    <span>{msg}</span>
                </p>
            }
        })
    }
}

fn replace() -> NavigateOptions {
    NavigateOptions { replace: true }
}

fn path_of(step: ManagementStep) -> String {
    format!("/management/{}", step.slug())
}

fn environment_text(env: AwsEnvironment) -> &'static str {
    match env {
        AwsEnvironment::Commercial => "No, commercial AWS",
        AwsEnvironment::GovCloud => "Yes, AWS GovCloud (US)",
        AwsEnvironment::China => "Yes, AWS China",
    }
}

fn environment_slug(env: AwsEnvironment) -> &'static str {
    match env {
        AwsEnvironment::Commercial => "commercial",
        AwsEnvironment::GovCloud => "govcloud",
        AwsEnvironment::China => "china",
    }
}

fn product_slug(p: ManagementProduct) -> &'static str {
    match p {
        ManagementProduct::CostAnalysis => "cost-analysis",
        ManagementProduct::ComputeOptimization => "compute-optimization",
    }
}

fn product_description(p: ManagementProduct) -> &'static str {
    match p {
        ManagementProduct::CostAnalysis => {
            "Cloud Analyzer: your whole organization's costs, from the Cost and Usage Report."
        }
        ManagementProduct::ComputeOptimization => {
            "Eco: Reserved Instances and Savings Plans, bought and managed for you."
        }
    }
}

// ---- the wizard ------------------------------------------------------------------------------

#[component]
pub fn ManagementWizard() -> impl IntoView {
    set_title("Management account");
    let navigate = use_navigate();
    let location = use_location();

    // Kept for a reload until the registration succeeds; then the done screen lives in memory
    // and the draft goes (a reload then finds the registered account on the server).
    let draft = *PersistedDraft::until(DRAFT_KEY, RwSignal::<ManagementDraft>::default, |d| {
        d.with(|d| d.connected)
    });
    if let Some(id) = account_from_query() {
        draft.update(|d| d.set_account(id));
    }
    let (existing, reload_existing) = existing_management();

    let go = Callback::new(move |step: ManagementStep| {
        navigate(&path_of(step), NavigateOptions::default())
    });
    // The registration belongs to the wizard: Back (or the browser's) during it takes the step
    // away, and must not abort a request the server may still act on.
    let tasks = Tasks::here();

    // The step on screen, from the URL; a step whose earlier steps are not done yet opens the
    // first incomplete one instead.
    let step = RwSignal::new(None::<ManagementStep>);
    let first = StoredValue::new(true);
    {
        let navigate = use_navigate();
        Effect::new(move |_| {
            let path = location.pathname.get();
            let asked = path
                .strip_prefix("/management/")
                .and_then(|s| ManagementStep::from_slug(s.trim_end_matches('/')));
            let d = draft.get_untracked();
            let shown = match asked {
                Some(s) if can_enter(s, &d) => s,
                _ => first_incomplete_step(&d).unwrap_or(ManagementStep::Done),
            };
            let before = step.get_untracked();
            step.set(Some(shown));
            if asked != Some(shown) {
                navigate(&path_of(shown), replace());
            }
            if !first.get_value() && before != Some(shown) {
                let target = if shown == ManagementStep::Done {
                    "management-done-heading".to_owned()
                } else {
                    format!("management-step-{}", shown.number())
                };
                request_animation_frame(move || focus_id(&target));
            }
            first.set_value(false);
        });
    }
    let current = Signal::derive(move || step.get().map_or(0, |s| s.number() - 1));
    let env = Memo::new(move |_| draft.with(|d| d.environment.unwrap_or_default()));

    let wizard = move || {
        view! {
            <Stepper id="management" label="Management account steps" current=current>
                <Step slot title=ManagementStep::Environment.label()
                    summary=move || view! { <p>{move || environment_text(env.get())}</p> }
                >
                    <EnvironmentStep draft=draft go=go/>
                </Step>
                <Step slot title=ManagementStep::SignIn.label()>
                    <SignInStep draft=draft go=go/>
                </Step>
                <Step slot title=ManagementStep::BillingAccess.label()
                    summary=|| view! { <p>"IAM access to billing is activated."</p> }
                >
                    <BillingAccessStep draft=draft go=go/>
                </Step>
                <Step slot title=ManagementStep::ProductsAndBucket.label()
                    summary=move || view! {
                        <p>
                            {move || draft.with(|d| d.products.iter().map(|p| p.label()).collect::<Vec<_>>().join(", "))}
                            " · bucket " <code>{move || draft.with(|d| d.bucket_name.trim().to_owned())}</code>
                        </p>
                    }
                >
                    <ProductsStep draft=draft go=go/>
                </Step>
                <Step slot title=ManagementStep::RunTemplate.label()
                    summary=|| view! { <p>"The stack is created."</p> }
                >
                    <RunTemplateStep draft=draft go=go/>
                </Step>
                <Step slot title=ManagementStep::RoleArns.label()>
                    <RoleArnsStep draft=draft go=go tasks=tasks/>
                </Step>
            </Stepper>
            <Show when=move || step.get() == Some(ManagementStep::Done)>
                <DoneNote heading="Your management account is connected"/>
            </Show>
        }
    };

    view! {
        <section class="page management">
            <h1 id="management-heading" tabindex="-1">"Connect your AWS management account"</h1>
            <p class="lead">
                "Spot reads your organization's Cost and Usage Report through read-only roles in the management (payer) account. "
                "Customers of an AWS reseller or MSP: "
                <ExternalLink href="https://docs.spot.io/eco/getting-started/connect-account-customer-working-with-msp">
                    "read how to connect through your MSP"
                </ExternalLink>
                " and contact support. Azure: "
                <Link href="/management/azure">"connect an Azure billing account"</Link>
                " instead."
            </p>
            {move || match existing.get() {
                Existing::Loading => view! {
                    <p role="status" class="muted">"Checking your organization's management account…"</p>
                }.into_any(),
                Existing::Failed(n) => view! {
                    <Banner notice=Signal::stored(Some(n))/>
                    <RetryButton heading="management-heading" on_retry=reload_existing>"Try again"</RetryButton>
                }.into_any(),
                Existing::Known(Some(m)) if !draft.with_untracked(|d| d.connected) => {
                    view! { <AlreadyRegistered account=m/> }.into_any()
                }
                Existing::Known(_) => wizard().into_any(),
            }}
        </section>
    }
}

/// A step's buttons: **Back** (none on the first step) and **Next**, which submits its form.
#[component]
fn StepActions(step: ManagementStep, go: Callback<ManagementStep>) -> impl IntoView {
    view! {
        <div class="form-actions">
            <BackButton step=step go=go/>
            <button type="submit" class="btn btn-primary">"Next"</button>
        </div>
    }
}

/// **Back** to the previous step (browser back does the same).
#[component]
fn BackButton(step: ManagementStep, go: Callback<ManagementStep>) -> impl IntoView {
    step.previous().map(|prev| {
        view! {
            <button type="button" class="btn btn-secondary" on:click=move |_| go.run(prev)>"Back"</button>
        }
    })
}

#[component]
fn EnvironmentStep(
    draft: RwSignal<ManagementDraft>,
    go: Callback<ManagementStep>,
) -> impl IntoView {
    let chosen = RwSignal::new(draft.with_untracked(|d| d.environment));
    let error = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match chosen.get_untracked() {
            Some(env) => {
                draft.update(|d| d.choose_environment(env));
                go.run(ManagementStep::SignIn);
            }
            None => {
                error.set(Some(
                    "Choose where your management account is: commercial AWS, AWS GovCloud (US) or AWS China.".into(),
                ));
                focus_id("management-env-commercial");
            }
        }
    };
    let options = AwsEnvironment::ALL
        .into_iter()
        .map(|e| {
            let id = format!("management-env-{}", environment_slug(e));
            view! {
                <div class="radio-row">
                    <input
                        type="radio"
                        id=id.clone()
                        name="management-env"
                        value=environment_slug(e)
                        aria-describedby=move || error.with(Option::is_some).then_some("management-env-error")
                        prop:checked=move || chosen.get() == Some(e)
                        on:change=move |_| {
                            chosen.set(Some(e));
                            error.set(None);
                        }
                    />
                    <label for=id>{environment_text(e)}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <form class="form" novalidate on:submit=on_submit>
            <fieldset class="field radio-group" class:field-invalid=move || error.with(Option::is_some)>
                <legend class="field-label">"Are you connecting from AWS GovCloud or AWS China?"</legend>
                {options}
                <GroupError id="management-env-error" error=error/>
            </fieldset>
            <StepActions step=ManagementStep::Environment go=go/>
        </form>
    }
}

#[component]
fn SignInStep(draft: RwSignal<ManagementDraft>, go: Callback<ManagementStep>) -> impl IntoView {
    let env = draft.with_untracked(|d| d.environment.unwrap_or_default());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        draft.update(|d| d.signed_in = true);
        go.run(ManagementStep::BillingAccess);
    };
    view! {
        <form class="form" novalidate on:submit=on_submit>
            <p>
                <ExternalLink href=console_url(Partition::from_choice(env))>
                    "Log in to your AWS management account"
                </ExternalLink>
                " — the organization's payer account, or, for a customer of a reseller, the member account that receives the Cost and Usage Report."
            </p>
            <p class="management-advice">
                <strong>"Work in " {mgmt::home_region(env)} "."</strong>
                {match env {
                    AwsEnvironment::Commercial => " Do every step of this wizard in US East (N. Virginia), us-east-1, including the report's bucket. Other regions work only if their opt-in status is “Not required”.",
                    AwsEnvironment::GovCloud => " AWS GovCloud (US) accounts are billed through their associated standard account: set up the report there if it is not available in GovCloud.",
                    AwsEnvironment::China => " Use the China (Beijing) region for the report's bucket and the stack.",
                }}
            </p>
            <StepActions step=ManagementStep::SignIn go=go/>
        </form>
    }
}

#[component]
fn BillingAccessStep(
    draft: RwSignal<ManagementDraft>,
    go: Callback<ManagementStep>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if draft.with_untracked(|d| d.billing_access_confirmed) {
            go.run(ManagementStep::ProductsAndBucket);
        } else {
            error.set(Some(
                "Tick the box once IAM access to billing is activated: without it, Spot's roles can't read your billing data.".into(),
            ));
            focus_id("management-billing-access");
        }
    };
    view! {
        <form class="form" novalidate on:submit=on_submit>
            <p>
                "As the account's root user, open " <strong>"Account"</strong> " in the Billing and Cost Management console and, under "
                <strong>"IAM user and role access to Billing information"</strong> ", choose " <strong>"Activate IAM Access"</strong> ". "
                <ExternalLink href=BILLING_ACCESS_HELP_URL>"AWS's instructions"</ExternalLink>
            </p>
            <ConfirmCheck
                id="management-billing-access"
                error_id="management-billing-access-error"
                label="IAM user and role access to billing information is activated"
                checked=Signal::derive(move || draft.with(|d| d.billing_access_confirmed))
                set=Callback::new(move |on| draft.update(|d| d.billing_access_confirmed = on))
                error=error
            />
            <StepActions step=ManagementStep::BillingAccess go=go/>
        </form>
    }
}

#[component]
fn ProductsStep(draft: RwSignal<ManagementDraft>, go: Callback<ManagementStep>) -> impl IntoView {
    let env = draft.with_untracked(|d| d.environment.unwrap_or_default());
    let products_error = RwSignal::new(None::<String>);
    let bucket = RwSignal::new(draft.with_untracked(|d| d.bucket_name.clone()));
    let bucket_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let typed = bucket.get();
        draft.update(|d| d.set_bucket_name(&typed));
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let products = draft.with_untracked(|d| d.products.clone());
        let p_err = check_products(&products).err().map(|e| e.message);
        let b_err = validate::s3_bucket_name(&bucket.get_untracked())
            .err()
            .map(|e| e.message);
        products_error.set(p_err.clone());
        bucket_error.set(b_err.clone());
        if p_err.is_some() {
            focus_id("management-product-cost-analysis");
        } else if b_err.is_some() {
            focus_id(BUCKET_ID);
        } else {
            go.run(ManagementStep::RunTemplate);
        }
    };
    let boxes = ManagementProduct::ALL
        .into_iter()
        .map(|p| {
            let id = format!("management-product-{}", product_slug(p));
            view! {
                <div class="management-product">
                    <label class="check-toggle">
                        <input
                            type="checkbox"
                            id=id
                            aria-describedby=move || products_error.with(Option::is_some).then_some("management-products-error")
                            prop:checked=move || draft.with(|d| d.products.contains(&p))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                draft.update(|d| {
                                    let mut chosen: Vec<_> = d.products.iter().copied().filter(|q| *q != p).collect();
                                    if on {
                                        chosen.push(p);
                                    }
                                    d.choose_products(&chosen);
                                });
                                if on {
                                    products_error.set(None);
                                }
                            }
                        />
                        {p.label()}
                    </label>
                    <p class="field-hint">{product_description(p)}</p>
                </div>
            }
        })
        .collect_view();
    let hint = match env {
        AwsEnvironment::Commercial => {
            "The S3 bucket under the report's Delivery options, for example my-cur-reports. Create it in us-east-1 (N. Virginia)."
        }
        AwsEnvironment::GovCloud => {
            "The S3 bucket under the report's Delivery options, for example my-cur-reports."
        }
        AwsEnvironment::China => {
            "The S3 bucket under the report's Delivery options, for example my-cur-reports. Create it in cn-north-1 (Beijing)."
        }
    };
    view! {
        <form class="form" novalidate on:submit=on_submit>
            <fieldset class="field radio-group" class:field-invalid=move || products_error.with(Option::is_some)>
                <legend class="field-label">"Products the template creates roles for"</legend>
                {boxes}
                <GroupError id="management-products-error" error=products_error/>
            </fieldset>
            <div class="management-cur">
                <h3>"Set up the Cost and Usage Report"</h3>
                <p>
                    <ExternalLink href=mgmt::cur_console_url(env)>
                        "Open Cost and Usage Reports"
                    </ExternalLink>
                    " and create a report (or check the one you have) with:"
                </p>
                <ul class="management-guidelines">
                    <li><strong>"Include resource IDs"</strong> " under additional report details"</li>
                    <li><strong>"Data refresh settings"</strong> " enabled (refresh automatically)"</li>
                    <li>"Time granularity " <strong>"Hourly"</strong></li>
                    <li>"Report data integration for " <strong>"Amazon Athena"</strong> " enabled"</li>
                </ul>
                <p class="muted">
                    "If AWS says you may not perform “putReportDefinition”, an administrator restricted report definitions: ask them to create the report or grant the right."
                </p>
            </div>
            <Field
                id=BUCKET_ID
                label="CUR bucket name"
                value=bucket
                error=bucket_error
                check=crate::components::rule(validate::s3_bucket_name)
                hint=hint
                autocomplete="off"
            />
            <StepActions step=ManagementStep::ProductsAndBucket go=go/>
        </form>
    }
}

#[component]
fn RunTemplateStep(
    draft: RwSignal<ManagementDraft>,
    go: Callback<ManagementStep>,
) -> impl IntoView {
    let config = expect_context::<Config>();
    let api = use_api();
    let preparing = RwSignal::new(false);
    let prep_error = RwSignal::new(None::<Notice>);

    // The account and its external ID: created once, kept in the draft.
    let prepare = Callback::new(move |()| {
        if preparing.get_untracked() {
            return;
        }
        let needs_id = draft.with_untracked(|d| d.external_id_needs_refresh(now()));
        if !needs_id && draft.with_untracked(|d| d.account_id.is_some()) {
            return;
        }
        prep_error.set(None);
        preparing.set(true);
        let api = api();
        spawn_local_scoped(async move {
            let result = async {
                let id = match draft.with_untracked(|d| d.account_id.clone()) {
                    Some(id) => id,
                    None => {
                        // A retry after a lost answer finds the account that request made.
                        let sent = draft.with_untracked(|d| d.create_sent_at.clone());
                        let sent = sent.map(|at| (at, mgmt::AWS_ACCOUNT_NAME.to_owned()));
                        let id = api
                            .create_account_once(mgmt::AWS_ACCOUNT_NAME, sent, |t| {
                                draft.try_update(|d| d.create_sent_at = Some(t));
                            })
                            .await?;
                        draft.try_update(|d| {
                            d.set_account(id.clone());
                            d.create_sent_at = None;
                        });
                        id
                    }
                };
                let x = api.aws_external_id(&id).await?;
                draft.try_update(|d| d.set_external_id(x));
                Ok::<(), ApiError>(())
            }
            .await;
            preparing.try_set(false);
            match result {
                Ok(()) => {}
                Err(e) => {
                    prep_error.try_set(Some(notice(&e)));
                }
            }
        });
    });
    prepare.run(());

    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let template_url = mgmt::template_url(&origin);
    let principal = config
        .spot_principal
        .clone()
        .unwrap_or_else(|| onramp_core::aws_setup::SPOT_PRINCIPAL.to_owned());
    let link = {
        let principal = principal.clone();
        Memo::new(move |_| {
            draft.with(|d| {
                d.external_id.as_ref().map(|x| {
                    mgmt::management_quick_create_url(
                        d.environment.unwrap_or_default(),
                        &template_url,
                        &d.products,
                        &d.bucket_name,
                        &x.external_id,
                        Some(&principal),
                    )
                })
            })
        })
    };
    let external_id = Signal::derive(move || {
        draft.with(|d| {
            d.external_id
                .as_ref()
                .map(|x| x.external_id.clone())
                .unwrap_or_default()
        })
    });
    let bucket = Signal::derive(move || draft.with(|d| d.bucket_name.trim().to_owned()));
    let products = Signal::derive(move || {
        draft.with(|d| mgmt::products_parameter(&d.products).unwrap_or_default())
    });
    let account = move || draft.with(|d| d.account_id.as_ref().map(|a| a.to_string()));

    let error = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if draft.with_untracked(|d| d.template_launched) {
            go.run(ManagementStep::RoleArns);
        } else {
            error.set(Some(
                "Tick the box once the stack shows CREATE_COMPLETE: the role ARNs come from its outputs.".into(),
            ));
            focus_id("management-stack-created");
        }
    };
    let principal_shown = Signal::stored(principal);

    view! {
        <form class="form" novalidate on:submit=on_submit>
            <p>
                "The template creates one read-only role per product you chose, trusted by Spot with the external ID below and allowed to read the report's bucket."
            </p>
            {move || match (link.get(), prep_error.get()) {
                (Some(url), _) => view! {
                    <p class="form-actions">
                        <ExternalLink attr:class="btn btn-primary" href=url new_tab="opens the AWS CloudFormation console in a new tab">
                            "Run template"
                        </ExternalLink>
                        <a class="btn btn-secondary" href=format!("/{}", mgmt::MANAGEMENT_TEMPLATE_PATH) download="spot-management-account.json">
                            "Download template"
                        </a>
                    </p>
                }.into_any(),
                (None, Some(n)) => view! {
                    <Banner notice=Signal::stored(Some(n))/>
                    // The button goes while the link is prepared again: focus waits on this step's heading.
                    <RetryButton heading="management-step-5" on_retry=prepare>"Try again"</RetryButton>
                }.into_any(),
                (None, None) => view! {
                    <p role="status" class="muted">"Preparing your template link…"</p>
                }.into_any(),
            }}
            <ol class="setup-steps">
                <li>
                    "In CloudFormation, tick “I acknowledge that AWS CloudFormation might create IAM resources with custom names”, then choose "
                    <strong>"Create stack"</strong> "."
                </li>
                <li>"Wait until the stack's status is " <strong>"CREATE_COMPLETE"</strong> "."</li>
                <li>"If you downloaded the template, upload it in CloudFormation and fill in these parameters:"</li>
            </ol>
            <dl class="copy-list">
                <div>
                    <dt>"CostAndUsageBucket"</dt>
                    <dd><code>{bucket}</code> <CopyButton id="management-param-bucket" value=bucket what="bucket name"/></dd>
                </div>
                <div>
                    <dt>"ExternalId"</dt>
                    <dd>
                        <code id="management-external-id">{external_id}</code>
                        <CopyButton id="management-param-external-id" value=external_id what="external ID"/>
                    </dd>
                </div>
                <div>
                    <dt>"Products"</dt>
                    <dd><code>{products}</code> <CopyButton id="management-param-products" value=products what="products"/></dd>
                </div>
                <div>
                    <dt>"Principal"</dt>
                    <dd><code>{principal_shown}</code> <CopyButton id="management-param-principal" value=principal_shown what="principal"/></dd>
                </div>
            </dl>
            {move || account().map(|a| view! {
                <p class="muted">"Spot account for this management account: " <code>{a}</code></p>
            })}
            <ConfirmCheck
                id="management-stack-created"
                error_id="management-stack-created-error"
                label="The stack is created (CREATE_COMPLETE)"
                checked=Signal::derive(move || draft.with(|d| d.template_launched))
                set=Callback::new(move |on| draft.update(|d| d.template_launched = on))
                error=error
            />
            <StepActions step=ManagementStep::RunTemplate go=go/>
        </form>
    }
}

/// One **Role ARN** field for a product (ids and labels are static for the Field).
#[component]
fn RoleArnField(product: ManagementProduct, field: FieldCheck) -> impl IntoView {
    let FieldCheck {
        value,
        error,
        check,
        ..
    } = field;
    match product {
        ManagementProduct::CostAnalysis => view! {
            <Field
                id="management-role-cost-analysis"
                label="Cost analysis role ARN"
                value=value
                error=error
                check=check
                hint="The SpotFinOpsRoleArn output, for example arn:aws:iam::123456789012:role/Spot-FinOps-SpotFinOpsRole-1A2B3C"
                autocomplete="off"
            />
        }
        .into_any(),
        ManagementProduct::ComputeOptimization => view! {
            <Field
                id="management-role-compute-optimization"
                label="Compute optimization role ARN"
                value=value
                error=error
                check=check
                hint="The SpotComputeOptimizationRoleArn output, for example arn:aws:iam::123456789012:role/Spot-FinOps-SpotComputeOptimizationRole-1A2B3C"
                autocomplete="off"
            />
        }
        .into_any(),
    }
}

fn role_field_id(p: ManagementProduct) -> &'static str {
    match p {
        ManagementProduct::CostAnalysis => "management-role-cost-analysis",
        ManagementProduct::ComputeOptimization => "management-role-compute-optimization",
    }
}

#[component]
fn RoleArnsStep(
    draft: RwSignal<ManagementDraft>,
    go: Callback<ManagementStep>,
    tasks: Tasks,
) -> impl IntoView {
    let api = use_api();
    let fields: Vec<(ManagementProduct, FieldCheck)> = draft
        .with_untracked(|d| mgmt::normalised_products(&d.products))
        .into_iter()
        .map(|p| {
            let value = RwSignal::new(
                draft.with_untracked(|d| d.role_arns.get(p).unwrap_or_default().to_owned()),
            );
            Effect::new(move |_| {
                let typed = value.get();
                draft.update(|d| d.role_arns.set(p, (!typed.is_empty()).then_some(typed)));
            });
            // The same rule as the submit, with the value on screen.
            let check = Callback::new(move |typed: String| {
                let mut d = draft.get_untracked();
                d.role_arns.set(p, Some(typed));
                d.role_arn_problem(p).map(|e| e.message)
            });
            let field = FieldCheck {
                id: role_field_id(p),
                value,
                error: RwSignal::new(None),
                check,
            };
            (p, field)
        })
        .collect();
    let busy = RwSignal::new(false);
    let banner = RwSignal::new(None::<Notice>);
    let errors = FormErrors::new("management-role-problems");
    let fields = StoredValue::new(fields);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let checks = fields.with_value(|fs| fs.iter().map(|(_, f)| *f).collect::<Vec<_>>());
        if !errors.check(&checks) {
            return;
        }
        let Some(account) = draft.with_untracked(|d| d.account_id.clone()) else {
            go.run(ManagementStep::RunTemplate);
            return;
        };
        if draft.with_untracked(|d| d.external_id_needs_refresh(now())) {
            banner.set(Some(Notice::new(
                "The external ID has expired. Go back to “Run the CloudFormation template”: a new one is generated there; update the stack's ExternalId parameter with it, then come back.",
            )));
            return;
        }
        banner.set(None);
        let req = draft.with_untracked(|d| d.request(account.as_str()));
        let api = api();
        tasks.run_busy(busy, async move {
            match api.register_aws_management(&req).await {
                Ok(_) => {
                    draft.try_update(|d| d.connected = true);
                    go.try_run(ManagementStep::Done);
                }
                // The step has gone (Back): its fields are the ones to press Connect again.
                Err(_) if busy.is_disposed() => {}
                Err(e) => {
                    let refused = fields
                        .try_with_value(|fs| {
                            problems(fs.iter().map(|(p, f)| {
                                let m = e
                                    .field_message(&format!("roleArns.{}", p.as_str()))
                                    .map(str::to_owned);
                                if m.is_some() {
                                    f.error.try_set(m.clone());
                                }
                                (f.id, m)
                            }))
                        })
                        .unwrap_or_default();
                    if !errors.report(refused) {
                        return;
                    }
                    let text = if let Some(m) = e.field_message("bucketName") {
                        format!("The bucket name was refused: {m} Go back to step 4 to correct it.")
                    } else if let Some(m) = e.field_message("accountId") {
                        m.to_owned()
                    } else if e.has_code(ALREADY_EXISTS) {
                        registration_notice(&e).text
                    } else {
                        format!(
                            "We couldn't connect the management account: {} A new IAM role can take a minute to be usable; wait a moment, then try again.",
                            describe(&e)
                        )
                    };
                    banner.try_set(Some(Notice {
                        text,
                        request_id: e.request_id().map(str::to_owned),
                    }));
                    focus_id("management-connect");
                }
            }
        });
    };

    let inputs = fields.with_value(|fs| {
        fs.iter()
            .map(|(p, field)| view! { <RoleArnField product=*p field=*field/> })
            .collect_view()
    });
    view! {
        <form class="form" novalidate on:submit=on_submit>
            <ErrorSummary errors/>
            <p>
                "Open the stack's " <strong>"Outputs"</strong> " tab in CloudFormation and copy each role's ARN."
            </p>
            {inputs}
            <Banner notice=banner/>
            <div class="form-actions">
                <BackButton step=ManagementStep::RoleArns go=go/>
                <crate::components::Button busy=busy id="management-connect">"Connect"</crate::components::Button>
            </div>
        </form>
    }
}
