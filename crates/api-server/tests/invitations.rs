//! Ours: inviting users into an organization, the organization's user list (Spot's
//! `GET /setup/organization/user`) and the viewer role's read-only rule.

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::Duration;

/// Creates an invitation as `token`'s admin; returns (invitation, invitation token).
async fn invite(app: &TestApp, token: &str, email: &str, role: &str) -> (Value, String) {
    let a = app
        .post(
            "/api/onramp/invitations",
            token,
            json!({"email": email, "role": role}),
        )
        .await;
    a.expect(200);
    let path = a.item()["acceptPath"].as_str().unwrap();
    let secret = path.strip_prefix("/invite/").unwrap().to_owned();
    (a.item()["invitation"].clone(), secret)
}

/// A new organization whose admin (ada@example.com) invited `email` as `role`; returns the
/// app, the admin's token, the invitation and its link's secret.
async fn org_that_invited(email: &str, role: &str) -> (TestApp, String, Value, String) {
    let app = TestApp::new();
    let (admin, _) = app.signup("ada@example.com").await;
    let (inv, secret) = invite(&app, &admin, email, role).await;
    (app, admin, inv, secret)
}

/// The emails of the pending invitations, as listed.
async fn pending_emails(app: &TestApp, token: &str) -> Vec<String> {
    let list = app.get("/api/onramp/invitations", token).await;
    list.items()
        .iter()
        .map(|i| i["email"].as_str().unwrap().to_owned())
        .collect()
}

fn accept_body(password: &str) -> Value {
    json!({"fullName": "Bob Viewer", "country": "FR", "password": password})
}

async fn accept(app: &TestApp, secret: &str, body: Value) -> Answer {
    app.post_anon(
        &format!("/api/onramp/invitations/token/{secret}/accept"),
        body,
    )
    .await
}

async fn preview(app: &TestApp, secret: &str) -> Answer {
    app.call(
        "GET",
        &format!("/api/onramp/invitations/token/{secret}"),
        None,
        None,
    )
    .await
}

