//! The Google Cloud **Linked account** panel of the Connect step: the manual way
//! (Cloud console, recommended) and the automatic way (a gcloud script for the typed project),
//! then one upload of the service account's JSON key, **Validate** and **Connect account**.
//!
//! The parsed key, private key included, lives only in this component's memory: the draft keeps
//! the project, email and key ID to say which file was chosen, so after a reload the user is
//! asked, in words, to choose the file again.

use crate::api::ApiError;
use crate::api::describe;
use crate::components::ExternalLink;
use crate::components::run_busy;
use crate::components::{
    Banner, Button, CodeBlock, CopyButton, Disclosure, Field, FileDrop, Notice, StatusMessage,
    focus_id, rule,
};
use crate::state::draft::{self, ConnectStore};
use crate::state::{Session, use_api};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use onramp_core::dto::GcpServiceAccount;
use onramp_core::gcp_setup::gcloud_script_file_name;
use onramp_core::ids::AccountId;
use onramp_core::onboarding::{GcpConnectDraft, Panel, PanelGroup, Provider};
use onramp_core::validate::{self, GcpKey, KEY_FILE_MAX};

const KEY_ID: &str = "gcp-key";
const BROWSE_ID: &str = "gcp-key-browse";
const PROJECT_ID: &str = "gcp-project-id";
const CONSOLE_URL: &str = "https://console.cloud.google.com/";
const SERVICE_ACCOUNTS_URL: &str = "https://console.cloud.google.com/iam-admin/serviceaccounts";
const CLOUD_SHELL_URL: &str = "https://shell.cloud.google.com/";

