//! Spot's response envelope. Every answer, success or error, has this shape:
//! `{"request": {id, url, method, timestamp}, "response": {status, kind?, items?, count?, errors?, data?}}`.

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestInfo {
    pub id: String,
    pub url: String,
    pub method: String,
    pub timestamp: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub code: u16,
    pub message: String,
}

impl Status {
    /// The status line Spot sends for an HTTP code ("OK", "Bad Request", ...).
    pub fn for_code(code: u16) -> Self {
        let message = match code {
            200 => "OK",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            409 => "Conflict",
            413 => "Payload Too Large",
            415 => "Unsupported Media Type",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            503 => "Service Unavailable",
            _ => "Error",
        };
        Self {
            code,
            message: message.to_owned(),
        }
    }
}

/// One entry of `response.errors`. `field` names the offending input with a `query.` or
/// `body.` prefix, e.g. `body.account.name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotError {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl SpotError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            field: None,
        }
    }
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self {
            code: codes::VALIDATION.to_owned(),
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }
}

/// Error codes. The first three are Spot's; the rest are the local server's own and are
/// documented as such in the README.
pub mod codes {
    pub const VALIDATION: &str = "ValidationError";
    pub const ACCOUNT_DOESNT_EXIST: &str = "Account_DOESNT_EXIST";
    pub const SERVICE_ACCOUNT_DOESNT_EXIST: &str = "ServiceAccount_DOESNT_EXIST";
    pub const UNAUTHORIZED: &str = "Unauthorized";
    pub const RATE_LIMIT: &str = "RateLimitExceeded";
    pub const EMAIL_TAKEN: &str = "Email_ALREADY_REGISTERED";
    pub const BAD_CREDENTIALS: &str = "InvalidCredentials";
    pub const MANAGEMENT_EXISTS: &str = "ManagementAccount_ALREADY_EXISTS";
    pub const DEFAULT_ACCOUNT: &str = "DefaultAccount_CANNOT_BE_DELETED";
    pub const NOT_FOUND: &str = "NotFound";
    pub const PAYLOAD_TOO_LARGE: &str = "PayloadTooLarge";
    pub const INTERNAL: &str = "InternalError";
    /// 400 from the Azure credential calls: the service principal has no role assignment on
    /// the subscription, so Azure refuses it (Spot documents no code for this; ours).
    pub const AZURE_ROLE_NOT_ASSIGNED: &str = "AZURE_ROLE_NOT_ASSIGNED";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseBody<T> {
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default = "Option::default", skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<T>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<SpotError>>,
    /// Only on 429: `"Rate limit exceeded"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub request: RequestInfo,
    pub response: ResponseBody<T>,
}

impl<T> Envelope<T> {
    pub fn items(request: RequestInfo, kind: &str, items: Vec<T>) -> Self {
        let count = items.len();
        Self {
            request,
            response: ResponseBody {
                status: Status::for_code(200),
                kind: Some(kind.to_owned()),
                items: Some(items),
                count: Some(count),
                errors: None,
                data: None,
            },
        }
    }
    /// What set, update and delete calls return: the status alone.
    pub fn ok(request: RequestInfo) -> Self {
        Self::status_only(request, 200)
    }
    pub fn status_only(request: RequestInfo, code: u16) -> Self {
        Self {
            request,
            response: ResponseBody {
                status: Status::for_code(code),
                kind: None,
                items: None,
                count: None,
                errors: None,
                data: None,
            },
        }
    }
    pub fn errors(request: RequestInfo, code: u16, errors: Vec<SpotError>) -> Self {
        let mut env = Self::status_only(request, code);
        env.response.errors = Some(errors);
        env
    }
    pub fn rate_limited(request: RequestInfo) -> Self {
        let mut env = Self::status_only(request, 429);
        env.response.data = Some("Rate limit exceeded".to_owned());
        env
    }
    /// The first item, for single-object answers.
    pub fn into_first(self) -> Option<T> {
        self.response.items.and_then(|v| v.into_iter().next())
    }
}

/// What the console reads of an answer: the request ID, the `items` of a 200 (left as JSON text
/// for the caller's type) and the `errors` of a refusal. The frame must be there (`request`,
/// `response.status`); every other field is skipped unread. One small reader serves every
/// endpoint, so each response type adds only the decoding of its own items (a whole
/// `Envelope<T>` per type was several KB of generic code in every bundle), and nothing here
/// builds a `serde_json::Value` (which would link float parsing and JSON maps into every bundle).
#[derive(Deserialize)]
struct Frame<'a> {
    request: FrameRequest,
    #[serde(borrow)]
    response: FrameBody<'a>,
}

#[derive(Deserialize)]
struct FrameRequest {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct FrameBody<'a> {
    #[allow(dead_code)]
    status: IgnoredAny,
    #[serde(borrow, default)]
    items: Option<&'a RawValue>,
    #[serde(default)]
    errors: Vec<SpotError>,
}

fn frame(body: &str) -> Option<Frame<'_>> {
    serde_json::from_str(body).ok()
}

/// The items of a success body as JSON text (`None` inside when it has none), or `None` when
/// the body is not an envelope at all.
pub fn items_text(body: &str) -> Option<Option<&str>> {
    Some(frame(body)?.response.items.map(RawValue::get))
}

/// The items of a success body as `T`s (none when it has none), or `None` when the body is not
/// an envelope or an item is not a `T`.
pub fn decode_items<T: DeserializeOwned>(body: &str) -> Option<Vec<T>> {
    match items_text(body)? {
        Some(items) => serde_json::from_str(items).ok(),
        None => Some(Vec::new()),
    }
}

