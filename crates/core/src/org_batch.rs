//! Connecting many cloud accounts at once (an AWS Organization's members; Azure subscriptions
//! alike): the plan the console keeps while it creates one Spot account per member, and what
//! it does next after a reload or a lost answer.
//!
//! The plan is persisted in the browser and holds no secret (no connect token). Creating Spot
//! accounts is not idempotent against every API, so the plan never trusts that a request it sent
//! failed: before creating anything again it [`reconcile`]s with the account listing, adopting an
//! account its earlier attempt made. An account is adopted only when it has the member's planned
//! name, is not connected, was created at or after the plan started, and belongs to no other
//! member, so an account that was there before, or one that is in use, is never taken.

use crate::dto::{Account, BatchMemberState};
use crate::ids::AccountId;
use crate::retry::Policy;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One member of a batch: a cloud account and the Spot account made for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedMember {
    /// The cloud's own ID of the account (12 AWS digits, an Azure subscription ID).
    pub cloud_id: String,
    /// The name its Spot account gets (and is recognised by after a lost answer).
    pub spot_name: String,
    /// The Spot account, once created or adopted.
    #[serde(default)]
    pub account_id: Option<AccountId>,
    /// The account's external ID, once generated.
    #[serde(default)]
    pub external_id: Option<String>,
}

/// A batch in progress. `started_at` is a little before the first create request was sent, so
/// accounts created by this batch are dated at or after it, and older ones are not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchPlan {
    pub started_at: String,
    pub members: Vec<PlannedMember>,
    /// The server's batch (`bat-…`), once made; its token is never kept here.
    #[serde(default)]
    pub batch_id: Option<String>,
}

impl BatchPlan {
    /// A plan for `(cloud ID, Spot name)` pairs, in that order. Two members that would share a
    /// name get their cloud ID after it, so every planned name is distinct and a name always
    /// points to one member when an account is adopted.
    pub fn new(started_at: &str, members: impl IntoIterator<Item = (String, String)>) -> Self {
        let members: Vec<(String, String)> = members.into_iter().collect();
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, name) in &members {
            *count.entry(name.as_str()).or_default() += 1;
        }
        let mut taken = BTreeSet::new();
        let members = members
            .iter()
            .map(|(cloud_id, name)| {
                let mut spot_name = if count[name.as_str()] > 1 {
                    format!("{name} ({cloud_id})")
                } else {
                    name.clone()
                };
                // Still taken (a name that already ended with another member's ID): number it.
                let base = spot_name.clone();
                let mut n = 2;
                while !taken.insert(spot_name.clone()) {
                    spot_name = format!("{base} {n}");
                    n += 1;
                }
                PlannedMember {
                    cloud_id: cloud_id.clone(),
                    spot_name,
                    account_id: None,
                    external_id: None,
                }
            })
            .collect();
        Self {
            started_at: started_at.to_owned(),
            members,
            batch_id: None,
        }
    }

    /// Members that still need a Spot account (call [`reconcile`] first after any doubt).
    pub fn needing_account(&self) -> Vec<usize> {
        (0..self.members.len())
            .filter(|&i| self.members[i].account_id.is_none())
            .collect()
    }

    /// Members with a Spot account but no external ID yet.
    pub fn needing_external_id(&self) -> Vec<usize> {
        (0..self.members.len())
            .filter(|&i| {
                let m = &self.members[i];
                m.account_id.is_some() && m.external_id.is_none()
            })
            .collect()
    }

    pub fn progress(&self) -> Progress {
        Progress {
            total: self.members.len(),
            accounts: self
                .members
                .iter()
                .filter(|m| m.account_id.is_some())
                .count(),
            external_ids: self
                .members
                .iter()
                .filter(|m| m.external_id.is_some())
                .count(),
        }
    }

    /// What is left to do.
    pub fn phase(&self) -> Phase {
        let p = self.progress();
        if p.accounts < p.total {
            Phase::Accounts
        } else if p.external_ids < p.total {
            Phase::ExternalIds
        } else if self.batch_id.is_none() {
            Phase::Batch
        } else {
            Phase::Deploy
        }
    }

    /// Records the account a create request answered with. `false` (and no change) when the
    /// member already has one or another member holds it: the answer is then a duplicate.
    pub fn record_account(&mut self, member: usize, id: AccountId) -> bool {
        if self
            .members
            .iter()
            .any(|m| m.account_id.as_ref() == Some(&id))
        {
            return false;
        }
        match self.members.get_mut(member) {
            Some(m) if m.account_id.is_none() => {
                m.account_id = Some(id);
                true
            }
            _ => false,
        }
    }

    /// Records an external ID generated for `id`'s account.
    pub fn record_external_id(&mut self, id: &AccountId, external_id: String) {
        if let Some(m) = self
            .members
            .iter_mut()
            .find(|m| m.account_id.as_ref() == Some(id))
        {
            m.external_id = Some(external_id);
        }
    }

    /// The Spot accounts of the batch, in member order (every member has one by then).
    pub fn account_ids(&self) -> Vec<AccountId> {
        self.members
            .iter()
            .filter_map(|m| m.account_id.clone())
            .collect()
    }

    /// Each member's Spot account with its cloud account (an AWS member's account ID), in
    /// member order, for the members that have a Spot account.
    pub fn accounts_with_cloud_ids(&self) -> Vec<(AccountId, String)> {
        self.members
            .iter()
            .filter_map(|m| Some((m.account_id.clone()?, m.cloud_id.clone())))
            .collect()
    }

    /// The member whose Spot account is `id`.
    pub fn member_of(&self, id: &AccountId) -> Option<&PlannedMember> {
        self.members
            .iter()
            .find(|m| m.account_id.as_ref() == Some(id))
    }
}

