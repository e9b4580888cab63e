//! What the deploy step shows, from core's StackSet generators: the template, the commands and
//! the role ARN each member's stack creates, in the partition the user chose (an Organization's
//! member list names none).

use onramp_core::aws_org::stackset_token_update_command;
use onramp_core::aws_setup::{
    StackSetConnect, StackSetDeploy, StackSetMember, stackset_commands, stackset_name,
    stackset_name_for_members, stackset_role_arn, stackset_template, template_source,
};
use onramp_core::org_batch::BatchPlan;
use onramp_core::validate::{Partition, deployment_targets, s3_bucket_name};

pub(super) const TEMPLATE_FILE: &str = "spot-stackset.json";

pub(super) fn template(plan: &BatchPlan) -> String {
    let members: Vec<StackSetMember> = plan
        .members
        .iter()
        .filter_map(|m| {
            Some(StackSetMember {
                aws_account_id: m.cloud_id.clone(),
                spot_account_id: m.account_id.as_ref()?.to_string(),
                external_id: m.external_id.clone()?,
            })
        })
        .collect();
    stackset_template(&members)
}

/// What the commands need besides the plan.
pub(super) struct Inputs<'a> {
    pub partition: Partition,
    pub targets: &'a str,
    pub bucket: &'a str,
    pub api_url: &'a str,
    pub token: &'a str,
    pub principal: &'a str,
    pub template_bytes: usize,
}

/// The create commands, or what is missing for them (in words). With a batch and its token the
/// stacks report their roles; without a batch (no connect tokens) the commands leave `ApiUrl`
/// and `ConnectToken` out, the stacks only create the roles, and the stack set is named after
/// its members.
pub(super) fn commands(plan: &BatchPlan, i: &Inputs<'_>) -> Result<String, String> {
    let (name, connect) = match plan.batch_id.as_deref() {
        Some(batch_id) => {
            if i.token.is_empty() {
                return Err(String::new());
            }
            let connect = StackSetConnect {
                api_url: i.api_url,
                connect_token: i.token,
            };
            (stackset_name(batch_id), Some(connect))
        }
        None => {
            let ids: Vec<String> = plan.account_ids().iter().map(|a| a.to_string()).collect();
            (stackset_name_for_members(&ids), None)
        }
    };
    if i.targets.trim().is_empty() {
        return Err("Type the organizational unit IDs above to see the commands.".into());
    }
    let targets = deployment_targets(i.targets).map_err(|e| e.message)?;
    let bucket = (!i.bucket.trim().is_empty())
        .then(|| s3_bucket_name(i.bucket).map_err(|e| e.message))
        .transpose()?;
    let source = template_source(i.template_bytes, TEMPLATE_FILE, bucket.as_deref())
        .map_err(|e| e.to_string())?;
    let accounts: Vec<String> = plan.members.iter().map(|m| m.cloud_id.clone()).collect();
    Ok(stackset_commands(&StackSetDeploy {
        partition: i.partition,
        stack_set_name: &name,
        template: source,
        connect,
        principal: i.principal,
        targets: &targets,
        accounts: &accounts,
    }))
}

/// After a renewal: the command that hands the new token to the members not connected yet.
pub(super) fn update_command(
    partition: Partition,
    plan: &BatchPlan,
    targets: &str,
    waiting: &[String],
    token: &str,
) -> Option<String> {
    let batch_id = plan.batch_id.as_deref()?;
    let targets = deployment_targets(targets).ok()?;
    (!waiting.is_empty()).then(|| {
        stackset_token_update_command(
            partition,
            &stackset_name(batch_id),
            &targets,
            waiting,
            token,
        )
    })
}

pub(super) fn role_arn(partition: Partition, cloud_id: &str) -> String {
    stackset_role_arn(partition, cloud_id)
}

/// The OU/root IDs field: core's rule, the same the commands are built from.
pub(super) fn check_targets(v: &str) -> Option<String> {
    deployment_targets(v).err().map(|e| e.message)
}

pub(super) fn check_bucket(v: &str) -> Option<String> {
    s3_bucket_name(v).err().map(|e| e.message)
}

pub(super) fn needs_bucket(template_bytes: usize) -> bool {
    template_source(template_bytes, TEMPLATE_FILE, None).is_err()
}
