//! Which screen a path opens. One entry per screen the console draws: moving between paths of
//! the same entry keeps the screen (a wizard reads its step from the path itself and keeps its
//! page, and what it holds in memory only), moving to another entry builds the other screen. The apps match on [`Page`] instead of a
//! router's route table, whose generic matching code weighed more than every screen's own
//! path parsing together.

/// A screen of the console (the sign-in bundle draws the first four).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `/`
    Home,
    /// `/signup`
    Signup,
    /// `/signup/password`
    SignupPassword,
    /// `/signin`
    SignIn,
    /// `/invite/<token>`: see [`invite_token`].
    Invite,
    /// The first-run wizard: `/welcome`, `/welcome/provider`, `/welcome/connect/<provider>`.
    Welcome,
    /// `/embed`
    Embed,
    /// The embedded first run: `/embed/welcome`, `/embed/connect/<provider>`.
    EmbedFlow,
    /// `/embed/add-account`
    EmbedAddAccount,
    /// The AWS management account wizard: `/management`, `/management/<step>`.
    Management,
    /// `/management/azure`
    ManagementAzure,
    /// `/finops`
    FinOps,
    /// `/dashboard`
    Dashboard,
    /// `/accounts/new/azure-subscriptions[/<step>]`: one entry for its steps, so moving between
    /// them keeps the screen and the client secret it holds in memory only.
    AzureSubscriptions,
    /// Adding an account: `/accounts/new`, `/accounts/new/<step>`,
    /// `/accounts/new/connect/<provider>`, `/accounts/<id>/setup`.
    AddAccount,
    /// A whole AWS Organization: `/accounts/new/aws-organization[/<step>]`.
    AwsOrganization,
    /// `/settings` (goes on to the members)
    Settings,
    /// `/settings/members`
    SettingsMembers,
    /// `/settings/security`
    SettingsSecurity,
}

impl Page {
    /// The screen `path` (the URL's path, without query or fragment) opens; `None` for a path
    /// the console does not have. One trailing slash is ignored; parameters are never empty.
    pub fn parse(path: &str) -> Option<Page> {
        use Page::*;
        let path = match path.strip_suffix('/') {
            Some(p) if !p.is_empty() => p,
            _ => path,
        };
        let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
        if segments.len() > 1 && segments.iter().any(|s| s.is_empty()) {
            return None;
        }
        Some(match segments.as_slice() {
            [""] => Home,
            ["signup"] => Signup,
            ["signup", "password"] => SignupPassword,
            ["signin"] => SignIn,
            ["invite", _] => Invite,
            ["welcome"] | ["welcome", "provider"] | ["welcome", "connect", _] => Welcome,
            ["embed"] => Embed,
            ["embed", "welcome"] | ["embed", "connect", _] => EmbedFlow,
            ["embed", "add-account"] => EmbedAddAccount,
            ["management", "azure"] => ManagementAzure,
            ["management"] | ["management", _] => Management,
            ["finops"] => FinOps,
            ["dashboard"] => Dashboard,
            ["accounts", "new", "azure-subscriptions"]
            | ["accounts", "new", "azure-subscriptions", _] => AzureSubscriptions,
            ["accounts", "new", "aws-organization"]
            | ["accounts", "new", "aws-organization", _] => AwsOrganization,
            ["accounts", "new"]
            | ["accounts", "new", _]
            | ["accounts", "new", "connect", _]
            | ["accounts", _, "setup"] => AddAccount,
            ["settings"] => Settings,
            ["settings", "members"] => SettingsMembers,
            ["settings", "security"] => SettingsSecurity,
            _ => return None,
        })
    }
}

/// The invitation token of an `/invite/<token>` path (tokens are URL-safe base64: nothing to
/// decode).
pub fn invite_token(path: &str) -> Option<&str> {
    let token = path.strip_prefix("/invite/")?;
    let token = token.strip_suffix('/').unwrap_or(token);
    (!token.is_empty() && !token.contains('/')).then_some(token)
}

