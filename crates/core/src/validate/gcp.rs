//! Google Cloud: project IDs, service account IDs and the JSON key file of a service account.

use super::text::{describe_char, excerpt};
use super::{Checked, FieldError, fail};
use crate::dto::GcpServiceAccount;
use serde_json::{Map, Value};
use std::fmt;

const PROJECT_MIN: usize = 6;
const PROJECT_MAX: usize = 30;
const SA_MIN: usize = 6;
const SA_MAX: usize = 30;
/// Real key files are about 2.3 KB; anything this big is the wrong file, and is refused before
/// it is parsed.
pub const KEY_FILE_MAX: usize = 64 * 1024;

const PEM_BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const PEM_END: &str = "-----END PRIVATE KEY-----";
const SA_DOMAIN: &str = ".iam.gserviceaccount.com";
const LEGACY_SA_DOMAIN: &str = "developer.gserviceaccount.com";

/// The nine fields a key file must carry as non-empty strings, in the order Google writes them.
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

/// Shared shape check of project and service account IDs: lowercase letters, digits and
/// hyphens, starting with a letter and not ending with a hyphen. `what` names the field.
fn lower_id(id: &str, what: &str, min: usize, max: usize) -> Checked<()> {
    if let Some(c) = id.chars().find(|c| !c.is_ascii()) {
        return fail(format!("The {what} contains {}.", describe_char(c)));
    }
    if id.bytes().any(|b| b.is_ascii_uppercase()) {
        return fail(format!(
            "The {what} is lowercase: use “{}”.",
            excerpt(&id.to_ascii_lowercase())
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        let c = if c == ' ' {
            "spaces".to_owned()
        } else {
            describe_char(c)
        };
        return fail(format!(
            "The {what} can't contain {c}. It uses lowercase letters, digits and hyphens only."
        ));
    }
    if id.len() < min || id.len() > max {
        return fail(format!(
            "The {what} has {min} to {max} characters; this one has {}.",
            id.len()
        ));
    }
    if !id.starts_with(|c: char| c.is_ascii_lowercase()) {
        return fail(format!("The {what} must start with a lowercase letter."));
    }
    if id.ends_with('-') {
        return fail(format!("The {what} can't end with a hyphen."));
    }
    Ok(())
}

/// GCP project ID: 6–30 characters, `^[a-z][a-z0-9-]{4,28}[a-z0-9]$`, trimmed.
pub fn gcp_project_id(input: &str) -> Checked<String> {
    let id = input.trim();
    if id.is_empty() {
        return fail("Enter the ID of your Google Cloud project, like my-project-123.");
    }
    // Two frequent confusions: the project number and the project's display name.
    if id.bytes().all(|b| b.is_ascii_digit()) {
        return fail(
            "That is a project number. Enter the project ID instead, like my-project-123; both are shown on the project's dashboard.",
        );
    }
    if id.contains(' ') {
        return fail(
            "That looks like the project's name. Enter its ID instead: lowercase, with hyphens, like my-project-123.",
        );
    }
    lower_id(id, "project ID", PROJECT_MIN, PROJECT_MAX)?;
    Ok(id.to_owned())
}

/// GCP service account ID (the part before `@`): 6–30 characters,
/// `^[a-z]([-a-z0-9]*[a-z0-9])$`, trimmed.
pub fn gcp_service_account_id(input: &str) -> Checked<String> {
    let id = input.trim();
    if id.is_empty() {
        return fail("Enter the service account ID, like spot-connector.");
    }
    if let Some((local, _)) = id.split_once('@') {
        return fail(format!(
            "Enter only the part before “@”: {}.",
            excerpt(local)
        ));
    }
    lower_id(id, "service account ID", SA_MIN, SA_MAX)?;
    Ok(id.to_owned())
}

/// The service account Spot's GCP setup creates for a Spot account: `spotinst-role-<account id>`,
/// e.g. `spotinst-role-act-1a2b3c4d`.
pub fn gcp_service_account_name(account_id: &str) -> String {
    format!("spotinst-role-{}", crate::text::lowercase(account_id))
}

/// A checked service account key. Its `Debug` output never shows the private key.
#[derive(Clone, PartialEq, Eq)]
pub struct GcpKey {
    project_id: String,
    private_key_id: String,
    private_key: String,
    client_email: String,
    client_id: String,
    auth_uri: String,
    token_uri: String,
    auth_provider_x509_cert_url: String,
    client_x509_cert_url: String,
}

impl GcpKey {
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    pub fn client_email(&self) -> &str {
        &self.client_email
    }

    pub fn private_key_id(&self) -> &str {
        &self.private_key_id
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The body Spot's `POST /gcp/setup/credentials` expects (type `service_account`, with the
    /// private key). Extra fields of the uploaded file are not carried over.
    pub fn to_service_account(&self) -> GcpServiceAccount {
        GcpServiceAccount {
            kind: "service_account".to_owned(),
            project_id: self.project_id.clone(),
            private_key_id: self.private_key_id.clone(),
            private_key: Some(self.private_key.clone()),
            client_email: self.client_email.clone(),
            client_id: self.client_id.clone(),
            auth_uri: self.auth_uri.clone(),
            token_uri: self.token_uri.clone(),
            auth_provider_x509_cert_url: self.auth_provider_x509_cert_url.clone(),
            client_x509_cert_url: self.client_x509_cert_url.clone(),
        }
    }
}

impl fmt::Debug for GcpKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcpKey")
            .field("project_id", &self.project_id)
            .field("private_key_id", &self.private_key_id)
            .field("private_key", &"<redacted>")
            .field("client_email", &self.client_email)
            .field("client_id", &self.client_id)
            .field("auth_uri", &self.auth_uri)
            .field("token_uri", &self.token_uri)
            .field(
                "auth_provider_x509_cert_url",
                &self.auth_provider_x509_cert_url,
            )
            .field("client_x509_cert_url", &self.client_x509_cert_url)
            .finish()
    }
}

const DOWNLOAD_AGAIN: &str =
    "Create a new JSON key for the service account and upload the downloaded file as it is.";

/// A service account JSON key file, checked in this order: size (≤ 64 KiB, before parsing),
/// text, JSON, an object, `type` = `service_account`, the nine fields as non-empty strings, the
/// private key's PEM framing, the project ID, and the client email's domain. Unknown fields
/// (such as `universe_domain`) are accepted and dropped.
pub fn gcp_key_file(bytes: &[u8]) -> Result<GcpKey, FieldError> {
    if bytes.len() > KEY_FILE_MAX {
        return fail(format!(
            "This file is {} KiB, far larger than a key file (a few KiB, at most 64 KiB). Choose the JSON key file of the service account.",
            bytes.len().div_ceil(1024)
        ));
    }
    let text = key_text(bytes)?;
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return fail(format!(
                "This file is not valid JSON (line {}, column {}). Upload the key file exactly as downloaded, without editing it.",
                e.line(),
                e.column()
            ));
        }
    };
    let Value::Object(obj) = value else {
        return fail(format!(
            "The key file must hold a JSON object ({{ … }}), but it holds {}. Choose the JSON key file of the service account.",
            json_kind(&value)
        ));
    };
    check_type(&obj)?;
    let mut fields: Vec<String> = Vec::with_capacity(KEY_FIELDS.len());
    for name in KEY_FIELDS {
        fields.push(required_string(&obj, name)?);
    }
    let [
        project_id,
        private_key_id,
        private_key,
        client_email,
        client_id,
        auth_uri,
        token_uri,
        auth_provider_x509_cert_url,
        client_x509_cert_url,
    ] = <[String; 9]>::try_from(fields).expect("one value per key field");

    check_private_key(&private_key)?;
    if let Err(e) = gcp_project_id(&project_id) {
        return fail(format!(
            "The key file's project_id “{}” is not a valid project ID: {}",
            excerpt(&project_id),
            e.message
        ));
    }
    check_client_email(&client_email, &project_id)?;

    Ok(GcpKey {
        project_id,
        private_key_id,
        private_key,
        client_email,
        client_id,
        auth_uri,
        token_uri,
        auth_provider_x509_cert_url,
        client_x509_cert_url,
    })
}

