//! FinOps registrations: `/cloudBilling/v1/setup/account[/validation]` and
//! `/cbi/v1/setup/account[/validation]`. Validation answers a list of checks computed from what
//! is stored and what was sent; what a local server cannot verify (reading a bucket or a
//! BigQuery table) is reported `skipped`, never `success`.

use axum::extract::State;
use onramp_core::{
    ids::AccountId,
    management::{self, BillingConfig, CbiRequest, CloudBillingRequest},
    validate::{self, FieldError},
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};

use crate::{
    AppState,
    auth::{Auth, AuthCtx},
    body::{FieldErrors, SpotBody, SpotJson},
    db::AccountRow,
    respond::{ApiError, ApiResult, Reply},
    scope, util,
};

pub const KIND_CLOUD_BILLING_ACCOUNT: &str = "spotinst:cloudBilling:account";
pub const KIND_CLOUD_BILLING_VALIDATION: &str = "spotinst:cloudBilling:validation";
pub const KIND_CBI_ACCOUNT: &str = "spotinst:cbi:account";
pub const KIND_CBI_VALIDATION: &str = "spotinst:cbi:validation";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Success,
    Failed,
    Warning,
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub description: String,
    pub status: CheckStatus,
}

fn check(id: &'static str, description: impl Into<String>, status: CheckStatus) -> Check {
    Check {
        id,
        description: description.into(),
        status,
    }
}

impl SpotBody for CloudBillingRequest {
    /// Left out: no prefix (the report sits at the bucket's top).
    const MAY_BE_ABSENT: &'static [&'static str] = &["config.billingSource.pathPrefix"];
}
impl SpotBody for CbiRequest {}

/// The account named by the body field `path` (`account.accountId`), whose shape `errs` has
/// checked: malformed → 400 on that field; unknown or foreign → `Account_DOESNT_EXIST`.
fn account_at(
    conn: &Connection,
    a: &AuthCtx,
    errs: &mut FieldErrors,
    raw: &str,
    path: &str,
) -> Result<AccountRow, ApiError> {
    errs.first(&format!("body.{path}"))?;
    if AccountId::parse(raw).is_none() {
        return Err(ApiError::validation(
            &format!("body.{path}"),
            format!(
                "\"{path}\" must look like act-1a2b3c4d (act- and 8 lowercase hexadecimal digits)."
            ),
        ));
    }
    scope::account_by_id(conn, a, raw)
}

/// The cloud a billing configuration is for, and the configuration normalised; every shape
/// mistake of the body and every invalid field is answered at once.
fn checked_config(
    config: &BillingConfig,
    mut errs: FieldErrors,
) -> Result<(&'static str, Value), ApiError> {
    if let Some(s) = &config.billing_source {
        let fields = [
            ("bucket", validate::s3_bucket_name(&s.bucket)),
            ("region", validate::aws_region(&s.region)),
            ("pathPrefix", validate::s3_path_prefix(&s.path_prefix)),
        ];
        return Ok(("aws", checked_object(errs, "billingSource", fields)?));
    }
    if let Some(g) = &config.google_billing_configuration {
        // The same BigQuery rules as the console (onramp_core::management).
        let fields = [
            ("projectId", validate::gcp_project_id(&g.project_id)),
            ("datasetId", management::bigquery_dataset_id(&g.dataset_id)),
            ("tableId", management::bigquery_table_id(&g.table_id)),
        ];
        return Ok((
            "gcp",
            checked_object(errs, "googleBillingConfiguration", fields)?,
        ));
    }
    errs.first("body.config")?;
    // Named but null: no configuration for that cloud either.
    for name in ["billingSource", "googleBillingConfiguration"] {
        let path = format!("config.{name}");
        if errs.sent_null(&path) {
            return Err(ApiError::validation(
                &format!("body.{path}"),
                format!("\"{path}\" is required"),
            ));
        }
    }
    if errs.unknown_in("config").next().is_none() {
        errs.into_result()?;
        return Ok(("azure", json!({})));
    }
    Err(ApiError::validation(
        "body.config",
        "\"config\" must be {\"billingSource\": ...} for AWS, {\"googleBillingConfiguration\": ...} for GCP or {} for Azure",
    ))
}

/// `config.<name>` normalised from its fields' checks: `{name: {field: value}}`.
fn checked_object(
    mut errs: FieldErrors,
    name: &str,
    fields: [(&str, Result<String, FieldError>); 3],
) -> Result<Value, ApiError> {
    let mut object = serde_json::Map::new();
    for (field, checked) in fields {
        if let Some(v) = errs.check(&format!("body.config.{name}.{field}"), checked) {
            object.insert(field.to_owned(), Value::String(v));
        }
    }
    errs.into_result()?;
    Ok(json!({ name: object }))
}

/// A cloud-billing body checked: its account first (malformed, unknown or foreign), then the
/// configuration.
fn checked_billing(
    conn: &Connection,
    a: &AuthCtx,
    SpotJson(body, mut errs): SpotJson<CloudBillingRequest>,
) -> Result<(AccountRow, &'static str, Value), ApiError> {
    let account = account_at(conn, a, &mut errs, &body.account_id, "accountId")?;
    let (cloud, config) = checked_config(&body.config, errs)?;
    Ok((account, cloud, config))
}

