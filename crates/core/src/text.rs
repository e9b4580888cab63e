//! Long text shown in part: the first lines of a code block too long to draw whole.

/// The first `max_lines` lines of `text` and how many lines it has, when it has more; `None`
/// when it fits (a last line ending in a newline is not one more line).
pub fn first_lines(text: &str, max_lines: usize) -> Option<(&str, usize)> {
    let end = text.match_indices('\n').nth(max_lines.checked_sub(1)?)?.0;
    if text[end + 1..].is_empty() {
        return None;
    }
    Some((&text[..end], text.lines().count()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_long_text_keeps_its_first_lines_and_counts_them_all() {
        assert_eq!(first_lines("a\nb\nc", 2), Some(("a\nb", 3)));
        assert_eq!(first_lines("a\nb\nc\n", 1), Some(("a", 3)));
        assert_eq!(first_lines("a\nb\n", 2), None);
        assert_eq!(first_lines("a\nb", 2), None);
        assert_eq!(first_lines("", 1), None);
        assert_eq!(first_lines("a\nb", 0), None);
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
