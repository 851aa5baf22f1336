//! `GET /api/v1/map`: the site's plans, each zone's outline and each
//! device's place, as hub.toml gives them (`[map]`, `zones.plan`,
//! `zones.area`, `devices.at`); and the plans' pictures.

use std::path::PathBuf;

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::auth::Principal;
use crate::config::HubConfig;

/// A plan the console can draw on.
#[derive(Debug, Clone, Serialize)]
pub struct PlanInfo {
    /// The zone it is the plan of; `None` for the site's.
    pub zone: Option<String>,
    /// Where its picture is.
    pub url: String,
    /// Its size in plan units.
    pub width: f64,
    /// Its height.
    pub height: f64,
    #[serde(skip)]
    file: PathBuf,
    #[serde(skip)]
    content_type: &'static str,
}

/// A zone's outline.
#[derive(Debug, Clone, Serialize)]
pub struct Area {
    /// Zone path.
    pub zone: String,
    /// The plan it is drawn on (a zone id; `None`: the site's).
    pub on: Option<String>,
    /// Its corners, `[x, y]`.
    pub points: Vec<[f64; 2]>,
}

/// A device's place.
#[derive(Debug, Clone, Serialize)]
pub struct Place {
    /// Device id.
    pub device: String,
    /// Its zone path.
    pub zone: String,
    /// The plan it is on.
    pub on: Option<String>,
    /// `[x, y]` on it.
    pub at: [f64; 2],
}

/// Everything the map shows but live state.
#[derive(Debug, Clone, Default)]
pub struct CampusMap {
    plans: Vec<PlanInfo>,
    areas: Vec<Area>,
    places: Vec<Place>,
}

impl CampusMap {
    /// The map hub.toml describes (checked when it was read).
    pub fn of(config: &HubConfig) -> Self {
        let plan = |zone: Option<&str>, p: &crate::config::map::Plan| PlanInfo {
            zone: zone.map(str::to_owned),
            url: match zone {
                None => "/api/v1/map/plan".to_owned(),
                Some(z) => format!("/api/v1/map/plans/{z}"),
            },
            width: p.width,
            height: p.height,
            file: p.file.clone(),
            content_type: p.content_type().unwrap_or("application/octet-stream"),
        };
        let plans = config
            .map
            .plan
            .iter()
            .map(|p| plan(None, p))
            .chain(
                config
                    .zones
                    .iter()
                    .filter_map(|z| Some(plan(Some(z.id.get_ref()), z.plan.as_ref()?))),
            )
            .collect();
        let areas = config
            .zones
            .iter()
            .filter(|z| !z.area.is_empty())
            .filter_map(|z| {
                Some(Area {
                    zone: config.zone_path(z.id.get_ref()).ok()?,
                    on: config.plan_for(z.id.get_ref(), false)?.0.map(str::to_owned),
                    points: z.area.clone(),
                })
            })
            .collect();
        let places = config
            .devices
            .iter()
            .filter_map(|d| {
                Some(Place {
                    device: d.id.get_ref().clone(),
                    zone: config.zone_path(d.zone.get_ref()).ok()?,
                    on: config
                        .plan_for(d.zone.get_ref(), true)?
                        .0
                        .map(str::to_owned),
                    at: d.at?,
                })
            })
            .collect();
        CampusMap {
            plans,
            areas,
            places,
        }
    }
}

/// The plans, every outline (zones are no secret), and the places of the
/// caller's devices.
pub async fn map(State(s): State<ApiState>, Extension(who): Extension<Principal>) -> Json<Value> {
    let places: Vec<&Place> = s
        .map
        .places
        .iter()
        .filter(|p| who.covers(&p.zone))
        .collect();
    Json(json!({"plans": s.map.plans, "areas": s.map.areas, "devices": places}))
}

async fn picture(plan: Option<&PlanInfo>, what: &str) -> Result<Response, ApiError> {
    let Some(plan) = plan else {
        return Err(ApiError::not_found(format!(
            "{what} has no plan (hub.toml: [map] plan, or the zone's plan)"
        )));
    };
    let bytes = tokio::fs::read(&plan.file).await.map_err(|e| {
        ApiError::unavailable(format!(
            "the plan `{}` cannot be read: {e}",
            plan.file.display()
        ))
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, plan.content_type),
            (header::CACHE_CONTROL, "no-cache"),
            // An SVG opened on its own runs no script in the hub's origin.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The site's plan.
pub async fn site_plan(State(s): State<ApiState>) -> Result<Response, ApiError> {
    picture(s.map.plans.iter().find(|p| p.zone.is_none()), "the site").await
}

/// A zone's own plan.
pub async fn zone_plan(
    State(s): State<ApiState>,
    Path(zone): Path<String>,
) -> Result<Response, ApiError> {
    let plan = s
        .map
        .plans
        .iter()
        .find(|p| p.zone.as_deref() == Some(zone.as_str()));
    picture(plan, &format!("zone `{zone}`")).await
}
