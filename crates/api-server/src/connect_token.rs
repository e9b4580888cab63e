//! AWS connect tokens (ours): what a CloudFormation stack uses to report its role to
//! `POST /setup/credentials/aws` by itself. An admin mints one per Spot account; it can set that
//! account's AWS credentials once, within [`TTL`], and nothing else. Like every bearer token it
//! is 32 random bytes handed out once; only its SHA-256 is stored (table `connect_tokens`).
//!
//! A batch connect token (table `aws_batches`) does the same for every Spot account of one
//! batch (`POST /onramp/aws/batches`): one StackSet deploys to many AWS accounts, and each
//! stack instance connects its own Spot account, once, within [`BATCH_TTL`]. What each
//! member's callback ended in is kept on the member (`aws_batch_members`) for the status.
//!
//! Neither is ever a session: [`crate::auth::authenticate`] does not know them, so on any other
//! route they are unknown tokens (401). [`CredentialsCaller`] accepts them on the one route.

use axum::{extract::FromRequestParts, http::request::Parts};
use rusqlite::{Connection, OptionalExtension, params};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::{
    AppState,
    auth::{self, AuthCtx},
    respond::{ApiError, Params},
    scope::InAccount,
    util,
};

/// How long a minted token may be used: long enough to read the quick-create page and let the
/// stack run, short enough that a forgotten link soon stops working.
pub const TTL: time::Duration = time::Duration::hours(2);

/// How long a batch token may be used: a StackSet rolls out to hundreds of accounts a few at a
/// time, and may wait for an approval; it can be renewed when that is not enough.
pub const BATCH_TTL: time::Duration = time::Duration::hours(24);

pub const EXPIRED: &str = "CONNECT_TOKEN_EXPIRED";
pub const USED: &str = "CONNECT_TOKEN_USED";
pub const OTHER_ACCOUNT: &str = "CONNECT_TOKEN_OTHER_ACCOUNT";
pub const UNAVAILABLE: &str = "CONNECT_TOKENS_UNAVAILABLE";

/// What a connect token covers; the words of its refusals say what to do with each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One Spot account (`connect_tokens`), from a linked-account stack.
    Account,
    /// The Spot accounts of the batch `batch_id` (`aws_batches`), from a StackSet.
    Batch { batch_id: String },
}

pub fn expired(scope: &Scope) -> ApiError {
    let message = match scope {
        Scope::Account => "The connect token has expired: create a new stack from Onramp.",
        Scope::Batch { .. } => {
            "The batch connect token has expired. Renew it in Onramp, then deploy again to the \
             accounts that are not connected yet, with the new token."
        }
    };
    ApiError::new(401, EXPIRED, message)
}

pub fn used(scope: &Scope) -> ApiError {
    let message = match scope {
        Scope::Account => {
            "The connect token was already used. If Onramp shows the account connected, nothing \
             is left to do; otherwise create a new stack from Onramp."
        }
        Scope::Batch { .. } => {
            "This account was already connected with the batch connect token; nothing is left \
             to do for it."
        }
    };
    ApiError::new(401, USED, message)
}

fn other_account(scope: &Scope) -> ApiError {
    let message = match scope {
        Scope::Account => {
            "The connect token is for another Spot account: check the stack's AccountId, or \
             create a new stack from Onramp."
        }
        Scope::Batch { .. } => {
            "This Spot account is not in the batch the connect token is for: deploy the stack \
             set only to the AWS accounts chosen in Onramp, or add this one in a new batch."
        }
    };
    ApiError::new(401, OTHER_ACCOUNT, message)
}

/// 404 [`UNAVAILABLE`] unless a stack can reach this server (`--public-url`).
pub fn require_public_url(state: &AppState) -> Result<(), ApiError> {
    if state.config.public_api_url().is_some() {
        return Ok(());
    }
    Err(ApiError::new(
        404,
        UNAVAILABLE,
        "This server has no public URL (--public-url) that AWS could reach, so a stack cannot \
         connect itself: paste the role ARN instead.",
    ))
}

