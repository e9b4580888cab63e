//! Connecting an AWS account: the manual way (role ARN), the automatic way (CloudFormation
//! stack) and the custom permissions.

mod automatic;
mod connect;
pub mod permissions;

pub use connect::AwsConnect;
