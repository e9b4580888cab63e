//! Ours: personal API tokens (`/api/onramp/tokens`), session lifetimes, signing out everywhere
//! and changing the password.

mod common;

use common::*;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

const PW: &str = "Sup3r-secret!";

fn iso(t: OffsetDateTime) -> String {
    onramp_api::util::iso(t)
}

fn ago(d: Duration) -> String {
    iso(OffsetDateTime::now_utc() - d)
}

fn parse(s: &str) -> OffsetDateTime {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
}

async fn create(app: &TestApp, token: &str, body: Value) -> Answer {
    app.post("/api/onramp/tokens", token, body).await
}

/// A new API token named `name`: (its metadata, the token).
async fn new_token(app: &TestApp, token: &str, name: &str) -> (Value, String) {
    let a = create(app, token, json!({"name": name, "password": PW})).await;
    a.expect(200);
    (
        a.item()["token"].clone(),
        a.item()["accessToken"].as_str().unwrap().to_owned(),
    )
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Answer {
    app.post_anon(
        "/api/auth/token",
        json!({"email": email, "password": password}),
    )
    .await
}

async fn session(app: &TestApp, email: &str) -> String {
    let a = sign_in(app, email, PW).await;
    a.expect(200);
    a.item()["accessToken"].as_str().unwrap().to_owned()
}

async fn works(app: &TestApp, token: &str) -> bool {
    let a = app.get("/api/auth/me", token).await;
    match a.status.as_u16() {
        200 => true,
        401 => {
            a.expect_error(401, "Unauthorized", None);
            false
        }
        s => panic!("unexpected {s}: {}", a.text),
    }
}

fn hash_of(token: &str) -> Vec<u8> {
    onramp_api::auth::token_hash(token).to_vec()
}

/// Sets `column` of the token row of `token` (a timestamp, to move it into the past).
fn set_token(app: &TestApp, token: &str, column: &str, value: &str) {
    let n = app
        .state
        .db
        .conn()
        .execute(
            &format!("UPDATE tokens SET {column} = ?1 WHERE hash = ?2"),
            rusqlite::params![value, hash_of(token)],
        )
        .unwrap();
    assert_eq!(n, 1);
}

fn last_used(app: &TestApp, token: &str) -> Option<String> {
    app.state
        .db
        .conn()
        .query_row(
            "SELECT last_used_at FROM tokens WHERE hash = ?1",
            [hash_of(token)],
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test]
async fn create_list_and_use_an_api_token() {
    let app = TestApp::new();
    let (session, _) = app.signup("ada@example.com").await;
    let a = create(
        &app,
        &session,
        json!({"name": "  CI deploy ", "expiresInDays": 30, "password": PW}),
    )
    .await;
    a.expect(200);
    assert_envelope(&a, "POST", "/onramp/tokens");
    assert_eq!(a.body["response"]["kind"], "onramp:token:created");
    let item = a.item();
    let secret = item["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 43);
    assert_eq!(item["tokenType"], "Bearer");
    let meta = &item["token"];
    assert!(
        meta["tokenId"].as_str().unwrap().starts_with("tok-")
            && meta["tokenId"].as_str().unwrap().len() == 12,
        "{meta}"
    );
    assert_eq!(meta["name"], "CI deploy");
    assert_eq!(meta["lastUsed"], Value::Null);
    let (created, expires) = (
        parse(meta["created"].as_str().unwrap()),
        parse(meta["expires"].as_str().unwrap()),
    );
    assert_eq!(expires - created, Duration::days(30));

    // The token works and is not the session.
    assert_ne!(secret, session);
    let me = app.get("/api/auth/me", &secret).await;
    me.expect(200);
    assert_eq!(me.item()["email"], "ada@example.com");

    // Listed with its metadata, never the token; only its hash is stored.
    let list = app.get("/api/onramp/tokens", &session).await;
    list.expect(200);
    assert_envelope(&list, "GET", "/onramp/tokens");
    assert_eq!(list.body["response"]["kind"], "onramp:token");
    assert_eq!(list.items().len(), 1);
    let listed = list.item();
    assert_eq!(listed["tokenId"], meta["tokenId"]);
    assert_eq!(listed["name"], "CI deploy");
    assert_eq!(listed["expires"], meta["expires"]);
    assert!(
        is_iso_ms(listed["lastUsed"].as_str().unwrap()),
        "used once: {listed}"
    );
    let keys: Vec<_> = listed.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 5, "{keys:?}");
    assert!(!list.text.contains(&secret));
    assert!(!list.text.contains(&session));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM tokens WHERE kind = 'personal' AND length(hash) = 32"),
        1
    );

    // Default lifetime: 90 days. Another user's list does not show them.
    let (meta2, _) = new_token(&app, &session, "Laptop").await;
    assert_eq!(
        parse(meta2["expires"].as_str().unwrap()) - parse(meta2["created"].as_str().unwrap()),
        Duration::days(90)
    );
    let names: Vec<_> = app
        .get("/api/onramp/tokens", &secret)
        .await
        .items()
        .iter()
        .map(|t| t["name"].clone())
        .collect();
    assert_eq!(
        names,
        vec![json!("Laptop"), json!("CI deploy")],
        "newest first"
    );
    let (other, _) = app.signup("zed@example.com").await;
    let other_list = app.get("/api/onramp/tokens", &other).await;
    other_list.expect(200);
    assert!(other_list.items().is_empty());
}

#[tokio::test]
async fn a_wrong_password_is_a_field_error_and_the_session_survives() {
    let mut config = config();
    config.login_attempts = 2;
    let app = TestApp::with(config);
    let (session, _) = app.signup("ada@example.com").await;
    let a = create(
        &app,
        &session,
        json!({"name": "CI", "password": "Wrong-passw0rd!"}),
    )
    .await;
    a.expect_error(400, "WRONG_PASSWORD", Some("body.password"));
    assert!(works(&app, &session).await, "the session is not ended");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM tokens WHERE kind = 'personal'"),
        0
    );
    // An empty password is a plain field error, checked with the other fields.
    let a = create(&app, &session, json!({"name": "", "password": ""})).await;
    a.expect(400);
    assert_eq!(a.fields(), vec!["body.name", "body.password"]);
    // Wrong passwords count in the login throttle like failed sign-ins of the email: after
    // two, this client's sign-in with the right password is throttled too.
    create(
        &app,
        &session,
        json!({"name": "CI", "password": "Wrong-passw0rd?"}),
    )
    .await
    .expect_error(400, "WRONG_PASSWORD", Some("body.password"));
    let t = create(&app, &session, json!({"name": "CI", "password": PW})).await;
    t.expect(429);
    assert!(t.header("retry-after").is_some());
    sign_in(&app, "ada@example.com", PW).await.expect(429);
    assert!(works(&app, &session).await);
}

