//! The organization's management account (ours: Spot keeps Eco / Cloud Analyzer registration
//! private; documented in `docs/contracts.md`). One per organization: an AWS management account
//! (CUR bucket + one read-only role per product) or an Azure billing account (service principal
//! + agreement). Rules come from `onramp_core::management` and `onramp_core::validate`.

use axum::extract::State;
use onramp_core::{
    envelope::codes,
    management::{
        self, AwsManagement, AwsManagementRequest, AzureBilling, AzureBillingRequest, KIND,
        MANAGEMENT_DOESNT_EXIST, ManagementAccount, ManagementProduct, RoleArns,
    },
    validate::{self, RoleArn},
};
use rusqlite::{Connection, OptionalExtension, params};

use crate::{
    AppState,
    auth::{Auth, AuthCtx},
    body::{Kind, Mistake, SpotBody, SpotJson},
    db::AccountRow,
    respond::{ApiError, ApiResult, Reply},
    routes::aws::{Generated, generated_external_id},
    routes::azure::{Principal, checked_expiration, checked_principal, mask},
    scope,
    secrets::{MANAGEMENT_CLIENT_SECRET, Secrets},
    util,
};

/// A stored registration.
struct Stored {
    account_id: String,
    account_name: String,
    cloud_provider: String,
    provider_external_id: Option<String>,
    config: String,
    external_id: Option<String>,
    client_secret: Option<String>,
    created_at: String,
    updated_at: String,
}

fn stored(conn: &Connection, org_id: u64) -> Result<Option<Stored>, ApiError> {
    Ok(conn
        .query_row(
            "SELECT m.account_id, a.name, m.cloud_provider, a.provider_external_id, m.config, \
             m.external_id, m.client_secret, m.created_at, m.updated_at \
             FROM management_accounts m JOIN accounts a ON a.id = m.account_id \
             WHERE m.org_id = ?1 AND a.org_id = ?1",
            params![org_id as i64],
            |r| {
                Ok(Stored {
                    account_id: r.get(0)?,
                    account_name: r.get(1)?,
                    cloud_provider: r.get(2)?,
                    provider_external_id: r.get(3)?,
                    config: r.get(4)?,
                    external_id: r.get(5)?,
                    client_secret: r.get(6)?,
                    created_at: r.get(7)?,
                    updated_at: r.get(8)?,
                })
            },
        )
        .optional()?)
}

/// The answer's item: never the secret (masked) nor the external ID.
fn view(s: &Stored, secrets: &Secrets) -> Result<ManagementAccount, ApiError> {
    let bad = |e: serde_json::Error| {
        eprintln!("onramp-api: unreadable management config: {e}");
        ApiError::internal()
    };
    let (aws, azure) = match s.cloud_provider.as_str() {
        "aws" => (
            Some(serde_json::from_str::<AwsManagement>(&s.config).map_err(bad)?),
            None,
        ),
        _ => {
            let mut billing = serde_json::from_str::<AzureBilling>(&s.config).map_err(bad)?;
            let secret = match s.client_secret.as_deref() {
                Some(sealed) => secrets.open(MANAGEMENT_CLIENT_SECRET, &s.account_id, sealed)?,
                None => String::new(),
            };
            billing.client_secret = mask(&secret);
            (None, Some(billing))
        }
    };
    Ok(ManagementAccount {
        account_id: s.account_id.clone(),
        account_name: s.account_name.clone(),
        cloud_provider: s.cloud_provider.clone(),
        provider_external_id: s.provider_external_id.clone().unwrap_or_default(),
        aws,
        azure,
        created_at: s.created_at.clone(),
        updated_at: s.updated_at.clone(),
    })
}

fn provider_name(p: &str) -> &'static str {
    match p {
        "aws" => "AWS",
        "gcp" => "Google Cloud",
        "azure" => "Azure",
        _ => "another cloud",
    }
}

