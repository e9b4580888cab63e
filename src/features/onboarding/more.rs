//! The Connect step's other kinds of account, beside AWS's linked account and Azure's
//! subscription: the organization's management (billing) account, for cost and usage analysis,
//! and FinOps products. Each has its own flow on its own page; these panels say what each is
//! for and lead there. Google Cloud has only the linked account.

use crate::components::{Disclosure, Link};
use crate::state::use_api;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use onramp_core::onboarding::{ConnectDraft, Panel, Provider};

/// A panel's open state, kept in the provider's part of the draft.
fn panel_signal(draft: RwSignal<ConnectDraft>, provider: Provider, panel: Panel) -> RwSignal<bool> {
    let panels = move |d: &ConnectDraft| match provider {
        Provider::Azure => d.azure.panels.is_open(panel),
        _ => d.aws.panels.is_open(panel),
    };
    let open = RwSignal::new(draft.with_untracked(panels));
    Effect::new(move |_| {
        let now = open.get();
        if draft.with_untracked(panels) != now {
            draft.update(|d| match provider {
                Provider::Azure => d.azure.panels.set_open(panel, now),
                _ => d.aws.panels.set_open(panel, now),
            });
        }
    });
    open
}

/// Whether `provider` has kinds of account besides the linked one.
pub fn has_other_kinds(provider: Provider) -> bool {
    provider != Provider::Gcp
}

#[component]
pub fn OtherAccountKinds(provider: Provider, draft: RwSignal<ConnectDraft>) -> impl IntoView {
    // An organization has one management account: the panel is hidden once it exists. Until
    // the answer comes (or when it cannot be read) the panel shows, and the management page
    // says so itself if one turns out to exist.
    let exists = RwSignal::new(false);
    let api = use_api()();
    spawn_local_scoped(async move {
        if let Ok(Some(_)) = api.management_summary::<serde::de::IgnoredAny>().await {
            exists.try_set(true);
        }
    });
    let management_panel = match provider {
        Provider::Azure => Panel::BillingAccount,
        _ => Panel::ManagementAccount,
    };
    let management_open = panel_signal(draft, provider, management_panel);
    let finops_open = panel_signal(draft, provider, Panel::FinOps);
    let management = move || {
        (!exists.get()).then(|| match provider {
            Provider::Azure => view! {
                <Disclosure
                    id="welcome-billing-account"
                    title="Billing account"
                    expanded=management_open
                    description="Connect your Azure billing account so Spot can analyze cost, usage and commitments (Eco)."
                >
                    <p>
                        "The organization's management account: an Enterprise Agreement, Microsoft Customer Agreement or pay-as-you-go billing account, read by an application you register in Microsoft Entra ID. An organization has one."
                    </p>
                    <p><Link href="/management/azure">"Connect a billing account"</Link></p>
                </Disclosure>
            }
            .into_any(),
            _ => view! {
                <Disclosure
                    id="welcome-management-account"
                    title="Management account"
                    expanded=management_open
                    description="Connect your AWS management (payer) account so Spot can analyze your cost and usage reports (Eco, Cloud Analyzer)."
                >
                    <p>
                        "A CloudFormation stack in the management account gives Spot read access to its Cost and Usage Report. An organization has one management account."
                    </p>
                    <p><Link href="/management">"Connect a management account"</Link></p>
                </Disclosure>
            }
            .into_any(),
        })
    };
    view! {
        {management}
        <Disclosure
            id="welcome-finops"
            title="FinOps products"
            expanded=finops_open
            description="Billing Engine or Cost Intelligence: analysis, rating and reporting on your cloud accounts."
        >
            <p>
                "FinOps products are set up for an account that already has credentials: connect an account first (above), then choose its products."
            </p>
            <p><Link href="/finops">"Set up FinOps products"</Link></p>
        </Disclosure>
    }
}
