//! [`SpotJson`]: a request body read into one of core's DTOs, every mistake in its shape named
//! with Spot's field names (`body.account.name`).
//!
//! serde stops at the first mistake, but a form wants all of them at once. So the body is read
//! through a deserializer of ours over the parsed JSON that notes each mistake under its path,
//! hands the DTO a stand-in (an empty string, an empty list, the first value of an enum) and
//! goes on. The handler receives the DTO plus those mistakes ([`FieldErrors`]), adds what core's
//! validators find, and answers them all in the DTO's field order.
//!
//! Rules, the same for every body:
//! - null is the same as absent; an absent `Option` field is `None`, an absent required one is
//!   `"<path>" is required` (fields with `#[serde(default)]` keep their default);
//! - a present value of the wrong JSON type is `"<path>" must be a string` (an object, a list…);
//! - a string that is none of an enum's values (matched after trimming) is
//!   `"<path>" must be one of …`;
//! - a mistake inside a list is reported on the list; one mistake per field;
//! - keys the DTO does not know are ignored, and listed for the handler
//!   ([`FieldErrors::unknown_in`]), as are known keys sent as null ([`FieldErrors::sent_null`]).
//!
//! What differs per body (where its mistakes are reported, its own wording) is [`SpotBody`].

use axum::{
    extract::{FromRequest, Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::Response,
};
use onramp_core::SpotError;
use onramp_core::validate::FieldError;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde_json::{Map, Value};
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use crate::respond::{ApiError, body_timeout, payload_too_large};

// ---- the deadline ----------------------------------------------------------------------------

/// When a request's body must have arrived in full: `--body-timeout-secs` after the request
/// reached the router. A body that stalls, or trickles in a byte now and then, is answered 408
/// then (a timer that restarted with each part that arrives would let a trickle hold the
/// request, and its connection, for ever).
#[derive(Clone, Copy)]
pub struct BodyDeadline(tokio::time::Instant);

/// Middleware: gives each request its [`BodyDeadline`].
pub async fn set_deadline(
    State(timeout): State<Duration>,
    mut req: Request,
    next: Next,
) -> Response {
    req.extensions_mut()
        .insert(BodyDeadline(tokio::time::Instant::now() + timeout));
    next.run(req).await
}

/// Runs `read` (a read of the whole body) until `deadline`: `None` once it has passed.
pub async fn by_deadline<T>(
    deadline: Option<BodyDeadline>,
    read: impl Future<Output = T>,
) -> Option<T> {
    match deadline {
        Some(BodyDeadline(at)) => tokio::time::timeout_at(at, read).await.ok(),
        None => Some(read.await),
    }
}

/// A body DTO and how its shape mistakes are reported.
pub trait SpotBody: DeserializeOwned {
    /// Report a missing (or non-object) object at its fields (`body.account.name`), as Spot's
    /// setup routes do, rather than at the object itself (`body.config`).
    const AT_FIELDS: bool = false;
    /// Paths (`config.billingSource.pathPrefix`) the server lets a client leave out although
    /// the DTO requires them: they read as empty.
    const MAY_BE_ABSENT: &'static [&'static str] = &[];
    /// This body's own message for a mistake at `path`, instead of the generic one.
    fn wording(path: &str, mistake: &Mistake) -> Option<String> {
        let _ = (path, mistake);
        None
    }
}

/// What is wrong with one field's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mistake {
    /// Absent or null.
    Missing,
    /// Present with another JSON type; `found` is the value as JSON text.
    WrongType { expected: Kind, found: String },
    /// A string that is none of `allowed`; `found` is the value as JSON text.
    NotOneOf {
        found: String,
        allowed: &'static [&'static str],
    },
}

/// The JSON type a field wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Number,
    Boolean,
    List,
    Object,
}

impl Kind {
    fn article(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Number => "a number",
            Kind::Boolean => "true or false",
            Kind::List => "a list",
            Kind::Object => "an object",
        }
    }
}

impl Mistake {
    /// The generic message for a mistake at `path`.
    pub fn message(&self, path: &str) -> String {
        match self {
            Mistake::Missing => format!("\"{path}\" is required"),
            Mistake::WrongType { expected, .. } => {
                format!("\"{path}\" must be {}", expected.article())
            }
            Mistake::NotOneOf { allowed, .. } => {
                let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
                format!("\"{path}\" must be one of {}", list.join(", "))
            }
        }
    }
}

