//! `/setup/organization` and `/setup/account`.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn create_answers_id_and_list_answers_account_id() {
    let app = TestApp::new();
    let (token, me) = app.signup("acc@example.com").await;
    let a = app
        .post(
            "/api/setup/account",
            &token,
            json!({"account": {"name": "  Production  "}}),
        )
        .await;
    a.expect_spot(200, "POST", "/setup/account", "create_account.json");
    assert_eq!(a.body["response"]["kind"], "spotinst:setup:account");
    let item = a.item();
    let id = item["id"].as_str().unwrap();
    assert!(onramp_core::ids::AccountId::parse(id).is_some(), "{id}");
    assert!(item.get("accountId").is_none());
    assert_eq!(item["name"], "Production", "trimmed by core's rule");
    assert_eq!(item["organizationId"], me["organizationId"]);

    let list = app.get("/api/setup/account", &token).await;
    list.expect(200);
    assert_same_shape(&list.body, &fixture("list_accounts.json"));
    assert_eq!(list.body["response"]["count"], 2);
    let second = &list.items()[1];
    assert_eq!(second["accountId"], id);
    assert!(second.get("id").is_none());
    assert!(second["cloudProvider"].is_null());
    assert!(second["providerExternalId"].is_null());
    assert!(is_iso_ms(second["createdAt"].as_str().unwrap()));
    // Oldest first.
    assert_eq!(list.items()[0]["accountId"], me["defaultAccountId"]);

    let one = app.get(&format!("/api/setup/account/{id}"), &token).await;
    one.expect(200);
    assert_eq!(one.body["response"]["count"], 1);
    assert_eq!(one.item(), second);
}

#[tokio::test]
async fn account_names_are_validated_with_core_rules() {
    let app = TestApp::new();
    let (token, me) = app.signup("names@example.com").await;
    for body in [
        json!({"account": {"name": "1234"}}),
        json!({"account": {"name": ""}}),
        json!({"account": {"name": "x".repeat(101)}}),
    ] {
        app.post("/api/setup/account", &token, body)
            .await
            .expect_error(400, "ValidationError", Some("body.account.name"));
    }
    let a = app
        .post("/api/setup/account", &token, json!({"account": {}}))
        .await;
    a.expect_error(400, "ValidationError", Some("body.account.name"));
    assert_eq!(a.errors()[0]["message"], "\"account.name\" is required");
    app.post("/api/setup/account", &token, json!({}))
        .await
        .expect_error(400, "ValidationError", Some("body.account.name"));
    let id = me["defaultAccountId"].as_str().unwrap();
    app.put(
        &format!("/api/setup/account/{id}"),
        &token,
        json!({"account": {"name": "!!"}}),
    )
    .await
    .expect_error(400, "ValidationError", Some("body.account.name"));
    app.put(
        &format!("/api/setup/account/{id}"),
        &token,
        json!({"account": {"name": "ok name", "slackNotificationChannels": "general"}}),
    )
    .await
    .expect_error(
        400,
        "ValidationError",
        Some("body.account.slackNotificationChannels"),
    );
    // Bounded: a list of at most 50 names, each as long as Slack allows (80), no spaces.
    let many: Vec<String> = (0..51).map(|i| format!("#c{i}")).collect();
    for (channels, words) in [
        (json!(many), "at most 50"),
        (json!(["#ok", "x".repeat(81)]), "1 to 80 characters"),
        (json!(["two words"]), "a space"),
    ] {
        let a = app
            .put(
                &format!("/api/setup/account/{id}"),
                &token,
                json!({"account": {"name": "ok name", "slackNotificationChannels": channels}}),
            )
            .await;
        a.expect_error(
            400,
            "ValidationError",
            Some("body.account.slackNotificationChannels"),
        );
        assert!(a.message().contains(words), "{words}: {}", a.text);
    }
}

#[tokio::test]
async fn update_and_delete() {
    let app = TestApp::new();
    let (token, me) = app.signup("upd@example.com").await;
    let id = app.new_account(&token, "Staging").await;
    app.put(
        &format!("/api/setup/account/{id}"),
        &token,
        json!({"account": {"name": "Stage two", "slackNotificationChannels": ["#ops"]}}),
    )
    .await
    .expect(200);
    let one = app.get(&format!("/api/setup/account/{id}"), &token).await;
    assert_eq!(one.item()["name"], "Stage two");

    let del = app
        .delete(&format!("/api/setup/account/{id}"), &token)
        .await;
    del.expect(200);
    assert_envelope(&del, "DELETE", &format!("/setup/account/{id}"));
    app.get(&format!("/api/setup/account/{id}"), &token)
        .await
        .expect_error(400, "Account_DOESNT_EXIST", None);
    // The default (oldest) account stays.
    let default = me["defaultAccountId"].as_str().unwrap();
    app.delete(&format!("/api/setup/account/{default}"), &token)
        .await
        .expect_error(400, "DefaultAccount_CANNOT_BE_DELETED", None);
}

