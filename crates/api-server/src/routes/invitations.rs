//! The organization's users and invitations to join it.
//!
//! `GET /setup/organization/user` is Spot's route (Spot's SDK `get_users`). The invitation routes
//! are ours: Spot keeps inviting users out of its public setup API (see `docs/contracts.md`).
//! An invitation token is 32 random bytes, base64url, handed out once when the invitation is
//! created; only its SHA-256 is stored. The local server sends no email: the admin passes the
//! link on.
//!
//! Privacy: creating an invitation answers the same for an email that has an account in another
//! organization as for a new one, so an admin cannot learn which addresses are registered
//! elsewhere; only a user of the caller's own organization is refused (`USER_ALREADY_MEMBER`,
//! nothing outside the organization). The link's holder learns it on accepting (409
//! `Email_ALREADY_REGISTERED`, after the fields are valid, without naming the organization).
//! Each organization creates at most `--invitation-limit` invitations per hour.

use axum::extract::{Path, State};
use onramp_core::{
    dto::{
        AcceptInvitation, Invitation, InvitationCreated, InvitationPreview, InvitationRequest,
        OrgUser, Role, kinds,
    },
    envelope::codes,
    ids::UserId,
    validate,
};
use rusqlite::{Connection, OptionalExtension, params};
use time::{Duration, OffsetDateTime};

use crate::{
    AppState,
    auth::{self, Auth},
    body::{Mistake, SpotBody, SpotJson},
    db,
    respond::{ApiError, ApiResult, Reply},
    roles::require_admin,
    routes::auth::{
        NewUser, checked_password, email_key, hash_password, insert_user, session, unused_id,
    },
    throttle, util,
};
use std::time::Instant;

pub const KIND_USER: &str = "spotinst:setup:user";
pub const KIND_INVITATION: &str = "onramp:invitation";
pub const KIND_INVITATION_CREATED: &str = "onramp:invitation:created";
pub const KIND_INVITATION_PREVIEW: &str = "onramp:invitation:preview";

pub const USER_ALREADY_MEMBER: &str = "USER_ALREADY_MEMBER";
pub const INVITATION_ALREADY_PENDING: &str = "INVITATION_ALREADY_PENDING";
pub const INVITATION_NOT_FOUND: &str = "INVITATION_NOT_FOUND";
pub const INVITATION_EXPIRED: &str = "INVITATION_EXPIRED";

/// How long an invitation link works.
pub const VALID_FOR: Duration = Duration::days(7);

fn role_str(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Viewer => "viewer",
    }
}

fn not_found() -> ApiError {
    ApiError::new(
        404,
        INVITATION_NOT_FOUND,
        "This invitation does not exist, was already used or was withdrawn. Ask an admin of the organization for a new one.",
    )
}

/// `expires_at` is an ISO instant; the message names its day (UTC).
fn expired(expires_at: &str) -> ApiError {
    let day = expires_at.get(..10).unwrap_or(expires_at);
    ApiError::new(
        410,
        INVITATION_EXPIRED,
        format!(
            "This invitation expired on {day} (UTC). Ask an admin of the organization for a new one."
        ),
    )
}

