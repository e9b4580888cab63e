//! `/dashboard` ("Insights & Recommendations"): the connect cards, the savings
//! potential (from the API only, with an honest empty state), banners for data still being
//! collected and for Azure secrets about to expire, and the accounts table.

use super::org::{AccountsTable, OrgAccounts, OrgData, load_org};
use crate::api::{Api, ApiError};
use crate::components::notice;
use crate::components::{Banner, Notice, set_title};
use crate::platform::clock::today;
use crate::state::connected::{connected_at, remember_connected};
use crate::state::draft::first_run_connected;
use crate::state::session::CONNECTED_MESSAGE;
use crate::state::{Session, mark_interactive, use_api};
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use onramp_core::account_status::{
    AccountStatus, LINKED_PENDING_HOURS, MANAGEMENT_PENDING_HOURS, parse_day, show_day,
};
use onramp_core::accounts_view::{PotentialSaving, SavingsCategory, format_usd, savings_totals};
use onramp_core::dto::Role;
use onramp_core::onboarding::AccountKind;
use onramp_core::text::count;

/// What the savings cards show.
#[derive(Debug, Clone, PartialEq)]
enum Savings {
    /// No management (billing) account: nothing to compute savings from.
    NoBilling,
    Figures {
        potential: Vec<PotentialSaving>,
        /// USD saved over the last 30 days, when the API has any day in that range.
        saved_30_days: Option<f64>,
    },
}

/// Entries whose name the server marks as demo data (`--demo`).
fn is_demo(items: &[PotentialSaving]) -> bool {
    !items.is_empty() && items.iter().all(|i| i.name.starts_with("Demo data"))
}

async fn load_savings(api: &Api, org: &OrgAccounts) -> Result<Savings, ApiError> {
    let Some(m) = &org.management else {
        return Ok(Savings::NoBilling);
    };
    let potential = api.potential_savings(&m.account_id).await?;
    let today = today();
    let from = parse_day(&today)
        .map(|d| show_day(d - 30))
        .unwrap_or_default();
    let points = api.savings_between(&from, &today).await?;
    let saved_30_days = (!points.is_empty()).then(|| {
        points
            .iter()
            .map(|p| p.savings)
            .filter(|s| s.is_finite())
            .sum()
    });
    Ok(Savings::Figures {
        potential,
        saved_30_days,
    })
}

/// The first-run wizard just connected the default account (its draft says so and this tab has
/// no earlier record): remember when, so its data shows as being collected for 24 hours. (The
/// add-account flow records its own accounts.)
fn note_first_run_connection(session: Session) {
    let first_run_done = first_run_connected();
    let default = session
        .profile
        .with_untracked(|p| p.as_ref().and_then(|p| p.default_account_id.clone()));
    if let Some(id) = default.filter(|id| first_run_done && connected_at(id).is_none()) {
        remember_connected(&id);
    }
}

