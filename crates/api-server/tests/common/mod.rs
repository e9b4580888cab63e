//! Shared helpers for the in-process route tests.
#![allow(dead_code)]

use std::net::SocketAddr;

use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use onramp_api::{AppState, Config, app_with_state};
use serde_json::{Value, json};
use tower::ServiceExt;

#[derive(Clone)]
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub fn items(&self) -> &Vec<Value> {
        self.body["response"]["items"]
            .as_array()
            .unwrap_or_else(|| panic!("no items in {}", self.text))
    }
    pub fn item(&self) -> &Value {
        &self.items()[0]
    }
    pub fn errors(&self) -> &Vec<Value> {
        self.body["response"]["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no errors in {}", self.text))
    }
    /// The first error's (code, field).
    pub fn error(&self) -> (String, Option<String>) {
        let e = &self.errors()[0];
        (
            e["code"].as_str().unwrap().to_owned(),
            e["field"].as_str().map(str::to_owned),
        )
    }
    /// The first error's message.
    pub fn message(&self) -> &str {
        self.errors()[0]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message in {}", self.text))
    }
    pub fn fields(&self) -> Vec<String> {
        self.errors()
            .iter()
            .filter_map(|e| e["field"].as_str().map(str::to_owned))
            .collect()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.body["response"]["status"]["code"], status,
            "{}",
            self.text
        );
        self
    }
    /// `expect(status)`, the envelope of `method url` and the shape of the fixture `shape`.
    #[track_caller]
    pub fn expect_spot(&self, status: u16, method: &str, url: &str, shape: &str) -> &Self {
        self.expect(status);
        assert_envelope(self, method, url);
        assert_same_shape(&self.body, &fixture(shape));
        self
    }
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str, field: Option<&str>) {
        self.expect(status);
        let (c, f) = self.error();
        assert_eq!(c, code, "{}", self.text);
        assert_eq!(f.as_deref(), field, "{}", self.text);
    }
}

pub fn config() -> Config {
    Config::for_tests()
}

impl TestApp {
    pub fn new() -> Self {
        Self::with(config())
    }
    pub fn with(config: Config) -> Self {
        let state = AppState::new(config).expect("state");
        Self {
            router: app_with_state(state.clone()),
            state,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Answer {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut b = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(uri);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    pub async fn get(&self, uri: &str, token: &str) -> Answer {
        self.call("GET", uri, Some(token), None).await
    }
    pub async fn post(&self, uri: &str, token: &str, body: Value) -> Answer {
        self.call("POST", uri, Some(token), Some(body)).await
    }
    pub async fn put(&self, uri: &str, token: &str, body: Value) -> Answer {
        self.call("PUT", uri, Some(token), Some(body)).await
    }
    pub async fn delete(&self, uri: &str, token: &str) -> Answer {
        self.call("DELETE", uri, Some(token), None).await
    }

    /// A POST without a token (sign-up, sign-in, joining by invitation).
    pub async fn post_anon(&self, uri: &str, body: Value) -> Answer {
        self.call("POST", uri, None, Some(body)).await
    }

    /// A password sign-in from the client at `ip` (see [`sign_in_request`]).
    pub async fn sign_in_from(&self, ip: &str, email: &str, password: &str) -> Answer {
        self.send(sign_in_request(ip, email, password)).await
    }

    /// `POST /api/auth/tokens` (the older personal-token route) for the holder of `token`, with
    /// the password every test user signs up with.
    pub async fn personal_token(&self, token: &str) -> Answer {
        self.post("/api/auth/tokens", token, json!({"password": PASSWORD}))
            .await
    }

    /// Signs up a new organization; returns (token, whoami).
    pub async fn signup(&self, email: &str) -> (String, Value) {
        let a = self.post_anon("/api/auth/signup", signup_body(email)).await;
        a.expect(200);
        let s = a.item();
        (
            s["accessToken"].as_str().unwrap().to_owned(),
            s["user"].clone(),
        )
    }

    /// A second account in the caller's organization.
    pub async fn new_account(&self, token: &str, name: &str) -> String {
        let a = self
            .post(
                "/api/setup/account",
                token,
                json!({"account": {"name": name}}),
            )
            .await;
        a.expect(200);
        a.item()["id"].as_str().unwrap().to_owned()
    }

    /// The one number `sql` selects, e.g. `SELECT COUNT(*) FROM users`.
    pub fn count(&self, sql: &str) -> i64 {
        self.state
            .db
            .conn()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    pub fn exec(&self, sql: &str) {
        self.state.db.conn().execute_batch(sql).unwrap();
    }

    /// Invites `email` as `role` with `admin`'s token and accepts: the new member's session
    /// token and whoami.
    pub async fn join(&self, admin: &str, email: &str, role: &str) -> (String, Value) {
        let a = self
            .post(
                "/api/onramp/invitations",
                admin,
                json!({"email": email, "role": role}),
            )
            .await;
        a.expect(200);
        let path = a.item()["acceptPath"].as_str().unwrap().to_owned();
        let secret = path.strip_prefix("/invite/").unwrap();
        let a = self
            .post_anon(
                &format!("/api/onramp/invitations/token/{secret}/accept"),
                json!({"fullName": "Bob Member", "country": "FR", "password": "Sup3r-secret!"}),
            )
            .await;
        a.expect(200);
        (
            a.item()["accessToken"].as_str().unwrap().to_owned(),
            a.item()["user"].clone(),
        )
    }

    /// Generates `account`'s AWS external ID: the ID.
    pub async fn generate_external_id(&self, token: &str, account: &str) -> String {
        let a = self
            .call(
                "POST",
                &format!("/api/setup/credentials/aws/externalId?accountId={account}"),
                Some(token),
                None,
            )
            .await;
        a.expect(200);
        a.item()["externalId"].as_str().unwrap().to_owned()
    }
}

/// `POST /api/auth/token` with `email` and `password`, as if from the client at `ip`.
pub fn sign_in_request(ip: &str, email: &str, password: &str) -> Request<Body> {
    let mut req = Request::post("/api/auth/token")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"email": email, "password": password}).to_string(),
        ))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(ip.parse().unwrap(), 4242)));
    req
}

