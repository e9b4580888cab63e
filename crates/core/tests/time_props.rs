//! `Timestamp`: RFC 3339 text and instants convert both ways without loss.

use onramp_core::account_status::days_in_month;
use onramp_core::time::Timestamp;
use proptest::prelude::*;

/// 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the years the text form reads.
const FIRST: i64 = -62_135_596_800_000;
const LAST: i64 = 253_402_300_799_999;

/// A canonical instant as text (`Date.toISOString`'s form), built from its parts.
fn canonical() -> impl Strategy<Value = String> {
    (
        1i64..10_000,
        1u32..13,
        0u32..31,
        0u32..24,
        0u32..60,
        0u32..60,
        0u32..1000,
    )
        .prop_map(|(y, mo, d, h, mi, s, ms)| {
            let d = d % days_in_month(y, mo) + 1;
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
        })
}

proptest! {
    #[test]
    fn parse_reads_back_what_display_writes(ms in FIRST..=LAST) {
        let t = Timestamp::from_millis(ms);
        prop_assert_eq!(Timestamp::parse(&t.to_string()), Some(t));
    }

    #[test]
    fn display_writes_back_canonical_text(s in canonical()) {
        let t = Timestamp::parse(&s).unwrap();
        prop_assert_eq!(t.to_string(), s);
    }

    #[test]
    fn text_orders_like_the_instants(a in FIRST..=LAST, b in FIRST..=LAST) {
        let (ta, tb) = (Timestamp::from_millis(a), Timestamp::from_millis(b));
        prop_assert_eq!(ta.to_string().cmp(&tb.to_string()), ta.cmp(&tb));
        prop_assert_eq!(tb.millis_since(ta), b - a);
    }

    #[test]
    fn an_offset_names_the_same_instant(s in canonical(), east in any::<bool>(), h in 0u32..24, m in 0u32..60) {
        let utc = Timestamp::parse(&s).unwrap();
        let offset_ms = i64::from(h * 60 + m) * 60_000 * if east { 1 } else { -1 };
        let local = utc.plus_millis(offset_ms).to_string();
        let sign = if east { '+' } else { '-' };
        let with_offset = format!("{}{sign}{h:02}:{m:02}", local.trim_end_matches('Z'));
        // Local times outside years 0001–9999 can't be written; skip those.
        if local.len() == s.len() {
            prop_assert_eq!(Timestamp::parse(&with_offset), Some(utc));
        }
    }
}
