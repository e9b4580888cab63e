//! The dashboard's accounts table and the user menu's account search, as pure logic: one row
//! per account (kind and honest status), sorting by any column, filtering by name or ID, which
//! account is the organization's default (it cannot be deleted), and the savings-potential
//! cards' totals from `GET /aws/potentialSavings`.

use crate::account_status::{AccountStatus, status_at};
use crate::dto::Account;
use crate::dto::CloudProvider;
use crate::ids::AccountId;
use crate::onboarding::{AccountKind, AddAccountDraft, AddAccountStep};
use crate::text::lowercase;
use crate::time::Timestamp;
use serde::Deserialize;
use std::cmp::Ordering;

/// One row of the accounts table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub account: Account,
    pub kind: AccountKind,
    /// The Azure client secret's expiration date (ISO), when the account has one.
    pub credential_expiry: Option<String>,
    pub status: AccountStatus,
    /// The organization's default (oldest) account: it cannot be deleted.
    pub is_default: bool,
}

/// What the console knows about an account besides `GET /setup/account`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFacts {
    pub kind: AccountKind,
    pub credential_expiry: Option<String>,
    /// When the account was connected (management: its registration), if known.
    pub connected_at: Option<String>,
}

/// The organization's default account: the oldest one (ISO instants compared as instants;
/// ties and unreadable dates keep the listing's order).
pub fn default_account(accounts: &[Account]) -> Option<&AccountId> {
    accounts
        .iter()
        .enumerate()
        .min_by_key(|(i, a)| {
            (
                Timestamp::parse(&a.created_at).unwrap_or(Timestamp::from_millis(i64::MAX)),
                *i,
            )
        })
        .map(|(_, a)| &a.account_id)
}

/// Builds the table's rows. `facts` answers per account.
pub fn rows(
    accounts: &[Account],
    facts: impl Fn(&AccountId) -> AccountFacts,
    now: Timestamp,
) -> Vec<AccountRow> {
    let default = default_account(accounts).cloned();
    accounts
        .iter()
        .map(|a| {
            let f = facts(&a.account_id);
            let status = status_at(
                a,
                f.kind,
                f.credential_expiry.as_deref(),
                f.connected_at.as_deref(),
                now,
            );
            AccountRow {
                is_default: default.as_ref() == Some(&a.account_id),
                account: a.clone(),
                kind: f.kind,
                credential_expiry: f.credential_expiry,
                status,
            }
        })
        .collect()
}

// ---- search and filter --------------------------------------------------------------------------

/// True when `query` (trimmed, case-insensitive) is part of the account's name, its ID (`act-…`,
/// with or without the prefix) or the cloud account it is connected to. An empty query matches.
pub fn matches(account: &Account, query: &str) -> bool {
    let q = lowercase(query.trim());
    if q.is_empty() {
        return true;
    }
    lowercase(&account.name).contains(&q)
        || account.account_id.as_str().contains(&q)
        || account
            .provider_external_id
            .as_deref()
            .is_some_and(|x| lowercase(x).contains(&q))
}

/// The accounts matching `query`, in the given order.
pub fn search<'a>(accounts: &'a [Account], query: &str) -> Vec<&'a Account> {
    accounts.iter().filter(|a| matches(a, query)).collect()
}

// ---- sorting ------------------------------------------------------------------------------------

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    Name,
    Id,
    Provider,
    Kind,
    Status,
    Created,
}

impl SortKey {
    pub const ALL: [SortKey; 6] = [
        SortKey::Name,
        SortKey::Id,
        SortKey::Provider,
        SortKey::Kind,
        SortKey::Status,
        SortKey::Created,
    ];

    /// The column heading.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "Name",
            SortKey::Id => "ID",
            SortKey::Provider => "Provider",
            SortKey::Kind => "Kind",
            SortKey::Status => "Status",
            SortKey::Created => "Created",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDir {
    Ascending,
    Descending,
}

/// The table's order: a column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort {
    pub key: SortKey,
    pub dir: SortDir,
}

impl Default for Sort {
    /// Oldest first: the default account leads, new accounts come last.
    fn default() -> Self {
        Sort {
            key: SortKey::Created,
            dir: SortDir::Ascending,
        }
    }
}

impl Sort {
    /// A click on a column's sort button: the same column flips its direction, another column
    /// starts ascending.
    pub fn clicked(self, key: SortKey) -> Sort {
        if self.key == key {
            Sort {
                key,
                dir: match self.dir {
                    SortDir::Ascending => SortDir::Descending,
                    SortDir::Descending => SortDir::Ascending,
                },
            }
        } else {
            Sort {
                key,
                dir: SortDir::Ascending,
            }
        }
    }

