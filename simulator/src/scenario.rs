//! Scenario files: which panels exist and what happens to them when.
//!
//! ```toml
//! repeat_after_s = 120          # optional: play again from the start
//!
//! [[panels]]
//! id = "fp-chem-north"
//! points = 32
//!
//! [[steps]]
//! at_s = 5
//! panel = "fp-chem-north"
//! action = "alarm"              # see `Action`
//! point = 3
//!
//! [[steps]]
//! at_s = 40
//! panel = "fp-chem-north"
//! fault = { fault = "delay", ms = 3000 }
//! ```

use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;

use crate::alarm_host::{AlarmHost, HostOptions, codes};
use crate::camera::{Camera, Topic};
use crate::face_gate::{Category, Denial, FaceGate, GateOptions, minor, people};
use crate::fire_panel::{Fault, FirePanel};
use crate::vehicle::{AnprCamera, AnprOptions, PlateColor, Role, plates};

/// A scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Play again from the start after this many seconds.
    #[serde(default)]
    pub repeat_after_s: Option<f64>,
    /// Panels to start.
    #[serde(default)]
    pub panels: Vec<PanelDecl>,
    /// Cameras to start.
    #[serde(default)]
    pub cameras: Vec<CameraDecl>,
    /// Face gates to start.
    #[serde(default)]
    pub gates: Vec<GateDecl>,
    /// Alarm hosts (perimeter, one-key posts) to start; they dial the
    /// receiver given to [`Fleet::set_receiver`].
    #[serde(default)]
    pub hosts: Vec<HostDecl>,
    /// Plate-reading cameras (barrier gates, speed cameras) to start.
    #[serde(default)]
    pub anpr: Vec<AnprDecl>,
    /// IP broadcast speakers to start.
    #[serde(default)]
    pub speakers: Vec<SpeakerDecl>,
    /// What happens when.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Steady passes at gates (students and staff coming and going).
    #[serde(default)]
    pub traffic: Vec<Traffic>,
}

/// IP speakers to start: `count` of them named `{id}-1`, `{id}-2`, …
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeakerDecl {
    /// Id, or the stem of the ids when `count` > 1.
    pub id: String,
    /// `TW-SP1` (TTS, multicast; default) or `TW-SP2` (unicast only).
    #[serde(default)]
    pub model: Option<String>,
    /// How many (default 1).
    #[serde(default = "one_speaker")]
    pub count: u16,
}

fn one_speaker() -> u16 {
    1
}

impl SpeakerDecl {
    /// The ids it declares.
    pub fn ids(&self) -> Vec<String> {
        if self.count <= 1 {
            vec![self.id.clone()]
        } else {
            (1..=self.count)
                .map(|n| format!("{}-{n}", self.id))
                .collect()
        }
    }

    fn model(&self) -> Option<crate::speaker::Model> {
        match self.model.as_deref() {
            None | Some("TW-SP1") => Some(crate::speaker::Model::sp1()),
            Some("TW-SP2") => Some(crate::speaker::Model::sp2()),
            Some(_) => None,
        }
    }
}

/// A fault a scenario gives a speaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerStep {
    /// The amplifier fails.
    Amplifier,
    /// The loudspeaker line opens.
    Line,
    /// Healthy again.
    Clear,
    /// Off the network.
    Down,
    /// Back on it.
    Up,
}

/// A face gate to start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateDecl {
    /// Id.
    pub id: String,
    /// Doors or lanes (default 2).
    #[serde(default = "default_doors")]
    pub doors: u8,
    /// Account user (default `admin`).
    #[serde(default = "default_user")]
    pub username: String,
    /// Account password (default `admin123`).
    #[serde(default = "default_password")]
    pub password: String,
    /// Fixed HTTP port (default: any free port).
    #[serde(default)]
    pub port: Option<u16>,
}

fn default_doors() -> u8 {
    2
}

/// A plate-reading camera.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnprDecl {
    /// Id.
    pub id: String,
    /// `barrier` or `speed`.
    pub role: Role,
    /// Speed limit, km/h (speed cameras; default 30).
    #[serde(default = "default_limit")]
    pub speed_limit_kmh: u16,
    /// Plates on the allow list (`blue:7`, …): staff cars.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Plates on the visitor list (booked visits).
    #[serde(default)]
    pub visitors: Vec<String>,
    /// Plates on the block list.
    #[serde(default)]
    pub block: Vec<String>,
}

