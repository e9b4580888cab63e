//! Ours: the members of the caller's organization (`/onramp/members`). Anyone may list them;
//! changing a role and removing a member are for admins. Removing or demoting a member revokes
//! all their sessions, API tokens and pending invitations at once, and an organization always
//! keeps one admin. See `docs/contracts.md`.

use axum::extract::{Path, State};
use onramp_core::{
    dto::{Member, MemberRoleRequest, Role},
    ids::UserId,
};
use rusqlite::{Connection, OptionalExtension, params};

use crate::{
    AppState,
    auth::{self, Auth},
    body::{Mistake, SpotBody, SpotJson},
    respond::{ApiError, ApiResult, Reply},
    roles::require_admin,
    routes::invitations,
};

pub const KIND_MEMBER: &str = "onramp:member";

pub const MEMBER_NOT_FOUND: &str = "MEMBER_NOT_FOUND";
pub const LAST_ADMIN: &str = "LAST_ADMIN";

fn not_found() -> ApiError {
    ApiError::new(
        404,
        MEMBER_NOT_FOUND,
        "This person is not a member of your organization.",
    )
}

fn last_admin() -> ApiError {
    ApiError::new(
        409,
        LAST_ADMIN,
        "This is the organization's only admin. Make another member an admin first.",
    )
}

fn role_str(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Viewer => "viewer",
    }
}

const COLS: &str = "id, full_name, email, role, created_at";

/// A member as stored (`users`).
struct Row {
    id: String,
    name: String,
    email: String,
    role: String,
    joined: String,
}

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        role: r.get(3)?,
        joined: r.get(4)?,
    })
}

impl Row {
    fn dto(self) -> Result<Member, ApiError> {
        Ok(Member {
            user_id: UserId::parse(&self.id).ok_or_else(ApiError::internal)?,
            name: self.name,
            email: self.email,
            role: auth::role_from_db(&self.role),
            joined: self.joined,
        })
    }
}

/// The member `user_id` of `org_id`; `None` for unknown users and other organizations' alike.
fn member(conn: &Connection, org_id: u64, user_id: &str) -> rusqlite::Result<Option<Row>> {
    conn.query_row(
        &format!("SELECT {COLS} FROM users WHERE id = ?1 AND org_id = ?2"),
        params![user_id, org_id as i64],
        row_from,
    )
    .optional()
}

fn admins(conn: &Connection, org_id: u64) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM users WHERE org_id = ?1 AND role = 'admin'",
        params![org_id as i64],
        |r| r.get(0),
    )
}

/// `GET /onramp/members` (any role): the caller's organization's members, oldest first.
pub async fn list(State(state): State<AppState>, Auth(a): Auth) -> ApiResult {
    let conn = state.db.conn();
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM users WHERE org_id = ?1 ORDER BY created_at, rowid"
    ))?;
    let rows = stmt
        .query_map(params![a.org_id as i64], row_from)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let members = rows
        .into_iter()
        .map(Row::dto)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::many(KIND_MEMBER, members))
}

impl SpotBody for MemberRoleRequest {
    fn wording(path: &str, mistake: &Mistake) -> Option<String> {
        (path == "role" && matches!(mistake, Mistake::NotOneOf { .. }))
            .then(|| "Choose a role: \"admin\" or \"viewer\".".to_owned())
    }
}

/// `PUT /onramp/members/{userId}` (admins) body `{role}` → the member as changed. Demoting an
/// admin revokes their sessions, API tokens and pending invitations; the last admin cannot be
/// demoted (409).
pub async fn set_role(
    State(state): State<AppState>,
    Auth(a): Auth,
    Path(user_id): Path<String>,
    SpotJson(body, errs): SpotJson<MemberRoleRequest>,
) -> ApiResult {
    require_admin(&a)?;
    errs.into_result()?;
    let role = role_str(body.role);
    let mut conn = state.db.conn();
    let tx = conn.transaction()?;
    let mut m = member(&tx, a.org_id, &user_id)?.ok_or_else(not_found)?;
    if m.role != role {
        let demoted = m.role == "admin";
        if demoted && admins(&tx, a.org_id)? <= 1 {
            return Err(last_admin());
        }
        tx.execute(
            "UPDATE users SET role = ?1 WHERE id = ?2",
            params![role, user_id],
        )?;
        tx.execute(
            "UPDATE memberships SET role = ?1 WHERE user_id = ?2 AND org_id = ?3",
            params![role, user_id, a.org_id as i64],
        )?;
        if demoted {
            auth::revoke_all(&tx, &user_id, None)?;
            invitations::revoke_created_by(&tx, &user_id)?;
        }
        tx.commit()?;
        m.role = role.to_owned();
    }
    Ok(Reply::one(KIND_MEMBER, m.dto()?))
}

/// `DELETE /onramp/members/{userId}` (admins): removes the member from the organization (their
/// user is deleted, so the email may be invited again) and revokes their sessions, API tokens
/// and pending invitations. The last admin cannot be removed (409), not even by themselves.
pub async fn remove(
    State(state): State<AppState>,
    Auth(a): Auth,
    Path(user_id): Path<String>,
) -> ApiResult {
    require_admin(&a)?;
    let mut conn = state.db.conn();
    let tx = conn.transaction()?;
    let m = member(&tx, a.org_id, &user_id)?.ok_or_else(not_found)?;
    if m.role == "admin" && admins(&tx, a.org_id)? <= 1 {
        return Err(last_admin());
    }
    auth::revoke_all(&tx, &user_id, None)?;
    // Before the delete: it nulls `created_by`, after which their links could not be found.
    invitations::revoke_created_by(&tx, &user_id)?;
    tx.execute(
        "DELETE FROM users WHERE id = ?1 AND org_id = ?2",
        params![user_id, a.org_id as i64],
    )?;
    tx.commit()?;
    Ok(Reply::Ok)
}
