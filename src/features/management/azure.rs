//! `/management/azure`: an Azure billing account as the organization's management account:
//! application and tenant IDs, the client secret (typed into
//! a password input, never stored) and its expiration, the agreement type and its billing
//! identifier. The other answers are kept in sessionStorage for a reload.

use super::wizard::{
    AlreadyRegistered, DoneNote, Existing, GroupError, existing_management, registration_notice,
};
use crate::api::describe;
use crate::components::Link;
use crate::components::run_busy;
use crate::components::{
    Banner, Button, ErrorSummary, Field, FormErrors, Notice, Problem, RetryButton,
    SecretExpiryField, SecretInput, StatusMessage, focus_id, notice, rule, secret_expiry_rule,
    secret_id_warning, set_title,
};
use crate::platform::clock::today;
use crate::state::current_account::account_from_query;
use crate::state::draft::PersistedDraft;
use crate::state::use_api;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use onramp_core::ids::AccountId;
use onramp_core::management::{
    self as mgmt, AzureBillingDraft, AzureBillingField as F, AzureBillingRequest,
    ManagementAccount, billing_id_label,
};
use onramp_core::validate::{self, AgreementType};

const DRAFT_KEY: &str = "onramp.draft.management.azure";

fn input_id(f: F) -> &'static str {
    match f {
        F::ClientId => "billing-client-id",
        F::TenantId => "billing-tenant-id",
        F::ClientSecret => "billing-client-secret",
        F::ExpirationDate => "billing-secret-expiration",
        F::AgreementType => "billing-agreement-ea",
        F::BillingAccountId => "billing-account-id",
    }
}

fn agreement_slug(a: AgreementType) -> &'static str {
    match a {
        AgreementType::Ea => "ea",
        AgreementType::Mca => "mca",
        AgreementType::PayAsYouGo => "payg",
    }
}

fn agreement_text(a: AgreementType) -> &'static str {
    match a {
        AgreementType::Ea => "Enterprise Agreement",
        AgreementType::Mca => "Microsoft Customer Agreement",
        AgreementType::PayAsYouGo => "Pay-as-you-go",
    }
}

fn billing_hint(a: AgreementType) -> &'static str {
    match a {
        AgreementType::Ea => {
            "Cost Management + Billing → Billing scopes → your billing account → Properties: the enrollment number (digits only)."
        }
        AgreementType::Mca => {
            "Cost Management + Billing → Billing scopes → your billing account → Properties: the ID, two IDs joined by “:” and ending with “_” and a date."
        }
        AgreementType::PayAsYouGo => {
            "The subscription whose costs Spot reads, from the portal's Subscriptions page."
        }
    }
}

fn access_advice(a: AgreementType) -> &'static str {
    match a {
        AgreementType::Ea => {
            "Give the application the Enrollment reader role on the enrollment (billing account)."
        }
        AgreementType::Mca => {
            "Give the application the Billing account reader role on the billing account."
        }
        AgreementType::PayAsYouGo => {
            "Give the application the Cost Management Reader role on the subscription."
        }
    }
}

