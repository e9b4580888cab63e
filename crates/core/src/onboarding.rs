//! The first-run wizard and the additional-account flow as pure state
//! machines: which step comes next, which steps a deep link may open, what each transition
//! keeps or resets, and what is kept across reloads.
//!
//! **Drafts never hold a secret.** The types below have no field for a client secret, a private
//! key, a password or a token: the console keeps those in memory only and passes them to the
//! functions that build request bodies ([`AzureConnectDraft::credentials`]). A GCP key is
//! remembered as a [`GcpKeySummary`] (project, email, key ID) — enough to say which file was
//! chosen, so after a reload the user is asked to choose it again. The AWS external ID is not a
//! secret (it is shown on screen and pasted into a trust policy) and is kept.
//!
//! Every draft is `serde(default)`, so a partial or older draft still loads (a wizard draft from
//! before the provider parts were stored apart loads without them); lists of enum values skip
//! names they don't know instead of rejecting the whole draft.

use crate::aws_setup::{Permissions, PolicyProduct};
use crate::dto::{
    Account, AwsCredentials, AwsCredentialsRequest, AzureCredentials, CloudProvider, ExternalId,
    NameOnly, NewAccountRequest,
};
use crate::ids::AccountId;
use crate::time::Timestamp;
use crate::validate::{
    self, AgreementType, AwsEnvironment, FieldError, GcpKey, Partition, RoleArn,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The cloud a Spot account connects to. The same type as the DTO's `cloudProvider`, so the
/// wire value (`aws`, `gcp`, `azure`) is also the URL slug.
pub type Provider = CloudProvider;

impl CloudProvider {
    /// In the order the provider picker shows them.
    pub const ALL: [CloudProvider; 3] =
        [CloudProvider::Aws, CloudProvider::Gcp, CloudProvider::Azure];

    /// The radio label.
    pub fn label(self) -> &'static str {
        match self {
            CloudProvider::Aws => "Amazon Web Services",
            CloudProvider::Gcp => "Google Cloud Platform",
            CloudProvider::Azure => "Microsoft Azure",
        }
    }

    /// A short name for tables and menus.
    pub fn short_label(self) -> &'static str {
        match self {
            CloudProvider::Aws => "AWS",
            CloudProvider::Gcp => "Google Cloud",
            CloudProvider::Azure => "Azure",
        }
    }

    /// The URL segment, equal to the wire value.
    pub fn slug(self) -> &'static str {
        match self {
            CloudProvider::Aws => "aws",
            CloudProvider::Gcp => "gcp",
            CloudProvider::Azure => "azure",
        }
    }

    /// Exactly as [`slug`](Self::slug) writes it.
    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.slug() == s)
    }
}

// ---- generic step rules -----------------------------------------------------------------------

/// A wizard whose steps are done in order. Implemented by both drafts below.
pub trait Wizard {
    type Step: Copy + PartialEq + 'static;
    /// Every step, in order.
    const STEPS: &'static [Self::Step];
    /// The step's answer is given (and still valid).
    fn is_complete(&self, step: Self::Step) -> bool;
    /// A complete step that can no longer be changed (e.g. the account already exists).
    fn is_locked(&self, _step: Self::Step) -> bool {
        false
    }
}

/// Where to resume: the first step that is not complete; `None` when every step is (the flow is
/// finished: go to the dashboard).
pub fn first_incomplete_step<W: Wizard>(draft: &W) -> Option<W::Step> {
    W::STEPS.iter().copied().find(|s| !draft.is_complete(*s))
}

/// Whether `step` may open (deep link, back/forward, a stepper click): every earlier step is
/// complete and the step is not locked.
pub fn can_enter<W: Wizard>(step: W::Step, draft: &W) -> bool {
    if draft.is_locked(step) {
        return false;
    }
    W::STEPS
        .iter()
        .copied()
        .take_while(|s| *s != step)
        .all(|s| draft.is_complete(s))
}

// ---- tolerant lists ---------------------------------------------------------------------------

/// Deserialises a list of names (unit variants or strings), dropping the items that don't parse
/// (an older or newer draft) and repeats. An item is taken as a string or skipped, never held as
/// a JSON value: that type's code would otherwise come with every wizard.
fn lenient_vec<'de, D: Deserializer<'de>, T: DeserializeOwned + PartialEq>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    use serde::de::IntoDeserializer;
    let names = Option::<Vec<Name>>::deserialize(d)?.unwrap_or_default();
    let mut out: Vec<T> = Vec::new();
    for name in names.into_iter().filter_map(|n| n.0) {
        let item: Result<T, serde::de::value::Error> = T::deserialize(name.into_deserializer());
        if let Ok(item) = item
            && !out.contains(&item)
        {
            out.push(item);
        }
    }
    Ok(out)
}

/// An item of a [`lenient_vec`]: its text when it is a string, else nothing (skipped whole).
struct Name(Option<String>);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct AnyItem;
        impl<'de> Visitor<'de> for AnyItem {
            type Value = Name;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: Error>(self, s: &str) -> Result<Name, E> {
                Ok(Name(Some(s.to_owned())))
            }
            fn visit_bool<E: Error>(self, _: bool) -> Result<Name, E> {
                Ok(Name(None))
            }
            fn visit_i64<E: Error>(self, _: i64) -> Result<Name, E> {
                Ok(Name(None))
            }
            fn visit_u64<E: Error>(self, _: u64) -> Result<Name, E> {
                Ok(Name(None))
            }
            fn visit_f64<E: Error>(self, _: f64) -> Result<Name, E> {
                Ok(Name(None))
            }
            fn visit_unit<E: Error>(self) -> Result<Name, E> {
                Ok(Name(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Name, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Name(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Name, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Name(None))
            }
        }
        d.deserialize_any(AnyItem)
    }
}

// ---- panels -----------------------------------------------------------------------------------

/// A collapsible panel (disclosure) inside the Connect step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Panel {
    /// AWS / GCP: the linked (compute) account.
    LinkedAccount,
    /// AWS: the management account (flow E).
    ManagementAccount,
    /// AWS / Azure: FinOps products (flow G).
    FinOps,
    /// AWS / GCP: the automatic way (CloudFormation / gcloud).
    Automatic,
    /// AWS / GCP: the manual way (IAM console / GCP console).
    Manual,
    /// AWS: the policy JSON (**View policy**).
    Policy,
    /// Azure: the subscription (compute).
    Subscription,
    /// Azure: the billing account (Eco).
    BillingAccount,
}

