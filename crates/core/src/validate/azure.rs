//! Azure: tenant, client and subscription IDs, the client secret and its expiration date, and
//! billing account identifiers.

use super::text::{describe_char, excerpt};
use super::{Checked, fail};
use serde::{Deserialize, Serialize};

const GUID_EXAMPLE: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];

/// True when `s` is exactly `8-4-4-4-12` hex digits (any case).
fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.split('-').map(str::len).eq(GROUPS)
        && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// The first GUID inside `s` that stands on its own (not next to another hex digit or dash),
/// for values pasted with text around them (a portal URL, a resource ID).
fn find_guid(s: &str) -> Option<&str> {
    let bytes = s.as_bytes();
    let joins = |i: Option<usize>| {
        i.and_then(|i| bytes.get(i))
            .is_some_and(|b| b.is_ascii_hexdigit() || *b == b'-')
    };
    (0..bytes.len().saturating_sub(35))
        .filter(|&i| s.is_char_boundary(i) && s.is_char_boundary(i + 36))
        .filter(|&i| !joins(i.checked_sub(1)) && !joins(Some(i + 36)))
        .map(|i| &s[i..i + 36])
        .find(|c| is_guid(c))
}

/// A GUID as it is compared, sent and shown: the [`azure_guid`] form (braces dropped,
/// lowercase) when valid; otherwise what was typed, trimmed and lowercased.
pub fn guid_form(input: &str) -> String {
    azure_guid(input, "").unwrap_or_else(|_| input.trim().to_ascii_lowercase())
}

/// An Azure GUID (tenant, client/application or subscription ID): `8-4-4-4-12` hex digits,
/// any case, surrounding whitespace and one pair of braces removed; returned lowercase.
/// `what` names the field in messages, e.g. "Directory (tenant) ID".
pub fn azure_guid(input: &str, what: &str) -> Checked<String> {
    let s = input.trim();
    if s.is_empty() {
        return fail(format!("Enter the {what}."));
    }
    let s = match s.strip_prefix('{') {
        Some(inner) => match inner.strip_suffix('}') {
            Some(inner) => inner.trim(),
            None => {
                return fail(format!(
                    "The {what} starts with “{{” but has no closing “}}”. Remove the brace."
                ));
            }
        },
        None if s.ends_with('}') => {
            return fail(format!(
                "The {what} ends with “}}” but has no opening “{{”. Remove the brace."
            ));
        }
        None => s,
    };
    if is_guid(s) {
        return Ok(s.to_ascii_lowercase());
    }
    if let Some(guid) = find_guid(s) {
        return fail(format!(
            "Enter only the {what}, without the text around it: {}.",
            guid.to_ascii_lowercase()
        ));
    }
    if s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return fail(format!(
            "The {what} is written with dashes in groups of 8-4-4-4-12 digits, like {GUID_EXAMPLE}."
        ));
    }
    if s.contains('.') && !s.contains(' ') {
        return fail(format!(
            "That looks like a domain name. Enter the {what} instead: a GUID like {GUID_EXAMPLE}."
        ));
    }
    if let Some(c) = s.chars().find(|c| !(c.is_ascii_hexdigit() || *c == '-')) {
        let c = if c.is_whitespace() {
            "spaces".to_owned()
        } else {
            describe_char(c)
        };
        return fail(format!(
            "The {what} can't contain {c}. It has digits 0–9, letters a–f and dashes, like {GUID_EXAMPLE}."
        ));
    }
    fail(format!(
        "The {what} has 32 digits and letters a–f in groups of 8-4-4-4-12, like {GUID_EXAMPLE}; “{}” is not in that form.",
        excerpt(s)
    ))
}

