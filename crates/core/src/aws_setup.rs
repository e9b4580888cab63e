//! What the console hands a user to set up an AWS linked account: the IAM permission policy
//! (default, or narrowed to the products they use), the role's trust policy, and the links to
//! the partition's AWS console (sign-in and CloudFormation quick-create).

use crate::validate::Partition;
use serde_json::{Value, json};

/// Spot's AWS account, which the customer's role trusts.
pub const SPOT_AWS_ACCOUNT_ID: &str = "922761411349";
/// The principal named in the trust policy.
pub const SPOT_PRINCIPAL: &str = "arn:aws:iam::922761411349:root";
/// The role name we suggest; any valid name works.
pub const SUGGESTED_ROLE_NAME: &str = "Spot-Role";

/// A group of permissions a customer may grant or withhold when customising the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyProduct {
    /// Launching, scaling and replacing instances (Elastigroup's core).
    ComputeCore,
    /// Reading and scaling EKS and ECS clusters (Ocean).
    Ocean,
    /// Load balancers, Route 53, Beanstalk and CodeDeploy hooks (Elastigroup integrations).
    ElastigroupIntegrations,
    /// EBS volumes and snapshots kept with stateful workloads.
    Storage,
    /// Read-only cost and usage overview (Savings Plans, reservations, pricing).
    ReadOnlyOverview,
}

impl PolicyProduct {
    pub const ALL: [PolicyProduct; 5] = [
        PolicyProduct::ComputeCore,
        PolicyProduct::Ocean,
        PolicyProduct::ElastigroupIntegrations,
        PolicyProduct::Storage,
        PolicyProduct::ReadOnlyOverview,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PolicyProduct::ComputeCore => "Compute core (Elastigroup)",
            PolicyProduct::Ocean => "Ocean for EKS and ECS",
            PolicyProduct::ElastigroupIntegrations => "Elastigroup integrations",
            PolicyProduct::Storage => "Storage (EBS volumes and snapshots)",
            PolicyProduct::ReadOnlyOverview => "Read-only cost overview",
        }
    }

    /// The statement id in the generated policy; stable, so users can diff policies.
    pub fn sid(self) -> &'static str {
        match self {
            PolicyProduct::ComputeCore => "SpotComputeCore",
            PolicyProduct::Ocean => "SpotOcean",
            PolicyProduct::ElastigroupIntegrations => "SpotElastigroupIntegrations",
            PolicyProduct::Storage => "SpotStorage",
            PolicyProduct::ReadOnlyOverview => "SpotReadOnlyOverview",
        }
    }

    fn actions(self) -> &'static [&'static str] {
        match self {
            PolicyProduct::ComputeCore => &[
                "autoscaling:Describe*",
                "cloudwatch:DescribeAlarms",
                "cloudwatch:GetMetricStatistics",
                "cloudwatch:ListMetrics",
                "ec2:AllocateAddress",
                "ec2:AssociateAddress",
                "ec2:AttachNetworkInterface",
                "ec2:CancelSpotInstanceRequests",
                "ec2:CreateFleet",
                "ec2:CreateLaunchTemplate",
                "ec2:CreateTags",
                "ec2:DeleteLaunchTemplate",
                "ec2:DeleteTags",
                "ec2:Describe*",
                "ec2:DetachNetworkInterface",
                "ec2:DisassociateAddress",
                "ec2:ModifyInstanceAttribute",
                "ec2:RebootInstances",
                "ec2:RequestSpotInstances",
                "ec2:RunInstances",
                "ec2:StartInstances",
                "ec2:StopInstances",
                "ec2:TerminateInstances",
                "iam:GetInstanceProfile",
                "iam:ListInstanceProfiles",
                "iam:ListRoles",
                "iam:PassRole",
            ],
            PolicyProduct::Ocean => &[
                "ecs:DeregisterContainerInstance",
                "ecs:Describe*",
                "ecs:List*",
                "ecs:UpdateContainerInstancesState",
                "eks:DescribeCluster",
                "eks:DescribeNodegroup",
                "eks:ListClusters",
                "eks:ListNodegroups",
            ],
            PolicyProduct::ElastigroupIntegrations => &[
                "codedeploy:GetDeployment",
                "codedeploy:ListDeploymentGroups",
                "elasticbeanstalk:Describe*",
                "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
                "elasticloadbalancing:DeregisterTargets",
                "elasticloadbalancing:Describe*",
                "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
                "elasticloadbalancing:RegisterTargets",
                "route53:ChangeResourceRecordSets",
                "route53:ListHostedZones",
                "route53:ListResourceRecordSets",
            ],
            PolicyProduct::Storage => &[
                "ec2:AttachVolume",
                "ec2:CreateSnapshot",
                "ec2:CreateVolume",
                "ec2:DeleteSnapshot",
                "ec2:DeleteVolume",
                "ec2:DetachVolume",
                "ec2:ModifyVolume",
            ],
            PolicyProduct::ReadOnlyOverview => &[
                "ce:GetCostAndUsage",
                "ce:GetReservationUtilization",
                "ce:GetSavingsPlansUtilization",
                "ec2:DescribeReservedInstances",
                "pricing:GetProducts",
                "savingsplans:Describe*",
            ],
        }
    }
}

