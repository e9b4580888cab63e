//! AWS: external ID and role credentials.

mod common;

use common::*;
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/SpotRole";

/// `POST /api/setup/credentials/aws<query>` with `credentials`.
async fn set_credentials(app: &TestApp, token: &str, query: &str, credentials: Value) -> Answer {
    let uri = format!("/api/setup/credentials/aws{query}");
    app.post(&uri, token, json!({ "credentials": credentials }))
        .await
}

#[tokio::test]
async fn external_id_is_random_and_expires_in_an_hour() {
    let app = TestApp::new();
    let (token, me) = app.signup("ext@example.com").await;
    let acc = me["defaultAccountId"].as_str().unwrap();
    let uri = format!("/api/setup/credentials/aws/externalId?accountId={acc}");
    let generate = || app.call("POST", &uri, Some(&token), None);
    let a = generate().await;
    a.expect(200);
    assert_envelope(
        &a,
        "POST",
        &format!("/setup/credentials/aws/externalId?accountId={acc}"),
    );
    assert_same_shape(&a.body, &fixture("external_id.json"));
    assert_eq!(a.body["response"]["kind"], "spotinst:setup:aws:externalId");
    let ext = a.item()["externalId"].as_str().unwrap();
    onramp_core::validate::external_id(ext).expect("core accepts the generated external ID");
    assert_eq!(ext.len(), 32);
    let until = a.item()["maxValidUntil"].as_str().unwrap();
    assert!(is_iso_ms(until));
    let until =
        time::OffsetDateTime::parse(until, &time::format_description::well_known::Rfc3339).unwrap();
    let left = until - time::OffsetDateTime::now_utc();
    assert!(
        left > time::Duration::minutes(59) && left <= time::Duration::hours(1),
        "{left}"
    );
    let b = generate().await;
    assert_ne!(b.item()["externalId"], a.item()["externalId"]);
}

#[tokio::test]
async fn set_credentials_uses_the_generated_external_id() {
    let app = TestApp::new();
    let (token, _) = app.signup("creds@example.com").await;
    let acc = app.new_account(&token, "Prod").await;
    let q = format!("?accountId={acc}");
    // Nothing generated yet: refused with a clear message.
    let a = set_credentials(&app, &token, &q, json!({"iamRole": ROLE})).await;
    a.expect_error(400, "ValidationError", Some("query.accountId"));
    assert!(a.message().contains("external ID"));

    let ext = app
        .post(
            &format!("/api/setup/credentials/aws/externalId{q}"),
            &token,
            json!({}),
        )
        .await;
    let ext = ext.item()["externalId"].as_str().unwrap().to_owned();
    let set = set_credentials(&app, &token, &q, json!({"iamRole": format!("  {ROLE} ")})).await;
    set.expect_spot(
        200,
        "POST",
        &format!("/setup/credentials/aws{q}"),
        "status_only.json",
    );
    let stored: String = app
        .state
        .db
        .conn()
        .query_row(
            "SELECT external_id FROM aws_credentials WHERE account_id = ?1",
            [&acc],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, ext);

    let get = app
        .get(&format!("/api/setup/credentials/aws{q}"), &token)
        .await;
    get.expect(200);
    assert_same_shape(&get.body, &fixture("aws_credentials.json"));
    assert_eq!(
        get.body["response"]["kind"],
        "spotinst:setup:aws:credentials"
    );
    assert_eq!(get.item()["iamRole"], ROLE);
    assert_eq!(get.item()["accountId"], acc.as_str());

    let one = app.get(&format!("/api/setup/account/{acc}"), &token).await;
    assert_eq!(one.item()["cloudProvider"], "aws");
    assert_eq!(one.item()["providerExternalId"], "123456789012");
    let by_cloud = app
        .get("/api/setup/account?cloudAccountId=123456789012", &token)
        .await;
    assert_eq!(by_cloud.body["response"]["count"], 1);
}