// ---- the extractor ---------------------------------------------------------------------------

/// A JSON object body read as `T`, with the mistakes found in its shape. Wrong content type,
/// unreadable or non-object JSON are refused outright (400 on `body`, 413 when too large); shape
/// mistakes wait in the [`FieldErrors`] until the handler asks for them, so it decides what
/// it checks first (the account in the query, an invitation link…).
pub struct SpotJson<T>(pub T, pub FieldErrors);

impl<S: Send + Sync, T: SpotBody> FromRequest<S> for SpotJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = json_object(req, state).await?;
        let (body, errs) = read::<T>(&value)?;
        Ok(Self(body, errs))
    }
}

/// The body as a JSON object (the checks of [`SpotJson`] before the shape).
pub async fn json_object<S: Send + Sync>(req: Request, state: &S) -> Result<Value, ApiError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if !is_json {
        return Err(ApiError::validation(
            "body",
            "Send the body as JSON with the header \"Content-Type: application/json\".",
        ));
    }
    let deadline = req.extensions().get::<BodyDeadline>().copied();
    let bytes = by_deadline(deadline, axum::body::Bytes::from_request(req, state))
        .await
        .ok_or_else(body_timeout)?
        .map_err(|rej| {
            if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
                payload_too_large()
            } else {
                ApiError::validation("body", "The request body could not be read.")
            }
        })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::validation("body", "A JSON body is required."));
    }
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
        // serde_json's syntax errors name a line and column, never the input.
        ApiError::validation("body", format!("The body is not valid JSON: {e}."))
    })?;
    if !value.is_object() {
        return Err(ApiError::validation(
            "body",
            "The body must be a JSON object.",
        ));
    }
    Ok(value)
}

/// Reads `value` as `T`. `Err` only when `T` itself refuses a value (a custom `Deserialize`
/// that no stand-in satisfies).
pub fn read<T: SpotBody>(value: &Value) -> Result<(T, FieldErrors), ApiError> {
    // Required fields that turned out missing are offered to `T` as absent values on the next
    // pass; every other absent field is left to serde, so `#[serde(default)]` keeps working.
    let mut missing = BTreeSet::new();
    loop {
        let ctx = Ctx {
            at_fields: T::AT_FIELDS,
            may_be_absent: T::MAY_BE_ABSENT,
            missing: &missing,
            quiet: Cell::new(0),
            found: RefCell::new(Vec::new()),
            order: RefCell::new(Vec::new()),
            unknown: RefCell::new(Vec::new()),
            nulls: RefCell::new(Vec::new()),
        };
        let de = De {
            ctx: &ctx,
            path: String::new(),
            value: Some(value),
        };
        match T::deserialize(de) {
            Ok(body) => {
                let errors = ctx
                    .found
                    .into_inner()
                    .into_iter()
                    .map(|(path, m)| {
                        let message = T::wording(&path, &m).unwrap_or_else(|| m.message(&path));
                        SpotError::validation(&format!("body.{path}"), message)
                    })
                    .collect();
                let errs = FieldErrors {
                    errors,
                    order: ctx.order.into_inner(),
                    unknown: ctx.unknown.into_inner(),
                    nulls: ctx.nulls.into_inner(),
                };
                return Ok((body, errs));
            }
            Err(Error::Missing {
                path: Some(path), ..
            }) if !missing.contains(&path) => {
                missing.insert(path);
            }
            Err(e) => {
                let (path, message) = match e {
                    Error::Missing { field, path } => (path, format!("missing field `{field}`")),
                    Error::Custom { path, message } => (path, message),
                };
                return Err(match path.filter(|p| !p.is_empty()) {
                    Some(p) => ApiError::validation(
                        &format!("body.{p}"),
                        format!("\"{p}\" is not valid: {message}"),
                    ),
                    None => {
                        ApiError::validation("body", format!("The body is not valid: {message}"))
                    }
                });
            }
        }
    }
}

// ---- collected errors ------------------------------------------------------------------------

