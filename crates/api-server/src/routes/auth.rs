//! Ours (Spot keeps these private): sign-up, password sign-in, who am I, sign-out (here or
//! everywhere), changing the password, the legacy personal API token route (the token routes
//! proper are in `tokens`). See `docs/contracts.md`.

use axum::{Extension, extract::State};
use onramp_core::{
    dto::{PasswordChange, PasswordGrant, Role, Session, SignupRequest, WhoAmI, kinds},
    envelope::codes,
    ids::{AccountId, OrganizationId, UserId},
    validate,
};
use rusqlite::{Connection, OptionalExtension, params};

use crate::{
    AppState,
    auth::{self, Auth, AuthCtx},
    body::{FieldErrors, SpotBody, SpotJson},
    client_ip::ClientIp,
    db,
    respond::{ApiError, ApiResult, Reply},
    routes::tokens,
    throttle, util,
};

/// A signed-in user's password, asked again before something sensitive, was wrong: 400 on the
/// password field (not a 401: the session stays valid and the console shows it at the field).
pub const WRONG_PASSWORD: &str = "WRONG_PASSWORD";

/// How emails are compared (users.email_key, invitations.email_key): trimmed, lowercased.
pub fn email_key(email: &str) -> String {
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

pub fn session(
    conn: &Connection,
    user_id: &str,
    org_id: u64,
    kind: &str,
) -> Result<Session, ApiError> {
    let (token, hash) = auth::new_token();
    auth::store_token(conn, &hash, user_id, org_id, kind)?;
    Ok(Session {
        access_token: token,
        token_type: "Bearer".into(),
        user: whoami(conn, user_id, org_id)?,
    })
}

/// A fresh random id that is not taken yet in `table`.
pub fn unused_id(
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

/// `body.password` checked with core's rule; the raw password (never trimmed) if valid. Sign-up
/// and accepting an invitation share it, with core's rules for the person's other fields, so
/// both routes give the same messages.
pub fn checked_password<'a>(errs: &mut FieldErrors, password: &'a str) -> Option<&'a str> {
    errs.check("body.password", validate::password(password))
        .map(|()| password)
}

/// argon2 through the bounded hash queue (it takes a noticeable moment on purpose).
pub async fn hash_password(state: &AppState, password: &str) -> Result<String, ApiError> {
    let fast = state.config.fast_password_hashing;
    let pw = password.to_owned();
    state
        .hashing
        .run(move || auth::hash_password(&pw, fast))
        .await
}

/// A new user of `org_id` (and its membership), inside the caller's transaction. Sign-up makes
/// admins; an accepted invitation makes the invited role.
pub struct NewUser<'a> {
    pub org_id: u64,
    pub full_name: &'a str,
    pub email: &'a str,
    pub country: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub now: &'a str,
}

pub fn insert_user(conn: &Connection, u: &NewUser<'_>) -> Result<String, ApiError> {
    let role = match u.role {
        Role::Admin => "admin",
        Role::Viewer => "viewer",
    };
    let user_id = unused_id(conn, "users", || {
        UserId::from_bits(util::random_u32()).as_str().to_owned()
    })?;
    conn.execute(
        "INSERT INTO users (id, org_id, full_name, email, email_key, country, password_hash, role, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            user_id,
            u.org_id as i64,
            u.full_name,
            u.email,
            email_key(u.email),
            u.country,
            u.password_hash,
            role,
            u.now
        ],
    )?;
    conn.execute(
        "INSERT INTO memberships (user_id, org_id, role) VALUES (?1, ?2, ?3)",
        params![user_id, u.org_id as i64, role],
    )?;
    Ok(user_id)
}

impl SpotBody for SignupRequest {}
impl SpotBody for PasswordGrant {}

pub async fn signup(
    State(state): State<AppState>,
    SpotJson(body, mut errs): SpotJson<SignupRequest>,
) -> ApiResult {
    let full_name = errs.check("body.fullName", validate::full_name(&body.full_name));
    let company = errs.check("body.company", validate::organization_name(&body.company));
    let email = errs.check("body.email", validate::email(&body.email));
    let country = errs.check("body.country", validate::country(&body.country));
    let password = checked_password(&mut errs, &body.password);
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
    let hash = hash_password(&state, password).await?;

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
    let user_id = insert_user(
        &tx,
        &NewUser {
            org_id,
            full_name: &full_name,
            email: &email,
            country: &country,
            password_hash: &hash,
            role: Role::Admin,
            now: &now,
        },
    )?;
    let account_id = new_account_id(&tx)?;
    db::insert_account(&tx, &account_id, org_id, &company, "linked", &now)?;
    let s = session(&tx, &user_id, org_id, "session")?;
    tx.commit()?;
    Ok(Reply::one(kinds::SESSION, s))
}

