//! Ours: sign-up, sign-in, who am I, sign-out, personal tokens; 401 on protected routes.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn signup_creates_user_organization_and_first_account() {
    let app = TestApp::new();
    let a = app
        .post_anon("/api/auth/signup", signup_body("ada@example.com"))
        .await;
    a.expect(200);
    assert_envelope(&a, "POST", "/auth/signup");
    assert_eq!(a.body["response"]["kind"], "onramp:auth:session");
    let s = a.item();
    let token = s["accessToken"].as_str().unwrap();
    assert_eq!(token.len(), 43, "32 random bytes in base64url");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    assert_eq!(s["tokenType"], "Bearer");
    let u = &s["user"];
    assert!(onramp_core::ids::UserId::parse(u["userId"].as_str().unwrap()).is_some());
    assert!(
        onramp_core::ids::OrganizationId::parse(u["organizationId"].as_str().unwrap()).is_some()
    );
    assert!(onramp_core::ids::AccountId::parse(u["defaultAccountId"].as_str().unwrap()).is_some());
    assert_eq!(u["organizationName"], "Analytical Engines");
    assert_eq!(u["fullName"], "Ada Lovelace");
    assert_eq!(u["role"], "admin");
    // The first account is named after the organization.
    let list = app.get("/api/setup/account", token).await;
    assert_eq!(list.item()["name"], "Analytical Engines");
    assert_eq!(list.item()["accountId"], u["defaultAccountId"]);
    // The token is not stored, only its hash.
    let stored: Vec<u8> = app
        .state
        .db
        .conn()
        .query_row("SELECT hash FROM tokens", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored.len(), 32);
    assert_ne!(stored, token.as_bytes());
    let pw: String = app
        .state
        .db
        .conn()
        .query_row("SELECT password_hash FROM users", [], |r| r.get(0))
        .unwrap();
    assert!(pw.starts_with("$argon2id$") && !pw.contains("Sup3r-secret!"));
}

#[tokio::test]
async fn signup_reports_every_invalid_field() {
    let app = TestApp::new();
    let a = app
        .post_anon("/api/auth/signup", json!({"fullName": "a@b", "company": "123", "email": "nope", "country": "XX", "password": "short"}))
        .await;
    a.expect(400);
    assert_eq!(
        a.fields(),
        vec![
            "body.fullName",
            "body.company",
            "body.email",
            "body.country",
            "body.password"
        ]
    );
    assert!(a.errors().iter().all(|e| e["code"] == "ValidationError"));
    assert!(
        a.errors()
            .iter()
            .all(|e| e["message"].as_str().is_some_and(|m| m.len() > 10))
    );
    // Missing and mistyped fields.
    let a = app
        .post_anon("/api/auth/signup", json!({"fullName": 5}))
        .await;
    a.expect(400);
    assert_eq!(a.fields().len(), 5);
    assert_eq!(a.errors()[0]["message"], "\"fullName\" must be a string");
    assert_eq!(a.errors()[1]["message"], "\"company\" is required");
    // Nothing was created.
    let n = app.count("SELECT COUNT(*) FROM users");
    assert_eq!(n, 0);
}

#[tokio::test]
async fn duplicate_email_is_409_case_insensitively() {
    let app = TestApp::new();
    app.signup("Grace@Example.com").await;
    let a = app
        .post_anon("/api/auth/signup", signup_body("grace@EXAMPLE.COM"))
        .await;
    a.expect_error(409, "Email_ALREADY_REGISTERED", Some("body.email"));
    assert_envelope(&a, "POST", "/auth/signup");
}

