//! AWS connect tokens (ours): what a CloudFormation stack uses to report its role to
//! `POST /setup/credentials/aws` by itself. An admin mints one per Spot account; it can set that
//! account's AWS credentials once, within [`TTL`], and nothing else. Like every bearer token it
//! is 32 random bytes handed out once; only its SHA-256 is stored (table `connect_tokens`).
//!
//! A connect token is never a session: [`crate::auth::authenticate`] does not know it, so on any
//! other route it is an unknown token (401). [`CredentialsCaller`] accepts it on the one route.

use axum::{extract::FromRequestParts, http::request::Parts};
use rusqlite::{Connection, OptionalExtension, params};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::{
    AppState,
    auth::{self, AuthCtx},
    respond::{ApiError, Params},
    scope::InAccount,
    util,
};

/// How long a minted token may be used: long enough to read the quick-create page and let the
/// stack run, short enough that a forgotten link soon stops working.
pub const TTL: time::Duration = time::Duration::hours(2);

pub const EXPIRED: &str = "CONNECT_TOKEN_EXPIRED";
pub const USED: &str = "CONNECT_TOKEN_USED";
pub const OTHER_ACCOUNT: &str = "CONNECT_TOKEN_OTHER_ACCOUNT";
pub const UNAVAILABLE: &str = "CONNECT_TOKENS_UNAVAILABLE";

pub fn expired() -> ApiError {
    ApiError::new(
        401,
        EXPIRED,
        "The connect token has expired: create a new stack from Onramp.",
    )
}

pub fn used() -> ApiError {
    ApiError::new(
        401,
        USED,
        "The connect token was already used. If Onramp shows the account connected, nothing is \
         left to do; otherwise create a new stack from Onramp.",
    )
}

fn other_account() -> ApiError {
    ApiError::new(
        401,
        OTHER_ACCOUNT,
        "The connect token is for another Spot account: check the stack's AccountId, or create \
         a new stack from Onramp.",
    )
}

/// A new token for `account_id`, bound to the external ID its stack's role will trust. Older
/// tokens of the account are dropped: only the newest link works, so an abandoned or leaked
/// one stops as soon as the user starts again (and its external ID may be stale by then).
pub fn mint(
    conn: &Connection,
    account_id: &str,
    user_id: &str,
    external_id: &str,
    ttl: time::Duration,
) -> rusqlite::Result<(String, String)> {
    let (token, hash) = auth::new_token();
    let now = OffsetDateTime::now_utc();
    let expires_at = util::iso(now + ttl);
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "DELETE FROM connect_tokens WHERE account_id = ?1",
        params![account_id],
    )?;
    tx.execute(
        "INSERT INTO connect_tokens (hash, account_id, created_by, external_id, created_at, \
         expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            &hash[..],
            account_id,
            user_id,
            external_id,
            util::iso(now),
            expires_at
        ],
    )?;
    tx.commit()?;
    Ok((token, expires_at))
}

/// What a valid connect token allows: setting `account_id`'s AWS credentials once, with the
/// external ID it was minted with.
#[derive(Debug, Clone)]
pub struct Grant {
    pub hash: [u8; 32],
    pub account_id: String,
    pub external_id: String,
}

/// The grant of `token` for a request on `?accountId=` `account`. Unknown tokens (and those of
/// a user no longer an admin) are the usual 401 `Unauthorized`; used, expired and other-account
/// tokens get a 401 saying so, since whoever holds one can act on it.
pub fn resolve(
    conn: &Connection,
    token: &str,
    account: Option<&str>,
    now: OffsetDateTime,
) -> Result<(Grant, AuthCtx), ApiError> {
    struct Row {
        stored: Vec<u8>,
        account_id: String,
        org_id: i64,
        user_id: String,
        role: String,
        external_id: String,
        expires_at: String,
        used: bool,
    }
    let hash = auth::token_hash(token);
    let row = conn
        .query_row(
            "SELECT c.hash, c.account_id, a.org_id, c.created_by, u.role, c.external_id, \
             c.expires_at, c.used_at IS NOT NULL FROM connect_tokens c \
             JOIN accounts a ON a.id = c.account_id JOIN users u ON u.id = c.created_by \
             WHERE c.hash = ?1",
            params![&hash[..]],
            |r| {
                Ok(Row {
                    stored: r.get(0)?,
                    account_id: r.get(1)?,
                    org_id: r.get(2)?,
                    user_id: r.get(3)?,
                    role: r.get(4)?,
                    external_id: r.get(5)?,
                    expires_at: r.get(6)?,
                    used: r.get(7)?,
                })
            },
        )
        .optional()?
        .filter(|r| bool::from(r.stored.as_slice().ct_eq(&hash[..])))
        .filter(|r| r.role == "admin")
        .ok_or_else(ApiError::unauthorized)?;
    if row.used {
        return Err(used());
    }
    // Same ISO format everywhere, so text order is time order.
    if row.expires_at <= util::iso(now) {
        return Err(expired());
    }
    if account.map(str::trim) != Some(row.account_id.as_str()) {
        return Err(other_account());
    }
    let ctx = AuthCtx {
        user_id: row.user_id,
        org_id: row.org_id as u64,
        token_hash: hash,
        role: auth::role_from_db(&row.role),
    };
    let grant = Grant {
        hash,
        account_id: row.account_id,
        external_id: row.external_id,
    };
    Ok((grant, ctx))
}

/// Marks the token used, in the caller's transaction (with the credentials it sets). `false`
/// when another request used it first.
pub fn consume(conn: &Connection, grant: &Grant) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE connect_tokens SET used_at = ?1 WHERE hash = ?2 AND used_at IS NULL",
        params![util::now_iso(), &grant.hash[..]],
    )?;
    Ok(changed == 1)
}

/// Drops the connect tokens `user_id` minted and nobody used yet (with their sessions, when
/// they are revoked all at once).
pub fn revoke_unused(conn: &Connection, user_id: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM connect_tokens WHERE created_by = ?1 AND used_at IS NULL",
        params![user_id],
    )
}

/// The caller of `POST /setup/credentials/aws`: a signed-in user (session or API token), or a
/// stack with the account's connect token.
pub struct CredentialsCaller {
    pub at: InAccount,
    pub grant: Option<Grant>,
}

impl FromRequestParts<AppState> for CredentialsCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.extensions.get::<AuthCtx>().is_some() {
            let at = InAccount::from_request_parts(parts, state).await?;
            return Ok(Self { at, grant: None });
        }
        let token = auth::bearer(&parts.headers)
            .ok_or_else(ApiError::unauthorized)?
            .to_owned();
        let params = Params::from_request_parts(parts, state).await?;
        let now = OffsetDateTime::now_utc();
        let (grant, ctx) = resolve(&state.db.conn(), &token, params.get("accountId"), now)?;
        Ok(Self {
            at: InAccount::new(state.clone(), ctx, params),
            grant: Some(grant),
        })
    }
}