/// The field errors of one request: the body's shape mistakes first, then what the handler's
/// checks add. Answered together, in the order the DTO declares its fields.
#[derive(Debug, Default)]
pub struct FieldErrors {
    errors: Vec<SpotError>,
    /// `body.…` paths of the DTO's fields, in declaration order.
    order: Vec<String>,
    /// Paths (without `body.`) of keys the DTO does not know.
    unknown: Vec<String>,
    /// Paths (without `body.`) of known keys sent as null.
    nulls: Vec<String>,
}

impl FieldErrors {
    /// Records `Err` under `field`; `None` without recording when the field, or an object
    /// around it, already has an error (its value is a stand-in).
    pub fn check<T>(&mut self, field: &str, r: Result<T, FieldError>) -> Option<T> {
        let stand_in = self
            .errors
            .iter()
            .filter_map(|e| e.field.as_deref())
            .any(|f| within(field, f));
        if stand_in {
            return None;
        }
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(SpotError::validation(field, e.message));
                None
            }
        }
    }
    /// `Some` value as is; `None` (an optional DTO field this route requires) is recorded as
    /// `"<name>" is required` unless the field already has an error.
    pub fn required<'a, T>(&mut self, field: &str, value: Option<&'a T>) -> Option<&'a T> {
        if value.is_none() && !self.has(field) {
            let name = field.strip_prefix("body.").unwrap_or(field);
            self.errors
                .push(SpotError::validation(field, Mistake::Missing.message(name)));
        }
        value
    }
    pub fn push(&mut self, e: ApiError) {
        self.errors.extend(e.errors);
    }
    /// Whether `field` has an error.
    pub fn has(&self, field: &str) -> bool {
        self.errors
            .iter()
            .any(|e| e.field.as_deref() == Some(field))
    }
    /// Whether `field` or anything inside it has an error.
    pub fn has_in(&self, field: &str) -> bool {
        self.errors
            .iter()
            .filter_map(|e| e.field.as_deref())
            .any(|f| within(f, field))
    }
    /// The keys sent inside `path` (`roleArns`; `""` for the top level) that the DTO does not know.
    pub fn unknown_in<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.unknown.iter().filter_map(move |u| {
            let rest = if path.is_empty() {
                Some(u.as_str())
            } else {
                u.strip_prefix(path)?.strip_prefix('.')
            };
            rest.filter(|r| !r.contains('.'))
        })
    }
    /// Whether the known key at `path` (`config.billingSource`) was sent as null (which reads as
    /// absent).
    pub fn sent_null(&self, path: &str) -> bool {
        self.nulls.iter().any(|n| n == path)
    }
    /// Answers now with the errors on `field` (and inside it) alone, if it has any: for what
    /// must be right before the rest is worth checking.
    pub fn first(&mut self, field: &str) -> Result<(), ApiError> {
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.errors)
            .into_iter()
            .partition(|e| e.field.as_deref().is_some_and(|f| within(f, field)));
        self.errors = rest;
        if mine.is_empty() {
            Ok(())
        } else {
            Err(ApiError::many_fields(mine))
        }
    }
    /// `Ok` when nothing was recorded, else one 400 with every error in field order.
    pub fn into_result(mut self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let order = &self.order;
        let rank = |e: &SpotError| -> usize {
            // The field itself, else the nearest enclosing field the DTO declares.
            let mut f = e.field.as_deref().unwrap_or("");
            loop {
                if let Some(i) = order.iter().position(|o| o == f) {
                    return i;
                }
                match f.rsplit_once('.') {
                    Some((head, _)) => f = head,
                    None => return usize::MAX,
                }
            }
        };
        self.errors.sort_by_key(rank);
        Err(ApiError::many_fields(self.errors))
    }
    /// [`into_result`](Self::into_result), then `value` (which is `Some` once nothing was
    /// recorded).
    pub fn finish<T>(self, value: Option<T>) -> Result<T, ApiError> {
        self.into_result()?;
        value.ok_or_else(ApiError::internal)
    }
}

/// `field` is `outer` or inside it.
fn within(field: &str, outer: &str) -> bool {
    field
        .strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

// ---- the deserializer ------------------------------------------------------------------------

struct Ctx<'m> {
    at_fields: bool,
    may_be_absent: &'static [&'static str],
    /// Required fields found missing on an earlier pass.
    missing: &'m BTreeSet<String>,
    /// Inside a value already reported (or allowed to be absent): stand-ins, no reports.
    quiet: Cell<u32>,
    found: RefCell<Vec<(String, Mistake)>>,
    order: RefCell<Vec<String>>,
    unknown: RefCell<Vec<String>>,
    nulls: RefCell<Vec<String>>,
}