#[tokio::test]
async fn password_grant_and_uniform_failures() {
    let app = TestApp::new();
    let (_, me) = app.signup("linus@example.com").await;
    let ok = app
        .post_anon(
            "/api/auth/token",
            json!({"email": "LINUS@example.com", "password": "Sup3r-secret!"}),
        )
        .await;
    ok.expect(200);
    assert_eq!(ok.body["response"]["kind"], "onramp:auth:session");
    assert_eq!(ok.item()["user"], me);
    let wrong_pw = app
        .post_anon(
            "/api/auth/token",
            json!({"email": "linus@example.com", "password": "Sup3r-secret?"}),
        )
        .await;
    wrong_pw.expect_error(401, "InvalidCredentials", None);
    let no_user = app
        .post_anon(
            "/api/auth/token",
            json!({"email": "nobody@example.com", "password": "Sup3r-secret!"}),
        )
        .await;
    no_user.expect_error(401, "InvalidCredentials", None);
    assert_eq!(wrong_pw.body["response"], no_user.body["response"]);
    let missing = app
        .post_anon("/api/auth/token", json!({"email": "x@y.z"}))
        .await;
    missing.expect_error(400, "ValidationError", Some("body.password"));
}

#[tokio::test]
async fn me_signout_and_personal_tokens() {
    let app = TestApp::new();
    let (token, me) = app.signup("me@example.com").await;
    let a = app.get("/api/auth/me", &token).await;
    a.expect(200);
    assert_envelope(&a, "GET", "/auth/me");
    assert_eq!(a.body["response"]["kind"], "onramp:auth:whoami");
    assert_eq!(a.item(), &me);

    let p = app.personal_token(&token).await;
    p.expect(200);
    assert_eq!(p.body["response"]["kind"], "onramp:auth:session");
    let personal = p.item()["accessToken"].as_str().unwrap().to_owned();
    assert_ne!(personal, token);
    app.get("/api/auth/me", &personal).await.expect(200);

    let out = app
        .call("POST", "/api/auth/signout", Some(&token), None)
        .await;
    out.expect(200);
    assert!(out.body["response"].get("items").is_none());
    app.get("/api/auth/me", &token)
        .await
        .expect_error(401, "Unauthorized", None);
    // Signing out one token leaves the others working.
    app.get("/api/auth/me", &personal).await.expect(200);
}

#[tokio::test]
async fn every_protected_route_needs_a_valid_token() {
    let app = TestApp::new();
    let routes = [
        ("GET", "/api/auth/me"),
        ("POST", "/api/auth/signout"),
        ("POST", "/api/auth/tokens"),
        ("POST", "/api/setup/organization"),
        ("DELETE", "/api/setup/organization/123456789012"),
        ("POST", "/api/setup/account"),
        ("GET", "/api/setup/account"),
        ("GET", "/api/setup/account/act-1a2b3c4d"),
        ("PUT", "/api/setup/account/act-1a2b3c4d"),
        ("DELETE", "/api/setup/account/act-1a2b3c4d"),
        ("POST", "/api/setup/credentials/aws/externalId"),
        ("POST", "/api/setup/credentials/aws"),
        ("GET", "/api/setup/credentials/aws"),
        ("POST", "/api/gcp/setup/credentials"),
        ("POST", "/api/gcp/setup/credentials/validation"),
        ("GET", "/api/gcp/setup/credentials"),
        ("POST", "/api/azure/setup/credentials"),
        ("POST", "/api/azure/setup/credentials/validation"),
        ("GET", "/api/azure/setup/credentials"),
        ("POST", "/api/cloudBilling/v1/setup/account"),
        ("POST", "/api/cloudBilling/v1/setup/account/validation"),
        ("POST", "/api/cbi/v1/setup/account"),
        ("POST", "/api/cbi/v1/setup/account/validation"),
        ("GET", "/api/aws/potentialSavings"),
        (
            "GET",
            "/api/insights/savings?fromDate=2026-01-01&toDate=2026-01-31",
        ),
    ];
    for (method, uri) in routes {
        for token in [None, Some("not-a-real-token")] {
            let body = (method != "GET" && method != "DELETE").then(|| json!({}));
            let a = app.call(method, uri, token, body).await;
            assert_eq!(a.status, 401, "{method} {uri} with {token:?}: {}", a.text);
            a.expect_error(401, "Unauthorized", None);
        }
    }
}
