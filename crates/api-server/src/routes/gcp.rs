//! GCP: service-account key credentials (`/gcp/setup/credentials[/validation]`).

use onramp_core::{
    dto::{GcpKeyFileRequest, GcpServiceAccount, kinds},
    envelope::codes,
    validate,
};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::{
    body::{FieldErrors, SpotBody, SpotJson},
    respond::{ApiError, ApiResult, Reply},
    scope::{self, InAccount},
    secrets::GCP_SERVICE_ACCOUNT,
    util,
};

impl SpotBody for GcpKeyFileRequest {}

/// Checks `body.serviceAccount` with core's key-file rule (the same bytes a user would drop
/// in the console) and returns it parsed.
fn checked_key(body: &GcpKeyFileRequest, errs: FieldErrors) -> Result<GcpServiceAccount, ApiError> {
    errs.into_result()?;
    let bytes = serde_json::to_vec(&body.service_account).map_err(|_| ApiError::internal())?;
    let key = validate::gcp_key_file(&bytes)
        .map_err(|e| ApiError::field_error("body.serviceAccount", e))?;
    Ok(key.to_service_account())
}

pub async fn validate_credentials(
    at: InAccount,
    SpotJson(body, errs): SpotJson<GcpKeyFileRequest>,
) -> ApiResult {
    let (_conn, account) = at.open()?;
    checked_key(&body, errs)?;
    scope::ensure_provider(&account, "gcp")?;
    Ok(Reply::Ok)
}

pub async fn set_credentials(
    at: InAccount,
    SpotJson(body, errs): SpotJson<GcpKeyFileRequest>,
) -> ApiResult {
    let (conn, account) = at.open()?;
    let key = checked_key(&body, errs)?;
    scope::ensure_provider(&account, "gcp")?;
    let stored = serde_json::to_string(&key).map_err(|_| ApiError::internal())?;
    let stored = at
        .state
        .secrets
        .seal(GCP_SERVICE_ACCOUNT, &account.id, &stored);
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO gcp_credentials (account_id, service_account, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT(account_id) DO UPDATE SET service_account = excluded.service_account, \
         updated_at = excluded.updated_at",
        params![account.id, stored, util::now_iso()],
    )?;
    scope::mark_connected(&tx, &account.id, "gcp", &key.project_id)?;
    tx.commit()?;
    Ok(Reply::Ok)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GcpCredentialsView {
    service_account: GcpServiceAccount,
}

pub async fn get_credentials(at: InAccount) -> ApiResult {
    let (conn, account) = at.open()?;
    let stored: Option<String> = conn
        .query_row(
            "SELECT service_account FROM gcp_credentials WHERE account_id = ?1",
            params![account.id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(stored) = stored else {
        return Err(ApiError::new(
            400,
            codes::SERVICE_ACCOUNT_DOESNT_EXIST,
            "No GCP service account is set for this account.",
        ));
    };
    let stored = at
        .state
        .secrets
        .open(GCP_SERVICE_ACCOUNT, &account.id, &stored)?;
    let mut sa: GcpServiceAccount =
        serde_json::from_str(&stored).map_err(|_| ApiError::internal())?;
    sa.private_key = None;
    Ok(Reply::one(
        kinds::GCP_CREDENTIALS,
        GcpCredentialsView {
            service_account: sa,
        },
    ))
}
