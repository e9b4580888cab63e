//! Account scoping: `?accountId=` (or an id in the path/body) must name an account of the
//! caller's organization; without it, the organization's oldest account. Unknown and foreign
//! ids get the same `Account_DOESNT_EXIST` answer.

use onramp_core::ids::AccountId;
use rusqlite::Connection;

use crate::{
    auth::AuthCtx,
    db::{self, AccountRow},
    respond::{ApiError, Params},
};

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
