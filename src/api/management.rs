//! The management account (the local server's own routes; Spot keeps Eco registration private)
//! and the FinOps products (Spot's `/cloudBilling/v1` and `/cbi/v1` setup routes).

use super::client::enc;
use super::{Api, ApiError};
use onramp_core::accounts_view::{PotentialSaving, SavingsPoint};
use onramp_core::management::{
    AwsManagementRequest, AzureBillingRequest, CbiRequest, CloudBillingRequest, ManagementAccount,
    ValidationCheck,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn json<B: Serialize>(body: &B) -> Option<String> {
    serde_json::to_string(body).ok()
}

impl Api {
    /// The organization's management account, if it has one.
    pub async fn get_management(&self) -> Result<Option<ManagementAccount>, ApiError> {
        Ok(self
            .call::<ManagementAccount>("GET", "/onramp/management", None)
            .await?
            .into_iter()
            .next())
    }

    /// The management account read leniently into `T` (only the fields a caller shows);
    /// `None` when there is none or, on Spot's own API, which has no such route (404).
    pub async fn management_summary<T: DeserializeOwned + 'static>(
        &self,
    ) -> Result<Option<T>, ApiError> {
        match self.call::<T>("GET", "/onramp/management", None).await {
            Ok(items) => Ok(items.into_iter().next()),
            Err(ApiError::Http { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /aws/potentialSavings` for the management account.
    pub async fn potential_savings(
        &self,
        account_id: &str,
    ) -> Result<Vec<PotentialSaving>, ApiError> {
        self.all(&format!(
            "/aws/potentialSavings?accountId={}",
            enc(account_id)
        ))
        .await
    }

    /// `GET /insights/savings` between two days (`YYYY-MM-DD`).
    pub async fn savings_between(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<SavingsPoint>, ApiError> {
        self.all(&format!(
            "/insights/savings?fromDate={}&toDate={}",
            enc(from),
            enc(to)
        ))
        .await
    }

    async fn register_management<B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<ManagementAccount, ApiError> {
        self.call::<ManagementAccount>("POST", path, json(body))
            .await?
            .into_iter()
            .next()
            .ok_or(ApiError::Decode)
    }

    pub async fn register_aws_management(
        &self,
        req: &AwsManagementRequest,
    ) -> Result<ManagementAccount, ApiError> {
        self.register_management("/onramp/management/aws", req)
            .await
    }

    pub async fn register_azure_billing(
        &self,
        req: &AzureBillingRequest,
    ) -> Result<ManagementAccount, ApiError> {
        self.register_management("/onramp/management/azure", req)
            .await
    }

    /// Billing Engine: the checks (`validate_only`) or the registration.
    pub async fn cloud_billing(
        &self,
        req: &CloudBillingRequest,
        validate_only: bool,
    ) -> Result<Vec<ValidationCheck>, ApiError> {
        self.finops("/cloudBilling/v1/setup/account", json(req), validate_only)
            .await
    }

    /// Cost Intelligence: the checks (`validate_only`) or the registration.
    pub async fn cost_intelligence(
        &self,
        req: &CbiRequest,
        validate_only: bool,
    ) -> Result<Vec<ValidationCheck>, ApiError> {
        self.finops("/cbi/v1/setup/account", json(req), validate_only)
            .await
    }

    /// A validation answers its checks; a registration answers the registered account, which
    /// the console does not need (an empty list then).
    async fn finops(
        &self,
        path: &str,
        body: Option<String>,
        validate_only: bool,
    ) -> Result<Vec<ValidationCheck>, ApiError> {
        if validate_only {
            let path = format!("{path}/validation");
            self.call::<ValidationCheck>("POST", &path, body).await
        } else {
            self.call_status("POST", path, body).await?;
            Ok(Vec::new())
        }
    }
}
