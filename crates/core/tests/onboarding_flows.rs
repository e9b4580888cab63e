//! The first-run wizard and the additional-account flow: every rule and transition.

use onramp_core::aws_setup::{Permissions, PolicyProduct};
use onramp_core::dto::{Account, CloudProvider, ExternalId};
use onramp_core::ids::{AccountId, OrganizationId};
use onramp_core::onboarding::*;
use onramp_core::time::Timestamp;
use onramp_core::validate::{AwsEnvironment, gcp_key_file};
use serde_json::json;

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

const ARN: &str = "arn:aws:iam::123456789012:role/Spot-Role";
const GUID_A: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const GUID_B: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const GUID_C: &str = "16fd2706-8baf-433b-82eb-8c7fada847da";

fn account(id: u32, name: &str, created_at: &str, provider: Option<CloudProvider>) -> Account {
    Account {
        account_id: AccountId::from_bits(id),
        name: name.to_owned(),
        organization_id: OrganizationId::new(606_079_874_744).unwrap(),
        provider_external_id: None,
        cloud_provider: provider,
        created_at: created_at.to_owned(),
    }
}

// ---- providers ------------------------------------------------------------------------------

#[test]
fn providers_have_labels_and_slugs_equal_to_the_wire_value() {
    let labels: Vec<&str> = CloudProvider::ALL.iter().map(|p| p.label()).collect();
    assert_eq!(
        labels,
        [
            "Amazon Web Services",
            "Google Cloud Platform",
            "Microsoft Azure"
        ]
    );
    for p in CloudProvider::ALL {
        assert_eq!(CloudProvider::from_slug(p.slug()), Some(p));
        assert_eq!(serde_json::to_value(p).unwrap(), json!(p.slug()));
        assert!(!p.short_label().is_empty());
    }
    assert_eq!(CloudProvider::from_slug("AWS"), None);
    assert_eq!(CloudProvider::from_slug(""), None);
}

#[test]
fn methods_offered_per_provider() {
    assert_eq!(
        methods_offered(CloudProvider::Aws),
        [ConnectMethod::Automatic, ConnectMethod::Manual]
    );
    // Manual is GCP's recommended way, so it comes first.
    assert_eq!(
        methods_offered(CloudProvider::Gcp)[0],
        ConnectMethod::Manual
    );
    assert!(methods_offered(CloudProvider::Azure).is_empty());
    // Every wizard opens AWS's manual way first (the linked-account panel open).
    assert_eq!(AwsConnectDraft::default().method, ConnectMethod::Manual);
    assert!(
        AwsConnectDraft::default()
            .panels
            .is_open(Panel::LinkedAccount)
    );
    assert_eq!(GcpConnectDraft::default().method, ConnectMethod::Manual);
    assert_eq!(
        ConnectMethod::Manual.label(CloudProvider::Gcp),
        "Manually (recommended)"
    );
}

// ---- first-run wizard ---------------------------------------------------------------------

#[test]
fn first_run_resumes_at_the_first_incomplete_step() {
    let mut d = FirstRunDraft::default();
    assert_eq!(first_incomplete_step(&d), Some(FirstRunStep::Organization));
    d.organization_name = "1234".into(); // no letter: not a valid organization name
    assert_eq!(first_incomplete_step(&d), Some(FirstRunStep::Organization));
    d = FirstRunDraft::new("Acme");
    assert_eq!(first_incomplete_step(&d), Some(FirstRunStep::Provider));
    assert!(d.connect.choose_provider(CloudProvider::Gcp));
    assert_eq!(first_incomplete_step(&d), Some(FirstRunStep::Connect));
    d.connect.mark_connected(CloudProvider::Gcp);
    assert_eq!(first_incomplete_step(&d), None);
}

