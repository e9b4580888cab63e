//! `--demo`: seeds one clearly labelled demo organization, so the dashboard can be shown with
//! several accounts in every state and with savings figures. Everything it writes says it is
//! demo data: the organization is "Demo organization (sample data)", every account name starts
//! with "Demo", every potential-saving entry's name starts with "Demo data:". Nothing is
//! written without the flag, and nothing is ever fetched from a cloud.
//!
//! Sign in as [`DEMO_EMAIL`] with [`DEMO_PASSWORD`] (printed at start-up). Seeding is skipped
//! when the demo user already exists (a persistent `--db`), so restarting keeps the data.

use rusqlite::{Connection, params};
use time::{Duration, OffsetDateTime};

use crate::{
    auth, db,
    routes::auth::new_account_id,
    routes::auth::new_org_id,
    secrets::{AZURE_CLIENT_SECRET, GCP_SERVICE_ACCOUNT, Secrets},
    util,
};

pub const DEMO_EMAIL: &str = "demo@onramp.example";
/// A published password for published sample data: the demo organization holds nothing real.
pub const DEMO_PASSWORD: &str = "Demo-organization-1";
pub const DEMO_ORGANIZATION: &str = "Demo organization (sample data)";

/// One seeded account.
struct DemoAccount {
    name: &'static str,
    setup: Setup,
}

enum Setup {
    None,
    Aws {
        aws_account: &'static str,
    },
    Gcp {
        project: &'static str,
    },
    /// The Azure client secret expires this many days from now (negative: already expired).
    Azure {
        expires_in_days: i64,
    },
    /// The organization's management account (AWS), with the savings data.
    Management {
        aws_account: &'static str,
    },
}

const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        name: "Demo production",
        setup: Setup::Aws {
            aws_account: "111122223333",
        },
    },
    DemoAccount {
        name: "Demo payer (management)",
        setup: Setup::Management {
            aws_account: "444455556666",
        },
    },
    DemoAccount {
        name: "Demo data platform",
        setup: Setup::Gcp {
            project: "demo-data-platform",
        },
    },
    DemoAccount {
        name: "Demo analytics",
        setup: Setup::Azure {
            expires_in_days: 10,
        },
    },
    DemoAccount {
        name: "Demo legacy",
        setup: Setup::Azure {
            expires_in_days: -5,
        },
    },
    DemoAccount {
        name: "Demo sandbox",
        setup: Setup::None,
    },
];

/// `(resourceType, name, region, instances, instanceTypes, USD per month)`.
type Saving = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static [&'static str],
    f64,
);
const POTENTIAL_SAVINGS: &[Saving] = &[
    (
        "ocean",
        "Demo data: checkout cluster",
        "us-east-1",
        42,
        &["m5.xlarge", "c5.2xlarge"],
        3120.0,
    ),
    (
        "ocean",
        "Demo data: search cluster",
        "eu-west-1",
        18,
        &["r5.large"],
        1275.5,
    ),
    (
        "elastigroup",
        "Demo data: web tier",
        "us-east-1",
        24,
        &["m5.large"],
        980.0,
    ),
    (
        "reservedInstances",
        "Demo data: unused reservations",
        "us-west-2",
        6,
        &["c5.4xlarge"],
        2210.0,
    ),
    (
        "savingsPlan",
        "Demo data: compute savings plan coverage",
        "global",
        0,
        &[],
        1490.0,
    ),
];

const GUIDS: [&str; 3] = [
    "de000000-0000-4000-8000-000000000001",
    "de000000-0000-4000-8000-000000000002",
    "de000000-0000-4000-8000-000000000003",
];

fn gcp_key(project: &str) -> String {
    serde_json::json!({
        "type": "service_account",
        "project_id": project,
        "private_key_id": "demo0000000000000000000000000000000000",
        "private_key": "-----BEGIN PRIVATE KEY-----\nDEMO-DATA-NOT-A-KEY\n-----END PRIVATE KEY-----\n",
        "client_email": format!("spotinst-demo@{project}.iam.gserviceaccount.com"),
        "client_id": "100000000000000000000",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": format!("https://www.googleapis.com/robot/v1/metadata/x509/spotinst-demo%40{project}.iam.gserviceaccount.com"),
    })
    .to_string()
}

fn day(t: OffsetDateTime) -> String {
    util::iso(t)[..10].to_owned()
}

