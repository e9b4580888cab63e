//! SQLite storage: one connection behind a mutex (a local, single-user server), schema created
//! at start-up. Queries are kept short; nothing here knows about HTTP.

use rusqlite::{Connection, OptionalExtension, params};
use std::sync::{Arc, Mutex, MutexGuard};

pub const SCHEMA: &str = r#"
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS organizations (
    id          INTEGER PRIMARY KEY,            -- 12 digits
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id            TEXT PRIMARY KEY,             -- u-xxxxxxxx
    org_id        INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    full_name     TEXT NOT NULL,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,         -- lowercased: emails compare case-insensitively
    country       TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at    TEXT NOT NULL
);
-- Organizations a user may act on (its own, plus those it created with POST /setup/organization).
CREATE TABLE IF NOT EXISTS memberships (
    user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id   INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    role     TEXT NOT NULL,
    PRIMARY KEY (user_id, org_id)
);
CREATE TABLE IF NOT EXISTS tokens (
    hash        BLOB PRIMARY KEY,               -- SHA-256 of the bearer token; never the token
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('session', 'personal')),
    created_at  TEXT NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS accounts (
    seq                  INTEGER PRIMARY KEY AUTOINCREMENT,  -- creation order: oldest = default
    id                   TEXT NOT NULL UNIQUE,               -- act-xxxxxxxx
    org_id               INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL DEFAULT 'linked' CHECK (kind IN ('linked', 'management')),
    cloud_provider       TEXT CHECK (cloud_provider IN ('aws', 'gcp', 'azure')),
    provider_external_id TEXT,
    slack_channels       TEXT,                               -- JSON array or NULL
    created_at           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS accounts_org ON accounts(org_id, seq);
-- POST /setup/account with an Idempotency-Key (ours): the key's account, so a repeated request
-- (the client's retry, or the browser resending on a dead connection) creates nothing more.
CREATE TABLE IF NOT EXISTS account_create_keys (
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, key)
);
CREATE TABLE IF NOT EXISTS aws_external_ids (
    account_id       TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    external_id      TEXT NOT NULL,
    max_valid_until  TEXT NOT NULL,                          -- ISO-8601 UTC
    valid_until_unix INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS aws_credentials (
    account_id   TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    iam_role     TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gcp_credentials (
    account_id       TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    service_account  TEXT NOT NULL,                          -- the key file JSON
    updated_at       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS azure_credentials (
    account_id       TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    client_id        TEXT NOT NULL,
    client_secret    TEXT NOT NULL,
    tenant_id        TEXT NOT NULL,
    subscription_id  TEXT NOT NULL,
    expiration_date  TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
-- FinOps registrations: product 'cloudBilling' or 'cbi'.
CREATE TABLE IF NOT EXISTS billing_registrations (
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    product     TEXT NOT NULL CHECK (product IN ('cloudBilling', 'cbi')),
    config      TEXT NOT NULL,                               -- JSON
    created_at  TEXT NOT NULL,
    PRIMARY KEY (account_id, product)
);
CREATE TABLE IF NOT EXISTS potential_savings (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id        TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    resource_type     TEXT NOT NULL,
    name              TEXT NOT NULL,
    region            TEXT NOT NULL,
    instances         INTEGER NOT NULL,
    instance_types    TEXT NOT NULL,                         -- JSON array of strings
    potential_savings REAL NOT NULL                          -- USD / month
);
CREATE TABLE IF NOT EXISTS savings (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id   INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    date     TEXT NOT NULL,                                  -- YYYY-MM-DD
    amount   REAL NOT NULL                                   -- USD saved that day
);
"#;

/// Additive migration (ours): the organization's management account. `org_id` is the key, so
/// an organization has at most one; deleting the account (or the organization) frees the slot.
pub const MANAGEMENT_SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS management_accounts (
    org_id          INTEGER PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL UNIQUE REFERENCES accounts(id) ON DELETE CASCADE,
    cloud_provider  TEXT NOT NULL CHECK (cloud_provider IN ('aws', 'azure')),
    config          TEXT NOT NULL,                           -- JSON, never a secret
    external_id     TEXT,                                    -- AWS: the role's external ID
    client_secret   TEXT,                                    -- Azure: never returned
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
"#;

/// Additive migration (ours): invitations to join an organization. Only the SHA-256 of the
/// invitation token is kept; a row is pending while `accepted_at` and `revoked_at` are NULL and
/// `expires_at` (ISO-8601 UTC, same format as every timestamp here, so text order is time
/// order) is in the future.
pub const INVITATIONS_SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS invitations (
    id           TEXT PRIMARY KEY,                           -- inv-xxxxxxxx
    org_id       INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    email_key    TEXT NOT NULL,                              -- lowercased, as users.email_key
    role         TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    token_hash   BLOB NOT NULL UNIQUE,                       -- SHA-256 of the token; never the token
    created_by   TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    accepted_at  TEXT,
    revoked_at   TEXT
);
CREATE INDEX IF NOT EXISTS invitations_org ON invitations(org_id, email_key);
"#;

/// Additive migration (ours): AWS connect tokens (see `connect_token`). Only the SHA-256 of
/// the token is kept. `external_id` is the account's external ID when the token was minted:
/// the one the stack's role trusts (not a secret). `used_at` is set once credentials are set
/// with it; a new token for the account replaces the row.
pub const CONNECT_TOKENS_SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS connect_tokens (
    hash         BLOB PRIMARY KEY,                           -- SHA-256 of the token; never the token
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_by   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    external_id  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,                              -- ISO-8601 UTC
    used_at      TEXT
);
CREATE INDEX IF NOT EXISTS connect_tokens_account ON connect_tokens(account_id);
CREATE INDEX IF NOT EXISTS connect_tokens_user ON connect_tokens(created_by);
"#;

/// Additive migration (ours): AWS batches (see `connect_token`): the Spot accounts one batch
/// connect token may connect, each once. Only the SHA-256 of the current token is kept
/// (`token_hash`, NULL once voided); renewing replaces it. `created_by` is who minted the current
/// token: it works while they are an admin. Per member: its external ID when the batch was made
/// or renewed (what the StackSet's role trusts), and where its callback stands (`state`,
/// `reason`: the last refusal's words, `updated_at`), and its AWS account (`aws_account_id`): a
/// callback for it may set only a role of that account.
pub const BATCHES_SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS aws_batches (
    id          TEXT PRIMARY KEY,                            -- bat-xxxxxxxx
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    token_hash  BLOB UNIQUE,                                 -- SHA-256 of the token; never the token
    created_by  TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL                                -- ISO-8601 UTC
);
CREATE INDEX IF NOT EXISTS aws_batches_user ON aws_batches(created_by);
CREATE TABLE IF NOT EXISTS aws_batch_members (
    batch_id    TEXT NOT NULL REFERENCES aws_batches(id) ON DELETE CASCADE,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,                            -- order as sent
    external_id TEXT NOT NULL,
    aws_account_id TEXT,                                     -- 12 digits; NULL in older batches
    state       TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'connected', 'failed')),
    reason      TEXT,
    updated_at  TEXT,
    PRIMARY KEY (batch_id, account_id)
);
"#;

/// Additive migration (ours): token lifetimes and personal API token metadata. Columns are
/// added to `tokens` when missing (SQLite has no `ADD COLUMN IF NOT EXISTS`):
/// - `id`, `name`: personal API tokens only (`tok-xxxxxxxx`, what the user called it);
/// - `expires_at`: personal API tokens only (sessions expire by the server's flags, computed
///   from `created_at` and `last_used_at`, so changing a flag applies to existing sessions);
/// - `last_used_at`: when the token last authenticated a request, written at most once a
///   minute; NULL until then. For a session it is also its idle clock.
///
/// Personal tokens from before this migration get an id, a name and the default 90 days from
/// their creation.
/// Additive migration (ours): `aws_batch_members.aws_account_id`, when missing (NULL for the
/// members of batches made before it: their callbacks are refused, a new batch is needed).
pub fn migrate_batches(conn: &Connection) -> rusqlite::Result<()> {
    let have: bool = conn.query_row(
        "SELECT count(*) FROM pragma_table_info('aws_batch_members') WHERE name = 'aws_account_id'",
        [],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    if !have {
        conn.execute_batch("ALTER TABLE aws_batch_members ADD COLUMN aws_account_id TEXT;")?;
    }
    Ok(())
}

pub fn migrate_tokens(conn: &Connection) -> rusqlite::Result<()> {
    let have: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('tokens')")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for (col, ty) in [
        ("id", "TEXT"),
        ("name", "TEXT"),
        ("expires_at", "TEXT"),
        ("last_used_at", "TEXT"),
    ] {
        if !have.iter().any(|h| h == col) {
            conn.execute_batch(&format!("ALTER TABLE tokens ADD COLUMN {col} {ty};"))?;
        }
    }
    conn.execute_batch(
        "CREATE UNIQUE INDEX IF NOT EXISTS tokens_id ON tokens(id) WHERE id IS NOT NULL;
         CREATE INDEX IF NOT EXISTS tokens_user ON tokens(user_id, kind);
         UPDATE tokens SET id = 'tok-' || lower(hex(randomblob(4))), name = 'API token',
             expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+90 days')
         WHERE kind = 'personal' AND id IS NULL;",
    )
}

#[derive(Clone)]
pub struct Db(Arc<Mutex<Connection>>);

impl Db {
    pub fn open(path: &str) -> rusqlite::Result<Self> {
        let conn = if path == ":memory:" {
            Connection::open_in_memory()?
        } else {
            // It holds password hashes and (sealed) cloud secrets: create it private, before
            // SQLite would create it with the umask's mode (its journal files copy this mode).
            match crate::util::create_private_file(std::path::Path::new(path)) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                    return Err(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                        Some(format!("cannot create {path}: {e}")),
                    ));
                }
                _ => {}
            }
            Connection::open(path)?
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Overwrite freed space with zeros, so a secret replaced by its ciphertext (start-up,
        // rotate-key) or by a new value leaves no readable remnant in the file.
        conn.pragma_update(None, "secure_delete", true)?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(MANAGEMENT_SCHEMA)?;
        conn.execute_batch(INVITATIONS_SCHEMA)?;
        conn.execute_batch(CONNECT_TOKENS_SCHEMA)?;
        conn.execute_batch(BATCHES_SCHEMA)?;
        migrate_batches(&conn)?;
        migrate_tokens(&conn)?;
        Ok(Self(Arc::new(Mutex::new(conn))))
    }

    /// The connection. A panic while holding it cannot leave SQLite in a torn state (every
    /// write is one statement or a transaction), so a poisoned lock is simply taken over.
    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An account row as stored.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: String,
    pub org_id: u64,
    pub name: String,
    pub kind: String,
    pub cloud_provider: Option<String>,
    pub provider_external_id: Option<String>,
    pub created_at: String,
}

const ACCOUNT_COLS: &str =
    "id, org_id, name, kind, cloud_provider, provider_external_id, created_at";

fn account_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: r.get(0)?,
        org_id: r.get::<_, i64>(1)? as u64,
        name: r.get(2)?,
        kind: r.get(3)?,
        cloud_provider: r.get(4)?,
        provider_external_id: r.get(5)?,
        created_at: r.get(6)?,
    })
}

