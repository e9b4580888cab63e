//! The gcloud script the console offers for connecting a Google Cloud project automatically:
//! it creates a custom role, the `spotinst-role-<account>` service account bound to it, and a
//! JSON key that the user then uploads.

/// What the custom role lets Spot do in the project: manage Compute Engine capacity and read
/// what it needs to size it.
pub const CUSTOM_ROLE_PERMISSIONS: &[&str] = &[
    "compute.addresses.list",
    "compute.backendServices.get",
    "compute.backendServices.list",
    "compute.diskTypes.list",
    "compute.disks.create",
    "compute.disks.delete",
    "compute.disks.get",
    "compute.disks.list",
    "compute.disks.setLabels",
    "compute.disks.use",
    "compute.images.get",
    "compute.images.list",
    "compute.images.useReadOnly",
    "compute.instanceGroupManagers.get",
    "compute.instanceGroupManagers.list",
    "compute.instanceGroups.get",
    "compute.instanceGroups.list",
    "compute.instances.create",
    "compute.instances.delete",
    "compute.instances.get",
    "compute.instances.list",
    "compute.instances.setLabels",
    "compute.instances.setMetadata",
    "compute.instances.setServiceAccount",
    "compute.instances.setTags",
    "compute.instances.start",
    "compute.instances.stop",
    "compute.machineTypes.list",
    "compute.networks.list",
    "compute.networks.use",
    "compute.regions.list",
    "compute.subnetworks.list",
    "compute.subnetworks.use",
    "compute.subnetworks.useExternalIp",
    "compute.zones.list",
    "container.clusters.get",
    "container.clusters.list",
    "iam.serviceAccounts.actAs",
    "resourcemanager.projects.get",
];

/// The custom role's id (gcloud allows letters, digits, `_` and `.`).
pub const CUSTOM_ROLE_ID: &str = "spotConnector";

/// The bash script for `project_id` and the Spot `account_id`. Both must already be validated
/// (`validate::gcp_project_id`, an `AccountId`): the script quotes them, but a validated value
/// contains nothing a shell would interpret anyway.
pub fn gcloud_script(project_id: &str, account_id: &str) -> String {
    let sa_name = crate::validate::gcp_service_account_name(account_id);
    let permissions = CUSTOM_ROLE_PERMISSIONS.join(",");
    format!(
        r#"#!/usr/bin/env bash
# Connects Google Cloud project {project_id} to Spot account {account_id}.
# Run it in Cloud Shell or anywhere gcloud is signed in with rights to create roles and
# service accounts in the project. It writes the key file to the current folder.
set -euo pipefail

PROJECT_ID='{project_id}'
SA_NAME='{sa_name}'
SA_EMAIL="${{SA_NAME}}@${{PROJECT_ID}}.iam.gserviceaccount.com"
ROLE_ID='{CUSTOM_ROLE_ID}'
KEY_FILE="spot-key-${{PROJECT_ID}}.json"

gcloud services enable compute.googleapis.com iam.googleapis.com --project "$PROJECT_ID"

if ! gcloud iam roles describe "$ROLE_ID" --project "$PROJECT_ID" >/dev/null 2>&1; then
  gcloud iam roles create "$ROLE_ID" --project "$PROJECT_ID" \
    --title 'Spot connector' \
    --description 'Lets Spot manage Compute Engine capacity in this project.' \
    --stage GA \
    --permissions '{permissions}'
fi

if ! gcloud iam service-accounts describe "$SA_EMAIL" --project "$PROJECT_ID" >/dev/null 2>&1; then
  gcloud iam service-accounts create "$SA_NAME" --project "$PROJECT_ID" \
    --display-name 'Spot connector'
fi

gcloud projects add-iam-policy-binding "$PROJECT_ID" \
  --member "serviceAccount:${{SA_EMAIL}}" \
  --role "projects/${{PROJECT_ID}}/roles/${{ROLE_ID}}" \
  --condition None >/dev/null

gcloud iam service-accounts keys create "$KEY_FILE" \
  --iam-account "$SA_EMAIL" --project "$PROJECT_ID"

echo "Done. Upload ${{KEY_FILE}} in the Spot console, then delete it from this machine."
"#
    )
}

/// The file name offered for downloading the script.
pub fn gcloud_script_file_name(project_id: &str) -> String {
    format!("connect-{project_id}-to-spot.sh")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_names_the_project_service_account_and_role() {
        let s = gcloud_script("my-project-42", "act-1a2b3c4d");
        assert!(s.starts_with("#!/usr/bin/env bash\n"));
        assert!(s.contains("PROJECT_ID='my-project-42'"));
        assert!(s.contains("SA_NAME='spotinst-role-act-1a2b3c4d'"));
        assert!(s.contains("set -euo pipefail"));
        assert!(s.contains("gcloud iam service-accounts keys create"));
        assert!(s.contains(&format!(
            "--permissions '{}'",
            CUSTOM_ROLE_PERMISSIONS.join(",")
        )));
        // The script must not interpolate anything at generation time that a shell would
        // expand differently: every variable use is a shell variable.
        assert!(s.contains("${SA_NAME}@${PROJECT_ID}.iam.gserviceaccount.com"));
        assert_eq!(
            gcloud_script_file_name("my-project-42"),
            "connect-my-project-42-to-spot.sh"
        );
    }

    #[test]
    fn permissions_are_well_formed_and_unique() {
        let mut sorted = CUSTOM_ROLE_PERMISSIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), CUSTOM_ROLE_PERMISSIONS.len());
        for p in CUSTOM_ROLE_PERMISSIONS {
            assert_eq!(p.split('.').count(), 3, "{p}");
            assert!(
                p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'),
                "{p}"
            );
        }
    }

    #[test]
    fn service_account_name_fits_gcp_limits() {
        // spotinst-role- (14) + act-xxxxxxxx (12) = 26 ≤ 30.
        let s = gcloud_script("abcdef", "ACT-FFFFFFFF");
        assert!(s.contains("SA_NAME='spotinst-role-act-ffffffff'"));
    }
}