/// How far account creation has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub total: usize,
    pub accounts: usize,
    pub external_ids: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Some members have no Spot account yet.
    Accounts,
    /// Every member has an account; some have no external ID.
    ExternalIds,
    /// Everything is ready for the server's batch.
    Batch,
    /// The batch exists: deploy and watch.
    Deploy,
}

/// What [`reconcile`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Members that adopted an account their earlier attempt had made.
    pub adopted: Vec<usize>,
    /// Members whose account is gone from the listing (deleted meanwhile): they need a new one.
    pub lost: Vec<usize>,
}

/// Brings the plan in line with the organization's accounts (`GET /setup/account`): a member
/// whose recorded account no longer exists forgets it; a member without an account adopts one
/// with its planned name that is not connected, was created at or after `started_at` and is
/// not another member's. Oldest candidates first, so the outcome does not depend on the
/// listing's order. Running it twice changes nothing the second time.
pub fn reconcile(plan: &mut BatchPlan, accounts: &[Account]) -> Reconciled {
    let mut out = Reconciled::default();
    let listed: BTreeSet<&AccountId> = accounts.iter().map(|a| &a.account_id).collect();
    for (i, m) in plan.members.iter_mut().enumerate() {
        if m.account_id.as_ref().is_some_and(|id| !listed.contains(id)) {
            m.account_id = None;
            m.external_id = None;
            out.lost.push(i);
        }
    }
    let Some(started) = Timestamp::parse(&plan.started_at) else {
        // Without a known start no account can be told apart from an older one: adopt none.
        return out;
    };
    let mut taken: BTreeSet<AccountId> = plan
        .members
        .iter()
        .filter_map(|m| m.account_id.clone())
        .collect();
    let mut candidates: Vec<(&Account, Timestamp)> = accounts
        .iter()
        .filter(|a| a.cloud_provider.is_none() && a.provider_external_id.is_none())
        .filter_map(|a| Some((a, Timestamp::parse(&a.created_at)?)))
        .filter(|(_, at)| *at >= started)
        .collect();
    candidates.sort_by(|(a, at), (b, bt)| at.cmp(bt).then(a.account_id.cmp(&b.account_id)));
    for (i, m) in plan.members.iter_mut().enumerate() {
        if m.account_id.is_some() {
            continue;
        }
        if let Some((a, _)) = candidates
            .iter()
            .find(|(a, _)| a.name == m.spot_name && !taken.contains(&a.account_id))
        {
            taken.insert(a.account_id.clone());
            m.account_id = Some(a.account_id.clone());
            out.adopted.push(i);
        }
    }
    out
}

/// The members table's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateCounts {
    pub waiting: usize,
    pub connected: usize,
    pub failed: usize,
}

