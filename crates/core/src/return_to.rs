//! Where a user goes back to after signing in again: the page they were on when their session
//! ended. The path comes from the browser's own location, but it is kept in storage between the
//! two, so it is checked again before use: only a path of this app, never another site.

/// Longest path kept; a real one of this app is far shorter.
pub const MAX_LEN: usize = 2048;

/// `Some(path)` when `path` may be navigated to after sign-in: it starts with one `/` (not `//`,
/// which is another host), has no backslash (browsers read `\` as `/`), no control or space
/// characters, no scheme-looking `:` before the first `/`-segment, at most [`MAX_LEN`] bytes,
/// and is not a sign-in or sign-up page (that would loop) nor an invitation link (its path
/// is the invitation's secret token, which must not be kept in storage).
pub fn safe_return_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('/')?;
    if path.len() > MAX_LEN
        || rest.starts_with('/')
        || path
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    {
        return None;
    }
    let route = path.split(['?', '#']).next().unwrap_or_default();
    let route = route.trim_end_matches('/');
    let is_auth = ["/signin", "/signup", "/invite"]
        .iter()
        .any(|p| route == *p || route.starts_with(&format!("{p}/")));
    if is_auth || route.is_empty() {
        return None;
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn app_paths_are_kept() {
        for p in [
            "/welcome/connect/aws",
            "/welcome",
            "/dashboard",
            "/dashboard?tab=accounts",
            "/embed?parent=https%3A%2F%2Fpartner.example",
            "/accounts/act-1a2b3c4d",
        ] {
            assert_eq!(safe_return_path(p), Some(p), "{p}");
        }
    }

    #[test]
    fn other_sites_and_odd_paths_are_refused() {
        for p in [
            "",
            "/",
            "//evil.example/x",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/welcome",
            "javascript:alert(1)",
            "welcome",
            "/welcome\n",
            "/wel come",
            "/welcome\u{0}",
            "/signin",
            "/signin/",
            "/signin?x=1",
            "/signup",
            "/signup/password",
            "/invite/abcDEF123-_",
        ] {
            assert_eq!(safe_return_path(p), None, "{p:?}");
        }
        assert_eq!(safe_return_path(&format!("/{}", "a".repeat(MAX_LEN))), None);
        // A page whose name merely starts like an auth page is fine.
        assert_eq!(safe_return_path("/signing-key"), Some("/signing-key"));
    }

    proptest! {
        #[test]
        fn anything_kept_is_a_same_app_path(s in "\\PC{0,60}") {
            if let Some(p) = safe_return_path(&s) {
                prop_assert!(p.starts_with('/'));
                prop_assert!(!p.starts_with("//"));
                prop_assert!(!p.contains('\\'));
                prop_assert!(!p.chars().any(char::is_control));
            }
        }
    }
}
