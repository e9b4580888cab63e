//! AWS: external ID, role credentials (`/setup/credentials/aws`).

use onramp_core::{
    dto::{AwsCredentialsRequest, AwsCredentialsView, ConnectToken, ExternalId, kinds},
    ids::AccountId,
    validate::{self, AwsEnvironment, Partition},
};
use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use crate::{
    body::{SpotBody, SpotJson},
    connect_token::{self, CredentialsCaller},
    respond::{ApiError, ApiResult, Reply},
    roles,
    scope::{self, InAccount},
    util,
};

/// How long a generated external ID may be used to set credentials.
pub const EXTERNAL_ID_TTL: time::Duration = time::Duration::hours(1);

pub async fn external_id(at: InAccount) -> ApiResult {
    let (conn, account) = at.open()?;
    let external_id = util::random_external_id();
    let until = OffsetDateTime::now_utc() + EXTERNAL_ID_TTL;
    let max_valid_until = util::iso(until);
    conn.execute(
        "INSERT INTO aws_external_ids (account_id, external_id, max_valid_until, valid_until_unix) \
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT(account_id) DO UPDATE SET \
         external_id = excluded.external_id, max_valid_until = excluded.max_valid_until, \
         valid_until_unix = excluded.valid_until_unix",
        params![
            account.id,
            external_id,
            max_valid_until,
            until.unix_timestamp()
        ],
    )?;
    Ok(Reply::one(
        kinds::AWS_EXTERNAL_ID,
        ExternalId {
            external_id,
            max_valid_until,
        },
    ))
}

/// The external ID generated for an account (`POST /setup/credentials/aws/externalId`).
pub enum Generated {
    Valid(String),
    Expired(String),
    Never,
}

pub fn generated_external_id(conn: &Connection, account_id: &str) -> Result<Generated, ApiError> {
    let row: Option<(String, i64)> = conn
        .query_row(
            "SELECT external_id, valid_until_unix FROM aws_external_ids WHERE account_id = ?1",
            params![account_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        Some((id, until)) if until > OffsetDateTime::now_utc().unix_timestamp() => {
            Generated::Valid(id)
        }
        Some((id, _)) => Generated::Expired(id),
        None => Generated::Never,
    })
}

/// The environment an ARN's partition implies (any connectable partition is accepted; an
/// unknown partition is checked as commercial so the validator explains what is wrong).
fn environment_of(arn: &str) -> AwsEnvironment {
    arn.trim()
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').next())
        .and_then(Partition::parse)
        .map(Partition::environment)
        .unwrap_or_default()
}

// A missing `credentials` is named by its field: `body.credentials.iamRole`.
impl SpotBody for AwsCredentialsRequest {
    const AT_FIELDS: bool = true;
}

/// `POST /onramp/aws/connect-token?accountId=` (ours, admins): a connect token with which a
/// CloudFormation stack sets this account's AWS credentials once (see `connect_token`). Only
/// when a stack can reach this server (`--public-url`), and only after an external ID was
/// generated: the token carries it, so the stack's role and the stored credentials agree.
pub async fn connect_token(at: InAccount) -> ApiResult {
    roles::require_admin(&at.auth)?;
    connect_token::require_public_url(&at.state)?;
    let (conn, account) = at.open()?;
    scope::ensure_provider(&account, "aws")?;
    let Generated::Valid(external_id) = generated_external_id(&conn, &account.id)? else {
        return Err(ApiError::validation(
            "query.accountId",
            "Generate an external ID for this account first \
             (POST /setup/credentials/aws/externalId): the stack's role trusts it.",
        ));
    };
    let ttl = connect_token::lifetime(connect_token::TTL, at.state.faults.connect_token_ttl());
    let (token, expires_at) =
        connect_token::mint(&conn, &account.id, &at.auth.user_id, &external_id, ttl)?;
    Ok(Reply::one(
        kinds::AWS_CONNECT_TOKEN,
        ConnectToken {
            connect_token: token,
            expires_at,
        },
    ))
}

/// `POST /setup/credentials/aws`, from a signed-in user or from a stack with the account's
/// connect token or its batch's (which it uses up). A batch member's refusal is recorded on it,
/// with its words, for the batch's status.
pub async fn set_credentials(
    CredentialsCaller { at, grant }: CredentialsCaller,
    body: Result<SpotJson<AwsCredentialsRequest>, ApiError>,
) -> ApiResult {
    let result = match body {
        Ok(SpotJson(body, errs)) => store_credentials(&at, grant.as_ref(), &body, errs),
        Err(e) => Err(e),
    };
    if let (Err(e), Some(g)) = (&result, &grant)
        && (400..500).contains(&e.status)
    {
        connect_token::record_refusal(&at.state.db.conn(), g, e)?;
    }
    result
}

