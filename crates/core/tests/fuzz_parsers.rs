//! Issue 7: fuzzing what `properties.rs` does not cover — identifiers, the Spot envelope
//! decoder, the DTOs, and the generators that embed user values (URL encoding, JSON policies,
//! the gcloud script). Properties: nothing panics on any input, and whatever decodes re-encodes
//! and decodes to the same value. Bounded (256 cases per property) to stay fast in debug.

use onramp_core::{
    Envelope, RequestInfo, SpotError, Status, aws_setup, azure_setup, dto,
    envelope::{decode_errors, decode_items},
    gcp_setup,
    ids::{AccountId, OrganizationId, UserId},
    validate::{self as v, Partition},
};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

// ---- strategies -------------------------------------------------------------------------------

/// Text people and attackers send: ASCII, JSON punctuation, look-alikes, invisible characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[ -~]{0,40}",
        2 => proptest::collection::vec(
            prop_oneof![
                6 => proptest::char::range(' ', '~'),
                1 => Just('\u{0}'),
                1 => Just('\u{202E}'),
                1 => Just('\u{200B}'),
                1 => Just('\u{FEFF}'),
                1 => Just('а'), // Cyrillic a
                1 => Just('😀'),
                1 => Just('\\'),
                1 => Just('"'),
            ],
            0..40,
        )
        .prop_map(|c| c.into_iter().collect()),
        1 => any::<String>(),
    ]
}

/// Strings shaped like (or almost like) the identifiers.
fn id_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "act-[0-9a-f]{8}",
        "act-[0-9a-fA-F]{7,9}",
        "u-[0-9a-f]{8}",
        "[ \t]{0,2}act-[0-9a-f]{8}[ \t\n]{0,2}",
        "[0-9]{11,13}",
        "[ ]?[0-9]{12}[ ]?",
        "[+-]?[0-9]{12}",
        text(),
    ]
}

/// Any finite float. Exact round trips need serde_json's `float_roundtrip` feature, which this
/// crate enables for its tests only (a dev-dependency feature), so the size-tuned wasm app keeps
/// the smaller default parser.
fn finite_f64() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        finite_f64().prop_map(Value::from),
        text().prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn spot_error() -> impl Strategy<Value = SpotError> {
    (
        text(),
        text(),
        proptest::option::of("(body|query)\\.[a-zA-Z.]{1,20}"),
    )
        .prop_map(|(code, message, field)| SpotError {
            code,
            message,
            field,
        })
}

/// Envelopes of every shape Spot sends: items, status only, errors, rate limited.
fn envelope() -> impl Strategy<Value = Envelope<Value>> {
    let info = (text(), text(), "[A-Z]{3,7}", text()).prop_map(|(id, url, method, timestamp)| {
        RequestInfo {
            id,
            url,
            method,
            timestamp,
        }
    });
    (
        info,
        prop_oneof![Just(200u16), Just(400), Just(401), Just(429), any::<u16>()],
        0..4u8,
        proptest::collection::vec(json_value(), 0..4),
        proptest::collection::vec(spot_error(), 0..3),
        text(),
    )
        .prop_map(|(info, code, shape, items, errors, kind)| match shape {
            0 => Envelope::items(info, &kind, items),
            1 => Envelope::status_only(info, code),
            2 => Envelope::errors(info, code, errors),
            _ => Envelope::rate_limited(info),
        })
}

/// Byte-level damage that keeps the text UTF-8: delete a range, duplicate one, insert a JSON
/// token, or swap a character.
fn mutate(s: String) -> impl Strategy<Value = String> {
    let n = s.chars().count().max(1);
    (
        0..4u8,
        0..n,
        0..n,
        prop::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            "\"",
            ",",
            ":",
            "null",
            "1e999",
            "-",
            "\\u0000",
            "\\ud800",
            " ",
            "\"count\":1,",
            "\"items\":",
            "true",
        ]),
    )
        .prop_map(move |(op, a, b, tok)| {
            let chars: Vec<char> = s.chars().collect();
            let (lo, hi) = (a.min(b).min(chars.len()), a.max(b).min(chars.len()));
            let mut out: Vec<char> = Vec::with_capacity(chars.len() + 16);
            match op {
                0 => {
                    out.extend(&chars[..lo]);
                    out.extend(&chars[hi..]);
                }
                1 => {
                    out.extend(&chars[..hi]);
                    out.extend(&chars[lo..hi]);
                    out.extend(&chars[hi..]);
                }
                2 => {
                    out.extend(&chars[..lo]);
                    out.extend(tok.chars());
                    out.extend(&chars[lo..]);
                }
                _ => {
                    out.extend(&chars);
                    if lo < out.len() {
                        out[lo] = tok.chars().next().unwrap_or('x');
                    }
                }
            }
            out.into_iter().collect()
        })
}

