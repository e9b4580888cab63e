//! Properties of the onboarding drafts: saved drafts never hold a secret, round-trip through
//! JSON, and no sequence of transitions panics or breaks the step rules.

use onramp_core::aws_setup::PolicyProduct;
use onramp_core::dto::{Account, CloudProvider, ExternalId};
use onramp_core::ids::{AccountId, OrganizationId};
use onramp_core::onboarding::*;
use onramp_core::validate::{AgreementType, AwsEnvironment, GcpKey, gcp_key_file};
use proptest::prelude::*;
use serde_json::{Value, json};

/// What marks a secret in generated input; ordinary generated text never contains it.
const MARK: &str = "SECRET";

/// Text a user might type: no uppercase, so it can't spell the marker by chance.
fn text() -> impl Strategy<Value = String> {
    "[a-z0-9 :/@._{}-]{0,24}"
}

fn provider() -> impl Strategy<Value = CloudProvider> {
    prop::sample::select(CloudProvider::ALL.to_vec())
}

fn panel() -> impl Strategy<Value = Panel> {
    prop::sample::select(vec![
        Panel::LinkedAccount,
        Panel::ManagementAccount,
        Panel::FinOps,
        Panel::Automatic,
        Panel::Manual,
        Panel::Policy,
        Panel::Subscription,
        Panel::BillingAccount,
    ])
}

/// A key file whose private key carries the marker.
fn secret_key(project: &str, salt: &str) -> GcpKey {
    let b64: String = salt
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                b as char
            } else {
                'A'
            }
        })
        .collect();
    let body = format!("MIIE{MARK}AA{b64}");
    let body = format!("{body}{}", "A".repeat((4 - body.len() % 4) % 4));
    let email = format!("spot@{project}.iam.gserviceaccount.com");
    let file = json!({
        "type": "service_account",
        "project_id": project,
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"),
        "client_email": email,
        "client_id": "112233445566778899001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": format!("https://www.googleapis.com/robot/v1/metadata/x509/{}", email.replace('@', "%40")),
    });
    gcp_key_file(&serde_json::to_vec(&file).unwrap()).expect("generated key is valid")
}

/// One thing the UI does to a draft. Secret-bearing actions carry the marker.
#[derive(Debug, Clone)]
enum Action {
    ChooseProvider(CloudProvider),
    ChangeProvider,
    MarkConnected(CloudProvider),
    /// A provider's own panel (false) or one of the other kinds beside it (true).
    TogglePanel(CloudProvider, Panel, bool),
    AwsMethod(bool),
    AwsEnvironment(usize),
    AwsCustom(bool),
    AwsProduct(usize, bool),
    AwsRoleArn(String),
    AwsExternalId(String, String),
    GcpProject(String),
    GcpKey(String, String),
    Azure(String, String, String, String),
    AzureSecret(String),
    AzureBilling(bool, String),
    ChooseKind(bool, bool),
    Name(String),
    BeginCreate(String),
    Created(u32),
    CreateFailed,
    OrganizationName(String),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        provider().prop_map(Action::ChooseProvider),
        Just(Action::ChangeProvider),
        provider().prop_map(Action::MarkConnected),
        (provider(), panel(), any::<bool>())
            .prop_map(|(p, q, other)| Action::TogglePanel(p, q, other)),
        any::<bool>().prop_map(Action::AwsMethod),
        (0usize..3).prop_map(Action::AwsEnvironment),
        any::<bool>().prop_map(Action::AwsCustom),
        (0usize..5, any::<bool>()).prop_map(|(i, b)| Action::AwsProduct(i, b)),
        text().prop_map(Action::AwsRoleArn),
        (text(), text()).prop_map(|(a, b)| Action::AwsExternalId(a, b)),
        text().prop_map(Action::GcpProject),
        ("[a-z][a-z0-9-]{4,28}[a-z0-9]", text()).prop_map(|(p, s)| Action::GcpKey(p, s)),
        (text(), text(), text(), text()).prop_map(|(a, b, c, d)| Action::Azure(a, b, c, d)),
        text().prop_map(Action::AzureSecret),
        (any::<bool>(), text()).prop_map(|(b, s)| Action::AzureBilling(b, s)),
        (any::<bool>(), any::<bool>()).prop_map(|(m, e)| Action::ChooseKind(m, e)),
        text().prop_map(Action::Name),
        text().prop_map(Action::BeginCreate),
        any::<u32>().prop_map(Action::Created),
        Just(Action::CreateFailed),
        text().prop_map(Action::OrganizationName),
    ]
}