/// Which permissions the generated policy grants.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Permissions {
    /// Everything Spot's compute products use.
    #[default]
    Default,
    /// Only the chosen products (at least one).
    Custom(Vec<PolicyProduct>),
}

impl Permissions {
    /// The products granted, in a fixed order and without repeats.
    pub fn products(&self) -> Vec<PolicyProduct> {
        match self {
            Permissions::Default => PolicyProduct::ALL.to_vec(),
            Permissions::Custom(chosen) => PolicyProduct::ALL
                .into_iter()
                .filter(|p| chosen.contains(p))
                .collect(),
        }
    }
}

/// Why a policy could not be generated for the user's choices.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("Choose at least one product, or go back to the default permissions.")]
    NothingChosen,
    #[error(
        "AWS GovCloud and China accounts use the default permissions; customising them is not supported."
    )]
    CustomNotSupported,
}

/// The IAM permission policy document for the role, as pretty JSON.
pub fn iam_policy(partition: Partition, permissions: &Permissions) -> Result<String, PolicyError> {
    if matches!(permissions, Permissions::Custom(_)) && partition != Partition::Aws {
        return Err(PolicyError::CustomNotSupported);
    }
    let products = permissions.products();
    if products.is_empty() {
        return Err(PolicyError::NothingChosen);
    }
    let statements: Vec<Value> = products
        .iter()
        .map(|p| {
            json!({
                "Sid": p.sid(),
                "Effect": "Allow",
                "Action": p.actions(),
                "Resource": "*",
            })
        })
        .collect();
    Ok(pretty(
        &json!({ "Version": "2012-10-17", "Statement": statements }),
    ))
}

/// The role's trust policy: only Spot's account may assume it, and only with the external ID.
pub fn trust_policy(principal: &str, external_id: &str) -> String {
    pretty(&json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "AWS": principal },
            "Action": "sts:AssumeRole",
            "Condition": { "StringEquals": { "sts:ExternalId": external_id } },
        }],
    }))
}

/// Where the linked-account template lives inside the built app (`public/` is copied to dist).
pub const LINKED_TEMPLATE_PATH: &str = "templates/spot-linked-account.json";

