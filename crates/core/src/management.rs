//! The organization's management account (Eco / Cloud Analyzer): which products it feeds, the
//! CloudFormation template that creates Spot's read-only roles in an AWS management account,
//! the registration bodies of the local server's own routes (Spot keeps this API private; see
//! `docs/contracts.md`), and the AWS wizard's steps as pure functions so the console can resume
//! a draft and refuse deep links to steps whose prerequisites are missing.

use crate::aws_setup::{SPOT_PRINCIPAL, quick_create_url};
use crate::dto::{CloudProvider, ExternalId};
use crate::ids::AccountId;
use crate::onboarding::Wizard;
use crate::time::Timestamp;
use crate::validate::{self, AgreementType, AwsEnvironment, FieldError, Partition, RoleArn};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Kind of the management routes' items (ours).
pub const KIND: &str = "onramp:management:account";
/// Error code (ours) for deleting a management account when the organization has none.
pub const MANAGEMENT_DOESNT_EXIST: &str = "ManagementAccount_DOESNT_EXIST";
/// Where the management template lives inside the built app (`public/` is copied to dist).
pub const MANAGEMENT_TEMPLATE_PATH: &str = "templates/spot-management-account.json";
/// The stack name we suggest in the quick-create link.
pub const SUGGESTED_STACK_NAME: &str = "Spot-FinOps";

/// A Spot product a management account's template creates a role for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ManagementProduct {
    /// Cost analysis across the organization (Cloud Analyzer): reads the Cost and Usage Report.
    CostAnalysis,
    /// Compute commitments (Eco): reads the report plus Reserved Instances and Savings Plans.
    ComputeOptimization,
}

impl ManagementProduct {
    pub const ALL: [ManagementProduct; 2] = [
        ManagementProduct::CostAnalysis,
        ManagementProduct::ComputeOptimization,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ManagementProduct::CostAnalysis => "Cost analysis",
            ManagementProduct::ComputeOptimization => "Compute optimization",
        }
    }

    /// The name on the wire (`products`, `roleArns` keys, the template's `Products` values).
    pub fn as_str(self) -> &'static str {
        match self {
            ManagementProduct::CostAnalysis => "costAnalysis",
            ManagementProduct::ComputeOptimization => "computeOptimization",
        }
    }

    /// Exactly as written on the wire.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The template's logical ID of the product's role.
    pub fn role_resource(self) -> &'static str {
        match self {
            ManagementProduct::CostAnalysis => "SpotFinOpsRole",
            ManagementProduct::ComputeOptimization => "SpotComputeOptimizationRole",
        }
    }

    /// The stack output that holds the product's role ARN.
    pub fn output(self) -> &'static str {
        match self {
            ManagementProduct::CostAnalysis => "SpotFinOpsRoleArn",
            ManagementProduct::ComputeOptimization => "SpotComputeOptimizationRoleArn",
        }
    }

    /// The template's condition that creates the product's role.
    fn condition(self) -> &'static str {
        match self {
            ManagementProduct::CostAnalysis => "CreateCostAnalysisRole",
            ManagementProduct::ComputeOptimization => "CreateComputeOptimizationRole",
        }
    }

    /// Read-only actions besides the report bucket.
    fn actions(self) -> &'static [&'static str] {
        match self {
            ManagementProduct::CostAnalysis => &[
                "ce:Get*",
                "cur:DescribeReportDefinitions",
                "organizations:Describe*",
                "organizations:List*",
            ],
            ManagementProduct::ComputeOptimization => &[
                "ce:Get*",
                "cur:DescribeReportDefinitions",
                "ec2:DescribeReservedInstances",
                "ec2:DescribeReservedInstancesOfferings",
                "organizations:Describe*",
                "organizations:List*",
                "pricing:GetProducts",
                "savingsplans:Describe*",
            ],
        }
    }
}

/// The selected products in a fixed order, without repeats.
pub fn normalised_products(chosen: &[ManagementProduct]) -> Vec<ManagementProduct> {
    ManagementProduct::ALL
        .into_iter()
        .filter(|p| chosen.contains(p))
        .collect()
}

/// At least one product.
pub fn check_products(chosen: &[ManagementProduct]) -> Result<Vec<ManagementProduct>, FieldError> {
    let products = normalised_products(chosen);
    if products.is_empty() {
        return Err(FieldError::new(
            "Select at least one product: Cost analysis, Compute optimization or both.",
        ));
    }
    Ok(products)
}

/// The value of the template's `Products` parameter for a selection (`None` when empty).
pub fn products_parameter(chosen: &[ManagementProduct]) -> Option<String> {
    let products = normalised_products(chosen);
    (!products.is_empty()).then(|| {
        products
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(",")
    })
}

// ---- the CloudFormation template -----------------------------------------------------------

/// The management account's template: one read-only role per selected product (chosen by the
/// `Products` parameter through Conditions), each trusted by `Principal` with `ExternalId` and
/// allowed to read the Cost and Usage Report bucket `CostAndUsageBucket`; outputs
/// `SpotFinOpsRoleArn` (cost analysis) and `SpotComputeOptimizationRoleArn`. The file in
/// `public/` is checked against it by a golden test and by cfn-lint.
pub fn management_account_template() -> String {
    let all = products_parameter(&ManagementProduct::ALL).expect("two products");
    let mut allowed: Vec<String> = ManagementProduct::ALL
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    allowed.push(all.clone());
    let mut conditions = serde_json::Map::new();
    let mut resources = serde_json::Map::new();
    let mut outputs = serde_json::Map::new();
    for p in ManagementProduct::ALL {
        conditions.insert(
            p.condition().to_owned(),
            json!({"Fn::Or": [
                {"Fn::Equals": [{"Ref": "Products"}, p.as_str()]},
                {"Fn::Equals": [{"Ref": "Products"}, all]},
            ]}),
        );
        resources.insert(p.role_resource().to_owned(), role(p));
        outputs.insert(
            p.output().to_owned(),
            json!({
                "Condition": p.condition(),
                "Description": format!("{}: paste this role ARN into the Spot console.", p.label()),
                "Value": {"Fn::GetAtt": [p.role_resource(), "Arn"]},
            }),
        );
    }
    pretty(&json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Creates the read-only IAM roles that let Spot analyse this organization's costs (Cost and Usage Report) and compute commitments.",
        "Parameters": {
            "CostAndUsageBucket": {
                "Type": "String",
                "Description": "The S3 bucket your Cost and Usage Report is delivered to.",
                "MinLength": 3,
                "MaxLength": 63,
                "AllowedPattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
                "ConstraintDescription": "3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.",
            },
            "ExternalId": {
                "Type": "String",
                "Description": "The external ID shown in the Spot console.",
                "AllowedPattern": "^[A-Za-z0-9_+=,.@:/-]{2,1224}$",
                "NoEcho": true,
            },
            "Principal": {
                "Type": "String",
                "Description": "The Spot principal the roles trust.",
                "Default": SPOT_PRINCIPAL,
            },
            "Products": {
                "Type": "String",
                "Description": "The Spot products to create a role for.",
                "Default": all,
                "AllowedValues": allowed,
            },
        },
        "Conditions": conditions,
        "Resources": resources,
        "Outputs": outputs,
    })) + "\n"
}