fn default_limit() -> u16 {
    30
}

/// `blue:7` (colour:number, a local 豫 plate) → that plate.
pub fn parse_plate(s: &str) -> Option<crate::vehicle::Plate> {
    let (c, n) = s.split_once(':')?;
    let color = match c {
        "blue" => PlateColor::Blue,
        "yellow" => PlateColor::Yellow,
        "green" => PlateColor::Green,
        _ => return None,
    };
    Some(plates::plate(color, n.parse().ok()?, 5))
}

/// An alarm host reporting over SIA DC-09.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostDecl {
    /// Id.
    pub id: String,
    /// DC-09 account (hex).
    pub account: String,
    /// Zone map as the hub's perimeter driver takes it (`1=fence/north-a, …`).
    #[serde(default)]
    pub zones: String,
    /// Seconds between supervision messages (default 20).
    #[serde(default = "default_supervision")]
    pub supervision_s: u64,
}

fn default_supervision() -> u64 {
    20
}

/// What happens at an alarm host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostEvent {
    /// A fence zone touched (or `restore`).
    Touch,
    /// A fence wire cut.
    Cut,
    /// A beam broken.
    Beam,
    /// The enclosure opened.
    Tamper,
    /// A post's panic button pressed.
    Panic,
    /// A post's panic cancelled at the post.
    PanicCancel,
}

/// Random passes at a gate, one every `every_s` on average.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    /// Gate id.
    pub gate: String,
    /// Mean seconds between passes.
    pub every_s: f64,
}

/// What happens at a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateEvent {
    /// `person` passes (face verified).
    Pass,
    /// Someone is turned away for `reason`.
    Deny,
    /// The door is forced open.
    Forced,
    /// The door is held open too long.
    HeldOpen,
}

/// A panel to start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelDecl {
    /// Id.
    pub id: String,
    /// Number of points (default 32).
    #[serde(default = "default_points")]
    pub points: u16,
    /// Fixed port (default: any free port).
    #[serde(default)]
    pub port: Option<u16>,
}

fn default_points() -> u16 {
    32
}

/// A camera to start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraDecl {
    /// Id.
    pub id: String,
    /// Account user (default `admin`).
    #[serde(default = "default_user")]
    pub username: String,
    /// Account password (default `admin123`).
    #[serde(default = "default_password")]
    pub password: String,
    /// Fixed HTTP port (default: any free port).
    #[serde(default)]
    pub port: Option<u16>,
}

fn default_user() -> String {
    "admin".into()
}
fn default_password() -> String {
    "admin123".into()
}

/// Everything a scenario started.
#[derive(Default)]
pub struct Fleet {
    /// Fire panels by id.
    pub panels: HashMap<String, FirePanel>,
    /// Cameras by id.
    pub cameras: HashMap<String, Camera>,
    /// Face gates by id.
    pub gates: HashMap<String, FaceGate>,
    /// Alarm hosts by id.
    pub hosts: HashMap<String, AlarmHost>,
    /// Plate-reading cameras by id.
    pub anpr: HashMap<String, AnprCamera>,
    /// IP speakers by id.
    pub speakers: HashMap<String, crate::speaker::Speaker>,
}

/// What a fleet's cameras have been asked for: what a hub's stream checks
/// and subscriptions cost them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct CameraStats {
    /// RTSP sessions sending video now.
    pub playing: usize,
    /// RTP bytes sent since the start.
    pub rtp_bytes: u64,
    /// Pull-point subscriptions live now.
    pub subscriptions: usize,
    /// Pull-point subscriptions created since the start.
    pub subscriptions_created: u64,
}

impl Fleet {
    /// Totals over the fleet's cameras.
    pub fn camera_stats(&self) -> CameraStats {
        self.cameras
            .values()
            .fold(CameraStats::default(), |mut t, c| {
                t.playing += c.playing();
                t.rtp_bytes += c.rtp_bytes();
                t.subscriptions += c.subscriptions();
                t.subscriptions_created += c.subscriptions_created();
                t
            })
    }

    /// Point every alarm host at the receiver (the hub's DC-09 port).
    pub fn set_receiver(&self, addr: std::net::SocketAddr) {
        for h in self.hosts.values() {
            h.set_receiver(addr);
        }
    }
}

