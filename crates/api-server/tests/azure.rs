//! Azure: flat service-principal credentials; the secret is never shown back.

mod common;

use common::*;
use serde_json::{Value, json};

const SECRET: &str = "Xy7~Q8abcdefghijklmnopqrstuvwxyz0123456";

fn in_days(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(days)).to_string()
}

fn creds() -> Value {
    json!({
        "clientId": "11111111-2222-3333-4444-555555555555",
        "clientSecret": SECRET,
        "tenantId": "{66666666-7777-8888-9999-AAAAAAAAAAAA}",
        "subscriptionId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "expirationDate": in_days(180),
    })
}

#[tokio::test]
async fn set_then_get_masks_the_secret() {
    let app = TestApp::new();
    let (token, _) = app.signup("az@example.com").await;
    let acc = app.new_account(&token, "Azure prod").await;
    let q = format!("?accountId={acc}");
    let set = app
        .post(&format!("/api/azure/setup/credentials{q}"), &token, creds())
        .await;
    set.expect_spot(
        200,
        "POST",
        &format!("/azure/setup/credentials{q}"),
        "status_only.json",
    );
    let get = app
        .get(&format!("/api/azure/setup/credentials{q}"), &token)
        .await;
    get.expect(200);
    assert_same_shape(&get.body, &fixture("azure_credentials.json"));
    assert_eq!(get.body["response"]["kind"], "spotinst:azure:credentials");
    let item = get.item();
    assert_eq!(item["clientSecret"], "Xy7****");
    assert!(!get.text.contains(SECRET));
    assert_eq!(
        item["tenantId"], "66666666-7777-8888-9999-aaaaaaaaaaaa",
        "normalised by core"
    );
    assert_eq!(
        item["expirationDate"],
        format!("{}T00:00:00.000Z", in_days(180))
    );
    let one = app.get(&format!("/api/setup/account/{acc}"), &token).await;
    assert_eq!(one.item()["cloudProvider"], "azure");
    assert_eq!(
        one.item()["providerExternalId"],
        "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    );
}

#[tokio::test]
async fn validation_needs_no_date_and_saves_nothing() {
    let app = TestApp::new();
    let (token, _) = app.signup("azv@example.com").await;
    let mut body = creds();
    body.as_object_mut().unwrap().remove("expirationDate");
    let a = app
        .post(
            "/api/azure/setup/credentials/validation",
            &token,
            body.clone(),
        )
        .await;
    a.expect(200);
    assert_envelope(&a, "POST", "/azure/setup/credentials/validation");
    let get = app.get("/api/azure/setup/credentials", &token).await;
    get.expect(200);
    assert_eq!(get.body["response"]["count"], 0);
    // The set call does need the date.
    app.post("/api/azure/setup/credentials", &token, body)
        .await
        .expect_error(400, "ValidationError", Some("body.expirationDate"));
}

#[tokio::test]
async fn every_field_is_validated_with_core_rules() {
    let app = TestApp::new();
    let (token, _) = app.signup("azbad@example.com").await;
    let a = app
        .post(
            "/api/azure/setup/credentials",
            &token,
            json!({"clientId": "nope", "clientSecret": " padded ", "tenantId": 5, "subscriptionId": "", "expirationDate": in_days(-1)}),
        )
        .await;
    a.expect(400);
    // Every field at once, in the form's order.
    let fields = [
        "body.clientId",
        "body.clientSecret",
        "body.tenantId",
        "body.subscriptionId",
        "body.expirationDate",
    ];
    assert_eq!(a.fields(), fields);
    let expected = onramp_core::validate::azure_guid("nope", "Application (client) ID")
        .unwrap_err()
        .message;
    assert_eq!(a.errors()[0]["message"], expected);
    let mut far = creds();
    far["expirationDate"] = json!(in_days(3 * 365));
    app.post("/api/azure/setup/credentials", &token, far)
        .await
        .expect_error(400, "ValidationError", Some("body.expirationDate"));
    let a = app
        .post("/api/azure/setup/credentials/validation", &token, json!({}))
        .await;
    a.expect(400);
    // Validation needs no expiration date.
    assert_eq!(a.fields(), fields[..4]);
}

/// The test knob `azureRoleMissing` stands for Azure refusing a service principal that has no
/// role on the subscription: both calls answer 400 `AZURE_ROLE_NOT_ASSIGNED` on the
/// subscription, with words a person can act on, and store nothing; once the knob is cleared
/// (the role "assigned") they pass. Other subscriptions are not affected.
#[tokio::test]
async fn a_subscription_without_the_role_assignment_is_refused_until_it_has_one() {
    let mut c = config();
    c.fault_control = true;
    c.faults.azure_role_missing = vec!["aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee".into()];
    let app = TestApp::with(c);
    let (token, _) = app.signup("azrole@example.com").await;
    let acc = app.new_account(&token, "Azure no role").await;
    let q = format!("?accountId={acc}");
    // Upper case, as a user may paste it: the same subscription.
    let mut body = creds();
    body["subscriptionId"] = json!("AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE");
    for path in [
        "/api/azure/setup/credentials/validation",
        "/api/azure/setup/credentials",
    ] {
        let a = app.post(&format!("{path}{q}"), &token, body.clone()).await;
        a.expect_error(400, "AZURE_ROLE_NOT_ASSIGNED", Some("body.subscriptionId"));
        let message = a.errors()[0]["message"].as_str().unwrap();
        for words in [
            "11111111-2222-3333-4444-555555555555",
            "no role on subscription aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "Assign",
            "try again",
        ] {
            assert!(message.contains(words), "{words:?} in {message}");
        }
        assert!(!a.text.contains(SECRET));
    }
    let one = app.get(&format!("/api/setup/account/{acc}"), &token).await;
    assert!(one.item()["cloudProvider"].is_null(), "nothing stored");
    let get = app
        .get(&format!("/api/azure/setup/credentials{q}"), &token)
        .await;
    get.expect(200);
    assert_eq!(get.items().len(), 0, "no credentials stored: {}", get.text);

    // Another subscription passes meanwhile.
    let other = app.new_account(&token, "Azure with role").await;
    let mut ok = creds();
    ok["subscriptionId"] = json!("bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee");
    app.post(
        &format!("/api/azure/setup/credentials/validation?accountId={other}"),
        &token,
        ok,
    )
    .await
    .expect(200);

    // The role is assigned: the knob is cleared, and the same calls pass.
    app.post_anon("/api/_faults", json!({"azureRoleMissing": []}))
        .await
        .expect(200);
    for path in [
        "/api/azure/setup/credentials/validation",
        "/api/azure/setup/credentials",
    ] {
        app.post(&format!("{path}{q}"), &token, body.clone())
            .await
            .expect(200);
    }
    let one = app.get(&format!("/api/setup/account/{acc}"), &token).await;
    assert_eq!(one.item()["cloudProvider"], "azure");
}

#[tokio::test]
async fn the_role_knob_takes_only_subscription_ids() {
    let mut c = config();
    c.fault_control = true;
    let app = TestApp::with(c);
    let a = app
        .post_anon("/api/_faults", json!({"azureRoleMissing": ["prod"]}))
        .await;
    a.expect_error(400, "ValidationError", Some("body"));
    assert!(a.text.contains("azureRoleMissing"), "{}", a.text);
}
