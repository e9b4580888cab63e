//! AWS batches (ours): one batch connect token for many Spot accounts, so that a single
//! StackSet deployed across an AWS Organization connects every member account by itself (see
//! `connect_token`). Admins make a batch, renew its token and follow each member's state.

use axum::extract::{Path, State};
use onramp_core::{
    dto::{AwsBatch, AwsBatchMember, AwsBatchRequest, AwsBatchStatus, BatchMemberState, kinds},
    ids::AccountId,
    validate,
};
use rusqlite::{Connection, OptionalExtension, params};

use crate::{
    AppState,
    auth::{Auth, AuthCtx},
    body::{SpotBody, SpotJson},
    connect_token::{self, BATCH_TTL},
    db,
    respond::{ApiError, ApiResult, Reply},
    roles::require_admin,
    routes::{
        auth::unused_id,
        aws::{Generated, generated_external_id},
    },
    util,
};

pub const BATCH_DOESNT_EXIST: &str = "BATCH_DOESNT_EXIST";
pub const EXTERNAL_ID_MISSING: &str = "EXTERNAL_ID_MISSING";

const FIELD: &str = "body.accountIds";
const AWS_FIELD: &str = "body.awsAccountIds";

fn batch_doesnt_exist() -> ApiError {
    ApiError::new(
        404,
        BATCH_DOESNT_EXIST,
        "This batch does not exist in your organization. Start connecting the AWS Organization \
         again from Onramp.",
    )
}

impl SpotBody for AwsBatchRequest {}