/// Every test user's password (see [`signup_body`]).
pub const PASSWORD: &str = "Sup3r-secret!";

pub fn signup_body(email: &str) -> Value {
    json!({
        "fullName": "Ada Lovelace",
        "company": "Analytical Engines",
        "email": email,
        "country": "GB",
        "password": PASSWORD
    })
}

pub const GCP_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7+/8=\n-----END PRIVATE KEY-----\n";

/// A Google service-account key file that passes validation.
pub fn gcp_key() -> Value {
    gcp_key_with(GCP_PEM)
}

/// The same key file with another private key.
pub fn gcp_key_with(private_key: &str) -> Value {
    json!({
        "type": "service_account",
        "project_id": "acme-prod-42",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": private_key,
        "client_email": "spot-connector@acme-prod-42.iam.gserviceaccount.com",
        "client_id": "112233445566778899001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/spot-connector%40acme-prod-42.iam.gserviceaccount.com",
        "universe_domain": "googleapis.com"
    })
}

pub fn is_uuid_v4(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.get_version_num() == 4) && s.len() == 36
}

pub fn is_iso_ms(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 24
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && b[23] == b'Z'
        && time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

/// Checks `request` and the basics of `response`.
#[track_caller]
pub fn assert_envelope(a: &Answer, method: &str, url: &str) {
    let r = &a.body["request"];
    assert!(
        is_uuid_v4(r["id"].as_str().unwrap_or("")),
        "request.id: {}",
        a.text
    );
    assert!(
        is_iso_ms(r["timestamp"].as_str().unwrap_or("")),
        "timestamp: {}",
        a.text
    );
    assert_eq!(r["method"], method, "{}", a.text);
    assert_eq!(r["url"], url, "{}", a.text);
    assert_eq!(a.header("content-type"), Some("application/json"));
    assert_eq!(a.header("cache-control"), Some("no-store"));
    if let Some(items) = a.body["response"]["items"].as_array() {
        assert_eq!(a.body["response"]["count"], items.len(), "{}", a.text);
    }
}

pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Same key sets at every level and the same JSON types (a `null` on either side matches
/// anything: Spot shows `null` for fields not set yet). Arrays: every element of `actual` is
/// compared with the fixture's first element.
#[track_caller]
pub fn assert_same_shape(actual: &Value, fixture: &Value) {
    fn walk(a: &Value, f: &Value, path: &str) -> Result<(), String> {
        match (a, f) {
            (_, Value::Null) | (Value::Null, _) => Ok(()),
            (Value::Object(ao), Value::Object(fo)) => {
                let ak: std::collections::BTreeSet<_> = ao.keys().collect();
                let fk: std::collections::BTreeSet<_> = fo.keys().collect();
                if ak != fk {
                    return Err(format!("{path}: keys {ak:?} != fixture {fk:?}"));
                }
                for k in fo.keys() {
                    walk(&ao[k], &fo[k], &format!("{path}.{k}"))?;
                }
                Ok(())
            }
            (Value::Array(aa), Value::Array(fa)) => match fa.first() {
                None => Ok(()),
                Some(f0) => aa
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, x)| walk(x, f0, &format!("{path}[{i}]"))),
            },
            (Value::String(_), Value::String(_))
            | (Value::Number(_), Value::Number(_))
            | (Value::Bool(_), Value::Bool(_)) => Ok(()),
            _ => Err(format!("{path}: {a} has another type than fixture {f}")),
        }
    }
    if let Err(e) = walk(actual, fixture, "$") {
        panic!("shape differs from the fixture: {e}\nactual: {actual}");
    }
}
