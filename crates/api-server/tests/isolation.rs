//! Organization A's token can never read or change organization B's accounts: every
//! account-scoped route answers exactly as for an account that does not exist.

mod common;

use common::*;
use serde_json::{Value, json};

fn strip_request(v: &Value) -> Value {
    v["response"].clone()
}

#[tokio::test]
async fn foreign_accounts_look_nonexistent_on_every_route() {
    let app = TestApp::new();
    let (a_token, _) = app.signup("a@example.com").await;
    let (b_token, b_me) = app.signup("b@example.com").await;
    let b_acc = b_me["defaultAccountId"].as_str().unwrap().to_owned();
    // Give B's account state that A must not see or change.
    app.post(
        &format!("/api/setup/credentials/aws/externalId?accountId={b_acc}"),
        &b_token,
        json!({}),
    )
    .await
    .expect(200);
    let missing = "act-0badf00d";
    let cases: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/api/setup/account/ACCOUNT".into(), None),
        (
            "PUT",
            "/api/setup/account/ACCOUNT".into(),
            Some(json!({"account": {"name": "Hijacked"}})),
        ),
        ("DELETE", "/api/setup/account/ACCOUNT".into(), None),
        (
            "POST",
            "/api/setup/credentials/aws/externalId?accountId=ACCOUNT".into(),
            None,
        ),
        (
            "POST",
            "/api/setup/credentials/aws?accountId=ACCOUNT".into(),
            Some(json!({"credentials": {"iamRole": "arn:aws:iam::123456789012:role/Spot"}})),
        ),
        (
            "GET",
            "/api/setup/credentials/aws?accountId=ACCOUNT".into(),
            None,
        ),
        (
            "POST",
            "/api/gcp/setup/credentials?accountId=ACCOUNT".into(),
            Some(json!({"serviceAccount": {}})),
        ),
        (
            "POST",
            "/api/gcp/setup/credentials/validation?accountId=ACCOUNT".into(),
            Some(json!({"serviceAccount": {}})),
        ),
        (
            "GET",
            "/api/gcp/setup/credentials?accountId=ACCOUNT".into(),
            None,
        ),
        (
            "POST",
            "/api/azure/setup/credentials?accountId=ACCOUNT".into(),
            Some(json!({})),
        ),
        (
            "POST",
            "/api/azure/setup/credentials/validation?accountId=ACCOUNT".into(),
            Some(json!({})),
        ),
        (
            "GET",
            "/api/azure/setup/credentials?accountId=ACCOUNT".into(),
            None,
        ),
        (
            "POST",
            "/api/cloudBilling/v1/setup/account".into(),
            Some(json!({"accountId": "ACCOUNT", "config": {}})),
        ),
        (
            "POST",
            "/api/cloudBilling/v1/setup/account/validation".into(),
            Some(json!({"accountId": "ACCOUNT", "config": {}})),
        ),
        (
            "POST",
            "/api/cbi/v1/setup/account".into(),
            Some(json!({"account": {"accountId": "ACCOUNT"}})),
        ),
        (
            "POST",
            "/api/cbi/v1/setup/account/validation".into(),
            Some(json!({"account": {"accountId": "ACCOUNT"}})),
        ),
        (
            "GET",
            "/api/aws/potentialSavings?accountId=ACCOUNT".into(),
            None,
        ),
    ];
    for (method, uri, body) in cases {
        let fill = |id: &str| {
            let u = uri.replace("ACCOUNT", id);
            let b = body.as_ref().map(|b| {
                serde_json::from_str::<Value>(&b.to_string().replace("ACCOUNT", id)).unwrap()
            });
            (u, b)
        };
        let (u_b, body_b) = fill(&b_acc);
        let (u_m, body_m) = fill(missing);
        let foreign = app
            .call(
                method,
                &u_b,
                Some(&a_token),
                body_b.clone().or(Some(json!({}))),
            )
            .await;
        let unknown = app
            .call(method, &u_m, Some(&a_token), body_m.or(Some(json!({}))))
            .await;
        assert_eq!(foreign.status, 400, "{method} {u_b}: {}", foreign.text);
        foreign.expect_error(400, "Account_DOESNT_EXIST", None);
        assert_eq!(
            strip_request(&foreign.body),
            strip_request(&unknown.body),
            "{method} {uri}"
        );
        assert_eq!(
            foreign.headers.get("content-length"),
            unknown.headers.get("content-length")
        );
    }
    // B's account is untouched.
    let b = app
        .get(&format!("/api/setup/account/{b_acc}"), &b_token)
        .await;
    b.expect(200);
    assert_eq!(b.item()["name"], "Analytical Engines");
    // A's listing never shows B's accounts.
    let list = app.get("/api/setup/account", &a_token).await;
    assert_eq!(list.body["response"]["count"], 1);
    assert_ne!(list.item()["accountId"], b_acc.as_str());
}

#[tokio::test]
async fn default_account_is_per_organization() {
    let app = TestApp::new();
    let (a_token, a_me) = app.signup("da@example.com").await;
    let (_, b_me) = app.signup("db@example.com").await;
    assert_ne!(a_me["defaultAccountId"], b_me["defaultAccountId"]);
    let a = app
        .post("/api/setup/credentials/aws/externalId", &a_token, json!({}))
        .await;
    a.expect(200);
    let stored: String = app
        .state
        .db
        .conn()
        .query_row("SELECT account_id FROM aws_external_ids", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, a_me["defaultAccountId"].as_str().unwrap());
}
