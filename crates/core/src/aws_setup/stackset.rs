//! Connecting many member accounts of an AWS Organization at once: one StackSet template that
//! every member deploys, and the AWS CLI commands that deploy it (service-managed, to chosen
//! organizational units). Each member looks its Spot account and external ID up in the
//! template's `Mappings` by its own AWS account ID. Given `ApiUrl` and the batch's connect
//! token, its stack also sends the role's ARN to Onramp, the same way a linked-account stack
//! does; without them (a server that gives no connect tokens) it only creates the role, whose
//! ARN is known in advance ([`stackset_role_arn`]).

use super::{
    connect_resources, managed_policy, pretty, principal_parameter, spot_role, stack_region,
};
use crate::validate::Partition;
use serde_json::{Map, Value, json};

/// The role every member account gets: one fixed name, so its ARN is known before the stack
/// runs ([`stackset_role_arn`]).
pub const STACKSET_ROLE_NAME: &str = "Spot-Role-Onramp";
/// The policy and connect function of that role, fixed for the same reason.
const STACKSET_POLICY_NAME: &str = "Spot-Policy-Onramp";
const STACKSET_FUNCTION_NAME: &str = "Spot-Connect-Onramp";
/// The `Mappings` table of the members.
const MAP: &str = "SpotAccounts";
/// The condition under which a stack reports its role: `ApiUrl` and `ConnectToken` given.
const CONNECT_CONDITION: &str = "ConnectItself";

/// The largest template `--template-body` takes (bytes); a larger one goes through S3.
pub const TEMPLATE_BODY_MAX: usize = 51_200;

/// One member account of the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetMember {
    /// The 12-digit AWS account ID.
    pub aws_account_id: String,
    /// The Spot account (`act-…`) it connects to.
    pub spot_account_id: String,
    /// The external ID generated for that Spot account (not a secret).
    pub external_id: String,
}

/// The ARN of the role the StackSet creates in `aws_account_id`.
pub fn stackset_role_arn(partition: Partition, aws_account_id: &str) -> String {
    format!("arn:{partition}:iam::{aws_account_id}:role/{STACKSET_ROLE_NAME}")
}

/// The StackSet template for `members`: the linked-account template's role, policy and
/// connect function, with the Spot account and external ID of each member read from
/// `Mappings` (`SpotAccounts` → AWS account ID → `AccountId`, `ExternalId`). The batch connect
/// token is a `NoEcho` parameter, never in `Mappings`. A member listed twice keeps its last
/// entry.
///
/// `ApiUrl` and `ConnectToken` are empty by default: only with both does a stack create the
/// connect function and report its role (condition `ConnectItself`, as in the linked-account
/// template); without them it creates the role and policy alone.
pub fn stackset_template(members: &[StackSetMember]) -> String {
    let mut table = Map::new();
    for m in members {
        table.insert(
            m.aws_account_id.clone(),
            json!({"AccountId": m.spot_account_id, "ExternalId": m.external_id}),
        );
    }
    let lookup = |key: &str| json!({"Fn::FindInMap": [MAP, {"Ref": "AWS::AccountId"}, key]});
    let mut resources = Map::new();
    resources.insert(
        "SpotinstManagedPolicy".into(),
        managed_policy(json!(STACKSET_POLICY_NAME)),
    );
    resources.insert(
        "SpotinstRole".into(),
        spot_role(json!(STACKSET_ROLE_NAME), lookup("ExternalId")),
    );
    resources.extend(connect_resources(
        STACKSET_FUNCTION_NAME,
        Some(CONNECT_CONDITION),
        lookup("AccountId"),
    ));
    pretty(&json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Deployed by a StackSet to each chosen member account: creates the IAM role and policy that let Spot manage compute there and, given ApiUrl and ConnectToken, connects the account to its Spot account.",
        "Parameters": {
            "ApiUrl": {
                "Type": "String",
                "Description": "Onramp's API (https://.../api) each stack reports its role to. Leave empty when Onramp gives no connect token: then Onramp sets each member's role itself.",
                "AllowedPattern": "^(https://[^\\s]+)?$",
                "Default": "",
            },
            "ConnectToken": {
                "Type": "String",
                "Description": "The batch connect token from Onramp (valid 24 hours, renewable in Onramp). Leave empty when Onramp gives none.",
                "AllowedPattern": "^[A-Za-z0-9_-]*$",
                "MaxLength": 512,
                "NoEcho": true,
                "Default": "",
            },
            "Principal": principal_parameter(),
        },
        "Conditions": {
            CONNECT_CONDITION: {"Fn::And": [
                {"Fn::Not": [{"Fn::Equals": [{"Ref": "ApiUrl"}, ""]}]},
                {"Fn::Not": [{"Fn::Equals": [{"Ref": "ConnectToken"}, ""]}]},
            ]},
        },
        "Mappings": { MAP: table },
        "Resources": resources,
        "Outputs": {
            "SpotinstRoleArn": {
                "Description": "The role Spot uses in this account.",
                "Value": {"Fn::GetAtt": ["SpotinstRole", "Arn"]},
            },
        },
    })) + "\n"
}

