//! The shape of `hub.toml`. Each field's doc gives its default; in code each
//! default is written once: a section whose keys are all optional takes them
//! from its `impl Default` (`#[serde(default)]` on the section), and a section
//! with required keys names one function per optional key.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use crate::bus::Level;

pub use super::alarms::{AckWithin, AlarmsConfig};
pub use super::devices::{Addresses, Device, DeviceGroup, Secret};

/// The whole file.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HubConfig {
    /// Which site this hub serves and where it keeps its data.
    pub site: Site,
    /// HTTP API.
    #[serde(default)]
    pub http: Http,
    /// Listeners devices reach the hub on (pushes). Never the API's port.
    #[serde(default)]
    pub listen: Listen,
    /// Which events are alarms and how they are handled.
    #[serde(default)]
    pub alarms: AlarmsConfig,
    /// The people view (visitors, head counts).
    #[serde(default)]
    pub people: PeopleConfig,
    /// The campus vehicle rules.
    #[serde(default)]
    pub vehicles: VehiclesConfig,
    /// Zone broadcasts and the RTP audio they send.
    #[serde(default)]
    pub broadcast: BroadcastConfig,
    /// How cameras' streams are checked (RTSP probes).
    #[serde(default)]
    pub rtsp: RtspConfig,
    /// Linkage rules written in this file (`[[rules]]`).
    #[serde(default)]
    pub rules: Vec<crate::rules::RuleSpec>,
    /// The rules file, watched and reloaded without a restart.
    #[serde(default)]
    pub linkage: LinkageConfig,
    /// Driver plugins.
    #[serde(default)]
    pub plugins: Plugins,
    /// Device profiles.
    #[serde(default)]
    pub profiles: Profiles,
    /// The event bus.
    #[serde(default)]
    pub bus: BusConfig,
    /// Zones, campus → building → floor/area.
    #[serde(default)]
    pub zones: Vec<Zone>,
    /// Devices.
    #[serde(default)]
    pub devices: Vec<Device>,
    /// Many devices of one model at once (`[[device_groups]]`): expanded
    /// into `devices` when the file is read.
    #[serde(default)]
    pub device_groups: Vec<DeviceGroup>,
    /// Northbound MQTT bridge. Default: off.
    #[serde(default)]
    pub northbound: Option<Northbound>,
    /// The log into NATS JetStream for a centre over several campuses.
    /// Default: off.
    #[serde(default)]
    pub jetstream: Option<super::jetstream::JetStreamConfig>,
    /// The console's campus map: the site's plan.
    #[serde(default)]
    pub map: super::map::MapConfig,
    /// The console's statistics: each event kind's dimension.
    #[serde(default)]
    pub statistics: super::statistics::StatisticsConfig,
    /// The dual-prevention program: categories, risk bands, hazard rules,
    /// deadlines, terms.
    #[serde(default)]
    pub program: super::program::ProgramConfig,
    /// The file this came from (set by the loader).
    #[serde(skip)]
    pub source: String,
}

/// `[site]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Site id, used in MQTT topics and on every event. Required.
    pub id: String,
    /// Display name. Default: the id.
    #[serde(default)]
    pub name: Option<String>,
    /// Folder for the event store and the plugin cache. Default `data`.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}

/// `[http]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Http {
    /// Listen address. Default `127.0.0.1:8080`.
    pub listen: String,
    /// Host names the API answers to (the `Host` header without its
    /// port), against DNS rebinding. Default: on a loopback address,
    /// `localhost`, `127.0.0.1` and `[::1]`; elsewhere any.
    pub allowed_hosts: Vec<String>,
    /// Serve the API over TLS with this certificate chain (PEM); needs
    /// `tls_key` too. Default plain HTTP.
    pub tls_cert: Option<std::path::PathBuf>,
    /// The certificate's private key (PEM).
    pub tls_key: Option<std::path::PathBuf>,
    /// API connections open at once; more wait until one closes. Default 1024.
    pub max_connections: usize,
    /// Live event streams (SSE) open at once; more are refused (503).
    /// Default 256.
    pub max_streams: usize,
    /// Longest a request other than a live stream may take, seconds;
    /// past it the answer is 503. Default 60.
    pub request_timeout_s: u64,
    /// A signed-in person's session ends after this long without a
    /// request, seconds. Default 1800.
    pub session_idle_s: u64,
    /// ... and this long after signing in whatever they do, seconds.
    /// Default 43200 (12 h).
    pub session_max_s: u64,
}

