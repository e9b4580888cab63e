//! Cloud secrets at rest: on disk they are only ever ciphertext, under a key kept in a file
//! beside the database; a wrong or missing key stops the server instead of losing them.

mod common;

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use common::*;
use onramp_api::{
    AppState, Config,
    secrets::{self, AZURE_CLIENT_SECRET, GCP_SERVICE_ACCOUNT, MANAGEMENT_CLIENT_SECRET},
};
use serde_json::{Value, json};

// Each passes the console's validation; the middle part is what the database is searched for.
const LINKED_SECRET: &str = "Lk4~LinkedSecretAtRestqrstuvwxyz0123456";
const BILLING_SECRET: &str = "Mg5~BillingSecretAtRestrstuvwxyz0123456";
const PEM_LINE: &str = "U2VjcmV0c0F0UmVzdE9ucmFtcEtleTAx";
const MCA: &str =
    "0f8fad5b-d9cb-469f-a165-70867728950e:7c9e6679-7425-40de-944b-e07fc1f90ae7_2019-05-31";

fn pem() -> String {
    format!(
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n{PEM_LINE}\n-----END PRIVATE KEY-----\n"
    )
}

/// What must never be found in the database file: each secret and a distinctive part of it.
fn needles() -> Vec<String> {
    vec![
        LINKED_SECRET.into(),
        "LinkedSecretAtRest".into(),
        BILLING_SECRET.into(),
        "BillingSecretAtRest".into(),
        PEM_LINE.into(),
        "cmV0c0F0UmVzdE9ucmFt".into(),
    ]
}

fn in_days(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(days)).to_string()
}

fn gcp_key() -> Value {
    gcp_key_with(&pem())
}

fn azure_creds(secret: &str) -> Value {
    json!({
        "clientId": "11111111-2222-3333-4444-555555555555",
        "clientSecret": secret,
        "tenantId": "66666666-7777-8888-9999-aaaaaaaaaaaa",
        "subscriptionId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "expirationDate": in_days(180),
    })
}

/// A fresh, empty directory of its own for each test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "secrets-{name}-{}-{}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A test configuration whose database is the file `name` in `dir`.
fn db_in(dir: &Path, name: &str) -> Config {
    Config {
        db: dir.join(name).to_str().unwrap().to_owned(),
        ..Config::for_tests()
    }
}

/// A fresh directory for the test `name`, and a server on a database file in it.
fn on_disk(name: &str) -> (PathBuf, Config, TestApp) {
    let dir = temp_dir(name);
    let c = db_in(&dir, "onramp.sqlite");
    let app = TestApp::with(c.clone());
    (dir, c, app)
}

fn key_file(c: &Config) -> PathBuf {
    c.key_file_path().unwrap()
}

/// Rotates the key of a server this test has just dropped. Other tests in this binary spawn
/// processes: a child between fork and exec holds a copy of every open descriptor, our key
/// file's shared lock included, for a moment after we close it. So "in use" is retried briefly.
fn rotate_after_drop(c: &Config) -> Result<String, String> {
    for _ in 0..50 {
        match secrets::rotate_key_of(c) {
            Err(e) if e.contains("in use by a running onramp-api") => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            done => return done,
        }
    }
    secrets::rotate_key_of(c)
}

