//! People and organizations: full name, organization/account name, email, password.

use super::{Checked, fail};

const NAME_MAX: usize = 100;

/// Full name: 1–100 characters after trimming, without `+`, `=` or `@`.
pub fn full_name(input: &str) -> Checked<String> {
    let name = input.trim();
    if name.is_empty() {
        return fail("Enter your full name.");
    }
    if name.chars().count() > NAME_MAX {
        return fail(format!("Use at most {NAME_MAX} characters for your name."));
    }
    if let Some(c) = name.chars().find(|c| matches!(c, '+' | '=' | '@')) {
        return fail(format!(
            "Your name can't contain “{c}”. Remove it and try again."
        ));
    }
    if name.chars().any(char::is_control) {
        return fail("Your name contains an invisible control character. Retype it.");
    }
    Ok(name.to_owned())
}

fn name_rule(input: &str, what: &str) -> Checked<String> {
    let name = input.trim();
    if name.is_empty() {
        return fail(format!("Enter the {what} name."));
    }
    if name.chars().count() > NAME_MAX {
        return fail(format!(
            "Use at most {NAME_MAX} characters for the {what} name."
        ));
    }
    if !name.chars().any(|c| c.is_ascii_alphabetic()) {
        return fail(format!(
            "The {what} name needs at least one letter from A to Z (digits and symbols alone are not accepted)."
        ));
    }
    if name.chars().any(char::is_control) {
        return fail(format!(
            "The {what} name contains an invisible control character. Retype it."
        ));
    }
    Ok(name.to_owned())
}

/// Organization (company) name: trimmed, 1–100 characters, at least one ASCII letter.
pub fn organization_name(input: &str) -> Checked<String> {
    name_rule(input, "organization")
}

/// Account name: trimmed, 1–100 characters, at least one ASCII letter.
pub fn account_name(input: &str) -> Checked<String> {
    name_rule(input, "account")
}

/// API token name: trimmed, 1–100 characters, at least one ASCII letter.
pub fn token_name(input: &str) -> Checked<String> {
    name_rule(input, "token")
}

/// The most Slack channels one account notifies.
pub const SLACK_CHANNELS_MAX: usize = 50;
/// Slack's own limit on a channel name.
const SLACK_CHANNEL_CHARS: usize = 80;

/// An account's Slack notification channels: at most [`SLACK_CHANNELS_MAX`], each a name of
/// 1–80 characters (a leading `#` allowed) without spaces or control characters; trimmed.
pub fn slack_channels(input: &[String]) -> Checked<Vec<String>> {
    if input.len() > SLACK_CHANNELS_MAX {
        return fail(format!(
            "An account notifies at most {SLACK_CHANNELS_MAX} Slack channels; this list has {}.",
            input.len()
        ));
    }
    input
        .iter()
        .map(|raw| {
            let name = raw.trim();
            let chars = name.trim_start_matches('#').chars().count();
            if chars == 0 || chars > SLACK_CHANNEL_CHARS {
                return fail(format!(
                    "\"{}\" is not a Slack channel name: 1 to {SLACK_CHANNEL_CHARS} characters.",
                    super::text::excerpt(name)
                ));
            }
            if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return fail(format!(
                    "\"{}\" is not a Slack channel name: it has a space or an invisible character.",
                    super::text::excerpt(name)
                ));
            }
            Ok(name.to_owned())
        })
        .collect()
}

/// Days an API token lives when the request names none.
pub const TOKEN_DAYS_DEFAULT: u32 = 90;
/// The longest an API token may live, in days.
pub const TOKEN_DAYS_MAX: u32 = 365;

/// An API token's lifetime in days: absent → [`TOKEN_DAYS_DEFAULT`]; otherwise a whole number
/// from 1 to [`TOKEN_DAYS_MAX`].
pub fn token_days(input: Option<f64>) -> Checked<u32> {
    match input {
        None => Ok(TOKEN_DAYS_DEFAULT),
        Some(d) if d.fract() == 0.0 && (1.0..=f64::from(TOKEN_DAYS_MAX)).contains(&d) => {
            Ok(d as u32)
        }
        Some(_) => fail(format!(
            "Choose a whole number of days from 1 to {TOKEN_DAYS_MAX} (default {TOKEN_DAYS_DEFAULT})."
        )),
    }
}