/// The account `id` if it belongs to `org_id`; `None` for unknown and foreign ids alike.
pub fn account_in_org(
    conn: &Connection,
    org_id: u64,
    id: &str,
) -> rusqlite::Result<Option<AccountRow>> {
    conn.query_row(
        &format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE id = ?1 AND org_id = ?2"),
        params![id, org_id as i64],
        account_from_row,
    )
    .optional()
}

/// The organization's oldest account (its default).
pub fn oldest_account(conn: &Connection, org_id: u64) -> rusqlite::Result<Option<AccountRow>> {
    conn.query_row(
        &format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE org_id = ?1 ORDER BY seq LIMIT 1"),
        params![org_id as i64],
        account_from_row,
    )
    .optional()
}

pub fn accounts_of_org(
    conn: &Connection,
    org_id: u64,
    provider_external_id: Option<&str>,
) -> rusqlite::Result<Vec<AccountRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ACCOUNT_COLS} FROM accounts WHERE org_id = ?1 \
         AND (?2 IS NULL OR provider_external_id = ?2) ORDER BY seq"
    ))?;
    stmt.query_map(
        params![org_id as i64, provider_external_id],
        account_from_row,
    )?
    .collect()
}

pub fn insert_account(
    conn: &Connection,
    id: &str,
    org_id: u64,
    name: &str,
    kind: &str,
    created_at: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO accounts (id, org_id, name, kind, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, org_id as i64, name, kind, created_at],
    )?;
    Ok(())
}

