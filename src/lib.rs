//! Onramp, the cloud-account onboarding console.

#[cfg(target_arch = "wasm32")]
pub fn start() {}
