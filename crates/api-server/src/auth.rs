//! Passwords (argon2id) and bearer tokens (32 random bytes, base64url; only their SHA-256 is
//! stored, compared in constant time). Resolving a token gives an [`AuthCtx`] that scopes every
//! query to its organization; [`authenticate`] does that once per `/api` request.

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

use crate::{db::Db, respond::ApiError, util};

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

/// Route layer on `/api`: resolves the bearer token and puts the caller ([`AuthCtx`]) in the
/// request's extensions for the layers inside (rate limit, viewer guard) and the handlers. A
/// missing, unknown or revoked token leaves no caller, and routes that need one answer 401
/// through [`Auth`]; only a failing database answers here.
pub async fn authenticate(State(db): State<Db>, mut req: Request, next: Next) -> Response {
    if let Some(token) = bearer(req.headers()) {
        let resolved = resolve(&db.conn(), token);
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

/// Looks a token up by its hash; revoked or unknown → `None`.
pub fn resolve(conn: &Connection, token: &str) -> rusqlite::Result<Option<AuthCtx>> {
    let hash = token_hash(token);
    let row: Option<(Vec<u8>, String, i64, String)> = conn
        .query_row(
            "SELECT t.hash, t.user_id, t.org_id, u.role FROM tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.hash = ?1 AND t.revoked = 0",
            params![&hash[..]],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    Ok(row.and_then(|(stored, user_id, org_id, role)| {
        bool::from(stored.as_slice().ct_eq(&hash[..])).then_some(AuthCtx {
            user_id,
            org_id: org_id as u64,
            token_hash: hash,
            role: role_from_db(&role),
        })
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
