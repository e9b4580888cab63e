//! Password hashing goes through one bounded queue: past it, 503 with `Retry-After`, while
//! routes that need no hash keep answering.

mod common;

use common::*;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_past_the_hash_queue_is_503_and_other_routes_still_answer() {
    let mut c = config();
    c.login_attempts = 0;
    c.hash_workers = 1;
    c.hash_queue = 2;
    let app = TestApp::with(c);
    let (token, _) = app.signup("admin@example.com").await;

    // Occupy the only worker until told otherwise.
    let worker = Occupied::start(&app).await;

    // Sign-ups and sign-ins both need a hash.
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..10 {
        let app = app.clone();
        burst.spawn(async move {
            if i % 2 == 0 {
                app.post_anon(
                    "/api/auth/signup",
                    signup_body(&format!("new{i}@example.com")),
                )
                .await
            } else {
                app.post_anon(
                    "/api/auth/token",
                    json!({"email": "admin@example.com", "password": "Wr0ng-secret!"}),
                )
                .await
            }
        });
    }
    // Two wait for the worker; the other eight are turned away at once.
    for _ in 0..8 {
        let a = tokio::time::timeout(Duration::from_secs(5), burst.join_next())
            .await
            .expect("answers past the queue come at once")
            .unwrap()
            .unwrap();
        a.expect_error(503, "SERVER_BUSY", None);
        assert_eq!(a.header("retry-after"), Some("1"));
        assert!(a.message().contains("busy"));
    }
    // Meanwhile a route that needs no hash answers.
    let me = tokio::time::timeout(Duration::from_secs(2), app.get("/api/auth/me", &token))
        .await
        .expect("an authenticated GET answers while hashing is saturated");
    me.expect(200);
    assert_eq!(burst.len(), 2);

    worker.release().await;
    while let Some(a) = burst.join_next().await {
        let s = a.unwrap().status.as_u16();
        assert!(s == 200 || s == 401, "{s}");
    }
}

/// A write that follows a password check re-checks, after the check's wait, that the caller is
/// still signed in with that password: a Sign out everywhere meanwhile must not be outlived by a
/// new API token (or a new password).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_password_check_that_waited_through_a_sign_out_everywhere_writes_nothing() {
    let mut c = config();
    c.hash_workers = 1;
    c.hash_queue = 4;
    let app = TestApp::with(c);
    app.signup("owner@example.com").await;
    let sign_in = || async {
        let a = app
            .post_anon(
                "/api/auth/token",
                json!({"email": "owner@example.com", "password": PASSWORD}),
            )
            .await;
        a.expect(200);
        a.item()["accessToken"].as_str().unwrap().to_owned()
    };

    for (path, body) in [
        (
            "/api/onramp/tokens",
            json!({"name": "late", "password": PASSWORD}),
        ),
        (
            "/api/auth/password",
            json!({"currentPassword": PASSWORD, "newPassword": "An0ther-secret!"}),
        ),
    ] {
        // The owner's session, and another of the same user (a token copied from a browser).
        let (owner, copied) = (sign_in().await, sign_in().await);
        let worker = Occupied::start(&app).await;
        let write = {
            let app = app.clone();
            tokio::spawn(async move { app.post(path, &copied, body).await })
        };
        // Its password check waits for the worker...
        let waited = tokio::time::timeout(Duration::from_secs(5), async {
            while app.state.hashing.waiting() == 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        assert!(waited.is_ok(), "{path}: the check never waited");
        // ...while the owner signs out everywhere (which needs no hash).
        app.post("/api/auth/signout-everywhere", &owner, json!({}))
            .await
            .expect(200);
        worker.release().await;
        write.await.unwrap().expect_error(401, "Unauthorized", None);
        // Nothing was written: no token; the password unchanged (the next sign-in uses it).
        assert_eq!(
            app.count("SELECT COUNT(*) FROM tokens WHERE name = 'late'"),
            0
        );
    }
    sign_in().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_password_hash_waits_in_the_same_queue() {
    let mut c = config();
    c.login_attempts = 0;
    c.hash_workers = 1;
    c.hash_queue = 0;
    let app = TestApp::with(c);
    let (token, _) = app.signup("admin@example.com").await;
    let inv = app
        .post(
            "/api/onramp/invitations",
            &token,
            json!({"email": "joiner@example.com", "role": "viewer"}),
        )
        .await;
    inv.expect(200);
    let path = inv.item()["acceptPath"].as_str().unwrap().to_owned();
    let accept_uri = format!("/api/onramp/invitations/token/{}/accept", &path[8..]);
    let accept_body =
        json!({"fullName": "Joan Joiner", "country": "FR", "password": "Sup3r-secret!"});

    let worker = Occupied::start(&app).await;
    for (uri, body) in [
        ("/api/auth/signup", signup_body("new@example.com")),
        (
            "/api/auth/token",
            json!({"email": "admin@example.com", "password": "Sup3r-secret!"}),
        ),
        (accept_uri.as_str(), accept_body.clone()),
    ] {
        let a = app.post_anon(uri, body).await;
        a.expect_error(503, "SERVER_BUSY", None);
        assert_eq!(a.header("retry-after"), Some("1"), "{uri}");
    }
    worker.release().await;
    // The link is still usable once the server has a moment.
    app.post_anon(&accept_uri, accept_body).await.expect(200);
}

/// The hashing queue's only worker, kept busy until [`Occupied::release`].
struct Occupied {
    release: std::sync::mpsc::Sender<()>,
    blocker: tokio::task::JoinHandle<Result<(), onramp_api::respond::ApiError>>,
}

impl Occupied {
    async fn start(app: &TestApp) -> Self {
        let (started_tx, started) = std::sync::mpsc::channel::<()>();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let pool = app.state.hashing.clone();
        let blocker = tokio::spawn(async move {
            pool.run(move || {
                started_tx.send(()).unwrap();
                wait.recv().unwrap();
            })
            .await
        });
        tokio::task::spawn_blocking(move || started.recv().unwrap())
            .await
            .unwrap();
        Self { release, blocker }
    }

    async fn release(self) {
        self.release.send(()).unwrap();
        self.blocker.await.unwrap().unwrap();
    }
}
