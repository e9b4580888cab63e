//! Runtime configuration read from `/config.json` before the routes mount, so one build can
//! point at the local server or at Spot's API.

use crate::api::Api;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    #[serde(default = "default_api_base_url")]
    pub api_base_url: String,
    #[serde(default)]
    pub embed_origins: Vec<String>,
    #[serde(default)]
    pub spot_principal: Option<String>,
    #[serde(default)]
    pub spot_aws_account_id: Option<String>,
    /// The API honours `Idempotency-Key` on account creation (the local server does; Spot's
    /// API does not, and its CORS rules would refuse the header).
    #[serde(default)]
    pub idempotency_keys: bool,
    /// Where a CloudFormation stack reaches the API with a connect token (the local server's
    /// `--public-url`); none: stacks cannot connect themselves, the user pastes the role ARN.
    #[serde(default)]
    pub public_api_url: Option<String>,
}

fn default_api_base_url() -> String {
    "/api".into()
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_base_url: default_api_base_url(),
            embed_origins: Vec::new(),
            spot_principal: None,
            spot_aws_account_id: None,
            idempotency_keys: false,
            public_api_url: None,
        }
    }
}

impl Config {
    pub fn parse(json: &str) -> Option<Self> {
        serde_json::from_str(json).ok()
    }

    /// Loads `/config.json`; any failure falls back to the defaults (same-origin `/api`), which
    /// is what a plain static host serving `public/config.json` would give anyway.
    pub async fn load() -> Self {
        match Api::get_text("/config.json", 5_000).await {
            Ok(text) => Self::parse(&text).unwrap_or_default(),
            Err(_) => Self::default(),
        }
    }
}
