//! Login throttle under pressure: bursts, lock-outs aimed at someone else, the client address.

mod common;

use axum::{body::Body, extract::ConnectInfo, http::Request};
use common::*;
use std::{net::SocketAddr, time::Duration};

fn throttled_app(attempts: u32) -> TestApp {
    let mut c = config();
    c.login_attempts = attempts;
    c.login_window = Duration::from_secs(900);
    TestApp::with(c)
}

const GOOD: &str = "Sup3r-secret!";
const BAD: &str = "Wr0ng-secret!";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_gets_no_more_checked_guesses_than_a_sequence() {
    let app = throttled_app(5);
    app.signup("burst@example.com").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let app = app.clone();
        tasks.spawn(async move { app.sign_in_from("10.0.0.1", "burst@example.com", BAD).await });
    }
    let (mut checked, mut throttled) = (0, 0);
    while let Some(a) = tasks.join_next().await {
        let a = a.unwrap();
        match a.status.as_u16() {
            401 => checked += 1,
            429 => {
                throttled += 1;
                let secs: u64 = a.header("retry-after").unwrap().parse().unwrap();
                assert!(secs >= 1, "{secs}");
            }
            s => panic!("unexpected {s}: {}", a.text),
        }
    }
    assert!(checked <= 5, "{checked} guesses were checked");
    assert_eq!(checked + throttled, 40);
    // Once the burst is over, the email is locked like after 5 sequential failures.
    app.sign_in_from("10.0.0.1", "burst@example.com", GOOD)
        .await
        .expect(429);
}

#[tokio::test]
async fn an_attacker_cannot_lock_the_owner_out_from_another_client() {
    let app = throttled_app(5);
    app.signup("victim@example.com").await;
    for _ in 0..5 {
        app.sign_in_from("203.0.113.66", "victim@example.com", BAD)
            .await
            .expect_error(401, "InvalidCredentials", None);
    }
    let a = app
        .sign_in_from("203.0.113.66", "victim@example.com", GOOD)
        .await;
    a.expect(429);
    assert!(a.header("retry-after").is_some());
    // The owner, from their own client: a typo is still checked, then the right password works.
    app.sign_in_from("198.51.100.7", "victim@example.com", BAD)
        .await
        .expect(401);
    app.sign_in_from("198.51.100.7", "Victim@example.com", GOOD)
        .await
        .expect(200);
    // The attacker's client stays locked.
    app.sign_in_from("203.0.113.66", "victim@example.com", GOOD)
        .await
        .expect(429);
}

#[tokio::test]
async fn sign_up_conflicts_do_not_count_as_failed_sign_ins() {
    let app = throttled_app(2);
    app.signup("owner@example.com").await;
    // More conflicts than an email's sign-in limit, from the client the owner signs in from.
    for _ in 0..6 {
        let mut req = Request::post("/api/auth/signup")
            .header("content-type", "application/json")
            .body(Body::from(signup_body("OWNER@example.com").to_string()))
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::new("10.0.0.1".parse().unwrap(), 1)));
        app.send(req)
            .await
            .expect_error(409, "Email_ALREADY_REGISTERED", Some("body.email"));
    }
    // Neither the email nor the client lost a sign-in attempt.
    for _ in 0..2 {
        app.sign_in_from("10.0.0.1", "owner@example.com", BAD)
            .await
            .expect(401);
    }
    app.sign_in_from("10.0.0.1", "other@example.com", BAD)
        .await
        .expect(401);
}

fn via(peer: &str, forwarded_for: &str, email: &str, password: &str) -> Request<Body> {
    let mut req = sign_in_request(peer, email, password);
    req.headers_mut()
        .insert("x-forwarded-for", forwarded_for.parse().unwrap());
    req
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let mut c = config();
    c.login_attempts = 2;
    c.trusted_proxies = vec!["10.0.0.9".parse().unwrap()];
    let app = TestApp::with(c);
    app.signup("v@example.com").await;

    // Through the trusted proxy, the client is the address it forwards.
    for _ in 0..2 {
        app.send(via("10.0.0.9", "203.0.113.66", "v@example.com", BAD))
            .await
            .expect(401);
    }
    app.send(via("10.0.0.9", "203.0.113.66", "v@example.com", GOOD))
        .await
        .expect(429);
    // A client cannot pick its address by writing the header itself: the proxy appends the
    // real one, and that is the one counted.
    app.send(via(
        "10.0.0.9",
        "198.51.100.7, 203.0.113.66",
        "v@example.com",
        GOOD,
    ))
    .await
    .expect(429);
    app.send(via("10.0.0.9", "198.51.100.7", "v@example.com", GOOD))
        .await
        .expect(200);

    // From any other peer the header is ignored: changing it does not dodge the lock-out.
    for i in 0..2 {
        app.send(via(
            "10.0.0.50",
            &format!("192.0.2.{i}"),
            "v@example.com",
            BAD,
        ))
        .await
        .expect(401);
    }
    app.send(via("10.0.0.50", "192.0.2.99", "v@example.com", GOOD))
        .await
        .expect(429);
}

#[tokio::test]
async fn rotating_addresses_within_an_ipv6_64_is_one_client() {
    let app = throttled_app(3);
    app.signup("v6@example.com").await;
    for i in 1..=3 {
        app.sign_in_from(&format!("2001:db8:5:6::{i}"), "v6@example.com", BAD)
            .await
            .expect(401);
    }
    app.sign_in_from("2001:db8:5:6:abcd::1", "v6@example.com", GOOD)
        .await
        .expect(429);
    // Another /64 is another client.
    app.sign_in_from("2001:db8:5:7::1", "v6@example.com", GOOD)
        .await
        .expect(200);
}

#[tokio::test]
async fn an_email_too_long_for_any_account_is_refused_like_sign_up_refuses_it() {
    let app = throttled_app(1);
    let long = format!("{}@example.com", "a".repeat(288));
    assert_eq!(long.len(), 300);
    let signup = app.post_anon("/api/auth/signup", signup_body(&long)).await;
    signup.expect_error(400, "ValidationError", Some("body.email"));
    // The same answer on every try: no password is checked and nothing counts towards the
    // client's limit (4 failures here), so it never turns into a 429.
    for _ in 0..6 {
        let a = app.sign_in_from("198.51.100.9", &long, BAD).await;
        a.expect_error(400, "ValidationError", Some("body.email"));
        assert_eq!(a.errors().len(), 1, "{}", a.text);
        assert_eq!(a.message(), signup.message());
    }
    // At the limit itself it is an ordinary sign-in.
    let longest = format!("{}@example.com", "a".repeat(242));
    assert_eq!(longest.len(), 254);
    app.sign_in_from("198.51.100.9", &longest, BAD)
        .await
        .expect_error(401, "InvalidCredentials", None);
}
