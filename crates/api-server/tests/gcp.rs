//! GCP: service-account key credentials.

mod common;

use common::*;
use serde_json::{Value, json};

const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7+/8=\n-----END PRIVATE KEY-----\n";

fn key() -> Value {
    json!({
        "type": "service_account",
        "project_id": "acme-prod-42",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": PEM,
        "client_email": "spot-connector@acme-prod-42.iam.gserviceaccount.com",
        "client_id": "112233445566778899001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/spot-connector%40acme-prod-42.iam.gserviceaccount.com",
        "universe_domain": "googleapis.com"
    })
}

#[tokio::test]
async fn validation_checks_without_saving() {
    let app = TestApp::new();
    let (token, me) = app.signup("gcpv@example.com").await;
    let a = app
        .post(
            "/api/gcp/setup/credentials/validation",
            &token,
            json!({"serviceAccount": key()}),
        )
        .await;
    a.expect(200);
    assert_envelope(&a, "POST", "/gcp/setup/credentials/validation");
    assert_same_shape(&a.body, &fixture("status_only.json"));
    let n: i64 = app
        .state
        .db
        .conn()
        .query_row("SELECT COUNT(*) FROM gcp_credentials", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    let acc = me["defaultAccountId"].as_str().unwrap();
    let one = app.get(&format!("/api/setup/account/{acc}"), &token).await;
    assert!(one.item()["cloudProvider"].is_null());
    app.get("/api/gcp/setup/credentials", &token)
        .await
        .expect_error(400, "ServiceAccount_DOESNT_EXIST", None);
}

#[tokio::test]
async fn set_then_get_without_private_key() {
    let app = TestApp::new();
    let (token, _) = app.signup("gcp@example.com").await;
    let acc = app.new_account(&token, "Data").await;
    let q = format!("?accountId={acc}");
    let set = app
        .post(
            &format!("/api/gcp/setup/credentials{q}"),
            &token,
            json!({"serviceAccount": key()}),
        )
        .await;
    set.expect(200);
    assert_envelope(&set, "POST", &format!("/gcp/setup/credentials{q}"));
    let get = app
        .get(&format!("/api/gcp/setup/credentials{q}"), &token)
        .await;
    get.expect(200);
    assert_same_shape(&get.body, &fixture("gcp_credentials.json"));
    assert_eq!(
        get.body["response"]["kind"],
        "spotinst:setup:gcp:credentials"
    );
    let sa = &get.item()["serviceAccount"];
    assert!(sa.get("private_key").is_none());
    assert!(!get.text.contains("BEGIN PRIVATE KEY"));
    assert_eq!(sa["project_id"], "acme-prod-42");
    assert_eq!(
        sa["client_email"],
        "spot-connector@acme-prod-42.iam.gserviceaccount.com"
    );
    let one = app.get(&format!("/api/setup/account/{acc}"), &token).await;
    assert_eq!(one.item()["cloudProvider"], "gcp");
    assert_eq!(one.item()["providerExternalId"], "acme-prod-42");
    // An account connected to GCP cannot then take AWS credentials.
    app.post(
        &format!("/api/setup/credentials/aws/externalId{q}"),
        &token,
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/setup/credentials/aws{q}"),
        &token,
        json!({"credentials": {"iamRole": "arn:aws:iam::123456789012:role/Spot"}}),
    )
    .await
    .expect_error(400, "ValidationError", Some("query.accountId"));
}

#[tokio::test]
async fn invalid_keys_get_core_messages_on_service_account() {
    let app = TestApp::new();
    let (token, _) = app.signup("gcpbad@example.com").await;
    let mut wrong_type = key();
    wrong_type["type"] = json!("authorized_user");
    let mut bad_email = key();
    bad_email["client_email"] = json!("spot@other-project.iam.gserviceaccount.com");
    let mut no_pk = key();
    no_pk.as_object_mut().unwrap().remove("private_key");
    for (sa, path) in [(wrong_type, "/validation"), (bad_email, ""), (no_pk, "")] {
        let a = app
            .post(
                &format!("/api/gcp/setup/credentials{path}"),
                &token,
                json!({"serviceAccount": sa}),
            )
            .await;
        a.expect_error(400, "ValidationError", Some("body.serviceAccount"));
        let expected = onramp_core::validate::gcp_key_file(&serde_json::to_vec(&sa).unwrap())
            .unwrap_err()
            .message;
        assert_eq!(a.errors()[0]["message"], expected);
    }
    app.post("/api/gcp/setup/credentials", &token, json!({}))
        .await
        .expect_error(400, "ValidationError", Some("body.serviceAccount"));
    app.post(
        "/api/gcp/setup/credentials",
        &token,
        json!({"serviceAccount": "{}"}),
    )
    .await
    .expect_error(400, "ValidationError", Some("body.serviceAccount"));
    let n: i64 = app
        .state
        .db
        .conn()
        .query_row("SELECT COUNT(*) FROM gcp_credentials", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
}