#[test]
fn first_run_deep_links_need_every_earlier_step() {
    let fresh = FirstRunDraft::default();
    assert!(can_enter(FirstRunStep::Organization, &fresh));
    assert!(!can_enter(FirstRunStep::Provider, &fresh));
    assert!(!can_enter(FirstRunStep::Connect, &fresh));
    let mut d = FirstRunDraft::new("Acme");
    assert!(can_enter(FirstRunStep::Provider, &d));
    assert!(!can_enter(FirstRunStep::Connect, &d));
    d.connect.choose_provider(CloudProvider::Aws);
    assert!(can_enter(FirstRunStep::Connect, &d));
    d.connect.change_provider();
    assert!(!can_enter(FirstRunStep::Connect, &d));
    assert!(can_enter(FirstRunStep::Provider, &d));
}

#[test]
fn change_provider_keeps_every_providers_input_and_preselects_the_current_one() {
    let mut d = FirstRunDraft::new("Acme");
    d.connect.choose_provider(CloudProvider::Aws);
    d.connect.aws.role_arn_input = ARN.into();
    d.connect.aws.panels.toggle(Panel::Manual);
    assert!(d.connect.change_provider());
    assert_eq!(d.connect.provider, Some(CloudProvider::Aws));
    assert_eq!(d.connect.chosen(), None);
    d.connect.choose_provider(CloudProvider::Azure);
    d.connect.azure.client_id_input = GUID_A.into();
    d.connect.change_provider();
    d.connect.choose_provider(CloudProvider::Aws);
    assert_eq!(d.connect.aws.role_arn_input, ARN);
    assert!(d.connect.aws.panels.is_open(Panel::Manual));
    assert_eq!(d.connect.azure.client_id_input, GUID_A);
    assert_eq!(d.connect.chosen(), Some(CloudProvider::Aws));
}

#[test]
fn provider_is_fixed_once_connected() {
    let mut d = FirstRunDraft::new("Acme");
    d.connect.choose_provider(CloudProvider::Aws);
    d.connect.mark_connected(CloudProvider::Aws);
    assert!(!d.connect.change_provider());
    assert!(!d.connect.choose_provider(CloudProvider::Gcp));
    assert_eq!(d.connect.chosen(), Some(CloudProvider::Aws));
}

#[test]
fn connected_is_the_provider_written_not_the_one_chosen_now() {
    // Browser Back took the AWS panel away (no provider chosen) while its credentials were on
    // their way; the API accepted them: the draft says connected, with AWS.
    let mut d = FirstRunDraft::new("Acme");
    d.connect.choose_provider(CloudProvider::Aws);
    assert!(d.connect.change_provider());
    assert_eq!(d.connect.chosen(), None);
    d.connect.mark_connected(CloudProvider::Aws);
    assert!(d.connect.connected);
    assert_eq!(d.connect.chosen(), Some(CloudProvider::Aws));
    assert_eq!(first_incomplete_step(&d), None);
    // Another provider chosen since: the one written wins.
    let mut d = FirstRunDraft::new("Acme");
    d.connect.choose_provider(CloudProvider::Gcp);
    d.connect.mark_connected(CloudProvider::Aws);
    assert_eq!(d.connect.chosen(), Some(CloudProvider::Aws));
}

#[test]
fn success_drops_what_was_typed_and_keeps_the_outcome() {
    let mut d = FirstRunDraft::new("Acme");
    d.connect.choose_provider(CloudProvider::Aws);
    d.connect.aws.role_arn_input = ARN.into();
    d.connect.azure.client_id_input = GUID_A.into();
    d.connect.mark_connected(CloudProvider::Aws);
    assert!(d.connect.connected);
    assert_eq!(d.connect.chosen(), Some(CloudProvider::Aws));
    assert_eq!(d.connect.aws.role_arn_input, "");
    assert_eq!(d.connect.azure.client_id_input, "");
    assert_eq!(d.organization_name, "Acme");
}

