//! The HTTP API (axum): health, drivers, devices and their commands, events
//! (query and a resumable SSE stream), zone broadcasts and their clips, and a
//! small live console at `/`.

mod broadcasts;
mod console;
mod devices;
mod error;
mod events;
mod listener;
mod observe;
mod openapi;
mod people;
mod table;
mod tokens;
mod vehicles;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::Method;
use serde::Serialize;

pub use error::ApiError;
pub use listener::Limited;

use crate::auth::{Gate, HostAllowList, Role, Tokens, guard};
use crate::bus::Bus;
use crate::devices::Devices;
use table::Table;

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
    tokens: Arc<Tokens>,
    /// Live streams that may still be opened.
    streams: Arc<tokio::sync::Semaphore>,
    max_streams: usize,
    /// Longest a request other than a stream may take.
    request_timeout: std::time::Duration,
}

impl ApiState {
    /// State over the hub's parts.
    pub fn new(
        bus: Bus,
        devices: Arc<Devices>,
        failures: Arc<Mutex<Vec<LoadFailure>>>,
        site_name: String,
        tokens: Arc<Tokens>,
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
            tokens,
            streams: Arc::new(tokio::sync::Semaphore::new(256)),
            max_streams: 256,
            request_timeout: std::time::Duration::from_secs(60),
        }
    }

    /// At most `max_streams` live streams at once; other requests answer
    /// within `request_timeout`.
    pub fn with_limits(mut self, max_streams: usize, request_timeout: std::time::Duration) -> Self {
        self.streams = Arc::new(tokio::sync::Semaphore::new(max_streams.max(1)));
        self.max_streams = max_streams.max(1);
        self.request_timeout = request_timeout;
        self
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

/// Every request that changes state is refused (503) while the event store
/// takes no writes: an action whose audit event cannot be stored is not
/// taken. Reads go on.
async fn refuse_while_unrecordable(
    axum::extract::State(bus): axum::extract::State<Bus>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if req.method() != Method::GET
        && req.method() != Method::HEAD
        && let Some(why) = bus.write_error()
    {
        return ApiError::unavailable(format!(
            "{} {} refused: the event store takes no writes ({why}), so the action could not be recorded; events are held and retried",
            req.method(),
            req.uri().path()
        ))
        .into_response();
    }
    next.run(req).await
}

/// Every request but a live stream answers within its time (503 past it),
/// so a stuck request does not hold a connection for ever.
async fn within_time(
    axum::extract::State(limit): axum::extract::State<std::time::Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if req.uri().path().ends_with("/stream") {
        return next.run(req).await;
    }
    let what = format!("{} {}", req.method(), req.uri().path());
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::unavailable(format!(
            "{what} took longer than {} s ([http] request_timeout_s)",
            limit.as_secs()
        ))
        .into_response(),
    }
}

/// The most a JSON request body may hold (commands, broadcasts, tokens):
/// far above any real one, far below what would cost the hub memory.
pub const MAX_JSON_BODY: usize = 64 << 10;

