//! Issue 7: fault injection (each knob observable), the control endpoint, login throttling.

mod common;

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode},
};
use common::*;
use http_body_util::BodyExt;
use onramp_api::{
    Config, app_with_state,
    fault::{Dropped, Faults},
};
use serde_json::{Value, json};
use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

fn faulty(f: Faults) -> TestApp {
    let mut c = config();
    c.faults = f;
    c.fault_seed = Some(7);
    TestApp::with(c)
}

/// Sends a request that is expected to lose its answer: the response is marked dropped and
/// its body fails instead of yielding bytes.
async fn expect_dropped(app: &TestApp, req: Request<Body>) {
    let res = app.router.clone().oneshot(req).await.unwrap();
    assert!(
        res.extensions().get::<Dropped>().is_some(),
        "answered {} instead of dropping",
        res.status()
    );
    assert!(
        res.into_body().collect().await.is_err(),
        "a dropped answer must not have a readable body"
    );
}

fn json_post(uri: &str, token: Option<&str>, body: Value) -> Request<Body> {
    let mut b = Request::post(uri).header("content-type", "application/json");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string())).unwrap()
}

// ---- faults, in-process ------------------------------------------------------------------------

#[tokio::test]
async fn faults_are_off_by_default() {
    let c = Config::parse(Vec::<String>::new(), |_| None).unwrap();
    assert!(c.faults.is_off() && !c.fault_control);
    let app = TestApp::new();
    assert!(!app.state.faults.installed);
    let (token, _) = app.signup("off@example.com").await;
    for _ in 0..20 {
        app.get("/api/setup/account", &token).await.expect(200);
    }
}

