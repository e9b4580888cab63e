//! Azure: service-principal credentials (`/azure/setup/credentials[/validation]`), flat bodies.

use axum::extract::State;
use onramp_core::{
    dto::{AzureCredentials, kinds},
    validate,
};
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::{
    AppState,
    auth::Auth,
    respond::{ApiError, ApiResult, FieldErrors, JsonBody, Params, Reply},
    scope,
    secrets::AZURE_CLIENT_SECRET,
    util,
};

/// Masks a secret for display: its first three characters, then `****`.
pub fn mask(secret: &str) -> String {
    let head: String = secret.chars().take(3).collect();
    format!("{head}****")
}

/// Checks the flat body; `with_expiration` for the set call (validation has no date).
fn checked(body: &Value, with_expiration: bool) -> Result<AzureCredentials, ApiError> {
    let mut errs = FieldErrors::default();
    let client_id = errs.string(body, &["clientId"]).and_then(|v| {
        errs.check(
            "body.clientId",
            validate::azure_guid(v, "Application (client) ID"),
        )
    });
    let client_secret = errs
        .string(body, &["clientSecret"])
        .and_then(|v| errs.check("body.clientSecret", validate::azure_client_secret(v)));
    let tenant_id = errs.string(body, &["tenantId"]).and_then(|v| {
        errs.check(
            "body.tenantId",
            validate::azure_guid(v, "Directory (tenant) ID"),
        )
    });
    let subscription_id = errs.string(body, &["subscriptionId"]).and_then(|v| {
        errs.check(
            "body.subscriptionId",
            validate::azure_guid(v, "Subscription ID"),
        )
    });
    let expiration_date = if with_expiration {
        let today = time::OffsetDateTime::now_utc().date().to_string();
        errs.string(body, &["expirationDate"]).and_then(|v| {
            errs.check(
                "body.expirationDate",
                validate::secret_expiration(v, &today),
            )
        })
    } else {
        None
    };
    errs.into_result()?;
    match (client_id, client_secret, tenant_id, subscription_id) {
        (Some(client_id), Some(client_secret), Some(tenant_id), Some(subscription_id)) => {
            Ok(AzureCredentials {
                client_id,
                client_secret,
                tenant_id,
                subscription_id,
                expiration_date,
            })
        }
        _ => Err(ApiError::internal()),
    }
}

pub async fn validate_credentials(
    State(state): State<AppState>,
    Auth(a): Auth,
    params: Params,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let conn = state.db.conn();
    let account = scope::account_from_query(&conn, &a, &params)?;
    checked(&body, false)?;
    scope::ensure_provider(&account, "azure")?;
    Ok(Reply::Ok)
}

pub async fn set_credentials(
    State(state): State<AppState>,
    Auth(a): Auth,
    params: Params,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let conn = state.db.conn();
    let account = scope::account_from_query(&conn, &a, &params)?;
    let c = checked(&body, true)?;
    scope::ensure_provider(&account, "azure")?;
    let client_secret = state
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

pub async fn get_credentials(
    State(state): State<AppState>,
    Auth(a): Auth,
    params: Params,
) -> ApiResult {
    let conn = state.db.conn();
    let account = scope::account_from_query(&conn, &a, &params)?;
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
            let secret = state
                .secrets
                .open(AZURE_CLIENT_SECRET, &account.id, &c.client_secret)?;
            c.client_secret = mask(&secret);
            Some(c)
        }
        None => None,
    };
    Ok(Reply::many(kinds::AZURE_CREDENTIALS, row))
}
