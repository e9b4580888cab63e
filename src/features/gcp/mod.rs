//! Connecting a Google Cloud project with a service-account key.

pub mod connect;

pub use connect::GcpConnect;
