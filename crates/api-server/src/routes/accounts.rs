//! Organizations and accounts: `/setup/organization`, `/setup/account`.

use axum::{
    extract::{Path, State},
    http::HeaderMap,
};
use onramp_core::{
    dto::{
        Account, CloudProvider, CreatedAccount, NewAccountRequest, NewOrganizationRequest,
        Organization, UpdateAccountRequest, kinds,
    },
    envelope::codes,
    ids::{AccountId, OrganizationId},
    validate,
};
use rusqlite::{OptionalExtension, params};

use crate::{
    AppState,
    auth::Auth,
    body::{Mistake, SpotBody, SpotJson},
    db::{self, AccountRow},
    respond::{ApiError, ApiResult, Params, Reply},
    routes::auth::{new_account_id, new_org_id},
    scope, util,
};

/// Ours: Spot has no public code for this case.
pub const ORGANIZATION_DOESNT_EXIST: &str = "Organization_DOESNT_EXIST";

pub fn provider(s: Option<&str>) -> Option<CloudProvider> {
    match s? {
        "aws" => Some(CloudProvider::Aws),
        "gcp" => Some(CloudProvider::Gcp),
        "azure" => Some(CloudProvider::Azure),
        _ => None,
    }
}

pub fn account_dto(row: &AccountRow) -> Result<Account, ApiError> {
    Ok(Account {
        account_id: AccountId::parse(&row.id).ok_or_else(ApiError::internal)?,
        name: row.name.clone(),
        organization_id: OrganizationId::new(row.org_id).ok_or_else(ApiError::internal)?,
        provider_external_id: row.provider_external_id.clone(),
        cloud_provider: provider(row.cloud_provider.as_deref()),
        created_at: row.created_at.clone(),
    })
}

// Spot's setup bodies name a missing object by its field: `body.account.name`.
impl SpotBody for NewOrganizationRequest {
    const AT_FIELDS: bool = true;
}
impl SpotBody for NewAccountRequest {
    const AT_FIELDS: bool = true;
}
impl SpotBody for UpdateAccountRequest {
    const AT_FIELDS: bool = true;
    fn wording(path: &str, _: &Mistake) -> Option<String> {
        (path == "account.slackNotificationChannels")
            .then(|| format!("\"{path}\" must be a list of channel names"))
    }
}

pub async fn create_organization(
    State(state): State<AppState>,
    Auth(a): Auth,
    SpotJson(body, mut errs): SpotJson<NewOrganizationRequest>,
) -> ApiResult {
    let name = errs.check(
        "body.organization.name",
        validate::organization_name(&body.organization.name),
    );
    let name = errs.finish(name)?;
    let mut conn = state.db.conn();
    let tx = conn.transaction()?;
    at_most(
        &tx,
        "SELECT count(*) FROM memberships WHERE user_id = ?1",
        &a.user_id,
        MAX_ORGANIZATIONS_PER_USER,
        format!(
            "You belong to {MAX_ORGANIZATIONS_PER_USER} organizations, the most one user \
             can. Delete one you no longer need, then create this one."
        ),
    )?;
    let org_id = new_org_id(&tx)?;
    tx.execute(
        "INSERT INTO organizations (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![org_id as i64, name, util::now_iso()],
    )?;
    // The caller administers what it creates; its token stays bound to its own organization.
    tx.execute(
        "INSERT INTO memberships (user_id, org_id, role) VALUES (?1, ?2, 'admin')",
        params![a.user_id, org_id as i64],
    )?;
    tx.commit()?;
    Ok(Reply::one(
        kinds::ORGANIZATION,
        Organization {
            organization_id: OrganizationId::new(org_id).ok_or_else(ApiError::internal)?,
            organization_name: name,
        },
    ))
}

/// Deletes an organization the caller administers (its own included: then everything in it,
/// the caller and its tokens go too). Unknown and foreign ids get the same answer.
pub async fn delete_organization(
    State(state): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult {
    let missing = || {
        ApiError::new(
            400,
            ORGANIZATION_DOESNT_EXIST,
            "Organization doesn't exist or you don't administer it.",
        )
    };
    let org = OrganizationId::parse(&id).ok_or_else(missing)?;
    let conn = state.db.conn();
    let admin: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM memberships WHERE user_id = ?1 AND org_id = ?2 AND role = 'admin')",
        params![a.user_id, org.get() as i64],
        |r| r.get(0),
    )?;
    if !admin {
        return Err(missing());
    }
    conn.execute(
        "DELETE FROM organizations WHERE id = ?1",
        params![org.get() as i64],
    )?;
    Ok(Reply::Ok)
}

/// The optional header that makes `POST /setup/account` safe to repeat (ours; Spot has none).
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Ours: the key already created an account under another name.
pub const IDEMPOTENCY_KEY_REUSED: &str = "IDEMPOTENCY_KEY_REUSED";
pub const LIMIT_REACHED: &str = "LIMIT_REACHED";
/// The most accounts one organization holds (five AWS Organizations of a thousand members
/// each, twice over): enough for any real one, and a bound on what one caller can store.
pub const MAX_ACCOUNTS_PER_ORG: i64 = 10_000;
/// The most organizations one user belongs to (each one created makes its creator a member).
pub const MAX_ORGANIZATIONS_PER_USER: i64 = 100;

/// The request's `Idempotency-Key`: absent, or 1–100 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(raw) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    match raw.to_str() {
        Ok(k) if (1..=100).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(k.to_owned()))
        }
        _ => Err(ApiError::new(
            400,
            codes::VALIDATION,
            "Idempotency-Key must be 1 to 100 visible ASCII characters.",
        )),
    }
}