impl Default for Http {
    fn default() -> Self {
        Http {
            listen: "127.0.0.1:8080".into(),
            allowed_hosts: Vec::new(),
            tls_cert: None,
            tls_key: None,
            max_connections: 1024,
            max_streams: 256,
            request_timeout_s: 60,
            session_idle_s: 1800,
            session_max_s: 12 * 3600,
        }
    }
}

/// `[listen]`: where devices reach the hub.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Listen {
    /// Address of the push listener (ISAPI listening host, webhooks).
    /// Default `127.0.0.1:7200`; set `0.0.0.0:7200` to take pushes from the network.
    pub http: String,
    /// The base URL devices must push to, when it differs from the bound
    /// address (a NAT, a name, or a listener on `0.0.0.0`). Default
    /// `http://<bound address>`.
    pub advertise: Option<String>,
    /// How long a push waits for its driver's reply before the device gets
    /// a 504 (and retries), ms. Default 10000.
    pub reply_timeout_ms: u64,
    /// Named TCP+UDP ports devices dial in to (e.g. `dc09 = "0.0.0.0:7300"`
    /// for alarm hosts); drivers ask for them by name. Default none.
    pub ports: BTreeMap<String, String>,
}

impl Default for Listen {
    fn default() -> Self {
        Listen {
            http: "127.0.0.1:7200".into(),
            advertise: None,
            reply_timeout_ms: 10_000,
            ports: BTreeMap::new(),
        }
    }
}

/// `[people]`: the visitor and head-count view derived from gate events.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PeopleConfig {
    /// A visitor still on campus this long after coming in is overdue
    /// (`people.visitor_overdue`), seconds. Default 14400 (4 h).
    pub visit_limit_s: u64,
}

impl Default for PeopleConfig {
    fn default() -> Self {
        PeopleConfig {
            visit_limit_s: 4 * 3600,
        }
    }
}

/// `[vehicles]`: the campus vehicle rules.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VehiclesConfig {
    /// How long a car of a category may stay (`[[vehicles.limits]]`); the
    /// rule with the deepest zone containing the gate's zone wins. Default
    /// none (no overstay is raised).
    #[serde(default)]
    pub limits: Vec<VehicleLimit>,
}

/// `[[vehicles.limits]]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleLimit {
    /// Zone id (the hub resolves it to its path); absent: every zone.
    #[serde(default)]
    pub zone: Option<String>,
    /// Category as the drivers' profiles name it: `staff`, `visitor`, `unknown`, …
    pub category: String,
    /// Seconds a car may stay; 0 for no limit. Required.
    pub overstay_s: u64,
}

/// `[linkage]`: where more rules live.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LinkageConfig {
    /// A TOML file of `[[rules]]`, relative to hub.toml; reloaded when it
    /// changes. Default: none.
    pub file: Option<PathBuf>,
    /// How often the file is checked for changes, ms. Default 1000.
    pub reload_ms: u64,
}

impl Default for LinkageConfig {
    fn default() -> Self {
        LinkageConfig {
            file: None,
            reload_ms: 1000,
        }
    }
}

/// `[rtsp]`: stream health checks. A camera's stream is sampled (opened,
/// measured for a moment, torn down), not watched, unless its driver asks
/// for continuous watching; these bound what all samples together may take.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RtspConfig {
    /// Samples running at once, hub-wide. With a 2 s window a sample takes
    /// about 2.5 s, so 32 samples at once check ~12 cameras a second (3,600
    /// cameras every five minutes). Default 32.
    pub max_probes_in_flight: u32,
    /// Average bandwidth all probes may pull, Mbit/s; a sample waits while
    /// the budget is spent. Default 100.
    pub max_probe_mbit_s: f64,
}

impl Default for RtspConfig {
    fn default() -> Self {
        RtspConfig {
            max_probes_in_flight: 32,
            max_probe_mbit_s: 100.0,
        }
    }
}