/// `staff:3` → that person.
pub fn parse_person(s: &str) -> Option<crate::face_gate::Person> {
    let (cat, n) = s.split_once(':')?;
    let category = match cat {
        "staff" => Category::Staff,
        "student" => Category::Student,
        "visitor" => Category::Visitor,
        _ => return None,
    };
    Some(people::person(category, n.parse().ok()?))
}

/// One scripted step: on a panel, an action, a fault or both; on a camera,
/// a condition (`topic`) set to `state`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Seconds from the start.
    pub at_s: f64,
    /// Panel id (or `camera`).
    #[serde(default)]
    pub panel: String,
    /// Camera id (or `panel`).
    #[serde(default)]
    pub camera: String,
    /// Gate id.
    #[serde(default)]
    pub gate: String,
    /// What happens at the gate.
    #[serde(default)]
    pub event: Option<GateEvent>,
    /// Who, as `category:n` (`staff:3`, `student:17`, `visitor:1`).
    #[serde(default)]
    pub person: Option<String>,
    /// `in` (default) or `out`.
    #[serde(default)]
    pub direction: Option<String>,
    /// Why a denial.
    #[serde(default)]
    pub reason: Option<Denial>,
    /// Door or lane (default 1).
    #[serde(default)]
    pub door: Option<u8>,
    /// Alarm host id.
    #[serde(default)]
    pub host: String,
    /// What happens at the host.
    #[serde(default)]
    pub alarm: Option<HostEvent>,
    /// The host's zone (default 1).
    #[serde(default)]
    pub zone: Option<u16>,
    /// A restore rather than a new event (default false).
    #[serde(default)]
    pub restore: bool,
    /// Plate-reading camera id.
    #[serde(default)]
    pub camera_anpr: String,
    /// The car, as `colour:n` (`blue:7`).
    #[serde(default)]
    pub plate: Option<String>,
    /// Lane (barrier gates: 1 in, 2 out).
    #[serde(default)]
    pub lane: Option<u8>,
    /// Speed, km/h (speed cameras; default drawn around the limit).
    #[serde(default)]
    pub speed_kmh: Option<u16>,
    /// Camera condition: `motion`, `tamper`, `signal_loss`.
    #[serde(default)]
    pub topic: Option<Topic>,
    /// Camera condition state (default true).
    #[serde(default)]
    pub state: Option<bool>,
    /// What happens at the panel.
    #[serde(default)]
    pub action: Option<Action>,
    /// The point, for point actions.
    #[serde(default)]
    pub point: Option<u16>,
    /// A fault to inject.
    #[serde(default)]
    pub fault: Option<Fault>,
    /// Speaker id.
    #[serde(default)]
    pub speaker: String,
    /// What happens to the speaker.
    #[serde(default)]
    pub speaker_fault: Option<SpeakerStep>,
}

/// Things that happen at a panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A detector senses fire (latches) or a supervisory input trips.
    Alarm,
    /// The cause goes away (supervisory restores; fire stays latched until reset).
    Restore,
    /// Pre-alarm raised.
    Prealarm,
    /// Pre-alarm cleared.
    PrealarmClear,
    /// Point fault raised.
    Fault,
    /// Point fault cleared.
    FaultClear,
    /// Point disabled (屏蔽).
    Disable,
    /// Point enabled.
    Enable,
    /// Mains failed.
    MainPowerFault,
    /// Mains back.
    MainPowerOk,
    /// Battery failed.
    BatteryFault,
    /// Battery back.
    BatteryOk,
    /// Someone pressed reset at the panel.
    Reset,
    /// Someone pressed silence.
    Silence,
    /// Someone pressed acknowledge.
    Acknowledge,
}

impl Action {
    fn needs_point(self) -> bool {
        matches!(
            self,
            Action::Alarm
                | Action::Restore
                | Action::Prealarm
                | Action::PrealarmClear
                | Action::Fault
                | Action::FaultClear
                | Action::Disable
                | Action::Enable
        )
    }
}

/// A scenario that does not make sense, located.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// TOML or schema error.
    #[error("scenario {file}: {message}")]
    Parse {
        /// File.
        file: String,
        /// Why.
        message: String,
    },
    /// A step that cannot be played.
    #[error("scenario {file}: step {step} (at_s = {at_s}): {message}")]
    Step {
        /// File.
        file: String,
        /// 1-based step number.
        step: usize,
        /// When.
        at_s: f64,
        /// Why.
        message: String,
    },
}