/// Which panels are open. Toggling never touches the typed input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Panels(Vec<Panel>);

impl<'de> Deserialize<'de> for Panels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient_vec(d).map(Panels)
    }
}

impl Panels {
    pub fn is_open(&self, p: Panel) -> bool {
        self.0.contains(&p)
    }

    pub fn set_open(&mut self, p: Panel, open: bool) {
        self.0.retain(|x| *x != p);
        if open {
            self.0.push(p);
        }
    }

    /// Enter/Space on the disclosure button. Returns the new state (true = open).
    pub fn toggle(&mut self, p: Panel) -> bool {
        let open = !self.is_open(p);
        self.set_open(p, open);
        open
    }
}

// ---- connect method ---------------------------------------------------------------------------

/// How a linked account is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectMethod {
    /// AWS: CloudFormation; GCP: the gcloud script.
    Automatic,
    /// AWS: the IAM console; GCP: the Cloud console (recommended).
    Manual,
}

impl ConnectMethod {
    /// The disclosure panel that holds this way of connecting.
    pub fn panel(self) -> Panel {
        match self {
            ConnectMethod::Automatic => Panel::Automatic,
            ConnectMethod::Manual => Panel::Manual,
        }
    }

    pub fn label(self, provider: Provider) -> &'static str {
        match (provider, self) {
            (CloudProvider::Aws, ConnectMethod::Automatic) => "Automatically (CloudFormation)",
            (CloudProvider::Aws, ConnectMethod::Manual) => "Manually (IAM console)",
            (CloudProvider::Gcp, ConnectMethod::Automatic) => "Automatically (gcloud)",
            (CloudProvider::Gcp, ConnectMethod::Manual) => "Manually (recommended)",
            (CloudProvider::Azure, _) => "",
        }
    }
}

/// The methods a provider offers, in the order the panels show them (GCP's recommended way
/// first). Azure has no choice (empty).
pub fn methods_offered(provider: Provider) -> &'static [ConnectMethod] {
    match provider {
        CloudProvider::Aws => &[ConnectMethod::Automatic, ConnectMethod::Manual],
        CloudProvider::Gcp => &[ConnectMethod::Manual, ConnectMethod::Automatic],
        CloudProvider::Azure => &[],
    }
}

// ---- AWS --------------------------------------------------------------------------------------

/// `PolicyProduct`'s names in a draft (it has no serde of its own).
fn policy_product_name(p: PolicyProduct) -> &'static str {
    match p {
        PolicyProduct::ComputeCore => "computeCore",
        PolicyProduct::Ocean => "ocean",
        PolicyProduct::ElastigroupIntegrations => "elastigroupIntegrations",
        PolicyProduct::Storage => "storage",
        PolicyProduct::ReadOnlyOverview => "readOnlyOverview",
    }
}

fn serialize_products<S: Serializer>(v: &[PolicyProduct], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|p| policy_product_name(*p)))
}

fn deserialize_products<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PolicyProduct>, D::Error> {
    let names: Vec<String> = lenient_vec(d)?;
    Ok(PolicyProduct::ALL
        .into_iter()
        .filter(|p| names.iter().any(|n| n == policy_product_name(*p)))
        .collect())
}

/// The AWS panels' answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AwsConnectDraft {
    pub method: ConnectMethod,
    /// **Are you connecting an AWS GovCloud or China account?** (No = commercial).
    pub environment: AwsEnvironment,
    /// **Customize permissions** chosen (only effective in commercial AWS).
    pub custom_permissions: bool,
    /// The checked products; kept while the user flips back to the default, so flipping again
    /// restores them.
    #[serde(
        serialize_with = "serialize_products",
        deserialize_with = "deserialize_products"
    )]
    pub custom_products: Vec<PolicyProduct>,
    /// **Role ARN** exactly as typed or pasted.
    pub role_arn_input: String,
    /// From the API; not a secret (shown on screen). Regenerate when expired.
    pub external_id: Option<ExternalId>,
    /// The user opened the quick-create link (so a reload resumes polling).
    pub stack_launched: bool,
    /// When the console started waiting for the stack (ISO instant): the time-out counts from
    /// here, across reloads.
    pub stack_launched_at: Option<String>,
    /// The method panel for `method` was opened once on the first visit; from then on the
    /// user's own opening and closing is what `panels` keeps.
    pub method_panels_ready: bool,
    pub panels: Panels,
}

impl Default for AwsConnectDraft {
    fn default() -> Self {
        Self {
            method: ConnectMethod::Manual,
            environment: AwsEnvironment::Commercial,
            custom_permissions: false,
            custom_products: PolicyProduct::ALL.to_vec(),
            role_arn_input: String::new(),
            external_id: None,
            stack_launched: false,
            stack_launched_at: None,
            method_panels_ready: false,
            // The linked-account panel starts open, and (on the first visit) the manual way's.
            panels: Panels(vec![Panel::LinkedAccount]),
        }
    }
}

impl AwsConnectDraft {
    /// Another environment means another console and partition: the stack must be run again.
    /// The typed role ARN is kept (its check will say if the partition no longer matches).
    pub fn choose_environment(&mut self, env: AwsEnvironment) {
        if self.environment != env {
            self.environment = env;
            self.stop_waiting();
        }
    }

    /// On the first visit, opens the panel of the preferred `method` (the wizard's default).
    /// Later visits keep whatever the user opened or closed.
    pub fn init_method_panels(&mut self) {
        if !self.method_panels_ready {
            self.panels.set_open(self.method.panel(), true);
            self.method_panels_ready = true;
        }
    }

    /// Opens or closes a method's panel; the last one opened becomes the preferred `method`.
    /// Typed input is untouched.
    pub fn set_method_open(&mut self, method: ConnectMethod, open: bool) {
        self.panels.set_open(method.panel(), open);
        if open {
            self.method = method;
        }
        self.method_panels_ready = true;
    }