#[tokio::test]
async fn latency_delays_every_matching_api_answer() {
    let app = faulty(Faults {
        latency_ms: 300,
        only: Some("/api/auth/me".into()),
        ..Faults::default()
    });
    let t = Instant::now();
    let a = app.call("GET", "/api/auth/me", None, None).await;
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    a.expect_error(401, "Unauthorized", None);
    // Outside `only`: no delay.
    let t = Instant::now();
    app.call("GET", "/api/no/such", None, None)
        .await
        .expect(404);
    assert!(
        t.elapsed() < Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn error_rate_one_is_always_a_500_envelope() {
    let app = faulty(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    for _ in 0..50 {
        let a = app.call("GET", "/api/setup/account?x=1", None, None).await;
        a.expect_error(500, "InternalError", None);
        assert_envelope(&a, "GET", "/setup/account?x=1");
        assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
    }
    // The app outside /api is untouched.
    let res = app
        .router
        .clone()
        .oneshot(Request::get("/config.json").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn every_nth_request_is_a_spot_429_with_headers() {
    let app = faulty(Faults {
        rate_limit_every: 3,
        reset_secs: 5,
        ..Faults::default()
    });
    let mut statuses = Vec::new();
    for n in 1..=6 {
        let a = app.call("GET", "/api/auth/me", None, None).await;
        statuses.push(a.status.as_u16());
        if n % 3 == 0 {
            a.expect_spot(429, "GET", "/auth/me", "rate_limited.json");
            assert_eq!(a.body["response"]["data"], "Rate limit exceeded");
            assert_eq!(a.header("x-ratelimit-limit"), Some("3"));
            assert_eq!(a.header("x-ratelimit-remaining"), Some("0"));
            assert_eq!(a.header("x-ratelimit-reset"), Some("5"));
            assert_eq!(a.header("retry-after"), Some("5"));
        }
    }
    assert_eq!(statuses, [401, 401, 429, 401, 401, 429]);
}

#[tokio::test]
async fn malformed_answers_are_200_with_invalid_json() {
    let app = faulty(Faults {
        malformed_rate: 1.0,
        ..Faults::default()
    });
    let a = app.call("GET", "/api/setup/account", None, None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), Some("application/json"));
    assert!(a.text.starts_with('{'), "{}", a.text);
    assert!(
        serde_json::from_str::<Value>(&a.text).is_err(),
        "parsed: {}",
        a.text
    );
    assert!(onramp_core::envelope::decode_errors(&a.text).is_none());
}

#[tokio::test]
async fn drop_rate_one_drops_without_running_the_handler() {
    let app = faulty(Faults {
        drop_rate: 1.0,
        only: Some("/api/setup/account".into()),
        ..Faults::default()
    });
    let (token, _) = app.signup("drop@example.com").await;
    expect_dropped(
        &app,
        json_post(
            "/api/setup/account",
            Some(&token),
            json!({"account": {"name": "Never"}}),
        ),
    )
    .await;
    // Nothing was written.
    let n = app.count("SELECT COUNT(*) FROM accounts");
    assert_eq!(n, 1);
}

#[tokio::test]
async fn lose_after_write_commits_but_loses_the_answer() {
    let app = faulty(Faults {
        lose_after_write_rate: 1.0,
        only: Some("/api/setup/account".into()),
        ..Faults::default()
    });
    let (token, _) = app.signup("lost@example.com").await;
    expect_dropped(
        &app,
        json_post(
            "/api/setup/account",
            Some(&token),
            json!({"account": {"name": "Ghost"}}),
        ),
    )
    .await;
    // Reads are not writes: answered, and they show the write happened.
    let a = app.get("/api/setup/account", &token).await;
    a.expect(200);
    let names: Vec<&str> = a
        .items()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Ghost"), "{names:?}");
}

// ---- faults over a real socket --------------------------------------------------------------

/// Serves `app`'s state on 127.0.0.1:0; returns the address.
async fn serve(app: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app_with_state(app.state.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

/// Sends one raw HTTP/1.1 request; returns everything the server sent before the connection
/// ended (an error such as a reset counts as "nothing more").
async fn raw(addr: SocketAddr, method: &str, path: &str, token: &str, body: &str) -> Vec<u8> {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server neither answered nor closed");
    out
}

#[tokio::test]
async fn a_real_client_sees_the_connection_end_without_a_status() {
    let app = faulty(Faults {
        drop_rate: 1.0,
        only: Some("/api/auth/me".into()),
        ..Faults::default()
    });
    let (token, _) = app.signup("tcp@example.com").await;
    let addr = serve(&app).await;
    let got = raw(addr, "GET", "/api/auth/me", &token, "").await;
    assert!(
        got.is_empty(),
        "expected no bytes, got {:?}",
        String::from_utf8_lossy(&got)
    );
    // A path outside `only` is answered normally on the same server (a control for the test).
    let got = raw(addr, "GET", "/api/setup/account", &token, "").await;
    assert!(
        got.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&got)
    );
}

#[tokio::test]
async fn a_real_client_loses_the_answer_of_a_committed_write() {
    let app = faulty(Faults {
        lose_after_write_rate: 1.0,
        only: Some("/api/setup/account/".into()),
        ..Faults::default()
    });
    let (token, me) = app.signup("tcp-lost@example.com").await;
    let id = me["defaultAccountId"].as_str().unwrap();
    let addr = serve(&app).await;
    let got = raw(
        addr,
        "PUT",
        &format!("/api/setup/account/{id}"),
        &token,
        r#"{"account":{"name":"Renamed in the dark"}}"#,
    )
    .await;
    assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
    let got = raw(addr, "GET", &format!("/api/setup/account/{id}"), &token, "").await;
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("Renamed in the dark"), "{text}");
}

// ---- control endpoint -----------------------------------------------------------------------

#[tokio::test]
async fn the_session_idle_knob_ends_unused_sessions_in_seconds() {
    let mut c = config();
    c.fault_control = true;
    let app = TestApp::with(c);
    let (token, _) = app.signup("idle@example.com").await;
    let a = app
        .post_anon("/api/_faults", json!({"sessionIdleSecs": 1}))
        .await;
    a.expect(200);
    assert_eq!(a.item()["sessionIdleSecs"], 1);
    app.get("/api/auth/me", &token).await.expect(200);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    app.get("/api/auth/me", &token).await.expect(401);
    // The knob only shortens the lifetime: back to the flag's 12 hours, a fresh session lives.
    app.post_anon("/api/_faults", json!({"sessionIdleSecs": null}))
        .await
        .expect(200);
    let (fresh, _) = app.signup("idle2@example.com").await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    app.get("/api/auth/me", &fresh).await.expect(200);
    app.post_anon("/api/_faults", json!({"sessionIdleSecs": 0}))
        .await
        .expect_error(400, "ValidationError", Some("body"));
}

#[tokio::test]
async fn control_endpoint_is_404_without_the_flag() {
    let app = TestApp::new();
    app.call("GET", "/api/_faults", None, None)
        .await
        .expect_error(404, "NotFound", None);
    app.post_anon("/api/_faults", json!({"errorRate": 1}))
        .await
        .expect_error(404, "NotFound", None);
    // Faults set by flags do not open it either.
    let app = faulty(Faults {
        latency_ms: 1,
        ..Faults::default()
    });
    app.post_anon("/api/_faults", json!({"errorRate": 1}))
        .await
        .expect_error(404, "NotFound", None);
    app.call("GET", "/api/auth/me", None, None)
        .await
        .expect(401);
}

#[tokio::test]
async fn control_endpoint_switches_faults_live() {
    let mut c = config();
    c.fault_control = true;
    let app = TestApp::with(c);
    let (token, _) = app.signup("ctl@example.com").await;
    let a = app.call("GET", "/api/_faults", None, None).await;
    a.expect(200);
    assert_envelope(&a, "GET", "/_faults");
    assert_eq!(a.body["response"]["kind"], "onramp:faults");
    assert_eq!(
        a.item(),
        &json!({"latencyMs": 0, "errorRate": 0.0, "rateLimitEvery": 0, "resetSecs": 2,
                "dropRate": 0.0, "malformedRate": 0.0, "loseAfterWriteRate": 0.0, "only": null,
                "sessionIdleSecs": null, "connectTokenTtlSecs": null,
                "batchTokenTtlSecs": null, "azureRoleMissing": []})
    );
    // Switch on: only the credentials routes fail.
    let a = app
        .post_anon(
            "/api/_faults",
            json!({"errorRate": 1, "only": "/api/setup/credentials", "seed": 3}),
        )
        .await;
    a.expect(200);
    assert_eq!(a.item()["errorRate"], 1.0);
    assert_eq!(a.item()["only"], "/api/setup/credentials");
    app.get("/api/setup/credentials/aws", &token)
        .await
        .expect_error(500, "InternalError", None);
    app.get("/api/setup/account", &token).await.expect(200);
    // The control endpoint itself is never faulted.
    app.call("GET", "/api/_faults", None, None)
        .await
        .expect(200);
    // Bad knobs are refused with a Spot error and change nothing.
    for bad in [
        json!({"errorRate": 2}),
        json!({"bogus": 1}),
        json!({"latencyMs": "slow"}),
    ] {
        app.post_anon("/api/_faults", bad)
            .await
            .expect_error(400, "ValidationError", Some("body"));
    }
    let a = app
        .send(
            Request::post("/api/_faults")
                .header("content-type", "text/plain")
                .body(Body::from("errorRate=0"))
                .unwrap(),
        )
        .await;
    a.expect_error(400, "ValidationError", Some("body"));
    app.call("DELETE", "/api/_faults", None, None)
        .await
        .expect_error(405, "MethodNotAllowed", None);
    app.get("/api/setup/credentials/aws", &token)
        .await
        .expect(500);
    // Switch off: the flow completes.
    app.post_anon("/api/_faults", json!({"errorRate": 0}))
        .await
        .expect(200);
    app.get("/api/setup/credentials/aws", &token)
        .await
        .expect(200);
    // Every change restarts the every-Nth count.
    app.post_anon("/api/_faults", json!({"rateLimitEvery": 5, "only": null}))
        .await
        .expect(200);
    for _ in 0..3 {
        app.get("/api/auth/me", &token).await.expect(200);
    }
    app.post_anon("/api/_faults", json!({"rateLimitEvery": 2}))
        .await
        .expect(200);
    app.get("/api/auth/me", &token).await.expect(200);
    app.get("/api/auth/me", &token).await.expect(429);
}

// ---- login throttling -------------------------------------------------------------------------

fn throttled_app(attempts: u32, window: Duration) -> TestApp {
    let mut c = config();
    c.login_attempts = attempts;
    c.login_window = window;
    TestApp::with(c)
}

const GOOD: &str = "Sup3r-secret!";
const BAD: &str = "Wr0ng-secret!";

#[tokio::test]
async fn sign_in_is_throttled_per_email_after_n_failures() {
    let app = throttled_app(3, Duration::from_secs(900));
    app.signup("victim@example.com").await;
    for _ in 0..3 {
        app.sign_in_from("10.0.0.1", "victim@example.com", BAD)
            .await
            .expect_error(401, "InvalidCredentials", None);
    }
    // Even the right password (in other case) is refused now, from that client.
    let a = app
        .sign_in_from("10.0.0.1", " Victim@Example.com", GOOD)
        .await;
    a.expect_spot(429, "POST", "/auth/token", "rate_limited.json");
    assert_eq!(a.header("x-ratelimit-limit"), Some("3"));
    assert_eq!(a.header("x-ratelimit-remaining"), Some("0"));
    let reset: u64 = a.header("x-ratelimit-reset").unwrap().parse().unwrap();
    assert!((890..=900).contains(&reset), "{reset}");
    assert_eq!(a.header("retry-after"), a.header("x-ratelimit-reset"));
    // Other emails are not affected, nor the email from another client (failures are keyed by
    // email and client, so they cannot lock the owner out from elsewhere).
    app.sign_in_from("10.0.0.1", "other@example.com", BAD)
        .await
        .expect(401);
    app.sign_in_from("10.0.0.2", "victim@example.com", GOOD)
        .await
        .expect(200);
}

#[tokio::test]
async fn a_successful_sign_in_resets_the_email_counter() {
    let app = throttled_app(2, Duration::from_secs(900));
    app.signup("forgetful@example.com").await;
    for _ in 0..3 {
        app.sign_in_from("10.0.0.1", "forgetful@example.com", BAD)
            .await
            .expect(401);
        app.sign_in_from("10.0.0.1", "forgetful@example.com", GOOD)
            .await
            .expect(200);
    }
    app.sign_in_from("10.0.0.1", "forgetful@example.com", BAD)
        .await
        .expect(401);
    app.sign_in_from("10.0.0.1", "forgetful@example.com", BAD)
        .await
        .expect(401);
    app.sign_in_from("10.0.0.1", "forgetful@example.com", GOOD)
        .await
        .expect(429);
}

#[tokio::test]
async fn the_throttle_lifts_when_the_window_passes() {
    let app = throttled_app(1, Duration::from_millis(1200));
    app.signup("patient@example.com").await;
    app.sign_in_from("10.0.0.1", "patient@example.com", BAD)
        .await
        .expect(401);
    let a = app
        .sign_in_from("10.0.0.1", "patient@example.com", GOOD)
        .await;
    a.expect(429);
    assert_eq!(a.header("x-ratelimit-reset"), Some("2"));
    tokio::time::sleep(Duration::from_millis(1300)).await;
    app.sign_in_from("10.0.0.1", "patient@example.com", GOOD)
        .await
        .expect(200);
}

#[tokio::test]
async fn sign_in_is_throttled_per_client_ip() {
    let app = throttled_app(2, Duration::from_secs(900));
    // The IP allows 4 × 2 failures, spread over emails that never reach their own limit.
    for i in 0..8 {
        app.sign_in_from("10.9.9.9", &format!("spray{i}@example.com"), BAD)
            .await
            .expect(401);
    }
    let a = app.sign_in_from("10.9.9.9", "fresh@example.com", BAD).await;
    a.expect(429);
    assert_eq!(a.header("x-ratelimit-limit"), Some("8"));
    app.sign_in_from("10.9.9.8", "fresh@example.com", BAD)
        .await
        .expect(401);
}

fn sign_up(ip: &str, email: &str) -> Request<Body> {
    let mut req = json_post("/api/auth/signup", None, signup_body(email));
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(ip.parse().unwrap(), 4242)));
    req
}

#[tokio::test]
async fn sign_up_with_taken_emails_is_throttled() {
    let app = throttled_app(2, Duration::from_secs(900));
    app.signup("taken@example.com").await;
    // Conflicts are throttled per client, with the client's limit (4 × 2): they slow probing
    // for registered emails from one place.
    for _ in 0..8 {
        app.send(sign_up("10.0.0.1", "taken@example.com"))
            .await
            .expect(409);
    }
    let a = app.send(sign_up("10.0.0.1", "TAKEN@example.com")).await;
    a.expect(429);
    assert_eq!(a.header("x-ratelimit-limit"), Some("8"));
    assert!(a.header("retry-after").is_some());
    // They are not failed sign-ins: the owner still signs in, even from that client.
    app.sign_in_from("10.0.0.1", "taken@example.com", GOOD)
        .await
        .expect(200);
    // Validation failures are not counted; another client signs a new email up.
    app.send(sign_up("10.0.0.2", "new@example.com"))
        .await
        .expect(200);
}

#[tokio::test]
async fn zero_login_attempts_turns_throttling_off() {
    let app = throttled_app(0, Duration::from_secs(900));
    for _ in 0..30 {
        app.sign_in_from("10.0.0.1", "x@example.com", BAD)
            .await
            .expect(401);
    }
}