/// The database file and whatever SQLite keeps beside it (journal, WAL).
fn database_bytes(c: &Config) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-journal", "-wal"] {
        if let Ok(b) = std::fs::read(format!("{}{suffix}", c.db)) {
            all.extend(b);
        }
    }
    assert!(!all.is_empty(), "no database at {}", c.db);
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[track_caller]
fn assert_no_secret_in_file(c: &Config, when: &str) {
    let bytes = database_bytes(c);
    for n in needles() {
        assert!(
            !contains(&bytes, &n),
            "{n:?} is in the database file {when}"
        );
    }
    let key = std::fs::read_to_string(key_file(c)).unwrap();
    assert!(
        !contains(&bytes, key.trim()),
        "the key is in the database {when}"
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn azure_url(account: &str) -> String {
    format!("/api/azure/setup/credentials?accountId={account}")
}

async fn set_azure_secret(app: &TestApp, token: &str, account: &str, secret: &str) {
    app.post(&azure_url(account), token, azure_creds(secret))
        .await
        .expect(200);
}

/// Sets every kind of cloud secret through the routes; returns (token, azure account, gcp
/// account, billing account).
async fn store_all_secrets(app: &TestApp) -> (String, String, String, String) {
    let (token, _) = app.signup("secrets@example.com").await;
    let azure = app.new_account(&token, "Azure prod").await;
    set_azure_secret(app, &token, &azure, LINKED_SECRET).await;
    let gcp = app.new_account(&token, "Data").await;
    app.post(
        &format!("/api/gcp/setup/credentials?accountId={gcp}"),
        &token,
        json!({"serviceAccount": gcp_key()}),
    )
    .await
    .expect(200);
    let billing = app.new_account(&token, "Billing").await;
    app.post(
        "/api/onramp/management/azure",
        &token,
        json!({
            "accountId": billing,
            "clientId": "11111111-2222-3333-4444-555555555555",
            "tenantId": "66666666-7777-8888-9999-aaaaaaaaaaaa",
            "clientSecret": BILLING_SECRET,
            "expirationDate": in_days(180),
            "agreementType": "mca",
            "billingAccountId": MCA,
        }),
    )
    .await
    .expect(200);
    (token, azure, gcp, billing)
}

/// Reads every secret back through the routes (masked or stripped, never whole) and through
/// the db layer's decrypt (whole).
async fn assert_secrets_readable(
    app: &TestApp,
    token: &str,
    azure: &str,
    gcp: &str,
    billing: &str,
) {
    let a = app.get(&azure_url(azure), token).await;
    a.expect(200);
    assert_eq!(a.item()["clientSecret"], "Lk4****");
    let g = app
        .get(
            &format!("/api/gcp/setup/credentials?accountId={gcp}"),
            token,
        )
        .await;
    g.expect(200);
    assert_eq!(
        g.item()["serviceAccount"]["client_email"],
        "spot-connector@acme-prod-42.iam.gserviceaccount.com"
    );
    let m = app.get("/api/onramp/management", token).await;
    m.expect(200);
    assert_eq!(m.item()["azure"]["clientSecret"], "Mg5****");
    for answer in [&a, &g, &m] {
        for n in needles() {
            assert!(!answer.text.contains(&n), "{n:?} answered: {}", answer.text);
        }
        assert!(!answer.text.contains("PRIVATE KEY"), "{}", answer.text);
    }
    let conn = app.state.db.conn();
    let read = |sql: &str, id: &str| -> String { conn.query_row(sql, [id], |r| r.get(0)).unwrap() };
    let s = &app.state.secrets;
    let stored = read(
        "SELECT client_secret FROM azure_credentials WHERE account_id = ?1",
        azure,
    );
    assert_eq!(
        s.open(AZURE_CLIENT_SECRET, azure, &stored).unwrap(),
        LINKED_SECRET
    );
    let stored = read(
        "SELECT service_account FROM gcp_credentials WHERE account_id = ?1",
        gcp,
    );
    let sa: Value =
        serde_json::from_str(&s.open(GCP_SERVICE_ACCOUNT, gcp, &stored).unwrap()).unwrap();
    assert_eq!(sa["private_key"], pem());
    let stored = read(
        "SELECT client_secret FROM management_accounts WHERE account_id = ?1",
        billing,
    );
    assert_eq!(
        s.open(MANAGEMENT_CLIENT_SECRET, billing, &stored).unwrap(),
        BILLING_SECRET
    );
}

#[tokio::test]
async fn secrets_never_reach_the_database_file() {
    let (dir, c, app) = on_disk("file");
    let (token, azure, gcp, billing) = store_all_secrets(&app).await;
    assert_secrets_readable(&app, &token, &azure, &gcp, &billing).await;
    assert_no_secret_in_file(&c, "after set");
    // Setting again (a rotated client secret) leaves no trace of the first one either.
    set_azure_secret(
        &app,
        &token,
        &azure,
        "Lk4~Second0000000000qrstuvwxyz0123456a",
    )
    .await;
    set_azure_secret(&app, &token, &azure, LINKED_SECRET).await;
    assert_no_secret_in_file(&c, "after a second set");
    drop(app);

    let key_before = std::fs::read(key_file(&c)).unwrap();
    let done = rotate_after_drop(&c).unwrap();
    assert!(done.contains("Re-encrypted 3 stored secret(s)"), "{done}");
    assert_ne!(std::fs::read(key_file(&c)).unwrap(), key_before);
    assert!(!secrets::pending_key_path(&key_file(&c)).exists());
    assert_no_secret_in_file(&c, "after rotate-key");

    // Restart: the same files, the (new) key from the key file.
    let app = TestApp::with(c.clone());
    assert_no_secret_in_file(&c, "after a restart");
    assert_secrets_readable(&app, &token, &azure, &gcp, &billing).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_wrong_key_is_refused_at_start() {
    let (dir, c, app) = on_disk("wrong-key");
    store_all_secrets(&app).await;
    drop(app);
    let before = database_bytes(&c);
    let other = dir.join("other.key");
    std::fs::write(&other, "6bUKOp3p1Pjbz3Ff5gzHeSqDJNfo3l0b2h3q6i6N5XA=\n").unwrap();
    let wrong = Config {
        key_file: Some(other.clone()),
        ..c.clone()
    };
    let e = AppState::new(wrong.clone()).err().expect("refused");
    assert!(e.contains(other.to_str().unwrap()), "{e}");
    assert!(e.contains("does not decrypt"), "{e}");
    assert_eq!(database_bytes(&c), before, "nothing written");
    // The binary says so and exits before listening.
    let (code, stderr) = run_server(&wrong);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(other.to_str().unwrap()), "{stderr}");
    // rotate-key refuses a wrong key too, and leaves no new key behind.
    let e = secrets::rotate_key_of(&wrong).unwrap_err();
    assert!(e.contains("does not decrypt"), "{e}");
    assert!(!secrets::pending_key_path(&other).exists());
    // The right key still works.
    AppState::new(c).expect("the right key opens it");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_missing_key_file_is_refused_when_secrets_are_stored() {
    let (dir, c, app) = on_disk("missing-key");
    store_all_secrets(&app).await;
    drop(app);
    let key = key_file(&c);
    let saved = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    let e = AppState::new(c.clone()).err().expect("refused");
    assert!(e.contains(key.to_str().unwrap()), "{e}");
    assert!(e.contains("does not exist"), "{e}");
    assert!(!key.exists(), "no new key replaces the lost one");
    let e = secrets::rotate_key_of(&c).unwrap_err();
    assert!(e.contains("does not exist"), "{e}");
    std::fs::write(&key, saved).unwrap();
    AppState::new(c).expect("starts once the key is back");
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(unix)]
#[tokio::test]
async fn key_and_database_files_are_created_private() {
    let (dir, c, app) = on_disk("modes");
    assert_eq!(mode(Path::new(&c.db)), 0o600);
    assert_eq!(mode(&key_file(&c)), 0o600);
    store_all_secrets(&app).await;
    drop(app);
    rotate_after_drop(&c).unwrap();
    assert_eq!(mode(&key_file(&c)), 0o600, "the rotated key too");
    // An explicit --key-file elsewhere, through the binary's own start.
    let c2 = Config {
        db: dir.join("second.sqlite").to_str().unwrap().to_owned(),
        key_file: Some(dir.join("keys.b64")),
        ..Config::for_tests()
    };
    AppState::new(c2.clone()).unwrap();
    assert_eq!(mode(Path::new(&c2.db)), 0o600);
    assert_eq!(mode(&dir.join("keys.b64")), 0o600);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn plaintext_rows_are_encrypted_on_start() {
    let (dir, c, app) = on_disk("plaintext");
    let (token, azure, gcp, billing) = store_all_secrets(&app).await;
    drop(app);
    // A database from before encryption: the same rows in plain text.
    {
        let conn = rusqlite::Connection::open(&c.db).unwrap();
        conn.execute(
            "UPDATE azure_credentials SET client_secret = ?1 WHERE account_id = ?2",
            [LINKED_SECRET, &azure],
        )
        .unwrap();
        conn.execute(
            "UPDATE gcp_credentials SET service_account = ?1 WHERE account_id = ?2",
            [&gcp_key().to_string(), &gcp],
        )
        .unwrap();
        conn.execute(
            "UPDATE management_accounts SET client_secret = ?1 WHERE account_id = ?2",
            [BILLING_SECRET, &billing],
        )
        .unwrap();
    }
    let bytes = database_bytes(&c);
    assert!(contains(&bytes, LINKED_SECRET) && contains(&bytes, PEM_LINE));
    let app = TestApp::with(c.clone());
    assert_no_secret_in_file(&c, "after a start");
    assert_secrets_readable(&app, &token, &azure, &gcp, &billing).await;
    let sealed: i64 = app
        .state
        .db
        .conn()
        .query_row(
            "SELECT (SELECT COUNT(*) FROM azure_credentials WHERE client_secret LIKE 'enc:v1:%') \
             + (SELECT COUNT(*) FROM gcp_credentials WHERE service_account LIKE 'enc:v1:%') \
             + (SELECT COUNT(*) FROM management_accounts WHERE client_secret LIKE 'enc:v1:%')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sealed, 3);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_ciphertext_copied_to_another_row_does_not_decrypt() {
    let (dir, c, app) = on_disk("moved");
    let (token, azure, _, _) = store_all_secrets(&app).await;
    let other = app.new_account(&token, "Azure dev").await;
    set_azure_secret(
        &app,
        &token,
        &other,
        "Ot8~OtherSecret00000qrstuvwxyz0123456ab",
    )
    .await;
    // Someone with write access to the database swaps in the first account's ciphertext.
    app.exec(&format!(
        "UPDATE azure_credentials SET client_secret = \
         (SELECT client_secret FROM azure_credentials WHERE account_id = '{azure}') \
         WHERE account_id = '{other}'"
    ));
    app.get(&azure_url(&other), &token)
        .await
        .expect_error(500, "InternalError", None);
    app.get(&azure_url(&azure), &token).await.expect(200);
    let moved: String = app
        .state
        .db
        .conn()
        .query_row(
            "SELECT client_secret FROM azure_credentials WHERE account_id = ?1",
            [&other],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        app.state
            .secrets
            .open(AZURE_CLIENT_SECRET, &other, &moved)
            .is_err()
    );
    assert!(
        app.state
            .secrets
            .open(AZURE_CLIENT_SECRET, &azure, &moved)
            .is_ok()
    );
    drop(app);
    // The start-up check finds it as well.
    let e = AppState::new(c).err().expect("refused");
    assert!(e.contains(&other), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn rotate_key_refuses_while_a_server_runs_and_works_from_the_command_line() {
    let (dir, c, app) = on_disk("rotate");
    store_all_secrets(&app).await;
    let key_before = std::fs::read(key_file(&c)).unwrap();
    let e = secrets::rotate_key_of(&c).unwrap_err();
    assert!(e.contains("in use by a running onramp-api"), "{e}");
    assert_eq!(std::fs::read(key_file(&c)).unwrap(), key_before);
    drop(app);
    let out = Command::new(env!("CARGO_BIN_EXE_onramp-api"))
        .args(["rotate-key", "--db", &c.db])
        .env_clear()
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Re-encrypted 3 stored secret(s)"),
        "{stdout}"
    );
    assert!(stdout.contains(key_file(&c).to_str().unwrap()), "{stdout}");
    assert_ne!(std::fs::read(key_file(&c)).unwrap(), key_before);
    assert_no_secret_in_file(&c, "after rotate-key");
    AppState::new(c).expect("starts with the new key");
    // A mistyped --db is not a rotation: nothing is created.
    let typo = db_in(&dir, "onramp.sqlit");
    let e = secrets::rotate_key_of(&typo).unwrap_err();
    assert!(e.contains("no database"), "{e}");
    assert!(!Path::new(&typo.db).exists());
    assert!(!key_file(&typo).exists());
    let _ = std::fs::remove_dir_all(dir);
}

/// Starts the binary with `c`'s database and key file; it must exit on its own (a refused
/// start). Returns its exit code and stderr.
fn run_server(c: &Config) -> (Option<i32>, String) {
    let mut args = vec![
        "--listen".to_owned(),
        "127.0.0.1:0".to_owned(),
        "--db".to_owned(),
        c.db.clone(),
    ];
    if let Some(k) = &c.key_file {
        args.extend(["--key-file".to_owned(), k.to_str().unwrap().to_owned()]);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_onramp-api"))
        .args(&args)
        .env_clear()
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server started instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
