//! The organization's accounts: what the console knows about them (the listing, which one is
//! the management account, Azure secrets' expiry), the dashboard's accounts table with its
//! sorting, filter and row actions (Resume setup, Rename, Update credentials, Delete), and the
//! account the user is working in.

use crate::api::describe;
use crate::api::{Api, ApiError};
use crate::components::notice;
use crate::components::run_busy;
use crate::components::still_showing;
use crate::components::{
    Banner, Button, CopyButton, Field, LazyDialogs, Modal, Notice, StatusMessage, focus_id,
    provider_logo, provider_name,
};
use crate::platform::clock::{now, today};
use crate::platform::tasks::Tasks;
use crate::state::connected::connected_at;
use crate::state::{CurrentAccount, Loads, Session};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use onramp_core::account_status::AccountStatus;
use onramp_core::accounts_view::{self, AccountFacts, AccountRow, Sort, SortKey};
use onramp_core::dto::{Account, AzureCredentials, CloudProvider, UpdateAccount};
use onramp_core::ids::AccountId;
use onramp_core::onboarding::AccountKind;
use onramp_core::validate;
use serde::Deserialize;

// ---- what the console knows ---------------------------------------------------------------------

/// The slice of `GET /api/onramp/management` (ours) the dashboard uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagementInfo {
    pub account_id: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub azure: Option<ManagementAzure>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagementAzure {
    #[serde(default)]
    pub expiration_date: String,
}

/// Everything the table, the cards and the menu show.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgAccounts {
    pub accounts: Vec<Account>,
    pub management: Option<ManagementInfo>,
    /// Azure client secrets' expiration dates, per account.
    pub expiries: Vec<(AccountId, String)>,
}

impl OrgAccounts {
    pub fn facts(&self, id: &AccountId) -> AccountFacts {
        let mgmt = self
            .management
            .as_ref()
            .filter(|m| m.account_id == id.as_str());
        let expiry = self
            .expiries
            .iter()
            .find(|(a, _)| a == id)
            .map(|(_, e)| e.clone())
            .or_else(|| {
                mgmt.and_then(|m| m.azure.as_ref())
                    .map(|z| z.expiration_date.clone())
                    .filter(|e| !e.is_empty())
            });
        AccountFacts {
            kind: if mgmt.is_some() {
                AccountKind::Management
            } else {
                AccountKind::Linked
            },
            credential_expiry: expiry,
            connected_at: match mgmt {
                Some(m) => Some(m.created_at.clone()),
                None => connected_at(id),
            },
        }
    }

    pub fn rows(&self) -> Vec<AccountRow> {
        accounts_view::rows(&self.accounts, |id| self.facts(id), now())
    }
}

/// The management account, if the organization has one. Spot's own API has no such route
/// (404): then none is known.
pub async fn load_management(api: &Api) -> Result<Option<ManagementInfo>, ApiError> {
    api.management_summary::<ManagementInfo>().await
}