impl StateCounts {
    /// The counts of members in these states.
    pub fn of(states: impl IntoIterator<Item = BatchMemberState>) -> Self {
        let mut c = Self::default();
        for s in states {
            match s {
                BatchMemberState::Waiting => c.waiting += 1,
                BatchMemberState::Connected => c.connected += 1,
                BatchMemberState::Failed => c.failed += 1,
            }
        }
        c
    }

    pub fn total(&self) -> usize {
        self.waiting + self.connected + self.failed
    }

    /// Every member is connected: nothing left to watch.
    pub fn all_connected(&self) -> bool {
        self.total() > 0 && self.connected == self.total()
    }

    /// Once every member is connected: "The member is connected." or "All 40 members are
    /// connected." (`one` and `many` name a member).
    pub fn all_connected_text(&self, one: &str, many: &str) -> Option<String> {
        self.all_connected().then(|| match self.total() {
            1 => format!("The {one} is connected."),
            n => format!("All {n} {many} are connected."),
        })
    }
}

/// The backoff of the status checks: every 3 s while something changes, then longer (up to a
/// minute) while nothing does, with jitter; `unchanged` counts the checks since the last change.
pub const POLL: Policy = Policy {
    max_attempts: u32::MAX,
    base_delay_ms: 3_000,
    max_delay_ms: 60_000,
    ..Policy::DEFAULT
};

/// The pause before the next status check, after `unchanged` checks that changed nothing.
pub fn poll_delay_ms(unchanged: u32, jitter: f64) -> u64 {
    POLL.backoff_ms(unchanged.saturating_add(1), jitter)
        .max(POLL.base_delay_ms / 2)
}