/// Seeds the demo organization unless the demo user exists. Returns whether it seeded.
pub fn seed(
    conn: &mut Connection,
    secrets: &Secrets,
    fast_hashing: bool,
) -> rusqlite::Result<bool> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM users WHERE email_key = ?1)",
        params![DEMO_EMAIL],
        |r| r.get(0),
    )?;
    if exists {
        return Ok(false);
    }
    let hash = auth::hash_password(DEMO_PASSWORD, fast_hashing);
    let now = OffsetDateTime::now_utc();
    let tx = conn.transaction()?;
    let org_id = new_org_id(&tx).map_err(|_| rusqlite::Error::InvalidQuery)?;
    tx.execute(
        "INSERT INTO organizations (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![org_id as i64, DEMO_ORGANIZATION, util::iso(now)],
    )?;
    let user_id = format!("u-{:08x}", util::random_u32());
    tx.execute(
        "INSERT INTO users (id, org_id, full_name, email, email_key, country, password_hash, role, created_at) \
         VALUES (?1, ?2, 'Demo User', ?3, ?3, 'US', ?4, 'admin', ?5)",
        params![user_id, org_id as i64, DEMO_EMAIL, hash, util::iso(now)],
    )?;
    tx.execute(
        "INSERT INTO memberships (user_id, org_id, role) VALUES (?1, ?2, 'admin')",
        params![user_id, org_id as i64],
    )?;
    for (i, a) in ACCOUNTS.iter().enumerate() {
        // Created over the last weeks, oldest first (the first is the default account).
        let created = now - Duration::days(40 - i as i64 * 3);
        let id = new_account_id(&tx).map_err(|_| rusqlite::Error::InvalidQuery)?;
        let kind = match a.setup {
            Setup::Management { .. } => "management",
            _ => "linked",
        };
        db::insert_account(&tx, &id, org_id, a.name, kind, &util::iso(created))?;
        let connected = util::iso(created + Duration::hours(1));
        let set_provider = |provider: &str, external: &str| {
            tx.execute(
                "UPDATE accounts SET cloud_provider = ?1, provider_external_id = ?2 WHERE id = ?3",
                params![provider, external, id],
            )
        };
        match a.setup {
            Setup::None => {}
            Setup::Aws { aws_account } => {
                tx.execute(
                    "INSERT INTO aws_credentials (account_id, iam_role, external_id, updated_at) VALUES (?1, ?2, ?3, ?4)",
                    params![id, format!("arn:aws:iam::{aws_account}:role/Spot-Role"), util::random_external_id(), connected],
                )?;
                set_provider("aws", aws_account)?;
            }
            Setup::Gcp { project } => {
                tx.execute(
                    "INSERT INTO gcp_credentials (account_id, service_account, updated_at) VALUES (?1, ?2, ?3)",
                    params![id, secrets.seal(GCP_SERVICE_ACCOUNT, &id, &gcp_key(project)), connected],
                )?;
                set_provider("gcp", project)?;
            }
            Setup::Azure { expires_in_days } => {
                let expires = format!(
                    "{}T00:00:00.000Z",
                    day(now + Duration::days(expires_in_days))
                );
                let subscription = GUIDS[(i % 2) + 1];
                tx.execute(
                    "INSERT INTO azure_credentials (account_id, client_id, client_secret, tenant_id, subscription_id, expiration_date, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![id, GUIDS[0], secrets.seal(AZURE_CLIENT_SECRET, &id, "demo-secret-not-real"), GUIDS[0], subscription, expires, connected],
                )?;
                set_provider("azure", subscription)?;
            }
            Setup::Management { aws_account } => {
                let config = serde_json::json!({
                    "environment": "commercial",
                    "bucketName": "demo-cost-and-usage-reports",
                    "products": ["costAnalysis", "computeOptimization"],
                    "roleArns": {
                        "costAnalysis": format!("arn:aws:iam::{aws_account}:role/SpotFinOps-demo"),
                        "computeOptimization": format!("arn:aws:iam::{aws_account}:role/SpotComputeOptimization-demo"),
                    },
                });
                tx.execute(
                    "INSERT INTO management_accounts (org_id, account_id, cloud_provider, config, external_id, client_secret, created_at, updated_at) \
                     VALUES (?1, ?2, 'aws', ?3, ?4, NULL, ?5, ?5)",
                    params![org_id as i64, id, config.to_string(), util::random_external_id(), connected],
                )?;
                set_provider("aws", aws_account)?;
                for (t, name, region, n, types, usd) in POTENTIAL_SAVINGS {
                    tx.execute(
                        "INSERT INTO potential_savings (account_id, resource_type, name, region, instances, instance_types, potential_savings) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![id, t, name, region, n, serde_json::to_string(types).unwrap_or_default(), usd],
                    )?;
                }
                // A savings series for the last 30 days (a fixed, recognisable weekly pattern).
                for d in 1..=30_i64 {
                    let amount = 180.0 + ((d % 7) as f64) * 12.5;
                    tx.execute(
                        "INSERT INTO savings (org_id, date, amount) VALUES (?1, ?2, ?3)",
                        params![org_id as i64, day(now - Duration::days(d)), amount],
                    )?;
                }
            }
        }
    }
    tx.commit()?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_once_and_labels_everything() {
        let db = db::Db::open(":memory:").unwrap();
        let mut conn = db.conn();
        let secrets = Secrets::in_memory();
        assert!(seed(&mut conn, &secrets, true).unwrap());
        assert!(
            !seed(&mut conn, &secrets, true).unwrap(),
            "a second start keeps the data"
        );
        let names: Vec<String> = conn
            .prepare("SELECT name FROM accounts ORDER BY seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(names.len(), ACCOUNTS.len());
        assert!(names.iter().all(|n| n.starts_with("Demo")));
        let org: String = conn
            .query_row("SELECT name FROM organizations", [], |r| r.get(0))
            .unwrap();
        assert!(org.contains("Demo"));
        let unlabelled: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM potential_savings WHERE name NOT LIKE 'Demo data:%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(unlabelled, 0);
        let days: i64 = conn
            .query_row("SELECT COUNT(*) FROM savings", [], |r| r.get(0))
            .unwrap();
        assert_eq!(days, 30);
    }
}
