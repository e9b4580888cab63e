//! Ours: AWS batches (`/api/onramp/aws/batches`): one batch connect token with which a
//! StackSet's instances set the AWS credentials of their own Spot accounts, each once, and the
//! members' states.

mod common;

use common::*;
use onramp_api::Config;
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/SpotOnrampStackSetRole";

fn with_public_url() -> Config {
    Config {
        public_url: Some("https://onramp.example.com".into()),
        ..config()
    }
}

fn app() -> TestApp {
    TestApp::with(with_public_url())
}

const BATCHES: &str = "/api/onramp/aws/batches";

fn status_uri(batch: &str) -> String {
    format!("{BATCHES}/{batch}")
}

fn renew_uri(batch: &str) -> String {
    format!("{BATCHES}/{batch}/token")
}

fn credentials_uri(account: &str) -> String {
    format!("/api/setup/credentials/aws?accountId={account}")
}

fn role_body(role: &str) -> Value {
    json!({"credentials": {"iamRole": role}})
}

/// An admin's session and `n` new accounts, each with a generated external ID.
async fn admin_with_accounts(app: &TestApp, email: &str, n: usize) -> (String, Vec<String>) {
    let (token, _) = app.signup(email).await;
    let mut accounts = Vec::new();
    for i in 0..n {
        let account = app.new_account(&token, &format!("Member {i}")).await;
        app.generate_external_id(&token, &account).await;
        accounts.push(account);
    }
    (token, accounts)
}

/// The AWS account the test's member `i` stands for: the first is [`ROLE`]'s.
fn aws_of(i: usize) -> String {
    (123_456_789_012 + i as u64).to_string()
}

/// A role of member `i`'s own AWS account.
fn role_of(i: usize) -> String {
    format!("arn:aws:iam::{}:role/SpotOnrampStackSetRole", aws_of(i))
}

/// The batch body for `ids`, member `i` in AWS account [`aws_of`]`(i)`.
fn batch_body(ids: &[String]) -> Value {
    let aws: Vec<String> = (0..ids.len()).map(aws_of).collect();
    json!({ "accountIds": ids, "awsAccountIds": aws })
}

async fn make(app: &TestApp, token: &str, ids: &[String]) -> Answer {
    app.post(BATCHES, token, batch_body(ids)).await
}

/// A new batch of `ids`: (batch id, token).
async fn batch(app: &TestApp, token: &str, ids: &[String]) -> (String, String) {
    let a = make(app, token, ids).await;
    a.expect(200);
    (
        a.item()["batchId"].as_str().unwrap().to_owned(),
        a.item()["connectToken"].as_str().unwrap().to_owned(),
    )
}

async fn renew(app: &TestApp, token: &str, batch: &str) -> Answer {
    app.call("POST", &renew_uri(batch), Some(token), None).await
}

