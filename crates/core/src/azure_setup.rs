//! The Azure custom role definition the console exports for a subscription: the actions Spot
//! needs to run virtual machines and scale sets, scoped to that one subscription.

use serde_json::json;

/// The redirect URI to enter when registering the application.
pub const REDIRECT_URI: &str = "https://spot.io";

/// The Azure portal's home.
pub const PORTAL_URL: &str = "https://portal.azure.com/";

/// The portal's **App registrations** page (Microsoft Entra ID).
pub const APP_REGISTRATIONS_URL: &str =
    "https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade";

/// The file **Export JSON policy** saves; the Cloud Shell commands refer to it by this name.
pub const ROLE_FILE_NAME: &str = "spot-role-definition.json";

/// The custom role's name for `subscription_id` (role names are unique per directory, so the
/// subscription is part of it).
pub fn role_name(subscription_id: &str) -> String {
    format!("Spot connector ({subscription_id})")
}

/// The Azure CLI commands (for Cloud Shell, after uploading [`ROLE_FILE_NAME`]) that create the
/// custom role and assign it to the registered application on the subscription. Both IDs must
/// be validated GUIDs.
pub fn role_commands(client_id: &str, subscription_id: &str) -> String {
    let role = role_name(subscription_id);
    format!(
        "az role definition create --role-definition @{ROLE_FILE_NAME}\n\
         az role assignment create --assignee {client_id} --role \"{role}\" --scope /subscriptions/{subscription_id}\n"
    )
}

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
        "Name": role_name(subscription_id),
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
    fn commands_create_then_assign_the_same_role() {
        let sub = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let app = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
        let c = role_commands(app, sub);
        let lines: Vec<&str> = c.lines().collect();
        assert_eq!(lines.len(), 2, "{c}");
        assert_eq!(
            lines[0],
            "az role definition create --role-definition @spot-role-definition.json"
        );
        assert_eq!(
            lines[1],
            format!(
                "az role assignment create --assignee {app} --role \"Spot connector ({sub})\" --scope /subscriptions/{sub}"
            )
        );
        // The role assigned is the role the exported file defines.
        let v: Value = serde_json::from_str(&custom_role_definition(sub)).unwrap();
        assert_eq!(v["Name"], role_name(sub));
        assert!(lines[1].contains(&format!("\"{}\"", v["Name"].as_str().unwrap())));
    }

    #[test]
    fn portal_links_are_https_on_the_portal() {
        for url in [PORTAL_URL, APP_REGISTRATIONS_URL] {
            assert!(url.starts_with("https://portal.azure.com/"), "{url}");
        }
        assert_eq!(REDIRECT_URI, "https://spot.io");
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
