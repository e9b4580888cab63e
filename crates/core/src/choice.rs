//! Choosing some of many items (AWS member accounts, Azure subscriptions): what All and None
//! change, the order a choice is kept in, the counts line, and the search of a status table.
//! The views only draw what these answer.

use crate::text::lowercase;
use std::collections::BTreeSet;

/// One item as the chooser sees it: its key, and whether it may be chosen at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choosable<'a> {
    pub key: &'a str,
    /// It cannot be chosen (a reason is shown instead of a tick).
    pub blocked: bool,
}

/// The keys All (`on`) or None (`!on`) changes among the items the filter shows: All leaves
/// blocked items alone; None clears every one shown, blocked or not.
pub fn bulk_keys(shown: &[Choosable<'_>], on: bool) -> Vec<String> {
    shown
        .iter()
        .filter(|c| !on || !c.blocked)
        .map(|c| c.key.to_owned())
        .collect()
}

/// `chosen` with `keys` ticked (`on`) or unticked.
pub fn apply(chosen: &BTreeSet<String>, keys: &[String], on: bool) -> BTreeSet<String> {
    let mut next = chosen.clone();
    for k in keys {
        if on {
            next.insert(k.clone());
        } else {
            next.remove(k);
        }
    }
    next
}

/// The chosen keys in the list's order (a plan is made in that order), dropping keys the list
/// no longer has.
pub fn in_order<'a>(
    order: impl IntoIterator<Item = &'a str>,
    chosen: &BTreeSet<String>,
) -> Vec<String> {
    order
        .into_iter()
        .filter(|k| chosen.contains(*k))
        .map(str::to_owned)
        .collect()
}

/// What the counts line says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChoiceCounts {
    /// Chosen (and choosable).
    pub chosen: usize,
    /// Listed.
    pub total: usize,
    /// Listed but not choosable.
    pub blocked: usize,
    /// Shown by the filter.
    pub matching: usize,
}

impl ChoiceCounts {
    /// "3 of 5 chosen · 1 cannot be connected · 2 match the filter" (the last two parts only
    /// when they say something).
    pub fn text(&self) -> String {
        let mut text = format!("{} of {} chosen", self.chosen, self.total);
        if self.blocked > 0 {
            text.push_str(&format!(" · {} cannot be connected", self.blocked));
        }
        if self.matching != self.total {
            let verb = if self.matching == 1 {
                "matches"
            } else {
                "match"
            };
            text.push_str(&format!(" · {} {verb} the filter", self.matching));
        }
        text
    }
}

/// The search box of a long list: any of `fields` contains the trimmed query, ignoring case.
/// An empty query matches everything.
pub fn text_matches(fields: &[&str], query: &str) -> bool {
    let q = lowercase(query.trim());
    q.is_empty() || fields.iter().any(|f| lowercase(f).contains(&q))
}

/// The search of a long list, prepared once per list: every item's fields lowercased ahead, so
/// a keystroke lowercases only the query. Answers what [`text_matches`] answers, item by item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextIndex(Vec<Vec<String>>);

impl TextIndex {
    /// One entry per item, in order, of that item's searchable fields.
    pub fn new<'a, I, F>(items: I) -> Self
    where
        I: IntoIterator<Item = F>,
        F: IntoIterator<Item = &'a str>,
    {
        TextIndex(
            items
                .into_iter()
                .map(|fields| fields.into_iter().map(lowercase).collect())
                .collect(),
        )
    }

    /// The positions of the items `query` matches, in order (all of them for an empty query).
    pub fn matching(&self, query: &str) -> Vec<usize> {
        let q = lowercase(query.trim());
        self.0
            .iter()
            .enumerate()
            .filter(|(_, fields)| q.is_empty() || fields.iter().any(|f| f.contains(&q)))
            .map(|(i, _)| i)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(keys: &[&str]) -> BTreeSet<String> {
        keys.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn all_skips_blocked_items_and_none_clears_every_shown_one() {
        let shown = [
            Choosable {
                key: "a",
                blocked: false,
            },
            Choosable {
                key: "b",
                blocked: true,
            },
            Choosable {
                key: "c",
                blocked: false,
            },
        ];
        assert_eq!(bulk_keys(&shown, true), ["a", "c"]);
        assert_eq!(bulk_keys(&shown, false), ["a", "b", "c"]);
        assert!(bulk_keys(&[], true).is_empty());
    }

    #[test]
    fn apply_ticks_and_unticks_only_the_given_keys() {
        let now = set(&["a", "x"]);
        let keys = ["a".to_owned(), "b".to_owned()];
        assert_eq!(apply(&now, &keys, true), set(&["a", "b", "x"]));
        assert_eq!(apply(&now, &keys, false), set(&["x"]));
        assert_eq!(apply(&now, &[], true), now);
    }

    #[test]
    fn a_choice_is_kept_in_list_order_without_unknown_keys() {
        let chosen = set(&["3", "1", "gone"]);
        assert_eq!(in_order(["1", "2", "3"], &chosen), ["1", "3"]);
        assert!(in_order([], &chosen).is_empty());
    }

    #[test]
    fn the_counts_line_says_only_what_matters() {
        let c = ChoiceCounts {
            chosen: 48,
            total: 50,
            blocked: 0,
            matching: 50,
        };
        assert_eq!(c.text(), "48 of 50 chosen");
        let c = ChoiceCounts { matching: 10, ..c };
        assert_eq!(c.text(), "48 of 50 chosen · 10 match the filter");
        let c = ChoiceCounts {
            chosen: 4,
            total: 5,
            blocked: 1,
            matching: 5,
        };
        assert_eq!(c.text(), "4 of 5 chosen · 1 cannot be connected");
        let c = ChoiceCounts { matching: 1, ..c };
        assert_eq!(
            c.text(),
            "4 of 5 chosen · 1 cannot be connected · 1 matches the filter"
        );
    }

    #[test]
    fn search_is_trimmed_case_blind_and_matches_any_field() {
        let row = ["aws-Team 01", "100000000001", "act-1a2b3c4d"];
        assert!(text_matches(&row, ""));
        assert!(text_matches(&row, "   "));
        assert!(text_matches(&row, " team 01 "));
        assert!(text_matches(&row, "0000001"));
        assert!(text_matches(&row, "ACT-1A2B"));
        assert!(!text_matches(&row, "sandbox"));
        assert!(!text_matches(&[], "x"));
    }

    #[test]
    fn the_index_answers_positions_in_order() {
        let index = TextIndex::new([
            ["Team 1", "100000000001"],
            ["Sandbox", "100000000002"],
            ["team 10", "100000000010"],
        ]);
        assert_eq!(index.matching(""), vec![0, 1, 2]);
        assert_eq!(index.matching(" TEAM 1"), vec![0, 2]);
        assert_eq!(index.matching("0002"), vec![1]);
        assert_eq!(index.matching("prod"), Vec::<usize>::new());
    }

    proptest::proptest! {
        // The prepared index and the one-row check never disagree (case, spaces, non-ASCII).
        #[test]
        fn the_index_agrees_with_text_matches(
            rows in proptest::collection::vec(proptest::collection::vec("[a-cA-CΣσς İı ]{0,6}", 0..4), 0..8),
            query in "[a-cA-CΣσς İı ]{0,3}",
        ) {
            let index = TextIndex::new(rows.iter().map(|r| r.iter().map(String::as_str)));
            let expected: Vec<usize> = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| text_matches(&r.iter().map(String::as_str).collect::<Vec<_>>(), &query))
                .map(|(i, _)| i)
                .collect();
            proptest::prop_assert_eq!(index.matching(&query), expected);
        }
    }
}
