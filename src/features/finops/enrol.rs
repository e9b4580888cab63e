//! `/finops[?accountId=act-…]`: enrol an account that has credentials in a FinOps product:
//! Billing Engine (AWS bucket, region and path prefix; GCP BigQuery project,
//! dataset and table; nothing more on Azure) or Cost Intelligence. **Validate** shows each
//! check the API ran (passed, failed, warning, not checked); **Connect** follows when none
//! failed. What was typed is kept in sessionStorage.

use crate::api::ApiError;
use crate::api::describe;
use crate::components::Link;
use crate::components::notice;
use crate::components::run_busy;
use crate::components::{
    Banner, Button, ErrorSummary, Field, FormErrors, Notice, Problem, RetryButton, StatusMessage,
    focus_id, focus_if_lost, problems, set_title,
};
use crate::platform::tasks::Tasks;
use crate::state::current_account::account_from_query;
use crate::state::draft::PersistedDraft;
use crate::state::{mark_interactive, use_api};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use onramp_core::dto::{Account, CloudProvider};
use onramp_core::ids::AccountId;
use onramp_core::management::{
    CbiRequest, CheckStatus, CloudBillingRequest, FinOpsDraft, FinOpsField as F, FinOpsProduct,
    ValidationCheck, billing_engine_fields, can_connect,
};

const DRAFT_KEY: &str = "onramp.draft.finops";
const FIELDS: [F; 6] = [
    F::Bucket,
    F::Region,
    F::PathPrefix,
    F::ProjectId,
    F::DatasetId,
    F::TableId,
];

fn field_id(f: F) -> &'static str {
    match f {
        F::Bucket => "finops-bucket",
        F::Region => "finops-region",
        F::PathPrefix => "finops-path-prefix",
        F::ProjectId => "finops-project-id",
        F::DatasetId => "finops-dataset-id",
        F::TableId => "finops-table-id",
    }
}

fn field_label(f: F) -> &'static str {
    match f {
        F::Bucket => "Bucket name",
        F::Region => "Bucket region",
        F::PathPrefix => "S3 path prefix (including report name)",
        F::ProjectId => "BigQuery project ID",
        F::DatasetId => "Dataset ID",
        F::TableId => "Table ID",
    }
}

fn field_hint(f: F) -> &'static str {
    match f {
        F::Bucket => "The S3 bucket the Cost and Usage Report is delivered to.",
        F::Region => "The bucket's region code, for example us-east-1.",
        F::PathPrefix => {
            "The report path prefix and report name, for example reports/spot-cur. Leave empty if the report is at the bucket's root."
        }
        F::ProjectId => "The Google Cloud project that holds the billing export dataset.",
        F::DatasetId => "The BigQuery dataset of the Cloud Billing export.",
        F::TableId => "The export's table, for example gcp_billing_export_v1_…",
    }
}

fn provider_label(p: CloudProvider) -> &'static str {
    match p {
        CloudProvider::Aws => "AWS",
        CloudProvider::Gcp => "Google Cloud",
        CloudProvider::Azure => "Azure",
    }
}

fn pill(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Success => "pill pill-ok",
        CheckStatus::Failed => "pill pill-failed",
        CheckStatus::Warning => "pill pill-warning",
        CheckStatus::Skipped => "pill pill-neutral",
    }
}

fn summary(checks: &[ValidationCheck]) -> String {
    let count = |s: CheckStatus| checks.iter().filter(|c| c.status == s).count();
    let failed = count(CheckStatus::Failed);
    let mut parts = vec![format!("{} passed", count(CheckStatus::Success))];
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    let warnings = count(CheckStatus::Warning);
    if warnings > 0 {
        parts.push(format!("{warnings} with a warning"));
    }
    let skipped = count(CheckStatus::Skipped);
    if skipped > 0 {
        parts.push(format!("{skipped} not checked"));
    }
    let verdict = if failed > 0 {
        "Fix what failed, then validate again."
    } else {
        "You can connect."
    };
    format!("Validation finished: {}. {verdict}", parts.join(", "))
}

