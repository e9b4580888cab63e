//! Issue 7: hostile input on every POST/PUT route. Whatever arrives, the server answers a Spot
//! envelope with a 4xx (never a 500, never a plain-text body, never a crash), stores markup
//! verbatim as JSON strings, and refuses look-alikes and invisible characters in identifiers
//! with a message that names the character.

mod common;

use axum::{
    body::Body,
    http::{HeaderValue, Request, header},
};
use common::*;
use serde_json::{Value, json};

fn azure_body() -> Value {
    let in_180 = (time::OffsetDateTime::now_utc().date() + time::Duration::days(180)).to_string();
    json!({
        "clientId": "11111111-2222-3333-4444-555555555555",
        "clientSecret": "Xy7~Q8abcdefghijklmnopqrstuvwxyz0123456",
        "tenantId": "66666666-7777-8888-9999-aaaaaaaaaaaa",
        "subscriptionId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "expirationDate": in_180,
    })
}

/// One POST/PUT route with a body it accepts.
struct Route {
    method: &'static str,
    uri: String,
    auth: bool,
    body: Value,
}

struct World {
    app: TestApp,
    token: String,
}

impl World {
    /// As the signed-up user.
    async fn get(&self, uri: &str) -> Answer {
        self.app.get(uri, &self.token).await
    }
    async fn post(&self, uri: &str, body: Value) -> Answer {
        self.app.post(uri, &self.token, body).await
    }
}

async fn world() -> World {
    let mut c = config();
    // Hostile sign-ups would otherwise be throttled (429 is tested in faults.rs).
    c.login_attempts = 0;
    let app = TestApp::with(c);
    let (token, _) = app.signup("hostile@example.com").await;
    World { app, token }
}

