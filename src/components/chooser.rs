//! Picking some of many items (AWS member accounts, Azure subscriptions): a filter, **All** and
//! **None** (acting on what the filter shows), a live counts line, and a table with one
//! checkbox per item. Items that cannot be chosen are listed with their box disabled. What the
//! filter matches, what is chosen and the counts are the page's (core's rules); this component
//! only draws them and reports ticks.

use leptos::prelude::*;
use onramp_core::choice::{ChoiceCounts, Choosable, bulk_keys};
use std::collections::BTreeSet;

/// One cell after the item's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChoiceCell {
    Text(String),
    /// An ID, in code type.
    Code(String),
    /// A state, as a pill (`class` is the pill's variant, e.g. `pill-ok`).
    Pill {
        class: &'static str,
        text: String,
    },
}

/// One item of the table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChoiceRow {
    /// Stable key (the cloud account's ID): what `on_choose` is given.
    pub key: String,
    /// The checkbox's label.
    pub label: String,
    /// A tag beside the label ("Management account").
    pub tag: Option<&'static str>,
    /// It cannot be chosen (a cell says why).
    pub blocked: bool,
    pub cells: Vec<ChoiceCell>,
}

/// A bulk button's words: `text` is shown, `more` is read after it by screen readers only
/// ("All" + " members that match the filter").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkLabel {
    pub text: &'static str,
    pub more: &'static str,
}

#[component]
pub fn Chooser(
    /// Base id: `{id}-filter`, `{id}-all`, `{id}-none`, `{id}-count`, `{id}-choose-error`,
    /// the table `{id}-choice` and each box `{id}-pick-<key>`.
    id: &'static str,
    /// Names the table (its caption) and the group of bulk buttons.
    caption: &'static str,
    filter_label: &'static str,
    #[prop(optional)] filter_hint: Option<&'static str>,
    /// The filter's text; the page filters its items with it.
    query: RwSignal<String>,
    all: BulkLabel,
    none: BulkLabel,
    /// The column headers, the items' names first.
    headers: &'static [&'static str],
    /// The items the filter matches, in list order.
    #[prop(into)]
    rows: Signal<Vec<ChoiceRow>>,
    /// The keys ticked.
    #[prop(into)]
    chosen: Signal<BTreeSet<String>>,
    #[prop(into)] counts: Signal<ChoiceCounts>,
    /// Ticks (`true`) or unticks these keys.
    on_choose: Callback<(Vec<String>, bool)>,
    /// Why the choice cannot go on ("Choose at least one…"), under the counts.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Rows drawn at most (a thousand checkboxes make typing in the filter slow); the filter
    /// finds the others, and All / None still act on every match.
    #[prop(optional)]
    limit: Option<usize>,
    /// Said when the filter matches nothing.
    empty: &'static str,
) -> impl IntoView {
    let filter_id = format!("{id}-filter");
    let hint_id = filter_hint.map(|_| format!("{id}-filter-hint"));
    let error_id = format!("{id}-choose-error");
    let caption_id = format!("{id}-caption");
    let region_label = caption_id.clone();
    let bulk = move |on: bool| {
        let keys = rows.with_untracked(|r| {
            let shown: Vec<Choosable<'_>> = r
                .iter()
                .map(|x| Choosable {
                    key: &x.key,
                    blocked: x.blocked,
                })
                .collect();
            bulk_keys(&shown, on)
        });
        on_choose.run((keys, on));
    };
    let drawn = move || {
        rows.with(|r| {
            r.iter()
                .take(limit.unwrap_or(usize::MAX))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let row = move |r: ChoiceRow| {
        let box_id = format!("{id}-pick-{}", r.key);
        let key = r.key.clone();
        let blocked = r.blocked;
        let checked = {
            let key = key.clone();
            move || !blocked && chosen.with(|c| c.contains(&key))
        };
        let cells = r
            .cells
            .into_iter()
            .map(|c| match c {
                ChoiceCell::Text(t) => view! { <td>{t}</td> }.into_any(),
                ChoiceCell::Code(t) => {
                    view! { <td class="id-cell"><code>{t}</code></td> }.into_any()
                }
                ChoiceCell::Pill { class, text } => {
                    view! { <td><span class=format!("pill {class}")>{text}</span></td> }.into_any()
                }
            })
            .collect_view();
        view! {
            <tr>
                <th scope="row">
                    <span class="radio-row">
                        <input
                            type="checkbox"
                            id=box_id.clone()
                            prop:checked=checked
                            disabled=blocked
                            on:change=move |ev| on_choose.run((vec![key.clone()], event_target_checked(&ev)))
                        />
                        <label for=box_id>{r.label}</label>
                    </span>
                    {r.tag.map(|t| view! { " " <span class="pill pill-neutral">{t}</span> })}
                </th>
                {cells}
            </tr>
        }
    };
    let more = move || {
        let n = rows.with(Vec::len);
        limit.filter(|l| n > *l).map(|l| {
            view! {
                <p class="muted">{format!("Showing the first {l} of {n}; type in the filter to find the others.")}</p>
            }
        })
    };

    view! {
        <div class="chooser">
            <div class="chooser-tools">
                <div class="field">
                    <label for=filter_id.clone() class="field-label">{filter_label}</label>
                    {filter_hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
                    <input
                        id=filter_id
                        type="search"
                        autocomplete="off"
                        aria-describedby=hint_id.clone()
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                    />
                </div>
                <div class="btn-row" role="group" aria-label=caption>
                    <button type="button" id=format!("{id}-all") class="btn btn-secondary" aria-describedby=error_id.clone() on:click=move |_| bulk(true)>
                        {all.text}
                        {(!all.more.is_empty()).then(|| view! { <span class="sr-only">{all.more}</span> })}
                    </button>
                    <button type="button" id=format!("{id}-none") class="btn btn-secondary" on:click=move |_| bulk(false)>
                        {none.text}
                        {(!none.more.is_empty()).then(|| view! { <span class="sr-only">{none.more}</span> })}
                    </button>
                </div>
            </div>
            <p class="chooser-counts" id=format!("{id}-count") role="status">{move || counts.get().text()}</p>
            <p class="field-error" id=error_id hidden=move || error.with(Option::is_none)>
                {move || error.get()}
            </p>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby=region_label>
                <table class="data-table chooser-table" id=format!("{id}-choice")>
                    <caption id=caption_id class="sr-only">{caption}</caption>
                    <thead>
                        <tr>
                            {headers.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        <For each=drawn key=|r| r.clone() children=row/>
                    </tbody>
                </table>
            </div>
            {more}
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="muted">{empty}</p>
            </Show>
        </div>
    }
}
