//! The table of a batch connect: one row per cloud account (an AWS member, an Azure
//! subscription) with its Spot account, its state (Waiting / Connected / Failed) and why, a
//! filter by state whose choices carry the counts, and **Try again** on failed rows when the
//! page can retry them. The page says progress in its own live summary; this table only lists.
//! A long batch (a thousand members) adds a search box and a limit on the rows drawn: the
//! filter and the search find the others.

use leptos::prelude::*;
use onramp_core::choice::text_matches;
use onramp_core::dto::BatchMemberState;

/// A search box over the rows' names, details and Spot accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusSearch {
    /// Its label ("Search by name or ID").
    pub label: &'static str,
}

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
    /// A search box (`{id}-search`) beside the filter.
    #[prop(optional)]
    search: Option<StatusSearch>,
    /// Rows drawn at most; a note says how many more the filter and the search would find.
    #[prop(optional)]
    limit: Option<usize>,
    /// Shown under the heading, before the filter (the page's summary and its actions).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let show = RwSignal::new(Show::All);
    let query = RwSignal::new(String::new());
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
        let q = query.get();
        rows.with(|r| {
            r.iter()
                .filter(|x| match s {
                    Show::All => true,
                    Show::Only(st) => x.state == st,
                })
                .filter(|x| {
                    text_matches(
                        &[
                            x.name.as_str(),
                            x.detail.as_str(),
                            x.account.as_deref().unwrap_or(""),
                        ],
                        &q,
                    )
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

    let drawn = move || {
        shown.with(|r| {
            r.iter()
                .take(limit.unwrap_or(usize::MAX))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let more = move || {
        let n = shown.with(Vec::len);
        limit.filter(|l| n > *l).map(|l| {
            view! {
                <p class="muted">{format!("Showing the first {l} of {n}; filter by state or search to find the others.")}</p>
            }
        })
    };
    let search_box = search.map(|s| {
        let search_id = format!("{id}-search");
        view! {
            <div class="field">
                <label for=search_id.clone() class="field-label">{s.label}</label>
                <input id=search_id type="search" autocomplete="off"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))/>
            </div>
        }
    });
    let region_label = heading_id.clone();
    let section_label = heading_id.clone();
    view! {
        <section class="status-table" aria-labelledby=section_label>
            <h3 id=heading_id>{title}</h3>
            {children.map(|c| c())}
            <div class="status-tools">
                <fieldset class="status-filter">
                    <legend>"Show"</legend>
                    {choice(Show::All, "all", "All")}
                    {choice(Show::Only(BatchMemberState::Waiting), "waiting", "Waiting")}
                    {choice(Show::Only(BatchMemberState::Connected), "connected", "Connected")}
                    {choice(Show::Only(BatchMemberState::Failed), "failed", "Failed")}
                </fieldset>
                {search_box}
            </div>
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
                        <For each=drawn key=|r| (r.key.clone(), r.state, r.note.clone(), r.account.clone()) children=row_view/>
                    </tbody>
                </table>
            </div>
            {more}
            <Show when=move || shown.with(Vec::is_empty)>
                <p class="muted">{move || if query.with(|q| q.trim().is_empty()) { "None in this state." } else { "None matches the search." }}</p>
            </Show>
        </section>
    }
}
