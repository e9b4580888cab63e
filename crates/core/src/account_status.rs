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
//!
//! Dates are handled by hand (days-from-civil), in UTC, with no date crate.

use crate::dto::Account;
use crate::onboarding::AccountKind;

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
            AccountStatus::ExpiresIn { days: 1 } => "Credentials expire in 1 day".to_owned(),
            AccountStatus::ExpiresIn { days } => format!("Credentials expire in {days} days"),
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

// ---- dates ----------------------------------------------------------------------------------

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in `month` (1–12) of year `y`.
pub fn days_in_month(y: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of the proleptic Gregorian date `y-m-d` (Howard Hinnant's
/// days-from-civil). `m` is 1–12 and `d` a valid day of that month.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let m = i64::from(m);
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

fn number(s: &str, len: usize) -> Option<u32> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `YYYY-MM-DD` (year 0001–9999) as days since 1970-01-01; `None` for anything else.
pub fn parse_day(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = i64::from(number(&s[..4], 4)?);
    let m = number(&s[5..7], 2)?;
    let d = number(&s[8..], 2)?;
    if y == 0 || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// The UTC calendar day of an ISO-8601 date (`YYYY-MM-DD`) or date-time (see
/// [`parse_instant`]), as days since 1970-01-01.
pub fn utc_day(s: &str) -> Option<i64> {
    parse_instant(s).map(|ms| ms.div_euclid(MS_PER_DAY))
}

const MS_PER_DAY: i64 = 86_400_000;

/// An ISO-8601 instant as milliseconds since 1970-01-01T00:00:00Z. Accepts `YYYY-MM-DD`
/// (midnight UTC) and `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or `±HH:MM`.
/// Surrounding whitespace is ignored; anything else is `None`.
pub fn parse_instant(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let day = parse_day(date)?;
    let Some(time) = time else {
        return Some(day * MS_PER_DAY);
    };
    let (clock, offset_min) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let at = time.rfind(['+', '-'])?;
        let (c, off) = time.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':')?;
        let (oh, om) = (number(oh, 2)?, number(om, 2)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (c, sign * i64::from(oh * 60 + om))
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (clock, None),
    };
    let mut parts = hms.split(':');
    let h = number(parts.next()?, 2)?;
    let m = number(parts.next()?, 2)?;
    let sec = match parts.next() {
        Some(p) => number(p, 2)?,
        None if fraction.is_none() => 0,
        None => return None,
    };
    if parts.next().is_some() || h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let millis = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            let padded: String = format!("{f:0<3}").chars().take(3).collect();
            i64::from(number(&padded, 3)?)
        }
        Some(_) => return None,
    };
    let local = i64::from(h * 3600 + m * 60 + sec) * 1000 + millis;
    Some(day * MS_PER_DAY + local - offset_min * 60_000)
}

// ---- the rules ------------------------------------------------------------------------------

/// Whole days from `today` (`YYYY-MM-DD`, UTC) until the credentials expire, when that is at
/// most [`EXPIRY_WARNING_DAYS`]: `Some(0)` means already expired, `None` means no warning (far
/// off, or a date that can't be read).
///
/// Credentials count as expired from the start (00:00 UTC) of their expiry date — exactly the
/// instant `validate::secret_expiration` sends for a chosen date. An expiry given with a later
/// time of day is thus reported expired a few hours early: never late.
pub fn expiry_warning(expiry: &str, today: &str) -> Option<u32> {
    let days = utc_day(expiry)? - parse_day(today.trim())?;
    if days <= 0 {
        Some(0)
    } else if days <= i64::from(EXPIRY_WARNING_DAYS) {
        u32::try_from(days).ok()
    } else {
        None
    }
}

fn credential_status(account: &Account, expiry: Option<&str>, today: &str) -> AccountStatus {
    if account.cloud_provider.is_none() {
        return AccountStatus::NotConnected;
    }
    match expiry.and_then(|e| expiry_warning(e, today)) {
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
    credential_status(account, credential_expiry, today)
}

/// [`status`], plus *Pending* while a freshly connected account's data is being collected:
/// less than 24 h after connecting a linked account, 72 h after registering a management one.
///
/// `connected_at` is when the credentials were set (for a management account: its
/// registration's `createdAt`); `None` when unknown, and then the answer is never *Pending*.
/// `now` is an ISO instant (UTC or with an offset); its date is used as "today".
/// Precedence: *Not connected*, then *Expired* / *Credentials expire in N days* (they need the
/// user), then *Pending*, then *Connected*.
pub fn status_at(
    account: &Account,
    kind: AccountKind,
    credential_expiry: Option<&str>,
    connected_at: Option<&str>,
    now: &str,
) -> AccountStatus {
    let Some(now_ms) = parse_instant(now) else {
        return credential_status(account, credential_expiry, "");
    };
    let today = show_day(now_ms.div_euclid(MS_PER_DAY));
    let base = credential_status(account, credential_expiry, &today);
    if base != AccountStatus::Connected {
        return base;
    }
    let hours = match kind {
        AccountKind::Linked => LINKED_PENDING_HOURS,
        AccountKind::Management => MANAGEMENT_PENDING_HOURS,
    };
    match connected_at.and_then(parse_instant) {
        Some(at) if now_ms - at < hours * 3_600_000 => AccountStatus::Pending,
        _ => AccountStatus::Connected,
    }
}

/// `YYYY-MM-DD` of a day number (inverse of [`days_from_civil`], Hinnant's civil-from-days).
pub fn show_day(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
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
