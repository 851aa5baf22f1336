//! The stages of a hub's start, each named, each taking what the ones
//! before made: the data folder, the bus, the device edge, the devices, the
//! services, the API.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::HubError;
use super::plugins::Drivers;
use crate::api::{self, ApiState};
use crate::audio::{Clips, LiveSources};
use crate::bus::Bus;
use crate::clock::Clock;
use crate::config::HubConfig;
use crate::devices::Devices;
use crate::transport::push::{PushHub, SharedPush};
use crate::transport::rtp::{RtpHub, SharedRtp};
use crate::transport::socket::{SharedSockets, SocketHub};

fn io(p: &std::path::Path, e: impl std::fmt::Display) -> HubError {
    HubError::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    }
}

fn bind(addr: &str, e: impl std::fmt::Display) -> HubError {
    HubError::Bind {
        addr: addr.to_owned(),
        message: e.to_string(),
    }
}

/// The data folder, made if missing.
pub(super) fn data_folder(config: &HubConfig) -> Result<PathBuf, HubError> {
    let data = config.site.data_dir.clone();
    std::fs::create_dir_all(&data).map_err(|e| io(&data, e))?;
    Ok(data)
}

/// The event log in `data/events`.
pub(super) fn bus(config: &HubConfig, data: &std::path::Path) -> Result<Bus, HubError> {
    // Events the broker has not acknowledged stay, up to the hard cap.
    const MQTT: &str = crate::northbound::CURSOR;
    const JS: &str = crate::northbound::jetstream::CURSOR;
    let protect: &'static [&'static str] =
        match (config.northbound.is_some(), config.jetstream.is_some()) {
            (true, true) => &[MQTT, JS],
            (true, false) => &[MQTT],
            (false, true) => &[JS],
            (false, false) => &[],
        };
    Ok(Bus::open(
        &data.join("events"),
        config.bus.options(&config.site.id, protect),
    )?)
}

/// Where devices reach the hub and what it sends them: the push listener
/// (its own port, never the API's), the named ports, the clip store and
/// live sources the RTP senders play.
pub(super) struct Edge {
    pub push_listener: tokio::net::TcpListener,
    pub push_addr: SocketAddr,
    pub push: SharedPush,
    pub sockets: SharedSockets,
    pub tasks: Vec<JoinHandle<()>>,
    pub clips: Clips,
    pub live: LiveSources,
    pub rtp: SharedRtp,
}

