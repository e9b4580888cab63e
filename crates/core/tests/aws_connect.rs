//! The AWS linked-account draft: method panels, waiting for the CloudFormation
//! stack, and the permission choice.

use onramp_core::aws_setup::{Permissions, PolicyProduct, STACK_WAIT_TIMEOUT_MS};
use onramp_core::onboarding::{AwsConnectDraft, ConnectMethod, FirstRunDraft, Panel};
use onramp_core::time::Timestamp;
use onramp_core::validate::AwsEnvironment;

const T0: &str = "2026-11-22T10:00:00.000Z";

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

#[test]
fn the_preferred_method_opens_once_then_the_user_decides() {
    let mut d = AwsConnectDraft {
        method: ConnectMethod::Manual,
        ..AwsConnectDraft::default()
    };
    d.init_method_panels();
    assert!(d.panels.is_open(Panel::Manual));
    assert!(!d.panels.is_open(Panel::Automatic));
    // The user closes it; a later visit (a reload) does not reopen it.
    d.set_method_open(ConnectMethod::Manual, false);
    d.init_method_panels();
    assert!(!d.panels.is_open(Panel::Manual));
    // Opening the automatic way makes it the preferred one; both may be open at once.
    d.set_method_open(ConnectMethod::Automatic, true);
    d.set_method_open(ConnectMethod::Manual, true);
    assert_eq!(d.method, ConnectMethod::Manual);
    assert!(d.panels.is_open(Panel::Automatic) && d.panels.is_open(Panel::Manual));
    assert_eq!(ConnectMethod::Automatic.panel(), Panel::Automatic);
}

#[test]
fn collapsing_a_method_keeps_what_was_typed() {
    let mut d = AwsConnectDraft {
        role_arn_input: "arn:aws:iam::123456789012:role/Spot-Role".into(),
        ..AwsConnectDraft::default()
    };
    d.set_product(PolicyProduct::Storage, false);
    d.set_method_open(ConnectMethod::Manual, true);
    d.set_method_open(ConnectMethod::Manual, false);
    assert_eq!(d.role_arn_input, "arn:aws:iam::123456789012:role/Spot-Role");
    assert!(!d.custom_products.contains(&PolicyProduct::Storage));
}

#[test]
fn waiting_for_the_stack_counts_from_the_launch_and_times_out() {
    let mut d = AwsConnectDraft::default();
    assert_eq!(d.wait_elapsed_ms(at(T0)), None);
    assert!(!d.wait_timed_out(at(T0)));
    d.launch_stack(at(T0));
    assert_eq!(
        d.wait_elapsed_ms(at("2026-11-22T10:01:30.000Z")),
        Some(90_000)
    );
    assert!(!d.wait_timed_out(at("2026-11-22T10:09:59.999Z")));
    assert!(d.wait_timed_out(at("2026-11-22T10:10:00.000Z")));
    assert_eq!(STACK_WAIT_TIMEOUT_MS, 600_000);
    // A clock that went backwards is not a negative wait.
    assert_eq!(d.wait_elapsed_ms(at("2026-11-22T09:00:00.000Z")), Some(0));
    // Cancel stops it; so does another environment (another console, another stack).
    d.stop_waiting();
    assert_eq!(d.wait_elapsed_ms(at(T0)), None);
    d.launch_stack(at(T0));
    d.choose_environment(AwsEnvironment::GovCloud);
    assert!(!d.stack_launched);
    assert_eq!(d.stack_launched_at, None);
    // The same answer again changes nothing.
    d.launch_stack(at(T0));
    d.choose_environment(AwsEnvironment::GovCloud);
    assert!(d.stack_launched);
}

#[test]
fn a_wait_from_an_older_draft_without_a_time_counts_as_just_started() {
    let d: AwsConnectDraft = serde_json::from_str(r#"{"stackLaunched": true}"#).unwrap();
    assert_eq!(d.wait_elapsed_ms(at(T0)), Some(0));
    assert!(!d.method_panels_ready);
}

#[test]
fn the_wait_survives_a_reload_of_the_aws_part() {
    let mut aws = AwsConnectDraft::default();
    aws.launch_stack(at(T0));
    aws.set_method_open(ConnectMethod::Automatic, true);
    aws.role_arn_input = "arn:aws:iam::123456789012:role/x".into();
    let back: AwsConnectDraft =
        serde_json::from_str(&serde_json::to_string(&aws).unwrap()).unwrap();
    assert_eq!(back, aws);
    assert_eq!(
        back.wait_elapsed_ms(at("2026-11-22T10:00:05.000Z")),
        Some(5_000)
    );
    // The wizard's own draft leaves the part out: the AWS panel keeps it on its own.
    let mut d = FirstRunDraft::new("Acme");
    d.connect.aws = aws;
    let wizard: FirstRunDraft = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!(wizard.organization_name, "Acme");
    assert_eq!(wizard.connect.aws, AwsConnectDraft::default());
}

#[test]
fn customising_is_refused_outside_commercial_aws_and_the_selection_is_kept() {
    let mut d = AwsConnectDraft::default();
    assert!(d.choose_custom_permissions(true));
    d.set_product(PolicyProduct::Ocean, false);
    let chosen = d.custom_products.clone();
    assert!(matches!(d.permissions(), Permissions::Custom(ref p) if *p == chosen));

    d.choose_environment(AwsEnvironment::China);
    assert!(!d.custom_allowed());
    assert_eq!(d.permissions(), Permissions::Default);
    assert!(!d.choose_custom_permissions(true));
    // Going back to the default is always allowed.
    assert!(d.choose_custom_permissions(false));
    assert!(!d.custom_permissions);
    assert!(d.choose_custom_permissions(false));

    d.choose_environment(AwsEnvironment::Commercial);
    assert!(d.choose_custom_permissions(true));
    assert_eq!(d.custom_products, chosen, "the checked products are kept");
}