/// The members of the batch's status, by account: (state, reason, updatedAt).
async fn members(
    app: &TestApp,
    token: &str,
    batch: &str,
) -> Vec<(String, String, Option<String>, Option<String>)> {
    let a = app.get(&status_uri(batch), token).await;
    a.expect(200);
    a.item()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["accountId"].as_str().unwrap().to_owned(),
                m["state"].as_str().unwrap().to_owned(),
                m["reason"].as_str().map(str::to_owned),
                m["updatedAt"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

async fn state_of(
    app: &TestApp,
    token: &str,
    batch: &str,
    account: &str,
) -> (String, Option<String>) {
    let m = members(app, token, batch).await;
    let (_, state, reason, _) = m.into_iter().find(|m| m.0 == account).unwrap();
    (state, reason)
}

fn until(expires: &str) -> time::Duration {
    let t = time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339)
        .unwrap();
    t - time::OffsetDateTime::now_utc()
}

#[tokio::test]
async fn an_admin_makes_a_batch_whose_token_lasts_a_day() {
    let app = app();
    let (token, accounts) = admin_with_accounts(&app, "ada@example.com", 3).await;
    let a = make(&app, &token, &accounts).await;
    a.expect(200);
    assert_envelope(&a, "POST", "/onramp/aws/batches");
    assert_eq!(a.body["response"]["kind"], "onramp:aws:batch");
    assert_eq!(a.items().len(), 1);
    let item = a.item().as_object().unwrap();
    let keys: Vec<&str> = item.keys().map(String::as_str).collect();
    assert_eq!(keys, ["accountIds", "batchId", "connectToken", "expiresAt"]);
    let id = item["batchId"].as_str().unwrap();
    assert!(
        id.len() == 12
            && id.starts_with("bat-")
            && id[4..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{id}"
    );
    assert_eq!(item["connectToken"].as_str().unwrap().len(), 43);
    let expires = item["expiresAt"].as_str().unwrap();
    assert!(is_iso_ms(expires), "{expires}");
    let left = until(expires);
    assert!(
        left > time::Duration::hours(23) + time::Duration::minutes(59)
            && left <= time::Duration::hours(24),
        "{left}"
    );
    assert_eq!(item["accountIds"], json!(accounts));

    // The status of a new batch: every member waiting, in the order sent; no token in it.
    let s = app.get(&status_uri(id), &token).await;
    s.expect(200);
    assert_envelope(&s, "GET", &format!("/onramp/aws/batches/{id}"));
    assert_eq!(s.body["response"]["kind"], "onramp:aws:batch-status");
    let keys: Vec<&str> = s
        .item()
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["batchId", "expiresAt", "members"]);
    assert_eq!(s.item()["expiresAt"], expires);
    assert_eq!(
        s.item()["members"][0],
        json!({"accountId": accounts[0], "state": "waiting", "reason": null, "updatedAt": null})
    );
    let listed: Vec<&str> = s.item()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["accountId"].as_str().unwrap())
        .collect();
    assert_eq!(listed, accounts);
    let secret = item["connectToken"].as_str().unwrap();
    assert!(!s.text.contains(secret));
}

#[tokio::test]
async fn viewers_other_organizations_and_strangers_are_refused() {
    let app = app();
    let (admin, accounts) = admin_with_accounts(&app, "ada@example.com", 2).await;
    let (id, _) = batch(&app, &admin, &accounts).await;
    let (viewer, _) = app.join(&admin, "bob@example.com", "viewer").await;
    make(&app, &viewer, &accounts)
        .await
        .expect_error(403, "FORBIDDEN", None);
    renew(&app, &viewer, &id)
        .await
        .expect_error(403, "FORBIDDEN", None);
    app.get(&status_uri(&id), &viewer)
        .await
        .expect_error(403, "FORBIDDEN", None);

    // Another organization's admin: neither the batch nor the accounts exist for them.
    let (eve, _) = app.signup("eve@example.com").await;
    for a in [
        app.get(&status_uri(&id), &eve).await,
        renew(&app, &eve, &id).await,
        app.get(&status_uri("bat-00000000"), &eve).await,
        app.get(&status_uri("nonsense"), &eve).await,
    ] {
        a.expect_error(404, "BATCH_DOESNT_EXIST", None);
    }
    let a = make(&app, &eve, &accounts).await;
    a.expect_error(400, "ValidationError", Some("body.accountIds"));
    assert!(a.message().contains(&accounts[0]), "{}", a.text);

    app.call(
        "POST",
        BATCHES,
        None,
        Some(json!({ "accountIds": accounts })),
    )
    .await
    .expect_error(401, "Unauthorized", None);
    app.call("GET", &status_uri(&id), None, None)
        .await
        .expect_error(401, "Unauthorized", None);
    assert_eq!(app.count("SELECT COUNT(*) FROM aws_batches"), 1);
}