/// Where `create-stack-set` reads the template from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSource<'a> {
    /// A local file, for templates of at most [`TEMPLATE_BODY_MAX`] bytes.
    File(&'a str),
    /// The local file, uploaded first to this S3 bucket (its own name as the key).
    S3 { file: &'a str, bucket: &'a str },
}

/// Where the stacks report their roles, and with which batch token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetConnect<'a> {
    pub api_url: &'a str,
    pub connect_token: &'a str,
}

/// What the deploy commands need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetDeploy<'a> {
    pub partition: Partition,
    /// The stack set's name (see [`stackset_name`], [`stackset_name_for_members`]).
    pub stack_set_name: &'a str,
    pub template: TemplateSource<'a>,
    /// `None` (no connect tokens): the commands leave `ApiUrl` and `ConnectToken` out, so the
    /// stacks only create the role.
    pub connect: Option<StackSetConnect<'a>>,
    pub principal: &'a str,
    /// Organizational units or the root, checked with `validate::deployment_targets`.
    pub targets: &'a [String],
    /// The chosen members' AWS account IDs: only these get a stack in those units.
    pub accounts: &'a [String],
}

/// Why no commands can be given yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StackSetError {
    #[error(
        "The template is {0} bytes, more than the {TEMPLATE_BODY_MAX} AWS takes inline: name an \
         S3 bucket to upload it to."
    )]
    BucketNeeded(usize),
}

/// How the template reaches CloudFormation for a template of `bytes`: inline from `file` up
/// to [`TEMPLATE_BODY_MAX`], else uploaded to `bucket` (which must then be given).
pub fn template_source<'a>(
    bytes: usize,
    file: &'a str,
    bucket: Option<&'a str>,
) -> Result<TemplateSource<'a>, StackSetError> {
    if bytes <= TEMPLATE_BODY_MAX {
        return Ok(TemplateSource::File(file));
    }
    match bucket.map(str::trim).filter(|b| !b.is_empty()) {
        Some(bucket) => Ok(TemplateSource::S3 { file, bucket }),
        None => Err(StackSetError::BucketNeeded(bytes)),
    }
}

/// The stack set's name for the batch `batch_id` (`bat-…`): letters, digits and hyphens,
/// starting with a letter, as CloudFormation requires.
pub fn stackset_name(batch_id: &str) -> String {
    let id: String = batch_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(100)
        .collect();
    format!("Spot-Onramp-{id}")
}