pub async fn token(
    State(state): State<AppState>,
    SpotJson(body, mut errs): SpotJson<PasswordGrant>,
) -> ApiResult {
    if throttle::email_too_long(&body.email) {
        // No account can have it (sign-up refuses it): sign-up's 400 and wording, which
        // `validate::email` gives for any email over the limit.
        errs.check("body.email", validate::email(&body.email));
    }
    errs.into_result()?;
    let PasswordGrant { email, password } = body;
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
    let ok = state
        .hashing
        .run(move || {
            let stored = stored.unwrap_or_else(|| {
                dummy
                    .get_or_init(|| auth::hash_password("not-a-real-password", fast))
                    .clone()
            });
            auth::verify_password(&password, &stored)
        })
        .await?;
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

/// Body of `POST /auth/tokens`.
#[derive(Debug, serde::Deserialize)]
pub struct PersonalTokenRequest {
    #[serde(default)]
    password: String,
}
impl SpotBody for PersonalTokenRequest {}

/// `POST /auth/tokens` (the older way to make a token for the API-token sign-in): a personal API
/// token named "API token" with the default lifetime, answered as a [`Session`]. Like
/// `POST /onramp/tokens` it asks for the caller's password again: a session alone (a token
/// copied from a browser) cannot give itself a long-lived token.
pub async fn personal_token(
    State(state): State<AppState>,
    Auth(a): Auth,
    Extension(client): Extension<ClientIp>,
    SpotJson(body, mut errs): SpotJson<PersonalTokenRequest>,
) -> ApiResult {
    password_given(
        &mut errs,
        &body.password,
        "Enter your password to create a token.",
    );
    errs.into_result()?;
    let checked = recheck_password(&state, &a, client, &body.password, "body.password").await?;
    let conn = state.db.conn();
    still_checked(&conn, &a, &checked)?;
    let (_, token) = tokens::issue(
        &conn,
        &a,
        tokens::LEGACY_NAME,
        onramp_core::validate::TOKEN_DAYS_DEFAULT,
    )?;
    Ok(Reply::one(
        kinds::SESSION,
        Session {
            access_token: token,
            token_type: "Bearer".into(),
            user: whoami(&conn, &a.user_id, a.org_id)?,
        },
    ))
}

/// A password asked for again (`body.password`) must not be empty: `missing` says so at the field.
pub fn password_given(errs: &mut FieldErrors, password: &str, missing: &str) {
    if password.is_empty() {
        errs.check::<()>(
            "body.password",
            Err(onramp_core::validate::FieldError::new(missing)),
        );
    }
}

/// Checks the signed-in caller's `password` again (creating an API token, changing the
/// password). It goes through the hash queue and counts in the login throttle like a sign-in
/// with the caller's email from this client: a wrong one is a failure there, and a throttled
/// client gets the throttle's 429 without a check. Wrong: 400 [`WRONG_PASSWORD`] on `field`.
/// Right: the stored hash it was checked against, for [`still_checked`].
pub async fn recheck_password(
    state: &AppState,
    a: &AuthCtx,
    client: ClientIp,
    password: &str,
    field: &str,
) -> Result<String, ApiError> {
    let (email, stored): (String, String) = state.db.conn().query_row(
        "SELECT email, password_hash FROM users WHERE id = ?1",
        params![a.user_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let ip = throttle::ip_key(client.0);
    let key = throttle::email_key(&email, &ip);
    let attempt = state
        .throttle
        .reserve(&[ip.as_str(), key.as_str()], std::time::Instant::now())
        .map_err(|(_, reset)| throttle::throttled_error(reset))?;
    let pw = password.to_owned();
    let against = stored.clone();
    let ok = state
        .hashing
        .run(move || auth::verify_password(&pw, &against))
        .await?;
    if ok {
        state.throttle.clear(&key);
        return Ok(stored);
    }
    if let Some(attempt) = attempt {
        attempt.failed(std::time::Instant::now());
    }
    Err(ApiError::with_field(
        400,
        WRONG_PASSWORD,
        field,
        "This is not your current password. Try again.",
    ))
}

/// After the password check's wait, the caller must still be as checked: a Sign out everywhere,
/// a password change or a demotion meanwhile revoked the token that asked, or changed the
/// password it was checked against (401, as for any revoked token); what follows would outlive
/// that. Call it on the connection the write then uses: nothing comes between the two.
pub fn still_checked(conn: &Connection, a: &AuthCtx, checked_hash: &str) -> Result<(), ApiError> {
    let valid: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.hash = ?1 AND t.revoked = 0 AND u.id = ?2 AND u.password_hash = ?3)",
        params![&a.token_hash[..], a.user_id, checked_hash],
        |r| r.get(0),
    )?;
    if valid {
        Ok(())
    } else {
        Err(ApiError::unauthorized())
    }
}

/// `POST /auth/signout-everywhere`: every session and API token of the caller stops working,
/// the one that sent this included.
pub async fn signout_everywhere(State(state): State<AppState>, Auth(a): Auth) -> ApiResult {
    auth::revoke_all(&state.db.conn(), &a.user_id, None)?;
    Ok(Reply::Ok)
}

impl SpotBody for PasswordChange {}

/// `POST /auth/password` body `{currentPassword, newPassword}`: sets the new password (sign-up's
/// rules) and revokes every other session and API token of the caller; the token that sent
/// this stays valid.
pub async fn change_password(
    State(state): State<AppState>,
    Auth(a): Auth,
    Extension(client): Extension<ClientIp>,
    SpotJson(body, mut errs): SpotJson<PasswordChange>,
) -> ApiResult {
    // Core's rules, the ones the console's form runs.
    errs.check(
        "body.currentPassword",
        validate::current_password(&body.current_password),
    );
    errs.check(
        "body.newPassword",
        validate::new_password(&body.current_password, &body.new_password),
    );
    errs.into_result()?;
    let checked = recheck_password(
        &state,
        &a,
        client,
        &body.current_password,
        "body.currentPassword",
    )
    .await?;
    let hash = hash_password(&state, &body.new_password).await?;
    let mut conn = state.db.conn();
    let tx = conn.transaction()?;
    still_checked(&tx, &a, &checked)?;
    tx.execute(
        "UPDATE users SET password_hash = ?1 WHERE id = ?2",
        params![hash, a.user_id],
    )?;
    auth::revoke_all(&tx, &a.user_id, Some(&a.token_hash))?;
    tx.commit()?;
    Ok(Reply::Ok)
}
