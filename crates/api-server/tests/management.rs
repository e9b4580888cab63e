//! The organization's management account (ours): AWS (CUR bucket + role per product) or Azure
//! billing account; one per organization.

mod common;

use common::*;
use onramp_api::secrets::MANAGEMENT_CLIENT_SECRET;
use serde_json::{Value, json};

const FINOPS: &str = "arn:aws:iam::123456789012:role/SpotFinOpsRole";
const COMPUTE: &str = "arn:aws:iam::123456789012:role/SpotComputeOptimizationRole";
const SECRET: &str = "Xy7~Q8abcdefghijklmnopqrstuvwxyz0123456";
const MCA: &str =
    "0f8fad5b-d9cb-469f-a165-70867728950e:7c9e6679-7425-40de-944b-e07fc1f90ae7_2019-05-31";

fn in_days(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(days)).to_string()
}

fn aws_body(account: &str) -> Value {
    json!({
        "accountId": account,
        "environment": "commercial",
        "bucketName": "my-cur-bucket",
        "products": ["costAnalysis", "computeOptimization"],
        "roleArns": {"costAnalysis": FINOPS, "computeOptimization": COMPUTE},
    })
}

fn azure_body(account: &str) -> Value {
    json!({
        "accountId": account,
        "clientId": "11111111-2222-3333-4444-555555555555",
        "tenantId": "66666666-7777-8888-9999-AAAAAAAAAAAA",
        "clientSecret": SECRET,
        "expirationDate": in_days(180),
        "agreementType": "mca",
        "billingAccountId": MCA,
    })
}

/// Signs up and creates a fresh account with a generated external ID; returns (token, account).
async fn setup(app: &TestApp, email: &str) -> (String, String) {
    let (token, _) = app.signup(email).await;
    let acc = app.new_account(&token, "Management").await;
    external_id(app, &token, &acc).await;
    (token, acc)
}

async fn external_id(app: &TestApp, token: &str, acc: &str) -> String {
    let a = app
        .post(
            &format!("/api/setup/credentials/aws/externalId?accountId={acc}"),
            token,
            json!({}),
        )
        .await;
    a.expect(200);
    a.item()["externalId"].as_str().unwrap().to_owned()
}

async fn register_aws(app: &TestApp, token: &str, body: Value) -> Answer {
    app.post("/api/onramp/management/aws", token, body).await
}

async fn register_azure(app: &TestApp, token: &str, body: Value) -> Answer {
    app.post("/api/onramp/management/azure", token, body).await
}

async fn assert_none_registered(app: &TestApp, token: &str) {
    let get = app.get("/api/onramp/management", token).await;
    assert!(get.items().is_empty(), "{}", get.text);
}

async fn kind_of(app: &TestApp, acc: &str) -> String {
    app.state
        .db
        .conn()
        .query_row("SELECT kind FROM accounts WHERE id = ?1", [acc], |r| {
            r.get(0)
        })
        .unwrap()
}

// ---- happy paths -----------------------------------------------------------------------------

#[tokio::test]
async fn aws_registration_marks_the_account_and_is_readable() {
    let app = TestApp::new();
    let (token, acc) = setup(&app, "aws-mgmt@example.com").await;
    let ext = external_id(&app, &token, &acc).await;
    let mut body = aws_body(&acc);
    body["bucketName"] = json!("  my-cur-bucket ");
    let a = register_aws(&app, &token, body).await;
    a.expect(200);
    assert_envelope(&a, "POST", "/onramp/management/aws");
    assert_eq!(a.body["response"]["kind"], "onramp:management:account");
    let item = a.item();
    assert_eq!(item["accountId"], acc);
    assert_eq!(item["accountName"], "Management");
    assert_eq!(item["cloudProvider"], "aws");
    assert_eq!(item["providerExternalId"], "123456789012");
    assert_eq!(item["aws"]["bucketName"], "my-cur-bucket");
    assert_eq!(item["aws"]["environment"], "commercial");
    assert_eq!(
        item["aws"]["products"],
        json!(["costAnalysis", "computeOptimization"])
    );
    assert_eq!(item["aws"]["roleArns"]["costAnalysis"], FINOPS);
    assert_eq!(item["aws"]["roleArns"]["computeOptimization"], COMPUTE);
    assert!(item.get("azure").is_none());
    assert!(!a.text.contains(&ext), "the external ID is not echoed");

    let get = app.get("/api/onramp/management", &token).await;
    get.expect(200);
    assert_eq!(get.items().len(), 1);
    assert_eq!(get.item(), a.item());

    let one = app.get(&format!("/api/setup/account/{acc}"), &token).await;
    assert_eq!(one.item()["cloudProvider"], "aws");
    assert_eq!(one.item()["providerExternalId"], "123456789012");
    assert_eq!(kind_of(&app, &acc).await, "management");
    let stored: String = app
        .state
        .db
        .conn()
        .query_row(
            "SELECT external_id FROM management_accounts WHERE account_id = ?1",
            [&acc],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, ext, "the roles trust the generated external ID");
}

