//! Connecting many Azure subscriptions with one app registration: reading the subscription list
//! a user pastes (what `az account list` prints, or a CSV of `Id,Name`), choosing subscriptions,
//! and the role commands at management-group or subscription scope.
//!
//! Like the AWS organization list, every refusal names the entry or line at fault.

use crate::aws_org::csv_cells;
use crate::azure_setup::{ROLE_ACTIONS, ROLE_FILE_NAME};
use crate::dto::{Account, BatchMemberState, CloudProvider};
use crate::org_batch::{BatchPlan, PlannedMember};
use crate::validate::{FieldError, account_name, azure_guid, guid_form, management_group_id};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One subscription of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The subscription ID, a lowercase GUID.
    pub id: String,
    pub name: String,
    /// The directory (tenant) the subscription belongs to, when the list says.
    pub tenant_id: Option<String>,
    pub state: SubscriptionState,
}

/// Azure's subscription state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionState {
    Enabled,
    /// Payment trouble announced; resources still run.
    Warned,
    /// Payment overdue; resources still run.
    PastDue,
    Disabled,
    Deleted,
}

impl SubscriptionState {
    fn parse(text: &str) -> Option<Self> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "enabled" => Self::Enabled,
            "warned" => Self::Warned,
            "pastdue" => Self::PastDue,
            "disabled" => Self::Disabled,
            "deleted" => Self::Deleted,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Enabled => "Enabled",
            Self::Warned => "Warned",
            Self::PastDue => "Past due",
            Self::Disabled => "Disabled",
            Self::Deleted => "Deleted",
        }
    }

    /// Whether its resources still run, so Spot has something to manage.
    pub fn running(self) -> bool {
        matches!(self, Self::Enabled | Self::Warned | Self::PastDue)
    }
}

const WHAT_TO_PASTE: &str = "Paste the output of `az account list` (JSON), or a CSV whose first \
two columns are the subscription ID and name (Id,Name).";

fn fail<T>(message: impl Into<String>) -> Result<T, FieldError> {
    Err(FieldError::new(message))
}

/// Reads a subscription list: the JSON array `az account list` prints (several pasted one after
/// another are joined) or CSV. Subscriptions keep the order of the input.
pub fn parse_subscriptions(input: &str) -> Result<Vec<Subscription>, FieldError> {
    let text = input.trim().trim_start_matches('\u{feff}');
    if text.is_empty() {
        return fail(format!("The list is empty. {WHAT_TO_PASTE}"));
    }
    let subs = if text.starts_with('[') || text.starts_with('{') {
        from_json(text)?
    } else {
        from_csv(text)?
    };
    if subs.is_empty() {
        return fail(format!("The list holds no subscriptions. {WHAT_TO_PASTE}"));
    }
    let mut seen = HashMap::new();
    for (i, s) in subs.iter().enumerate() {
        if let Some(first) = seen.insert(s.id.as_str(), i) {
            return fail(format!(
                "The subscription {} appears twice (entries {} and {}). Keep one of them.",
                s.id,
                first + 1,
                i + 1
            ));
        }
    }
    Ok(subs)
}

fn subscription_id(raw: &str, place: &str, n: usize, name: &str) -> Result<String, FieldError> {
    let named = if name.is_empty() {
        String::new()
    } else {
        format!(" ({name})")
    };
    let id = raw.trim();
    // A bare GUID only: text around it would mean the column or key is the wrong one.
    match azure_guid(id, "subscription ID") {
        Ok(guid) if guid.len() == id.len() => Ok(guid),
        _ => fail(format!(
            "{place} {n}{named} has the ID \"{id}\": a subscription ID looks like \
             0f8fad5b-d9cb-469f-a165-70867728950e."
        )),
    }
}

fn state_of(
    raw: Option<&str>,
    place: &str,
    n: usize,
    id: &str,
) -> Result<SubscriptionState, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(SubscriptionState::Enabled),
        Some(s) => SubscriptionState::parse(s).ok_or_else(|| {
            FieldError::new(format!(
                "{place} {n} ({id}) has the state \"{s}\", which Azure does not use (Enabled, \
                 Warned, PastDue, Disabled, Deleted)."
            ))
        }),
    }
}