#[tokio::test]
async fn legacy_external_id_must_match() {
    let app = TestApp::new();
    let (token, _) = app.signup("legacy@example.com").await;
    let ext = app
        .post("/api/setup/credentials/aws/externalId", &token, json!({}))
        .await;
    let ext = ext.item()["externalId"].as_str().unwrap().to_owned();
    set_credentials(
        &app,
        &token,
        "",
        json!({"iamRole": ROLE, "externalId": "something-else"}),
    )
    .await
    .expect_error(400, "ValidationError", Some("body.credentials.externalId"));
    set_credentials(
        &app,
        &token,
        "",
        json!({"iamRole": ROLE, "externalId": ext}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn expired_external_id_is_refused() {
    let app = TestApp::new();
    let (token, _) = app.signup("expired@example.com").await;
    app.post("/api/setup/credentials/aws/externalId", &token, json!({}))
        .await
        .expect(200);
    app.exec("UPDATE aws_external_ids SET valid_until_unix = valid_until_unix - 3601");
    let a = set_credentials(&app, &token, "", json!({"iamRole": ROLE})).await;
    a.expect_error(400, "ValidationError", Some("query.accountId"));
    assert!(a.message().contains("expired"));
}

#[tokio::test]
async fn role_arns_are_validated_by_core_in_their_partition() {
    let app = TestApp::new();
    let (token, _) = app.signup("arn@example.com").await;
    app.post("/api/setup/credentials/aws/externalId", &token, json!({}))
        .await
        .expect(200);
    for bad in [
        "123456789012",
        "SpotRole",
        "arn:aws:iam::123456789012:user/bob",
        "arn:aws:cloudformation:us-east-1:123456789012:stack/x/y",
        "arn:aws-iso:iam::123456789012:role/SpotRole",
        "arn:aws:iam::12345:role/SpotRole",
    ] {
        let a = set_credentials(&app, &token, "", json!({"iamRole": bad})).await;
        a.expect_error(400, "ValidationError", Some("body.credentials.iamRole"));
        let expected =
            onramp_core::validate::role_arn(bad, onramp_core::validate::AwsEnvironment::Commercial)
                .unwrap_err()
                .message;
        assert_eq!(
            a.errors()[0]["message"],
            expected,
            "same message as the console shows"
        );
    }
    set_credentials(&app, &token, "", json!({}))
        .await
        .expect_error(400, "ValidationError", Some("body.credentials.iamRole"));
    set_credentials(&app, &token, "", json!({"iamRole": 7}))
        .await
        .expect_error(400, "ValidationError", Some("body.credentials.iamRole"));
    // Any connectable partition is accepted: GovCloud and China.
    for good in [
        "arn:aws-us-gov:iam::123456789012:role/path/Spot",
        "arn:aws-cn:iam::210987654321:role/Spot",
    ] {
        set_credentials(&app, &token, "", json!({"iamRole": good}))
            .await
            .expect(200);
    }
    let get = app.get("/api/setup/credentials/aws", &token).await;
    assert_eq!(
        get.item()["iamRole"],
        "arn:aws-cn:iam::210987654321:role/Spot"
    );
}

#[tokio::test]
async fn get_credentials_before_connecting_is_empty() {
    let app = TestApp::new();
    let (token, _) = app.signup("empty@example.com").await;
    let a = app.get("/api/setup/credentials/aws", &token).await;
    a.expect(200);
    assert_eq!(a.body["response"]["count"], 0);
    assert_eq!(a.items().len(), 0);
}

#[tokio::test]
async fn malformed_account_id_in_query_is_a_field_error() {
    let app = TestApp::new();
    let (token, _) = app.signup("q@example.com").await;
    let a = app
        .call(
            "POST",
            "/api/setup/credentials/aws/externalId?accountId=ACT-1",
            Some(&token),
            None,
        )
        .await;
    a.expect_error(400, "ValidationError", Some("query.accountId"));
}
