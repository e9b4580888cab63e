//! Savings read from tables: `GET /aws/potentialSavings`, `GET /insights/savings`. Nothing is
//! invented: without rows the answer is an empty list.

use axum::extract::State;
use onramp_core::dto::kinds;
use rusqlite::params;
use serde::Serialize;
use time::{Date, macros::format_description};

use crate::{
    AppState,
    auth::Auth,
    respond::{ApiError, ApiResult, Params, Reply},
    scope::InAccount,
};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PotentialSaving {
    pub resource_type: String,
    pub name: String,
    pub region: String,
    pub instances: i64,
    pub instance_types: Vec<String>,
    /// USD per month.
    pub potential_savings: f64,
}

pub async fn potential_savings(at: InAccount) -> ApiResult {
    let (conn, account) = at.open()?;
    let mut stmt = conn.prepare(
        "SELECT resource_type, name, region, instances, instance_types, potential_savings \
         FROM potential_savings WHERE account_id = ?1 ORDER BY potential_savings DESC, id",
    )?;
    let rows = stmt
        .query_map(params![account.id], |r| {
            let types: String = r.get(4)?;
            Ok(PotentialSaving {
                resource_type: r.get(0)?,
                name: r.get(1)?,
                region: r.get(2)?,
                instances: r.get(3)?,
                instance_types: serde_json::from_str(&types).unwrap_or_default(),
                potential_savings: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::many(kinds::POTENTIAL_SAVINGS, rows))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavingsPoint {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// USD saved that day.
    pub savings: f64,
}

fn date_param(params: &Params, name: &str) -> Result<Date, ApiError> {
    let field = format!("query.{name}");
    let raw = params
        .get(name)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::validation(&field, format!("\"{name}\" is required")))?;
    Date::parse(raw, format_description!("[year]-[month]-[day]")).map_err(|_| {
        ApiError::validation(
            &field,
            format!("\"{name}\" must be a date written YYYY-MM-DD, like 2026-11-01"),
        )
    })
}

pub async fn insights_savings(
    State(state): State<AppState>,
    Auth(a): Auth,
    params: Params,
) -> ApiResult {
    let from = date_param(&params, "fromDate")?;
    let to = date_param(&params, "toDate")?;
    if from > to {
        return Err(ApiError::validation(
            "query.toDate",
            "\"toDate\" must be on or after \"fromDate\"",
        ));
    }
    let conn = state.db.conn();
    let mut stmt = conn.prepare(
        "SELECT date, SUM(amount) FROM savings WHERE org_id = ?1 AND date >= ?2 AND date <= ?3 \
         GROUP BY date ORDER BY date",
    )?;
    let rows = stmt
        .query_map(
            params![a.org_id as i64, from.to_string(), to.to_string()],
            |r| {
                Ok(SavingsPoint {
                    date: r.get(0)?,
                    savings: r.get(1)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Reply::many(kinds::SAVINGS, rows))
}