/// The errors and request ID of an error body, whatever its `items` hold.
pub fn decode_errors(body: &str) -> Option<(Vec<SpotError>, String)> {
    let frame = frame(body)?;
    Some((frame.response.errors, frame.request.id?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_documented_error() {
        let body = r#"{"request":{"id":"9b7b4d1e-2f1a-4c1e-8d6e-0a1b2c3d4e5f","url":"/setup/credentials/aws","method":"POST","timestamp":"2026-11-22T10:43:42.538Z"},
          "response":{"status":{"code":400,"message":"Bad Request"},
          "errors":[{"code":"ValidationError","message":"\"accountId\" is required","field":"query.accountId"}]}}"#;
        let (errors, id) = decode_errors(body).unwrap();
        assert_eq!(errors[0].field.as_deref(), Some("query.accountId"));
        assert_eq!(id, "9b7b4d1e-2f1a-4c1e-8d6e-0a1b2c3d4e5f");
    }

    #[test]
    fn reads_errors_whatever_the_items_hold() {
        let body = r#"{"request":{"id":"r-1","url":"/x","method":"GET","timestamp":"2026-11-22T10:43:42.538Z"},
          "response":{"status":{"code":500,"message":"Internal Server Error"},
          "items":[{"n":1e999999}],"errors":[{"code":"InternalError","message":"Try again."}]}}"#;
        assert!(serde_json::from_str::<Envelope<serde_json::Value>>(body).is_err());
        let (errors, _) = decode_errors(body).unwrap();
        assert_eq!(errors[0].code, "InternalError");
    }

    #[test]
    fn status_only_omits_items() {
        let req = RequestInfo {
            id: "x".into(),
            url: "/u".into(),
            method: "PUT".into(),
            timestamp: "t".into(),
        };
        let json = serde_json::to_value(Envelope::<()>::ok(req)).unwrap();
        assert_eq!(json["response"]["status"]["code"], 200);
        assert!(json["response"].get("items").is_none());
        assert!(json["response"].get("count").is_none());
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Item {
        name: String,
        n: u32,
    }

    fn req() -> RequestInfo {
        RequestInfo {
            id: "r-1".into(),
            url: "/u".into(),
            method: "GET".into(),
            timestamp: "2026-11-22T10:43:42.538Z".into(),
        }
    }

    #[test]
    fn items_are_read_as_the_callers_type() {
        let body = r#"{"request":{"id":"r","url":"/x","method":"GET","timestamp":"t"},
          "response":{"status":{"code":200,"message":"OK"},"kind":"k",
          "items":[{"name":"a \"quoted\" \u00e9","n":1,"extra":[1.5,{"x":null}]},{"name":"b","n":2}],"count":2}}"#;
        let items: Vec<Item> = decode_items(body).unwrap();
        assert_eq!(
            items,
            vec![
                Item {
                    name: "a \"quoted\" é".into(),
                    n: 1
                },
                Item {
                    name: "b".into(),
                    n: 2
                },
            ]
        );
    }

    #[test]
    fn errors_are_read_within_the_frame_only() {
        let errors =
            r#"[{"code":"ValidationError","message":"Too long.","field":"body.account.name"}]"#;
        let framed = format!(
            r#"{{"request":{{"id":"r-9"}},"response":{{"status":{{"code":400}},"errors":{errors}}}}}"#
        );
        let (read, id) = decode_errors(&framed).unwrap();
        assert_eq!(
            (read[0].message.as_str(), id.as_str()),
            ("Too long.", "r-9")
        );
        let no_status = format!(r#"{{"request":{{"id":"r-9"}},"response":{{"errors":{errors}}}}}"#);
        let no_id = format!(r#"{{"request":{{}},"response":{{"status":{{}},"errors":{errors}}}}}"#);
        assert_eq!(decode_errors(&no_status), None);
        assert_eq!(decode_errors(&no_id), None);
    }

    #[test]
    fn a_status_only_answer_has_no_items() {
        let body = serde_json::to_string(&Envelope::<Item>::ok(req())).unwrap();
        assert_eq!(items_text(&body), Some(None));
        assert_eq!(decode_items::<Item>(&body), Some(Vec::new()));
        let null = r#"{"request":{},"response":{"status":{},"items":null}}"#;
        assert_eq!(decode_items::<Item>(null), Some(Vec::new()));
    }

    #[test]
    fn what_is_not_an_envelope_or_not_the_type_is_refused() {
        for body in [
            "",
            "[]",
            "<html>",
            r#"{"items":[]}"#,
            r#"{"response":{"status":{},"items":[]}}"#,
            r#"{"request":{},"response":{"items":[]}}"#,
            r#"{"request":{},"response":{"status":{},"items":[]}"#,
        ] {
            assert_eq!(items_text(body), None, "{body}");
        }
        let wrong = r#"{"request":{},"response":{"status":{},"items":[{"name":"a","n":-1}]}}"#;
        assert_eq!(items_text(wrong), Some(Some(r#"[{"name":"a","n":-1}]"#)));
        assert_eq!(decode_items::<Item>(wrong), None);
    }

    proptest::proptest! {
        #[test]
        fn what_the_server_sends_the_console_reads(
            rows in proptest::collection::vec(("\\PC{0,12}", proptest::num::u32::ANY), 0..6)
        ) {
            let items: Vec<Item> = rows.into_iter().map(|(name, n)| Item { name, n }).collect();
            let body = serde_json::to_string(&Envelope::items(req(), "k", items.clone())).unwrap();
            proptest::prop_assert_eq!(decode_items::<Item>(&body), Some(items));
        }
    }
}
