//! Azure: service-principal credentials (`/azure/setup/credentials[/validation]`), flat bodies.

use onramp_core::{
    dto::{AzureCredentials, kinds},
    envelope::codes,
    validate,
};
use rusqlite::{OptionalExtension, params};

use crate::{
    body::{FieldErrors, SpotBody, SpotJson},
    respond::{ApiError, ApiResult, Reply},
    scope::{self, InAccount},
    secrets::AZURE_CLIENT_SECRET,
    util,
};

/// Masks a secret for display: its first three characters, then `****`.
pub fn mask(secret: &str) -> String {
    let head: String = secret.chars().take(3).collect();
    format!("{head}****")
}

impl SpotBody for AzureCredentials {}

/// A service principal: the fields the credential calls and the billing registration share.
pub struct Principal {
    pub client_id: String,
    pub tenant_id: String,
    pub client_secret: String,
}

/// `body.clientId`, `body.tenantId` and `body.clientSecret` checked with core's rules.
pub fn checked_principal(
    errs: &mut FieldErrors,
    client_id: &str,
    tenant_id: &str,
    client_secret: &str,
) -> Option<Principal> {
    let guid = validate::azure_guid;
    let client_id = errs.check("body.clientId", guid(client_id, "Application (client) ID"));
    let tenant_id = errs.check("body.tenantId", guid(tenant_id, "Directory (tenant) ID"));
    let client_secret = errs.check(
        "body.clientSecret",
        validate::azure_client_secret(client_secret),
    );
    Some(Principal {
        client_id: client_id?,
        tenant_id: tenant_id?,
        client_secret: client_secret?,
    })
}

/// `body.expirationDate` (the client secret's) checked against today, UTC.
pub fn checked_expiration(errs: &mut FieldErrors, date: &str) -> Option<String> {
    let today = time::OffsetDateTime::now_utc().date().to_string();
    errs.check(
        "body.expirationDate",
        validate::secret_expiration(date, &today),
    )
}

/// Checks the flat body with core's rules, every field at once; `with_expiration` for the set
/// call (validation has no date).
fn checked(
    SpotJson(c, mut errs): SpotJson<AzureCredentials>,
    with_expiration: bool,
) -> Result<AzureCredentials, ApiError> {
    let principal = checked_principal(&mut errs, &c.client_id, &c.tenant_id, &c.client_secret);
    let subscription_id = errs.check(
        "body.subscriptionId",
        validate::azure_guid(&c.subscription_id, "Subscription ID"),
    );
    let expiration_date = if with_expiration {
        errs.required("body.expirationDate", c.expiration_date.as_ref())
            .and_then(|date| checked_expiration(&mut errs, date))
    } else {
        None
    };
    let (p, subscription_id) = errs.finish(principal.zip(subscription_id))?;
    Ok(AzureCredentials {
        client_id: p.client_id,
        client_secret: p.client_secret,
        tenant_id: p.tenant_id,
        subscription_id,
        expiration_date,
    })
}

/// Azure refuses a service principal with no role on the subscription. The local server cannot
/// ask Azure; the test knob `azureRoleMissing` says which subscriptions stand for that case.
fn ensure_role_assigned(at: &InAccount, c: &AzureCredentials) -> Result<(), ApiError> {
    if !at.state.faults.azure_role_missing(&c.subscription_id) {
        return Ok(());
    }
    Err(ApiError::with_field(
        400,
        codes::AZURE_ROLE_NOT_ASSIGNED,
        "body.subscriptionId",
        format!(
            "Azure refused the app registration {}: it has no role on subscription {}. Assign \
             it Spot's role on that subscription, wait a few minutes for Azure to apply the \
             assignment, then try again.",
            c.client_id, c.subscription_id
        ),
    ))
}

pub async fn validate_credentials(at: InAccount, body: SpotJson<AzureCredentials>) -> ApiResult {
    let (_conn, account) = at.open()?;
    let c = checked(body, false)?;
    scope::ensure_provider(&account, "azure")?;
    ensure_role_assigned(&at, &c)?;
    Ok(Reply::Ok)
}

pub async fn set_credentials(at: InAccount, body: SpotJson<AzureCredentials>) -> ApiResult {
    let (conn, account) = at.open()?;
    let c = checked(body, true)?;
    scope::ensure_provider(&account, "azure")?;
    ensure_role_assigned(&at, &c)?;
    let client_secret = at
        .state
        .secrets
        .seal(AZURE_CLIENT_SECRET, &account.id, &c.client_secret);
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO azure_credentials (account_id, client_id, client_secret, tenant_id, \
         subscription_id, expiration_date, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT(account_id) DO UPDATE SET client_id = excluded.client_id, \
         client_secret = excluded.client_secret, tenant_id = excluded.tenant_id, \
         subscription_id = excluded.subscription_id, expiration_date = excluded.expiration_date, \
         updated_at = excluded.updated_at",
        params![
            account.id,
            c.client_id,
            client_secret,
            c.tenant_id,
            c.subscription_id,
            c.expiration_date,
            util::now_iso()
        ],
    )?;
    scope::mark_connected(&tx, &account.id, "azure", &c.subscription_id)?;
    tx.commit()?;
    Ok(Reply::Ok)
}

pub async fn get_credentials(at: InAccount) -> ApiResult {
    let (conn, account) = at.open()?;
    let row = conn
        .query_row(
            "SELECT client_id, client_secret, tenant_id, subscription_id, expiration_date \
             FROM azure_credentials WHERE account_id = ?1",
            params![account.id],
            |r| {
                Ok(AzureCredentials {
                    client_id: r.get(0)?,
                    client_secret: r.get(1)?,
                    tenant_id: r.get(2)?,
                    subscription_id: r.get(3)?,
                    expiration_date: r.get(4)?,
                })
            },
        )
        .optional()?;
    let row = match row {
        Some(mut c) => {
            let secret =
                at.state
                    .secrets
                    .open(AZURE_CLIENT_SECRET, &account.id, &c.client_secret)?;
            c.client_secret = mask(&secret);
            Some(c)
        }
        None => None,
    };
    Ok(Reply::many(kinds::AZURE_CREDENTIALS, row))
}