    /// **Run CloudFormation template** was followed (or the user said the stack is running):
    /// wait for the stack's callback from `now`.
    pub fn launch_stack(&mut self, now: Timestamp) {
        self.stack_launched = true;
        self.stack_launched_at = Some(now.to_string());
    }

    /// **Cancel** (or another environment): stop waiting for the stack.
    pub fn stop_waiting(&mut self) {
        self.stack_launched = false;
        self.stack_launched_at = None;
    }

    /// Milliseconds since the console started waiting at `now`; `None` when not waiting. An
    /// unreadable instant (an older draft) counts as "just started".
    pub fn wait_elapsed_ms(&self, now: Timestamp) -> Option<i64> {
        if !self.stack_launched {
            return None;
        }
        let since = self.stack_launched_at.as_deref().and_then(Timestamp::parse);
        Some(since.map_or(0, |since| now.millis_since(since).max(0)))
    }

    /// The wait has lasted longer than [`STACK_WAIT_TIMEOUT_MS`](crate::aws_setup::STACK_WAIT_TIMEOUT_MS):
    /// offer the manual paste.
    pub fn wait_timed_out(&self, now: Timestamp) -> bool {
        self.wait_elapsed_ms(now)
            .is_some_and(|ms| ms >= crate::aws_setup::STACK_WAIT_TIMEOUT_MS)
    }

    /// **Default permissions** (`false`) or **Customize permissions** (`true`). Customising is
    /// refused (false) in GovCloud and China.
    pub fn choose_custom_permissions(&mut self, custom: bool) -> bool {
        if custom && !self.custom_allowed() {
            return false;
        }
        self.custom_permissions = custom;
        true
    }

    pub fn partition(&self) -> Partition {
        Partition::from_choice(self.environment)
    }

    /// GovCloud and China accounts use the default permissions (disable the choice and say so).
    pub fn custom_allowed(&self) -> bool {
        self.environment == AwsEnvironment::Commercial
    }

    /// Checks or unchecks one product of the custom policy.
    pub fn set_product(&mut self, product: PolicyProduct, checked: bool) {
        let mut chosen: Vec<PolicyProduct> = self
            .custom_products
            .iter()
            .copied()
            .filter(|p| *p != product)
            .collect();
        if checked {
            chosen.push(product);
        }
        self.custom_products = PolicyProduct::ALL
            .into_iter()
            .filter(|p| chosen.contains(p))
            .collect();
    }

    /// The permissions the policy preview and the manual steps use: the custom selection only
    /// when chosen and allowed in the environment, else the default.
    pub fn permissions(&self) -> Permissions {
        if self.custom_permissions && self.custom_allowed() {
            Permissions::Custom(self.custom_products.clone())
        } else {
            Permissions::Default
        }
    }

    /// The typed role ARN, checked against the environment.
    pub fn role_arn(&self) -> Result<RoleArn, FieldError> {
        validate::role_arn(&self.role_arn_input, self.environment)
    }

    /// The body of `POST /setup/credentials/aws` (the server uses the external ID it made).
    pub fn credentials_request(&self) -> Result<AwsCredentialsRequest, FieldError> {
        Ok(AwsCredentialsRequest {
            credentials: AwsCredentials {
                iam_role: self.role_arn()?.to_string(),
                external_id: None,
            },
        })
    }

    /// True when there is no external ID, or it is past its `maxValidUntil` at `now`, or that
    /// time can't be read: then fetch a new one before showing it.
    pub fn external_id_needs_refresh(&self, now: Timestamp) -> bool {
        external_id_needs_refresh(self.external_id.as_ref(), now)
    }
}

/// No external ID, or one past its `maxValidUntil` at `now` (or with an unreadable one).
pub(crate) fn external_id_needs_refresh(x: Option<&ExternalId>, now: Timestamp) -> bool {
    x.and_then(|e| Timestamp::parse(&e.max_valid_until))
        .is_none_or(|until| now >= until)
}

// ---- GCP --------------------------------------------------------------------------------------

/// What the console shows about an uploaded key: never the private key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GcpKeySummary {
    pub project_id: String,
    pub client_email: String,
    pub private_key_id: String,
}

impl GcpKeySummary {
    pub fn of(key: &GcpKey) -> Self {
        Self {
            project_id: key.project_id().to_owned(),
            client_email: key.client_email().to_owned(),
            private_key_id: key.private_key_id().to_owned(),
        }
    }
}

/// The Google Cloud panels' answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GcpConnectDraft {
    pub method: ConnectMethod,
    /// **GCP project ID** (automatic way) exactly as typed.
    pub project_id_input: String,
    /// The last key the user chose. The key itself lives only in memory: after a reload, show
    /// this summary and ask for the file again.
    pub key: Option<GcpKeySummary>,
    pub panels: Panels,
}

impl Default for GcpConnectDraft {
    fn default() -> Self {
        Self {
            method: ConnectMethod::Manual,
            project_id_input: String::new(),
            key: None,
            // The linked-account panel and its recommended (manual) way start open.
            panels: Panels(vec![Panel::LinkedAccount, Panel::Manual]),
        }
    }
}

impl GcpConnectDraft {
    /// Remembers which key was chosen (not the key).
    pub fn remember_key(&mut self, key: &GcpKey) {
        self.key = Some(GcpKeySummary::of(key));
    }

    /// The gcloud script for the typed project and `account_id`.
    pub fn script(&self, account_id: &AccountId) -> Result<String, FieldError> {
        let project = validate::gcp_project_id(&self.project_id_input)?;
        Ok(crate::gcp_setup::gcloud_script(
            &project,
            account_id.as_str(),
        ))
    }

    /// A chosen key failed the rules or was replaced: forget which one it was.
    pub fn forget_key(&mut self) {
        self.key = None;
    }

    /// The project typed for the script, when it is valid and differs from the project of the
    /// key (`key_project`): the user probably picked a key of another project.
    pub fn typed_project_differs(&self, key_project: &str) -> Option<String> {
        validate::gcp_project_id(&self.project_id_input)
            .ok()
            .filter(|typed| typed != key_project)
    }
}

// ---- Azure ------------------------------------------------------------------------------------

/// The Azure subscription form's fields, for mapping errors onto them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AzureField {
    ClientId,
    TenantId,
    ClientSecret,
    ExpirationDate,
    SubscriptionId,
}

