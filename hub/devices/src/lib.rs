//! Devices and their drivers: which device runs on which driver, the
//! supervisors that own driver instances, and the operator's view of both.

pub mod crashes;
pub mod events;
pub mod links;
pub mod notices;
pub mod quarantine;
pub mod quota;
mod supervisor;
pub mod tap;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

pub use supervisor::DriverPolicy;
use supervisor::{Msg, Slot, Supervisor};

use twinwall_bus::Bus;
use twinwall_runtime::{DeviceConfig, LoadedDriver};
use twinwall_transport::push::SharedPush;
use twinwall_transport::socket::SharedSockets;
use twinwall_transport::{
    self as transport, LinkSink, LinkStatus, Online, SessionSpec, SharedLinks,
};

pub use twinwall_base::event::HUB_ZONE;

/// A configured device, resolved (zone path, profile text).
#[derive(Debug, Clone)]
pub struct DeviceSpec {
    /// Id.
    pub id: String,
    /// Driver name.
    pub driver: String,
    /// What people call it, when the config says.
    pub name: Option<String>,
    /// Zone path.
    pub zone: String,
    /// Address, for the API and the transport.
    pub address: Option<String>,
    /// Profile name, if any.
    pub profile_name: Option<String>,
    /// Profile text, if any.
    pub profile: Option<String>,
    /// Settings.
    pub settings: Vec<(String, String)>,
    /// Modbus unit.
    pub unit: u8,
    /// Request timeout.
    pub request_timeout: Duration,
    /// Offline after.
    pub offline_after: Duration,
    /// Device account.
    pub credentials: Option<transport::http::Credentials>,
    /// Keys the hub holds for the device's driver, by name (crypto).
    pub keys: HashMap<String, Vec<u8>>,
}

impl DeviceSpec {
    /// What the driver's `open` receives: settings, profile and the names
    /// (never the values) of the keys the hub holds.
    pub fn driver_config(&self) -> DeviceConfig {
        let mut keys: Vec<String> = self.keys.keys().cloned().collect();
        keys.sort();
        DeviceConfig {
            id: self.id.clone(),
            profile: self.profile.clone(),
            settings: self.settings.clone(),
            keys,
        }
    }
}

/// A command a driver accepts, as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CommandSpec {
    /// Name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// JSON Schema of the arguments (`null` when the driver gave none).
    pub args_schema: Option<serde_json::Value>,
}

/// Lifecycle of a driver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DriverState {
    /// Instance alive.
    Running,
    /// Waiting to rebuild after a crash.
    Restarting,
    /// Crashed too often (and not because of one device): waits for its
    /// quarantine to end, a new build of the file or an admin.
    Quarantined,
}

/// What the API shows of a driver.
#[derive(Debug, Clone, Serialize)]
pub struct DriverStatus {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Contract it was built against, e.g. `twinwall:driver@1.0.0`.
    pub contract: String,
    /// The capabilities it imports (`modbus`, `http-client`, …): what it
    /// needs from the hub, read from the component.
    pub capabilities: Vec<String>,
    /// File.
    pub path: String,
    /// Content hash.
    pub hash: String,
    /// Families served.
    pub families: Vec<String>,
    /// Commands accepted.
    pub commands: Vec<String>,
    /// Each command with its description and the JSON Schema of its arguments.
    pub command_specs: Vec<CommandSpec>,
    /// State.
    pub state: DriverState,
    /// Crashes since the hub started.
    pub crashes: u32,
    /// The last trap.
    pub last_trap: Option<String>,
    /// Devices the driver refused to open, with why.
    pub device_errors: HashMap<String, String>,
    /// Devices closed for crashing the driver too often.
    pub quarantined_devices: Vec<String>,
}