impl Ctx<'_> {
    fn report(&self, path: &str, m: Mistake) {
        if self.quiet.get() > 0 {
            return;
        }
        let mut found = self.found.borrow_mut();
        if !found.iter().any(|(p, _)| p == path) {
            found.push((path.to_owned(), m));
        }
    }
    /// Runs `f` with reports switched off.
    fn quietly<R>(&self, f: impl FnOnce() -> R) -> R {
        self.quiet.set(self.quiet.get() + 1);
        let r = f();
        self.quiet.set(self.quiet.get() - 1);
        r
    }
}

#[derive(Debug)]
enum Error {
    /// serde's "missing field": the field, and its full path once the struct lacking it has
    /// placed it (see [`De::place`]).
    Missing {
        field: &'static str,
        path: Option<String>,
    },
    /// Refused by the DTO itself: the path once placed, the message.
    Custom {
        path: Option<String>,
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Missing { field, .. } => write!(f, "missing field `{field}`"),
            Error::Custom { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::Custom {
            path: None,
            message: msg.to_string(),
        }
    }
    fn missing_field(field: &'static str) -> Self {
        Error::Missing { field, path: None }
    }
}

/// Gives an error raised while reading the value at `path` (by serde, or by the DTO's own
/// `Deserialize` after reading it) that path.
fn place<T>(path: &str, r: Result<T, Error>) -> Result<T, Error> {
    r.map_err(|e| match e {
        Error::Missing { field, path: None } => Error::Missing {
            field,
            path: Some(join(path, field)),
        },
        Error::Custom {
            path: None,
            message,
        } => Error::Custom {
            path: Some(path.to_owned()),
            message,
        },
        e => e,
    })
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// One value of the body: `None` when absent or null.
struct De<'c, 'a> {
    ctx: &'c Ctx<'c>,
    path: String,
    value: Option<&'a Value>,
}

impl<'c, 'a> De<'c, 'a> {
    fn child(&self, path: String, value: Option<&'a Value>) -> Self {
        De {
            ctx: self.ctx,
            path,
            value,
        }
    }
    fn may_be_absent(&self) -> bool {
        self.ctx.may_be_absent.contains(&self.path.as_str())
    }
    /// Notes that the value is absent or has the wrong type, wanting `expected`.
    fn wrong(&self, expected: Kind) {
        match self.value {
            None if self.may_be_absent() => {}
            None => self.ctx.report(&self.path, Mistake::Missing),
            Some(v) => self.ctx.report(
                &self.path,
                Mistake::WrongType {
                    expected,
                    found: v.to_string(),
                },
            ),
        }
    }
    /// Gives an error raised while reading this value its path.
    fn place<T>(&self, r: Result<T, Error>) -> Result<T, Error> {
        place(&self.path, r)
    }
    fn empty_seq<V: Visitor<'a>>(&self, visitor: V) -> Result<V::Value, Error> {
        let seq = Seq {
            de: self.child(self.path.clone(), None),
            items: [].iter(),
        };
        self.ctx.quietly(|| self.place(visitor.visit_seq(seq)))
    }
}

macro_rules! numbers {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.value {
                Some(Value::Number(_)) => self.deserialize_any(visitor),
                _ => {
                    self.wrong(Kind::Number);
                    self.place(visitor.visit_u64(0))
                }
            }
        }
    )*};
}