impl Edge {
    pub(super) async fn open(config: &HubConfig, data: &std::path::Path) -> Result<Self, HubError> {
        let at = &config.listen.http;
        let push_listener = tokio::net::TcpListener::bind(at)
            .await
            .map_err(|e| bind(at, e))?;
        let push_addr = push_listener.local_addr().map_err(|e| bind(at, e))?;
        let advertise = config.listen.advertise.clone().unwrap_or_else(|| {
            let mut a = push_addr;
            if a.ip().is_unspecified() {
                tracing::warn!(listen = %push_addr, "the push listener is on every interface; set [listen] advertise so devices are told a reachable address");
                a.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            format!("http://{a}")
        });
        let push = PushHub::new(
            advertise.trim_end_matches('/').to_owned(),
            push_key(data)?,
            Duration::from_millis(config.listen.reply_timeout_ms.max(100)),
        );
        let (sockets, tasks) = SocketHub::bind(&config.listen.ports)
            .await
            .map_err(|(addr, message)| bind(&format!("[listen.ports] {addr}"), message))?;
        let clips = Clips::open(&data.join("clips")).map_err(|e| io(&data.join("clips"), e))?;
        let live = LiveSources::new(config.broadcast.live_sources.clone());
        let rtp = RtpHub::new(
            clips.clone(),
            live.clone(),
            config.broadcast.multicast_interface,
        );
        Ok(Edge {
            push_listener,
            push_addr,
            push,
            sockets,
            tasks,
            clips,
            live,
            rtp,
        })
    }
}

/// The key behind push tokens: made once, kept in the data folder, so the
/// URLs devices were given survive a restart.
fn push_key(data: &std::path::Path) -> Result<[u8; 32], HubError> {
    crate::secret_key::load_or_make(
        &data.join("push.key"),
        "devices must then be told their new push URLs",
    )
    .map_err(|e| HubError::Io {
        path: e.path,
        message: e.message,
    })
}

/// The device registry, its sessions reaching the wire through `edge`.
pub(super) fn devices(
    config: &HubConfig,
    bus: &Bus,
    edge: &Edge,
) -> Result<Arc<Devices>, HubError> {
    Ok(Devices::new(
        super::device_specs(config)?,
        bus.clone(),
        config.plugins.policy(),
        Some(edge.push.clone()),
        Some(edge.sockets.clone()),
        Some(edge.rtp.clone()),
        crate::transport::rtsp::limits::Probes::new(config.rtsp.limits()),
    ))
}

/// What the services give the API.
pub(super) struct Parts {
    northbound: Option<crate::northbound::SharedStatus>,
    jetstream: Option<crate::northbound::jetstream::SharedStatus>,
    alarms: crate::alarms::Alarms,
    people: crate::people::People,
    vehicles: crate::vehicles::Vehicles,
    broadcasts: crate::broadcast::Broadcasts,
    rules: crate::rules::Rules,
    statistics: crate::statistics::Statistics,
    program: crate::program::Program,
    accounts: Arc<crate::accounts::Accounts>,
}

/// The services over the bus: northbound, people, vehicles, broadcasts,
/// linkage rules; each a task (or a few).
pub(super) struct Services {
    pub parts: Parts,
    pub tasks: Vec<JoinHandle<()>>,
}

impl Services {
    pub(super) fn spawn(
        config: &HubConfig,
        data: &std::path::Path,
        bus: &Bus,
        devices: &Arc<Devices>,
        edge: &Edge,
        clock: Clock,
    ) -> Result<Self, HubError> {
        let mut tasks = Vec::new();
        let northbound = config.northbound.clone().map(|nb| {
            let (status, task) =
                crate::northbound::spawn(nb, config.site.id.clone(), bus.clone(), devices.clone());
            tasks.push(task);
            status
        });
        // The alarm book, the people view and the vehicle rules: one reader
        // of the log feeds all three.
        let mut views = crate::projection::Views::default();
        let alarms = crate::alarms::Alarms::new(
            &mut views,
            bus.clone(),
            clock.clone(),
            crate::alarms::Policy::from(&config.alarms),
            Duration::from_millis(config.alarms.tick_ms.max(10)),
        );
        let people = crate::people::People::new(
            &mut views,
            Duration::from_secs(config.people.visit_limit_s.max(1)),
        );
        let mut limits = config.vehicles.limits.clone();
        for l in &mut limits {
            if let Some(z) = &l.zone {
                // Checked by `config::validate`: every limit's zone exists.
                l.zone = config.zone_path(z).ok();
            }
        }
        let vehicles = crate::vehicles::Vehicles::new(&mut views, limits);
        let statistics = crate::statistics::Statistics::new(
            &mut views,
            &config.statistics,
            config.broadcast.utc_offset_minutes,
        );
        let accounts = Arc::new(
            crate::accounts::Accounts::open(data)
                .map_err(|e| io(&data.join("accounts.json"), e))?,
        );
        let program = crate::program::Program::new(
            &mut views,
            bus.clone(),
            clock.clone(),
            config,
            accounts.clone(),
            Duration::from_secs(1),
        );
        tasks.push(views.spawn(bus.clone(), clock));
        let zones = config.zone_paths();
        let b = &config.broadcast;
        let (broadcasts, broadcast_tasks) = crate::broadcast::Broadcasts::spawn(
            devices.clone(),
            bus.clone(),
            edge.clips.clone(),
            crate::broadcast::Options {
                zones: zones.clone(),
                multicast: b.multicast_group.map(|g| (g, b.multicast_port)),
                start_timeout: Duration::from_millis(b.start_timeout_ms.max(100)),
                data_dir: Some(data.join("broadcasts")),
                utc_offset_minutes: b.utc_offset_minutes,
                live: edge.live.clone(),
            },
        );
        tasks.extend(broadcast_tasks);
        let (rules, rule_tasks) = crate::rules::Rules::spawn(
            bus.clone(),
            devices.clone(),
            broadcasts.clone(),
            zones,
            config.rules.clone(),
            config.linkage.file.clone(),
            Duration::from_millis(config.linkage.reload_ms.max(100)),
        );
        tasks.extend(rule_tasks);
        let jetstream = config.jetstream.clone().map(|js| {
            let targets = crate::northbound::jetstream::Targets {
                alarms: Some(alarms.clone()),
                devices: devices.clone(),
                accounts: accounts.clone(),
            };
            let (status, task) = crate::northbound::jetstream::spawn(
                js,
                config.site.id.clone(),
                bus.clone(),
                targets,
            );
            tasks.push(task);
            status
        });
        Ok(Services {
            parts: Parts {
                northbound,
                jetstream,
                alarms,
                people,
                vehicles,
                broadcasts,
                rules,
                statistics,
                program,
                accounts,
            },
            tasks,
        })
    }
}

/// The API's state: the bus, devices, drivers' load failures, tokens and
/// the services.
pub(super) fn api_state(
    config: &HubConfig,
    data: &std::path::Path,
    bus: &Bus,
    devices: &Arc<Devices>,
    drivers: &Drivers,
    parts: Parts,
) -> Result<ApiState, HubError> {
    let tokens =
        Arc::new(crate::auth::Tokens::open(data).map_err(|e| io(&data.join("tokens.json"), e))?);
    if tokens.is_empty() {
        tracing::warn!(
            "no API tokens yet: every API call will be refused until you make one, e.g. `twinwall token create --role admin --name <you>`"
        );
    }
    let accounts = parts.accounts.clone();
    let sessions = Arc::new(crate::accounts::Sessions::new(
        i64::try_from(config.http.session_idle_s.max(1)).unwrap_or(i64::MAX / 2_000) * 1000,
        i64::try_from(config.http.session_max_s.max(1)).unwrap_or(i64::MAX / 2_000) * 1000,
    ));
    let mut state = ApiState::new(
        bus.clone(),
        devices.clone(),
        drivers.failures.clone(),
        config.site.name.clone().unwrap_or(config.site.id.clone()),
        tokens,
        accounts,
        sessions,
    )
    .with_sign_in(
        config.http.tls_cert.is_some(),
        crate::api::ZoneInfo::all(config),
    )
    .with_site_time(config.broadcast.utc_offset_minutes)
    .with_limits(
        config.http.max_streams,
        Duration::from_secs(config.http.request_timeout_s.max(1)),
    )
    .with_alarms(parts.alarms)
    .with_people(parts.people)
    .with_vehicles(parts.vehicles)
    .with_broadcasts(parts.broadcasts)
    .with_rules(parts.rules)
    .with_statistics(parts.statistics)
    .with_program(parts.program)
    .with_map(
        crate::api::CampusMap::of(config)
            .with_places(crate::places::Places::open(&config.site.data_dir)?),
    );
    if let Some(status) = parts.northbound {
        state = state.with_northbound(status);
    }
    if let Some(status) = parts.jetstream {
        state = state.with_jetstream(status);
    }
    Ok(state)
}

/// The API's listener, bound.
pub(super) struct Api {
    listener: tokio::net::TcpListener,
    pub addr: SocketAddr,
}

impl Api {
    pub(super) async fn bind(config: &HubConfig) -> Result<Self, HubError> {
        let at = &config.http.listen;
        let listener = tokio::net::TcpListener::bind(at)
            .await
            .map_err(|e| bind(at, e))?;
        let addr = listener.local_addr().map_err(|e| bind(at, e))?;
        Ok(Api { listener, addr })
    }

    /// Serve `state` (over TLS when the config has it) in a task.
    pub(super) fn serve(
        self,
        config: &HubConfig,
        state: ApiState,
    ) -> Result<JoinHandle<()>, HubError> {
        let hosts = crate::auth::HostAllowList::new(&config.http.allowed_hosts, self.addr);
        let app = api::router(state, hosts);
        let tls =
            match (&config.http.tls_cert, &config.http.tls_key) {
                (Some(cert), Some(key)) => Some(crate::tls::server_config(cert, key).map_err(
                    |m| HubError::Io {
                        path: config.source.clone(),
                        message: format!("[http] TLS: {m}"),
                    },
                )?),
                _ => None,
            };
        api::serve(self.listener, app, tls, config.http.max_connections)
            .map_err(|e| bind(&config.http.listen, e))
    }
}