#[test]
fn first_run_routes_round_trip() {
    let routes = [
        (FirstRunRoute::Organization, "/welcome"),
        (FirstRunRoute::Provider, "/welcome/provider"),
        (
            FirstRunRoute::Connect(CloudProvider::Aws),
            "/welcome/connect/aws",
        ),
        (
            FirstRunRoute::Connect(CloudProvider::Gcp),
            "/welcome/connect/gcp",
        ),
        (
            FirstRunRoute::Connect(CloudProvider::Azure),
            "/welcome/connect/azure",
        ),
    ];
    for (r, p) in routes {
        assert_eq!(r.path(), p);
        assert_eq!(FirstRunRoute::parse(p), Some(r));
    }
    assert_eq!(
        FirstRunRoute::parse("/welcome/provider/?x=1"),
        Some(FirstRunRoute::Provider)
    );
    assert_eq!(
        FirstRunRoute::parse("/welcome/"),
        Some(FirstRunRoute::Organization)
    );
    for bad in [
        "/welcomex",
        "/welcome/connect",
        "/welcome/connect/ibm",
        "/welcome/connect/aws/x",
        "/dashboard",
        "",
    ] {
        assert_eq!(FirstRunRoute::parse(bad), None, "{bad}");
    }
    assert_eq!(
        FirstRunRoute::Connect(CloudProvider::Gcp).step(),
        FirstRunStep::Connect
    );
    assert_eq!(FirstRunStep::Connect.number(), 3);
    assert!(FirstRunStep::Provider.label().contains("cloud provider"));
}

#[test]
fn opening_a_route_redirects_when_it_cannot_be_entered() {
    let mut d = FirstRunDraft::new("Acme");
    let aws = FirstRunRoute::Connect(CloudProvider::Aws);
    // Deep link to Connect before choosing: the provider step, nothing chosen implicitly.
    assert_eq!(d.open_route(aws), FirstRunRoute::Provider);
    assert_eq!(d.connect.chosen(), None);
    assert_eq!(
        d.open_route(FirstRunRoute::Organization),
        FirstRunRoute::Organization
    );
    d.connect.choose_provider(CloudProvider::Aws);
    assert_eq!(d.resume_route(), aws);
    assert_eq!(d.open_route(aws), aws);
    // Back/forward across a provider change: the URL's provider wins, input kept.
    d.connect.aws.role_arn_input = ARN.into();
    let gcp = FirstRunRoute::Connect(CloudProvider::Gcp);
    assert_eq!(d.open_route(gcp), gcp);
    assert_eq!(d.connect.chosen(), Some(CloudProvider::Gcp));
    assert_eq!(d.open_route(aws), aws);
    assert_eq!(d.connect.aws.role_arn_input, ARN);
    // Once connected the URL can't switch provider.
    d.connect.mark_connected(CloudProvider::Aws);
    assert_eq!(d.open_route(gcp), aws);
    assert_eq!(d.connect.chosen(), Some(CloudProvider::Aws));
    // No organization (no session yet): everything leads to step 1.
    let mut none = FirstRunDraft::default();
    assert_eq!(none.open_route(aws), FirstRunRoute::Organization);
    assert_eq!(
        none.open_route(FirstRunRoute::Provider),
        FirstRunRoute::Organization
    );
}

// ---- AWS sub-state --------------------------------------------------------------------------

#[test]
fn aws_custom_permissions_follow_the_environment_and_keep_the_selection() {
    let mut a = AwsConnectDraft::default();
    assert_eq!(a.permissions(), Permissions::Default);
    a.custom_permissions = true;
    a.set_product(PolicyProduct::Storage, false);
    a.set_product(PolicyProduct::Ocean, false);
    a.set_product(PolicyProduct::Ocean, true);
    let expected = vec![
        PolicyProduct::ComputeCore,
        PolicyProduct::Ocean,
        PolicyProduct::ElastigroupIntegrations,
        PolicyProduct::ReadOnlyOverview,
    ];
    assert_eq!(a.permissions(), Permissions::Custom(expected.clone()));
    // Back to default and again: the checkboxes are as they were.
    a.custom_permissions = false;
    assert_eq!(a.permissions(), Permissions::Default);
    a.custom_permissions = true;
    assert_eq!(a.custom_products, expected);
    // GovCloud can't customise: the effective permissions are the default.
    a.choose_environment(AwsEnvironment::GovCloud);
    assert!(!a.custom_allowed());
    assert_eq!(a.permissions(), Permissions::Default);
    a.choose_environment(AwsEnvironment::Commercial);
    assert_eq!(a.permissions(), Permissions::Custom(expected));
}