fn role(p: ManagementProduct) -> Value {
    let bucket = "arn:${AWS::Partition}:s3:::${CostAndUsageBucket}";
    json!({
        "Type": "AWS::IAM::Role",
        "Condition": p.condition(),
        "Properties": {
            "Description": format!("Lets Spot read cost data for {}.", p.label()),
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"AWS": {"Ref": "Principal"}},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}},
                }],
            },
            "Policies": [{
                "PolicyName": format!("{}Policy", p.role_resource()),
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "ReadCostAndUsageReport",
                            "Effect": "Allow",
                            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
                            "Resource": {"Fn::Sub": bucket},
                        },
                        {
                            "Sid": "ReadCostAndUsageReportObjects",
                            "Effect": "Allow",
                            "Action": ["s3:GetObject"],
                            "Resource": {"Fn::Sub": format!("{bucket}/*")},
                        },
                        {
                            "Sid": "ReadBillingData",
                            "Effect": "Allow",
                            "Action": p.actions(),
                            "Resource": "*",
                        },
                    ],
                },
            }],
        },
    })
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("a JSON value always serialises")
}

/// The quick-create parameters for the template (besides the template URL and stack name).
pub fn template_parameters(
    products: &[ManagementProduct],
    bucket: &str,
    external_id: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("CostAndUsageBucket", bucket.to_owned()),
        ("ExternalId", external_id.to_owned()),
        ("Principal", SPOT_PRINCIPAL.to_owned()),
        ("Products", products_parameter(products).unwrap_or_default()),
    ]
}

// ---- registration bodies (ours) ------------------------------------------------------------

/// One role ARN per selected product.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleArns {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_analysis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute_optimization: Option<String>,
}

impl RoleArns {
    pub fn get(&self, p: ManagementProduct) -> Option<&str> {
        match p {
            ManagementProduct::CostAnalysis => self.cost_analysis.as_deref(),
            ManagementProduct::ComputeOptimization => self.compute_optimization.as_deref(),
        }
    }
    pub fn set(&mut self, p: ManagementProduct, arn: Option<String>) {
        match p {
            ManagementProduct::CostAnalysis => self.cost_analysis = arn,
            ManagementProduct::ComputeOptimization => self.compute_optimization = arn,
        }
    }
}

/// `POST /onramp/management/aws` (ours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsManagementRequest {
    pub account_id: String,
    pub environment: AwsEnvironment,
    pub bucket_name: String,
    pub products: Vec<ManagementProduct>,
    pub role_arns: RoleArns,
}

/// `POST /onramp/management/azure` (ours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureBillingRequest {
    pub account_id: String,
    pub client_id: String,
    pub tenant_id: String,
    pub client_secret: String,
    pub expiration_date: String,
    pub agreement_type: AgreementType,
    pub billing_account_id: String,
}

/// The AWS part of a registered management account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsManagement {
    pub environment: AwsEnvironment,
    pub bucket_name: String,
    pub products: Vec<ManagementProduct>,
    pub role_arns: RoleArns,
}

/// The Azure part; `client_secret` is always masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureBilling {
    pub client_id: String,
    pub tenant_id: String,
    pub client_secret: String,
    pub expiration_date: String,
    pub agreement_type: AgreementType,
    pub billing_account_id: String,
}

/// The organization's management account, as the routes answer it (kind [`KIND`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagementAccount {
    pub account_id: String,
    pub account_name: String,
    /// `aws` or `azure`.
    pub cloud_provider: String,
    /// AWS: the management account's 12-digit number; Azure: the billing account ID.
    pub provider_external_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsManagement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure: Option<AzureBilling>,
    pub created_at: String,
    pub updated_at: String,
}

/// Problems with the role ARNs, each with the product whose ARN it concerns.
pub type ProductErrors = Vec<(ManagementProduct, FieldError)>;

/// Checks the role ARNs against the selected products: one valid ARN in `env`'s partition per
/// selected product, none for an unselected one, and all in one AWS account (one stack creates
/// them). Returns the checked ARNs in product order, or every problem with its product.
pub fn check_role_arns(
    env: AwsEnvironment,
    products: &[ManagementProduct],
    arns: &RoleArns,
) -> Result<Vec<(ManagementProduct, RoleArn)>, ProductErrors> {
    let products = normalised_products(products);
    let mut ok: Vec<(ManagementProduct, RoleArn)> = Vec::new();
    let mut errors = Vec::new();
    for p in ManagementProduct::ALL {
        let given = arns.get(p).filter(|s| !s.trim().is_empty());
        match (products.contains(&p), given) {
            (true, None) => errors.push((
                p,
                FieldError::new(format!(
                    "Enter the role ARN for {}: copy the {} output from the stack's Outputs tab.",
                    p.label(),
                    p.output()
                )),
            )),
            (false, Some(_)) => errors.push((
                p,
                FieldError::new(format!(
                    "You did not select {}, so it has no role. Remove this ARN, or select the product and run the template again.",
                    p.label()
                )),
            )),
            (false, None) => {}
            (true, Some(raw)) => match validate::role_arn(raw, env) {
                Err(e) => errors.push((p, e)),
                Ok(arn) => match ok.first() {
                    Some((other, first)) if first.account_id != arn.account_id => errors.push((
                        p,
                        FieldError::new(format!(
                            "This role is in AWS account {}, but the {} role is in {}. One stack creates both roles, so they must be in the same account: copy both ARNs from the same stack's outputs.",
                            arn.account_id,
                            other.label(),
                            first.account_id
                        )),
                    )),
                    _ => ok.push((p, arn)),
                },
            },
        }
    }
    if errors.is_empty() {
        Ok(ok)
    } else {
        Err(errors)
    }
}

// ---- the AWS wizard --------------------------------------------------------------------------

/// The AWS management-account wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ManagementStep {
    Environment,
    SignIn,
    BillingAccess,
    ProductsAndBucket,
    RunTemplate,
    RoleArns,
    Done,
}

impl ManagementStep {
    pub const ALL: [ManagementStep; 7] = [
        ManagementStep::Environment,
        ManagementStep::SignIn,
        ManagementStep::BillingAccess,
        ManagementStep::ProductsAndBucket,
        ManagementStep::RunTemplate,
        ManagementStep::RoleArns,
        ManagementStep::Done,
    ];