/// An organization with an admin and a viewer who joined by invitation: (admin, viewer) tokens.
async fn admin_and_viewer(app: &TestApp) -> (String, String) {
    let (admin, _) = app.signup("admin@example.com").await;
    let (_, secret) = invite(app, &admin, "viewer@example.com", "viewer").await;
    let a = accept(app, &secret, accept_body("Sup3r-secret!")).await;
    a.expect(200);
    (admin, a.item()["accessToken"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn invite_list_preview_accept_then_the_new_user_is_a_viewer_of_the_organization() {
    let app = TestApp::new();
    let (admin, admin_me) = app.signup("ada@example.com").await;

    let created = app
        .post(
            "/api/onramp/invitations",
            &admin,
            json!({"email": "Bob@Example.com", "role": "viewer"}),
        )
        .await;
    created.expect(200);
    assert_envelope(&created, "POST", "/onramp/invitations");
    assert_eq!(
        created.body["response"]["kind"],
        "onramp:invitation:created"
    );
    let inv = created.item()["invitation"].clone();
    let id = inv["id"].as_str().unwrap();
    assert!(
        id.len() == 12
            && id.starts_with("inv-")
            && id[4..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{id}"
    );
    // Core's email rule keeps the local part and lowercases the domain.
    assert_eq!(inv["email"], "Bob@example.com");
    assert_eq!(inv["role"], "viewer");
    let (created_at, expires_at) = (
        inv["createdAt"].as_str().unwrap(),
        inv["expiresAt"].as_str().unwrap(),
    );
    assert!(is_iso_ms(created_at) && is_iso_ms(expires_at));
    let parse = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
    };
    assert_eq!(
        parse(expires_at) - parse(created_at),
        time::Duration::days(7)
    );
    let path = created.item()["acceptPath"].as_str().unwrap();
    let secret = path.strip_prefix("/invite/").expect("/invite/<token>");
    assert_eq!(secret.len(), 43, "32 random bytes in base64url");

    // Listed without its token.
    let list = app.get("/api/onramp/invitations", &admin).await;
    list.expect(200);
    assert_eq!(list.body["response"]["kind"], "onramp:invitation");
    assert_eq!(list.items(), &vec![inv.clone()]);
    assert!(!list.text.contains(secret));

    // Stored as the token's SHA-256 only.
    let stored: Vec<u8> = app
        .state
        .db
        .conn()
        .query_row("SELECT token_hash FROM invitations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored.len(), 32);
    assert_eq!(stored, onramp_api::auth::token_hash(secret));
    let whole_row: String = app
        .state
        .db
        .conn()
        .query_row(
            "SELECT id || email || email_key || role || created_by || created_at || expires_at \
             FROM invitations",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!whole_row.contains(secret));

    // Anyone holding the link sees what they are joining.
    let p = preview(&app, secret).await;
    p.expect(200);
    assert_eq!(p.body["response"]["kind"], "onramp:invitation:preview");
    assert_eq!(
        p.item(),
        &json!({
            "organizationName": "Analytical Engines",
            "email": "Bob@example.com",
            "role": "viewer",
            "expiresAt": expires_at
        })
    );

    let a = accept(&app, secret, accept_body("An0ther-secret")).await;
    a.expect(200);
    assert_eq!(a.body["response"]["kind"], "onramp:auth:session");
    let bob_token = a.item()["accessToken"].as_str().unwrap().to_owned();
    let me = app.get("/api/auth/me", &bob_token).await;
    me.expect(200);
    let me = me.item();
    assert_eq!(me["role"], "viewer");
    assert_eq!(me["email"], "Bob@example.com");
    assert_eq!(me["fullName"], "Bob Viewer");
    assert_eq!(me["organizationId"], admin_me["organizationId"]);
    assert_eq!(me["organizationName"], "Analytical Engines");
    assert_eq!(me["defaultAccountId"], admin_me["defaultAccountId"]);
    assert_eq!(&a.item()["user"], me);

    // The new user signs in with the password chosen, whatever the email's case.
    app.post_anon(
        "/api/auth/token",
        json!({"email": "bob@example.com", "password": "An0ther-secret"}),
    )
    .await
    .expect(200);

    // Both users are listed, oldest first, by the organization's members alone.
    for token in [&admin, &bob_token] {
        let users = app.get("/api/setup/organization/user", token).await;
        users.expect(200);
        assert_envelope(&users, "GET", "/setup/organization/user");
        assert_eq!(users.body["response"]["kind"], "spotinst:setup:user");
        let items = users.items();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["userId"], admin_me["userId"]);
        assert_eq!(items[0]["email"], "ada@example.com");
        assert_eq!(items[0]["fullName"], "Ada Lovelace");
        assert_eq!(items[0]["role"], "admin");
        assert_eq!(items[1]["userId"], me["userId"]);
        assert_eq!(items[1]["role"], "viewer");
        assert!(items.iter().all(|u| {
            u.as_object().unwrap().len() == 5 && is_iso_ms(u["createdAt"].as_str().unwrap())
        }));
    }

    // Used up: no longer pending, and the link is dead.
    let list = app.get("/api/onramp/invitations", &admin).await;
    assert_eq!(list.body["response"]["count"], 0);
    accept(&app, secret, accept_body("An0ther-secret"))
        .await
        .expect_error(404, "INVITATION_NOT_FOUND", None);
    preview(&app, secret)
        .await
        .expect_error(404, "INVITATION_NOT_FOUND", None);
    assert_eq!(app.count("SELECT COUNT(*) FROM users"), 2);
}

#[tokio::test]
async fn an_admin_invitation_makes_an_admin() {
    let (app, _, inv, secret) = org_that_invited("eve@example.com", "admin").await;
    assert_eq!(inv["role"], "admin");
    let a = accept(&app, &secret, accept_body("Sup3r-secret!")).await;
    a.expect(200);
    assert_eq!(a.item()["user"]["role"], "admin");
    let eve = a.item()["accessToken"].as_str().unwrap();
    // An invited admin may invite in turn.
    invite(&app, eve, "frank@example.com", "viewer").await;
}

#[tokio::test]
async fn unknown_revoked_and_expired_links() {
    let app = TestApp::new();
    let (admin, _) = app.signup("ada@example.com").await;
    let unknown = "A".repeat(43);
    preview(&app, &unknown)
        .await
        .expect_error(404, "INVITATION_NOT_FOUND", None);
    accept(&app, &unknown, accept_body("Sup3r-secret!"))
        .await
        .expect_error(404, "INVITATION_NOT_FOUND", None);

    // Revoked.
    let (inv, secret) = invite(&app, &admin, "rev@example.com", "viewer").await;
    let uri = format!("/api/onramp/invitations/{}", inv["id"].as_str().unwrap());
    let d = app.delete(&uri, &admin).await;
    d.expect(200);
    assert!(d.body["response"].get("items").is_none());
    preview(&app, &secret)
        .await
        .expect_error(404, "INVITATION_NOT_FOUND", None);
    accept(&app, &secret, accept_body("Sup3r-secret!"))
        .await
        .expect_error(404, "INVITATION_NOT_FOUND", None);
    app.delete(&uri, &admin)
        .await
        .expect_error(404, "INVITATION_NOT_FOUND", None);
    let list = app.get("/api/onramp/invitations", &admin).await;
    assert_eq!(list.body["response"]["count"], 0);
    // A withdrawn invitation does not block a new one for the same email.
    invite(&app, &admin, "rev@example.com", "viewer").await;

    // Expired (moved into the past in the database).
    let (inv, secret) = invite(&app, &admin, "old@example.com", "viewer").await;
    app.exec(&format!(
        "UPDATE invitations SET expires_at = '2020-01-01T00:00:00.000Z' WHERE id = '{}'",
        inv["id"].as_str().unwrap()
    ));
    let gone = preview(&app, &secret).await;
    gone.expect_error(410, "INVITATION_EXPIRED", None);
    assert!(
        gone.text.contains("expired on 2020-01-01"),
        "the answer says when: {}",
        gone.text
    );
    accept(&app, &secret, accept_body("Sup3r-secret!"))
        .await
        .expect_error(410, "INVITATION_EXPIRED", None);
    let emails = pending_emails(&app, &admin).await;
    assert_eq!(
        emails,
        vec!["rev@example.com"],
        "expired ones are not pending"
    );
    // Nor does an expired one block a new invitation.
    invite(&app, &admin, "old@example.com", "viewer").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM users"), 1);
}

#[tokio::test]
async fn pending_invitations_are_listed_newest_first() {
    let app = TestApp::new();
    let (admin, _) = app.signup("ada@example.com").await;
    for e in ["one@example.com", "two@example.com", "three@example.com"] {
        invite(&app, &admin, e, "viewer").await;
    }
    let emails = pending_emails(&app, &admin).await;
    assert_eq!(
        emails,
        vec!["three@example.com", "two@example.com", "one@example.com"]
    );
}

#[tokio::test]
async fn invitation_conflicts_and_validation() {
    let app = TestApp::new();
    let (admin, _) = app.signup("ada@example.com").await;
    app.signup("other-org@example.com").await;
    invite(&app, &admin, "bob@example.com", "viewer").await;
    let post = |body: Value| {
        let admin = admin.clone();
        let app = &app;
        async move { app.post("/api/onramp/invitations", &admin, body).await }
    };

    post(json!({"email": "BOB@example.com", "role": "admin"}))
        .await
        .expect_error(409, "INVITATION_ALREADY_PENDING", Some("body.email"));
    post(json!({"email": "Ada@Example.com", "role": "viewer"}))
        .await
        .expect_error(409, "USER_ALREADY_MEMBER", Some("body.email"));
    // A user of another organization is invited like anyone (see
    // `an_email_registered_elsewhere_is_invited_like_a_new_one`).
    post(json!({"email": "other-org@example.com", "role": "viewer"}))
        .await
        .expect(200);

    // Core's email rule, with sign-up's message.
    let bad = post(json!({"email": "not-an-email", "role": "viewer"})).await;
    bad.expect_error(400, "ValidationError", Some("body.email"));
    let signup = app
        .post_anon("/api/auth/signup", signup_body("not-an-email"))
        .await;
    assert_eq!(bad.errors()[0]["message"], signup.errors()[0]["message"]);

    post(json!({"email": "carol@example.com", "role": "owner"}))
        .await
        .expect_error(400, "ValidationError", Some("body.role"));
    let both = post(json!({"role": 3})).await;
    both.expect(400);
    assert_eq!(both.fields(), vec!["body.email", "body.role"]);
    // Only bob's and other-org's invitations were stored.
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations"), 2);
}

#[tokio::test]
async fn accepting_checks_the_fields_like_signup_and_keeps_the_link_on_error() {
    let (app, _, _, secret) = org_that_invited("bob@example.com", "viewer").await;

    let bad = accept(&app, &secret, accept_body("short")).await;
    bad.expect_error(400, "ValidationError", Some("body.password"));
    let mut signup = signup_body("x@example.com");
    signup["password"] = json!("short");
    let signup = app.post_anon("/api/auth/signup", signup).await;
    assert_eq!(bad.errors()[0]["message"], signup.errors()[0]["message"]);

    let all = accept(
        &app,
        &secret,
        json!({"fullName": "a@b", "country": "XX", "password": ""}),
    )
    .await;
    all.expect(400);
    assert_eq!(
        all.fields(),
        vec!["body.fullName", "body.country", "body.password"]
    );
    accept(&app, &secret, json!({})).await.expect_error(
        400,
        "ValidationError",
        Some("body.fullName"),
    );

    // Nothing was created and the link still works.
    assert_eq!(app.count("SELECT COUNT(*) FROM users"), 1);
    accept(&app, &secret, accept_body("Sup3r-secret!"))
        .await
        .expect(200);
}

#[tokio::test]
async fn accepting_after_the_email_signed_up_elsewhere_is_a_conflict() {
    let (app, _, _, secret) = org_that_invited("bob@example.com", "viewer").await;
    app.signup("Bob@example.com").await;
    let a = accept(&app, &secret, accept_body("Sup3r-secret!")).await;
    a.expect_error(409, "Email_ALREADY_REGISTERED", None);
    assert_eq!(app.count("SELECT COUNT(*) FROM users"), 2);
}

#[tokio::test]
async fn another_organization_cannot_see_or_revoke_invitations_or_users() {
    let app = TestApp::new();
    let (a_admin, _) = app.signup("a@example.com").await;
    let (b_admin, _) = app.signup("b@example.com").await;
    let (inv, secret) = invite(&app, &a_admin, "bob@example.com", "viewer").await;

    let b_list = app.get("/api/onramp/invitations", &b_admin).await;
    b_list.expect(200);
    assert_eq!(b_list.body["response"]["count"], 0);
    let foreign = app
        .delete(
            &format!("/api/onramp/invitations/{}", inv["id"].as_str().unwrap()),
            &b_admin,
        )
        .await;
    let unknown = app
        .delete("/api/onramp/invitations/inv-0badf00d", &b_admin)
        .await;
    foreign.expect_error(404, "INVITATION_NOT_FOUND", None);
    assert_eq!(foreign.body["response"], unknown.body["response"]);

    // Still pending for A.
    let a_list = app.get("/api/onramp/invitations", &a_admin).await;
    assert_eq!(a_list.items(), &vec![inv]);
    preview(&app, &secret).await.expect(200);

    let b_users = app.get("/api/setup/organization/user", &b_admin).await;
    assert_eq!(b_users.body["response"]["count"], 1);
    assert_eq!(b_users.item()["email"], "b@example.com");
}

#[tokio::test]
async fn viewers_can_read_and_sign_out_but_not_change_anything() {
    let app = TestApp::new();
    let (admin, viewer) = admin_and_viewer(&app).await;
    let (inv, _) = invite(&app, &admin, "carol@example.com", "viewer").await;
    let account = app
        .get("/api/auth/me", &viewer)
        .await
        .item()
        .get("defaultAccountId")
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();

    let refused: Vec<(&str, String, Option<Value>)> = vec![
        (
            "POST",
            "/api/setup/account".into(),
            Some(json!({"account": {"name": "Viewer's"}})),
        ),
        (
            "PUT",
            format!("/api/setup/account/{account}"),
            Some(json!({"account": {"name": "Renamed"}})),
        ),
        ("DELETE", format!("/api/setup/account/{account}"), None),
        (
            "POST",
            "/api/setup/organization".into(),
            Some(json!({"organization": {"name": "Mine"}})),
        ),
        (
            "POST",
            format!("/api/setup/credentials/aws/externalId?accountId={account}"),
            Some(json!({})),
        ),
        (
            "POST",
            "/api/onramp/invitations".into(),
            Some(json!({"email": "dan@example.com", "role": "admin"})),
        ),
        ("GET", "/api/onramp/invitations".into(), None),
        (
            "DELETE",
            format!("/api/onramp/invitations/{}", inv["id"].as_str().unwrap()),
            None,
        ),
        ("DELETE", "/api/onramp/management".into(), None),
    ];
    for (method, uri, body) in refused {
        let a = app.call(method, &uri, Some(&viewer), body).await;
        assert_eq!(a.status, 403, "{method} {uri}: {}", a.text);
        a.expect_error(403, "FORBIDDEN", None);
        assert_eq!(
            a.errors()[0]["message"],
            "Your role (viewer) can only view this organization. Ask an admin."
        );
    }
    // Nothing changed.
    assert_eq!(app.count("SELECT COUNT(*) FROM accounts"), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM organizations"), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM aws_external_ids"), 0);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM invitations WHERE revoked_at IS NULL AND accepted_at IS NULL"
        ),
        1
    );

    // Reads work.
    let accounts = app.get("/api/setup/account", &viewer).await;
    accounts.expect(200);
    assert_eq!(accounts.item()["accountId"], account.as_str());
    app.get(&format!("/api/setup/account/{account}"), &viewer)
        .await
        .expect(200);
    app.get("/api/setup/organization/user", &viewer)
        .await
        .expect(200);
    // A personal token (the API-token sign-in) and signing out are allowed.
    let personal = app.personal_token(&viewer).await;
    personal.expect(200);
    assert_eq!(personal.item()["user"]["role"], "viewer");
    app.call("POST", "/api/auth/signout", Some(&viewer), None)
        .await
        .expect(200);
    app.get("/api/auth/me", &viewer)
        .await
        .expect_error(401, "Unauthorized", None);

    // The admin of the same organization is not affected.
    app.post(
        "/api/setup/account",
        &admin,
        json!({"account": {"name": "Admin's"}}),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn a_viewer_token_sent_to_a_public_route_is_ignored() {
    let app = TestApp::new();
    let (admin, viewer) = admin_and_viewer(&app).await;
    let (_, secret) = invite(&app, &admin, "carol@example.com", "viewer").await;
    let a = app
        .call(
            "POST",
            &format!("/api/onramp/invitations/token/{secret}/accept"),
            Some(&viewer),
            Some(accept_body("Sup3r-secret!")),
        )
        .await;
    a.expect(200);
    assert_eq!(a.item()["user"]["email"], "carol@example.com");
}

#[tokio::test]
async fn invitation_admin_routes_and_users_need_a_token() {
    let app = TestApp::new();
    let routes = [
        ("GET", "/api/setup/organization/user"),
        ("GET", "/api/onramp/invitations"),
        ("POST", "/api/onramp/invitations"),
        ("DELETE", "/api/onramp/invitations/inv-12345678"),
    ];
    for (method, uri) in routes {
        for token in [None, Some("not-a-real-token")] {
            let body =
                (method == "POST").then(|| json!({"email": "x@example.com", "role": "viewer"}));
            app.call(method, uri, token, body)
                .await
                .expect_error(401, "Unauthorized", None);
        }
    }
}

/// Signs up a new organization named `company`; returns its admin's token.
async fn signup_company(app: &TestApp, email: &str, company: &str) -> String {
    let mut body = signup_body(email);
    body["company"] = json!(company);
    let a = app.post_anon("/api/auth/signup", body).await;
    a.expect(200);
    a.item()["accessToken"].as_str().unwrap().to_owned()
}

/// `v` with every string replaced by its length class and every number by 0: the shape of an
/// answer without its values (ids, emails, tokens, instants differ between two invitations).
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!(0),
        other => other.clone(),
    }
}