/// Client secret value: non-empty, without surrounding whitespace. Never trimmed: a space at an
/// end means the copy went wrong, and a trimmed secret would silently differ from the real one.
pub fn azure_client_secret(input: &str) -> Checked<String> {
    if input.is_empty() {
        return fail("Enter the client secret's value.");
    }
    if input.trim().is_empty() {
        return fail("The client secret is only spaces. Copy the secret's value again.");
    }
    if input.trim() != input {
        return fail(
            "The client secret starts or ends with a space or line break. Copy the secret's value again, without anything around it.",
        );
    }
    if let Some(c) = input.chars().find(|c| c.is_control()) {
        return fail(format!(
            "The client secret contains {}. Copy the secret's value again.",
            describe_char(c)
        ));
    }
    Ok(input.to_owned())
}

/// True when a client secret is GUID-shaped: that is the secret's ID, not its value (Azure
/// answers AADSTS7000215 for it). A warning, not an error: show [`SECRET_ID_WARNING`].
pub fn secret_looks_like_secret_id(input: &str) -> bool {
    azure_guid(input, "secret").is_ok()
}

/// The warning shown when [`secret_looks_like_secret_id`] is true.
pub const SECRET_ID_WARNING: &str = "This looks like the secret's ID, not its value. In the app registration's Certificates & secrets page, copy the Value column instead (it is shown only right after the secret is created).";

// ---- dates ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Date {
    year: u32,
    month: u32,
    day: u32,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Parses `YYYY-MM-DD` (exactly that shape). The error says why the value is not a date.
fn parse_date(s: &str) -> Result<Date, String> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err("Enter the date as YYYY-MM-DD, like 2026-05-31.".to_owned());
    }
    let (year, month, day) = (
        digits(&s[..4]).unwrap_or(0),
        digits(&s[5..7]).unwrap_or(0),
        digits(&s[8..]).unwrap_or(0),
    );
    if year == 0 {
        return Err(format!("{s} is not a date: there is no year 0."));
    }
    if !(1..=12).contains(&month) {
        return Err(format!("{s} is not a date: the month must be 01 to 12."));
    }
    let max = days_in_month(year, month);
    if !(1..=max).contains(&day) {
        return Err(format!(
            "{s} is not a date: {} {year} has {max} days.",
            MONTHS[month as usize - 1]
        ));
    }
    Ok(Date { year, month, day })
}

/// The same day `years` later; 29 February becomes 28 February in a common year.
fn add_years(d: Date, years: u32) -> Date {
    let year = d.year + years;
    Date {
        year,
        month: d.month,
        day: d.day.min(days_in_month(year, d.month)),
    }
}

