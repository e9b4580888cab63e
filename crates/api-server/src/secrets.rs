//! Cloud secrets at rest: every value a user hands over that grants access to a cloud (Azure
//! client secrets, GCP service-account keys) is stored sealed with AES-256-GCM. The key lives
//! in a file beside the database, never in it, so a copy of the database alone reveals nothing.
//!
//! A sealed value is `enc:v1:<base64(nonce || ciphertext)>` with a fresh random 96-bit nonce.
//! The associated data names the table, column and account of the row, so a value copied to
//! another row (or another column) does not decrypt.
//!
//! Not sealed, because they grant nothing on their own: AWS role ARNs and external IDs (only
//! Spot's principal can assume the role), billing configurations, client and tenant IDs.

use std::{
    fs::File,
    io::{ErrorKind, Write},
    path::{Path, PathBuf},
};

use aes_gcm::{
    Aes256Gcm, Key, KeyInit,
    aead::{Aead, Nonce, Payload},
};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use rusqlite::{Connection, params};

use crate::util;

/// Marks a sealed value; the version names the scheme, so another one can follow.
pub const PREFIX: &str = "enc:v1:";
const NONCE_LEN: usize = 12;

/// A column holding a secret. Each such table is keyed by `account_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretColumn {
    pub table: &'static str,
    pub column: &'static str,
}

pub const AZURE_CLIENT_SECRET: SecretColumn = SecretColumn {
    table: "azure_credentials",
    column: "client_secret",
};
/// The whole key file JSON (its `private_key` is the secret; the rest is read back too).
pub const GCP_SERVICE_ACCOUNT: SecretColumn = SecretColumn {
    table: "gcp_credentials",
    column: "service_account",
};
/// The Azure billing (management) account's client secret.
pub const MANAGEMENT_CLIENT_SECRET: SecretColumn = SecretColumn {
    table: "management_accounts",
    column: "client_secret",
};
pub const COLUMNS: [SecretColumn; 3] = [
    AZURE_CLIENT_SECRET,
    GCP_SERVICE_ACCOUNT,
    MANAGEMENT_CLIENT_SECRET,
];

impl SecretColumn {
    fn aad(&self, account_id: &str) -> String {
        format!("onramp:{}.{}:{account_id}", self.table, self.column)
    }
}

/// A stored value that does not open with the key (wrong key, damaged, or moved from another
/// row). Names the row, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot decrypt {}.{} of account {account_id}", column.table, column.column)]
pub struct Undecryptable {
    pub column: SecretColumn,
    pub account_id: String,
}

pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// The key, and (for a key file) a shared lock on that file held while the server runs, so
/// `rotate-key` cannot swap the key under a running server.
pub struct Secrets {
    cipher: Aes256Gcm,
    _lock: Option<File>,
}

impl Secrets {
    pub fn from_key(key: [u8; 32]) -> Self {
        Self {
            cipher: Aes256Gcm::new(&Key::<Aes256Gcm>::from(key)),
            _lock: None,
        }
    }

    /// A random key that lives as long as the process (for `:memory:` databases).
    pub fn in_memory() -> Self {
        Self::from_key(util::random_bytes())
    }

    pub fn seal(&self, column: SecretColumn, account_id: &str, plaintext: &str) -> String {
        let nonce: [u8; NONCE_LEN] = util::random_bytes();
        let aad = column.aad(account_id);
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::<Aes256Gcm>::from(nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            // Only fails beyond GCM's length limit (64 GiB), far above any request body.
            .expect("AES-GCM seals a value of this size");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", B64.encode(out))
    }

    pub fn open(
        &self,
        column: SecretColumn,
        account_id: &str,
        stored: &str,
    ) -> Result<String, Undecryptable> {
        let fail = || Undecryptable {
            column,
            account_id: account_id.to_owned(),
        };
        let bytes = stored
            .strip_prefix(PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .filter(|b| b.len() >= NONCE_LEN)
            .ok_or_else(fail)?;
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| fail())?;
        let aad = column.aad(account_id);
        let plain = self
            .cipher
            .decrypt(
                &Nonce::<Aes256Gcm>::from(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| fail())?;
        String::from_utf8(plain).map_err(|_| fail())
    }
}

/// `<path>.new`: where `rotate-key` writes the new key before renaming it over the key file.
pub fn pending_key_path(key_file: &Path) -> PathBuf {
    let mut name = key_file.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

fn write_key_file(path: &Path, key: &[u8; 32]) -> std::io::Result<()> {
    let mut f = util::create_private_file(path)?;
    f.write_all(format!("{}\n", B64.encode(key)).as_bytes())?;
    f.sync_all()
}

/// The key in `path`, or `None` if there is no such file.
fn read_key_file(path: &Path) -> Result<Option<[u8; 32]>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("Cannot read the key file {}: {e}", path.display())),
    };
    B64.decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .map(Some)
        .ok_or_else(|| {
            format!(
                "The key file {} is not an Onramp key (32 bytes in base64 on one line).",
                path.display()
            )
        })
}

