//! What the console hands a user to set up an AWS linked account: the IAM permission policy
//! (default, or narrowed to the products they use), the role's trust policy, and the links to
//! the partition's AWS console (sign-in and CloudFormation quick-create).

mod stackset;

pub use stackset::{
    STACKSET_ROLE_NAME, StackSetConnect, StackSetDeploy, StackSetError, StackSetMember,
    TEMPLATE_BODY_MAX, TemplateSource, shell_quote, stackset_commands, stackset_name,
    stackset_name_for_members, stackset_role_arn, stackset_template, template_source,
};

use crate::percent::encode;
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

    /// One line on what the group lets Spot do (shown under its checkbox).
    pub fn description(self) -> &'static str {
        match self {
            PolicyProduct::ComputeCore => {
                "Launch, scale, tag and replace EC2 instances, Spot and On-Demand."
            }
            PolicyProduct::Ocean => {
                "Read EKS and ECS clusters and manage their container instances."
            }
            PolicyProduct::ElastigroupIntegrations => {
                "Register instances with load balancers; Route 53, Beanstalk and CodeDeploy hooks."
            }
            PolicyProduct::Storage => {
                "Create, attach and snapshot the EBS volumes of stateful workloads."
            }
            PolicyProduct::ReadOnlyOverview => {
                "Read costs, reservations, Savings Plans and prices (no changes)."
            }
        }
    }

    /// A short stable name for element ids and drafts (`computeCore`, `ocean`, ...).
    pub fn slug(self) -> &'static str {
        match self {
            PolicyProduct::ComputeCore => "computeCore",
            PolicyProduct::Ocean => "ocean",
            PolicyProduct::ElastigroupIntegrations => "elastigroupIntegrations",
            PolicyProduct::Storage => "storage",
            PolicyProduct::ReadOnlyOverview => "readOnlyOverview",
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

/// The code of the connect function (Python 3.12, standard library only), inlined into the
/// template as `index.py`.
pub const CONNECT_FUNCTION_CODE: &str = include_str!("aws_connect_function.py");

/// The connect function's name: fixed per Spot account, like the role's, so its log group can
/// be named (and its permissions scoped to it) before the function exists.
const CONNECT_FUNCTION_NAME: &str = "Spot-Connect-${AccountId}";

/// The CloudFormation template for a linked account: the default policy, a role that trusts
/// `Principal` with `ExternalId`, and the role's ARN as the `SpotinstRoleArn` output. It is
/// generated here so the template and the policy the console previews can never disagree; the
/// file in `public/` is checked against it by a golden test and by cfn-lint.
///
/// With `ApiUrl` and a `ConnectToken` (both empty by default) the stack also connects itself:
/// a custom resource (`SpotConnect`) runs a small function that sends the role's ARN to
/// `POST {ApiUrl}/setup/credentials/aws?accountId={AccountId}` with the token, and always
/// answers CloudFormation. Without them none of that is created and the user pastes the ARN.
pub fn linked_account_template() -> String {
    let mut resources = serde_json::Map::new();
    resources.insert(
        "SpotinstManagedPolicy".into(),
        managed_policy(json!({"Fn::Sub": "Spot-Policy-${AccountId}"})),
    );
    resources.insert(
        "SpotinstRole".into(),
        spot_role(
            json!({"Fn::Sub": "Spot-Role-${AccountId}"}),
            json!({"Ref": "ExternalId"}),
        ),
    );
    resources.extend(connect_resources(
        CONNECT_FUNCTION_NAME,
        Some("ConnectItself"),
        json!({"Ref": "AccountId"}),
    ));
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
            "Principal": principal_parameter(),
            "ApiUrl": {
                "Type": "String",
                "Description": "Onramp's API (https://.../api) the stack reports its role to. Leave empty to paste the role ARN into Onramp yourself.",
                "AllowedPattern": "^(https://[^\\s]+)?$",
                "Default": "",
            },
            "ConnectToken": {
                "Type": "String",
                "Description": "The one-time connect token from Onramp's link (valid 2 hours). Leave empty to paste the role ARN yourself.",
                "AllowedPattern": "^[A-Za-z0-9_-]*$",
                "MaxLength": 512,
                "NoEcho": true,
                "Default": "",
            },
        },
        "Conditions": {
            "ConnectItself": {"Fn::And": [
                {"Fn::Not": [{"Fn::Equals": [{"Ref": "ApiUrl"}, ""]}]},
                {"Fn::Not": [{"Fn::Equals": [{"Ref": "ConnectToken"}, ""]}]},
            ]},
        },
        "Resources": resources,
        "Outputs": {
            "SpotinstRoleArn": {
                "Description": "Paste this into the Spot console if it does not connect by itself.",
                "Value": {"Fn::GetAtt": ["SpotinstRole", "Arn"]},
            },
        },
    })) + "\n"
}