/// Refuses with 409 `LIMIT_REACHED` and `words` once `count` (of `owner`'s rows) reaches `most`.
fn at_most(
    conn: &rusqlite::Connection,
    count: &str,
    owner: &dyn rusqlite::ToSql,
    most: i64,
    words: String,
) -> Result<(), ApiError> {
    let held: i64 = conn.query_row(count, [owner], |r| r.get(0))?;
    if held >= most {
        return Err(ApiError::new(409, LIMIT_REACHED, words));
    }
    Ok(())
}

pub async fn create_account(
    State(state): State<AppState>,
    Auth(a): Auth,
    headers: HeaderMap,
    SpotJson(body, mut errs): SpotJson<NewAccountRequest>,
) -> ApiResult {
    let name = errs.check(
        "body.account.name",
        validate::account_name(&body.account.name),
    );
    let name = errs.finish(name)?;
    let key = idempotency_key(&headers)?;
    // One connection behind a mutex: the look-up and the inserts below cannot interleave with
    // a repeated request.
    let conn = state.db.conn();
    let organization_id = OrganizationId::new(a.org_id).ok_or_else(ApiError::internal)?;
    // A key whose account has since been deleted is forgotten: its repeat creates one again
    // rather than answering with an account that is gone.
    if let Some(key) = &key {
        conn.execute(
            "DELETE FROM account_create_keys WHERE org_id = ?1 AND key = ?2 \
             AND NOT EXISTS (SELECT 1 FROM accounts WHERE id = account_create_keys.account_id)",
            params![a.org_id as i64, key],
        )?;
    }
    if let Some(key) = &key
        && let Some((id, first_name)) = conn
            .query_row(
                "SELECT account_id, name FROM account_create_keys WHERE org_id = ?1 AND key = ?2",
                params![a.org_id as i64, key],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
    {
        if first_name != name {
            return Err(ApiError::new(
                422,
                IDEMPOTENCY_KEY_REUSED,
                format!(
                    "This Idempotency-Key already created the account \"{first_name}\"; send a new key for another account."
                ),
            ));
        }
        // The same request again: the same answer, nothing new.
        return Ok(Reply::one(
            kinds::ACCOUNT,
            CreatedAccount {
                id: AccountId::parse(&id).ok_or_else(ApiError::internal)?,
                name,
                organization_id,
            },
        ));
    }
    at_most(
        &conn,
        "SELECT count(*) FROM accounts WHERE org_id = ?1",
        &(a.org_id as i64),
        MAX_ACCOUNTS_PER_ORG,
        format!(
            "Your organization has {MAX_ACCOUNTS_PER_ORG} accounts, the most it can hold. \
             Delete accounts you no longer need, then create this one."
        ),
    )?;
    let id = new_account_id(&conn)?;
    let now = util::now_iso();
    db::insert_account(&conn, &id, a.org_id, &name, "linked", &now)?;
    if let Some(key) = &key {
        conn.execute(
            "INSERT INTO account_create_keys (org_id, key, account_id, name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![a.org_id as i64, key, id, name, now],
        )?;
    }
    Ok(Reply::one(
        kinds::ACCOUNT,
        CreatedAccount {
            id: AccountId::parse(&id).ok_or_else(ApiError::internal)?,
            name,
            organization_id,
        },
    ))
}

pub async fn list_accounts(
    State(state): State<AppState>,
    Auth(a): Auth,
    params: Params,
) -> ApiResult {
    let filter = params
        .get("cloudAccountId")
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let rows = db::accounts_of_org(&state.db.conn(), a.org_id, filter)?;
    let items = rows
        .iter()
        .map(account_dto)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::many(kinds::ACCOUNT, items))
}

pub async fn get_account(
    State(state): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult {
    let row = scope::account_by_id(&state.db.conn(), &a, &id)?;
    Ok(Reply::one(kinds::ACCOUNT, account_dto(&row)?))
}

pub async fn update_account(
    State(state): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
    SpotJson(body, mut errs): SpotJson<UpdateAccountRequest>,
) -> ApiResult {
    let conn = state.db.conn();
    let row = scope::account_by_id(&conn, &a, &id)?;
    let name = errs.check(
        "body.account.name",
        validate::account_name(&body.account.name),
    );
    let channels = match &body.account.slack_notification_channels {
        Some(list) => errs
            .check(
                "body.account.slackNotificationChannels",
                validate::slack_channels(list),
            )
            .map(Some),
        None => Some(None),
    };
    let (name, channels) = errs.finish(name.zip(channels))?;
    let channels = match channels {
        Some(list) => Some(serde_json::to_string(&list).map_err(|_| ApiError::internal())?),
        None => None,
    };
    conn.execute(
        "UPDATE accounts SET name = ?1, slack_channels = COALESCE(?2, slack_channels) WHERE id = ?3",
        params![name, channels, row.id],
    )?;
    Ok(Reply::Ok)
}

pub async fn delete_account(
    State(state): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<String>,
) -> ApiResult {
    let conn = state.db.conn();
    let row = scope::account_by_id(&conn, &a, &id)?;
    let oldest = db::oldest_account(&conn, a.org_id)?;
    if oldest.is_some_and(|o| o.id == row.id) {
        return Err(ApiError::new(
            400,
            codes::DEFAULT_ACCOUNT,
            "This is the organization's default (oldest) account; it cannot be deleted.",
        ));
    }
    conn.execute("DELETE FROM accounts WHERE id = ?1", params![row.id])?;
    Ok(Reply::Ok)
}
