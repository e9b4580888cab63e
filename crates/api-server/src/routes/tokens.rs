//! Ours: the caller's personal API tokens (`/onramp/tokens`). A token is 32 random bytes,
//! base64url, like a session's; it is handed out once when created and only its SHA-256 is
//! stored. Unlike a session it has a name, an expiry of its own (1–365 days, default 90) and is
//! listed with when it was last used. See `docs/contracts.md`.

use axum::{
    Extension,
    extract::{Path, State},
};
use onramp_core::{
    dto::{ApiToken, ApiTokenCreated, ApiTokenRequest},
    validate,
};
use rusqlite::{Connection, params};
use time::{Duration, OffsetDateTime};

use crate::{
    AppState,
    auth::{self, Auth, AuthCtx, PersonalToken},
    body::{SpotBody, SpotJson},
    client_ip::ClientIp,
    respond::{ApiError, ApiResult, Reply},
    routes::auth::{password_given, recheck_password, still_checked, unused_id},
    util,
};

pub const KIND_TOKEN: &str = "onramp:token";
pub const KIND_TOKEN_CREATED: &str = "onramp:token:created";

pub const TOKEN_NOT_FOUND: &str = "TOKEN_NOT_FOUND";

/// The name of the tokens `POST /auth/tokens` issues.
pub const LEGACY_NAME: &str = "API token";

fn not_found() -> ApiError {
    ApiError::new(
        404,
        TOKEN_NOT_FOUND,
        "This API token does not exist or was already revoked.",
    )
}

/// A new personal API token of the caller, valid for `days`: its metadata and the token.
pub fn issue(
    conn: &Connection,
    a: &AuthCtx,
    name: &str,
    days: u32,
) -> Result<(ApiToken, String), ApiError> {
    let id = unused_id(conn, "tokens", || format!("tok-{:08x}", util::random_u32()))?;
    let now = OffsetDateTime::now_utc();
    let meta = ApiToken {
        token_id: id,
        name: name.to_owned(),
        created: util::iso(now),
        expires: util::iso(now + Duration::days(i64::from(days))),
        last_used: None,
    };
    let (token, hash) = auth::new_token();
    auth::store_personal_token(
        conn,
        &hash,
        &a.user_id,
        a.org_id,
        &PersonalToken {
            id: &meta.token_id,
            name: &meta.name,
            created_at: &meta.created,
            expires_at: &meta.expires,
        },
    )?;
    Ok((meta, token))
}

/// `GET /onramp/tokens`: the caller's API tokens that still work (neither revoked nor expired),
/// newest first. Never the token itself.
pub async fn list(State(state): State<AppState>, Auth(a): Auth) -> ApiResult {
    let conn = state.db.conn();
    let mut stmt = conn.prepare(
        "SELECT id, name, created_at, expires_at, last_used_at FROM tokens \
         WHERE user_id = ?1 AND kind = 'personal' AND revoked = 0 AND expires_at > ?2 \
         ORDER BY created_at DESC, rowid DESC",
    )?;
    let items = stmt
        .query_map(params![a.user_id, util::now_iso()], |r| {
            Ok(ApiToken {
                token_id: r.get(0)?,
                name: r.get(1)?,
                created: r.get(2)?,
                expires: r.get(3)?,
                last_used: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Reply::many(KIND_TOKEN, items))
}

impl SpotBody for ApiTokenRequest {}

/// `POST /onramp/tokens` body `{name, expiresInDays?, password}`: a new API token of the caller,
/// after checking their password again. The token is in this answer only.
pub async fn create(
    State(state): State<AppState>,
    Auth(a): Auth,
    Extension(client): Extension<ClientIp>,
    SpotJson(body, mut errs): SpotJson<ApiTokenRequest>,
) -> ApiResult {
    let name = errs.check("body.name", validate::token_name(&body.name));
    let days = errs.check(
        "body.expiresInDays",
        validate::token_days(body.expires_in_days),
    );
    password_given(
        &mut errs,
        &body.password,
        "Enter your password to create a token.",
    );
    errs.into_result()?;
    let (Some(name), Some(days)) = (name, days) else {
        return Err(ApiError::internal());
    };
    let checked = recheck_password(&state, &a, client, &body.password, "body.password").await?;
    let conn = state.db.conn();
    still_checked(&conn, &a, &checked)?;
    let (token, access_token) = issue(&conn, &a, &name, days)?;
    Ok(Reply::one(
        KIND_TOKEN_CREATED,
        ApiTokenCreated {
            token,
            access_token,
            token_type: "Bearer".into(),
        },
    ))
}

/// `DELETE /onramp/tokens/{tokenId}`: revokes one of the caller's API tokens at once. Unknown
/// ids, another user's tokens and revoked ones get the same 404.
pub async fn revoke(
    State(state): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult {
    let changed = state.db.conn().execute(
        "UPDATE tokens SET revoked = 1 WHERE id = ?1 AND user_id = ?2 AND kind = 'personal' \
         AND revoked = 0",
        params![id, a.user_id],
    )?;
    if changed == 0 {
        return Err(not_found());
    }
    Ok(Reply::Ok)
}
