//! Passwords (argon2id) and bearer tokens (32 random bytes, base64url; only their SHA-256 is
//! stored, compared in constant time). Resolving a token gives an [`AuthCtx`] that scopes every
//! query to its organization; [`authenticate`] does that once per `/api` request, and refuses
//! sessions past their [`Lifetimes`] and API tokens past their expiry.

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::SaltString,
};
use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use onramp_core::dto::Role;

use time::OffsetDateTime;

use crate::{AppState, respond::ApiError, util};

/// Who is calling: set by [`authenticate`] when the bearer token is valid.
#[derive(Debug, Clone)]
pub struct AuthCtx {
    pub user_id: String,
    pub org_id: u64,
    pub token_hash: [u8; 32],
    /// The user's role (`users.role`): viewers are read-only (see `roles`).
    pub role: Role,
}

/// Extractor for protected routes: 401 `Unauthorized` without a valid token.
pub struct Auth(pub AuthCtx);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<AuthCtx>()
            .cloned()
            .map(Auth)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// How long a session (the bearer token of a sign-in, sign-up or accepted invitation) lives:
/// it ends `idle` after it last authenticated a request, and `max` after it was issued,
/// whichever comes first. Personal API tokens carry their own expiry instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    pub idle: time::Duration,
    pub max: time::Duration,
}

impl Lifetimes {
    pub fn of(config: &crate::Config) -> Self {
        let d = |s: std::time::Duration| time::Duration::try_from(s).unwrap_or(time::Duration::MAX);
        Self {
            idle: d(config.session_idle),
            max: d(config.session_max),
        }
    }
}

/// `tokens.last_used_at` is written at most this often per token (it is the idle clock of a
/// session and the "last used" of an API token; a write per request would be wasted).
pub const LAST_USED_EVERY: time::Duration = time::Duration::minutes(1);

/// Route layer on `/api`: resolves the bearer token and puts the caller ([`AuthCtx`]) in the
/// request's extensions for the layers inside (rate limit, viewer guard) and the handlers. A
/// missing, unknown, revoked or expired token leaves no caller, and routes that need one answer
/// 401 through [`Auth`]; only a failing database answers here.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if let Some(token) = bearer(req.headers()) {
        let mut lifetimes = Lifetimes::of(&state.config);
        if let Some(idle) = state.faults.session_idle() {
            lifetimes.idle = time::Duration::try_from(idle).unwrap_or(time::Duration::MAX);
        }
        let resolved = resolve(
            &state.db.conn(),
            token,
            lifetimes,
            OffsetDateTime::now_utc(),
        );
        match resolved {
            Ok(Some(ctx)) => {
                req.extensions_mut().insert(ctx);
            }
            Ok(None) => {}
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    next.run(req).await
}

pub fn hasher(fast: bool) -> Argon2<'static> {
    let params = if fast {
        // Test-only: the smallest parameters argon2 allows.
        Params::new(8, 1, 1, None).expect("valid argon2 params")
    } else {
        Params::default()
    };
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str, fast: bool) -> String {
    let salt = SaltString::encode_b64(&util::random_bytes::<16>()).expect("16-byte salt encodes");
    hasher(fast)
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid params")
        .to_string()
}

/// Checks a password against a stored PHC string (its own parameters are used).
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A new bearer token and the SHA-256 to store.
pub fn new_token() -> (String, [u8; 32]) {
    let token = URL_SAFE_NO_PAD.encode(util::random_bytes::<32>());
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A new session's row (`kind` `session`; its lifetime comes from [`Lifetimes`]).
pub fn store_token(
    conn: &Connection,
    hash: &[u8; 32],
    user_id: &str,
    org_id: u64,
    kind: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO tokens (hash, user_id, org_id, kind, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![&hash[..], user_id, org_id as i64, kind, util::now_iso()],
    )?;
    Ok(())
}

/// A personal API token's row: its id, name and expiry are the user's to see.
pub struct PersonalToken<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub created_at: &'a str,
    pub expires_at: &'a str,
}

pub fn store_personal_token(
    conn: &Connection,
    hash: &[u8; 32],
    user_id: &str,
    org_id: u64,
    t: &PersonalToken<'_>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO tokens (hash, user_id, org_id, kind, created_at, id, name, expires_at) \
         VALUES (?1, ?2, ?3, 'personal', ?4, ?5, ?6, ?7)",
        params![
            &hash[..],
            user_id,
            org_id as i64,
            t.created_at,
            t.id,
            t.name,
            t.expires_at
        ],
    )?;
    Ok(())
}