/// The CloudFormation template for a linked account: the default policy, a role that trusts
/// `Principal` with `ExternalId`, and the role's ARN as the `SpotinstRoleArn` output. It is
/// generated here so the template and the policy the console previews can never disagree; the
/// file in `public/` is checked against it by a golden test and by cfn-lint.
pub fn linked_account_template() -> String {
    let policy: Value = serde_json::from_str(
        &iam_policy(Partition::Aws, &Permissions::Default).expect("the default policy is valid"),
    )
    .expect("generated JSON parses");
    pretty(&json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Creates the IAM role and policy that let Spot manage compute in this account.",
        "Parameters": {
            "AccountId": {
                "Type": "String",
                "Description": "The Spot account ID (act-...) this AWS account connects to.",
                "AllowedPattern": "^act-[0-9a-f]{8}$",
            },
            "ExternalId": {
                "Type": "String",
                "Description": "The external ID shown in the Spot console.",
                "AllowedPattern": "^[A-Za-z0-9_+=,.@:/-]{2,1224}$",
                "NoEcho": true,
            },
            "Principal": {
                "Type": "String",
                "Description": "The Spot principal the role trusts.",
                "Default": SPOT_PRINCIPAL,
            },
        },
        "Resources": {
            "SpotinstManagedPolicy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "ManagedPolicyName": {"Fn::Sub": "Spot-Policy-${AccountId}"},
                    "Description": "Permissions Spot uses to optimise compute in this account.",
                    "PolicyDocument": policy,
                },
            },
            "SpotinstRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": {"Fn::Sub": "Spot-Role-${AccountId}"},
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Effect": "Allow",
                            "Principal": {"AWS": {"Ref": "Principal"}},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}},
                        }],
                    },
                    "ManagedPolicyArns": [{"Ref": "SpotinstManagedPolicy"}],
                },
            },
        },
        "Outputs": {
            "SpotinstRoleArn": {
                "Description": "Paste this into the Spot console if it does not connect by itself.",
                "Value": {"Fn::GetAtt": ["SpotinstRole", "Arn"]},
            },
        },
    })) + "\n"
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("a JSON value always serialises")
}

/// The partition's console sign-in page.
pub fn console_url(partition: Partition) -> String {
    format!("https://{}/", partition.console_host())
}

/// The partition's IAM console page for creating a role.
pub fn iam_create_role_url(partition: Partition) -> String {
    format!(
        "https://{}/iam/home#/roles/create",
        partition.console_host()
    )
}