/// The days field of the console's token form, as typed: digits only (a blank, a sign, a
/// decimal point or a word gets [`token_days`]'s message), then [`token_days`]'s range.
pub fn token_days_text(input: &str) -> Checked<u32> {
    let t = input.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return token_days(Some(f64::NAN));
    }
    // Too many digits to parse is out of range as well. (Digits as an integer: parsing them as
    // an `f64` would bring float parsing, ~14 KB brotli, into the browser for this field.)
    token_days(Some(t.parse::<u64>().map_or(f64::INFINITY, |n| n as f64)))
}

/// The current password, asked again before a change: only its presence is checked here
/// (the server compares it).
pub fn current_password(pw: &str) -> Checked<()> {
    if pw.is_empty() {
        return fail("Enter your current password.");
    }
    Ok(())
}

/// A new password: sign-up's rule ([`password`]), and not the current one.
pub fn new_password(current: &str, new: &str) -> Checked<()> {
    password(new)?;
    if new == current {
        return fail("Choose a password other than your current one.");
    }
    Ok(())
}

/// Email: one `@`, a non-empty local part, a domain with a dot, at most 254 characters.
/// Returned trimmed, with the domain lowercased (local parts are case-sensitive in principle).
pub fn email(input: &str) -> Checked<String> {
    let email = input.trim();
    if email.is_empty() {
        return fail("Enter your email address.");
    }
    if email.len() > 254 {
        return fail("An email address can be at most 254 characters long.");
    }
    if email.chars().any(char::is_whitespace) {
        return fail("An email address can't contain spaces.");
    }
    // Invisible characters (control, bidirectional overrides, zero-width) make two addresses
    // look the same, or one look like another: refused, naming the character.
    if let Some(c) = email.chars().find(|c| is_invisible(*c)) {
        return fail(format!(
            "The email address contains {}. Retype it.",
            super::text::describe_char(c)
        ));
    }
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return fail("Enter an email address with exactly one “@”, like name@example.com.");
    };
    if local.is_empty() {
        return fail("Add the part before the “@”, like name@example.com.");
    }
    if local.len() > 64 {
        return fail("The part before the “@” can be at most 64 characters long.");
    }
    if !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return fail("Enter the full domain after the “@”, like example.com.");
    }
    Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
}

/// Control characters, bidirectional embeddings/overrides/isolates and marks, zero-width
/// characters and the byte-order mark.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// One line of the live password checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Length,
    Digit,
    Upper,
    Lower,
    Special,
}

impl PasswordCheck {
    pub const ALL: [PasswordCheck; 5] = [
        PasswordCheck::Length,
        PasswordCheck::Digit,
        PasswordCheck::Upper,
        PasswordCheck::Lower,
        PasswordCheck::Special,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PasswordCheck::Length => "At least 8 characters",
            PasswordCheck::Digit => "A number",
            PasswordCheck::Upper => "An uppercase letter",
            PasswordCheck::Lower => "A lowercase letter",
            PasswordCheck::Special => "A special character, like ! # or %",
        }
    }

    pub fn passes(self, pw: &str) -> bool {
        match self {
            PasswordCheck::Length => pw.chars().count() >= 8,
            PasswordCheck::Digit => pw.chars().any(|c| c.is_ascii_digit()),
            PasswordCheck::Upper => pw.chars().any(char::is_uppercase),
            PasswordCheck::Lower => pw.chars().any(char::is_lowercase),
            PasswordCheck::Special => pw
                .chars()
                .any(|c| !c.is_alphanumeric() && !c.is_whitespace()),
        }
    }
}

/// Each checklist line with whether `pw` meets it, for the live checklist.
pub fn password_checks(pw: &str) -> [(PasswordCheck, bool); 5] {
    PasswordCheck::ALL.map(|c| (c, c.passes(pw)))
}