fn show(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// Splits `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.fraction]Z` into the date and the time of day
/// written as `HH:MM:SS.mmm` (midnight when absent).
fn split_date_time(s: &str) -> Result<(&str, String), String> {
    let Some((date, time)) = s.split_once('T') else {
        return Ok((s, "00:00:00.000".to_owned()));
    };
    let bad = || "Send the expiration as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS.sssZ (UTC).".to_owned();
    let time = time.strip_suffix('Z').ok_or_else(bad)?;
    let (hms, fraction) = time.split_once('.').unwrap_or((time, "0"));
    let parts: Vec<&str> = hms.split(':').collect();
    let [h, m, sec] = parts[..] else {
        return Err(bad());
    };
    let two = |p: &str| (p.len() == 2).then(|| digits(p)).flatten();
    let (Some(h), Some(m), Some(sec)) = (two(h), two(m), two(sec)) else {
        return Err(bad());
    };
    if h > 23 || m > 59 || sec > 59 || fraction.len() > 9 || digits(fraction).is_none() {
        return Err(bad());
    }
    let millis: String = format!("{fraction:0<3}").chars().take(3).collect();
    Ok((date, format!("{h:02}:{m:02}:{sec:02}.{millis}")))
}

/// Client secret expiration: a date after `today` and at most 2 years after it, both
/// `YYYY-MM-DD` (`today` in UTC, supplied by the caller so the rule stays pure). `date` may also
/// be a UTC date-time as produced here. Returns the ISO date-time Spot expects,
/// `YYYY-MM-DDT00:00:00.000Z` for a plain date.
pub fn secret_expiration(date: &str, today: &str) -> Checked<String> {
    let date = date.trim();
    if date.is_empty() {
        return fail("Choose the date the client secret expires.");
    }
    let today = match parse_date(today.trim()) {
        Ok(d) => d,
        Err(_) => {
            return fail(
                "Today's date is unknown, so the expiration can't be checked. Reload the page.",
            );
        }
    };
    let (day, time) = match split_date_time(date) {
        Ok(parts) => parts,
        Err(m) => return fail(m),
    };
    let day = match parse_date(day) {
        Ok(d) => d,
        Err(m) => return fail(m),
    };
    if day <= today {
        return fail(format!(
            "The expiration date must be after today ({}). Choose the date shown for the secret in the Azure portal.",
            show(today)
        ));
    }
    let latest = add_years(today, 2);
    if day > latest {
        return fail(format!(
            "A client secret lasts at most 2 years, so the date can't be after {}. Check the date shown for the secret in the Azure portal.",
            show(latest)
        ));
    }
    Ok(format!("{}T{time}Z", show(day)))
}

/// The day after `d`.
fn next_day(d: Date) -> Date {
    if d.day < days_in_month(d.year, d.month) {
        Date {
            day: d.day + 1,
            ..d
        }
    } else if d.month < 12 {
        Date {
            month: d.month + 1,
            day: 1,
            ..d
        }
    } else {
        Date {
            year: d.year + 1,
            month: 1,
            day: 1,
        }
    }
}

/// The first and last dates [`secret_expiration`] accepts for `today` (`YYYY-MM-DD`, UTC), as
/// `YYYY-MM-DD`: for a date input's `min` and `max`. `None` when `today` is not a date.
pub fn secret_expiration_range(today: &str) -> Option<(String, String)> {
    let today = parse_date(today.trim()).ok()?;
    Some((show(next_day(today)), show(add_years(today, 2))))
}

// ---- billing --------------------------------------------------------------------------------

/// The kind of Azure billing agreement, which decides what identifies the billing account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AgreementType {
    /// Enterprise Agreement: an enrollment number.
    Ea,
    /// Microsoft Customer Agreement: a billing account ID.
    Mca,
    /// Pay-as-you-go: the subscription.
    #[default]
    PayAsYouGo,
}

impl AgreementType {
    pub fn label(self) -> &'static str {
        match self {
            AgreementType::Ea => "Enterprise Agreement",
            AgreementType::Mca => "Microsoft Customer Agreement",
            AgreementType::PayAsYouGo => "pay-as-you-go",
        }
    }
}

const EA_MAX_DIGITS: usize = 20;
const MCA_EXAMPLE: &str =
    "0f8fad5b-d9cb-469f-a165-70867728950e:7c9e6679-7425-40de-944b-e07fc1f90ae7_2019-05-31";

