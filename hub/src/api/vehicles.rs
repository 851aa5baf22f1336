//! The vehicle view: cars inside, and violations.

use axum::Extension;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::auth::Principal;
use crate::bus::{AttrValue, Filter, format_ms, now_ms};

/// Query of `GET /api/v1/vehicles/present`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PresentQuery {
    /// Only this zone and below.
    zone: Option<String>,
    /// Only this category.
    category: Option<String>,
}

/// `GET /api/v1/vehicles/present`: cars that came in and have not left.
pub async fn present(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    q: Result<Query<PresentQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let v = s
        .vehicles
        .as_ref()
        .ok_or_else(|| ApiError::not_found("the vehicle rules are not running"))?;
    let now = now_ms();
    let list: Vec<Value> = v
        .with(|st| st.present())
        .into_iter()
        .filter(|p| who.covers(&p.zone))
        .filter(|p| q.category.as_deref().is_none_or(|c| p.category == c))
        .filter(|p| {
            q.zone.as_deref().is_none_or(|z| {
                twinwall_base::zone_within(&p.zone, z)
            })
        })
        .map(|p| {
            json!({"plate": p.plate, "plate_color": p.plate_color, "category": p.category, "zone": p.zone,
                   "gate": p.gate, "since": format_ms(p.since_ms), "minutes": (now - p.since_ms) / 60_000,
                   "overstay": p.overstay})
        })
        .collect();
    Ok(Json(json!({"ready": v.ready(), "present": list})))
}

/// Query of `GET /api/v1/vehicles/violations`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ViolationQuery {
    /// Only this plate.
    plate: Option<String>,
    /// `blocklisted` or `speeding`.
    reason: Option<String>,
    /// Only this zone and below.
    zone: Option<String>,
    /// Page after this seq.
    after: Option<u64>,
    /// Page size (default 100, at most 1000).
    limit: Option<usize>,
}

/// `GET /api/v1/vehicles/violations`: the rules' `vehicle.violation`
/// events, oldest first, paged with `after`.
pub async fn violations(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    q: Result<Query<ViolationQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let bus = s.bus.clone();
    let (plate, reason, zone, mut after) = (q.plate, q.reason, q.zone, q.after);
    let found = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let mut next = None;
        loop {
            let page = bus.query(&Filter {
                kind: Some("vehicle.violation".into()),
                zone: zone.clone(),
                after,
                limit: Some(1000),
                ..Filter::default()
            })?;
            for e in &page.events {
                let is = |k: &str, want: &Option<String>| {
                    want.as_deref().is_none_or(
                        |w| matches!(e.body.attrs.get(k), Some(AttrValue::Text(t)) if t == w),
                    )
                };
                if is("plate", &plate) && is("reason", &reason) && who.covers(&e.body.zone) {
                    if out.len() == limit {
                        next = out.last().map(|x: &Value| x["seq"].as_u64().unwrap_or(0));
                        return Ok::<_, crate::bus::BusError>((out, next));
                    }
                    out.push(e.to_json());
                }
            }
            match page.next_after {
                Some(a) => after = Some(a),
                None => return Ok((out, next)),
            }
        }
    })
    .await
    .map_err(|e| ApiError::bad_request(format!("query failed: {e}")))??;
    Ok(Json(json!({"violations": found.0, "next_after": found.1})))
}
