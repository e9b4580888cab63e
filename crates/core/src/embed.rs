//! The embedding protocol: how the console, running in an iframe of a partner portal, talks to
//! the partner page with `postMessage`. Pure and host-tested; the app's `src/features/embed/` wires it
//! to the browser. Partner-facing documentation: `docs/embedding.md`.
//!
//! Every message, in both directions, is one JSON object:
//! `{"source": "onramp", "version": 1, "type": "…", "payload": {…}}`.
//!
//! * Child (console) → parent: [`ChildMessage`] — `ready`, `resize`, `account-created`,
//!   `account-connected`, `error`, `close`. Serialised by [`child_message_json`].
//! * Parent → child: [`ParentMessage`] — `init` (the session token, where to start, theme,
//!   locale, partner name). Checked by [`parse_parent_message`], which first drops anything whose
//!   origin is not exactly on the allow-list.
//!
//! Security rules this module enforces or makes easy: origins are compared exactly (scheme,
//! host and port after normalising case and default ports; never a wildcard; the opaque `null`
//! origin is refused); the token only arrives in `init` and its `Debug` is redacted; no error
//! text ever repeats a value the parent sent except values that are harmless by construction
//! (a valid colour, a short identifier-shaped word).

use crate::dto::CloudProvider;
use crate::ids::AccountId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// The `source` of every message of this protocol, in both directions.
pub const SOURCE: &str = "onramp";
/// The protocol version this build speaks (and announces in `ready`).
pub const PROTOCOL_VERSION: u32 = 1;
/// Messages longer than this (bytes of JSON) are refused before they are parsed.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// Longest accepted session token.
pub const MAX_TOKEN_LEN: usize = 4096;
/// Longest partner name, in characters, after control characters are removed.
pub const MAX_PARTNER_NAME_CHARS: usize = 60;
/// Largest corner radius a partner may ask for, in CSS pixels.
pub const MAX_RADIUS_PX: u8 = 24;
/// Minimum contrast of the accent against the surfaces it is drawn on (WCAG 2.2 SC 1.4.11,
/// non-text contrast of user-interface components).
pub const MIN_ACCENT_CONTRAST: f64 = 3.0;
/// Longest accepted locale tag (RFC 5646 § 4.4.1 suggests buffers of 35 characters).
pub const MAX_LOCALE_LEN: usize = 35;
/// Largest height a `resize` message reports, in CSS pixels.
pub const MAX_RESIZE_HEIGHT: u32 = 100_000;
/// The embed entry point: the iframe's `src` is `<app origin>/embed?parent=<partner origin>`.
pub const ENTRY_ROUTE: &str = "/embed";

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why a message from the parent was not accepted. Display texts never contain the token (nor
/// any other value the parent sent, except harmless ones: a valid hex colour, a short word).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    /// The sender's origin is not exactly on the allow-list (or is `null` / not an origin).
    /// The app drops such messages silently and never answers them.
    #[error("message from {origin} ignored: that origin is not on the embed allow-list")]
    NotAllowedOrigin { origin: String },
    #[error(
        "message ignored: it is {0} bytes long; Onramp messages are at most {MAX_MESSAGE_BYTES} bytes"
    )]
    TooLarge(usize),
    #[error("message is not valid JSON (line {line}, column {column})")]
    InvalidJson { line: usize, column: usize },
    /// Valid JSON, but not of this protocol (no `"source": "onramp"`): another script on the
    /// partner page talking to someone else. Ignored silently, like a foreign origin.
    #[error("message ignored: it is not an Onramp message (no \"source\": \"onramp\")")]
    NotOnrampMessage,
    #[error(
        "unsupported protocol version {0}; this console speaks version {PROTOCOL_VERSION} — send \"version\": {PROTOCOL_VERSION}"
    )]
    UnsupportedVersion(String),
    #[error("unknown message type {0}; the partner page may send only \"init\"")]
    UnknownType(String),
    #[error("unknown field {name} in {at}; version 1 knows {known}")]
    UnknownField {
        at: &'static str,
        name: String,
        known: &'static str,
    },
    #[error("{field}: {reason}")]
    InvalidField { field: &'static str, reason: String },
}

