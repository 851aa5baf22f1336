//! `/api/v1/users` and `/api/v1/units`: the admin's way to add people, set
//! their passwords, disable them, and keep the university's units. Each
//! change is an audit event with the admin as its actor.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::accounts::{AccountError, NewPerson, Unit};
use crate::auth::Principal;
use crate::bus::NewEvent;
use crate::devices::HUB_ZONE;

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Unknown(_) => ApiError::not_found(e.to_string()),
            AccountError::Exists(_) => ApiError::conflict(e.to_string()),
            AccountError::Store { .. } => ApiError::unavailable(e.to_string()),
            _ => ApiError::bad_request(e.to_string()),
        }
    }
}

async fn audit(
    s: &ApiState,
    kind: &str,
    who: &Principal,
    login: &str,
    message: String,
) -> Result<(), ApiError> {
    s.bus
        .append(vec![
            NewEvent::new(kind, HUB_ZONE)
                .actor(&who.actor())
                .attr("login", login)
                .message(message),
        ])
        .await?;
    Ok(())
}

/// Body of `POST /api/v1/users`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddUser {
    /// Sign-in name (a-z, 0-9, `.`, `_`, `-`).
    login: String,
    /// Name: the actor of what they do.
    name: String,
    /// Role.
    role: crate::auth::Role,
    /// Unit id.
    #[serde(default)]
    unit: Option<String>,
    /// Zone paths narrowing what they see (a guard room's).
    #[serde(default)]
    zones: Vec<String>,
    /// Their password; one is made (and answered once) when absent.
    #[serde(default)]
    password: Option<String>,
}

/// `GET /api/v1/users`
pub async fn list(State(s): State<ApiState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"users": s.accounts.people()?})))
}

/// `POST /api/v1/users`: 201 with the password when the hub made it.
pub async fn add(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<AddUser>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req = super::error::json_body("user", body)?;
    s.check_zones(&req.zones)?;
    let person = NewPerson {
        login: req.login,
        name: req.name,
        role: req.role,
        unit: req.unit,
        zones: req.zones,
    };
    let (accounts, actor) = (s.accounts.clone(), who.actor());
    let (p, made) =
        tokio::task::spawn_blocking(move || accounts.add(&person, req.password.as_deref(), &actor))
            .await
            .map_err(|e| ApiError::unavailable(e.to_string()))??;
    let msg = format!(
        "{} added {} ({}) with role {}",
        who.actor(),
        p.login,
        p.name,
        p.role
    );
    audit(&s, "user.created", &who, &p.login, msg).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"user": p, "password": made})),
    ))
}

/// Body of `POST /api/v1/users/{login}/password`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Password {
    /// The new password; one is made (and answered once) when absent.
    #[serde(default)]
    password: Option<String>,
}

/// `POST /api/v1/users/{login}/password`: their sessions end.
pub async fn password(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(login): Path<String>,
    body: Result<Json<Password>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let req = super::error::json_body("password", body)?;
    let (accounts, l) = (s.accounts.clone(), login.clone());
    let made =
        tokio::task::spawn_blocking(move || accounts.set_password(&l, req.password.as_deref()))
            .await
            .map_err(|e| ApiError::unavailable(e.to_string()))??;
    audit(
        &s,
        "user.password_changed",
        &who,
        &login,
        format!("{} set the password of {login}", who.actor()),
    )
    .await?;
    Ok(Json(json!({"login": login, "password": made})))
}

/// `POST /api/v1/users/{login}/disable`: they cannot sign in; their sessions and streams end.
pub async fn disable(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(login): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (accounts, l) = (s.accounts.clone(), login.clone());
    let p = tokio::task::spawn_blocking(move || accounts.set_disabled(&l, true))
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))??;
    audit(
        &s,
        "user.disabled",
        &who,
        &login,
        format!("{} disabled {login}", who.actor()),
    )
    .await?;
    Ok(Json(json!(p)))
}

/// `POST /api/v1/users/{login}/enable`
pub async fn enable(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(login): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (accounts, l) = (s.accounts.clone(), login.clone());
    let p = tokio::task::spawn_blocking(move || accounts.set_disabled(&l, false))
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))??;
    audit(
        &s,
        "user.enabled",
        &who,
        &login,
        format!("{} enabled {login}", who.actor()),
    )
    .await?;
    Ok(Json(json!(p)))
}

/// `GET /api/v1/units`
pub async fn units(State(s): State<ApiState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"units": s.accounts.units()?})))
}

/// `POST /api/v1/units`
pub async fn add_unit(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    body: Result<Json<Unit>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let u = super::error::json_body("unit", body)?;
    s.check_zones(&u.zones)?;
    let accounts = s.accounts.clone();
    let u = tokio::task::spawn_blocking(move || accounts.add_unit(u))
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))??;
    s.bus
        .append(vec![
            NewEvent::new("unit.created", HUB_ZONE)
                .actor(&who.actor())
                .attr("unit", u.id.as_str())
                .message(format!("{} added unit {} ({})", who.actor(), u.id, u.name)),
        ])
        .await?;
    Ok((StatusCode::CREATED, Json(json!(u))))
}
