//! What the console's Settings screens say and decide, as pure functions: who in the members
//! list is "you", which role change a row offers and whether it needs a confirmation, the
//! sentences after a change, and how an API token's dates read.

use crate::dto::{ApiToken, Member, Role};
use crate::time::show_date;

/// "Admin" / "Viewer", as the members table says it.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "Admin",
        Role::Viewer => "Viewer",
    }
}

/// The role a member's one role button switches to.
pub fn other_role(role: Role) -> Role {
    match role {
        Role::Admin => Role::Viewer,
        Role::Viewer => Role::Admin,
    }
}

/// The role button's visible text for a member who has `role` now.
pub fn role_action(role: Role) -> &'static str {
    match other_role(role) {
        Role::Admin => "Make admin",
        Role::Viewer => "Make viewer",
    }
}

/// The signed-in user's own row: the server's members carry emails, and one email is one user.
/// Compared without regard to case (the server normalises domains, people type either).
pub fn is_you(member: &Member, my_email: Option<&str>) -> bool {
    my_email.is_some_and(|me| me.trim().eq_ignore_ascii_case(member.email.trim()))
}

/// A role change that ends the session of the person who asks for it (demoting yourself: the
/// server revokes every session of a demoted admin) is confirmed first; any other change is
/// made at once.
pub fn role_change_needs_confirmation(member: &Member, you: bool) -> bool {
    you && member.role == Role::Admin
}

/// The status line after a member's role changed to `now`.
pub fn role_changed_message(name: &str, now: Role) -> String {
    match now {
        Role::Admin => format!("{name} is now an admin."),
        Role::Viewer => format!(
            "{name} is now a viewer. Their sessions and API tokens were ended: they sign in again as a viewer."
        ),
    }
}

/// The status line after a member was removed.
pub fn removed_message(name: &str) -> String {
    format!("{name} was removed from the organization. Their sessions and API tokens were ended.")
}

/// "Never", or the day the token last authenticated a request.
pub fn last_used(token: &ApiToken) -> String {
    token
        .last_used
        .as_deref()
        .map_or_else(|| "Never".to_owned(), show_date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    fn member(email: &str, role: Role) -> Member {
        Member {
            user_id: UserId::parse("u-0000abcd").unwrap(),
            name: "Ada Lovelace".into(),
            email: email.into(),
            role,
            joined: "2026-11-30T10:00:00.000Z".into(),
        }
    }

    #[test]
    fn role_buttons_offer_the_other_role() {
        assert_eq!(role_action(Role::Admin), "Make viewer");
        assert_eq!(role_action(Role::Viewer), "Make admin");
        assert_eq!(other_role(Role::Admin), Role::Viewer);
        assert_eq!(other_role(Role::Viewer), Role::Admin);
        assert_eq!(role_name(Role::Viewer), "Viewer");
    }

    #[test]
    fn you_are_found_by_email_whatever_the_case() {
        let m = member("Ada@Example.com", Role::Admin);
        assert!(is_you(&m, Some("ada@example.com")));
        assert!(is_you(&m, Some(" ADA@EXAMPLE.COM ")));
        assert!(!is_you(&m, Some("bob@example.com")));
        assert!(!is_you(&m, None), "an unknown profile is nobody");
    }

    #[test]
    fn only_demoting_yourself_is_confirmed() {
        let admin = member("a@example.com", Role::Admin);
        let viewer = member("v@example.com", Role::Viewer);
        assert!(role_change_needs_confirmation(&admin, true));
        assert!(!role_change_needs_confirmation(&admin, false));
        assert!(!role_change_needs_confirmation(&viewer, false));
        assert!(!role_change_needs_confirmation(&viewer, true));
    }

    #[test]
    fn sentences_after_a_change() {
        assert_eq!(
            role_changed_message("Bob", Role::Admin),
            "Bob is now an admin."
        );
        assert!(role_changed_message("Bob", Role::Viewer).starts_with("Bob is now a viewer."));
        assert!(removed_message("Bob").starts_with("Bob was removed"));
    }

    #[test]
    fn a_token_never_used_says_never() {
        let mut t = ApiToken {
            token_id: "tok-0000abcd".into(),
            name: "CI".into(),
            created: "2026-11-01T00:00:00.000Z".into(),
            expires: "2027-01-30T00:00:00.000Z".into(),
            last_used: None,
        };
        assert_eq!(last_used(&t), "Never");
        t.last_used = Some("2026-11-02T13:45:00.000Z".into());
        assert_eq!(last_used(&t), "2 Nov 2026");
    }
}
