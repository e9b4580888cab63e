//! Roles: admins may change their organization, viewers may only look at it.
//!
//! [`viewer_guard`] is a route layer inside [`crate::auth::authenticate`], which resolves the
//! bearer token, so it sees the caller's [`AuthCtx`]. It refuses a viewer's writes (POST, PUT,
//! PATCH, DELETE) on every `/api` route except what concerns the viewer's own sign-in: signing
//! out (here or everywhere), changing their password and managing their own API tokens (a viewer
//! needs these to use the console at all), and the routes that need no token (signing up,
//! signing in, an invitation link): a bearer sent along to those is not what they act on. Admin-only reads (the pending
//! invitations) call [`require_admin`] themselves.

use axum::{
    extract::Request,
    http::Method,
    middleware::Next,
    response::{IntoResponse, Response},
};
use onramp_core::dto::Role;

use crate::{auth::AuthCtx, respond::ApiError};

pub const FORBIDDEN: &str = "FORBIDDEN";

pub fn forbidden() -> ApiError {
    ApiError::new(
        403,
        FORBIDDEN,
        "Your role (viewer) can only view this organization. Ask an admin.",
    )
}

/// `Ok` for admins, 403 [`FORBIDDEN`] for viewers.
pub fn require_admin(a: &AuthCtx) -> Result<(), ApiError> {
    match a.role {
        Role::Admin => Ok(()),
        Role::Viewer => Err(forbidden()),
    }
}

/// Writes a viewer may still make. `path` is as seen inside the `/api` nest.
fn open_to_viewers(path: &str) -> bool {
    matches!(
        path,
        "/auth/signout"
            | "/auth/signout-everywhere"
            | "/auth/password"
            | "/auth/tokens"
            | "/auth/signup"
            | "/auth/token"
            | "/onramp/tokens"
    ) || path.starts_with("/onramp/invitations/token/")
        || path.starts_with("/onramp/tokens/")
}

pub async fn viewer_guard(req: Request, next: Next) -> Response {
    let is_viewer = req
        .extensions()
        .get::<AuthCtx>()
        .is_some_and(|a| a.role == Role::Viewer);
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // Inside the nest the path has no `/api` prefix; strip one anyway so the rule does not
    // depend on how the router is mounted.
    let path = req.uri().path();
    let path = path.strip_prefix("/api").unwrap_or(path);
    if is_viewer && writes && !open_to_viewers(path) {
        return forbidden().into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_session_routes_and_public_routes_are_open_to_viewers() {
        for p in [
            "/auth/signout",
            "/auth/tokens",
            "/auth/signup",
            "/auth/token",
            "/onramp/invitations/token/abc/accept",
            "/auth/signout-everywhere",
            "/auth/password",
            "/onramp/tokens",
            "/onramp/tokens/tok-12345678",
        ] {
            assert!(open_to_viewers(p), "{p}");
        }
        for p in [
            "/setup/account",
            "/setup/organization",
            "/onramp/invitations",
            "/onramp/invitations/inv-12345678",
            "/auth/signout/x",
            "/auth/me",
            "/onramp/members",
            "/onramp/members/u-12345678",
        ] {
            assert!(!open_to_viewers(p), "{p}");
        }
    }
}
