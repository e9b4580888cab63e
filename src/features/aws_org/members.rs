//! Step 2: which members get a Spot account, and how those accounts are named. Suspended and
//! closed accounts are listed but start unchosen; the management account is marked. The table
//! draws at most [`SHOWN`] rows (a thousand checkboxes would make typing in the filter slow);
//! the filter finds the rest, and All / None act on every member the filter matches.

use super::flow::Org;
use crate::components::{Field, focus_id};
use leptos::prelude::*;
use onramp_core::aws_org::{MemberState, NamingChoice, OrgMember, OrgStep, matches, spot_name};
use std::collections::BTreeSet;

pub(super) const SHOWN: usize = 200;
const PREFIX_ID: &str = "aws-org-prefix";

#[component]
pub(super) fn MembersStep(org: Org) -> impl IntoView {
    let draft = org.draft;
    let members = Memo::new(move |_| org.members.get().unwrap_or_default());
    let chosen = Memo::new(move |_| {
        draft
            .chosen
            .with(|c| c.iter().cloned().collect::<BTreeSet<_>>())
    });
    let query = RwSignal::new(String::new());
    let choose_error = RwSignal::new(None::<String>);
    let prefix_error = RwSignal::new(None::<String>);
    let naming = Memo::new(move |_| draft.naming.get().naming(&draft.prefix.get()));

    let matching = Memo::new(move |_| {
        let q = query.get();
        members.with(|all| {
            all.iter()
                .filter(|m| matches(m, &q))
                .cloned()
                .collect::<Vec<OrgMember>>()
        })
    });
    let set_all = move |on: bool| {
        let ids: Vec<String> =
            matching.with_untracked(|m| m.iter().map(|x| x.id.clone()).collect());
        draft.chosen.update(|c| {
            let mut set: BTreeSet<String> = c.iter().cloned().collect();
            for id in ids {
                if on {
                    set.insert(id);
                } else {
                    set.remove(&id);
                }
            }
            // Kept in list order, as the plan will be.
            let order = members.get_untracked();
            *c = order
                .into_iter()
                .map(|m| m.id)
                .filter(|id| set.contains(id))
                .collect();
        });
        choose_error.set(None);
    };
    let toggle = move |id: String, on: bool| {
        draft.chosen.update(|c| {
            c.retain(|x| *x != id);
            if on {
                c.push(id);
                let order = members.get_untracked();
                let set: BTreeSet<String> = c.iter().cloned().collect();
                *c = order
                    .into_iter()
                    .map(|m| m.id)
                    .filter(|id| set.contains(id))
                    .collect();
            }
        });
        choose_error.set(None);
    };

    let counts = move || {
        let total = members.with(Vec::len);
        let n = chosen.with(BTreeSet::len);
        let shown = matching.with(Vec::len);
        let mut text = format!("{n} of {total} chosen");
        if shown != total {
            text.push_str(&format!(" · {shown} match the filter"));
        }
        text
    };

    let check_prefix = Callback::new(move |p: String| {
        (draft.naming.get_untracked() == NamingChoice::Prefix && p.trim().is_empty())
            .then(|| "Type the prefix, e.g. aws-.".to_owned())
    });
    let example = move || {
        let n = naming.get();
        members.with(|all| {
            let set = chosen.get();
            all.iter()
                .find(|m| set.contains(&m.id))
                .map(|m| format!("{} (AWS) becomes “{}” in Spot.", m.name, spot_name(&n, m)))
        })
    };
    let naming_radio = move |choice: NamingChoice, id: &'static str, label: &'static str| {
        view! {
            <div class="radio-row">
                <input
                    type="radio"
                    id=id
                    name="aws-org-naming"
                    prop:checked=move || draft.naming.get() == choice
                    on:change=move |_| {
                        draft.naming.set(choice);
                        prefix_error.set(None);
                    }
                />
                <label for=id>{label}</label>
            </div>
        }
    };

    let rows = move || {
        let n = naming.get();
        matching.with(|list| {
            list.iter()
                .take(SHOWN)
                .map(|m| {
                    let id = m.id.clone();
                    let box_id = format!("aws-org-m-{}", m.id);
                    let on = {
                        let id = id.clone();
                        move || chosen.with(|c| c.contains(&id))
                    };
                    let name = if m.name.is_empty() { "(no name)".to_owned() } else { m.name.clone() };
                    let state_class = if m.state == MemberState::Active { "pill pill-ok" } else { "pill pill-warn" };
                    view! {
                        <tr>
                            <td class="check-cell">
                                <input
                                    type="checkbox"
                                    id=box_id.clone()
                                    prop:checked=on
                                    on:change=move |ev| toggle(id.clone(), event_target_checked(&ev))
                                />
                            </td>
                            <th scope="row">
                                <label for=box_id>{name}</label>
                                {m.management.then(|| view! { " " <span class="pill pill-neutral">"Management account"</span> })}
                            </th>
                            <td><code>{m.id.clone()}</code></td>
                            <td><span class=state_class>{m.state.label()}</span></td>
                            <td>{spot_name(&n, m)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let more = move || {
        let shown = matching.with(Vec::len);
        (shown > SHOWN).then(|| {
            view! {
                <p class="muted">{format!("Showing the first {SHOWN} of {shown}; type in the filter to find the others.")}</p>
            }
        })
    };

    let next = move |_| {
        if chosen.with_untracked(BTreeSet::is_empty) {
            choose_error.set(Some("Choose at least one member account.".into()));
            focus_id("aws-org-all");
            return;
        }
        let problem = check_prefix.run(draft.prefix.get_untracked());
        prefix_error.set(problem.clone());
        if problem.is_some() {
            focus_id(PREFIX_ID);
            return;
        }
        org.go.run(OrgStep::Create);
    };

    view! {
        <div class="aws-org-members">
            <p class="muted">
                "Each chosen member gets its own Spot account. Suspended and closed accounts are listed but not chosen: Spot cannot read their costs."
            </p>
            <div class="aws-org-tools">
                <div class="field field-inline">
                    <label for="aws-org-filter" class="field-label">"Filter by name, ID or email"</label>
                    <input id="aws-org-filter" type="search" autocomplete="off"
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))/>
                </div>
                <div class="btn-row" role="group" aria-label="Choose members">
                    <button type="button" id="aws-org-all" class="btn btn-secondary btn-small" on:click=move |_| set_all(true)>
                        "All"<span class="sr-only">" members that match the filter"</span>
                    </button>
                    <button type="button" id="aws-org-none" class="btn btn-secondary btn-small" on:click=move |_| set_all(false)>
                        "None"<span class="sr-only">" of the members that match the filter"</span>
                    </button>
                </div>
            </div>
            <p class="aws-org-counts" role="status" aria-live="polite">{counts}</p>
            <p class="field-error" id="aws-org-choose-error" role="alert" hidden=move || choose_error.with(Option::is_none)>
                {move || choose_error.get()}
            </p>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Member accounts">
                <table class="data-table aws-org-table">
                    <thead>
                        <tr>
                            <th scope="col"><span class="sr-only">"Chosen"</span></th>
                            <th scope="col">"Name"</th>
                            <th scope="col">"AWS account ID"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Spot account name"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {more}
            <Show when=move || matching.with(Vec::is_empty)>
                <p class="muted">"No member matches the filter."</p>
            </Show>
            <fieldset class="field radio-group">
                <legend class="field-label">"Name the Spot accounts"</legend>
                {naming_radio(NamingChoice::AwsName, "aws-org-naming-name", "The AWS account's name")}
                {naming_radio(NamingChoice::AwsNameAndId, "aws-org-naming-id", "The AWS name and account ID")}
                {naming_radio(NamingChoice::Prefix, "aws-org-naming-prefix", "A prefix, then the AWS name")}
            </fieldset>
            <Show when=move || draft.naming.get() == NamingChoice::Prefix>
                <Field id=PREFIX_ID label="Prefix" value=draft.prefix error=prefix_error check=check_prefix
                    hint="Put before every AWS name, e.g. aws- makes aws-Payments." autocomplete="off"/>
            </Show>
            <p class="aws-org-example" aria-live="polite">{example}</p>
            <div class="form-actions">
                <button type="button" class="btn btn-secondary" on:click=move |_| org.go.run(OrgStep::List)>"Back"</button>
                <button type="button" class="btn btn-primary" on:click=next>"Next"</button>
            </div>
        </div>
    }
}