impl AzureField {
    /// The visible label.
    pub fn label(self) -> &'static str {
        match self {
            AzureField::ClientId => "Application (client) ID",
            AzureField::TenantId => "Directory (tenant) ID",
            AzureField::ClientSecret => "Client secret value",
            AzureField::ExpirationDate => "Secret expiration date",
            AzureField::SubscriptionId => "Subscription ID",
        }
    }
}

/// The Azure panels' answers. There is no field for the client secret: it is
/// typed into a password input kept in memory and passed to [`Self::credentials`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AzureConnectDraft {
    pub client_id_input: String,
    pub tenant_id_input: String,
    pub subscription_id_input: String,
    /// **Secret expiration date** (`YYYY-MM-DD` from the date input).
    pub expiration_date_input: String,
    /// Billing account panel.
    pub agreement_type: Option<AgreementType>,
    pub billing_account_id_input: String,
    pub panels: Panels,
}

impl AzureConnectDraft {
    /// The body of `POST /azure/setup/credentials`, or every field's problem in form order
    /// (focus the first). `today` is `YYYY-MM-DD` (UTC).
    pub fn credentials(
        &self,
        client_secret: &str,
        today: &str,
    ) -> Result<AzureCredentials, Vec<(AzureField, FieldError)>> {
        self.checked(client_secret, Some(today))
    }

    /// The body of `POST /azure/setup/credentials/validation`: the same fields without the
    /// expiration date (that endpoint has none), or the problems of the four fields it needs.
    pub fn validation_request(
        &self,
        client_secret: &str,
    ) -> Result<AzureCredentials, Vec<(AzureField, FieldError)>> {
        self.checked(client_secret, None)
    }

    /// The typed **Subscription ID**, checked and normalised (lowercase, no braces): what the
    /// custom role definition is scoped to.
    pub fn subscription_id(&self) -> Result<String, FieldError> {
        validate::azure_guid(
            &self.subscription_id_input,
            AzureField::SubscriptionId.label(),
        )
    }

    /// The typed **Application (client) ID**, checked and normalised.
    pub fn client_id(&self) -> Result<String, FieldError> {
        validate::azure_guid(&self.client_id_input, AzureField::ClientId.label())
    }

    /// Nothing typed and no panel opened or closed yet: a first visit, when the
    /// **Subscription** panel starts open.
    pub fn is_blank(&self) -> bool {
        *self == Self::default()
    }

    /// Whether something other than the client secret was typed, so that after a reload the
    /// console can say the secret (never stored) has to be entered again.
    pub fn has_typed_input(&self) -> bool {
        [
            &self.client_id_input,
            &self.tenant_id_input,
            &self.subscription_id_input,
            &self.expiration_date_input,
        ]
        .iter()
        .any(|s| !s.trim().is_empty())
    }

    fn checked(
        &self,
        client_secret: &str,
        today: Option<&str>,
    ) -> Result<AzureCredentials, Vec<(AzureField, FieldError)>> {
        let mut errors = Vec::new();
        let mut check = |field, r: Result<String, FieldError>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.push((field, e));
                String::new()
            }
        };
        let client_id = check(AzureField::ClientId, self.client_id());
        let tenant_id = check(
            AzureField::TenantId,
            validate::azure_guid(&self.tenant_id_input, AzureField::TenantId.label()),
        );
        let client_secret = check(
            AzureField::ClientSecret,
            validate::azure_client_secret(client_secret),
        );
        let expiration = today.map(|today| {
            check(
                AzureField::ExpirationDate,
                validate::secret_expiration(&self.expiration_date_input, today),
            )
        });
        let subscription_id = check(AzureField::SubscriptionId, self.subscription_id());
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AzureCredentials {
            client_id,
            client_secret,
            tenant_id,
            subscription_id,
            expiration_date: expiration,
        })
    }
}

#[cfg(test)]
mod azure_tests {
    use super::*;

    const CLIENT: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const TENANT: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    const SUB: &str = "16fd2706-8baf-433b-82eb-8c7fada847da";
    const TODAY: &str = "2026-11-22";

    fn filled() -> AzureConnectDraft {
        AzureConnectDraft {
            client_id_input: CLIENT.to_uppercase(),
            tenant_id_input: format!("{{{TENANT}}}"),
            subscription_id_input: format!(" {SUB}\n"),
            expiration_date_input: "2027-01-31".into(),
            ..AzureConnectDraft::default()
        }
    }

