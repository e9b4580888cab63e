//! The Azure **Subscription** panel of the Connect step: register an
//! application, its IDs, a client secret (value + expiration), the subscription, the custom
//! role (**Export JSON policy**) and its assignment, **Validate**, **Connect account**.
//!
//! The client secret lives only in this component's memory: the draft (sessionStorage) has no
//! field for it, so after a reload the user pastes it again, and the panel says so.

use crate::api::ApiError;
use crate::api::describe;
use crate::components::ExternalLink;
use crate::components::run_busy;
use crate::components::{
    Banner, Button, CodeBlock, CopyButton, Disclosure, ErrorSummary, Field, FormErrors, Notice,
    Problem, SecretExpiryField, SecretInput, StatusMessage, download_text, focus_id, problems,
    rule,
};
use crate::platform::clock::today;
use crate::state::draft::ConnectStore;
use crate::state::{Session, use_api};
use leptos::prelude::*;
use onramp_core::azure_setup::{
    APP_REGISTRATIONS_URL, PORTAL_URL, REDIRECT_URI, ROLE_FILE_NAME, custom_role_definition,
    role_commands,
};
use onramp_core::onboarding::{AzureConnectDraft, AzureField, ConnectDraft, Panel, Provider};
use onramp_core::validate;

const CLIENT_ID: &str = "azure-client-id";
const TENANT_ID: &str = "azure-tenant-id";
const SECRET_ID: &str = "azure-client-secret";
const EXPIRATION_ID: &str = "azure-secret-expiration";
const SUBSCRIPTION_ID: &str = "azure-subscription-id";

fn input_id(field: AzureField) -> &'static str {
    match field {
        AzureField::ClientId => CLIENT_ID,
        AzureField::TenantId => TENANT_ID,
        AzureField::ClientSecret => SECRET_ID,
        AzureField::ExpirationDate => EXPIRATION_ID,
        AzureField::SubscriptionId => SUBSCRIPTION_ID,
    }
}

/// The API's name for a field (`body.<name>` in Spot errors).
fn api_name(field: AzureField) -> &'static str {
    match field {
        AzureField::ClientId => "clientId",
        AzureField::TenantId => "tenantId",
        AzureField::ClientSecret => "clientSecret",
        AzureField::ExpirationDate => "expirationDate",
        AzureField::SubscriptionId => "subscriptionId",
    }
}

const FIELDS: [AzureField; 5] = [
    AzureField::ClientId,
    AzureField::TenantId,
    AzureField::ClientSecret,
    AzureField::ExpirationDate,
    AzureField::SubscriptionId,
];

/// A text input kept in the draft (so a reload keeps it).
fn draft_text(
    draft: RwSignal<ConnectDraft>,
    get: fn(&AzureConnectDraft) -> &String,
    set: fn(&mut AzureConnectDraft) -> &mut String,
) -> RwSignal<String> {
    let value = RwSignal::new(draft.with_untracked(|d| get(&d.azure).clone()));
    Effect::new(move |_| {
        let typed = value.get();
        if draft.with_untracked(|d| *get(&d.azure) != typed) {
            draft.update(|d| *set(&mut d.azure) = typed);
        }
    });
    value
}

fn guid_rule(field: AzureField) -> Callback<String, Option<String>> {
    Callback::new(move |v: String| {
        validate::azure_guid(&v, field.label())
            .err()
            .map(|e| e.message)
    })
}

