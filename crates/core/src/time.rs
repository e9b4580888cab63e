//! Time as a typed instant: milliseconds since 1970-01-01T00:00:00Z in UTC. Text (RFC 3339,
//! the API's and storage's form) is read and written only where a time crosses the wire or
//! storage; rules compare and subtract [`Timestamp`]s.
//!
//! Dates are handled by hand (days-from-civil), in UTC, with no date crate.

use std::fmt;

/// An instant to the millisecond. Ordered; [`fmt::Display`] writes RFC 3339 in UTC with
/// milliseconds, exactly as a browser's `Date.toISOString` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Reads an ISO-8601 / RFC 3339 instant. Accepts `YYYY-MM-DD`
    /// (midnight UTC) and `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or `±HH:MM`.
    /// Surrounding whitespace is ignored; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (date, time) = match s.split_once(['T', 't']) {
            Some((d, t)) => (d, Some(t)),
            None => (s, None),
        };
        let day = parse_day(date)?;
        let Some(time) = time else {
            return Some(Self(day * MS_PER_DAY));
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
        Some(Self(day * MS_PER_DAY + local - offset_min * 60_000))
    }

    /// The UTC calendar day, as days since 1970-01-01.
    pub fn day(self) -> i64 {
        self.0.div_euclid(MS_PER_DAY)
    }

    /// The UTC calendar day, `YYYY-MM-DD`.
    pub fn date(self) -> String {
        show_day(self.day())
    }

    /// Milliseconds from `earlier` to `self`; negative when `earlier` is in fact later.
    pub fn millis_since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// `ms` milliseconds later (earlier when negative).
    pub fn plus_millis(self, ms: i64) -> Self {
        Self(self.0.saturating_add(ms))
    }
}

impl fmt::Display for Timestamp {
    /// `2026-11-22T10:43:42.538Z`. Years outside 0000–9999 take a sign and six digits
    /// (`+010000-…`), as `Date.toISOString` writes them; [`Timestamp::parse`] reads back the
    /// years 0001–9999.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let date = self.date();
        let ms = self.0.rem_euclid(MS_PER_DAY);
        let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        write!(f, "{date}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
    }
}

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
/// [`Timestamp::parse`]), as days since 1970-01-01.
pub fn utc_day(s: &str) -> Option<i64> {
    Timestamp::parse(s).map(Timestamp::day)
}

/// [`Timestamp::parse`] as milliseconds since 1970-01-01T00:00:00Z.
pub fn parse_instant(s: &str) -> Option<i64> {
    Timestamp::parse(s).map(Timestamp::as_millis)
}

/// Milliseconds in a UTC day (no leap seconds, like every clock the app reads).
pub const MS_PER_DAY: i64 = 86_400_000;

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
    if (0..=9999).contains(&y) {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        let sign = if y < 0 { '-' } else { '+' };
        format!("{sign}{:06}-{m:02}-{d:02}", y.unsigned_abs())
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An ISO date or instant as its UTC day, "30 Nov 2026" (the month in words, so no one reads
/// 03/04 the wrong way round); the text as given if it is not a date.
pub fn show_date(iso: &str) -> String {
    let Some(day) = utc_day(iso) else {
        return iso.to_owned();
    };
    let ymd = show_day(day);
    let month = ymd
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)));
    match (ymd.get(..4), month, ymd.get(8..)) {
        (Some(y), Some(m), Some(d)) => format!("{} {m} {y}", d.trim_start_matches('0')),
        _ => ymd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_words() {
        assert_eq!(show_date("2026-11-30T23:59:59.000Z"), "30 Nov 2026");
        assert_eq!(show_date("2027-01-05"), "5 Jan 2027");
        assert_eq!(show_date("2026-03-01T22:00:00-05:00"), "2 Mar 2026");
        assert_eq!(show_date("soon"), "soon");
    }

    /// What `new Date(ms).toISOString()` answers.
    #[test]
    fn writes_what_a_browser_writes() {
        for (ms, text) in [
            (0, "1970-01-01T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (1_764_754_266_123, "2025-12-03T09:31:06.123Z"),
            (1_795_689_822_538, "2026-11-26T10:43:42.538Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
            (253_402_300_800_000, "+010000-01-01T00:00:00.000Z"),
            (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
            (-62_135_596_800_001, "0000-12-31T23:59:59.999Z"),
            (-62_198_755_200_000, "-000001-01-01T00:00:00.000Z"),
            (8_640_000_000_000_000, "+275760-09-13T00:00:00.000Z"),
            (-8_640_000_000_000_000, "-271821-04-20T00:00:00.000Z"),
        ] {
            assert_eq!(Timestamp::from_millis(ms).to_string(), text, "{ms}");
        }
    }

    #[test]
    fn differences_and_days() {
        let t = Timestamp::parse("2026-11-22T10:00:00Z").unwrap();
        let later = Timestamp::parse("2026-11-22T12:30:00+02:00").unwrap();
        assert_eq!(later.millis_since(t), 30 * 60_000);
        assert_eq!(t.millis_since(later), -30 * 60_000);
        assert_eq!(t.plus_millis(30 * 60_000), later);
        assert!(t < later);
        assert_eq!(t.date(), "2026-11-22");
        assert_eq!(Timestamp::from_millis(-1).date(), "1969-12-31");
        assert_eq!(
            Timestamp::from_millis(i64::MAX).plus_millis(1).as_millis(),
            i64::MAX
        );
    }
}