fn store_credentials(
    at: &InAccount,
    grant: Option<&connect_token::Grant>,
    body: &AwsCredentialsRequest,
    mut errs: crate::body::FieldErrors,
) -> ApiResult {
    let (conn, account) = at.open()?;
    let raw = &body.credentials.iam_role;
    let role = errs.check(
        "body.credentials.iamRole",
        validate::role_arn(raw, environment_of(raw)),
    );
    let role = errs.finish(role)?;
    // Every member's stack holds its batch's token: each may connect only its own AWS account.
    if let Some(g) = grant
        && matches!(g.scope, connect_token::Scope::Batch { .. })
        && g.aws_account_id.as_deref() != Some(role.account_id.as_str())
    {
        let message = match &g.aws_account_id {
            Some(own) => format!(
                "This role is in AWS account {}, but {} stands for AWS account {own} in this \
                 batch: a stack may only connect the Spot account of its own AWS account.",
                role.account_id, g.account_id
            ),
            None => "This batch was made before members' AWS accounts were recorded, so it \
                     can't tell which role belongs to which account: start the organization \
                     flow again from Onramp for a new batch."
                .to_owned(),
        };
        return Err(ApiError::validation("body.credentials.iamRole", message));
    }
    let legacy = body.credentials.external_id.as_deref();
    scope::ensure_provider(&account, "aws")?;
    let generated = generated_external_id(&conn, &account.id)?;
    let external_id = match (generated, grant) {
        // A stack's role trusts the external ID of its link, which the token carries: still
        // good after the external ID's own hour, as long as no other one was generated since.
        (Generated::Valid(id) | Generated::Expired(id), Some(g)) if id == g.external_id => id,
        (_, Some(g)) => {
            let message = match g.scope {
                connect_token::Scope::Account => {
                    "A new external ID was generated after this stack's link was made, so its \
                     role trusts an old one: create a new stack from Onramp."
                }
                connect_token::Scope::Batch { .. } => {
                    "A new external ID was generated for this account after its batch was made, \
                     so the role the stack set created trusts an old one: connect this account \
                     again from Onramp."
                }
            };
            return Err(ApiError::validation("query.accountId", message));
        }
        (Generated::Valid(id), None) => id,
        (Generated::Expired(_), None) => {
            return Err(ApiError::validation(
                "query.accountId",
                "The external ID generated for this account has expired. Generate a new one \
                 (POST /setup/credentials/aws/externalId), update the role's trust policy, then retry.",
            ));
        }
        (Generated::Never, None) => {
            return Err(ApiError::validation(
                "query.accountId",
                "No external ID was generated for this account. Generate one first \
                 (POST /setup/credentials/aws/externalId) and put it in the role's trust policy.",
            ));
        }
    };
    if let Some(sent) = legacy
        && sent.trim() != external_id
    {
        return Err(ApiError::validation(
            "body.credentials.externalId",
            "This external ID is not the one generated for this account. Leave it out: the server uses the one it generated.",
        ));
    }
    let arn = role.to_string();
    let tx = conn.unchecked_transaction()?;
    if let Some(g) = grant
        && !connect_token::consume(&tx, g)?
    {
        return Err(connect_token::used(&g.scope));
    }
    tx.execute(
        "INSERT INTO aws_credentials (account_id, iam_role, external_id, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(account_id) DO UPDATE SET iam_role = excluded.iam_role, \
         external_id = excluded.external_id, updated_at = excluded.updated_at",
        params![account.id, arn, external_id, util::now_iso()],
    )?;
    scope::mark_connected(&tx, &account.id, "aws", &role.account_id)?;
    tx.commit()?;
    Ok(Reply::Ok)
}

pub async fn get_credentials(at: InAccount) -> ApiResult {
    let (conn, account) = at.open()?;
    let role: Option<String> = conn
        .query_row(
            "SELECT iam_role FROM aws_credentials WHERE account_id = ?1",
            params![account.id],
            |r| r.get(0),
        )
        .optional()?;
    let id = AccountId::parse(&account.id).ok_or_else(ApiError::internal)?;
    Ok(Reply::many(
        kinds::AWS_CREDENTIALS,
        role.map(|iam_role| AwsCredentialsView {
            iam_role,
            account_id: id,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_from_partition() {
        assert_eq!(
            environment_of("arn:aws-us-gov:iam::123456789012:role/x"),
            AwsEnvironment::GovCloud
        );
        assert_eq!(
            environment_of(" arn:aws-cn:iam::1:role/x"),
            AwsEnvironment::China
        );
        assert_eq!(
            environment_of("arn:aws:iam::1:role/x"),
            AwsEnvironment::Commercial
        );
        assert_eq!(environment_of("nonsense"), AwsEnvironment::Commercial);
    }
}