#[tokio::test]
async fn an_email_registered_elsewhere_is_invited_like_a_new_one() {
    let app = TestApp::new();
    let admin = signup_company(&app, "ada@example.com", "Analytical Engines").await;
    signup_company(&app, "taken@example.com", "Secret Rival Ltd").await;

    let create = |email: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            app.post(
                "/api/onramp/invitations",
                &admin,
                json!({"email": email, "role": "viewer"}),
            )
            .await
        }
    };
    let taken = create("Taken@Example.com").await;
    let fresh = create("fresh@example.com").await;
    taken.expect(200);
    fresh.expect(200);
    // Same status, same kind, same fields and the same headers: nothing tells them apart.
    assert_eq!(taken.status, fresh.status);
    let response = |a: &Answer| {
        let mut r = a.body["response"].clone();
        r.as_object_mut().unwrap().remove("items");
        r
    };
    assert_eq!(response(&taken), response(&fresh));
    assert_eq!(shape(&taken.body), shape(&fresh.body));
    let header_names = |a: &Answer| {
        let mut n: Vec<String> = a.headers.keys().map(|k| k.to_string()).collect();
        n.sort();
        n
    };
    assert_eq!(header_names(&taken), header_names(&fresh));
    for (a, email) in [(&taken, "Taken@example.com"), (&fresh, "fresh@example.com")] {
        let inv = &a.item()["invitation"];
        assert_eq!(inv["email"], email);
        assert_eq!(inv["role"], "viewer");
        assert_eq!(a.item()["acceptPath"].as_str().unwrap().len(), 8 + 43);
        let lower = a.text.to_lowercase();
        for hint in ["registered", "another organization", "rival", "already"] {
            assert!(!lower.contains(hint), "{hint}: {}", a.text);
        }
    }
    // Both are pending; the previews differ only in the email.
    assert_eq!(
        pending_emails(&app, &admin).await,
        vec!["fresh@example.com", "Taken@example.com"]
    );
    let secret = |a: &Answer| a.item()["acceptPath"].as_str().unwrap()[8..].to_owned();
    let (p_taken, p_fresh) = (
        preview(&app, &secret(&taken)).await,
        preview(&app, &secret(&fresh)).await,
    );
    p_taken.expect(200);
    p_fresh.expect(200);
    let mut a = p_taken.item().clone();
    a["email"] = p_fresh.item()["email"].clone();
    a["expiresAt"] = p_fresh.item()["expiresAt"].clone();
    assert_eq!(&a, p_fresh.item());
    assert_eq!(p_taken.item()["organizationName"], "Analytical Engines");
}