/// `GET /setup/organization/user`: the caller's organization's users, oldest first.
pub async fn list_users(State(state): State<AppState>, Auth(a): Auth) -> ApiResult {
    let conn = state.db.conn();
    let mut stmt = conn.prepare(
        "SELECT id, full_name, email, role, created_at FROM users WHERE org_id = ?1 \
         ORDER BY created_at, rowid",
    )?;
    let rows = stmt
        .query_map(params![a.org_id as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let users = rows
        .into_iter()
        .map(|(id, full_name, email, role, created_at)| {
            Ok(OrgUser {
                user_id: UserId::parse(&id).ok_or_else(ApiError::internal)?,
                full_name,
                email,
                role: auth::role_from_db(&role),
                created_at,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Reply::many(KIND_USER, users))
}

/// A stored invitation, whatever its state.
struct Row {
    id: String,
    org_id: u64,
    email: String,
    role: String,
    created_at: String,
    expires_at: String,
    used_or_revoked: bool,
}

const ROW_COLS: &str = "id, org_id, email, role, created_at, expires_at, \
     (accepted_at IS NOT NULL OR revoked_at IS NOT NULL)";

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        org_id: r.get::<_, i64>(1)? as u64,
        email: r.get(2)?,
        role: r.get(3)?,
        created_at: r.get(4)?,
        expires_at: r.get(5)?,
        used_or_revoked: r.get(6)?,
    })
}

impl Row {
    fn dto(self) -> Invitation {
        Invitation {
            id: self.id,
            email: self.email,
            role: auth::role_from_db(&self.role),
            created_at: self.created_at,
            expires_at: self.expires_at,
        }
    }
}

/// `GET /onramp/invitations` (admins): pending invitations, newest first.
pub async fn list(State(state): State<AppState>, Auth(a): Auth) -> ApiResult {
    require_admin(&a)?;
    let conn = state.db.conn();
    let mut stmt = conn.prepare(&format!(
        "SELECT {ROW_COLS} FROM invitations WHERE org_id = ?1 AND accepted_at IS NULL \
         AND revoked_at IS NULL AND expires_at > ?2 ORDER BY created_at DESC, rowid DESC"
    ))?;
    let rows = stmt
        .query_map(params![a.org_id as i64, util::now_iso()], row_from)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Reply::many(KIND_INVITATION, rows.into_iter().map(Row::dto)))
}

impl SpotBody for InvitationRequest {
    fn wording(path: &str, mistake: &Mistake) -> Option<String> {
        (path == "role" && matches!(mistake, Mistake::NotOneOf { .. }))
            .then(|| "Choose a role: \"admin\" or \"viewer\".".to_owned())
    }
}
impl SpotBody for AcceptInvitation {}

/// `POST /onramp/invitations` (admins) body `{email, role}`: the link is in this answer only.
pub async fn create(
    State(state): State<AppState>,
    Auth(a): Auth,
    SpotJson(body, mut errs): SpotJson<InvitationRequest>,
) -> ApiResult {
    require_admin(&a)?;
    // Per organization (`--invitation-limit` per hour), checked before the body; only a stored
    // invitation counts: a refused request (invalid, conflict) frees its slot.
    let slot = state
        .invitations
        .reserve(&[throttle::org_key(a.org_id).as_str()], Instant::now())
        .map_err(|(_, reset)| throttle::throttled_error(reset))?;
    let email = errs.check("body.email", validate::email(&body.email));
    let email = errs.finish(email)?;
    let role = body.role;
    let key = email_key(&email);

    let mut conn = state.db.conn();
    let tx = conn.transaction()?;
    // Only a user of the caller's own organization is refused here. An email registered in
    // another organization gets an invitation like any new email: refusing it would tell any
    // admin which addresses have an account elsewhere. The invitee learns it on accepting.
    let member: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM users WHERE email_key = ?1 AND org_id = ?2)",
        params![key, a.org_id as i64],
        |r| r.get(0),
    )?;
    if member {
        return Err(ApiError::with_field(
            409,
            USER_ALREADY_MEMBER,
            "body.email",
            "This person is already a user of your organization.",
        ));
    }
    let now = OffsetDateTime::now_utc();
    let pending: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM invitations WHERE org_id = ?1 AND email_key = ?2 \
         AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?3)",
        params![a.org_id as i64, key, util::iso(now)],
        |r| r.get(0),
    )?;
    if pending {
        return Err(ApiError::with_field(
            409,
            INVITATION_ALREADY_PENDING,
            "body.email",
            "An invitation for this email is already pending. Withdraw it to send a new one.",
        ));
    }
    let id = unused_id(&tx, "invitations", || {
        format!("inv-{:08x}", util::random_u32())
    })?;
    let (token, hash) = auth::new_token();
    let invitation = Invitation {
        id,
        email,
        role,
        created_at: util::iso(now),
        expires_at: util::iso(now + VALID_FOR),
    };
    tx.execute(
        "INSERT INTO invitations (id, org_id, email, email_key, role, token_hash, created_by, \
         created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            invitation.id,
            a.org_id as i64,
            invitation.email,
            key,
            role_str(role),
            &hash[..],
            a.user_id,
            invitation.created_at,
            invitation.expires_at
        ],
    )?;
    tx.commit()?;
    if let Some(slot) = slot {
        slot.counted(Instant::now());
    }
    Ok(Reply::one(
        KIND_INVITATION_CREATED,
        InvitationCreated {
            invitation,
            accept_path: format!("/invite/{token}"),
        },
    ))
}

