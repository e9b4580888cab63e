//! Serving the built app from `--dist`: `/config.json` generated from the flags, files with
//! the SPA fallback (paths without an extension → `index.html`), and the security headers.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use sha2::{Digest, Sha256};
use std::path::{Component, Path, PathBuf};

use crate::{AppState, config::Config};

/// What is known about the app at start-up.
pub struct Site {
    pub dist: PathBuf,
    /// `None` when `dist/index.html` is missing (the app is not built).
    pub index_html: Option<Vec<u8>>,
    /// The sign-in bundle (`dist/auth.html`), for [`is_auth_path`]s; without it the console
    /// (which has those screens too) answers them.
    pub auth_html: Option<Vec<u8>>,
    pub csp: String,
    pub config_json: Vec<u8>,
}

impl Site {
    pub fn load(config: &Config) -> Self {
        let index_html = std::fs::read(config.dist.join("index.html")).ok();
        let auth_html = std::fs::read(config.dist.join("auth.html")).ok();
        // One CSP for both pages: it allows the inline loader of each.
        let mut hashes: Vec<String> = [&index_html, &auth_html]
            .into_iter()
            .flatten()
            .flat_map(|h| inline_script_hashes(&String::from_utf8_lossy(h)))
            .collect();
        hashes.sort();
        hashes.dedup();
        Self {
            dist: config.dist.clone(),
            csp: csp(config, &hashes),
            index_html,
            auth_html,
            config_json: config_json(config),
        }
    }
}

/// `sha256-<base64>` of every inline `<script>` body (scripts with `src` are skipped), hashed
/// over exactly the text between the opening tag's `>` and `</script>`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(start) = lower[pos..].find("<script").map(|i| i + pos) {
        let after_name = start + "<script".len();
        // `<scripts>` or `<script-x>` are other tags.
        if !lower[after_name..]
            .starts_with(|c: char| c == '>' || c.is_ascii_whitespace() || c == '/')
        {
            pos = after_name;
            continue;
        }
        let Some(tag_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| i + tag_end) else {
            break;
        };
        let tag = &lower[start..tag_end];
        let has_src = tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attr| attr.starts_with("src=") || attr == "src");
        let body = &html[tag_end + 1..close];
        if !has_src && !body.is_empty() {
            out.push(format!(
                "sha256-{}",
                STANDARD.encode(Sha256::digest(body.as_bytes()))
            ));
        }
        pos = close + "</script".len();
    }
    out
}

pub fn csp(config: &Config, script_hashes: &[String]) -> String {
    let mut script = String::from("script-src 'self' 'wasm-unsafe-eval'");
    for h in script_hashes {
        script.push_str(&format!(" '{h}'"));
    }
    let mut connect = String::from("connect-src 'self'");
    if let Some(o) = config.api_origin() {
        connect.push(' ');
        connect.push_str(&o);
    }
    let mut frame = String::from("frame-ancestors 'self'");
    for o in &config.embed_origins {
        frame.push(' ');
        frame.push_str(o);
    }
    [
        "default-src 'self'".to_owned(),
        script,
        "style-src 'self'".to_owned(),
        "img-src 'self' data:".to_owned(),
        connect,
        frame,
        "base-uri 'self'".to_owned(),
        "form-action 'self'".to_owned(),
        "object-src 'none'".to_owned(),
    ]
    .join("; ")
}

pub fn config_json(config: &Config) -> Vec<u8> {
    serde_json::to_vec_pretty(&serde_json::json!({
        "apiBaseUrl": config.api_base_url,
        "embedOrigins": config.embed_origins,
        "spotPrincipal": crate::config::SPOT_PRINCIPAL,
        "spotAwsAccountId": crate::config::SPOT_AWS_ACCOUNT_ID,
        // This server honours Idempotency-Key on POST /setup/account; Spot's API does not.
        "idempotencyKeys": true,
    }))
    .expect("config serialises")
}

/// Headers every response of the app carries (and the API's, minus the CSP).
pub fn common_headers(h: &mut HeaderMap) {
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
}