/// One management account per organization: another account, or another cloud on the same
/// account, is refused with 409 naming the existing one. The same account and cloud again is
/// an update (a retry, a rotated secret).
fn ensure_slot(
    existing: Option<&Stored>,
    account: &AccountRow,
    cloud: &str,
) -> Result<(), ApiError> {
    match existing {
        Some(s) if s.account_id != account.id || s.cloud_provider != cloud => {
            let what = match s.cloud_provider.as_str() {
                "aws" => format!(
                    "AWS account {}",
                    s.provider_external_id.as_deref().unwrap_or("?")
                ),
                _ => format!(
                    "Azure billing account {}",
                    s.provider_external_id.as_deref().unwrap_or("?")
                ),
            };
            Err(ApiError::new(
                409,
                codes::MANAGEMENT_EXISTS,
                format!(
                    "This organization already has a management account: “{}” ({}, {what}). An organization has only one; remove it first to register another.",
                    s.account_name, s.account_id
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// The account may not be connected to another cloud.
fn ensure_cloud(account: &AccountRow, cloud: &str) -> Result<(), ApiError> {
    match account.cloud_provider.as_deref() {
        Some(p) if p != cloud => Err(ApiError::validation(
            "body.accountId",
            format!(
                "This account is already connected to {}. Create a new account for the {} management account.",
                provider_name(p),
                provider_name(cloud)
            ),
        )),
        _ => Ok(()),
    }
}

fn caller_account(conn: &Connection, a: &AuthCtx, raw: &str) -> Result<AccountRow, ApiError> {
    scope::account_by_id(conn, a, raw.trim())
}

// ---- AWS -----------------------------------------------------------------------------------

impl SpotBody for AwsManagementRequest {
    /// Left out: no role yet (each selected product then asks for its own).
    const MAY_BE_ABSENT: &'static [&'static str] = &["roleArns"];
    fn wording(path: &str, mistake: &Mistake) -> Option<String> {
        let list = matches!(
            mistake,
            Mistake::WrongType {
                expected: Kind::List,
                ..
            }
        );
        let object = matches!(
            mistake,
            Mistake::WrongType {
                expected: Kind::Object,
                ..
            }
        );
        match (path, mistake) {
            (_, Mistake::Missing) => None,
            ("environment", Mistake::NotOneOf { .. }) => Some(
                "\"environment\" must be commercial, govcloud or china (the partition of the management account).".into(),
            ),
            ("products", _) if list => {
                Some("\"products\" must be a list, like [\"costAnalysis\"]".into())
            }
            ("products", Mistake::WrongType { found, .. } | Mistake::NotOneOf { found, .. }) => {
                Some(format!(
                    "{found} is not a product: use \"costAnalysis\" and/or \"computeOptimization\"."
                ))
            }
            ("roleArns", _) if object => Some(
                "\"roleArns\" must be an object, like {\"costAnalysis\": \"arn:aws:iam::123456789012:role/...\"}".into(),
            ),
            _ => None,
        }
    }
}

/// The external ID the roles trust: a fresh one generated for the account, else (an update)
/// the one already registered.
fn external_id_for(
    conn: &Connection,
    account: &AccountRow,
    existing: Option<&Stored>,
) -> Result<String, ApiError> {
    let generated = generated_external_id(conn, &account.id)?;
    if let Generated::Valid(id) = generated {
        return Ok(id);
    }
    if let Some(id) = existing
        .filter(|s| s.account_id == account.id)
        .and_then(|s| s.external_id.clone())
    {
        return Ok(id);
    }
    Err(ApiError::validation(
        "body.accountId",
        if matches!(generated, Generated::Expired(_)) {
            "The external ID generated for this account has expired. Generate a new one \
             (POST /setup/credentials/aws/externalId?accountId=…), update the stack's ExternalId \
             parameter, then retry."
        } else {
            "No external ID was generated for this account. Generate one \
             (POST /setup/credentials/aws/externalId?accountId=…) and pass it to the template's \
             ExternalId parameter."
        },
    ))
}

pub async fn register_aws(
    State(state): State<AppState>,
    Auth(a): Auth,
    SpotJson(body, mut errs): SpotJson<AwsManagementRequest>,
) -> ApiResult {
    for key in errs
        .unknown_in("roleArns")
        .map(str::to_owned)
        .collect::<Vec<_>>()
    {
        errs.push(ApiError::validation(
            &format!("body.roleArns.{key}"),
            format!(
                "\"{key}\" is not a product: the keys are costAnalysis and computeOptimization."
            ),
        ));
    }
    let bucket = errs.check(
        "body.bucketName",
        validate::s3_bucket_name(&body.bucket_name),
    );
    let products = errs.check("body.products", management::check_products(&body.products));
    let mut roles: Vec<(ManagementProduct, RoleArn)> = Vec::new();
    if !errs.has("body.environment") && products.is_some() && !errs.has_in("body.roleArns") {
        match management::check_role_arns(body.environment, &body.products, &body.role_arns) {
            Ok(ok) => roles = ok,
            Err(list) => {
                for (p, e) in list {
                    errs.push(ApiError::field_error(
                        &format!("body.roleArns.{}", p.as_str()),
                        e,
                    ));
                }
            }
        }
    }
    let (bucket, products) = errs.finish(bucket.zip(products))?;
    let (raw_account, env) = (&body.account_id, body.environment);
    let aws_account = roles
        .first()
        .map(|(_, r)| r.account_id.clone())
        .ok_or_else(ApiError::internal)?;

    let conn = state.db.conn();
    let account = caller_account(&conn, &a, raw_account)?;
    let existing = stored(&conn, a.org_id)?;
    ensure_slot(existing.as_ref(), &account, "aws")?;
    ensure_cloud(&account, "aws")?;
    if account.cloud_provider.as_deref() == Some("aws")
        && let Some(connected) = account.provider_external_id.as_deref()
        && connected != aws_account
    {
        return Err(ApiError::validation(
            "body.accountId",
            format!(
                "This account is connected to AWS account {connected}, but the roles are in {aws_account}. Use the account connected to {aws_account}, or a new account."
            ),
        ));
    }
    let external_id = external_id_for(&conn, &account, existing.as_ref())?;

    let mut role_arns = RoleArns::default();
    for (p, r) in &roles {
        role_arns.set(*p, Some(r.to_string()));
    }
    let config = AwsManagement {
        environment: env,
        bucket_name: bucket,
        products,
        role_arns,
    };
    save(
        &conn,
        &a,
        &account,
        "aws",
        &aws_account,
        &serde_json::to_string(&config).map_err(|_| ApiError::internal())?,
        Some(&external_id),
        None,
    )?;
    answer(&conn, &state.secrets, a.org_id)
}

// ---- Azure ---------------------------------------------------------------------------------

impl SpotBody for AzureBillingRequest {
    fn wording(path: &str, mistake: &Mistake) -> Option<String> {
        (path == "agreementType" && matches!(mistake, Mistake::NotOneOf { .. })).then(|| {
            "\"agreementType\" must be ea (Enterprise Agreement), mca (Microsoft Customer Agreement) or payAsYouGo.".into()
        })
    }
}

pub async fn register_azure(
    State(state): State<AppState>,
    Auth(a): Auth,
    SpotJson(body, mut errs): SpotJson<AzureBillingRequest>,
) -> ApiResult {
    let principal = checked_principal(
        &mut errs,
        &body.client_id,
        &body.tenant_id,
        &body.client_secret,
    );
    let expiration_date = checked_expiration(&mut errs, &body.expiration_date);
    let agreement_type = body.agreement_type;
    let billing_account_id = if errs.has("body.agreementType") {
        None
    } else {
        errs.check(
            "body.billingAccountId",
            validate::billing_account_id(agreement_type, &body.billing_account_id),
        )
    };
    let ((principal, expiration_date), billing_account_id) =
        errs.finish(principal.zip(expiration_date).zip(billing_account_id))?;
    let Principal {
        client_id,
        tenant_id,
        client_secret,
    } = principal;
    let raw_account = &body.account_id;

    let conn = state.db.conn();
    let account = caller_account(&conn, &a, raw_account)?;
    let existing = stored(&conn, a.org_id)?;
    ensure_slot(existing.as_ref(), &account, "azure")?;
    ensure_cloud(&account, "azure")?;
    let subscription: Option<String> = conn
        .query_row(
            "SELECT subscription_id FROM azure_credentials WHERE account_id = ?1",
            params![account.id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(sub) = subscription {
        return Err(ApiError::validation(
            "body.accountId",
            format!(
                "This account is connected to the Azure subscription {sub}. Register the billing account on an account of its own."
            ),
        ));
    }
    let config = AzureBilling {
        client_id,
        tenant_id,
        client_secret: String::new(), // stored in its own column, never in the config
        expiration_date,
        agreement_type,
        billing_account_id: billing_account_id.clone(),
    };
    save(
        &conn,
        &a,
        &account,
        "azure",
        &billing_account_id,
        &serde_json::to_string(&config).map_err(|_| ApiError::internal())?,
        None,
        Some(
            &state
                .secrets
                .seal(MANAGEMENT_CLIENT_SECRET, &account.id, &client_secret),
        ),
    )?;
    answer(&conn, &state.secrets, a.org_id)
}

// ---- shared --------------------------------------------------------------------------------

#[allow(clippy::too_many_arguments)]
fn save(
    conn: &Connection,
    a: &AuthCtx,
    account: &AccountRow,
    cloud: &str,
    provider_external_id: &str,
    config: &str,
    external_id: Option<&str>,
    client_secret: Option<&str>,
) -> Result<(), ApiError> {
    let now = util::now_iso();
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO management_accounts (org_id, account_id, cloud_provider, config, \
         external_id, client_secret, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) \
         ON CONFLICT(org_id) DO UPDATE SET config = excluded.config, \
         external_id = excluded.external_id, client_secret = excluded.client_secret, \
         updated_at = excluded.updated_at \
         WHERE management_accounts.account_id = excluded.account_id \
         AND management_accounts.cloud_provider = excluded.cloud_provider",
        params![
            a.org_id as i64,
            account.id,
            cloud,
            config,
            external_id,
            client_secret,
            now
        ],
    )?;
    tx.execute(
        "UPDATE accounts SET kind = 'management', cloud_provider = ?1, provider_external_id = ?2 \
         WHERE id = ?3 AND org_id = ?4",
        params![cloud, provider_external_id, account.id, a.org_id as i64],
    )?;
    tx.commit()?;
    Ok(())
}

fn answer(conn: &Connection, secrets: &Secrets, org_id: u64) -> ApiResult {
    let s = stored(conn, org_id)?.ok_or_else(ApiError::internal)?;
    Ok(Reply::one(KIND, view(&s, secrets)?))
}

/// `GET /onramp/management`: the organization's management account, or no items.
pub async fn get_management(State(state): State<AppState>, Auth(a): Auth) -> ApiResult {
    let conn = state.db.conn();
    let items = match stored(&conn, a.org_id)? {
        Some(s) => vec![view(&s, &state.secrets)?],
        None => Vec::new(),
    };
    Ok(Reply::many(KIND, items))
}

/// `DELETE /onramp/management`: unregisters the management account (the account stays, as a
/// linked account; it stays connected only if it has linked credentials).
pub async fn delete_management(State(state): State<AppState>, Auth(a): Auth) -> ApiResult {
    let conn = state.db.conn();
    let Some(s) = stored(&conn, a.org_id)? else {
        return Err(ApiError::new(
            400,
            MANAGEMENT_DOESNT_EXIST,
            "This organization has no management account.",
        ));
    };
    // Linked credentials keep the account connected; otherwise it was connected only as the
    // management account.
    let linked: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM aws_credentials WHERE account_id = ?1) \
         OR EXISTS(SELECT 1 FROM gcp_credentials WHERE account_id = ?1) \
         OR EXISTS(SELECT 1 FROM azure_credentials WHERE account_id = ?1)",
        params![s.account_id],
        |r| r.get(0),
    )?;
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "DELETE FROM management_accounts WHERE org_id = ?1",
        params![a.org_id as i64],
    )?;
    if linked {
        tx.execute(
            "UPDATE accounts SET kind = 'linked' WHERE id = ?1",
            params![s.account_id],
        )?;
    } else {
        tx.execute(
            "UPDATE accounts SET kind = 'linked', cloud_provider = NULL, \
             provider_external_id = NULL WHERE id = ?1",
            params![s.account_id],
        )?;
    }
    tx.commit()?;
    Ok(Reply::Ok)
}