impl DriverStatus {
    /// A driver as loaded, before it runs.
    fn of(d: &LoadedDriver) -> Self {
        let info = d.info();
        let commands = info.map(|i| i.commands.as_slice()).unwrap_or_default();
        DriverStatus {
            name: d.name.clone(),
            version: d.version.clone(),
            contract: format!("{}@{}", twinwall_runtime::contract::PACKAGE, d.contract),
            capabilities: d.capabilities.clone(),
            path: d.path.display().to_string(),
            hash: d.hash.clone(),
            families: info.map(|i| i.families.clone()).unwrap_or_default(),
            commands: commands.iter().map(|c| c.name.clone()).collect(),
            command_specs: commands
                .iter()
                .map(|c| CommandSpec {
                    name: c.name.clone(),
                    description: c.description.clone(),
                    args_schema: serde_json::from_str(&c.args_schema).ok(),
                })
                .collect(),
            state: DriverState::Restarting,
            crashes: 0,
            last_trap: None,
            device_errors: HashMap::new(),
            quarantined_devices: Vec::new(),
        }
    }
}

/// Why a command did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// No such device.
    #[error("unknown device `{0}`")]
    UnknownDevice(String),
    /// The device's driver is not loaded, restarting or quarantined.
    #[error("driver {driver} cannot take commands now ({state})")]
    DriverUnavailable {
        /// Driver label.
        driver: String,
        /// State or reason.
        state: String,
    },
    /// The driver refused.
    #[error("{driver} refused: {code}: {message}")]
    Refused {
        /// Driver label.
        driver: String,
        /// Stable code.
        code: String,
        /// Why.
        message: String,
    },
    /// The device failed or refused on the wire.
    #[error("device `{device}`: {message}")]
    Device {
        /// Device id.
        device: String,
        /// Why.
        message: String,
    },
    /// The audit trail could not be written, so the command was not sent:
    /// no operator action goes unrecorded.
    #[error(
        "command `{command}` for device `{device}` not sent: its audit event could not be stored ({message})"
    )]
    NotRecorded {
        /// Device id.
        device: String,
        /// Command name.
        command: String,
        /// The store's error.
        message: String,
    },
    /// The device did not confirm in time.
    #[error("device `{device}` did not confirm within {ms} ms")]
    Timeout {
        /// Device id.
        device: String,
        /// Timeout.
        ms: u64,
    },
}

struct DriverHandle {
    tx: mpsc::Sender<Msg>,
    status: Arc<Mutex<DriverStatus>>,
}

/// What the API shows of a device.
#[derive(Debug, Clone, Serialize)]
pub struct DeviceView {
    /// Id.
    pub id: String,
    /// What people call it (`null`: show the id).
    pub name: Option<String>,
    /// Driver name.
    pub driver: String,
    /// Families of the driver, when loaded.
    pub families: Vec<String>,
    /// Zone path.
    pub zone: String,
    /// Address.
    pub address: Option<String>,
    /// Profile.
    pub profile: Option<String>,
    /// `online`, `offline` or `unknown`.
    pub state: Online,
    /// Last answer.
    pub last_seen: Option<String>,
    /// Last link error.
    pub last_error: Option<String>,
    /// Why the device is not running (driver missing, refused config, quarantine).
    pub problem: Option<String>,
}

/// The device registry.
pub struct Devices {
    specs: Vec<DeviceSpec>,
    drivers: RwLock<HashMap<String, DriverHandle>>,
    links: SharedLinks,
    /// Where sessions report link changes (recorded on the bus by `links`).
    reports: LinkSink,
    bus: Bus,
    policy: DriverPolicy,
    tasks: Mutex<Vec<tokio::task::AbortHandle>>,
    http: reqwest::Client,
    push: Option<SharedPush>,
    sockets: Option<SharedSockets>,
    rtp: Option<transport::rtp::SharedRtp>,
    probes: transport::rtsp::limits::SharedProbes,
}

impl Devices {
    /// A registry of `specs`; drivers are attached with [`Devices::attach`].
    /// Call within a tokio runtime: it starts the task that records link changes.
    pub fn new(
        specs: Vec<DeviceSpec>,
        bus: Bus,
        policy: DriverPolicy,
        push: Option<SharedPush>,
        sockets: Option<SharedSockets>,
        rtp: Option<transport::rtp::SharedRtp>,
        probes: transport::rtsp::limits::SharedProbes,
    ) -> Arc<Self> {
        let (reports, reported) = mpsc::channel(1024);
        let recorder = tokio::spawn(links::record(bus.clone(), reported));
        Arc::new(Devices {
            reports,
            probes,
            push,
            sockets,
            rtp,
            specs,
            drivers: RwLock::new(HashMap::new()),
            links: Arc::default(),
            bus,
            policy,
            tasks: Mutex::new(vec![recorder.abort_handle()]),
            http: transport::http::device_client(),
        })
    }

