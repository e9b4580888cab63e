//! Ours: AWS connect tokens (`POST /api/onramp/aws/connect-token`), with which a CloudFormation
//! stack sets its Spot account's AWS credentials once by itself.

mod common;

use common::*;
use onramp_api::Config;
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/Spot-Role-act";

fn with_public_url() -> Config {
    Config {
        public_url: Some("https://onramp.example.com".into()),
        ..config()
    }
}

fn app() -> TestApp {
    TestApp::with(with_public_url())
}

fn mint_uri(account: &str) -> String {
    format!("/api/onramp/aws/connect-token?accountId={account}")
}

fn credentials_uri(account: &str) -> String {
    format!("/api/setup/credentials/aws?accountId={account}")
}

fn role_body(role: &str) -> Value {
    json!({"credentials": {"iamRole": role}})
}

/// An admin's session and a new account with a generated external ID.
async fn admin_with_account(app: &TestApp, email: &str) -> (String, String) {
    let (token, _) = app.signup(email).await;
    let account = app.new_account(&token, "Prod").await;
    app.generate_external_id(&token, &account).await;
    (token, account)
}

async fn mint(app: &TestApp, token: &str, account: &str) -> Answer {
    app.call("POST", &mint_uri(account), Some(token), None)
        .await
}

async fn connect_token(app: &TestApp, token: &str, account: &str) -> String {
    let a = mint(app, token, account).await;
    a.expect(200);
    a.item()["connectToken"].as_str().unwrap().to_owned()
}