#[test]
fn aws_environment_change_resets_the_stack_but_keeps_the_typed_arn() {
    let mut a = AwsConnectDraft {
        role_arn_input: format!("  {ARN} "),
        stack_launched: true,
        ..AwsConnectDraft::default()
    };
    a.choose_environment(AwsEnvironment::Commercial);
    assert!(a.stack_launched, "same environment: nothing reset");
    let body = a.credentials_request().unwrap();
    assert_eq!(body.credentials.iam_role, ARN);
    assert_eq!(body.credentials.external_id, None);
    a.choose_environment(AwsEnvironment::China);
    assert!(!a.stack_launched);
    assert_eq!(a.role_arn_input, format!("  {ARN} "));
    assert_eq!(a.partition().as_str(), "aws-cn");
    // The commercial ARN no longer matches the partition.
    assert!(a.credentials_request().is_err());
}

#[test]
fn external_id_refresh_follows_max_valid_until() {
    let mut a = AwsConnectDraft::default();
    assert!(a.external_id_needs_refresh(at("2026-11-22T10:00:00.000Z")));
    a.external_id = Some(ExternalId {
        external_id: "abc".into(),
        max_valid_until: "2026-11-22T12:00:00.000Z".into(),
    });
    assert!(!a.external_id_needs_refresh(at("2026-11-22T11:59:59.999Z")));
    assert!(a.external_id_needs_refresh(at("2026-11-22T12:00:00.000Z")));
    // Offsets are instants, not strings: 13:30+02:00 is 11:30Z.
    assert!(!a.external_id_needs_refresh(at("2026-11-22T13:30:00+02:00")));
    // An unreadable `maxValidUntil` is treated as expired.
    a.external_id.as_mut().unwrap().max_valid_until = "not a time".into();
    assert!(a.external_id_needs_refresh(at("2026-11-22T10:00:00.000Z")));
}

// ---- GCP and Azure sub-state ----------------------------------------------------------------

fn gcp_key(private_key: &str) -> onramp_core::validate::GcpKey {
    let file = json!({
        "type": "service_account",
        "project_id": "acme-prod-42",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": private_key,
        "client_email": "spot@acme-prod-42.iam.gserviceaccount.com",
        "client_id": "112233445566778899001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/spot%40acme-prod-42.iam.gserviceaccount.com",
    });
    gcp_key_file(&serde_json::to_vec(&file).unwrap()).expect("a valid key")
}

#[test]
fn gcp_draft_remembers_the_key_summary_only() {
    let pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7+/8=\n-----END PRIVATE KEY-----\n";
    let mut g = GcpConnectDraft::default();
    g.remember_key(&gcp_key(pem));
    let v = serde_json::to_value(&g).unwrap();
    assert_eq!(
        v["key"],
        json!({"projectId": "acme-prod-42",
               "clientEmail": "spot@acme-prod-42.iam.gserviceaccount.com",
               "privateKeyId": "0123456789abcdef0123456789abcdef01234567"})
    );
    assert!(!v.to_string().contains("MIIE"));
    g.project_id_input = "12345".into();
    assert!(g.script(&AccountId::from_bits(1)).is_err());
    g.project_id_input = " acme-prod-42 ".into();
    let s = g.script(&AccountId::from_bits(1)).unwrap();
    assert!(s.contains("PROJECT_ID='acme-prod-42'"));
}

