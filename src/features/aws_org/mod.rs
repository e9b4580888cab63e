//! Connecting a whole AWS Organization: paste or upload the member list, choose members and
//! how their Spot accounts are named, create one Spot account per member (resumable, never
//! twice), then deploy one StackSet whose stacks connect each member by themselves, and watch
//! them connect.

mod create;
mod deploy;
mod flow;
mod list;
mod members;
mod stackset;
mod work;

pub use deploy::DeployStep;
pub use flow::{AwsOrganization, DeployPanel, Org};
