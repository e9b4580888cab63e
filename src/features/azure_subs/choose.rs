//! Step 2: which subscriptions (a checkbox table with a filter, All / None and counts;
//! disabled, deleted and other-directory subscriptions are listed unchosen with the reason),
//! how their Spot accounts are named (live preview, checked with the account-name rule), and
//! where the role is assigned, with the role definition and the commands to copy.

use super::flow::{BASE_CONNECT, Flow};
use crate::components::Link;
use crate::components::{
    BulkLabel, Button, ChoiceCell, ChoiceRow, Chooser, CodeBlock, ErrorSummary, Field, FormErrors,
    Problem,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use onramp_core::azure_setup::ROLE_FILE_NAME;
use onramp_core::azure_subs::{
    Naming, ScopeChoice, Subscription, default_choice, matches, role_commands, role_definition,
    role_scope, spot_name, spot_names, unavailable,
};
use onramp_core::choice::{ChoiceCounts, apply};
use onramp_core::validate;
use onramp_core::validate::guid_form;

const PREFIX_ID: &str = "azure-subs-prefix";
const GROUP_ID: &str = "azure-subs-group";
/// Names shown in the preview.
const PREVIEW: usize = 3;

#[component]
pub(super) fn ChooseStep(flow: Flow) -> impl IntoView {
    let draft = flow.draft;
    let started = Memo::new(move |_| draft.plan.with(Option::is_some));
    view! {
        <Show when=move || !started.get() fallback=move || view! {
            <p>"Creating the Spot accounts has started, so the choice of subscriptions and their names is fixed."</p>
            <Link href=BASE_CONNECT attr:class="btn btn-primary">"Go to Create and connect"</Link>
        }>
            <Choose flow/>
        </Show>
    }
}

#[component]
fn Choose(flow: Flow) -> impl IntoView {
    let draft = flow.draft;
    let subs = Memo::new(move |_| flow.subs.get().unwrap_or_default());
    let tenant = Memo::new(move |_| flow.tenant());
    // What is ticked: the user's choice, else the default one.
    let ticked = Memo::new(move |_| {
        draft
            .chosen
            .get()
            .unwrap_or_else(|| subs.with(|s| default_choice(s)))
    });
    let query = RwSignal::new(String::new());
    // The rows the filter matches; one that cannot be connected says why.
    let rows = Memo::new(move |_| {
        let q = query.get();
        let t = tenant.get();
        subs.with(|all| {
            all.iter()
                .filter(|s| matches(s, &q))
                .map(|s| {
                    let reason = unavailable(s, &t);
                    ChoiceRow {
                        key: s.id.clone(),
                        label: if s.name.trim().is_empty() {
                            "(no name)".to_owned()
                        } else {
                            s.name.clone()
                        },
                        tag: None,
                        blocked: reason.is_some(),
                        cells: vec![
                            ChoiceCell::Code(s.id.clone()),
                            ChoiceCell::Text(s.state.label().to_owned()),
                            ChoiceCell::Text(reason.unwrap_or_default()),
                        ],
                    }
                })
                .collect::<Vec<_>>()
        })
    });
    let choose_error = RwSignal::new(None::<String>);
    let on_choose = Callback::new(move |(keys, on): (Vec<String>, bool)| {
        draft
            .chosen
            .set(Some(apply(&ticked.get_untracked(), &keys, on)));
        choose_error.set(None);
    });
    let counts = Signal::derive(move || {
        let t = tenant.get();
        ChoiceCounts {
            chosen: flow.chosen.with(Vec::len),
            total: subs.with(Vec::len),
            blocked: subs.with(|s| s.iter().filter(|x| unavailable(x, &t).is_some()).count()),
            matching: rows.with(Vec::len),
        }
    });

    // ---- naming ----
    let prefix_error = RwSignal::new(None::<String>);
    let preview = Memo::new(move |_| {
        let naming = draft.naming.get();
        let prefix = draft.prefix.get();
        flow.chosen.with(|c| {
            c.iter()
                .take(PREVIEW)
                .map(|s| spot_name(naming, &prefix, s).map_err(|e| e.message))
                .collect::<Vec<_>>()
        })
    });
    let names_problem = Memo::new(move |_| {
        let naming = draft.naming.get();
        let prefix = draft.prefix.get();
        flow.chosen.with(|c| {
            let refs: Vec<&Subscription> = c.iter().collect();
            spot_names(naming, &prefix, &refs).err().map(|e| e.message)
        })
    });
    let naming_radio = move |n: Naming, id: &'static str, label: &'static str| {
        view! {
            <span class="radio-row">
                <input
                    type="radio"
                    id=id
                    name="azure-subs-naming"
                    prop:checked=move || draft.naming.get() == n
                    on:change=move |_| draft.naming.set(n)
                />
                <label for=id>{label}</label>
            </span>
        }
    };

    // ---- role scope ----
    let group_error = RwSignal::new(None::<String>);
    let scope = Memo::new(move |_| {
        let choice = draft.scope.get();
        let group = draft.group.get();
        flow.chosen.with(|c| {
            let refs: Vec<&Subscription> = c.iter().collect();
            (!refs.is_empty())
                .then(|| role_scope(choice, &group, &refs).ok())
                .flatten()
        })
    });
    let client = Memo::new(move |_| guid_form(&draft.client_id.get()));
    let definition = Signal::derive(move || {
        scope
            .with(|s| s.as_ref().map(|s| role_definition(&client.get(), s)))
            .unwrap_or_default()
    });
    let commands = Signal::derive(move || {
        scope
            .with(|s| s.as_ref().map(|s| role_commands(&client.get(), s)))
            .unwrap_or_default()
    });
    let scope_radio = move |c: ScopeChoice, id: &'static str, label: &'static str| {
        view! {
            <span class="radio-row">
                <input
                    type="radio"
                    id=id
                    name="azure-subs-scope"
                    prop:checked=move || draft.scope.get() == c
                    on:change=move |_| draft.scope.set(c)
                />
                <label for=id>{label}</label>
            </span>
        }
    };

    let form_errors = FormErrors::new("azure-subs-choice-problems");
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut found = Vec::new();
        let none = flow.chosen.with_untracked(Vec::is_empty);
        let nothing = none.then(|| "Choose at least one subscription.".to_owned());
        choose_error.set(nothing.clone());
        if let Some(m) = nothing {
            found.push(Problem {
                id: "azure-subs-all".into(),
                message: m,
            });
        }
        let names = names_problem.get_untracked();
        prefix_error.set(names.clone());
        if let Some(m) = names {
            found.push(Problem {
                id: if draft.naming.get_untracked() == Naming::Prefix {
                    PREFIX_ID.into()
                } else {
                    "azure-subs-naming-name".into()
                },
                message: m,
            });
        }
        if draft.scope.get_untracked() == ScopeChoice::ManagementGroup {
            let g = validate::management_group_id(&draft.group.get_untracked())
                .err()
                .map(|e| e.message);
            group_error.set(g.clone());
            if let Some(m) = g {
                found.push(Problem {
                    id: GROUP_ID.into(),
                    message: m,
                });
            }
        }
        if form_errors.report(found) {
            flow.go.run(BASE_CONNECT);
        }
    };

    view! {
        <form class="form azure-subs-choose" novalidate on:submit=on_submit>
            <ErrorSummary errors=form_errors/>
            <h3>"Subscriptions"</h3>
            <Chooser
                id="azure-subs"
                caption="Subscriptions to connect"
                filter_label="Filter subscriptions"
                filter_hint="By name or ID. Choose all and Choose none act on the subscriptions shown."
                query=query
                all=BulkLabel { text: "Choose all", more: "" }
                none=BulkLabel { text: "Choose none", more: "" }
                headers=&["Subscription", "ID", "State", "Note"]
                rows=rows
                chosen=ticked
                counts=counts
                on_choose=on_choose
                error=choose_error
                empty="No subscription matches the filter."
            />

            <fieldset class="field radio-group">
                <legend class="field-label">"Name each Spot account after"</legend>
                {naming_radio(Naming::Name, "azure-subs-naming-name", "The subscription's name")}
                {naming_radio(Naming::NameAndId, "azure-subs-naming-id", "Its name and ID")}
                {naming_radio(Naming::Prefix, "azure-subs-naming-prefix", "A prefix and its name")}
            </fieldset>
            <Show when=move || draft.naming.get() == Naming::Prefix>
                <Field
                    id=PREFIX_ID
                    label="Prefix"
                    value=draft.prefix
                    error=prefix_error
                    check=Callback::new(move |_: String| names_problem.get_untracked())
                    hint="Put before each subscription's name, e.g. azure-."
                    autocomplete="off"
                />
            </Show>
            <Show when=move || draft.naming.get() != Naming::Prefix && prefix_error.with(Option::is_some)>
                <p class="field-error">{move || prefix_error.get()}</p>
            </Show>
            <div class="name-preview">
                <p id="azure-subs-preview-label"><strong>"Preview"</strong></p>
                <ul aria-labelledby="azure-subs-preview-label">
                    {move || preview.get().into_iter().map(|n| match n {
                        Ok(name) => view! { <li>{name}</li> }.into_any(),
                        Err(m) => view! { <li class="field-error">{m}</li> }.into_any(),
                    }).collect_view()}
                </ul>
                <Show when=move || { flow.chosen.with(Vec::len) > PREVIEW }>
                    <p class="muted">{move || format!("… and {} more.", flow.chosen.with(Vec::len) - PREVIEW)}</p>
                </Show>
            </div>

            <h3>"Assign the role"</h3>
            <fieldset class="field radio-group">
                <legend class="field-label">"Assign Spot's role on"</legend>
                {scope_radio(ScopeChoice::Subscriptions, "azure-subs-scope-subs", "Each chosen subscription")}
                {scope_radio(ScopeChoice::ManagementGroup, "azure-subs-scope-group", "A management group that holds them")}
            </fieldset>
            <Show when=move || draft.scope.get() == ScopeChoice::ManagementGroup>
                <Field
                    id=GROUP_ID
                    label="Management group ID"
                    value=draft.group
                    error=group_error
                    check=crate::components::rule(validate::management_group_id)
                    hint="The group's ID (not its display name), from Management groups in the portal."
                    autocomplete="off"
                />
            </Show>
            <Show
                when=move || scope.with(Option::is_some)
                fallback=|| view! { <p class="muted">"Choose subscriptions (and enter the management group ID) to see the role definition and the commands."</p> }
            >
                <p>
                    "Open Cloud Shell (Bash), upload " <code>{ROLE_FILE_NAME}</code>
                    " and run the commands: the first creates the role, the others assign it to the application."
                </p>
                <CodeBlock id="azure-subs-role" label="Custom role definition" code=definition filename=ROLE_FILE_NAME mime="application/json"/>
                <CodeBlock id="azure-subs-commands" label="Cloud Shell commands" code=commands filename="spot-role-commands.sh"/>
                <p class="muted">"A new role assignment can take a few minutes to apply in Azure."</p>
            </Show>
            <div class="form-actions">
                <Button id="azure-subs-choose-next">"Next"</Button>
            </div>
        </form>
    }
}