/// A lifetime: `knob` (a test's fault knob) when set, else `default`.
pub fn lifetime(default: time::Duration, knob: Option<std::time::Duration>) -> time::Duration {
    knob.and_then(|t| time::Duration::try_from(t).ok())
        .unwrap_or(default)
}

/// A new secret: the token (for the answer only), its SHA-256 (to store), and when it ends.
pub fn fresh(ttl: time::Duration) -> (String, [u8; 32], String) {
    let (token, hash) = auth::new_token();
    (token, hash, util::iso(OffsetDateTime::now_utc() + ttl))
}

/// A new token for `account_id`, bound to the external ID its stack's role will trust. Older
/// tokens of the account are dropped: only the newest link works, so an abandoned or leaked
/// one stops as soon as the user starts again (and its external ID may be stale by then).
pub fn mint(
    conn: &Connection,
    account_id: &str,
    user_id: &str,
    external_id: &str,
    ttl: time::Duration,
) -> rusqlite::Result<(String, String)> {
    let (token, hash, expires_at) = fresh(ttl);
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "DELETE FROM connect_tokens WHERE account_id = ?1",
        params![account_id],
    )?;
    tx.execute(
        "INSERT INTO connect_tokens (hash, account_id, created_by, external_id, created_at, \
         expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            &hash[..],
            account_id,
            user_id,
            external_id,
            util::now_iso(),
            expires_at
        ],
    )?;
    tx.commit()?;
    Ok((token, expires_at))
}

/// What a valid connect token allows: setting `account_id`'s AWS credentials once, with the
/// external ID it was minted with (a batch: recorded when the batch was made or renewed).
#[derive(Debug, Clone)]
pub struct Grant {
    pub hash: [u8; 32],
    pub account_id: String,
    pub external_id: String,
    pub scope: Scope,
    /// A batch member's AWS account: the only one whose role its callback may set (every
    /// member's stack holds the same token). `None` for a single account's token, and for a
    /// member of a batch made before members' AWS accounts were recorded.
    pub aws_account_id: Option<String>,
}

/// Who minted a token, and until when it works.
struct Minted {
    org_id: i64,
    user_id: String,
    role: String,
    expires_at: String,
}

/// The grant of `token` for a request on `?accountId=` `account`. Unknown tokens (and those of
/// a user no longer an admin) are the usual 401 `Unauthorized`; used, expired and other-account
/// tokens get a 401 saying so, since whoever holds one can act on it. A batch member's refusal
/// is recorded on it (see [`record_refusal`]).
pub fn resolve(
    conn: &Connection,
    token: &str,
    account: Option<&str>,
    now: OffsetDateTime,
) -> Result<(Grant, AuthCtx), ApiError> {
    let hash = auth::token_hash(token);
    let account = account.map(str::trim);
    // Same ISO format everywhere, so text order is time order.
    let now = util::iso(now);
    let (grant, minted) = match resolve_account_token(conn, &hash, account, &now)? {
        Some(found) => found,
        None => resolve_batch_token(conn, &hash, account, &now)?,
    };
    let ctx = AuthCtx {
        user_id: minted.user_id,
        org_id: minted.org_id as u64,
        token_hash: hash,
        role: auth::role_from_db(&minted.role),
    };
    Ok((grant, ctx))
}