impl Scenario {
    /// Parse and check scenario text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, ScenarioError> {
        let s: Scenario = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|sp| text[..sp.start.min(text.len())].matches('\n').count() + 1);
            ScenarioError::Parse {
                file: format!(
                    "{file}{}",
                    line.map(|l| format!(":{l}")).unwrap_or_default()
                ),
                message: e.message().to_owned(),
            }
        })?;
        let points: HashMap<&str, u16> =
            s.panels.iter().map(|p| (p.id.as_str(), p.points)).collect();
        let speakers: Vec<String> = s.speakers.iter().flat_map(SpeakerDecl::ids).collect();
        if let Some(d) = s.speakers.iter().find(|d| d.model().is_none()) {
            return Err(ScenarioError::Parse {
                file: file.to_owned(),
                message: format!("speaker `{}`: model is TW-SP1 or TW-SP2", d.id),
            });
        }
        for (i, st) in s.steps.iter().enumerate() {
            let bad = |message: String| ScenarioError::Step {
                file: file.to_owned(),
                step: i + 1,
                at_s: st.at_s,
                message,
            };
            if st.at_s.is_nan() || st.at_s < 0.0 {
                return Err(bad("at_s must be ≥ 0".into()));
            }
            if !st.speaker.is_empty() {
                if !speakers.contains(&st.speaker) || st.speaker_fault.is_none() {
                    return Err(bad(format!(
                        "unknown speaker `{}` or no `speaker_fault` (amplifier, line, clear, down, up)",
                        st.speaker
                    )));
                }
                continue;
            }
            if !st.camera_anpr.is_empty() {
                if !s.anpr.iter().any(|a| a.id == st.camera_anpr)
                    || st.plate.as_deref().and_then(parse_plate).is_none()
                {
                    return Err(bad(format!(
                        "unknown plate camera `{}`, or no `plate` as colour:n",
                        st.camera_anpr
                    )));
                }
                continue;
            }
            if !st.host.is_empty() {
                if !s.hosts.iter().any(|h| h.id == st.host) || st.alarm.is_none() {
                    return Err(bad(format!(
                        "unknown host `{}` or no `alarm` (touch, cut, beam, tamper, panic, panic_cancel)",
                        st.host
                    )));
                }
                continue;
            }
            if !st.gate.is_empty() {
                if !st.panel.is_empty()
                    || !st.camera.is_empty()
                    || !s.gates.iter().any(|g| g.id == st.gate)
                {
                    return Err(bad(format!(
                        "unknown gate `{}` (or `panel`/`camera` given too)",
                        st.gate
                    )));
                }
                let Some(ev) = st.event else {
                    return Err(bad("a gate step needs an `event`".into()));
                };
                if let Some(p) = &st.person
                    && parse_person(p).is_none()
                {
                    return Err(bad(format!(
                        "person `{p}` is not `staff:N`, `student:N` or `visitor:N`"
                    )));
                }
                match ev {
                    GateEvent::Pass if st.person.is_none() => {
                        return Err(bad("a pass needs a `person`".into()));
                    }
                    GateEvent::Deny if st.reason.is_none() => {
                        return Err(bad("a denial needs a `reason`".into()));
                    }
                    _ => {}
                }
                if !matches!(st.direction.as_deref(), None | Some("in" | "out")) {
                    return Err(bad("`direction` is `in` or `out`".into()));
                }
                continue;
            }
            if !st.camera.is_empty() {
                if !st.panel.is_empty() || !s.cameras.iter().any(|c| c.id == st.camera) {
                    return Err(bad(format!(
                        "unknown camera `{}` (or both `panel` and `camera` given)",
                        st.camera
                    )));
                }
                if st.topic.is_none()
                    || st.action.is_some()
                    || st.point.is_some()
                    || st.fault.is_some()
                {
                    return Err(bad("a camera step takes `topic` and `state` only".into()));
                }
                continue;
            }
            let Some(n) = points.get(st.panel.as_str()) else {
                return Err(bad(format!("unknown panel `{}`", st.panel)));
            };
            match (st.action, st.point) {
                (None, _) if st.fault.is_none() => {
                    return Err(bad("a step needs an `action` or a `fault`".into()));
                }
                (Some(a), None) if a.needs_point() => {
                    return Err(bad(format!("action {a:?} needs a `point`")));
                }
                (_, Some(p)) if p == 0 || p > *n => {
                    return Err(bad(format!(
                        "point {p} is not on panel `{}` (1..={n})",
                        st.panel
                    )));
                }
                _ => {}
            }
        }
        for t in &s.traffic {
            let known =
                s.gates.iter().any(|g| g.id == t.gate) || s.anpr.iter().any(|a| a.id == t.gate);
            if !known || t.every_s.is_nan() || t.every_s <= 0.0 {
                return Err(ScenarioError::Parse {
                    file: file.to_owned(),
                    message: format!("traffic at unknown gate `{}` or with every_s ≤ 0", t.gate),
                });
            }
        }
        Ok(s)
    }

    /// Start every panel, camera and gate the scenario declares on `host`.
    pub async fn start(&self, host: std::net::IpAddr) -> std::io::Result<Fleet> {
        let mut fleet = Fleet::default();
        for d in &self.panels {
            let p = FirePanel::start(
                &d.id,
                std::net::SocketAddr::new(host, d.port.unwrap_or(0)),
                d.points,
            )
            .await?;
            fleet.panels.insert(d.id.clone(), p);
        }
        for c in &self.cameras {
            let cam = Camera::start(
                &c.id,
                std::net::SocketAddr::new(host, c.port.unwrap_or(0)),
                &c.username,
                &c.password,
            )
            .await?;
            fleet.cameras.insert(c.id.clone(), cam);
        }
        for h in &self.hosts {
            // The receiver is the hub, started after its devices: the host
            // keeps trying until `Fleet::set_receiver` says where it is.
            let mut o = HostOptions::new(&h.account, std::net::SocketAddr::new(host, 9));
            o.supervision_s = h.supervision_s;
            let ah = AlarmHost::start(&h.id, std::net::SocketAddr::new(host, 0), o).await?;
            fleet.hosts.insert(h.id.clone(), ah);
        }
        for a in &self.anpr {
            let cam = AnprCamera::start(
                &a.id,
                std::net::SocketAddr::new(host, 0),
                "admin",
                "admin123",
                AnprOptions {
                    role: a.role,
                    speed_limit_kmh: a.speed_limit_kmh,
                    ..AnprOptions::default()
                },
            )
            .await?;
            for p in a.allow.iter().filter_map(|p| parse_plate(p)) {
                cam.allow(&p.text);
            }
            for p in a.visitors.iter().filter_map(|p| parse_plate(p)) {
                cam.visitor(&p.text);
            }
            for p in a.block.iter().filter_map(|p| parse_plate(p)) {
                cam.block(&p.text);
            }
            fleet.anpr.insert(a.id.clone(), cam);
        }
        for d in &self.speakers {
            let model = d.model().unwrap_or_else(crate::speaker::Model::sp1);
            for id in d.ids() {
                let sp = crate::speaker::Speaker::start(
                    &id,
                    std::net::SocketAddr::new(host, 0),
                    model.clone(),
                )
                .await?;
                fleet.speakers.insert(id, sp);
            }
        }
        for g in &self.gates {
            let gate = FaceGate::start(
                &g.id,
                std::net::SocketAddr::new(host, g.port.unwrap_or(0)),
                &g.username,
                &g.password,
                GateOptions {
                    doors: g.doors,
                    ..GateOptions::default()
                },
            )
            .await?;
            fleet.gates.insert(g.id.clone(), gate);
        }
        Ok(fleet)
    }

    /// Play the steps against `fleet`, repeating if asked. Runs until aborted
    /// (or, without repeat, until the last step).
    pub async fn play(&self, fleet: &Fleet) {
        let mut steps = self.steps.clone();
        steps.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
        let traffic = async {
            futures_util::future::join_all(self.traffic.iter().map(|t| async {
                if let Some(gate) = fleet.gates.get(&t.gate) {
                    run_traffic(gate, t.every_s).await;
                } else if let Some(cam) = fleet.anpr.get(&t.gate) {
                    run_cars(cam, t.every_s).await;
                }
            }))
            .await;
            // A scenario without traffic (or whose traffic names no device)
            // still plays its steps.
            std::future::pending::<()>().await
        };
        tokio::select! {
            _ = self.play_steps(&steps, fleet) => {}
            _ = traffic => {}
        }
    }

    async fn play_steps(&self, steps: &[Step], fleet: &Fleet) {
        loop {
            let start = tokio::time::Instant::now();
            for st in steps {
                tokio::time::sleep_until(start + Duration::from_secs_f64(st.at_s)).await;
                if let Some(p) = fleet.panels.get(&st.panel) {
                    apply(p, st);
                }
                if let (Some(c), Some(topic)) = (fleet.cameras.get(&st.camera), st.topic) {
                    c.set(topic, st.state.unwrap_or(true));
                }
                if let Some(g) = fleet.gates.get(&st.gate) {
                    gate_step(g, st);
                }
                if let (Some(sp), Some(f)) = (fleet.speakers.get(&st.speaker), st.speaker_fault) {
                    speaker_step(sp, f);
                }
                if let (Some(h), Some(a)) = (fleet.hosts.get(&st.host), st.alarm) {
                    host_step(h, a, st.zone.unwrap_or(1), st.restore);
                }
                if let (Some(c), Some(p)) = (
                    fleet.anpr.get(&st.camera_anpr),
                    st.plate.as_deref().and_then(parse_plate),
                ) {
                    tracing::info!(camera = c.id(), plate = %p.text, "scenario step");
                    match st.speed_kmh {
                        Some(v) => c.pass_at(&p, st.lane.unwrap_or(1), Some(v)),
                        None => c.pass(&p, st.lane.unwrap_or(1)),
                    };
                }
            }
            match self.repeat_after_s {
                Some(r) if r > 0.0 => {
                    tokio::time::sleep_until(start + Duration::from_secs_f64(r)).await
                }
                _ => return,
            }
        }
    }
}