#[test]
fn azure_credentials_are_built_with_the_secret_passed_in() {
    let mut z = AzureConnectDraft {
        client_id_input: format!(" {GUID_A} "),
        tenant_id_input: GUID_B.to_uppercase(),
        subscription_id_input: GUID_C.into(),
        expiration_date_input: "2027-06-30".into(),
        ..AzureConnectDraft::default()
    };
    let c = z.credentials("s3cr3t~value", "2026-11-22").unwrap();
    assert_eq!(c.client_id, GUID_A);
    assert_eq!(c.tenant_id, GUID_B);
    assert_eq!(c.subscription_id, GUID_C);
    assert_eq!(c.client_secret, "s3cr3t~value");
    assert_eq!(
        c.expiration_date.as_deref(),
        Some("2027-06-30T00:00:00.000Z")
    );
    z.client_id_input.clear();
    z.expiration_date_input = "2020-01-01".into();
    let errs = z.credentials("", "2026-11-22").unwrap_err();
    let fields: Vec<AzureField> = errs.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        fields,
        [
            AzureField::ClientId,
            AzureField::ClientSecret,
            AzureField::ExpirationDate
        ]
    );
    assert!(errs[0].1.message.contains("Application (client) ID"));
}

#[test]
fn panels_toggle_without_touching_input() {
    let mut p = Panels::default();
    assert!(!p.is_open(Panel::LinkedAccount));
    assert!(p.toggle(Panel::LinkedAccount));
    assert!(p.is_open(Panel::LinkedAccount));
    p.set_open(Panel::LinkedAccount, true);
    assert_eq!(serde_json::to_value(&p).unwrap(), json!(["linkedAccount"]));
    assert!(!p.toggle(Panel::LinkedAccount));
    assert!(!p.is_open(Panel::LinkedAccount));
    // Unknown panel names (a newer or older build) are dropped, not fatal.
    let p: Panels = serde_json::from_str(
        r#"["policy", "gone", "policy", 3, -1, 1.5, null, true, ["linkedAccount"], {"a": [1]}]"#,
    )
    .unwrap();
    assert_eq!(p, {
        let mut q = Panels::default();
        q.set_open(Panel::Policy, true);
        q
    });
}

#[test]
fn drafts_tolerate_missing_and_unknown_fields() {
    let d: FirstRunDraft = serde_json::from_value(json!({
        "organizationName": "Acme",
        "connect": {"provider": "gcp", "providerConfirmed": true,
                    "aws": {"customProducts": ["ocean", "quantum"], "roleArnInput": ARN},
                    "future": 1}
    }))
    .unwrap();
    assert_eq!(d.connect.chosen(), Some(CloudProvider::Gcp));
    // An older draft's provider part inside it is passed over: the parts are stored apart.
    assert_eq!(d.connect.aws, AwsConnectDraft::default());
    assert_eq!(first_incomplete_step(&d), Some(FirstRunStep::Connect));
    // A provider's part, as its panel stores it, is as lenient.
    let aws: AwsConnectDraft = serde_json::from_value(json!({
        "customProducts": ["ocean", "quantum"], "roleArnInput": ARN, "future": 1
    }))
    .unwrap();
    assert_eq!(aws.custom_products, vec![PolicyProduct::Ocean]);
    assert_eq!(aws.role_arn_input, ARN);
    let empty: FirstRunDraft = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, FirstRunDraft::default());
    let a: AddAccountDraft = serde_json::from_value(json!({"nameInput": "Prod"})).unwrap();
    assert_eq!(a.name_input, "Prod");
    assert_eq!(first_incomplete_step(&a), Some(AddAccountStep::Kind));
    let v = serde_json::to_value(&aws).unwrap();
    assert_eq!(v["customProducts"], json!(["ocean"]));
    assert_eq!(v["roleArnInput"], ARN);
}

