//! Property tests of the validation rules: nothing panics, what validates is a fixed point, and
//! generated valid values validate.

use onramp_core::validate::{self as v, AgreementType, AwsEnvironment, Partition};
use proptest::prelude::*;
use proptest::test_runner::Config;

const ENVS: [AwsEnvironment; 3] = [
    AwsEnvironment::Commercial,
    AwsEnvironment::GovCloud,
    AwsEnvironment::China,
];
const AGREEMENTS: [AgreementType; 3] = [
    AgreementType::Ea,
    AgreementType::Mca,
    AgreementType::PayAsYouGo,
];

// ---- strategies -----------------------------------------------------------------------------

/// Strings likely to reach deep branches: the characters identifiers are made of, separators,
/// whitespace, controls and a few look-alikes.
fn near_ascii() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            8 => proptest::char::range('!', '~'),
            2 => Just(':'),
            2 => Just('/'),
            2 => Just('-'),
            1 => Just(' '),
            1 => Just('\n'),
            1 => Just('\u{0}'),
            1 => Just('\u{a0}'),
            1 => Just('а'),
            1 => Just('\u{200b}'),
            1 => Just('é'),
        ],
        0..80,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

/// Anything: arbitrary Unicode (control characters included), sometimes long.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        4 => near_ascii(),
        1 => proptest::collection::vec(any::<char>(), 0..5000).prop_map(|c| c.into_iter().collect()),
        1 => ("[a-z]{1,3}", 0usize..70_000).prop_map(|(s, n)| s.repeat(n / 3 + 1)),
    ]
}

/// A valid ARN's text with one character inserted, removed or replaced.
fn mutate(s: String) -> impl Strategy<Value = String> {
    let len = s.chars().count();
    (0..=len, 0u8..3, any::<char>(), near_ascii()).prop_map(move |(at, how, c, extra)| {
        let mut chars: Vec<char> = s.chars().collect();
        let at = at.min(chars.len());
        match how {
            0 => chars.insert(at, c),
            1 if at < chars.len() => {
                chars.remove(at);
            }
            _ if at < chars.len() => chars[at] = extra.chars().next().unwrap_or(c),
            _ => chars.push(c),
        }
        chars.into_iter().collect()
    })
}

fn env() -> impl Strategy<Value = AwsEnvironment> {
    proptest::sample::select(ENVS.to_vec())
}

/// (environment, account, path, name, arn text)
fn valid_arn() -> impl Strategy<Value = (AwsEnvironment, String, String, String, String)> {
    (
        env(),
        "[0-9]{12}",
        proptest::collection::vec("[A-Za-z0-9_+=,.@-]{1,12}", 0..4),
        "[A-Za-z0-9_+=,.@-]{1,64}",
    )
        .prop_map(|(env, account, segments, name)| {
            let path = if segments.is_empty() {
                "/".to_owned()
            } else {
                format!("/{}/", segments.join("/"))
            };
            let arn = format!(
                "arn:{}:iam::{account}:role{path}{name}",
                Partition::from_choice(env)
            );
            (env, account, path, name, arn)
        })
}

/// Values close to valid ones for every rule, with random padding and case, so that the
/// fixed-point property is exercised on accepted values and not only on refusals.
fn plausible() -> impl Strategy<Value = String> {
    let core = prop_oneof![
        valid_arn().prop_map(|(.., arn)| arn),
        valid_bucket(),
        guid().prop_map(|g| format!("{{{g}}}")),
        guid(),
        (guid(), guid(), 0i64..40_000).prop_map(|(a, b, d)| format!("{a}:{b}_{}", ymd(d))),
        (20_800i64..22_000).prop_map(ymd),
        (20_800i64..22_000, 0u32..24, 0u32..60, "[0-9]{0,6}").prop_map(|(d, h, m, f)| {
            let f = if f.is_empty() { f } else { format!(".{f}") };
            format!("{}T{h:02}:{m:02}:07{f}Z", ymd(d))
        }),
        "[A-Za-z0-9_+=,.@:/-]{1,40}",
        "[a-z][a-z0-9-]{4,28}[a-z0-9]",
        "[0-9]{12}",
        "[0-9]{1,20}",
        "[a-z]{2}-(gov-)?[a-z]{4,9}-[0-9]",
        "[A-Za-z]{2}",
        "[a-zA-Z0-9 /._-]{0,30}",
    ];
    (core, "[ \t\n]{0,2}", "[ \t\n]{0,2}", any::<bool>()).prop_map(|(s, a, b, up)| {
        let s = if up { s.to_uppercase() } else { s };
        format!("{a}{s}{b}")
    })
}