pub fn organization_name(conn: &Connection, org_id: u64) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT name FROM organizations WHERE id = ?1",
        params![org_id as i64],
        |r| r.get(0),
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_applies_twice_and_kind_is_checked() {
        let db = Db::open(":memory:").unwrap();
        let conn = db.conn();
        conn.execute_batch(SCHEMA).unwrap();
        conn.execute(
            "INSERT INTO organizations (id, name, created_at) VALUES (100000000001, 'A', 't')",
            [],
        )
        .unwrap();
        insert_account(&conn, "act-00000001", 100000000001, "a", "linked", "t").unwrap();
        insert_account(&conn, "act-00000002", 100000000001, "b", "management", "t").unwrap();
        assert!(insert_account(&conn, "act-00000003", 100000000001, "c", "other", "t").is_err());
        let oldest = oldest_account(&conn, 100000000001).unwrap().unwrap();
        assert_eq!(oldest.id, "act-00000001");
        assert!(
            account_in_org(&conn, 100000000002, "act-00000001")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn batches_migration_adds_the_members_aws_account() {
        // A database from before it: members without their AWS account.
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE aws_batch_members (batch_id TEXT NOT NULL, account_id TEXT NOT NULL, \
             position INTEGER NOT NULL, external_id TEXT NOT NULL, state TEXT NOT NULL DEFAULT \
             'waiting', reason TEXT, updated_at TEXT, PRIMARY KEY (batch_id, account_id));
             INSERT INTO aws_batch_members (batch_id, account_id, position, external_id) VALUES
               ('bat-00000001', 'act-0000000a', 0, 'ext');",
        )
        .unwrap();
        migrate_batches(&conn).unwrap();
        migrate_batches(&conn).unwrap(); // idempotent
        let aws: Option<String> = conn
            .query_row("SELECT aws_account_id FROM aws_batch_members", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(aws, None, "an older member's AWS account is unknown");
    }

    #[test]
    fn tokens_migration_adds_lifetimes_and_gives_old_personal_tokens_90_days() {
        // A database from before the migration: `tokens` without the new columns.
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE tokens (hash BLOB PRIMARY KEY, user_id TEXT NOT NULL, \
             org_id INTEGER NOT NULL, kind TEXT NOT NULL, created_at TEXT NOT NULL, \
             revoked INTEGER NOT NULL DEFAULT 0);
             INSERT INTO tokens (hash, user_id, org_id, kind, created_at) VALUES
               (x'01', 'u-00000001', 1, 'personal', '2026-01-02T03:04:05.678Z'),
               (x'02', 'u-00000001', 1, 'session', '2026-01-02T03:04:05.678Z');",
        )
        .unwrap();
        migrate_tokens(&conn).unwrap();
        migrate_tokens(&conn).unwrap(); // idempotent
        let (id, name, expires): (String, String, String) = conn
            .query_row(
                "SELECT id, name, expires_at FROM tokens WHERE hash = x'01'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert!(id.starts_with("tok-") && id.len() == 12, "{id}");
        assert_eq!(name, "API token");
        assert_eq!(expires, "2026-04-02T03:04:05.678Z");
        let session: (Option<String>, Option<String>, Option<String>) = conn
            .query_row(
                "SELECT id, expires_at, last_used_at FROM tokens WHERE hash = x'02'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(session, (None, None, None));
    }

    #[test]
    fn one_management_account_per_organization_and_deleting_the_account_frees_it() {
        let db = Db::open(":memory:").unwrap();
        let conn = db.conn();
        conn.execute_batch(MANAGEMENT_SCHEMA).unwrap(); // idempotent
        conn.execute(
            "INSERT INTO organizations (id, name, created_at) VALUES (100000000001, 'A', 't')",
            [],
        )
        .unwrap();
        insert_account(&conn, "act-00000001", 100000000001, "a", "management", "t").unwrap();
        insert_account(&conn, "act-00000002", 100000000001, "b", "management", "t").unwrap();
        let register = |account: &str| {
            conn.execute(
                "INSERT INTO management_accounts (org_id, account_id, cloud_provider, config, \
                 created_at, updated_at) VALUES (100000000001, ?1, 'aws', '{}', 't', 't')",
                [account],
            )
        };
        register("act-00000001").unwrap();
        assert!(register("act-00000002").is_err());
        conn.execute("DELETE FROM accounts WHERE id = 'act-00000001'", [])
            .unwrap();
        register("act-00000002").unwrap();
    }
}