/// A CloudFormation quick-create link in the partition's console, with the template URL, the
/// stack name and each parameter pre-filled (all URL-encoded).
pub fn quick_create_url(
    partition: Partition,
    region: &str,
    template_url: &str,
    stack_name: &str,
    params: &[(&str, &str)],
) -> String {
    let mut url = format!(
        "https://{}/cloudformation/home?region={}#/stacks/quickcreate?templateURL={}&stackName={}",
        partition.console_host(),
        encode(region),
        encode(template_url),
        encode(stack_name),
    );
    for (name, value) in params {
        url.push_str(&format!("&param_{}={}", encode(name), encode(value)));
    }
    url
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(policy: &str) -> Vec<Value> {
        let v: Value = serde_json::from_str(policy).unwrap();
        assert_eq!(v["Version"], "2012-10-17");
        v["Statement"].as_array().unwrap().clone()
    }

    #[test]
    fn default_policy_grants_every_product() {
        let st = statements(&iam_policy(Partition::Aws, &Permissions::Default).unwrap());
        let sids: Vec<&str> = st.iter().map(|s| s["Sid"].as_str().unwrap()).collect();
        assert_eq!(sids, PolicyProduct::ALL.map(PolicyProduct::sid));
        assert!(
            st.iter()
                .all(|s| s["Effect"] == "Allow" && s["Resource"] == "*")
        );
        let compute = st[0]["Action"].as_array().unwrap();
        assert!(compute.iter().any(|a| a == "ec2:RunInstances"));
        assert!(compute.iter().any(|a| a == "iam:PassRole"));
    }

    #[test]
    fn custom_policy_keeps_only_the_chosen_products_in_a_fixed_order() {
        let chosen = Permissions::Custom(vec![
            PolicyProduct::ReadOnlyOverview,
            PolicyProduct::Ocean,
            PolicyProduct::Ocean,
        ]);
        let st = statements(&iam_policy(Partition::Aws, &chosen).unwrap());
        let sids: Vec<&str> = st.iter().map(|s| s["Sid"].as_str().unwrap()).collect();
        assert_eq!(sids, ["SpotOcean", "SpotReadOnlyOverview"]);
    }

    #[test]
    fn custom_policy_refused_outside_the_commercial_partition_and_when_empty() {
        let custom = Permissions::Custom(vec![PolicyProduct::Ocean]);
        assert_eq!(
            iam_policy(Partition::AwsUsGov, &custom),
            Err(PolicyError::CustomNotSupported)
        );
        assert_eq!(
            iam_policy(Partition::AwsCn, &custom),
            Err(PolicyError::CustomNotSupported)
        );
        assert!(iam_policy(Partition::AwsCn, &Permissions::Default).is_ok());
        assert_eq!(
            iam_policy(Partition::Aws, &Permissions::Custom(vec![])),
            Err(PolicyError::NothingChosen)
        );
    }

    #[test]
    fn actions_are_well_formed_and_not_repeated_within_a_statement() {
        for p in PolicyProduct::ALL {
            let actions = p.actions();
            for a in actions {
                let (service, action) = a.split_once(':').expect("service:action");
                assert!(
                    !service.is_empty()
                        && service
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                );
                assert!(
                    action
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'*'),
                    "{a}"
                );
            }
            let mut sorted = actions.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), actions.len(), "{p:?} repeats an action");
        }
    }

    #[test]
    fn trust_policy_names_the_principal_and_the_external_id() {
        let v: Value = serde_json::from_str(&trust_policy(SPOT_PRINCIPAL, "ext-123")).unwrap();
        let st = &v["Statement"][0];
        assert_eq!(st["Principal"]["AWS"], SPOT_PRINCIPAL);
        assert_eq!(st["Action"], "sts:AssumeRole");
        assert_eq!(st["Condition"]["StringEquals"]["sts:ExternalId"], "ext-123");
    }

    #[test]
    fn quick_create_url_uses_the_partition_console_and_encodes_values() {
        let url = quick_create_url(
            Partition::AwsUsGov,
            "us-gov-west-1",
            "https://example.com/t.yaml?v=1",
            "Spot-Role",
            &[("AccountId", "act-1a2b3c4d"), ("ExternalId", "a/b=c")],
        );
        assert!(url.starts_with("https://console.amazonaws-us-gov.com/cloudformation/home?region=us-gov-west-1#/stacks/quickcreate?"));
        assert!(url.contains("templateURL=https%3A%2F%2Fexample.com%2Ft.yaml%3Fv%3D1"));
        assert!(url.contains("&stackName=Spot-Role"));
        assert!(url.contains("&param_AccountId=act-1a2b3c4d"));
        assert!(url.ends_with("&param_ExternalId=a%2Fb%3Dc"));
        assert_eq!(
            console_url(Partition::AwsCn),
            "https://console.amazonaws.cn/"
        );
    }
    #[test]
    fn shipped_linked_template_matches_the_generator() {
        let shipped = crate::golden::check(
            "public/templates/spot-linked-account.json",
            &linked_account_template(),
        );
        let v: Value = serde_json::from_str(&shipped).unwrap();
        let default: Value =
            serde_json::from_str(&iam_policy(Partition::Aws, &Permissions::Default).unwrap())
                .unwrap();
        assert_eq!(
            v["Resources"]["SpotinstManagedPolicy"]["Properties"]["PolicyDocument"],
            default
        );
        assert!(v["Outputs"]["SpotinstRoleArn"].is_object());
        for p in ["AccountId", "ExternalId", "Principal"] {
            assert!(v["Parameters"][p].is_object(), "missing parameter {p}");
        }
    }
}