    /// 1-based position (Done is 7).
    pub fn number(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).expect("listed") + 1
    }

    pub fn label(self) -> &'static str {
        match self {
            ManagementStep::Environment => "Are you connecting from AWS GovCloud or China?",
            ManagementStep::SignIn => "Log in to your AWS management account",
            ManagementStep::BillingAccess => "Activate IAM access to billing",
            ManagementStep::ProductsAndBucket => "Select products and the Cost and Usage Report",
            ManagementStep::RunTemplate => "Run the CloudFormation template",
            ManagementStep::RoleArns => "Role ARNs",
            ManagementStep::Done => "Done",
        }
    }

    /// The step's URL segment.
    pub fn slug(self) -> &'static str {
        match self {
            ManagementStep::Environment => "environment",
            ManagementStep::SignIn => "sign-in",
            ManagementStep::BillingAccess => "billing-access",
            ManagementStep::ProductsAndBucket => "products",
            ManagementStep::RunTemplate => "run-template",
            ManagementStep::RoleArns => "role-arns",
            ManagementStep::Done => "done",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.slug() == s)
    }

    pub fn next(self) -> Option<Self> {
        Self::ALL.get(self.number()).copied()
    }

    pub fn previous(self) -> Option<Self> {
        self.number()
            .checked_sub(2)
            .and_then(|i| Self::ALL.get(i).copied())
    }
}

/// What the user has entered so far, kept across reloads (never a secret). `serde(default)`
/// so an older or partial draft still loads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ManagementDraft {
    /// Step 1; `None` until answered.
    pub environment: Option<AwsEnvironment>,
    /// Step 2: the user went on after the sign-in link.
    pub signed_in: bool,
    /// Step 3: the user ticked the confirmation.
    pub billing_access_confirmed: bool,
    /// Step 4.
    pub products: Vec<ManagementProduct>,
    pub bucket_name: String,
    /// Step 5: the user opened the quick-create link or downloaded the template and went on.
    pub template_launched: bool,
    /// Step 6.
    pub role_arns: RoleArns,
    /// The API accepted the registration.
    pub connected: bool,
    /// The Spot account the management account is registered to (created by the wizard, or
    /// the one the user came with); set before the external ID is generated for it.
    pub account_id: Option<AccountId>,
    /// Generated for `account_id`; the template's `ExternalId` parameter. Shown on screen, so
    /// not a secret; regenerated when expired (which means running the template again).
    pub external_id: Option<ExternalId>,
    /// When the request creating `account_id` was sent, until its answer came: a retry after a
    /// lost answer looks for that account before creating another.
    pub create_sent_at: Option<String>,
}

impl ManagementDraft {
    /// Answers step 1. Another environment means another console: sign in and run the
    /// template again.
    pub fn choose_environment(&mut self, env: AwsEnvironment) {
        if self.environment != Some(env) {
            self.environment = Some(env);
            self.signed_in = false;
            self.template_launched = false;
            self.connected = false;
        }
    }

    /// Step 4's checkboxes. Another selection means another stack: run the template again;
    /// the ARN of a product no longer selected is dropped.
    pub fn choose_products(&mut self, chosen: &[ManagementProduct]) {
        let products = normalised_products(chosen);
        if products != self.products {
            for p in ManagementProduct::ALL {
                if !products.contains(&p) {
                    self.role_arns.set(p, None);
                }
            }
            self.products = products;
            self.template_launched = false;
            self.connected = false;
        }
    }

    /// Step 4's bucket. Another bucket means another stack.
    pub fn set_bucket_name(&mut self, name: &str) {
        if self.bucket_name != name {
            self.bucket_name = name.to_owned();
            self.template_launched = false;
            self.connected = false;
        }
    }

    /// The registration body for `account_id` (validation is the server's and the steps').
    pub fn request(&self, account_id: &str) -> AwsManagementRequest {
        let products = normalised_products(&self.products);
        let mut role_arns = RoleArns::default();
        for p in &products {
            role_arns.set(*p, self.role_arns.get(*p).map(|s| s.trim().to_owned()));
        }
        AwsManagementRequest {
            account_id: account_id.to_owned(),
            environment: self.environment.unwrap_or_default(),
            bucket_name: self.bucket_name.trim().to_owned(),
            products,
            role_arns,
        }
    }
}

/// Each step needs all earlier ones. `Done` is a page of its own and never complete, so
/// [`first_incomplete_step`](crate::onboarding::first_incomplete_step) always names a step to
/// show.
impl Wizard for ManagementDraft {
    type Step = ManagementStep;
    const STEPS: &'static [ManagementStep] = &ManagementStep::ALL;

    fn is_complete(&self, step: ManagementStep) -> bool {
        match step {
            ManagementStep::Environment => self.environment.is_some(),
            ManagementStep::SignIn => self.signed_in,
            ManagementStep::BillingAccess => self.billing_access_confirmed,
            ManagementStep::ProductsAndBucket => {
                check_products(&self.products).is_ok()
                    && validate::s3_bucket_name(&self.bucket_name).is_ok()
            }
            ManagementStep::RunTemplate => self.template_launched,
            ManagementStep::RoleArns => {
                self.connected
                    && check_role_arns(
                        self.environment.unwrap_or_default(),
                        &self.products,
                        &self.request("").role_arns,
                    )
                    .is_ok()
            }
            ManagementStep::Done => false,
        }
    }
}

impl ManagementDraft {
    /// True when there is no external ID, or it is past its `maxValidUntil` at `now`, or that
    /// time can't be read.
    pub fn external_id_needs_refresh(&self, now: Timestamp) -> bool {
        crate::onboarding::external_id_needs_refresh(self.external_id.as_ref(), now)
    }

    /// Keeps a newly generated external ID. Replacing one the template may already have used
    /// means the stack must be run (or updated) again.
    pub fn set_external_id(&mut self, x: ExternalId) {
        let replaced = self
            .external_id
            .as_ref()
            .is_some_and(|old| old.external_id != x.external_id);
        if replaced {
            self.template_launched = false;
            self.connected = false;
        }
        self.external_id = Some(x);
    }

    /// The account the management account goes to. Another account means another external
    /// ID, so the one kept for the previous account is dropped.
    pub fn set_account(&mut self, id: AccountId) {
        if self.account_id.as_ref() != Some(&id) {
            self.account_id = Some(id);
            if self.external_id.take().is_some() {
                self.template_launched = false;
            }
            self.connected = false;
        }
    }

    /// The message for one product's role ARN field, if its value is refused (the same rules
    /// as [`check_role_arns`], so the field and the submit never disagree).
    pub fn role_arn_problem(&self, p: ManagementProduct) -> Option<FieldError> {
        let env = self.environment.unwrap_or_default();
        check_role_arns(env, &self.products, &self.request("").role_arns)
            .err()?
            .into_iter()
            .find(|(q, _)| *q == p)
            .map(|(_, e)| e)
    }
}

/// The region the wizard recommends for the report bucket and the stack: us-east-1 in
/// commercial AWS, the partition's first region elsewhere.
pub fn home_region(env: AwsEnvironment) -> &'static str {
    match env {
        AwsEnvironment::Commercial => "us-east-1",
        AwsEnvironment::GovCloud => "us-gov-west-1",
        AwsEnvironment::China => "cn-north-1",
    }
}

/// The Cost and Usage Reports page of the partition's billing console.
pub fn cur_console_url(env: AwsEnvironment) -> String {
    format!(
        "https://{}/billing/home#/reports",
        Partition::from_choice(env).console_host()
    )
}

/// AWS's how-to for activating IAM access to the Billing and Cost Management console.
pub const BILLING_ACCESS_HELP_URL: &str = "https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/control-access-billing.html#ControllingAccessWebsite-Activate";

