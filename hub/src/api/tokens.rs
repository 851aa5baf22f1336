//! `/api/v1/tokens`: the admin's way to make and revoke API tokens. Each
//! change is an audit event with the admin as its actor.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::auth::{Principal, Role, TokenError};
use crate::bus::NewEvent;
use crate::devices::HUB_ZONE;

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Unknown(_) => ApiError::not_found(e.to_string()),
            TokenError::BadName(_) => ApiError::bad_request(e.to_string()),
            TokenError::Store { .. } => ApiError::unavailable(e.to_string()),
        }
    }
}

/// Body of `POST /api/v1/tokens`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Who will hold it.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Zone paths it is narrowed to (a guard room's); absent for all.
    #[serde(default)]
    pub zones: Vec<String>,
}

/// `GET /api/v1/tokens`
pub async fn list(State(s): State<ApiState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"tokens": s.tokens.list()?})))
}

/// `POST /api/v1/tokens`: 201 with the token's secret, shown this once.
pub async fn create(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<TokenRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req = super::error::json_body("token request", body)?;
    let actor = who.actor();
    let made = s
        .tokens
        .create_for(&req.name, req.role, &req.zones, &actor)?;
    s.bus
        .append(vec![
            NewEvent::new("token.created", HUB_ZONE)
                .actor(&actor)
                .attr("token", made.view.id.as_str())
                .attr("name", made.view.name.as_str())
                .attr("role", req.role.as_str())
                .attr("zones", req.zones.join(","))
                .message(format!(
                    "{actor} made token {} for `{}` with role {}",
                    made.view.id, made.view.name, req.role
                )),
        ])
        .await?;
    Ok((StatusCode::CREATED, Json(json!(made))))
}

/// `DELETE /api/v1/tokens/{id}`
pub async fn revoke(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = who.actor();
    let gone = s.tokens.revoke(&id)?;
    s.bus
        .append(vec![
            NewEvent::new("token.revoked", HUB_ZONE)
                .actor(&actor)
                .attr("token", gone.id.as_str())
                .attr("name", gone.name.as_str())
                .message(format!(
                    "{actor} revoked token {} of `{}`",
                    gone.id, gone.name
                )),
        ])
        .await?;
    Ok(Json(json!(gone)))
}