    #[test]
    fn validation_request_has_no_expiration_and_ignores_the_date_field() {
        let mut d = filled();
        d.expiration_date_input = "2020-01-01".into(); // in the past: only Connect cares
        let c = d.validation_request("v4lue~secret").unwrap();
        assert_eq!(
            (
                c.client_id.as_str(),
                c.tenant_id.as_str(),
                c.subscription_id.as_str()
            ),
            (CLIENT, TENANT, SUB)
        );
        assert_eq!(c.client_secret, "v4lue~secret");
        assert_eq!(c.expiration_date, None);
        let body = serde_json::to_value(&c).unwrap();
        assert!(body.get("expirationDate").is_none(), "{body}");
        assert_eq!(body["clientId"], CLIENT);

        let errs = d.credentials("v4lue~secret", TODAY).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].0, AzureField::ExpirationDate);
        assert!(
            errs[0].1.message.contains("after today"),
            "{}",
            errs[0].1.message
        );
    }

    #[test]
    fn validation_request_reports_every_field_in_form_order() {
        let d = AzureConnectDraft {
            client_id_input: "not-a-guid".into(),
            tenant_id_input: "contoso.onmicrosoft.com".into(),
            subscription_id_input: String::new(),
            ..AzureConnectDraft::default()
        };
        let errs = d.validation_request(" padded").unwrap_err();
        let fields: Vec<AzureField> = errs.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                AzureField::ClientId,
                AzureField::TenantId,
                AzureField::ClientSecret,
                AzureField::SubscriptionId
            ]
        );
        assert!(
            errs[1].1.message.contains("domain name"),
            "{}",
            errs[1].1.message
        );
        assert_eq!(errs[3].1.message, "Enter the Subscription ID.");
    }

    #[test]
    fn credentials_carry_the_expiration_as_an_instant() {
        let c = filled().credentials("v4lue~secret", TODAY).unwrap();
        assert_eq!(
            c.expiration_date.as_deref(),
            Some("2027-01-31T00:00:00.000Z")
        );
        let too_late = AzureConnectDraft {
            expiration_date_input: "2028-11-23".into(),
            ..filled()
        };
        let errs = too_late.credentials("v4lue~secret", TODAY).unwrap_err();
        assert!(
            errs[0].1.message.contains("2028-11-22"),
            "{}",
            errs[0].1.message
        );
    }

    #[test]
    fn subscription_and_client_ids_are_normalised() {
        let d = filled();
        assert_eq!(d.subscription_id().unwrap(), SUB);
        assert_eq!(d.client_id().unwrap(), CLIENT);
        let bad = AzureConnectDraft {
            subscription_id_input: "/subscriptions/16fd2706-8baf-433b-82eb-8c7fada847da/overview"
                .into(),
            ..filled()
        };
        let m = bad.subscription_id().unwrap_err().message;
        assert!(
            m.contains("without the text around it") && m.contains(SUB),
            "{m}"
        );
    }

    #[test]
    fn blank_and_typed() {
        let mut d = AzureConnectDraft::default();
        assert!(d.is_blank());
        assert!(!d.has_typed_input());
        d.panels.set_open(Panel::Subscription, false); // closing leaves the list empty
        assert!(d.is_blank());
        d.panels.set_open(Panel::Subscription, true);
        assert!(!d.is_blank());
        assert!(!d.has_typed_input());
        d.expiration_date_input = "2027-01-31".into();
        assert!(d.has_typed_input());
        assert!(filled().has_typed_input());
        d = AzureConnectDraft {
            tenant_id_input: "  ".into(),
            ..AzureConnectDraft::default()
        };
        assert!(!d.is_blank());
        assert!(!d.has_typed_input());
    }

    #[test]
    fn the_draft_has_no_place_for_the_secret() {
        let json = serde_json::to_string(&filled()).unwrap();
        assert!(!json.to_lowercase().contains("secret\""), "{json}");
        // A stored draft with a secret in it (hand-edited, or an older build) loads without it.
        let d: AzureConnectDraft = serde_json::from_str(
            r#"{"clientIdInput":"x","clientSecret":"hunter2","clientSecretInput":"hunter2"}"#,
        )
        .unwrap();
        assert!(!serde_json::to_string(&d).unwrap().contains("hunter2"));
    }
}

// ---- the Connect step, shared by both flows ---------------------------------------------------

/// The provider choice and every provider's panels. Switching provider keeps what was typed for
/// the others, so switching back loses nothing.
///
/// Each provider's part (`aws`, `gcp`, `azure`) is stored on its own, by that provider's panel,
/// not in this draft's serde form: a wizard then carries no reader for answers it never shows
/// (the UI keeps each part under the wizard's key and the provider).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectDraft {
    /// The radio selection (kept while the choice is reopened, to pre-select it).
    pub provider: Option<Provider>,
    /// **Next** was pressed with `provider` selected.
    pub provider_confirmed: bool,
    #[serde(skip)]
    pub aws: AwsConnectDraft,
    #[serde(skip)]
    pub gcp: GcpConnectDraft,
    #[serde(skip)]
    pub azure: AzureConnectDraft,
    /// The panels of the other kinds of account beside each provider's own (its management or
    /// billing account, FinOps products).
    pub other_kinds: OtherKinds,
    /// The API accepted the credentials. From here on the provider can't change.
    pub connected: bool,
}

/// One provider's part of a [`ConnectDraft`] (its panel's answers), stored on its own.
pub trait ProviderPart: Serialize + DeserializeOwned {
    const PROVIDER: Provider;
    fn of(d: &ConnectDraft) -> &Self;
    fn of_mut(d: &mut ConnectDraft) -> &mut Self;
}

macro_rules! provider_part {
    ($t:ty, $provider:ident, $field:ident) => {
        impl ProviderPart for $t {
            const PROVIDER: Provider = Provider::$provider;
            fn of(d: &ConnectDraft) -> &Self {
                &d.$field
            }
            fn of_mut(d: &mut ConnectDraft) -> &mut Self {
                &mut d.$field
            }
        }
    };
}

provider_part!(AwsConnectDraft, Aws, aws);
provider_part!(GcpConnectDraft, Gcp, gcp);
provider_part!(AzureConnectDraft, Azure, azure);

/// Which open/closed panels a [`ConnectDraft`] means: a provider's own, or the other kinds of
/// account shown beside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelGroup {
    Own(Provider),
    OtherKinds(Provider),
}

/// The other kinds' panels, per provider (each offers its own kinds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OtherKinds {
    pub aws: Panels,
    pub gcp: Panels,
    pub azure: Panels,
}

impl ConnectDraft {
    /// Which panels of `group` are open.
    pub fn panels(&self, group: PanelGroup) -> &Panels {
        match group {
            PanelGroup::Own(Provider::Aws) => &self.aws.panels,
            PanelGroup::Own(Provider::Gcp) => &self.gcp.panels,
            PanelGroup::Own(Provider::Azure) => &self.azure.panels,
            PanelGroup::OtherKinds(Provider::Aws) => &self.other_kinds.aws,
            PanelGroup::OtherKinds(Provider::Gcp) => &self.other_kinds.gcp,
            PanelGroup::OtherKinds(Provider::Azure) => &self.other_kinds.azure,
        }
    }

    pub fn panels_mut(&mut self, group: PanelGroup) -> &mut Panels {
        match group {
            PanelGroup::Own(Provider::Aws) => &mut self.aws.panels,
            PanelGroup::Own(Provider::Gcp) => &mut self.gcp.panels,
            PanelGroup::Own(Provider::Azure) => &mut self.azure.panels,
            PanelGroup::OtherKinds(Provider::Aws) => &mut self.other_kinds.aws,
            PanelGroup::OtherKinds(Provider::Gcp) => &mut self.other_kinds.gcp,
            PanelGroup::OtherKinds(Provider::Azure) => &mut self.other_kinds.azure,
        }
    }

    /// The confirmed provider.
    pub fn chosen(&self) -> Option<Provider> {
        self.provider.filter(|_| self.provider_confirmed)
    }