#[component]
pub fn AzureBilling() -> impl IntoView {
    set_title("Azure billing account");
    let api = use_api();

    // Kept for a reload until the registration succeeds; then the done screen lives in memory
    // and the draft goes (a reload then finds the registered account on the server).
    let draft = *PersistedDraft::until(DRAFT_KEY, RwSignal::<AzureBillingDraft>::default, |d| {
        d.with(|d| d.connected)
    });
    if let Some(id) = account_from_query()
        && draft.with_untracked(|d| d.account_id.as_ref() != Some(&id))
    {
        draft.update(|d| {
            d.account_id = Some(id);
            d.connected = false;
        });
    }
    let (existing, reload_existing) = existing_management();

    // One signal per input, kept in the draft as typed (the secret excepted).
    let text = |get: fn(&AzureBillingDraft) -> &String, set: fn(&mut AzureBillingDraft, String)| {
        let value = RwSignal::new(draft.with_untracked(|d| get(d).clone()));
        Effect::new(move |_| {
            let typed = value.get();
            draft.update(|d| set(d, typed));
        });
        value
    };
    let client_id = text(|d| &d.client_id, |d, v| d.client_id = v);
    let tenant_id = text(|d| &d.tenant_id, |d, v| d.tenant_id = v);
    let expiration = text(|d| &d.expiration_date, |d, v| d.expiration_date = v);
    let billing_id = text(|d| &d.billing_account_id, |d, v| d.billing_account_id = v);
    let secret = RwSignal::new(String::new());
    let errors: [RwSignal<Option<String>>; 6] = std::array::from_fn(|_| RwSignal::new(None));
    let error_of = move |f: F| errors[F::ALL.iter().position(|x| *x == f).unwrap_or(0)];
    let summary = FormErrors::new("billing-problems");
    let agreement = Memo::new(move |_| draft.with(|d| d.agreement_type));
    let connected = Memo::new(move |_| draft.with(|d| d.connected));

    // The same rule on blur as on submit, with the value being typed.
    let check = move |f: F| {
        Callback::new(move |typed: String| {
            let mut d = draft.get_untracked();
            match f {
                F::ClientId => d.client_id = typed.clone(),
                F::TenantId => d.tenant_id = typed.clone(),
                F::ExpirationDate => d.expiration_date = typed.clone(),
                F::BillingAccountId => d.billing_account_id = typed.clone(),
                _ => {}
            }
            d.problem(f, &typed, &today()).map(|e| e.message)
        })
    };
    let secret_warning = crate::components::secret_id_warning(secret);

    let busy = RwSignal::new(false);
    let banner = RwSignal::new(None::<Notice>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let d = draft.get_untracked();
        let typed_secret = secret.get_untracked();
        let day = today();
        // The account is filled in once known (created below when there is none yet).
        let placeholder = AccountId::from_bits(0);
        let mut req = match d.request(&placeholder, &typed_secret, &day) {
            Ok(req) => {
                for f in F::ALL {
                    error_of(f).set(None);
                }
                req
            }
            Err(problems) => {
                for f in F::ALL {
                    error_of(f).set(
                        problems
                            .iter()
                            .find(|(g, _)| *g == f)
                            .map(|(_, e)| e.message.clone()),
                    );
                }
                summary.report(Problem::from_refusals(&problems, input_id));
                return;
            }
        };
        banner.set(None);
        let api = api();
        run_busy(busy, async move {
            let account = match d.account_id.clone() {
                Some(id) => Ok(id),
                // A retry after a lost answer finds the account that request made.
                None => {
                    api.create_account_once(
                        mgmt::AZURE_ACCOUNT_NAME,
                        d.create_sent_at
                            .clone()
                            .map(|at| (at, mgmt::AZURE_ACCOUNT_NAME.to_owned())),
                        |t| {
                            draft.try_update(|d| d.create_sent_at = Some(t));
                        },
                    )
                    .await
                }
            };
            let result = match account {
                Ok(id) => {
                    draft.try_update(|d| {
                        d.account_id = Some(id.clone());
                        d.create_sent_at = None;
                    });
                    req.account_id = id.to_string();
                    api.register_azure_billing(&req).await.map(|_| ())
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    secret.try_set(String::new());
                    draft.try_update(|d| d.connected = true);
                    request_animation_frame(|| focus_id("management-done-heading"));
                }
                Err(e) => {
                    let mut refused = Vec::new();
                    for err in e.spot_errors() {
                        if let Some(f) = err
                            .field
                            .as_deref()
                            .map(crate::api::field_name)
                            .and_then(F::from_wire)
                        {
                            error_of(f).try_set(Some(err.message.clone()));
                            refused.push(Problem {
                                id: input_id(f).to_owned(),
                                message: err.message.clone(),
                            });
                        }
                    }
                    if !summary.report(refused) {
                        return;
                    }
                    let text = if e.has_code(super::wizard::ALREADY_EXISTS) {
                        registration_notice(&e).text
                    } else {
                        format!("We couldn't connect the billing account: {}", describe(&e))
                    };
                    banner.try_set(Some(Notice {
                        text,
                        request_id: e.request_id().map(str::to_owned),
                    }));
                    focus_id("billing-connect");
                }
            }
        });
    };

    let agreements = move || {
        [
        AgreementType::Ea,
        AgreementType::Mca,
        AgreementType::PayAsYouGo,
    ]
    .into_iter()
    .map(|a| {
        let id = format!("billing-agreement-{}", agreement_slug(a));
        let err = error_of(F::AgreementType);
        view! {
            <div class="radio-row">
                <input
                    type="radio"
                    id=id.clone()
                    name="billing-agreement"
                    value=agreement_slug(a)
                    aria-describedby=move || err.with(Option::is_some).then_some("billing-agreement-error")
                    prop:checked=move || agreement.get() == Some(a)
                    on:change=move |_| {
                        draft.update(|d| d.choose_agreement(a));
                        billing_id.set(draft.with_untracked(|d| d.billing_account_id.clone()));
                        err.set(None);
                        error_of(F::BillingAccountId).set(None);
                    }
                />
                <label for=id>{agreement_text(a)}</label>
            </div>
        }
    })
    .collect_view()
    };

    let billing_field = move || {
        agreement.get().map(|a| {
            view! {
                <p class="muted">{access_advice(a)}</p>
                <Field
                    id="billing-account-id"
                    label=billing_id_label(a)
                    value=billing_id
                    error=error_of(F::BillingAccountId)
                    check=check(F::BillingAccountId)
                    hint=billing_hint(a)
                    autocomplete="off"
                />
            }
        })
    };

    let form = move || {
        view! {
            <form class="form card" novalidate on:submit=on_submit.clone()>
                <ErrorSummary errors=summary/>
                <p>
                    "Register an application in Microsoft Entra ID (App registrations), create a client secret for it, and give it read access to your billing data. Then enter its details here."
                </p>
                <Field
                    id="billing-client-id"
                    label="Application (client) ID"
                    value=client_id
                    error=error_of(F::ClientId)
                    check=check(F::ClientId)
                    hint="From the application's Overview page."
                    autocomplete="off"
                />
                <Field
                    id="billing-tenant-id"
                    label="Directory (tenant) ID"
                    value=tenant_id
                    error=error_of(F::TenantId)
                    check=check(F::TenantId)
                    hint="From the same Overview page."
                    autocomplete="off"
                />
                <SecretInput
                    id="billing-client-secret"
                    label="Client secret value"
                    value=secret
                    error=error_of(F::ClientSecret)
                    check=check(F::ClientSecret)
                    hint="The Value column of Certificates & secrets, not the Secret ID. Sent only to connect; never saved in your browser."
                    warning=secret_warning
                />
                <SecretExpiryField
                    id="billing-secret-expiration"
                    value=expiration
                    error=error_of(F::ExpirationDate)
                    check=check(F::ExpirationDate)
                />
                <fieldset class="field radio-group" class:field-invalid=move || error_of(F::AgreementType).with(Option::is_some)>
                    <legend class="field-label">"Agreement type"</legend>
                    {agreements()}
                    <GroupError id="billing-agreement-error" error=error_of(F::AgreementType)/>
                </fieldset>
                {billing_field}
                <Banner notice=banner/>
                <div class="form-actions">
                    <Button busy=busy id="billing-connect">"Connect"</Button>
                </div>
            </form>
        }
    };

    view! {
        <section class="page page-narrow management">
            <h1 id="azure-billing-heading" tabindex="-1">"Connect an Azure billing account"</h1>
            <p class="lead">
                "Spot reads your organization's Azure costs through an application with read access to the billing account. It becomes your organization's management account. AWS: "
                <Link href="/management">"connect an AWS management account"</Link> " instead."
            </p>
            {move || {
                if connected.get() {
                    return view! { <DoneNote heading="Your Azure billing account is connected"/> }.into_any();
                }
                match existing.get() {
                    Existing::Loading => view! {
                        <p role="status" class="muted">"Checking your organization's management account…"</p>
                    }.into_any(),
                    Existing::Failed(n) => view! {
                        <Banner notice=Signal::stored(Some(n))/>
                        <RetryButton heading="azure-billing-heading" on_retry=reload_existing>"Try again"</RetryButton>
                    }.into_any(),
                    // An Azure billing account's secret expires: renew it here.
                    Existing::Known(Some(m)) if m.azure.is_some() => view! {
                        <AlreadyRegistered account=m.clone()/>
                        <RenewSecret account=m/>
                    }.into_any(),
                    Existing::Known(Some(m)) => view! { <AlreadyRegistered account=m/> }.into_any(),
                    Existing::Known(None) => form().into_any(),
                }
            }}
        </section>
    }
}