    /// The `aria-sort` value of a column heading.
    pub fn aria_sort(self, key: SortKey) -> &'static str {
        match (self.key == key, self.dir) {
            (false, _) => "none",
            (true, SortDir::Ascending) => "ascending",
            (true, SortDir::Descending) => "descending",
        }
    }
}

/// Status order: what needs the user first.
fn status_rank(s: AccountStatus) -> (u8, u32) {
    match s {
        AccountStatus::Expired => (0, 0),
        AccountStatus::ExpiresIn { days } => (1, days),
        AccountStatus::NotConnected => (2, 0),
        AccountStatus::Pending => (3, 0),
        AccountStatus::Connected => (4, 0),
    }
}

fn compare(a: &AccountRow, b: &AccountRow, key: SortKey) -> Ordering {
    match key {
        SortKey::Name => lowercase(&a.account.name).cmp(&lowercase(&b.account.name)),
        SortKey::Id => a.account.account_id.cmp(&b.account.account_id),
        // Not connected (no provider) after every provider.
        SortKey::Provider => {
            let p = |r: &AccountRow| r.account.cloud_provider.map(|p| p.short_label());
            match (p(a), p(b)) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        }
        SortKey::Kind => a.kind.label().cmp(b.kind.label()),
        SortKey::Status => status_rank(a.status).cmp(&status_rank(b.status)),
        SortKey::Created => {
            let t = |r: &AccountRow| Timestamp::parse(&r.account.created_at);
            t(a).cmp(&t(b))
        }
    }
}

/// Sorts rows in place. Stable, with the account ID as the tie-breaker, so equal rows keep a
/// predictable order in both directions.
pub fn sort_rows(rows: &mut [AccountRow], sort: Sort) {
    rows.sort_by(|a, b| {
        let o =
            compare(a, b, sort.key).then_with(|| a.account.account_id.cmp(&b.account.account_id));
        match sort.dir {
            SortDir::Ascending => o,
            SortDir::Descending => o.reverse(),
        }
    });
}

/// The table as shown: rows matching `filter`, in `sort` order.
pub fn visible_rows(all: &[AccountRow], filter: &str, sort: Sort) -> Vec<AccountRow> {
    let mut out: Vec<AccountRow> = all
        .iter()
        .filter(|r| matches(&r.account, filter))
        .cloned()
        .collect();
    sort_rows(&mut out, sort);
    out
}

// ---- savings potential -------------------------------------------------------------------------

/// One entry of `GET /aws/potentialSavings` (only what the cards use).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PotentialSaving {
    pub resource_type: String,
    #[serde(default)]
    pub name: String,
    /// USD per month.
    pub potential_savings: f64,
}

/// One entry of `GET /insights/savings` (only what the cards use): USD saved on one day.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SavingsPoint {
    pub savings: f64,
}

/// The dashboard's savings-potential cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SavingsCategory {
    Containers,
    ElasticApplications,
    Commitments,
}

impl SavingsCategory {
    pub const ALL: [SavingsCategory; 3] = [
        SavingsCategory::Containers,
        SavingsCategory::ElasticApplications,
        SavingsCategory::Commitments,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SavingsCategory::Containers => "Containers",
            SavingsCategory::ElasticApplications => "Elastic applications",
            SavingsCategory::Commitments => "Commitments",
        }
    }

    /// The card's category of a `resourceType` (case-insensitive): container clusters (Ocean,
    /// EKS, ECS, Kubernetes), elastic groups of instances (Elastigroup, auto scaling groups,
    /// instances), commitments (reserved instances, savings plans). `None` for anything else.
    pub fn of(resource_type: &str) -> Option<Self> {
        let t = resource_type.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if has(&[
            "ocean",
            "container",
            "kubernetes",
            "eks",
            "ecs",
            "aks",
            "gke",
        ]) {
            Some(SavingsCategory::Containers)
        } else if has(&["reserved", "savingsplan", "savings_plan", "commitment"]) {
            Some(SavingsCategory::Commitments)
        } else if has(&[
            "elastigroup",
            "autoscaling",
            "auto_scaling",
            "asg",
            "instance",
            "ec2",
        ]) {
            Some(SavingsCategory::ElasticApplications)
        } else {
            None
        }
    }
}