#[component]
pub fn GcpConnect(store: ConnectStore) -> impl IntoView {
    let draft = store.keep::<GcpConnectDraft>();
    let session = expect_context::<Session>();
    let api = use_api();

    let own = PanelGroup::Own(Provider::Gcp);
    let linked_open = draft::panel_signal(draft, own, Panel::LinkedAccount);
    let manual_open = draft::panel_signal(draft, own, Panel::Manual);
    let auto_open = draft::panel_signal(draft, own, Panel::Automatic);

    let account_id = Memo::new(move |_| {
        session
            .profile
            .with(|p| p.as_ref().and_then(|p| p.default_account_id.clone()))
    });
    let sa_name = Signal::derive(move || {
        account_id.with(|id| {
            id.as_ref()
                .map(|id| validate::gcp_service_account_name(id.as_str()))
                .unwrap_or_default()
        })
    });

    // ---- automatic: project ID → script ----
    let project = RwSignal::new(draft.with_untracked(|d| d.gcp.project_id_input.clone()));
    let project_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let typed = project.get();
        draft.update(|d| d.gcp.project_id_input = typed);
    });
    let script = Memo::new(move |_| {
        let id = account_id.get()?;
        draft.with(|d| d.gcp.script(&id).ok())
    });
    let script_text = Signal::derive(move || script.get().unwrap_or_default());
    let script_file = Signal::derive(move || {
        project
            .with(|p| validate::gcp_project_id(p).map(|p| gcloud_script_file_name(&p)))
            .unwrap_or_default()
    });

    // ---- the key ----
    // The parsed key, private key included: memory only, never the draft.
    let key = RwSignal::new(None::<GcpKey>);
    let key_error = RwSignal::new(None::<String>);
    let validated = RwSignal::new(None::<String>);
    let banner = RwSignal::new(None::<Notice>);
    let connect_failed = RwSignal::new(false);
    let summary = Memo::new(move |_| draft.with(|d| d.gcp.key.clone()));

    // Counts the files chosen: a validation answered after another file came is not about it.
    let files = crate::state::Changes::new();
    let on_file = Callback::new(move |(_name, bytes): (String, Vec<u8>)| {
        files.bump();
        validated.set(None);
        banner.set(None);
        connect_failed.set(false);
        match validate::gcp_key_file(&bytes) {
            Ok(k) => {
                draft.update(|d| d.gcp.remember_key(&k));
                key.set(Some(k));
                key_error.set(None);
            }
            Err(e) => {
                key.set(None);
                draft.update(|d| d.gcp.forget_key());
                key_error.set(Some(e.message));
            }
        }
    });

    // What both buttons send: the key in memory, else a message at the upload field.
    let ready = move || -> Option<(AccountId, GcpServiceAccount)> {
        let Some(sa) = key.with_untracked(|k| k.as_ref().map(GcpKey::to_service_account)) else {
            if key_error.with_untracked(Option::is_none) {
                key_error.set(Some(if summary.with_untracked(Option::is_some) {
                    "Choose the key file again: keys are not kept when the page reloads.".into()
                } else {
                    "Choose the service account's JSON key file first.".into()
                }));
            }
            focus_id(BROWSE_ID);
            return None;
        };
        let Some(id) = account_id.get_untracked() else {
            banner.set(Some(Notice::new(
                "Your organization's account is still loading. Wait a moment, then try again.",
            )));
            return None;
        };
        banner.set(None);
        validated.set(None);
        Some((id, sa))
    };
    // An API refusal: at the upload field when it is about the key, else a banner.
    let report = move |e: ApiError, doing: &str, again: &str| {
        if let Some(m) = e.field_message("serviceAccount") {
            key_error.try_set(Some(m.to_owned()));
            focus_id(BROWSE_ID);
        } else {
            banner.try_set(Some(Notice {
                text: format!("We couldn't {doing}: {} {again}", describe(&e)),
                request_id: e.request_id().map(str::to_owned),
            }));
        }
    };

    let validating = RwSignal::new(false);
    let connecting = RwSignal::new(false);
    let busy = move || validating.get_untracked() || connecting.get_untracked();
    // One request at a time: every button says so, not only the one that was pressed (the
    // others ignore presses meanwhile).
    let either_busy = Signal::derive(move || validating.get() || connecting.get());
    let on_validate = {
        let api = api.clone();
        Callback::new(move |()| {
            if busy() {
                return;
            }
            let Some((id, sa)) = ready() else {
                return;
            };
            connect_failed.set(false);
            let api = api();
            let sent_for = files.ticket();
            run_busy(validating, async move {
                let answer = api.set_gcp_credentials(&id, &sa, true).await;
                if !files.is_current(sent_for) {
                    return;
                }
                match answer {
                    Ok(()) => {
                        validated.try_set(Some(
                            "Spot accepted this key. Press Connect account to finish.".into(),
                        ));
                    }
                    Err(e) => report(e, "validate the key", "Press Validate to try again."),
                }
            });
        })
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy() {
            return;
        }
        let Some((id, sa)) = ready() else {
            return;
        };
        let api = api();
        store.write(
            Provider::Gcp,
            connecting,
            async move { api.set_gcp_credentials(&id, &sa, false).await },
            move |e| {
                let on_key = e.field_message("serviceAccount").is_some();
                report(e, "connect the account", "Press Try again.");
                connect_failed.set(!on_key);
            },
        );
    };

    let key_view = move || {
        let s = summary.get()?;
        if key.with(Option::is_none) {
            return Some(
                view! {
                    <p class="gcp-key-again" id="gcp-key-again">
                        "Before the page reloaded you chose the key of " <strong>{s.client_email}</strong>
                        " (key ID " <code>{s.private_key_id}</code> "). Keys are never saved in the browser, so choose the file again."
                    </p>
                }
                .into_any(),
            );
        }
        let other = draft.with(|d| d.gcp.typed_project_differs(&s.project_id));
        Some(
            view! {
                <dl class="copy-list gcp-key-summary" id="gcp-key-summary" aria-label="Chosen key">
                    <div><dt>"Project ID"</dt><dd><code>{s.project_id.clone()}</code></dd></div>
                    <div><dt>"Client email"</dt><dd><code>{s.client_email}</code></dd></div>
                    <div><dt>"Key ID"</dt><dd><code>{s.private_key_id}</code></dd></div>
                </dl>
                {other.map(|typed| view! {
                    <p class="gcp-note">
                        "This key belongs to project " <code>{s.project_id}</code> ", not to " <code>{typed}</code>
                        ", the project of the script above. Check that you chose the right file."
                    </p>
                })}
                <p class="muted">"The private key stays in this tab's memory and is sent only to Spot."</p>
            }
            .into_any(),
        )
    };

    view! {
        <Disclosure
            id="gcp-linked"
            title="Linked account"
            expanded=linked_open
            description="Connect a Google Cloud project so Spot can optimize its compute (Elastigroup, Ocean)."
        >
            <p>"Create a service account key one of these two ways, then upload it below."</p>
            <Disclosure id="gcp-manual" title="Manually (recommended)" level=4 expanded=manual_open>
                <ol class="setup-steps">
                    <li>
                        <ExternalLink href=CONSOLE_URL>"Log in to Google Cloud"</ExternalLink>
                        " and select the project to connect."
                    </li>
                    <li>
                        <p>
                            "In " <ExternalLink href=SERVICE_ACCOUNTS_URL>"IAM & Admin → Service accounts"</ExternalLink>
                            ", create a service account with this name:"
                        </p>
                        <p class="copy-line">
                            <code id="gcp-sa-name">{move || sa_name.get()}</code>
                            " "
                            <CopyButton id="gcp-sa-name-copy" value=sa_name what="service account name"/>
                        </p>
                    </li>
                    <li>"Grant it the role " <strong>"Editor"</strong> " on the project (Basic → Editor)."</li>
                    <li>
                        "Open the service account's " <strong>"Keys"</strong> " tab and choose "
                        <strong>"Add key → Create new key → JSON"</strong>
                        ". Your browser downloads the key file."
                    </li>
                    <li>"Upload that file below."</li>
                </ol>
            </Disclosure>
            <Disclosure id="gcp-automatic" title="Automatically (gcloud)" level=4 expanded=auto_open>
                <ol class="setup-steps">
                    <li>
                        <Field
                            id=PROJECT_ID
                            label="GCP project ID"
                            value=project
                            error=project_error
                            check=rule(validate::gcp_project_id)
                            hint="Shown on the project's dashboard, like my-project-123 (not the project number)."
                            autocomplete="off"
                        />
                    </li>
                    <li>
                        {move || match script.with(Option::is_some) {
                            true => view! {
                                <p>"Run this script in "
                                    <ExternalLink href=CLOUD_SHELL_URL>"Cloud Shell"</ExternalLink>
                                    " or any terminal where gcloud is signed in. It creates the service account "
                                    <code>{move || sa_name.get()}</code>
                                    ", a role with the permissions Spot needs, and a key file in the current folder."
                                </p>
                                <CodeBlock
                                    id="gcp-script"
                                    label="gcloud script"
                                    code=script_text
                                    filename=script_file
                                    mime="text/x-shellscript"
                                />
                            }.into_any(),
                            false => view! {
                                <p class="muted" id="gcp-script-pending">
                                    "The script appears here once the project ID is valid."
                                </p>
                            }.into_any(),
                        }}
                    </li>
                    <li>"Upload the key file it writes below, then delete the file from that machine."</li>
                </ol>
            </Disclosure>

            <form class="form gcp-upload" novalidate on:submit=on_submit>
                <h4 class="method-title">"Upload the key"</h4>
                <FileDrop
                    id=KEY_ID
                    label="Service account key (JSON)"
                    accept=".json,application/json"
                    max_bytes=KEY_FILE_MAX as u32
                    on_file=on_file
                    error=key_error
                    hint="The .json file downloaded when the key was created. It is read in this browser and sent only to Spot."
                />
                {key_view}
                <Banner notice=banner/>
                <StatusMessage text=validated/>
                <div class="form-actions">
                    <Button id="gcp-validate" kind="button" variant="secondary" busy=either_busy on_press=on_validate>
                        "Validate"
                    </Button>
                    <Button id="gcp-connect-submit" busy=either_busy>"Connect account"</Button>
                    <Show when=move || connect_failed.get()>
                        <Button busy=either_busy variant="secondary">"Try again"</Button>
                    </Show>
                </div>
            </form>
        </Disclosure>
    }
}