// ---- helpers ----------------------------------------------------------------------------------

/// If `s` decodes as `T`, the value re-encodes and decodes to itself.
fn round_trips<T>(s: &str) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    if let Ok(v) = serde_json::from_str::<T>(s) {
        let again = serde_json::to_string(&v).expect("a decoded value encodes");
        let back: T = serde_json::from_str(&again)
            .map_err(|e| TestCaseError::fail(format!("{again} does not decode: {e}")))?;
        prop_assert_eq!(back, v);
    }
    Ok(())
}

/// `decode_errors` and `decode_items` agree with decoding the whole envelope.
fn decode_is_consistent(s: &str) -> Result<(), TestCaseError> {
    let full = serde_json::from_str::<Envelope<Value>>(s);
    let short = decode_errors(s);
    let items = decode_items::<Value>(s);
    // Both read only part of the envelope, so they may read a body a full decode refuses (a
    // number beyond f64 elsewhere, a missing field they do not read); never the other way round.
    prop_assert!(full.is_err() || short.is_some(), "{}", s);
    prop_assert!(full.is_err() || items.is_some(), "{}", s);
    if let (Ok(env), Some((errors, id)), Some(items)) = (full, short, items) {
        prop_assert_eq!(errors, env.response.errors.clone().unwrap_or_default());
        prop_assert_eq!(id, env.request.id.clone());
        prop_assert_eq!(items, env.response.items.clone().unwrap_or_default());
    }
    round_trips::<Envelope<Value>>(s)
}

fn every_dto(s: &str) -> Result<(), TestCaseError> {
    round_trips::<dto::Account>(s)?;
    round_trips::<dto::CreatedAccount>(s)?;
    round_trips::<dto::Organization>(s)?;
    round_trips::<dto::NewAccountRequest>(s)?;
    round_trips::<dto::UpdateAccountRequest>(s)?;
    round_trips::<dto::ExternalId>(s)?;
    round_trips::<dto::AwsCredentialsRequest>(s)?;
    round_trips::<dto::AwsCredentialsView>(s)?;
    round_trips::<dto::GcpServiceAccount>(s)?;
    round_trips::<dto::GcpCredentialsRequest>(s)?;
    round_trips::<dto::AzureCredentials>(s)?;
    round_trips::<dto::SignupRequest>(s)?;
    round_trips::<dto::PasswordGrant>(s)?;
    round_trips::<dto::Session>(s)?;
    round_trips::<dto::WhoAmI>(s)?;
    round_trips::<Envelope<dto::Account>>(s)?;
    round_trips::<AccountId>(s)?;
    round_trips::<UserId>(s)?;
    round_trips::<OrganizationId>(s)
}

/// Percent-decoding, for checking `percent::encode`.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')
}