#[component]
pub fn Dashboard(
    /// The invitations card, shown to admins. The app passes it in, so that this feature does
    /// not import the invitations feature.
    #[prop(into)]
    invite_card: ViewFn,
) -> impl IntoView {
    set_title("Insights & Recommendations");
    let session = expect_context::<Session>();
    let api = use_api();

    // A message left by the previous screen ("Your account has been successfully connected!"),
    // put into the live region after it exists so screen readers announce it.
    let toast = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Some(m)) = session.flash.try_update(Option::take) {
            if m == CONNECTED_MESSAGE {
                note_first_run_connection(session);
            }
            toast.set(Some(m));
        }
    });

    let org = OrgData::new();
    let data = org.data;
    let error = RwSignal::new(None::<Notice>);
    let savings = RwSignal::new(None::<Result<Savings, Notice>>);
    // The savings of the accounts on screen, in a request of their own: the table does not wait
    // for them, and their failure has its own Try again.
    let fetch_savings = {
        let api = api.clone();
        Callback::new(move |()| {
            let Some(org) = data.get_untracked() else {
                return;
            };
            let api = api();
            spawn_local_scoped(async move {
                let s = load_savings(&api, &org).await;
                savings.try_set(Some(s.map_err(|e| notice(&e))));
            });
        })
    };
    let retry_savings = Callback::new(move |()| {
        savings.set(None);
        fetch_savings.run(());
    });
    let load = Callback::new(move |()| {
        error.set(None);
        let api = api();
        spawn_local_scoped(async move {
            let answer = org.loads.latest(|| load_org(&api)).await;
            mark_interactive();
            match answer {
                Some(Ok(accounts)) => {
                    data.try_set(Some(accounts));
                    fetch_savings.run(());
                }
                Some(Err(e)) => {
                    error.try_set(Some(notice(&e)));
                }
                // A later load will show its answer.
                None => {}
            }
        });
    });
    load.run(());

    let may_change =
        Memo::new(move |_| session.profile.with(|p| p.as_ref().map(|p| !p.read_only())));
    let is_admin = Memo::new(move |_| {
        session
            .profile
            .with(|p| p.as_ref().and_then(|p| p.role) == Some(Role::Admin))
    });
    let management_exists =
        Memo::new(move |_| data.with(|d| d.as_ref().map(|d| d.management.is_some())));
    let rows = Memo::new(move |_| {
        data.with(|d| d.as_ref().map(OrgAccounts::rows))
            .unwrap_or_default()
    });
    let expiring = Memo::new(move |_| {
        rows.with(|r| {
            r.iter()
                .filter(|r| {
                    matches!(
                        r.status,
                        AccountStatus::ExpiresIn { .. } | AccountStatus::Expired
                    )
                })
                .map(|r| (r.account.name.clone(), r.status))
                .collect::<Vec<_>>()
        })
    });
    let pending = Memo::new(move |_| {
        rows.with(|r| {
            r.iter()
                .filter(|r| r.status == AccountStatus::Pending)
                .map(|r| (r.account.name.clone(), r.kind))
                .collect::<Vec<_>>()
        })
    });

    view! {
        <section class="page dashboard">
            <div role="status" class="toast dismissible-toast">
                {move || toast.get().map(|m| view! {
                    <div class="toast-body">
                        <span>{m}</span>
                        <button type="button" class="btn btn-ghost btn-small" on:click=move |_| toast.set(None)>
                            "Dismiss"<span class="sr-only">" message"</span>
                        </button>
                    </div>
                })}
            </div>
            <h1 id="dashboard-heading" tabindex="-1">"Insights & Recommendations"</h1>

            {move || (!pending.get().is_empty()).then(|| view! {
                <div class="info-banner" data-banner="collecting">
                    <p><strong>"We're collecting your data."</strong></p>
                    <ul>
                        {pending.get().into_iter().map(|(name, kind)| {
                            let hours = match kind {
                                AccountKind::Linked => LINKED_PENDING_HOURS,
                                AccountKind::Management => MANAGEMENT_PENDING_HOURS,
                            };
                            view! { <li>{format!("{name}: data can take up to {hours} hours to appear after connecting.")}</li> }
                        }).collect_view()}
                    </ul>
                </div>
            })}

            {move || (!expiring.get().is_empty()).then(|| view! {
                <div class="warn-banner" data-banner="expiry">
                    <svg class="banner-icon" aria-hidden="true" viewBox="0 0 20 20" width="20" height="20">
                        <path d="M10 2l9 16H1z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/>
                        <path d="M10 8v4M10 14.5v1" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                    </svg>
                    <div>
                        <p><strong>"Azure credentials need attention."</strong>" Spot stops working with an account once its client secret expires."</p>
                        <ul>
                            {expiring.get().into_iter().map(|(name, status)| {
                                let text = match status {
                                    AccountStatus::Expired => format!("{name}: the client secret has expired."),
                                    AccountStatus::ExpiresIn { days } => format!("{name}: the client secret expires in {}.", count(days.into(), "day", "days")),
                                    _ => String::new(),
                                };
                                view! { <li>{text}</li> }
                            }).collect_view()}
                        </ul>
                        <p>"Create a new secret in the Azure portal, then use " <strong>"Update credentials"</strong> " in the table below."</p>
                    </div>
                </div>
            })}

            <Banner notice=error/>
            <Show when=move || error.with(Option::is_some)>
                <crate::components::RetryButton heading="dashboard-heading" on_retry=load>"Retry"</crate::components::RetryButton>
            </Show>

            // Viewers change nothing: no way in to connecting accounts or inviting users.
            // (Unknown until the profile is loaded; Spot's API does not say, so there the
            // server decides.)
            <Show when=move || may_change.get() == Some(true)>
                <section class="connect-cards" aria-label="Connect accounts">
                    <a class="connect-card card" href="/accounts/new?kind=linked">
                        <span class="connect-card-title">"Connect a Linked Account"</span>
                        <span class="muted">"Start optimizing your costs: Spot runs your compute on the best-priced capacity."</span>
                    </a>
                    <Show when=move || management_exists.get() == Some(false)>
                        <a class="connect-card card" href="/management">
                            <span class="connect-card-title">"Connect a Management Account"</span>
                            <span class="muted">"Analyze your whole organization's costs from its billing data."</span>
                        </a>
                    </Show>
                </section>
            </Show>
            <Show when=move || is_admin.get()>
                {invite_card.run()}
            </Show>

            <SavingsCards savings=savings retry=retry_savings may_change=may_change/>

            <AccountsTable org=org reload=load/>
        </section>
    }
}