/// The quick-create link for the management template at `template_url` (absolute), in the
/// environment's console and home region, with every parameter filled in. `principal`
/// replaces Spot's default principal when the deployment configures another.
pub fn management_quick_create_url(
    env: AwsEnvironment,
    template_url: &str,
    products: &[ManagementProduct],
    bucket: &str,
    external_id: &str,
    principal: Option<&str>,
) -> String {
    let params = template_parameters(products, bucket.trim(), external_id);
    let params: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| match (*k, principal) {
            ("Principal", Some(p)) if !p.trim().is_empty() => (*k, p.trim()),
            _ => (*k, v.as_str()),
        })
        .collect();
    quick_create_url(
        Partition::from_choice(env),
        home_region(env),
        template_url,
        SUGGESTED_STACK_NAME,
        &params,
    )
}

/// The template's address for a page served from `origin` (`https://console.example.com`):
/// the quick-create link needs an absolute URL.
pub fn template_url(origin: &str) -> String {
    format!(
        "{}/{MANAGEMENT_TEMPLATE_PATH}",
        origin.trim_end_matches('/')
    )
}

/// Names the wizards give the Spot account they create for a management account.
pub const AWS_ACCOUNT_NAME: &str = "AWS management account";
pub const AZURE_ACCOUNT_NAME: &str = "Azure billing account";

/// What the done screen promises.
pub const PROCESSING_NOTE: &str = "Initial data processing takes up to 72 hours.";

// ---- the Azure billing account ---------------------------------------------------------------

/// The Azure billing-account form's fields, in form order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AzureBillingField {
    ClientId,
    TenantId,
    ClientSecret,
    ExpirationDate,
    AgreementType,
    BillingAccountId,
}

impl AzureBillingField {
    pub const ALL: [AzureBillingField; 6] = [
        AzureBillingField::ClientId,
        AzureBillingField::TenantId,
        AzureBillingField::ClientSecret,
        AzureBillingField::ExpirationDate,
        AzureBillingField::AgreementType,
        AzureBillingField::BillingAccountId,
    ];

    /// The name in the request body (and in the server's `body.<name>` error fields).
    pub fn wire(self) -> &'static str {
        match self {
            AzureBillingField::ClientId => "clientId",
            AzureBillingField::TenantId => "tenantId",
            AzureBillingField::ClientSecret => "clientSecret",
            AzureBillingField::ExpirationDate => "expirationDate",
            AzureBillingField::AgreementType => "agreementType",
            AzureBillingField::BillingAccountId => "billingAccountId",
        }
    }

    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.wire() == s)
    }
}

/// What identifies the billing account for each agreement type (the field's label).
pub fn billing_id_label(agreement: AgreementType) -> &'static str {
    match agreement {
        AgreementType::Ea => "Enrollment number",
        AgreementType::Mca => "Billing account ID",
        AgreementType::PayAsYouGo => "Subscription ID",
    }
}

/// The Azure billing-account form, kept across reloads. There is no field for the client
/// secret: it stays in a password input and is passed to [`Self::request`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AzureBillingDraft {
    pub client_id: String,
    pub tenant_id: String,
    /// `YYYY-MM-DD` from the date input.
    pub expiration_date: String,
    pub agreement_type: Option<AgreementType>,
    pub billing_account_id: String,
    /// The Spot account the billing account is registered to, once created.
    pub account_id: Option<AccountId>,
    /// When the request creating `account_id` was sent, until its answer came (see
    /// [`ManagementDraft::create_sent_at`]).
    pub create_sent_at: Option<String>,
    pub connected: bool,
}

impl AzureBillingDraft {
    /// Another agreement type means another kind of identifier: the typed one is cleared
    /// only when it can't be right for the new type.
    pub fn choose_agreement(&mut self, agreement: AgreementType) {
        if self.agreement_type != Some(agreement) {
            if self.agreement_type.is_some()
                && validate::billing_account_id(agreement, &self.billing_account_id).is_err()
            {
                self.billing_account_id.clear();
            }
            self.agreement_type = Some(agreement);
        }
    }

    /// One field's problem (for the check on blur). `today` is `YYYY-MM-DD` (UTC).
    pub fn problem(
        &self,
        field: AzureBillingField,
        secret: &str,
        today: &str,
    ) -> Option<FieldError> {
        match field {
            AzureBillingField::ClientId => {
                validate::azure_guid(&self.client_id, "application (client) ID").err()
            }
            AzureBillingField::TenantId => {
                validate::azure_guid(&self.tenant_id, "directory (tenant) ID").err()
            }
            AzureBillingField::ClientSecret => validate::azure_client_secret(secret).err(),
            AzureBillingField::ExpirationDate => {
                validate::secret_expiration(&self.expiration_date, today).err()
            }
            AzureBillingField::AgreementType => self.agreement_type.is_none().then(|| {
                FieldError::new(
                    "Choose the agreement type: Enterprise Agreement, Microsoft Customer Agreement or pay-as-you-go.",
                )
            }),
            AzureBillingField::BillingAccountId => match self.agreement_type {
                Some(a) => validate::billing_account_id(a, &self.billing_account_id).err(),
                None => Some(FieldError::new(
                    "Choose the agreement type first: it decides which identifier goes here.",
                )),
            },
        }
    }

    /// The registration body, or every field's problem in form order (focus the first).
    pub fn request(
        &self,
        account_id: &AccountId,
        secret: &str,
        today: &str,
    ) -> Result<AzureBillingRequest, Vec<(AzureBillingField, FieldError)>> {
        let errors: Vec<_> = AzureBillingField::ALL
            .into_iter()
            .filter_map(|f| self.problem(f, secret, today).map(|e| (f, e)))
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let ok = |r: Result<String, FieldError>| r.unwrap_or_default();
        let agreement = self.agreement_type.unwrap_or_default();
        Ok(AzureBillingRequest {
            account_id: account_id.to_string(),
            client_id: ok(validate::azure_guid(&self.client_id, "")),
            tenant_id: ok(validate::azure_guid(&self.tenant_id, "")),
            client_secret: ok(validate::azure_client_secret(secret)),
            expiration_date: ok(validate::secret_expiration(&self.expiration_date, today)),
            agreement_type: agreement,
            billing_account_id: ok(validate::billing_account_id(
                agreement,
                &self.billing_account_id,
            )),
        })
    }
}

// ---- FinOps products -------------------------------------------------------------

/// The FinOps products an account with credentials can be enrolled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FinOpsProduct {
    /// Cloud billing data (`/cloudBilling/v1/setup/account`).
    #[default]
    BillingEngine,
    /// Cost insights (`/cbi/v1/setup/account`).
    CostIntelligence,
}

impl FinOpsProduct {
    pub const ALL: [FinOpsProduct; 2] = [
        FinOpsProduct::BillingEngine,
        FinOpsProduct::CostIntelligence,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FinOpsProduct::BillingEngine => "Billing Engine",
            FinOpsProduct::CostIntelligence => "Cost Intelligence",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            FinOpsProduct::BillingEngine => "billing-engine",
            FinOpsProduct::CostIntelligence => "cost-intelligence",
        }
    }
}