/// The `Principal` parameter: whom the role trusts, Spot's account unless told otherwise.
fn principal_parameter() -> Value {
    json!({
        "Type": "String",
        "Description": "The Spot principal the role trusts.",
        "Default": SPOT_PRINCIPAL,
    })
}

/// `SpotinstManagedPolicy`: the default permissions, as the console previews them.
fn managed_policy(name: Value) -> Value {
    let policy: Value = serde_json::from_str(
        &iam_policy(Partition::Aws, &Permissions::Default).expect("the default policy is valid"),
    )
    .expect("generated JSON parses");
    json!({
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "ManagedPolicyName": name,
            "Description": "Permissions Spot uses to optimise compute in this account.",
            "PolicyDocument": policy,
        },
    })
}

/// `SpotinstRole`: trusts `Principal` with `external_id`, holds `SpotinstManagedPolicy`.
fn spot_role(name: Value, external_id: Value) -> Value {
    json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": name,
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"AWS": {"Ref": "Principal"}},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
                }],
            },
            "ManagedPolicyArns": [{"Ref": "SpotinstManagedPolicy"}],
        },
    })
}

/// A name as CloudFormation wants it: `Fn::Sub` when it holds a `${…}`, else the plain string.
fn sub_or_plain(text: String) -> Value {
    if text.contains("${") {
        json!({"Fn::Sub": text})
    } else {
        Value::String(text)
    }
}

/// The resources that send `SpotinstRole`'s ARN to Onramp for the Spot account `account_id`:
/// the function (`function_name`; [`CONNECT_FUNCTION_CODE`]), its log group, its role (which may
/// only write that log group) and the custom resource that runs it, each under `condition`.
fn connect_resources(
    function_name: &str,
    condition: Option<&str>,
    account_id: Value,
) -> serde_json::Map<String, Value> {
    let mut resources = serde_json::Map::new();
    let mut add = |name: &str, mut r: Value| {
        if let Some(c) = condition {
            r["Condition"] = Value::String(c.to_owned());
        }
        resources.insert(name.to_owned(), r);
    };
    add(
        "SpotConnectLogGroup",
        json!({
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": sub_or_plain(format!("/aws/lambda/{function_name}")),
                "RetentionInDays": 14,
            },
        }),
    );
    add(
        "SpotConnectFunctionRole",
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }],
                },
                // Least privilege: the function only writes its own log group.
                "Policies": [{
                    "PolicyName": "WriteOwnLogs",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": {"Fn::Sub": format!(
                                "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/{function_name}:*"
                            )},
                        }],
                    },
                }],
            },
        }),
    );
    add(
        "SpotConnectFunction",
        json!({
            "Type": "AWS::Lambda::Function",
            // Its log group must exist before it first runs: it may not create one.
            "DependsOn": "SpotConnectLogGroup",
            "Properties": {
                "FunctionName": sub_or_plain(function_name.to_owned()),
                "Description": "Connects this account to Spot once, then answers CloudFormation.",
                "Runtime": "python3.12",
                "Handler": "index.handler",
                // It retries for about a minute and keeps 10 s to answer CloudFormation.
                "Timeout": 120,
                "MemorySize": 128,
                "Role": {"Fn::GetAtt": ["SpotConnectFunctionRole", "Arn"]},
                "Code": {"ZipFile": CONNECT_FUNCTION_CODE},
            },
        }),
    );
    add(
        "SpotConnect",
        json!({
            "Type": "Custom::SpotConnect",
            "Properties": {
                "ServiceToken": {"Fn::GetAtt": ["SpotConnectFunction", "Arn"]},
                "ApiUrl": {"Ref": "ApiUrl"},
                "AccountId": account_id,
                "ConnectToken": {"Ref": "ConnectToken"},
                "RoleArn": {"Fn::GetAtt": ["SpotinstRole", "Arn"]},
            },
        }),
    );
    resources
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

/// The region a stack is created in: IAM is global, but the console needs one. Each partition's
/// oldest region, so it is enabled in every account.
pub fn stack_region(partition: Partition) -> &'static str {
    match partition {
        Partition::Aws => "us-east-1",
        Partition::AwsUsGov => "us-gov-west-1",
        Partition::AwsCn => "cn-north-1",
    }
}

/// The stack name the quick-create link suggests for a Spot account (`act-…`): letters, digits
/// and hyphens, starting with a letter, as CloudFormation requires.
pub fn linked_stack_name(account_id: &str) -> String {
    let id: String = account_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(100)
        .collect();
    format!("Spot-Linked-{id}")
}