    /// **Next** on the provider step. Refused (false) once connected.
    pub fn choose_provider(&mut self, provider: Provider) -> bool {
        if self.connected {
            return false;
        }
        self.provider = Some(provider);
        self.provider_confirmed = true;
        true
    }

    /// **Change provider**: reopens the choice with the current one pre-selected; every
    /// provider's typed input is kept. Refused (false) once connected.
    pub fn change_provider(&mut self) -> bool {
        if self.connected {
            return false;
        }
        self.provider_confirmed = false;
        true
    }

    /// The API accepted `provider`'s credentials: the provider written, which need not be the
    /// one chosen now (Browser Back may have taken its panel away while the request went on).
    /// What was typed has done its job and is dropped (the UI removes the stored parts too);
    /// only the outcome is kept, so the wizard knows it is finished.
    pub fn mark_connected(&mut self, provider: Provider) {
        *self = ConnectDraft {
            provider: Some(provider),
            provider_confirmed: true,
            connected: true,
            ..ConnectDraft::default()
        };
    }
}

// ---- first-run wizard (§C) --------------------------------------------------------------------

/// The first-run wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FirstRunStep {
    Organization,
    Provider,
    Connect,
}

impl FirstRunStep {
    pub const ALL: [FirstRunStep; 3] = [
        FirstRunStep::Organization,
        FirstRunStep::Provider,
        FirstRunStep::Connect,
    ];

    /// 1-based position for the stepper.
    pub fn number(self) -> usize {
        self as usize + 1
    }

    pub fn label(self) -> &'static str {
        match self {
            FirstRunStep::Organization => "Create your organization",
            FirstRunStep::Provider => "Select a cloud provider for your first account",
            FirstRunStep::Connect => "Connect your cloud account",
        }
    }
}

/// A first-run URL: `/welcome`, `/welcome/provider`, `/welcome/connect/<aws|gcp|azure>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstRunRoute {
    Organization,
    Provider,
    Connect(Provider),
}

impl FirstRunRoute {
    pub const BASE: &'static str = "/welcome";

    pub fn step(self) -> FirstRunStep {
        match self {
            FirstRunRoute::Organization => FirstRunStep::Organization,
            FirstRunRoute::Provider => FirstRunStep::Provider,
            FirstRunRoute::Connect(_) => FirstRunStep::Connect,
        }
    }

    pub fn path(self) -> String {
        match self {
            FirstRunRoute::Organization => Self::BASE.to_owned(),
            FirstRunRoute::Provider => format!("{}/provider", Self::BASE),
            FirstRunRoute::Connect(p) => format!("{}/connect/{}", Self::BASE, p.slug()),
        }
    }

    /// The route of a path (a trailing slash, a query or a fragment is ignored).
    pub fn parse(path: &str) -> Option<Self> {
        let path = path.split(['?', '#']).next().unwrap_or("");
        let rest = path.strip_prefix(Self::BASE)?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        match rest.strip_prefix('/') {
            None if rest.is_empty() => Some(FirstRunRoute::Organization),
            Some("provider") => Some(FirstRunRoute::Provider),
            Some(r) => r
                .strip_prefix("connect/")
                .and_then(CloudProvider::from_slug)
                .map(FirstRunRoute::Connect),
            None => None,
        }
    }
}

/// The first-run wizard's draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FirstRunDraft {
    /// From the session (sign-up created it); step 1 shows it as done.
    pub organization_name: String,
    pub connect: ConnectDraft,
}

/// Whether the stored first-run draft `json` says its account is connected, reading that flag
/// alone: a page that needs nothing else (the dashboard) then carries no reader for the rest of
/// the draft (the other kinds' panels). A draft whose other fields the full reader would refuse
/// (written by another version, say) still gives its flag: the flag is all this is about.
pub fn first_run_connected(json: &str) -> bool {
    #[derive(Default, Deserialize)]
    #[serde(default)]
    struct Connect {
        connected: bool,
    }
    #[derive(Default, Deserialize)]
    #[serde(default)]
    struct Draft {
        connect: Connect,
    }
    serde_json::from_str::<Draft>(json).is_ok_and(|d| d.connect.connected)
}

impl Wizard for FirstRunDraft {
    type Step = FirstRunStep;
    const STEPS: &'static [FirstRunStep] = &FirstRunStep::ALL;

    fn is_complete(&self, step: FirstRunStep) -> bool {
        match step {
            FirstRunStep::Organization => {
                validate::organization_name(&self.organization_name).is_ok()
            }
            FirstRunStep::Provider => self.connect.chosen().is_some(),
            FirstRunStep::Connect => self.connect.connected,
        }
    }
}

impl FirstRunDraft {
    pub fn new(organization_name: &str) -> Self {
        Self {
            organization_name: organization_name.to_owned(),
            ..Self::default()
        }
    }

    /// Where the wizard stands: the first incomplete step's route; once finished, the
    /// connected provider's Connect route (the UI goes to the dashboard instead).
    pub fn resume_route(&self) -> FirstRunRoute {
        match first_incomplete_step(self) {
            Some(FirstRunStep::Organization) => FirstRunRoute::Organization,
            Some(FirstRunStep::Provider) => FirstRunRoute::Provider,
            Some(FirstRunStep::Connect) | None => match self.connect.chosen() {
                Some(p) => FirstRunRoute::Connect(p),
                None => FirstRunRoute::Provider,
            },
        }
    }

    /// Opens `route` (a deep link, a reload, back/forward) and answers the route to show, which
    /// differs when the route can't be entered (then: [`Self::resume_route`]; redirect with
    /// `replace`). `/welcome/connect/<p>` for another provider than the chosen one — what
    /// back/forward across a **Change provider** leads to — switches to `p` (nothing typed is
    /// lost), unless the account is already connected.
    pub fn open_route(&mut self, route: FirstRunRoute) -> FirstRunRoute {
        if !can_enter(route.step(), self) {
            return self.resume_route();
        }
        match route {
            FirstRunRoute::Connect(p) if self.connect.chosen() != Some(p) => {
                if self.connect.choose_provider(p) {
                    route
                } else {
                    self.resume_route()
                }
            }
            _ => route,
        }
    }
}

// ---- additional account (§F) ------------------------------------------------------------------