/// The stack set's name when there is no batch (no connect tokens): from the Spot accounts it
/// deploys for, in any order, so the same members always give the same name (a second
/// `create-stack-set` is then refused as existing rather than making another stack set).
/// FNV-1a over the sorted IDs: a name, not a secret.
pub fn stackset_name_for_members<S: AsRef<str>>(spot_account_ids: &[S]) -> String {
    let mut ids: Vec<&str> = spot_account_ids.iter().map(AsRef::as_ref).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for id in ids {
        for b in id.bytes().chain([b'\n']) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("Spot-Onramp-members-{hash:016x}")
}

/// A word the shell passes on exactly as written: in single quotes, each `'` closed, escaped
/// and reopened.
pub fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// The AWS CLI commands that create the stack set (service-managed, no automatic deployment to
/// accounts joining later, IAM roles with names) and deploy it to the chosen members of the
/// chosen units, in the partition's stack region. Run them in the organization's management
/// account (or a delegated administrator's); AWS never deploys a service-managed stack set to
/// the management account itself. Every value is quoted for the shell; parameters go as JSON,
/// so no character in them can change the command.
pub fn stackset_commands(d: &StackSetDeploy<'_>) -> String {
    let region = stack_region(d.partition);
    let name = shell_quote(d.stack_set_name);
    let mut parameters = Vec::new();
    if let Some(c) = &d.connect {
        parameters.push(("ApiUrl", c.api_url));
        parameters.push(("ConnectToken", c.connect_token));
    }
    parameters.push(("Principal", d.principal));
    let parameters: Vec<Value> = parameters
        .into_iter()
        .map(|(k, v)| json!({"ParameterKey": k, "ParameterValue": v}))
        .collect();
    let mut out = String::new();
    let template = match &d.template {
        TemplateSource::File(file) => {
            format!("--template-body {}", shell_quote(&format!("file://{file}")))
        }
        TemplateSource::S3 { file, bucket } => {
            out.push_str(&format!(
                "aws s3 cp {} {} --region {region}\n\n",
                shell_quote(file),
                shell_quote(&format!("s3://{bucket}/{file}"))
            ));
            format!(
                "--template-url {}",
                shell_quote(&format!(
                    "https://{bucket}.s3.{region}.{}/{file}",
                    s3_host_suffix(d.partition)
                ))
            )
        }
    };
    out.push_str(&format!(
        "aws cloudformation create-stack-set --region {region} \\\n  \
         --stack-set-name {name} \\\n  \
         {template} \\\n  \
         --permission-model SERVICE_MANAGED \\\n  \
         --auto-deployment Enabled=false \\\n  \
         --capabilities CAPABILITY_NAMED_IAM \\\n  \
         --parameters {}\n\n",
        shell_quote(&Value::Array(parameters).to_string())
    ));
    // Only the chosen accounts, and only inside the chosen units: others in those units get
    // no stack (their Mappings entry would be missing anyway).
    let targets = json!({
        "OrganizationalUnitIds": d.targets,
        "Accounts": d.accounts,
        "AccountFilterType": "INTERSECTION",
    });
    // One member failing must not stop the others; a quarter at a time keeps within the
    // account's concurrency limits.
    let preferences = json!({"FailureTolerancePercentage": 100, "MaxConcurrentPercentage": 25});
    out.push_str(&format!(
        "aws cloudformation create-stack-instances --region {region} \\\n  \
         --stack-set-name {name} \\\n  \
         --deployment-targets {} \\\n  \
         --regions {region} \\\n  \
         --operation-preferences {}\n",
        shell_quote(&targets.to_string()),
        shell_quote(&preferences.to_string()),
    ));
    out
}

/// The S3 host of the partition's regional endpoints.
fn s3_host_suffix(partition: Partition) -> &'static str {
    match partition {
        Partition::AwsCn => "amazonaws.com.cn",
        _ => "amazonaws.com",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws_setup::{
        CONNECT_FUNCTION_CODE, Permissions, SPOT_PRINCIPAL, iam_policy, linked_account_template,
    };
    use proptest::prelude::*;

    fn member(aws: &str, spot: &str, ext: &str) -> StackSetMember {
        StackSetMember {
            aws_account_id: aws.into(),
            spot_account_id: spot.into(),
            external_id: ext.into(),
        }
    }

    /// The members of the shipped example (and of the `stack` stage's run).
    fn three() -> Vec<StackSetMember> {
        vec![
            member(
                "111111111111",
                "act-0000000a",
                "ExtIdForMemberA0123456789abcdef",
            ),
            member(
                "222222222222",
                "act-0000000b",
                "ExtIdForMemberB0123456789abcdef",
            ),
            member(
                "333333333333",
                "act-0000000c",
                "ExtIdForMemberC0123456789abcdef",
            ),
        ]
    }

    fn parse(t: &str) -> Value {
        serde_json::from_str(t).unwrap()
    }

    #[test]
    fn example_template_matches_the_generator() {
        // Linted by cfn-lint (`scripts/test templates`); its function is run by `stack`.
        crate::golden::check(
            "tests/templates/spot-stackset-3-members.json",
            &stackset_template(&three()),
        );
    }

    #[test]
    fn members_look_up_their_spot_account_and_external_id_by_aws_account() {
        let v = parse(&stackset_template(&three()));
        assert_eq!(
            v["Mappings"]["SpotAccounts"]["222222222222"],
            json!({"AccountId": "act-0000000b", "ExternalId": "ExtIdForMemberB0123456789abcdef"})
        );
        let find =
            |key: &str| json!({"Fn::FindInMap": ["SpotAccounts", {"Ref": "AWS::AccountId"}, key]});
        let r = &v["Resources"];
        assert_eq!(
            r["SpotConnect"]["Properties"]["AccountId"],
            find("AccountId")
        );
        assert_eq!(
            r["SpotinstRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
                ["StringEquals"]["sts:ExternalId"],
            find("ExternalId")
        );
        assert_eq!(
            r["SpotinstRole"]["Properties"]["RoleName"],
            STACKSET_ROLE_NAME
        );
        assert_eq!(
            r["SpotinstRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
            json!({"AWS": {"Ref": "Principal"}})
        );
        let p = &v["Parameters"];
        assert_eq!(p["ConnectToken"]["NoEcho"], true);
        // Empty by default: a server without connect tokens deploys it without them.
        assert_eq!(p["ConnectToken"]["Default"], "");
        assert_eq!(p["ApiUrl"]["Default"], "");
        assert_eq!(p["Principal"]["Default"], SPOT_PRINCIPAL);
        let names: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(names, ["ApiUrl", "ConnectToken", "Principal"]);
        // The same condition as the linked-account template's: both given.
        let linked = parse(&linked_account_template());
        assert_eq!(
            v["Conditions"],
            json!({"ConnectItself": linked["Conditions"]["ConnectItself"].clone()})
        );
        for (name, r) in r.as_object().unwrap() {
            let always = matches!(name.as_str(), "SpotinstManagedPolicy" | "SpotinstRole");
            let want = if always {
                Value::Null
            } else {
                json!("ConnectItself")
            };
            assert_eq!(r["Condition"], want, "{name}");
        }
    }

    /// Every `Ref` and `Fn::GetAtt` target in `v`.
    fn references(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    match (k.as_str(), x) {
                        ("Ref", Value::String(s)) => out.push(s.clone()),
                        ("Fn::GetAtt", Value::Array(a)) => {
                            out.push(a[0].as_str().unwrap().to_owned())
                        }
                        _ => references(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| references(x, out)),
            _ => {}
        }
    }

    #[test]
    fn without_url_and_token_a_member_stack_creates_only_the_role_and_policy() {
        let v = parse(&stackset_template(&three()));
        // What CloudFormation keeps when ConnectItself is false.
        let kept: Map<String, Value> = v["Resources"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, r)| r["Condition"].is_null())
            .map(|(k, r)| (k.clone(), r.clone()))
            .collect();
        let names: Vec<&str> = kept.keys().map(String::as_str).collect();
        assert_eq!(names, ["SpotinstManagedPolicy", "SpotinstRole"]);
        // Nothing kept (nor the output) needs the callback's parameters or resources.
        let mut refs = Vec::new();
        references(&Value::Object(kept.clone()), &mut refs);
        references(&v["Outputs"], &mut refs);
        for r in &refs {
            assert!(
                kept.contains_key(r) || r == "Principal" || r.starts_with("AWS::"),
                "{r} is not there without a token"
            );
        }
        assert!(refs.iter().any(|r| r == "SpotinstRole"));
    }

    #[test]
    fn the_same_policy_and_function_as_the_linked_template() {
        let v = parse(&stackset_template(&three()));
        let linked = parse(&linked_account_template());
        let r = &v["Resources"];
        let policy = parse(&iam_policy(Partition::Aws, &Permissions::Default).unwrap());
        assert_eq!(
            r["SpotinstManagedPolicy"]["Properties"]["PolicyDocument"],
            policy
        );
        let f = &r["SpotConnectFunction"]["Properties"];
        assert_eq!(f["Code"]["ZipFile"], CONNECT_FUNCTION_CODE);
        assert_eq!(f["FunctionName"], "Spot-Connect-Onramp");
        // Everything else of the function, its role and its log group as in the linked one,
        // names aside.
        for name in [
            "SpotConnectFunction",
            "SpotConnectFunctionRole",
            "SpotConnectLogGroup",
            "SpotConnect",
        ] {
            let strip = |mut x: Value| {
                let o = x.as_object_mut().unwrap();
                o.remove("Condition");
                let text = x.to_string();
                text.replace("Spot-Connect-${AccountId}", "Spot-Connect-Onramp")
                    .replace(r#"{"Fn::Sub":"/aws/lambda/Spot-Connect-Onramp"}"#, r#""/aws/lambda/Spot-Connect-Onramp""#)
                    .replace(r#"{"Fn::Sub":"Spot-Connect-Onramp"}"#, r#""Spot-Connect-Onramp""#)
                    .replace(r#"{"Ref":"AccountId"}"#, r#"{"Fn::FindInMap":["SpotAccounts",{"Ref":"AWS::AccountId"},"AccountId"]}"#)
            };
            assert_eq!(
                strip(r[name].clone()),
                strip(linked["Resources"][name].clone()),
                "{name}"
            );
        }
        let role = &r["SpotConnectFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"];
        assert_eq!(
            role["Statement"][0]["Resource"]["Fn::Sub"],
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/Spot-Connect-Onramp:*"
        );
    }

    #[test]
    fn role_arns_are_known_in_advance() {
        assert_eq!(
            stackset_role_arn(Partition::Aws, "123456789012"),
            "arn:aws:iam::123456789012:role/Spot-Role-Onramp"
        );
        assert_eq!(
            stackset_role_arn(Partition::AwsUsGov, "123456789012"),
            "arn:aws-us-gov:iam::123456789012:role/Spot-Role-Onramp"
        );
        assert!(
            crate::validate::role_arn(
                &stackset_role_arn(Partition::AwsCn, "123456789012"),
                crate::validate::AwsEnvironment::China
            )
            .is_ok()
        );
        assert_eq!(stackset_name("bat-0a1b2c3d"), "Spot-Onramp-bat-0a1b2c3d");
        assert_eq!(stackset_name("b a_t;"), "Spot-Onramp-bat");
    }

    #[test]
    fn without_a_batch_the_name_comes_from_the_members() {
        let a = stackset_name_for_members(&["act-0000000a", "act-0000000b"]);
        // FNV-1a of "act-0000000a\nact-0000000b\n" (checked with a few lines of Python).
        assert_eq!(a, "Spot-Onramp-members-99b1a94e1afac03a");
        // Stable: the same members in any order, or listed twice, give the same name.
        assert_eq!(
            stackset_name_for_members(&["act-0000000b", "act-0000000a", "act-0000000b"]),
            a
        );
        assert_ne!(stackset_name_for_members(&["act-0000000a"]), a);
        assert_ne!(
            stackset_name_for_members(&["act-0000000a", "act-0000000c"]),
            a
        );
        // CloudFormation's rule: a letter first, then letters, digits and hyphens, ≤ 128.
        assert!(a.len() <= 128);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }

    fn deploy<'a>(
        template: TemplateSource<'a>,
        targets: &'a [String],
        accounts: &'a [String],
    ) -> StackSetDeploy<'a> {
        StackSetDeploy {
            partition: Partition::Aws,
            stack_set_name: "Spot-Onramp-bat-0a1b2c3d",
            template,
            connect: Some(StackSetConnect {
                api_url: "https://onramp.example.com/api",
                connect_token: "tok_en-123",
            }),
            principal: SPOT_PRINCIPAL,
            targets,
            accounts,
        }
    }

    #[test]
    fn commands_create_a_service_managed_stack_set_and_deploy_to_the_chosen_members() {
        let targets = vec!["ou-ab12-cd34ef56".to_owned(), "r-ab12".to_owned()];
        let accounts = vec!["111111111111".to_owned(), "222222222222".to_owned()];
        let c = stackset_commands(&deploy(
            TemplateSource::File("spot-stackset.json"),
            &targets,
            &accounts,
        ));
        assert!(
            c.starts_with("aws cloudformation create-stack-set --region us-east-1 \\\n"),
            "{c}"
        );
        for part in [
            "--stack-set-name 'Spot-Onramp-bat-0a1b2c3d'",
            "--template-body 'file://spot-stackset.json'",
            "--permission-model SERVICE_MANAGED",
            "--auto-deployment Enabled=false",
            "--capabilities CAPABILITY_NAMED_IAM",
            r#"--parameters '[{"ParameterKey":"ApiUrl","ParameterValue":"https://onramp.example.com/api"},{"ParameterKey":"ConnectToken","ParameterValue":"tok_en-123"},{"ParameterKey":"Principal","ParameterValue":"arn:aws:iam::922761411349:root"}]'"#,
            "aws cloudformation create-stack-instances --region us-east-1",
            r#"--deployment-targets '{"AccountFilterType":"INTERSECTION","Accounts":["111111111111","222222222222"],"OrganizationalUnitIds":["ou-ab12-cd34ef56","r-ab12"]}'"#,
            "--regions us-east-1",
            r#"--operation-preferences '{"FailureTolerancePercentage":100,"MaxConcurrentPercentage":25}'"#,
        ] {
            assert!(c.contains(part), "missing {part} in\n{c}");
        }
        assert!(!c.contains("s3 cp") && !c.contains("--template-url"));
        let gov = stackset_commands(&StackSetDeploy {
            partition: Partition::AwsUsGov,
            ..deploy(TemplateSource::File("t.json"), &targets, &accounts)
        });
        assert!(gov.contains("--regions us-gov-west-1"), "{gov}");
    }

    #[test]
    fn without_a_token_the_commands_leave_the_callback_parameters_out() {
        let targets = vec!["ou-ab12-cd34ef56".to_owned()];
        let accounts = vec!["111111111111".to_owned()];
        let c = stackset_commands(&StackSetDeploy {
            connect: None,
            stack_set_name: "Spot-Onramp-members-0123456789abcdef",
            ..deploy(
                TemplateSource::File("spot-stackset.json"),
                &targets,
                &accounts,
            )
        });
        assert!(
            c.contains(r#"--parameters '[{"ParameterKey":"Principal","ParameterValue":"arn:aws:iam::922761411349:root"}]'"#),
            "{c}"
        );
        assert!(!c.contains("ApiUrl") && !c.contains("ConnectToken"), "{c}");
        assert!(c.contains("--stack-set-name 'Spot-Onramp-members-0123456789abcdef'"));
        assert!(c.contains("create-stack-instances"));
    }

    #[test]
    fn a_large_template_goes_through_s3() {
        assert_eq!(
            template_source(TEMPLATE_BODY_MAX, "t.json", None),
            Ok(TemplateSource::File("t.json"))
        );
        assert_eq!(
            template_source(TEMPLATE_BODY_MAX + 1, "t.json", Some(" ")),
            Err(StackSetError::BucketNeeded(TEMPLATE_BODY_MAX + 1))
        );
        let s3 = template_source(TEMPLATE_BODY_MAX + 1, "t.json", Some("my-bucket")).unwrap();
        assert_eq!(
            s3,
            TemplateSource::S3 {
                file: "t.json",
                bucket: "my-bucket"
            }
        );
        let targets = vec!["r-ab12".to_owned()];
        let c = stackset_commands(&deploy(s3.clone(), &targets, &[]));
        assert!(
            c.starts_with("aws s3 cp 't.json' 's3://my-bucket/t.json' --region us-east-1\n\n"),
            "{c}"
        );
        assert!(
            c.contains("--template-url 'https://my-bucket.s3.us-east-1.amazonaws.com/t.json'"),
            "{c}"
        );
        assert!(!c.contains("--template-body"));

        // In GovCloud and China the upload and the URL name the partition's region and S3 host.
        let gov = stackset_commands(&StackSetDeploy {
            partition: Partition::AwsUsGov,
            ..deploy(s3.clone(), &targets, &[])
        });
        assert!(
            gov.starts_with(
                "aws s3 cp 't.json' 's3://my-bucket/t.json' --region us-gov-west-1\n\n"
            ),
            "{gov}"
        );
        assert!(
            gov.contains(
                "--template-url 'https://my-bucket.s3.us-gov-west-1.amazonaws.com/t.json'"
            ),
            "{gov}"
        );
        let cn = stackset_commands(&StackSetDeploy {
            partition: Partition::AwsCn,
            ..deploy(s3, &targets, &[])
        });
        assert!(
            cn.contains("--template-url 'https://my-bucket.s3.cn-north-1.amazonaws.com.cn/t.json'"),
            "{cn}"
        );
        assert!(!cn.contains("us-east-1"), "{cn}");

        // Real templates: a few hundred members fit inline, a thousand do not.
        let members = |n: usize| -> Vec<StackSetMember> {
            (0..n)
                .map(|i| {
                    member(
                        &format!("{:012}", 100_000_000_000u64 + i as u64),
                        &format!("act-{i:08x}"),
                        &"E".repeat(32),
                    )
                })
                .collect()
        };
        let small = stackset_template(&members(200)).len();
        let large = stackset_template(&members(1000)).len();
        assert!(small <= TEMPLATE_BODY_MAX, "{small}");
        assert!(large > TEMPLATE_BODY_MAX, "{large}");
        assert!(matches!(
            template_source(small, "t.json", None),
            Ok(TemplateSource::File(_))
        ));
        assert!(template_source(large, "t.json", None).is_err());
    }

    /// What a POSIX shell makes of `script` when `aws` only prints its arguments: each command
    /// as its list of words.
    fn shell_words(script: &str) -> Vec<Vec<String>> {
        // Each call prints its number of arguments, then the arguments, NUL-terminated.
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "aws() {{ printf '%s\\0' \"$#\" \"$@\"; }}\n{script}"
            ))
            .output()
            .expect("sh runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let mut words = text.split_terminator('\0');
        let mut commands = Vec::new();
        while let Some(n) = words.next() {
            let n: usize = n.parse().unwrap();
            commands.push(words.by_ref().take(n).map(str::to_owned).collect());
        }
        commands
    }

    fn after<'a>(words: &'a [String], flag: &str) -> &'a str {
        let i = words
            .iter()
            .position(|w| w == flag)
            .unwrap_or_else(|| panic!("no {flag}"));
        &words[i + 1]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn every_member_appears_once_in_mappings_with_no_secret(
            ids in proptest::collection::btree_set(100_000_000_000u64..=999_999_999_999, 0..40),
            token in "[A-Za-z0-9_-]{43}",
        ) {
            let members: Vec<StackSetMember> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| member(&id.to_string(), &format!("act-{i:08x}"), &format!("ext{i}X{id}")))
                .collect();
            let text = stackset_template(&members);
            let v = parse(&text);
            let table = v["Mappings"]["SpotAccounts"].as_object().unwrap();
            prop_assert_eq!(table.len(), members.len());
            for m in &members {
                prop_assert_eq!(
                    &table[&m.aws_account_id],
                    &json!({"AccountId": m.spot_account_id, "ExternalId": m.external_id})
                );
                prop_assert_eq!(text.matches(&format!("\"{}\"", m.aws_account_id)).count(), 1);
            }
            // Only the account and the external ID per member; the token is nowhere.
            prop_assert!(table.values().all(|e| e.as_object().unwrap().len() == 2));
            prop_assert!(!text.contains(&token));
            prop_assert!(!text.contains("ConnectToken\": \"") );
        }

        #[test]
        fn commands_pass_every_value_to_aws_unchanged(
            name in "[^\u{0}]{1,20}",
            file in "[^\u{0}]{1,20}",
            bucket in proptest::option::of("[^\u{0}]{1,12}"),
            connect in proptest::option::of(("[^\u{0}]{0,30}", "[^\u{0}]{0,30}")),
            principal in "[^\u{0}]{0,30}",
            targets in proptest::collection::vec("[^\u{0}]{0,12}", 0..3),
            accounts in proptest::collection::vec("[^\u{0}]{0,12}", 0..3),
        ) {
            let template = match &bucket {
                Some(b) => TemplateSource::S3 { file: &file, bucket: b },
                None => TemplateSource::File(&file),
            };
            let d = StackSetDeploy {
                partition: Partition::Aws,
                stack_set_name: &name,
                template,
                connect: connect.as_ref().map(|(api_url, token)| StackSetConnect {
                    api_url,
                    connect_token: token,
                }),
                principal: &principal,
                targets: &targets,
                accounts: &accounts,
            };
            let commands = shell_words(&stackset_commands(&d));
            let (create, instances) = match commands.as_slice() {
                [copy, create, instances] => {
                    let b = bucket.as_deref().unwrap();
                    let dest = format!("s3://{b}/{file}");
                    prop_assert_eq!(&copy[..4], &["s3", "cp", file.as_str(), dest.as_str()][..]);
                    prop_assert_eq!(
                        after(create, "--template-url"),
                        format!("https://{b}.s3.us-east-1.amazonaws.com/{file}")
                    );
                    (create, instances)
                }
                [create, instances] => {
                    prop_assert!(bucket.is_none());
                    prop_assert_eq!(after(create, "--template-body"), format!("file://{file}"));
                    (create, instances)
                }
                other => panic!("{other:?}"),
            };
            prop_assert_eq!(&create[..2], &["cloudformation", "create-stack-set"][..]);
            prop_assert_eq!(after(create, "--stack-set-name"), name.as_str());
            prop_assert_eq!(after(instances, "--stack-set-name"), name.as_str());
            let params: Value = serde_json::from_str(after(create, "--parameters")).unwrap();
            let mut want = Vec::new();
            if let Some((api_url, token)) = &connect {
                want.push(json!({"ParameterKey": "ApiUrl", "ParameterValue": api_url}));
                want.push(json!({"ParameterKey": "ConnectToken", "ParameterValue": token}));
            }
            want.push(json!({"ParameterKey": "Principal", "ParameterValue": principal}));
            prop_assert_eq!(params, Value::Array(want));
            let t: Value = serde_json::from_str(after(instances, "--deployment-targets")).unwrap();
            prop_assert_eq!(t, json!({
                "OrganizationalUnitIds": targets,
                "Accounts": accounts,
                "AccountFilterType": "INTERSECTION",
            }));
        }
    }
}