/// The role stored for `account`, if any (read with the admin's session).
async fn stored_role(app: &TestApp, token: &str, account: &str) -> Option<String> {
    let a = app.get(&credentials_uri(account), token).await;
    a.expect(200);
    a.items()
        .first()
        .map(|c| c["iamRole"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn an_admin_mints_a_token_that_lasts_two_hours() {
    let app = app();
    let (token, account) = admin_with_account(&app, "ada@example.com").await;
    let a = mint(&app, &token, &account).await;
    a.expect(200);
    assert_envelope(
        &a,
        "POST",
        &format!("/onramp/aws/connect-token?accountId={account}"),
    );
    assert_eq!(a.body["response"]["kind"], "onramp:aws:connectToken");
    assert_eq!(a.items().len(), 1);
    let item = a.item().as_object().unwrap();
    let keys: Vec<&str> = item.keys().map(String::as_str).collect();
    assert_eq!(keys, ["connectToken", "expiresAt"]);
    let secret = item["connectToken"].as_str().unwrap();
    assert_eq!(secret.len(), 43, "32 random bytes, base64url");
    let expires = item["expiresAt"].as_str().unwrap();
    assert!(is_iso_ms(expires), "{expires}");
    let expires =
        time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339)
            .unwrap();
    let left = expires - time::OffsetDateTime::now_utc();
    assert!(
        left > time::Duration::minutes(119) && left <= time::Duration::hours(2),
        "{left}"
    );
}

#[tokio::test]
async fn viewers_and_other_organizations_get_no_token() {
    let app = app();
    let (admin, account) = admin_with_account(&app, "ada@example.com").await;
    let (viewer, _) = app.join(&admin, "bob@example.com", "viewer").await;
    mint(&app, &viewer, &account)
        .await
        .expect_error(403, "FORBIDDEN", None);

    // Another organization's admin: the account does not exist for them, as everywhere.
    let (stranger, _) = app.signup("eve@example.com").await;
    mint(&app, &stranger, &account)
        .await
        .expect_error(400, "Account_DOESNT_EXIST", None);
    mint(&app, &stranger, "act-nonsense").await.expect_error(
        400,
        "ValidationError",
        Some("query.accountId"),
    );
    app.call("POST", &mint_uri(&account), None, None)
        .await
        .expect_error(401, "Unauthorized", None);
    assert_eq!(app.count("SELECT COUNT(*) FROM connect_tokens"), 0);
}

#[tokio::test]
async fn no_token_without_a_public_url_or_an_external_id() {
    let plain = TestApp::new();
    let (token, _) = plain.signup("ada@example.com").await;
    let account = plain.new_account(&token, "Prod").await;
    plain.generate_external_id(&token, &account).await;
    let a = mint(&plain, &token, &account).await;
    a.expect_error(404, "CONNECT_TOKENS_UNAVAILABLE", None);
    assert!(a.message().contains("--public-url"), "{}", a.text);

    let app = app();
    let (token, _) = app.signup("bea@example.com").await;
    let account = app.new_account(&token, "Prod").await;
    let a = mint(&app, &token, &account).await;
    a.expect_error(400, "ValidationError", Some("query.accountId"));
    assert!(a.message().contains("external ID"), "{}", a.text);
}

#[tokio::test]
async fn the_token_sets_its_account_role_once() {
    let app = app();
    let (admin, account) = admin_with_account(&app, "ada@example.com").await;
    let secret = connect_token(&app, &admin, &account).await;

    // The ARN is validated as always, and a refused body does not use the token up.
    let bad = app
        .post(&credentials_uri(&account), &secret, role_body("not-an-arn"))
        .await;
    bad.expect_error(400, "ValidationError", Some("body.credentials.iamRole"));

    let ok = app
        .post(&credentials_uri(&account), &secret, role_body(ROLE))
        .await;
    ok.expect_spot(
        200,
        "POST",
        &format!("/setup/credentials/aws?accountId={account}"),
        "status_only.json",
    );
    assert_eq!(
        stored_role(&app, &admin, &account).await.as_deref(),
        Some(ROLE)
    );
    let acc = app
        .get(&format!("/api/setup/account/{account}"), &admin)
        .await;
    assert_eq!(acc.item()["cloudProvider"], "aws");

    let again = app
        .post(
            &credentials_uri(&account),
            &secret,
            role_body("arn:aws:iam::123456789012:role/Other"),
        )
        .await;
    again.expect_error(401, "CONNECT_TOKEN_USED", None);
    assert_eq!(
        stored_role(&app, &admin, &account).await.as_deref(),
        Some(ROLE)
    );
}

#[tokio::test]
async fn the_token_works_for_its_account_and_route_only() {
    let app = app();
    let (admin, account) = admin_with_account(&app, "ada@example.com").await;
    let other = app.new_account(&admin, "Staging").await;
    app.generate_external_id(&admin, &other).await;
    let secret = connect_token(&app, &admin, &account).await;

    // Another account of the same organization, or none named.
    for uri in [
        credentials_uri(&other),
        "/api/setup/credentials/aws".to_owned(),
    ] {
        let a = app.post(&uri, &secret, role_body(ROLE)).await;
        a.expect_error(401, "CONNECT_TOKEN_OTHER_ACCOUNT", None);
    }
    assert_eq!(stored_role(&app, &admin, &other).await, None);

    // Every other route: an unknown token, reads and the same route's GET included.
    for (method, uri, body) in [
        ("GET", credentials_uri(&account), None),
        ("GET", "/api/setup/account".to_owned(), None),
        ("GET", "/api/auth/me".to_owned(), None),
        (
            "POST",
            format!("/api/setup/credentials/aws/externalId?accountId={account}"),
            None,
        ),
        ("POST", mint_uri(&account), None),
        (
            "POST",
            format!("/api/azure/setup/credentials?accountId={account}"),
            Some(json!({})),
        ),
        (
            "POST",
            "/api/setup/account".to_owned(),
            Some(json!({"account": {"name": "Sneaky"}})),
        ),
    ] {
        let a = app.call(method, &uri, Some(&secret), body).await;
        a.expect_error(401, "Unauthorized", None);
    }

    // Still good for what it is for.
    app.post(&credentials_uri(&account), &secret, role_body(ROLE))
        .await
        .expect(200);
}

#[tokio::test]
async fn an_expired_token_says_so() {
    let app = app();
    let (admin, account) = admin_with_account(&app, "ada@example.com").await;
    let secret = connect_token(&app, &admin, &account).await;
    app.exec("UPDATE connect_tokens SET expires_at = '2020-01-01T00:00:00.000Z'");
    let a = app
        .post(&credentials_uri(&account), &secret, role_body(ROLE))
        .await;
    a.expect_error(401, "CONNECT_TOKEN_EXPIRED", None);
    assert!(a.message().contains("expired"), "{}", a.text);
    assert_eq!(stored_role(&app, &admin, &account).await, None);
}

#[tokio::test]
async fn the_lifetime_knob_shortens_new_tokens() {
    let mut c = with_public_url();
    c.faults.connect_token_ttl_secs = Some(1);
    let app = TestApp::with(c);
    let (admin, account) = admin_with_account(&app, "ada@example.com").await;
    let a = mint(&app, &admin, &account).await;
    let expires = time::OffsetDateTime::parse(
        a.item()["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(expires - time::OffsetDateTime::now_utc() <= time::Duration::seconds(1));
}

#[tokio::test]
async fn a_new_token_replaces_the_unused_one() {
    let app = app();
    let (admin, account) = admin_with_account(&app, "ada@example.com").await;
    let first = connect_token(&app, &admin, &account).await;
    let second = connect_token(&app, &admin, &account).await;
    assert_ne!(first, second);
    app.post(&credentials_uri(&account), &first, role_body(ROLE))
        .await
        .expect_error(401, "Unauthorized", None);
    app.post(&credentials_uri(&account), &second, role_body(ROLE))
        .await
        .expect(200);
}

#[tokio::test]
async fn the_link_external_id_stays_good_for_the_token_life_unless_replaced() {
    let app = app();
    let (admin, account) = admin_with_account(&app, "ada@example.com").await;
    let secret = connect_token(&app, &admin, &account).await;
    // The external ID's own hour is over, the token's two hours are not.
    app.exec("UPDATE aws_external_ids SET valid_until_unix = 0");
    app.post(&credentials_uri(&account), &secret, role_body(ROLE))
        .await
        .expect(200);

    // Generating another external ID after the link was made: its role trusts a stale one.
    app.generate_external_id(&admin, &account).await;
    let secret = connect_token(&app, &admin, &account).await;
    app.generate_external_id(&admin, &account).await;
    let a = app
        .post(&credentials_uri(&account), &secret, role_body(ROLE))
        .await;
    a.expect_error(400, "ValidationError", Some("query.accountId"));
    assert!(a.message().contains("new stack"), "{}", a.text);
}

#[tokio::test]
async fn signing_out_everywhere_or_losing_admin_rights_voids_unused_tokens() {
    let app = app();
    let (admin, account) = admin_with_account(&app, "ada@example.com").await;
    let secret = connect_token(&app, &admin, &account).await;
    app.call("POST", "/api/auth/signout-everywhere", Some(&admin), None)
        .await
        .expect(200);
    app.post(&credentials_uri(&account), &secret, role_body(ROLE))
        .await
        .expect_error(401, "Unauthorized", None);

    // An admin who mints a token, then is made a viewer: the token goes with the rights.
    let (ada, _) = app.signup("ada2@example.com").await;
    let (bob, bob_me) = app.join(&ada, "bob@example.com", "admin").await;
    let account = app.new_account(&bob, "Bob's").await;
    app.generate_external_id(&bob, &account).await;
    let secret = connect_token(&app, &bob, &account).await;
    app.put(
        &format!("/api/onramp/members/{}", bob_me["userId"].as_str().unwrap()),
        &ada,
        json!({"role": "viewer"}),
    )
    .await
    .expect(200);
    app.post(&credentials_uri(&account), &secret, role_body(ROLE))
        .await
        .expect_error(401, "Unauthorized", None);
}

#[tokio::test]
async fn tokens_are_stored_hashed() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "connect-token-{}-{}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("onramp.sqlite");
    let app = TestApp::with(Config {
        db: db.to_str().unwrap().to_owned(),
        ..with_public_url()
    });
    let (admin, account) = admin_with_account(&app, "ada@example.com").await;
    let secret = connect_token(&app, &admin, &account).await;
    let stored: Vec<u8> = app
        .state
        .db
        .conn()
        .query_row("SELECT hash FROM connect_tokens", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, onramp_api::auth::token_hash(&secret));
    let mut bytes = Vec::new();
    for suffix in ["", "-journal", "-wal"] {
        if let Ok(b) = std::fs::read(format!("{}{suffix}", db.display())) {
            bytes.extend(b);
        }
    }
    assert!(!bytes.is_empty());
    let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
    assert!(!found, "the connect token is in the database file in clear");
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}