/// A Spot account's role in the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AccountKind {
    /// Compute optimization (Elastigroup / Ocean).
    #[default]
    Linked,
    /// Cost and usage analysis (Eco / Cloud Analyzer); one per organization.
    Management,
}

impl AccountKind {
    pub fn label(self) -> &'static str {
        match self {
            AccountKind::Linked => "Linked account",
            AccountKind::Management => "Management account",
        }
    }
}

/// The kinds the first step offers: no **Management account** when the organization has one.
pub fn kinds_offered(management_exists: bool) -> &'static [AccountKind] {
    if management_exists {
        &[AccountKind::Linked]
    } else {
        &[AccountKind::Linked, AccountKind::Management]
    }
}

/// The clouds a kind can connect to: a management account is an AWS management (payer)
/// account or an Azure billing account; Google Cloud connects linked accounts only.
pub fn providers_offered(kind: AccountKind) -> &'static [Provider] {
    match kind {
        AccountKind::Linked => &CloudProvider::ALL,
        AccountKind::Management => &[CloudProvider::Aws, CloudProvider::Azure],
    }
}

/// The additional-account flow's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AddAccountStep {
    Kind,
    Name,
    Provider,
    Connect,
}

impl AddAccountStep {
    pub const ALL: [AddAccountStep; 4] = [
        AddAccountStep::Kind,
        AddAccountStep::Name,
        AddAccountStep::Provider,
        AddAccountStep::Connect,
    ];

    pub fn number(self) -> usize {
        self as usize + 1
    }

    pub fn label(self) -> &'static str {
        match self {
            AddAccountStep::Kind => "Choose the kind of account",
            AddAccountStep::Name => "Name the account",
            AddAccountStep::Provider => "Select your cloud provider",
            AddAccountStep::Connect => "Connect your cloud account",
        }
    }

    /// The URL segment.
    pub fn slug(self) -> &'static str {
        match self {
            AddAccountStep::Kind => "kind",
            AddAccountStep::Name => "name",
            AddAccountStep::Provider => "provider",
            AddAccountStep::Connect => "connect",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.slug() == s)
    }
}

/// The additional-account flow's draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AddAccountDraft {
    pub kind: Option<AccountKind>,
    /// **Account name** exactly as typed.
    pub name_input: String,
    /// When the last **Create account** request was sent (ISO instant; prefer the server's
    /// clock, see [`find_created_by_name`]) and no answer has arrived yet.
    pub create_sent_at: Option<String>,
    /// The name that request was sent with (the field may have changed since): the account a
    /// lost answer may have created has this name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_sent_name: Option<String>,
    /// Set once the API created the account: it exists from here on.
    pub created_account_id: Option<AccountId>,
    /// The `Idempotency-Key` of the pending **Create account**: every attempt for this name
    /// sends the same one, so a server that honours it creates the account once at most.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_key: Option<String>,
    pub connect: ConnectDraft,
}

impl Wizard for AddAccountDraft {
    type Step = AddAccountStep;
    const STEPS: &'static [AddAccountStep] = &AddAccountStep::ALL;

    fn is_complete(&self, step: AddAccountStep) -> bool {
        match step {
            AddAccountStep::Kind => self.kind.is_some() || self.is_created(),
            AddAccountStep::Name => self.is_created(),
            AddAccountStep::Provider => self
                .connect
                .chosen()
                .is_some_and(|p| providers_offered(self.kind()).contains(&p)),
            AddAccountStep::Connect => self.connect.connected,
        }
    }

    /// The account exists: its kind and name are no longer this flow's to change.
    fn is_locked(&self, step: AddAccountStep) -> bool {
        self.is_created() && matches!(step, AddAccountStep::Kind | AddAccountStep::Name)
    }
}

impl AddAccountDraft {
    /// A flow started from a dashboard card (which says the kind) or the menu (`None`).
    pub fn new(kind: Option<AccountKind>) -> Self {
        Self {
            kind,
            ..Self::default()
        }
    }

    pub fn is_created(&self) -> bool {
        self.created_account_id.is_some()
    }

    /// The chosen kind (linked until chosen).
    pub fn kind(&self) -> AccountKind {
        self.kind.unwrap_or_default()
    }

    /// The first step's choice. Refused (false) for a kind not offered, or once the account
    /// exists.
    pub fn choose_kind(&mut self, kind: AccountKind, management_exists: bool) -> bool {
        if self.is_created() || !kinds_offered(management_exists).contains(&kind) {
            return false;
        }
        self.kind = Some(kind);
        if let Some(p) = self.connect.provider
            && !providers_offered(kind).contains(&p)
        {
            self.connect.provider = None;
            self.connect.provider_confirmed = false;
        }
        true
    }

    /// Typing in **Account name**. Refused (false) once the account exists (use Rename).
    pub fn set_name_input(&mut self, name: &str) -> bool {
        if self.is_created() {
            return false;
        }
        if self.name_input != name {
            // Another name is another request: it must not be taken for the earlier one.
            self.create_key = None;
        }
        self.name_input = name.to_owned();
        true
    }

    /// The `Idempotency-Key` for **Create account**: the pending one, else `fresh()` (kept).
    pub fn create_key(&mut self, fresh: impl FnOnce() -> String) -> String {
        self.create_key.get_or_insert_with(fresh).clone()
    }

    /// The body of `POST /setup/account`, or the name's problem.
    pub fn create_request(&self) -> Result<NewAccountRequest, FieldError> {
        Ok(NewAccountRequest {
            account: NameOnly {
                name: validate::account_name(&self.name_input)?,
            },
        })
    }

    /// Call just before sending **Create account**, with the send time; save the draft.
    pub fn begin_create(&mut self, sent_at: &str) {
        if !self.is_created() {
            self.create_sent_at = Some(sent_at.to_owned());
            self.create_sent_name = Some(self.name_input.clone());
        }
    }

    /// The API answered with the new account. Once an account is recorded it stays: a second,
    /// different id (a duplicate created by a retry) is refused (false) and left to the table.
    pub fn record_created(&mut self, id: AccountId) -> bool {
        match &self.created_account_id {
            Some(known) => known == &id,
            None => {
                self.created_account_id = Some(id);
                self.create_sent_at = None;
                self.create_sent_name = None;
                self.create_key = None;
                true
            }
        }
    }

