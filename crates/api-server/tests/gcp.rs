//! GCP: service-account key credentials.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn validation_checks_without_saving() {
    let app = TestApp::new();
    let (token, me) = app.signup("gcpv@example.com").await;
    let a = app
        .post(
            "/api/gcp/setup/credentials/validation",
            &token,
            json!({"serviceAccount": gcp_key()}),
        )
        .await;
    a.expect_spot(
        200,
        "POST",
        "/gcp/setup/credentials/validation",
        "status_only.json",
    );
    let n = app.count("SELECT COUNT(*) FROM gcp_credentials");
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
            json!({"serviceAccount": gcp_key()}),
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
    let mut wrong_type = gcp_key();
    wrong_type["type"] = json!("authorized_user");
    let mut bad_email = gcp_key();
    bad_email["client_email"] = json!("spot@other-project.iam.gserviceaccount.com");
    let mut no_pk = gcp_key();
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
    let n = app.count("SELECT COUNT(*) FROM gcp_credentials");
    assert_eq!(n, 0);
}