impl EmbedError {
    /// True for messages the app must drop without any answer (foreign origin or another
    /// protocol): answering would tell an untrusted page that the console is listening.
    pub fn is_silent(&self) -> bool {
        matches!(
            self,
            EmbedError::NotAllowedOrigin { .. } | EmbedError::NotOnrampMessage
        )
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> EmbedError {
    EmbedError::InvalidField {
        field,
        reason: reason.into(),
    }
}

/// A value from the parent that may be quoted in an error: only short identifier-shaped words
/// (so a token pasted into the wrong place is never echoed back).
fn shown(s: &str) -> String {
    let ok = (1..=24).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'));
    if ok {
        format!("{s:?}")
    } else {
        "(value not shown)".to_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// Origins and the allow-list
// ---------------------------------------------------------------------------------------------

/// The canonical form `scheme://host[:port]` of a web origin, or `None` when `s` is not one.
///
/// Lower-cases scheme and host, drops the default port (`:443` for https, `:80` for http) and
/// a single trailing `/`. Refuses: `null`, any `*`, schemes other than http/https, user info,
/// paths, queries, fragments, empty or malformed hosts, ports outside 1–65535, and non-ASCII
/// hosts (write internationalised names in their `xn--` form, as browsers report them).
pub fn normalise_origin(s: &str) -> Option<String> {
    let s = s.trim();
    // Belt and braces: the host and port rules below refuse `*` as well.
    if s.contains('*') {
        return None;
    }
    let (scheme, rest) = s.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.is_empty()
        || authority
            .bytes()
            .any(|b| matches!(b, b'/' | b'?' | b'#' | b'@' | b'\\') || !b.is_ascii_graphic())
    {
        return None;
    }
    let (host, port) = if let Some(after) = authority.strip_prefix('[') {
        let (inside, tail) = after.split_once(']')?;
        let ok = !inside.is_empty()
            && inside.contains(':')
            && inside
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
        if !ok {
            return None;
        }
        let port = match tail {
            "" => None,
            t => Some(t.strip_prefix(':')?),
        };
        (format!("[{}]", inside.to_ascii_lowercase()), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let host = host.to_ascii_lowercase();
        let label_ok = |l: &str| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if host.len() > 253 || !host.split('.').all(label_ok) {
            return None;
        }
        (host, port)
    };
    let port = match port {
        None => None,
        Some(p) => {
            // Leading zeros are allowed (browsers drop them), so the length is checked after.
            let digits = p.trim_start_matches('0');
            if p.is_empty() || digits.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let n: u32 = digits.parse().unwrap_or(0);
            if !(1..=65_535).contains(&n) {
                return None;
            }
            (n != default_port).then_some(n)
        }
    };
    Some(match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

/// The allow-list from its text form (`--embed-origins`, `ONRAMP_EMBED_ORIGINS`): origins
/// separated by spaces and/or commas, each normalised; invalid entries and anything with `*`
/// are dropped; repeats removed (first one kept).
pub fn parse_allow_list(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for entry in s.split(|c: char| c == ',' || c.is_whitespace()) {
        if let Some(o) = normalise_origin(entry)
            && !out.contains(&o)
        {
            out.push(o);
        }
    }
    out
}

/// The normalised `origin` if it is exactly on `allow_list` (entries are normalised too, so a
/// list straight from `/config.json` works). Never matches `null` or a wildcard.
pub fn allowed_origin(origin: &str, allow_list: &[String]) -> Option<String> {
    let o = normalise_origin(origin)?;
    allow_list
        .iter()
        .any(|a| normalise_origin(a).as_deref() == Some(o.as_str()))
        .then_some(o)
}

fn not_allowed(origin: &str) -> EmbedError {
    EmbedError::NotAllowedOrigin {
        origin: normalise_origin(origin).unwrap_or_else(|| {
            if origin.trim() == "null" {
                "the opaque origin \"null\"".to_owned()
            } else {
                "a value that is not an origin".to_owned()
            }
        }),
    }
}

/// The partner's origin from the iframe URL's query (`parent=<origin>`, percent-encoded or
/// not), checked against the allow-list. The app sends `ready` to exactly this origin and
/// afterwards accepts messages only from it.
pub fn parent_origin_from_query(query: &str, allow_list: &[String]) -> Result<String, EmbedError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let raw = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("parent="))
        .ok_or_else(|| {
            invalid(
                "parent",
                "the iframe URL needs ?parent=<your page's origin>, e.g. /embed?parent=https%3A%2F%2Fpartner.example",
            )
        })?;
    let decoded = crate::percent::decode_query_value(raw).ok_or_else(|| {
        invalid(
            "parent",
            "the parent origin is not correctly percent-encoded",
        )
    })?;
    allowed_origin(&decoded, allow_list).ok_or_else(|| not_allowed(&decoded))
}

// ---------------------------------------------------------------------------------------------
// Where the embedded console starts
// ---------------------------------------------------------------------------------------------

/// `init.start`: which flow the console opens. Each maps to an app route under `/embed/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedStart {
    /// `first-account` → `/embed/welcome`: the first-run wizard for the organization's first
    /// account.
    FirstAccount,
    /// `add-account` → `/embed/add-account`: create another account, then connect it.
    AddAccount,
    /// `provider:aws|gcp|azure` → `/embed/connect/<provider>`: connect one account (the one in
    /// `init.accountId`, else the organization's default account) to that cloud.
    Provider(CloudProvider),
}

impl EmbedStart {
    pub const ALL: [EmbedStart; 5] = [
        EmbedStart::FirstAccount,
        EmbedStart::AddAccount,
        EmbedStart::Provider(CloudProvider::Aws),
        EmbedStart::Provider(CloudProvider::Gcp),
        EmbedStart::Provider(CloudProvider::Azure),
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The wire value (`first-account`, `add-account`, `provider:aws`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            EmbedStart::FirstAccount => "first-account",
            EmbedStart::AddAccount => "add-account",
            EmbedStart::Provider(CloudProvider::Aws) => "provider:aws",
            EmbedStart::Provider(CloudProvider::Gcp) => "provider:gcp",
            EmbedStart::Provider(CloudProvider::Azure) => "provider:azure",
        }
    }

    /// The app route the console navigates to once `init` is accepted.
    pub fn route(&self) -> &'static str {
        match self {
            EmbedStart::FirstAccount => "/embed/welcome",
            EmbedStart::AddAccount => "/embed/add-account",
            EmbedStart::Provider(CloudProvider::Aws) => "/embed/connect/aws",
            EmbedStart::Provider(CloudProvider::Gcp) => "/embed/connect/gcp",
            EmbedStart::Provider(CloudProvider::Azure) => "/embed/connect/azure",
        }
    }

    /// The start a route belongs to (for the app's router), if any.
    pub fn from_route(path: &str) -> Option<Self> {
        let path = path.strip_suffix('/').unwrap_or(path);
        Self::ALL.into_iter().find(|v| v.route() == path)
    }
}

// ---------------------------------------------------------------------------------------------
// Theme
// ---------------------------------------------------------------------------------------------

/// An sRGB colour from a `#rrggbb` string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

/// Onramp's light surface (cards, dialogs) — the accent is drawn on it.
pub const LIGHT_SURFACE: Rgb = Rgb {
    r: 0xff,
    g: 0xff,
    b: 0xff,
};
/// Onramp's dark surface (`--color-surface` of the dark theme in `style/tokens.css`).
pub const DARK_SURFACE: Rgb = Rgb {
    r: 0x16,
    g: 0x1d,
    b: 0x28,
};

impl Rgb {
    /// Exactly `#` and six hexadecimal digits (either case).
    pub fn parse_hex(s: &str) -> Option<Self> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb {
            r: c(0)?,
            g: c(2)?,
            b: c(4)?,
        })
    }

    /// `#rrggbb`, lower case.
    pub fn hex(&self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    /// WCAG 2.x relative luminance (0 = black, 1 = white).
    pub fn relative_luminance(&self) -> f64 {
        fn channel(v: u8) -> f64 {
            let c = f64::from(v) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * channel(self.r) + 0.7152 * channel(self.g) + 0.0722 * channel(self.b)
    }

    /// WCAG contrast ratio between two colours, 1.0 to 21.0.
    pub fn contrast_ratio(&self, other: &Rgb) -> f64 {
        let (a, b) = (self.relative_luminance(), other.relative_luminance());
        let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
        (hi + 0.05) / (lo + 0.05)
    }
}

/// A ratio for a message, rounded down so a failing 2.996 never reads as "3.00".
fn ratio_text(r: f64) -> String {
    // Hundredths as an integer: float formatting is sizeable code in the embedded screens.
    let h = (r * 100.0).floor() as u64;
    format!("{}.{:02}:1", h / 100, h % 100)
}

/// `theme.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    Light,
    Dark,
}

impl ColorMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ColorMode::Light => "light",
            ColorMode::Dark => "dark",
        }
    }
}

/// The partner's theme, every value checked. Absent values keep Onramp's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ThemeOverrides {
    /// Brand colour for buttons, links' focus rings, selected borders. At least 3:1 against the
    /// light surface (and, with `mode: dark`, against the dark surface too).
    pub accent: Option<Rgb>,
    pub mode: Option<ColorMode>,
    /// Corner radius in CSS pixels, 0–24.
    pub radius_px: Option<u8>,
}

impl ThemeOverrides {
    /// The colour scheme to pin. An accent without a mode pins light: the accent was only
    /// checked against the light surface, so it must not land on a dark one.
    pub fn effective_mode(&self) -> Option<ColorMode> {
        self.mode.or_else(|| self.accent.map(|_| ColorMode::Light))
    }

    /// Custom properties to set on `<html>` with CSSOM (`style.setProperty(name, value)`), never
    /// as a `style` attribute (the CSP forbids inline styles):
    /// `--accent` (the colour), `--on-accent` (text on the accent: white when it reaches 4.5:1,
    /// else black, which then does), `--radius` and `--radius-small` (¾ of it, like the defaults
    /// 8px / 6px).
    pub fn css_declarations(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(accent) = self.accent {
            let on = if accent.contrast_ratio(&LIGHT_SURFACE) >= 4.5 {
                "#ffffff"
            } else {
                "#000000"
            };
            out.push(("--accent".to_owned(), accent.hex()));
            out.push(("--on-accent".to_owned(), on.to_owned()));
        }
        if let Some(r) = self.radius_px {
            let small = (u32::from(r) * 3 + 2) / 4;
            out.push(("--radius".to_owned(), format!("{r}px")));
            out.push(("--radius-small".to_owned(), format!("{small}px")));
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Parent → child
// ---------------------------------------------------------------------------------------------

/// The bearer token handed over in `init`. Kept in memory only; `Debug` is redacted and there
/// is deliberately no `Display` and no `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// The token, for the `Authorization` header. Do not log, store or post it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

/// `init`: everything the console needs, checked. `Debug` shows the token as `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct InitMessage {
    pub token: SessionToken,
    /// Only with a `provider:*` start: the account to connect.
    pub account_id: Option<AccountId>,
    pub start: EmbedStart,
    pub theme: Option<ThemeOverrides>,
    /// A BCP-47 language tag in canonical case (`en-US`, `zh-Hant-TW`); the app picks the
    /// closest locale it has.
    pub locale: Option<String>,
    /// Plain text, control characters removed, at most 60 characters. Render as text only.
    pub partner_name: Option<String>,
}

impl fmt::Debug for InitMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InitMessage")
            .field("token", &"[redacted]")
            .field("account_id", &self.account_id)
            .field("start", &self.start)
            .field("theme", &self.theme)
            .field("locale", &self.locale)
            .field("partner_name", &self.partner_name)
            .finish()
    }
}

/// A checked message from the partner page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParentMessage {
    Init(InitMessage),
}

