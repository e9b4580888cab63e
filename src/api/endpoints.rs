//! One typed function per endpoint of Spot's setup API and of the local auth additions.

use super::client::enc;
use super::{Api, ApiError};
use onramp_core::dto::*;
use onramp_core::ids::{AccountId, UserId};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn json<B: Serialize>(body: &B) -> Option<String> {
    serde_json::to_string(body).ok()
}

impl Api {
    async fn first<T: DeserializeOwned + 'static>(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<T, ApiError> {
        self.call::<T>(method, path, body)
            .await?
            .into_iter()
            .next()
            .ok_or(ApiError::Decode)
    }

    pub(super) async fn all<T: DeserializeOwned + 'static>(
        &self,
        path: &str,
    ) -> Result<Vec<T>, ApiError> {
        self.call::<T>("GET", path, None).await
    }

    async fn status_only(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<(), ApiError> {
        self.call_status(method, path, body).await
    }

    // ---- auth (the local server's own; Spot keeps these private) ----

    pub async fn signup(&self, req: &SignupRequest) -> Result<Session, ApiError> {
        self.first("POST", "/auth/signup", json(req)).await
    }

    pub async fn token(&self, req: &PasswordGrant) -> Result<Session, ApiError> {
        self.first("POST", "/auth/token", json(req)).await
    }

    pub async fn me(&self) -> Result<WhoAmI, ApiError> {
        self.first("GET", "/auth/me", None).await
    }

    pub async fn signout(&self) -> Result<(), ApiError> {
        self.status_only("POST", "/auth/signout", None).await
    }

    /// Ends every session and API token of the caller, this one included.
    pub async fn signout_everywhere(&self) -> Result<(), ApiError> {
        self.status_only("POST", "/auth/signout-everywhere", None)
            .await
    }

    /// Changes the caller's password; every other session and API token of theirs ends.
    pub async fn change_password(&self, req: &PasswordChange) -> Result<(), ApiError> {
        self.status_only("POST", "/auth/password", json(req)).await
    }

    // ---- members and API tokens (the local server's own) ----

    /// Every member of the caller's organization, oldest first (any role).
    pub async fn list_members(&self) -> Result<Vec<Member>, ApiError> {
        self.all("/onramp/members").await
    }

    /// Changes a member's role (admins only); answers the member as changed.
    pub async fn set_member_role(&self, id: &UserId, role: Role) -> Result<Member, ApiError> {
        let path = format!("/onramp/members/{}", enc(id.as_str()));
        self.first("PUT", &path, json(&MemberRoleRequest { role }))
            .await
    }

    /// Removes a member (admins only); their sessions and tokens end.
    pub async fn remove_member(&self, id: &UserId) -> Result<(), ApiError> {
        let path = format!("/onramp/members/{}", enc(id.as_str()));
        self.status_only("DELETE", &path, None).await
    }

    /// The caller's own API tokens that still work, newest first (never the tokens themselves).
    pub async fn list_api_tokens(&self) -> Result<Vec<ApiToken>, ApiError> {
        self.all("/onramp/tokens").await
    }

    /// A named API token; the answer is the only place the token itself ever appears.
    pub async fn create_named_api_token(
        &self,
        req: &ApiTokenRequest,
    ) -> Result<ApiTokenCreated, ApiError> {
        self.first("POST", "/onramp/tokens", json(req)).await
    }

    pub async fn revoke_api_token(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("/onramp/tokens/{}", enc(id));
        self.status_only("DELETE", &path, None).await
    }

    // ---- invitations (the local server's own; Spot keeps these private) ----

    /// Pending invitations of the caller's organization, newest first (admins only).
    pub async fn list_invitations(&self) -> Result<Vec<Invitation>, ApiError> {
        self.all("/onramp/invitations").await
    }

    /// Creates an invitation; the answer carries the only copy of its link.
    pub async fn create_invitation(
        &self,
        req: &InvitationRequest,
    ) -> Result<InvitationCreated, ApiError> {
        self.first("POST", "/onramp/invitations", json(req)).await
    }

    pub async fn revoke_invitation(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("/onramp/invitations/{}", enc(id));
        self.status_only("DELETE", &path, None).await
    }

    /// What an invitation link leads to. Public: call it on an `Api` without a token.
    pub async fn invitation_preview(&self, token: &str) -> Result<InvitationPreview, ApiError> {
        let path = format!("/onramp/invitations/token/{}", enc(token));
        self.first("GET", &path, None).await
    }

    /// Creates the invited user; answers a session like sign-up. Public, single use.
    pub async fn accept_invitation(
        &self,
        token: &str,
        req: &AcceptInvitation,
    ) -> Result<Session, ApiError> {
        let path = format!("/onramp/invitations/token/{}/accept", enc(token));
        self.first("POST", &path, json(req)).await
    }

    // ---- organizations and accounts ----

    pub async fn create_organization(&self, name: &str) -> Result<Organization, ApiError> {
        let body = NewOrganizationRequest {
            organization: NameOnly { name: name.into() },
        };
        self.first("POST", "/setup/organization", json(&body)).await
    }

    pub async fn delete_organization(&self, id: &str) -> Result<(), ApiError> {
        self.status_only("DELETE", &format!("/setup/organization/{}", enc(id)), None)
            .await
    }

    pub async fn list_accounts(&self) -> Result<Vec<Account>, ApiError> {
        self.all("/setup/account").await
    }

    pub async fn create_account(&self, name: &str) -> Result<CreatedAccount, ApiError> {
        let body = NewAccountRequest {
            account: NameOnly { name: name.into() },
        };
        self.first("POST", "/setup/account", json(&body)).await
    }

    /// Creates the account `name` without ever making two: `sent` is an earlier attempt (when it
    /// was sent, see [`send_time`], and the name it sent, which the user may have edited since),
    /// kept by the caller, whose answer may have been lost after the server made the account.
    /// Then the account list is read first and an account of the name sent, created since then,
    /// is the answer; nothing is sent. Otherwise `remember` gets the new attempt's time, to keep
    /// with `name`, before the request goes.
    pub async fn create_account_once(
        &self,
        name: &str,
        sent: Option<(String, String)>,
        remember: impl FnOnce(String),
    ) -> Result<AccountId, ApiError> {
        if let Some((at, sent_name)) = sent {
            let list = self.list_accounts().await?;
            if let Some(a) = onramp_core::onboarding::find_created_by_name(&list, &sent_name, &at) {
                return Ok(a.account_id.clone());
            }
        }
        remember(send_time());
        self.create_account(name).await.map(|c| c.id)
    }

    pub async fn get_account(&self, id: &AccountId) -> Result<Account, ApiError> {
        self.first("GET", &format!("/setup/account/{id}"), None)
            .await
    }

    pub async fn update_account(
        &self,
        id: &AccountId,
        account: UpdateAccount,
    ) -> Result<(), ApiError> {
        let body = UpdateAccountRequest { account };
        self.status_only("PUT", &format!("/setup/account/{id}"), json(&body))
            .await
    }

    pub async fn delete_account(&self, id: &AccountId) -> Result<(), ApiError> {
        self.status_only("DELETE", &format!("/setup/account/{id}"), None)
            .await
    }

    // ---- AWS ----

    pub async fn aws_external_id(&self, id: &AccountId) -> Result<ExternalId, ApiError> {
        let path = format!("/setup/credentials/aws/externalId?accountId={id}");
        self.first("POST", &path, None).await
    }

    /// Ours: a one-time token with which the account's CloudFormation stack sets its role.
    pub async fn aws_connect_token(&self, id: &AccountId) -> Result<ConnectToken, ApiError> {
        let path = format!("/onramp/aws/connect-token?accountId={id}");
        self.first("POST", &path, None).await
    }

    /// Ours: one batch connect token for these Spot accounts, each with the AWS account it
    /// stands for (each must have an external ID); the answer is the only place the token appears.
    pub async fn create_aws_batch(
        &self,
        members: &[(AccountId, String)],
    ) -> Result<AwsBatch, ApiError> {
        let body = AwsBatchRequest {
            account_ids: members.iter().map(|(id, _)| id.to_string()).collect(),
            aws_account_ids: members.iter().map(|(_, aws)| aws.clone()).collect(),
        };
        self.first("POST", "/onramp/aws/batches", json(&body)).await
    }

    /// Ours: a new token for a batch (the old one stops working); connected members stay so.
    pub async fn renew_aws_batch_token(&self, batch_id: &str) -> Result<AwsBatch, ApiError> {
        let path = format!("/onramp/aws/batches/{}/token", enc(batch_id));
        self.first("POST", &path, None).await
    }

    /// Ours: each member's state in a batch (never the token).
    pub async fn aws_batch_status(&self, batch_id: &str) -> Result<AwsBatchStatus, ApiError> {
        let path = format!("/onramp/aws/batches/{}", enc(batch_id));
        self.first("GET", &path, None).await
    }

    pub async fn set_aws_credentials(
        &self,
        id: &AccountId,
        iam_role: &str,
    ) -> Result<(), ApiError> {
        let body = AwsCredentialsRequest {
            credentials: AwsCredentials {
                iam_role: iam_role.into(),
                external_id: None,
            },
        };
        let path = format!("/setup/credentials/aws?accountId={id}");
        self.status_only("POST", &path, json(&body)).await
    }

    pub async fn get_aws_credentials(
        &self,
        id: &AccountId,
    ) -> Result<AwsCredentialsView, ApiError> {
        let path = format!("/setup/credentials/aws?accountId={id}");
        self.first("GET", &path, None).await
    }

    // ---- GCP ----

    pub async fn set_gcp_credentials(
        &self,
        id: &AccountId,
        key: &GcpServiceAccount,
        validate_only: bool,
    ) -> Result<(), ApiError> {
        let body = GcpCredentialsRequest {
            service_account: key.clone(),
        };
        let tail = if validate_only { "/validation" } else { "" };
        let path = format!("/gcp/setup/credentials{tail}?accountId={id}");
        self.status_only("POST", &path, json(&body)).await
    }

    pub async fn get_gcp_credentials(
        &self,
        id: &AccountId,
    ) -> Result<GcpCredentialsRequest, ApiError> {
        let path = format!("/gcp/setup/credentials?accountId={id}");
        self.first("GET", &path, None).await
    }

    // ---- Azure ----

    pub async fn set_azure_credentials(
        &self,
        id: &AccountId,
        creds: &AzureCredentials,
        validate_only: bool,
    ) -> Result<(), ApiError> {
        let tail = if validate_only { "/validation" } else { "" };
        let path = format!("/azure/setup/credentials{tail}?accountId={id}");
        self.status_only("POST", &path, json(creds)).await
    }

    pub async fn get_azure_credentials(
        &self,
        id: &AccountId,
    ) -> Result<AzureCredentials, ApiError> {
        let path = format!("/azure/setup/credentials?accountId={id}");
        self.first("GET", &path, None).await
    }
}

/// The time to keep for a create request about to be sent, as [`Api::create_account_once`] and
/// the add-account draft compare it with an account's `createdAt`: two minutes early, so that a
/// server clock somewhat behind this browser's still dates the account after it.
pub fn send_time() -> String {
    crate::platform::clock::now()
        .plus_millis(-120_000)
        .to_string()
}