    /// Start (or, if running, replace) driver `d` and its devices.
    pub async fn attach(&self, d: Arc<LoadedDriver>) {
        let existing = self
            .drivers
            .read()
            .ok()
            .and_then(|m| m.get(&d.name).map(|h| h.tx.clone()));
        if let Some(tx) = existing {
            let _ = tx.send(Msg::Reload(d)).await;
            return;
        }
        let status = Arc::new(Mutex::new(DriverStatus::of(&d)));
        let (in_tx, in_rx) = mpsc::channel(1024);
        let (route_tx, route_rx) = mpsc::channel(1024);
        let mut slots = Vec::new();
        for s in self.specs.iter().filter(|s| s.driver == d.name) {
            let session = transport::spawn(
                self.session_spec(s, &route_tx),
                in_tx.clone(),
                self.reports.clone(),
                self.links.clone(),
            );
            let config = s.driver_config();
            slots.push(Slot {
                id: s.id.clone(),
                zone: s.zone.clone(),
                config,
                keys: s.keys.clone(),
                session,
            });
        }
        let (tx, rx) = mpsc::channel(64);
        let sup = Supervisor::new(
            d.clone(),
            slots,
            self.policy.clone(),
            status.clone(),
            self.bus.clone(),
            self.sockets.clone(),
        );
        let task = tokio::spawn(sup.run(rx, in_rx, route_rx));
        if let Ok(mut t) = self.tasks.lock() {
            t.push(task.abort_handle());
        }
        if let Ok(mut m) = self.drivers.write() {
            m.insert(d.name.clone(), DriverHandle { tx, status });
        }
    }

    /// What the session of device `s` needs: its address and account, and
    /// the hub's listeners, senders and limits.
    fn session_spec(
        &self,
        s: &DeviceSpec,
        router: &twinwall_transport::socket::FrameRouter,
    ) -> SessionSpec {
        SessionSpec {
            device: s.id.clone(),
            zone: s.zone.clone(),
            address: s.address.clone(),
            unit: s.unit,
            request_timeout: s.request_timeout,
            offline_after: s.offline_after,
            credentials: s.credentials.clone(),
            http: self.http.clone(),
            push: self.push.clone(),
            sockets: self.sockets.clone(),
            driver: s.driver.clone(),
            router: Some(router.clone()),
            rtp: self.rtp.clone(),
            probes: self.probes.clone(),
        }
    }

    /// Stop every supervisor (their device sessions end with them).
    pub fn stop(&self) {
        if let Ok(mut t) = self.tasks.lock() {
            for h in t.drain(..) {
                h.abort();
            }
        }
        if let Ok(mut m) = self.drivers.write() {
            m.clear();
        }
    }