/// Checks a message from the parent. `origin` is `MessageEvent.origin`, `data` the message as
/// JSON text (the app passes `JSON.stringify(event.data)` when the parent posted an object).
///
/// Order: origin (anything not exactly on `allow_list` → [`EmbedError::NotAllowedOrigin`], the
/// data is not even looked at), size, JSON, `source`, `version`, `type`, then every payload
/// field. Unknown fields are refused so that typos do not pass silently.
pub fn parse_parent_message(
    origin: &str,
    data: &str,
    allow_list: &[String],
) -> Result<ParentMessage, EmbedError> {
    if allowed_origin(origin, allow_list).is_none() {
        return Err(not_allowed(origin));
    }
    if data.len() > MAX_MESSAGE_BYTES {
        return Err(EmbedError::TooLarge(data.len()));
    }
    let value: Value = serde_json::from_str(data).map_err(|e| EmbedError::InvalidJson {
        line: e.line(),
        column: e.column(),
    })?;
    let Value::Object(envelope) = value else {
        return Err(EmbedError::NotOnrampMessage);
    };
    if envelope.get("source").and_then(Value::as_str) != Some(SOURCE) {
        return Err(EmbedError::NotOnrampMessage);
    }
    check_known(
        &envelope,
        "the envelope",
        &["source", "version", "type", "payload"],
        "source, version, type, payload",
    )?;
    match envelope.get("version") {
        None => return Err(invalid("version", "is required (send \"version\": 1)")),
        Some(Value::Number(n)) if n.as_u64() == Some(u64::from(PROTOCOL_VERSION)) => {}
        Some(Value::Number(n)) => return Err(EmbedError::UnsupportedVersion(n.to_string())),
        Some(_) => return Err(invalid("version", "must be the number 1, not a string")),
    }
    let kind = match envelope.get("type") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(invalid("type", "must be a string such as \"init\"")),
        None => return Err(invalid("type", "is required")),
    };
    let payload = match envelope.get("payload") {
        Some(Value::Object(p)) => p,
        Some(_) => return Err(invalid("payload", "must be a JSON object")),
        None => return Err(invalid("payload", "is required (a JSON object)")),
    };
    match kind {
        "init" => parse_init(payload).map(ParentMessage::Init),
        other => Err(EmbedError::UnknownType(shown(other))),
    }
}

fn check_known(
    obj: &Map<String, Value>,
    at: &'static str,
    known: &[&str],
    known_text: &'static str,
) -> Result<(), EmbedError> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(EmbedError::UnknownField {
            at,
            name: shown(k),
            known: known_text,
        }),
        None => Ok(()),
    }
}

/// The string at `key`, `None` when absent (JSON `null` counts as absent for optional fields).
fn opt_str<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    field: &'static str,
) -> Result<Option<&'a str>, EmbedError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(field, "must be a string")),
    }
}

fn parse_init(p: &Map<String, Value>) -> Result<InitMessage, EmbedError> {
    check_known(
        p,
        "the init payload",
        &[
            "token",
            "accountId",
            "start",
            "theme",
            "locale",
            "partnerName",
        ],
        "token, accountId, start, theme, locale, partnerName",
    )?;
    let token = match opt_str(p, "token", "payload.token")? {
        None => return Err(invalid("payload.token", "is required")),
        Some(t) => parse_token(t)?,
    };
    let start = match opt_str(p, "start", "payload.start")? {
        None => {
            return Err(invalid(
                "payload.start",
                "is required: \"first-account\", \"add-account\", \"provider:aws\", \"provider:gcp\" or \"provider:azure\"",
            ));
        }
        Some(s) => EmbedStart::parse(s).ok_or_else(|| {
            invalid(
                "payload.start",
                format!(
                    "{} is not a start; use \"first-account\", \"add-account\", \"provider:aws\", \"provider:gcp\" or \"provider:azure\"",
                    shown(s)
                ),
            )
        })?,
    };
    let account_id = match opt_str(p, "accountId", "payload.accountId")? {
        None => None,
        Some(s) => Some(AccountId::parse(s).ok_or_else(|| {
            invalid(
                "payload.accountId",
                "is not an account id (act- followed by 8 lowercase hexadecimal digits)",
            )
        })?),
    };
    if account_id.is_some() && !matches!(start, EmbedStart::Provider(_)) {
        return Err(invalid(
            "payload.accountId",
            format!(
                "only goes with a \"provider:…\" start (the account to connect); \"{}\" does not take one",
                start.as_str()
            ),
        ));
    }
    let theme = match p.get("theme") {
        None | Some(Value::Null) => None,
        Some(Value::Object(t)) => Some(parse_theme(t)?),
        Some(_) => return Err(invalid("payload.theme", "must be a JSON object")),
    };
    let locale = opt_str(p, "locale", "payload.locale")?
        .map(parse_locale)
        .transpose()?;
    let partner_name = opt_str(p, "partnerName", "payload.partnerName")?
        .map(parse_partner_name)
        .transpose()?;
    Ok(InitMessage {
        token,
        account_id,
        start,
        theme,
        locale,
        partner_name,
    })
}

fn parse_token(t: &str) -> Result<SessionToken, EmbedError> {
    if t.is_empty() {
        return Err(invalid("payload.token", "is empty"));
    }
    if t.len() > MAX_TOKEN_LEN {
        return Err(invalid(
            "payload.token",
            format!("is longer than {MAX_TOKEN_LEN} characters"),
        ));
    }
    if !t.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(
            "payload.token",
            "may contain only visible ASCII characters (no spaces, line breaks or \"Bearer \" prefix)",
        ));
    }
    Ok(SessionToken(t.to_owned()))
}

fn parse_theme(t: &Map<String, Value>) -> Result<ThemeOverrides, EmbedError> {
    check_known(
        t,
        "payload.theme",
        &["accent", "mode", "radius"],
        "accent, mode, radius",
    )?;
    let mode = match opt_str(t, "mode", "payload.theme.mode")? {
        None => None,
        Some("light") => Some(ColorMode::Light),
        Some("dark") => Some(ColorMode::Dark),
        Some(other) => {
            return Err(invalid(
                "payload.theme.mode",
                format!("{} is not a mode; use \"light\" or \"dark\"", shown(other)),
            ));
        }
    };
    let accent = opt_str(t, "accent", "payload.theme.accent")?
        .map(|s| parse_accent(s, mode))
        .transpose()?;
    let radius_px = match t.get("radius") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_u64() {
            Some(r) if r <= u64::from(MAX_RADIUS_PX) => Some(r as u8),
            _ => {
                return Err(invalid(
                    "payload.theme.radius",
                    format!("must be a whole number of pixels from 0 to {MAX_RADIUS_PX}"),
                ));
            }
        },
        Some(_) => {
            return Err(invalid(
                "payload.theme.radius",
                format!("must be a number of pixels from 0 to {MAX_RADIUS_PX} (8, not \"8px\")"),
            ));
        }
    };
    Ok(ThemeOverrides {
        accent,
        mode,
        radius_px,
    })
}

fn parse_accent(s: &str, mode: Option<ColorMode>) -> Result<Rgb, EmbedError> {
    let field = "payload.theme.accent";
    let c = Rgb::parse_hex(s).ok_or_else(|| {
        invalid(
            field,
            "must be a 6-digit hex colour like \"#1d4ed8\" (no names, no #rgb short form, no rgb())",
        )
    })?;
    let on_light = c.contrast_ratio(&LIGHT_SURFACE);
    if on_light < MIN_ACCENT_CONTRAST {
        return Err(invalid(
            field,
            format!(
                "{} has a contrast of only {} against white; buttons, focus rings and selected borders need at least 3:1 to be seen (WCAG 2.2 non-text contrast), so pick a darker shade",
                c.hex(),
                ratio_text(on_light)
            ),
        ));
    }
    if mode == Some(ColorMode::Dark) {
        let on_dark = c.contrast_ratio(&DARK_SURFACE);
        if on_dark < MIN_ACCENT_CONTRAST {
            return Err(invalid(
                field,
                format!(
                    "{} has a contrast of only {} against the dark surface {}; with \"mode\": \"dark\" the accent needs at least 3:1 there too (WCAG 2.2 non-text contrast), so pick a lighter shade or use \"mode\": \"light\"",
                    c.hex(),
                    ratio_text(on_dark),
                    DARK_SURFACE.hex()
                ),
            ));
        }
    }
    Ok(c)
}