/// Random passes of students and staff at `gate`, one every `every_s` on
/// average, in and out alike.
async fn run_traffic(gate: &FaceGate, every_s: f64) {
    loop {
        let wait = every_s * (0.5 + fastrand::f64());
        tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        let category = if fastrand::u8(..10) < 7 {
            Category::Student
        } else {
            Category::Staff
        };
        let p = people::person(category, fastrand::u32(0..300));
        gate.pass(&p, fastrand::u8(1..3), fastrand::bool());
    }
}

/// Cars coming and going (barrier gates: in and out, a car that came in
/// leaves later) or passing (speed cameras), one every `every_s` on average.
async fn run_cars(cam: &AnprCamera, every_s: f64) {
    let mut inside: std::collections::VecDeque<crate::vehicle::Plate> = Default::default();
    loop {
        let wait = every_s * (0.5 + fastrand::f64());
        tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        if inside.len() > 3 && fastrand::bool() {
            if let Some(p) = inside.pop_front() {
                cam.pass(&p, 2);
            }
        } else {
            let p = plates::random();
            cam.pass(&p, 1);
            inside.push_back(p);
        }
    }
}

/// Apply one step to a speaker.
pub fn speaker_step(sp: &crate::speaker::Speaker, what: SpeakerStep) {
    use crate::speaker::SpeakerFault;
    tracing::info!(speaker = sp.id(), ?what, "scenario step");
    match what {
        SpeakerStep::Amplifier => sp.fault(SpeakerFault::Amplifier),
        SpeakerStep::Line => sp.fault(SpeakerFault::Line),
        SpeakerStep::Clear => sp.fault(SpeakerFault::Clear),
        SpeakerStep::Down => sp.set_down(true),
        SpeakerStep::Up => sp.set_down(false),
    }
}