#[tokio::test]
async fn the_account_list_is_checked() {
    let app = app();
    let (admin, accounts) = admin_with_accounts(&app, "ada@example.com", 2).await;
    let too_many: Vec<String> = (0..1001).map(|i| format!("act-{i:08x}")).collect();
    for (body, words) in [
        (json!({"accountIds": []}), "at least one"),
        (json!({}), "required"),
        (json!({"accountIds": "act-12345678"}), "list"),
        (json!({ "accountIds": too_many }), "at most 1000"),
        (
            json!({"accountIds": [accounts[0], accounts[1], accounts[0]]}),
            "twice",
        ),
        (json!({"accountIds": [accounts[0], "act-XYZ"]}), "act-XYZ"),
        (
            json!({"accountIds": [accounts[0], "act-0badcafe"]}),
            "act-0badcafe is not an account of your organization",
        ),
    ] {
        // Each list's AWS accounts as they should be: only the Spot accounts are wrong.
        let mut body = body;
        if let Some(n) = body["accountIds"].as_array().map(Vec::len) {
            body["awsAccountIds"] = json!((0..n).map(aws_of).collect::<Vec<_>>());
        }
        let a = app.post(BATCHES, &admin, body).await;
        a.expect_error(400, "ValidationError", Some("body.accountIds"));
        assert!(a.message().contains(words), "{words}: {}", a.text);
    }
    // The AWS account of each Spot account, in the same order: all there, 12 digits, each once.
    let two = [accounts[0].clone(), accounts[1].clone()];
    for (aws, words) in [
        (json!([]), "0 for 2 Spot accounts"),
        (json!([aws_of(0)]), "1 for 2 Spot accounts"),
        (
            json!([aws_of(0), "12345"]),
            "\"12345\" is not an AWS account ID",
        ),
        (json!([aws_of(0), aws_of(0)]), "listed twice"),
    ] {
        let a = app
            .post(
                BATCHES,
                &admin,
                json!({ "accountIds": two, "awsAccountIds": aws }),
            )
            .await;
        a.expect_error(400, "ValidationError", Some("body.awsAccountIds"));
        assert!(a.message().contains(words), "{words}: {}", a.text);
    }

    // An account without an external ID: its role would trust nothing known.
    let fresh = app.new_account(&admin, "No external ID").await;
    let a = make(&app, &admin, &[accounts[0].clone(), fresh.clone()]).await;
    a.expect_error(400, "EXTERNAL_ID_MISSING", Some("body.accountIds"));
    assert!(a.message().contains(&fresh), "{}", a.text);
    assert!(a.message().contains("Generate"), "{}", a.text);
    assert_eq!(app.count("SELECT COUNT(*) FROM aws_batches"), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM aws_batch_members"), 0);
}

#[tokio::test]
async fn no_batch_without_a_public_url() {
    let plain = TestApp::new();
    let (admin, _) = plain.signup("ada@example.com").await;
    let account = plain.new_account(&admin, "Prod").await;
    plain.generate_external_id(&admin, &account).await;
    let a = make(&plain, &admin, &[account]).await;
    a.expect_error(404, "CONNECT_TOKENS_UNAVAILABLE", None);
    assert!(a.message().contains("--public-url"), "{}", a.text);
    // Nor a renewal, should the flag be dropped after a batch was made.
    plain.exec(
        "INSERT INTO aws_batches (id, org_id, created_at, expires_at) \
         SELECT 'bat-0000abcd', org_id, 't', '2999-01-01T00:00:00.000Z' FROM accounts LIMIT 1",
    );
    renew(&plain, &admin, "bat-0000abcd").await.expect_error(
        404,
        "CONNECT_TOKENS_UNAVAILABLE",
        None,
    );
}

#[tokio::test]
async fn the_token_connects_each_member_once() {
    let app = app();
    let (admin, accounts) = admin_with_accounts(&app, "ada@example.com", 3).await;
    let (id, secret) = batch(&app, &admin, &accounts[..2]).await;

    let ok = app
        .post(&credentials_uri(&accounts[0]), &secret, role_body(ROLE))
        .await;
    ok.expect_spot(
        200,
        "POST",
        &format!("/setup/credentials/aws?accountId={}", accounts[0]),
        "status_only.json",
    );
    let acc = app
        .get(&format!("/api/setup/account/{}", accounts[0]), &admin)
        .await;
    assert_eq!(acc.item()["cloudProvider"], "aws");
    assert_eq!(acc.item()["providerExternalId"], "123456789012");

    // Once per account: the same account again is refused, and the role stays.
    let again = app
        .post(
            &credentials_uri(&accounts[0]),
            &secret,
            role_body("arn:aws:iam::210987654321:role/Other"),
        )
        .await;
    again.expect_error(401, "CONNECT_TOKEN_USED", None);
    // Said before anything about the body: nothing sent could make it work.
    app.post(
        &credentials_uri(&accounts[0]),
        &secret,
        role_body("not-an-arn"),
    )
    .await
    .expect_error(401, "CONNECT_TOKEN_USED", None);
    let creds = app.get(&credentials_uri(&accounts[0]), &admin).await;
    assert_eq!(creds.item()["iamRole"], ROLE);

    // Every member's stack holds the same token: one may not give another member's Spot
    // account a role of its own (or any other) AWS account.
    let hijack = app
        .post(&credentials_uri(&accounts[1]), &secret, role_body(ROLE))
        .await;
    hijack.expect_error(400, "ValidationError", Some("body.credentials.iamRole"));
    assert!(
        hijack.message().contains(&format!(
            "This role is in AWS account 123456789012, but {} stands for AWS account {}",
            accounts[1],
            aws_of(1)
        )),
        "{}",
        hijack.text
    );
    assert!(
        app.get(&credentials_uri(&accounts[1]), &admin)
            .await
            .items()
            .is_empty(),
        "no role set by the refused callback"
    );

    // A batch from before members' AWS accounts were kept: no role can be told apart.
    app.exec(&format!(
        "UPDATE aws_batch_members SET aws_account_id = NULL WHERE account_id = '{}'",
        accounts[1]
    ));
    let older = app
        .post(
            &credentials_uri(&accounts[1]),
            &secret,
            role_body(&role_of(1)),
        )
        .await;
    older.expect_error(400, "ValidationError", Some("body.credentials.iamRole"));
    assert!(older.message().contains("new batch"), "{}", older.text);
    app.exec(&format!(
        "UPDATE aws_batch_members SET aws_account_id = '{}' WHERE account_id = '{}'",
        aws_of(1),
        accounts[1]
    ));

    // Another member still can, with its own; an account outside the batch (or none named) cannot.
    app.post(
        &credentials_uri(&accounts[1]),
        &secret,
        role_body(&role_of(1)),
    )
    .await
    .expect(200);
    for uri in [
        credentials_uri(&accounts[2]),
        "/api/setup/credentials/aws".to_owned(),
    ] {
        let a = app.post(&uri, &secret, role_body(ROLE)).await;
        a.expect_error(401, "CONNECT_TOKEN_OTHER_ACCOUNT", None);
        assert!(a.message().contains("not in the batch"), "{}", a.text);
    }
    assert!(
        app.get(&credentials_uri(&accounts[2]), &admin)
            .await
            .items()
            .is_empty()
    );
    let states: Vec<String> = members(&app, &admin, &id)
        .await
        .into_iter()
        .map(|m| m.1)
        .collect();
    assert_eq!(states, ["connected", "connected"]);
}

#[tokio::test]
async fn the_status_says_waiting_failed_with_the_reason_or_connected_by_any_path() {
    let app = app();
    let (admin, accounts) = admin_with_accounts(&app, "ada@example.com", 4).await;
    let (id, secret) = batch(&app, &admin, &accounts).await;

    // A refused callback: failed, with the refusal's own words; the token is not used up.
    let bad = app
        .post(
            &credentials_uri(&accounts[0]),
            &secret,
            role_body("not-an-arn"),
        )
        .await;
    bad.expect_error(400, "ValidationError", Some("body.credentials.iamRole"));
    let (state, reason) = state_of(&app, &admin, &id, &accounts[0]).await;
    assert_eq!(state, "failed");
    assert_eq!(reason.as_deref(), Some(bad.message()));

    // A body that is not even JSON is a refusal too.
    let garbled = app
        .send(
            axum::http::Request::post(credentials_uri(&accounts[3]))
                .header("authorization", format!("Bearer {secret}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{not json"))
                .unwrap(),
        )
        .await;
    garbled.expect_error(400, "ValidationError", Some("body"));
    let (state, reason) = state_of(&app, &admin, &id, &accounts[3]).await;
    assert_eq!(state, "failed");
    assert!(reason.unwrap().contains("not valid JSON"));

    // Retried with a good ARN: connected, and the reason is gone.
    app.post(&credentials_uri(&accounts[0]), &secret, role_body(ROLE))
        .await
        .expect(200);
    // Connected by another path: the role ARN pasted with a session.
    app.post(
        &credentials_uri(&accounts[1]),
        &admin,
        role_body("arn:aws:iam::210987654321:role/Pasted"),
    )
    .await
    .expect(200);

    let m = members(&app, &admin, &id).await;
    assert_eq!(m[0].1, "connected");
    assert_eq!(m[0].2, None);
    assert!(is_iso_ms(m[0].3.as_deref().unwrap()));
    assert_eq!(m[1].1, "connected");
    assert_eq!(m[1].2, None);
    assert!(is_iso_ms(m[1].3.as_deref().unwrap()));
    assert_eq!(
        (m[2].1.as_str(), &m[2].2, &m[2].3),
        ("waiting", &None, &None)
    );
    assert_eq!(m[3].1, "failed");
    assert!(is_iso_ms(m[3].3.as_deref().unwrap()));

    // A member connected by hand can still be connected by its stack (the token is not used
    // for it yet); a later refusal never turns a connected member into a failed one.
    app.post(&credentials_uri(&accounts[0]), &secret, role_body(ROLE))
        .await
        .expect_error(401, "CONNECT_TOKEN_USED", None);
    assert_eq!(
        state_of(&app, &admin, &id, &accounts[0]).await.0,
        "connected"
    );
}

#[tokio::test]
async fn a_new_external_id_after_the_batch_fails_the_member_until_renewed() {
    let app = app();
    let (admin, accounts) = admin_with_accounts(&app, "ada@example.com", 1).await;
    let (id, secret) = batch(&app, &admin, &accounts).await;
    // The external ID's own hour passing changes nothing: the batch carries it.
    app.exec("UPDATE aws_external_ids SET valid_until_unix = 0");
    app.generate_external_id(&admin, &accounts[0]).await;
    let a = app
        .post(&credentials_uri(&accounts[0]), &secret, role_body(ROLE))
        .await;
    a.expect_error(400, "ValidationError", Some("query.accountId"));
    let (state, reason) = state_of(&app, &admin, &id, &accounts[0]).await;
    assert_eq!(state, "failed");
    assert!(reason.unwrap().contains("external ID"));

    // Renewing records the account's external ID of now (a template made after it trusts it).
    let new = renew(&app, &admin, &id).await;
    let new = new.item()["connectToken"].as_str().unwrap();
    app.post(&credentials_uri(&accounts[0]), new, role_body(ROLE))
        .await
        .expect(200);
}

#[tokio::test]
async fn renewing_replaces_the_token_and_restarts_the_members_left() {
    let app = app();
    let (admin, accounts) = admin_with_accounts(&app, "ada@example.com", 3).await;
    let (id, old) = batch(&app, &admin, &accounts).await;
    app.post(&credentials_uri(&accounts[0]), &old, role_body(ROLE))
        .await
        .expect(200);
    app.post(&credentials_uri(&accounts[1]), &old, role_body("bad"))
        .await
        .expect(400);
    app.exec("UPDATE aws_batches SET expires_at = '2020-01-01T00:00:00.000Z'");

    // Another admin of the organization may renew it.
    let (carol, _) = app.join(&admin, "carol@example.com", "admin").await;
    let a = renew(&app, &carol, &id).await;
    a.expect(200);
    assert_envelope(&a, "POST", &format!("/onramp/aws/batches/{id}/token"));
    assert_eq!(a.body["response"]["kind"], "onramp:aws:batch");
    let keys: Vec<&str> = a
        .item()
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["accountIds", "batchId", "connectToken", "expiresAt"]);
    assert_eq!(a.item()["batchId"], id.as_str());
    assert_eq!(a.item()["accountIds"], json!(accounts));
    let new = a.item()["connectToken"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(until(a.item()["expiresAt"].as_str().unwrap()) > time::Duration::hours(23));

    // The connected member stays connected (and used); the failed one waits again.
    let m = members(&app, &admin, &id).await;
    assert_eq!(m[0].1, "connected");
    assert_eq!((m[1].1.as_str(), &m[1].2), ("waiting", &None));
    app.post(&credentials_uri(&accounts[0]), &new, role_body(ROLE))
        .await
        .expect_error(401, "CONNECT_TOKEN_USED", None);

    // The old token is unknown now; the new one works.
    app.post(&credentials_uri(&accounts[1]), &old, role_body(ROLE))
        .await
        .expect_error(401, "Unauthorized", None);
    app.post(&credentials_uri(&accounts[1]), &new, role_body(&role_of(1)))
        .await
        .expect(200);
    assert_eq!(
        state_of(&app, &admin, &id, &accounts[1]).await.0,
        "connected"
    );
}

#[tokio::test]
async fn an_expired_token_says_so_and_fails_the_member() {
    let mut c = with_public_url();
    c.faults.batch_token_ttl_secs = Some(1);
    let app = TestApp::with(c);
    let (admin, accounts) = admin_with_accounts(&app, "ada@example.com", 2).await;
    let a = make(&app, &admin, &accounts).await;
    a.expect(200);
    assert!(until(a.item()["expiresAt"].as_str().unwrap()) <= time::Duration::seconds(1));
    let id = a.item()["batchId"].as_str().unwrap().to_owned();
    let secret = a.item()["connectToken"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let a = app
        .post(&credentials_uri(&accounts[0]), &secret, role_body(ROLE))
        .await;
    a.expect_error(401, "CONNECT_TOKEN_EXPIRED", None);
    assert!(a.message().contains("Renew"), "{}", a.text);
    let (state, reason) = state_of(&app, &admin, &id, &accounts[0]).await;
    assert_eq!(state, "failed");
    assert_eq!(reason.as_deref(), Some(a.message()));
    assert!(
        app.get(&credentials_uri(&accounts[0]), &admin)
            .await
            .items()
            .is_empty()
    );
    // A renewal under the same knob is as short.
    let r = renew(&app, &admin, &id).await;
    assert!(until(r.item()["expiresAt"].as_str().unwrap()) <= time::Duration::seconds(1));
}

#[tokio::test]
async fn the_token_is_useless_anywhere_else() {
    let app = app();
    let (admin, accounts) = admin_with_accounts(&app, "ada@example.com", 1).await;
    let (id, secret) = batch(&app, &admin, &accounts).await;
    let account = &accounts[0];
    for (method, uri, body) in [
        ("GET", credentials_uri(account), None),
        ("GET", "/api/setup/account".to_owned(), None),
        ("GET", "/api/auth/me".to_owned(), None),
        ("GET", status_uri(&id), None),
        ("POST", renew_uri(&id), None),
        (
            "POST",
            BATCHES.to_owned(),
            Some(json!({ "accountIds": accounts })),
        ),
        (
            "POST",
            format!("/api/setup/credentials/aws/externalId?accountId={account}"),
            None,
        ),
        (
            "POST",
            format!("/api/onramp/aws/connect-token?accountId={account}"),
            None,
        ),
        (
            "POST",
            format!("/api/azure/setup/credentials?accountId={account}"),
            Some(json!({})),
        ),
        (
            "POST",
            "/api/setup/account".to_owned(),
            Some(json!({"account": {"name": "Sneaky"}})),
        ),
    ] {
        let a = app.call(method, &uri, Some(&secret), body).await;
        a.expect_error(401, "Unauthorized", None);
    }
    // Still good for what it is for.
    app.post(&credentials_uri(account), &secret, role_body(ROLE))
        .await
        .expect(200);
}

#[tokio::test]
async fn signing_out_everywhere_or_losing_admin_rights_voids_the_token() {
    let app = app();
    let (admin, accounts) = admin_with_accounts(&app, "ada@example.com", 1).await;
    let (id, secret) = batch(&app, &admin, &accounts).await;
    app.call("POST", "/api/auth/signout-everywhere", Some(&admin), None)
        .await
        .expect(200);
    app.post(&credentials_uri(&accounts[0]), &secret, role_body(ROLE))
        .await
        .expect_error(401, "Unauthorized", None);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM aws_batch_members WHERE batch_id = '{id}'"
        )),
        1
    );

    let (ada, _) = app.signup("ada2@example.com").await;
    let (bob, bob_me) = app.join(&ada, "bob@example.com", "admin").await;
    let account = app.new_account(&bob, "Bob's").await;
    app.generate_external_id(&bob, &account).await;
    let (_, secret) = batch(&app, &bob, std::slice::from_ref(&account)).await;
    app.put(
        &format!("/api/onramp/members/{}", bob_me["userId"].as_str().unwrap()),
        &ada,
        json!({"role": "viewer"}),
    )
    .await
    .expect(200);
    app.post(&credentials_uri(&account), &secret, role_body(ROLE))
        .await
        .expect_error(401, "Unauthorized", None);
}