/// Checks the shape of a BCP-47 tag (language of 2–3 or 5–8 letters, then subtags of 1–8
/// letters or digits, at most 35 characters) and returns it in canonical case.
fn parse_locale(s: &str) -> Result<String, EmbedError> {
    let field = "payload.locale";
    let bad = || {
        invalid(
            field,
            "is not a BCP-47 language tag such as \"en\", \"en-US\" or \"pt-BR\" (subtags are joined with \"-\")",
        )
    };
    if s.is_empty() || s.len() > MAX_LOCALE_LEN {
        return Err(bad());
    }
    let mut out = Vec::new();
    let mut after_singleton = false;
    for (i, sub) in s.split('-').enumerate() {
        if !(1..=8).contains(&sub.len()) || !sub.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(bad());
        }
        if i == 0 {
            let letters = sub.bytes().all(|b| b.is_ascii_alphabetic());
            if !letters || !matches!(sub.len(), 2 | 3 | 5..=8) {
                return Err(bad());
            }
            out.push(sub.to_ascii_lowercase());
            continue;
        }
        if sub.len() == 1 {
            after_singleton = true;
        }
        let canonical = if after_singleton {
            sub.to_ascii_lowercase()
        } else if sub.len() == 2 && sub.bytes().all(|b| b.is_ascii_alphabetic()) {
            sub.to_ascii_uppercase()
        } else if sub.len() == 4 && sub.bytes().all(|b| b.is_ascii_alphabetic()) {
            let lower = sub.to_ascii_lowercase();
            lower[..1].to_ascii_uppercase() + &lower[1..]
        } else {
            sub.to_ascii_lowercase()
        };
        out.push(canonical);
    }
    Ok(out.join("-"))
}

/// Invisible characters that can reorder or hide text (bidirectional controls, zero-width
/// characters, BOM) — removed like control characters.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

fn parse_partner_name(s: &str) -> Result<String, EmbedError> {
    let field = "payload.partnerName";
    let mut cleaned = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_whitespace() {
            // Line breaks and tabs become one space; runs collapse.
            if !cleaned.ends_with(' ') {
                cleaned.push(' ');
            }
        } else if !c.is_control() && !is_invisible_format(c) {
            cleaned.push(c);
        }
    }
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return Err(invalid(
            field,
            "is empty once control characters are removed; leave it out instead",
        ));
    }
    let n = cleaned.chars().count();
    if n > MAX_PARTNER_NAME_CHARS {
        return Err(invalid(
            field,
            format!("is {n} characters long; at most {MAX_PARTNER_NAME_CHARS} fit the header"),
        ));
    }
    Ok(cleaned.to_owned())
}

// ---------------------------------------------------------------------------------------------
// Child → parent
// ---------------------------------------------------------------------------------------------

/// `error.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The parent's `init` was refused; the message says which field and why.
    InvalidInit,
    /// The API refused the token (missing, expired or revoked): send a fresh one.
    Unauthorized,
    /// The API could not be reached or did not answer in time.
    Network,
    /// The API answered with an error the user cannot fix in the console.
    Api,
    /// A bug in the console.
    Internal,
}

impl ErrorCode {
    /// A fixed, secret-free sentence for the code.
    pub fn default_message(self) -> &'static str {
        match self {
            ErrorCode::InvalidInit => "The init message was refused.",
            ErrorCode::Unauthorized => {
                "The session token was refused; send a new init with a fresh token."
            }
            ErrorCode::Network => "The Onramp API could not be reached.",
            ErrorCode::Api => "The Onramp API answered with an error.",
            ErrorCode::Internal => "Something went wrong inside the console.",
        }
    }
}

/// `close.reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CloseReason {
    /// The flow finished (after `account-connected`) and the user chose Done.
    Completed,
    /// The user chose Cancel before finishing.
    Cancelled,
    /// The console cannot continue; an `error` message came first.
    Error,
}

/// A message from the console to the partner page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload", rename_all = "kebab-case")]
pub enum ChildMessage {
    /// The console has loaded and listens for `init` (protocol version it speaks).
    Ready { version: u32 },
    /// The content's height changed (CSS pixels, whole number).
    Resize { height: u32 },
    AccountCreated {
        #[serde(rename = "accountId")]
        account_id: AccountId,
    },
    AccountConnected {
        #[serde(rename = "accountId")]
        account_id: AccountId,
        provider: CloudProvider,
    },
    /// Something went wrong. `message` is English for logs, never a secret.
    Error { code: ErrorCode, message: String },
    /// The console asks the partner page to close the iframe.
    Close { reason: CloseReason },
}

/// Longest `error.message`.
pub const MAX_ERROR_MESSAGE_CHARS: usize = 300;

impl ChildMessage {
    pub fn ready() -> Self {
        ChildMessage::Ready {
            version: PROTOCOL_VERSION,
        }
    }

    /// From a measured CSS height (`getBoundingClientRect().height`, fractional): rounded up,
    /// clamped to 0–[`MAX_RESIZE_HEIGHT`]; not-a-number gives 0.
    pub fn resize(css_px: f64) -> Self {
        let h = if css_px.is_nan() || css_px <= 0.0 {
            0
        } else if css_px >= f64::from(MAX_RESIZE_HEIGHT) {
            MAX_RESIZE_HEIGHT
        } else {
            css_px.ceil() as u32
        };
        ChildMessage::Resize { height: h }
    }

    /// An error with the code's fixed sentence — the safe default.
    pub fn error(code: ErrorCode) -> Self {
        ChildMessage::Error {
            code,
            message: code.default_message().to_owned(),
        }
    }

    /// An error with a specific message: control characters removed, cut at
    /// [`MAX_ERROR_MESSAGE_CHARS`]. Never pass text that could hold a secret (request bodies,
    /// headers, tokens); [`EmbedError`] texts are safe by construction.
    pub fn error_with(code: ErrorCode, message: &str) -> Self {
        let cleaned: String = message
            .chars()
            .filter(|c| !c.is_control() && !is_invisible_format(*c))
            .take(MAX_ERROR_MESSAGE_CHARS)
            .collect();
        ChildMessage::Error {
            code,
            message: cleaned,
        }
    }

    /// The answer to a refused parent message: `None` for messages that must be dropped
    /// silently (foreign origin, another protocol), else an `invalid-init` error saying why.
    pub fn for_refused(e: &EmbedError) -> Option<Self> {
        (!e.is_silent()).then(|| ChildMessage::error_with(ErrorCode::InvalidInit, &e.to_string()))
    }
}

#[derive(Serialize, Deserialize)]
struct ChildEnvelope {
    source: String,
    version: u32,
    #[serde(flatten)]
    message: ChildMessage,
}

/// The JSON text of a child message, envelope included. The app posts
/// `JSON.parse(text)` with `postMessage(value, <exact parent origin>)`.
pub fn child_message_json(msg: &ChildMessage) -> String {
    serde_json::to_string(&ChildEnvelope {
        source: SOURCE.to_owned(),
        version: PROTOCOL_VERSION,
        message: msg.clone(),
    })
    .expect("child messages always serialise")
}

