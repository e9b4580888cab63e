//! Small text helpers shared by the identifier rules: identifiers are plain ASCII, so the first
//! character that is not gets named precisely (look-alikes are invisible otherwise).

/// The first character of `s` that is non-ASCII or an ASCII control character, if any.
pub(crate) fn first_foreign_char(s: &str) -> Option<char> {
    s.chars().find(|c| !c.is_ascii() || c.is_ascii_control())
}

/// How to name a character the user can't type or can't see: the glyph plus its code point, so
/// that a Cyrillic “о” is told apart from a Latin “o”.
pub(crate) fn describe_char(c: char) -> String {
    if c.is_control() {
        format!("an invisible control character (U+{:04X})", u32::from(c))
    } else if c.is_ascii() {
        format!("“{c}”")
    } else {
        format!(
            "“{c}” (U+{:04X}), which is not a plain ASCII character and may be a look-alike",
            u32::from(c)
        )
    }
}

/// True when `s` is wrapped in a pair of quotes or backticks, as values copied from JSON,
/// shells or chats often are.
pub(crate) fn is_quoted(s: &str) -> bool {
    let pairs = [('"', '"'), ('\'', '\''), ('`', '`'), ('“', '”'), ('‘', '’')];
    let mut chars = s.chars();
    match (chars.next(), chars.next_back()) {
        (Some(a), Some(b)) => pairs.contains(&(a, b)),
        _ => false,
    }
}

/// Shortens a user's value for quoting inside a message.
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(first_foreign_char("abc"), None);
        assert_eq!(first_foreign_char("ab\u{0}c"), Some('\u{0}'));
        assert_eq!(first_foreign_char("aрc"), Some('р'));
        assert!(describe_char('р').contains("U+0440"));
        assert!(describe_char('\u{7}').contains("control"));
        assert!(is_quoted("\"x\"") && is_quoted("“x”") && !is_quoted("\"x") && !is_quoted("\""));
        assert_eq!(excerpt(&"a".repeat(41)).chars().count(), 41);
        assert_eq!(excerpt("short"), "short");
    }
}