    /// Every driver's status.
    pub fn drivers(&self) -> Vec<DriverStatus> {
        let Ok(m) = self.drivers.read() else {
            return Vec::new();
        };
        let mut v: Vec<DriverStatus> = m
            .values()
            .filter_map(|h| h.status.lock().ok().map(|s| s.clone()))
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// Every configured device.
    pub fn list(&self) -> Vec<DeviceView> {
        self.specs.iter().map(|s| self.view(s)).collect()
    }

    /// One device.
    pub fn get(&self, id: &str) -> Option<DeviceView> {
        self.specs.iter().find(|s| s.id == id).map(|s| self.view(s))
    }

    fn view(&self, s: &DeviceSpec) -> DeviceView {
        let link = self.links.get(&s.id).unwrap_or(LinkStatus {
            state: Online::Unknown,
            last_seen: None,
            last_error: None,
        });
        let driver = self.drivers.read().ok().and_then(|m| {
            m.get(&s.driver)
                .and_then(|h| h.status.lock().ok().map(|st| st.clone()))
        });
        let (families, problem) = match &driver {
            None => (
                Vec::new(),
                Some(format!("driver `{}` is not loaded", s.driver)),
            ),
            Some(d) => {
                let p = match (&d.state, d.device_errors.get(&s.id)) {
                    (_, Some(e)) => Some(e.clone()),
                    (DriverState::Quarantined, _) => {
                        Some(format!("driver {}@{} is quarantined", d.name, d.version))
                    }
                    (DriverState::Restarting, _) => {
                        Some(format!("driver {}@{} is restarting", d.name, d.version))
                    }
                    _ => None,
                };
                (d.families.clone(), p)
            }
        };
        DeviceView {
            id: s.id.clone(),
            name: s.name.clone(),
            driver: s.driver.clone(),
            families,
            zone: s.zone.clone(),
            address: s.address.clone(),
            profile: s.profile_name.clone(),
            state: link.state,
            last_seen: link.last_seen,
            last_error: link.last_error,
            problem,
        }
    }

    /// Lift the quarantine of device `id` (`Ok(false)`: it was not held).
    pub async fn release_device(&self, id: &str, actor: &str) -> Result<bool, CommandError> {
        let spec = self
            .specs
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| CommandError::UnknownDevice(id.to_owned()))?;
        self.release(&spec.driver, Some(id.to_owned()), actor).await
    }

    /// Lift the quarantine of driver `name` (`Ok(false)`: it was not
    /// quarantined).
    pub async fn release_driver(&self, name: &str, actor: &str) -> Result<bool, CommandError> {
        self.release(name, None, actor).await
    }

    async fn release(
        &self,
        driver: &str,
        device: Option<String>,
        actor: &str,
    ) -> Result<bool, CommandError> {
        let unavailable = |state: &str| CommandError::DriverUnavailable {
            driver: driver.to_owned(),
            state: state.to_owned(),
        };
        let tx = self
            .drivers
            .read()
            .ok()
            .and_then(|m| m.get(driver).map(|h| h.tx.clone()))
            .ok_or_else(|| unavailable("not loaded"))?;
        let (reply, answer) = oneshot::channel();
        tx.send(Msg::Release {
            device,
            actor: actor.to_owned(),
            reply,
        })
        .await
        .map_err(|_| unavailable("stopped"))?;
        answer.await.map_err(|_| unavailable("stopped"))
    }

    /// Devices in zone `path` or below whose driver accepts `command`.
    pub fn accepting(&self, path: &str, command: &str) -> Vec<String> {
        let accepts: Vec<String> = self
            .drivers()
            .into_iter()
            .filter(|d| d.commands.iter().any(|c| c == command))
            .map(|d| d.name)
            .collect();
        let below = format!("{path}/");
        self.specs
            .iter()
            .filter(|s| s.zone == path || s.zone.starts_with(&below))
            .filter(|s| accepts.contains(&s.driver))
            .map(|s| s.id.clone())
            .collect()
    }

    /// Run an operator's command on a device and wait for the device's confirmation.
    pub async fn command(
        &self,
        device: &str,
        name: &str,
        args: &str,
        actor: &str,
    ) -> Result<(), CommandError> {
        let spec = self
            .specs
            .iter()
            .find(|s| s.id == device)
            .ok_or_else(|| CommandError::UnknownDevice(device.to_owned()))?;
        if let Some(why) = self.bus.write_error() {
            return Err(CommandError::NotRecorded {
                device: device.to_owned(),
                command: name.to_owned(),
                message: why,
            });
        }
        let tx = self
            .drivers
            .read()
            .ok()
            .and_then(|m| m.get(&spec.driver).map(|h| h.tx.clone()))
            .ok_or_else(|| CommandError::DriverUnavailable {
                driver: spec.driver.clone(),
                state: "not loaded".into(),
            })?;
        let (reply, answer) = oneshot::channel();
        let msg = Msg::Command {
            device: device.to_owned(),
            name: name.to_owned(),
            args: args.to_owned(),
            actor: actor.to_owned(),
            reply,
        };
        let gone = || CommandError::DriverUnavailable {
            driver: spec.driver.clone(),
            state: "stopped".into(),
        };
        tx.send(msg).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}