/// Revokes every session and API token of `user_id` at once, except the one whose hash is
/// `except` (the caller's own, when it stays valid), and the AWS connect tokens they minted
/// that no stack used yet. Their next request is a 401.
pub fn revoke_all(
    conn: &Connection,
    user_id: &str,
    except: Option<&[u8; 32]>,
) -> rusqlite::Result<usize> {
    crate::connect_token::revoke_unused(conn, user_id)?;
    conn.execute(
        "UPDATE tokens SET revoked = 1 WHERE user_id = ?1 AND revoked = 0 \
         AND (?2 IS NULL OR hash <> ?2)",
        params![user_id, except.map(|h| &h[..])],
    )
}

/// The bearer token of `Authorization: Bearer <token>`, if well-formed.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 512)
        .then_some(token)
}

/// `users.role` as stored. Anything but `admin` counts as a viewer, so an unexpected value
/// can only take rights away (the column's CHECK allows just the two anyway).
pub fn role_from_db(role: &str) -> Role {
    if role == "admin" {
        Role::Admin
    } else {
        Role::Viewer
    }
}

/// Looks a token up by its hash; revoked, expired or unknown → `None`. A session has expired
/// once `lifetimes.max` has passed since it was issued or `lifetimes.idle` since it was last
/// used; an API token at its `expires_at`. A live token's `last_used_at` is set to `now` when
/// it is older than [`LAST_USED_EVERY`] (or unset).
pub fn resolve(
    conn: &Connection,
    token: &str,
    lifetimes: Lifetimes,
    now: OffsetDateTime,
) -> rusqlite::Result<Option<AuthCtx>> {
    struct Row {
        stored: Vec<u8>,
        user_id: String,
        org_id: i64,
        role: String,
        kind: String,
        created_at: String,
        last_used_at: Option<String>,
        expires_at: Option<String>,
    }
    let hash = token_hash(token);
    let row = conn
        .query_row(
            "SELECT t.hash, t.user_id, t.org_id, u.role, t.kind, t.created_at, t.last_used_at, \
             t.expires_at FROM tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.hash = ?1 AND t.revoked = 0",
            params![&hash[..]],
            |r| {
                Ok(Row {
                    stored: r.get(0)?,
                    user_id: r.get(1)?,
                    org_id: r.get(2)?,
                    role: r.get(3)?,
                    kind: r.get(4)?,
                    created_at: r.get(5)?,
                    last_used_at: r.get(6)?,
                    expires_at: r.get(7)?,
                })
            },
        )
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    if !bool::from(row.stored.as_slice().ct_eq(&hash[..])) {
        return Ok(None);
    }
    // Every timestamp has the same ISO format, so text order is time order.
    let now_iso = util::iso(now);
    // A lifetime reaching before year 0 never ends (the flags keep them far shorter).
    let since = |d: time::Duration| now.checked_sub(d).map(util::iso).unwrap_or_default();
    let live = if row.kind == "session" {
        let seen = row.last_used_at.as_deref().unwrap_or(&row.created_at);
        row.created_at > since(lifetimes.max) && *seen > *since(lifetimes.idle)
    } else {
        row.expires_at
            .as_deref()
            .is_some_and(|e| e > now_iso.as_str())
    };
    if !live {
        return Ok(None);
    }
    let stale = since(LAST_USED_EVERY);
    if row
        .last_used_at
        .as_deref()
        .is_none_or(|l| l <= stale.as_str())
    {
        conn.execute(
            "UPDATE tokens SET last_used_at = ?1 WHERE hash = ?2",
            params![now_iso, &hash[..]],
        )?;
    }
    Ok(Some(AuthCtx {
        user_id: row.user_id,
        org_id: row.org_id as u64,
        token_hash: hash,
        role: role_from_db(&row.role),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("Corr3ct-horse", true);
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Corr3ct-horse", &h));
        assert!(!verify_password("Corr3ct-horsf", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43); // 32 bytes, base64url without padding
        assert_eq!(token_hash(&a), ha);
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {a}").parse().unwrap(),
        );
        assert_eq!(bearer(&h), Some(a.as_str()));
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }
}