/// Every stored secret: (column, account id, stored value).
fn stored_values(conn: &Connection) -> rusqlite::Result<Vec<(SecretColumn, String, String)>> {
    let mut out = Vec::new();
    for col in COLUMNS {
        let mut stmt = conn.prepare(&format!(
            "SELECT account_id, {c} FROM {t} WHERE {c} IS NOT NULL",
            c = col.column,
            t = col.table
        ))?;
        let rows = stmt.query_map([], |r| Ok((col, r.get(0)?, r.get(1)?)))?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

fn store(
    conn: &Connection,
    col: SecretColumn,
    account_id: &str,
    value: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        &format!(
            "UPDATE {t} SET {c} = ?1 WHERE account_id = ?2",
            c = col.column,
            t = col.table
        ),
        params![value, account_id],
    )?;
    Ok(())
}

/// Takes a lock on the key file (shared for a server, exclusive for `rotate-key`).
fn lock_key_file(path: &Path, exclusive: bool) -> Result<File, String> {
    let f = File::open(path)
        .map_err(|e| format!("Cannot open the key file {}: {e}", path.display()))?;
    let locked = if exclusive {
        f.try_lock()
    } else {
        f.try_lock_shared()
    };
    match locked {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) if exclusive => Err(format!(
            "The key file {} is in use by a running onramp-api; stop it first (it would keep \
             writing secrets with the old key).",
            path.display()
        )),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "The key file {} is locked by onramp-api rotate-key; start again when it has finished.",
            path.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(format!("Cannot lock the key file {}: {e}", path.display()))
        }
    }
}

/// At start: loads the key (`key_file`; `None`: a random in-memory key), checks that it opens
/// every stored secret, and seals the secrets still stored in plain text, all in one
/// transaction. Returns the key and how many values it sealed.
///
/// Refuses to start, naming the key file, when the file is missing while sealed values exist
/// or when it does not open them: starting anyway would lose those secrets.
pub fn unlock(conn: &mut Connection, key_file: Option<&Path>) -> Result<(Secrets, usize), String> {
    let db_err = |e: rusqlite::Error| format!("Cannot read the stored secrets: {e}");
    let tx = conn.transaction().map_err(db_err)?;
    let values = stored_values(&tx).map_err(db_err)?;
    let sealed = values.iter().filter(|(_, _, v)| is_sealed(v)).count();
    let secrets = match key_file {
        None => Secrets::in_memory(),
        Some(path) => {
            let key = match read_key_file(path)? {
                Some(key) => key,
                None if sealed > 0 => {
                    return Err(format!(
                        "The key file {} does not exist, but the database holds {sealed} \
                         encrypted secret(s) that only it can decrypt. Restore that file (or \
                         point --key-file / ONRAMP_KEY_FILE at it); nothing was changed.",
                        path.display()
                    ));
                }
                None => {
                    let key = util::random_bytes();
                    write_key_file(path, &key).map_err(|e| {
                        format!("Cannot create the key file {}: {e}", path.display())
                    })?;
                    key
                }
            };
            Secrets {
                _lock: Some(lock_key_file(path, false)?),
                ..Secrets::from_key(key)
            }
        }
    };
    let mut sealed_now = 0;
    for (col, account_id, value) in values {
        if is_sealed(&value) {
            if let Err(e) = secrets.open(col, &account_id, &value) {
                return Err(wrong_key(key_file, &e));
            }
        } else {
            store(
                &tx,
                col,
                &account_id,
                &secrets.seal(col, &account_id, &value),
            )
            .map_err(db_err)?;
            sealed_now += 1;
        }
    }
    tx.commit().map_err(db_err)?;
    Ok((secrets, sealed_now))
}

fn wrong_key(key_file: Option<&Path>, e: &Undecryptable) -> String {
    let Some(path) = key_file else {
        return format!(
            "The database holds encrypted secrets ({e}) but no key file was given; pass \
             --key-file (ONRAMP_KEY_FILE)."
        );
    };
    let pending = pending_key_path(path);
    let hint = if pending.exists() {
        format!(
            " {} exists: an interrupted rotate-key may have left the right key there.",
            pending.display()
        )
    } else {
        String::new()
    };
    format!(
        "The key file {} does not decrypt the stored secrets ({e}): it is not the key they \
         were encrypted with. Restore the right key file; nothing was changed.{hint}",
        path.display()
    )
}