/// Monthly USD per card, and how many entries each card sums; entries of no category are left
/// out (never guessed into a card).
pub fn savings_totals(items: &[PotentialSaving]) -> [(SavingsCategory, f64, usize); 3] {
    SavingsCategory::ALL.map(|c| {
        let mine = items
            .iter()
            .filter(|i| SavingsCategory::of(&i.resource_type) == Some(c))
            .filter(|i| i.potential_savings.is_finite() && i.potential_savings >= 0.0);
        let (sum, n) = mine.fold((0.0, 0), |(s, n), i| (s + i.potential_savings, n + 1));
        (c, sum, n)
    })
}

/// US dollars, whole, with thousands separators: `$12,345`.
pub fn format_usd(amount: f64) -> String {
    let whole = if amount.is_finite() && amount > 0.0 {
        amount.round() as u64
    } else {
        0
    };
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    out.push('$');
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

// ---- the add-account flow's URLs ------------------------------------------------------------------

/// A URL of the additional-account flow: `/accounts/new` (a new flow, optionally
/// `?kind=linked|management`), `/accounts/new/<kind|name|provider>`,
/// `/accounts/new/connect/<aws|gcp|azure>`, and `/accounts/<id>/setup` (**Resume setup**).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddAccountRoute {
    Start,
    Step(AddAccountStep),
    Connect(crate::onboarding::Provider),
    Resume(AccountId),
}

impl AddAccountRoute {
    pub const BASE: &'static str = "/accounts/new";

    pub fn path(&self) -> String {
        match self {
            AddAccountRoute::Start => Self::BASE.to_owned(),
            AddAccountRoute::Step(AddAccountStep::Connect) => format!("{}/connect", Self::BASE),
            AddAccountRoute::Step(s) => format!("{}/{}", Self::BASE, s.slug()),
            AddAccountRoute::Connect(p) => format!("{}/connect/{}", Self::BASE, p.slug()),
            AddAccountRoute::Resume(id) => format!("/accounts/{id}/setup"),
        }
    }

    /// The route of a path (a trailing slash, a query or a fragment is ignored).
    pub fn parse(path: &str) -> Option<Self> {
        let path = path.split(['?', '#']).next().unwrap_or("");
        let path = path.strip_suffix('/').unwrap_or(path);
        if let Some(rest) = path.strip_prefix(Self::BASE) {
            return match rest.strip_prefix('/') {
                None if rest.is_empty() => Some(AddAccountRoute::Start),
                None => None,
                Some(r) => match r.strip_prefix("connect/") {
                    Some(p) => CloudProvider::from_slug(p).map(AddAccountRoute::Connect),
                    None => AddAccountStep::from_slug(r).map(AddAccountRoute::Step),
                },
            };
        }
        let id = path.strip_prefix("/accounts/")?.strip_suffix("/setup")?;
        AccountId::parse(id)
            .filter(|a| a.as_str() == id)
            .map(AddAccountRoute::Resume)
    }

    /// The route that shows `step` of `draft` (Connect names the chosen provider).
    pub fn of_step(step: AddAccountStep, draft: &AddAccountDraft) -> Self {
        match (step, draft.connect.chosen()) {
            (AddAccountStep::Connect, Some(p)) => AddAccountRoute::Connect(p),
            (AddAccountStep::Connect, None) => AddAccountRoute::Step(AddAccountStep::Provider),
            (s, _) => AddAccountRoute::Step(s),
        }
    }
}

