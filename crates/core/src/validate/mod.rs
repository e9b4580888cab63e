//! The validation rules. Each rule is a pure function from raw input to the
//! normalised value or a [`FieldError`] whose message says what is wrong and how to fix it.
//! The console shows the message at the field; the local API server answers it as a Spot
//! `ValidationError` with `field`.

mod aws;
mod azure;
mod country;
mod gcp;
mod identity;
mod s3;
mod text;

pub use aws::{
    AwsEnvironment, BATCH_MAX, Partition, RoleArn, aws_account_id, batch_account_ids,
    batch_aws_account_ids, batch_choice, deployment_targets, external_id, org_unit_id, role_arn,
};
pub use azure::{
    AgreementType, SECRET_ID_WARNING, azure_client_secret, azure_guid, billing_account_id,
    guid_form, management_group_id, secret_expiration, secret_expiration_range,
    secret_looks_like_secret_id,
};
pub use country::country;
pub use gcp::{
    GcpKey, KEY_FILE_MAX, gcp_key_file, gcp_project_id, gcp_service_account_id,
    gcp_service_account_name,
};
pub use identity::{
    PasswordCheck, TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX, account_name, current_password, email,
    full_name, new_password, organization_name, password, password_checks, slack_channels,
    token_days, token_days_text, token_name,
};
pub use s3::{aws_region, partition_of_region, s3_bucket_name, s3_path_prefix};

/// Why a value was refused. The message is complete, specific and user-facing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub message: String,
}

impl FieldError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

pub type Checked<T> = Result<T, FieldError>;

pub(crate) fn fail<T>(message: impl Into<String>) -> Checked<T> {
    Err(FieldError::new(message))
}
