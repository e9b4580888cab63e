//! Ours: the organization's members (`/api/onramp/members`): listing, changing a role, removing;
//! revocation of a demoted or removed member's sessions and API tokens; the last admin.

mod common;

use common::*;
use serde_json::{Value, json};

/// A personal API token of the holder of `token` (the older route; every test user has this password).
async fn api_token(app: &TestApp, token: &str) -> String {
    let a = app.personal_token(token).await;
    a.expect(200);
    a.item()["accessToken"].as_str().unwrap().to_owned()
}

fn uid(user: &Value) -> &str {
    user["userId"].as_str().unwrap()
}

async fn roles(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let a = app.get("/api/onramp/members", token).await;
    a.expect(200);
    a.items()
        .iter()
        .map(|m| {
            (
                m["email"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_member_is_listed_and_viewers_may_list() {
    let app = TestApp::new();
    let (admin, admin_me) = app.signup("ada@example.com").await;
    let (viewer, viewer_me) = app.join(&admin, "bob@example.com", "viewer").await;
    // Another organization's members are not listed.
    app.signup("other@example.com").await;

    for token in [&admin, &viewer] {
        let a = app.get("/api/onramp/members", token).await;
        a.expect(200);
        assert_envelope(&a, "GET", "/onramp/members");
        assert_eq!(a.body["response"]["kind"], "onramp:member");
        let items = a.items();
        assert_eq!(items.len(), 2, "{}", a.text);
        let ada = &items[0];
        assert_eq!(ada["userId"], admin_me["userId"]);
        assert_eq!(ada["name"], "Ada Lovelace");
        assert_eq!(ada["email"], "ada@example.com");
        assert_eq!(ada["role"], "admin");
        assert!(is_iso_ms(ada["joined"].as_str().unwrap()), "{}", a.text);
        let bob = &items[1];
        assert_eq!(bob["userId"], viewer_me["userId"]);
        assert_eq!(bob["name"], "Bob Member");
        assert_eq!(bob["role"], "viewer");
        let keys: Vec<_> = bob.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 5, "{keys:?}");
    }
}

#[tokio::test]
async fn an_admin_changes_a_role_and_demotion_revokes_every_token_of_the_member() {
    let app = TestApp::new();
    let (admin, _) = app.signup("ada@example.com").await;
    let (bob, bob_me) = app.join(&admin, "bob@example.com", "viewer").await;
    let bob_api = api_token(&app, &bob).await;

    // Promotion: Bob's tokens keep working and can now write.
    let a = app
        .put(
            &format!("/api/onramp/members/{}", uid(&bob_me)),
            &admin,
            json!({"role": "admin"}),
        )
        .await;
    a.expect(200);
    assert_eq!(a.body["response"]["kind"], "onramp:member");
    assert_eq!(a.item()["role"], "admin");
    assert_eq!(a.item()["userId"], bob_me["userId"]);
    app.new_account(&bob, "Bob's").await;
    app.get("/api/auth/me", &bob_api).await.expect(200);

    // A second session of Bob's, then demotion: every one of his tokens stops at once.
    let second = app
        .post_anon(
            "/api/auth/token",
            json!({"email": "bob@example.com", "password": "Sup3r-secret!"}),
        )
        .await;
    second.expect(200);
    let second = second.item()["accessToken"].as_str().unwrap().to_owned();
    let a = app
        .put(
            &format!("/api/onramp/members/{}", uid(&bob_me)),
            &admin,
            json!({"role": "viewer"}),
        )
        .await;
    a.expect(200);
    assert_eq!(a.item()["role"], "viewer");
    for t in [&bob, &bob_api, &second] {
        app.get("/api/auth/me", t)
            .await
            .expect_error(401, "Unauthorized", None);
    }
    // The admin is not affected; Bob signs in again as a viewer.
    app.get("/api/auth/me", &admin).await.expect(200);
    let again = app
        .post_anon(
            "/api/auth/token",
            json!({"email": "bob@example.com", "password": "Sup3r-secret!"}),
        )
        .await;
    again.expect(200);
    assert_eq!(again.item()["user"]["role"], "viewer");
    assert_eq!(
        roles(&app, &admin).await,
        vec![
            ("ada@example.com".into(), "admin".into()),
            ("bob@example.com".into(), "viewer".into())
        ]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships WHERE role = 'viewer'"),
        1
    );
}

#[tokio::test]
async fn removing_a_member_revokes_their_tokens_at_once() {
    let app = TestApp::new();
    let (admin, _) = app.signup("ada@example.com").await;
    let (bob, bob_me) = app.join(&admin, "bob@example.com", "viewer").await;
    let bob_api = api_token(&app, &bob).await;
    app.get("/api/auth/me", &bob_api).await.expect(200);

    let a = app
        .delete(&format!("/api/onramp/members/{}", uid(&bob_me)), &admin)
        .await;
    a.expect(200);
    assert_envelope(&a, "DELETE", &format!("/onramp/members/{}", uid(&bob_me)));
    for t in [&bob, &bob_api] {
        app.get("/api/auth/me", t)
            .await
            .expect_error(401, "Unauthorized", None);
    }
    assert_eq!(
        roles(&app, &admin).await,
        vec![("ada@example.com".into(), "admin".into())]
    );
    // Removed means gone: a second removal is a 404, and the email may be invited again.
    app.delete(&format!("/api/onramp/members/{}", uid(&bob_me)), &admin)
        .await
        .expect_error(404, "MEMBER_NOT_FOUND", None);
    let (bob_again, _) = app.join(&admin, "bob@example.com", "viewer").await;
    app.get("/api/auth/me", &bob_again).await.expect(200);
}

/// Bob, an admin who joined Ada's organization, invites carol@example.com as an admin: the
/// app, Ada's token, Bob's user and the invitation link's secret.
async fn admin_bob_invited_carol() -> (TestApp, String, Value, String) {
    let app = TestApp::new();
    let (ada, _) = app.signup("ada@example.com").await;
    let (bob, bob_me) = app.join(&ada, "bob@example.com", "admin").await;
    let a = app
        .post(
            "/api/onramp/invitations",
            &bob,
            json!({"email": "carol@example.com", "role": "admin"}),
        )
        .await;
    a.expect(200);
    let path = a.item()["acceptPath"].as_str().unwrap();
    let secret = path.strip_prefix("/invite/").unwrap().to_owned();
    (app, ada, bob_me, secret)
}

/// The link is dead the way a withdrawn one is: 404 on preview and on accept.
async fn assert_link_withdrawn(app: &TestApp, secret: &str) {
    let uri = format!("/api/onramp/invitations/token/{secret}");
    app.call("GET", &uri, None, None)
        .await
        .expect_error(404, "INVITATION_NOT_FOUND", None);
    app.post_anon(
        &format!("{uri}/accept"),
        json!({"fullName": "Carol", "country": "FR", "password": "Sup3r-secret!"}),
    )
    .await
    .expect_error(404, "INVITATION_NOT_FOUND", None);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'carol@example.com'"),
        0
    );
}

#[tokio::test]
async fn removing_an_admin_withdraws_the_invitations_they_sent() {
    let (app, ada, bob_me, secret) = admin_bob_invited_carol().await;
    app.delete(&format!("/api/onramp/members/{}", uid(&bob_me)), &ada)
        .await
        .expect(200);
    assert_link_withdrawn(&app, &secret).await;
    // Nothing pending is left to list either.
    let list = app.get("/api/onramp/invitations", &ada).await;
    assert_eq!(list.body["response"]["count"], 0, "{}", list.text);
}

#[tokio::test]
async fn demoting_an_admin_withdraws_the_invitations_they_sent() {
    let (app, ada, bob_me, secret) = admin_bob_invited_carol().await;
    // Ada's own pending invitation is not touched.
    let mine = app
        .post(
            "/api/onramp/invitations",
            &ada,
            json!({"email": "dan@example.com", "role": "viewer"}),
        )
        .await;
    mine.expect(200);
    app.put(
        &format!("/api/onramp/members/{}", uid(&bob_me)),
        &ada,
        json!({"role": "viewer"}),
    )
    .await
    .expect(200);
    assert_link_withdrawn(&app, &secret).await;
    let list = app.get("/api/onramp/invitations", &ada).await;
    list.expect(200);
    assert_eq!(list.items().len(), 1, "{}", list.text);
    assert_eq!(list.item()["email"], "dan@example.com");
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed_or_demoted() {
    let app = TestApp::new();
    let (ada, ada_me) = app.signup("ada@example.com").await;
    let (_viewer, viewer_me) = app.join(&ada, "bob@example.com", "viewer").await;
    let ada_path = format!("/api/onramp/members/{}", uid(&ada_me));

    let a = app.delete(&ada_path, &ada).await;
    a.expect_error(409, "LAST_ADMIN", None);
    assert!(a.message().contains("only admin"), "{}", a.text);
    app.put(&ada_path, &ada, json!({"role": "viewer"}))
        .await
        .expect_error(409, "LAST_ADMIN", None);
    // Nothing changed and Ada is still signed in.
    app.get("/api/auth/me", &ada).await.expect(200);
    assert_eq!(
        roles(&app, &ada).await,
        vec![
            ("ada@example.com".into(), "admin".into()),
            ("bob@example.com".into(), "viewer".into())
        ]
    );
    // Setting the role an admin already has is no change, so no conflict either.
    app.put(&ada_path, &ada, json!({"role": "admin"}))
        .await
        .expect(200);
    app.get("/api/auth/me", &ada).await.expect(200);

    // With a second admin Ada may leave; then Carol is the last one.
    let (carol, carol_me) = app.join(&ada, "carol@example.com", "admin").await;
    app.delete(&ada_path, &ada).await.expect(200);
    app.get("/api/auth/me", &ada)
        .await
        .expect_error(401, "Unauthorized", None);
    let carol_path = format!("/api/onramp/members/{}", uid(&carol_me));
    app.put(&carol_path, &carol, json!({"role": "viewer"}))
        .await
        .expect_error(409, "LAST_ADMIN", None);
    app.delete(&carol_path, &carol)
        .await
        .expect_error(409, "LAST_ADMIN", None);
    // Removing the viewer is fine.
    app.delete(&format!("/api/onramp/members/{}", uid(&viewer_me)), &carol)
        .await
        .expect(200);
}

#[tokio::test]
async fn another_organizations_member_and_unknown_ids_are_the_same_404() {
    let app = TestApp::new();
    let (ada, _) = app.signup("ada@example.com").await;
    let (zed, zed_me) = app.signup("zed@example.com").await;
    let zed_path = format!("/api/onramp/members/{}", uid(&zed_me));

    let mut answers = Vec::new();
    for path in [
        zed_path.clone(),
        "/api/onramp/members/u-00000000".to_owned(),
        "/api/onramp/members/not-an-id".to_owned(),
    ] {
        let put = app.put(&path, &ada, json!({"role": "viewer"})).await;
        put.expect_error(404, "MEMBER_NOT_FOUND", None);
        let del = app.delete(&path, &ada).await;
        del.expect_error(404, "MEMBER_NOT_FOUND", None);
        answers.push((
            put.body["response"]["errors"].clone(),
            del.body["response"]["errors"].clone(),
        ));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    // Zed was not touched.
    app.get("/api/auth/me", &zed).await.expect(200);
    assert_eq!(
        roles(&app, &zed).await,
        vec![("zed@example.com".into(), "admin".into())]
    );
}

#[tokio::test]
async fn viewers_may_not_change_members() {
    let app = TestApp::new();
    let (ada, ada_me) = app.signup("ada@example.com").await;
    let (viewer, viewer_me) = app.join(&ada, "bob@example.com", "viewer").await;
    for target in [&ada_me, &viewer_me] {
        let path = format!("/api/onramp/members/{}", uid(target));
        app.put(&path, &viewer, json!({"role": "admin"}))
            .await
            .expect_error(403, "FORBIDDEN", None);
        app.delete(&path, &viewer)
            .await
            .expect_error(403, "FORBIDDEN", None);
    }
    assert_eq!(
        roles(&app, &viewer).await,
        vec![
            ("ada@example.com".into(), "admin".into()),
            ("bob@example.com".into(), "viewer".into())
        ]
    );
    app.get("/api/auth/me", &viewer).await.expect(200);
}

#[tokio::test]
async fn a_role_must_be_admin_or_viewer() {
    let app = TestApp::new();
    let (ada, _) = app.signup("ada@example.com").await;
    let (_, bob_me) = app.join(&ada, "bob@example.com", "viewer").await;
    let path = format!("/api/onramp/members/{}", uid(&bob_me));
    for body in [json!({"role": "owner"}), json!({}), json!({"role": 1})] {
        app.put(&path, &ada, body)
            .await
            .expect_error(400, "ValidationError", Some("body.role"));
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE role = 'viewer'"),
        1
    );
}

#[tokio::test]
async fn member_routes_need_a_token() {
    let app = TestApp::new();
    for (method, uri) in [
        ("GET", "/api/onramp/members"),
        ("PUT", "/api/onramp/members/u-12345678"),
        ("DELETE", "/api/onramp/members/u-12345678"),
    ] {
        for token in [None, Some("not-a-real-token")] {
            let body = (method == "PUT").then(|| json!({"role": "viewer"}));
            app.call(method, uri, token, body)
                .await
                .expect_error(401, "Unauthorized", None);
        }
    }
}
