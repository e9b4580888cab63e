//! Step 1: the app registration (client ID, tenant ID, client secret value and its expiry)
//! and the subscription list, pasted or uploaded. Messages sit at their fields; **Next** checks
//! everything at once (several problems: the focused summary).

use super::flow::Flow;
use crate::components::{
    Button, CodeBlock, ErrorSummary, ExternalLink, Field, FieldCheck, FileDrop, FormErrors,
    SecretInput, rule,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use onramp_core::azure_setup::APP_REGISTRATIONS_URL;
use onramp_core::validate;

const CLIENT_ID: &str = "azure-subs-client-id";
const TENANT_ID: &str = "azure-subs-tenant-id";
pub(super) const SECRET_ID: &str = "azure-subs-secret";
const EXPIRATION_ID: &str = "azure-subs-expiration";
const LIST_ID: &str = "azure-subs-list";
const FILE_ID: &str = "azure-subs-file";
/// A subscription list is small text; a bigger file is not one.
const LIST_MAX_BYTES: u32 = 1024 * 1024;
const LIST_COMMAND: &str = "az account list --all --output json";

fn guid_rule(what: &'static str) -> Callback<String, Option<String>> {
    Callback::new(move |v: String| validate::azure_guid(&v, what).err().map(|e| e.message))
}

#[component]
pub(super) fn DetailsStep(flow: Flow) -> impl IntoView {
    let draft = flow.draft;
    let secret = flow.secret;
    let errors = [(); 5].map(|_| RwSignal::new(None::<String>));
    let [
        client_error,
        tenant_error,
        secret_error,
        expiration_error,
        list_error,
    ] = errors;
    let file_error = RwSignal::new(None::<String>);
    let expiration_rule = crate::components::secret_expiry_rule();
    let list_rule = Callback::new(|v: String| {
        onramp_core::azure_subs::parse_subscriptions(&v)
            .err()
            .map(|e| e.message)
    });
    let secret_warning = crate::components::secret_id_warning(secret);

    let on_file =
        Callback::new(
            move |(_name, bytes): (String, Vec<u8>)| {
                match String::from_utf8(bytes) {
            Ok(text) => {
                file_error.set(None);
                draft.list.set(text);
                list_error.set(list_rule.run(draft.list.get_untracked()));
            }
            Err(_) => file_error.set(Some(
                "This file is not text. Choose the JSON that az account list printed, or a CSV."
                    .into(),
            )),
        }
            },
        );

    let form_errors = FormErrors::new("azure-subs-problems");
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let checks = [
            FieldCheck {
                id: CLIENT_ID,
                value: draft.client_id,
                error: client_error,
                check: guid_rule("Application (client) ID"),
            },
            FieldCheck {
                id: TENANT_ID,
                value: draft.tenant_id,
                error: tenant_error,
                check: guid_rule("Directory (tenant) ID"),
            },
            FieldCheck {
                id: SECRET_ID,
                value: secret,
                error: secret_error,
                check: rule(validate::azure_client_secret),
            },
            FieldCheck {
                id: EXPIRATION_ID,
                value: draft.expiration,
                error: expiration_error,
                check: expiration_rule,
            },
            FieldCheck {
                id: LIST_ID,
                value: draft.list,
                error: list_error,
                check: list_rule,
            },
        ];
        if form_errors.check(&checks) {
            flow.go.run(super::flow::BASE_CHOOSE);
        }
    };

    view! {
        <form class="form azure-connect" novalidate on:submit=on_submit>
            <ErrorSummary errors=form_errors/>
            <ol class="setup-steps">
                <li>
                    <p>
                        "In "
                        <ExternalLink href=APP_REGISTRATIONS_URL>"App registrations"</ExternalLink>
                        ", open (or register) the application Spot will use, and copy its two IDs from its Overview page."
                    </p>
                    <Field
                        id=CLIENT_ID
                        label="Application (client) ID"
                        value=draft.client_id
                        error=client_error
                        check=guid_rule("Application (client) ID")
                        hint="A GUID like 0f8fad5b-d9cb-469f-a165-70867728950e."
                        autocomplete="off"
                    />
                    <Field
                        id=TENANT_ID
                        label="Directory (tenant) ID"
                        value=draft.tenant_id
                        error=tenant_error
                        check=guid_rule("Directory (tenant) ID")
                        hint="Also a GUID. Subscriptions of other directories cannot be connected with this application."
                        autocomplete="off"
                    />
                </li>
                <li>
                    <p>
                        "Under Certificates & secrets, add a client secret and copy its "
                        <strong>"Value"</strong>
                        " (Azure shows it only once), not its Secret ID."
                    </p>
                    <Show when=move || flow.secret_lost && secret.with(String::is_empty)>
                        <p class="azure-secret-note">
                            "Your other answers were kept, but the client secret value never is: paste it again."
                        </p>
                    </Show>
                    <SecretInput
                        id=SECRET_ID
                        label="Client secret value"
                        value=secret
                        error=secret_error
                        check=rule(validate::azure_client_secret)
                        hint="Kept only on this page and sent only to connect; never saved in your browser. After a reload, paste it again."
                        warning=secret_warning
                    />
                    <crate::components::SecretExpiryField
                        id=EXPIRATION_ID
                        value=draft.expiration
                        error=expiration_error
                    />
                </li>
                <li>
                    <p>"List your subscriptions: run this in Cloud Shell (or with the Azure CLI) and paste what it prints, or upload it as a file. A CSV of Id,Name works too."</p>
                    <CodeBlock id="azure-subs-command" label="Azure CLI command" code=Signal::stored(LIST_COMMAND.to_owned()) filename="list-subscriptions.sh"/>
                    <Field
                        id=LIST_ID
                        label="Subscriptions"
                        value=draft.list
                        error=list_error
                        check=list_rule
                        hint="The output of az account list (JSON), or CSV lines of subscription ID and name."
                        autocomplete="off"
                        rows=8
                    />
                    <FileDrop
                        id=FILE_ID
                        label="Or upload the list (JSON or CSV)"
                        accept=".json,.csv,.txt,application/json,text/csv,text/plain"
                        max_bytes=LIST_MAX_BYTES
                        on_file=on_file
                        error=file_error
                    />
                </li>
            </ol>
            <div class="form-actions">
                <Button id="azure-subs-next">"Next"</Button>
            </div>
        </form>
    }
}
