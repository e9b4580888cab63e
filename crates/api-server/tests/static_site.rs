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

/// What a page loads into itself is governed by the page's CSP: it carries nosniff only.
#[track_caller]
fn assert_subresource_headers(a: &Answer) {
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(a.header("content-security-policy"), None);
    assert_eq!(a.header("referrer-policy"), None);
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
    assert_subresource_headers(&js);
    // An SVG opened on its own is a document that can run script: it keeps the CSP.
    let svg = get(&app, "/assets/logo.svg").await;
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert_security_headers(&svg);
    let wasm = get(&app, "/onramp-5f3c_bg.wasm").await;
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_subresource_headers(&wasm);
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
            "idempotencyKeys": true,
            "publicApiUrl": null
        })
    );
    // Served even when the app is not built.
    let bare = TestApp::new();
    let a = get(&bare, "/config.json").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["embedOrigins"], serde_json::json!([]));
}

#[tokio::test]
async fn config_json_names_the_public_api_url_only_when_this_server_is_the_api() {
    let mut c = onramp_api::Config::for_tests();
    c.public_url = Some("https://onramp.example.com".into());
    let a = get(&TestApp::with(c.clone()), "/config.json").await;
    assert_eq!(a.body["publicApiUrl"], "https://onramp.example.com/api");
    // The app talks to Spot's API: no stack could reach this server through it.
    c.api_base_url = "https://api.spotinst.io".into();
    let a = get(&TestApp::with(c), "/config.json").await;
    assert_eq!(a.body["publicApiUrl"], serde_json::Value::Null);
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

const WASM: &str = "/onramp-0123456789abcdef_bg.wasm";
const JS: &str = "/onramp-0123456789abcdef.js";
const CSS: &str = "/style-fedcba9876543210.css";

/// A dist folder as the build leaves it: hashed assets and the page with `.br` and `.gz`
/// siblings (fake bytes, told apart by their text), a logo and a template without.
fn compressed_dist() -> PathBuf {
    let dir = dist();
    for (path, body) in [
        (WASM, "WASM-IDENTITY-BYTES"),
        (JS, "JS-IDENTITY-BYTES"),
        (CSS, "CSS-IDENTITY"),
    ] {
        let file = dir.join(path.trim_start_matches('/'));
        std::fs::write(&file, body).unwrap();
        std::fs::write(format!("{}.br", file.display()), format!("{path} BR")).unwrap();
        std::fs::write(format!("{}.gz", file.display()), format!("{path} GZIP")).unwrap();
    }
    std::fs::write(dir.join("index.html.br"), "INDEX BR").unwrap();
    std::fs::write(dir.join("index.html.gz"), "INDEX GZIP").unwrap();
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("templates/stack.json"), "{\"Resources\":{}}").unwrap();
    dir
}