#[tokio::test]
async fn tokens_are_stored_hashed() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "batch-token-{}-{}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("onramp.sqlite");
    let app = TestApp::with(Config {
        db: db.to_str().unwrap().to_owned(),
        ..with_public_url()
    });
    let (admin, accounts) = admin_with_accounts(&app, "ada@example.com", 2).await;
    let (id, first) = batch(&app, &admin, &accounts).await;
    let second = renew(&app, &admin, &id).await.item()["connectToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let stored: Vec<u8> = app
        .state
        .db
        .conn()
        .query_row("SELECT token_hash FROM aws_batches", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, onramp_api::auth::token_hash(&second));
    let mut bytes = Vec::new();
    for suffix in ["", "-journal", "-wal"] {
        if let Ok(b) = std::fs::read(format!("{}{suffix}", db.display())) {
            bytes.extend(b);
        }
    }
    assert!(!bytes.is_empty());
    for secret in [&first, &second] {
        let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "a batch token is in the database file in clear");
    }
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_thousand_members_fit_in_one_batch() {
    let app = app();
    let (admin, me) = app.signup("ada@example.com").await;
    let org = me["organizationId"]
        .to_string()
        .trim_matches('"')
        .to_owned();
    let ids: Vec<String> = (0..1000)
        .map(|i| format!("act-{:08x}", 0x1000_0000 + i))
        .collect();
    let mut sql = String::new();
    for id in &ids {
        sql.push_str(&format!(
            "INSERT INTO accounts (id, org_id, name, created_at) VALUES ('{id}', {org}, 'm', 't');
             INSERT INTO aws_external_ids (account_id, external_id, max_valid_until, valid_until_unix)
             VALUES ('{id}', 'ext{id}', 't', 0);"
        ));
    }
    app.exec(&sql);
    let (batch_id, _) = batch(&app, &admin, &ids).await;
    let m = members(&app, &admin, &batch_id).await;
    assert_eq!(m.len(), 1000);
    assert!(
        m.iter()
            .zip(&ids)
            .all(|(m, id)| m.0 == *id && m.1 == "waiting")
    );
}