/// `[broadcast]`: zone broadcasts.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BroadcastConfig {
    /// Interface address multicast RTP leaves by (e.g. the paging VLAN's
    /// address). Default: the route the system picks.
    pub multicast_interface: Option<std::net::Ipv4Addr>,
    /// First multicast group: each zone a job is asked for gets its own
    /// group counting up from it, which speakers that can join share (one
    /// stream per zone). Default: none (unicast to every speaker).
    pub multicast_group: Option<std::net::Ipv4Addr>,
    /// First UDP port of the multicast streams: each job takes its own even
    /// port counting up from it (500 in turn), so a job that cuts in never
    /// shares an address with the one it cuts. Default 5004.
    pub multicast_port: u16,
    /// URL prefixes of live sources broadcasts may relay (paging
    /// microphones, audio gateways). Default none.
    pub live_sources: Vec<String>,
    /// The site's offset from UTC in minutes, for daily schedules (China: 480). Default 0.
    pub utc_offset_minutes: i32,
    /// How long a speaker may take to confirm it started, ms. Default 5000.
    pub start_timeout_ms: u64,
}

impl Default for BroadcastConfig {
    fn default() -> Self {
        BroadcastConfig {
            multicast_interface: None,
            multicast_group: None,
            multicast_port: 5004,
            utc_offset_minutes: 0,
            live_sources: Vec::new(),
            start_timeout_ms: 5_000,
        }
    }
}

/// `[plugins]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Plugins {
    /// Folder scanned for `*.wasm` drivers. Default `plugins`.
    pub dir: PathBuf,
    /// Longest a single driver call may run, ms. Default 200.
    pub call_timeout_ms: u64,
    /// Linear memory cap per driver instance, MiB. Default 64.
    pub memory_limit_mb: u64,
    /// Crashes within `crash_window_s` after which a device (or a driver, when no one device is at fault) is quarantined. Default 5.
    pub max_crashes: u32,
    /// Window for counting crashes, seconds. Default 60.
    pub crash_window_s: u64,
    /// How long a device (or a driver) that crashed `max_crashes` times is
    /// kept closed before it is tried again, seconds; an admin may release
    /// it sooner (`POST /api/v1/devices/{id}/release`). Default 600.
    pub quarantine_s: u64,
    /// How often the folder is checked for new or replaced drivers, ms. Default 1000.
    pub watch_interval_ms: u64,
    /// Events a device may send per second, sustained; over it the excess
    /// is dropped and reported (`driver.throttled`). Default 1000.
    pub max_events_per_s: u32,
    /// Events a device may send at once above that rate. Default 5000.
    pub max_events_burst: u32,
    /// Events one driver call may return. Default 1024.
    pub max_events_per_call: usize,
    /// Largest event without its pictures, KiB. Default 64.
    pub max_event_kb: usize,
    /// Devices of one driver started per second: their first requests (a
    /// camera's SOAP calls and pull-point subscription, a panel's first
    /// poll) go out at this rate, so 3,000 cameras do not all call at once.
    /// Default 500.
    pub device_starts_per_s: u32,
    /// Not in the file: an observer of every driver input, set by code
    /// that runs a hub to watch its drivers (the conformance kit).
    #[serde(skip)]
    #[schemars(skip)]
    pub tap: Option<crate::devices::tap::InputTap>,
}

impl Default for Plugins {
    fn default() -> Self {
        Plugins {
            dir: PathBuf::from("plugins"),
            call_timeout_ms: 200,
            memory_limit_mb: 64,
            max_crashes: 5,
            crash_window_s: 60,
            quarantine_s: 600,
            watch_interval_ms: 1000,
            max_events_per_s: 1000,
            max_events_burst: 5000,
            max_events_per_call: 1024,
            max_event_kb: 64,
            device_starts_per_s: 500,
            tap: None,
        }
    }
}

/// `[profiles]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Profiles {
    /// Folder holding `<family>/<model>.toml`. Default `device-profiles`.
    pub dir: PathBuf,
}

impl Default for Profiles {
    fn default() -> Self {
        Profiles {
            dir: PathBuf::from("device-profiles"),
        }
    }
}

/// `[bus]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BusConfig {
    /// `every-batch` (fsync each group commit) or `interval`. Default `every-batch`.
    /// Red events are on disk before they are acknowledged either way.
    pub flush: FlushMode,
    /// With `flush = "interval"`: the interval, ms. Default 200.
    pub flush_interval_ms: u64,
    /// Drop events older than this many days. Default 90; 0 keeps forever.
    pub retention_days: u64,
    /// Keep the log under this many MiB. Default 2048; 0 for no limit.
    pub retention_max_mb: u64,
    /// Events the northbound broker has not acknowledged outlive the age
    /// and size limits up to this many MiB; past it they go too and a
    /// `bus.gap` event names them. Default 4096; 0 for no hard cap.
    pub retention_hard_max_mb: u64,
}

