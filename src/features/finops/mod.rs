//! Enrolling an account in FinOps.

mod enrol;

pub use enrol::FinOps;
