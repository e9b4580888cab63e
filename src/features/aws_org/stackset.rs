//! What the deploy step shows, from core's StackSet generators.
//! STAND-IN until core's `aws_setup` StackSet generators are merged.

use onramp_core::org_batch::BatchPlan;

pub(super) fn template(_plan: &BatchPlan) -> String {
    String::new()
}

pub(super) fn commands(
    _targets: &str,
    _api_url: Option<&str>,
    _token: Option<&str>,
) -> Result<String, String> {
    Err("Type the organizational unit IDs to see the commands.".into())
}

pub(super) fn role_arn(cloud_id: &str) -> String {
    format!("arn:aws:iam::{cloud_id}:role/SpotStackSetRole")
}

/// The OU/root IDs field: core's rule, the same the commands are built from.
pub(super) fn check_targets(v: &str) -> Option<String> {
    onramp_core::validate::deployment_targets(v).err().map(|e| e.message)
}
