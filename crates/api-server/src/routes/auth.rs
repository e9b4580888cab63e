//! Ours (Spot keeps these private): sign-up, password sign-in, who am I, sign-out, personal
//! API tokens. See `docs/contracts.md`.

use axum::extract::State;
use onramp_core::{
    dto::{Role, Session, WhoAmI, kinds},
    envelope::codes,
    ids::{AccountId, OrganizationId, UserId},
    validate,
};
use rusqlite::{Connection, OptionalExtension, params};

use crate::{
    AppState,
    auth::{self, Auth, AuthCtx},
    db,
    respond::{ApiError, ApiResult, FieldErrors, JsonBody, Reply},
    util,
};

fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn whoami(conn: &Connection, user_id: &str, org_id: u64) -> Result<WhoAmI, ApiError> {
    let (full_name, email, role): (String, String, String) = conn.query_row(
        "SELECT full_name, email, role FROM users WHERE id = ?1",
        params![user_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let org_name = db::organization_name(conn, org_id)?.ok_or_else(ApiError::unauthorized)?;
    let default = db::oldest_account(conn, org_id)?.ok_or_else(ApiError::internal)?;
    let bad = || {
        eprintln!("onramp-api: malformed identifier in the database");
        ApiError::internal()
    };
    Ok(WhoAmI {
        user_id: UserId::parse(user_id).ok_or_else(bad)?,
        full_name,
        email,
        organization_id: OrganizationId::new(org_id).ok_or_else(bad)?,
        organization_name: org_name,
        role: if role == "admin" {
            Role::Admin
        } else {
            Role::Viewer
        },
        default_account_id: AccountId::parse(&default.id).ok_or_else(bad)?,
    })
}

fn session(conn: &Connection, user_id: &str, org_id: u64, kind: &str) -> Result<Session, ApiError> {
    let (token, hash) = auth::new_token();
    auth::store_token(conn, &hash, user_id, org_id, kind)?;
    Ok(Session {
        access_token: token,
        token_type: "Bearer".into(),
        user: whoami(conn, user_id, org_id)?,
    })
}

/// A fresh random id that is not taken yet in `table`.
fn unused_id(
    conn: &Connection,
    table: &str,
    make: impl Fn() -> String,
) -> Result<String, ApiError> {
    for _ in 0..16 {
        let id = make();
        let taken: bool = conn.query_row(
            &format!("SELECT EXISTS(SELECT 1 FROM {table} WHERE id = ?1)"),
            params![id],
            |r| r.get(0),
        )?;
        if !taken {
            return Ok(id);
        }
    }
    Err(ApiError::internal())
}

pub fn new_account_id(conn: &Connection) -> Result<String, ApiError> {
    unused_id(conn, "accounts", || {
        AccountId::from_bits(util::random_u32()).as_str().to_owned()
    })
}

pub fn new_org_id(conn: &Connection) -> Result<u64, ApiError> {
    unused_id(conn, "organizations", || util::random_org_id().to_string())
        .map(|s| s.parse().expect("digits"))
}

pub async fn signup(State(state): State<AppState>, JsonBody(body): JsonBody) -> ApiResult {
    let mut errs = FieldErrors::default();
    let full_name = errs
        .string(&body, &["fullName"])
        .and_then(|v| errs.check("body.fullName", validate::full_name(v)));
    let company = errs
        .string(&body, &["company"])
        .and_then(|v| errs.check("body.company", validate::organization_name(v)));
    let email = errs
        .string(&body, &["email"])
        .and_then(|v| errs.check("body.email", validate::email(v)));
    let country = errs
        .string(&body, &["country"])
        .and_then(|v| errs.check("body.country", validate::country(v)));
    let password = errs.string(&body, &["password"]);
    if let Some(p) = password {
        errs.check("body.password", validate::password(p));
    }
    errs.into_result()?;
    let (Some(full_name), Some(company), Some(email), Some(country), Some(password)) =
        (full_name, company, email, country, password)
    else {
        return Err(ApiError::internal());
    };
    let key = email_key(&email);
    let taken = |conn: &Connection| -> Result<bool, ApiError> {
        Ok(conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM users WHERE email_key = ?1)",
            params![key],
            |r| r.get(0),
        )?)
    };
    let email_taken = || {
        ApiError::with_field(
            409,
            codes::EMAIL_TAKEN,
            "body.email",
            "An account with this email already exists. Sign in instead, or use another email.",
        )
    };
    if taken(&state.db.conn())? {
        return Err(email_taken());
    }
    let fast = state.config.fast_password_hashing;
    let pw = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&pw, fast))
        .await
        .map_err(|_| ApiError::internal())?;

    let mut conn = state.db.conn();
    let tx = conn.transaction()?;
    if taken(&tx)? {
        return Err(email_taken());
    }
    let now = util::now_iso();
    let org_id = new_org_id(&tx)?;
    tx.execute(
        "INSERT INTO organizations (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![org_id as i64, company, now],
    )?;
    let user_id = unused_id(&tx, "users", || {
        UserId::from_bits(util::random_u32()).as_str().to_owned()
    })?;
    tx.execute(
        "INSERT INTO users (id, org_id, full_name, email, email_key, country, password_hash, role, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'admin', ?8)",
        params![user_id, org_id as i64, full_name, email, key, country, hash, now],
    )?;
    tx.execute(
        "INSERT INTO memberships (user_id, org_id, role) VALUES (?1, ?2, 'admin')",
        params![user_id, org_id as i64],
    )?;
    let account_id = new_account_id(&tx)?;
    db::insert_account(&tx, &account_id, org_id, &company, "linked", &now)?;
    let s = session(&tx, &user_id, org_id, "session")?;
    tx.commit()?;
    Ok(Reply::one(kinds::SESSION, s))
}