/// A single-account token: `None` when `hash` is not one.
fn resolve_account_token(
    conn: &Connection,
    hash: &[u8; 32],
    account: Option<&str>,
    now: &str,
) -> Result<Option<(Grant, Minted)>, ApiError> {
    struct Row {
        stored: Vec<u8>,
        account_id: String,
        external_id: String,
        used: bool,
        minted: Minted,
    }
    let row = conn
        .query_row(
            "SELECT c.hash, c.account_id, a.org_id, c.created_by, u.role, c.external_id, \
             c.expires_at, c.used_at IS NOT NULL FROM connect_tokens c \
             JOIN accounts a ON a.id = c.account_id JOIN users u ON u.id = c.created_by \
             WHERE c.hash = ?1",
            params![&hash[..]],
            |r| {
                Ok(Row {
                    stored: r.get(0)?,
                    account_id: r.get(1)?,
                    external_id: r.get(5)?,
                    used: r.get(7)?,
                    minted: Minted {
                        org_id: r.get(2)?,
                        user_id: r.get(3)?,
                        role: r.get(4)?,
                        expires_at: r.get(6)?,
                    },
                })
            },
        )
        .optional()?
        .filter(|r| bool::from(r.stored.as_slice().ct_eq(&hash[..])));
    let Some(row) = row else { return Ok(None) };
    if row.minted.role != "admin" {
        return Err(ApiError::unauthorized());
    }
    if row.used {
        return Err(used(&Scope::Account));
    }
    if *row.minted.expires_at <= *now {
        return Err(expired(&Scope::Account));
    }
    if account != Some(row.account_id.as_str()) {
        return Err(other_account(&Scope::Account));
    }
    let grant = Grant {
        hash: *hash,
        account_id: row.account_id,
        external_id: row.external_id,
        scope: Scope::Account,
        aws_account_id: None,
    };
    Ok(Some((grant, row.minted)))
}

/// A batch token, or 401 `Unauthorized` when `hash` is not one either.
fn resolve_batch_token(
    conn: &Connection,
    hash: &[u8; 32],
    account: Option<&str>,
    now: &str,
) -> Result<(Grant, Minted), ApiError> {
    let (_, batch_id, minted): (Vec<u8>, String, Minted) = conn
        .query_row(
            "SELECT b.token_hash, b.id, b.org_id, b.created_by, u.role, b.expires_at \
             FROM aws_batches b JOIN users u ON u.id = b.created_by WHERE b.token_hash = ?1",
            params![&hash[..]],
            |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get(1)?,
                    Minted {
                        org_id: r.get(2)?,
                        user_id: r.get(3)?,
                        role: r.get(4)?,
                        expires_at: r.get(5)?,
                    },
                ))
            },
        )
        .optional()?
        .filter(|(stored, ..)| bool::from(stored.as_slice().ct_eq(&hash[..])))
        .ok_or_else(ApiError::unauthorized)?;
    if minted.role != "admin" {
        return Err(ApiError::unauthorized());
    }
    let member: Option<(String, String, bool, Option<String>)> = match account {
        Some(a) => conn
            .query_row(
                "SELECT account_id, external_id, state = 'connected', aws_account_id \
                 FROM aws_batch_members WHERE batch_id = ?1 AND account_id = ?2",
                params![batch_id, a],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?,
        None => None,
    };
    let scope = Scope::Batch {
        batch_id: batch_id.clone(),
    };
    let connected = member.as_ref().is_some_and(|m| m.2);
    let grant = member.map(|(account_id, external_id, _, aws_account_id)| Grant {
        hash: *hash,
        account_id,
        external_id,
        scope: scope.clone(),
        aws_account_id,
    });
    if *minted.expires_at <= *now {
        let e = expired(&scope);
        if let Some(g) = &grant {
            record_refusal(conn, g, &e)?;
        }
        return Err(e);
    }
    let Some(grant) = grant else {
        return Err(other_account(&scope));
    };
    if connected {
        return Err(used(&scope));
    }
    Ok((grant, minted))
}

/// Marks the token used for the grant's account, in the caller's transaction (with the
/// credentials it sets). `false` when another request used it first.
pub fn consume(conn: &Connection, grant: &Grant) -> rusqlite::Result<bool> {
    let changed = match &grant.scope {
        Scope::Account => conn.execute(
            "UPDATE connect_tokens SET used_at = ?1 WHERE hash = ?2 AND used_at IS NULL",
            params![util::now_iso(), &grant.hash[..]],
        )?,
        // The token is checked again here: it may have been renewed or voided while this
        // request's body was arriving.
        Scope::Batch { batch_id } => conn.execute(
            "UPDATE aws_batch_members SET state = 'connected', reason = NULL, updated_at = ?1 \
             WHERE batch_id = ?2 AND account_id = ?3 AND state <> 'connected' \
             AND EXISTS (SELECT 1 FROM aws_batches WHERE id = ?2 AND token_hash = ?4)",
            params![util::now_iso(), batch_id, grant.account_id, &grant.hash[..]],
        )?,
    };
    Ok(changed == 1)
}

