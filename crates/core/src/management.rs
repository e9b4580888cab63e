//! The organization's management account (Eco / Cloud Analyzer): which products it feeds, the
//! CloudFormation template that creates Spot's read-only roles in an AWS management account,
//! the registration bodies of the local server's own routes (Spot keeps this API private; see
//! `docs/contracts.md`), and the AWS wizard's steps as pure functions so the console can resume
//! a draft and refuse deep links to steps whose prerequisites are missing.

use crate::aws_setup::SPOT_PRINCIPAL;
use crate::validate::{self, AgreementType, AwsEnvironment, FieldError, RoleArn};
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

/// The AWS management-account wizard's steps, in order (flows.md §E).
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

    fn complete(&self, step: ManagementStep) -> bool {
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

/// Where to resume: the first step that is not complete (each step needs all earlier ones).
pub fn first_incomplete_step(draft: &ManagementDraft) -> ManagementStep {
    ManagementStep::ALL
        .into_iter()
        .find(|s| !draft.complete(*s))
        .unwrap_or(ManagementStep::Done)
}

/// Whether a deep link to `step` may open: every earlier step is complete.
pub fn can_enter(step: ManagementStep, draft: &ManagementDraft) -> bool {
    step <= first_incomplete_step(draft)
}

#[cfg(test)]
mod tests {
    use super::*;
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
        }
    }

    #[test]
    fn steps_resume_at_the_first_incomplete_one() {
        let mut d = ManagementDraft::default();
        assert_eq!(first_incomplete_step(&d), ManagementStep::Environment);
        d.choose_environment(AwsEnvironment::GovCloud);
        assert_eq!(first_incomplete_step(&d), ManagementStep::SignIn);
        d.signed_in = true;
        assert_eq!(first_incomplete_step(&d), ManagementStep::BillingAccess);
        d.billing_access_confirmed = true;
        assert_eq!(first_incomplete_step(&d), ManagementStep::ProductsAndBucket);
        d.choose_products(&[CostAnalysis]);
        d.set_bucket_name("192.168.1.1");
        assert_eq!(first_incomplete_step(&d), ManagementStep::ProductsAndBucket);
        d.set_bucket_name("my-cur-bucket");
        assert_eq!(first_incomplete_step(&d), ManagementStep::RunTemplate);
        d.template_launched = true;
        assert_eq!(first_incomplete_step(&d), ManagementStep::RoleArns);
        // A commercial ARN does not complete a GovCloud wizard, even once "connected".
        d.role_arns.cost_analysis = Some(FINOPS.into());
        d.connected = true;
        assert_eq!(first_incomplete_step(&d), ManagementStep::RoleArns);
        d.role_arns.cost_analysis = Some("arn:aws-us-gov:iam::123456789012:role/F".into());
        assert_eq!(first_incomplete_step(&d), ManagementStep::Done);
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
        assert_eq!(first_incomplete_step(&d), ManagementStep::Done);
        d.choose_products(&[ComputeOptimization]);
        assert_eq!(d.role_arns.cost_analysis, None);
        assert_eq!(first_incomplete_step(&d), ManagementStep::RunTemplate);
        let mut d = complete_draft();
        d.choose_environment(AwsEnvironment::China);
        assert_eq!(first_incomplete_step(&d), ManagementStep::SignIn);
        let mut d = complete_draft();
        d.set_bucket_name("other-bucket");
        assert_eq!(first_incomplete_step(&d), ManagementStep::RunTemplate);
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
        assert_eq!(first_incomplete_step(&partial), ManagementStep::SignIn);
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
}