#[component]
fn SavingsCards(
    savings: RwSignal<Option<Result<Savings, Notice>>>,
    /// Loads them again after a failure.
    retry: Callback<()>,
    /// Whether the user may connect accounts (`None` until the profile is known).
    may_change: Memo<Option<bool>>,
) -> impl IntoView {
    view! {
        <section class="card savings" aria-labelledby="savings-heading">
            <h2 id="savings-heading" tabindex="-1">"Savings potential"</h2>
            {move || match savings.get() {
                None => view! { <p class="muted">"Loading savings…"</p> }.into_any(),
                Some(Err(n)) => view! {
                    <Banner notice=Signal::stored(Some(n))/>
                    <crate::components::RetryButton heading="savings-heading" on_retry=retry>
                        "Try again"<span class="sr-only">" loading savings"</span>
                    </crate::components::RetryButton>
                }.into_any(),
                Some(Ok(Savings::NoBilling)) => view! {
                    <div class="empty-state">
                        <p><strong>"No billing data connected"</strong></p>
                        <p class="muted">"Savings estimates come from your organization's billing data. Connect a management account and Spot can estimate what you could save on containers, elastic applications and commitments."</p>
                        {move || if may_change.get() != Some(false) {
                            view! { <a class="btn btn-secondary" href="/management">"Connect a management account"</a> }.into_any()
                        } else {
                            view! { <p class="muted">"An admin of your organization can connect it."</p> }.into_any()
                        }}
                    </div>
                }.into_any(),
                Some(Ok(Savings::Figures { potential, saved_30_days })) => {
                    let demo = is_demo(&potential);
                    let totals = savings_totals(&potential);
                    view! {
                        {demo.then(|| view! {
                            <p class="pill pill-warn demo-tag">"Demo data: these figures are made up for the demo organization."</p>
                        })}
                        <ul class="savings-cards">
                            {totals.into_iter().map(|(cat, sum, n)| view! {
                                <li class="savings-card" data-category=slug(cat)>
                                    <h3>{cat.label()}</h3>
                                    {if n == 0 {
                                        view! { <p class="muted">"No savings found yet. Billing data can take up to 72 hours to be processed."</p> }.into_any()
                                    } else {
                                        view! {
                                            <p class="savings-figure">{format_usd(sum)}<span class="muted">" / month"</span></p>
                                            <p class="muted">{format!("From {}", count(n as u64, "resource", "resources"))}</p>
                                        }.into_any()
                                    }}
                                </li>
                            }).collect_view()}
                        </ul>
                        {saved_30_days.map(|s| view! {
                            <p>"Saved in the last 30 days: " <strong>{format_usd(s)}</strong></p>
                        })}
                    }.into_any()
                }
            }}
        </section>
    }
}

fn slug(c: SavingsCategory) -> &'static str {
    match c {
        SavingsCategory::Containers => "containers",
        SavingsCategory::ElasticApplications => "elastic",
        SavingsCategory::Commitments => "commitments",
    }
}
