//! The table of a batch connect: one row per cloud account (an AWS member, an Azure
//! subscription) with its Spot account, its state (Waiting / Connected / Failed) and why, a
//! filter by state whose choices carry the counts, and **Try again** on failed rows when the
//! page can retry them. The page says progress in its own live summary; this table only lists.
//! A long batch (a thousand members) adds a search box and pages: drawing every row would make
//! each keystroke and filter change slow, so a page of rows is drawn, with Previous and Next.

use crate::platform::clock::after_paint;
use leptos::prelude::*;
use onramp_core::choice::TextIndex;
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
    /// Rows per page; without it every row is drawn.
    #[prop(optional)]
    page_size: Option<usize>,
    /// Shown under the heading, before the filter (the page's summary and its actions).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let show = RwSignal::new(Show::All);
    let query = RwSignal::new(String::new());
    // What was typed since the rows last followed the search box.
    let typed = StoredValue::new(None::<String>);
    // The page shown (from 0); a new filter or search starts again at the first.
    let page = RwSignal::new(0usize);
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
                    on:change=move |_| {
                        show.set(which);
                        page.set(0);
                    }
                />
                <label for=input_id>{label} " (" {n} ")"</label>
            </span>
        }
    };
    // The search over a thousand rows: their text lowercased once per change of the rows, the
    // rows shown kept as positions, and only the drawn ones cloned.
    let index = Memo::new(move |_| {
        rows.with(|r| {
            TextIndex::new(r.iter().map(|x| {
                [
                    x.name.as_str(),
                    x.detail.as_str(),
                    x.account.as_deref().unwrap_or(""),
                ]
            }))
        })
    });
    let shown = Memo::new(move |_| {
        let s = show.get();
        let hits = query.with(|q| index.with(|i| i.matching(q)));
        rows.with(|r| {
            hits.into_iter()
                .filter(|&i| {
                    r.get(i).is_some_and(|x| match s {
                        Show::All => true,
                        Show::Only(st) => x.state == st,
                    })
                })
                .collect::<Vec<usize>>()
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

    let size = page_size.unwrap_or(usize::MAX).max(1);
    // The rows of the page shown: `(first, end)` positions in `shown`, the page kept inside the
    // pages there are (rows can go while a later page is shown).
    let range = Memo::new(move |_| {
        let n = shown.with(Vec::len);
        let last = n.saturating_sub(1) / size;
        let first = page.get().min(last) * size;
        (first, n.min(first.saturating_add(size)))
    });
    let drawn = move || {
        let (first, end) = range.get();
        shown.with(|at| {
            rows.with(|r| {
                at[first..end]
                    .iter()
                    .filter_map(|&i| r.get(i).cloned())
                    .collect::<Vec<_>>()
            })
        })
    };
    // A memo, so the pager (and the focus on its buttons) stays while the rows change.
    let has_pages = Memo::new(move |_| shown.with(Vec::len) > size);
    let pager = move || {
        has_pages.get().then(|| {
            let at_start = move || range.get().0 == 0;
            let at_end = move || range.get().1 == shown.with(Vec::len);
            let go = move |forward: bool| {
                let (first, end) = range.get_untracked();
                if forward && end < shown.with_untracked(Vec::len) {
                    page.set(first / size + 1);
                } else if !forward && first > 0 {
                    page.set(first / size - 1);
                }
            };
            view! {
                <nav class="pager" aria-label=format!("{title}: pages")>
                    <button type="button" class="btn btn-secondary btn-small"
                        aria-disabled=move || at_start().then_some("true")
                        on:click=move |_| go(false)>
                        "Previous"
                    </button>
                    <span class="pager-range" role="status">
                        {move || {
                            let (first, end) = range.get();
                            format!("Showing {}–{end} of {}", first + 1, shown.with(Vec::len))
                        }}
                    </span>
                    <button type="button" class="btn btn-secondary btn-small"
                        aria-disabled=move || at_end().then_some("true")
                        on:click=move |_| go(true)>
                        "Next"
                    </button>
                </nav>
            }
        })
    };
    let search_box = search.map(|s| {
        let search_id = format!("{id}-search");
        view! {
            <div class="field">
                <label for=search_id.clone() class="field-label">{s.label}</label>
                <input id=search_id type="search" autocomplete="off"
                    on:input=move |ev| {
                        // The box shows the key at once; the rows follow once it is drawn (over
                        // 1,000 rows a key must not wait for the page of rows to be laid out).
                        // Keys typed meanwhile join the same update.
                        let waiting = typed.with_value(Option::is_some);
                        typed.set_value(Some(event_target_value(&ev)));
                        if !waiting {
                            leptos::task::spawn_local_scoped(async move {
                                after_paint().await;
                                if let Some(q) = typed.try_update_value(Option::take).flatten() {
                                    query.set(q);
                                    page.set(0);
                                }
                            });
                        }
                    }/>
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
                    <colgroup>
                        <col class="status-col-name"/>
                        <col class="status-col-account"/>
                        <col class="status-col-state"/>
                        <col/>
                    </colgroup>
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
            {pager}
            <Show when=move || shown.with(Vec::is_empty)>
                <p class="muted">{move || if query.with(|q| q.trim().is_empty()) { "None in this state." } else { "None matches the search." }}</p>
            </Show>
        </section>
    }
}