#[tokio::test]
async fn expiry_is_a_whole_number_of_days_from_1_to_365() {
    let app = TestApp::new();
    let (session, _) = app.signup("ada@example.com").await;
    for bad in [
        json!(0),
        json!(366),
        json!(-1),
        json!(1.5),
        json!("30"),
        json!(1e30),
    ] {
        let a = create(
            &app,
            &session,
            json!({"name": "CI", "expiresInDays": bad, "password": PW}),
        )
        .await;
        a.expect_error(400, "ValidationError", Some("body.expiresInDays"));
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM tokens WHERE kind = 'personal'"),
        0
    );
    for days in [1, 365] {
        let a = create(
            &app,
            &session,
            json!({"name": "CI", "expiresInDays": days, "password": PW}),
        )
        .await;
        a.expect(200);
        let t = &a.item()["token"];
        assert_eq!(
            parse(t["expires"].as_str().unwrap()) - parse(t["created"].as_str().unwrap()),
            Duration::days(days)
        );
    }
    // null is the default.
    create(
        &app,
        &session,
        json!({"name": "CI", "expiresInDays": null, "password": PW}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn a_revoked_token_is_401_and_only_its_owner_may_revoke_it() {
    let app = TestApp::new();
    let (ada, _) = app.signup("ada@example.com").await;
    let (zed, _) = app.signup("zed@example.com").await;
    let (meta, secret) = new_token(&app, &ada, "CI").await;
    let path = format!("/api/onramp/tokens/{}", meta["tokenId"].as_str().unwrap());

    let other = app.delete(&path, &zed).await;
    other.expect_error(404, "TOKEN_NOT_FOUND", None);
    let unknown = app.delete("/api/onramp/tokens/tok-00000000", &ada).await;
    unknown.expect_error(404, "TOKEN_NOT_FOUND", None);
    assert_eq!(
        other.body["response"]["errors"],
        unknown.body["response"]["errors"]
    );
    assert!(works(&app, &secret).await);

    let a = app.delete(&path, &ada).await;
    a.expect(200);
    assert_envelope(&a, "DELETE", &path["/api".len()..]);
    assert!(!works(&app, &secret).await);
    assert!(works(&app, &ada).await, "the session stays");
    app.delete(&path, &ada)
        .await
        .expect_error(404, "TOKEN_NOT_FOUND", None);
    assert!(app.get("/api/onramp/tokens", &ada).await.items().is_empty());
    // A session is not an API token: it cannot be revoked here.
    app.delete("/api/onramp/tokens/session", &ada)
        .await
        .expect_error(404, "TOKEN_NOT_FOUND", None);
}

#[tokio::test]
async fn last_used_is_recorded_at_most_once_a_minute() {
    let app = TestApp::new();
    let (session, _) = app.signup("ada@example.com").await;
    let (_, secret) = new_token(&app, &session, "CI").await;
    assert_eq!(last_used(&app, &secret), None);
    assert!(works(&app, &secret).await);
    let first = last_used(&app, &secret).expect("recorded on first use");
    assert!(parse(&first) > OffsetDateTime::now_utc() - Duration::seconds(5));
    // Used again within the minute: not written again.
    let earlier = ago(Duration::seconds(30));
    set_token(&app, &secret, "last_used_at", &earlier);
    assert!(works(&app, &secret).await);
    assert_eq!(last_used(&app, &secret).as_deref(), Some(earlier.as_str()));
    // Over a minute ago: written, and listed.
    set_token(&app, &secret, "last_used_at", &ago(Duration::seconds(90)));
    assert!(works(&app, &secret).await);
    let now = last_used(&app, &secret).unwrap();
    assert!(parse(&now) > OffsetDateTime::now_utc() - Duration::seconds(5));
    let list = app.get("/api/onramp/tokens", &session).await;
    assert_eq!(list.item()["lastUsed"], json!(now));
}

#[tokio::test]
async fn an_expired_api_token_is_401_and_no_longer_listed() {
    let app = TestApp::new();
    let (session, _) = app.signup("ada@example.com").await;
    let (_, secret) = new_token(&app, &session, "CI").await;
    set_token(&app, &secret, "expires_at", &ago(Duration::seconds(1)));
    assert!(!works(&app, &secret).await);
    assert!(
        app.get("/api/onramp/tokens", &session)
            .await
            .items()
            .is_empty()
    );
    // API tokens do not follow the session lifetimes: a year-old token within its expiry works.
    let (_, old) = new_token(&app, &session, "Old").await;
    set_token(&app, &old, "created_at", &ago(Duration::days(300)));
    set_token(&app, &old, "last_used_at", &ago(Duration::days(30)));
    assert!(works(&app, &old).await);
}

#[tokio::test]
async fn sessions_end_when_idle_and_after_their_maximum() {
    let app = TestApp::new();
    app.signup("ada@example.com").await;
    // Defaults: 12 hours idle, 7 days at most.
    let idle = session(&app, "ada@example.com").await;
    set_token(&app, &idle, "created_at", &ago(Duration::hours(13)));
    set_token(
        &app,
        &idle,
        "last_used_at",
        &ago(Duration::hours(12) + Duration::minutes(1)),
    );
    assert!(!works(&app, &idle).await);

    let old = session(&app, "ada@example.com").await;
    set_token(
        &app,
        &old,
        "created_at",
        &ago(Duration::days(7) + Duration::minutes(1)),
    );
    set_token(&app, &old, "last_used_at", &ago(Duration::minutes(2)));
    assert!(!works(&app, &old).await);

    // Never used: idle counts from sign-in.
    let unused = session(&app, "ada@example.com").await;
    set_token(&app, &unused, "created_at", &ago(Duration::hours(13)));
    assert!(!works(&app, &unused).await);

    // In use, within both: works, and using it restarts the idle clock.
    let busy = session(&app, "ada@example.com").await;
    set_token(&app, &busy, "created_at", &ago(Duration::days(6)));
    set_token(&app, &busy, "last_used_at", &ago(Duration::hours(11)));
    assert!(works(&app, &busy).await);
    assert!(
        parse(&last_used(&app, &busy).unwrap()) > OffsetDateTime::now_utc() - Duration::seconds(5)
    );

    // The flags shorten them.
    let mut config = config();
    config.session_idle = std::time::Duration::from_secs(3600);
    config.session_max = std::time::Duration::from_secs(86400);
    let app = TestApp::with(config);
    app.signup("ada@example.com").await;
    let s = session(&app, "ada@example.com").await;
    set_token(&app, &s, "last_used_at", &ago(Duration::minutes(61)));
    assert!(!works(&app, &s).await);
    let s = session(&app, "ada@example.com").await;
    set_token(&app, &s, "last_used_at", &ago(Duration::minutes(59)));
    assert!(works(&app, &s).await);
    set_token(&app, &s, "created_at", &ago(Duration::hours(25)));
    assert!(!works(&app, &s).await);
}

#[tokio::test]
async fn signout_everywhere_revokes_every_session_and_token_of_the_caller() {
    let app = TestApp::new();
    let (ada, _) = app.signup("ada@example.com").await;
    let second = session(&app, "ada@example.com").await;
    let (_, api) = new_token(&app, &ada, "CI").await;
    let legacy = app.personal_token(&ada).await;
    let legacy = legacy.item()["accessToken"].as_str().unwrap().to_owned();
    let (zed, _) = app.signup("zed@example.com").await;

    let a = app
        .call("POST", "/api/auth/signout-everywhere", Some(&second), None)
        .await;
    a.expect(200);
    assert_envelope(&a, "POST", "/auth/signout-everywhere");
    for t in [&ada, &second, &api, &legacy] {
        assert!(!works(&app, t).await);
    }
    assert!(works(&app, &zed).await, "other users are not affected");
    // Signing in again works.
    session(&app, "ada@example.com").await;
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_token() {
    let app = TestApp::new();
    let (current, _) = app.signup("ada@example.com").await;
    let other = session(&app, "ada@example.com").await;
    let (_, api) = new_token(&app, &current, "CI").await;
    const NEW: &str = "N3w-passw0rd!";

    // Wrong current password: a field error, nothing ends.
    let a = app
        .post(
            "/api/auth/password",
            &current,
            json!({"currentPassword": "Wrong-passw0rd!", "newPassword": NEW}),
        )
        .await;
    a.expect_error(400, "WRONG_PASSWORD", Some("body.currentPassword"));
    // The new password follows sign-up's rules; it must differ from the current one.
    let a = app
        .post(
            "/api/auth/password",
            &current,
            json!({"currentPassword": PW, "newPassword": "short"}),
        )
        .await;
    a.expect_error(400, "ValidationError", Some("body.newPassword"));
    assert!(a.message().contains("password"), "{}", a.text);
    app.post(
        "/api/auth/password",
        &current,
        json!({"currentPassword": PW, "newPassword": PW}),
    )
    .await
    .expect_error(400, "ValidationError", Some("body.newPassword"));
    for t in [&current, &other, &api] {
        assert!(works(&app, t).await);
    }

    let a = app
        .post(
            "/api/auth/password",
            &current,
            json!({"currentPassword": PW, "newPassword": NEW}),
        )
        .await;
    a.expect(200);
    assert_envelope(&a, "POST", "/auth/password");
    assert!(works(&app, &current).await, "the caller's session stays");
    assert!(!works(&app, &other).await);
    assert!(!works(&app, &api).await);
    sign_in(&app, "ada@example.com", PW)
        .await
        .expect_error(401, "InvalidCredentials", None);
    sign_in(&app, "ada@example.com", NEW).await.expect(200);
}

#[tokio::test]
async fn a_viewer_manages_their_own_tokens_and_password() {
    let app = TestApp::new();
    let (admin, _) = app.signup("ada@example.com").await;
    let inv = app
        .post(
            "/api/onramp/invitations",
            &admin,
            json!({"email": "bob@example.com", "role": "viewer"}),
        )
        .await;
    let path = inv.item()["acceptPath"].as_str().unwrap().to_owned();
    let accepted = app
        .post_anon(
            &format!(
                "/api/onramp/invitations/token/{}/accept",
                path.strip_prefix("/invite/").unwrap()
            ),
            json!({"fullName": "Bob Viewer", "country": "FR", "password": PW}),
        )
        .await;
    let viewer = accepted.item()["accessToken"].as_str().unwrap().to_owned();
    let (meta, api) = new_token(&app, &viewer, "Viewer CLI").await;
    assert!(works(&app, &api).await);
    app.delete(
        &format!("/api/onramp/tokens/{}", meta["tokenId"].as_str().unwrap()),
        &viewer,
    )
    .await
    .expect(200);
    app.post(
        "/api/auth/password",
        &viewer,
        json!({"currentPassword": PW, "newPassword": "N3w-passw0rd!"}),
    )
    .await
    .expect(200);
    app.call("POST", "/api/auth/signout-everywhere", Some(&viewer), None)
        .await
        .expect(200);
    assert!(!works(&app, &viewer).await);
}

#[tokio::test]
async fn the_legacy_personal_token_route_issues_a_listed_token_with_the_default_expiry() {
    let app = TestApp::new();
    let (session, _) = app.signup("ada@example.com").await;
    let a = app.personal_token(&session).await;
    a.expect(200);
    let secret = a.item()["accessToken"].as_str().unwrap();
    let list = app.get("/api/onramp/tokens", &session).await;
    let t = list.item();
    assert_eq!(t["name"], "API token");
    assert_eq!(
        parse(t["expires"].as_str().unwrap()) - parse(t["created"].as_str().unwrap()),
        Duration::days(90)
    );
    assert!(!list.text.contains(secret));
}

/// A session alone (a token copied from a browser) cannot give itself a long-lived token by the
/// older route either: no password, or a wrong one, and nothing is issued.
#[tokio::test]
async fn the_legacy_personal_token_route_asks_for_the_password() {
    let mut config = config();
    config.login_attempts = 2;
    let app = TestApp::with(config);
    let (session, _) = app.signup("ada@example.com").await;
    let personal = || app.count("SELECT COUNT(*) FROM tokens WHERE kind = 'personal'");
    let a = app.post("/api/auth/tokens", &session, json!({})).await;
    a.expect(400);
    assert_eq!(a.fields(), vec!["body.password"]);
    assert!(a.text.contains("Enter your password to create a token."));
    app.post(
        "/api/auth/tokens",
        &session,
        json!({"password": "Wrong-passw0rd!"}),
    )
    .await
    .expect_error(400, "WRONG_PASSWORD", Some("body.password"));
    assert_eq!(personal(), 0);
    assert!(works(&app, &session).await, "the session is not ended");
    // Wrong passwords count in the login throttle like failed sign-ins.
    app.post(
        "/api/auth/tokens",
        &session,
        json!({"password": "Wrong-passw0rd?"}),
    )
    .await
    .expect_error(400, "WRONG_PASSWORD", Some("body.password"));
    app.post("/api/auth/tokens", &session, json!({"password": PW}))
        .await
        .expect(429);
    assert_eq!(personal(), 0);
}

#[tokio::test]
async fn token_and_password_routes_need_a_token() {
    let app = TestApp::new();
    for (method, uri) in [
        ("GET", "/api/onramp/tokens"),
        ("POST", "/api/onramp/tokens"),
        ("DELETE", "/api/onramp/tokens/tok-12345678"),
        ("POST", "/api/auth/signout-everywhere"),
        ("POST", "/api/auth/password"),
    ] {
        for token in [None, Some("not-a-real-token")] {
            let body = (method == "POST").then(|| json!({}));
            app.call(method, uri, token, body)
                .await
                .expect_error(401, "Unauthorized", None);
        }
    }
}
