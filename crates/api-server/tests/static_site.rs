//! Serving the app: config.json, files, SPA fallback, CSP with inline-script hashes, headers.

mod common;

use axum::{body::Body, http::Request};
use base64::Engine;
use common::*;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

const LOADER: &str = "\n    import init, * as bindings from '/onramp-5f3c.js';\n    const wasm = await init({ module_or_path: '/onramp-5f3c_bg.wasm' });\n    window.wasmBindings = bindings;\n  ";

fn dist() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "onramp-dist-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        format!(
            "<!DOCTYPE html><html><head><link rel=\"modulepreload\" href=\"/onramp-5f3c.js\">\
             <script src=\"/other.js\"></script>\
             <script type=\"module\" nonce=\"x\">{LOADER}</script></head><body></body></html>"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("onramp-5f3c.js"), "export default 1;").unwrap();
    std::fs::write(dir.join("onramp-5f3c_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(dir.join("onramp-5f3c_bg.wasm.br"), b"BROTLI").unwrap();
    std::fs::write(dir.join("assets/logo.svg"), "<svg/>").unwrap();
    dir
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn site(embed: &[&str], api: &str) -> TestApp {
    let mut c = config();
    c.dist = dist();
    c.embed_origins = embed.iter().map(|s| s.to_string()).collect();
    c.api_base_url = api.into();
    TestApp::with(c)
}

async fn get(app: &TestApp, path: &str) -> Answer {
    app.send(Request::get(path).body(Body::empty()).unwrap())
        .await
}

#[track_caller]
fn assert_security_headers(a: &Answer) {
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        a.header("referrer-policy"),
        Some("strict-origin-when-cross-origin")
    );
    let csp = a.header("content-security-policy").expect("CSP");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
}

#[tokio::test]
async fn csp_hashes_the_inline_loader_script() {
    let app = site(
        &["https://partner.example", "https://other.example"],
        "/api",
    );
    let a = get(&app, "/").await;
    assert_eq!(a.status, 200);
    assert!(a.text.contains("modulepreload"));
    assert_security_headers(&a);
    let csp = a.header("content-security-policy").unwrap();
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(LOADER.as_bytes()));
    let expected = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; \
         frame-ancestors 'self' https://partner.example https://other.example; base-uri 'self'; \
         form-action 'self'; object-src 'none'"
    );
    assert_eq!(csp, expected);
}

#[tokio::test]
async fn csp_allows_an_absolute_api_origin() {
    let app = site(&[], "https://api.spotinst.io");
    let a = get(&app, "/welcome").await;
    let csp = a.header("content-security-policy").unwrap();
    assert!(
        csp.contains("connect-src 'self' https://api.spotinst.io;"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'self';"), "{csp}");
}

#[tokio::test]
async fn spa_fallback_and_files() {
    let app = site(&[], "/api");
    let index = get(&app, "/").await.text;
    for path in ["/welcome", "/signup/password", "/dashboard?tab=1", "/a/b/c"] {
        let a = get(&app, path).await;
        assert_eq!(a.status, 200, "{path}");
        assert_eq!(a.text, index, "{path}");
        assert_eq!(a.header("content-type"), Some("text/html; charset=utf-8"));
        assert_security_headers(&a);
    }
    let js = get(&app, "/onramp-5f3c.js").await;
    assert_eq!(js.status, 200);
    assert_eq!(js.text, "export default 1;");
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_security_headers(&js);
    let svg = get(&app, "/assets/logo.svg").await;
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    let wasm = get(&app, "/onramp-5f3c_bg.wasm").await;
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.text, "\0asm");
    let br = app
        .send(
            Request::get("/onramp-5f3c_bg.wasm")
                .header("accept-encoding", "gzip, br")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.header("content-type"), Some("application/wasm"));
    assert_eq!(br.text, "BROTLI");
    for missing in [
        "/missing.js",
        "/assets/nope.png",
        "/../Cargo.toml",
        "/%2e%2e/secret.txt",
    ] {
        let a = get(&app, missing).await;
        assert_eq!(a.status, 404, "{missing}: {}", a.text);
        assert_security_headers(&a);
    }
    let post = app
        .send(Request::post("/welcome").body(Body::empty()).unwrap())
        .await;
    assert_eq!(post.status, 405);
}

#[tokio::test]
async fn config_json_comes_from_flags() {
    let app = site(&["https://partner.example"], "/api");
    let a = get(&app, "/config.json").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-type"), Some("application/json"));
    assert_security_headers(&a);
    assert_eq!(
        a.body,
        serde_json::json!({
            "apiBaseUrl": "/api",
            "embedOrigins": ["https://partner.example"],
            "spotPrincipal": "arn:aws:iam::922761411349:root",
            "spotAwsAccountId": "922761411349",
            "idempotencyKeys": true
        })
    );
    // Served even when the app is not built.
    let bare = TestApp::new();
    let a = get(&bare, "/config.json").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["embedOrigins"], serde_json::json!([]));
}