/// The billing identifier for `agreement`: an EA enrollment number (digits), an MCA billing
/// account ID (`<guid>:<guid>_YYYY-MM-DD`, returned with lowercase GUIDs), or for pay-as-you-go
/// the subscription ID (a GUID, returned lowercase). Surrounding whitespace is trimmed.
pub fn billing_account_id(agreement: AgreementType, input: &str) -> Checked<String> {
    let s = input.trim();
    match agreement {
        AgreementType::Ea => {
            if s.is_empty() {
                return fail("Enter the enrollment number of your Enterprise Agreement.");
            }
            if s.bytes().all(|b| b.is_ascii_digit()) {
                if s.len() > EA_MAX_DIGITS {
                    return fail(format!(
                        "An enrollment number has at most {EA_MAX_DIGITS} digits; this one has {}.",
                        s.len()
                    ));
                }
                return Ok(s.to_owned());
            }
            if is_mca_shape(s) {
                return fail(
                    "That is a Microsoft Customer Agreement billing account ID. You chose Enterprise Agreement, whose enrollment number has digits only: change the agreement type or enter the enrollment number.",
                );
            }
            fail(
                "An Enterprise Agreement enrollment number has digits only. Copy it from the billing account's properties.",
            )
        }
        AgreementType::Mca => {
            if s.is_empty() {
                return fail("Enter the billing account ID of your Microsoft Customer Agreement.");
            }
            if is_mca_shape(s) {
                return Ok(mca_normalised(s));
            }
            if s.bytes().all(|b| b.is_ascii_digit()) {
                return fail(
                    "That looks like an Enterprise Agreement enrollment number. You chose Microsoft Customer Agreement, whose billing account ID has two IDs and a date: change the agreement type or enter that ID.",
                );
            }
            if let Some((_, date)) = s.rsplit_once('_')
                && date.len() == 10
                && let Err(m) = parse_date(date)
            {
                return fail(format!("The billing account ID ends with a date, but {m}"));
            }
            fail(format!(
                "A Microsoft Customer Agreement billing account ID has two IDs joined by “:” and ends with “_” and a date, like {MCA_EXAMPLE}. Copy it from the billing account's Properties page."
            ))
        }
        AgreementType::PayAsYouGo => azure_guid(s, "subscription ID"),
    }
}

fn is_mca_shape(s: &str) -> bool {
    let Some((a, rest)) = s.split_once(':') else {
        return false;
    };
    let Some((b, date)) = rest.split_once('_') else {
        return false;
    };
    is_guid(a) && is_guid(b) && parse_date(date).is_ok()
}

fn mca_normalised(s: &str) -> String {
    // The date part has no letters, so lowercasing only touches the GUIDs' hex digits.
    s.to_ascii_lowercase()
}