#[tokio::test]
async fn aws_registration_with_one_product_and_a_govcloud_role() {
    let app = TestApp::new();
    let (token, acc) = setup(&app, "gov@example.com").await;
    let a = register_aws(
        &app,
        &token,
        json!({
            "accountId": acc,
            "environment": "govcloud",
            "bucketName": "gov-cur",
            "products": ["costAnalysis"],
            "roleArns": {"costAnalysis": "arn:aws-us-gov:iam::210987654321:role/F"},
        }),
    )
    .await;
    a.expect(200);
    assert_eq!(a.item()["providerExternalId"], "210987654321");
    assert_eq!(a.item()["aws"]["environment"], "govcloud");
    assert!(
        a.item()["aws"]["roleArns"]
            .get("computeOptimization")
            .is_none()
    );
}

#[tokio::test]
async fn aws_registration_needs_a_generated_external_id() {
    let app = TestApp::new();
    let (token, _) = app.signup("noext@example.com").await;
    let acc = app.new_account(&token, "Management").await;
    register_aws(&app, &token, aws_body(&acc))
        .await
        .expect_error(400, "ValidationError", Some("body.accountId"));
    external_id(&app, &token, &acc).await;
    app.exec("UPDATE aws_external_ids SET valid_until_unix = 0");
    let a = register_aws(&app, &token, aws_body(&acc)).await;
    a.expect_error(400, "ValidationError", Some("body.accountId"));
    assert!(a.text.contains("expired"), "{}", a.text);
}