/// The outcome of one check of a validation call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Success,
    Failed,
    Warning,
    Skipped,
}

impl CheckStatus {
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Success => "Passed",
            CheckStatus::Failed => "Failed",
            CheckStatus::Warning => "Warning",
            CheckStatus::Skipped => "Not checked",
        }
    }
}

/// One item of a validation answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationCheck {
    pub id: String,
    pub description: String,
    pub status: CheckStatus,
}

/// Connect is offered once a validation ran and none of its checks failed (warnings and
/// skipped checks are shown, not blocking).
pub fn can_connect(checks: &[ValidationCheck]) -> bool {
    !checks.is_empty() && checks.iter().all(|c| c.status != CheckStatus::Failed)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingSource {
    pub bucket: String,
    pub region: String,
    pub path_prefix: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoogleBillingConfiguration {
    pub project_id: String,
    pub dataset_id: String,
    pub table_id: String,
}

/// `config` of a cloud-billing registration: AWS `{"billingSource": …}`, GCP
/// `{"googleBillingConfiguration": …}`, Azure `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_source: Option<BillingSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_billing_configuration: Option<GoogleBillingConfiguration>,
}

/// `POST /cloudBilling/v1/setup/account[/validation]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudBillingRequest {
    pub account_id: String,
    pub config: BillingConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CbiAccount {
    pub account_id: String,
}

/// `POST /cbi/v1/setup/account[/validation]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CbiRequest {
    pub account: CbiAccount,
}

impl CbiRequest {
    pub fn new(account_id: &AccountId) -> Self {
        Self {
            account: CbiAccount {
                account_id: account_id.to_string(),
            },
        }
    }
}

const BIGQUERY_ID_MAX: usize = 1024;

/// A BigQuery dataset ID: 1–1024 letters, digits and underscores (no hyphens, no dots).
pub fn bigquery_dataset_id(input: &str) -> Result<String, FieldError> {
    bigquery_id(input, "dataset", false)
}

/// A BigQuery table ID: 1–1024 bytes of letters, digits, underscores and hyphens.
pub fn bigquery_table_id(input: &str) -> Result<String, FieldError> {
    bigquery_id(input, "table", true)
}

fn bigquery_id(input: &str, what: &str, hyphen: bool) -> Result<String, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(FieldError::new(format!(
            "Enter the BigQuery {what} ID of the billing export."
        )));
    }
    if s.contains('.') || s.contains(':') || s.contains('`') {
        let last = s.trim_matches('`').rsplit(['.', ':']).next().unwrap_or("");
        return Err(FieldError::new(format!(
            "Enter only the {what} ID, not a path with the project{}: {last}.",
            if what == "table" { " and dataset" } else { "" },
        )));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || (hyphen && *c == '-')))
    {
        let allowed = if hyphen {
            "letters, digits, underscores and hyphens"
        } else {
            "letters, digits and underscores"
        };
        let shown = if c == ' ' {
            "a space".to_owned()
        } else {
            format!("“{c}”")
        };
        return Err(FieldError::new(format!(
            "A {what} ID can't contain {shown}: use {allowed} only."
        )));
    }
    if s.len() > BIGQUERY_ID_MAX {
        return Err(FieldError::new(format!(
            "A {what} ID has at most {BIGQUERY_ID_MAX} characters; this one has {}.",
            s.len()
        )));
    }
    Ok(s.to_owned())
}

/// The Billing Engine form's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FinOpsField {
    Bucket,
    Region,
    PathPrefix,
    ProjectId,
    DatasetId,
    TableId,
}

impl FinOpsField {
    /// The server's error field (without `body.`).
    pub fn wire(self) -> &'static str {
        match self {
            FinOpsField::Bucket => "config.billingSource.bucket",
            FinOpsField::Region => "config.billingSource.region",
            FinOpsField::PathPrefix => "config.billingSource.pathPrefix",
            FinOpsField::ProjectId => "config.googleBillingConfiguration.projectId",
            FinOpsField::DatasetId => "config.googleBillingConfiguration.datasetId",
            FinOpsField::TableId => "config.googleBillingConfiguration.tableId",
        }
    }
}

/// The fields Billing Engine asks for on each cloud (none on Azure).
pub fn billing_engine_fields(provider: CloudProvider) -> &'static [FinOpsField] {
    match provider {
        CloudProvider::Aws => &[
            FinOpsField::Bucket,
            FinOpsField::Region,
            FinOpsField::PathPrefix,
        ],
        CloudProvider::Gcp => &[
            FinOpsField::ProjectId,
            FinOpsField::DatasetId,
            FinOpsField::TableId,
        ],
        CloudProvider::Azure => &[],
    }
}

/// The FinOps form, kept across reloads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FinOpsDraft {
    pub account_id: Option<AccountId>,
    pub product: FinOpsProduct,
    pub bucket: String,
    pub region: String,
    pub path_prefix: String,
    pub project_id: String,
    pub dataset_id: String,
    pub table_id: String,
}

impl FinOpsDraft {
    pub fn value(&self, field: FinOpsField) -> &str {
        match field {
            FinOpsField::Bucket => &self.bucket,
            FinOpsField::Region => &self.region,
            FinOpsField::PathPrefix => &self.path_prefix,
            FinOpsField::ProjectId => &self.project_id,
            FinOpsField::DatasetId => &self.dataset_id,
            FinOpsField::TableId => &self.table_id,
        }
    }

    /// One field's value checked by its rule.
    pub fn checked(&self, field: FinOpsField) -> Result<String, FieldError> {
        let v = self.value(field);
        match field {
            FinOpsField::Bucket => validate::s3_bucket_name(v),
            FinOpsField::Region => validate::aws_region(v),
            FinOpsField::PathPrefix => validate::s3_path_prefix(v),
            FinOpsField::ProjectId => validate::gcp_project_id(v),
            FinOpsField::DatasetId => bigquery_dataset_id(v),
            FinOpsField::TableId => bigquery_table_id(v),
        }
    }