/// A management group ID (not its display name): 1 to 90 letters, digits, `-`, `_`, `.`, `(`
/// or `)`, not ending with a period. Surrounding whitespace is trimmed; a pasted resource ID
/// (`/providers/Microsoft.Management/managementGroups/<id>`) gives its last part.
pub fn management_group_id(input: &str) -> Checked<String> {
    let s = input.trim();
    let s = s
        .rsplit_once("/managementGroups/")
        .map_or(s, |(_, id)| id.trim_end_matches('/'));
    if s.is_empty() {
        return fail("Enter the management group ID.");
    }
    if s.chars().count() > 90 {
        return fail(format!(
            "A management group ID has at most 90 characters; this one has {}.",
            s.chars().count()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.()".contains(*c)))
    {
        return fail(format!(
            "A management group ID has only letters, digits, -, _, ., ( and ); remove {}. Use \
             the group's ID, not its display name.",
            describe_char(c)
        ));
    }
    if s.ends_with('.') {
        return fail("A management group ID cannot end with a period.");
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use AgreementType::{Ea, Mca, PayAsYouGo};

    const TENANT: &str = "Directory (tenant) ID";

    fn guid_msg(input: &str) -> String {
        match azure_guid(input, TENANT) {
            Ok(v) => panic!("{input:?} was accepted as {v}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn expiration_range_matches_the_rule() {
        for (today, first, last) in [
            ("2026-11-22", "2026-11-23", "2028-11-22"),
            ("2026-12-31", "2027-01-01", "2028-12-31"),
            ("2027-02-28", "2027-03-01", "2029-02-28"),
            ("2028-02-28", "2028-02-29", "2030-02-28"),
            ("2028-02-29", "2028-03-01", "2030-02-28"),
            ("2026-04-30", "2026-05-01", "2028-04-30"),
        ] {
            let (a, b) = secret_expiration_range(today).unwrap();
            assert_eq!((a.as_str(), b.as_str()), (first, last), "{today}");
            // The bounds are accepted, one day beyond each is not.
            assert!(secret_expiration(&a, today).is_ok(), "{today} {a}");
            assert!(secret_expiration(&b, today).is_ok(), "{today} {b}");
            assert!(secret_expiration(today, today).is_err(), "{today}");
            let (after_last, _) = secret_expiration_range(&b).unwrap();
            assert!(
                secret_expiration(&after_last, today).is_err(),
                "{today} {after_last}"
            );
        }
        assert_eq!(secret_expiration_range("2026-13-01"), None);
        assert_eq!(secret_expiration_range(""), None);
    }

    #[test]
    fn guids() {
        let want = "0f8fad5b-d9cb-469f-a165-70867728950e";
        for ok in [
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "0F8FAD5B-D9CB-469F-A165-70867728950E",
            "  0f8fad5b-d9cb-469f-a165-70867728950e\n",
            "{0f8fad5b-d9cb-469f-a165-70867728950e}",
            " { 0F8FAD5B-d9cb-469f-a165-70867728950e } ",
        ] {
            assert_eq!(azure_guid(ok, TENANT).unwrap(), want, "{ok:?}");
            assert_eq!(guid_form(ok), want, "{ok:?}");
        }
        // Not a GUID yet: compared and shown as typed, trimmed and lowercased.
        assert_eq!(guid_form(" {0F8FAD5B "), "{0f8fad5b");
        assert_eq!(guid_msg(""), "Enter the Directory (tenant) ID.");
        assert!(guid_msg("{0f8fad5b-d9cb-469f-a165-70867728950e").contains("no closing"));
        assert!(guid_msg("0f8fad5b-d9cb-469f-a165-70867728950e}").contains("no opening"));
        let m = guid_msg("0f8fad5bd9cb469fa16570867728950e");
        assert!(m.contains("8-4-4-4-12") && m.contains(TENANT), "{m}");
        let m = guid_msg("contoso.onmicrosoft.com");
        assert!(m.contains("domain name") && m.contains(TENANT), "{m}");
        let m = guid_msg("0f8fad5g-d9cb-469f-a165-70867728950e");
        assert!(m.contains("“g”"), "{m}");
        let m = guid_msg("0f8fad5b-d9cb-469f-a165-7086772895");
        assert!(m.contains("not in that form"), "{m}");
        assert!(guid_msg("0f8fad5b-d9cb-469f-a165-70867728950e0").contains("not in that form"));
        assert!(guid_msg("0f8fad5bd-9cb-469f-a165-70867728950e").contains("not in that form"));
        let m = guid_msg("/subscriptions/0F8FAD5B-d9cb-469f-a165-70867728950e/resourceGroups/x");
        assert!(
            m.contains("without the text around it: 0f8fad5b-d9cb-469f-a165-70867728950e."),
            "{m}"
        );
        // Cyrillic “а” in place of a Latin “a”.
        assert!(guid_msg("0f8fad5b-d9cb-469f-а165-70867728950e").contains("U+0430"));
        assert!(guid_msg("0f8fad5b d9cb 469f a165 70867728950e").contains("spaces"));
        assert!(
            azure_guid("", "subscription ID")
                .unwrap_err()
                .message
                .contains("subscription ID")
        );
    }

    #[test]
    fn client_secrets() {
        let s = "Xy8Q~abc.DEF_ghi-jkl~mnoPQRstuVWXyz012345";
        assert_eq!(azure_client_secret(s).unwrap(), s);
        assert!(
            azure_client_secret("")
                .unwrap_err()
                .message
                .contains("Enter")
        );
        assert!(
            azure_client_secret("   ")
                .unwrap_err()
                .message
                .contains("only spaces")
        );
        for bad in [" abc", "abc ", "abc\n", "\tabc"] {
            let m = azure_client_secret(bad).unwrap_err().message;
            assert!(m.contains("starts or ends"), "{bad:?}: {m}");
        }
        assert!(
            azure_client_secret("ab\u{0}c")
                .unwrap_err()
                .message
                .contains("control")
        );
        // Inner spaces are unusual but not ours to refuse.
        assert!(azure_client_secret("a b").is_ok());
        // The secret ID is accepted, with a warning for the caller to show.
        let id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
        assert!(azure_client_secret(id).is_ok());
        assert!(secret_looks_like_secret_id(id));
        assert!(secret_looks_like_secret_id(
            " {7C9E6679-7425-40DE-944B-E07FC1F90AE7} "
        ));
        assert!(!secret_looks_like_secret_id(s));
        assert!(!secret_looks_like_secret_id(""));
        assert!(SECRET_ID_WARNING.contains("ID, not its value"));
    }

    #[test]
    fn calendar() {
        assert!(is_leap(2024) && is_leap(2000) && !is_leap(1900) && !is_leap(2026));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2026, 4), 30);
        let lengths: Vec<u32> = (1..=12).map(|m| days_in_month(2026, m)).collect();
        assert_eq!(lengths, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
        assert!(parse_date("2024-02-29").is_ok());
        let m = parse_date("2026-02-29").unwrap_err();
        assert!(m.contains("February 2026 has 28 days"), "{m}");
        assert!(
            parse_date("2026-04-31")
                .unwrap_err()
                .contains("April 2026 has 30 days")
        );
        assert!(parse_date("2026-13-01").unwrap_err().contains("01 to 12"));
        assert!(parse_date("2026-00-10").unwrap_err().contains("01 to 12"));
        assert!(parse_date("2026-01-00").is_err());
        assert!(parse_date("0000-01-01").unwrap_err().contains("year 0"));
        for bad in [
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
            "2026-01-011",
            "２０２６-01-01",
        ] {
            assert!(parse_date(bad).unwrap_err().contains("YYYY-MM-DD"), "{bad}");
        }
        let leap = Date {
            year: 2024,
            month: 2,
            day: 29,
        };
        assert_eq!(show(add_years(leap, 2)), "2026-02-28");
        assert_eq!(show(add_years(leap, 4)), "2028-02-29");
    }

    #[test]
    fn expiration_window() {
        let today = "2026-11-22";
        assert_eq!(
            secret_expiration("2026-11-23", today).unwrap(),
            "2026-11-23T00:00:00.000Z"
        );
        assert_eq!(
            secret_expiration(" 2028-11-22 ", today).unwrap(),
            "2028-11-22T00:00:00.000Z"
        );
        let m = secret_expiration("2026-11-22", today).unwrap_err().message;
        assert!(m.contains("after today (2026-11-22)"), "{m}");
        assert!(secret_expiration("2020-01-01", today).is_err());
        let m = secret_expiration("2028-11-23", today).unwrap_err().message;
        assert!(
            m.contains("at most 2 years") && m.contains("after 2028-11-22"),
            "{m}"
        );
        assert!(
            secret_expiration("", today)
                .unwrap_err()
                .message
                .contains("Choose")
        );
        assert!(
            secret_expiration("2027-02-29", today)
                .unwrap_err()
                .message
                .contains("28 days")
        );
        assert!(
            secret_expiration("tomorrow", today)
                .unwrap_err()
                .message
                .contains("YYYY-MM-DD")
        );
        assert!(
            secret_expiration("2027-01-01", "nonsense")
                .unwrap_err()
                .message
                .contains("Today")
        );
        // From a leap day, two years ahead ends on 28 February.
        assert!(secret_expiration("2026-02-28", "2024-02-29").is_ok());
        assert!(secret_expiration("2026-03-01", "2024-02-29").is_err());
        // Across a year end.
        assert!(secret_expiration("2027-01-01", "2026-12-31").is_ok());
    }

    #[test]
    fn expiration_as_date_time() {
        let today = "2026-11-22";
        for (input, want) in [
            ("2027-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"),
            ("2027-01-01T00:00:00Z", "2027-01-01T00:00:00.000Z"),
            ("2027-01-01T13:45:07.5Z", "2027-01-01T13:45:07.500Z"),
            ("2027-01-01T23:59:59.123456Z", "2027-01-01T23:59:59.123Z"),
        ] {
            let out = secret_expiration(input, today).unwrap();
            assert_eq!(out, want);
            // The output is a fixed point.
            assert_eq!(secret_expiration(&out, today).unwrap(), out);
        }
        for bad in [
            "2027-01-01T24:00:00Z",
            "2027-01-01T00:60:00Z",
            "2027-01-01T00:00:00",
            "2027-01-01T00:00:00+02:00",
            "2027-01-01T0:00:00Z",
            "2027-01-01T00:00:00.Z",
            "2027-01-01T",
        ] {
            assert!(secret_expiration(bad, today).is_err(), "{bad}");
        }
    }

    #[test]
    fn billing_ids() {
        assert_eq!(billing_account_id(Ea, " 12345678 ").unwrap(), "12345678");
        assert!(
            billing_account_id(Ea, "")
                .unwrap_err()
                .message
                .contains("enrollment number")
        );
        assert!(
            billing_account_id(Ea, "1234-5678")
                .unwrap_err()
                .message
                .contains("digits only")
        );
        assert!(
            billing_account_id(Ea, &"1".repeat(21))
                .unwrap_err()
                .message
                .contains("21")
        );
        assert!(
            billing_account_id(Ea, MCA_EXAMPLE)
                .unwrap_err()
                .message
                .contains("change the agreement type")
        );

        let upper = MCA_EXAMPLE.to_uppercase();
        assert_eq!(billing_account_id(Mca, &upper).unwrap(), MCA_EXAMPLE);
        assert_eq!(billing_account_id(Mca, MCA_EXAMPLE).unwrap(), MCA_EXAMPLE);
        assert!(
            billing_account_id(Mca, "")
                .unwrap_err()
                .message
                .contains("Enter")
        );
        assert!(
            billing_account_id(Mca, "12345678")
                .unwrap_err()
                .message
                .contains("enrollment number")
        );
        let only_guid = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assert!(
            billing_account_id(Mca, only_guid)
                .unwrap_err()
                .message
                .contains("joined by “:”")
        );
        let bad_date = MCA_EXAMPLE.replace("2019-05-31", "2019-02-30");
        let m = billing_account_id(Mca, &bad_date).unwrap_err().message;
        assert!(m.contains("February 2019 has 28 days"), "{m}");
        let no_date = MCA_EXAMPLE.replace("_2019-05-31", "");
        assert!(billing_account_id(Mca, &no_date).is_err());
        let bad_guid = MCA_EXAMPLE.replacen('0', "x", 1);
        assert!(billing_account_id(Mca, &bad_guid).is_err());

        assert_eq!(
            billing_account_id(PayAsYouGo, "{0F8FAD5B-D9CB-469F-A165-70867728950E}").unwrap(),
            only_guid
        );
        assert!(
            billing_account_id(PayAsYouGo, "abc")
                .unwrap_err()
                .message
                .contains("subscription ID")
        );
        assert_eq!(AgreementType::default(), PayAsYouGo);
        assert_eq!(
            serde_json::to_string(&PayAsYouGo).unwrap(),
            "\"payAsYouGo\""
        );
        assert_eq!(serde_json::to_string(&Ea).unwrap(), "\"ea\"");
        assert_eq!(Mca.label(), "Microsoft Customer Agreement");
    }

    #[test]
    fn management_group_ids() {
        assert_eq!(
            management_group_id(" platform-prod ").unwrap(),
            "platform-prod"
        );
        assert_eq!(
            management_group_id("/providers/Microsoft.Management/managementGroups/mg_(1).x/")
                .unwrap(),
            "mg_(1).x"
        );
        let msg = |s: &str| management_group_id(s).unwrap_err().message;
        assert_eq!(msg(""), "Enter the management group ID.");
        assert!(
            msg("Platform Prod").contains("remove"),
            "{}",
            msg("Platform Prod")
        );
        assert!(msg(&"a".repeat(91)).contains("this one has 91"));
        assert_eq!(
            msg("prod."),
            "A management group ID cannot end with a period."
        );
    }
}
