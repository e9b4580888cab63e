//! Account scoping: `?accountId=` (or an id in the path/body) must name an account of the
//! caller's organization; without it, the organization's oldest account. Unknown and foreign
//! ids get the same `Account_DOESNT_EXIST` answer.

use axum::{extract::FromRequestParts, http::request::Parts};
use onramp_core::ids::AccountId;
use rusqlite::{Connection, params};
use std::sync::MutexGuard;

use crate::{
    AppState,
    auth::{Auth, AuthCtx},
    db::{self, AccountRow},
    respond::{ApiError, Params},
};

/// A caller working on the account `?accountId=` names (the organization's oldest without it).
/// The account is looked up by [`InAccount::open`], under the connection the handler goes on
/// with, so a body's mistakes are still answered before the account's.
pub struct InAccount {
    pub state: AppState,
    pub auth: AuthCtx,
    params: Params,
}

impl FromRequestParts<AppState> for InAccount {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Auth(auth) = Auth::from_request_parts(parts, state).await?;
        let params = Params::from_request_parts(parts, state).await?;
        Ok(Self {
            state: state.clone(),
            auth,
            params,
        })
    }
}

impl InAccount {
    /// A caller the route resolved itself (an AWS connect token, see `connect_token`).
    pub fn new(state: AppState, auth: AuthCtx, params: Params) -> Self {
        Self {
            state,
            auth,
            params,
        }
    }

    /// The database connection, and the account in it.
    pub fn open(&self) -> Result<(MutexGuard<'_, Connection>, AccountRow), ApiError> {
        let conn = self.state.db.conn();
        let account = account_from_query(&conn, &self.auth, &self.params)?;
        Ok((conn, account))
    }
}

/// An account id from anywhere (path, body): foreign, unknown and malformed are one answer.
pub fn account_by_id(conn: &Connection, auth: &AuthCtx, raw: &str) -> Result<AccountRow, ApiError> {
    let Some(id) = AccountId::parse(raw) else {
        return Err(ApiError::account_doesnt_exist());
    };
    db::account_in_org(conn, auth.org_id, id.as_str())?.ok_or_else(ApiError::account_doesnt_exist)
}

/// `?accountId=`, defaulting to the organization's oldest account.
pub fn account_from_query(
    conn: &Connection,
    auth: &AuthCtx,
    params: &Params,
) -> Result<AccountRow, ApiError> {
    match params.get("accountId") {
        Some(raw) if !raw.trim().is_empty() => {
            if AccountId::parse(raw).is_none() {
                return Err(ApiError::validation(
                    "query.accountId",
                    "\"accountId\" must look like act-1a2b3c4d (act- and 8 lowercase hexadecimal digits).",
                ));
            }
            account_by_id(conn, auth, raw)
        }
        _ => db::oldest_account(conn, auth.org_id)?
            .ok_or_else(|| ApiError::validation("query.accountId", "\"accountId\" is required")),
    }
}

/// Refuses to connect an account that is already connected to another cloud.
pub fn ensure_provider(account: &AccountRow, provider: &str) -> Result<(), ApiError> {
    match account.cloud_provider.as_deref() {
        Some(p) if p != provider => Err(ApiError::validation(
            "query.accountId",
            format!(
                "This account is already connected to {}. Create a new account to connect {}.",
                p.to_uppercase(),
                provider.to_uppercase()
            ),
        )),
        _ => Ok(()),
    }
}

/// Records that the account is now connected to `provider` (`aws`, `gcp`, `azure`) and which
/// cloud account it is: the AWS account number, GCP project or Azure subscription.
pub fn mark_connected(
    conn: &Connection,
    account_id: &str,
    provider: &str,
    provider_external_id: &str,
) -> Result<(), ApiError> {
    conn.execute(
        "UPDATE accounts SET cloud_provider = ?1, provider_external_id = ?2 WHERE id = ?3",
        params![provider, provider_external_id, account_id],
    )?;
    Ok(())
}