fn from_json(text: &str) -> Result<Vec<Subscription>, FieldError> {
    let mut entries = Vec::new();
    for doc in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        match doc {
            Ok(Value::Array(items)) => entries.extend(items),
            Ok(Value::Object(o)) if o.contains_key("value") => {
                // The REST API's answer (`GET /subscriptions`) wraps the list in "value".
                match o.get("value") {
                    Some(Value::Array(items)) => entries.extend(items.iter().cloned()),
                    _ => return fail("This JSON's \"value\" is not a list of subscriptions."),
                }
            }
            Ok(_) => {
                return fail(
                    "This JSON is not a list. Paste what `az account list` prints: it starts \
                     with [ and holds one {…} per subscription.",
                );
            }
            Err(e) => {
                return fail(format!(
                    "This is not valid JSON (line {}, column {}). {WHAT_TO_PASTE}",
                    e.line(),
                    e.column()
                ));
            }
        }
    }
    let mut subs = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let n = i + 1;
        let field = |key: &str| entry.get(key).and_then(Value::as_str);
        let name = field("name")
            .or_else(|| field("displayName"))
            .unwrap_or("")
            .trim()
            .to_owned();
        let Some(raw) = field("id").or_else(|| field("subscriptionId")) else {
            return fail(format!("Entry {n} has no \"id\"."));
        };
        // The REST API gives "/subscriptions/<guid>" as id.
        let raw = raw.strip_prefix("/subscriptions/").unwrap_or(raw);
        let id = subscription_id(raw, "Entry", n, &name)?;
        let tenant_id = field("tenantId")
            .map(|t| azure_guid(t, "tenant ID").map_err(|_| t))
            .transpose()
            .map_err(|t| {
                FieldError::new(format!(
                    "Entry {n} ({id}) has the tenant ID \"{t}\", which is not a GUID."
                ))
            })?;
        let state = state_of(field("state"), "Entry", n, &id)?;
        subs.push(Subscription {
            id,
            name,
            tenant_id,
            state,
        });
    }
    Ok(subs)
}

fn from_csv(text: &str) -> Result<Vec<Subscription>, FieldError> {
    let mut subs = Vec::new();
    let mut columns = (0, 1, None::<usize>);
    let mut first = true;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cells = csv_cells(line).map_err(|m| FieldError::new(format!("Line {line_no}: {m}")))?;
        let lower: Vec<String> = cells
            .iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        // A line holding a GUID is data, even when a subscription is named "Id".
        let header = std::mem::take(&mut first)
            && !cells.iter().any(|c| azure_guid(c.trim(), "").is_ok())
            && lower.iter().any(|c| ID_HEADERS.contains(&c.as_str()));
        if header {
            let at = |names: &[&str]| lower.iter().position(|c| names.contains(&c.as_str()));
            let (Some(id), Some(name)) = (at(ID_HEADERS), at(&["name", "subscription name"]))
            else {
                return fail(format!(
                    "Line {line_no} looks like a header but has no Id and Name columns. \
                     {WHAT_TO_PASTE}"
                ));
            };
            columns = (id, name, at(&["state"]));
            continue;
        }
        if cells.len() < 2 {
            return fail(format!(
                "Line {line_no} has one column; each line needs the subscription ID and its \
                 name, separated by a comma."
            ));
        }
        let cell = |k: usize| cells.get(k).map(|c| c.trim()).unwrap_or("");
        let name = cell(columns.1);
        if azure_guid(cell(columns.0), "").is_err() && azure_guid(name, "").is_ok() {
            return fail(format!(
                "Line {line_no} has the name before the ID: put the subscription ID in the \
                 first column (Id,Name), or add a header line naming the columns."
            ));
        }
        let id = subscription_id(cell(columns.0), "Line", line_no, name)?;
        let state = state_of(columns.2.map(cell), "Line", line_no, &id)?;
        subs.push(Subscription {
            id,
            name: name.to_owned(),
            tenant_id: None,
            state,
        });
    }
    Ok(subs)
}

