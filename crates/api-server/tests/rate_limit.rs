//! Rate limit per organization × route × method; headers on every answer; 429 in Spot's shape.

mod common;

use axum::{body::Body, extract::ConnectInfo, http::Request};
use common::*;
use serde_json::json;
use std::net::SocketAddr;

fn small(limit: u32) -> TestApp {
    let mut c = config();
    c.rate_limit = limit;
    TestApp::with(c)
}

#[tokio::test]
async fn over_the_limit_is_429_with_headers() {
    let app = small(3);
    let (token, _) = app.signup("rl@example.com").await;
    for remaining in [2, 1, 0] {
        let a = app.get("/api/setup/account", &token).await;
        a.expect(200);
        assert_eq!(a.header("x-ratelimit-limit"), Some("3"));
        assert_eq!(
            a.header("x-ratelimit-remaining"),
            Some(remaining.to_string().as_str())
        );
        let reset: u64 = a.header("x-ratelimit-reset").unwrap().parse().unwrap();
        assert!((1..=60).contains(&reset));
    }
    let a = app.get("/api/setup/account?x=1", &token).await;
    a.expect_spot(429, "GET", "/setup/account?x=1", "rate_limited.json");
    assert_eq!(a.body["response"]["data"], "Rate limit exceeded");
    assert_eq!(a.body["response"]["status"]["message"], "Too Many Requests");
    assert_eq!(a.header("x-ratelimit-limit"), Some("3"));
    assert_eq!(a.header("x-ratelimit-remaining"), Some("0"));
    assert!(a.header("x-ratelimit-reset").is_some());

    // Another method on the same path, and another route, have their own budgets.
    app.post(
        "/api/setup/account",
        &token,
        json!({"account": {"name": "More"}}),
    )
    .await
    .expect(200);
    app.get("/api/auth/me", &token).await.expect(200);
    // Route templates, not concrete paths: two account ids share one budget.
    let (t2, me2) = app.signup("rl2@example.com").await;
    let id = me2["defaultAccountId"].as_str().unwrap();
    for _ in 0..3 {
        app.get(&format!("/api/setup/account/{id}"), &t2)
            .await
            .expect(200);
    }
    app.get("/api/setup/account/act-00000000", &t2)
        .await
        .expect(429);
    // Another organization is not affected by the first one's use.
    app.get("/api/setup/account", &t2).await.expect(200);
}

#[tokio::test]
async fn unauthenticated_routes_are_keyed_by_client_ip() {
    let app = small(2);
    let from = |ip: &str, email: &str| {
        let mut req = Request::post("/api/auth/token")
            .header("content-type", "application/json")
            .body(Body::from(
                json!({"email": email, "password": "Wrong-pass1!"}).to_string(),
            ))
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(ip.parse().unwrap(), 5555)));
        req
    };
    app.send(from("10.0.0.1", "a@example.com"))
        .await
        .expect(401);
    app.send(from("10.0.0.1", "b@example.com"))
        .await
        .expect(401);
    let a = app.send(from("10.0.0.1", "c@example.com")).await;
    a.expect(429);
    assert_eq!(a.header("x-ratelimit-remaining"), Some("0"));
    app.send(from("10.0.0.2", "a@example.com"))
        .await
        .expect(401);

    // An IPv6 client by its /64: another address of the same network shares its budget, one
    // of another network does not.
    app.send(from("2001:db8:1:2::1", "d@example.com"))
        .await
        .expect(401);
    app.send(from("2001:db8:1:2::2", "e@example.com"))
        .await
        .expect(401);
    app.send(from("2001:db8:1:2:ffff::9", "f@example.com"))
        .await
        .expect(429);
    app.send(from("2001:db8:1:3::1", "d@example.com"))
        .await
        .expect(401);
}

#[tokio::test]
async fn every_429_carries_retry_after() {
    let mut c = config();
    c.rate_limit = 1;
    c.login_attempts = 1;
    let app = TestApp::with(c);
    let (token, _) = app.signup("ra@example.com").await;
    let check = |a: &Answer, what: &str| {
        a.expect(429);
        let secs: u64 = a
            .header("retry-after")
            .unwrap_or_else(|| panic!("{what}: no Retry-After"))
            .parse()
            .unwrap();
        assert!((1..=900).contains(&secs), "{what}: {secs}");
    };
    // The general limit, for a caller: Retry-After is the window's reset.
    app.get("/api/setup/account", &token).await.expect(200);
    let a = app.get("/api/setup/account", &token).await;
    check(&a, "rate limit");
    assert_eq!(a.header("retry-after"), a.header("x-ratelimit-reset"));
    // The general limit without a token (by client IP).
    app.call("GET", "/api/onramp/invitations/token/x", None, None)
        .await
        .expect(404);
    let a = app
        .call("GET", "/api/onramp/invitations/token/x", None, None)
        .await;
    check(&a, "rate limit by IP");
    // The login throttle.
    app.post_anon(
        "/api/auth/token",
        json!({"email": "ra@example.com", "password": "Wr0ng-secret!"}),
    )
    .await
    .expect(401);
    let a = app
        .post_anon(
            "/api/auth/token",
            json!({"email": "ra@example.com", "password": "Sup3r-secret!"}),
        )
        .await;
    check(&a, "login throttle");
}
