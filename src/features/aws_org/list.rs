//! Step 1: the member list, pasted or uploaded. Core reads it; its message shows at the field
//! and the text stays as it was, so a 200-account paste is fixed in place.

use super::flow::{Org, fingerprint};
use crate::components::{Field, FileDrop, focus_id, rule};
use leptos::prelude::*;
use onramp_core::aws_org::{OrgStep, default_choice, parse_members};

const LIST_ID: &str = "aws-org-list";
/// A list of a thousand accounts is about 300 KB of JSON.
const MAX_FILE: u32 = 4 * 1024 * 1024;

#[component]
pub(super) fn ListStep(org: Org) -> impl IntoView {
    let draft = org.draft;
    let error = RwSignal::new(None::<String>);
    let file_error = RwSignal::new(None::<String>);
    let check = rule(parse_members);

    let on_file = Callback::new(move |(name, bytes): (String, Vec<u8>)| {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        file_error.set(None);
        draft.input.set(text.clone());
        draft.file_name.set(Some(name));
        // The file's content is now in the box below: a problem shows there, to be fixed there.
        error.set(check.run(text));
        if error.with_untracked(Option::is_some) {
            focus_id(LIST_ID);
        }
    });

    let next = move |_| {
        let text = draft.input.get_untracked();
        let problem = check.run(text.clone());
        error.set(problem.clone());
        if problem.is_some() {
            focus_id(LIST_ID);
            return;
        }
        // Another list than the one chosen from: start from the default choice again.
        let print = fingerprint(&text);
        if draft.chosen_for.get_untracked() != print {
            if let Ok(members) = org.members.get_untracked() {
                draft
                    .chosen
                    .set(default_choice(&members).into_iter().collect());
            }
            draft.chosen_for.set(print);
        }
        org.go.run(OrgStep::Members);
    };

    view! {
        <div class="aws-org-list">
            <p>
                "In the AWS organization's management account, run "
                <code>"aws organizations list-accounts --output json"</code>
                " and paste what it prints (several pages may be pasted one after another), or upload the file. A CSV whose first two columns are the account ID and name works too."
            </p>
            <FileDrop
                id="aws-org-file"
                label="Member list file (JSON or CSV)"
                accept=".json,.csv,.txt,application/json,text/csv,text/plain"
                max_bytes=MAX_FILE
                on_file=on_file
                error=file_error
                hint="Read in this browser; only the Spot account names you choose are sent."
            />
            <Field
                id=LIST_ID
                label="Member accounts (JSON or CSV)"
                value=draft.input
                error=error
                check=check
                rows=10
                hint="Paste here, or upload a file above: its content appears here."
                autocomplete="off"
            />
            <div class="form-actions">
                <button type="button" class="btn btn-primary" on:click=next>"Next"</button>
            </div>
        </div>
    }
}