const ID_HEADERS: &[&str] = &["id", "subscription id", "subscriptionid", "subscription_id"];

/// Who is chosen at first: every subscription whose resources still run.
pub fn default_choice(subs: &[Subscription]) -> BTreeSet<String> {
    subs.iter()
        .filter(|s| s.state.running())
        .map(|s| s.id.clone())
        .collect()
}

/// The subscriptions of another directory than the app registration's: its service principal
/// cannot be given a role there, so they cannot be connected with it.
pub fn other_tenant<'a>(subs: &'a [Subscription], tenant_id: &str) -> Vec<&'a Subscription> {
    subs.iter()
        .filter(|s| {
            s.tenant_id
                .as_deref()
                .is_some_and(|t| !t.eq_ignore_ascii_case(tenant_id))
        })
        .collect()
}

/// Where the role is granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleScope {
    /// Once, on a management group holding the subscriptions (its ID, validated).
    ManagementGroup(String),
    /// Once per subscription (validated GUIDs).
    Subscriptions(Vec<String>),
}

impl RoleScope {
    fn scopes(&self) -> Vec<String> {
        match self {
            Self::ManagementGroup(g) => {
                vec![format!(
                    "/providers/Microsoft.Management/managementGroups/{g}"
                )]
            }
            Self::Subscriptions(subs) => {
                subs.iter().map(|s| format!("/subscriptions/{s}")).collect()
            }
        }
    }
}

/// The custom role's name for an app registration (role names are unique per directory; one
/// app registration has one such role, whatever its scopes).
pub fn role_name(client_id: &str) -> String {
    format!("Spot connector (app {client_id})")
}

/// The role definition JSON for `az role definition create --role-definition @file`, assignable
/// exactly where `scope` says.
pub fn role_definition(client_id: &str, scope: &RoleScope) -> String {
    let value = json!({
        "Name": role_name(client_id),
        "IsCustom": true,
        "Description": "Lets Spot manage virtual machines and scale sets in these subscriptions.",
        "Actions": ROLE_ACTIONS,
        "NotActions": [],
        "DataActions": [],
        "NotDataActions": [],
        "AssignableScopes": scope.scopes(),
    });
    serde_json::to_string_pretty(&value).expect("a JSON value always serialises") + "\n"
}

/// The Azure CLI commands that create the role (from [`ROLE_FILE_NAME`]) and assign it to the
/// app registration on every scope: one line per assignment, so a failure names its scope.
pub fn role_commands(client_id: &str, scope: &RoleScope) -> String {
    let role = role_name(client_id);
    let mut out = format!("az role definition create --role-definition @{ROLE_FILE_NAME}\n");
    for s in scope.scopes() {
        out.push_str(&assignment(client_id, &role, &s));
    }
    out
}

fn assignment(client_id: &str, role: &str, scope: &str) -> String {
    format!("az role assignment create --assignee {client_id} --role \"{role}\" --scope {scope}\n")
}

/// The one command that assigns the app registration's role on `subscription_id`, for a
/// subscription Azure refused because it has none there (the role itself exists: it was
/// created with [`role_commands`]; a management group's role is assignable in its
/// subscriptions too).
pub fn role_assignment_command(client_id: &str, subscription_id: &str) -> String {
    assignment(
        client_id,
        &role_name(client_id),
        &format!("/subscriptions/{subscription_id}"),
    )
}

// ---- choosing and naming -----------------------------------------------------------------

/// Why a subscription cannot be connected with the app registration of `tenant_id` (as typed:
/// braces and capitals are the same directory); shown beside it, and it stays unchosen. `None`
/// when it can.
pub fn unavailable(sub: &Subscription, tenant_id: &str) -> Option<String> {
    if !sub.state.running() {
        return Some(format!(
            "{}: its resources do not run, so Spot has nothing to manage there.",
            sub.state.label()
        ));
    }
    match sub.tenant_id.as_deref() {
        Some(t) if guid_form(t) != guid_form(tenant_id) => Some(format!(
            "In another directory ({t}): this app registration cannot be given a role there."
        )),
        _ => None,
    }
}