/// The listing, the management account and each Azure account's secret expiry. A failure to
/// read an expiry fails the whole load (with a retry): showing "Connected" for a secret that
/// may be expiring would not be true.
pub async fn load_org(api: &Api) -> Result<OrgAccounts, ApiError> {
    let accounts = api.list_accounts().await?;
    let management = load_management(api).await?;
    let mut expiries = Vec::new();
    for a in accounts
        .iter()
        .filter(|a| a.cloud_provider == Some(CloudProvider::Azure))
    {
        match api.get_azure_credentials(&a.account_id).await {
            Ok(c) => {
                if let Some(e) = c.expiration_date.filter(|e| !e.is_empty()) {
                    expiries.push((a.account_id.clone(), e));
                }
            }
            // No stored subscription credentials (e.g. an Azure billing account): no expiry.
            Err(ApiError::Decode) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(OrgAccounts {
        accounts,
        management,
        expiries,
    })
}

// ---- small views --------------------------------------------------------------------------------

/// The provider's logo (decorative) and name; "—" with a hidden "not connected" when none.
pub fn provider_cell(p: Option<CloudProvider>) -> AnyView {
    match p {
        Some(p) => view! {
            <span class="provider-cell">
                <img class="provider-icon" src=provider_logo(p) alt="" width="20" height="20"/>
                {provider_name(p)}
            </span>
        }
        .into_any(),
        None => view! { <span class="muted">"None yet"</span> }.into_any(),
    }
}

pub fn status_pill(status: AccountStatus) -> impl IntoView {
    let class = match status {
        AccountStatus::Connected => "pill pill-ok",
        AccountStatus::Pending | AccountStatus::NotConnected => "pill pill-neutral",
        AccountStatus::ExpiresIn { .. } => "pill pill-warn",
        AccountStatus::Expired => "pill pill-danger",
    };
    view! { <span class=class data-status=status.slug()>{status.label()}</span> }
}

// ---- the table ------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialog {
    Rename,
    Credentials,
    Delete,
}

/// The accounts a page shows (`None` while loading), and their loads: the page's own changes
/// (a rename, a delete) are counted there, so that a load on its way meanwhile can't bring back
/// the old name or the deleted row.
#[derive(Clone, Copy)]
pub struct OrgData {
    pub data: RwSignal<Option<OrgAccounts>>,
    pub loads: Loads,
}

impl OrgData {
    pub fn new() -> Self {
        Self {
            data: RwSignal::new(None),
            loads: Loads::new(),
        }
    }

    /// A change this page made (the server has it already).
    fn edit(self, change: impl FnOnce(&mut OrgAccounts)) {
        self.loads.edited();
        self.data.try_update(|d| d.as_mut().map(change));
    }
}

impl Default for OrgData {
    fn default() -> Self {
        Self::new()
    }
}

/// The accounts table with its filter and row actions. `org` is loaded by the page (it also
/// feeds the cards); `reload` asks for a fresh load after a change.
#[component]
pub fn AccountsTable(org: OrgData, reload: Callback<()>) -> impl IntoView {
    let data = org.data;
    let filter = RwSignal::new(String::new());
    let sort = RwSignal::new(Sort::default());
    let all_rows = Memo::new(move |_| data.with(|d| d.as_ref().map(OrgAccounts::rows)));
    let shown = Memo::new(move |_| {
        all_rows.with(|r| {
            r.as_ref()
                .map(|r| accounts_view::visible_rows(r, &filter.get(), sort.get()))
        })
    });
    let current = use_context::<CurrentAccount>();
    // Viewers see the table without the buttons the server would refuse them.
    let read_only = {
        let session = expect_context::<Session>();
        Memo::new(move |_| session.is_viewer())
    };

    // One dialog of each kind, aimed at a row.
    let target = RwSignal::new(None::<AccountRow>);
    let open_rename = RwSignal::new(false);
    let open_creds = RwSignal::new(false);
    let open_delete = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    let show = move |row: AccountRow, d: Dialog| {
        done.set(None);
        target.set(Some(row));
        match d {
            Dialog::Rename => open_rename.set(true),
            Dialog::Credentials => open_creds.set(true),
            Dialog::Delete => open_delete.set(true),
        }
    };

    let headers = move || {
        SortKey::ALL
        .into_iter()
        .map(|key| {
            view! {
                <th scope="col" aria-sort=move || sort.get().aria_sort(key)>
                    <button type="button" class="sort-button" on:click=move |_| sort.update(|s| *s = s.clicked(key))>
                        {key.label()}
                        <span class="sort-icon" aria-hidden="true">
                            {move || match sort.get().aria_sort(key) {
                                "ascending" => "▲",
                                "descending" => "▼",
                                _ => "↕",
                            }}
                        </span>
                    </button>
                </th>
            }
        })
        .collect_view()
    };

    let row_view = move |row: AccountRow| {
        let id = row.account.account_id.clone();
        let name = row.account.name.clone();
        let created = row
            .account
            .created_at
            .get(..10)
            .unwrap_or(&row.account.created_at)
            .to_owned();
        let is_current = {
            let id = id.clone();
            move || current.and_then(|c| c.0.get()).as_ref() == Some(&id)
        };
        let resume =
            (row.status == AccountStatus::NotConnected).then(|| format!("/accounts/{id}/setup"));
        let azure_linked = row.account.cloud_provider == Some(CloudProvider::Azure)
            && row.kind == AccountKind::Linked;
        // An Azure billing (management) account's secret is renewed on its own page, which
        // sends the registration again.
        let azure_billing = row.kind == AccountKind::Management && row.credential_expiry.is_some();
        let n5 = name.clone();
        let (r1, r2, r3) = (row.clone(), row.clone(), row.clone());
        let n1 = name.clone();
        let n2 = name.clone();
        let n3 = name.clone();
        let n4 = name.clone();
        view! {
            <tr data-account-id=id.to_string()>
                <th scope="row" class="account-name-cell">
                    {name.clone()}
                    <Show when=is_current.clone()>
                        <span class="pill pill-neutral current-pill">"Current"</span>
                    </Show>
                    {row.is_default.then(|| view! { <span class="muted default-note">" (default)"</span> })}
                </th>
                <td class="id-cell">
                    <code>{id.to_string()}</code>
                    <CopyButton id=format!("copy-{id}") value=Signal::stored(id.to_string()) what="account ID"/>
                </td>
                <td>{provider_cell(row.account.cloud_provider)}</td>
                <td>{row.kind.label()}</td>
                <td>{status_pill(row.status)}</td>
                <td><time datetime=row.account.created_at.clone()>{created}</time></td>
                <td class="row-actions"><div class="row-actions-list">
                    {resume.map(|href| view! {
                        <a class="btn btn-primary btn-small" href=href>
                            "Resume setup"<span class="sr-only">" for " {n1.clone()}</span>
                        </a>
                    })}
                    <button type="button" class="btn btn-secondary btn-small" on:click=move |_| show(r1.clone(), Dialog::Rename)>
                        "Rename"<span class="sr-only">" " {n2.clone()}</span>
                    </button>
                    {azure_linked.then(|| view! {
                        <button type="button" class="btn btn-secondary btn-small" on:click=move |_| show(r2.clone(), Dialog::Credentials)>
                            "Update credentials"<span class="sr-only">" for " {n3.clone()}</span>
                        </button>
                    })}
                    {azure_billing.then(|| view! {
                        <a class="btn btn-secondary btn-small" href="/management/azure">
                            "Update credentials"<span class="sr-only">" for " {n5.clone()}</span>
                        </a>
                    })}
                    <button type="button" class="btn btn-danger btn-small" on:click=move |_| show(r3.clone(), Dialog::Delete)>
                        "Delete"<span class="sr-only">" " {n4.clone()}</span>
                    </button>
                </div></td>
            </tr>
        }
    };

    let count_text = move || {
        let total = all_rows.with(|r| r.as_ref().map_or(0, Vec::len));
        let n = shown.with(|r| r.as_ref().map_or(0, Vec::len));
        if filter.with(|f| f.trim().is_empty()) {
            None
        } else if n == 0 {
            Some(format!("No account matches “{}”.", filter.get().trim()))
        } else {
            Some(format!(
                "Showing {n} of {}.",
                onramp_core::text::count(total as u64, "account", "accounts")
            ))
        }
    };

    view! {
        <section class="card accounts-card" aria-labelledby="accounts-heading">
            <div class="accounts-head">
                <h2 id="accounts-heading" tabindex="-1">"Accounts"</h2>
                <div class="field filter-field">
                    <label class="field-label" for="accounts-filter">"Filter accounts"</label>
                    <input
                        id="accounts-filter"
                        type="search"
                        class="input"
                        autocomplete="off"
                        aria-describedby="accounts-filter-hint"
                        prop:value=move || filter.get()
                        on:input=move |ev| filter.set(event_target_value(&ev))
                    />
                    <span id="accounts-filter-hint" class="field-hint">"By name, account ID or cloud account"</span>
                </div>
            </div>
            <StatusMessage text=Signal::derive(count_text)/>
            <StatusMessage text=done/>
            {move || match shown.get() {
                None => view! { <p class="muted">"Loading accounts…"</p> }.into_any(),
                Some(_) if all_rows.with(|r| r.as_ref().is_some_and(Vec::is_empty)) => view! {
                    <div class="empty-state">
                        <p>"Your organization has no accounts yet."</p>
                        <a class="btn btn-primary" href="/accounts/new">"Add account"</a>
                    </div>
                }.into_any(),
                Some(list) => view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="accounts-heading">
                        <table class="accounts-table" class:read-only=move || read_only.get()>
                            <thead><tr>{headers()}<th scope="col" class="row-actions">"Actions"</th></tr></thead>
                            <tbody>{list.into_iter().map(row_view).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            <LazyDialogs
                opens=vec![open_rename, open_creds, open_delete]
                pack="dashboard_dialogs"
                load=move || account_dialogs(RowDialogs { open_rename, open_creds, open_delete, target, org, reload, done })
            />
        </section>
    }
}

/// What the row dialogs share with the table.
#[derive(Clone, Copy)]
struct RowDialogs {
    open_rename: RwSignal<bool>,
    open_creds: RwSignal<bool>,
    open_delete: RwSignal<bool>,
    target: RwSignal<Option<AccountRow>>,
    org: OrgData,
    reload: Callback<()>,
    done: RwSignal<Option<String>>,
}

crate::split_view!(
    account_dialogs,
    fn account_dialogs(d: RowDialogs) {
        view! {
            <RenameDialog open=d.open_rename target=d.target org=d.org done=d.done/>
            <CredentialsDialog open=d.open_creds target=d.target reload=d.reload done=d.done/>
            <DeleteDialog open=d.open_delete target=d.target org=d.org done=d.done/>
        }
    }
);

/// Whether a dialog still shows account `id` (see [`still_showing`]).
fn still_for(open: RwSignal<bool>, target: RwSignal<Option<AccountRow>>, id: &AccountId) -> bool {
    still_showing(open, target, |r| r.account.account_id == *id)
}

fn target_name(target: RwSignal<Option<AccountRow>>) -> String {
    target.with(|t| {
        t.as_ref()
            .map(|r| r.account.name.clone())
            .unwrap_or_default()
    })
}

#[component]
fn RenameDialog(
    open: RwSignal<bool>,
    target: RwSignal<Option<AccountRow>>,
    org: OrgData,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let api = crate::state::use_api();
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let banner = RwSignal::new(None::<Notice>);
    let busy = RwSignal::new(false);
    Effect::new(move |_| {
        if open.get() {
            value.set(target_name(target));
            error.set(None);
            banner.set(None);
            request_animation_frame(|| focus_id("rename-name"));
        }
    });
    let check = crate::components::rule(validate::account_name);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let name = match validate::account_name(&value.get_untracked()) {
            Ok(n) => n,
            Err(e) => {
                error.set(Some(e.message));
                focus_id("rename-name");
                return;
            }
        };
        let Some(id) = target.with_untracked(|t| t.as_ref().map(|r| r.account.account_id.clone()))
        else {
            return;
        };
        let api = api();
        run_busy(busy, async move {
            let body = UpdateAccount {
                name: name.clone(),
                slack_notification_channels: None,
            };
            match api.update_account(&id, body).await {
                Ok(()) => {
                    org.edit(|d| {
                        if let Some(a) = d.accounts.iter_mut().find(|a| a.account_id == id) {
                            a.name = name.clone();
                        }
                    });
                    done.try_set(Some(format!("The account is now called “{name}”.")));
                    if still_for(open, target, &id) {
                        open.try_set(false);
                    }
                }
                Err(e) if !still_for(open, target, &id) => {
                    done.try_set(Some(format!(
                        "The account was not renamed: {}",
                        describe(&e)
                    )));
                }
                Err(e) => match e.field_message("account.name") {
                    Some(m) => {
                        error.try_set(Some(m.to_owned()));
                    }
                    None => {
                        banner.try_set(Some(notice(&e)));
                    }
                },
            }
        });
    };
    view! {
        <Modal id="rename-dialog" title=Signal::derive(move || format!("Rename “{}”", target_name(target))) open=open>
            <form class="form" novalidate on:submit=submit>
                <Field id="rename-name" label="Account name" value=value error=error check=check
                    hint="At least one letter; up to 100 characters." autocomplete="off"/>
                <Banner notice=banner/>
                <div class="form-actions">
                    <Button busy=busy>"Save name"</Button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                </div>
            </form>
        </Modal>
    }
}

#[component]
fn CredentialsDialog(
    open: RwSignal<bool>,
    target: RwSignal<Option<AccountRow>>,
    reload: Callback<()>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let api = crate::state::use_api();
    // The secret lives in this signal only while the dialog is open: never stored anywhere.
    let secret = RwSignal::new(String::new());
    let secret_error = RwSignal::new(None::<String>);
    let expiry = RwSignal::new(String::new());
    let expiry_error = RwSignal::new(None::<String>);
    let banner = RwSignal::new(None::<Notice>);
    let busy = RwSignal::new(false);
    Effect::new(move |_| {
        if open.get() {
            secret_error.set(None);
            expiry_error.set(None);
            banner.set(None);
            request_animation_frame(|| focus_id("creds-secret"));
        } else {
            secret.set(String::new());
            expiry.set(String::new());
        }
    });
    let check_secret = crate::components::rule(validate::azure_client_secret);
    let check_expiry = crate::components::secret_expiry_rule();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let s = check_secret.run(secret.get_untracked());
        let x = check_expiry.run(expiry.get_untracked());
        secret_error.set(s.clone());
        expiry_error.set(x.clone());
        if s.is_some() {
            focus_id("creds-secret");
            return;
        }
        if x.is_some() {
            focus_id("creds-expiry");
            return;
        }
        let Some(id) = target.with_untracked(|t| t.as_ref().map(|r| r.account.account_id.clone()))
        else {
            return;
        };
        let (Ok(new_secret), Ok(new_expiry)) = (
            validate::azure_client_secret(&secret.get_untracked()),
            validate::secret_expiration(&expiry.get_untracked(), &today()),
        ) else {
            return;
        };
        banner.set(None);
        let api = api();
        run_busy(busy, async move {
            // The other fields are unchanged: read them (the stored secret comes back masked
            // and is replaced by the new one).
            let result = match api.get_azure_credentials(&id).await {
                Ok(current) => {
                    let creds = AzureCredentials {
                        client_secret: new_secret,
                        expiration_date: Some(new_expiry),
                        ..current
                    };
                    api.set_azure_credentials(&id, &creds, false).await
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    done.try_set(Some("The new client secret is saved.".into()));
                    if still_for(open, target, &id) {
                        open.try_set(false);
                    }
                    reload.run(());
                }
                Err(e) if !still_for(open, target, &id) => {
                    done.try_set(Some(format!(
                        "The credentials were not updated: {}",
                        describe(&e)
                    )));
                }
                Err(e) => {
                    if let Some(m) = e.field_message("clientSecret") {
                        secret_error.try_set(Some(m.to_owned()));
                    } else if let Some(m) = e.field_message("expirationDate") {
                        expiry_error.try_set(Some(m.to_owned()));
                    } else {
                        banner.try_set(Some(Notice {
                            text: format!("The credentials were not updated: {}", describe(&e)),
                            request_id: e.request_id().map(str::to_owned),
                        }));
                    }
                }
            }
        });
    };
    view! {
        <Modal id="creds-dialog" title=Signal::derive(move || format!("Update credentials of “{}”", target_name(target))) open=open>
            <p>"Create a new client secret for the application in the Azure portal (Certificates & secrets), then paste its value here. The application, tenant and subscription stay as they are."</p>
            <form class="form" novalidate on:submit=submit>
                <crate::components::SecretInput id="creds-secret" label="Client secret value" value=secret error=secret_error check=check_secret
                    warning=crate::components::secret_id_warning(secret)
                    hint="The secret's Value column, not its Secret ID. It is sent once and never kept in this browser."/>
                <crate::components::SecretExpiryField id="creds-expiry" value=expiry error=expiry_error
                    hint="The new secret's Expires date: after today and at most 2 years ahead."/>
                <Banner notice=banner/>
                <div class="form-actions">
                    <Button busy=busy>"Save credentials"</Button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                </div>
            </form>
        </Modal>
    }
}

#[component]
fn DeleteDialog(
    open: RwSignal<bool>,
    target: RwSignal<Option<AccountRow>>,
    org: OrgData,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let api = crate::state::use_api();
    let banner = RwSignal::new(None::<Notice>);
    let busy = RwSignal::new(false);
    let is_default = move || target.with(|t| t.as_ref().is_some_and(|r| r.is_default));
    Effect::new(move |_| {
        if open.get() {
            banner.set(None);
        }
    });
    // The request belongs to the dialog, not to the content it shows for one account: that is
    // drawn again when the dialog opens for another, which would abort a delete on its way.
    let tasks = Tasks::here();
    let confirm = Callback::new(move |()| {
        if busy.get_untracked() {
            return;
        }
        let Some((id, name)) = target.with_untracked(|t| {
            t.as_ref()
                .map(|r| (r.account.account_id.clone(), r.account.name.clone()))
        }) else {
            return;
        };
        let api = api();
        tasks.run_busy(busy, async move {
            match api.delete_account(&id).await {
                Ok(()) => {
                    org.edit(|d| d.accounts.retain(|a| a.account_id != id));
                    if let Some(c) = use_context::<CurrentAccount>()
                        && c.0.get_untracked().as_ref() == Some(&id)
                    {
                        c.forget();
                    }
                    done.try_set(Some(format!("“{name}” was deleted.")));
                    if still_for(open, target, &id) {
                        open.try_set(false);
                        // Its row (and the button that opened this) is gone: focus the list's
                        // heading once the dialog has closed, not another row's button or <body>.
                        request_animation_frame(|| focus_id("accounts-heading"));
                    }
                }
                Err(e) if !still_for(open, target, &id) => {
                    done.try_set(Some(format!("“{name}” was not deleted: {}", describe(&e))));
                }
                Err(e) => {
                    banner.try_set(Some(notice(&e)));
                }
            }
        });
    });
    view! {
        <Modal
            id="delete-dialog"
            title=Signal::derive(move || {
                if is_default() {
                    format!("“{}” can't be deleted", target_name(target))
                } else {
                    format!("Delete “{}”?", target_name(target))
                }
            })
            open=open
        >
            {move || if is_default() {
                view! {
                    <p>"This is your organization's default account: the first one, created with the organization. Other accounts and the organization itself depend on it, so it can't be deleted. You can rename it instead."</p>
                    <div class="form-actions">
                        <button type="button" class="btn btn-secondary" autofocus on:click=move |_| open.set(false)>"Close"</button>
                    </div>
                }.into_any()
            } else {
                view! {
                    <p>
                        "The account “" <strong>{target_name(target)}</strong>
                        "” and its connection to the cloud are removed from Spot. Your cloud account itself is not changed; remove the role or application you created for Spot there yourself. This can't be undone."
                    </p>
                    <Banner notice=banner/>
                    <div class="form-actions">
                        <button type="button" class="btn btn-secondary" autofocus on:click=move |_| open.set(false)>"Keep the account"</button>
                        <Button kind="button" variant="danger" busy=busy on_press=confirm>
                            "Delete account"
                        </Button>
                    </div>
                }.into_any()
            }}
        </Modal>
    }
}