    /// Billing Engine's configuration for an account on `provider`, or every field's problem
    /// in form order.
    pub fn billing_config(
        &self,
        provider: CloudProvider,
    ) -> Result<BillingConfig, Vec<(FinOpsField, FieldError)>> {
        let mut errors = Vec::new();
        let mut get = |f: FinOpsField| match self.checked(f) {
            Ok(v) => v,
            Err(e) => {
                errors.push((f, e));
                String::new()
            }
        };
        let config = match provider {
            CloudProvider::Aws => BillingConfig {
                billing_source: Some(BillingSource {
                    bucket: get(FinOpsField::Bucket),
                    region: get(FinOpsField::Region),
                    path_prefix: get(FinOpsField::PathPrefix),
                }),
                google_billing_configuration: None,
            },
            CloudProvider::Gcp => BillingConfig {
                billing_source: None,
                google_billing_configuration: Some(GoogleBillingConfiguration {
                    project_id: get(FinOpsField::ProjectId),
                    dataset_id: get(FinOpsField::DatasetId),
                    table_id: get(FinOpsField::TableId),
                }),
            },
            CloudProvider::Azure => BillingConfig::default(),
        };
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onboarding::{can_enter, first_incomplete_step};
    use ManagementProduct::{ComputeOptimization, CostAnalysis};

    const FINOPS: &str = "arn:aws:iam::123456789012:role/SpotFinOps";
    const COMPUTE: &str = "arn:aws:iam::123456789012:role/SpotCompute";

    #[test]
    fn products_serialise_in_camel_case_and_parse_back() {
        assert_eq!(
            serde_json::to_value(ManagementProduct::ALL).unwrap(),
            json!(["costAnalysis", "computeOptimization"])
        );
        for p in ManagementProduct::ALL {
            assert_eq!(ManagementProduct::parse(p.as_str()), Some(p));
            assert!(!p.label().is_empty());
        }
        assert_eq!(ManagementProduct::parse("CostAnalysis"), None);
        assert_eq!(
            products_parameter(&[ComputeOptimization, CostAnalysis, CostAnalysis]).as_deref(),
            Some("costAnalysis,computeOptimization")
        );
        assert_eq!(products_parameter(&[]), None);
        assert!(check_products(&[]).is_err());
    }

    #[test]
    fn role_arns_follow_the_selected_products() {
        let env = AwsEnvironment::Commercial;
        let both = RoleArns {
            cost_analysis: Some(FINOPS.into()),
            compute_optimization: Some(COMPUTE.into()),
        };
        let ok = check_role_arns(env, &[CostAnalysis, ComputeOptimization], &both).unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].1.name, "SpotFinOps");