/// The subscriptions to connect, in list order: the user's choice (or the default one while
/// they made none), without those [`unavailable`] for this tenant.
pub fn chosen<'a>(
    subs: &'a [Subscription],
    choice: Option<&BTreeSet<String>>,
    tenant_id: &str,
) -> Vec<&'a Subscription> {
    let default;
    let choice = match choice {
        Some(c) => c,
        None => {
            default = default_choice(subs);
            &default
        }
    };
    subs.iter()
        .filter(|s| choice.contains(&s.id) && unavailable(s, tenant_id).is_none())
        .collect()
}

/// The filter box: a subscription matches when its ID or name contains the text (any case).
pub fn matches(sub: &Subscription, query: &str) -> bool {
    crate::choice::text_matches(&[&sub.id, &sub.name], query)
}

/// How each subscription's Spot account is named.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Naming {
    /// The subscription's name.
    #[default]
    Name,
    /// Its name and ID, e.g. "Production (0f8fad5b-…)".
    NameAndId,
    /// A prefix before its name, e.g. "azure-" → "azure-Production".
    Prefix,
}

/// The Spot account name for a subscription, checked with the account-name rule. A
/// subscription without a name is called by its ID.
pub fn spot_name(naming: Naming, prefix: &str, sub: &Subscription) -> Result<String, FieldError> {
    let name = if sub.name.trim().is_empty() {
        format!("Azure {}", sub.id)
    } else {
        sub.name.trim().to_owned()
    };
    let candidate = match naming {
        Naming::Name => name,
        Naming::NameAndId => format!("{name} ({})", sub.id),
        Naming::Prefix => {
            if prefix.trim().is_empty() {
                return fail("Type the prefix, e.g. azure-.");
            }
            format!("{}{name}", prefix.trim_start())
        }
    };
    account_name(&candidate).map_err(|e| {
        FieldError::new(format!(
            "The subscription {} would be named “{candidate}”: {}",
            sub.id, e.message
        ))
    })
}

/// Every chosen subscription's `(ID, Spot name)`, or the first name the rule refuses.
pub fn spot_names(
    naming: Naming,
    prefix: &str,
    subs: &[&Subscription],
) -> Result<Vec<(String, String)>, FieldError> {
    subs.iter()
        .map(|s| Ok((s.id.clone(), spot_name(naming, prefix, s)?)))
        .collect()
}

/// Where the user wants the role granted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScopeChoice {
    /// On a management group that holds the subscriptions.
    ManagementGroup,
    /// On each chosen subscription.
    #[default]
    Subscriptions,
}

/// The role scope for a choice: the management group's ID checked with its rule, or the chosen
/// subscriptions.
pub fn role_scope(
    choice: ScopeChoice,
    management_group: &str,
    subs: &[&Subscription],
) -> Result<RoleScope, FieldError> {
    match choice {
        ScopeChoice::ManagementGroup => {
            management_group_id(management_group).map(RoleScope::ManagementGroup)
        }
        ScopeChoice::Subscriptions => Ok(RoleScope::Subscriptions(
            subs.iter().map(|s| s.id.clone()).collect(),
        )),
    }
}

// ---- connecting -----------------------------------------------------------------------------

/// Whether the listing shows `member`'s Spot account connected to its subscription.
pub fn is_connected(member: &PlannedMember, accounts: &[Account]) -> bool {
    let Some(id) = &member.account_id else {
        return false;
    };
    accounts.iter().any(|a| {
        &a.account_id == id
            && a.cloud_provider == Some(CloudProvider::Azure)
            && a.provider_external_id
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(&member.cloud_id))
    })
}

/// One subscription's state in the status table: connected, failed with the server's reason,
/// else waiting.
pub fn member_state(
    member: &PlannedMember,
    connected: &BTreeSet<String>,
    failed: &BTreeMap<String, String>,
) -> (BatchMemberState, Option<String>) {
    if connected.contains(&member.cloud_id) {
        (BatchMemberState::Connected, None)
    } else if let Some(reason) = failed.get(&member.cloud_id) {
        (BatchMemberState::Failed, Some(reason.clone()))
    } else {
        (BatchMemberState::Waiting, None)
    }
}

