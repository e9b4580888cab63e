//! Request and response bodies of Spot's setup API (field names exactly as Spot spells them),
//! plus the local server's own auth additions (marked as ours).

use crate::ids::{AccountId, OrganizationId, UserId};
use serde::{Deserialize, Serialize};

pub mod kinds {
    pub const ORGANIZATION: &str = "spotinst:setup:organization";
    pub const ACCOUNT: &str = "spotinst:setup:account";
    pub const AWS_EXTERNAL_ID: &str = "spotinst:setup:aws:externalId";
    pub const AWS_CREDENTIALS: &str = "spotinst:setup:aws:credentials";
    pub const GCP_CREDENTIALS: &str = "spotinst:setup:gcp:credentials";
    pub const AZURE_CREDENTIALS: &str = "spotinst:azure:credentials";
    pub const POTENTIAL_SAVINGS: &str = "spotinst:aws:potentialSavings";
    pub const SAVINGS: &str = "spotinst:insights:savings";
    /// Ours: the local server's auth additions.
    pub const SESSION: &str = "onramp:auth:session";
    pub const WHOAMI: &str = "onramp:auth:whoami";
    pub const AWS_CONNECT_TOKEN: &str = "onramp:aws:connectToken";
    pub const AWS_BATCH: &str = "onramp:aws:batch";
    pub const AWS_BATCH_STATUS: &str = "onramp:aws:batch-status";
}

// ---- organizations -------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrganizationRequest {
    pub organization: NameOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameOnly {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub organization_id: OrganizationId,
    pub organization_name: String,
}

// ---- accounts ------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccountRequest {
    pub account: NameOnly,
}

/// Answer of `POST /setup/account`. Note Spot's `id` here versus `accountId` in listings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedAccount {
    pub id: AccountId,
    pub name: String,
    pub organization_id: OrganizationId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CloudProvider {
    Aws,
    Gcp,
    Azure,
}

/// One entry of `GET /setup/account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub account_id: AccountId,
    pub name: String,
    pub organization_id: OrganizationId,
    /// The cloud account this Spot account is connected to (AWS account number, GCP project,
    /// Azure subscription); null until connected.
    #[serde(default)]
    pub provider_external_id: Option<String>,
    /// Null until credentials are set.
    #[serde(default)]
    pub cloud_provider: Option<CloudProvider>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAccount {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack_notification_channels: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateAccountRequest {
    pub account: UpdateAccount,
}

// ---- AWS -----------------------------------------------------------------------------------

/// Ours: answer of `POST /onramp/aws/connect-token` (kind [`kinds::AWS_CONNECT_TOKEN`]). The
/// token is in this answer only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectToken {
    pub connect_token: String,
    /// ISO-8601 instant after which the token no longer works.
    pub expires_at: String,
}

/// Ours: body of `POST /onramp/aws/batches`: the Spot accounts one batch connect token may
/// connect, and the AWS account each stands for, in the same order (as sent; the server checks
/// them with `validate::batch_account_ids` and `validate::batch_aws_account_ids`). Every
/// member's stack holds the same token: a callback for a member may only give it a role of that
/// member's own AWS account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsBatchRequest {
    pub account_ids: Vec<String>,
    #[serde(default)]
    pub aws_account_ids: Vec<String>,
}

/// Ours: a batch and its connect token (kind [`kinds::AWS_BATCH`]), answered when the batch is
/// made and when its token is renewed; the token is in that answer only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsBatch {
    pub batch_id: String,
    pub connect_token: String,
    /// ISO-8601 instant after which the token no longer works.
    pub expires_at: String,
    pub account_ids: Vec<AccountId>,
}

/// Ours: where each member of a batch stands (kind [`kinds::AWS_BATCH_STATUS`]); never the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsBatchStatus {
    pub batch_id: String,
    pub expires_at: String,
    pub members: Vec<AwsBatchMember>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsBatchMember {
    pub account_id: AccountId,
    pub state: BatchMemberState,
    /// Why the last callback for this account was refused (`failed` only), in plain words.
    pub reason: Option<String>,
    /// When the state last changed; null while waiting.
    pub updated_at: Option<String>,
}

