//! When this tab connected an account: `GET /setup/account` does not say, and the dashboard
//! shows a freshly connected account's data as being collected for 24 hours.

use crate::platform::{clock::now, storage};
use onramp_core::ids::AccountId;

const CONNECTED_KEY: &str = "onramp.connectedAt";

fn connected_map() -> Vec<(String, String)> {
    storage::session_get(CONNECTED_KEY)
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// Remembers that `id` was connected now (GET /setup/account doesn't say when): its data is
/// then shown as being collected for the next 24 hours.
pub fn remember_connected(id: &AccountId) {
    let mut map = connected_map();
    map.retain(|(a, _)| a != id.as_str());
    map.push((id.to_string(), now().to_string()));
    if let Ok(json) = serde_json::to_string(&map) {
        storage::session_set(CONNECTED_KEY, &json);
    }
}

/// When this tab connected `id`, if it did.
pub fn connected_at(id: &AccountId) -> Option<String> {
    connected_map()
        .into_iter()
        .find(|(a, _)| a == id.as_str())
        .map(|(_, t)| t)
}