#[tokio::test]
async fn accepting_an_invitation_for_an_email_registered_elsewhere_is_a_clear_conflict() {
    let app = TestApp::new();
    let admin = signup_company(&app, "ada@example.com", "Analytical Engines").await;
    signup_company(&app, "taken@example.com", "Secret Rival Ltd").await;
    let (_, secret) = invite(&app, &admin, "taken@example.com", "admin").await;

    // The fields come first: an invalid form does not tell either.
    accept(&app, &secret, accept_body("short"))
        .await
        .expect_error(400, "ValidationError", Some("body.password"));
    let a = accept(&app, &secret, accept_body("Sup3r-secret!")).await;
    a.expect_error(409, "Email_ALREADY_REGISTERED", None);
    let message = a.message();
    assert!(
        message.contains("already has an Onramp account")
            && message.contains("one organization")
            && message.contains("Sign in"),
        "{message}"
    );
    assert!(!a.text.contains("Secret Rival"), "names no organization");
    // Nothing was created or moved: the account stays in its organization with its password.
    assert_eq!(app.count("SELECT COUNT(*) FROM users"), 2);
    let me = app
        .post_anon(
            "/api/auth/token",
            json!({"email": "taken@example.com", "password": "Sup3r-secret!"}),
        )
        .await;
    me.expect(200);
    assert_eq!(me.item()["user"]["organizationName"], "Secret Rival Ltd");
    assert_eq!(me.item()["user"]["role"], "admin");
    // The invitation stays pending until the admin withdraws it or it expires.
    assert_eq!(
        pending_emails(&app, &admin).await,
        vec!["taken@example.com"]
    );
}

