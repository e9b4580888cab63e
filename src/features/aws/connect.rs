//! The AWS **Linked account** panel of the Connect step: the GovCloud/China
//! question and the console link, then two disclosures: **Automatically (CloudFormation)**
//! (`connect_aws_auto`) and **Manually (IAM console)**: policy (default or customised, see
//! `connect_aws_permissions`), trust (Spot's principal + the external ID), role name,
//! **Role ARN**, **Connect**. Which panels are open is kept in the draft.

use super::automatic::AwsAutomatic;
use super::permissions::AwsPermissions;
use crate::api::describe;
use crate::components::ExternalLink;
use crate::components::notice;
use crate::components::{Banner, CodeBlock, CopyButton, Disclosure, Field, Notice, focus_id};
use crate::platform::clock::now;
use crate::state::draft::{self, ConnectStore};
use crate::state::{Config, Session, use_api};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use onramp_core::aws_setup::{
    SPOT_AWS_ACCOUNT_ID, SPOT_PRINCIPAL, SUGGESTED_ROLE_NAME, console_url, iam_create_role_url,
    iam_policy, trust_policy,
};
use onramp_core::ids::AccountId;
use onramp_core::onboarding::{
    AwsConnectDraft, ConnectDraft, ConnectMethod, Panel, PanelGroup, Provider,
};
use onramp_core::validate::{self, AwsEnvironment};

pub const ROLE_ARN_ID: &str = "aws-role-arn";

fn environment_choice(env: AwsEnvironment) -> (&'static str, &'static str) {
    match env {
        AwsEnvironment::Commercial => ("commercial", "No"),
        AwsEnvironment::GovCloud => ("govcloud", "Yes, AWS GovCloud"),
        AwsEnvironment::China => ("china", "Yes, AWS China"),
    }
}

/// A method panel's open state; opening one makes it the draft's preferred method.
fn method_signal(draft: RwSignal<ConnectDraft>, method: ConnectMethod) -> RwSignal<bool> {
    let open = RwSignal::new(draft.with_untracked(|d| d.aws.panels.is_open(method.panel())));
    Effect::new(move |_| {
        let now = open.get();
        draft.update(|d| d.aws.set_method_open(method, now));
    });
    open
}