/// The members still to be worked on by a run over `targets` (indices; every member when
/// `None`): not connected, and — unless the run is a retry of them — not failed.
pub fn to_connect(
    plan: &BatchPlan,
    targets: Option<&BTreeSet<usize>>,
    connected: &BTreeSet<String>,
) -> Vec<usize> {
    (0..plan.members.len())
        .filter(|i| targets.is_none_or(|t| t.contains(i)))
        .filter(|&i| !connected.contains(&plan.members[i].cloud_id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const B: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    const T: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

    fn err(input: &str) -> String {
        parse_subscriptions(input).unwrap_err().message
    }

    #[test]
    fn reads_az_account_list() {
        let text = format!(
            r#"[{{"cloudName":"AzureCloud","homeTenantId":"{T}","id":"{A}","isDefault":true,
                "managedByTenants":[],"name":"Production","state":"Enabled","tenantId":"{T}",
                "user":{{"name":"me@example.com","type":"user"}}}},
               {{"id":"{}","name":"Old","state":"Disabled","tenantId":"{T}"}}]"#,
            B.to_uppercase()
        );
        let subs = parse_subscriptions(&text).unwrap();
        assert_eq!(subs.len(), 2);
        assert_eq!(subs[0].id, A);
        assert_eq!(subs[0].name, "Production");
        assert_eq!(subs[0].tenant_id.as_deref(), Some(T));
        assert_eq!(subs[1].id, B, "IDs come back lowercase");
        assert_eq!(subs[1].state, SubscriptionState::Disabled);
        assert_eq!(default_choice(&subs), BTreeSet::from([A.to_owned()]));
    }

    #[test]
    fn reads_the_rest_answer_and_csv() {
        let rest = format!(
            r#"{{"value":[{{"id":"/subscriptions/{A}","subscriptionId":"{A}","displayName":"Prod","state":"PastDue"}}]}}"#
        );
        let subs = parse_subscriptions(&rest).unwrap();
        assert_eq!((subs[0].id.as_str(), subs[0].name.as_str()), (A, "Prod"));
        assert_eq!(subs[0].state, SubscriptionState::PastDue);
        assert!(subs[0].state.running());

        let csv =
            format!("Name,Subscription ID,State\n\"Prod, EU\",{A},Enabled\nOld,{B},Deleted\n");
        let subs = parse_subscriptions(&csv).unwrap();
        assert_eq!(subs[0].name, "Prod, EU");
        assert_eq!(subs[1].state, SubscriptionState::Deleted);
        let bare = parse_subscriptions(&format!("{A},Prod\n{B},Test")).unwrap();
        assert_eq!(bare.len(), 2);
        // A subscription may be called "Id": its line is data, not a header.
        let named_id = parse_subscriptions(&format!("{A},Id\n{B},Name")).unwrap();
        assert_eq!((named_id[0].name.as_str(), named_id.len()), ("Id", 2));
    }

    #[test]
    fn every_bad_shape_has_its_own_message() {
        assert!(err("  ").starts_with("The list is empty."));
        assert!(err("[]").starts_with("The list holds no subscriptions."));
        assert!(err("[{").starts_with("This is not valid JSON (line 1"));
        assert!(err(r#"{"a":1}"#).starts_with("This JSON is not a list."));
        assert!(err(r#"{"value":3}"#).contains("\"value\" is not a list"));
        assert_eq!(err(r#"[{"name":"x"}]"#), "Entry 1 has no \"id\".");
        assert!(
            err(r#"[{"id":"12345","name":"Prod"}]"#)
                .starts_with("Entry 1 (Prod) has the ID \"12345\"")
        );
        assert!(
            err(&format!("[{{\"id\":\"{A}\",\"state\":\"Sleeping\"}}]")).contains("\"Sleeping\"")
        );
        assert!(
            err(&format!("[{{\"id\":\"{A}\",\"tenantId\":\"t\"}}]")).contains("tenant ID \"t\"")
        );
        assert!(err(A).starts_with("Line 1 has one column"));
        assert!(err("id,label\nx,y").contains("no Id and Name columns"));
        assert!(err(&format!("{A},\"Prod")).contains("not closed"));
        assert!(err(&format!("Prod,{A}")).starts_with("Line 1 has the name before the ID"));
        let twice = err(&format!("{A},One\n{B},Two\n{},Again", A.to_uppercase()));
        assert!(
            twice.contains(&format!("{A} appears twice (entries 1 and 3)")),
            "{twice}"
        );
    }

    #[test]
    fn other_tenants_are_named() {
        let subs = parse_subscriptions(&format!(
            r#"[{{"id":"{A}","tenantId":"{T}"}},{{"id":"{B}","tenantId":"{A}"}},{{"id":"{}"}}]"#,
            "11111111-2222-3333-4444-555555555555"
        ))
        .unwrap();
        let others: Vec<&str> = other_tenant(&subs, &T.to_uppercase())
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(others, vec![B], "unknown tenants are not flagged");
    }

    #[test]
    fn role_is_assignable_exactly_where_it_is_assigned() {
        for scope in [
            RoleScope::ManagementGroup("platform-prod".into()),
            RoleScope::Subscriptions(vec![A.into(), B.into()]),
        ] {
            let def: Value = serde_json::from_str(&role_definition(T, &scope)).unwrap();
            let assignable: Vec<String> = def["AssignableScopes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect();
            let commands = role_commands(T, &scope);
            let assigned: Vec<String> = commands
                .lines()
                .skip(1)
                .map(|l| l.rsplit(" --scope ").next().unwrap().to_owned())
                .collect();
            assert_eq!(assignable, assigned, "{commands}");
            assert!(commands.starts_with(
                "az role definition create --role-definition @spot-role-definition.json\n"
            ));
            let role = def["Name"].as_str().unwrap();
            assert!(
                commands
                    .lines()
                    .skip(1)
                    .all(|l| l.contains(&format!("--role \"{role}\"")))
            );
        }
        assert!(
            role_commands(T, &RoleScope::ManagementGroup("mg1".into()))
                .contains("--scope /providers/Microsoft.Management/managementGroups/mg1\n")
        );
    }

    #[test]
    fn a_refused_subscription_gets_the_assignment_line_of_its_own_scope() {
        let one = role_assignment_command(T, B);
        assert_eq!(
            one,
            format!(
                "az role assignment create --assignee {T} --role \"Spot connector (app {T})\" --scope /subscriptions/{B}\n"
            )
        );
        // The same line the per-subscription role commands have for it.
        let all = role_commands(T, &RoleScope::Subscriptions(vec![A.into(), B.into()]));
        assert!(all.lines().any(|l| format!("{l}\n") == one), "{all}");
    }

    fn sub(id: &str, name: &str, tenant: Option<&str>, state: SubscriptionState) -> Subscription {
        Subscription {
            id: id.into(),
            name: name.into(),
            tenant_id: tenant.map(str::to_owned),
            state,
        }
    }

    #[test]
    fn disabled_and_other_tenant_subscriptions_are_never_chosen() {
        use SubscriptionState::*;
        const C: &str = "11111111-2222-3333-4444-555555555555";
        let subs = vec![
            sub(A, "Prod", Some(T), Enabled),
            sub(B, "Old", Some(T), Disabled),
            sub(C, "Partner", Some(A), Enabled),
        ];
        assert_eq!(unavailable(&subs[0], &T.to_uppercase()), None);
        // The tenant ID as PowerShell prints it: the same directory.
        assert_eq!(
            unavailable(&subs[0], &format!(" {{{}}} ", T.to_uppercase())),
            None
        );
        assert!(unavailable(&subs[2], &format!("{{{T}}}")).is_some());
        assert!(unavailable(&subs[1], T).unwrap().starts_with("Disabled:"));
        assert!(
            unavailable(&subs[2], T)
                .unwrap()
                .contains("another directory")
        );
        let ids = |v: Vec<&Subscription>| v.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        // No choice made yet: the default, minus the other tenant's.
        assert_eq!(ids(chosen(&subs, None, T)), [A]);
        // Even when picked explicitly.
        let all: BTreeSet<String> = [A, B, C].map(str::to_owned).into();
        assert_eq!(ids(chosen(&subs, Some(&all), T)), [A]);
        assert_eq!(
            ids(chosen(&subs, Some(&BTreeSet::new()), T)),
            Vec::<String>::new()
        );
        assert!(matches(&subs[2], "PART") && matches(&subs[2], "2222") && !matches(&subs[0], "x"));
    }

    #[test]
    fn names_follow_the_choice_and_the_account_name_rule() {
        use SubscriptionState::Enabled;
        let prod = sub(A, "Production", None, Enabled);
        assert_eq!(spot_name(Naming::Name, "", &prod).unwrap(), "Production");
        assert_eq!(
            spot_name(Naming::NameAndId, "", &prod).unwrap(),
            format!("Production ({A})")
        );
        assert_eq!(
            spot_name(Naming::Prefix, "azure-", &prod).unwrap(),
            "azure-Production"
        );
        assert_eq!(
            spot_name(Naming::Prefix, " ", &prod).unwrap_err().message,
            "Type the prefix, e.g. azure-."
        );
        // No letter in the name: the rule's message, naming the subscription.
        let digits = sub(B, "2024", None, Enabled);
        let e = spot_name(Naming::Name, "", &digits).unwrap_err().message;
        assert!(
            e.starts_with(&format!("The subscription {B} would be named “2024”")),
            "{e}"
        );
        assert!(spot_name(Naming::Prefix, "az-", &digits).is_ok());
        // Too long once the ID is added.
        let long = sub(A, &"x".repeat(80), None, Enabled);
        assert!(spot_name(Naming::Name, "", &long).is_ok());
        assert!(spot_name(Naming::NameAndId, "", &long).is_err());
        let nameless = sub(A, " ", None, Enabled);
        assert_eq!(
            spot_name(Naming::Name, "", &nameless).unwrap(),
            format!("Azure {A}")
        );
        let both = [&prod, &digits];
        assert!(spot_names(Naming::Name, "", &both).is_err());
        assert_eq!(
            spot_names(Naming::Prefix, "a-", &both).unwrap(),
            [
                (A.to_owned(), "a-Production".to_owned()),
                (B.to_owned(), "a-2024".to_owned())
            ]
        );
    }

    #[test]
    fn the_scope_is_the_group_or_the_chosen_subscriptions() {
        use SubscriptionState::Enabled;
        let s = [sub(A, "a", None, Enabled), sub(B, "b", None, Enabled)];
        let refs: Vec<&Subscription> = s.iter().collect();
        assert_eq!(
            role_scope(ScopeChoice::ManagementGroup, " mg-1 ", &refs).unwrap(),
            RoleScope::ManagementGroup("mg-1".into())
        );
        assert_eq!(
            role_scope(ScopeChoice::ManagementGroup, "", &refs)
                .unwrap_err()
                .message,
            "Enter the management group ID."
        );
        assert_eq!(
            role_scope(ScopeChoice::Subscriptions, "ignored!", &refs).unwrap(),
            RoleScope::Subscriptions(vec![A.into(), B.into()])
        );
    }

    #[test]
    fn states_come_from_the_listing_and_the_failures() {
        use crate::ids::{AccountId, OrganizationId};
        let mut plan = BatchPlan::new(
            "2026-12-03T10:00:00.000Z",
            [
                (A.to_owned(), "a".to_owned()),
                (B.to_owned(), "b".to_owned()),
            ],
        );
        plan.record_account(0, AccountId::from_bits(1));
        plan.record_account(1, AccountId::from_bits(2));
        let account = |n: u32, provider: Option<CloudProvider>, ext: Option<&str>| Account {
            account_id: AccountId::from_bits(n),
            name: "a".into(),
            organization_id: OrganizationId::new(100_000_000_001).unwrap(),
            provider_external_id: ext.map(str::to_owned),
            cloud_provider: provider,
            created_at: "2026-12-03T10:00:00.000Z".into(),
        };
        let listing = [
            account(1, Some(CloudProvider::Azure), Some(&A.to_uppercase())),
            // Connected, but to another subscription or provider: not this member's doing.
            account(2, Some(CloudProvider::Aws), Some(B)),
        ];
        assert!(is_connected(&plan.members[0], &listing));
        assert!(!is_connected(&plan.members[1], &listing));
        let wrong_sub = [account(2, Some(CloudProvider::Azure), Some(A))];
        assert!(!is_connected(&plan.members[1], &wrong_sub));

        let connected = BTreeSet::from([A.to_owned()]);
        let failed = BTreeMap::from([
            (A.to_owned(), "stale".to_owned()),
            (B.to_owned(), "No role".to_owned()),
        ]);
        assert_eq!(
            member_state(&plan.members[0], &connected, &failed),
            (BatchMemberState::Connected, None),
            "connected wins over an older failure"
        );
        assert_eq!(
            member_state(&plan.members[1], &connected, &failed),
            (BatchMemberState::Failed, Some("No role".into()))
        );
        assert_eq!(
            member_state(&plan.members[1], &connected, &BTreeMap::new()).0,
            BatchMemberState::Waiting
        );
        let c = crate::org_batch::StateCounts::of([
            BatchMemberState::Connected,
            BatchMemberState::Failed,
            BatchMemberState::Waiting,
            BatchMemberState::Connected,
        ]);
        assert_eq!((c.connected, c.failed, c.waiting, c.total()), (2, 1, 1, 4));
        assert_eq!(to_connect(&plan, None, &connected), [1]);
        assert_eq!(
            to_connect(&plan, Some(&BTreeSet::from([0])), &connected),
            Vec::<usize>::new()
        );
        assert_eq!(
            to_connect(&plan, Some(&BTreeSet::from([1])), &BTreeSet::new()),
            [1]
        );
    }

    proptest! {
        #[test]
        fn json_and_csv_of_the_same_subscriptions_read_the_same(
            subs in prop::collection::btree_map("[0-9a-f]{8}", "[A-Za-z][A-Za-z0-9 ]{0,20}", 1..30)
        ) {
            let ids: Vec<(String, String)> = subs
                .into_iter()
                .map(|(k, name)| (format!("{k}-0000-4000-8000-000000000000"), name.trim().to_owned()))
                .collect();
            let json = serde_json::to_string(
                &ids.iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>(),
            ).unwrap();
            let csv: String = ids.iter().map(|(id, name)| format!("{id},{name}\n")).collect();
            let a = parse_subscriptions(&json).unwrap();
            prop_assert_eq!(&a, &parse_subscriptions(&csv).unwrap());
            prop_assert_eq!(a.len(), ids.len());
        }

        #[test]
        fn chosen_subscriptions_are_connectable_and_every_name_passes_the_rule(
            subs in prop::collection::vec(
                ("[0-9a-f]{8}", "[ -~]{0,30}", 0usize..3, 0usize..5), 1..20),
            prefix in "[ -~]{0,12}",
            naming in prop::sample::select(vec![Naming::Name, Naming::NameAndId, Naming::Prefix]),
        ) {
            use SubscriptionState::*;
            let mut seen = BTreeSet::new();
            let subs: Vec<Subscription> = subs
                .into_iter()
                .filter(|(k, ..)| seen.insert(k.clone()))
                .map(|(k, name, tenant, state)| {
                    Subscription {
                        id: format!("{k}-0000-4000-8000-000000000000"),
                        name,
                        tenant_id: [None, Some(T.to_owned()), Some(A.to_owned())][tenant].clone(),
                        state: [Enabled, Warned, PastDue, Disabled, Deleted][state],
                    }
                })
                .collect();
            let all: BTreeSet<String> = subs.iter().map(|s| s.id.clone()).collect();
            for c in [None, Some(&all)] {
                for s in chosen(&subs, c, T) {
                    prop_assert!(s.state.running());
                    prop_assert!(s.tenant_id.as_deref().is_none_or(|t| t == T));
                    if let Ok(name) = spot_name(naming, &prefix, s) {
                        prop_assert_eq!(account_name(&name), Ok(name.clone()));
                    }
                }
            }
        }
    }
}