fn limited_app(limit: u32, window: Duration) -> TestApp {
    let mut c = config();
    c.invitation_limit = limit;
    c.invitation_window = window;
    TestApp::with(c)
}

async fn try_invite(app: &TestApp, token: &str, email: &str) -> Answer {
    app.post(
        "/api/onramp/invitations",
        token,
        json!({"email": email, "role": "viewer"}),
    )
    .await
}

#[tokio::test]
async fn invitations_are_limited_per_organization() {
    let app = limited_app(3, Duration::from_secs(3600));
    let a_admin = signup_company(&app, "a@example.com", "A").await;
    let b_admin = signup_company(&app, "b@example.com", "B").await;

    for i in 0..3 {
        // Refused requests do not count.
        try_invite(&app, &a_admin, "not-an-email")
            .await
            .expect_error(400, "ValidationError", Some("body.email"));
        if i > 0 {
            try_invite(&app, &a_admin, &format!("p{}@example.com", i - 1))
                .await
                .expect_error(409, "INVITATION_ALREADY_PENDING", Some("body.email"));
        }
        try_invite(&app, &a_admin, &format!("p{i}@example.com"))
            .await
            .expect(200);
    }
    // At the limit, even a request that would be refused answers 429.
    try_invite(&app, &a_admin, "not-an-email").await.expect(429);
    let refused = try_invite(&app, &a_admin, "p3@example.com").await;
    refused.expect(429);
    assert_eq!(refused.body["response"]["status"]["code"], 429);
    assert_eq!(refused.body["response"]["data"], "Rate limit exceeded");
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((3590..=3600).contains(&retry), "{retry}");
    assert!(refused.header("x-ratelimit-limit").is_some());
    // Withdrawing one does not give it back; nothing more was stored.
    let inv = app.get("/api/onramp/invitations", &a_admin).await.items()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.delete(&format!("/api/onramp/invitations/{inv}"), &a_admin)
        .await
        .expect(200);
    try_invite(&app, &a_admin, "p4@example.com")
        .await
        .expect(429);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations"), 3);

    // Another organization is not affected.
    for i in 0..3 {
        try_invite(&app, &b_admin, &format!("q{i}@example.com"))
            .await
            .expect(200);
    }
    try_invite(&app, &b_admin, "q3@example.com")
        .await
        .expect(429);
    // The rest of A's API works.
    app.get("/api/onramp/invitations", &a_admin)
        .await
        .expect(200);
}

