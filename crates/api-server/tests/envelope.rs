//! Spot's envelope on every answer, including errors the framework would answer itself.

mod common;

use axum::{body::Body, http::Request};
use common::*;
use serde_json::json;

#[tokio::test]
async fn success_envelope_has_request_facts_and_count() {
    let app = TestApp::new();
    let (token, _) = app.signup("env@example.com").await;
    let a = app.get("/api/setup/account?cloudAccountId=", &token).await;
    a.expect(200);
    assert_envelope(&a, "GET", "/setup/account?cloudAccountId=");
    assert_eq!(a.body["response"]["kind"], "spotinst:setup:account");
    assert_eq!(a.body["response"]["count"], 1);
    assert_eq!(a.body["response"]["status"]["message"], "OK");
    assert_same_shape(&a.body, &fixture("list_accounts.json"));
    // Two calls never share a request id.
    let b = app.get("/api/setup/account", &token).await;
    assert_ne!(a.body["request"]["id"], b.body["request"]["id"]);
}

#[tokio::test]
async fn set_calls_answer_status_only() {
    let app = TestApp::new();
    let (token, me) = app.signup("status@example.com").await;
    let id = me["defaultAccountId"].as_str().unwrap();
    let a = app
        .put(
            &format!("/api/setup/account/{id}"),
            &token,
            json!({"account": {"name": "Renamed"}}),
        )
        .await;
    a.expect_spot(
        200,
        "PUT",
        &format!("/setup/account/{id}"),
        "status_only.json",
    );
    assert!(a.body["response"].get("items").is_none());
    assert!(a.body["response"].get("kind").is_none());
}

/// `method /api<url>` without a token or body answers the error `status`/`code` in an envelope.
async fn assert_error_envelope(method: &str, url: &str, status: u16, code: &str) {
    let app = TestApp::new();
    let a = app.call(method, &format!("/api{url}"), None, None).await;
    a.expect_error(status, code, None);
    assert_envelope(&a, method, url);
}

#[tokio::test]
async fn unknown_route_is_a_404_envelope() {
    assert_error_envelope("GET", "/no/such/thing?x=1", 404, "NotFound").await;
}

#[tokio::test]
async fn wrong_method_is_a_405_envelope() {
    assert_error_envelope("DELETE", "/auth/signup", 405, "MethodNotAllowed").await;
}

#[tokio::test]
async fn malformed_json_is_a_400_validation_error() {
    let app = TestApp::new();
    let a = post_signup(
        &app,
        Some("application/json"),
        Body::from("{\"fullName\": "),
    )
    .await;
    a.expect_error(400, "ValidationError", Some("body"));
    assert_envelope(&a, "POST", "/auth/signup");
    assert_same_shape(&a.body, &fixture("validation_error.json"));
    // A JSON value that is not an object.
    let a = post_signup(&app, Some("application/json"), Body::from("[1]")).await;
    a.expect_error(400, "ValidationError", Some("body"));
    // An empty body.
    let a = post_signup(&app, Some("application/json"), Body::empty()).await;
    a.expect_error(400, "ValidationError", Some("body"));
}

#[tokio::test]
async fn wrong_content_type_is_a_400_validation_error() {
    let app = TestApp::new();
    let body = signup_body("ct@example.com").to_string();
    let a = post_signup(&app, Some("text/plain"), Body::from(body.clone())).await;
    a.expect_error(400, "ValidationError", Some("body"));
    let a = post_signup(&app, None, Body::from(body.clone())).await;
    a.expect_error(400, "ValidationError", Some("body"));
    // With a charset parameter it is fine.
    let a = post_signup(
        &app,
        Some("application/json; charset=utf-8"),
        Body::from(body),
    )
    .await;
    a.expect(200);
}

#[tokio::test]
async fn oversized_body_is_a_413_envelope() {
    let mut c = config();
    c.max_body = 200;
    let app = TestApp::with(c);
    let big = json!({"fullName": "x".repeat(500)}).to_string();
    // With Content-Length (refused up front)...
    let a = app
        .send(
            Request::post("/api/auth/signup")
                .header("content-type", "application/json")
                .header("content-length", big.len())
                .body(Body::from(big.clone()))
                .unwrap(),
        )
        .await;
    a.expect_error(413, "PayloadTooLarge", None);
    assert_envelope(&a, "POST", "/auth/signup");
    // ...and streamed without it.
    let stream = futures_like_stream(big);
    let a = post_signup(&app, Some("application/json"), stream).await;
    a.expect_error(413, "PayloadTooLarge", None);
    // A small body is fine.
    let a = app
        .post_anon("/api/auth/signup", signup_body("small@example.com"))
        .await;
    a.expect(200);
}

/// `POST /api/auth/signup` with `body` as it is, under `content_type` (or none).
async fn post_signup(app: &TestApp, content_type: Option<&str>, body: Body) -> Answer {
    let mut req = Request::post("/api/auth/signup");
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    app.send(req.body(body).unwrap()).await
}

fn futures_like_stream(s: String) -> Body {
    Body::new(Chunked(
        s.into_bytes()
            .chunks(50)
            .map(axum::body::Bytes::copy_from_slice)
            .collect(),
    ))
}

/// A body of unknown length (no Content-Length), sent in chunks.
struct Chunked(std::collections::VecDeque<axum::body::Bytes>);

impl http_body::Body for Chunked {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Ready(self.0.pop_front().map(|b| Ok(http_body::Frame::data(b))))
    }
}