/// The batch `id` if it belongs to the caller's organization (unknown and foreign alike: 404).
fn batch_in_org(conn: &Connection, auth: &AuthCtx, id: &str) -> Result<String, ApiError> {
    conn.query_row(
        "SELECT expires_at FROM aws_batches WHERE id = ?1 AND org_id = ?2",
        params![id, auth.org_id as i64],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(batch_doesnt_exist)
}

/// The member accounts of a batch, in the order they were sent.
fn member_ids(conn: &Connection, batch_id: &str) -> Result<Vec<AccountId>, ApiError> {
    let mut stmt = conn.prepare(
        "SELECT account_id FROM aws_batch_members WHERE batch_id = ?1 ORDER BY position",
    )?;
    let ids = stmt
        .query_map(params![batch_id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    ids.iter()
        .map(|id| AccountId::parse(id).ok_or_else(ApiError::internal))
        .collect()
}

fn token_lifetime(state: &AppState) -> time::Duration {
    connect_token::lifetime(BATCH_TTL, state.faults.batch_token_ttl())
}

/// `POST /onramp/aws/batches` (admins) body `{accountIds, awsAccountIds}`: a batch of Spot
/// accounts of the caller's organization, each with the AWS account it stands for and an AWS
/// external ID already generated (the StackSet's role in that member trusts it), and the
/// batch's connect token, in this answer only.
pub async fn create(
    State(state): State<AppState>,
    Auth(a): Auth,
    SpotJson(body, mut errs): SpotJson<AwsBatchRequest>,
) -> ApiResult {
    require_admin(&a)?;
    connect_token::require_public_url(&state)?;
    let ids = errs.check(FIELD, validate::batch_account_ids(&body.account_ids));
    let aws = errs.check(
        AWS_FIELD,
        validate::batch_aws_account_ids(&body.aws_account_ids, body.account_ids.len()),
    );
    let (ids, aws) = errs.finish(ids.zip(aws))?;

    let mut conn = state.db.conn();
    let tx = conn.transaction()?;
    let mut members = Vec::with_capacity(ids.len());
    for (id, aws_account_id) in ids.iter().zip(&aws) {
        if db::account_in_org(&tx, a.org_id, id.as_str())?.is_none() {
            return Err(ApiError::validation(
                FIELD,
                format!(
                    "{id} is not an account of your organization: it may have been deleted. \
                     Remove it from the batch."
                ),
            ));
        }
        // An expired external ID still counts: the StackSet's role trusts the one its template
        // carries, and the batch keeps it for the token's life (like a single connect token).
        let external_id = match generated_external_id(&tx, id.as_str())? {
            Generated::Valid(x) | Generated::Expired(x) => x,
            Generated::Never => {
                return Err(ApiError::with_field(
                    400,
                    EXTERNAL_ID_MISSING,
                    FIELD,
                    format!(
                        "{id} has no AWS external ID yet. Generate one for it \
                         (POST /setup/credentials/aws/externalId?accountId={id}), then make the \
                         batch again."
                    ),
                ));
            }
        };
        members.push((id, external_id, aws_account_id));
    }
    let batch_id = unused_id(&tx, "aws_batches", || {
        format!("bat-{:08x}", util::random_u32())
    })?;
    let (token, hash, expires_at) = connect_token::fresh(token_lifetime(&state));
    tx.execute(
        "INSERT INTO aws_batches (id, org_id, token_hash, created_by, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            batch_id,
            a.org_id as i64,
            &hash[..],
            a.user_id,
            util::now_iso(),
            expires_at
        ],
    )?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO aws_batch_members (batch_id, account_id, position, external_id, \
             aws_account_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (position, (id, external_id, aws_account_id)) in members.iter().enumerate() {
            insert.execute(params![
                batch_id,
                id.as_str(),
                position as i64,
                external_id,
                aws_account_id
            ])?;
        }
    }
    tx.commit()?;
    Ok(Reply::one(
        kinds::AWS_BATCH,
        AwsBatch {
            batch_id,
            connect_token: token,
            expires_at,
            account_ids: ids,
        },
    ))
}

/// `POST /onramp/aws/batches/{batchId}/token` (admins): a new token for the batch, for another
/// full lifetime; the old one stops working at once. Members not connected yet start again
/// (waiting, with their current external IDs); connected ones stay connected.
pub async fn renew(
    State(state): State<AppState>,
    Auth(a): Auth,
    Path(batch_id): Path<String>,
) -> ApiResult {
    require_admin(&a)?;
    connect_token::require_public_url(&state)?;
    let mut conn = state.db.conn();
    let tx = conn.transaction()?;
    batch_in_org(&tx, &a, &batch_id)?;
    let (token, hash, expires_at) = connect_token::fresh(token_lifetime(&state));
    tx.execute(
        "UPDATE aws_batches SET token_hash = ?1, created_by = ?2, expires_at = ?3 WHERE id = ?4",
        params![&hash[..], a.user_id, expires_at, batch_id],
    )?;
    tx.execute(
        "UPDATE aws_batch_members SET state = 'waiting', reason = NULL, updated_at = NULL, \
         external_id = COALESCE((SELECT x.external_id FROM aws_external_ids x \
         WHERE x.account_id = aws_batch_members.account_id), external_id) \
         WHERE batch_id = ?1 AND state <> 'connected'",
        params![batch_id],
    )?;
    let account_ids = member_ids(&tx, &batch_id)?;
    tx.commit()?;
    Ok(Reply::one(
        kinds::AWS_BATCH,
        AwsBatch {
            batch_id,
            connect_token: token,
            expires_at,
            account_ids,
        },
    ))
}

/// `GET /onramp/aws/batches/{batchId}` (admins): each member's state. `connected` when the
/// account has AWS credentials, whichever way they were set; otherwise what its batch callback
/// ended in. The token is never part of it.
pub async fn status(
    State(state): State<AppState>,
    Auth(a): Auth,
    Path(batch_id): Path<String>,
) -> ApiResult {
    require_admin(&a)?;
    let conn = state.db.conn();
    let expires_at = batch_in_org(&conn, &a, &batch_id)?;
    let mut stmt = conn.prepare(
        "SELECT m.account_id, m.state, m.reason, m.updated_at, c.updated_at \
         FROM aws_batch_members m LEFT JOIN aws_credentials c ON c.account_id = m.account_id \
         WHERE m.batch_id = ?1 ORDER BY m.position",
    )?;
    let rows = stmt
        .query_map(params![batch_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let members = rows
        .into_iter()
        .map(|(id, stored, reason, updated_at, credentials_at)| {
            let account_id = AccountId::parse(&id).ok_or_else(ApiError::internal)?;
            Ok(match (stored.as_str(), credentials_at) {
                ("connected", _) => AwsBatchMember {
                    account_id,
                    state: BatchMemberState::Connected,
                    reason: None,
                    updated_at,
                },
                // Connected another way (the role ARN pasted, a single stack).
                (_, Some(at)) => AwsBatchMember {
                    account_id,
                    state: BatchMemberState::Connected,
                    reason: None,
                    updated_at: Some(at),
                },
                ("failed", None) => AwsBatchMember {
                    account_id,
                    state: BatchMemberState::Failed,
                    reason,
                    updated_at,
                },
                _ => AwsBatchMember {
                    account_id,
                    state: BatchMemberState::Waiting,
                    reason: None,
                    updated_at: None,
                },
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Reply::one(
        kinds::AWS_BATCH_STATUS,
        AwsBatchStatus {
            batch_id,
            expires_at,
            members,
        },
    ))
}
