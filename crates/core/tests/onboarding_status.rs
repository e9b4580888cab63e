//! The dashboard's account status and the date arithmetic under it.

use onramp_core::account_status::*;
use onramp_core::dto::{Account, CloudProvider};
use onramp_core::ids::{AccountId, OrganizationId};
use onramp_core::onboarding::AccountKind;
use onramp_core::time::Timestamp;
use proptest::prelude::*;

fn account(provider: Option<CloudProvider>) -> Account {
    Account {
        account_id: AccountId::from_bits(1),
        name: "Prod".into(),
        organization_id: OrganizationId::new(606_079_874_744).unwrap(),
        provider_external_id: None,
        cloud_provider: provider,
        created_at: "2026-01-01T00:00:00.000Z".into(),
    }
}

const TODAY: &str = "2026-11-22";

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

#[test]
fn labels() {
    assert_eq!(AccountStatus::Connected.label(), "Connected");
    assert_eq!(AccountStatus::Pending.label(), "Pending");
    assert_eq!(AccountStatus::NotConnected.label(), "Not connected");
    assert_eq!(
        AccountStatus::ExpiresIn { days: 1 }.label(),
        "Credentials expire in 1 day"
    );
    assert_eq!(
        AccountStatus::ExpiresIn { days: 12 }.label(),
        "Credentials expire in 12 days"
    );
    assert_eq!(AccountStatus::Expired.label(), "Expired");
    assert_eq!(AccountStatus::ExpiresIn { days: 3 }.slug(), "expires-soon");
    assert!(AccountStatus::NotConnected.needs_action());
    assert!(AccountStatus::Expired.needs_action());
    assert!(!AccountStatus::Pending.needs_action());
    assert!(!AccountStatus::Connected.needs_action());
}

#[test]
fn status_rules() {
    let aws = account(Some(CloudProvider::Aws));
    let none = account(None);
    assert_eq!(status(&none, None, TODAY), AccountStatus::NotConnected);
    // No credentials: an expiry can't make it anything else.
    assert_eq!(
        status(&none, Some("2026-11-01"), TODAY),
        AccountStatus::NotConnected
    );
    assert_eq!(status(&aws, None, TODAY), AccountStatus::Connected);
    assert_eq!(
        status(&aws, Some("2026-11-23"), TODAY),
        AccountStatus::ExpiresIn { days: 1 }
    );
    assert_eq!(
        status(&aws, Some("2026-12-22"), TODAY),
        AccountStatus::ExpiresIn { days: 30 }
    );
    assert_eq!(
        status(&aws, Some("2026-12-23"), TODAY),
        AccountStatus::Connected
    );
    assert_eq!(
        status(&aws, Some("2026-11-22"), TODAY),
        AccountStatus::Expired
    );
    assert_eq!(
        status(&aws, Some("2025-01-01T00:00:00.000Z"), TODAY),
        AccountStatus::Expired
    );
    // A date-time's UTC day counts: 2026-11-23T01:00+02:00 is 2026-11-22T23:00Z.
    assert_eq!(
        status(&aws, Some("2026-11-23T01:00:00+02:00"), TODAY),
        AccountStatus::Expired
    );
    assert_eq!(
        status(&aws, Some("2026-11-24T00:30:00.000Z"), TODAY),
        AccountStatus::ExpiresIn { days: 2 }
    );
    // Unreadable input gives no invented warning.
    assert_eq!(status(&aws, Some("soon"), TODAY), AccountStatus::Connected);
    assert_eq!(
        status(&aws, Some("2026-11-23"), "22/11/2026"),
        AccountStatus::Connected
    );
}