#[component]
pub fn FinOps() -> impl IntoView {
    set_title("FinOps products");
    let api = use_api();

    let draft = *PersistedDraft::new(DRAFT_KEY, RwSignal::<FinOpsDraft>::default);
    if let Some(id) = account_from_query() {
        draft.update(|d| d.account_id = Some(id));
    }

    // Accounts with credentials (a plain signal and a scoped task, like the account list).
    let accounts = RwSignal::new(None::<Result<Vec<Account>, ApiError>>);
    let load = {
        let api = api.clone();
        Callback::new(move |()| {
            accounts.set(None);
            let api = api();
            spawn_local_scoped(async move {
                let result = api.list_accounts().await.map(|list| {
                    list.into_iter()
                        .filter(|a| a.cloud_provider.is_some())
                        .collect::<Vec<_>>()
                });
                match &result {
                    Ok(list) => {
                        // Keep the chosen account if it is listed, else take the first.
                        let chosen = draft.with_untracked(|d| d.account_id.clone());
                        if !list.iter().any(|a| Some(&a.account_id) == chosen.as_ref())
                            && let Some(first) = list.first()
                        {
                            let id = first.account_id.clone();
                            draft.try_update(|d| d.account_id = Some(id));
                        }
                        mark_interactive();
                    }
                    Err(_) => mark_interactive(),
                }
                accounts.try_set(Some(result));
            });
        })
    };
    load.run(());

    let chosen = Memo::new(move |_| {
        let id = draft.with(|d| d.account_id.clone())?;
        accounts.with(|a| match a {
            Some(Ok(list)) => list
                .iter()
                .find(|a| a.account_id == id)
                .and_then(|a| a.cloud_provider.map(|p| (id.clone(), a.name.clone(), p))),
            _ => None,
        })
    });
    let product = Memo::new(move |_| draft.with(|d| d.product));

    // Inputs, kept in the draft as typed.
    let values: [RwSignal<String>; 6] = std::array::from_fn(|i| {
        let f = FIELDS[i];
        let value = RwSignal::new(draft.with_untracked(|d| d.value(f).to_owned()));
        Effect::new(move |_| {
            let typed = value.get();
            draft.update(|d| {
                let slot = match f {
                    F::Bucket => &mut d.bucket,
                    F::Region => &mut d.region,
                    F::PathPrefix => &mut d.path_prefix,
                    F::ProjectId => &mut d.project_id,
                    F::DatasetId => &mut d.dataset_id,
                    F::TableId => &mut d.table_id,
                };
                *slot = typed;
            });
        });
        value
    });
    let errors: [RwSignal<Option<String>>; 6] = std::array::from_fn(|_| RwSignal::new(None));
    let index = |f: F| FIELDS.iter().position(|x| *x == f).unwrap_or(0);
    let form_errors = FormErrors::new("finops-problems");

    let checks = RwSignal::new(None::<Vec<ValidationCheck>>);
    let banner = RwSignal::new(None::<Notice>);
    let status = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Anything changed after a validation makes its results stale, and so does a change made
    // while one is on its way: its answer is dropped (a count of changes says so).
    let changes = crate::state::Changes::new();
    Effect::new(move |_| {
        draft.track();
        changes.bump();
        checks.set(None);
    });

    /// What the API needs for the chosen account and product, or the fields' problems.
    #[derive(Clone)]
    enum Request {
        Billing(CloudBillingRequest),
        Cbi(CbiRequest),
    }
    let build = move || -> Option<(Request, String)> {
        let (id, name, provider): (AccountId, String, CloudProvider) = chosen.get_untracked()?;
        let d = draft.get_untracked();
        match d.product {
            FinOpsProduct::CostIntelligence => Some((Request::Cbi(CbiRequest::new(&id)), name)),
            FinOpsProduct::BillingEngine => {
                for f in FIELDS {
                    errors[index(f)].set(None);
                }
                match d.billing_config(provider) {
                    Ok(config) => Some((
                        Request::Billing(CloudBillingRequest {
                            account_id: id.to_string(),
                            config,
                        }),
                        name,
                    )),
                    Err(problems) => {
                        for (f, e) in &problems {
                            errors[index(*f)].set(Some(e.message.clone()));
                        }
                        form_errors.report(Problem::from_refusals(&problems, field_id));
                        None
                    }
                }
            }
        }
    };

    let on_error = move |e: ApiError| {
        // The client has ended the session.
        if e == ApiError::Unauthorized {
            return;
        }
        let refused = problems(FIELDS.map(|f| {
            let m = e.field_message(f.wire()).map(str::to_owned);
            if m.is_some() {
                errors[index(f)].try_set(m.clone());
            }
            (field_id(f), m)
        }));
        if form_errors.report(refused) {
            banner.try_set(Some(notice(&e)));
        }
    };

    let on_validate = {
        let api = api.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            banner.set(None);
            status.set(None);
            let Some((req, _)) = build() else { return };
            let api = api();
            let sent_at = changes.ticket();
            run_busy(busy, async move {
                let result = match &req {
                    Request::Billing(r) => api.cloud_billing(r, true).await,
                    Request::Cbi(r) => api.cost_intelligence(r, true).await,
                };
                if !changes.is_current(sent_at) {
                    return;
                }
                match result {
                    Ok(list) => {
                        status.try_set(Some(summary(&list)));
                        checks.try_set(Some(list));
                        request_animation_frame(|| focus_id("finops-results-heading"));
                    }
                    Err(e) => on_error(e),
                }
            });
        }
    };
    // Connect is drawn in the results, which go as soon as a field changes: its request belongs
    // to the page, or typing while it is on its way would abort it.
    let tasks = Tasks::here();
    let on_connect = Callback::new(move |()| {
        if busy.get_untracked() {
            return;
        }
        banner.set(None);
        let Some((req, name)) = build() else { return };
        let product = draft.with_untracked(|d| d.product);
        let api = api();
        let sent_at = changes.ticket();
        tasks.run_busy(busy, async move {
            let result = match &req {
                Request::Billing(r) => api.cloud_billing(r, false).await,
                Request::Cbi(r) => api.cost_intelligence(r, false).await,
            };
            // Changed while it was on its way (another account, other values): the form holds
            // the user's next request now, which this answer must neither clear nor mark.
            let moved_on = changes.changed_since(sent_at);
            match result {
                Ok(_) if moved_on => {
                    status.try_set(Some(format!(
                        "{} is set up for the account “{name}”.",
                        product.label()
                    )));
                }
                Err(e) if moved_on && e != ApiError::Unauthorized => {
                    banner.try_set(Some(Notice {
                        text: format!(
                            "We couldn't set up {} for the account “{name}”: {}",
                            product.label(),
                            describe(&e)
                        ),
                        request_id: e.request_id().map(str::to_owned),
                    }));
                }
                Ok(_) => {
                    checks.try_set(None);
                    // Done: what was typed goes, from the fields as well as from the draft; the
                    // account stays chosen for the next product.
                    for value in values {
                        value.try_set(String::new());
                    }
                    draft.try_update(|d| {
                        *d = FinOpsDraft {
                            account_id: d.account_id.clone(),
                            product: d.product,
                            ..FinOpsDraft::default()
                        }
                    });
                    status.try_set(Some(format!(
                        "{} is set up for the account “{name}”.",
                        product.label()
                    )));
                    // Connect went with the results: keep keyboard focus on the page.
                    focus_if_lost("finops-heading");
                }
                Err(e) => {
                    let words = Notice {
                        text: format!("We couldn't set up {}: {}", product.label(), describe(&e)),
                        request_id: e.request_id().map(str::to_owned),
                    };
                    on_error(e);
                    // Not about a field: say what was not set up.
                    if banner.try_with_untracked(Option::is_some) == Some(true) {
                        banner.try_set(Some(words));
                    }
                }
            }
        });
    });

    let account_select = move |list: Vec<Account>| {
        let options = list
            .into_iter()
            .map(|a| {
                let id = a.account_id.to_string();
                let label = format!(
                    "{} ({}) · {}",
                    a.name,
                    id,
                    a.cloud_provider.map(provider_label).unwrap_or_default()
                );
                let selected_id = id.clone();
                view! {
                    <option value=id selected=move || draft.with(|d| d.account_id.as_ref().map(|x| x.as_str()) == Some(selected_id.as_str()))>
                        {label}
                    </option>
                }
            })
            .collect_view();
        view! {
            <div class="field">
                <label for="finops-account" class="field-label">"Account"</label>
                <p class="field-hint" id="finops-account-hint">"Only accounts whose cloud credentials are set are listed."</p>
                <select
                    id="finops-account"
                    aria-describedby="finops-account-hint"
                    on:change=move |ev| {
                        if let Some(id) = AccountId::parse(&event_target_value(&ev)) {
                            draft.update(|d| d.account_id = Some(id));
                        }
                    }
                >
                    {options}
                </select>
            </div>
        }
    };

    let products = move || {
        FinOpsProduct::ALL
            .into_iter()
            .map(|p| {
                let id = format!("finops-product-{}", p.slug());
                view! {
                    <div class="radio-row">
                        <input
                            type="radio"
                            id=id.clone()
                            name="finops-product"
                            value=p.slug()
                            prop:checked=move || product.get() == p
                            on:change=move |_| draft.update(|d| d.product = p)
                        />
                        <label for=id>{p.label()}</label>
                    </div>
                }
            })
            .collect_view()
    };

    let config_fields = move || {
        let Some((_, _, provider)) = chosen.get() else {
            return ().into_any();
        };
        if product.get() == FinOpsProduct::CostIntelligence {
            return view! {
                <p class="muted">"Cost Intelligence works from the account's billing data: there is nothing more to enter."</p>
            }
            .into_any();
        }
        let fields = billing_engine_fields(provider);
        if fields.is_empty() {
            return view! {
                <p class="muted">"Azure needs nothing more: Spot reads the cost data through the account's credentials."</p>
            }
            .into_any();
        }
        fields
            .iter()
            .map(|&f| {
                let i = index(f);
                view! {
                    <Field
                        id=field_id(f)
                        label=field_label(f)
                        value=values[i]
                        error=errors[i]
                        check=Callback::new(move |typed: String| {
                            let mut d = draft.get_untracked();
                            match f {
                                F::Bucket => d.bucket = typed,
                                F::Region => d.region = typed,
                                F::PathPrefix => d.path_prefix = typed,
                                F::ProjectId => d.project_id = typed,
                                F::DatasetId => d.dataset_id = typed,
                                F::TableId => d.table_id = typed,
                            }
                            d.checked(f).err().map(|e| e.message)
                        })
                        hint=field_hint(f)
                        autocomplete="off"
                    />
                }
            })
            .collect_view()
            .into_any()
    };

    let results = move || {
        checks.get().map(|list| {
            let ok = can_connect(&list);
            let items = list
                .into_iter()
                .map(|c| {
                    view! {
                        <li class="finops-check">
                            <span class=pill(c.status)>{c.status.label()}</span>
                            <p>{c.description}</p>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="card finops-results" aria-labelledby="finops-results-heading">
                    <h2 id="finops-results-heading" tabindex="-1">"Validation results"</h2>
                    <ul class="finops-checks">{items}</ul>
                    {if ok {
                        view! {
                            <div class="form-actions">
                                <Button busy=busy kind="button" id="finops-connect" on_press=on_connect>"Connect"</Button>
                            </div>
                        }.into_any()
                    } else {
                        view! { <p>"A check failed: correct the answers or the account, then validate again."</p> }.into_any()
                    }}
                </section>
            }
        })
    };

    let form = move |list: Vec<Account>| {
        view! {
            <form class="form card" novalidate on:submit=on_validate.clone()>
                <ErrorSummary errors=form_errors/>
                {account_select(list)}
                <fieldset class="field radio-group">
                    <legend class="field-label">"Product"</legend>
                    {products()}
                </fieldset>
                {config_fields}
                <Banner notice=banner/>
                <div class="form-actions">
                    <Button busy=busy id="finops-validate">"Validate"</Button>
                </div>
            </form>
            {results}
        }
    };

    view! {
        <section class="page page-narrow finops">
            <h1 id="finops-heading" tabindex="-1">"FinOps products"</h1>
            <p class="lead">
                "Billing Engine collects an account's cloud billing data; Cost Intelligence turns it into cost insights. Choose an account that has credentials, check the setup, then connect."
            </p>
            <div class="toast"><StatusMessage text=status/></div>
            {move || match accounts.get() {
                None => view! { <p role="status" class="muted">"Loading accounts…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <Banner notice=Signal::stored(Some(notice(&e)))/>
                    <RetryButton heading="finops-heading" on_retry=load>"Try again"</RetryButton>
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <div class="card notice-panel">
                        <p>"No account has cloud credentials yet. Connect an account first; FinOps products need its credentials."</p>
                        <Link href="/welcome">"Connect an account"</Link>
                    </div>
                }.into_any(),
                Some(Ok(list)) => form(list).into_any(),
            }}
        </section>
    }
}
