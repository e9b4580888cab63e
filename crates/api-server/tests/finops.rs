//! Cloud billing and CBI registrations; validation checks computed from stored state.

mod common;

use common::*;
use serde_json::{Value, json};

fn aws_config() -> Value {
    json!({"billingSource": {"bucket": "acme-cur-reports", "region": "us-east-1", "pathPrefix": "cur/spot"}})
}

fn status_of<'a>(checks: &'a [Value], id: &str) -> &'a str {
    checks
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["status"].as_str())
        .unwrap_or_else(|| panic!("no check {id} in {checks:?}"))
}

async fn connect_aws(app: &TestApp, token: &str, acc: &str) {
    app.post(
        &format!("/api/setup/credentials/aws/externalId?accountId={acc}"),
        token,
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/setup/credentials/aws?accountId={acc}"),
        token,
        json!({"credentials": {"iamRole": "arn:aws:iam::123456789012:role/Spot"}}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn cloud_billing_validation_reflects_stored_state() {
    let app = TestApp::new();
    let (token, me) = app.signup("cb@example.com").await;
    let acc = me["defaultAccountId"].as_str().unwrap();
    let body = json!({"accountId": acc, "config": aws_config()});
    let validate = |body: Value| {
        app.post(
            "/api/cloudBilling/v1/setup/account/validation",
            &token,
            body,
        )
    };
    let a = validate(body.clone()).await;
    a.expect_spot(
        200,
        "POST",
        "/cloudBilling/v1/setup/account/validation",
        "billing_validation.json",
    );
    let checks = a.items().clone();
    assert_eq!(status_of(&checks, "configuration"), "success");
    assert_eq!(status_of(&checks, "credentials"), "failed");
    assert_eq!(status_of(&checks, "provider"), "skipped");
    assert_eq!(status_of(&checks, "dataAccess"), "skipped");
    for c in &checks {
        assert!(
            ["success", "failed", "warning", "skipped"].contains(&c["status"].as_str().unwrap())
        );
        assert!(c["description"].as_str().unwrap().len() > 10);
    }
    connect_aws(&app, &token, acc).await;
    let a = validate(body.clone()).await;
    assert_eq!(status_of(a.items(), "credentials"), "success");
    assert_eq!(status_of(a.items(), "provider"), "success");
    // A GCP configuration for an AWS account fails the provider check and cannot be registered.
    let gcp = json!({"accountId": acc, "config": {"googleBillingConfiguration": {"projectId": "acme-billing", "datasetId": "billing_export", "tableId": "gcp_billing_export_v1"}}});
    let a = validate(gcp.clone()).await;
    assert_eq!(status_of(a.items(), "provider"), "failed");
    app.post("/api/cloudBilling/v1/setup/account", &token, gcp)
        .await
        .expect_error(400, "ValidationError", Some("body.config"));
    // Validation saves nothing.
    let n = app.count("SELECT COUNT(*) FROM billing_registrations");
    assert_eq!(n, 0);
}

#[tokio::test]
async fn cloud_billing_registration_is_persisted() {
    let app = TestApp::new();
    let (token, me) = app.signup("cbr@example.com").await;
    let acc = me["defaultAccountId"].as_str().unwrap();
    let a = app
        .post(
            "/api/cloudBilling/v1/setup/account",
            &token,
            json!({"accountId": acc, "config": aws_config()}),
        )
        .await;
    a.expect(200);
    assert_envelope(&a, "POST", "/cloudBilling/v1/setup/account");
    assert_eq!(a.item()["accountId"], acc);
    assert_eq!(a.item()["cloudProvider"], "aws");
    assert_eq!(a.item()["config"], aws_config());
    let stored: String = app
        .state
        .db
        .conn()
        .query_row("SELECT config FROM billing_registrations WHERE account_id = ?1 AND product = 'cloudBilling'", [acc], |r| r.get(0))
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&stored).unwrap(),
        aws_config()
    );
    // Azure's config is empty.
    let az = app
        .post(
            "/api/cloudBilling/v1/setup/account",
            &token,
            json!({"accountId": acc, "config": {}}),
        )
        .await;
    az.expect(200);
    assert_eq!(az.item()["cloudProvider"], "azure");
}

#[tokio::test]
async fn cloud_billing_fields_are_validated() {
    let app = TestApp::new();
    let (token, me) = app.signup("cbv@example.com").await;
    let acc = me["defaultAccountId"].as_str().unwrap();
    let url = "/api/cloudBilling/v1/setup/account";
    let s3 = |source: Value| json!({"accountId": acc, "config": {"billingSource": source}});
    let bq = |bigquery: Value| json!({"accountId": acc, "config": {"googleBillingConfiguration": bigquery}});
    let cases = [
        (json!({"config": {}}), "body.accountId"),
        (
            json!({"accountId": "ACT-1", "config": {}}),
            "body.accountId",
        ),
        (json!({"accountId": acc}), "body.config"),
        (
            json!({"accountId": acc, "config": {"other": 1}}),
            "body.config",
        ),
        (
            s3(json!({"bucket": "Bad_Bucket", "region": "us-east-1"})),
            "body.config.billingSource.bucket",
        ),
        (
            s3(json!({"bucket": "good-bucket", "region": "mars-1"})),
            "body.config.billingSource.region",
        ),
        (
            s3(json!({"bucket": "good-bucket", "region": "us-east-1", "pathPrefix": "/x"})),
            "body.config.billingSource.pathPrefix",
        ),
        (
            bq(json!({"projectId": "X", "datasetId": "d", "tableId": "t"})),
            "body.config.googleBillingConfiguration.projectId",
        ),
        (
            bq(json!({"projectId": "acme-billing", "datasetId": "a b", "tableId": "t"})),
            "body.config.googleBillingConfiguration.datasetId",
        ),
        (
            bq(json!({"projectId": "acme-billing", "datasetId": "d"})),
            "body.config.googleBillingConfiguration.tableId",
        ),
        // BigQuery dataset IDs have no hyphens; a pasted `project.dataset.table` path is refused.
        (
            bq(json!({"projectId": "acme-billing", "datasetId": "billing-export", "tableId": "t"})),
            "body.config.googleBillingConfiguration.datasetId",
        ),
        (
            bq(
                json!({"projectId": "acme-billing", "datasetId": "d", "tableId": "acme-billing.d.t"}),
            ),
            "body.config.googleBillingConfiguration.tableId",
        ),
    ];
    for (body, field) in cases {
        for path in ["", "/validation"] {
            app.post(&format!("{url}{path}"), &token, body.clone())
                .await
                .expect_error(400, "ValidationError", Some(field));
        }
    }
    let a = app
        .post(url, &token, json!({"accountId": acc, "config": {"billingSource": {"bucket": "Bad_Bucket", "region": "us-east-1"}}}))
        .await;
    let expected = onramp_core::validate::s3_bucket_name("Bad_Bucket")
        .unwrap_err()
        .message;
    assert_eq!(a.errors()[0]["message"], expected);
}

#[tokio::test]
async fn cbi_registration_and_validation() {
    let app = TestApp::new();
    let (token, me) = app.signup("cbi@example.com").await;
    let acc = me["defaultAccountId"].as_str().unwrap();
    let body = json!({"account": {"accountId": acc}});
    let v = app
        .post("/api/cbi/v1/setup/account/validation", &token, body.clone())
        .await;
    v.expect_spot(
        200,
        "POST",
        "/cbi/v1/setup/account/validation",
        "billing_validation.json",
    );
    assert_eq!(status_of(v.items(), "credentials"), "failed");
    assert_eq!(status_of(v.items(), "cloudBilling"), "warning");
    connect_aws(&app, &token, acc).await;
    app.post(
        "/api/cloudBilling/v1/setup/account",
        &token,
        json!({"accountId": acc, "config": aws_config()}),
    )
    .await
    .expect(200);
    let v = app
        .post("/api/cbi/v1/setup/account/validation", &token, body.clone())
        .await;
    assert_eq!(status_of(v.items(), "credentials"), "success");
    assert_eq!(status_of(v.items(), "cloudBilling"), "success");
    let r = app.post("/api/cbi/v1/setup/account", &token, body).await;
    r.expect(200);
    assert_eq!(r.item()["accountId"], acc);
    let n: i64 = app
        .state
        .db
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM billing_registrations WHERE product = 'cbi'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    app.post(
        "/api/cbi/v1/setup/account",
        &token,
        json!({"accountId": acc}),
    )
    .await
    .expect_error(400, "ValidationError", Some("body.account"));
    app.post("/api/cbi/v1/setup/account", &token, json!({"account": {}}))
        .await
        .expect_error(400, "ValidationError", Some("body.account.accountId"));
}