/// Whether a link to `href` leads to the page at `path` or to one inside it (`/settings/members`
/// is in `/settings`), for `aria-current="page"`. `/` is only the start page itself.
pub fn link_is_current(href: &str, path: &str) -> bool {
    let href = href
        .strip_suffix('/')
        .filter(|h| !h.is_empty())
        .unwrap_or(href);
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    match path.strip_prefix(href) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::Page::*;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_screen_has_its_paths() {
        let table = [
            ("/", Home),
            ("/signup", Signup),
            ("/signup/password", SignupPassword),
            ("/signin", SignIn),
            ("/invite/abc-_123", Invite),
            ("/welcome", Welcome),
            ("/welcome/provider", Welcome),
            ("/welcome/connect/aws", Welcome),
            ("/embed", Embed),
            ("/embed/welcome", EmbedFlow),
            ("/embed/connect/gcp", EmbedFlow),
            ("/embed/add-account", EmbedAddAccount),
            ("/management", Management),
            ("/management/azure", ManagementAzure),
            ("/management/connect", Management),
            ("/finops", FinOps),
            ("/dashboard", Dashboard),
            ("/accounts/new/azure-subscriptions", AzureSubscriptions),
            (
                "/accounts/new/azure-subscriptions/status",
                AzureSubscriptions,
            ),
            ("/accounts/new", AddAccount),
            ("/accounts/new/aws-organization", AwsOrganization),
            ("/accounts/new/aws-organization/deploy", AwsOrganization),
            ("/accounts/new/provider", AddAccount),
            ("/accounts/new/connect/azure", AddAccount),
            ("/accounts/act-1a2b3c4d/setup", AddAccount),
            ("/settings", Settings),
            ("/settings/members", SettingsMembers),
            ("/settings/security", SettingsSecurity),
        ];
        for (path, page) in table {
            assert_eq!(Page::parse(path), Some(page), "{path}");
            assert_eq!(Page::parse(&format!("{path}/")), Some(page), "{path}/");
        }
    }

    #[test]
    fn other_paths_open_nothing() {
        for path in [
            "",
            "signin",
            "/signin//",
            "/nope",
            "/invite",
            "/invite/",
            "/invite/a/b",
            "/welcome/connect",
            "/welcome/connect/",
            "/accounts",
            "/accounts//setup",
            "/accounts/new/azure-subscriptions/a/b",
            "/dashboard/x",
            "/Dashboard",
        ] {
            assert_eq!(Page::parse(path), None, "{path}");
        }
    }

    #[test]
    fn the_invitation_token_is_the_last_segment() {
        assert_eq!(invite_token("/invite/Ab-_9"), Some("Ab-_9"));
        assert_eq!(invite_token("/invite/Ab-_9/"), Some("Ab-_9"));
        assert_eq!(invite_token("/invite/"), None);
        assert_eq!(invite_token("/invite/a/b"), None);
        assert_eq!(invite_token("/signin"), None);
    }

    #[test]
    fn a_link_is_current_on_its_page_and_the_pages_inside_it() {
        assert!(link_is_current("/dashboard", "/dashboard"));
        assert!(link_is_current("/dashboard", "/dashboard/"));
        assert!(link_is_current("/settings", "/settings/members"));
        assert!(link_is_current("/settings/members", "/settings/members"));
        assert!(link_is_current("/", "/"));
        assert!(!link_is_current("/", "/dashboard"));
        assert!(!link_is_current("/settings/members", "/settings/security"));
        assert!(!link_is_current("/settings/members", "/settings"));
        assert!(!link_is_current("/sign", "/signin"));
        assert!(!link_is_current("/dashboard", "/"));
    }

    proptest! {
        // A link is current on its own page and below it, never on its parent.
        #[test]
        fn a_link_is_current_below_itself(href in "(/[a-z]{1,6}){1,3}", rest in "(/[a-z]{1,6}){0,2}") {
            let below = format!("{href}{rest}");
            prop_assert!(link_is_current(&href, &below));
            let parent = match &href[..href.rfind('/').unwrap()] {
                "" => "/",
                p => p,
            };
            prop_assert!(!link_is_current(&href, parent));
        }

        // Any path: no panic, and a path with a query or a fragment never opens a screen.
        #[test]
        fn parse_takes_any_path(path in "(/[a-z-]{0,12}){0,5}/?", extra in "[?#][a-z=]{0,5}") {
            let page = Page::parse(&path);
            if page.is_some() {
                prop_assert_eq!(Page::parse(&format!("{path}{extra}/x")), None);
            }
            if page == Some(Invite) {
                prop_assert!(invite_token(&path).is_some());
            }
        }
    }
}