/// Reads a child message back (for tests and for Rust parents). `None` when it is not a
/// version-1 Onramp child message.
pub fn parse_child_message(data: &str) -> Option<ChildMessage> {
    let env: ChildEnvelope = serde_json::from_str(data).ok()?;
    (env.source == SOURCE && env.version == PROTOCOL_VERSION).then_some(env.message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const TOKEN: &str = "tok_9fQe2LrS4uXw7yZ1aB3cD5eF7gH9iJ0kLmNoPqRsTu";
    const PARTNER: &str = "https://partner.example";
    const BLACK: Rgb = Rgb { r: 0, g: 0, b: 0 };

    fn allow() -> Vec<String> {
        vec![PARTNER.to_owned()]
    }

    fn init(payload: Value) -> String {
        json!({"source": "onramp", "version": 1, "type": "init", "payload": payload}).to_string()
    }

    fn parse(data: &str) -> Result<ParentMessage, EmbedError> {
        parse_parent_message(PARTNER, data, &allow())
    }

    fn parse_init_payload(payload: Value) -> Result<InitMessage, EmbedError> {
        parse(&init(payload)).map(|ParentMessage::Init(i)| i)
    }

    fn field_of(r: Result<InitMessage, EmbedError>) -> &'static str {
        match r {
            Err(EmbedError::InvalidField { field, .. }) => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn full_init_is_accepted_and_typed() {
        let i = parse_init_payload(json!({
            "token": TOKEN,
            "accountId": "act-1a2b3c4d",
            "start": "provider:gcp",
            "theme": {"accent": "#1D4ED8", "mode": "light", "radius": 12},
            "locale": "pt-br",
            "partnerName": "  Acme\tCloud\nPortal\u{202E} ",
        }))
        .unwrap();
        assert_eq!(i.token.expose(), TOKEN);
        assert_eq!(i.account_id.as_ref().unwrap().as_str(), "act-1a2b3c4d");
        assert_eq!(i.start, EmbedStart::Provider(CloudProvider::Gcp));
        assert_eq!(i.start.route(), "/embed/connect/gcp");
        let theme = i.theme.unwrap();
        assert_eq!(theme.accent.unwrap().hex(), "#1d4ed8");
        assert_eq!(theme.mode, Some(ColorMode::Light));
        assert_eq!(theme.radius_px, Some(12));
        assert_eq!(i.locale.as_deref(), Some("pt-BR"));
        assert_eq!(i.partner_name.as_deref(), Some("Acme Cloud Portal"));
    }

    #[test]
    fn minimal_init_is_accepted() {
        let i = parse_init_payload(json!({"token": TOKEN, "start": "first-account"})).unwrap();
        assert_eq!(i.start, EmbedStart::FirstAccount);
        assert!(i.account_id.is_none() && i.theme.is_none());
        assert!(i.locale.is_none() && i.partner_name.is_none());
        // `null` for an optional field is the same as leaving it out.
        let i = parse_init_payload(
            json!({"token": TOKEN, "start": "add-account", "theme": null, "locale": null}),
        )
        .unwrap();
        assert!(i.theme.is_none() && i.locale.is_none());
    }

    // ---- origins ----

    #[test]
    fn origins_normalise() {
        let n = |s: &str| normalise_origin(s);
        assert_eq!(n("https://Partner.example:443").as_deref(), Some(PARTNER));
        assert_eq!(n("HTTPS://PARTNER.EXAMPLE/").as_deref(), Some(PARTNER));
        assert_eq!(
            n("http://partner.example:80").as_deref(),
            Some("http://partner.example")
        );
        assert_eq!(
            n("https://partner.example:80").as_deref(),
            Some("https://partner.example:80")
        );
        assert_eq!(
            n("http://localhost:0008080").as_deref(),
            Some("http://localhost:8080")
        );
        assert_eq!(
            n("http://127.0.0.1:3000").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(
            n("https://[::1]:8443").as_deref(),
            Some("https://[::1]:8443")
        );
        assert_eq!(
            n("https://[FE80::1]:443").as_deref(),
            Some("https://[fe80::1]")
        );
        assert_eq!(
            n("https://xn--bcher-kva.example").as_deref(),
            Some("https://xn--bcher-kva.example")
        );
        for bad in [
            "null",
            "*",
            "https://*.partner.example",
            "https://partner.example/path",
            "https://partner.example?x",
            "https://partner.example#x",
            "https://user@partner.example",
            "ftp://partner.example",
            "partner.example",
            "https://",
            "https://partner.example:",
            "https://partner.example:0",
            "https://partner.example:65536",
            "https://partner.example:443x",
            "https://-bad.example",
            "https://partner..example",
            "https://partner.example.",
            "https://bücher.example",
            "https://part ner.example",
            "https://[::1",
            "https://[]",
            "https://[::1]x",
            "https://partner_x.example",
            "https://partner.example\\evil",
            "https://partner.example//",
            "",
        ] {
            assert_eq!(n(bad), None, "{bad:?} must not be an origin");
        }
    }

    #[test]
    fn allow_list_parses_spaces_and_commas_and_drops_wildcards() {
        let l = parse_allow_list(
            " https://A.example:443, http://b.example:8080\nhttps://*.c.example * null  https://a.example junk ,,",
        );
        assert_eq!(l, vec!["https://a.example", "http://b.example:8080"]);
        assert!(parse_allow_list("*").is_empty());
        assert!(parse_allow_list("").is_empty());
    }

    #[test]
    fn only_exact_allowed_origins_are_heard() {
        let ok = init(json!({"token": TOKEN, "start": "first-account"}));
        let list = vec!["https://Partner.example:443/".to_owned()];
        assert!(parse_parent_message("https://partner.example", &ok, &list).is_ok());
        for origin in [
            "https://evil.example",
            "http://partner.example",
            "https://partner.example:8443",
            "https://sub.partner.example",
            "https://partner.example.evil.example",
            "null",
            "",
            "*",
        ] {
            match parse_parent_message(origin, &ok, &list) {
                Err(e @ EmbedError::NotAllowedOrigin { .. }) => assert!(e.is_silent()),
                other => panic!("{origin:?} must be refused, got {other:?}"),
            }
        }
        // A wildcard in the allow-list matches nothing.
        let star = vec!["*".to_owned()];
        assert!(matches!(
            parse_parent_message(PARTNER, &ok, &star),
            Err(EmbedError::NotAllowedOrigin { .. })
        ));
        // The origin is checked before the data is even parsed.
        assert!(matches!(
            parse_parent_message("https://evil.example", "{not json", &list),
            Err(EmbedError::NotAllowedOrigin { .. })
        ));
        assert!(matches!(
            parse_parent_message("null", &ok, &["null".to_owned()]),
            Err(EmbedError::NotAllowedOrigin { .. })
        ));
    }

    #[test]
    fn parent_origin_comes_from_the_iframe_query() {
        let list = allow();
        assert_eq!(
            parent_origin_from_query("?parent=https%3A%2F%2FPartner.example%3A443", &list).unwrap(),
            PARTNER
        );
        assert_eq!(
            parent_origin_from_query("x=1&parent=https://partner.example", &list).unwrap(),
            PARTNER
        );
        assert!(matches!(
            parent_origin_from_query("parent=https%3A%2F%2Fevil.example", &list),
            Err(EmbedError::NotAllowedOrigin { .. })
        ));
        assert!(matches!(
            parent_origin_from_query("", &list),
            Err(EmbedError::InvalidField {
                field: "parent",
                ..
            })
        ));
        assert!(matches!(
            parent_origin_from_query("parent=https%3", &list),
            Err(EmbedError::InvalidField {
                field: "parent",
                ..
            })
        ));
    }

    // ---- envelope ----

    #[test]
    fn envelope_rejections() {
        let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(MAX_MESSAGE_BYTES));
        assert!(matches!(parse(&big), Err(EmbedError::TooLarge(_))));
        assert!(matches!(
            parse("{\"source\":"),
            Err(EmbedError::InvalidJson { line: 1, .. })
        ));
        for foreign in [
            "[1,2]",
            "\"hello\"",
            "{}",
            r#"{"source":"other","type":"init"}"#,
        ] {
            assert_eq!(
                parse(foreign),
                Err(EmbedError::NotOnrampMessage),
                "{foreign}"
            );
        }
        let env = |v: Value| parse(&v.to_string());
        assert!(matches!(
            env(json!({"source":"onramp","version":2,"type":"init","payload":{}})),
            Err(EmbedError::UnsupportedVersion(v)) if v == "2"
        ));
        assert!(matches!(
            env(json!({"source":"onramp","version":1.5,"type":"init","payload":{}})),
            Err(EmbedError::UnsupportedVersion(_))
        ));
        assert!(matches!(
            env(json!({"source":"onramp","version":"1","type":"init","payload":{}})),
            Err(EmbedError::InvalidField {
                field: "version",
                ..
            })
        ));
        assert!(matches!(
            env(json!({"source":"onramp","type":"init","payload":{}})),
            Err(EmbedError::InvalidField {
                field: "version",
                ..
            })
        ));
        assert!(matches!(
            env(json!({"source":"onramp","version":1,"type":"resize","payload":{}})),
            Err(EmbedError::UnknownType(t)) if t == "\"resize\""
        ));
        assert!(matches!(
            env(json!({"source":"onramp","version":1,"type":7,"payload":{}})),
            Err(EmbedError::InvalidField { field: "type", .. })
        ));
        assert!(matches!(
            env(json!({"source":"onramp","version":1,"payload":{}})),
            Err(EmbedError::InvalidField { field: "type", .. })
        ));
        assert!(matches!(
            env(json!({"source":"onramp","version":1,"type":"init"})),
            Err(EmbedError::InvalidField {
                field: "payload",
                ..
            })
        ));
        assert!(matches!(
            env(json!({"source":"onramp","version":1,"type":"init","payload":[]})),
            Err(EmbedError::InvalidField {
                field: "payload",
                ..
            })
        ));
        assert!(matches!(
            env(json!({"source":"onramp","version":1,"type":"init","payload":{},"extra":1})),
            Err(EmbedError::UnknownField {
                at: "the envelope",
                ..
            })
        ));
    }

    // ---- init payload ----

    #[test]
    fn init_field_rejections() {
        let base = || json!({"token": TOKEN, "start": "provider:aws"});
        let with = |k: &str, v: Value| {
            let mut b = base();
            b[k] = v;
            parse_init_payload(b)
        };
        assert_eq!(
            field_of(parse_init_payload(json!({"start": "add-account"}))),
            "payload.token"
        );
        assert_eq!(field_of(with("token", json!(""))), "payload.token");
        assert_eq!(field_of(with("token", json!(42))), "payload.token");
        assert_eq!(
            field_of(with("token", json!(format!("Bearer {TOKEN}")))),
            "payload.token"
        );
        assert_eq!(
            field_of(with("token", json!("a".repeat(MAX_TOKEN_LEN + 1)))),
            "payload.token"
        );
        assert!(with("token", json!("a".repeat(MAX_TOKEN_LEN))).is_ok());
        assert_eq!(
            field_of(parse_init_payload(json!({"token": TOKEN}))),
            "payload.start"
        );
        assert_eq!(
            field_of(with("start", json!("provider:oracle"))),
            "payload.start"
        );
        assert_eq!(
            field_of(with("start", json!("/embed/welcome"))),
            "payload.start"
        );
        assert_eq!(
            field_of(with("accountId", json!("act-XYZ"))),
            "payload.accountId"
        );
        assert_eq!(field_of(with("accountId", json!(12))), "payload.accountId");
        let mut first = base();
        first["start"] = json!("first-account");
        first["accountId"] = json!("act-1a2b3c4d");
        assert_eq!(field_of(parse_init_payload(first)), "payload.accountId");
        assert_eq!(field_of(with("theme", json!("dark"))), "payload.theme");
        assert_eq!(field_of(with("locale", json!(1))), "payload.locale");
        assert_eq!(
            field_of(with("partnerName", json!(["x"]))),
            "payload.partnerName"
        );
        assert!(matches!(
            with("acountId", json!("act-1a2b3c4d")),
            Err(EmbedError::UnknownField { at: "the init payload", ref name, .. }) if name == "\"acountId\""
        ));
        assert!(matches!(
            with("theme", json!({"colour": "#1d4ed8"})),
            Err(EmbedError::UnknownField {
                at: "payload.theme",
                ..
            })
        ));
    }

    #[test]
    fn theme_rejections_say_why() {
        let theme = |t: Value| {
            parse_init_payload(json!({"token": TOKEN, "start": "add-account", "theme": t}))
        };
        let reason = |t: Value| match theme(t) {
            Err(EmbedError::InvalidField { field, reason }) => (field, reason),
            other => panic!("expected a refusal, got {other:?}"),
        };
        for bad in [
            "1d4ed8",
            "#1d4ed",
            "#1d4ed8ff",
            "#fff",
            "blue",
            "#1d4eg8",
            "rgb(0,0,0)",
            "",
        ] {
            let (f, r) = reason(json!({"accent": bad}));
            assert_eq!(f, "payload.theme.accent", "{bad}");
            assert!(r.contains("6-digit hex"), "{r}");
        }
        let (_, r) = reason(json!({"accent": "#FFCC00"}));
        assert!(
            r.contains("#ffcc00") && r.contains("1.51:1") && r.contains("against white"),
            "{r}"
        );
        assert!(r.contains("3:1") && r.contains("darker"), "{r}");
        // The boundary: #949494 is 3.03:1 on white, #959595 is 2.99:1 (must not read "3.00").
        assert!(theme(json!({"accent": "#949494"})).is_ok());
        let (_, r) = reason(json!({"accent": "#959595"}));
        assert!(r.contains("2.99:1"), "{r}");
        // Dark mode: also against the dark surface.
        assert!(theme(json!({"accent": "#1d4ed8", "mode": "light"})).is_ok());
        let (_, r) = reason(json!({"accent": "#1d4ed8", "mode": "dark"}));
        assert!(
            r.contains("dark surface #161d28") && r.contains("2.52:1") && r.contains("lighter"),
            "{r}"
        );
        assert!(theme(json!({"accent": "#2563eb", "mode": "dark"})).is_ok());
        assert_eq!(reason(json!({"mode": "sepia"})).0, "payload.theme.mode");
        assert_eq!(reason(json!({"mode": 1})).0, "payload.theme.mode");
        for bad in [json!(-1), json!(25), json!(4.5), json!("8px"), json!(true)] {
            assert_eq!(reason(json!({"radius": bad})).0, "payload.theme.radius");
        }
        for ok in [0, 24] {
            assert!(theme(json!({"radius": ok})).is_ok());
        }
        assert_eq!(
            theme(json!({})).unwrap().theme,
            Some(ThemeOverrides::default())
        );
    }

    #[test]
    fn theme_css_declarations() {
        let t = ThemeOverrides {
            accent: Rgb::parse_hex("#1D4ED8"),
            mode: None,
            radius_px: Some(8),
        };
        let d = t.css_declarations();
        let pairs: Vec<(&str, &str)> = d.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            pairs,
            vec![
                ("--accent", "#1d4ed8"),
                ("--on-accent", "#ffffff"),
                ("--radius", "8px"),
                ("--radius-small", "6px"),
            ]
        );
        // 3:1 on white but under 4.5:1: white text would be unreadable, black reads.
        let mid = Rgb::parse_hex("#949494").unwrap();
        let t = ThemeOverrides {
            accent: Some(mid),
            ..Default::default()
        };
        assert_eq!(t.css_declarations()[1].1, "#000000");
        assert!(mid.contrast_ratio(&BLACK) >= 4.5);
        let t = ThemeOverrides {
            radius_px: Some(0),
            ..Default::default()
        };
        assert_eq!(
            t.css_declarations()[1],
            ("--radius-small".to_owned(), "0px".to_owned())
        );
        assert!(ThemeOverrides::default().css_declarations().is_empty());
        // An accent without a mode pins light; an explicit mode wins.
        assert_eq!(t.effective_mode(), None);
        let a = ThemeOverrides {
            accent: Some(mid),
            ..Default::default()
        };
        assert_eq!(a.effective_mode(), Some(ColorMode::Light));
        let d = ThemeOverrides {
            mode: Some(ColorMode::Dark),
            ..a
        };
        assert_eq!(d.effective_mode(), Some(ColorMode::Dark));
    }

    #[test]
    fn contrast_matches_wcag() {
        let white = LIGHT_SURFACE;
        assert!((white.contrast_ratio(&BLACK) - 21.0).abs() < 1e-9);
        assert!((white.contrast_ratio(&white) - 1.0).abs() < 1e-9);
        let grey = Rgb::parse_hex("#767676").unwrap();
        assert_eq!(ratio_text(grey.contrast_ratio(&white)), "4.54:1");
        assert_eq!(ratio_text(2.999), "2.99:1");
    }

    #[test]
    fn locale_shapes() {
        let loc = |s: &str| {
            parse_init_payload(json!({"token": TOKEN, "start": "add-account", "locale": s}))
        };
        for (given, canonical) in [
            ("en", "en"),
            ("EN-us", "en-US"),
            ("zh-hant-tw", "zh-Hant-TW"),
            ("es-419", "es-419"),
            ("de-CH-1996", "de-CH-1996"),
            ("en-US-x-twain", "en-US-x-twain"),
            ("fil", "fil"),
        ] {
            assert_eq!(
                loc(given).unwrap().locale.as_deref(),
                Some(canonical),
                "{given}"
            );
        }
        for bad in [
            "",
            "e",
            "en_US",
            "en-",
            "-en",
            "languages-x",
            "12",
            "en-US-abcdefghi",
            "en US",
            "ünglish",
            &"a-".repeat(18),
        ] {
            assert_eq!(field_of(loc(bad)), "payload.locale", "{bad:?}");
        }
    }

    #[test]
    fn partner_name_is_plain_short_text() {
        let name = |s: &str| {
            parse_init_payload(json!({"token": TOKEN, "start": "add-account", "partnerName": s}))
        };
        assert_eq!(
            name("Acme\u{0}\u{7} Corp\u{200B}")
                .unwrap()
                .partner_name
                .as_deref(),
            Some("Acme Corp")
        );
        assert_eq!(
            name("<b>Acme</b>").unwrap().partner_name.as_deref(),
            Some("<b>Acme</b>")
        );
        let sixty = "é".repeat(MAX_PARTNER_NAME_CHARS);
        assert_eq!(
            name(&sixty).unwrap().partner_name.as_deref(),
            Some(sixty.as_str())
        );
        let (f, r) = match name(&format!("{sixty}x")) {
            Err(EmbedError::InvalidField { field, reason }) => (field, reason),
            other => panic!("{other:?}"),
        };
        assert_eq!(f, "payload.partnerName");
        assert!(r.contains("61 characters"), "{r}");
        // 60 visible characters plus control characters still fit.
        assert!(name(&format!("{sixty}\u{1}\u{202E}")).is_ok());
        assert_eq!(field_of(name(" \u{0}\u{202E}\n ")), "payload.partnerName");
    }

    #[test]
    fn starts_map_to_routes() {
        let routes: Vec<&str> = EmbedStart::ALL.iter().map(|s| s.route()).collect();
        assert_eq!(
            routes,
            [
                "/embed/welcome",
                "/embed/add-account",
                "/embed/connect/aws",
                "/embed/connect/gcp",
                "/embed/connect/azure"
            ]
        );
        for s in EmbedStart::ALL {
            assert_eq!(EmbedStart::parse(s.as_str()), Some(s));
            assert_eq!(EmbedStart::from_route(s.route()), Some(s));
            assert!(s.route().starts_with(ENTRY_ROUTE));
        }
        assert_eq!(
            EmbedStart::from_route("/embed/connect/aws/"),
            Some(EmbedStart::Provider(CloudProvider::Aws))
        );
        assert_eq!(EmbedStart::from_route("/welcome"), None);
        assert_eq!(EmbedStart::parse("provider:"), None);
    }

    // ---- the token never leaks ----

    #[test]
    fn token_is_redacted_in_debug() {
        let msg = parse(&init(json!({"token": TOKEN, "start": "first-account"}))).unwrap();
        let dbg = format!("{msg:?} {msg:#?}");
        assert!(!dbg.contains(TOKEN), "{dbg}");
        assert!(dbg.contains("[redacted]"), "{dbg}");
        let ParentMessage::Init(i) = msg;
        assert!(!format!("{:?}", i.token).contains(TOKEN));
    }

    #[test]
    fn token_never_in_errors_or_child_messages() {
        // The token placed everywhere a value could be echoed.
        let cases = [
            json!({"token": TOKEN, "start": TOKEN}),
            json!({"token": TOKEN, "start": "provider:aws", "accountId": TOKEN}),
            json!({"token": TOKEN, "start": "add-account", "locale": TOKEN}),
            json!({"token": TOKEN, "start": "add-account", "theme": {"mode": TOKEN}}),
            json!({"token": TOKEN, "start": "add-account", "theme": {"accent": TOKEN}}),
            json!({"token": TOKEN, "start": "add-account", "theme": {"radius": TOKEN}}),
            json!({"token": TOKEN, "start": "add-account", TOKEN: 1}),
            json!({"token": TOKEN, "start": "add-account", "theme": {TOKEN: 1}}),
            json!({"token": TOKEN, "start": "add-account", "partnerName": TOKEN.repeat(3)}),
            json!({"token": format!("{TOKEN} "), "start": "add-account"}),
        ];
        let mut refused = 0;
        for payload in cases {
            let e = parse_init_payload(payload).expect_err("each case is invalid");
            let child = ChildMessage::for_refused(&e).expect("not silent");
            for text in [
                e.to_string(),
                format!("{e:?}"),
                child_message_json(&child),
                format!("{child:?}"),
            ] {
                assert!(!text.contains(TOKEN), "token leaked: {text}");
            }
            refused += 1;
        }
        assert_eq!(refused, 10);
        let typ =
            json!({"source": "onramp", "version": 1, "type": TOKEN, "payload": {}}).to_string();
        let e = parse(&typ).unwrap_err();
        assert!(!e.to_string().contains(TOKEN) && !format!("{e:?}").contains(TOKEN));
        // Silent refusals get no answer at all.
        let e = parse_parent_message(
            "https://evil.example",
            &init(json!({"token": TOKEN})),
            &allow(),
        )
        .unwrap_err();
        assert_eq!(ChildMessage::for_refused(&e), None);
        assert!(!e.to_string().contains(TOKEN));
        assert_eq!(
            ChildMessage::for_refused(&EmbedError::NotOnrampMessage),
            None
        );
    }

    // ---- child messages ----

    #[test]
    fn child_messages_have_the_documented_shape() {
        let acct = AccountId::parse("act-0a1b2c3d").unwrap();
        let cases = [
            (
                ChildMessage::ready(),
                json!({"type": "ready", "payload": {"version": 1}}),
            ),
            (
                ChildMessage::resize(640.2),
                json!({"type": "resize", "payload": {"height": 641}}),
            ),
            (
                ChildMessage::AccountCreated {
                    account_id: acct.clone(),
                },
                json!({"type": "account-created", "payload": {"accountId": "act-0a1b2c3d"}}),
            ),
            (
                ChildMessage::AccountConnected {
                    account_id: acct,
                    provider: CloudProvider::Azure,
                },
                json!({"type": "account-connected", "payload": {"accountId": "act-0a1b2c3d", "provider": "azure"}}),
            ),
            (
                ChildMessage::error(ErrorCode::Unauthorized),
                json!({"type": "error", "payload": {"code": "unauthorized", "message": ErrorCode::Unauthorized.default_message()}}),
            ),
            (
                ChildMessage::Close {
                    reason: CloseReason::Cancelled,
                },
                json!({"type": "close", "payload": {"reason": "cancelled"}}),
            ),
        ];
        for (msg, mut expected) in cases {
            expected["source"] = json!("onramp");
            expected["version"] = json!(1);
            let text = child_message_json(&msg);
            let got: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(got, expected);
            assert_eq!(parse_child_message(&text), Some(msg));
        }
        assert_eq!(
            parse_child_message(
                r#"{"source":"x","version":1,"type":"ready","payload":{"version":1}}"#
            ),
            None
        );
        assert_eq!(
            parse_child_message(
                r#"{"source":"onramp","version":2,"type":"ready","payload":{"version":1}}"#
            ),
            None
        );
    }

    #[test]
    fn resize_and_error_helpers_clamp() {
        let h = |x: f64| match ChildMessage::resize(x) {
            ChildMessage::Resize { height } => height,
            _ => unreachable!(),
        };
        assert_eq!(
            (h(f64::NAN), h(-3.0), h(0.0), h(1.01), h(1e12)),
            (0, 0, 0, 2, MAX_RESIZE_HEIGHT)
        );
        let ChildMessage::Error { message, .. } =
            ChildMessage::error_with(ErrorCode::Api, &format!("a\nb\u{202E}{}", "x".repeat(400)))
        else {
            unreachable!()
        };
        assert!(message.starts_with("abx"));
        assert_eq!(message.chars().count(), MAX_ERROR_MESSAGE_CHARS);
    }

    /// The examples in `docs/embedding.md` are what the code produces and accepts.
    #[test]
    fn documented_examples_match_the_code() {
        let doc = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/embedding.md"
        ));
        let mut child_examples = 0;
        for line in doc
            .lines()
            .filter(|l| l.starts_with(r#"{"source": "onramp""#) && !l.contains(r#""type": "…""#))
        {
            let msg = parse_child_message(line)
                .unwrap_or_else(|| panic!("documented child message does not parse: {line}"));
            let expected: Value = serde_json::from_str(line).unwrap();
            let produced: Value = serde_json::from_str(&child_message_json(&msg)).unwrap();
            assert_eq!(produced, expected, "the code would send something else");
            if let ChildMessage::Error { message, .. } = &msg {
                // The documented refusal is the code's exact text.
                let e = parse_init_payload(json!({"token": TOKEN, "start": "add-account",
                    "theme": {"accent": "#FFCC00"}}))
                .unwrap_err();
                assert_eq!(message, &e.to_string());
            }
            child_examples += 1;
        }
        assert_eq!(child_examples, 6, "one example per child message type");
        let start = doc
            .find("```json\n{\n  \"source\": \"onramp\", \"version\": 1, \"type\": \"init\"")
            .expect("init example");
        let body = &doc[start + "```json\n".len()..];
        let init_json = &body[..body.find("```").unwrap()];
        let ParentMessage::Init(i) = parse(init_json).expect("the documented init is valid");
        assert_eq!(i.start.route(), "/embed/connect/aws");
        assert!(
            doc.contains("payload.theme.radius: must be a whole number of pixels from 0 to 24")
        );
        let e = parse_init_payload(
            json!({"token": TOKEN, "start": "add-account", "theme": {"radius": 25}}),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "payload.theme.radius: must be a whole number of pixels from 0 to 24"
        );
        for (c, text) in [
            ("#1d4ed8", "6.70:1"),
            ("#2563eb", "5.16:1"),
            ("#ffcc00", "1.51:1"),
        ] {
            let rgb = Rgb::parse_hex(c).unwrap();
            assert_eq!(ratio_text(rgb.contrast_ratio(&LIGHT_SURFACE)), text);
            assert!(doc.contains(text));
        }
        for (c, text) in [("#1d4ed8", "2.52:1"), ("#2563eb", "3.27:1")] {
            assert_eq!(
                ratio_text(Rgb::parse_hex(c).unwrap().contrast_ratio(&DARK_SURFACE)),
                text
            );
            assert!(doc.contains(text));
        }
        for s in EmbedStart::ALL {
            assert!(
                doc.contains(&format!("| `{}` | `{}`", s.as_str(), s.route())),
                "{s:?} route documented"
            );
        }
    }

    proptest! {
        #[test]
        fn parse_parent_message_never_panics(origin in ".{0,64}", data in ".{0,512}") {
            let _ = parse_parent_message(&origin, &data, &allow());
            let _ = parse_parent_message(PARTNER, &data, &allow());
            let _ = parse_allow_list(&origin);
            let _ = parent_origin_from_query(&data, &allow());
        }

        /// Every field is either valid or arbitrary, so all checks are reached (an invalid
        /// token alone would stop parsing before the theme).
        #[test]
        fn init_payloads_never_panic(
            token in prop_oneof![4 => Just(TOKEN.to_owned()), 1 => ".{0,64}"],
            start in prop_oneof![3 => Just("provider:aws".to_owned()), 3 => Just("add-account".to_owned()), 1 => ".{0,20}"],
            account in prop_oneof![4 => Just(json!(null)), 2 => Just(json!("act-1a2b3c4d")), 1 => any::<String>().prop_map(Value::from)],
            accent in prop_oneof![3 => Just(json!(null)), 3 => "#[0-9a-fA-F]{6}".prop_map(Value::from), 1 => "#?[0-9a-fA-Fg]{0,7}".prop_map(Value::from)],
            mode in prop_oneof![2 => Just(json!(null)), 2 => Just(json!("dark")), 2 => Just(json!("light")), 1 => ".{0,8}".prop_map(Value::from)],
            radius in prop_oneof![2 => Just(json!(null)), 4 => (0i64..=30).prop_map(Value::from), 1 => any::<i64>().prop_map(Value::from), 1 => any::<f64>().prop_map(|f| json!(f))],
            locale in prop_oneof![4 => Just(json!(null)), 1 => "[a-zA-Z0-9_-]{0,40}".prop_map(Value::from), 1 => ".{0,40}".prop_map(Value::from)],
            name in prop_oneof![3 => Just(json!(null)), 3 => ".{0,80}".prop_map(Value::from), 1 => any::<u8>().prop_map(Value::from)],
        ) {
            let data = init(json!({"token": token, "start": start, "accountId": account, "locale": locale,
                "partnerName": name, "theme": {"accent": accent, "mode": mode, "radius": radius}}));
            if let Ok(ParentMessage::Init(i)) = parse(&data) {
                // Whatever was accepted is within the documented bounds.
                let t = i.theme.unwrap_or_default();
                prop_assert!(t.radius_px.is_none_or(|r| r <= MAX_RADIUS_PX));
                prop_assert!(t.accent.is_none_or(|c| c.contrast_ratio(&LIGHT_SURFACE) >= MIN_ACCENT_CONTRAST));
                prop_assert!(i.partner_name.is_none_or(|n| n.chars().count() <= MAX_PARTNER_NAME_CHARS && !n.chars().any(char::is_control)));
            }
        }

        #[test]
        fn normalise_origin_is_idempotent(
            random in "(?i)(https?|ftp)://[a-z0-9.*\\[\\]:-]{0,30}(:[0-9]{0,6})?/?",
            scheme in "(?i)https?", host in "[a-zA-Z0-9]{1,10}(\\.[a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?",
            port in proptest::option::of(prop_oneof![Just(443u32), Just(80), 0u32..70_000]), slash in any::<bool>(),
        ) {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let built = format!("{scheme}://{host}{port}{}", if slash { "/" } else { "" });
            for s in [random, built] {
                if let Some(o) = normalise_origin(&s) {
                    prop_assert_eq!(normalise_origin(&o), Some(o.clone()));
                    prop_assert!(!o.contains('*') && !o.ends_with('/'));
                    let default_port = (o.starts_with("https:") && o.ends_with(":443"))
                        || (o.starts_with("http:") && o.ends_with(":80"));
                    prop_assert!(!default_port);
                    prop_assert_eq!(o.to_ascii_lowercase(), o.clone());
                    prop_assert_eq!(allowed_origin(&s, std::slice::from_ref(&o)), Some(o));
                }
            }
        }

        #[test]
        fn valid_tokens_never_leak(token in "[!-~]{16,80}", bad_radius in 25u32..1000) {
            let e = parse_init_payload(json!({"token": token, "start": "add-account",
                "theme": {"radius": bad_radius}})).unwrap_err();
            prop_assert!(!e.to_string().contains(&token));
            let ok = parse_init_payload(json!({"token": token, "start": "add-account"})).unwrap();
            let dbg = format!("{:?}", ok);
            prop_assert!(!dbg.contains(&token));
            prop_assert_eq!(ok.token.expose(), token.as_str());
        }

        #[test]
        fn child_messages_round_trip(bits in any::<u32>(), height in 0u32..=MAX_RESIZE_HEIGHT, p in 0usize..3) {
            let provider = [CloudProvider::Aws, CloudProvider::Gcp, CloudProvider::Azure][p];
            for msg in [
                ChildMessage::Resize { height },
                ChildMessage::AccountCreated { account_id: AccountId::from_bits(bits) },
                ChildMessage::AccountConnected { account_id: AccountId::from_bits(bits), provider },
            ] {
                prop_assert_eq!(parse_child_message(&child_message_json(&msg)), Some(msg));
            }
        }
    }
}