/// Applies `a` to the shared Connect part, as the UI would. Returns the secret-bearing values
/// the UI handled in memory, so the test can check they really existed.
fn apply_connect(c: &mut ConnectDraft, a: &Action, secrets_seen: &mut Vec<String>) {
    match a {
        Action::ChooseProvider(p) => {
            c.choose_provider(*p);
        }
        Action::ChangeProvider => {
            c.change_provider();
        }
        Action::MarkConnected(p) => c.mark_connected(*p),
        Action::TogglePanel(p, q, other) => {
            let group = if *other {
                PanelGroup::OtherKinds(*p)
            } else {
                PanelGroup::Own(*p)
            };
            c.panels_mut(group).toggle(*q);
        }
        Action::AwsMethod(auto) => {
            c.aws.method = if *auto {
                ConnectMethod::Automatic
            } else {
                ConnectMethod::Manual
            }
        }
        Action::AwsEnvironment(i) => c.aws.choose_environment(AwsEnvironment::ALL[*i]),
        Action::AwsCustom(b) => c.aws.custom_permissions = *b,
        Action::AwsProduct(i, b) => c.aws.set_product(PolicyProduct::ALL[*i], *b),
        Action::AwsRoleArn(s) => c.aws.role_arn_input = s.clone(),
        Action::AwsExternalId(id, until) => {
            c.aws.external_id = Some(ExternalId {
                external_id: id.clone(),
                max_valid_until: until.clone(),
            })
        }
        Action::GcpProject(s) => c.gcp.project_id_input = s.clone(),
        Action::GcpKey(project, salt) => {
            let key = secret_key(project, salt);
            let private = key.to_service_account().private_key.unwrap();
            assert!(private.contains(MARK));
            secrets_seen.push(private);
            c.gcp.remember_key(&key);
        }
        Action::Azure(a, b, s, d) => {
            c.azure.client_id_input = a.clone();
            c.azure.tenant_id_input = b.clone();
            c.azure.subscription_id_input = s.clone();
            c.azure.expiration_date_input = d.clone();
        }
        Action::AzureSecret(s) => {
            // The secret is typed into a password input and used for the request only.
            let secret = format!("{MARK}-{s}");
            if let Ok(body) = c.azure.credentials(&secret, "2026-11-22") {
                assert_eq!(body.client_secret, secret);
            }
            secrets_seen.push(secret);
        }
        Action::AzureBilling(ea, id) => {
            c.azure.agreement_type = Some(if *ea {
                AgreementType::Ea
            } else {
                AgreementType::Mca
            });
            c.azure.billing_account_id_input = id.clone();
        }
        _ => {}
    }
}

fn account(bits: u32, name: &str, created_at: &str) -> Account {
    Account {
        account_id: AccountId::from_bits(bits),
        name: name.to_owned(),
        organization_id: OrganizationId::new(606_079_874_744).unwrap(),
        provider_external_id: None,
        cloud_provider: None,
        created_at: created_at.to_owned(),
    }
}

/// Object keys anywhere in `v`.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.to_lowercase());
                keys(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
        _ => {}
    }
}

fn assert_secret_free(json: &str) -> Result<(), TestCaseError> {
    prop_assert!(!json.contains(MARK), "a secret reached the draft: {json}");
    let v: Value = serde_json::from_str(json).unwrap();
    let mut ks = Vec::new();
    keys(&v, &mut ks);
    for k in ks {
        for bad in ["secret", "privatekey", "private_key", "password", "token"] {
            prop_assert!(
                !k.contains(bad) || k == "privatekeyid",
                "field {k} has no place in a draft"
            );
        }
    }
    Ok(())
}

