//! `GET /api/v1/map`: the site's plans, each zone's outline and each
//! device's place, as hub.toml gives them (`[map]`, `zones.plan`,
//! `zones.area`, `devices.at`) or as an admin dragged them
//! (`PUT /api/v1/map/devices/{id}`, kept by [`Places`]); and the plans'
//! pictures.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::auth::Principal;
use crate::bus::NewEvent;
use crate::config::HubConfig;
use crate::places::{Moved, Places};

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
    /// `config` (hub.toml's `at`) or `moved` (dragged by an admin).
    pub from: &'static str,
}

/// A device that has a plan to be placed on, whether it has a place yet.
#[derive(Debug, Clone)]
struct Spot {
    device: String,
    zone: String,
    on: Option<String>,
    width: f64,
    height: f64,
    at: Option<[f64; 2]>,
}

impl Spot {
    fn holds(&self, [x, y]: [f64; 2]) -> bool {
        x.is_finite()
            && y.is_finite()
            && (0.0..=self.width).contains(&x)
            && (0.0..=self.height).contains(&y)
    }

    /// Its place: where it was dragged, while that still fits its plan;
    /// else where hub.toml puts it.
    fn place(&self, moved: Option<Moved>) -> Option<Place> {
        let place = |at, from| Place {
            device: self.device.clone(),
            zone: self.zone.clone(),
            on: self.on.clone(),
            at,
            from,
        };
        match moved {
            Some(m) if m.on == self.on && self.holds(m.at) => Some(place(m.at, "moved")),
            _ => self.at.map(|at| place(at, "config")),
        }
    }
}

/// Everything the map shows but live state.
#[derive(Debug, Clone, Default)]
pub struct CampusMap {
    plans: Vec<PlanInfo>,
    areas: Vec<Area>,
    spots: Vec<Spot>,
    moved: Option<Arc<Places>>,
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
        let spots = config
            .devices
            .iter()
            .filter_map(|d| {
                let (on, plan) = config.plan_for(d.zone.get_ref(), true)?;
                Some(Spot {
                    device: d.id.get_ref().clone(),
                    zone: config.zone_path(d.zone.get_ref()).ok()?,
                    on: on.map(str::to_owned),
                    width: plan.width,
                    height: plan.height,
                    at: d.at,
                })
            })
            .collect();
        CampusMap {
            plans,
            areas,
            spots,
            moved: None,
        }
    }

    /// With the places admins dragged, kept in `places`.
    pub fn with_places(mut self, places: Places) -> Self {
        self.moved = Some(Arc::new(places));
        self
    }

    fn moved(&self, device: &str) -> Option<Moved> {
        self.moved.as_ref().and_then(|m| m.get(device))
    }
}

/// The plans, every outline (zones are no secret), the places of the
/// caller's devices, and those of its devices that have a plan but no place
/// yet (for an admin to put on it).
pub async fn map(State(s): State<ApiState>, Extension(who): Extension<Principal>) -> Json<Value> {
    let mut places = Vec::new();
    let mut unplaced = Vec::new();
    for spot in s.map.spots.iter().filter(|p| who.covers(&p.zone)) {
        match spot.place(s.map.moved(&spot.device)) {
            Some(p) => places.push(p),
            None => unplaced.push(json!({"device": spot.device, "zone": spot.zone, "on": spot.on})),
        }
    }
    Json(
        json!({"plans": s.map.plans, "areas": s.map.areas, "devices": places, "unplaced": unplaced}),
    )
}

/// Body of `PUT /api/v1/map/devices/{id}`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceRequest {
    /// `[x, y]` on the plan of the device's zone, in plan units (y down).
    pub at: [f64; 2],
}

/// `PUT /api/v1/map/devices/{id}`: an admin puts a device at a new place on
/// its zone's plan; kept in the data folder and recorded as `device.placed`.
pub async fn place_device(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
    body: Result<Json<PlaceRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let req = super::error::json_body("place", body)?;
    let Some(spot) = s.map.spots.iter().find(|p| p.device == id) else {
        return Err(ApiError::not_found(format!(
            "no device `{id}` with a plan to be placed on (hub.toml: [[devices]], and [map] plan or its zone's plan)"
        )));
    };
    if !who.covers(&spot.zone) {
        return Err(ApiError::forbidden(format!(
            "device `{id}` is in zone `{}`, outside the zones of `{}`",
            spot.zone, who.name
        )));
    }
    if !spot.holds(req.at) {
        return Err(ApiError::bad_request(format!(
            "[{}, {}] is not on the plan of `{id}` ({} × {})",
            req.at[0], req.at[1], spot.width, spot.height
        )));
    }
    let Some(places) = &s.map.moved else {
        return Err(ApiError::unavailable("this hub keeps no dragged places"));
    };
    let actor = who.actor();
    let moved = Moved {
        on: spot.on.clone(),
        at: req.at,
        by: actor.clone(),
        at_ms: crate::bus::now_ms(),
    };
    let before = places.get(&id);
    keep_place(places, &id, Some(moved.clone())).await?;
    let logged = s
        .bus
        .append(vec![
            NewEvent::new("device.placed", &spot.zone)
                .device(&id)
                .actor(&actor)
                .attr("on", spot.on.clone().unwrap_or_default())
                .attr("x", crate::bus::AttrValue::Float(req.at[0]))
                .attr("y", crate::bus::AttrValue::Float(req.at[1]))
                .message(format!(
                    "{actor} placed {id} at [{}, {}] on the plan of {}",
                    req.at[0],
                    req.at[1],
                    spot.on.as_deref().unwrap_or("the site")
                )),
        ])
        .await;
    if let Err(e) = logged {
        // A move the log does not show is not kept either: the trail stays whole.
        let (p, device, mine) = (places.clone(), id.clone(), moved.clone());
        tokio::task::spawn_blocking(move || p.undo(&device, &mine, before))
            .await
            .map_err(|e| ApiError::unavailable(format!("undoing the place failed: {e}")))?
            .map_err(|e| ApiError::unavailable(e.to_string()))?;
        return Err(e.into());
    }
    Ok(Json(json!(spot.place(Some(moved)))))
}

/// Keep `place` as `id`'s (`None`: back to the config's), off the async workers.
async fn keep_place(places: &Arc<Places>, id: &str, place: Option<Moved>) -> Result<(), ApiError> {
    let (places, id) = (places.clone(), id.to_owned());
    tokio::task::spawn_blocking(move || places.put(&id, place))
        .await
        .map_err(|e| ApiError::unavailable(format!("keeping the place failed: {e}")))?
        .map_err(|e| ApiError::unavailable(e.to_string()))
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