/// Every POST/PUT route of the API, each on an account of its own so that connecting one
/// cloud does not make another route refuse for that reason.
async fn routes(w: &World) -> Vec<Route> {
    let acc = |name: &'static str| async move { w.app.new_account(&w.token, name).await };
    let (a_aws, a_gcp, a_gcp2, a_az, a_az2, a_put) = (
        acc("aws").await,
        acc("gcp").await,
        acc("gcp validation").await,
        acc("azure").await,
        acc("azure validation").await,
        acc("renamed").await,
    );
    let (a_mgmt_aws, a_mgmt_az) = (acc("management aws").await, acc("management azure").await);
    w.post(
        &format!("/api/setup/credentials/aws/externalId?accountId={a_mgmt_aws}"),
        json!({}),
    )
    .await
    .expect(200);
    let me = w.get("/api/auth/me").await;
    let user_id = me.item()["userId"].as_str().unwrap().to_owned();
    let r = |method, uri: String, auth, body| Route {
        method,
        uri,
        auth,
        body,
    };
    vec![
        r(
            "POST",
            "/api/auth/signup".into(),
            false,
            signup_body("someone.else@example.com"),
        ),
        r(
            "POST",
            "/api/auth/token".into(),
            false,
            json!({"email": "hostile@example.com", "password": "Sup3r-secret!"}),
        ),
        r(
            "POST",
            "/api/setup/organization".into(),
            true,
            json!({"organization": {"name": "Second org"}}),
        ),
        r(
            "POST",
            "/api/setup/account".into(),
            true,
            json!({"account": {"name": "Another"}}),
        ),
        r(
            "PUT",
            format!("/api/setup/account/{a_put}"),
            true,
            json!({"account": {"name": "Renamed", "slackNotificationChannels": ["#spot"]}}),
        ),
        r(
            "POST",
            format!("/api/setup/credentials/aws/externalId?accountId={a_aws}"),
            true,
            json!({}),
        ),
        r(
            "POST",
            format!("/api/setup/credentials/aws?accountId={a_aws}"),
            true,
            json!({"credentials": {"iamRole": "arn:aws:iam::123456789012:role/Spot"}}),
        ),
        r(
            "POST",
            format!("/api/gcp/setup/credentials?accountId={a_gcp}"),
            true,
            json!({"serviceAccount": gcp_key()}),
        ),
        r(
            "POST",
            format!("/api/gcp/setup/credentials/validation?accountId={a_gcp2}"),
            true,
            json!({"serviceAccount": gcp_key()}),
        ),
        r(
            "POST",
            format!("/api/azure/setup/credentials?accountId={a_az}"),
            true,
            azure_body(),
        ),
        r(
            "POST",
            format!("/api/azure/setup/credentials/validation?accountId={a_az2}"),
            true,
            azure_body(),
        ),
        r(
            "POST",
            "/api/cloudBilling/v1/setup/account".into(),
            true,
            json!({"accountId": a_aws, "config": {"billingSource": {"bucket": "acme-cur", "region": "us-east-1", "pathPrefix": "cur"}}}),
        ),
        r(
            "POST",
            "/api/cloudBilling/v1/setup/account/validation".into(),
            true,
            json!({"accountId": a_aws, "config": {"billingSource": {"bucket": "acme-cur", "region": "us-east-1"}}}),
        ),
        r(
            "POST",
            "/api/cbi/v1/setup/account".into(),
            true,
            json!({"account": {"accountId": a_aws}}),
        ),
        r(
            "POST",
            "/api/cbi/v1/setup/account/validation".into(),
            true,
            json!({"account": {"accountId": a_aws}}),
        ),
        r(
            "POST",
            "/api/auth/tokens".into(),
            true,
            json!({"password": "Sup3r-secret!"}),
        ),
        // Members, API tokens, password (ours). The password change comes after the token
        // route: once it succeeded, the password that route asks for is another.
        r(
            "PUT",
            format!("/api/onramp/members/{user_id}"),
            true,
            json!({"role": "admin"}),
        ),
        r(
            "POST",
            "/api/onramp/tokens".into(),
            true,
            json!({"name": "CI deploy", "expiresInDays": 30, "password": "Sup3r-secret!"}),
        ),
        r(
            "POST",
            "/api/auth/password".into(),
            true,
            json!({"currentPassword": "Sup3r-secret!", "newPassword": "N3w-passw0rd!"}),
        ),
        // Management accounts (ours).
        r(
            "POST",
            "/api/onramp/management/aws".into(),
            true,
            json!({
                "accountId": a_mgmt_aws,
                "environment": "commercial",
                "bucketName": "my-cur-bucket",
                "products": ["costAnalysis", "computeOptimization"],
                "roleArns": {
                    "costAnalysis": "arn:aws:iam::123456789012:role/SpotFinOpsRole",
                    "computeOptimization": "arn:aws:iam::123456789012:role/SpotComputeOptimizationRole"
                },
            }),
        ),
        r(
            "POST",
            "/api/onramp/management/azure".into(),
            true,
            json!({
                "accountId": a_mgmt_az,
                "clientId": "11111111-2222-3333-4444-555555555555",
                "tenantId": "66666666-7777-8888-9999-AAAAAAAAAAAA",
                "clientSecret": "Xy7~Q8abcdefghijklmnopqrstuvwxyz0123456",
                "expirationDate": azure_body()["expirationDate"],
                "agreementType": "mca",
                "billingAccountId": "0f8fad5b-d9cb-469f-a165-70867728950e:7c9e6679-7425-40de-944b-e07fc1f90ae7_2019-05-31",
            }),
        ),
    ]
}

/// The answer is a Spot envelope whose status is one of `allowed` (and never 500).
#[track_caller]
fn well_refused(a: &Answer, allowed: &[u16], what: &str) {
    let s = a.status.as_u16();
    assert_ne!(s, 500, "{what}: 500 for bad input: {}", a.text);
    assert!(
        allowed.contains(&s),
        "{what}: status {s} not in {allowed:?}: {}",
        excerpt(&a.text)
    );
    assert_eq!(a.header("content-type"), Some("application/json"), "{what}");
    let env: onramp_core::Envelope<Value> = serde_json::from_str(&a.text)
        .unwrap_or_else(|e| panic!("{what}: not an envelope ({e}): {}", excerpt(&a.text)));
    assert_eq!(env.response.status.code, s, "{what}");
    if s >= 400 && s != 429 {
        assert!(
            env.response.errors.is_some_and(|e| !e.is_empty()),
            "{what}: an error without errors: {}",
            excerpt(&a.text)
        );
    }
}