/// A new client secret for the registered Azure billing account (before the old one expires):
/// the registration is sent again with the other details as registered. Never stored.
#[component]
fn RenewSecret(account: ManagementAccount) -> impl IntoView {
    let api = use_api();
    let secret = RwSignal::new(String::new());
    let expiry = RwSignal::new(String::new());
    let secret_error = RwSignal::new(None::<String>);
    let expiry_error = RwSignal::new(None::<String>);
    let banner = RwSignal::new(None::<Notice>);
    let saved = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let check_secret = rule(validate::azure_client_secret);
    let check_expiry = secret_expiry_rule();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let secret_problem = check_secret.run(secret.get_untracked());
        let expiry_problem = check_expiry.run(expiry.get_untracked());
        secret_error.set(secret_problem.clone());
        expiry_error.set(expiry_problem.clone());
        if secret_problem.is_some() {
            focus_id("renew-secret");
            return;
        }
        let (Ok(client_secret), Ok(expiration_date)) = (
            validate::azure_client_secret(&secret.get_untracked()),
            validate::secret_expiration(&expiry.get_untracked(), &today()),
        ) else {
            focus_id("renew-expiry");
            return;
        };
        let Some(azure) = account.azure.clone() else {
            return;
        };
        let day = expiration_date
            .get(..10)
            .unwrap_or(&expiration_date)
            .to_owned();
        let req = AzureBillingRequest {
            account_id: account.account_id.clone(),
            client_id: azure.client_id,
            tenant_id: azure.tenant_id,
            client_secret,
            expiration_date,
            agreement_type: azure.agreement_type,
            billing_account_id: azure.billing_account_id,
        };
        banner.set(None);
        saved.set(None);
        let api = api();
        run_busy(busy, async move {
            match api.register_azure_billing(&req).await {
                Ok(_) => {
                    secret.try_set(String::new());
                    expiry.try_set(String::new());
                    saved.try_set(Some(format!(
                        "The new client secret is saved. It expires on {day}."
                    )));
                }
                Err(e) => {
                    if let Some(m) = e.field_message("clientSecret") {
                        secret_error.try_set(Some(m.to_owned()));
                        focus_id("renew-secret");
                    } else if let Some(m) = e.field_message("expirationDate") {
                        expiry_error.try_set(Some(m.to_owned()));
                        focus_id("renew-expiry");
                    } else {
                        banner.try_set(Some(Notice {
                            text: format!("The new secret was not saved: {}", describe(&e)),
                            ..notice(&e)
                        }));
                    }
                }
            }
        });
    };
    view! {
        <section class="card renew-secret" aria-labelledby="renew-heading">
            <h2 id="renew-heading">"Renew the client secret"</h2>
            <p>
                "Spot stops reading the billing data once the application's client secret expires. Create a new secret in the Azure portal (Certificates & secrets), then paste its value here; the application, tenant and billing account stay as registered."
            </p>
            <form class="form" novalidate on:submit=submit>
                <SecretInput
                    id="renew-secret"
                    label="Client secret value"
                    value=secret
                    error=secret_error
                    check=check_secret
                    hint="The Value column of Certificates & secrets, not the Secret ID. Sent once; never saved in your browser."
                    warning=secret_id_warning(secret)
                />
                <SecretExpiryField
                    id="renew-expiry"
                    value=expiry
                    error=expiry_error
                    hint="The new secret's Expires date: after today and at most 2 years ahead."
                />
                <Banner notice=banner/>
                <StatusMessage text=saved/>
                <div class="form-actions">
                    <Button busy=busy id="renew-save">"Save the new secret"</Button>
                </div>
            </form>
        </section>
    }
}