#[tokio::test]
async fn unknown_and_malformed_ids_get_account_doesnt_exist() {
    let app = TestApp::new();
    let (token, _) = app.signup("unk@example.com").await;
    for id in ["act-00000000", "act-XYZ", "nope"] {
        let a = app.get(&format!("/api/setup/account/{id}"), &token).await;
        a.expect_error(400, "Account_DOESNT_EXIST", None);
        assert_same_shape(&a.body, &fixture("account_doesnt_exist.json"));
    }
}

#[tokio::test]
async fn cloud_account_id_filter() {
    let app = TestApp::new();
    let (token, me) = app.signup("filter@example.com").await;
    let id = app.new_account(&token, "Other").await;
    app.exec(&format!(
        "UPDATE accounts SET cloud_provider = 'aws', provider_external_id = '123456789012' WHERE id = '{id}'"
    ));
    let a = app
        .get("/api/setup/account?cloudAccountId=123456789012", &token)
        .await;
    a.expect(200);
    assert_eq!(a.body["response"]["count"], 1);
    assert_eq!(a.item()["accountId"], id.as_str());
    assert_eq!(a.item()["cloudProvider"], "aws");
    let none = app
        .get("/api/setup/account?cloudAccountId=999999999999", &token)
        .await;
    none.expect(200);
    assert_eq!(none.body["response"]["count"], 0);
    assert_eq!(none.items().len(), 0);
    let _ = me;
}

#[tokio::test]
async fn organizations_create_and_delete_scoped_to_caller() {
    let app = TestApp::new();
    let (a_token, a_me) = app.signup("orga@example.com").await;
    let (b_token, b_me) = app.signup("orgb@example.com").await;
    let created = app
        .post(
            "/api/setup/organization",
            &a_token,
            json!({"organization": {"name": "Side project"}}),
        )
        .await;
    created.expect_spot(200, "POST", "/setup/organization", "organization.json");
    assert_eq!(
        created.body["response"]["kind"],
        "spotinst:setup:organization"
    );
    let org = created.item()["organizationId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(org.len(), 12);
    assert_eq!(created.item()["organizationName"], "Side project");
    app.post(
        "/api/setup/organization",
        &a_token,
        json!({"organization": {"name": "42"}}),
    )
    .await
    .expect_error(400, "ValidationError", Some("body.organization.name"));

    // B cannot delete A's organizations; unknown ids get the same answer.
    let foreign = app
        .delete(&format!("/api/setup/organization/{org}"), &b_token)
        .await;
    foreign.expect_error(400, "Organization_DOESNT_EXIST", None);
    let a_org = a_me["organizationId"].as_str().unwrap();
    let foreign2 = app
        .delete(&format!("/api/setup/organization/{a_org}"), &b_token)
        .await;
    let unknown = app
        .delete("/api/setup/organization/100000000000", &b_token)
        .await;
    assert_eq!(foreign2.body["response"], unknown.body["response"]);
    app.get("/api/auth/me", &a_token).await.expect(200);

    app.delete(&format!("/api/setup/organization/{org}"), &a_token)
        .await
        .expect(200);
    app.delete(&format!("/api/setup/organization/{org}"), &a_token)
        .await
        .expect_error(400, "Organization_DOESNT_EXIST", None);
    // Deleting one's own organization removes it and everything in it, token included.
    let b_org = b_me["organizationId"].as_str().unwrap();
    app.delete(&format!("/api/setup/organization/{b_org}"), &b_token)
        .await
        .expect(200);
    app.get("/api/auth/me", &b_token)
        .await
        .expect_error(401, "Unauthorized", None);
    app.get("/api/auth/me", &a_token).await.expect(200);
}

/// `POST /setup/account` with an `Idempotency-Key` (the app sends one per **Create account**).
async fn create_with_key(app: &TestApp, token: &str, key: &str, name: &str) -> Answer {
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/setup/account")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(axum::body::Body::from(
            json!({"account": {"name": name}}).to_string(),
        ))
        .unwrap();
    app.send(req).await
}

fn count_named(list: &Answer, name: &str) -> usize {
    list.items().iter().filter(|a| a["name"] == name).count()
}