/// The account a CBI body names in `account.accountId`.
fn cbi_account(
    conn: &Connection,
    a: &AuthCtx,
    SpotJson(body, mut errs): SpotJson<CbiRequest>,
) -> Result<AccountRow, ApiError> {
    errs.first("body.account")?;
    let account = account_at(
        conn,
        a,
        &mut errs,
        &body.account.account_id,
        "account.accountId",
    )?;
    errs.into_result()?;
    Ok(account)
}

fn connected_check(account: &AccountRow) -> Check {
    match account.cloud_provider.as_deref() {
        Some(p) => check(
            "credentials",
            format!(
                "Cloud credentials are set for the account ({}).",
                p.to_uppercase()
            ),
            CheckStatus::Success,
        ),
        None => check(
            "credentials",
            "No cloud credentials are set for the account: connect it first.",
            CheckStatus::Failed,
        ),
    }
}

fn access_check(what: &str) -> Check {
    check(
        "dataAccess",
        format!(
            "Reading the {what} was not attempted: this server does not contact cloud providers."
        ),
        CheckStatus::Skipped,
    )
}

fn registration(
    conn: &Connection,
    account_id: &str,
    product: &str,
) -> rusqlite::Result<Option<(String, String)>> {
    conn.query_row(
        "SELECT config, created_at FROM billing_registrations WHERE account_id = ?1 AND product = ?2",
        params![account_id, product],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

fn save_registration(
    conn: &Connection,
    account_id: &str,
    product: &str,
    config: &Value,
) -> Result<String, ApiError> {
    let now = util::now_iso();
    conn.execute(
        "INSERT INTO billing_registrations (account_id, product, config, created_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(account_id, product) DO UPDATE SET config = excluded.config",
        params![account_id, product, config.to_string(), now],
    )?;
    Ok(registration(conn, account_id, product)?
        .map(|(_, created)| created)
        .unwrap_or(now))
}

fn provider_mismatch(account: &AccountRow, cloud: &str) -> Option<String> {
    account
        .cloud_provider
        .as_deref()
        .filter(|p| *p != cloud)
        .map(|p| {
            format!(
                "This is a {} billing configuration but the account is connected to {}.",
                cloud.to_uppercase(),
                p.to_uppercase()
            )
        })
}

pub async fn cloud_billing_register(
    State(state): State<AppState>,
    Auth(a): Auth,
    body: SpotJson<CloudBillingRequest>,
) -> ApiResult {
    let conn = state.db.conn();
    let (account, cloud, config) = checked_billing(&conn, &a, body)?;
    if let Some(msg) = provider_mismatch(&account, cloud) {
        return Err(ApiError::validation("body.config", msg));
    }
    let created_at = save_registration(&conn, &account.id, "cloudBilling", &config)?;
    Ok(Reply::one(
        KIND_CLOUD_BILLING_ACCOUNT,
        json!({"accountId": account.id, "cloudProvider": cloud, "config": config, "createdAt": created_at}),
    ))
}

pub async fn cloud_billing_validate(
    State(state): State<AppState>,
    Auth(a): Auth,
    body: SpotJson<CloudBillingRequest>,
) -> ApiResult {
    let conn = state.db.conn();
    let (account, cloud, _) = checked_billing(&conn, &a, body)?;
    let mut checks = vec![
        check(
            "configuration",
            format!(
                "The billing configuration is well-formed ({}).",
                cloud.to_uppercase()
            ),
            CheckStatus::Success,
        ),
        connected_check(&account),
    ];
    checks.push(
        match (
            account.cloud_provider.as_deref(),
            provider_mismatch(&account, cloud),
        ) {
            (None, _) => check(
                "provider",
                "The account's cloud is not known until it is connected.",
                CheckStatus::Skipped,
            ),
            (Some(_), Some(msg)) => check("provider", msg, CheckStatus::Failed),
            (Some(p), None) => check(
                "provider",
                format!(
                    "The configuration matches the account's cloud ({}).",
                    p.to_uppercase()
                ),
                CheckStatus::Success,
            ),
        },
    );
    checks.push(access_check(match cloud {
        "aws" => "Cost and Usage Report bucket",
        "gcp" => "BigQuery billing export",
        _ => "Azure cost exports",
    }));
    Ok(Reply::many(KIND_CLOUD_BILLING_VALIDATION, checks))
}

pub async fn cbi_register(
    State(state): State<AppState>,
    Auth(a): Auth,
    body: SpotJson<CbiRequest>,
) -> ApiResult {
    let conn = state.db.conn();
    let account = cbi_account(&conn, &a, body)?;
    let created_at = save_registration(&conn, &account.id, "cbi", &json!({}))?;
    Ok(Reply::one(
        KIND_CBI_ACCOUNT,
        json!({"accountId": account.id, "createdAt": created_at}),
    ))
}

pub async fn cbi_validate(
    State(state): State<AppState>,
    Auth(a): Auth,
    body: SpotJson<CbiRequest>,
) -> ApiResult {
    let conn = state.db.conn();
    let account = cbi_account(&conn, &a, body)?;
    let billing = registration(&conn, &account.id, "cloudBilling")?;
    let checks = vec![
        connected_check(&account),
        match billing {
            Some(_) => check(
                "cloudBilling",
                "The account is registered for cloud billing data.",
                CheckStatus::Success,
            ),
            None => check(
                "cloudBilling",
                "The account is not registered for cloud billing data yet; cost insights stay empty until it is.",
                CheckStatus::Warning,
            ),
        },
        access_check("billing data"),
    ];
    Ok(Reply::many(KIND_CBI_VALIDATION, checks))
}
