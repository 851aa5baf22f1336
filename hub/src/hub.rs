//! Wiring: config → bus, runtime, devices, API; and the plugin-folder watcher.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::api::{self, ApiState, LoadFailure};
use crate::bus::{Bus, BusError, BusOptions, FlushPolicy, Retention};
use crate::clock::Clock;
use crate::config::{ConfigError, FlushMode, HubConfig};
use crate::devices::{DeviceSpec, Devices, DriverPolicy};
use crate::runtime::watch::FolderWatch;
use crate::runtime::{Runtime, RuntimeError, RuntimeOptions};
use crate::transport::push::PushHub;

/// Why the hub did not start.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// Bad config.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Event store.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// wasm engine.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// A file or folder.
    #[error("{path}: {message}")]
    Io {
        /// Path.
        path: String,
        /// Why.
        message: String,
    },
    /// The HTTP listener.
    #[error("cannot listen on {addr}: {message}")]
    Bind {
        /// Address.
        addr: String,
        /// Why.
        message: String,
    },
}

/// A running hub.
pub struct Hub {
    http_addr: SocketAddr,
    push_addr: SocketAddr,
    sockets: crate::transport::socket::SharedSockets,
    bus: Bus,
    devices: Arc<Devices>,
    tasks: Vec<JoinHandle<()>>,
}

impl Hub {
    /// Start everything `config` describes.
    pub async fn start(config: HubConfig) -> Result<Self, HubError> {
        Self::start_with_clock(config, Clock::system()).await
    }

    /// Start with a clock of the caller's for the rules that wait (visits,
    /// stays): tests drive it.
    pub async fn start_with_clock(config: HubConfig, clock: Clock) -> Result<Self, HubError> {
        // Before anything records: a gauge set before the recorder exists
        // (a poll's configured rate, set once when a driver starts) is lost.
        crate::metrics::handle();
        let io = |p: &std::path::Path, e: std::io::Error| HubError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        let data = config.site.data_dir.clone();
        std::fs::create_dir_all(&data).map_err(|e| io(&data, e))?;
        let retention = Retention {
            max_age_ms: (config.bus.retention_days > 0)
                .then(|| config.bus.retention_days as i64 * 86_400_000),
            max_bytes: (config.bus.retention_max_mb > 0)
                .then_some(config.bus.retention_max_mb << 20),
            // Events the broker has not acknowledged stay, up to the hard cap.
            protect_cursor: config
                .northbound
                .is_some()
                .then_some(crate::northbound::CURSOR),
            hard_max_bytes: match config.bus.retention_hard_max_mb {
                0 => None,
                mb => Some(mb << 20),
            },
            ..Retention::default()
        };
        let flush = match config.bus.flush {
            FlushMode::EveryBatch => FlushPolicy::EveryBatch,
            FlushMode::Interval => FlushPolicy::Interval(config.bus.flush_interval_ms),
        };
        let bus = Bus::open(
            &data.join("events"),
            BusOptions {
                site: config.site.id.clone(),
                flush,
                retention,
            },
        )?;
        let runtime = Runtime::new(RuntimeOptions {
            cache_dir: data.join("plugin-cache"),
            call_timeout: Duration::from_millis(config.plugins.call_timeout_ms),
            memory_limit: (config.plugins.memory_limit_mb << 20) as usize,
        })?;
        let specs = device_specs(&config)?;
        // The push listener: its own port, never the API's.
        let push_listener = tokio::net::TcpListener::bind(&config.listen.http)
            .await
            .map_err(|e| HubError::Bind {
                addr: config.listen.http.clone(),
                message: e.to_string(),
            })?;
        let push_addr = push_listener.local_addr().map_err(|e| HubError::Bind {
            addr: config.listen.http.clone(),
            message: e.to_string(),
        })?;
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
            push_key(&data)?,
            Duration::from_millis(config.listen.reply_timeout_ms.max(100)),
        );
        let policy = DriverPolicy {
            events: crate::devices::quota::EventLimits {
                per_call: config.plugins.max_events_per_call.max(1),
                per_second: config.plugins.max_events_per_s.max(1),
                burst: config.plugins.max_events_burst.max(1),
                max_bytes: config.plugins.max_event_kb.max(1) << 10,
                max_attrs: 64,
            },
            max_crashes: config.plugins.max_crashes,
            window: Duration::from_secs(config.plugins.crash_window_s),
            quarantine: Duration::from_secs(config.plugins.quarantine_s.max(1)),
            command_timeout: Duration::from_secs(5),
            starts_per_s: config.plugins.device_starts_per_s.max(1),
            tap: config.plugins.tap.clone(),
        };
        let (sockets, socket_tasks) =
            crate::transport::socket::SocketHub::bind(&config.listen.ports)
                .await
                .map_err(|(addr, message)| HubError::Bind {
                    addr: format!("[listen.ports] {addr}"),
                    message,
                })?;
        let clips = crate::audio::Clips::open(&data.join("clips")).map_err(|e| HubError::Io {
            path: data.join("clips").display().to_string(),
            message: e.to_string(),
        })?;
        if let Some(g) = config.broadcast.multicast_group
            && !g.is_multicast()
        {
            return Err(HubError::Io {
                path: config.source.clone(),
                message: format!(
                    "[broadcast] multicast_group {g} is not a multicast address (224.0.0.0/4)"
                ),
            });
        }
        let live = crate::audio::LiveSources::new(config.broadcast.live_sources.clone());
        let rtp = crate::transport::rtp::RtpHub::new(
            clips.clone(),
            live.clone(),
            config.broadcast.multicast_interface,
        );
        let devices = Devices::new(
            specs,
            bus.clone(),
            policy,
            Some(push.clone()),
            Some(sockets.clone()),
            Some(rtp),
            crate::transport::rtsp::limits::Probes::new(config.rtsp.limits()),
        );
        let failures: Arc<Mutex<Vec<LoadFailure>>> = Arc::default();

