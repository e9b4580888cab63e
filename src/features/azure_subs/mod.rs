//! Connecting many Azure subscriptions with one app registration: one Spot account per chosen
//! subscription, each given the same credentials, with a per-subscription status table.

mod choose;
mod connect;
mod details;
mod flow;

pub use flow::AzureSubscriptions;