        // Missing for a selected product.
        let only_finops = RoleArns {
            cost_analysis: Some(FINOPS.into()),
            ..RoleArns::default()
        };
        let errs =
            check_role_arns(env, &[CostAnalysis, ComputeOptimization], &only_finops).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].0, ComputeOptimization);
        assert!(errs[0].1.message.contains("SpotComputeOptimizationRoleArn"));

        // Given for an unselected product.
        let errs = check_role_arns(env, &[CostAnalysis], &both).unwrap_err();
        assert_eq!(errs[0].0, ComputeOptimization);
        assert!(errs[0].1.message.contains("did not select"));

        // Wrong partition: the validator's specific message.
        let gov = RoleArns {
            cost_analysis: Some("arn:aws-us-gov:iam::123456789012:role/X".into()),
            ..RoleArns::default()
        };
        let errs = check_role_arns(env, &[CostAnalysis], &gov).unwrap_err();
        assert!(errs[0].1.message.contains("must be in the aws partition"));

        // Two accounts.
        let split = RoleArns {
            cost_analysis: Some(FINOPS.into()),
            compute_optimization: Some("arn:aws:iam::210987654321:role/X".into()),
        };
        let errs = check_role_arns(env, &[CostAnalysis, ComputeOptimization], &split).unwrap_err();
        assert_eq!(errs[0].0, ComputeOptimization);
        assert!(errs[0].1.message.contains("same account"));
    }

    fn complete_draft() -> ManagementDraft {
        ManagementDraft {
            environment: Some(AwsEnvironment::Commercial),
            signed_in: true,
            billing_access_confirmed: true,
            products: vec![CostAnalysis],
            bucket_name: "my-cur-bucket".into(),
            template_launched: true,
            role_arns: RoleArns {
                cost_analysis: Some(FINOPS.into()),
                compute_optimization: None,
            },
            connected: true,
            account_id: None,
            external_id: None,
            create_sent_at: None,
        }
    }

    #[test]
    fn steps_resume_at_the_first_incomplete_one() {
        let mut d = ManagementDraft::default();
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::Environment));
        d.choose_environment(AwsEnvironment::GovCloud);
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::SignIn));
        d.signed_in = true;
        assert_eq!(
            first_incomplete_step(&d),
            Some(ManagementStep::BillingAccess)
        );
        d.billing_access_confirmed = true;
        assert_eq!(
            first_incomplete_step(&d),
            Some(ManagementStep::ProductsAndBucket)
        );
        d.choose_products(&[CostAnalysis]);
        d.set_bucket_name("192.168.1.1");
        assert_eq!(
            first_incomplete_step(&d),
            Some(ManagementStep::ProductsAndBucket)
        );
        d.set_bucket_name("my-cur-bucket");
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::RunTemplate));
        d.template_launched = true;
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::RoleArns));
        // A commercial ARN does not complete a GovCloud wizard, even once "connected".
        d.role_arns.cost_analysis = Some(FINOPS.into());
        d.connected = true;
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::RoleArns));
        d.role_arns.cost_analysis = Some("arn:aws-us-gov:iam::123456789012:role/F".into());
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::Done));
    }

    #[test]
    fn deep_links_need_every_earlier_step() {
        let d = ManagementDraft::default();
        assert!(can_enter(ManagementStep::Environment, &d));
        for s in &ManagementStep::ALL[1..] {
            assert!(!can_enter(*s, &d), "{s:?}");
        }
        let done = complete_draft();
        for s in ManagementStep::ALL {
            assert!(can_enter(s, &done), "{s:?}");
        }
        let mut no_bucket = done.clone();
        no_bucket.set_bucket_name("");
        assert!(can_enter(ManagementStep::ProductsAndBucket, &no_bucket));
        assert!(!can_enter(ManagementStep::RunTemplate, &no_bucket));
        assert!(!can_enter(ManagementStep::Done, &no_bucket));
        let mut not_connected = done.clone();
        not_connected.connected = false;
        assert!(can_enter(ManagementStep::RoleArns, &not_connected));
        assert!(!can_enter(ManagementStep::Done, &not_connected));
    }

    #[test]
    fn changing_an_earlier_answer_invalidates_what_depends_on_it() {
        let mut d = complete_draft();
        d.choose_products(&[CostAnalysis]); // unchanged: nothing reset
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::Done));
        d.choose_products(&[ComputeOptimization]);
        assert_eq!(d.role_arns.cost_analysis, None);
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::RunTemplate));
        let mut d = complete_draft();
        d.choose_environment(AwsEnvironment::China);
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::SignIn));
        let mut d = complete_draft();
        d.set_bucket_name("other-bucket");
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::RunTemplate));
    }

    #[test]
    fn draft_round_trips_and_tolerates_missing_fields() {
        let d = complete_draft();
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["environment"], "commercial");
        assert_eq!(v["billingAccessConfirmed"], true);
        assert_eq!(v["roleArns"]["costAnalysis"], FINOPS);
        assert_eq!(serde_json::from_value::<ManagementDraft>(v).unwrap(), d);
        let partial: ManagementDraft =
            serde_json::from_value(json!({"environment": "govcloud"})).unwrap();
        assert_eq!(partial.environment, Some(AwsEnvironment::GovCloud));
        assert_eq!(
            first_incomplete_step(&partial),
            Some(ManagementStep::SignIn)
        );
    }

    #[test]
    fn request_keeps_only_the_selected_products_arns() {
        let mut d = complete_draft();
        d.role_arns.compute_optimization = Some(COMPUTE.into());
        d.role_arns.cost_analysis = Some(format!("  {FINOPS} "));
        let r = d.request("act-1a2b3c4d");
        assert_eq!(r.products, vec![CostAnalysis]);
        assert_eq!(r.role_arns.cost_analysis.as_deref(), Some(FINOPS));
        assert_eq!(r.role_arns.compute_optimization, None);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            json!({"accountId": "act-1a2b3c4d", "environment": "commercial",
                   "bucketName": "my-cur-bucket", "products": ["costAnalysis"],
                   "roleArns": {"costAnalysis": FINOPS}})
        );
    }

    #[test]
    fn step_slugs_and_order() {
        for s in ManagementStep::ALL {
            assert_eq!(ManagementStep::from_slug(s.slug()), Some(s));
        }
        assert_eq!(ManagementStep::Environment.number(), 1);
        assert_eq!(ManagementStep::RoleArns.number(), 6);
        assert_eq!(
            ManagementStep::Environment.next(),
            Some(ManagementStep::SignIn)
        );
        assert_eq!(ManagementStep::Done.next(), None);
        assert_eq!(ManagementStep::Environment.previous(), None);
        assert_eq!(
            ManagementStep::Done.previous(),
            Some(ManagementStep::RoleArns)
        );
    }

    #[test]
    fn template_parameters_fill_the_quick_create_link() {
        let p = template_parameters(&[CostAnalysis], "my-cur-bucket", "ext123");
        assert_eq!(p[0], ("CostAndUsageBucket", "my-cur-bucket".to_owned()));
        assert_eq!(p[3], ("Products", "costAnalysis".to_owned()));
    }

    #[test]
    fn shipped_management_template_matches_the_generator() {
        let shipped = crate::golden::check(
            "public/templates/spot-management-account.json",
            &management_account_template(),
        );
        let v: Value = serde_json::from_str(&shipped).unwrap();
        for p in ["CostAndUsageBucket", "ExternalId", "Principal", "Products"] {
            assert!(v["Parameters"][p].is_object(), "missing parameter {p}");
        }
        assert_eq!(v["Parameters"]["Principal"]["Default"], SPOT_PRINCIPAL);
        assert_eq!(
            v["Outputs"]["SpotFinOpsRoleArn"]["Value"]["Fn::GetAtt"][0],
            "SpotFinOpsRole"
        );
        assert!(v["Outputs"]["SpotComputeOptimizationRoleArn"].is_object());
        let finops = &v["Resources"]["SpotFinOpsRole"]["Properties"];
        let st = &finops["Policies"][0]["PolicyDocument"]["Statement"];
        assert_eq!(
            st[0]["Resource"]["Fn::Sub"],
            "arn:${AWS::Partition}:s3:::${CostAndUsageBucket}"
        );
        assert_eq!(
            st[1]["Resource"]["Fn::Sub"],
            "arn:${AWS::Partition}:s3:::${CostAndUsageBucket}/*"
        );
        let actions = st[2]["Action"].as_array().unwrap();
        for a in [
            "cur:DescribeReportDefinitions",
            "ce:Get*",
            "organizations:List*",
        ] {
            assert!(actions.iter().any(|x| x == a), "missing {a}");
        }
        assert_eq!(
            finops["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"]
                ["Ref"],
            "ExternalId"
        );
        // The bucket pattern accepts what the shared rule accepts for plain names.
        assert!(validate::s3_bucket_name("my-cur-bucket").is_ok());
    }

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn ext(id: &str, until: &str) -> ExternalId {
        ExternalId {
            external_id: id.into(),
            max_valid_until: until.into(),
        }
    }

    #[test]
    fn external_id_expiry_and_replacement() {
        let mut d = complete_draft();
        assert!(d.external_id_needs_refresh(at("2026-11-22T10:00:00.000Z")));
        d.set_external_id(ext("abc123", "2026-11-22T11:00:00.000Z"));
        // The first one does not undo anything.
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::Done));
        assert!(!d.external_id_needs_refresh(at("2026-11-22T10:59:59.000Z")));
        assert!(d.external_id_needs_refresh(at("2026-11-22T11:00:00.000Z")));
        // An unreadable `maxValidUntil` is treated as expired.
        d.set_external_id(ext("abc123", "not a time"));
        assert!(d.external_id_needs_refresh(at("2026-11-22T10:00:00.000Z")));
        // The same one again changes nothing; another means running the template again.
        d.set_external_id(ext("abc123", "2026-11-22T12:00:00.000Z"));
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::Done));
        d.set_external_id(ext("zzz999", "2026-11-22T12:00:00.000Z"));
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::RunTemplate));
        assert!(!d.connected);
    }

    #[test]
    fn another_account_drops_the_external_id() {
        let mut d = complete_draft();
        let a = AccountId::parse("act-1a2b3c4d").unwrap();
        d.set_account(a.clone());
        assert_eq!(d.account_id, Some(a.clone()));
        d.set_external_id(ext("abc123", "2026-11-22T11:00:00.000Z"));
        d.connected = true;
        d.set_account(a.clone()); // same: kept
        assert!(d.external_id.is_some() && d.connected);
        d.set_account(AccountId::parse("act-00000001").unwrap());
        assert_eq!(d.external_id, None);
        assert_eq!(first_incomplete_step(&d), Some(ManagementStep::RunTemplate));
    }

    #[test]
    fn role_arn_problem_names_one_products_field() {
        let mut d = complete_draft();
        d.choose_products(&[CostAnalysis, ComputeOptimization]);
        assert!(d.role_arn_problem(CostAnalysis).is_none());
        let m = d.role_arn_problem(ComputeOptimization).unwrap().message;
        assert!(m.contains("SpotComputeOptimizationRoleArn"), "{m}");
        d.role_arns.compute_optimization = Some("arn:aws-cn:iam::123456789012:role/C".into());
        let m = d.role_arn_problem(ComputeOptimization).unwrap().message;
        assert!(m.contains("aws partition"), "{m}");
    }

    #[test]
    fn quick_create_link_for_each_environment() {
        let url = management_quick_create_url(
            AwsEnvironment::Commercial,
            &template_url("https://console.example.com/"),
            &[CostAnalysis],
            " my-cur-bucket ",
            "ext123",
            None,
        );
        assert!(url.starts_with(
            "https://console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?"
        ));
        assert!(url.contains(
            "templateURL=https%3A%2F%2Fconsole.example.com%2Ftemplates%2Fspot-management-account.json"
        ));
        assert!(url.contains("&stackName=Spot-FinOps"));
        assert!(url.contains("&param_CostAndUsageBucket=my-cur-bucket&"));
        assert!(url.contains("&param_ExternalId=ext123&"));
        assert!(url.contains("&param_Principal=arn%3Aaws%3Aiam%3A%3A922761411349%3Aroot&"));
        assert!(url.ends_with("&param_Products=costAnalysis"));
        let cn = management_quick_create_url(
            AwsEnvironment::China,
            "https://x/t.json",
            &[CostAnalysis, ComputeOptimization],
            "b-1",
            "e",
            Some("arn:aws-cn:iam::111122223333:root"),
        );
        assert!(
            cn.starts_with("https://console.amazonaws.cn/cloudformation/home?region=cn-north-1#")
        );
        assert!(cn.contains("param_Principal=arn%3Aaws-cn%3Aiam%3A%3A111122223333%3Aroot"));
        assert!(cn.ends_with("param_Products=costAnalysis%2CcomputeOptimization"));
        assert_eq!(home_region(AwsEnvironment::GovCloud), "us-gov-west-1");
        assert_eq!(
            cur_console_url(AwsEnvironment::GovCloud),
            "https://console.amazonaws-us-gov.com/billing/home#/reports"
        );
    }

    const GUID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    fn azure_draft() -> AzureBillingDraft {
        AzureBillingDraft {
            client_id: GUID.into(),
            tenant_id: format!("{{{}}}", GUID.to_uppercase()),
            expiration_date: "2027-06-01".into(),
            agreement_type: Some(AgreementType::Ea),
            billing_account_id: " 12345678 ".into(),
            ..AzureBillingDraft::default()
        }
    }

    #[test]
    fn azure_billing_request_checks_every_field() {
        let act = AccountId::parse("act-1a2b3c4d").unwrap();
        let r = azure_draft()
            .request(&act, "s3cr3t~value", "2026-11-22")
            .unwrap();
        assert_eq!(r.tenant_id, GUID);
        assert_eq!(r.billing_account_id, "12345678");
        assert_eq!(r.expiration_date, "2027-06-01T00:00:00.000Z");
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["agreementType"], "ea");
        assert_eq!(v["accountId"], "act-1a2b3c4d");

        let empty = AzureBillingDraft::default();
        let errs = empty.request(&act, "", "2026-11-22").unwrap_err();
        let fields: Vec<_> = errs.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, AzureBillingField::ALL.to_vec());
        assert!(errs[4].1.message.contains("agreement type"));

        // The identifier follows the agreement type.
        let mut d = azure_draft();
        d.choose_agreement(AgreementType::Mca);
        assert_eq!(d.billing_account_id, "", "an EA number can't be an MCA ID");
        let m = d
            .problem(AzureBillingField::BillingAccountId, "", "2026-11-22")
            .unwrap()
            .message;
        assert!(m.contains("Microsoft Customer Agreement"), "{m}");
        d.billing_account_id = GUID.into();
        d.choose_agreement(AgreementType::PayAsYouGo);
        assert_eq!(
            d.billing_account_id, GUID,
            "a GUID fits pay-as-you-go: kept"
        );
        assert_eq!(billing_id_label(AgreementType::Ea), "Enrollment number");
        for f in AzureBillingField::ALL {
            assert_eq!(AzureBillingField::from_wire(f.wire()), Some(f));
        }
        // The secret is never part of the draft.
        let json = serde_json::to_string(&azure_draft()).unwrap();
        assert!(!json.to_lowercase().contains("secret"), "{json}");
    }

    #[test]
    fn bigquery_ids() {
        assert_eq!(
            bigquery_dataset_id(" billing_export ").unwrap(),
            "billing_export"
        );
        assert!(
            bigquery_dataset_id("billing-export")
                .unwrap_err()
                .message
                .contains("“-”")
        );
        assert!(
            bigquery_dataset_id("")
                .unwrap_err()
                .message
                .contains("Enter")
        );
        let m = bigquery_dataset_id("my-project.billing")
            .unwrap_err()
            .message;
        assert!(m.contains("not a path") && m.ends_with(": billing."), "{m}");
        let t = "gcp_billing_export_v1_0123AB_4567CD_89EF01";
        assert_eq!(bigquery_table_id(t).unwrap(), t);
        assert!(bigquery_table_id("a-b").is_ok());
        let m = bigquery_table_id(&format!("`proj.ds.{t}`"))
            .unwrap_err()
            .message;
        assert!(m.ends_with(&format!(": {t}.")), "{m}");
        assert!(
            bigquery_table_id("my table")
                .unwrap_err()
                .message
                .contains("a space")
        );
        assert!(
            bigquery_table_id(&"a".repeat(1025))
                .unwrap_err()
                .message
                .contains("at most 1024")
        );
    }

    #[test]
    fn billing_engine_config_per_cloud() {
        let mut d = FinOpsDraft {
            bucket: "my-cur-bucket".into(),
            region: "US-EAST-1".into(),
            path_prefix: "reports/spot".into(),
            ..FinOpsDraft::default()
        };
        let c = d.billing_config(CloudProvider::Aws).unwrap();
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            json!({"billingSource": {"bucket": "my-cur-bucket", "region": "us-east-1", "pathPrefix": "reports/spot"}})
        );
        d.path_prefix = "reports//spot".into();
        d.bucket = "192.168.1.1".into();
        let errs = d.billing_config(CloudProvider::Aws).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].0, FinOpsField::Bucket);
        assert!(errs[0].1.message.contains("IP address"));
        assert_eq!(errs[1].0, FinOpsField::PathPrefix);
        assert!(errs[1].1.message.contains("//"));
        // GCP asks for the BigQuery table; the AWS answers do not matter there.
        let errs = d.billing_config(CloudProvider::Gcp).unwrap_err();
        assert_eq!(
            errs.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
            billing_engine_fields(CloudProvider::Gcp).to_vec()
        );
        d.project_id = "my-project-1".into();
        d.dataset_id = "billing".into();
        d.table_id = "gcp_billing_export_v1_X".into();
        let c = d.billing_config(CloudProvider::Gcp).unwrap();
        assert_eq!(
            serde_json::to_value(&c).unwrap()["googleBillingConfiguration"]["datasetId"],
            "billing"
        );
        // Azure: nothing to ask, `{}` on the wire.
        assert!(billing_engine_fields(CloudProvider::Azure).is_empty());
        assert_eq!(
            serde_json::to_value(d.billing_config(CloudProvider::Azure).unwrap()).unwrap(),
            json!({})
        );
        assert_eq!(
            serde_json::to_value(CbiRequest::new(&AccountId::parse("act-1a2b3c4d").unwrap()))
                .unwrap(),
            json!({"account": {"accountId": "act-1a2b3c4d"}})
        );
    }

    #[test]
    fn validation_checks_decode_and_gate_connect() {
        let checks: Vec<ValidationCheck> = serde_json::from_value(json!([
            {"id": "configuration", "description": "ok", "status": "success"},
            {"id": "dataAccess", "description": "not tried", "status": "skipped"},
            {"id": "cloudBilling", "description": "later", "status": "warning"},
        ]))
        .unwrap();
        assert!(can_connect(&checks));
        assert!(!can_connect(&[]));
        let mut failed = checks.clone();
        failed[0].status = CheckStatus::Failed;
        assert!(!can_connect(&failed));
        assert_eq!(CheckStatus::Skipped.label(), "Not checked");
        assert_eq!(FinOpsProduct::CostIntelligence.label(), "Cost Intelligence");
    }
}