/// The absolute URL of the linked-account template as served next to the app at `origin`
/// (`https://console.example.com`, with or without a trailing slash).
pub fn linked_template_url(origin: &str) -> String {
    format!("{}/{LINKED_TEMPLATE_PATH}", origin.trim_end_matches('/'))
}

/// What lets a stack connect itself: the API it reports its role to (the server's
/// `publicApiUrl`) and the account's one-time connect token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfConnect<'a> {
    pub api_url: &'a str,
    pub connect_token: &'a str,
}

/// The **Run CloudFormation template** link: quick-create in the partition's console with the
/// template's parameters filled in: `AccountId`, `ExternalId`, `Principal`, and with `connect`
/// also `ApiUrl` and `ConnectToken` (without them the stack only creates the role).
pub fn linked_quick_create_url(
    partition: Partition,
    template_url: &str,
    account_id: &str,
    external_id: &str,
    principal: &str,
    connect: Option<SelfConnect<'_>>,
) -> String {
    let mut params = vec![
        ("AccountId", account_id),
        ("ExternalId", external_id),
        ("Principal", principal),
    ];
    if let Some(c) = connect {
        params.push(("ApiUrl", c.api_url));
        params.push(("ConnectToken", c.connect_token));
    }
    quick_create_url(
        partition,
        stack_region(partition),
        template_url,
        &linked_stack_name(account_id),
        &params,
    )
}

/// How long the console waits for a launched stack to connect the account before offering the
/// manual role-ARN paste. Creating an IAM role and policy usually takes one to three minutes.
pub const STACK_WAIT_TIMEOUT_MS: i64 = 10 * 60 * 1000;

