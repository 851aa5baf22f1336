//! The HTTP API (axum): health, drivers, devices and their commands, events
//! (query and a resumable SSE stream), zone broadcasts and their clips, and a
//! small live console at `/`.

mod broadcasts;
mod console;
mod devices;
mod error;
mod events;
mod observe;
mod people;
mod vehicles;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::{get, post};
use serde::Serialize;

pub use error::ApiError;

use crate::bus::Bus;
use crate::devices::Devices;

/// A driver file that could not be loaded.
#[derive(Debug, Clone, Serialize)]
pub struct LoadFailure {
    /// File.
    pub path: String,
    /// Why.
    pub error: String,
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct ApiState {
    bus: Bus,
    devices: Arc<Devices>,
    failures: Arc<Mutex<Vec<LoadFailure>>>,
    site_name: String,
    started: std::time::Instant,
    northbound: Option<crate::northbound::SharedStatus>,
    people: Option<crate::people::People>,
    vehicles: Option<crate::vehicles::Vehicles>,
    broadcasts: Option<crate::broadcast::Broadcasts>,
    rules: Option<crate::rules::Rules>,
}

impl ApiState {
    /// State over the hub's parts.
    pub fn new(
        bus: Bus,
        devices: Arc<Devices>,
        failures: Arc<Mutex<Vec<LoadFailure>>>,
        site_name: String,
    ) -> Self {
        ApiState {
            bus,
            devices,
            failures,
            site_name,
            started: std::time::Instant::now(),
            northbound: None,
            people: None,
            vehicles: None,
            broadcasts: None,
            rules: None,
        }
    }

    /// Serve the people view.
    pub fn with_people(mut self, people: crate::people::People) -> Self {
        self.people = Some(people);
        self
    }

    /// Serve the vehicle rules' view.
    pub fn with_vehicles(mut self, vehicles: crate::vehicles::Vehicles) -> Self {
        self.vehicles = Some(vehicles);
        self
    }

    /// Serve zone broadcasts and the clip store.
    pub fn with_broadcasts(mut self, b: crate::broadcast::Broadcasts) -> Self {
        self.broadcasts = Some(b);
        self
    }

    /// Serve the linkage rules.
    pub fn with_rules(mut self, r: crate::rules::Rules) -> Self {
        self.rules = Some(r);
        self
    }

    /// Show the northbound bridge's status too.
    pub fn with_northbound(mut self, status: crate::northbound::SharedStatus) -> Self {
        self.northbound = Some(status);
        self
    }
}

/// Who acts, for the audit trail. Until operator auth lands this is the
/// caller's own word (`X-Twinwall-Actor`), as for device commands.
pub(crate) fn actor(headers: &axum::http::HeaderMap) -> String {
    headers
        .get("x-twinwall-actor")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("api")
        .to_owned()
}

/// Every route.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/", get(console::page))
        .route("/api/v1/health", get(devices::health))
        .route("/api/v1/drivers", get(devices::drivers))
        .route("/api/v1/devices", get(devices::list))
        .route("/api/v1/devices/{id}", get(devices::one))
        .route("/api/v1/devices/{id}/commands", post(devices::command))
        .route("/api/v1/events", get(events::list))
        .route("/api/v1/events/stream", get(events::stream))
        .route("/api/v1/events/{seq}", get(events::one))
        .route("/api/v1/media/{hash}", get(events::media))
        .route("/api/v1/northbound", get(observe::northbound))
        .route("/api/v1/people/stats", get(people::stats))
        .route("/api/v1/people/visitors", get(people::visitors))
        .route("/api/v1/vehicles/present", get(vehicles::present))
        .route("/api/v1/vehicles/violations", get(vehicles::violations))
        .route(
            "/api/v1/broadcasts",
            get(broadcasts::list).post(broadcasts::create),
        )
        .route(
            "/api/v1/broadcasts/{id}",
            get(broadcasts::one).delete(broadcasts::cancel),
        )
        .route(
            "/api/v1/clips",
            get(broadcasts::clips)
                .post(broadcasts::upload)
                .layer(axum::extract::DefaultBodyLimit::max(32 << 20)),
        )
        .route("/api/v1/clips/{hash}", get(broadcasts::clip))
        .route("/api/v1/schedules", get(broadcasts::schedules))
        .route(
            "/api/v1/schedules/{id}",
            get(broadcasts::schedule).delete(broadcasts::unschedule),
        )
        .route("/api/v1/rules", get(broadcasts::rules))
        .route("/api/v1/rules/reload", post(broadcasts::reload_rules))
        .route("/api/v1/discovery/onvif", get(observe::discover_onvif))
        .route("/metrics", get(observe::metrics))
        .layer(axum::middleware::from_fn(observe::count_requests))
        .with_state(state)
}
