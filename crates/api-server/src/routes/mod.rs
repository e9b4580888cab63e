//! The `/api` routes, one module per area.

pub mod accounts;
pub mod auth;
pub mod aws;
pub mod aws_batches;
pub mod azure;
pub mod finops;
pub mod gcp;
pub mod invitations;
pub mod management;
pub mod members;
pub mod savings;
pub mod tokens;

use axum::{
    Router,
    routing::{get, post},
};

use crate::AppState;

pub fn api_routes() -> Router<AppState> {
    Router::new()
        // ours (docs/contracts.md)
        .route("/auth/signup", post(auth::signup))
        .route("/auth/token", post(auth::token))
        .route("/auth/me", get(auth::me))
        .route("/auth/signout", post(auth::signout))
        .route("/auth/tokens", post(auth::personal_token))
        .route("/auth/signout-everywhere", post(auth::signout_everywhere))
        .route("/auth/password", post(auth::change_password))
        .route("/onramp/members", get(members::list))
        .route(
            "/onramp/members/{user_id}",
            axum::routing::put(members::set_role).delete(members::remove),
        )
        .route("/onramp/tokens", get(tokens::list).post(tokens::create))
        .route(
            "/onramp/tokens/{token_id}",
            axum::routing::delete(tokens::revoke),
        )
        .route(
            "/onramp/management",
            get(management::get_management).delete(management::delete_management),
        )
        .route("/onramp/management/aws", post(management::register_aws))
        .route("/onramp/aws/connect-token", post(aws::connect_token))
        .route("/onramp/aws/batches", post(aws_batches::create))
        .route("/onramp/aws/batches/{batch_id}", get(aws_batches::status))
        .route(
            "/onramp/aws/batches/{batch_id}/token",
            post(aws_batches::renew),
        )
        .route("/onramp/management/azure", post(management::register_azure))
        .route(
            "/onramp/invitations",
            get(invitations::list).post(invitations::create),
        )
        .route(
            "/onramp/invitations/{id}",
            axum::routing::delete(invitations::revoke),
        )
        .route(
            "/onramp/invitations/token/{token}",
            get(invitations::preview),
        )
        .route(
            "/onramp/invitations/token/{token}/accept",
            post(invitations::accept),
        )
        // Spot's
        .route("/setup/organization", post(accounts::create_organization))
        .route("/setup/organization/user", get(invitations::list_users))
        .route(
            "/setup/organization/{id}",
            axum::routing::delete(accounts::delete_organization),
        )
        .route(
            "/setup/account",
            post(accounts::create_account).get(accounts::list_accounts),
        )
        .route(
            "/setup/account/{id}",
            get(accounts::get_account)
                .put(accounts::update_account)
                .delete(accounts::delete_account),
        )
        .route("/setup/credentials/aws/externalId", post(aws::external_id))
        .route(
            "/setup/credentials/aws",
            post(aws::set_credentials).get(aws::get_credentials),
        )
        .route(
            "/gcp/setup/credentials",
            post(gcp::set_credentials).get(gcp::get_credentials),
        )
        .route(
            "/gcp/setup/credentials/validation",
            post(gcp::validate_credentials),
        )
        .route(
            "/azure/setup/credentials",
            post(azure::set_credentials).get(azure::get_credentials),
        )
        .route(
            "/azure/setup/credentials/validation",
            post(azure::validate_credentials),
        )
        .route(
            "/cloudBilling/v1/setup/account",
            post(finops::cloud_billing_register),
        )
        .route(
            "/cloudBilling/v1/setup/account/validation",
            post(finops::cloud_billing_validate),
        )
        .route("/cbi/v1/setup/account", post(finops::cbi_register))
        .route(
            "/cbi/v1/setup/account/validation",
            post(finops::cbi_validate),
        )
        .route("/aws/potentialSavings", get(savings::potential_savings))
        .route("/insights/savings", get(savings::insights_savings))
}
