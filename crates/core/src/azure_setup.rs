//! The Azure custom role definition the console exports for a subscription: the actions Spot
//! needs to run virtual machines and scale sets, scoped to that one subscription.

use serde_json::json;

/// The redirect URI to enter when registering the application.
pub const REDIRECT_URI: &str = "https://spot.io";

pub const ROLE_ACTIONS: &[&str] = &[
    "Microsoft.Compute/disks/*",
    "Microsoft.Compute/images/read",
    "Microsoft.Compute/locations/*",
    "Microsoft.Compute/skus/read",
    "Microsoft.Compute/snapshots/*",
    "Microsoft.Compute/virtualMachineScaleSets/*",
    "Microsoft.Compute/virtualMachines/*",
    "Microsoft.ContainerService/managedClusters/read",
    "Microsoft.Insights/metrics/read",
    "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
    "Microsoft.Network/applicationGateways/read",
    "Microsoft.Network/loadBalancers/*",
    "Microsoft.Network/networkInterfaces/*",
    "Microsoft.Network/networkSecurityGroups/join/action",
    "Microsoft.Network/networkSecurityGroups/read",
    "Microsoft.Network/publicIPAddresses/*",
    "Microsoft.Network/virtualNetworks/read",
    "Microsoft.Network/virtualNetworks/subnets/join/action",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Resources/deployments/*",
];

/// The role definition JSON for `az role definition create --role-definition @file`.
/// `subscription_id` must be a validated GUID.
pub fn custom_role_definition(subscription_id: &str) -> String {
    let value = json!({
        "Name": format!("Spot connector ({subscription_id})"),
        "IsCustom": true,
        "Description": "Lets Spot manage virtual machines and scale sets in this subscription.",
        "Actions": ROLE_ACTIONS,
        "NotActions": [],
        "DataActions": [],
        "NotDataActions": [],
        "AssignableScopes": [format!("/subscriptions/{subscription_id}")],
    });
    serde_json::to_string_pretty(&value).expect("a JSON value always serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn role_is_scoped_to_the_subscription() {
        let sub = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let v: Value = serde_json::from_str(&custom_role_definition(sub)).unwrap();
        assert_eq!(v["IsCustom"], true);
        assert_eq!(
            v["AssignableScopes"],
            json!([format!("/subscriptions/{sub}")])
        );
        assert!(v["Name"].as_str().unwrap().contains(sub));
        let actions = v["Actions"].as_array().unwrap();
        assert_eq!(actions.len(), ROLE_ACTIONS.len());
        assert!(
            actions
                .iter()
                .any(|a| a == "Microsoft.Compute/virtualMachines/*")
        );
    }

    #[test]
    fn actions_name_a_resource_provider() {
        for a in ROLE_ACTIONS {
            assert!(a.starts_with("Microsoft."), "{a}");
            assert!(a.contains('/'), "{a}");
            assert!(!a.contains(char::is_whitespace), "{a}");
        }
    }
}