fn is_ip_shaped(s: &str) -> bool {
    let g: Vec<&str> = s.split('.').collect();
    g.len() == 4
        && g.iter()
            .all(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()))
}

fn reserved(s: &str) -> bool {
    ["xn--", "sthree-", "amzn-s3-demo-"]
        .iter()
        .any(|p| s.starts_with(p))
        || ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]
            .iter()
            .any(|x| s.ends_with(x))
}

fn valid_bucket() -> impl Strategy<Value = String> {
    proptest::collection::vec("[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?", 1..5)
        .prop_map(|labels| labels.join("."))
        .prop_filter("3–63 characters, not IP-shaped, not reserved", |s| {
            (3..=63).contains(&s.len()) && !is_ip_shaped(s) && !reserved(s)
        })
}

fn guid() -> impl Strategy<Value = String> {
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
}

/// Standard base64 with padding (the tests' own, so no crate is needed).
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A PEM block framed like Google's: 64-character lines of base64 between the markers.
fn pem(der: &[u8]) -> String {
    let b64 = base64(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

const KEY_FIELDS: [&str; 9] = [
    "project_id",
    "private_key_id",
    "private_key",
    "client_email",
    "client_id",
    "auth_uri",
    "token_uri",
    "auth_provider_x509_cert_url",
    "client_x509_cert_url",
];

/// A key file as Google writes one, with random values in every field.
fn valid_key() -> impl Strategy<Value = serde_json::Value> {
    (
        "[a-z][a-z0-9-]{4,28}[a-z0-9]",
        "[a-z]([-a-z0-9]{4,28})[a-z0-9]",
        proptest::collection::vec(any::<u8>(), 1..1300),
        "[0-9a-f]{40}",
        "[0-9]{21}",
        any::<bool>(),
    )
        .prop_map(|(project, sa, der, key_id, client_id, extra)| {
            let email = format!("{sa}@{project}.iam.gserviceaccount.com");
            let mut key = serde_json::json!({
                "type": "service_account",
                "project_id": project,
                "private_key_id": key_id,
                "private_key": pem(&der),
                "client_email": email,
                "client_id": client_id,
                "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                "token_uri": "https://oauth2.googleapis.com/token",
                "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
                "client_x509_cert_url": format!("https://www.googleapis.com/robot/v1/metadata/x509/{}", email.replace('@', "%40")),
            });
            if extra {
                key["universe_domain"] = "googleapis.com".into();
            }
            key
        })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm), computed
/// independently of the code under test.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn ymd(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

// ---- nothing panics -------------------------------------------------------------------------

fn run_every_text_validator(s: &str) {
    let _ = v::country(s);
    for env in ENVS {
        let _ = v::role_arn(s, env);
    }
    let _ = v::aws_account_id(s);
    let _ = v::external_id(s);
    let _ = v::s3_bucket_name(s);
    let _ = v::s3_path_prefix(s);
    let _ = v::aws_region(s);
    let _ = v::partition_of_region(s);
    let _ = v::gcp_project_id(s);
    let _ = v::gcp_service_account_id(s);
    let _ = v::gcp_service_account_name(s);
    let _ = v::gcp_key_file(s.as_bytes());
    let _ = v::azure_guid(s, "subscription ID");
    let _ = v::azure_client_secret(s);
    let _ = v::secret_looks_like_secret_id(s);
    let _ = v::secret_expiration(s, "2026-11-22");
    let _ = v::secret_expiration("2027-01-01", s);
    for a in AGREEMENTS {
        let _ = v::billing_account_id(a, s);
    }
    let _ = v::full_name(s);
    let _ = v::organization_name(s);
    let _ = v::account_name(s);
    let _ = v::email(s);
    let _ = v::password(s);
    let _ = onramp_core::countries::name_of(s);
}

proptest! {
    #![proptest_config(Config { cases: 400, ..Config::default() })]

    #[test]
    fn no_validator_panics_on_any_text(s in any_text()) {
        run_every_text_validator(&s);
    }

    #[test]
    fn no_validator_panics_near_valid_values(
        s in valid_arn().prop_flat_map(|(_, _, _, _, arn)| mutate(arn))
    ) {
        run_every_text_validator(&s);
    }

    #[test]
    fn expiration_never_panics_on_date_like_text(
        s in "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,10})?Z?)?",
        t in "[0-9]{4}-[0-9]{2}-[0-9]{2}",
    ) {
        let _ = v::secret_expiration(&s, &t);
        let _ = v::billing_account_id(AgreementType::Mca, &format!("{}:{}_{s}", "0".repeat(36), "1".repeat(36)));
    }

    #[test]
    fn key_file_never_panics_on_bytes(bytes in prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..2000),
        1 => proptest::collection::vec(any::<u8>(), 60_000..70_000),
    ]) {
        let _ = v::gcp_key_file(&bytes);
    }

    #[test]
    fn key_file_never_panics_on_damaged_keys(
        key in valid_key(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut bytes = serde_json::to_vec(&key).unwrap();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let _ = v::gcp_key_file(&bytes);
    }

    // ---- fixed points -------------------------------------------------------------------------

    #[test]
    fn validated_values_are_fixed_points(s in prop_oneof![1 => any_text(), 3 => plausible()]) {
        type Rule = fn(&str) -> v::Checked<String>;
        let rules: [(&str, Rule); 11] = [
            ("country", v::country),
            ("aws_account_id", v::aws_account_id),
            ("external_id", v::external_id),
            ("s3_bucket_name", v::s3_bucket_name),
            ("s3_path_prefix", v::s3_path_prefix),
            ("aws_region", v::aws_region),
            ("gcp_project_id", v::gcp_project_id),
            ("gcp_service_account_id", v::gcp_service_account_id),
            ("azure_guid", |s| v::azure_guid(s, "tenant ID")),
            ("azure_client_secret", v::azure_client_secret),
            ("secret_expiration", |s| v::secret_expiration(s, "2026-11-22")),
        ];
        for (name, rule) in rules {
            if let Ok(out) = rule(&s) {
                prop_assert_eq!(rule(&out), Ok(out.clone()), "{} is not a fixed point", name);
            }
        }
        for env in ENVS {
            if let Ok(arn) = v::role_arn(&s, env) {
                prop_assert_eq!(v::role_arn(&arn.to_string(), env), Ok(arn));
            }
        }
        for a in AGREEMENTS {
            if let Ok(out) = v::billing_account_id(a, &s) {
                prop_assert_eq!(v::billing_account_id(a, &out), Ok(out.clone()));
            }
        }
    }

    // ---- generated valid values validate ------------------------------------------------------

    #[test]
    fn generated_role_arns_validate((env, account, path, name, arn) in valid_arn(),
                                    pad in "[ \t\r\n]{0,3}") {
        let got = v::role_arn(&format!("{pad}{arn}{pad}"), env).unwrap();
        prop_assert_eq!(got.partition, Partition::from_choice(env));
        prop_assert_eq!(&got.account_id, &account);
        prop_assert_eq!(&got.path, &path);
        prop_assert_eq!(&got.name, &name);
        prop_assert_eq!(got.to_string(), arn.clone());
        // Every other choice of environment is refused, with the reason.
        for other in ENVS.into_iter().filter(|e| *e != env) {
            let m = v::role_arn(&arn, other).unwrap_err().message;
            let expected = format!("must be in the {} partition", Partition::from_choice(other));
            prop_assert!(m.contains(&expected), "{}", m);
        }
    }

    #[test]
    fn role_arns_with_inner_whitespace_are_refused(
        (env, _, _, _, arn) in valid_arn(),
        at in any::<prop::sample::Index>(),
        ws in prop::sample::select(vec![' ', '\t', '\n', '\u{a0}', '\u{2003}']),
    ) {
        let mut chars: Vec<char> = arn.chars().collect();
        let i = 1 + at.index(chars.len() - 1);
        chars.insert(i, ws);
        let s: String = chars.into_iter().collect();
        prop_assert!(v::role_arn(&s, env).is_err());
    }

    #[test]
    fn generated_bucket_names_validate(name in valid_bucket()) {
        prop_assert_eq!(v::s3_bucket_name(&name), Ok(name.clone()));
        prop_assert!(v::s3_bucket_name(&name.to_uppercase()).is_err() || !name.bytes().any(|b| b.is_ascii_lowercase()));
    }

    #[test]
    fn ip_shaped_bucket_names_are_refused(a in 0u16..1000, b in 0u16..1000, c in 0u16..1000, d in 0u16..1000) {
        let name = format!("{a}.{b}.{c}.{d}");
        let m = v::s3_bucket_name(&name).unwrap_err().message;
        prop_assert!(m.contains("IP address"), "{}", m);
    }

    #[test]
    fn generated_guids_validate(g in guid(), braces in any::<bool>(), pad in "[ \t]{0,2}") {
        let input = if braces { format!("{pad}{{{g}}}{pad}") } else { format!("{pad}{g}{pad}") };
        prop_assert_eq!(v::azure_guid(&input, "client ID"), Ok(g.to_ascii_lowercase()));
        prop_assert!(v::secret_looks_like_secret_id(&input));
        prop_assert_eq!(
            v::billing_account_id(AgreementType::PayAsYouGo, &input),
            Ok(g.to_ascii_lowercase())
        );
    }

    #[test]
    fn generated_external_ids_validate(id in "[A-Za-z0-9_+=,.@:/-]{2,1224}") {
        prop_assert_eq!(v::external_id(&id), Ok(id.clone()));
    }

    #[test]
    fn generated_gcp_ids_validate(p in "[a-z][a-z0-9-]{4,28}[a-z0-9]", sa in "[a-z]([-a-z0-9]{4,28})[a-z0-9]") {
        prop_assert_eq!(v::gcp_project_id(&p), Ok(p.clone()));
        prop_assert_eq!(v::gcp_service_account_id(&sa), Ok(sa.clone()));
    }

    #[test]
    fn generated_account_ids_validate(id in "[0-9]{12}", short in "[0-9]{0,11}", long in "[0-9]{13,20}") {
        prop_assert_eq!(v::aws_account_id(&id), Ok(id.clone()));
        prop_assert!(v::aws_account_id(&short).is_err());
        prop_assert!(v::aws_account_id(&long).is_err());
    }

    #[test]
    fn generated_regions_validate(r in "[a-z]{2}-(gov-|iso-|isob-)?(north|south|east|west|central|northeast|southeast)-[1-9]") {
        prop_assert_eq!(v::aws_region(&r), Ok(r.clone()));
        prop_assert_eq!(v::aws_region(&format!(" {} ", r.to_uppercase())), Ok(r.clone()));
        // An availability zone names its region in the refusal.
        let m = v::aws_region(&format!("{r}b")).unwrap_err().message;
        prop_assert!(m.contains(&format!(": {r}.")), "{}", m);
    }

    #[test]
    fn generated_mca_ids_validate(a in guid(), b in guid(), day in 0i64..40_000) {
        let id = format!("{a}:{b}_{}", ymd(day));
        prop_assert_eq!(v::billing_account_id(AgreementType::Mca, &id), Ok(id.to_ascii_lowercase()));
    }

    // ---- dates, against an independent calendar ------------------------------------------------

    #[test]
    fn calendar_dates_match_an_independent_calendar(
        // Biased towards the cases that matter: century years and month ends.
        y in prop_oneof![1i64..=9999, (1i64..=99).prop_map(|c| c * 100), (1i64..=2499).prop_map(|q| q * 4)],
        m in prop_oneof![1i64..=12, Just(2i64)],
        d in prop_oneof![1i64..=31, 28i64..=31],
    ) {
        let days_in_month = days_from_civil(y + i64::from(m == 12), m % 12 + 1, 1) - days_from_civil(y, m, 1);
        let date = format!("{y:04}-{m:02}-{d:02}");
        // Any real date is accepted as a billing date; impossible ones are refused.
        let id = format!("{}:{}_{date}", "0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7");
        prop_assert_eq!(v::billing_account_id(AgreementType::Mca, &id).is_ok(), d <= days_in_month, "{}", date);
    }

    #[test]
    fn expiration_window_matches_an_independent_calendar(today in 0i64..2_900_000, offset in -400i64..1200) {
        let (ty, tm, td) = civil_from_days(today);
        let date = today + offset;
        prop_assume!(civil_from_days(date).0 <= 9999 && ty + 2 <= 9999);
        // Same month and day two years on; 29 February becomes 28 February.
        let limit_day = if tm == 2 && td == 29 { 28 } else { td };
        let limit = days_from_civil(ty + 2, tm, limit_day);
        let got = v::secret_expiration(&ymd(date), &ymd(today));
        prop_assert_eq!(got.is_ok(), date > today && date <= limit, "{} from {}", ymd(date), ymd(today));
        if let Ok(out) = got {
            prop_assert_eq!(out, format!("{}T00:00:00.000Z", ymd(date)));
        }
    }

    // ---- key files -----------------------------------------------------------------------------

    #[test]
    fn generated_key_files_validate(key in valid_key(), pretty in any::<bool>()) {
        let bytes = if pretty { serde_json::to_vec_pretty(&key) } else { serde_json::to_vec(&key) }.unwrap();
        let got = v::gcp_key_file(&bytes).unwrap();
        prop_assert_eq!(got.project_id(), key["project_id"].as_str().unwrap());
        prop_assert_eq!(got.client_email(), key["client_email"].as_str().unwrap());
        prop_assert_eq!(got.private_key_id(), key["private_key_id"].as_str().unwrap());
        let sa = got.to_service_account();
        prop_assert_eq!(sa.private_key.as_deref(), key["private_key"].as_str());
        // What is sent to Spot validates again to the same key, and Debug never shows the key.
        prop_assert_eq!(v::gcp_key_file(&serde_json::to_vec(&sa).unwrap()), Ok(got.clone()));
        let body = key["private_key"].as_str().unwrap().lines().nth(1).unwrap().to_owned();
        let shown = format!("{got:?}");
        prop_assert!(!shown.contains(&body));
    }

    #[test]
    fn every_missing_key_field_is_named(key in valid_key(), which in 0usize..9) {
        let field = KEY_FIELDS[which];
        let mut k = key;
        k.as_object_mut().unwrap().remove(field);
        let m = v::gcp_key_file(&serde_json::to_vec(&k).unwrap()).unwrap_err().message;
        prop_assert!(m.contains(&format!("“{field}”")), "{}", m);
    }

    #[test]
    fn damaged_pem_bodies_are_refused(key in valid_key(), at in any::<prop::sample::Index>(),
                                      bad in prop::sample::select(vec!['*', '-', '!', '\\', '_', 'é'])) {
        let pem_text = key["private_key"].as_str().unwrap().to_owned();
        let lines: Vec<&str> = pem_text.lines().collect();
        let body: String = lines[1..lines.len() - 1].concat();
        let mut chars: Vec<char> = body.chars().collect();
        let i = at.index(chars.len());
        chars[i] = bad;
        let damaged = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", chars.into_iter().collect::<String>());
        let mut k = key;
        k["private_key"] = damaged.into();
        prop_assert!(v::gcp_key_file(&serde_json::to_vec(&k).unwrap()).is_err());
    }
}

#[test]
fn own_helpers_are_right() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(ymd(days_from_civil(2024, 2, 29)), "2024-02-29");
    assert_eq!(ymd(days_from_civil(2024, 2, 29) + 1), "2024-03-01");
    assert_eq!(ymd(0), "1970-01-01");
    assert!(is_ip_shaped("1.2.3.4") && !is_ip_shaped("1.2.3"));
}