// ---- additional account ---------------------------------------------------------------------

#[test]
fn management_kind_is_not_offered_when_one_exists() {
    assert_eq!(
        kinds_offered(false),
        [AccountKind::Linked, AccountKind::Management]
    );
    assert_eq!(kinds_offered(true), [AccountKind::Linked]);
    let mut d = AddAccountDraft::new(None);
    assert!(!d.choose_kind(AccountKind::Management, true));
    assert_eq!(d.kind, None);
    assert!(d.choose_kind(AccountKind::Management, false));
    assert_eq!(d.kind, Some(AccountKind::Management));
    assert_eq!(AccountKind::Management.label(), "Management account");
}

#[test]
fn management_accounts_connect_aws_or_azure_only() {
    assert_eq!(providers_offered(AccountKind::Linked), CloudProvider::ALL);
    assert_eq!(
        providers_offered(AccountKind::Management),
        [CloudProvider::Aws, CloudProvider::Azure]
    );
    let mut d = AddAccountDraft::new(Some(AccountKind::Linked));
    d.connect.choose_provider(CloudProvider::Gcp);
    // Switching to management drops the GCP choice (it isn't offered there).
    assert!(d.choose_kind(AccountKind::Management, false));
    assert_eq!(d.connect.chosen(), None);
    // A stale GCP choice in a management draft does not complete the provider step.
    d.record_created(AccountId::from_bits(7));
    d.connect.choose_provider(CloudProvider::Gcp);
    assert_eq!(first_incomplete_step(&d), Some(AddAccountStep::Provider));
    d.connect.choose_provider(CloudProvider::Azure);
    assert_eq!(first_incomplete_step(&d), Some(AddAccountStep::Connect));
}

#[test]
fn add_account_steps_in_order() {
    let mut d = AddAccountDraft::new(None);
    assert_eq!(first_incomplete_step(&d), Some(AddAccountStep::Kind));
    assert!(can_enter(AddAccountStep::Kind, &d));
    assert!(!can_enter(AddAccountStep::Name, &d));
    d.choose_kind(AccountKind::Linked, true);
    assert_eq!(first_incomplete_step(&d), Some(AddAccountStep::Name));
    assert!(d.set_name_input("  Production  "));
    // Typing a name is not creating the account.
    assert_eq!(first_incomplete_step(&d), Some(AddAccountStep::Name));
    assert!(!can_enter(AddAccountStep::Provider, &d));
    assert_eq!(d.create_request().unwrap().account.name, "Production");
    d.record_created(AccountId::from_bits(0xabc));
    assert_eq!(first_incomplete_step(&d), Some(AddAccountStep::Provider));
    d.connect.choose_provider(CloudProvider::Aws);
    assert_eq!(first_incomplete_step(&d), Some(AddAccountStep::Connect));
    d.connect.mark_connected(CloudProvider::Aws);
    assert_eq!(first_incomplete_step(&d), None);
    for s in AddAccountStep::ALL {
        assert_eq!(AddAccountStep::from_slug(s.slug()), Some(s));
        assert!(!s.label().is_empty());
    }
    assert_eq!(AddAccountStep::Connect.number(), 4);
}

#[test]
fn once_created_kind_and_name_are_done_and_locked() {
    let mut d = AddAccountDraft::new(Some(AccountKind::Linked));
    d.set_name_input("Prod");
    d.record_created(AccountId::from_bits(1));
    assert!(!can_enter(AddAccountStep::Kind, &d));
    assert!(!can_enter(AddAccountStep::Name, &d));
    assert!(can_enter(AddAccountStep::Provider, &d));
    assert!(!d.choose_kind(AccountKind::Management, false));
    assert!(!d.set_name_input("Other"));
    assert_eq!(d.name_input, "Prod");
    // The account exists: another id (a duplicate from a retry) does not replace it.
    assert!(!d.record_created(AccountId::from_bits(2)));
    assert!(d.record_created(AccountId::from_bits(1)));
    assert_eq!(d.created_account_id, Some(AccountId::from_bits(1)));
    // Even without a kind recorded (an older draft), an existing account has passed Kind.
    d.kind = None;
    assert_eq!(first_incomplete_step(&d), Some(AddAccountStep::Provider));
}

