//! Serving the built app from `--dist` as a CDN would: `/config.json` generated from the flags,
//! files with the SPA fallback (paths without an extension → the app's page), the `.br` / `.gz`
//! siblings the build writes sent to browsers that take them (and `.dcz` ones to a browser holding
//! their dictionary: `dictionaries`), content-hashed assets cached for
//! a year, everything else revalidated by a strong ETag, and the security headers.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts},
    response::Response,
};
use base64::{Engine, engine::general_purpose::STANDARD};
use sha2::{Digest, Sha256};
use std::path::{Component, Path, PathBuf};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::{
    AppState,
    config::Config,
    dictionaries::{self, Dictionaries},
};

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
    /// The files of `dist`, with their `.br` / `.gz` siblings when the build wrote them.
    files: ServeDir,
    /// Their `.dcz` siblings (compressed against a file the browser already holds).
    dictionaries: Dictionaries,
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
            files: ServeDir::new(&config.dist)
                .precompressed_br()
                .precompressed_gzip()
                .append_index_html_on_directories(false),
            dictionaries: Dictionaries::load(&config.dist),
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
        // Where a CloudFormation stack reaches this API with a connect token; null: no
        // connect tokens (no --public-url, or the app talks to another API).
        "publicApiUrl": config.public_api_url(),
        // This server honours Idempotency-Key on POST /setup/account; Spot's API does not.
        "idempotencyKeys": true,
    }))
    .expect("config serialises")
}

/// Headers every response of the app carries (and the API's, minus the CSP).
pub fn common_headers(h: &mut HeaderMap) {
    nosniff(h);
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
}