fn compressed_site() -> TestApp {
    let mut c = config();
    c.dist = compressed_dist();
    TestApp::with(c)
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Answer {
    get_method(app, "GET", path, headers).await
}

async fn get_method(app: &TestApp, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut b = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    app.send(b.body(Body::empty()).unwrap()).await
}

/// Accept-Encoding → the coding sent, through the whole server and real files.
#[tokio::test]
async fn accept_encoding_is_negotiated() {
    let app = compressed_site();
    let table: &[(Option<&str>, Option<&str>)] = &[
        (None, None),
        (Some("br"), Some("br")),
        (Some("gzip"), Some("gzip")),
        (Some("gzip, deflate, br, zstd"), Some("br")),
        (Some("gzip, br"), Some("br")),
        (Some("br;q=0.5, gzip"), Some("gzip")),
        (Some("br;q=0, gzip"), Some("gzip")),
        (Some("BR;Q=1"), Some("br")),
        (Some("br;q=0, gzip;q=0"), None),
        (Some("identity"), None),
        (Some("identity, br;q=0.5"), None),
        (Some("identity;q=0, gzip"), Some("gzip")),
        // Nothing acceptable, identity refused too: identity all the same (not 406).
        (Some("identity;q=0"), None),
        (Some("*"), Some("br")),
        (Some("*;q=0.1, br;q=0"), Some("gzip")),
        (Some("*;q=0"), None),
        (Some("gzip;q=bogus, br;q=1.5"), None),
        (Some("garbage;;;,,==, ;q=1"), None),
        (Some(""), None),
    ];
    for (accept, want) in table {
        let headers: Vec<(&str, &str)> =
            accept.map(|a| ("accept-encoding", a)).into_iter().collect();
        let a = get_with(&app, WASM, &headers).await;
        assert_eq!(a.status, 200, "{accept:?}");
        assert_eq!(a.header("content-encoding"), *want, "{accept:?}");
        let expected_body = match want {
            Some("br") => format!("{WASM} BR"),
            Some("gzip") => format!("{WASM} GZIP"),
            _ => "WASM-IDENTITY-BYTES".to_owned(),
        };
        assert_eq!(a.text, expected_body, "{accept:?}");
        assert_eq!(
            a.header("content-length"),
            Some(expected_body.len().to_string().as_str()),
            "{accept:?}: the length of what is sent"
        );
        assert_eq!(a.header("content-type"), Some("application/wasm"));
        assert_eq!(a.header("vary"), Some("Accept-Encoding"), "{accept:?}");
    }
    // A file without siblings falls back to identity, still varying by Accept-Encoding.
    let svg = get_with(&app, "/assets/logo.svg", &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(svg.status, 200);
    assert_eq!(svg.header("content-encoding"), None);
    assert_eq!(svg.text, "<svg/>");
    assert_eq!(svg.header("vary"), Some("Accept-Encoding"));
    // The SPA fallback page is negotiated as well.
    let page = get_with(&app, "/dashboard", &[("accept-encoding", "gzip")]).await;
    assert_eq!(page.header("content-encoding"), Some("gzip"));
    assert_eq!(page.text, "INDEX GZIP");
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_security_headers(&page);
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_the_rest_revalidates() {
    let app = compressed_site();
    for path in [WASM, JS, CSS] {
        let a = get_with(&app, path, &[("accept-encoding", "br")]).await;
        assert_eq!(a.status, 200, "{path}");
        assert_eq!(
            a.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{path}"
        );
        assert_subresource_headers(&a);
    }
    for path in [
        "/",
        "/index.html",
        "/dashboard",
        "/config.json",
        "/templates/stack.json",
        "/assets/logo.svg",
        "/onramp-5f3c.js",
    ] {
        let a = get(&app, path).await;
        assert_eq!(a.status, 200, "{path}");
        let expected = if path.ends_with(".svg") {
            // An image under a fixed name: kept a day, then revalidated by its ETag.
            "public, max-age=86400"
        } else {
            "no-cache"
        };
        assert_eq!(a.header("cache-control"), Some(expected), "{path}");
        let tag = a
            .header("etag")
            .unwrap_or_else(|| panic!("{path}: no ETag"));
        assert!(
            tag.starts_with('"') && tag.ends_with('"') && tag.len() > 10,
            "{path}: a strong ETag, not {tag}"
        );
    }
    let api = get(&app, "/api/auth/me").await;
    assert_eq!(api.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn etags_answer_304_without_a_body() {
    let app = compressed_site();
    for (path, accept) in [
        ("/dashboard", "br"),
        ("/index.html", "identity"),
        ("/config.json", "br"),
        ("/templates/stack.json", "gzip"),
        ("/assets/logo.svg", "br"),
    ] {
        let first = get_with(&app, path, &[("accept-encoding", accept)]).await;
        let tag = first.header("etag").expect("ETag").to_owned();
        let again = get_with(
            &app,
            path,
            &[("accept-encoding", accept), ("if-none-match", &tag)],
        )
        .await;
        assert_eq!(again.status, 304, "{path}");
        assert_eq!(again.text, "", "{path}: a 304 has no body");
        assert_eq!(again.header("etag"), Some(tag.as_str()), "{path}");
        let policy = if path.ends_with(".svg") {
            "public, max-age=86400"
        } else {
            "no-cache"
        };
        assert_eq!(again.header("cache-control"), Some(policy), "{path}");
        assert_eq!(again.header("content-encoding"), None, "{path}");
        // A 304 may state the full answer's length, never a wrong one.
        assert!(
            again.header("content-length").is_none()
                || again.header("content-length") == first.header("content-length"),
            "{path}: 304 says content-length {:?}",
            again.header("content-length")
        );
        // Weak comparison, lists and `*`.
        for inm in [
            format!("W/{tag}"),
            format!("\"other\", {tag}"),
            "*".to_owned(),
        ] {
            let a = get_with(
                &app,
                path,
                &[("accept-encoding", accept), ("if-none-match", &inm)],
            )
            .await;
            assert_eq!(a.status, 304, "{path} {inm}");
        }
        let changed = get_with(
            &app,
            path,
            &[("accept-encoding", accept), ("if-none-match", "\"stale\"")],
        )
        .await;
        assert_eq!(changed.status, 200, "{path}");
        assert_eq!(changed.text, first.text, "{path}");
    }
    // Each coding is its own representation with its own tag: the identity tag does not
    // validate a brotli answer.
    let br = get_with(&app, "/dashboard", &[("accept-encoding", "br")]).await;
    let plain = get_with(&app, "/dashboard", &[]).await;
    let (br_tag, plain_tag) = (br.header("etag").unwrap(), plain.header("etag").unwrap());
    assert_ne!(br_tag, plain_tag);
    let a = get_with(
        &app,
        "/dashboard",
        &[("accept-encoding", "br"), ("if-none-match", plain_tag)],
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.text, "INDEX BR");
    // If-None-Match wins over If-Modified-Since.
    let a = get_with(
        &app,
        "/dashboard",
        &[
            ("if-none-match", "\"stale\""),
            ("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT"),
        ],
    )
    .await;
    assert_eq!(a.status, 200);
}

#[tokio::test]
async fn head_has_the_headers_of_get_and_no_body() {
    let app = compressed_site();
    for (path, accept) in [
        (WASM, "br"),
        ("/dashboard", "gzip"),
        ("/config.json", ""),
        ("/assets/logo.svg", ""),
    ] {
        let headers = [("accept-encoding", accept)];
        let got = get_method(&app, "GET", path, &headers).await;
        let head = get_method(&app, "HEAD", path, &headers).await;
        assert_eq!(head.status, 200, "{path}");
        assert_eq!(head.text, "", "{path}: HEAD has no body");
        for name in [
            "content-type",
            "content-length",
            "content-encoding",
            "cache-control",
            "etag",
            "vary",
            "content-security-policy",
        ] {
            assert_eq!(head.header(name), got.header(name), "{path}: {name}");
        }
        assert!(
            head.header("content-length").is_some_and(|l| l != "0"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn ranges_are_served() {
    let app = compressed_site();
    let a = get_with(&app, WASM, &[("range", "bytes=5-12")]).await;
    assert_eq!(a.status, 206);
    assert_eq!(a.text, "IDENTITY");
    assert_eq!(a.header("content-range"), Some("bytes 5-12/19"));
    assert_eq!(a.header("content-length"), Some("8"));
    let a = get_with(&app, WASM, &[("range", "bytes=100-200")]).await;
    assert_eq!(a.status, 416);
    assert_eq!(a.header("content-range"), Some("bytes */19"));
}

const PACK: &str = "/pack_dashboard-00112233445566aa.wasmpack";
const AUTH_WASM: &str = "/onramp-auth-0123456789abcdef_bg.wasm";
const DCZ_MAGIC: [u8; 8] = [0x5e, 0x2a, 0x4d, 0x18, 0x20, 0, 0, 0];

/// A `.dcz` body as the build writes it: the header naming the dictionary, then (here) text.
fn dcz(dictionary: &[u8], text: &str) -> Vec<u8> {
    let mut out = DCZ_MAGIC.to_vec();
    out.extend_from_slice(&Sha256::digest(dictionary));
    out.extend_from_slice(text.as_bytes());
    out
}

fn available(dictionary: &[u8]) -> String {
    format!(
        ":{}:",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(dictionary))
    )
}

/// The compressed dist plus dictionary variants: a pack against the console's main module, the
/// console's main module against the sign-in bundle's, and a `.dcz` with a broken header.
fn dictionary_site() -> TestApp {
    let dir = compressed_dist();
    let put = |path: &str, bytes: &[u8]| {
        std::fs::write(dir.join(path.trim_start_matches('/')), bytes).unwrap()
    };
    put(AUTH_WASM, b"AUTH-WASM-BYTES");
    put(&format!("{AUTH_WASM}.br"), b"AUTH BR");
    put(PACK, b"PACK-IDENTITY-BYTES");
    put(&format!("{PACK}.br"), b"PACK BR");
    put(
        &format!("{PACK}.dcz"),
        &dcz(b"WASM-IDENTITY-BYTES", "PACK AGAINST MAIN"),
    );
    put(
        &format!("{WASM}.dcz"),
        &dcz(b"AUTH-WASM-BYTES", "MAIN AGAINST AUTH"),
    );
    put(&format!("{JS}.dcz"), b"no header here, so no variant");
    let mut c = config();
    c.dist = dir;
    TestApp::with(c)
}

const CHROMIUM_ACCEPT: &str = "gzip, deflate, br, zstd, dcb, dcz";

/// `method` of `path` as Chromium asks for it while holding the dictionary `dict` (the
/// `Available-Dictionary` value), with `extra` headers.
async fn holding(
    dict: &str,
    app: &TestApp,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
) -> Answer {
    let mut headers = vec![
        ("accept-encoding", CHROMIUM_ACCEPT),
        ("available-dictionary", dict),
    ];
    headers.extend_from_slice(extra);
    get_method(app, method, path, &headers).await
}

#[tokio::test]
async fn a_browser_holding_the_dictionary_gets_the_dcz_variant() {
    let app = dictionary_site();
    let main_dict = available(b"WASM-IDENTITY-BYTES");
    let auth_dict = available(b"AUTH-WASM-BYTES");
    for (path, dict, text) in [
        (PACK, &main_dict, "PACK AGAINST MAIN"),
        (WASM, &auth_dict, "MAIN AGAINST AUTH"),
    ] {
        let a = holding(dict, &app, "GET", path, &[]).await;
        assert_eq!(a.status, 200, "{path}");
        assert_eq!(a.header("content-encoding"), Some("dcz"), "{path}");
        let dictionary = if path == PACK {
            b"WASM-IDENTITY-BYTES".as_slice()
        } else {
            b"AUTH-WASM-BYTES"
        };
        let want = dcz(dictionary, text);
        assert!(
            a.text.as_bytes().ends_with(text.as_bytes()),
            "{path}: {}",
            a.text
        );
        assert_eq!(
            a.header("content-length"),
            Some(want.len().to_string().as_str()),
            "{path}"
        );
        assert_eq!(
            a.header("vary"),
            Some("Accept-Encoding, Available-Dictionary"),
            "{path}"
        );
        assert_eq!(
            a.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
        let head = holding(dict, &app, "HEAD", path, &[]).await;
        assert_eq!(head.header("content-encoding"), Some("dcz"), "{path} HEAD");
        assert_eq!(
            head.header("content-length"),
            Some(want.len().to_string().as_str()),
            "{path} HEAD"
        );
        assert_eq!(head.text, "", "{path} HEAD");
        // A range of a dcz answer: the whole body (a server may ignore Range).
        let ranged = holding(dict, &app, "GET", path, &[("range", "bytes=0-3")]).await;
        assert_eq!(ranged.status, 200, "{path} Range");
        assert_eq!(
            ranged.header("content-length"),
            Some(want.len().to_string().as_str()),
            "{path} Range"
        );
    }
}

#[tokio::test]
async fn without_the_dictionary_or_dcz_the_brotli_file_is_sent() {
    let app = dictionary_site();
    let main_dict = available(b"WASM-IDENTITY-BYTES");
    let cases: &[(&str, Option<&str>)] = &[
        // Another dictionary (the sign-in bundle's, for a pack; the main module itself).
        (CHROMIUM_ACCEPT, Some(&available(b"AUTH-WASM-BYTES"))),
        (CHROMIUM_ACCEPT, Some(&available(b"PACK-IDENTITY-BYTES"))),
        (CHROMIUM_ACCEPT, None),
        (CHROMIUM_ACCEPT, Some("not a byte sequence")),
        (CHROMIUM_ACCEPT, Some(&main_dict[1..])),
        // The dictionary, but dcz not asked for by name.
        ("gzip, br", Some(&main_dict)),
        ("br, *", Some(&main_dict)),
        ("br, dcz;q=0", Some(&main_dict)),
    ];
    for (accept, dict) in cases {
        let mut headers = vec![("accept-encoding", *accept)];
        if let Some(d) = dict {
            headers.push(("available-dictionary", d));
        }
        let a = get_with(&app, PACK, &headers).await;
        assert_eq!(a.status, 200);
        assert_eq!(
            a.header("content-encoding"),
            Some("br"),
            "{accept} {dict:?}"
        );
        assert_eq!(a.text, "PACK BR", "{accept} {dict:?}");
        assert_eq!(
            a.header("vary"),
            Some("Accept-Encoding, Available-Dictionary")
        );
    }
    // A `.dcz` whose header is not one is no variant: the answer does not vary by dictionary.
    let js = holding(&main_dict, &app, "GET", JS, &[]).await;
    assert_eq!(js.header("content-encoding"), Some("br"));
    assert_eq!(js.header("vary"), Some("Accept-Encoding"));
}

/// A `.dcz` rewritten (another dictionary) or removed after the server started: brotli, never a
/// body the browser would refuse, never a 404.
#[tokio::test]
async fn a_dcz_changed_or_gone_since_start_up_falls_back_to_brotli() {
    let app = dictionary_site();
    let dist = app.state.config.dist.clone();
    std::fs::write(
        dist.join(format!("{}.dcz", PACK.trim_start_matches('/'))),
        dcz(b"ANOTHER", "PACK AGAINST ANOTHER"),
    )
    .unwrap();
    std::fs::remove_file(dist.join(format!("{}.dcz", WASM.trim_start_matches('/')))).unwrap();
    for (path, dict, br) in [
        (
            PACK,
            available(b"WASM-IDENTITY-BYTES"),
            "PACK BR".to_owned(),
        ),
        (WASM, available(b"AUTH-WASM-BYTES"), format!("{WASM} BR")),
    ] {
        let a = holding(&dict, &app, "GET", path, &[]).await;
        assert_eq!(a.status, 200, "{path}");
        assert_eq!(a.header("content-encoding"), Some("br"), "{path}");
        assert_eq!(a.text, br, "{path}");
    }
}

#[tokio::test]
async fn only_the_files_other_files_need_are_announced_as_dictionaries() {
    let app = dictionary_site();
    for (path, announced) in [
        (WASM, true),
        (AUTH_WASM, true),
        (PACK, false),
        (JS, false),
        ("/dashboard", false),
    ] {
        let a = get_with(&app, path, &[("accept-encoding", CHROMIUM_ACCEPT)]).await;
        assert_eq!(a.status, 200, "{path}");
        let want = announced.then_some("match=\"/*.wasm*\"");
        assert_eq!(a.header("use-as-dictionary"), want, "{path}");
    }
    // The plain compressed site has no variants: nothing is announced.
    let plain = get_with(
        &compressed_site(),
        WASM,
        &[("accept-encoding", CHROMIUM_ACCEPT)],
    )
    .await;
    assert_eq!(plain.header("use-as-dictionary"), None);
}