impl<'a> de::Deserializer<'a> for De<'_, 'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let r = match self.value {
            None => {
                self.wrong(Kind::String);
                visitor.visit_unit()
            }
            Some(Value::Null) => visitor.visit_unit(),
            Some(Value::Bool(b)) => visitor.visit_bool(*b),
            Some(Value::Number(n)) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or_default())
                }
            }
            Some(Value::String(s)) => visitor.visit_borrowed_str(s),
            Some(Value::Array(items)) => visitor.visit_seq(Seq {
                de: self.child(self.path.clone(), None),
                items: items.iter(),
            }),
            Some(Value::Object(map)) => visitor.visit_map(Entries {
                de: self.child(self.path.clone(), None),
                entries: map.iter(),
                next: None,
            }),
        };
        self.place(r)
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Some(Value::Bool(b)) => self.place(visitor.visit_bool(*b)),
            _ => {
                self.wrong(Kind::Boolean);
                self.place(visitor.visit_bool(false))
            }
        }
    }

    numbers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Some(Value::String(s)) => self.place(visitor.visit_borrowed_str(s)),
            _ => {
                self.wrong(Kind::String);
                self.place(visitor.visit_str(""))
            }
        }
    }
    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }
    fn deserialize_char<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }
    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            None | Some(Value::Null) => self.place(visitor.visit_none()),
            Some(_) => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.place(visitor.visit_unit())
    }
    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }
    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            // Items' mistakes are reported on the list itself: Spot's field names have no index.
            Some(Value::Array(items)) => {
                let seq = Seq {
                    de: self.child(self.path.clone(), None),
                    items: items.iter(),
                };
                self.place(visitor.visit_seq(seq))
            }
            _ => {
                self.wrong(Kind::List);
                self.empty_seq(visitor)
            }
        }
    }
    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        let map = match self.value {
            Some(Value::Object(map)) => map,
            _ => {
                self.wrong(Kind::Object);
                &EMPTY
            }
        };
        let entries = Entries {
            de: self.child(self.path.clone(), None),
            entries: map.iter(),
            next: None,
        };
        self.place(visitor.visit_map(entries))
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let ctx = self.ctx;
        for f in fields {
            ctx.order
                .borrow_mut()
                .push(format!("body.{}", join(&self.path, f)));
        }
        let object = match self.value {
            Some(Value::Object(map)) => {
                for (key, value) in map {
                    let list = if !fields.contains(&key.as_str()) {
                        &ctx.unknown
                    } else if value.is_null() {
                        &ctx.nulls
                    } else {
                        continue;
                    };
                    list.borrow_mut().push(join(&self.path, key));
                }
                Some(map)
            }
            _ => None,
        };
        let visit = |quiet: bool| {
            let fields = Fields {
                de: self.child(self.path.clone(), None),
                object,
                fields: fields.iter(),
                quiet,
                next: None,
            };
            self.place(visitor.visit_map(fields))
        };
        if object.is_some() || (ctx.at_fields && !self.may_be_absent()) {
            // Read its fields (`{"account": 5}` reads as `{"account": {}}` when `AT_FIELDS`).
            return visit(ctx.quiet.get() > 0);
        }
        self.wrong(Kind::Object);
        ctx.quietly(|| visit(true))
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let chosen = match self.value {
            Some(Value::String(s)) => match variants.iter().find(|v| **v == s.trim()) {
                Some(v) => Some(*v),
                None => {
                    self.ctx.report(
                        &self.path,
                        Mistake::NotOneOf {
                            found: Value::String(s.clone()).to_string(),
                            allowed: variants,
                        },
                    );
                    None
                }
            },
            _ => {
                self.wrong(Kind::String);
                None
            }
        };
        let Some(variant) = chosen.or(variants.first().copied()) else {
            return Err(Error::Custom {
                path: Some(self.path),
                message: "an enum without values".into(),
            });
        };
        let r = visitor.visit_enum(IntoDeserializer::<Error>::into_deserializer(variant));
        self.place(r)
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.place(visitor.visit_unit())
    }

    serde::forward_to_deserialize_any! { <W: Visitor<'a>> bytes byte_buf }
}

/// A list's items, each read at the list's own path.
struct Seq<'c, 'a> {
    de: De<'c, 'a>,
    items: std::slice::Iter<'a, Value>,
}

impl<'a> de::SeqAccess<'a> for Seq<'_, 'a> {
    type Error = Error;
    fn next_element_seed<T: de::DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            None => Ok(None),
            // A null item is a wrong item, not an absent one.
            Some(item) => {
                let path = &self.de.path;
                place(
                    path,
                    seed.deserialize(self.de.child(path.clone(), Some(item))),
                )
                .map(Some)
            }
        }
    }
}

/// Every entry of an object (a map, or a `Value`).
struct Entries<'c, 'a> {
    de: De<'c, 'a>,
    entries: serde_json::map::Iter<'a>,
    next: Option<(&'a String, &'a Value)>,
}