/// The file as text, with a leading byte-order mark dropped (some editors add one).
fn key_text(bytes: &[u8]) -> Checked<&str> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return fail(
            "This file is empty. Choose the JSON key file you downloaded for the service account.",
        );
    }
    // A P12 key is DER: it starts with an ASN.1 SEQUENCE tag.
    if bytes.first() == Some(&0x30) && bytes.get(1).is_some_and(|b| *b >= 0x80) {
        return fail(
            "This looks like a P12 key. Spot needs a JSON key: create a new key for the service account and choose JSON as its type.",
        );
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return fail(
            "This file is not text, so it is not a JSON key file. Choose the .json file you downloaded for the service account.",
        );
    };
    if text.contains('\0') {
        return fail(
            "This file contains binary data, so it is not a JSON key file. Choose the .json file you downloaded for the service account.",
        );
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with("-----BEGIN") {
        return fail(
            "This is a bare PEM key, not the JSON key file. Upload the whole .json file that contains the key.",
        );
    }
    Ok(text)
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a true/false value",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn check_type(obj: &Map<String, Value>) -> Checked<()> {
    match obj.get("type") {
        Some(Value::String(t)) if t == "service_account" => Ok(()),
        Some(Value::String(t)) if t == "authorized_user" => fail(
            "This is a user credentials file (written by gcloud for a person's login), not a service account key. Create a key for a service account and upload that file.",
        ),
        Some(Value::String(t)) if t == "external_account" => fail(
            "This is a workload identity federation configuration, not a service account key. Create a JSON key for a service account and upload that file.",
        ),
        Some(Value::String(t)) => fail(format!(
            "The key file's type is “{}”, but it must be “service_account”. Upload a service account key file.",
            excerpt(t)
        )),
        Some(_) => fail("The key file's “type” must be the text “service_account”."),
        None => fail(format!(
            "The file has no “type” field, so it is not a service account key. {DOWNLOAD_AGAIN}"
        )),
    }
}