// ---- properties ---------------------------------------------------------------------------------

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    // ---- identifiers ----

    #[test]
    fn account_and_user_ids_parse_only_their_shape(s in id_like()) {
        let hex8 = |r: &str| r.len() == 8 && r.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        // Account ids ignore surrounding blanks; user ids are taken as they are.
        let t = s.trim();
        prop_assert_eq!(AccountId::parse(&s).is_some(), t.strip_prefix("act-").is_some_and(hex8), "{:?}", s);
        prop_assert_eq!(UserId::parse(&s).is_some(), s.strip_prefix("u-").is_some_and(hex8), "{:?}", s);
        if let Some(id) = AccountId::parse(&s) {
            let t = id.as_str();
            prop_assert!(t.len() == 12 && t.starts_with("act-"), "{:?}", t);
            prop_assert!(t[4..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            prop_assert_eq!(AccountId::parse(t), Some(id.clone()));
            prop_assert_eq!(id.to_string(), t);
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<AccountId>(&json).unwrap(), id);
        }
        // Serde accepts exactly what `parse` accepts.
        let as_json = serde_json::to_string(&s).unwrap();
        prop_assert_eq!(serde_json::from_str::<AccountId>(&as_json).ok(), AccountId::parse(&s));
        prop_assert_eq!(serde_json::from_str::<UserId>(&as_json).ok(), UserId::parse(&s));
        if let Some(u) = UserId::parse(&s) {
            prop_assert_eq!(UserId::parse(u.as_str()), Some(u.clone()));
            prop_assert_eq!(u.as_str(), s.as_str());
        }
    }

    #[test]
    fn ids_from_bits_always_parse(bits in any::<u32>()) {
        let a = AccountId::from_bits(bits);
        prop_assert_eq!(AccountId::parse(a.as_str()), Some(a.clone()));
        prop_assert_eq!(u32::from_str_radix(&a.as_str()[4..], 16).unwrap(), bits);
        let u = UserId::from_bits(bits);
        prop_assert_eq!(UserId::parse(u.as_str()), Some(u.clone()));
    }

    #[test]
    fn organization_ids_are_twelve_digits_as_number_or_string(s in id_like(), n in any::<u64>()) {
        // Exactly twelve digits (not starting with 0), surrounding blanks ignored.
        let t = s.trim();
        let twelve = t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit()) && !t.starts_with('0');
        prop_assert_eq!(OrganizationId::parse(&s).is_some(), twelve, "{:?}", s);
        if let Some(o) = OrganizationId::parse(&s) {
            prop_assert_eq!(o.get().to_string(), s.trim());
            prop_assert_eq!(OrganizationId::parse(&o.to_string()), Some(o));
        }
        let in_range = (OrganizationId::MIN..=OrganizationId::MAX).contains(&n);
        prop_assert_eq!(OrganizationId::new(n).is_some(), in_range);
        let from_number = serde_json::from_str::<OrganizationId>(&n.to_string()).ok();
        let from_string = serde_json::from_str::<OrganizationId>(&format!("\"{n}\"")).ok();
        prop_assert_eq!(from_number, OrganizationId::new(n));
        prop_assert_eq!(from_string, OrganizationId::new(n));
        if let Some(o) = from_number {
            let json = serde_json::to_string(&o).unwrap();
            prop_assert_eq!(json, format!("\"{n}\""));
        }
    }

    #[test]
    fn partitions_parse_exactly_their_names(s in prop_oneof![text(), "aws(-cn|-us-gov|-iso|-iso-b)?", "AWS(-CN)?"]) {
        if let Some(p) = Partition::parse(&s) {
            prop_assert_eq!(p.as_str(), s.as_str());
            prop_assert_eq!(p.to_string(), s);
            prop_assert_eq!(Partition::from_choice(p.environment()), p);
        }
    }

    // ---- the envelope decoder ----

    #[test]
    fn envelope_decoder_never_panics_on_text(s in prop_oneof![text(), "[{}\\[\\]\":,0-9a-z ]{0,80}"]) {
        decode_is_consistent(&s)?;
    }

    #[test]
    fn envelopes_round_trip(env in envelope(), pretty in any::<bool>()) {
        let s = if pretty {
            serde_json::to_string_pretty(&env).unwrap()
        } else {
            serde_json::to_string(&env).unwrap()
        };
        let back: Envelope<Value> = serde_json::from_str(&s).unwrap();
        prop_assert_eq!(&back, &env);
        let (errors, id) = decode_errors(&s).unwrap();
        prop_assert_eq!(errors, env.response.errors.clone().unwrap_or_default());
        prop_assert_eq!(id, env.request.id.clone());
        prop_assert_eq!(
            decode_items::<Value>(&s).unwrap(),
            env.response.items.clone().unwrap_or_default()
        );
    }

    #[test]
    fn mutated_envelopes_never_panic_and_round_trip(
        s in envelope().prop_map(|e| serde_json::to_string(&e).unwrap()).prop_flat_map(mutate)
    ) {
        decode_is_consistent(&s)?;
    }

    #[test]
    fn any_json_value_as_an_envelope_or_dto(v in json_value()) {
        let s = v.to_string();
        decode_is_consistent(&s)?;
        every_dto(&s)?;
    }

    #[test]
    fn mutated_dtos_never_panic_and_round_trip(
        s in prop_oneof![
            Just(json!({"accountId": "act-1a2b3c4d", "name": "<b>x</b>", "organizationId": "606079874744",
                        "providerExternalId": null, "cloudProvider": "aws", "createdAt": "2026-11-22T10:43:42.538Z"})),
            Just(json!({"id": "act-1a2b3c4d", "name": "n", "organizationId": 606079874744u64})),
            Just(json!({"accessToken": "t", "tokenType": "Bearer", "user": {"userId": "u-1a2b3c4d",
                        "fullName": "Ada", "email": "a@b.co", "organizationId": "606079874744",
                        "organizationName": "O", "role": "admin", "defaultAccountId": "act-1a2b3c4d"}})),
            Just(json!({"credentials": {"iamRole": "arn:aws:iam::123456789012:role/x", "externalId": "e"}})),
            Just(json!({"clientId": "c", "clientSecret": "s", "tenantId": "t", "subscriptionId": "s",
                        "expirationDate": "2027-01-01"})),
        ]
        .prop_map(|v| v.to_string())
        .prop_flat_map(mutate)
    ) {
        every_dto(&s)?;
        decode_is_consistent(&s)?;
    }

    // ---- generators that embed user values ----

    #[test]
    fn url_encoding_is_reversible_and_unreserved(s in text()) {
        let e = onramp_core::percent::encode(&s);
        prop_assert!(
            e.chars().all(|c| unreserved(c) || c == '%' || c.is_ascii_hexdigit()),
            "{:?}", e
        );
        prop_assert_eq!(percent_decode(&e), Some(s.clone()));
        let url = aws_setup::quick_create_url(
            Partition::Aws, &s, &s, &s, &[(&s, &s), ("ExternalId", &s)],
        );
        // Nothing from the values can add a parameter or end the URL.
        prop_assert_eq!(url.matches('&').count(), 3);
        prop_assert_eq!(url.matches('#').count(), 1);
        prop_assert!(!url.contains(char::is_whitespace));
    }

    #[test]
    fn trust_policies_are_valid_json_with_the_exact_values(principal in text(), external in text()) {
        let p: Value = serde_json::from_str(&aws_setup::trust_policy(&principal, &external)).unwrap();
        let st = &p["Statement"][0];
        prop_assert_eq!(&st["Principal"]["AWS"], &Value::from(principal));
        prop_assert_eq!(&st["Condition"]["StringEquals"]["sts:ExternalId"], &Value::from(external));
        prop_assert_eq!(p["Statement"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn azure_role_definitions_embed_only_validated_guids(s in prop_oneof![
        text(),
        "[{]?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}[}]?",
    ]) {
        if let Ok(guid) = v::azure_guid(&s, "Subscription ID") {
            let d: Value = serde_json::from_str(&azure_setup::custom_role_definition(&guid)).unwrap();
            prop_assert_eq!(&d["AssignableScopes"], &json!([format!("/subscriptions/{guid}")]));
            prop_assert!(guid.chars().all(|c| c.is_ascii_hexdigit() || c == '-'), "{:?}", guid);
        }
        // Even unvalidated text cannot break the JSON.
        let d: Value = serde_json::from_str(&azure_setup::custom_role_definition(&s)).unwrap();
        prop_assert_eq!(&d["AssignableScopes"][0], &Value::from(format!("/subscriptions/{s}")));
    }

    #[test]
    fn gcloud_scripts_embed_only_shell_safe_values(
        s in prop_oneof![text(), "[a-z][a-z0-9-]{4,28}[a-z0-9]", "[ ]?[a-z][a-z0-9'$;`-]{4,28}[ ]?"],
        bits in any::<u32>(),
    ) {
        if let Ok(project) = v::gcp_project_id(&s) {
            let account = AccountId::from_bits(bits);
            let script = gcp_setup::gcloud_script(&project, account.as_str());
            let safe = |v: &str| v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            prop_assert!(safe(&project), "{:?}", project);
            let sa = v::gcp_service_account_name(account.as_str());
            prop_assert!(safe(&sa), "{:?}", sa);
            let project_line = format!("PROJECT_ID='{project}'");
            let sa_line = format!("SA_NAME='{sa}'");
            prop_assert!(script.contains(&project_line));
            prop_assert!(script.contains(&sa_line));
            prop_assert_eq!(
                gcp_setup::gcloud_script_file_name(&project),
                format!("connect-{project}-to-spot.sh")
            );
        }
    }
}

#[test]
fn helpers_are_right() {
    assert_eq!(percent_decode("a%20b%E2%80%AE"), Some("a b\u{202E}".into()));
    assert_eq!(percent_decode("%zz"), None);
    let s = serde_json::to_string(&Envelope::<Value>::rate_limited(RequestInfo {
        id: "i".into(),
        url: "/u".into(),
        method: "GET".into(),
        timestamp: "t".into(),
    }))
    .unwrap();
    assert!(decode_errors(&s).is_some());
    assert_eq!(Status::for_code(429).message, "Too Many Requests");
}

/// Guards the dev-dependency feature above: without `float_roundtrip`, serde_json parses
/// long mantissas approximately and the round-trip properties would fail at random.
#[test]
fn long_floats_round_trip_exactly() {
    let exact: f64 = "8637514226042460".parse().unwrap();
    let text = serde_json::to_string(&exact).unwrap();
    let back: f64 = serde_json::from_str(&text).unwrap();
    assert_eq!(back, exact, "{text}");
}