fn app_response(site: &Site, status: StatusCode, ctype: &str, body: Vec<u8>) -> Response {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(ctype).expect("static content type"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&site.csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    common_headers(h);
    res
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Onramp is not built</title></head><body><h1>The Onramp app is not built</h1>\
<p>This server found no <code>index.html</code> in its <code>--dist</code> folder. Build the app \
(see the README) or point <code>--dist</code> at the build. The API under <code>/api</code> works.</p>\
</body></html>";

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "yaml" | "yml" => "application/yaml",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// The relative file path for a URL path, refusing anything that could leave `dist`.
fn safe_relative(url_path: &str) -> Option<PathBuf> {
    let trimmed = url_path.trim_start_matches('/');
    if trimmed.contains('\\') || trimmed.contains('\0') {
        return None;
    }
    let p = Path::new(trimmed);
    p.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| p.to_path_buf())
}

fn has_extension(url_path: &str) -> bool {
    url_path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// Fallback for everything outside `/api`.
pub async fn serve(State(state): State<AppState>, req: Request) -> Response {
    let site = &state.site;
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut res = app_response(
            site,
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            b"Method not allowed".to_vec(),
        );
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return res;
    }
    let path = req.uri().path();
    if path == "/config.json" {
        return app_response(
            site,
            StatusCode::OK,
            "application/json",
            site.config_json.clone(),
        );
    }
    let Some(index) = &site.index_html else {
        return app_response(
            site,
            StatusCode::SERVICE_UNAVAILABLE,
            "text/html; charset=utf-8",
            NOT_BUILT.as_bytes().to_vec(),
        );
    };
    let not_found = || {
        app_response(
            site,
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            b"Not found".to_vec(),
        )
    };
    let Some(rel) = safe_relative(path) else {
        return not_found();
    };
    if !rel.as_os_str().is_empty() {
        let file = site.dist.join(&rel);
        if let Ok(bytes) = tokio::fs::read(&file).await {
            let accepts_br = req
                .headers()
                .get(header::ACCEPT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("br")));
            // A precompressed sibling (`app.wasm.br`) is sent when the browser takes brotli.
            if accepts_br {
                let mut br = file.clone().into_os_string();
                br.push(".br");
                if let Ok(compressed) = tokio::fs::read(&br).await {
                    let mut res =
                        app_response(site, StatusCode::OK, content_type(&file), compressed);
                    res.headers_mut()
                        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
                    res.headers_mut()
                        .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
                    return res;
                }
            }
            return app_response(site, StatusCode::OK, content_type(&file), bytes);
        }
        if has_extension(path) {
            return not_found();
        }
    }
    let page = match &site.auth_html {
        Some(auth) if is_auth_path(path) => auth,
        _ => index,
    };
    app_response(
        site,
        StatusCode::OK,
        "text/html; charset=utf-8",
        page.clone(),
    )
    .into_response()
}

/// The screens of the sign-in bundle (the app's `AuthApp` routes): where a signed-out visitor
/// starts, so they load the small bundle rather than the whole console.
pub fn is_auth_path(path: &str) -> bool {
    matches!(path, "/signin" | "/signup" | "/signup/password")
        || path
            .strip_prefix("/invite/")
            .is_some_and(|t| !t.is_empty() && !t.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = "<html><head><script src=\"/a.js\"></script>\
            <script type=\"module\">import init from '/x.js';init();</script>\
            <SCRIPT>a()</SCRIPT><scripts>no</scripts></head></html>";
        let h = inline_script_hashes(html);
        assert_eq!(h.len(), 2);
        let expect = STANDARD.encode(Sha256::digest(b"import init from '/x.js';init();"));
        assert_eq!(h[0], format!("sha256-{expect}"));
    }

    #[test]
    fn auth_paths_are_the_sign_in_screens() {
        for p in [
            "/signin",
            "/signup",
            "/signup/password",
            "/invite/abc-DEF_123",
        ] {
            assert!(is_auth_path(p), "{p}");
        }
        for p in [
            "/",
            "/signin/x",
            "/invite/",
            "/invite/a/b",
            "/welcome",
            "/dashboard",
            "/embed",
        ] {
            assert!(!is_auth_path(p), "{p}");
        }
    }

    #[test]
    fn paths_cannot_escape() {
        assert!(safe_relative("/../etc/passwd").is_none());
        assert!(safe_relative("/a/./b").is_some_and(|p| p == Path::new("a/b")));
        assert!(safe_relative("/a/../../b").is_none());
        assert!(has_extension("/app-123.wasm"));
        assert!(!has_extension("/welcome"));
        assert!(!has_extension("/v1.2/welcome"));
    }
}