/// The pause before check number `attempt` (0-based) while waiting for the stack: 2 s, then
/// half as long again each time, at most 15 s.
pub fn stack_poll_delay_ms(attempt: u32) -> u32 {
    let mut delay: u32 = 2_000;
    for _ in 0..attempt.min(16) {
        delay = (delay + delay / 2).min(15_000);
    }
    delay
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
    fn linked_quick_create_link_fills_the_three_parameters_per_partition() {
        let template = linked_template_url("https://onramp.example/");
        assert_eq!(
            template,
            "https://onramp.example/templates/spot-linked-account.json"
        );
        let url = linked_quick_create_url(
            Partition::Aws,
            &template,
            "act-1a2b3c4d",
            "AbC123xyz",
            SPOT_PRINCIPAL,
            None,
        );
        assert!(url.starts_with(
            "https://console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?"
        ));
        assert!(url.contains(
            "templateURL=https%3A%2F%2Fonramp.example%2Ftemplates%2Fspot-linked-account.json"
        ));
        assert!(url.contains("&stackName=Spot-Linked-act-1a2b3c4d"));
        assert!(url.contains("&param_AccountId=act-1a2b3c4d"));
        assert!(url.contains("&param_ExternalId=AbC123xyz"));
        assert!(url.contains("&param_Principal=arn%3Aaws%3Aiam%3A%3A922761411349%3Aroot"));
        assert!(!url.contains("param_ApiUrl") && !url.contains("param_ConnectToken"));
        let connecting = linked_quick_create_url(
            Partition::Aws,
            &template,
            "act-1a2b3c4d",
            "AbC123xyz",
            SPOT_PRINCIPAL,
            Some(SelfConnect {
                api_url: "https://onramp.example/api",
                connect_token: "tok_-en",
            }),
        );
        assert!(connecting.starts_with(&url), "{connecting}");
        assert!(connecting.ends_with(
            "&param_ApiUrl=https%3A%2F%2Fonramp.example%2Fapi&param_ConnectToken=tok_-en"
        ));
        let gov = linked_quick_create_url(
            Partition::AwsUsGov,
            &template,
            "act-1a2b3c4d",
            "x1",
            "p",
            None,
        );
        assert!(gov.starts_with(
            "https://console.amazonaws-us-gov.com/cloudformation/home?region=us-gov-west-1#"
        ));
        let cn =
            linked_quick_create_url(Partition::AwsCn, &template, "act-1a2b3c4d", "x1", "p", None);
        assert!(
            cn.starts_with("https://console.amazonaws.cn/cloudformation/home?region=cn-north-1#")
        );
    }

    #[test]
    fn stack_names_keep_to_cloudformation_rules() {
        assert_eq!(
            linked_stack_name("act-1a2b3c4d"),
            "Spot-Linked-act-1a2b3c4d"
        );
        let odd = linked_stack_name("act_<x> y");
        assert!(odd.starts_with("Spot-Linked-"));
        assert!(
            odd.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            "{odd}"
        );
        assert!(linked_stack_name(&"a".repeat(500)).len() <= 128);
    }

    #[test]
    fn stack_polling_backs_off_to_a_cap() {
        let delays: Vec<u32> = (0..8).map(stack_poll_delay_ms).collect();
        assert_eq!(delays[..4], [2_000, 3_000, 4_500, 6_750]);
        assert!(delays.windows(2).all(|w| w[0] <= w[1]), "{delays:?}");
        assert_eq!(stack_poll_delay_ms(7), 15_000);
        assert_eq!(stack_poll_delay_ms(u32::MAX), 15_000);
        // The sum of the first pauses stays well inside the time-out: many checks are made.
        let first_minute: u32 = (0..6).map(stack_poll_delay_ms).sum();
        assert!(i64::from(first_minute) < STACK_WAIT_TIMEOUT_MS / 10);
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
        for p in [
            "AccountId",
            "ExternalId",
            "Principal",
            "ApiUrl",
            "ConnectToken",
        ] {
            assert!(v["Parameters"][p].is_object(), "missing parameter {p}");
        }
    }

    #[test]
    fn linked_template_connects_itself_only_with_a_url_and_a_token() {
        let v: Value = serde_json::from_str(&linked_account_template()).unwrap();
        let params = &v["Parameters"];
        // Empty by default: a stack made without them is the paste-the-ARN path of before.
        assert_eq!(params["ApiUrl"]["Default"], "");
        assert_eq!(params["ConnectToken"]["Default"], "");
        assert_eq!(params["ConnectToken"]["NoEcho"], true);
        let condition = v["Conditions"]["ConnectItself"].to_string();
        assert!(condition.contains(r#"{"Ref":"ApiUrl"}"#), "{condition}");
        assert!(
            condition.contains(r#"{"Ref":"ConnectToken"}"#),
            "{condition}"
        );
        let resources = v["Resources"].as_object().unwrap();
        for (name, r) in resources {
            let always = matches!(name.as_str(), "SpotinstManagedPolicy" | "SpotinstRole");
            assert_eq!(r["Condition"].is_null(), always, "{name}");
            if !always {
                assert_eq!(r["Condition"], "ConnectItself", "{name}");
            }
        }

        let custom = &resources["SpotConnect"];
        assert_eq!(custom["Type"], "Custom::SpotConnect");
        let props = custom["Properties"].as_object().unwrap();
        let names: Vec<&str> = props.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "AccountId",
                "ApiUrl",
                "ConnectToken",
                "RoleArn",
                "ServiceToken"
            ]
        );
        assert_eq!(props["ApiUrl"], json!({"Ref": "ApiUrl"}));
        assert_eq!(props["AccountId"], json!({"Ref": "AccountId"}));
        assert_eq!(props["ConnectToken"], json!({"Ref": "ConnectToken"}));
        assert_eq!(
            props["RoleArn"],
            json!({"Fn::GetAtt": ["SpotinstRole", "Arn"]})
        );
        assert_eq!(
            props["ServiceToken"],
            json!({"Fn::GetAtt": ["SpotConnectFunction", "Arn"]})
        );

        let f = &resources["SpotConnectFunction"]["Properties"];
        assert_eq!(f["Runtime"], "python3.12");
        assert_eq!(f["Handler"], "index.handler");
        assert_eq!(f["Code"]["ZipFile"], CONNECT_FUNCTION_CODE);
        assert!(f["Timeout"].as_u64().unwrap() >= 90);

        // The function's own role may write its logs and nothing else.
        let role = &resources["SpotConnectFunctionRole"]["Properties"];
        assert!(role["ManagedPolicyArns"].is_null());
        let statements = role["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap();
        assert_eq!(statements.len(), 1);
        assert_eq!(
            statements[0]["Action"],
            json!(["logs:CreateLogStream", "logs:PutLogEvents"])
        );
        let resource = statements[0]["Resource"]["Fn::Sub"].as_str().unwrap();
        assert!(
            resource.ends_with(":log-group:/aws/lambda/Spot-Connect-${AccountId}:*"),
            "{resource}"
        );
    }

    #[test]
    fn connect_function_uses_the_standard_library_only() {
        let imports: Vec<&str> = CONNECT_FUNCTION_CODE
            .lines()
            .filter_map(|l| l.strip_prefix("import "))
            .collect();
        assert_eq!(
            imports,
            [
                "http.client",
                "json",
                "time",
                "urllib.error",
                "urllib.parse",
                "urllib.request"
            ]
        );
        // No other import anywhere (indented, or `from x import y`).
        let other = CONNECT_FUNCTION_CODE.lines().find(|l| {
            let t = l.trim_start();
            t.starts_with("from ") || (t.starts_with("import ") && t.len() != l.len())
        });
        assert_eq!(other, None);
        assert!(CONNECT_FUNCTION_CODE.contains("def handler(event, context):"));
        assert!(CONNECT_FUNCTION_CODE.contains("get_remaining_time_in_millis"));
    }
}
