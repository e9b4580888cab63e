//! The validation rules of `validation.md`. Each rule is a pure function from raw input to the
//! normalised value or a [`FieldError`] whose message says what is wrong and how to fix it.
//! The console shows the message at the field; the local API server answers it as a Spot
//! `ValidationError` with `field`.

mod identity;

pub use identity::{
    PasswordCheck, account_name, email, full_name, organization_name, password, password_checks,
};

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