/// Records that a callback with a batch token for the grant's account was refused, with the
/// refusal's words, so the batch's status can say why (a single-account token keeps nothing:
/// its stack shows the reason itself). A member already connected stays connected.
pub fn record_refusal(conn: &Connection, grant: &Grant, e: &ApiError) -> rusqlite::Result<()> {
    let Scope::Batch { batch_id } = &grant.scope else {
        return Ok(());
    };
    let reason = e
        .errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    conn.execute(
        "UPDATE aws_batch_members SET state = 'failed', reason = ?1, updated_at = ?2 \
         WHERE batch_id = ?3 AND account_id = ?4 AND state <> 'connected'",
        params![reason, util::now_iso(), batch_id, grant.account_id],
    )?;
    Ok(())
}

/// Drops the connect tokens `user_id` minted and nobody used yet, and voids the batch tokens
/// they minted last (with their sessions, when they are revoked all at once). A voided batch
/// keeps its members; an admin renews its token.
pub fn revoke_unused(conn: &Connection, user_id: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE aws_batches SET token_hash = NULL WHERE created_by = ?1",
        params![user_id],
    )?;
    conn.execute(
        "DELETE FROM connect_tokens WHERE created_by = ?1 AND used_at IS NULL",
        params![user_id],
    )
}

/// The caller of `POST /setup/credentials/aws`: a signed-in user (session or API token), or a
/// stack with the account's connect token.
pub struct CredentialsCaller {
    pub at: InAccount,
    pub grant: Option<Grant>,
}

