//! The Google Cloud panels: the draft's GCP part, and key-file parsing on a real
//! RSA key generated for the test.

use onramp_core::ids::AccountId;
use onramp_core::onboarding::{
    ConnectMethod, FirstRunDraft, GcpConnectDraft, GcpKeySummary, Panel,
};
use onramp_core::validate::gcp_key_file;
use serde_json::json;
use std::process::Command;

/// A fresh 2048-bit RSA key as PKCS#8 PEM ("BEGIN PRIVATE KEY"), the way Google writes it.
/// openssl is part of the toolchain here (Debian's base image has it).
fn real_pem() -> String {
    let out = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ])
        .output()
        .expect("openssl is needed to generate a real RSA key for this test");
    assert!(out.status.success(), "openssl failed: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn key_file(pem: &str, project: &str, email: &str) -> Vec<u8> {
    serde_json::to_vec_pretty(&json!({
        "type": "service_account",
        "project_id": project,
        "private_key_id": "5f1e2d3c4b5a69788796a5b4c3d2e1f001234567",
        "private_key": pem,
        "client_email": email,
        "client_id": "104823452134567890123",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": format!("https://www.googleapis.com/robot/v1/metadata/x509/{}", email.replace('@', "%40")),
        "universe_domain": "googleapis.com"
    }))
    .unwrap()
}

#[test]
fn a_real_generated_key_parses_and_its_summary_has_no_secret() {
    let pem = real_pem();
    assert!(
        pem.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "{}",
        &pem[..40]
    );
    let email = "spotinst-role-act-1a2b3c4d@acme-prod-42.iam.gserviceaccount.com";
    let key = gcp_key_file(&key_file(&pem, "acme-prod-42", email)).expect("a real key is accepted");
    assert_eq!(key.project_id(), "acme-prod-42");
    assert_eq!(key.client_email(), email);
    assert_eq!(
        key.private_key_id(),
        "5f1e2d3c4b5a69788796a5b4c3d2e1f001234567"
    );
    // The request body carries the key exactly as read; the extra field is dropped.
    let body = serde_json::to_value(key.to_service_account()).unwrap();
    assert_eq!(body["private_key"], pem);
    assert_eq!(body["type"], "service_account");
    assert!(body.get("universe_domain").is_none());
    // Neither the debug text nor the draft's summary carries the key.
    assert!(!format!("{key:?}").contains("PRIVATE KEY"));
    let mut draft = FirstRunDraft::default();
    draft.connect.gcp.remember_key(&key);
    let stored = serde_json::to_string(&draft).unwrap();
    assert!(!stored.contains("PRIVATE KEY"), "{stored}");
    assert!(!stored.contains(&pem[40..80]));
    assert_eq!(
        draft.connect.gcp.key,
        Some(GcpKeySummary {
            project_id: "acme-prod-42".into(),
            client_email: email.into(),
            private_key_id: "5f1e2d3c4b5a69788796a5b4c3d2e1f001234567".into(),
        })
    );
}

#[test]
fn a_real_key_with_a_broken_body_or_old_rsa_header_is_refused() {
    let pem = real_pem();
    let email = "spot@acme-prod-42.iam.gserviceaccount.com";
    // A character lost in the base64 body.
    let broken = pem.replacen('\n', "\n!", 3);
    let m = gcp_key_file(&key_file(&broken, "acme-prod-42", email))
        .unwrap_err()
        .message;
    assert!(m.contains("damaged"), "{m}");
    // PKCS#1 ("BEGIN RSA PRIVATE KEY") is not what Google issues.
    let rsa = pem
        .replace("BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY")
        .replace("END PRIVATE KEY", "END RSA PRIVATE KEY");
    let m = gcp_key_file(&key_file(&rsa, "acme-prod-42", email))
        .unwrap_err()
        .message;
    assert!(m.contains("“BEGIN RSA PRIVATE KEY” block"), "{m}");
    // The right key of another project's service account.
    let m = gcp_key_file(&key_file(
        &pem,
        "acme-prod-42",
        "spot@other-proj-1.iam.gserviceaccount.com",
    ))
    .unwrap_err()
    .message;
    assert!(m.contains("“other-proj-1”"), "{m}");
}

#[test]
fn the_linked_panel_and_the_manual_way_start_open() {
    let g = GcpConnectDraft::default();
    assert_eq!(g.method, ConnectMethod::Manual);
    assert!(g.panels.is_open(Panel::LinkedAccount));
    assert!(g.panels.is_open(Panel::Manual));
    assert!(!g.panels.is_open(Panel::Automatic));
    // A draft saved with every panel closed stays closed.
    let closed: GcpConnectDraft = serde_json::from_value(json!({"panels": []})).unwrap();
    assert!(!closed.panels.is_open(Panel::LinkedAccount));
    // An older draft without the field gets the default.
    let old: GcpConnectDraft =
        serde_json::from_value(json!({"projectIdInput": "acme-prod-42"})).unwrap();
    assert!(old.panels.is_open(Panel::Manual));
    assert_eq!(old.project_id_input, "acme-prod-42");
}

#[test]
fn forgetting_a_key_and_noticing_a_key_of_another_project() {
    let pem = real_pem();
    let key = gcp_key_file(&key_file(
        &pem,
        "acme-prod-42",
        "spot@acme-prod-42.iam.gserviceaccount.com",
    ))
    .unwrap();
    let mut g = GcpConnectDraft::default();
    g.remember_key(&key);
    assert!(g.key.is_some());
    g.forget_key();
    assert_eq!(g.key, None);

    // Nothing typed, or not a valid project: nothing to compare.
    assert_eq!(g.typed_project_differs("acme-prod-42"), None);
    g.project_id_input = "Acme Prod".into();
    assert_eq!(g.typed_project_differs("acme-prod-42"), None);
    // The same project (trimmed): fine.
    g.project_id_input = " acme-prod-42 ".into();
    assert_eq!(g.typed_project_differs("acme-prod-42"), None);
    // Another one: named.
    g.project_id_input = "acme-dev-7".into();
    assert_eq!(
        g.typed_project_differs("acme-prod-42").as_deref(),
        Some("acme-dev-7")
    );
}

#[test]
fn the_script_names_the_lowercase_service_account_of_the_spot_account() {
    let g = GcpConnectDraft {
        project_id_input: "acme-prod-42".into(),
        ..GcpConnectDraft::default()
    };
    let id = AccountId::from_bits(0x1a2b_3c4d);
    let s = g.script(&id).unwrap();
    assert!(
        s.contains(&format!(
            "SA_NAME='spotinst-role-{}'",
            id.as_str().to_lowercase()
        )),
        "{s}"
    );
    assert!(s.contains("PROJECT_ID='acme-prod-42'"));
    let bad = GcpConnectDraft {
        project_id_input: "123456".into(),
        ..GcpConnectDraft::default()
    };
    assert!(
        bad.script(&id)
            .unwrap_err()
            .message
            .contains("project number")
    );
}