/// Every route, each with the role it asks for (the same table builds the
/// router, the gate's access map and `/api/v1/openapi.json`).
pub fn router(state: ApiState, hosts: HostAllowList) -> Router {
    use Role::{Admin, Operator, Viewer};
    let mut t = Table::default()
        .on(
            Method::GET,
            "/",
            None,
            "The live console (asks for a token)",
            console::page,
        )
        .on(
            Method::GET,
            "/api/v1/openapi.json",
            None,
            "This API as an OpenAPI 3.1 document",
            openapi::document,
        )
        .on(
            Method::GET,
            "/api/docs",
            None,
            "This API as a page: every route, its least role and what it does",
            openapi::docs_page,
        )
        .on(
            Method::GET,
            "/api/v1/health",
            Some(Viewer),
            "Hub, bus and driver health",
            devices::health,
        )
        .on(
            Method::GET,
            "/api/v1/drivers",
            Some(Viewer),
            "Loaded drivers, their commands and argument schemas",
            devices::drivers,
        )
        .on(
            Method::GET,
            "/api/v1/devices",
            Some(Viewer),
            "Every device and its link state",
            devices::list,
        )
        .on(
            Method::POST,
            "/api/v1/devices/{id}/release",
            Some(Admin),
            "End a device's quarantine now",
            devices::release_device,
        )
        .on(
            Method::POST,
            "/api/v1/drivers/{name}/release",
            Some(Admin),
            "End a driver's quarantine now",
            devices::release_driver,
        )
        .on(
            Method::GET,
            "/api/v1/devices/{id}",
            Some(Viewer),
            "One device",
            devices::one,
        )
        .post_json::<devices::CommandBody, _, _>(
            "/api/v1/devices/{id}/commands",
            Some(Operator),
            "Send a command; answers once the device confirmed",
            devices::command,
        )
        .on(
            Method::GET,
            "/api/v1/events",
            Some(Viewer),
            "Query stored events, oldest first",
            events::list,
        )
        .query::<events::EventQuery>()
        .on(
            Method::GET,
            "/api/v1/events/stream",
            Some(Viewer),
            "Live events as Server-Sent Events, resumable",
            events::stream,
        )
        .query::<events::EventQuery>()
        .on(
            Method::GET,
            "/api/v1/events/{seq}",
            Some(Viewer),
            "One stored event",
            events::one,
        )
        .on(
            Method::GET,
            "/api/v1/media/{hash}",
            Some(Viewer),
            "A stored picture",
            events::media,
        )
        .on(
            Method::GET,
            "/api/v1/northbound",
            Some(Viewer),
            "The MQTT bridge's status",
            observe::northbound,
        )
        .on(
            Method::GET,
            "/api/v1/people/stats",
            Some(Viewer),
            "People in and out per zone and category",
            people::stats,
        )
        .query::<people::PeopleQuery>()
        .on(
            Method::GET,
            "/api/v1/people/visitors",
            Some(Viewer),
            "Visitors present and overdue",
            people::visitors,
        )
        .query::<people::PeopleQuery>()
        .on(
            Method::GET,
            "/api/v1/vehicles/present",
            Some(Viewer),
            "Vehicles on campus",
            vehicles::present,
        )
        .query::<vehicles::PresentQuery>()
        .on(
            Method::GET,
            "/api/v1/vehicles/violations",
            Some(Viewer),
            "Vehicle rule violations",
            vehicles::violations,
        )
        .query::<vehicles::ViolationQuery>()
        .on(
            Method::GET,
            "/api/v1/broadcasts",
            Some(Viewer),
            "Recent broadcast jobs",
            broadcasts::list,
        )
        .post_json::<crate::broadcast::BroadcastRequest, _, _>(
            "/api/v1/broadcasts",
            Some(Operator),
            "Speak to zones now or on a schedule",
            broadcasts::create,
        )
        .on(
            Method::GET,
            "/api/v1/broadcasts/{id}",
            Some(Viewer),
            "One job, every speaker's outcome",
            broadcasts::one,
        )
        .on(
            Method::DELETE,
            "/api/v1/broadcasts/{id}",
            Some(Operator),
            "Stop a job everywhere",
            broadcasts::cancel,
        )
        .on(
            Method::GET,
            "/api/v1/clips",
            Some(Viewer),
            "Stored clips",
            broadcasts::clips,
        )
        .add(
            Method::POST,
            "/api/v1/clips",
            Some(Operator),
            "Upload a clip (WAV or raw G.711)",
            axum::routing::post(broadcasts::upload)
                .layer(axum::extract::DefaultBodyLimit::max(32 << 20)),
        )
        .query::<broadcasts::UploadQuery>()
        .on(
            Method::GET,
            "/api/v1/clips/{hash}",
            Some(Viewer),
            "One clip",
            broadcasts::clip,
        )
        .on(
            Method::GET,
            "/api/v1/schedules",
            Some(Viewer),
            "Scheduled broadcasts",
            broadcasts::schedules,
        )
        .on(
            Method::GET,
            "/api/v1/schedules/{id}",
            Some(Viewer),
            "One schedule",
            broadcasts::schedule,
        )
        .on(
            Method::DELETE,
            "/api/v1/schedules/{id}",
            Some(Operator),
            "Remove a schedule",
            broadcasts::unschedule,
        )
        .on(
            Method::GET,
            "/api/v1/rules",
            Some(Viewer),
            "Linkage rules in force",
            broadcasts::rules,
        )
        .on(
            Method::POST,
            "/api/v1/rules/reload",
            Some(Admin),
            "Re-read the rules file",
            broadcasts::reload_rules,
        )
        .on(
            Method::POST,
            "/api/v1/discovery/onvif",
            Some(Operator),
            "Send a WS-Discovery probe and list who answered",
            observe::discover_onvif,
        )
        .query::<observe::DiscoverQuery>()
        .on(
            Method::GET,
            "/api/v1/tokens",
            Some(Admin),
            "API tokens (never their secrets)",
            tokens::list,
        )
        .post_json::<tokens::TokenRequest, _, _>(
            "/api/v1/tokens",
            Some(Admin),
            "Make a token (its secret is shown once)",
            tokens::create,
        )
        .on(
            Method::DELETE,
            "/api/v1/tokens/{id}",
            Some(Admin),
            "Revoke a token",
            tokens::revoke,
        )
        .on(
            Method::GET,
            "/metrics",
            Some(Viewer),
            "Prometheus metrics",
            observe::metrics,
        );
    let gate = Gate {
        tokens: state.tokens.clone(),
        access: Arc::new(t.access()),
        hosts: Arc::new(hosts),
    };
    let defs = t.definitions();
    // Built and serialised once: the document changes only with the code.
    let doc = Arc::new(openapi::Document(
        openapi::build(&t.docs, defs).to_string().into(),
    ));
    let page = Arc::new(openapi::DocsPage(openapi::page(&t.docs)));
    t.router
        .layer(axum::middleware::from_fn_with_state(
            state.request_timeout,
            within_time,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.bus.clone(),
            refuse_while_unrecordable,
        ))
        .layer(axum::middleware::from_fn_with_state(gate, guard))
        .layer(axum::middleware::from_fn(observe::count_requests))
        .layer(axum::Extension(doc))
        .layer(axum::Extension(page))
        .with_state(state)
}

/// Serve `app` on `listener` (over TLS with `tls`), at most
/// `max_connections` at once, in a task of its own.
pub fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    max_connections: usize,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    Ok(match tls {
        Some(tls) => {
            let listener = Limited::new(
                crate::tls::TlsListener::new(listener, tls)?,
                max_connections,
            );
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, app).await {
                    tracing::error!("HTTPS server stopped: {e}");
                }
            })
        }
        None => {
            use axum::serve::ListenerExt;
            // Live streams write one small event at a time: without
            // TCP_NODELAY, Nagle holds each behind the client's delayed ACK
            // (40 ms on Linux).
            let listener = Limited::new(
                listener.tap_io(|tcp| {
                    let _ = tcp.set_nodelay(true);
                }),
                max_connections,
            );
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, app).await {
                    tracing::error!("HTTP server stopped: {e}");
                }
            })
        }
    })
}