fn required_string(obj: &Map<String, Value>, name: &str) -> Checked<String> {
    match obj.get(name) {
        None => fail(format!(
            "The key file is missing “{name}”. {DOWNLOAD_AGAIN}"
        )),
        Some(Value::String(s)) if s.trim().is_empty() => fail(format!(
            "The key file's “{name}” is empty. {DOWNLOAD_AGAIN}"
        )),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => fail(format!(
            "The key file's “{name}” must be text, but it is {}. {DOWNLOAD_AGAIN}",
            json_kind(other)
        )),
    }
}

fn check_private_key(pem: &str) -> Checked<()> {
    let key = pem.trim();
    if key.contains("\\n") {
        return fail(format!(
            "The private key has its line breaks written out as “\\n” text, so the file was changed after download. {DOWNLOAD_AGAIN}"
        ));
    }
    if let Some(rest) = key.strip_prefix("-----BEGIN ")
        && !key.starts_with(PEM_BEGIN)
    {
        let label = rest.split("-----").next().unwrap_or("");
        return fail(format!(
            "The private key must be a “BEGIN PRIVATE KEY” block, but this one is a “BEGIN {}” block. {DOWNLOAD_AGAIN}",
            excerpt(label)
        ));
    }
    let Some(body) = key
        .strip_prefix(PEM_BEGIN)
        .and_then(|k| k.strip_suffix(PEM_END))
    else {
        return fail(format!(
            "The private key must be a block from “{PEM_BEGIN}” to “{PEM_END}”. {DOWNLOAD_AGAIN}"
        ));
    };
    let b64: Vec<u8> = body
        .bytes()
        .filter(|b| !matches!(b, b'\n' | b'\r'))
        .collect();
    let data_len = b64.iter().position(|&b| b == b'=').unwrap_or(b64.len());
    let well_formed = !b64.is_empty()
        && b64.len().is_multiple_of(4)
        && b64.len() - data_len <= 2
        && b64[..data_len]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
        && b64[data_len..].iter().all(|&b| b == b'=');
    if !well_formed {
        return fail(format!(
            "The private key's content is damaged: between its BEGIN and END lines there must be base64 text only. {DOWNLOAD_AGAIN}"
        ));
    }
    Ok(())
}