#[test]
fn expiry_warning_rules() {
    assert_eq!(expiry_warning("2026-11-23", TODAY), Some(1));
    assert_eq!(expiry_warning("2026-12-22", TODAY), Some(30));
    assert_eq!(expiry_warning("2026-12-23", TODAY), None);
    assert_eq!(expiry_warning("2026-11-22", TODAY), Some(0));
    assert_eq!(expiry_warning("2026-10-01", TODAY), Some(0));
    assert_eq!(expiry_warning("2026-02-30", TODAY), None);
    assert_eq!(expiry_warning("2026-11-23", ""), None);
    // Across a leap day.
    assert_eq!(expiry_warning("2028-03-01", "2028-02-28"), Some(2));
    assert_eq!(expiry_warning("2027-03-01", "2027-02-28"), Some(1));
}

#[test]
fn pending_needs_a_connection_time() {
    let aws = account(Some(CloudProvider::Aws));
    let now_text = "2026-11-22T12:00:00.000Z";
    let now = at(now_text);
    let linked = AccountKind::Linked;
    let mgmt = AccountKind::Management;
    // Unknown connection time: never Pending.
    assert_eq!(
        status_at(&aws, linked, None, None, now),
        AccountStatus::Connected
    );
    assert_eq!(
        status_at(&aws, linked, None, Some("2026-11-21T12:00:00.001Z"), now),
        AccountStatus::Pending
    );
    assert_eq!(
        status_at(&aws, linked, None, Some("2026-11-21T12:00:00.000Z"), now),
        AccountStatus::Connected
    );
    assert_eq!(
        status_at(&aws, mgmt, None, Some("2026-11-20T12:00:00.000Z"), now),
        AccountStatus::Pending
    );
    assert_eq!(
        status_at(&aws, mgmt, None, Some("2026-11-19T12:00:00.000Z"), now),
        AccountStatus::Connected
    );
    // Not connected and expiry come first.
    assert_eq!(
        status_at(&account(None), linked, None, Some(now_text), now),
        AccountStatus::NotConnected
    );
    assert_eq!(
        status_at(&aws, linked, Some("2026-11-25"), Some(now_text), now),
        AccountStatus::ExpiresIn { days: 3 }
    );
    assert_eq!(
        status_at(&aws, linked, Some("2026-11-22"), Some(now_text), now),
        AccountStatus::Expired
    );
    // `now`'s UTC date is "today".
    assert_eq!(
        status_at(
            &aws,
            linked,
            Some("2026-11-23"),
            None,
            at("2026-11-23T00:30:00+01:00")
        ),
        AccountStatus::ExpiresIn { days: 1 }
    );
}

#[test]
fn instants() {
    assert_eq!(parse_instant("1970-01-01"), Some(0));
    assert_eq!(parse_day("2000-02-29"), Some(11_016));
    assert_eq!(parse_day("2024-02-29"), Some(19_782));
    assert_eq!(parse_instant("1970-01-01T00:00:01Z"), Some(1000));
    assert_eq!(parse_instant("1970-01-01T00:00:00.5Z"), Some(500));
    assert_eq!(parse_instant("1970-01-01T00:00:00.123456789Z"), Some(123));
    assert_eq!(parse_instant("1970-01-01T01:00+01:00"), Some(0));
    assert_eq!(parse_instant("1969-12-31T23:00:00-01:00"), Some(0));
    assert_eq!(
        parse_instant("2026-11-22T10:43:42.538Z"),
        Some(20_779 * 86_400_000 + (10 * 3600 + 43 * 60 + 42) * 1000 + 538)
    );
    for bad in [
        "",
        "2026-11-22T10:00:00",
        "2026-11-22T24:00:00Z",
        "2026-11-22T10:60Z",
        "2026-11-22T10:00:00.Z",
        "2026-11-22T10:00:00.1234567890Z",
        "2026-11-22T10:00:00+2:00",
        "2026-13-01",
        "2026-1-01",
        "+2026-01-01",
        "２026-01-01",
        "1900-02-29",
        "2100-02-29",
    ] {
        assert_eq!(parse_instant(bad), None, "{bad:?}");
    }
}

// ---- properties against naive day counting ---------------------------------------------------

fn naive_days_in_month(y: i64, m: u32) -> u32 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][m as usize - 1]
}

