//! Health, drivers, devices and device commands.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::auth::Principal;
use crate::devices::DriverState;

/// `GET /api/v1/health`: 503 and `unhealthy` while the event store takes
/// no writes (events are held and retried; commands are refused).
pub async fn health(State(s): State<ApiState>) -> Result<(StatusCode, Json<Value>), ApiError> {
    let drivers = s.devices.drivers();
    let failures = s.failures.lock().map(|f| f.clone()).unwrap_or_default();
    let degraded = !failures.is_empty()
        || drivers
            .iter()
            .any(|d| d.state != DriverState::Running || !d.quarantined_devices.is_empty());
    let write_error = s.bus.write_error();
    let (code, status) = match (&write_error, degraded) {
        (Some(_), _) => (StatusCode::SERVICE_UNAVAILABLE, "unhealthy"),
        (None, true) => (StatusCode::OK, "degraded"),
        (None, false) => (StatusCode::OK, "ok"),
    };
    Ok((
        code,
        Json(json!({
            "status": status,
            "site": s.bus.site(),
            "site_name": s.site_name,
            "version": env!("CARGO_PKG_VERSION"),
            "uptime_s": s.started.elapsed().as_secs(),
            "bus": {
                "next_seq": s.bus.next_seq(),
                "first_seq": s.bus.first_seq()?,
                "bytes": s.bus.bytes(),
                "write_error": write_error,
                "write_failures": s.bus.write_failures(),
            },
            "drivers": drivers,
            "driver_load_failures": failures,
        })),
    ))
}

/// `GET /api/v1/drivers`
pub async fn drivers(State(s): State<ApiState>) -> Json<Value> {
    let failures = s.failures.lock().map(|f| f.clone()).unwrap_or_default();
    Json(json!({"drivers": s.devices.drivers(), "load_failures": failures}))
}

/// `GET /api/v1/devices`
/// A caller narrowed to zones sees the devices of its zones.
pub async fn list(
    State(s): State<ApiState>,
    axum::Extension(who): axum::Extension<crate::auth::Principal>,
) -> Json<Value> {
    let mut devices = s.devices.list();
    devices.retain(|d| who.covers(&d.zone));
    Json(json!({"devices": devices}))
}

/// `GET /api/v1/devices/{id}`
pub async fn one(
    State(s): State<ApiState>,
    axum::Extension(who): axum::Extension<crate::auth::Principal>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let d = s
        .devices
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("unknown device `{id}`")))?;
    if !who.covers(&d.zone) {
        return Err(ApiError::forbidden(format!(
            "device `{id}` is in zone `{}`, outside the zones of `{}`",
            d.zone, who.name
        )));
    }
    Ok(Json(json!(d)))
}

/// Body of `POST /api/v1/devices/{id}/commands`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandBody {
    /// Command name, e.g. `reset`.
    pub command: String,
    /// Arguments (default `{}`).
    #[serde(default)]
    pub args: Option<Value>,
}

/// `POST /api/v1/devices/{id}/commands`: answers once the device confirmed.
pub async fn command(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    Extension(who): Extension<Principal>,
    body: Result<Json<CommandBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = super::error::json_body(format!("command body for device `{id}`"), body)?;
    if let Some(d) = s.devices.get(&id) {
        may_command(&who, &d.zone, &id, &body.command)?;
    }
    let actor = who.actor();
    let args = body.args.unwrap_or_else(|| json!({})).to_string();
    let started = std::time::Instant::now();
    s.devices.command(&id, &body.command, &args, &actor).await?;
    Ok(Json(json!({
        "device": id,
        "command": body.command,
        "result": "ok",
        "actor": actor,
        "ms": started.elapsed().as_millis() as u64,
    })))
}

/// Commands a guard room may give its own zone's devices: open and close
/// gates and doors. Everything else is the duty room's.
const GUARD_COMMANDS: [&str; 2] = ["door.", "barrier."];

/// Whether `who` may send `command` to device `id` in `zone`: within their
/// zones, and a guard only gates and doors.
pub(crate) fn may_command(
    who: &Principal,
    zone: &str,
    id: &str,
    command: &str,
) -> Result<(), ApiError> {
    if !who.covers(zone) {
        return Err(ApiError::forbidden(format!(
            "device `{id}` is in zone `{zone}`, outside the zones of `{}`",
            who.name
        )));
    }
    if who.role < crate::auth::Role::Operator
        && !GUARD_COMMANDS.iter().any(|p| command.starts_with(p))
    {
        return Err(ApiError::forbidden(format!(
            "a guard opens and closes gates and doors (door.*, barrier.*); `{command}` needs role operator"
        )));
    }
    Ok(())
}

/// `POST /api/v1/devices/{id}/release`: end a device's quarantine now.
pub async fn release_device(
    State(s): State<ApiState>,
    Path(id): Path<String>,
    Extension(who): Extension<Principal>,
) -> Result<Json<Value>, ApiError> {
    let lifted = s.devices.release_device(&id, &who.actor()).await?;
    released("device", id, lifted)
}

/// `POST /api/v1/drivers/{name}/release`: end a driver's quarantine now.
pub async fn release_driver(
    State(s): State<ApiState>,
    Path(name): Path<String>,
    Extension(who): Extension<Principal>,
) -> Result<Json<Value>, ApiError> {
    let lifted = s.devices.release_driver(&name, &who.actor()).await?;
    released("driver", name, lifted)
}

/// The answer to a release: 409 when `what` `name` was not quarantined.
fn released(what: &str, name: String, lifted: bool) -> Result<Json<Value>, ApiError> {
    if !lifted {
        return Err(ApiError::conflict(format!(
            "{what} `{name}` is not quarantined"
        )));
    }
    Ok(Json(json!({(what): name, "released": true})))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn who(role: Role, zones: &[&str]) -> Principal {
        Principal {
            token_id: "li".into(),
            name: "李强".into(),
            role,
            zones: zones.iter().map(|z| z.to_string()).collect(),
            unit: None,
        }
    }

    #[test]
    fn a_guard_opens_the_gates_and_doors_of_his_zones_only() {
        let guard = who(Role::Guard, &["campus/gate-north"]);
        assert!(may_command(&guard, "campus/gate-north", "fg-1", "door.open").is_ok());
        assert!(may_command(&guard, "campus/gate-north/lane-2", "bg-1", "barrier.open").is_ok());
        let outside = may_command(&guard, "campus/chem-north", "fg-2", "door.open").unwrap_err();
        assert!(format!("{outside:?}").contains("outside the zones"));
        let reset = may_command(&guard, "campus/gate-north", "fp-1", "reset").unwrap_err();
        assert!(format!("{reset:?}").contains("needs role operator"));
        let nowhere = who(Role::Guard, &[]);
        assert!(
            may_command(&nowhere, "campus/gate-north", "fg-1", "door.open").is_err(),
            "a guard without zones opens nothing"
        );
        let duty = who(Role::Operator, &[]);
        assert!(may_command(&duty, "campus/chem-north", "fp-1", "reset").is_ok());
    }
}