fn check_client_email(email: &str, project_id: &str) -> Checked<()> {
    let Some((id, domain)) = email.split_once('@') else {
        return fail(format!(
            "The key file's client_email “{}” is not an email address. {DOWNLOAD_AGAIN}",
            excerpt(email)
        ));
    };
    let id_ok = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !id_ok {
        return fail(format!(
            "The key file's client_email “{}” does not name a service account. {DOWNLOAD_AGAIN}",
            excerpt(email)
        ));
    }
    if domain == LEGACY_SA_DOMAIN {
        return Ok(());
    }
    match domain.strip_suffix(SA_DOMAIN) {
        Some(p) if p == project_id => Ok(()),
        Some(p) => fail(format!(
            "The key file's client_email belongs to project “{}”, but its project_id is “{}”. The file was changed or mixed up: {DOWNLOAD_AGAIN}",
            excerpt(p),
            excerpt(project_id)
        )),
        None => fail(format!(
            "The key file's client_email must end with “@{project_id}{SA_DOMAIN}” (a service account's address), but it is “{}”. {DOWNLOAD_AGAIN}",
            excerpt(email)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7+/8=\n-----END PRIVATE KEY-----\n";

    fn good() -> Value {
        json!({
            "type": "service_account",
            "project_id": "acme-prod-42",
            "private_key_id": "0123456789abcdef0123456789abcdef01234567",
            "private_key": PEM,
            "client_email": "spot-connector@acme-prod-42.iam.gserviceaccount.com",
            "client_id": "112233445566778899001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/spot-connector%40acme-prod-42.iam.gserviceaccount.com",
            "universe_domain": "googleapis.com"
        })
    }

    fn with(field: &str, v: Value) -> Vec<u8> {
        let mut k = good();
        k[field] = v;
        serde_json::to_vec(&k).unwrap()
    }

    fn without(field: &str) -> Vec<u8> {
        let mut k = good();
        k.as_object_mut().unwrap().remove(field);
        serde_json::to_vec(&k).unwrap()
    }

    fn msg(bytes: &[u8]) -> String {
        match gcp_key_file(bytes) {
            Ok(k) => panic!("accepted {k:?}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn project_ids() {
        for ok in [
            "my-project",
            "a23456",
            "acme-prod-42",
            &format!("a{}", "b".repeat(29)),
        ] {
            assert_eq!(gcp_project_id(ok).unwrap(), ok);
        }
        assert_eq!(gcp_project_id(" my-project\t").unwrap(), "my-project");
        assert!(gcp_project_id("").unwrap_err().message.contains("Enter"));
        assert!(
            gcp_project_id("abcde")
                .unwrap_err()
                .message
                .contains("6 to 30")
        );
        assert!(
            gcp_project_id(&"a".repeat(31))
                .unwrap_err()
                .message
                .contains("31")
        );
        assert!(
            gcp_project_id("1project")
                .unwrap_err()
                .message
                .contains("start with")
        );
        assert!(
            gcp_project_id("-project")
                .unwrap_err()
                .message
                .contains("start with")
        );
        assert!(
            gcp_project_id("project-")
                .unwrap_err()
                .message
                .contains("end with a hyphen")
        );
        let m = gcp_project_id("My-Project").unwrap_err().message;
        assert!(m.contains("“my-project”"), "{m}");
        assert!(
            gcp_project_id("my_project")
                .unwrap_err()
                .message
                .contains("“_”")
        );
        assert!(
            gcp_project_id("123456789012")
                .unwrap_err()
                .message
                .contains("project number")
        );
        assert!(
            gcp_project_id("My Project")
                .unwrap_err()
                .message
                .contains("project's name")
        );
        assert!(
            gcp_project_id("my-prоject")
                .unwrap_err()
                .message
                .contains("U+043E")
        );
    }

    #[test]
    fn service_account_ids() {
        assert_eq!(
            gcp_service_account_id("spot-connector").unwrap(),
            "spot-connector"
        );
        assert_eq!(gcp_service_account_id("abcdef").unwrap(), "abcdef");
        assert!(gcp_service_account_id("abcde").is_err());
        assert!(gcp_service_account_id(&"a".repeat(31)).is_err());
        assert!(gcp_service_account_id(&"a".repeat(30)).is_ok());
        assert!(gcp_service_account_id("spot-").is_err());
        assert!(gcp_service_account_id("9spots").is_err());
        assert!(gcp_service_account_id("Spot-connector").is_err());
        let m = gcp_service_account_id("spot-connector@p.iam.gserviceaccount.com")
            .unwrap_err()
            .message;
        assert!(m.contains("before “@”: spot-connector."), "{m}");
        assert!(gcp_service_account_id(" ").is_err());
    }

    #[test]
    fn service_account_name_for_a_spot_account() {
        assert_eq!(
            gcp_service_account_name("act-1A2B3C4D"),
            "spotinst-role-act-1a2b3c4d"
        );
        assert!(gcp_service_account_id(&gcp_service_account_name("act-1a2b3c4d")).is_ok());
    }

    #[test]
    fn accepts_a_real_shaped_key_and_drops_extras() {
        let key = gcp_key_file(&serde_json::to_vec_pretty(&good()).unwrap()).unwrap();
        assert_eq!(key.project_id(), "acme-prod-42");
        assert_eq!(
            key.client_email(),
            "spot-connector@acme-prod-42.iam.gserviceaccount.com"
        );
        assert_eq!(
            key.private_key_id(),
            "0123456789abcdef0123456789abcdef01234567"
        );
        assert_eq!(key.client_id(), "112233445566778899001");
        let sa = key.to_service_account();
        assert_eq!(sa.kind, "service_account");
        assert_eq!(sa.private_key.as_deref(), Some(PEM));
        let out = serde_json::to_value(&sa).unwrap();
        assert!(out.get("universe_domain").is_none());
        assert_eq!(out["type"], "service_account");
        // What we send validates again to the same key.
        assert_eq!(
            gcp_key_file(&serde_json::to_vec(&sa).unwrap()).unwrap(),
            key
        );
        // A byte-order mark and a legacy address are fine.
        let mut bom = "\u{feff}".as_bytes().to_vec();
        bom.extend(serde_json::to_vec(&good()).unwrap());
        assert!(gcp_key_file(&bom).is_ok());
        let legacy = with(
            "client_email",
            json!("123456789-compute@developer.gserviceaccount.com"),
        );
        assert!(gcp_key_file(&legacy).is_ok());
    }

    #[test]
    fn debug_redacts_the_private_key() {
        let key = gcp_key_file(&serde_json::to_vec(&good()).unwrap()).unwrap();
        let shown = format!("{key:?} {key:#?}");
        assert!(
            !shown.contains("MIIE") && !shown.contains("BEGIN"),
            "{shown}"
        );
        assert!(shown.contains("<redacted>") && shown.contains("acme-prod-42"));
    }

    #[test]
    fn size_is_checked_before_parsing() {
        assert_eq!(KEY_FILE_MAX, 65_536);
        // Invalid JSON past the limit gets the size message, not a parse error.
        let m = msg(&vec![b'{'; 65_537]);
        assert!(m.contains("65 KiB") && m.contains("at most 64 KiB"), "{m}");
        // A valid key padded with whitespace to exactly the limit is still accepted.
        let mut padded = serde_json::to_vec(&good()).unwrap();
        padded.resize(65_536, b' ');
        assert!(gcp_key_file(&padded).is_ok());
        padded.push(b' ');
        assert!(msg(&padded).contains("KiB"));
    }

    #[test]
    fn not_text_not_json_not_an_object() {
        assert!(msg(b"").contains("empty"));
        assert!(msg(b" \n").contains("empty"));
        assert!(msg(&[0xff, 0xfe, 0x00, 0x7b]).contains("not text"));
        assert!(msg(b"{\"type\":\0}").contains("binary"));
        assert!(msg(&[0x30, 0x82, 0x09, 0x8a, 0x02, 0x01]).contains("P12"));
        let m = msg(b"{\"type\": \"service_account\",\n}");
        assert!(m.contains("not valid JSON (line 2"), "{m}");
        assert!(msg(PEM.as_bytes()).contains("bare PEM"));
        assert!(msg(b"[1, 2]").contains("holds a list"));
        assert!(msg(b"\"service_account\"").contains("holds a string"));
        assert!(msg(b"null").contains("holds null"));
    }

    #[test]
    fn type_must_be_service_account() {
        let m = msg(&with("type", json!("authorized_user")));
        assert!(
            m.contains("user credentials file") && m.contains("not a service account key"),
            "{m}"
        );
        assert!(msg(&with("type", json!("external_account"))).contains("workload identity"));
        let m = msg(&with("type", json!("Service_Account")));
        assert!(
            m.contains("“Service_Account”") && m.contains("“service_account”"),
            "{m}"
        );
        assert!(msg(&with("type", json!(1))).contains("must be the text"));
        assert!(msg(&without("type")).contains("no “type” field"));
    }

    #[test]
    fn every_field_is_required_by_name() {
        for field in KEY_FIELDS {
            let m = msg(&without(field));
            assert!(m.contains(&format!("missing “{field}”")), "{field}: {m}");
            let m = msg(&with(field, json!("  ")));
            assert!(m.contains(&format!("“{field}” is empty")), "{field}: {m}");
            let m = msg(&with(field, json!(42)));
            assert!(
                m.contains(&format!("“{field}” must be text")),
                "{field}: {m}"
            );
            assert!(msg(&with(field, Value::Null)).contains(field));
        }
        // Spelled out as well, so that dropping one from KEY_FIELDS fails.
        assert_eq!(KEY_FIELDS.len(), 9);
        for field in ["auth_uri", "token_uri", "client_x509_cert_url", "client_id"] {
            assert!(msg(&without(field)).contains(field));
        }
    }

    #[test]
    fn private_key_framing() {
        let m = msg(&with(
            "private_key",
            json!(PEM.replace("PRIVATE KEY", "RSA PRIVATE KEY")),
        ));
        assert!(m.contains("“BEGIN RSA PRIVATE KEY” block"), "{m}");
        let m = msg(&with("private_key", json!(PEM.replace('\n', "\\n"))));
        assert!(m.contains("“\\n”"), "{m}");
        let no_end = PEM.replace("-----END PRIVATE KEY-----", "");
        assert!(msg(&with("private_key", json!(no_end))).contains("from “-----BEGIN"));
        assert!(msg(&with("private_key", json!("MIIEvQIBADANBgkq"))).contains("block"));
        let empty = "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----";
        assert!(msg(&with("private_key", json!(empty))).contains("damaged"));
        let bad_char = PEM.replace("MIIE", "MI*E");
        assert!(msg(&with("private_key", json!(bad_char))).contains("damaged"));
        let bad_len = PEM.replace("MIIE", "MIIEx");
        assert!(msg(&with("private_key", json!(bad_len))).contains("damaged"));
        let inner_pad = PEM.replace("MIIE", "MI=E");
        assert!(msg(&with("private_key", json!(inner_pad))).contains("damaged"));
        // CRLF line endings and no trailing newline are fine.
        let crlf = PEM.replace('\n', "\r\n");
        assert!(gcp_key_file(&with("private_key", json!(crlf))).is_ok());
        assert!(gcp_key_file(&with("private_key", json!(PEM.trim_end()))).is_ok());
    }

    #[test]
    fn project_and_client_email() {
        let mut k = good();
        k["project_id"] = json!("Acme");
        k["client_email"] = json!("sa@Acme.iam.gserviceaccount.com");
        let m = msg(&serde_json::to_vec(&k).unwrap());
        assert!(
            m.contains("project_id “Acme” is not a valid project ID"),
            "{m}"
        );
        let m = msg(&with(
            "client_email",
            json!("spot@other-project.iam.gserviceaccount.com"),
        ));
        assert!(
            m.contains("“other-project”") && m.contains("“acme-prod-42”"),
            "{m}"
        );
        let m = msg(&with("client_email", json!("spot@gmail.com")));
        assert!(
            m.contains("must end with “@acme-prod-42.iam.gserviceaccount.com”"),
            "{m}"
        );
        assert!(msg(&with("client_email", json!("no-at-sign"))).contains("not an email"));
        assert!(
            msg(&with(
                "client_email",
                json!("@acme-prod-42.iam.gserviceaccount.com")
            ))
            .contains("does not name")
        );
        assert!(
            msg(&with(
                "client_email",
                json!("Spot@acme-prod-42.iam.gserviceaccount.com")
            ))
            .contains("does not name")
        );
    }
}