#[component]
pub fn AzureConnect(store: ConnectStore) -> impl IntoView {
    let draft = store.keep::<AzureConnectDraft>();
    let session = expect_context::<Session>();
    let api = use_api();
    let account_id = Memo::new(move |_| {
        session
            .profile
            .with(|p| p.as_ref().and_then(|p| p.default_account_id.clone()))
    });

    // Open on a first visit; afterwards as the user left it.
    let open = RwSignal::new(
        draft.with_untracked(|d| d.azure.is_blank() || d.azure.panels.is_open(Panel::Subscription)),
    );
    Effect::new(move |_| {
        let now = open.get();
        draft.update(|d| d.azure.panels.set_open(Panel::Subscription, now));
    });

    let client_id = draft_text(draft, |z| &z.client_id_input, |z| &mut z.client_id_input);
    let tenant_id = draft_text(draft, |z| &z.tenant_id_input, |z| &mut z.tenant_id_input);
    let expiration = draft_text(
        draft,
        |z| &z.expiration_date_input,
        |z| &mut z.expiration_date_input,
    );
    let subscription_id = draft_text(
        draft,
        |z| &z.subscription_id_input,
        |z| &mut z.subscription_id_input,
    );
    // Memory only: never in the draft, storage, the URL or a log.
    let secret = RwSignal::new(String::new());
    let revealed = RwSignal::new(false);
    // Something was typed before this panel was (re)built — a reload, or a visit to another
    // provider — so the secret, which is never kept, has to be pasted again.
    let secret_lost = draft.with_untracked(|d| d.azure.has_typed_input());

    let errors = FIELDS.map(|_| RwSignal::new(None::<String>));
    let error_of = move |field: AzureField| errors[field as usize];
    let secret_warning = crate::components::secret_id_warning(secret);

    // ---- custom role ----
    let valid_subscription = Memo::new(move |_| draft.with(|d| d.azure.subscription_id().ok()));
    let role_json = Signal::derive(move || {
        valid_subscription
            .with(|s| s.as_deref().map(custom_role_definition))
            .unwrap_or_default()
    });
    let commands = Memo::new(move |_| {
        draft.with(|d| {
            let z = &d.azure;
            Some(role_commands(
                &z.client_id().ok()?,
                &z.subscription_id().ok()?,
            ))
        })
    });
    let exported = RwSignal::new(None::<String>);
    let export = move || {
        let Some(sub) = valid_subscription.get_untracked() else {
            let problem =
                guid_rule(AzureField::SubscriptionId).run(subscription_id.get_untracked());
            error_of(AzureField::SubscriptionId).set(problem);
            focus_id(SUBSCRIPTION_ID);
            return;
        };
        let json = custom_role_definition(&sub);
        let saved = download_text(ROLE_FILE_NAME, "application/json", &json).is_ok();
        exported.set(Some(if saved {
            format!("Saved {ROLE_FILE_NAME}, scoped to subscription {sub}.")
        } else {
            "Your browser did not save the file. Copy the role definition below instead.".to_owned()
        }));
    };
    Effect::new(move |_| {
        // A new subscription ID makes an earlier export stale.
        subscription_id.track();
        exported.set(None);
    });

    // ---- validate and connect ----
    let busy = RwSignal::new(false);
    let banner = RwSignal::new(None::<Notice>);
    // The banner is about a failed Connect (not a Validate): offer **Try again**.
    let retry = RwSignal::new(false);
    let validated = RwSignal::new(None::<String>);
    // Any change after a validation makes its answer stale, and so does a change made while one
    // is on its way: that answer is dropped (a count of changes says so).
    let changes = crate::state::Changes::new();
    Effect::new(move |_| {
        client_id.track();
        tenant_id.track();
        subscription_id.track();
        secret.track();
        changes.bump();
        validated.set(None);
    });

    let errors = FormErrors::new("azure-problems");
    // The messages of one check: every field it covers gets its message or none; focus goes
    // to the problem (the summary of several). Validate does not cover the expiration date.
    let show_problems = move |problems: &[(AzureField, validate::FieldError)], with_date: bool| {
        for f in FIELDS {
            if f == AzureField::ExpirationDate && !with_date {
                continue;
            }
            let msg = problems
                .iter()
                .find(|(p, _)| *p == f)
                .map(|(_, e)| e.message.clone());
            error_of(f).set(msg);
        }
        errors.report(Problem::from_refusals(problems, input_id));
    };
    // An API error: onto its field when it names one, else the banner.
    let show_api_error = move |e: &ApiError, connecting: bool| {
        let refused = problems(FIELDS.map(|f| {
            let m = e.field_message(api_name(f)).map(str::to_owned);
            if m.is_some() {
                error_of(f).try_set(m.clone());
            }
            (input_id(f), m)
        }));
        if !errors.report(refused) {
            return;
        }
        let text = if connecting {
            format!(
                "We couldn't connect the subscription: {} A new role assignment can take a few minutes to apply; wait a moment, then press Try again.",
                describe(e)
            )
        } else {
            format!("Validation failed: {}", describe(e))
        };
        retry.try_set(connecting);
        banner.try_set(Some(Notice {
            text,
            request_id: e.request_id().map(str::to_owned),
        }));
    };

    let submit = {
        let api = api.clone();
        move |connect: bool| {
            if busy.get_untracked() {
                return;
            }
            let result = secret.with_untracked(|s| {
                draft.with_untracked(|d| {
                    if connect {
                        d.azure.credentials(s, &today())
                    } else {
                        d.azure.validation_request(s)
                    }
                })
            });
            let creds = match result {
                Ok(c) => c,
                Err(problems) => {
                    show_problems(&problems, connect);
                    return;
                }
            };
            show_problems(&[], connect);
            let Some(id) = account_id.get_untracked() else {
                banner.set(Some(Notice::new(
                    "Your organization's account is still loading. Wait a moment, then try again.",
                )));
                return;
            };
            banner.set(None);
            retry.set(false);
            // **Try again** goes with the message.
            crate::components::keep_focus_in("azure-connect-actions");
            validated.set(None);
            let api = api();
            // Validating writes nothing: only a Connect holds Change provider back.
            if connect {
                store.write(
                    Provider::Azure,
                    busy,
                    async move { api.set_azure_credentials(&id, &creds, false).await },
                    move |e| show_api_error(&e, true),
                );
                return;
            }
            let sent_at = changes.ticket();
            run_busy(busy, async move {
                let answer = api.set_azure_credentials(&id, &creds, true).await;
                if !changes.is_current(sent_at) {
                    return;
                }
                match answer {
                    Ok(()) => {
                        validated.try_set(Some(
                            "Validation passed: these details were accepted. Press Connect account to finish."
                                .to_owned(),
                        ));
                    }
                    Err(e) => show_api_error(&e, false),
                }
            });
        }
    };
    let on_validate = {
        let submit = submit.clone();
        Callback::new(move |()| submit(false))
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit(true);
    };

    view! {
        <Disclosure
            id="azure-subscription"
            title="Subscription"
            expanded=open
            description="Connect an Azure subscription so Spot can optimize its compute (virtual machines and scale sets)."
        >
            <form class="form azure-connect" novalidate on:submit=on_submit>
                <ErrorSummary errors/>
                <ol class="setup-steps">
                    <li>
                        // In a paragraph: the step is a grid, which would put the link and the
                        // rest of the sentence on lines of their own.
                        <p>
                            <ExternalLink href=PORTAL_URL>"Log in to Azure portal"</ExternalLink>
                            " with a user who may register applications and manage access to the subscription."
                        </p>
                    </li>
                    <li>
                        <p>
                            "In "
                            <ExternalLink href=APP_REGISTRATIONS_URL>"App registrations"</ExternalLink>
                            ", register a new application for Spot (single tenant). As its redirect URI choose Web and enter:"
                        </p>
                        <dl class="copy-list">
                            <div>
                                <dt>"Redirect URI"</dt>
                                <dd>
                                    <code>{REDIRECT_URI}</code>
                                    <CopyButton id="azure-redirect-uri" value=Signal::stored(REDIRECT_URI.to_owned()) what="redirect URI"/>
                                </dd>
                            </div>
                        </dl>
                    </li>
                    <li>
                        <p>"From the application's Overview page, copy these two IDs."</p>
                        <Field
                            id=CLIENT_ID
                            label="Application (client) ID"
                            value=client_id
                            error=error_of(AzureField::ClientId)
                            check=guid_rule(AzureField::ClientId)
                            hint="A GUID like 0f8fad5b-d9cb-469f-a165-70867728950e."
                            autocomplete="off"
                        />
                        <Field
                            id=TENANT_ID
                            label="Directory (tenant) ID"
                            value=tenant_id
                            error=error_of(AzureField::TenantId)
                            check=guid_rule(AzureField::TenantId)
                            hint="Also a GUID, listed under the application (client) ID."
                            autocomplete="off"
                        />
                    </li>
                    <li>
                        <p>
                            "Under Certificates & secrets, add a new client secret. Copy its "
                            <strong>"Value"</strong>
                            " straight away (Azure shows it only once), not its Secret ID."
                        </p>
                        <Show when=move || secret_lost && secret.with(String::is_empty)>
                            <p class="azure-secret-note" id="azure-secret-note">
                                "Your other answers were kept, but the client secret value never is: paste it again."
                            </p>
                        </Show>
                        <SecretInput
                            id=SECRET_ID
                            label="Client secret value"
                            value=secret
                            error=error_of(AzureField::ClientSecret)
                            check=rule(validate::azure_client_secret)
                            hint="Kept only on this page and sent only to connect; never saved in your browser. After a reload, paste it again."
                            warning=secret_warning
                            revealed=revealed
                        />
                        <SecretExpiryField
                            id=EXPIRATION_ID
                            value=expiration
                            error=error_of(AzureField::ExpirationDate)
                        />
                    </li>
                    <li>
                        <p>"Copy the ID of the subscription to connect from the portal's Subscriptions page."</p>
                        <Field
                            id=SUBSCRIPTION_ID
                            label="Subscription ID"
                            value=subscription_id
                            error=error_of(AzureField::SubscriptionId)
                            check=guid_rule(AzureField::SubscriptionId)
                            hint="A GUID like 16fd2706-8baf-433b-82eb-8c7fada847da."
                            autocomplete="off"
                        />
                    </li>
                    <li>
                        <p>
                            "Create a custom role with the permissions Spot needs, limited to this subscription, and assign it to the application."
                        </p>
                        <div class="form-actions">
                            <Button kind="button" variant="secondary" id="azure-export-role" on_press=Callback::new(move |()| export())>
                                "Export JSON policy"
                            </Button>
                        </div>
                        <StatusMessage text=exported/>
                        <Show
                            when=move || valid_subscription.with(Option::is_some)
                            fallback=|| view! {
                                <p class="muted">"Enter the Subscription ID above to see the role definition scoped to it."</p>
                            }
                        >
                            <CodeBlock
                                id="azure-role-json"
                                label="Custom role definition"
                                code=role_json
                                filename=ROLE_FILE_NAME
                                mime="application/json"
                            />
                        </Show>
                        <p>
                            "Open Cloud Shell (Bash) in the portal, upload " <code>{ROLE_FILE_NAME}</code>
                            " and run these commands: the first creates the role, the second assigns it to the application on the subscription."
                        </p>
                        {move || match commands.get() {
                            Some(c) => view! {
                                <CodeBlock
                                    id="azure-role-commands"
                                    label="Cloud Shell commands"
                                    code=Signal::stored(c)
                                    filename="spot-role-commands.sh"
                                />
                            }.into_any(),
                            None => view! {
                                <p class="muted">"Enter the Application (client) ID and the Subscription ID above to get the commands."</p>
                            }.into_any(),
                        }}
                        <p class="muted">
                            "Prefer the portal? On the subscription's Access control (IAM) page, add a role assignment: choose the role named “Spot connector (…)”, then select the application as the member."
                        </p>
                    </li>
                    <li>
                        <p>"Check the details, then connect."</p>
                        <Button kind="button" variant="secondary" id="azure-validate" busy=busy on_press=on_validate>
                            "Validate"
                        </Button>
                        <StatusMessage text=validated/>
                    </li>
                </ol>
                <Banner notice=banner/>
                <div class="form-actions" id="azure-connect-actions">
                    <Button busy=busy id="azure-connect">"Connect account"</Button>
                    <Show when=move || retry.get() && banner.with(Option::is_some)>
                        <Button busy=busy variant="secondary">"Try again"</Button>
                    </Show>
                </div>
            </form>
        </Disclosure>
    }
}
