//! The management (billing) account: the AWS wizard and the Azure billing form.

mod azure;
mod wizard;

pub use azure::AzureBilling;
pub use wizard::ManagementWizard;
