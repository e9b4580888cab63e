//! How a body's shape mistakes are answered (`body::SpotJson`): Spot's field names, the
//! generic messages, null read as absent, list items reported on the list, unknown keys
//! ignored. Malformed JSON and a wrong content type are in envelope.rs; sign-up's and Azure's
//! "every field at once" in auth.rs and azure.rs.

mod common;

use common::*;
use serde_json::{Value, json};

fn only_error(a: &Answer) -> (&str, &str) {
    assert_eq!(a.errors().len(), 1, "{}", a.text);
    let e = &a.errors()[0];
    assert_eq!(e["code"], "ValidationError", "{}", a.text);
    (
        e["field"].as_str().unwrap_or_default(),
        e["message"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_wrong_type_at_a_nested_path_names_that_path() {
    let app = TestApp::new();
    let (token, _) = app.signup("nested@example.com").await;
    let cases: [(Value, &str, &str); 3] = [
        (
            json!({"account": {"name": 5}}),
            "body.account.name",
            "\"account.name\" must be a string",
        ),
        (
            json!({"account": {"name": {"first": "x"}}}),
            "body.account.name",
            "\"account.name\" must be a string",
        ),
        (
            json!({"account": {"name": ["Prod"]}}),
            "body.account.name",
            "\"account.name\" must be a string",
        ),
    ];
    for (body, field, message) in cases {
        let a = app.post("/api/setup/account", &token, body).await;
        a.expect(400);
        assert_eq!(only_error(&a), (field, message));
    }
    // Two levels down, in a body that names a broken object itself.
    let me = app.get("/api/auth/me", &token).await;
    let acc = me.item()["defaultAccountId"].as_str().unwrap().to_owned();
    let a = app
        .post(
            "/api/cloudBilling/v1/setup/account",
            &token,
            json!({"accountId": acc, "config": {"billingSource": {"bucket": "acme-cur", "region": true}}}),
        )
        .await;
    a.expect(400);
    assert_eq!(
        only_error(&a),
        (
            "body.config.billingSource.region",
            "\"config.billingSource.region\" must be a string"
        )
    );
    let a = app
        .post(
            "/api/cloudBilling/v1/setup/account",
            &token,
            json!({"accountId": acc, "config": {"billingSource": "acme-cur"}}),
        )
        .await;
    a.expect(400);
    assert_eq!(
        only_error(&a),
        (
            "body.config.billingSource",
            "\"config.billingSource\" must be an object"
        )
    );
}

#[tokio::test]
async fn null_reads_as_absent() {
    let app = TestApp::new();
    let (token, _) = app.signup("null@example.com").await;
    let a = app
        .post(
            "/api/setup/account",
            &token,
            json!({"account": {"name": null}}),
        )
        .await;
    a.expect(400);
    assert_eq!(
        only_error(&a),
        ("body.account.name", "\"account.name\" is required")
    );
    // An optional field sent as null is simply not sent.
    let a = app
        .post("/api/setup/credentials/aws/externalId", &token, json!({}))
        .await;
    a.expect(200);
    app.post(
        "/api/setup/credentials/aws",
        &token,
        json!({"credentials": {"iamRole": "arn:aws:iam::123456789012:role/Spot", "externalId": null}}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn a_mistake_inside_a_list_is_reported_on_the_list() {
    let app = TestApp::new();
    let (token, me) = app.signup("list@example.com").await;
    let id = me["defaultAccountId"].as_str().unwrap();
    for channels in [json!(["#ops", 5]), json!(["#ops", null]), json!("#ops")] {
        let a = app
            .call(
                "PUT",
                &format!("/api/setup/account/{id}"),
                Some(&token),
                Some(json!({"account": {"name": "Ops", "slackNotificationChannels": channels}})),
            )
            .await;
        a.expect(400);
        assert_eq!(
            only_error(&a),
            (
                "body.account.slackNotificationChannels",
                "\"account.slackNotificationChannels\" must be a list of channel names"
            ),
            "{channels}"
        );
    }
}

#[tokio::test]
async fn unknown_keys_are_ignored_at_every_level() {
    let app = TestApp::new();
    let (token, _) = app.signup("extra@example.com").await;
    let a = app
        .post(
            "/api/setup/account",
            &token,
            json!({"account": {"name": "Extra", "tags": ["x"], "id": 5}, "dryRun": true}),
        )
        .await;
    a.expect(200);
    assert_eq!(a.item()["name"], "Extra");
    let a = app
        .call(
            "POST",
            "/api/auth/token",
            None,
            Some(json!({"email": "extra@example.com", "password": "Sup3r-secret!", "grant_type": "password"})),
        )
        .await;
    a.expect(200);
}

#[tokio::test]
async fn shape_mistakes_and_rule_failures_come_in_the_bodys_field_order() {
    let app = TestApp::new();
    // A rule failure (email), then a wrong type (country), then a missing field (password):
    // one answer, in SignupRequest's order, whatever the order of the keys sent.
    let a = app
        .call(
            "POST",
            "/api/auth/signup",
            None,
            Some(json!({"country": 7, "email": "nope", "company": "Acme", "fullName": "Ada"})),
        )
        .await;
    a.expect(400);
    assert_eq!(
        a.fields(),
        vec!["body.email", "body.country", "body.password"],
        "{}",
        a.text
    );
    assert_eq!(a.errors()[1]["message"], "\"country\" must be a string");
    assert_eq!(a.errors()[2]["message"], "\"password\" is required");
}