/// Whether the batch token's expiry has passed at `now` (an unreadable expiry counts as passed:
/// the user renews rather than waits on a token that may not work).
pub fn token_expired(expires_at: &str, now: Timestamp) -> bool {
    Timestamp::parse(expires_at).is_none_or(|at| at <= now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::CloudProvider;
    use crate::ids::OrganizationId;
    use proptest::prelude::*;

    const START: &str = "2026-12-03T10:00:00.000Z";

    fn account(n: u32, name: &str, created_at: &str, connected: bool) -> Account {
        Account {
            account_id: AccountId::from_bits(n),
            name: name.into(),
            organization_id: OrganizationId::new(100_000_000_001).unwrap(),
            provider_external_id: connected.then(|| "123456789012".into()),
            cloud_provider: connected.then_some(CloudProvider::Aws),
            created_at: created_at.into(),
        }
    }

    fn plan(names: &[&str]) -> BatchPlan {
        BatchPlan::new(
            START,
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (format!("{:012}", i + 1), (*n).to_owned())),
        )
    }

    #[test]
    fn a_new_plan_has_distinct_names_and_nothing_done() {
        let p = plan(&["Dev", "Prod", "Dev"]);
        let names: Vec<&str> = p.members.iter().map(|m| m.spot_name.as_str()).collect();
        assert_eq!(names, ["Dev (000000000001)", "Prod", "Dev (000000000003)"]);
        assert_eq!(p.needing_account(), [0, 1, 2]);
        assert_eq!(p.phase(), Phase::Accounts);
        assert_eq!(
            p.progress(),
            Progress {
                total: 3,
                accounts: 0,
                external_ids: 0
            }
        );
        // A name that already reads like another's disambiguated one is numbered.
        let p = BatchPlan::new(
            START,
            [
                ("000000000001".to_owned(), "A".to_owned()),
                ("000000000002".to_owned(), "A".to_owned()),
                ("000000000003".to_owned(), "A (000000000001)".to_owned()),
            ],
        );
        let names: BTreeSet<&str> = p.members.iter().map(|m| m.spot_name.as_str()).collect();
        assert_eq!(names.len(), 3);
    }

    #[test]
    fn adopts_only_a_new_unconnected_account_of_the_same_name() {
        let mut p = plan(&["Dev", "Prod", "Data", "Ops"]);
        let accounts = vec![
            // Created before the batch started: someone else's.
            account(1, "Dev", "2026-12-03T09:59:59.999Z", false),
            // Connected: in use.
            account(2, "Prod", "2026-12-03T10:00:01Z", true),
            // Another name.
            account(3, "Data2", "2026-12-03T10:00:01Z", false),
            // This batch's lost answer.
            account(4, "Ops", "2026-12-03T10:00:00Z", false),
            // An unreadable date is never adopted.
            account(5, "Dev", "yesterday", false),
        ];
        let r = reconcile(&mut p, &accounts);
        assert_eq!(r.adopted, [3]);
        assert_eq!(p.members[3].account_id, Some(AccountId::from_bits(4)));
        assert_eq!(p.needing_account(), [0, 1, 2]);
        let again = reconcile(&mut p, &accounts);
        assert_eq!(again, Reconciled::default());
    }

    #[test]
    fn an_account_held_by_a_member_is_not_adopted_by_another_and_a_deleted_one_is_forgotten() {
        let mut p = plan(&["Dev", "Prod"]);
        assert!(p.record_account(0, AccountId::from_bits(7)));
        // The same account answered twice (a duplicate answer) is not recorded for another.
        assert!(!p.record_account(1, AccountId::from_bits(7)));
        assert!(!p.record_account(0, AccountId::from_bits(8)));
        p.record_external_id(&AccountId::from_bits(7), "ext".into());
        assert_eq!(p.needing_external_id(), Vec::<usize>::new());
        let r = reconcile(&mut p, &[account(9, "Prod", START, false)]);
        assert_eq!(r.lost, [0]);
        assert_eq!(r.adopted, [1]);
        assert_eq!(p.members[0].external_id, None);
        assert_eq!(p.needing_account(), [0]);
    }

    #[test]
    fn phases_follow_the_work() {
        let mut p = plan(&["A", "B"]);
        p.record_account(0, AccountId::from_bits(1));
        p.record_account(1, AccountId::from_bits(2));
        assert_eq!(p.phase(), Phase::ExternalIds);
        assert_eq!(p.needing_external_id(), [0, 1]);
        p.record_external_id(&AccountId::from_bits(1), "e1".into());
        p.record_external_id(&AccountId::from_bits(2), "e2".into());
        assert_eq!(p.phase(), Phase::Batch);
        p.batch_id = Some("bat-0000000a".into());
        assert_eq!(p.phase(), Phase::Deploy);
        assert_eq!(
            p.member_of(&AccountId::from_bits(2)).unwrap().cloud_id,
            "000000000002"
        );
    }

    #[test]
    fn the_plan_is_stored_without_a_token() {
        let mut p = plan(&["A"]);
        p.batch_id = Some("bat-0000000a".into());
        let json = serde_json::to_string(&p).unwrap();
        assert!(!json.to_lowercase().contains("token"), "{json}");
        assert_eq!(serde_json::from_str::<BatchPlan>(&json).unwrap(), p);
    }

    #[test]
    fn counts_polls_and_expiry() {
        let m = |state| crate::dto::AwsBatchMember {
            account_id: AccountId::from_bits(1),
            state,
            reason: None,
            updated_at: None,
        };
        let members = [
            m(BatchMemberState::Waiting),
            m(BatchMemberState::Connected),
            m(BatchMemberState::Failed),
            m(BatchMemberState::Connected),
        ];
        let c = StateCounts::of(members.iter().map(|m| m.state));
        assert_eq!((c.waiting, c.connected, c.failed, c.total()), (1, 2, 1, 4));
        assert!(!c.all_connected());
        assert_eq!(c.all_connected_text("member", "members"), None);
        let one = StateCounts::of([BatchMemberState::Connected]);
        assert!(one.all_connected());
        assert_eq!(
            one.all_connected_text("member", "members").as_deref(),
            Some("The member is connected.")
        );
        let two = StateCounts::of([BatchMemberState::Connected; 2]);
        assert_eq!(
            two.all_connected_text("member", "members").as_deref(),
            Some("All 2 members are connected.")
        );
        assert!(!StateCounts::default().all_connected());
        assert_eq!(
            StateCounts::default().all_connected_text("member", "members"),
            None
        );
        assert!((1_500..=3_000).contains(&poll_delay_ms(0, 0.5)));
        assert!(poll_delay_ms(3, 0.0) > poll_delay_ms(0, 1.0));
        assert!(poll_delay_ms(100, 1.0) <= 60_000);
        let now = Timestamp::parse(START).unwrap();
        assert!(!token_expired("2026-12-03T10:00:00.001Z", now));
        assert!(token_expired(START, now));
        assert!(token_expired("soon", now));
    }

    // ---- properties ------------------------------------------------------------------------

    /// A world: a plan of up to 12 members (names drawn from a small set, so they collide),
    /// and a listing of accounts, some made by earlier attempts of this batch (lost answers),
    /// some older, some connected, some with other names.
    fn world() -> impl Strategy<Value = (BatchPlan, Vec<Account>)> {
        let names = prop::sample::select(vec!["Dev", "Prod", "Data", "Ops", "Dev (000000000001)"]);
        let members = prop::collection::vec(names.clone(), 1..12);
        // (name index or other, minutes relative to the start, connected)
        let listing = prop::collection::vec((0usize..14, -5i64..5, any::<bool>()), 0..20);
        (members, listing, any::<u64>(), any::<bool>()).prop_map(|(names, listing, seed, raw)| {
            let mut p = BatchPlan::new(
                START,
                names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (format!("{:012}", i + 1), (*n).to_owned())),
            );
            if raw {
                // A plan stored by another planner may repeat names: adoption must still hold.
                for (m, n) in p.members.iter_mut().zip(&names) {
                    m.spot_name = (*n).to_owned();
                }
            }
            let start = Timestamp::parse(START).unwrap();
            let accounts: Vec<Account> = listing
                .iter()
                .enumerate()
                .map(|(k, (which, minutes, connected))| {
                    let name = p
                        .members
                        .get(*which)
                        .map_or_else(|| format!("Other {which}"), |m| m.spot_name.clone());
                    let at = start.plus_millis(minutes * 60_000).to_string();
                    account(k as u32 + 1, &name, &at, *connected)
                })
                .collect();
            // Some members already know their account (answers that did arrive).
            for (k, a) in accounts.iter().enumerate() {
                if (seed >> (k % 64)) & 1 == 1
                    && let Some(i) = p.members.iter().position(|m| m.spot_name == a.name)
                {
                    p.record_account(i, a.account_id.clone());
                }
            }
            (p, accounts)
        })
    }

    proptest! {
        #[test]
        fn reconcile_never_gives_one_account_to_two_members_nor_adopts_a_wrong_one(
            (mut p, accounts) in world()
        ) {
            let before = p.clone();
            let r = reconcile(&mut p, &accounts);
            let start = Timestamp::parse(START).unwrap();
            let held: Vec<&AccountId> = p.members.iter().filter_map(|m| m.account_id.as_ref()).collect();
            let distinct: BTreeSet<&AccountId> = held.iter().copied().collect();
            prop_assert_eq!(held.len(), distinct.len(), "one account for two members");
            for &i in &r.adopted {
                prop_assert!(before.members[i].account_id.is_none());
                let id = p.members[i].account_id.as_ref().unwrap();
                let a = accounts.iter().find(|a| &a.account_id == id).unwrap();
                prop_assert_eq!(&a.name, &p.members[i].spot_name);
                prop_assert!(a.cloud_provider.is_none());
                prop_assert!(Timestamp::parse(&a.created_at).unwrap() >= start);
            }
            // Nothing recorded and still listed is ever changed.
            for (b, m) in before.members.iter().zip(&p.members) {
                if b.account_id.is_some() {
                    prop_assert_eq!(&b.account_id, &m.account_id);
                }
            }
            // A member left without an account has no adoptable account waiting for it.
            for m in p.members.iter().filter(|m| m.account_id.is_none()) {
                let waiting = accounts.iter().any(|a| a.name == m.spot_name
                    && a.cloud_provider.is_none()
                    && Timestamp::parse(&a.created_at).unwrap() >= start
                    && !held.contains(&&a.account_id));
                prop_assert!(!waiting, "{} left an adoptable account behind", m.spot_name);
            }
        }

        #[test]
        fn reconciling_twice_is_reconciling_once((mut p, accounts) in world()) {
            reconcile(&mut p, &accounts);
            let once = p.clone();
            let r = reconcile(&mut p, &accounts);
            prop_assert_eq!(&p, &once);
            prop_assert_eq!(r, Reconciled::default());
        }

        #[test]
        fn the_listing_order_does_not_change_the_outcome((p, mut accounts) in world()) {
            let mut a = p.clone();
            reconcile(&mut a, &accounts);
            accounts.reverse();
            let mut b = p;
            reconcile(&mut b, &accounts);
            prop_assert_eq!(a, b);
        }
    }
}