    /// The create request failed with a definite answer (e.g. a validation error).
    pub fn create_failed(&mut self) {
        self.create_sent_at = None;
        self.create_sent_name = None;
        self.create_key = None;
    }

    /// After a lost answer (timeout, network error, reload mid-request): looks the account up in
    /// a fresh `GET /setup/account` listing, by the name that request was sent with, and records
    /// it when found (the name field then shows its name). Returns the id found.
    /// `None`: nothing matches, so it is safe to send **Create account** again.
    pub fn recover_created(&mut self, accounts: &[Account]) -> Option<AccountId> {
        if let Some(id) = &self.created_account_id {
            return Some(id.clone());
        }
        let sent_at = self.create_sent_at.clone()?;
        // By the name that was sent: the field may say another one by now.
        let sent_name = self.create_sent_name.as_ref().unwrap_or(&self.name_input);
        let found = find_created_by_name(accounts, sent_name, &sent_at)?;
        let (id, name) = (found.account_id.clone(), found.name.clone());
        // The account is what the steps after this one show, under the name it has.
        self.name_input = name;
        self.record_created(id.clone());
        Some(id)
    }

    /// The draft for **Resume setup** on `account`: `saved` when it is this account's draft,
    /// else a fresh one for the existing account (kind linked — a management account is
    /// connected as soon as it is registered, so a not-connected one is linked).
    pub fn resume(account: &Account, saved: Option<&AddAccountDraft>) -> AddAccountDraft {
        match saved {
            Some(d) if d.created_account_id.as_ref() == Some(&account.account_id) => d.clone(),
            _ => AddAccountDraft {
                kind: Some(AccountKind::Linked),
                name_input: account.name.clone(),
                create_sent_at: None,
                create_sent_name: None,
                created_account_id: Some(account.account_id.clone()),
                create_key: None,
                connect: ConnectDraft {
                    connected: account.cloud_provider.is_some(),
                    provider: account.cloud_provider,
                    provider_confirmed: account.cloud_provider.is_some(),
                    ..ConnectDraft::default()
                },
            },
        }
    }
}

/// Where **Resume setup** opens for `account` (listed "Not connected"): never Kind or Name (the
/// account exists). With this account's saved draft and a confirmed provider: Connect;
/// otherwise Provider. A draft for another account is ignored. An account that is already
/// connected answers Connect (there is nothing earlier to do).
pub fn resume_step(account: &Account, draft: Option<&AddAccountDraft>) -> AddAccountStep {
    if account.cloud_provider.is_some() {
        return AddAccountStep::Connect;
    }
    let d = AddAccountDraft::resume(account, draft);
    match first_incomplete_step(&d) {
        Some(AddAccountStep::Connect) | None => AddAccountStep::Connect,
        _ => AddAccountStep::Provider,
    }
}

/// The account a **Create account** request made, when its answer was lost.
///
/// Matches the name as the server stores it (normalised by `validate::account_name`: trimmed)
/// and `createdAt` at or after `created_after`, the instant the request was sent; both are
/// compared as instants, not strings. Among several matches the newest wins: a retried request
/// (or a double submit) may have created more than one, and the newest belongs to the latest
/// attempt — the one this draft was waiting for; older ones are left for the user to see in
/// the table rather than silently adopted. Accounts with an unreadable `createdAt` never match.
///
/// `created_after` should come from the server's clock (the envelope's `request.timestamp` of
/// an earlier answer, adjusted by the elapsed time) or be taken a little early: a client clock
/// ahead of the server's makes the account look older than the request and it is not found
/// (the user would then create a duplicate).
pub fn find_created_by_name<'a>(
    accounts: &'a [Account],
    name: &str,
    created_after: &str,
) -> Option<&'a Account> {
    let wanted = validate::account_name(name).ok()?;
    let after = Timestamp::parse(created_after)?;
    accounts
        .iter()
        .filter(|a| a.name.trim() == wanted)
        .filter_map(|a| Timestamp::parse(&a.created_at).map(|t| (t, a)))
        .filter(|(t, _)| *t >= after)
        .max_by_key(|(t, _)| *t)
        .map(|(_, a)| a)
}

#[cfg(test)]
mod panels_tests {
    use super::*;

    #[test]
    fn each_provider_keeps_its_own_panels() {
        use PanelGroup::{OtherKinds, Own};
        let mut d = ConnectDraft::default();
        d.panels_mut(OtherKinds(Provider::Azure))
            .set_open(Panel::FinOps, true);
        d.panels_mut(Own(Provider::Gcp))
            .set_open(Panel::Manual, true);
        d.panels_mut(Own(Provider::Aws))
            .set_open(Panel::Policy, true);
        assert!(d.panels(OtherKinds(Provider::Azure)).is_open(Panel::FinOps));
        assert!(d.other_kinds.azure.is_open(Panel::FinOps));
        assert!(!d.panels(OtherKinds(Provider::Aws)).is_open(Panel::FinOps));
        assert!(!d.panels(Own(Provider::Azure)).is_open(Panel::FinOps));
        assert!(d.gcp.panels.is_open(Panel::Manual));
        assert!(d.aws.panels.is_open(Panel::Policy));
        assert!(!d.panels(Own(Provider::Azure)).is_open(Panel::Manual));
        assert!(!d.panels(OtherKinds(Provider::Aws)).is_open(Panel::Policy));
    }

    #[test]
    fn the_stored_form_leaves_each_providers_part_out() {
        let mut d = ConnectDraft::default();
        d.choose_provider(Provider::Aws);
        d.aws.role_arn_input = "arn:aws:iam::123456789012:role/Spot".into();
        d.panels_mut(PanelGroup::OtherKinds(Provider::Aws))
            .set_open(Panel::FinOps, true);
        let json = serde_json::to_string(&d).unwrap();
        assert!(!json.contains("role/Spot"), "{json}");
        let back: ConnectDraft = serde_json::from_str(&json).unwrap();
        assert_eq!(back.aws, AwsConnectDraft::default());
        assert_eq!(back.chosen(), Some(Provider::Aws));
        assert!(back.other_kinds.aws.is_open(Panel::FinOps));
    }
}
