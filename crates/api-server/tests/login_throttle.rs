//! Login throttle under pressure: bursts, lock-outs aimed at someone else, the client address.

mod common;

use axum::{body::Body, extract::ConnectInfo, http::Request};
use common::*;
use serde_json::json;
use std::{net::SocketAddr, time::Duration};

fn throttled_app(attempts: u32) -> TestApp {
    let mut c = config();
    c.login_attempts = attempts;
    c.login_window = Duration::from_secs(900);
    TestApp::with(c)
}

fn sign_in(ip: &str, email: &str, password: &str) -> Request<Body> {
    let mut req = Request::post("/api/auth/token")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"email": email, "password": password}).to_string(),
        ))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(ip.parse().unwrap(), 4242)));
    req
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
        tasks.spawn(async move {
            app.send(sign_in("10.0.0.1", "burst@example.com", BAD))
                .await
        });
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
    app.send(sign_in("10.0.0.1", "burst@example.com", GOOD))
        .await
        .expect(429);
}