/// Apply one step to an alarm host.
pub fn host_step(h: &AlarmHost, what: HostEvent, zone: u16, restore: bool) {
    let q = if restore { 3 } else { 1 };
    tracing::info!(host = h.id(), ?what, zone, restore, "scenario step");
    match what {
        HostEvent::Touch => h.report(q, codes::PERIMETER, 1, zone),
        HostEvent::Cut => h.report(q, codes::CUT, 1, zone),
        HostEvent::Beam => h.report(q, codes::PERIMETER, 1, zone),
        HostEvent::Tamper => h.report(q, codes::TAMPER, 1, zone),
        HostEvent::Panic => h.report(q, codes::PANIC, 1, zone),
        HostEvent::PanicCancel => h.panic_cancel(zone),
    }
}

/// Apply one step to a gate.
pub fn gate_step(gate: &FaceGate, st: &Step) {
    let door = st.door.unwrap_or(1);
    let person = st.person.as_deref().and_then(parse_person);
    let entering = st.direction.as_deref() != Some("out");
    tracing::info!(gate = gate.id(), event = ?st.event, person = ?person.as_ref().map(|p| &p.id), "scenario step");
    match st.event {
        Some(GateEvent::Pass) => {
            if let Some(p) = &person {
                gate.pass(p, door, entering);
            }
        }
        Some(GateEvent::Deny) => {
            if let Some(r) = st.reason {
                gate.deny(person.as_ref(), door, r);
            }
        }
        Some(GateEvent::Forced) => {
            gate.door_event(door, minor::DOOR_OPEN_ABNORMAL);
        }
        Some(GateEvent::HeldOpen) => {
            gate.door_event(door, minor::DOOR_OPEN_TIMEOUT);
        }
        None => {}
    }
}

