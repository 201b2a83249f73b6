use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::AppResult;
use crate::state::AppState;

/// Liveness and a read of the database, for the load balancer and the operator.
pub async fn health(State(state): State<AppState>) -> AppResult<Json<Value>> {
    state.db(|s| s.ping()).await?;
    Ok(Json(json!({ "status": "ok", "server_time_ms": state.now_ms() })))
}
