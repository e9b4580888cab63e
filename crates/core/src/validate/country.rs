//! The sign-up country: an ISO 3166-1 alpha-2 code.

use super::{Checked, fail};
use crate::countries::{code_of_name, name_of};

/// Country: a known alpha-2 code, any case, surrounding whitespace ignored; returned uppercase.
pub fn country(code: &str) -> Checked<String> {
    let code = code.trim();
    if code.is_empty() {
        return fail("Choose your country.");
    }
    if name_of(code).is_some() {
        return Ok(code.to_ascii_uppercase());
    }
    // A client that sent the name instead of the code gets told which code to send.
    if let Some(known) = code_of_name(code) {
        return fail(format!(
            "Send the two-letter country code “{known}” for {}, not the country's name.",
            name_of(known).unwrap_or(code)
        ));
    }
    if code.chars().count() == 2 && code.chars().all(|c| c.is_ascii_alphabetic()) {
        return fail(format!(
            "“{}” is not an ISO 3166 country code. Choose your country from the list.",
            code.to_ascii_uppercase()
        ));
    }
    fail(
        "A country is given as its two-letter ISO 3166 code, like US or FR. Choose your country from the list.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_any_case() {
        assert_eq!(country("fr").unwrap(), "FR");
        assert_eq!(country(" De ").unwrap(), "DE");
        assert_eq!(country("AX").unwrap(), "AX");
        for (code, _) in crate::countries::COUNTRIES {
            assert_eq!(country(code).unwrap(), *code);
            assert_eq!(country(&code.to_lowercase()).unwrap(), *code);
        }
    }

    #[test]
    fn empty_asks_to_choose() {
        assert_eq!(country("").unwrap_err().message, "Choose your country.");
        assert_eq!(country("  \t").unwrap_err().message, "Choose your country.");
    }

    #[test]
    fn unknown_codes_are_named() {
        let m = country("zz").unwrap_err().message;
        assert!(m.contains("“ZZ”") && m.contains("not an ISO 3166"), "{m}");
        assert!(country("UK").unwrap_err().message.contains("“UK”"));
        let m = country("FRA").unwrap_err().message;
        assert!(m.contains("two-letter"), "{m}");
        assert!(country("F").is_err());
        assert!(country("F\u{0}").is_err());
        // Cyrillic “Е” looks like E but is not a code letter.
        assert!(country("\u{415}S").is_err());
    }

    #[test]
    fn a_name_gets_its_code_suggested() {
        let m = country("france").unwrap_err().message;
        assert!(m.contains("“FR”") && m.contains("France"), "{m}");
    }
}