/// `DELETE /onramp/invitations/{id}` (admins): withdraws a pending invitation. Unknown ids,
/// other organizations' and used ones get the same 404.
pub async fn revoke(
    State(state): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult {
    require_admin(&a)?;
    let changed = state.db.conn().execute(
        "UPDATE invitations SET revoked_at = ?1 WHERE id = ?2 AND org_id = ?3 \
         AND accepted_at IS NULL AND revoked_at IS NULL",
        params![util::now_iso(), id, a.org_id as i64],
    )?;
    if changed == 0 {
        return Err(not_found());
    }
    Ok(Reply::Ok)
}

/// Withdraws the pending invitations `user_id` created. Called when they lose the admin role or
/// leave: a link they handed out must not keep granting access they no longer have (removal
/// would otherwise only null `created_by`, leaving the link live).
pub fn revoke_created_by(conn: &Connection, user_id: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE invitations SET revoked_at = ?1 WHERE created_by = ?2 \
         AND accepted_at IS NULL AND revoked_at IS NULL",
        params![util::now_iso(), user_id],
    )
}

/// The invitation behind a token if it can still be accepted: 404 for unknown, used and
/// withdrawn ones, 410 once expired. Looked up by the token's SHA-256 like bearer tokens; the
/// token itself is never stored.
fn usable(conn: &Connection, token: &str) -> Result<Row, ApiError> {
    let row = conn
        .query_row(
            &format!("SELECT {ROW_COLS} FROM invitations WHERE token_hash = ?1"),
            params![&auth::token_hash(token)[..]],
            row_from,
        )
        .optional()?
        .ok_or_else(not_found)?;
    if row.used_or_revoked {
        return Err(not_found());
    }
    if row.expires_at <= util::now_iso() {
        return Err(expired(&row.expires_at));
    }
    Ok(row)
}

/// `GET /onramp/invitations/token/{token}` (no bearer): what the invitee is about to join.
pub async fn preview(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult {
    let conn = state.db.conn();
    let row = usable(&conn, &token)?;
    let organization_name = db::organization_name(&conn, row.org_id)?.ok_or_else(not_found)?;
    Ok(Reply::one(
        KIND_INVITATION_PREVIEW,
        InvitationPreview {
            organization_name,
            email: row.email,
            role: auth::role_from_db(&row.role),
            expires_at: row.expires_at,
        },
    ))
}

/// `POST /onramp/invitations/token/{token}/accept` (no bearer) body `{fullName, country,
/// password}`: creates the user in the invitation's organization, with its email and role, and
/// signs them in (same answer as sign-up). The invitation is used up.
pub async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    SpotJson(body, mut errs): SpotJson<AcceptInvitation>,
) -> ApiResult {
    // A dead link is reported before the form's fields: fixing them would not help.
    usable(&state.db.conn(), &token)?;
    let full_name = errs.check("body.fullName", validate::full_name(&body.full_name));
    let country = errs.check("body.country", validate::country(&body.country));
    let password = checked_password(&mut errs, &body.password);
    errs.into_result()?;
    let (Some(full_name), Some(country), Some(password)) = (full_name, country, password) else {
        return Err(ApiError::internal());
    };
    let hash = hash_password(&state, password).await?;

    let mut conn = state.db.conn();
    let tx = conn.transaction()?;
    // Checked again under the lock: two accepts racing each other, or a revoke meanwhile.
    let row = usable(&tx, &token)?;
    let taken: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM users WHERE email_key = ?1)",
        params![email_key(&row.email)],
        |r| r.get(0),
    )?;
    if taken {
        // The email had an account in another organization when it was invited (creating the
        // invitation does not tell), or got one meanwhile (signed up, or accepted another
        // organization's invitation). Said to the link's holder only, without naming the
        // organization, and only once the fields are valid.
        return Err(ApiError::new(
            409,
            codes::EMAIL_TAKEN,
            "This email already has an Onramp account, and an email can belong to one \
             organization only. Sign in with it instead, or ask whoever invited you to invite \
             another address.",
        ));
    }
    let now = util::now_iso();
    tx.execute(
        "UPDATE invitations SET accepted_at = ?1 WHERE id = ?2",
        params![now, row.id],
    )?;
    let user_id = insert_user(
        &tx,
        &NewUser {
            org_id: row.org_id,
            full_name: &full_name,
            email: &row.email,
            country: &country,
            password_hash: &hash,
            role: auth::role_from_db(&row.role),
            now: &now,
        },
    )?;
    let s = session(&tx, &user_id, row.org_id, "session")?;
    tx.commit()?;
    Ok(Reply::one(kinds::SESSION, s))
}