#[test]
fn create_request_refuses_an_invalid_name() {
    let mut d = AddAccountDraft::new(Some(AccountKind::Linked));
    d.set_name_input("   ");
    assert!(d.create_request().is_err());
    d.set_name_input("123");
    assert!(d.create_request().unwrap_err().message.contains("letter"));
}

#[test]
fn resume_step_for_a_not_connected_account() {
    let acc = account(0x1a2b3c4d, "Prod", "2026-11-22T10:00:00.000Z", None);
    assert_eq!(resume_step(&acc, None), AddAccountStep::Provider);
    let mut saved = AddAccountDraft::new(Some(AccountKind::Linked));
    saved.set_name_input("Prod");
    saved.record_created(acc.account_id.clone());
    saved.connect.aws.role_arn_input = ARN.into();
    assert_eq!(resume_step(&acc, Some(&saved)), AddAccountStep::Provider);
    saved.connect.choose_provider(CloudProvider::Aws);
    assert_eq!(resume_step(&acc, Some(&saved)), AddAccountStep::Connect);
    // Another account's draft is ignored.
    let other = account(0x99, "Prod", "2026-11-22T10:00:00.000Z", None);
    assert_eq!(resume_step(&other, Some(&saved)), AddAccountStep::Provider);
    let fresh = AddAccountDraft::resume(&other, Some(&saved));
    assert_eq!(fresh.created_account_id, Some(other.account_id.clone()));
    assert_eq!(fresh.name_input, "Prod");
    assert_eq!(fresh.connect.aws.role_arn_input, "");
    // The saved draft comes back whole, typed input included.
    let back = AddAccountDraft::resume(&acc, Some(&saved));
    assert_eq!(back, saved);
    // A connected account has nothing earlier to do.
    let connected = account(
        5,
        "X",
        "2026-11-22T10:00:00.000Z",
        Some(CloudProvider::Azure),
    );
    assert_eq!(resume_step(&connected, None), AddAccountStep::Connect);
    let d = AddAccountDraft::resume(&connected, None);
    assert_eq!(first_incomplete_step(&d), None);
}

#[test]
fn find_created_by_name_matches_the_normalised_name_after_the_request() {
    let sent = "2026-11-22T10:00:00.000Z";
    let accounts = vec![
        account(1, "Prod", "2026-11-22T09:59:59.999Z", None), // before the request
        account(2, "prod", "2026-11-22T10:00:01.000Z", None), // another name
        account(3, "Prod", "2026-11-22T10:00:00.000Z", None), // exactly at send time
        account(4, "Prod", "2026-11-22T10:00:02.000Z", None), // newest match
        account(5, "Prod", "yesterday", None),                // unreadable
        account(6, "Prodution", "2026-11-22T10:00:03.000Z", None),
    ];
    let found = find_created_by_name(&accounts, "  Prod ", sent).unwrap();
    assert_eq!(found.account_id, AccountId::from_bits(4));
    let found = find_created_by_name(&accounts[..3], "Prod", sent).unwrap();
    assert_eq!(found.account_id, AccountId::from_bits(3));
    assert!(find_created_by_name(&accounts[..2], "Prod", sent).is_none());
    assert!(find_created_by_name(&accounts, "Prod", "garbage").is_none());
    assert!(find_created_by_name(&accounts, "", sent).is_none());
    // Instants, not strings: 11:00+01:00 is 10:00Z.
    let found = find_created_by_name(&accounts[..3], "Prod", "2026-11-22T11:00:00+01:00");
    assert_eq!(found.unwrap().account_id, AccountId::from_bits(3));
}