/// `onramp-api rotate-key`: re-encrypts every stored secret under a new key. The new key is
/// written to `<key file>.new` (0600) first, the database is re-encrypted in one transaction,
/// then the new file is renamed over the key file. A crash before the commit leaves the old
/// key valid; after it, `<key file>.new` holds the right key (the start-up error says so).
/// Returns what it did, for the operator.
pub fn rotate_key(conn: &mut Connection, key_file: &Path) -> Result<String, String> {
    let (mut old, sealed_now) = unlock(conn, Some(key_file))?;
    // Swap the shared lock of `unlock` for an exclusive one.
    old._lock = None;
    let _lock = lock_key_file(key_file, true)?;
    let new_key: [u8; 32] = util::random_bytes();
    let new = Secrets::from_key(new_key);
    let pending = pending_key_path(key_file);
    write_key_file(&pending, &new_key).map_err(|e| {
        if e.kind() == ErrorKind::AlreadyExists {
            format!(
                "{} exists: an earlier rotate-key did not finish. If the server starts with {}, \
                 delete it; otherwise it holds the key the secrets are encrypted with: move it \
                 over {}.",
                pending.display(),
                key_file.display(),
                key_file.display()
            )
        } else {
            format!("Cannot create {}: {e}", pending.display())
        }
    })?;
    let reencrypt = |conn: &mut Connection| -> Result<usize, String> {
        let db_err = |e: rusqlite::Error| format!("Cannot re-encrypt the stored secrets: {e}");
        let tx = conn.transaction().map_err(db_err)?;
        let values = stored_values(&tx).map_err(db_err)?;
        for (col, account_id, value) in &values {
            let plain = old
                .open(*col, account_id, value)
                .map_err(|e| wrong_key(Some(key_file), &e))?;
            store(&tx, *col, account_id, &new.seal(*col, account_id, &plain)).map_err(db_err)?;
        }
        tx.commit().map_err(db_err)?;
        Ok(values.len())
    };
    let count = match reencrypt(conn) {
        Ok(n) => n,
        Err(e) => {
            // Nothing was committed: the old key still holds.
            let _ = std::fs::remove_file(&pending);
            return Err(e);
        }
    };
    std::fs::rename(&pending, key_file).map_err(|e| {
        format!(
            "The secrets are re-encrypted with the key in {}, but renaming it over {} failed \
             ({e}); move it there by hand before starting the server.",
            pending.display(),
            key_file.display()
        )
    })?;
    // Make the rename itself durable.
    if let Some(dir) = key_file.parent()
        && let Ok(d) = File::open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
    {
        let _ = d.sync_all();
    }
    let plain = if sealed_now > 0 {
        format!(" ({sealed_now} of them were stored in plain text until now)")
    } else {
        String::new()
    };
    Ok(format!(
        "Re-encrypted {count} stored secret(s){plain} under a new key, now in {}; the old key \
         no longer decrypts anything.",
        key_file.display()
    ))
}

/// `rotate-key` for the configured database and key file.
pub fn rotate_key_of(config: &crate::Config) -> Result<String, String> {
    let Some(key_file) = config.key_file_path() else {
        return Err(
            "rotate-key needs a database file (--db): an in-memory database has no key to rotate."
                .to_owned(),
        );
    };
    // Opening would create an empty database (and a key for it): a typo in --db, not a rotation.
    if !Path::new(&config.db).exists() {
        return Err(format!("There is no database at {:?}.", config.db));
    }
    let db = crate::db::Db::open(&config.db)
        .map_err(|e| format!("Cannot open the database {:?}: {e}", config.db))?;
    rotate_key(&mut db.conn(), &key_file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let s = Secrets::in_memory();
        let a = s.seal(AZURE_CLIENT_SECRET, "act-00000001", "hunter2");
        assert!(is_sealed(&a));
        assert!(!a.contains("hunter2"));
        assert_ne!(
            a,
            s.seal(AZURE_CLIENT_SECRET, "act-00000001", "hunter2"),
            "fresh nonce"
        );
        assert_eq!(
            s.open(AZURE_CLIENT_SECRET, "act-00000001", &a).unwrap(),
            "hunter2"
        );
        // Another row, another column, another key, a plaintext or damaged value: refused.
        assert!(s.open(AZURE_CLIENT_SECRET, "act-00000002", &a).is_err());
        assert!(
            s.open(MANAGEMENT_CLIENT_SECRET, "act-00000001", &a)
                .is_err()
        );
        assert!(
            Secrets::in_memory()
                .open(AZURE_CLIENT_SECRET, "act-00000001", &a)
                .is_err()
        );
        assert!(
            s.open(AZURE_CLIENT_SECRET, "act-00000001", "hunter2")
                .is_err()
        );
        assert!(
            s.open(AZURE_CLIENT_SECRET, "act-00000001", "enc:v1:AAAA")
                .is_err()
        );
    }
}