/// Password: 8–128 characters with a digit, an uppercase, a lowercase and a special character.
/// Never trimmed: spaces are part of a password.
pub fn password(pw: &str) -> Checked<()> {
    if pw.is_empty() {
        return fail("Enter a password.");
    }
    if pw.chars().count() > 128 {
        return fail("Use at most 128 characters for the password.");
    }
    let missing: Vec<&str> = password_checks(pw)
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(c, _)| c.label())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    // The labels are ASCII (Unicode lowercasing would bring its tables to sign-up).
    let mut list = missing.join("; ");
    list.make_ascii_lowercase();
    fail(format!("The password still needs: {list}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_channel_lists() {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            slack_channels(&v(&[" #alerts ", "cost-reports"])).unwrap(),
            ["#alerts", "cost-reports"]
        );
        assert!(slack_channels(&[]).unwrap().is_empty());
        let m = |l: Vec<String>| slack_channels(&l).unwrap_err().message;
        let many = vec!["c".to_owned(); SLACK_CHANNELS_MAX + 1];
        assert!(m(many).contains("at most 50 Slack channels; this list has 51"));
        assert!(m(v(&["#"])).contains("1 to 80 characters"));
        assert!(m(vec!["x".repeat(81)]).contains("1 to 80 characters"));
        assert!(slack_channels(&["x".repeat(80)]).is_ok());
        assert!(m(v(&["two words"])).contains("a space"));
    }

    #[test]
    fn token_name_and_days() {
        assert_eq!(token_name("  CI deploy ").unwrap(), "CI deploy");
        assert!(token_name(" ").is_err());
        assert!(token_name("123").is_err());
        assert!(token_name(&"a".repeat(101)).is_err());
        assert_eq!(token_days(None).unwrap(), 90);
        assert_eq!(token_days(Some(1.0)).unwrap(), 1);
        assert_eq!(token_days(Some(365.0)).unwrap(), 365);
        for bad in [0.0, -1.0, 366.0, 1.5, f64::NAN, f64::INFINITY] {
            assert!(token_days(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn token_days_as_typed() {
        assert_eq!(token_days_text("90").unwrap(), 90);
        assert_eq!(token_days_text(" 1 ").unwrap(), 1);
        assert_eq!(token_days_text("365").unwrap(), 365);
        assert_eq!(token_days_text("007").unwrap(), 7);
        let msg = "Choose a whole number of days from 1 to 365 (default 90).";
        for bad in [
            "",
            " ",
            "0",
            "366",
            "-5",
            "+5",
            "1.5",
            "1e2",
            "ninety",
            "99999999999999999999999",
        ] {
            assert_eq!(token_days_text(bad).unwrap_err().message, msg, "{bad:?}");
        }
    }

    #[test]
    fn changing_a_password() {
        assert_eq!(
            current_password("").unwrap_err().message,
            "Enter your current password."
        );
        assert!(current_password(" ").is_ok());
        assert!(new_password("Old-password-1", "New-password-2").is_ok());
        assert_eq!(
            new_password("Same-password-1", "Same-password-1")
                .unwrap_err()
                .message,
            "Choose a password other than your current one."
        );
        // Sign-up's rule first: a weak password gets its message, even if it is the current one.
        assert!(
            new_password("short", "short")
                .unwrap_err()
                .message
                .contains("still needs")
        );
    }

    #[test]
    fn a_weak_password_is_told_what_it_lacks_in_lowercase() {
        assert_eq!(
            password("Short1").unwrap_err().message,
            "The password still needs: at least 8 characters; a special character, like ! # or %."
        );
    }

    #[test]
    fn full_name_rules() {
        assert_eq!(full_name("  Ada Lovelace ").unwrap(), "Ada Lovelace");
        assert!(full_name("   ").is_err());
        assert!(full_name("ada@home").unwrap_err().message.contains('@'));
        assert!(full_name("a+b").is_err());
        assert!(full_name("x=y").is_err());
        assert!(full_name(&"é".repeat(100)).is_ok());
        assert!(full_name(&"é".repeat(101)).is_err());
    }

    #[test]
    fn names_need_an_ascii_letter() {
        assert!(organization_name("1234").is_err());
        assert!(organization_name("日本語").is_err());
        assert_eq!(organization_name(" Acme 1 ").unwrap(), "Acme 1");
        assert!(account_name("").is_err());
    }

    #[test]
    fn email_rules() {
        assert_eq!(email(" Ada@Example.COM ").unwrap(), "Ada@example.com");
        assert!(email("ada").is_err());
        assert!(email("a@@b.c").is_err());
        assert!(email("@b.co").is_err());
        assert!(email("a@localhost").is_err());
        assert!(email("a b@c.de").is_err());
        for bad in [
            "a\u{0}@b.co",
            "a@b.co\u{7}",
            "a\u{202E}@b.co",
            "a\u{200B}@b.co",
            "\u{FEFF}a@b.co",
        ] {
            let m = email(bad).unwrap_err().message;
            assert!(m.contains("U+"), "{bad:?}: {m}");
        }
        let long = format!("{}@{}.com", "a".repeat(60), "b".repeat(200));
        assert!(email(&long).is_err());
    }

    #[test]
    fn password_rules() {
        assert!(password("Abcdef1!").is_ok());
        let err = password("abcdefgh").unwrap_err().message;
        assert!(err.contains("number") && err.contains("uppercase") && err.contains("special"));
        assert!(password("Ab1!").is_err());
        assert!(password(&format!("Ab1!{}", "x".repeat(125))).is_err());
        assert!(password("Ab1! ünïcødé").is_ok());
    }
}