/// Apply one step to a panel.
pub fn apply(panel: &FirePanel, st: &Step) {
    if let Some(f) = st.fault {
        panel.fault(f);
    }
    let Some(action) = st.action else { return };
    let p = st.point.unwrap_or(0);
    tracing::info!(panel = panel.id(), ?action, point = p, "scenario step");
    panel.with_state(|s| match action {
        Action::Alarm => {
            s.alarm(p);
        }
        Action::Restore => {
            s.restore(p);
        }
        Action::Prealarm => {
            s.set_prealarm(p, true);
        }
        Action::PrealarmClear => {
            s.set_prealarm(p, false);
        }
        Action::Fault => {
            s.set_fault(p, true);
        }
        Action::FaultClear => {
            s.set_fault(p, false);
        }
        Action::Disable => {
            s.set_disabled(p, true);
        }
        Action::Enable => {
            s.set_disabled(p, false);
        }
        Action::MainPowerFault => s.main_power_fault = true,
        Action::MainPowerOk => s.main_power_fault = false,
        Action::BatteryFault => s.battery_fault = true,
        Action::BatteryOk => s.battery_fault = false,
        Action::Reset => s.reset(),
        Action::Silence => s.silence(),
        Action::Acknowledge => s.acknowledge(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_scenario_without_traffic_plays_its_steps() {
        let text = "[[panels]]\nid = \"a\"\npoints = 4\n[[steps]]\nat_s = 0.2\npanel = \"a\"\naction = \"alarm\"\npoint = 3\n";
        let s = Scenario::parse(text, "s.toml").unwrap();
        let fleet = s.start("127.0.0.1".parse().unwrap()).await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), s.play(&fleet))
            .await
            .expect("a scenario without repeat ends after its last step");
        let panel = fleet.panels.get("a").unwrap();
        assert!(
            panel.with_state(|p| p.leds()[crate::fire_panel::state::leds::FIRE]),
            "the alarm step was played"
        );
    }

    #[test]
    fn steps_are_checked_against_panels() {
        let ok = "[[panels]]\nid = \"a\"\npoints = 4\n[[steps]]\nat_s = 1\npanel = \"a\"\naction = \"alarm\"\npoint = 3\n";
        assert_eq!(Scenario::parse(ok, "s.toml").unwrap().steps.len(), 1);
        let e = Scenario::parse(&ok.replace("point = 3", "point = 9"), "s.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("step 1") && e.contains("point 9"), "{e}");
        let e = Scenario::parse(&ok.replace("panel = \"a\"", "panel = \"b\""), "s.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown panel `b`"), "{e}");
        let e = Scenario::parse(
            &ok.replace("action = \"alarm\"", "action = \"explode\""),
            "s.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("s.toml:") && e.contains("explode"), "{e}");
        let f = "[[panels]]\nid = \"a\"\n[[steps]]\nat_s = 1\npanel = \"a\"\nfault = { fault = \"delay\", ms = 500 }\n";
        assert_eq!(
            Scenario::parse(f, "s.toml").unwrap().steps[0].fault,
            Some(Fault::Delay { ms: 500 })
        );
        let cam =
            "[[cameras]]\nid = \"c\"\n[[steps]]\nat_s = 2\ncamera = \"c\"\ntopic = \"motion\"\n";
        assert_eq!(
            Scenario::parse(cam, "s.toml").unwrap().steps[0].topic,
            Some(Topic::Motion)
        );
        let e = Scenario::parse(&cam.replace("camera = \"c\"", "camera = \"d\""), "s.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown camera `d`"), "{e}");
    }
}