fn nosniff(h: &mut HeaderMap) {
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// Files a page only ever loads into itself (scripts, wasm, styles, data, raster images): the
/// page's own CSP and referrer policy govern them, so theirs would be ~450 bytes of headers on
/// every chunk for nothing (a console route loads ~100 chunks). Everything that a browser could
/// show as a document of its own (HTML, SVG, text) keeps them.
fn is_subresource(ctype: &str) -> bool {
    !(ctype.starts_with("text/html")
        || ctype.starts_with("image/svg")
        || ctype.starts_with("text/plain")
        || ctype == "application/octet-stream")
}

fn app_response(site: &Site, status: StatusCode, ctype: &str, body: Vec<u8>) -> Response {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(ctype).expect("static content type"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    site.security_headers(h);
    res
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Onramp is not built</title></head><body><h1>The Onramp app is not built</h1>\
<p>This server found no <code>index.html</code> in its <code>--dist</code> folder. Build the app \
(see the README) or point <code>--dist</code> at the build. The API under <code>/api</code> works.</p>\
</body></html>";

const NO_CACHE: &str = "no-cache";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const ONE_DAY: &str = "public, max-age=86400";

/// How long a browser or CDN may keep a file without asking again: a year for a content-hashed
/// name; a day for an image under a fixed name (the favicon, the provider logos: they change
/// with a release, if ever, and a day-old logo misleads nobody, while asking again cost every
/// page load a round trip per image); otherwise it asks every time (the pages, the runtime
/// config and the templates must be current the moment they change).
pub fn cache_control(url_path: &str) -> &'static str {
    if is_content_hashed(url_path) {
        IMMUTABLE
    } else if matches!(
        url_path.rsplit_once('.').map(|(_, ext)| ext),
        Some("svg" | "png" | "ico" | "webp")
    ) {
        ONE_DAY
    } else {
        NO_CACHE
    }
}

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

/// Trunk and the split build name what they build `<name>-<hex hash>[_bg].<js|wasm|wasmpack|css>`: such a file never
/// changes under its name, so browsers and CDNs may keep it for a year without asking again.
pub fn is_content_hashed(url_path: &str) -> bool {
    let name = url_path.rsplit('/').next().unwrap_or("");
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    matches!(ext, "js" | "wasm" | "wasmpack" | "css")
        && stem.rsplit_once('-').is_some_and(|(base, hash)| {
            // Trunk prints its 64-bit hash without leading zeros (15 digits one time in 16).
            !base.is_empty()
                && (12..=16).contains(&hash.len())
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// A content coding this server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Br,
    Gzip,
    Identity,
}

impl Coding {
    const ALL: [Coding; 3] = [Coding::Br, Coding::Gzip, Coding::Identity];

    fn token(self) -> &'static str {
        match self {
            Coding::Br => "br",
            Coding::Gzip => "gzip",
            Coding::Identity => "identity",
        }
    }
}

/// The codings `Accept-Encoding` allows, best first: by q-value, then brotli before gzip
/// before identity. No header means identity only. `q=0` refuses a coding; `*` stands for
/// every coding not named; unreadable entries are ignored. Identity stays acceptable unless
/// refused by `identity;q=0` (or `*;q=0`); when everything is refused the answer is still
/// identity rather than 406, since a page the client said it would rather not have beats no
/// page, and proxies that send such headers rarely mean it.
pub fn negotiate(accept_encoding: Option<&str>) -> Vec<Coding> {
    let Some(header) = accept_encoding else {
        return vec![Coding::Identity];
    };
    let named = accept_entries(header);
    let q_of = |token: &str| named.iter().find(|(t, _)| t == token).map(|(_, q)| *q);
    let wildcard = q_of("*");
    let mut accepted: Vec<(Coding, u16)> = Coding::ALL
        .into_iter()
        .filter_map(|c| {
            // Identity the client did not name is acceptable, but only as the last resort.
            let q = q_of(c.token())
                .or(wildcard)
                .unwrap_or(if c == Coding::Identity { 1 } else { 0 });
            (q > 0).then_some((c, q))
        })
        .collect();
    // Stable: equal q-values keep the server's order (br, gzip, identity).
    accepted.sort_by_key(|(_, q)| std::cmp::Reverse(*q));
    let mut out: Vec<Coding> = accepted.into_iter().map(|(c, _)| c).collect();
    if out.is_empty() {
        out.push(Coding::Identity);
    }
    out
}

/// The readable entries of `Accept-Encoding`: (lower-case coding, q-value in thousandths).
fn accept_entries(header: &str) -> Vec<(String, u16)> {
    let mut named = Vec::new();
    for entry in header.split(',') {
        let mut parts = entry.split(';');
        let token = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if token.is_empty() {
            continue;
        }
        let q = match parts.next() {
            None => Some(1000),
            Some(param) => parse_q(param.trim()),
        };
        if let Some(q) = q {
            named.push((token, q));
        }
    }
    named
}

/// `Accept-Encoding` names `coding` with a q-value above 0 (`*` does not count: a coding that
/// needs the client's dictionary is only sent to a client that asks for it by name).
pub fn names_coding(accept_encoding: Option<&str>, coding: &str) -> bool {
    accept_encoding.is_some_and(|h| accept_entries(h).iter().any(|(t, q)| t == coding && *q > 0))
}

/// `q=0.5` → 500; anything else than a q-value between 0 and 1 with up to three decimals → None.
fn parse_q(param: &str) -> Option<u16> {
    let value = param
        .strip_prefix("q=")
        .or_else(|| param.strip_prefix("Q="))?;
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if !matches!(int, "0" | "1") || frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{frac:0<3}").parse::<u16>().ok()?;
    let q = int.parse::<u16>().ok()? * 1000 + thousandths;
    (q <= 1000).then_some(q)
}

/// A strong validator for `bytes`, told apart per coding: the brotli and gzip forms of a file
/// are other representations with other bytes, so they get other tags.
fn etag(bytes: &[u8], coding: Option<&str>) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    match coding {
        Some(c) => format!("\"{hex}-{c}\""),
        None => format!("\"{hex}\""),
    }
}

/// `If-None-Match` names `tag` (weak comparison, as the header requires) or is `*`.
fn none_match(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag)
}

/// Turns an answer into `304 Not Modified` with the same validators and caching headers (and
/// the length the full answer would have had, as a 304 may say).
fn not_modified(mut res: Response) -> Response {
    use axum::body::HttpBody;
    *res.status_mut() = StatusCode::NOT_MODIFIED;
    if let Some(len) = res.body().size_hint().exact() {
        res.headers_mut()
            .entry(header::CONTENT_LENGTH)
            .or_insert_with(|| HeaderValue::from(len));
    }
    let h = res.headers_mut();
    for name in [
        header::CONTENT_TYPE,
        header::CONTENT_ENCODING,
        header::CONTENT_RANGE,
        header::ACCEPT_RANGES,
    ] {
        h.remove(name);
    }
    *res.body_mut() = Body::empty();
    res
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

impl Site {
    fn security_headers(&self, h: &mut HeaderMap) {
        if let Ok(v) = HeaderValue::from_str(&self.csp) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        common_headers(h);
    }

    /// One file of `dist` (`url_path` is already known to stay inside it), or `None` when there
    /// is no such file. tower-http's `ServeDir` does the file work (precompressed siblings,
    /// ranges, HEAD, `Last-Modified`); this adds the negotiation it lacks (`*`, server
    /// preference on ties), caching by kind of file, strong ETags and the security headers.
    async fn file(&self, req: &Parts, url_path: &str) -> Option<Response> {
        let mut inner = Request::new(Body::empty());
        *inner.method_mut() = req.method.clone();
        *inner.uri_mut() = url_path.parse().ok()?;
        *inner.headers_mut() = req.headers.clone();
        let codings = negotiate(
            req.headers
                .get(header::ACCEPT_ENCODING)
                .and_then(|v| v.to_str().ok()),
        );
        // Distinct q-values in our order, so ServeDir takes exactly our choice (and falls back
        // down the list when a file has no precompressed sibling).
        let accept = codings
            .iter()
            .zip(["1", "0.9", "0.8"])
            .map(|(c, q)| format!("{};q={q}", c.token()))
            .collect::<Vec<_>>()
            .join(", ");
        let h = inner.headers_mut();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(&accept).ok()?,
        );
        let cache = cache_control(url_path);
        let revalidate = cache != IMMUTABLE;
        if revalidate || h.contains_key(header::IF_NONE_MATCH) {
            // The ETag decides; If-Modified-Since is ignored beside If-None-Match.
            h.remove(header::IF_MODIFIED_SINCE);
            h.remove(header::IF_UNMODIFIED_SINCE);
        }
        let ctype = content_type(Path::new(url_path));
        // Only never-changing files get a dictionary variant: no ETag work for them.
        let variant = (!revalidate)
            .then(|| {
                self.dictionaries
                    .variant(url_path, &safe_relative(url_path)?, &req.headers)
            })
            .flatten();
        let compressed = match variant {
            Some((file, dictionary)) => {
                self.dictionary_compressed(req, &file, &dictionary, ctype)
                    .await
            }
            None => None,
        };
        let mut res = match compressed {
            Some(res) => res,
            None => {
                let res = self.files.clone().oneshot(inner).await.ok()?;
                if res.status() == StatusCode::NOT_FOUND {
                    return None;
                }
                res.map(Body::new)
            }
        };
        let success = res.status().is_success();
        let h = res.headers_mut();
        if success {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
            if self.dictionaries.is_dictionary(url_path) {
                h.insert(
                    "use-as-dictionary",
                    HeaderValue::from_static(dictionaries::USE_AS_DICTIONARY),
                );
            }
        }
        let vary = if self.dictionaries.has_variant(url_path) {
            "Accept-Encoding, Available-Dictionary"
        } else {
            "Accept-Encoding"
        };
        h.insert(header::VARY, HeaderValue::from_static(vary));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        if success && is_subresource(ctype) {
            nosniff(h);
        } else {
            self.security_headers(h);
        }
        if revalidate {
            let coding = h
                .get(header::CONTENT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let identity = tokio::fs::read(self.dist.join(safe_relative(url_path)?))
                .await
                .ok()?;
            let tag = etag(&identity, coding.as_deref());
            h.insert(header::ETAG, HeaderValue::from_str(&tag).ok()?);
            if none_match(&req.headers, &tag) {
                return Some(not_modified(res));
            }
        }
        Some(res)
    }
}

impl Site {
    /// `file` (a `.dcz` sibling, relative to `dist`) as the whole answer: it already is the body
    /// of a `dcz` response, header included. Ranges are not offered for it (a 200 answers them).
    /// `None` (brotli then) when it is gone or no longer compressed against `dictionary`.
    async fn dictionary_compressed(
        &self,
        req: &Parts,
        file: &Path,
        dictionary: &[u8; 32],
        ctype: &str,
    ) -> Option<Response> {
        let body = tokio::fs::read(self.dist.join(file)).await.ok()?;
        if !dictionaries::is_against(&body, dictionary) {
            return None;
        }
        let len = body.len();
        let body = if req.method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(body)
        };
        let mut res = Response::new(body);
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_str(ctype).ok()?);
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("dcz"));
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
        Some(res)
    }
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
    let (parts, _) = req.into_parts();
    let path = parts.uri.path();
    if path == "/config.json" {
        let mut res = app_response(
            site,
            StatusCode::OK,
            "application/json",
            site.config_json.clone(),
        );
        if let Ok(tag) = HeaderValue::from_str(&etag(&site.config_json, None)) {
            let matched = none_match(&parts.headers, tag.to_str().unwrap_or(""));
            res.headers_mut().insert(header::ETAG, tag);
            if matched {
                return not_modified(res);
            }
        }
        return res;
    }
    if site.index_html.is_none() {
        return app_response(
            site,
            StatusCode::SERVICE_UNAVAILABLE,
            "text/html; charset=utf-8",
            NOT_BUILT.as_bytes().to_vec(),
        );
    }
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
        if let Some(res) = site.file(&parts, path).await {
            return res;
        }
        if has_extension(path) {
            return not_found();
        }
    }
    // Every other path is a screen of the app: its page, with the same caching as any HTML.
    let page = if site.auth_html.is_some() && is_auth_path(path) {
        "/auth.html"
    } else {
        "/index.html"
    };
    match site.file(&parts, page).await {
        Some(res) => res,
        None => not_found(),
    }
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
    fn negotiation_orders_what_is_acceptable() {
        use Coding::*;
        let table: &[(Option<&str>, &[Coding])] = &[
            (None, &[Identity]),
            (Some(""), &[Identity]),
            (Some("gzip, br"), &[Br, Gzip, Identity]),
            (Some("gzip;q=1.0, br;q=0.999"), &[Gzip, Br, Identity]),
            (Some("br;q=0, gzip"), &[Gzip, Identity]),
            (Some("identity;q=0, gzip;q=0.2"), &[Gzip]),
            (Some("identity;q=0"), &[Identity]),
            (Some("identity;q=0.5, br;q=0.1"), &[Identity, Br]),
            (Some("*"), &[Br, Gzip, Identity]),
            (Some("*;q=0"), &[Identity]),
            (Some("*;q=0.3, gzip;q=0.4"), &[Gzip, Br, Identity]),
            (Some("br;q=2, gzip;q=0.1234, deflate"), &[Identity]),
            (Some("br;level=5"), &[Identity]),
            (Some(" BR ; q=0.7 , x-gzip"), &[Br, Identity]),
        ];
        for (header, want) in table {
            assert_eq!(negotiate(*header), *want, "{header:?}");
        }
    }

    #[test]
    fn only_trunk_hashed_names_are_immutable() {
        for p in [
            "/onramp-0123456789abcdef_bg.wasm",
            "/onramp-auth-0123456789ABCDEF.js",
            "/style-fedcba9876543210.css",
            "/onramp-auth-bb66586adf575e8.js",
            "/split_finops-1ed7d07865104ab8.wasm",
            "/chunk_15-f39558339756e9e3.wasm",
            "/pack_finops-0123456789abcdef.wasmpack",
        ] {
            assert!(is_content_hashed(p), "{p}");
        }
        for p in [
            "/index.html",
            "/config.json",
            "/onramp-5f3c.js",
            "/-0123456789abcdef.js",
            "/logos/aws-0123456789abcdef.svg",
            "/onramp-0123456789abcdefg.js",
            "/onramp-0123456789abcdef.js.map",
            "/pack_finops.wasmpack",
        ] {
            assert!(!is_content_hashed(p), "{p}");
        }
    }

    #[test]
    fn images_under_fixed_names_keep_a_day_and_the_rest_revalidates() {
        for p in [
            "/favicon.svg",
            "/logos/aws.svg",
            "/assets/a.png",
            "/favicon.ico",
        ] {
            assert_eq!(cache_control(p), "public, max-age=86400", "{p}");
        }
        for p in [
            "/",
            "/index.html",
            "/config.json",
            "/templates/stack.json",
            "/welcome",
            "/svg",
            "/logos/aws.svg.map",
        ] {
            assert_eq!(cache_control(p), "no-cache", "{p}");
        }
        assert_eq!(
            cache_control("/pack_finops-0123456789abcdef.wasmpack"),
            "public, max-age=31536000, immutable"
        );
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