#[tokio::test]
async fn azure_billing_account_registration_never_returns_the_secret() {
    let app = TestApp::new();
    let (token, _) = app.signup("az-mgmt@example.com").await;
    let acc = app.new_account(&token, "Billing").await;
    let a = register_azure(&app, &token, azure_body(&acc)).await;
    a.expect(200);
    assert_envelope(&a, "POST", "/onramp/management/azure");
    let item = a.item();
    assert_eq!(item["cloudProvider"], "azure");
    assert_eq!(item["providerExternalId"], MCA);
    assert_eq!(item["azure"]["agreementType"], "mca");
    assert_eq!(item["azure"]["billingAccountId"], MCA);
    assert_eq!(
        item["azure"]["tenantId"],
        "66666666-7777-8888-9999-aaaaaaaaaaaa"
    );
    assert_eq!(
        item["azure"]["expirationDate"],
        format!("{}T00:00:00.000Z", in_days(180))
    );
    assert_eq!(item["azure"]["clientSecret"], "Xy7****");
    assert!(item.get("aws").is_none());
    assert!(!a.text.contains(SECRET));

    let get = app.get("/api/onramp/management", &token).await;
    get.expect(200);
    assert_eq!(get.item()["azure"]["clientSecret"], "Xy7****");
    assert!(!get.text.contains(SECRET));
    let one = app.get(&format!("/api/setup/account/{acc}"), &token).await;
    assert_eq!(one.item()["cloudProvider"], "azure");
    assert_eq!(one.item()["providerExternalId"], MCA);
    assert_eq!(kind_of(&app, &acc).await, "management");
    // Stored (the server needs it), but only in its own column.
    let (secret, config): (String, String) = app
        .state
        .db
        .conn()
        .query_row(
            "SELECT client_secret, config FROM management_accounts WHERE account_id = ?1",
            [&acc],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_ne!(secret, SECRET, "encrypted at rest");
    assert_eq!(
        app.state
            .secrets
            .open(MANAGEMENT_CLIENT_SECRET, &acc, &secret)
            .unwrap(),
        SECRET
    );
    assert!(!config.contains(SECRET));
}

#[tokio::test]
async fn azure_fields_are_validated_all_at_once() {
    let app = TestApp::new();
    let (token, _) = app.signup("az-bad@example.com").await;
    let acc = app.new_account(&token, "Billing").await;
    let a = register_azure(
        &app,
        &token,
        json!({
            "accountId": acc,
            "clientId": "nope",
            "tenantId": "66666666-7777-8888-9999-AAAAAAAAAAAA",
            "clientSecret": " padded ",
            "expirationDate": in_days(-1),
            "agreementType": "ea",
            "billingAccountId": MCA,
        }),
    )
    .await;
    a.expect(400);
    assert_eq!(
        a.fields(),
        [
            "body.clientId",
            "body.clientSecret",
            "body.expirationDate",
            "body.billingAccountId"
        ]
    );
    assert!(
        a.text.contains("Microsoft Customer Agreement"),
        "the agreement-specific hint: {}",
        a.text
    );
    let mut wrong_type = azure_body(&acc);
    wrong_type["agreementType"] = json!("csp");
    register_azure(&app, &token, wrong_type).await.expect_error(
        400,
        "ValidationError",
        Some("body.agreementType"),
    );
    let get = app.get("/api/onramp/management", &token).await;
    get.expect(200);
    assert!(get.items().is_empty());
}

// ---- one per organization --------------------------------------------------------------------

#[tokio::test]
async fn second_management_account_refused_aws_then_azure() {
    let app = TestApp::new();
    let (token, acc) = setup(&app, "two-a@example.com").await;
    register_aws(&app, &token, aws_body(&acc)).await.expect(200);
    let other = app.new_account(&token, "Other").await;
    let a = register_azure(&app, &token, azure_body(&other)).await;
    a.expect_error(409, "ManagementAccount_ALREADY_EXISTS", None);
    let msg = a.message();
    assert!(
        msg.contains(&acc) && msg.contains("Management") && msg.contains("123456789012"),
        "names the existing account: {msg}"
    );
    // Another AWS account too, and the same account switching cloud.
    external_id(&app, &token, &other).await;
    register_aws(&app, &token, aws_body(&other))
        .await
        .expect_error(409, "ManagementAccount_ALREADY_EXISTS", None);
    register_azure(&app, &token, azure_body(&acc))
        .await
        .expect_error(409, "ManagementAccount_ALREADY_EXISTS", None);
    assert_eq!(kind_of(&app, &other).await, "linked");
    let one = app
        .get(&format!("/api/setup/account/{other}"), &token)
        .await;
    assert_eq!(one.item()["cloudProvider"], Value::Null);
}

#[tokio::test]
async fn second_management_account_refused_azure_then_aws() {
    let app = TestApp::new();
    let (token, _) = app.signup("two-b@example.com").await;
    let billing = app.new_account(&token, "Billing").await;
    register_azure(&app, &token, azure_body(&billing))
        .await
        .expect(200);
    let acc = app.new_account(&token, "Payer").await;
    external_id(&app, &token, &acc).await;
    let a = register_aws(&app, &token, aws_body(&acc)).await;
    a.expect_error(409, "ManagementAccount_ALREADY_EXISTS", None);
    let msg = a.message();
    assert!(
        msg.contains(&billing) && msg.contains("Billing") && msg.contains(MCA),
        "{msg}"
    );
    let other = app.new_account(&token, "Other billing").await;
    register_azure(&app, &token, azure_body(&other))
        .await
        .expect_error(409, "ManagementAccount_ALREADY_EXISTS", None);
    let get = app.get("/api/onramp/management", &token).await;
    assert_eq!(get.items().len(), 1);
    assert_eq!(get.item()["accountId"], billing);
}

#[tokio::test]
async fn registering_the_same_account_again_updates_it() {
    let app = TestApp::new();
    let (token, acc) = setup(&app, "again@example.com").await;
    register_aws(&app, &token, aws_body(&acc)).await.expect(200);
    // Even after the generated external ID expired: the registered one is kept.
    app.exec("UPDATE aws_external_ids SET valid_until_unix = 0");
    let mut body = aws_body(&acc);
    body["bucketName"] = json!("other-cur-bucket");
    let a = register_aws(&app, &token, body).await;
    a.expect(200);
    assert_eq!(a.item()["aws"]["bucketName"], "other-cur-bucket");
}

#[tokio::test]
async fn deleting_frees_the_slot() {
    let app = TestApp::new();
    let (token, acc) = setup(&app, "free@example.com").await;
    register_aws(&app, &token, aws_body(&acc)).await.expect(200);

    // Unregister (ours): the account stays, linked and no longer connected.
    let del = app.delete("/api/onramp/management", &token).await;
    del.expect(200);
    assert_same_shape(&del.body, &fixture("status_only.json"));
    assert_none_registered(&app, &token).await;
    assert_eq!(kind_of(&app, &acc).await, "linked");
    let one = app.get(&format!("/api/setup/account/{acc}"), &token).await;
    assert_eq!(one.item()["cloudProvider"], Value::Null);
    app.delete("/api/onramp/management", &token)
        .await
        .expect_error(400, "ManagementAccount_DOESNT_EXIST", None);

    // The slot is free: another account (Azure this time) registers, then deleting that
    // account (Spot's DELETE /setup/account/{id}) frees the slot again.
    let billing = app.new_account(&token, "Billing").await;
    register_azure(&app, &token, azure_body(&billing))
        .await
        .expect(200);
    app.delete(&format!("/api/setup/account/{billing}"), &token)
        .await
        .expect(200);
    assert_none_registered(&app, &token).await;
    register_aws(&app, &token, aws_body(&acc)).await.expect(200);
}

#[tokio::test]
async fn unregistering_keeps_linked_credentials() {
    let app = TestApp::new();
    let (token, acc) = setup(&app, "linked-too@example.com").await;
    app.post(
        &format!("/api/setup/credentials/aws?accountId={acc}"),
        &token,
        json!({"credentials": {"iamRole": "arn:aws:iam::123456789012:role/Spot-Role"}}),
    )
    .await
    .expect(200);
    register_aws(&app, &token, aws_body(&acc)).await.expect(200);
    app.delete("/api/onramp/management", &token)
        .await
        .expect(200);
    let one = app.get(&format!("/api/setup/account/{acc}"), &token).await;
    assert_eq!(one.item()["cloudProvider"], "aws");
    assert_eq!(one.item()["providerExternalId"], "123456789012");
}

// ---- validation ------------------------------------------------------------------------------

#[tokio::test]
async fn bucket_name_that_is_an_ipv4_address_is_refused() {
    let app = TestApp::new();
    let (token, acc) = setup(&app, "ip@example.com").await;
    let mut body = aws_body(&acc);
    body["bucketName"] = json!("192.168.5.4");
    let a = register_aws(&app, &token, body).await;
    a.expect_error(400, "ValidationError", Some("body.bucketName"));
    assert!(a.text.contains("IP"), "{}", a.text);
    assert_none_registered(&app, &token).await;
}

#[tokio::test]
async fn role_arn_of_the_wrong_partition_gets_the_specific_message() {
    let app = TestApp::new();
    let (token, acc) = setup(&app, "partition@example.com").await;
    let mut body = aws_body(&acc);
    body["environment"] = json!("china");
    body["products"] = json!(["costAnalysis"]);
    body["roleArns"] = json!({"costAnalysis": FINOPS});
    let a = register_aws(&app, &token, body).await;
    a.expect_error(400, "ValidationError", Some("body.roleArns.costAnalysis"));
    let msg = a.message();
    assert!(
        msg.contains("must be in the aws-cn partition because you chose AWS China"),
        "{msg}"
    );
}

#[tokio::test]
async fn each_selected_product_needs_its_arn_and_only_those() {
    let app = TestApp::new();
    let (token, acc) = setup(&app, "arns@example.com").await;
    let mut missing = aws_body(&acc);
    missing["roleArns"] = json!({"costAnalysis": FINOPS});
    let a = register_aws(&app, &token, missing).await;
    a.expect_error(
        400,
        "ValidationError",
        Some("body.roleArns.computeOptimization"),
    );
    assert!(
        a.text.contains("SpotComputeOptimizationRoleArn"),
        "{}",
        a.text
    );

    let mut none = aws_body(&acc);
    none.as_object_mut().unwrap().remove("roleArns");
    let a = register_aws(&app, &token, none).await;
    a.expect(400);
    assert_eq!(
        a.fields(),
        [
            "body.roleArns.costAnalysis",
            "body.roleArns.computeOptimization"
        ]
    );

    // Each body differs from a good one in one way; the field that says so.
    let edited = |edit: fn(&mut Value)| {
        let mut body = aws_body(&acc);
        edit(&mut body);
        body
    };
    for (body, field) in [
        (
            edited(|b| b["products"] = json!(["costAnalysis"])),
            "body.roleArns.computeOptimization",
        ),
        (
            edited(|b| {
                b["roleArns"]["computeOptimization"] = json!("arn:aws:iam::210987654321:role/C")
            }),
            "body.roleArns.computeOptimization",
        ),
        (
            edited(|b| {
                b["products"] = json!([]);
                b["roleArns"] = json!({});
            }),
            "body.products",
        ),
        (edited(|b| b["products"] = json!(["eco"])), "body.products"),
        (
            edited(|b| b["environment"] = json!("mars")),
            "body.environment",
        ),
        (
            edited(|b| {
                b.as_object_mut().unwrap().remove("accountId");
            }),
            "body.accountId",
        ),
    ] {
        register_aws(&app, &token, body)
            .await
            .expect_error(400, "ValidationError", Some(field));
    }
    assert_eq!(kind_of(&app, &acc).await, "linked");
}

#[tokio::test]
async fn an_account_connected_elsewhere_is_refused() {
    let app = TestApp::new();
    let (token, acc) = setup(&app, "elsewhere@example.com").await;
    // Connected to AWS account 111111111111 as a linked account.
    app.post(
        &format!("/api/setup/credentials/aws?accountId={acc}"),
        &token,
        json!({"credentials": {"iamRole": "arn:aws:iam::111111111111:role/Spot-Role"}}),
    )
    .await
    .expect(200);
    let a = register_aws(&app, &token, aws_body(&acc)).await;
    a.expect_error(400, "ValidationError", Some("body.accountId"));
    assert!(a.text.contains("111111111111"), "{}", a.text);
    // Connected to Azure (subscription): neither an AWS nor a billing registration.
    let az = app.new_account(&token, "Azure sub").await;
    app.post(
        &format!("/api/azure/setup/credentials?accountId={az}"),
        &token,
        json!({
            "clientId": "11111111-2222-3333-4444-555555555555",
            "clientSecret": SECRET,
            "tenantId": "66666666-7777-8888-9999-aaaaaaaaaaaa",
            "subscriptionId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "expirationDate": in_days(30),
        }),
    )
    .await
    .expect(200);
    external_id(&app, &token, &az).await;
    register_aws(&app, &token, aws_body(&az))
        .await
        .expect_error(400, "ValidationError", Some("body.accountId"));
    let a = register_azure(&app, &token, azure_body(&az)).await;
    a.expect_error(400, "ValidationError", Some("body.accountId"));
    assert!(a.text.contains("subscription"), "{}", a.text);
    assert_none_registered(&app, &token).await;
}

// ---- isolation -------------------------------------------------------------------------------

#[tokio::test]
async fn organizations_cannot_register_or_see_each_others() {
    let app = TestApp::new();
    let (token_a, acc_a) = setup(&app, "org-a@example.com").await;
    let (token_b, acc_b) = setup(&app, "org-b@example.com").await;
    register_aws(&app, &token_a, aws_body(&acc_a))
        .await
        .expect(200);

    // A cannot register B's account (AWS or Azure): the same answer as an unknown account.
    register_aws(&app, &token_a, aws_body(&acc_b))
        .await
        .expect_error(400, "Account_DOESNT_EXIST", None);
    register_azure(&app, &token_a, azure_body(&acc_b))
        .await
        .expect_error(400, "Account_DOESNT_EXIST", None);
    // B sees nothing of A's, and has its own slot.
    let b = app.get("/api/onramp/management", &token_b).await;
    b.expect(200);
    assert!(b.items().is_empty());
    app.delete("/api/onramp/management", &token_b)
        .await
        .expect_error(400, "ManagementAccount_DOESNT_EXIST", None);
    register_azure(&app, &token_b, azure_body(&acc_b))
        .await
        .expect(200);
    let a = app.get("/api/onramp/management", &token_a).await;
    assert_eq!(a.item()["accountId"], acc_a);
    assert!(!a.text.contains(&acc_b));
    let b = app.get("/api/onramp/management", &token_b).await;
    assert_eq!(b.item()["accountId"], acc_b);
    assert!(!b.text.contains(&acc_a));
    assert_eq!(kind_of(&app, &acc_b).await, "management");
}

#[tokio::test]
async fn routes_need_a_token() {
    let app = TestApp::new();
    for (method, uri) in [
        ("GET", "/api/onramp/management"),
        ("DELETE", "/api/onramp/management"),
        ("POST", "/api/onramp/management/aws"),
        ("POST", "/api/onramp/management/azure"),
    ] {
        app.call(method, uri, None, Some(json!({})))
            .await
            .expect_error(401, "Unauthorized", None);
    }
}