fn excerpt(s: &str) -> String {
    s.chars().take(600).collect()
}

async fn send_raw(
    w: &World,
    method: &str,
    uri: &str,
    auth: bool,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Answer {
    let mut b = Request::builder().method(method).uri(uri);
    if auth {
        b = b.header(header::AUTHORIZATION, format!("Bearer {}", w.token));
    }
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    w.app.send(b.body(body.into()).unwrap()).await
}

async fn send_json(w: &World, r: &Route, body: &Value) -> Answer {
    send_raw(
        w,
        r.method,
        &r.uri,
        r.auth,
        Some("application/json"),
        body.to_string(),
    )
    .await
}

/// Paths (as key lists) of every string leaf of `v`.
fn string_leaves(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::String(_) => out.push(path.clone()),
        Value::Object(m) => {
            for (k, x) in m {
                path.push(k.clone());
                string_leaves(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn with_leaf(v: &Value, path: &[String], new: Value) -> Value {
    let mut v = v.clone();
    let mut cur = &mut v;
    for k in path {
        cur = cur.get_mut(k.as_str()).unwrap();
    }
    *cur = new;
    v
}

// ---- every string of every body, replaced by something nasty ---------------------------------

#[tokio::test]
async fn nasty_strings_in_every_field_never_break_the_server() {
    let w = world().await;
    let nasty = [
        "<script>alert(\"x\")</script>".to_owned(),
        "<img src=x onerror=alert(1)>&amp;\"'`".to_owned(),
        "x".repeat(10_000),
        "é".repeat(10_000),
        "arn:\u{0430}ws:iam::123456789012:role/Spot".to_owned(),
        "arn:aws:iam::123456789012:role/\u{202E}topS".to_owned(),
        "act-1a2b3c4\u{0434}".to_owned(),
        "nul\u{0}byte".to_owned(),
        "\u{0}".to_owned(),
        "\u{FEFF}\u{200B}".to_owned(),
        String::new(),
        "   ".to_owned(),
        "🦀".repeat(3000),
        "Robert'); DROP TABLE accounts;--".to_owned(),
    ];
    let mut sent = 0;
    for r in routes(&w).await {
        let mut leaves = Vec::new();
        string_leaves(&r.body, &mut Vec::new(), &mut leaves);
        for leaf in &leaves {
            for s in &nasty {
                let body = with_leaf(&r.body, leaf, Value::String(s.clone()));
                let a = send_json(&w, &r, &body).await;
                let what = format!("{} {} {}", r.method, r.uri, leaf.join("."));
                well_refused(&a, &[200, 400, 401, 409], &what);
                sent += 1;
            }
            // Wrong JSON types in place of a string.
            for v in [
                json!(null),
                json!(1e308),
                json!(-0),
                json!(true),
                json!([]),
                json!({}),
                json!(["<b>"]),
            ] {
                let body = with_leaf(&r.body, leaf, v.clone());
                let a = send_json(&w, &r, &body).await;
                let what = format!("{} {} {} = {v}", r.method, r.uri, leaf.join("."));
                well_refused(&a, &[200, 400, 401, 409], &what);
                sent += 1;
            }
        }
    }
    assert!(sent > 500, "{sent}");
    // The server still works.
    w.get("/api/auth/me").await.expect(200);
}

// ---- markup is data -------------------------------------------------------------------------

#[tokio::test]
async fn markup_in_names_is_stored_and_returned_verbatim() {
    let w = world().await;
    let name = "<script>alert(\"pwned\")</script> & <img src=x onerror=alert(1)>";
    let a = w
        .post("/api/setup/account", json!({"account": {"name": name}}))
        .await;
    a.expect(200);
    assert_eq!(a.item()["name"], name);
    // JSON-escaped (quotes), never HTML-escaped or interpreted.
    assert!(
        a.text.contains(r#"<script>alert(\"pwned\")</script>"#),
        "{}",
        a.text
    );
    let id = a.item()["id"].as_str().unwrap().to_owned();
    let a = w.get(&format!("/api/setup/account/{id}")).await;
    a.expect(200);
    assert_eq!(a.item()["name"], name);
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));

    // Renames, channels and organization names too.
    let renamed = "<svg onload=alert(1)>Ops</svg>";
    w.app
        .put(
            &format!("/api/setup/account/{id}"),
            &w.token,
            json!({"account": {"name": renamed, "slackNotificationChannels": ["<b>#x</b>"]}}),
        )
        .await
        .expect(200);
    let list = w.get("/api/setup/account").await;
    assert!(
        list.items().iter().any(|i| i["name"] == renamed),
        "{}",
        list.text
    );
    let org = w
        .post(
            "/api/setup/organization",
            json!({"organization": {"name": "<h1>Acme</h1>"}}),
        )
        .await;
    org.expect(200);
    assert_eq!(org.item()["organizationName"], "<h1>Acme</h1>");
    // Sign-up: markup in the full name and company comes back as-is.
    let mut body = signup_body("markup@example.com");
    body["fullName"] = json!("<i>Ada</i> \"Countess\"");
    body["company"] = json!("<b>Engines</b>");
    let a = w.app.post_anon("/api/auth/signup", body).await;
    a.expect(200);
    assert_eq!(a.item()["user"]["fullName"], "<i>Ada</i> \"Countess\"");
    assert_eq!(a.item()["user"]["organizationName"], "<b>Engines</b>");
}

#[tokio::test]
async fn names_of_markup_without_a_letter_are_refused() {
    let w = world().await;
    for name in ["<>", "</>", "<!-- -->", "<% %>", "&#60;&#62;", "<<<>>>\"'"] {
        w.post("/api/setup/account", json!({"account": {"name": name}}))
            .await
            .expect_error(400, "ValidationError", Some("body.account.name"));
        w.post(
            "/api/setup/organization",
            json!({"organization": {"name": name}}),
        )
        .await
        .expect_error(400, "ValidationError", Some("body.organization.name"));
        let mut body = signup_body("nameless@example.com");
        body["company"] = json!(name);
        w.app
            .post_anon("/api/auth/signup", body)
            .await
            .expect_error(400, "ValidationError", Some("body.company"));
    }
}

#[tokio::test]
async fn ten_thousand_characters_are_refused_on_named_fields() {
    let w = world().await;
    let long = "a".repeat(10_000);
    w.post("/api/setup/account", json!({"account": {"name": long}}))
        .await
        .expect_error(400, "ValidationError", Some("body.account.name"));
    let mut body = signup_body(&format!("{long}@example.com"));
    body["fullName"] = json!(long);
    let a = w.app.post_anon("/api/auth/signup", body).await;
    a.expect(400);
    assert!(
        a.fields().contains(&"body.fullName".to_owned()),
        "{}",
        a.text
    );
    assert!(a.fields().contains(&"body.email".to_owned()), "{}", a.text);
    // Messages quote at most an excerpt of what was sent.
    assert!(a.text.len() < 5_000, "{} bytes", a.text.len());
    let a = w
        .post("/api/setup/credentials/aws/externalId", json!({}))
        .await;
    a.expect(200);
    let a = w
        .post(
            "/api/setup/credentials/aws",
            json!({"credentials": {"iamRole": format!("arn:aws:iam::123456789012:role/{long}")}}),
        )
        .await;
    a.expect_error(400, "ValidationError", Some("body.credentials.iamRole"));
    assert!(a.text.len() < 5_000, "{} bytes", a.text.len());
}

// ---- look-alikes and invisible characters in identifiers ---------------------------------------

#[tokio::test]
async fn look_alikes_and_rtl_marks_in_arns_are_refused_clearly() {
    let w = world().await;
    w.post("/api/setup/credentials/aws/externalId", json!({}))
        .await
        .expect(200);
    for (arn, code_point) in [
        ("arn:\u{0430}ws:iam::123456789012:role/Spot", "U+0430"),
        ("arn:aws:iam::123456789012:role/Sp\u{043E}t", "U+043E"),
        ("arn:aws:iam::123456789012:role/\u{202E}topS", "U+202E"),
        ("arn:aws:iam::12345678901\u{0662}:role/Spot", "U+0662"),
        ("arn:aws:iam::123456789012:role/Spot\u{200B}", "U+200B"),
    ] {
        let a = w
            .post(
                "/api/setup/credentials/aws",
                json!({"credentials": {"iamRole": arn}}),
            )
            .await;
        a.expect_error(400, "ValidationError", Some("body.credentials.iamRole"));
        let msg = a.message();
        assert!(msg.contains(code_point), "{arn:?}: {msg}");
    }
    // Nothing was stored.
    let a = w.get("/api/setup/credentials/aws").await;
    a.expect(200);
    assert_eq!(a.body["response"]["count"], 0);
}

#[tokio::test]
async fn look_alikes_in_ids_are_refused() {
    let w = world().await;
    // Path ids: the uniform Account_DOESNT_EXIST answer (RTL, Cyrillic, NUL, over-long).
    for id in [
        "act-1a2b3c4%D0%B4",
        "act-%E2%80%AE1a2b3c4d",
        "act-1a2b3c4d%00",
        "%00",
        "%FF%FE",
        &"a".repeat(10_000),
    ] {
        let a = w.get(&format!("/api/setup/account/{id}")).await;
        well_refused(&a, &[400, 404], id);
        let a = w
            .app
            .put(
                &format!("/api/setup/account/{id}"),
                &w.token,
                json!({"account": {"name": "X"}}),
            )
            .await;
        well_refused(&a, &[400, 404], id);
        let a = w
            .app
            .delete(&format!("/api/setup/organization/{id}"), &w.token)
            .await;
        well_refused(&a, &[400, 404], id);
    }
    // Query ids: a ValidationError on query.accountId.
    for id in [
        "act-1a2b3c4%D0%B4",
        "act-%E2%80%AE1a2b3c4d",
        "act-1a2b3c4d%00",
    ] {
        w.get(&format!("/api/setup/credentials/aws?accountId={id}"))
            .await
            .expect_error(400, "ValidationError", Some("query.accountId"));
    }
    // Undecodable query strings.
    let a = w.get("/api/setup/credentials/aws?accountId=%FF%FE").await;
    well_refused(&a, &[400], "query %FF");
    // Azure GUIDs and GCP project ids with look-alikes name the character.
    let mut az = azure_body();
    az["tenantId"] = json!("66666666-7777-8888-9999-\u{0430}aaaaaaaaaaa");
    let a = w.post("/api/azure/setup/credentials/validation", az).await;
    a.expect_error(400, "ValidationError", Some("body.tenantId"));
    assert!(a.text.contains("U+0430"), "{}", a.text);
    let mut key = gcp_key();
    key["project_id"] = json!("acme-pr\u{043E}d-42");
    let a = w
        .post(
            "/api/gcp/setup/credentials/validation",
            json!({"serviceAccount": key}),
        )
        .await;
    a.expect_error(400, "ValidationError", Some("body.serviceAccount"));
}

// ---- bodies that are not what they claim --------------------------------------------------------

fn nested_arrays(depth: usize) -> String {
    let mut s = String::with_capacity(depth * 2);
    s.push_str(&"[".repeat(depth));
    s.push_str(&"]".repeat(depth));
    s
}

#[tokio::test]
async fn json_bombs_are_400_not_a_crash() {
    let w = world().await;
    let deep = nested_arrays(100_000);
    let deep_in_field = format!(r#"{{"account": {{"name": {}}}}}"#, nested_arrays(100_000));
    let deep_objects = format!("{}1{}", r#"{"a":"#.repeat(20_000), "}".repeat(20_000));
    let huge_number = format!(r#"{{"account": {{"name": 1{}}}}}"#, "0".repeat(100_000));
    for r in routes(&w).await {
        for (what, body) in [
            ("deep arrays", &deep),
            ("deep arrays in a field", &deep_in_field),
            ("deep objects", &deep_objects),
            ("1e100000", &huge_number),
            ("1e999999", &r#"{"account": {"name": 1e999999}}"#.to_owned()),
        ] {
            let a = send_raw(
                &w,
                r.method,
                &r.uri,
                r.auth,
                Some("application/json"),
                body.clone(),
            )
            .await;
            let what = format!("{} {} {what}", r.method, r.uri);
            if r.uri.contains("/externalId") {
                // It reads no body.
                well_refused(&a, &[200, 400], &what);
            } else {
                well_refused(&a, &[400, 413], &what);
                if what.contains("deep") {
                    a.expect_error(400, "ValidationError", Some("body"));
                }
            }
        }
    }
}

#[tokio::test]
async fn a_50_mb_body_is_413_before_parsing() {
    // Default configuration: the login throttle (which reads sign-up bodies) is on.
    let app = TestApp::new();
    let (token, _) = app.signup("big@example.com").await;
    let w = World { app, token };
    let big = vec![b'['; 50 * 1024 * 1024];
    // Without Content-Length (streamed) and with it (refused up front).
    for with_length in [false, true] {
        for (method, uri, auth) in [
            ("POST", "/api/auth/signup", false),
            ("POST", "/api/setup/account", true),
            ("POST", "/api/gcp/setup/credentials", true),
        ] {
            let mut b = Request::builder()
                .method(method)
                .uri(uri)
                .header(header::CONTENT_TYPE, "application/json");
            if auth {
                b = b.header(header::AUTHORIZATION, format!("Bearer {}", w.token));
            }
            if with_length {
                b = b.header(header::CONTENT_LENGTH, big.len());
            }
            let a = w.app.send(b.body(Body::from(big.clone())).unwrap()).await;
            a.expect_error(413, "PayloadTooLarge", None);
            well_refused(&a, &[413], uri);
        }
    }
}

#[tokio::test]
async fn binary_bytes_and_wrong_content_types_are_refused() {
    let w = world().await;
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let routes = routes(&w).await;
    for r in &routes {
        if r.uri.contains("/externalId") {
            continue;
        }
        let json_text = r.body.to_string();
        let cases: Vec<(Option<&str>, Vec<u8>)> = vec![
            (Some("application/json"), binary.clone()),
            (Some("application/octet-stream"), binary.clone()),
            (Some("text/plain"), json_text.clone().into_bytes()),
            (
                Some("application/x-www-form-urlencoded"),
                b"name=x".to_vec(),
            ),
            (
                Some("multipart/form-data; boundary=x"),
                b"--x\r\n\r\nx\r\n--x--".to_vec(),
            ),
            (Some("application/jsonx"), json_text.clone().into_bytes()),
            (None, json_text.clone().into_bytes()),
            (Some("application/json"), b"\0\0\0\0".to_vec()),
            (Some("application/json"), br#"{"a":"\ud800"}"#.to_vec()),
            (Some("application/json"), b"{\"a\":\"\xff\xfe\"}".to_vec()),
            (Some("application/json"), b"\xef\xbb\xbf{}".to_vec()),
            (Some("application/json"), b"{\"a\":\"x\0y\"}".to_vec()),
            (Some("application/json"), b"".to_vec()),
            (Some("application/json"), b"null".to_vec()),
            (Some("application/json"), b"\"<script>\"".to_vec()),
            (Some("application/json"), b"{} {}".to_vec()),
        ];
        for (ct, body) in cases {
            let a = send_raw(&w, r.method, &r.uri, r.auth, ct, body.clone()).await;
            let what = format!(
                "{} {} as {ct:?}: {:?}",
                r.method,
                r.uri,
                String::from_utf8_lossy(&body[..body.len().min(20)])
            );
            well_refused(&a, &[400, 415], &what);
            a.expect_error(a.status.as_u16(), "ValidationError", Some("body"));
        }
    }
    // A GCP key that is a string of binary-ish text instead of an object.
    let a = w
        .post(
            "/api/gcp/setup/credentials",
            json!({"serviceAccount": "\u{0}\u{1}\u{FFFD}\u{7f}PK\u{3}\u{4}"}),
        )
        .await;
    a.expect_error(400, "ValidationError", Some("body.serviceAccount"));
    // Non-UTF-8 and odd auth headers are just "not signed in".
    let mut req = Request::post("/api/setup/account")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"account":{"name":"x"}}"#))
        .unwrap();
    req.headers_mut().insert(
        header::AUTHORIZATION,
        HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap(),
    );
    well_refused(&w.app.send(req).await, &[401], "non-UTF-8 bearer");
}

#[tokio::test]
async fn duplicate_keys_and_nul_bytes() {
    let w = world().await;
    // Duplicate keys: the last one wins (serde_json), and nothing breaks.
    let a = send_raw(
        &w,
        "POST",
        "/api/setup/account",
        true,
        Some("application/json"),
        r#"{"account":{"name":"First"},"account":{"name":"Second","name":"Third"}}"#,
    )
    .await;
    a.expect(200);
    assert_eq!(a.item()["name"], "Third");
    let a = send_raw(
        &w,
        "POST",
        "/api/auth/token",
        false,
        Some("application/json"),
        r#"{"email":"hostile@example.com","password":"wrong","password":"Sup3r-secret!"}"#,
    )
    .await;
    a.expect(200);
    // Escaped NUL bytes in names are refused as control characters.
    for name in ["a\u{0}b", "Acme\u{0}", "\u{0}Acme"] {
        let a = w
            .post("/api/setup/account", json!({"account": {"name": name}}))
            .await;
        a.expect_error(400, "ValidationError", Some("body.account.name"));
        assert!(a.text.contains("control character"), "{}", a.text);
    }
    let mut body = signup_body("nul\u{0}@example.com");
    body["fullName"] = json!("Ada\u{0}");
    body["password"] = json!("Sup3r-secret!\u{0}");
    let a = w.app.post_anon("/api/auth/signup", body).await;
    well_refused(&a, &[400], "NUL in sign-up");
    assert!(
        a.fields().contains(&"body.fullName".to_owned()),
        "{}",
        a.text
    );
    assert!(a.fields().contains(&"body.email".to_owned()), "{}", a.text);
}

// ---- odd paths ----------------------------------------------------------------------------------

#[tokio::test]
async fn odd_api_paths_answer_envelopes_not_the_app() {
    let w = world().await;
    for method in ["GET", "POST", "PUT", "DELETE"] {
        for p in [
            "/api",
            "/api/",
            "/api//setup/account",
            "/api/setup/account/act-00000000/",
            "/api/%2e%2e/config.json",
            "/api/../index.html",
        ] {
            let a = w.app.call(method, p, Some(&w.token), None).await;
            well_refused(&a, &[400, 404, 405], &format!("{method} {p}"));
        }
    }
}

/// The bodies the hostile tests start from are valid, so each mutation is what gets refused.
#[tokio::test]
async fn every_route_accepts_its_base_body() {
    let w = world().await;
    for r in routes(&w).await {
        let a = send_json(&w, &r, &r.body).await;
        if r.uri.ends_with("/management/azure") {
            // One management account per organization: the AWS one was registered just before.
            a.expect_error(409, "ManagementAccount_ALREADY_EXISTS", None);
            continue;
        }
        assert_eq!(a.status.as_u16(), 200, "{} {}: {}", r.method, r.uri, a.text);
    }
}
