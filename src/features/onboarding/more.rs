//! The Connect step's other kinds of account, beside AWS's linked account and Azure's
//! subscription: the organization's management (billing) account, for cost and usage analysis,
//! and FinOps products. Each has its own flow on its own page; these panels say what each is
//! for and lead there. Google Cloud has only the linked account.

use crate::components::{Disclosure, Link};
use crate::state::{draft, use_api};
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use onramp_core::onboarding::{ConnectDraft, Panel, PanelGroup, Provider};

/// Whether `provider` has kinds of account besides the linked one.
pub fn has_other_kinds(provider: Provider) -> bool {
    provider != Provider::Gcp
}

/// One kind of account: its panel, what it is for, and the page that sets it up.
struct Kind {
    id: &'static str,
    panel: Panel,
    title: &'static str,
    description: &'static str,
    body: &'static str,
    href: &'static str,
    link: &'static str,
}

const AWS_MANAGEMENT: Kind = Kind {
    id: "welcome-management-account",
    panel: Panel::ManagementAccount,
    title: "Management account",
    description: "Connect your AWS management (payer) account so Spot can analyze your cost and usage reports (Eco, Cloud Analyzer).",
    body: "A CloudFormation stack in the management account gives Spot read access to its Cost and Usage Report. An organization has one management account.",
    href: "/management",
    link: "Connect a management account",
};

const AZURE_BILLING: Kind = Kind {
    id: "welcome-billing-account",
    panel: Panel::BillingAccount,
    title: "Billing account",
    description: "Connect your Azure billing account so Spot can analyze cost, usage and commitments (Eco).",
    body: "The organization's management account: an Enterprise Agreement, Microsoft Customer Agreement or pay-as-you-go billing account, read by an application you register in Microsoft Entra ID. An organization has one.",
    href: "/management/azure",
    link: "Connect a billing account",
};

const FINOPS: Kind = Kind {
    id: "welcome-finops",
    panel: Panel::FinOps,
    title: "FinOps products",
    description: "Billing Engine or Cost Intelligence: analysis, rating and reporting on your cloud accounts.",
    body: "FinOps products are set up for an account that already has credentials: connect an account first (above), then choose its products.",
    href: "/finops",
    link: "Set up FinOps products",
};

#[component]
pub fn OtherAccountKinds(provider: Provider, draft: RwSignal<ConnectDraft>) -> impl IntoView {
    // An organization has one management account: the panel shows once the answer says there
    // is none (not drawn first and then taken away). When it cannot be read the panel shows,
    // and the management page says so itself if one turns out to exist.
    let offered = RwSignal::new(false);
    let api = use_api()();
    spawn_local_scoped(async move {
        let none = !matches!(
            api.management_summary::<serde::de::IgnoredAny>().await,
            Ok(Some(_))
        );
        offered.try_set(none);
    });
    let management = match provider {
        Provider::Azure => &AZURE_BILLING,
        _ => &AWS_MANAGEMENT,
    };
    view! {
        <Show when=move || offered.get()>
            <KindPanel kind=management provider draft/>
        </Show>
        <KindPanel kind=&FINOPS provider draft/>
    }
}

#[component]
fn KindPanel(
    kind: &'static Kind,
    provider: Provider,
    draft: RwSignal<ConnectDraft>,
) -> impl IntoView {
    view! {
        <Disclosure
            id=kind.id
            title=kind.title
            expanded=draft::panel_signal(draft, PanelGroup::OtherKinds(provider), kind.panel)
            description=kind.description
        >
            <p>{kind.body}</p>
            <p><Link href=kind.href>{kind.link}</Link></p>
        </Disclosure>
    }
}