        let dir = config.plugins.dir.clone();
        let mut watch = FolderWatch::default();
        match watch.scan(&dir) {
            Ok(changes) => load_all(&runtime, &devices, &failures, changes.changed).await,
            Err(e) => tracing::warn!(dir = %dir.display(), "plugins folder unreadable: {e}"),
        }

        let listener = tokio::net::TcpListener::bind(&config.http.listen)
            .await
            .map_err(|e| HubError::Bind {
                addr: config.http.listen.clone(),
                message: e.to_string(),
            })?;
        let http_addr = listener.local_addr().map_err(|e| HubError::Bind {
            addr: config.http.listen.clone(),
            message: e.to_string(),
        })?;
        let mut tasks = socket_tasks;
        let tokens =
            std::sync::Arc::new(crate::auth::Tokens::open(&data).map_err(|e| HubError::Io {
                path: data.join("tokens.json").display().to_string(),
                message: e.to_string(),
            })?);
        if tokens.is_empty() {
            tracing::warn!(
                "no API tokens yet: every API call will be refused until you make one, e.g. `twinwall token create --role admin --name <you>`"
            );
        }
        let mut state = ApiState::new(
            bus.clone(),
            devices.clone(),
            failures.clone(),
            config.site.name.clone().unwrap_or(config.site.id.clone()),
            tokens,
        );
        if let Some(nb) = config.northbound.clone() {
            let (status, task) =
                crate::northbound::spawn(nb, config.site.id.clone(), bus.clone(), devices.clone());
            state = state.with_northbound(status);
            tasks.push(task);
        }
        let (people, people_task) = crate::people::People::spawn(
            bus.clone(),
            clock.clone(),
            Duration::from_secs(config.people.visit_limit_s.max(1)),
        );
        tasks.push(people_task);
        let mut limits = config.vehicles.limits.clone();
        for l in &mut limits {
            if let Some(z) = &l.zone {
                l.zone = Some(config.zone_path(z).map_err(|m| HubError::Io {
                    path: config.source.clone(),
                    message: m,
                })?);
            }
        }
        let (vehicles, vehicle_task) = crate::vehicles::Vehicles::spawn(bus.clone(), clock, limits);
        tasks.push(vehicle_task);
        let zones = config.zone_paths();
        let (broadcasts, broadcast_tasks) = crate::broadcast::Broadcasts::spawn(
            devices.clone(),
            bus.clone(),
            clips,
            crate::broadcast::Options {
                zones: zones.clone(),
                multicast: config
                    .broadcast
                    .multicast_group
                    .map(|g| (g, config.broadcast.multicast_port)),
                start_timeout: Duration::from_millis(config.broadcast.start_timeout_ms.max(100)),
                data_dir: Some(data.join("broadcasts")),
                utc_offset_minutes: config.broadcast.utc_offset_minutes,
                live,
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
        let state = state
            .with_limits(
                config.http.max_streams,
                Duration::from_secs(config.http.request_timeout_s.max(1)),
            )
            .with_people(people)
            .with_vehicles(vehicles)
            .with_broadcasts(broadcasts.clone())
            .with_rules(rules);
        let app = api::router(
            state,
            crate::auth::HostAllowList::new(&config.http.allowed_hosts, http_addr),
        );
        tasks.push(tokio::spawn(crate::transport::push::serve(
            push_listener,
            push,
        )));
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
        let server = api::serve(listener, app, tls, config.http.max_connections).map_err(|e| {
            HubError::Bind {
                addr: config.http.listen.clone(),
                message: e.to_string(),
            }
        })?;
        let every = Duration::from_millis(config.plugins.watch_interval_ms.max(100));
        let watcher = tokio::spawn(watch_plugins(
            runtime,
            devices.clone(),
            failures,
            dir,
            watch,
            every,
        ));
        tracing::info!(site = %config.site.id, http = %http_addr, push = %push_addr, "hub running");
        tasks.insert(0, server);
        tasks.push(watcher);
        Ok(Hub {
            http_addr,
            push_addr,
            sockets,
            bus,
            devices,
            tasks,
        })
    }

    /// Where the HTTP API listens.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// Where the push listener (device pushes) listens.
    pub fn push_addr(&self) -> SocketAddr {
        self.push_addr
    }

    /// Where the named device port (`[listen.ports]`) listens.
    pub fn port_addr(&self, name: &str) -> Option<SocketAddr> {
        self.sockets.addr(name)
    }

    /// The event bus.
    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    /// The device registry.
    pub fn devices(&self) -> &Arc<Devices> {
        &self.devices
    }

    /// Run until the HTTP server stops (normally: until the process ends).
    pub async fn wait(mut self) {
        if let Some(server) = self.tasks.first_mut() {
            let _ = server.await;
        }
    }

    /// Stop serving, drivers and sessions, and flush the bus.
    pub async fn stop(self) {
        for t in &self.tasks {
            t.abort();
        }
        self.devices.stop();
        let _ = self.bus.flush();
    }
}

async fn load_all(
    runtime: &Arc<Runtime>,
    devices: &Arc<Devices>,
    failures: &Arc<Mutex<Vec<LoadFailure>>>,
    paths: Vec<PathBuf>,
) {
    for path in paths {
        let rt = runtime.clone();
        let p = path.clone();
        // Compiling is CPU work: keep it off the async workers.
        let loaded = tokio::task::spawn_blocking(move || rt.load(&p)).await;
        let failure = match loaded {
            Ok(Ok(d)) => {
                devices.attach(d).await;
                None
            }
            Ok(Err(e)) => {
                tracing::error!("{e}");
                Some(e.to_string())
            }
            Err(e) => Some(format!("loader panicked: {e}")),
        };
        let file = path.display().to_string();
        let mut f = failures.lock().unwrap_or_else(|p| p.into_inner());
        f.retain(|x| x.path != file);
        if let Some(error) = failure {
            f.push(LoadFailure { path: file, error });
        }
    }
}

async fn watch_plugins(
    runtime: Arc<Runtime>,
    devices: Arc<Devices>,
    failures: Arc<Mutex<Vec<LoadFailure>>>,
    dir: PathBuf,
    mut watch: FolderWatch,
    every: Duration,
) {
    loop {
        tokio::time::sleep(every).await;
        match watch.scan(&dir) {
            Ok(changes) => {
                for p in &changes.removed {
                    tracing::warn!(file = %p.display(), "driver file removed; the running driver stays until replaced");
                }
                load_all(&runtime, &devices, &failures, changes.changed).await;
            }
            Err(e) => tracing::debug!(dir = %dir.display(), "plugins folder unreadable: {e}"),
        }
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

/// The devices of `config`, their profiles read.
pub fn device_specs(config: &HubConfig) -> Result<Vec<DeviceSpec>, HubError> {
    let mut specs = Vec::new();
    for d in &config.devices {
        let zone = config
            .zone_path(d.zone.get_ref())
            .map_err(|m| HubError::Io {
                path: config.source.clone(),
                message: m,
            })?;
        let profile = match &d.profile {
            Some(p) => {
                let file = config.profile_path(p.get_ref());
                let text = std::fs::read_to_string(&file).map_err(|e| HubError::Io {
                    path: file.display().to_string(),
                    message: e.to_string(),
                })?;
                Some(text)
            }
            None => None,
        };
        specs.push(DeviceSpec {
            id: d.id.get_ref().clone(),
            driver: d.driver.get_ref().clone(),
            zone,
            address: d.address.clone(),
            profile_name: d.profile.as_ref().map(|p| p.get_ref().clone()),
            profile,
            settings: d.settings_as_strings(),
            unit: d.unit,
            request_timeout: Duration::from_millis(d.request_timeout_ms),
            offline_after: Duration::from_millis(d.offline_after_ms),
            credentials: d
                .username
                .clone()
                .map(|username| crate::transport::http::Credentials {
                    username,
                    password: d.password.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
                }),
            keys: d
                .keys
                .iter()
                .map(|(k, v)| (k.clone(), crate::hex::decode(&v.0).unwrap_or_default()))
                .collect(),
        });
    }
    Ok(specs)
}