pub async fn token(State(state): State<AppState>, JsonBody(body): JsonBody) -> ApiResult {
    let mut errs = FieldErrors::default();
    let email = errs.string(&body, &["email"]).map(str::to_owned);
    let password = errs.string(&body, &["password"]).map(str::to_owned);
    errs.into_result()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(ApiError::internal());
    };
    let row: Option<(String, i64, String)> = state
        .db
        .conn()
        .query_row(
            "SELECT id, org_id, password_hash FROM users WHERE email_key = ?1",
            params![email_key(&email)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    // Unknown emails are checked against a dummy hash: both failures cost the same.
    let stored = row.as_ref().map(|r| r.2.clone());
    let (dummy, fast) = (state.dummy_hash.clone(), state.config.fast_password_hashing);
    let ok = tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| {
            dummy
                .get_or_init(|| auth::hash_password("not-a-real-password", fast))
                .clone()
        });
        auth::verify_password(&password, &stored)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    match row {
        Some((user_id, org_id, _)) if ok => {
            let conn = state.db.conn();
            Ok(Reply::one(
                kinds::SESSION,
                session(&conn, &user_id, org_id as u64, "session")?,
            ))
        }
        _ => Err(ApiError::new(
            401,
            codes::BAD_CREDENTIALS,
            "The email or password is wrong.",
        )),
    }
}

pub async fn me(State(state): State<AppState>, Auth(a): Auth) -> ApiResult {
    let conn = state.db.conn();
    Ok(Reply::one(
        kinds::WHOAMI,
        whoami(&conn, &a.user_id, a.org_id)?,
    ))
}

pub async fn signout(State(state): State<AppState>, Auth(a): Auth) -> ApiResult {
    revoke(&state.db.conn(), &a)?;
    Ok(Reply::Ok)
}

fn revoke(conn: &Connection, a: &AuthCtx) -> Result<(), ApiError> {
    conn.execute(
        "UPDATE tokens SET revoked = 1 WHERE hash = ?1",
        params![&a.token_hash[..]],
    )?;
    Ok(())
}

pub async fn personal_token(State(state): State<AppState>, Auth(a): Auth) -> ApiResult {
    let conn = state.db.conn();
    Ok(Reply::one(
        kinds::SESSION,
        session(&conn, &a.user_id, a.org_id, "personal")?,
    ))
}
