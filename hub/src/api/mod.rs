//! The HTTP API (axum): health, drivers, devices and their commands, events
//! (query and a resumable SSE stream), zone broadcasts and their clips, and a
//! small live console at `/`.

mod alarms;
mod broadcasts;
pub(crate) mod console;
pub(crate) mod devices;
mod error;
mod events;
mod hazards;
mod listener;
mod map;
mod observe;
mod openapi;
mod people;
mod risks;
mod routes;
mod scope;
mod session;
mod statistics;
mod table;
mod tokens;
mod users;
mod vehicles;
mod zones;

pub use map::CampusMap;
pub use zones::ZoneInfo;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::Method;
use serde::Serialize;

pub use error::ApiError;
pub use listener::Limited;

use crate::auth::{Gate, HostAllowList, Tokens, guard};
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
    jetstream: Option<crate::northbound::jetstream::SharedStatus>,
    alarms: Option<crate::alarms::Alarms>,
    people: Option<crate::people::People>,
    vehicles: Option<crate::vehicles::Vehicles>,
    broadcasts: Option<crate::broadcast::Broadcasts>,
    rules: Option<crate::rules::Rules>,
    statistics: Option<crate::statistics::Statistics>,
    program: Option<crate::program::Program>,
    /// The site's plans and what is placed on them.
    map: Arc<CampusMap>,
    tokens: Arc<Tokens>,
    accounts: Arc<crate::accounts::Accounts>,
    sessions: Arc<crate::accounts::Sessions>,
    /// Whether cookies are `Secure` (the API speaks TLS).
    secure_cookies: bool,
    /// The config's zones: what names zones (people, tokens) is checked
    /// against them, and the console shows their names.
    zones: Arc<Vec<ZoneInfo>>,
    /// The site's offset from UTC (`[broadcast] utc_offset_minutes`): the
    /// console writes times in the site's time, wherever its browser is.
    utc_offset_minutes: i32,
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
        accounts: Arc<crate::accounts::Accounts>,
        sessions: Arc<crate::accounts::Sessions>,
    ) -> Self {
        ApiState {
            bus,
            devices,
            failures,
            site_name,
            started: std::time::Instant::now(),
            northbound: None,
            jetstream: None,
            alarms: None,
            people: None,
            vehicles: None,
            broadcasts: None,
            rules: None,
            statistics: None,
            program: None,
            map: Arc::default(),
            tokens,
            accounts,
            sessions,
            secure_cookies: false,
            zones: Arc::default(),
            utc_offset_minutes: 0,
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

    /// Session cookies `Secure` (over TLS), and the zones that people and
    /// tokens may be narrowed to.
    pub fn with_sign_in(mut self, secure_cookies: bool, zones: Vec<ZoneInfo>) -> Self {
        self.secure_cookies = secure_cookies;
        self.zones = Arc::new(zones);
        self
    }

    /// The path of zone `id` (`chem-north` → `campus/chem-north`), if it is one.
    fn zone_path(&self, id: &str) -> Option<String> {
        self.zones
            .iter()
            .find(|z| z.id == id)
            .map(|z| z.path.clone())
    }

    /// The site's offset from UTC, minutes.
    pub fn with_site_time(mut self, utc_offset_minutes: i32) -> Self {
        self.utc_offset_minutes = utc_offset_minutes;
        self
    }

    /// An error naming the first of `zones` that is not a zone path of the config.
    fn check_zones(&self, zones: &[String]) -> Result<(), ApiError> {
        match zones
            .iter()
            .find(|z| !self.zones.iter().any(|known| known.path == **z))
        {
            Some(z) => Err(ApiError::bad_request(format!(
                "`{z}` is not a zone path of this hub (e.g. `campus/gate-north`; GET /api/v1/devices shows them)"
            ))),
            None => Ok(()),
        }
    }

    /// Serve the alarm book.
    pub fn with_alarms(mut self, alarms: crate::alarms::Alarms) -> Self {
        self.alarms = Some(alarms);
        self
    }

    /// One of the live streams the hub serves, held while the stream is
    /// open (a client gone frees it).
    fn stream_permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        self.streams.clone().try_acquire_owned().map_err(|_| {
            ApiError::unavailable(format!(
                "{} live streams are open, the most this hub serves ([http] max_streams): close one, or page with GET",
                self.max_streams
            ))
        })
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

    /// Serve the statistics.
    pub fn with_statistics(mut self, s: crate::statistics::Statistics) -> Self {
        self.statistics = Some(s);
        self
    }

    /// Serve the dual-prevention program.
    pub fn with_program(mut self, p: crate::program::Program) -> Self {
        self.program = Some(p);
        self
    }

    /// Serve the campus map.
    pub fn with_map(mut self, map: CampusMap) -> Self {
        self.map = Arc::new(map);
        self
    }

    /// Show the JetStream publisher's status too.
    pub fn with_jetstream(mut self, status: crate::northbound::jetstream::SharedStatus) -> Self {
        self.jetstream = Some(status);
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

/// `stream`, ended once `live` says the credential that opened it is gone
/// (a revoked token, an ended session, a disabled person), checked once a
/// second (not per item: a check reads the token or account store).
fn until_revoked<S, T>(
    stream: S,
    live: crate::auth::Liveness,
) -> impl futures_util::Stream<Item = T> + Send + 'static
where
    S: futures_util::Stream<Item = T> + Send + Unpin + 'static,
    T: Send + 'static,
{
    use futures_util::StreamExt;
    let tick = tokio::time::interval(std::time::Duration::from_secs(1));
    futures_util::stream::unfold((stream, live, tick), |(mut s, live, mut tick)| async move {
        loop {
            tokio::select! {
                item = s.next() => return Some((item?, (s, live, tick))),
                _ = tick.tick() => {
                    if !live.alive() {
                        return None;
                    }
                }
            }
        }
    })
}

/// The most a JSON request body may hold (commands, broadcasts, tokens):
/// far above any real one, far below what would cost the hub memory.
pub const MAX_JSON_BODY: usize = 64 << 10;

/// The largest JSON body that carries photos (a hazard report, a round, a
/// step of the loop: six pictures of 4 MB in base64) or a spreadsheet.
pub const MAX_PHOTO_BODY: usize = 34 << 20;

/// Every route, each with the role it asks for (the same table builds the
/// router, the gate's access map and `/api/v1/openapi.json`).
pub fn router(state: ApiState, hosts: HostAllowList) -> Router {
    let mut t = routes::table();
    let gate = Gate {
        tokens: state.tokens.clone(),
        accounts: state.accounts.clone(),
        sessions: state.sessions.clone(),
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