/// Flush policy names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FlushMode {
    /// fsync each batch.
    #[default]
    EveryBatch,
    /// sled flushes on an interval.
    Interval,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            flush: FlushMode::default(),
            flush_interval_ms: 200,
            retention_days: 90,
            retention_max_mb: 2048,
            retention_hard_max_mb: 4096,
        }
    }
}

/// `[[zones]]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    /// Id, unique; letters, digits, `-`, `_`. Required.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Display name, e.g. 化学北楼. Default: the id.
    #[serde(default)]
    pub name: Option<String>,
    /// Enclosing zone. Default: none (a top-level zone).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub parent: Option<Spanned<String>>,
    /// Standing risk colour of the four-colour risk map while the zone
    /// (and the zones inside it) has no assessed risk point; once it has,
    /// its colour is its worst point's level. Default `blue`.
    #[serde(default = "default_risk")]
    pub risk: Level,
    /// Its own plan (a building's floor), on which its devices and the
    /// zones inside it are drawn. Default none: they are drawn on the
    /// nearest enclosing zone's plan, or the site's.
    #[serde(default)]
    pub plan: Option<super::map::Plan>,
    /// Its outline on the plan it is drawn on, `[[x, y], …]` (three points
    /// or more), coloured by its risk and flashing while it has an alarm.
    /// Default none.
    #[serde(default)]
    pub area: Vec<[f64; 2]>,
}

fn default_risk() -> Level {
    Level::Blue
}

/// `[northbound]`: forward every event to an MQTT broker and take commands from it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Northbound {
    /// `mqtt://host:port` or `mqtts://host:port`. Required.
    pub url: String,
    /// Client id. Default `twinwall-<site id>`.
    #[serde(default)]
    pub client_id: Option<String>,
    /// User name. Default none.
    #[serde(default)]
    pub username: Option<String>,
    /// Password. Default none. Never logged.
    #[serde(default)]
    pub password: Option<Secret>,
    /// MQTT keep-alive, seconds. Default 30.
    #[serde(default = "default_keep_alive")]
    pub keep_alive_s: u64,
    /// First topic level. Default `twinwall`.
    #[serde(default = "default_prefix")]
    pub topic_prefix: String,
    /// With mqtts: the CA certificate (PEM) that signed the broker's. Required for mqtts.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// With mqtts: a client certificate (PEM), for brokers that require one.
    #[serde(default)]
    pub client_cert_file: Option<PathBuf>,
    /// With mqtts: the client certificate's key (PEM).
    #[serde(default)]
    pub client_key_file: Option<PathBuf>,
    /// Events published and not yet acknowledged, at most. Default 256.
    #[serde(default = "default_inflight")]
    pub max_inflight: u16,
    /// Largest event message (topic and JSON) the broker takes, KiB; a
    /// larger event stays on the hub and a `northbound.dropped` event says
    /// so. Default 256 (many cloud brokers take 128: set it to theirs).
    #[serde(default = "default_max_message_kb")]
    pub max_message_kb: usize,
    /// Commands over MQTT.
    #[serde(default)]
    pub commands: MqttCommands,
    /// Publish Home Assistant MQTT discovery for every device (its
    /// connectivity). Default false.
    #[serde(default)]
    pub home_assistant: bool,
}

fn default_keep_alive() -> u64 {
    30
}
fn default_prefix() -> String {
    "twinwall".into()
}
fn default_inflight() -> u16 {
    256
}

/// `[northbound.commands]`: what the MQTT channel may do. The broker's ACLs
/// decide who may publish to the command topics; this decides what they may ask.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MqttCommands {
    /// Accept commands on `<prefix>/<site>/cmd/...`. Default false: a
    /// broker is another way in, opened on purpose.
    pub enabled: bool,
    /// The actor recorded in the audit trail. Default `mqtt`.
    pub actor: String,
    /// The commands this channel may send (names, e.g. `["reset",
    /// "acknowledge"]`); required when `enabled`. The device's driver and
    /// settings may refuse more.
    pub allow: Vec<String>,
}

fn default_max_message_kb() -> usize {
    256
}

impl Default for MqttCommands {
    fn default() -> Self {
        MqttCommands {
            enabled: false,
            actor: "mqtt".into(),
            allow: Vec::new(),
        }
    }
}