#[tokio::test]
async fn without_a_build_a_plain_page_says_so_and_the_api_works() {
    let app = TestApp::new();
    let a = get(&app, "/welcome").await;
    assert_eq!(a.status, 503);
    assert!(a.text.contains("not built"));
    assert_security_headers(&a);
    app.signup("nobuild@example.com").await;
}

#[tokio::test]
async fn api_answers_carry_no_store_and_nosniff() {
    let app = site(&[], "/api");
    let a = get(&app, "/api/auth/me").await;
    a.expect(401);
    assert_eq!(a.header("cache-control"), Some("no-store"));
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
    // /api never falls back to index.html.
    let a = get(&app, "/api/welcome").await;
    a.expect(404);
    let a = get(&app, "/api").await;
    a.expect(404);
}

/// A Trunk-shaped `index.html` (fixtures/dist); the hash was computed outside Rust
/// (Python hashlib over the text between `<script type="module">` and `</script>`).
#[tokio::test]
async fn csp_matches_the_trunk_fixture() {
    let mut c = config();
    c.dist = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/dist"));
    let app = TestApp::with(c);
    let a = get(&app, "/signup").await;
    assert_eq!(a.status, 200);
    assert!(a.text.contains("TrunkApplicationStarted"));
    let csp = a.header("content-security-policy").unwrap();
    assert!(
        csp.contains(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-TXx1qQQA325z6lYRjJi/+m/KbEutdkvvQj2Prgk/zDQ='; "
        ),
        "{csp}"
    );
    let js = get(&app, "/onramp-9f8e7d6c5b4a3921.js").await;
    assert_eq!(js.status, 200);
    assert_eq!(
        get(&app, "/onramp-9f8e7d6c5b4a3921_bg.wasm").await.status,
        404
    );
}

/// With `auth.html` (the sign-in bundle) in dist: the sign-in screens get it, everything else
/// the console, and one CSP allows the inline loader of both pages.
#[tokio::test]
async fn sign_in_screens_get_the_sign_in_bundle() {
    const AUTH_LOADER: &str = "import init from '/onramp-auth-9a1b.js'; await init();";
    let mut c = config();
    c.dist = dist();
    std::fs::write(
        c.dist.join("auth.html"),
        format!("<!DOCTYPE html><html><head><script type=\"module\">{AUTH_LOADER}</script></head><body>AUTH</body></html>"),
    )
    .unwrap();
    let app = TestApp::with(c);
    for path in ["/signin", "/signup", "/signup/password", "/invite/tok-EN_1"] {
        let a = get(&app, path).await;
        assert_eq!(a.status, 200, "{path}");
        assert!(a.text.contains("AUTH"), "{path} gets auth.html");
    }
    for path in ["/", "/welcome", "/dashboard", "/embed", "/invite/"] {
        let a = get(&app, path).await;
        assert_eq!(a.status, 200, "{path}");
        assert!(
            !a.text.contains("AUTH") && a.text.contains(LOADER),
            "{path} gets index.html"
        );
    }
    let csp = get(&app, "/signin").await;
    let csp = csp.header("content-security-policy").unwrap().to_owned();
    for script in [AUTH_LOADER, LOADER] {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script));
        assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    }
}
