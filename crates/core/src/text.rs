//! Text for the screen: a count with its noun; the first lines of a code block too long to draw
//! whole; a file size in words; lowercase for searching and sorting.

/// "1 account", "2 accounts", "0 accounts": `n` with the noun in the number it takes.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The first `max_lines` lines of `text` and how many lines it has, when it has more; `None`
/// when it fits (a last line ending in a newline is not one more line).
pub fn first_lines(text: &str, max_lines: usize) -> Option<(&str, usize)> {
    let end = text.match_indices('\n').nth(max_lines.checked_sub(1)?)?.0;
    if text[end + 1..].is_empty() {
        return None;
    }
    Some((&text[..end], text.lines().count()))
}

/// "812 bytes", "64 KiB", "1.5 MiB": one decimal, none when it would be ".0" (a file one byte
/// over 64 KiB reads "64 KiB", not "64.0 KiB"). Integer arithmetic: float formatting would be
/// ~5 KB of compressed code in the screens that take a file.
pub fn file_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    let (unit, name) = match bytes {
        b if b < KIB => return format!("{b} bytes"),
        b if b < KIB * KIB => (KIB, "KiB"),
        _ => (KIB * KIB, "MiB"),
    };
    // Tenths of the unit, the nearest, a tie to the even one (as `{:.1}` rounds). (No file
    // comes near the sizes where × 10 would saturate.)
    let n = bytes.saturating_mul(10);
    let (whole, rest) = (n / unit, n % unit);
    let up = 2 * rest > unit || (2 * rest == unit && whole % 2 == 1);
    let tenths = whole + u64::from(up);
    match tenths % 10 {
        0 => format!("{} {name}", tenths / 10),
        d => format!("{}.{d} {name}", tenths / 10),
    }
}

/// `s` in lowercase (Unicode's full mapping), for case-insensitive search and sorting. In the
/// browser, text beyond ASCII is lowercased by the engine (`String.prototype.toLowerCase`, the
/// same mapping): std's case tables would be ~6 KB compressed in every screen with a search.
pub fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    #[cfg(target_arch = "wasm32")]
    return js_sys::JsString::from(s).to_lower_case().into();
    #[cfg(not(target_arch = "wasm32"))]
    s.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_count_takes_the_singular_only_for_one() {
        assert_eq!(count(1, "account", "accounts"), "1 account");
        assert_eq!(count(0, "account", "accounts"), "0 accounts");
        assert_eq!(count(2, "account", "accounts"), "2 accounts");
        assert_eq!(count(40, "resource", "resources"), "40 resources");
    }

    #[test]
    fn a_long_text_keeps_its_first_lines_and_counts_them_all() {
        assert_eq!(first_lines("a\nb\nc", 2), Some(("a\nb", 3)));
        assert_eq!(first_lines("a\nb\nc\n", 1), Some(("a", 3)));
        assert_eq!(first_lines("a\nb\n", 2), None);
        assert_eq!(first_lines("a\nb", 2), None);
        assert_eq!(first_lines("", 1), None);
        assert_eq!(first_lines("a\nb", 0), None);
    }

    #[test]
    fn file_sizes_read_as_words() {
        assert_eq!(file_size(0), "0 bytes");
        assert_eq!(file_size(812), "812 bytes");
        assert_eq!(file_size(1023), "1023 bytes");
        assert_eq!(file_size(1024), "1 KiB");
        assert_eq!(file_size(65_536), "64 KiB");
        assert_eq!(file_size(65_537), "64 KiB");
        assert_eq!(file_size(1_572_864), "1.5 MiB");
        // Just under 1 MiB rounds up within KiB.
        assert_eq!(file_size(1024 * 1024 - 1), "1024 KiB");
    }

    /// What the screens showed before, with float formatting.
    fn file_size_by_float(bytes: u64) -> String {
        let one_decimal = |n: f64, unit: &str| {
            let s = format!("{n:.1}");
            format!("{} {unit}", s.strip_suffix(".0").unwrap_or(&s))
        };
        let b = bytes as f64;
        if b < 1024.0 {
            format!("{b} bytes")
        } else if b < 1024.0 * 1024.0 {
            one_decimal(b / 1024.0, "KiB")
        } else {
            one_decimal(b / (1024.0 * 1024.0), "MiB")
        }
    }

    #[test]
    fn lowercase_is_unicode_lowercase() {
        assert_eq!(lowercase("Prod EU-West"), "prod eu-west");
        assert_eq!(lowercase("ÉCOLE Ωmega ΟΔΟΣ"), "école ωmega οδος");
    }

    proptest! {
        #[test]
        fn lowercase_agrees_with_std(s in any::<String>(), ascii in "[ -~]{0,40}") {
            prop_assert_eq!(lowercase(&s), s.to_lowercase());
            prop_assert_eq!(lowercase(&ascii), ascii.to_lowercase());
        }

        #[test]
        fn file_size_reads_as_float_formatting_did(bytes in 0u64..(1 << 40)) {
            prop_assert_eq!(file_size(bytes), file_size_by_float(bytes));
        }

        #[test]
        fn file_size_ties_read_as_float_formatting_did(kib in 2u64..2047, mib in 2u64..1_000_000) {
            // Exactly halfway between two tenths: bytes × 10 = unit × k + unit / 2, which is a
            // whole number of bytes when k is 2 more than a multiple of 5.
            for bytes in [(1024 * (5 * kib + 2) + 512) / 10, (1_048_576 * (5 * mib + 2) + 524_288) / 10] {
                let unit = if bytes < 1 << 20 { 1024 } else { 1 << 20 };
                prop_assert_eq!(bytes * 10 % unit, unit / 2, "not a tie: {}", bytes);
                prop_assert_eq!(file_size(bytes), file_size_by_float(bytes));
            }
        }
    }

    proptest! {
        #[test]
        fn the_part_shown_is_the_start_of_the_text_with_max_lines_lines(
            lines in proptest::collection::vec("[a-z ]{0,4}", 0..12),
            trailing in any::<bool>(),
            max in 1usize..8,
        ) {
            let mut text = lines.join("\n");
            if trailing {
                text.push('\n');
            }
            match first_lines(&text, max) {
                Some((head, total)) => {
                    prop_assert!(text.starts_with(head));
                    prop_assert_eq!(head.split('\n').count(), max);
                    prop_assert_eq!(total, text.lines().count());
                    prop_assert!(total > max);
                }
                None => prop_assert!(text.lines().count() <= max),
            }
        }
    }
}
