//! The table of a batch connect: one row per cloud account (an AWS member, an Azure
//! subscription) with its Spot account, its state (Waiting / Connected / Failed) and why, a
//! filter by state whose choices carry the counts, and **Try again** on failed rows when the
//! page can retry them. The page says progress in its own live summary; this table only lists.

use leptos::prelude::*;
use onramp_core::dto::BatchMemberState;

/// One row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    /// Stable key (the cloud account's ID), given back to `on_retry`.
    pub key: String,
    pub name: String,
    /// Shown under the name, e.g. the cloud account's ID.
    pub detail: String,
    /// The Spot account, once there is one ("Prod · act-1a2b3c4d").
    pub account: Option<String>,
    pub state: BatchMemberState,
    /// What is happening (waiting) or why it failed.
    pub note: Option<String>,
}

/// Which rows show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Show {
    All,
    Only(BatchMemberState),
}

fn state_label(s: BatchMemberState) -> &'static str {
    match s {
        BatchMemberState::Waiting => "Waiting",
        BatchMemberState::Connected => "Connected",
        BatchMemberState::Failed => "Failed",
    }
}

fn state_class(s: BatchMemberState) -> &'static str {
    match s {
        BatchMemberState::Waiting => "pill pill-neutral",
        BatchMemberState::Connected => "pill pill-ok",
        BatchMemberState::Failed => "pill pill-danger",
    }
}

#[component]
pub fn StatusTable(
    /// Base id: the heading is `{id}-heading`, the filter's radios `{id}-show-<state>`.
    id: &'static str,
    /// The table's heading ("Subscriptions").
    title: &'static str,
    /// The first column's header ("Subscription").
    what: &'static str,
    #[prop(into)] rows: Signal<Vec<StatusRow>>,
    /// Retries one failed row (by key); without it failed rows have no button.
    #[prop(optional)]
    on_retry: Option<Callback<String>>,
    /// While true, **Try again** ignores presses (it keeps focus).
    #[prop(into, default = Signal::stored(false))]
    busy: Signal<bool>,
) -> impl IntoView {
    let show = RwSignal::new(Show::All);
    let heading_id = format!("{id}-heading");
    let count = move |s: Option<BatchMemberState>| {
        rows.with(|r| r.iter().filter(|x| s.is_none_or(|s| x.state == s)).count())
    };
    let choice = move |which: Show, slug: &'static str, label: &'static str| {
        let input_id = format!("{id}-show-{slug}");
        let n = move || {
            count(match which {
                Show::All => None,
                Show::Only(s) => Some(s),
            })
        };
        view! {
            <span class="radio-row">
                <input
                    type="radio"
                    id=input_id.clone()
                    name=format!("{id}-show")
                    prop:checked=move || show.get() == which
                    on:change=move |_| show.set(which)
                />
                <label for=input_id>{label} " (" {n} ")"</label>
            </span>
        }
    };
    let shown = Memo::new(move |_| {
        let s = show.get();
        rows.with(|r| {
            r.iter()
                .filter(|x| match s {
                    Show::All => true,
                    Show::Only(st) => x.state == st,
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let row_view = move |r: StatusRow| {
        let retry = (r.state == BatchMemberState::Failed)
            .then_some(on_retry)
            .flatten()
            .map(|cb| {
                let key = r.key.clone();
                let name = r.name.clone();
                view! {
                    <button
                        type="button"
                        class="btn btn-secondary btn-small"
                        aria-disabled=move || busy.get().then_some("true")
                        on:click=move |_| {
                            if !busy.get_untracked() {
                                cb.run(key.clone());
                            }
                        }
                    >
                        "Try again"
                        <span class="sr-only">" " {name}</span>
                    </button>
                }
            });
        view! {
            <tr>
                <th scope="row" class="status-name-cell">
                    {r.name.clone()}
                    <span class="status-detail"><code>{r.detail.clone()}</code></span>
                </th>
                <td class="status-account-cell">
                    {r.account.clone().unwrap_or_else(|| "Not created yet".into())}
                </td>
                <td><span class=state_class(r.state)>{state_label(r.state)}</span></td>
                <td class="status-note-cell">
                    {r.note.clone()}
                    {retry}
                </td>
            </tr>
        }
    };

    let region_label = heading_id.clone();
    let section_label = heading_id.clone();
    view! {
        <section class="status-table" aria-labelledby=section_label>
            <h3 id=heading_id>{title}</h3>
            <fieldset class="status-filter">
                <legend>"Show"</legend>
                {choice(Show::All, "all", "All")}
                {choice(Show::Only(BatchMemberState::Waiting), "waiting", "Waiting")}
                {choice(Show::Only(BatchMemberState::Connected), "connected", "Connected")}
                {choice(Show::Only(BatchMemberState::Failed), "failed", "Failed")}
            </fieldset>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby=region_label>
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">{what}</th>
                            <th scope="col">"Spot account"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Details"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || shown.get() key=|r| (r.key.clone(), r.state, r.note.clone(), r.account.clone()) children=row_view/>
                    </tbody>
                </table>
            </div>
            <Show when=move || shown.with(Vec::is_empty)>
                <p class="muted">"None in this state."</p>
            </Show>
        </section>
    }
}
