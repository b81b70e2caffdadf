//! Ledger reads (member-only: balances are local-log data): one member's
//! account, and every account with the exact sum of all balances.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::state::{Account, StateRead};
use serde_json::{Value, json};

use super::{Api, ApiError, Member, Node, not_found, rules_in_force};

/// The ledger's routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new()
        .route("/v1/accounts/{did}", get(account::<N>))
        .route("/v1/ledger", get(ledger::<N>))
}

async fn account<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(did): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let key = super::did_param(&did)?;
    let storage = api.node.storage();
    if storage.member(&key)?.is_none() {
        return Err(not_found(
            "unknown_account",
            format!("{key} has no account here"),
        ));
    }
    let balance = storage.balance(&Account::Member(key))?;
    let limit = rules_in_force(storage)?.credit_limit;
    Ok(Json(json!({
        "account": key,
        "balance": balance,
        "display": balance.to_string(),
        "credit_limit": limit,
    })))
}

/// Every account that ever moved, and the sum of all balances — exact,
/// as a number when it fits in 64 bits (it is zero unless the ledger is
/// broken) and as a decimal string otherwise.
async fn ledger<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let accounts = api.node.storage().accounts()?;
    let sum: i128 = accounts.iter().map(|(_, b)| i128::from(b.0)).sum();
    let list: Vec<Value> = accounts
        .into_iter()
        .map(|(account, balance)| json!({ "account": account, "balance": balance }))
        .collect();
    let sum = match i64::try_from(sum) {
        Ok(sum) => json!(sum),
        Err(_) => json!(sum.to_string()),
    };
    Ok(Json(json!({ "accounts": list, "sum": sum })))
}
