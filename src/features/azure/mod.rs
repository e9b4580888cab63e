//! Connecting an Azure subscription with an app registration.

pub mod connect;

pub use connect::AzureConnect;