#[component]
pub fn AwsConnect(store: ConnectStore) -> impl IntoView {
    let draft = store.keep::<AwsConnectDraft>();
    let session = expect_context::<Session>();
    let api = use_api();

    let config = expect_context::<Config>();
    let principal = config
        .spot_principal
        .clone()
        .unwrap_or_else(|| SPOT_PRINCIPAL.to_owned());
    let spot_account = config
        .spot_aws_account_id
        .clone()
        .unwrap_or_else(|| SPOT_AWS_ACCOUNT_ID.to_owned());

    draft.update(|d| d.aws.init_method_panels());
    let own = PanelGroup::Own(Provider::Aws);
    let linked_open = draft::panel_signal(draft, own, Panel::LinkedAccount);
    let policy_open = draft::panel_signal(draft, own, Panel::Policy);
    let auto_open = method_signal(draft, ConnectMethod::Automatic);
    let manual_open = method_signal(draft, ConnectMethod::Manual);

    let environment = Memo::new(move |_| draft.with(|d| d.aws.environment));
    let partition = Memo::new(move |_| draft.with(|d| d.aws.partition()));
    let account_id = Memo::new(move |_| {
        session
            .profile
            .with(|p| p.as_ref().and_then(|p| p.default_account_id.clone()))
    });

    // ---- external ID ----
    let external_id = Memo::new(move |_| draft.with(|d| d.aws.external_id.clone()));
    let ext_loading = RwSignal::new(false);
    let ext_error = RwSignal::new(None::<Notice>);
    let fetch_external_id = {
        let api = api.clone();
        Callback::new(move |id: AccountId| {
            if ext_loading.get_untracked() {
                return;
            }
            ext_error.set(None);
            ext_loading.set(true);
            let api = api();
            spawn_local_scoped(async move {
                let result = api.aws_external_id(&id).await;
                ext_loading.try_set(false);
                match result {
                    Ok(x) => {
                        draft.try_update(|d| d.aws.external_id = Some(x));
                    }
                    Err(e) => {
                        ext_error.try_set(Some(notice(&e)));
                    }
                }
            });
        })
    };
    Effect::new(move |_| {
        if let Some(id) = account_id.get()
            && draft.with_untracked(|d| d.aws.external_id_needs_refresh(now()))
        {
            fetch_external_id.run(id);
        }
    });
    let external_id_shown =
        Signal::derive(move || external_id.with(|x| x.as_ref().map(|x| x.external_id.clone())));
    let external_id_text = Signal::derive(move || external_id_shown.get().unwrap_or_default());
    let refresh_external_id = Callback::new(move |()| {
        if let Some(id) = account_id.get_untracked() {
            fetch_external_id.run(id);
        }
    });

    // ---- policies ----
    let policy =
        Memo::new(move |_| draft.with(|d| iam_policy(d.aws.partition(), &d.aws.permissions())));
    let policy_text = Signal::derive(move || policy.get().unwrap_or_default());
    let principal_signal = Signal::stored(principal.clone());
    let trust =
        Signal::derive(move || principal_signal.with(|p| trust_policy(p, &external_id_text.get())));

    // ---- role ARN ----
    let role = RwSignal::new(draft.with_untracked(|d| d.aws.role_arn_input.clone()));
    let role_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let typed = role.get();
        draft.update(|d| d.aws.role_arn_input = typed);
    });
    let check_role = Callback::new(move |value: String| {
        validate::role_arn(&value, environment.get_untracked())
            .err()
            .map(|e| e.message)
    });
    // **Paste the role ARN instead** (automatic way): the manual way, at its last step.
    let paste_arn = Callback::new(move |()| {
        manual_open.set(true);
        request_animation_frame(|| focus_id(ROLE_ARN_ID));
    });
    let choose_environment = move |env: AwsEnvironment| {
        draft.update(|d| d.aws.choose_environment(env));
        // The ARN's partition must match the new answer: re-check a message already shown.
        if role_error.with_untracked(Option::is_some) {
            role_error.set(check_role.run(role.get_untracked()));
        }
    };

    // ---- connect ----
    let busy = RwSignal::new(false);
    let banner = RwSignal::new(None::<Notice>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let problem = check_role.run(role.get_untracked());
        role_error.set(problem.clone());
        if problem.is_some() {
            focus_id(ROLE_ARN_ID);
            return;
        }
        let Some(id) = account_id.get_untracked() else {
            banner.set(Some(Notice::new(
                "Your organization's account is still loading. Wait a moment, then try again.",
            )));
            return;
        };
        if draft.with_untracked(|d| d.aws.external_id_needs_refresh(now())) {
            fetch_external_id.run(id);
            // No ID yet is not an expired one: the role cannot trust an ID the page never showed.
            let text = if external_id.with_untracked(Option::is_none) {
                "The external ID is still loading. Put it in the role's trust policy once it shows above, then press Connect again."
            } else {
                "The external ID had expired, so a new one is shown above. Put it in the role's trust policy, then press Connect again."
            };
            banner.set(Some(Notice::new(text)));
            return;
        }
        let Ok(arn) = draft.with_untracked(|d| d.aws.role_arn()) else {
            return;
        };
        banner.set(None);
        // **Try again** goes with the message.
        crate::components::keep_focus_in("aws-connect-actions");
        let api = api();
        let sent = id.clone();
        store.write(
            Provider::Aws,
            busy,
            async move { api.set_aws_credentials(&sent, &arn.to_string()).await },
            move |e| {
                if let Some(m) = e.field_message("credentials.iamRole") {
                    role_error.set(Some(m.to_owned()));
                    focus_id(ROLE_ARN_ID);
                } else if let Some(m) = e.field_message("accountId") {
                    // The external ID expired or is missing on the server: show a new one.
                    banner.set(Some(Notice {
                        text: m.to_owned(),
                        request_id: e.request_id().map(str::to_owned),
                    }));
                    fetch_external_id.run(id);
                } else {
                    banner.set(Some(Notice {
                        text: format!(
                            "We couldn't connect the account: {} A new IAM role can take a minute to be usable; wait a moment, then press Try again.",
                            describe(&e)
                        ),
                        request_id: e.request_id().map(str::to_owned),
                    }));
                }
            },
        );
    };

    let environments = AwsEnvironment::ALL
        .into_iter()
        .map(|env| {
            let (slug, label) = environment_choice(env);
            let id = format!("aws-environment-{slug}");
            view! {
                <div class="radio-row">
                    <input
                        type="radio"
                        id=id.clone()
                        name="aws-environment"
                        value=slug
                        prop:checked=move || environment.get() == env
                        on:change=move |_| choose_environment(env)
                    />
                    <label for=id>{label}</label>
                </div>
            }
        })
        .collect_view();

    view! {
        <Disclosure
            id="aws-linked"
            title="Linked account"
            expanded=linked_open
            description="Connect an AWS account so Spot can optimize its compute (Elastigroup, Ocean)."
        >
            <fieldset class="field radio-group">
                <legend class="field-label">"Are you connecting an AWS GovCloud or China account?"</legend>
                {environments}
            </fieldset>
            <p>
                <ExternalLink href=Signal::derive(move || console_url(partition.get()))>
                    "Log in to AWS account"
                </ExternalLink>
                " with a user that may create IAM roles and policies, then choose a way to connect."
            </p>

            <Disclosure id="aws-automatic" title="Automatically (CloudFormation)" level=4 expanded=auto_open>
                <AwsAutomatic
                    draft=draft
                    account_id=account_id
                    external_id=external_id_shown
                    principal=principal_signal
                    refresh_external_id=refresh_external_id
                    on_connected=store.on_connected
                    on_paste_arn=paste_arn
                />
            </Disclosure>

            <Disclosure id="aws-manual" title="Manually (IAM console)" level=4 expanded=manual_open>
            <form class="form aws-manual" novalidate on:submit=on_submit>
                <ol class="setup-steps">
                    <li>
                        <p>"Create a policy with the permissions Spot needs (JSON tab of the IAM policy editor)."</p>
                        <AwsPermissions draft=draft on_customize=Callback::new(move |()| policy_open.set(true))/>
                        <Disclosure id="aws-policy" title="View policy" level=5 expanded=policy_open>
                            <Show
                                when=move || policy.with(Result::is_ok)
                                fallback=move || view! {
                                    <p class="muted">{move || policy.get().err().map(|e| e.to_string())}</p>
                                }
                            >
                                <CodeBlock
                                    id="aws-policy-json"
                                    label="Permission policy"
                                    code=policy_text
                                    filename="spot-policy.json"
                                    mime="application/json"
                                />
                            </Show>
                        </Disclosure>
                    </li>
                    <li>
                        <p>
                            <ExternalLink href=Signal::derive(move || iam_create_role_url(partition.get()))>
                                "Create a role"
                            </ExternalLink>
                            " for another AWS account that trusts Spot, requires the external ID, and has the policy above attached."
                        </p>
                        <dl class="copy-list">
                            <div>
                                <dt>"Spot's AWS account"</dt>
                                <dd>
                                    <code>{spot_account.clone()}</code>
                                    <CopyButton id="aws-spot-account" value=Signal::stored(spot_account) what="Spot's AWS account"/>
                                </dd>
                            </div>
                            <div>
                                <dt>"Spot's principal"</dt>
                                <dd>
                                    <code>{principal.clone()}</code>
                                    <CopyButton id="aws-principal" value=principal_signal what="Spot's principal"/>
                                </dd>
                            </div>
                            <div>
                                <dt>"External ID"</dt>
                                // Focus waits here while Generate again (which goes) runs.
                                <dd id="aws-external-id-cell" tabindex="-1">
                                    {move || match external_id.get() {
                                        Some(x) => {
                                            let until = x.max_valid_until.clone();
                                            view! {
                                                <code id="aws-external-id">{x.external_id.clone()}</code>
                                                <CopyButton id="aws-external-id-copy" value=external_id_text what="external ID"/>
                                                <span class="muted expiry">
                                                    "Valid until " <time datetime=until.clone()>{format!("{} UTC", until.get(..16).unwrap_or(&until).replace('T', " "))}</time>
                                                    ". A new one is made when it expires."
                                                </span>
                                            }.into_any()
                                        }
                                        None if ext_error.with(Option::is_some) => ().into_any(),
                                        None => view! { <span class="muted" role="status">"Generating the external ID…"</span> }.into_any(),
                                    }}
                                    <Banner notice=ext_error/>
                                    <Show when=move || ext_error.with(Option::is_some)>
                                        <crate::components::RetryButton heading="aws-external-id-cell" on_retry=refresh_external_id>
                                            "Generate the external ID again"
                                        </crate::components::RetryButton>
                                    </Show>
                                </dd>
                            </div>
                        </dl>
                        <Show when=move || external_id.with(Option::is_some)>
                            <CodeBlock
                                id="aws-trust-json"
                                label="Trust policy"
                                code=trust
                                filename="spot-trust-policy.json"
                                mime="application/json"
                            />
                        </Show>
                    </li>
                    <li>
                        <p>"Name the role; we suggest "
                            <code>{SUGGESTED_ROLE_NAME}</code> " "
                            <CopyButton id="aws-role-name" value=Signal::stored(SUGGESTED_ROLE_NAME.to_owned()) what="role name"/>
                        </p>
                    </li>
                    <li>
                        <p>"Copy the role's ARN from its Summary page (or "
                            <code>"SpotinstRoleArn"</code>
                            " from the stack's Outputs tab) and paste it here."</p>
                        <Field
                            id=ROLE_ARN_ID
                            label="Role ARN"
                            value=role
                            error=role_error
                            check=check_role
                            hint="For example arn:aws:iam::123456789012:role/Spot-Role"
                            autocomplete="off"
                        />
                    </li>
                </ol>
                <Banner notice=banner/>
                <div class="form-actions" id="aws-connect-actions">
                    <crate::components::Button busy=busy>"Connect"</crate::components::Button>
                    <Show when=move || banner.try_with(Option::is_some).unwrap_or(false)>
                        <crate::components::Button busy=busy variant="secondary">"Try again"</crate::components::Button>
                    </Show>
                </div>
            </form>
            </Disclosure>

            // A third way, for many accounts: its own flow, linked by URL only. A page load
            // (rel=external): the wizard around this panel sends any path it does not know back
            // to its own step. Not inside a partner portal: the frame is for one linked account,
            // and a page load there starts the portal's flow again (a new `init` drops the drafts).
            <Show when=|| !crate::state::embed::is_embedded()>
                <p class="org-entry">
                    "Many AWS accounts? "
                    <a href="/accounts/new/aws-organization" rel="external">"Connect a whole AWS Organization"</a>
                    ": one Spot account per member account, and one StackSet that connects them all."
                </p>
            </Show>
        </Disclosure>
    }
}