/// `connected`: the account has AWS credentials, however they were set. `failed`: the last
/// callback with the batch's token for it was refused. `waiting`: neither yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchMemberState {
    Waiting,
    Connected,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalId {
    pub external_id: String,
    /// ISO-8601 instant after which a new external ID must be generated.
    pub max_valid_until: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsCredentials {
    pub iam_role: String,
    /// Sent by legacy clients only; the server uses the external ID it generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsCredentialsRequest {
    pub credentials: AwsCredentials,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsCredentialsView {
    pub iam_role: String,
    pub account_id: AccountId,
}

// ---- GCP -----------------------------------------------------------------------------------

/// A service-account key as Google writes it (snake_case kept, as Spot expects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcpServiceAccount {
    #[serde(rename = "type")]
    pub kind: String,
    pub project_id: String,
    pub private_key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    pub client_email: String,
    pub client_id: String,
    pub auth_uri: String,
    pub token_uri: String,
    pub auth_provider_x509_cert_url: String,
    pub client_x509_cert_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GcpCredentialsRequest {
    pub service_account: GcpServiceAccount,
}

/// The GCP credential calls' body as the server reads it: the key file exactly as the user
/// dropped it, so core's key-file rule (`validate::gcp_key_file`) checks and explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GcpKeyFileRequest {
    pub service_account: serde_json::Map<String, serde_json::Value>,
}

// ---- Azure ---------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureCredentials {
    pub client_id: String,
    pub client_secret: String,
    pub tenant_id: String,
    pub subscription_id: String,
    /// Absent on the validation call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
}

// ---- Auth: the local server's own additions (Spot keeps these private) ----------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignupRequest {
    pub full_name: String,
    pub company: String,
    pub email: String,
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordGrant {
    pub email: String,
    pub password: String,
}

/// Answer of sign-up and sign-in: a bearer token and who it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub access_token: String,
    pub token_type: String,
    pub user: WhoAmI,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Viewer,
}

/// Answer of `GET /auth/me` (ours): the user, organization and role behind a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoAmI {
    pub user_id: UserId,
    pub full_name: String,
    pub email: String,
    pub organization_id: OrganizationId,
    pub organization_name: String,
    pub role: Role,
    /// The organization's oldest (default) account.
    pub default_account_id: AccountId,
}

// ---- Invitations: ours (Spot keeps inviting users out of its public setup API) -----------------

/// A user of the organization, as `GET /setup/organization/user` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgUser {
    pub user_id: UserId,
    pub full_name: String,
    pub email: String,
    pub role: Role,
    pub created_at: String,
}

/// Body of `POST /onramp/invitations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationRequest {
    pub email: String,
    pub role: Role,
}

/// A pending invitation. Never carries its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    /// `inv-` and 8 hex digits.
    pub id: String,
    pub email: String,
    pub role: Role,
    pub created_at: String,
    pub expires_at: String,
}

/// Answer of `POST /onramp/invitations`: the only time the link (with its token) is given out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationCreated {
    pub invitation: Invitation,
    /// `/invite/<token>`, relative to the app's origin.
    pub accept_path: String,
}

/// Answer of `GET /onramp/invitations/token/{token}` (no bearer): what the invitee is joining.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationPreview {
    pub organization_name: String,
    pub email: String,
    pub role: Role,
    pub expires_at: String,
}

/// Body of `POST /onramp/invitations/token/{token}/accept`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcceptInvitation {
    pub full_name: String,
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
    pub password: String,
}

// ---- Members, API tokens, password: ours ---------------------------------------------------

/// A member of the caller's organization, as `GET /onramp/members` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// When the member joined (signed up or accepted the invitation), RFC 3339 UTC.
    pub joined: String,
}

/// Body of `PUT /onramp/members/{userId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRoleRequest {
    pub role: Role,
}

/// A personal API token as listed. Never carries the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    /// `tok-` and 8 hex digits.
    pub token_id: String,
    pub name: String,
    pub created: String,
    pub expires: String,
    /// When the token last authenticated a request (to the minute), or `None` if never.
    pub last_used: Option<String>,
}

/// Body of `POST /onramp/tokens`. `expires_in_days` defaults to
/// [`crate::validate::TOKEN_DAYS_DEFAULT`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiTokenRequest {
    pub name: String,
    #[serde(default)]
    pub expires_in_days: Option<f64>,
    pub password: String,
}

/// Answer of `POST /onramp/tokens`: the only time the token is given out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiTokenCreated {
    pub token: ApiToken,
    /// The bearer token (43 characters, base64url).
    pub access_token: String,
    pub token_type: String,
}

/// Body of `POST /auth/password`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}