/// Every form a draft takes in storage: the wizard's own, then each provider's part, which that
/// provider's panel keeps apart. Each is checked free of secrets, and of every secret in `seen`.
fn stored<T: serde::Serialize>(
    whole: &T,
    c: &ConnectDraft,
    seen: &[String],
) -> Result<Vec<String>, TestCaseError> {
    let saved = vec![
        serde_json::to_string(whole).unwrap(),
        serde_json::to_string(&c.aws).unwrap(),
        serde_json::to_string(&c.gcp).unwrap(),
        serde_json::to_string(&c.azure).unwrap(),
    ];
    for json in &saved {
        assert_secret_free(json)?;
        for s in seen {
            prop_assert!(!json.contains(s.as_str()));
        }
    }
    Ok(saved)
}

/// Each provider's part read back into a wizard's draft read from `stored[0]`.
fn read_parts(c: &mut ConnectDraft, stored: &[String]) {
    c.aws = serde_json::from_str(&stored[1]).unwrap();
    c.gcp = serde_json::from_str(&stored[2]).unwrap();
    c.azure = serde_json::from_str(&stored[3]).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn first_run_drafts_never_hold_a_secret_and_round_trip(
        org in text(),
        actions in prop::collection::vec(action(), 0..30),
    ) {
        let mut d = FirstRunDraft::new(&org);
        let mut seen = Vec::new();
        for a in &actions {
            if let Action::OrganizationName(n) = a {
                d.organization_name = n.clone();
            }
            apply_connect(&mut d.connect, a, &mut seen);
            // Invariants after every transition.
            let step = first_incomplete_step(&d);
            if let Some(s) = step {
                prop_assert!(can_enter(s, &d));
            }
            for s in FirstRunStep::ALL {
                prop_assert_eq!(can_enter(s, &d), step.is_none_or(|f| s <= f));
            }
            if d.connect.connected {
                prop_assert!(d.connect.chosen().is_some());
            }
            let route = d.resume_route();
            prop_assert_eq!(FirstRunRoute::parse(&route.path()), Some(route));
        }
        let saved = stored(&d, &d.connect, &seen)?;
        let mut back: FirstRunDraft = serde_json::from_str(&saved[0]).unwrap();
        prop_assert_eq!(first_run_connected(&saved[0]), d.connect.connected);
        read_parts(&mut back.connect, &saved);
        prop_assert_eq!(back, d);
    }

    #[test]
    fn add_account_drafts_never_hold_a_secret_and_keep_their_rules(
        actions in prop::collection::vec(action(), 0..30),
        listing in prop::collection::vec((any::<u32>(), "[A-Za-z ]{0,6}", 0i64..5), 0..6),
    ) {
        let mut d = AddAccountDraft::new(None);
        let mut seen = Vec::new();
        let accounts: Vec<Account> = listing
            .iter()
            .map(|(b, n, h)| account(*b, n, &format!("2026-11-22T1{h}:00:00.000Z")))
            .collect();
        for a in &actions {
            let was_created = d.created_account_id.clone();
            let name_before = d.name_input.clone();
            match a {
                Action::ChooseKind(m, exists) => {
                    let kind = if *m { AccountKind::Management } else { AccountKind::Linked };
                    let ok = d.choose_kind(kind, *exists);
                    prop_assert_eq!(ok, was_created.is_none() && !(*m && *exists));
                }
                Action::Name(n) => {
                    d.set_name_input(n);
                }
                Action::BeginCreate(t) => d.begin_create(&format!("2026-11-22T1{}:00:00.000Z", t.len() % 5)),
                Action::Created(b) => {
                    let ok = d.record_created(AccountId::from_bits(*b));
                    prop_assert_eq!(ok, was_created.as_ref().is_none_or(|id| *id == AccountId::from_bits(*b)));
                }
                Action::CreateFailed => d.create_failed(),
                Action::MarkConnected(_) => {
                    let _ = d.recover_created(&accounts);
                }
                other => apply_connect(&mut d.connect, other, &mut seen),
            }
            // Once created, the account id and name never change, and Kind/Name are closed.
            if let Some(id) = &was_created {
                prop_assert_eq!(d.created_account_id.as_ref(), Some(id));
                prop_assert_eq!(&d.name_input, &name_before);
                prop_assert!(!can_enter(AddAccountStep::Kind, &d));
                prop_assert!(!can_enter(AddAccountStep::Name, &d));
            }
            if let Some(s) = first_incomplete_step(&d) {
                prop_assert!(can_enter(s, &d));
            }
            if let Some(p) = d.connect.chosen().filter(|_| first_incomplete_step(&d) > Some(AddAccountStep::Provider) || first_incomplete_step(&d).is_none()) {
                prop_assert!(providers_offered(d.kind()).contains(&p));
            }
        }
        let saved = stored(&d, &d.connect, &seen)?;
        let mut back: AddAccountDraft = serde_json::from_str(&saved[0]).unwrap();
        read_parts(&mut back.connect, &saved);
        prop_assert_eq!(&back, &d);
        // Resume never opens Kind or Name.
        let acc = account(1, "Prod", "2026-11-22T10:00:00.000Z");
        let step = resume_step(&acc, Some(&d));
        prop_assert!(step >= AddAccountStep::Provider);
    }

    #[test]
    fn arbitrary_json_never_panics_when_loaded(v in arbitrary_json(3)) {
        if let Ok(d) = serde_json::from_value::<FirstRunDraft>(v.clone()) {
            prop_assert_eq!(first_run_connected(&v.to_string()), d.connect.connected);
            let _ = first_incomplete_step(&d);
            let _ = d.clone().open_route(FirstRunRoute::Connect(CloudProvider::Gcp));
            let again: FirstRunDraft = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
            prop_assert_eq!(again, d);
        }
        if let Ok(d) = serde_json::from_value::<AddAccountDraft>(v) {
            let _ = first_incomplete_step(&d);
            let again: AddAccountDraft = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
            prop_assert_eq!(again, d);
        }
    }

    #[test]
    fn route_parsing_never_panics(s in "\\PC{0,40}", p in provider()) {
        let _ = FirstRunRoute::parse(&s);
        let _ = FirstRunRoute::parse(&format!("/welcome/{s}"));
        let r = FirstRunRoute::Connect(p);
        prop_assert_eq!(FirstRunRoute::parse(&r.path()), Some(r));
    }

    #[test]
    fn find_created_by_name_returns_a_newest_match(
        listing in prop::collection::vec((any::<u32>(), prop::sample::select(vec!["Prod", " Prod", "prod", "Dev"]), 0u32..60), 0..8),
        after in 0u32..60,
    ) {
        let accounts: Vec<Account> = listing
            .iter()
            .map(|(b, n, m)| account(*b, n, &format!("2026-11-22T10:{m:02}:00.000Z")))
            .collect();
        let sent = format!("2026-11-22T10:{after:02}:00.000Z");
        let eligible: Vec<&(u32, &str, u32)> = listing
            .iter()
            .filter(|(_, n, m)| n.trim() == "Prod" && *m >= after)
            .collect();
        match find_created_by_name(&accounts, "Prod", &sent) {
            None => prop_assert!(eligible.is_empty()),
            Some(found) => {
                let newest = eligible.iter().map(|(_, _, m)| *m).max().unwrap();
                prop_assert_eq!(found.name.trim(), "Prod");
                prop_assert_eq!(&found.created_at, &format!("2026-11-22T10:{newest:02}:00.000Z"));
            }
        }
    }
}

fn arbitrary_json(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop::sample::select(vec![
            "aws",
            "gcp",
            "azure",
            "linked",
            "management",
            "automatic",
            "manual",
            "govcloud",
            "ocean",
            "policy",
            "act-1a2b3c4d",
            "",
            "x",
        ])
        .prop_map(|s| json!(s)),
    ];
    let names = prop::sample::select(vec![
        "organizationName",
        "connect",
        "provider",
        "providerConfirmed",
        "aws",
        "gcp",
        "azure",
        "connected",
        "method",
        "environment",
        "customPermissions",
        "customProducts",
        "roleArnInput",
        "externalId",
        "panels",
        "key",
        "kind",
        "nameInput",
        "createdAccountId",
        "createSentAt",
        "agreementType",
        "projectId",
    ]);
    leaf.prop_recursive(depth, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(names.clone(), inner, 0..6).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}
