//! Step 2: which members get a Spot account, and how those accounts are named. Suspended and
//! closed accounts are listed but start unchosen; the management account is marked. The table
//! draws at most [`SHOWN`] rows (a thousand checkboxes would make typing in the filter slow);
//! the filter finds the rest, and All / None act on every member the filter matches.

use super::flow::Org;
use crate::components::{BulkLabel, ChoiceCell, ChoiceRow, Chooser, Field, focus_id};
use leptos::prelude::*;
use onramp_core::aws_org::{MemberState, NamingChoice, OrgStep, matches, spot_name};
use onramp_core::choice::{ChoiceCounts, apply, in_order};
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

    // The rows the filter matches, with the Spot name each would get.
    let rows = Memo::new(move |_| {
        let q = query.get();
        let n = naming.get();
        members.with(|all| {
            all.iter()
                .filter(|m| matches(m, &q))
                .map(|m| ChoiceRow {
                    key: m.id.clone(),
                    label: if m.name.is_empty() {
                        "(no name)".to_owned()
                    } else {
                        m.name.clone()
                    },
                    tag: m.management.then_some("Management account"),
                    blocked: false,
                    cells: vec![
                        ChoiceCell::Code(m.id.clone()),
                        ChoiceCell::Pill {
                            class: if m.state == MemberState::Active {
                                "pill-ok"
                            } else {
                                "pill-warn"
                            },
                            text: m.state.label().to_owned(),
                        },
                        ChoiceCell::Text(spot_name(&n, m)),
                    ],
                })
                .collect::<Vec<_>>()
        })
    });
    let on_choose = Callback::new(move |(keys, on): (Vec<String>, bool)| {
        let next = apply(&chosen.get_untracked(), &keys, on);
        // Kept in list order, as the plan will be.
        let ordered = members.with_untracked(|m| in_order(m.iter().map(|x| x.id.as_str()), &next));
        draft.chosen.set(ordered);
        choose_error.set(None);
    });
    let counts = Signal::derive(move || ChoiceCounts {
        chosen: chosen.with(BTreeSet::len),
        total: members.with(Vec::len),
        blocked: 0,
        matching: rows.with(Vec::len),
    });

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

    let next = move |_| {
        // Too many for one batch token: refused here, before any account is created.
        if let Err(e) = onramp_core::validate::batch_choice(chosen.with_untracked(BTreeSet::len)) {
            choose_error.set(Some(e.message));
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
            <Chooser
                id="aws-org"
                caption="Member accounts"
                filter_label="Filter by name, ID or email"
                query=query
                all=BulkLabel { text: "All", more: " members that match the filter" }
                none=BulkLabel { text: "None", more: " of the members that match the filter" }
                headers=&["Name", "AWS account ID", "State", "Spot account name"]
                rows=rows
                chosen=chosen
                counts=counts
                on_choose=on_choose
                error=choose_error
                limit=SHOWN
                empty="No member matches the filter."
            />
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