#[tokio::test]
async fn a_repeated_idempotency_key_creates_nothing_more() {
    let app = TestApp::new();
    let (token, _) = app.signup("idem@example.com").await;
    let first = create_with_key(&app, &token, "k-1", "Repeated").await;
    first.expect(200);
    let again = create_with_key(&app, &token, "k-1", "Repeated").await;
    again.expect(200);
    assert_eq!(
        again.item(),
        first.item(),
        "the same answer for the same request"
    );
    let list = app.get("/api/setup/account", &token).await;
    assert_eq!(count_named(&list, "Repeated"), 1, "one account, not two");

    // Another key is another account, even under the same name.
    create_with_key(&app, &token, "k-2", "Repeated")
        .await
        .expect(200);
    let list = app.get("/api/setup/account", &token).await;
    assert_eq!(count_named(&list, "Repeated"), 2);

    // A key reused for another name is refused, and creates nothing.
    create_with_key(&app, &token, "k-1", "Other name")
        .await
        .expect_error(422, "IDEMPOTENCY_KEY_REUSED", None);
    let list = app.get("/api/setup/account", &token).await;
    assert_eq!(count_named(&list, "Other name"), 0);

    // Malformed keys are refused before anything is written.
    for bad in ["", &"k".repeat(101), "has space"] {
        create_with_key(&app, &token, bad, "Bad key")
            .await
            .expect_error(400, "ValidationError", None);
    }
    let list = app.get("/api/setup/account", &token).await;
    assert_eq!(count_named(&list, "Bad key"), 0);
}

#[tokio::test]
async fn a_key_whose_account_was_deleted_creates_it_again() {
    let app = TestApp::new();
    let (token, _) = app.signup("idem-gone@example.com").await;
    let first = create_with_key(&app, &token, "k-gone", "Gone").await;
    first.expect(200);
    let id = first.item()["id"].as_str().unwrap().to_owned();
    app.delete(&format!("/api/setup/account/{id}"), &token)
        .await
        .expect(200);
    // Never an answer naming the deleted account: a new one, which exists.
    let again = create_with_key(&app, &token, "k-gone", "Gone").await;
    again.expect(200);
    let new_id = again.item()["id"].as_str().unwrap().to_owned();
    assert_ne!(new_id, id);
    app.get(&format!("/api/setup/account/{new_id}"), &token)
        .await
        .expect(200);
    // And that one is the key's from now on.
    let third = create_with_key(&app, &token, "k-gone", "Gone").await;
    assert_eq!(third.item()["id"], new_id.as_str());
}

#[tokio::test]
async fn an_organization_holds_at_most_10000_accounts_and_a_user_joins_at_most_100() {
    let app = TestApp::new();
    let (token, _) = app.signup("full@example.com").await;
    let first = app.new_account(&token, "First").await;
    let org: i64 = app.count(&format!("SELECT org_id FROM accounts WHERE id = '{first}'"));
    // Filled up to one short of the limit directly, as creating them one by one would take long.
    let held = app.count(&format!(
        "SELECT count(*) FROM accounts WHERE org_id = {org}"
    ));
    app.exec(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) \
         INSERT INTO accounts (id, org_id, name, created_at) \
         SELECT printf('act-f%07x', i), {org}, 'Filler', 't' FROM n",
        9_999 - held
    ));
    app.new_account(&token, "The last one").await;
    let over = app
        .post(
            "/api/setup/account",
            &token,
            json!({"account": {"name": "One too many"}}),
        )
        .await;
    over.expect_error(409, "LIMIT_REACHED", None);
    assert!(over.message().contains("10000 accounts"), "{}", over.text);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM accounts WHERE org_id = {org}"
        )),
        10_000
    );

    let (other, _) = app.signup("orgs@example.com").await;
    let belongs = app.count("SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'orgs@example.com'");
    for i in belongs..100 {
        app.post(
            "/api/setup/organization",
            &other,
            json!({"organization": {"name": format!("Org {i}")}}),
        )
        .await
        .expect(200);
    }
    app.post(
        "/api/setup/organization",
        &other,
        json!({"organization": {"name": "Org 101"}}),
    )
    .await
    .expect_error(409, "LIMIT_REACHED", None);
}

#[tokio::test]
async fn idempotency_keys_belong_to_one_organization() {
    let app = TestApp::new();
    let (a, _) = app.signup("idem-a@example.com").await;
    let (b, _) = app.signup("idem-b@example.com").await;
    let made_a = create_with_key(&app, &a, "shared-key", "Mine").await;
    made_a.expect(200);
    let made_b = create_with_key(&app, &b, "shared-key", "Mine").await;
    made_b.expect(200);
    assert_ne!(
        made_a.item()["id"],
        made_b.item()["id"],
        "B gets its own account, not A's"
    );
    let list_b = app.get("/api/setup/account", &b).await;
    assert_eq!(count_named(&list_b, "Mine"), 1);
}