/// `?kind=` of `/accounts/new`.
pub fn kind_from_query(value: &str) -> Option<AccountKind> {
    match value {
        "linked" => Some(AccountKind::Linked),
        "management" => Some(AccountKind::Management),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::CloudProvider;
    use crate::ids::OrganizationId;

    fn acct(id: &str, name: &str, created: &str, p: Option<CloudProvider>) -> Account {
        Account {
            account_id: AccountId::parse(id).unwrap(),
            name: name.into(),
            organization_id: OrganizationId::new(606_079_874_744).unwrap(),
            provider_external_id: p.map(|_| "123456789012".into()),
            cloud_provider: p,
            created_at: created.into(),
        }
    }

    fn sample() -> Vec<Account> {
        vec![
            acct(
                "act-0000000b",
                "beta",
                "2026-11-02T00:00:00.000Z",
                Some(CloudProvider::Aws),
            ),
            acct("act-0000000a", "Alpha", "2026-11-01T00:00:00.000Z", None),
            acct(
                "act-0000000c",
                "gamma",
                "2026-11-03T00:00:00.000Z",
                Some(CloudProvider::Azure),
            ),
        ]
    }

    fn facts(id: &AccountId) -> AccountFacts {
        if id.as_str() == "act-0000000c" {
            AccountFacts {
                kind: AccountKind::Linked,
                credential_expiry: Some("2026-11-30T00:00:00.000Z".into()),
                connected_at: None,
            }
        } else if id.as_str() == "act-0000000b" {
            AccountFacts {
                kind: AccountKind::Management,
                credential_expiry: None,
                connected_at: Some("2026-11-20T00:00:00.000Z".into()),
            }
        } else {
            AccountFacts::default()
        }
    }

    const NOW: &str = "2026-11-22T12:00:00.000Z";

    fn now() -> Timestamp {
        Timestamp::parse(NOW).unwrap()
    }

    #[test]
    fn rows_carry_kind_status_and_default() {
        let r = rows(&sample(), facts, now());
        assert_eq!(r[0].kind, AccountKind::Management);
        // Registered 60 h ago: a management account's data takes up to 72 h.
        assert_eq!(r[0].status, AccountStatus::Pending);
        assert_eq!(r[1].status, AccountStatus::NotConnected);
        assert_eq!(r[2].status, AccountStatus::ExpiresIn { days: 8 });
        assert_eq!(
            r.iter()
                .filter(|r| r.is_default)
                .map(|r| r.account.name.as_str())
                .collect::<Vec<_>>(),
            vec!["Alpha"],
            "the oldest account is the default, whatever the listing order"
        );
    }

    #[test]
    fn default_account_compares_instants() {
        let mut a = sample();
        a[1].created_at = "2026-11-03T01:00:00+05:00".into(); // 2026-11-02T20:00Z
        assert_eq!(default_account(&a).unwrap().as_str(), "act-0000000b");
        assert_eq!(default_account(&[]), None);
    }

    #[test]
    fn search_by_name_or_partial_id() {
        let a = sample();
        let names = |q: &str| {
            search(&a, q)
                .iter()
                .map(|a| a.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("ALP"), vec!["Alpha"]);
        assert_eq!(names(" 000000c "), vec!["gamma"]);
        assert_eq!(names("act-0000000b"), vec!["beta"]);
        assert_eq!(
            names("ACT-0000000B"),
            vec!["beta"],
            "IDs match case-insensitively"
        );
        assert_eq!(names("").len(), 3);
        assert_eq!(
            names("12345678901"),
            vec!["beta", "gamma"],
            "cloud account number"
        );
        assert!(names("zzz").is_empty());
    }

    #[test]
    fn sorting_each_column_both_ways() {
        let all = rows(&sample(), facts, now());
        let order = |key, dir| {
            visible_rows(&all, "", Sort { key, dir })
                .iter()
                .map(|r| r.account.name.clone())
                .collect::<Vec<_>>()
        };
        use SortDir::*;
        assert_eq!(order(SortKey::Name, Ascending), ["Alpha", "beta", "gamma"]);
        assert_eq!(order(SortKey::Name, Descending), ["gamma", "beta", "Alpha"]);
        assert_eq!(order(SortKey::Id, Ascending), ["Alpha", "beta", "gamma"]);
        assert_eq!(
            order(SortKey::Created, Descending),
            ["gamma", "beta", "Alpha"]
        );
        assert_eq!(
            order(SortKey::Provider, Ascending),
            ["beta", "gamma", "Alpha"]
        );
        assert_eq!(
            order(SortKey::Status, Ascending),
            ["gamma", "Alpha", "beta"]
        );
        assert_eq!(order(SortKey::Kind, Ascending), ["Alpha", "gamma", "beta"]);
        assert_eq!(
            Sort::default(),
            Sort {
                key: SortKey::Created,
                dir: Ascending
            }
        );
    }

    #[test]
    fn filter_then_sort() {
        let all = rows(&sample(), facts, now());
        let shown = visible_rows(
            &all,
            "a",
            Sort {
                key: SortKey::Name,
                dir: SortDir::Descending,
            },
        );
        let names: Vec<_> = shown.iter().map(|r| r.account.name.as_str()).collect();
        assert_eq!(names, ["gamma", "beta", "Alpha"]);
        assert!(visible_rows(&all, "nothing", Sort::default()).is_empty());
    }

    #[test]
    fn clicking_a_column() {
        let s = Sort::default();
        let s = s.clicked(SortKey::Name);
        assert_eq!(
            s,
            Sort {
                key: SortKey::Name,
                dir: SortDir::Ascending
            }
        );
        assert_eq!(s.aria_sort(SortKey::Name), "ascending");
        assert_eq!(s.aria_sort(SortKey::Created), "none");
        let s = s.clicked(SortKey::Name);
        assert_eq!(s.aria_sort(SortKey::Name), "descending");
        let s = s.clicked(SortKey::Status);
        assert_eq!(
            s,
            Sort {
                key: SortKey::Status,
                dir: SortDir::Ascending
            }
        );
    }

    #[test]
    fn savings_categories_and_totals() {
        assert_eq!(
            SavingsCategory::of("ocean"),
            Some(SavingsCategory::Containers)
        );
        assert_eq!(
            SavingsCategory::of("EKS cluster"),
            Some(SavingsCategory::Containers)
        );
        assert_eq!(
            SavingsCategory::of("elastigroup"),
            Some(SavingsCategory::ElasticApplications)
        );
        assert_eq!(
            SavingsCategory::of("autoScalingGroup"),
            Some(SavingsCategory::ElasticApplications)
        );
        assert_eq!(
            SavingsCategory::of("reservedInstances"),
            Some(SavingsCategory::Commitments)
        );
        assert_eq!(
            SavingsCategory::of("savingsPlan"),
            Some(SavingsCategory::Commitments)
        );
        assert_eq!(SavingsCategory::of("s3Bucket"), None);
        let item = |t: &str, v: f64| PotentialSaving {
            resource_type: t.into(),
            name: String::new(),
            potential_savings: v,
        };
        let totals = savings_totals(&[
            item("ocean", 100.0),
            item("ocean", 50.5),
            item("elastigroup", 10.0),
            item("s3Bucket", 999.0),
            item("reservedInstances", f64::NAN),
        ]);
        assert_eq!(totals[0], (SavingsCategory::Containers, 150.5, 2));
        assert_eq!(totals[1], (SavingsCategory::ElasticApplications, 10.0, 1));
        assert_eq!(
            totals[2],
            (SavingsCategory::Commitments, 0.0, 0),
            "NaN is not a figure"
        );
    }

    #[test]
    fn add_account_routes() {
        use AddAccountRoute as R;
        let id = AccountId::parse("act-1a2b3c4d").unwrap();
        let cases = [
            (R::Start, "/accounts/new"),
            (R::Step(AddAccountStep::Kind), "/accounts/new/kind"),
            (R::Step(AddAccountStep::Name), "/accounts/new/name"),
            (R::Step(AddAccountStep::Provider), "/accounts/new/provider"),
            (
                R::Connect(CloudProvider::Azure),
                "/accounts/new/connect/azure",
            ),
            (R::Resume(id.clone()), "/accounts/act-1a2b3c4d/setup"),
        ];
        for (r, p) in cases {
            assert_eq!(r.path(), p);
            assert_eq!(R::parse(p), Some(r.clone()));
            assert_eq!(R::parse(&format!("{p}/?x=1")), Some(r));
        }
        assert_eq!(R::parse("/accounts/new/connect/ibm"), None);
        assert_eq!(R::parse("/accounts/new/bogus"), None);
        assert_eq!(R::parse("/accounts/newer"), None);
        assert_eq!(R::parse("/accounts/act-1A2B3C4D/setup"), None);
        assert_eq!(R::parse("/accounts/%20act-1a2b3c4d/setup"), None);
        let mut d = AddAccountDraft::new(Some(AccountKind::Linked));
        assert_eq!(
            R::of_step(AddAccountStep::Connect, &d),
            R::Step(AddAccountStep::Provider)
        );
        d.connect.choose_provider(CloudProvider::Gcp);
        assert_eq!(
            R::of_step(AddAccountStep::Connect, &d),
            R::Connect(CloudProvider::Gcp)
        );
        assert_eq!(kind_from_query("management"), Some(AccountKind::Management));
        assert_eq!(kind_from_query("x"), None);
    }

    #[test]
    fn usd() {
        assert_eq!(format_usd(0.0), "$0");
        assert_eq!(format_usd(999.4), "$999");
        assert_eq!(format_usd(1000.0), "$1,000");
        assert_eq!(format_usd(1_234_567.8), "$1,234,568");
        assert_eq!(format_usd(-5.0), "$0");
        assert_eq!(format_usd(f64::INFINITY), "$0");
    }
}