/// Counts days one by one from 1970-01-01 (forward or backward).
fn naive_days(y: i64, m: u32, d: u32) -> i64 {
    let (mut cy, mut cm, mut cd, mut n) = (1970i64, 1u32, 1u32, 0i64);
    while (cy, cm, cd) < (y, m, d) {
        cd += 1;
        if cd > naive_days_in_month(cy, cm) {
            cd = 1;
            cm += 1;
            if cm > 12 {
                cm = 1;
                cy += 1;
            }
        }
        n += 1;
    }
    while (cy, cm, cd) > (y, m, d) {
        if cd > 1 {
            cd -= 1;
        } else {
            if cm > 1 {
                cm -= 1;
            } else {
                cm = 12;
                cy -= 1;
            }
            cd = naive_days_in_month(cy, cm);
        }
        n -= 1;
    }
    n
}

fn date() -> impl Strategy<Value = (i64, u32, u32)> {
    (1900i64..2200, 1u32..=12, 1u32..=31)
        .prop_map(|(y, m, d)| (y, m, d.min(naive_days_in_month(y, m))))
}

fn show((y, m, d): (i64, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn days_from_civil_matches_counting(dt in date()) {
        let (y, m, d) = dt;
        prop_assert_eq!(days_from_civil(y, m, d), naive_days(y, m, d));
        prop_assert_eq!(parse_day(&show(dt)), Some(naive_days(y, m, d)));
        prop_assert_eq!(show_day(days_from_civil(y, m, d)), show(dt));
    }

    #[test]
    fn parse_day_accepts_exactly_the_real_dates(y in 1i64..10_000, m in 0u32..14, d in 0u32..33) {
        let real = (1..=12).contains(&m) && d >= 1 && d <= naive_days_in_month(y, m);
        prop_assert_eq!(parse_day(&show((y, m, d))).is_some(), real);
    }

    #[test]
    fn expiry_warning_matches_counting(a in date(), b in date()) {
        let diff = naive_days(b.0, b.1, b.2) - naive_days(a.0, a.1, a.2);
        let want = if diff <= 0 { Some(0) } else if diff <= 30 { Some(diff as u32) } else { None };
        prop_assert_eq!(expiry_warning(&show(b), &show(a)), want);
    }

    #[test]
    fn near_expiries_match_counting(a in date(), offset in -40i64..40) {
        let day = naive_days(a.0, a.1, a.2) + offset;
        let expiry = show_day(day);
        let acc = account(Some(CloudProvider::Azure));
        let want = if offset <= 0 {
            AccountStatus::Expired
        } else if offset <= 30 {
            AccountStatus::ExpiresIn { days: offset as u32 }
        } else {
            AccountStatus::Connected
        };
        prop_assert_eq!(status(&acc, Some(&expiry), &show(a)), want);
        prop_assert_eq!(status(&acc, Some(&format!("{expiry}T00:00:00.000Z")), &show(a)), want);
    }

    #[test]
    fn parsers_never_panic(s in "\\PC{0,40}", t in "[0-9T:.Z+-]{0,30}") {
        let _ = parse_instant(&s);
        let _ = parse_instant(&t);
        let _ = parse_day(&s);
        let _ = expiry_warning(&s, &t);
        let acc = account(Some(CloudProvider::Aws));
        let _ = status(&acc, Some(&s), &t);
        let now = Timestamp::parse(&t).unwrap_or(Timestamp::from_millis(0));
        let _ = status_at(&acc, AccountKind::Management, Some(&t), Some(&s), now).label();
    }

    #[test]
    fn instants_order_like_their_dates(a in date(), b in date(), h in 0u32..24, m in 0u32..60) {
        let ia = parse_instant(&format!("{}T{h:02}:{m:02}:00Z", show(a))).unwrap();
        let ib = parse_instant(&format!("{}T{h:02}:{m:02}:00Z", show(b))).unwrap();
        prop_assert_eq!(ia.cmp(&ib), a.cmp(&b));
        prop_assert_eq!(ia.div_euclid(86_400_000), naive_days(a.0, a.1, a.2));
    }
}