impl<'a> de::MapAccess<'a> for Entries<'_, 'a> {
    type Error = Error;
    fn next_key_seed<K: de::DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        self.next = self.entries.next();
        match self.next {
            None => Ok(None),
            Some((k, _)) => seed
                .deserialize(IntoDeserializer::<Error>::into_deserializer(k.as_str()))
                .map(Some),
        }
    }
    fn next_value_seed<S: de::DeserializeSeed<'a>>(&mut self, seed: S) -> Result<S::Value, Error> {
        let (k, v) = self
            .next
            .take()
            .ok_or_else(|| de::Error::custom("no key"))?;
        // Inside a map, null is a value like any other.
        let path = join(&self.de.path, k);
        place(
            &path,
            seed.deserialize(self.de.child(path.clone(), Some(v))),
        )
    }
}

/// A struct's declared fields, in declaration order: the present ones, plus the absent ones
/// serde cannot fill in itself (required fields found missing, or all of them when quiet).
struct Fields<'c, 'a> {
    de: De<'c, 'a>,
    object: Option<&'a Map<String, Value>>,
    fields: std::slice::Iter<'static, &'static str>,
    quiet: bool,
    next: Option<(String, Option<&'a Value>)>,
}

impl<'a> de::MapAccess<'a> for Fields<'_, 'a> {
    type Error = Error;
    fn next_key_seed<K: de::DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for &name in self.fields.by_ref() {
            let path = join(&self.de.path, name);
            let value = self
                .object
                .and_then(|o| o.get(name))
                .filter(|v| !v.is_null());
            let offer = value.is_some()
                || self.quiet
                || self.de.ctx.missing.contains(&path)
                || self.de.ctx.may_be_absent.contains(&path.as_str());
            if offer {
                self.next = Some((path, value));
                return seed
                    .deserialize(IntoDeserializer::<Error>::into_deserializer(name))
                    .map(Some);
            }
        }
        Ok(None)
    }
    fn next_value_seed<S: de::DeserializeSeed<'a>>(&mut self, seed: S) -> Result<S::Value, Error> {
        let (path, value) = self
            .next
            .take()
            .ok_or_else(|| de::Error::custom("no key"))?;
        place(&path, seed.deserialize(self.de.child(path.clone(), value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onramp_core::ids::AccountId;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Size {
        Small,
        Large,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Form {
        name: String,
        #[serde(default)]
        tags: Vec<String>,
        size: Size,
        count: u32,
        on: bool,
    }
    impl SpotBody for Form {}

    fn errors(r: Result<(impl fmt::Debug, FieldErrors), ApiError>) -> Vec<(String, String)> {
        let (_, errs) = r.expect("read");
        match errs.into_result() {
            Ok(()) => Vec::new(),
            Err(e) => e
                .errors
                .into_iter()
                .map(|e| (e.field.unwrap_or_default(), e.message))
                .collect(),
        }
    }

    #[test]
    fn defaults_are_kept_and_required_fields_reported() {
        let (form, errs) = read::<Form>(&json!({"size": "large", "count": 2, "on": true})).unwrap();
        assert!(form.tags.is_empty());
        assert_eq!(
            errors(Ok((form, errs))),
            [("body.name".to_owned(), "\"name\" is required".to_owned())]
        );
    }

    #[test]
    fn generic_messages_per_json_type() {
        let got = errors(read::<Form>(
            &json!({"on": 1, "count": "3", "size": "medium", "name": "x", "tags": "a"}),
        ));
        let want = [
            ("body.tags", "\"tags\" must be a list"),
            ("body.size", "\"size\" must be one of \"small\", \"large\""),
            ("body.count", "\"count\" must be a number"),
            ("body.on", "\"on\" must be true or false"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(f, m)| (f.to_string(), m.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Ref {
        target: Inner,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        id: AccountId,
    }
    impl SpotBody for Ref {}

    #[test]
    fn a_value_the_dto_refuses_is_named_by_its_path() {
        let e = read::<Ref>(&json!({"target": {"id": "nope"}})).unwrap_err();
        assert_eq!(e.status, 400);
        assert_eq!(e.errors[0].field.as_deref(), Some("body.target.id"));
        assert!(
            e.errors[0]
                .message
                .starts_with("\"target.id\" is not valid")
        );
    }
}