impl FromRequestParts<AppState> for CredentialsCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.extensions.get::<AuthCtx>().is_some() {
            let at = InAccount::from_request_parts(parts, state).await?;
            return Ok(Self { at, grant: None });
        }
        let token = auth::bearer(&parts.headers)
            .ok_or_else(ApiError::unauthorized)?
            .to_owned();
        let params = Params::from_request_parts(parts, state).await?;
        let now = OffsetDateTime::now_utc();
        let (grant, ctx) = resolve(&state.db.conn(), &token, params.get("accountId"), now)?;
        Ok(Self {
            at: InAccount::new(state.clone(), ctx, params),
            grant: Some(grant),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    /// An organization with an admin, two accounts, a connect token for the first and a batch
    /// of both: (db, connect token, batch token).
    fn setup() -> (Db, String, String) {
        let db = Db::open(":memory:").unwrap();
        let conn = db.conn();
        conn.execute_batch(
            "INSERT INTO organizations (id, name, created_at) VALUES (100000000001, 'A', 't');
             INSERT INTO users (id, org_id, full_name, email, email_key, country, password_hash, \
             role, created_at) VALUES ('u-00000001', 100000000001, 'Ada', 'a@x', 'a@x', 'FR', \
             'h', 'admin', 't');
             INSERT INTO accounts (id, org_id, name, created_at) VALUES
               ('act-0000000a', 100000000001, 'a', 't'), ('act-0000000b', 100000000001, 'b', 't');",
        )
        .unwrap();
        let (single, _) = mint(&conn, "act-0000000a", "u-00000001", "ext", TTL).unwrap();
        let (batch, hash, expires_at) = fresh(BATCH_TTL);
        conn.execute(
            "INSERT INTO aws_batches (id, org_id, token_hash, created_by, created_at, expires_at) \
             VALUES ('bat-00000001', 100000000001, ?1, 'u-00000001', 't', ?2)",
            params![&hash[..], expires_at],
        )
        .unwrap();
        conn.execute_batch(
            "INSERT INTO aws_batch_members (batch_id, account_id, position, external_id, \
               aws_account_id) VALUES ('bat-00000001', 'act-0000000a', 0, 'ext', '123456789012'),
               ('bat-00000001', 'act-0000000b', 1, 'ext', '210987654321');",
        )
        .unwrap();
        drop(conn);
        (db, single, batch)
    }

    #[test]
    fn a_grant_is_used_once_even_when_two_requests_resolved_it() {
        let (db, single, batch) = setup();
        let conn = db.conn();
        let now = OffsetDateTime::now_utc();
        for (token, account) in [(&single, "act-0000000a"), (&batch, "act-0000000b")] {
            // Both resolve before either uses it (two stacks racing): only one may win.
            let (first, _) = resolve(&conn, token, Some(account), now).unwrap();
            let (second, _) = resolve(&conn, token, Some(account), now).unwrap();
            assert!(consume(&conn, &first).unwrap(), "{account}");
            assert!(!consume(&conn, &second).unwrap(), "{account}");
            let e = resolve(&conn, token, Some(account), now).unwrap_err();
            assert_eq!(e.errors[0].code, USED);
        }
        // The batch's other member is still open.
        let (g, ctx) = resolve(&conn, &batch, Some("act-0000000a"), now).unwrap();
        assert_eq!(
            g.scope,
            Scope::Batch {
                batch_id: "bat-00000001".into()
            }
        );
        assert_eq!(
            (ctx.user_id.as_str(), ctx.org_id),
            ("u-00000001", 100000000001)
        );
    }

    #[test]
    fn a_batch_grant_resolved_before_its_token_was_renewed_or_voided_is_not_used() {
        let (db, _, batch) = setup();
        let conn = db.conn();
        let now = OffsetDateTime::now_utc();
        // Resolved as its request began; meanwhile the token is replaced, then voided.
        let (g, _) = resolve(&conn, &batch, Some("act-0000000a"), now).unwrap();
        let (_, other, _) = fresh(BATCH_TTL);
        conn.execute(
            "UPDATE aws_batches SET token_hash = ?1 WHERE id = 'bat-00000001'",
            params![&other[..]],
        )
        .unwrap();
        assert!(!consume(&conn, &g).unwrap(), "a renewed token's old grant");
        conn.execute(
            "UPDATE aws_batches SET token_hash = NULL WHERE id = 'bat-00000001'",
            [],
        )
        .unwrap();
        assert!(!consume(&conn, &g).unwrap(), "a voided token's grant");
        let waiting: String = conn
            .query_row(
                "SELECT state FROM aws_batch_members WHERE account_id = 'act-0000000a'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(waiting, "waiting");
    }

    #[test]
    fn refusals_are_recorded_on_batch_members_only_until_connected() {
        let (db, single, batch) = setup();
        let conn = db.conn();
        let now = OffsetDateTime::now_utc();
        let state = |account: &str| -> (String, Option<String>) {
            conn.query_row(
                "SELECT state, reason FROM aws_batch_members WHERE account_id = ?1",
                params![account],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
        };
        let (g, _) = resolve(&conn, &batch, Some("act-0000000a"), now).unwrap();
        record_refusal(&conn, &g, &ApiError::validation("x", "Say why.")).unwrap();
        assert_eq!(
            state("act-0000000a"),
            ("failed".into(), Some("Say why.".into()))
        );
        assert!(consume(&conn, &g).unwrap());
        assert_eq!(state("act-0000000a"), ("connected".into(), None));
        record_refusal(&conn, &g, &used(&g.scope)).unwrap();
        assert_eq!(state("act-0000000a").0, "connected");
        // A single-account token keeps nothing on the batch.
        let (s, _) = resolve(&conn, &single, Some("act-0000000a"), now).unwrap();
        record_refusal(&conn, &s, &ApiError::validation("x", "No.")).unwrap();
        assert_eq!(state("act-0000000a").0, "connected");
        assert_eq!(state("act-0000000b"), ("waiting".into(), None));
    }
}