#[tokio::test]
async fn the_invitation_limit_slides_and_zero_turns_it_off() {
    let app = limited_app(1, Duration::from_millis(300));
    let admin = signup_company(&app, "a@example.com", "A").await;
    try_invite(&app, &admin, "one@example.com")
        .await
        .expect(200);
    let r = try_invite(&app, &admin, "two@example.com").await;
    r.expect(429);
    assert_eq!(r.header("retry-after"), Some("1"));
    tokio::time::sleep(Duration::from_millis(350)).await;
    try_invite(&app, &admin, "two@example.com")
        .await
        .expect(200);

    let off = limited_app(0, Duration::from_secs(3600));
    let admin = signup_company(&off, "a@example.com", "A").await;
    for i in 0..25 {
        try_invite(&off, &admin, &format!("p{i}@example.com"))
            .await
            .expect(200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_invitations_gets_no_more_than_the_limit() {
    let app = limited_app(5, Duration::from_secs(3600));
    let admin = signup_company(&app, "a@example.com", "A").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (app, admin) = (app.clone(), admin.clone());
        tasks.spawn(async move { try_invite(&app, &admin, &format!("p{i}@example.com")).await });
    }
    let (mut created, mut limited) = (0, 0);
    while let Some(a) = tasks.join_next().await {
        let a = a.unwrap();
        match a.status.as_u16() {
            200 => created += 1,
            429 => {
                limited += 1;
                assert!(a.header("retry-after").is_some());
            }
            s => panic!("unexpected {s}: {}", a.text),
        }
    }
    assert_eq!((created, limited), (5, 15));
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations"), 5);
}
