//! The honest status of an account for the dashboard's table: **Connected**,
//! **Pending**, **Not connected**, **Credentials expire in N days**, **Expired**.
//!
//! Everything is computed from facts the console actually has; nothing is guessed:
//! - `cloudProvider` null means no credentials were ever set: *Not connected*.
//! - Credential expiry is known only for Azure (the client secret's expiration date, which the
//!   console keeps when it sets or updates the credentials); the caller passes it.
//! - *Pending* (data still being collected: up to 24 h for a linked account, 72 h for a
//!   management account) needs the time the account was connected, which `GET /setup/account`
//!   does not carry. [`status`] therefore never answers *Pending*; [`status_at`] does, when the
//!   caller knows when the account was connected (e.g. a management account's `createdAt` from
//!   the management routes, or the moment this browser connected the account).

use crate::dto::Account;
use crate::onboarding::AccountKind;
use crate::time::Timestamp;

/// Warn about expiring credentials this many days ahead.
pub const EXPIRY_WARNING_DAYS: u32 = 30;
/// A linked account's data takes up to this long to appear after connecting.
pub const LINKED_PENDING_HOURS: i64 = 24;
/// A management account's first data processing takes up to this long.
pub const MANAGEMENT_PENDING_HOURS: i64 = 72;

/// What the dashboard shows in an account's status column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountStatus {
    Connected,
    Pending,
    NotConnected,
    ExpiresIn { days: u32 },
    Expired,
}

impl AccountStatus {
    /// The visible text (also what end-to-end tests look for).
    pub fn label(self) -> String {
        match self {
            AccountStatus::Connected => "Connected".to_owned(),
            AccountStatus::Pending => "Pending".to_owned(),
            AccountStatus::NotConnected => "Not connected".to_owned(),
            AccountStatus::ExpiresIn { days } => {
                format!(
                    "Credentials expire in {}",
                    crate::text::count(days.into(), "day", "days")
                )
            }
            AccountStatus::Expired => "Expired".to_owned(),
        }
    }

    /// A stable lowercase name for CSS classes and test ids.
    pub fn slug(self) -> &'static str {
        match self {
            AccountStatus::Connected => "connected",
            AccountStatus::Pending => "pending",
            AccountStatus::NotConnected => "not-connected",
            AccountStatus::ExpiresIn { .. } => "expires-soon",
            AccountStatus::Expired => "expired",
        }
    }

    /// The user has something to do (Resume setup or Update credentials).
    pub fn needs_action(self) -> bool {
        matches!(
            self,
            AccountStatus::NotConnected | AccountStatus::ExpiresIn { .. } | AccountStatus::Expired
        )
    }
}

pub use crate::time::{
    days_from_civil, days_in_month, parse_day, parse_instant, show_day, utc_day,
};

// ---- the rules ------------------------------------------------------------------------------

/// Whole days from `today` (`YYYY-MM-DD`, UTC) until the credentials expire, when that is at
/// most [`EXPIRY_WARNING_DAYS`]: `Some(0)` means already expired, `None` means no warning (far
/// off, or a date that can't be read).
///
/// Credentials count as expired from the start (00:00 UTC) of their expiry date — exactly the
/// instant `validate::secret_expiration` sends for a chosen date. An expiry given with a later
/// time of day is thus reported expired a few hours early: never late.
pub fn expiry_warning(expiry: &str, today: &str) -> Option<u32> {
    expiry_warning_on(expiry, parse_day(today.trim())?)
}

/// [`expiry_warning`] on the day `today` (days since 1970-01-01).
fn expiry_warning_on(expiry: &str, today: i64) -> Option<u32> {
    let days = utc_day(expiry)? - today;
    if days <= 0 {
        Some(0)
    } else if days <= i64::from(EXPIRY_WARNING_DAYS) {
        u32::try_from(days).ok()
    } else {
        None
    }
}

/// `today` in days since 1970-01-01; `None` when unknown (no expiry warning then).
fn credential_status(account: &Account, expiry: Option<&str>, today: Option<i64>) -> AccountStatus {
    if account.cloud_provider.is_none() {
        return AccountStatus::NotConnected;
    }
    match expiry.zip(today).and_then(|(e, t)| expiry_warning_on(e, t)) {
        Some(0) => AccountStatus::Expired,
        Some(days) => AccountStatus::ExpiresIn { days },
        None => AccountStatus::Connected,
    }
}

/// The status from what `GET /setup/account` says plus the credentials' expiry (an ISO date or
/// date-time; `None` when the provider's credentials don't expire or it is unknown), on `today`
/// (`YYYY-MM-DD`, UTC):
/// no `cloudProvider` → *Not connected*; expiry date reached → *Expired*; within 30 days →
/// *Credentials expire in N days*; otherwise *Connected*. An unreadable expiry or `today` gives
/// no warning (the table can't invent one). Never *Pending*: see [`status_at`].
pub fn status(account: &Account, credential_expiry: Option<&str>, today: &str) -> AccountStatus {
    credential_status(account, credential_expiry, parse_day(today.trim()))
}

/// [`status`], plus *Pending* while a freshly connected account's data is being collected:
/// less than 24 h after connecting a linked account, 72 h after registering a management one.
///
/// `connected_at` is when the credentials were set (for a management account: its
/// registration's `createdAt`); `None` when unknown, and then the answer is never *Pending*.
/// `now`'s UTC date is used as "today".
/// Precedence: *Not connected*, then *Expired* / *Credentials expire in N days* (they need the
/// user), then *Pending*, then *Connected*.
pub fn status_at(
    account: &Account,
    kind: AccountKind,
    credential_expiry: Option<&str>,
    connected_at: Option<&str>,
    now: Timestamp,
) -> AccountStatus {
    let base = credential_status(account, credential_expiry, Some(now.day()));
    if base != AccountStatus::Connected {
        return base;
    }
    let hours = match kind {
        AccountKind::Linked => LINKED_PENDING_HOURS,
        AccountKind::Management => MANAGEMENT_PENDING_HOURS,
    };
    match connected_at.and_then(Timestamp::parse) {
        Some(at) if now.millis_since(at) < hours * 3_600_000 => AccountStatus::Pending,
        _ => AccountStatus::Connected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(parse_day("2026-11-22"), Some(20_779));
        assert_eq!(show_day(20_779), "2026-11-22");
        assert_eq!(
            parse_day("2024-02-29").map(|d| d - 1),
            parse_day("2024-02-28")
        );
        assert_eq!(parse_day("2023-02-29"), None);
        assert_eq!(parse_day("0000-01-01"), None);
    }
}
