//! The people view: head counts per zone and category, visitors present,
//! each narrowed to the caller's zones (a guard sees his gates' people).

use axum::Extension;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::auth::Principal;
use crate::bus::{format_ms, now_ms};

/// Query of the people routes.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeopleQuery {
    /// Only this zone and the zones below it.
    zone: Option<String>,
}

fn view(s: &ApiState) -> Result<&crate::people::People, ApiError> {
    s.people
        .as_ref()
        .ok_or_else(|| ApiError::not_found("the people view is not running"))
}

/// `GET /api/v1/people/stats`: entries and exits per zone and category.
pub async fn stats(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    q: Result<Query<PeopleQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let p = view(&s)?;
    let mut rows = p.with(|st| st.counts(q.zone.as_deref()));
    rows.retain(|(zone, _, _)| who.covers(zone));
    let mut totals = serde_json::Map::new();
    for (_, cat, c) in &rows {
        let t = totals
            .entry(cat.clone())
            .or_insert_with(|| json!({"in": 0, "out": 0}));
        t["in"] = json!(t["in"].as_u64().unwrap_or(0) + c.entered);
        t["out"] = json!(t["out"].as_u64().unwrap_or(0) + c.left);
    }
    let zones: Vec<Value> = rows
        .into_iter()
        .map(|(zone, category, c)| json!({"zone": zone, "category": category, "in": c.entered, "out": c.left}))
        .collect();
    Ok(Json(
        json!({"ready": p.ready(), "zones": zones, "totals": totals}),
    ))
}

/// `GET /api/v1/people/visitors`: visitors who came in and have not left.
pub async fn visitors(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    q: Result<Query<PeopleQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let p = view(&s)?;
    let now = now_ms();
    let present: Vec<Value> = p
        .with(|st| st.visitors())
        .into_iter()
        .filter(|v| who.covers(&v.zone))
        .filter(|v| {
            q.zone
                .as_deref()
                .is_none_or(|z| twinwall_base::zone_within(&v.zone, z))
        })
        .map(|v| {
            json!({
                "person_id": v.person_id, "name": v.name, "zone": v.zone, "gate": v.device,
                "since": format_ms(v.since_ms), "minutes": (now - v.since_ms) / 60_000,
                "overdue": v.overdue,
            })
        })
        .collect();
    Ok(Json(json!({
        "ready": p.ready(),
        "limit_s": p.limit().as_secs(),
        "present": present,
    })))
}