#[test]
fn a_lost_create_answer_is_recovered_from_the_listing() {
    let mut d = AddAccountDraft::new(Some(AccountKind::Linked));
    d.set_name_input("Prod");
    let accounts = vec![account(4, "Prod", "2026-11-22T10:00:02.000Z", None)];
    // Nothing sent: nothing to recover.
    assert_eq!(d.recover_created(&accounts), None);
    d.begin_create("2026-11-22T10:00:03.000Z");
    assert_eq!(d.recover_created(&accounts), None); // created before this request
    assert!(!d.is_created());
    d.begin_create("2026-11-22T10:00:00.000Z");
    assert_eq!(d.recover_created(&accounts), Some(AccountId::from_bits(4)));
    assert!(d.is_created());
    assert_eq!(d.create_sent_at, None);
    // Once created, begin_create does nothing and recovery answers the known id.
    d.begin_create("2026-11-22T11:00:00.000Z");
    assert_eq!(d.create_sent_at, None);
    assert_eq!(d.recover_created(&[]), Some(AccountId::from_bits(4)));
    let mut failed = AddAccountDraft::new(None);
    failed.begin_create("2026-11-22T10:00:00.000Z");
    failed.create_failed();
    assert_eq!(failed.recover_created(&accounts), None);
}

#[test]
fn a_lost_create_is_recovered_by_the_name_it_was_sent_with() {
    let mut d = AddAccountDraft::new(Some(AccountKind::Linked));
    d.set_name_input("Prod");
    d.begin_create("2026-11-22T10:00:00.000Z");
    // The answer is lost; the user edits the name before pressing Create account again.
    d.set_name_input("Prod EU");
    let accounts = vec![account(4, "Prod", "2026-11-22T10:00:02.000Z", None)];
    assert_eq!(d.recover_created(&accounts), Some(AccountId::from_bits(4)));
    assert!(
        d.is_created(),
        "the account the first press made, not a second one"
    );
    assert_eq!(d.name_input, "Prod", "shown under the name it has");
    assert_eq!(d.create_sent_name, None);
    // Kept across a reload while the answer is unknown.
    let mut pending = AddAccountDraft::new(Some(AccountKind::Linked));
    pending.set_name_input("Staging");
    pending.begin_create("2026-11-22T10:00:00.000Z");
    let reloaded: AddAccountDraft =
        serde_json::from_str(&serde_json::to_string(&pending).unwrap()).unwrap();
    assert_eq!(reloaded.create_sent_name.as_deref(), Some("Staging"));
}

#[test]
fn create_account_attempts_share_one_idempotency_key_per_name() {
    let mut d = AddAccountDraft::new(Some(AccountKind::Linked));
    d.set_name_input("Prod");
    let first = d.create_key(|| "key-1".into());
    assert_eq!(first, "key-1");
    // A retry of the same request keeps its key, across a save and a reload of the draft.
    let mut reloaded: AddAccountDraft =
        serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!(reloaded.create_key(|| "key-2".into()), "key-1");
    // Typing the same name again is not another request.
    reloaded.set_name_input("Prod");
    assert_eq!(reloaded.create_key(|| "key-3".into()), "key-1");
    // Another name is: it gets a new key.
    reloaded.set_name_input("Staging");
    assert_eq!(reloaded.create_key(|| "key-4".into()), "key-4");
    // A definite failure ends the request; the next attempt is a new one.
    reloaded.create_failed();
    assert_eq!(reloaded.create_key(|| "key-5".into()), "key-5");
    // Once created, the key is spent.
    reloaded.record_created(AccountId::from_bits(9));
    assert_eq!(reloaded.create_key, None);
    // A draft without a pending key says nothing about one.
    assert!(
        !serde_json::to_string(&reloaded)
            .unwrap()
            .contains("createKey")
    );
}
