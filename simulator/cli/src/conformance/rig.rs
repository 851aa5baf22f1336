//! One simulated device per family, and what the behaviour script can do
//! with it: raise and clear a condition, make an instant event, cut it off
//! the network, send it duplicates, and the commands whose effect on the
//! device can be seen.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use twinwall_hub::Hub;
use twinwall_simulator::alarm_host::{AlarmHost, HostFault, HostOptions, codes};
use twinwall_simulator::camera::{Camera, Topic};
use twinwall_simulator::face_gate::{FaceGate, GateFault, GateOptions, people};
use twinwall_simulator::fire_panel::{Fault, FirePanel};
use twinwall_simulator::hub_entry::DeviceEntry;
use twinwall_simulator::speaker::{Model, Speaker, SpeakerFault};
use twinwall_simulator::vehicle::{AnprCamera, AnprOptions, Barrier, Role, plates};

/// The families the kit has scenarios for, with the device each runs.
pub const FAMILIES: &[(&str, &str)] = &[
    (
        "fire-panel",
        "Modbus TCP fire-alarm panel, register map TW-FP1",
    ),
    (
        "sensor",
        "Modbus TCP dry contacts (a panel's summary LEDs as inputs)",
    ),
    ("camera", "ONVIF camera: pull-point events, media, RTSP"),
    ("face-gate", "ISAPI face-recognition gate, pushing passes"),
    ("barrier-gate", "ISAPI plate-reading barrier camera"),
    ("speed-camera", "ISAPI plate-reading speed camera"),
    ("perimeter", "SIA DC-09 alarm host dialling in, fence zones"),
    ("panic-post", "SIA DC-09 one-key alarm post dialling in"),
    ("speaker", "IP speaker: HTTP control, RTP and TTS"),
];

/// The device under test's id.
pub(crate) const DEVICE: &str = "dut-1";

/// A command the script sends, and how its effect shows on the device.
pub(crate) struct CommandCase {
    pub name: &'static str,
    pub args: Value,
    /// An event kind the command makes the driver report, if any.
    pub event: Option<&'static str>,
}

enum Device {
    Panel(FirePanel),
    Camera(Camera),
    Gate(FaceGate),
    Anpr(AnprCamera),
    Host {
        host: Option<AlarmHost>,
        control: SocketAddr,
        receiver: Option<SocketAddr>,
    },
    Speaker(Speaker),
}

/// The simulated device of one family.
pub(crate) struct Rig {
    family: &'static str,
    device: Device,
    /// The `offline_after_ms` the device entry declares.
    pub offline_after_ms: u64,
}

impl Rig {
    /// Start the family's device on loopback.
    pub async fn start(family: &str) -> anyhow::Result<Rig> {
        let any = || -> SocketAddr { SocketAddr::from(([127, 0, 0, 1], 0)) };
        let (family, device, offline_after_ms) = match family {
            "fire-panel" => (
                "fire-panel",
                Device::Panel(FirePanel::start(DEVICE, any(), 16).await?),
                1500,
            ),
            "sensor" => (
                "sensor",
                Device::Panel(FirePanel::start(DEVICE, any(), 16).await?),
                1500,
            ),
            "camera" => (
                "camera",
                Device::Camera(Camera::start(DEVICE, any(), "admin", "kit-pw").await?),
                6000,
            ),
            "face-gate" => (
                "face-gate",
                Device::Gate(
                    FaceGate::start(DEVICE, any(), "admin", "kit-pw", GateOptions::default())
                        .await?,
                ),
                12000,
            ),
            "barrier-gate" | "speed-camera" => {
                let role = if family == "barrier-gate" {
                    Role::Barrier
                } else {
                    Role::Speed
                };
                let opts = AnprOptions {
                    role,
                    speed_limit_kmh: 30,
                    // Every read reported twice, as cameras do when a car lingers.
                    duplicate_share: 1.0,
                    ..AnprOptions::default()
                };
                let name = if role == Role::Barrier {
                    "barrier-gate"
                } else {
                    "speed-camera"
                };
                (
                    name,
                    Device::Anpr(AnprCamera::start(DEVICE, any(), "admin", "kit-pw", opts).await?),
                    12000,
                )
            }
            "perimeter" | "panic-post" => {
                // The control port goes into the config before the host can start.
                let control = std::net::TcpListener::bind(any())?.local_addr()?;
                let name = if family == "perimeter" {
                    "perimeter"
                } else {
                    "panic-post"
                };
                (
                    name,
                    Device::Host {
                        host: None,
                        control,
                        receiver: None,
                    },
                    4000,
                )
            }
            "speaker" => (
                "speaker",
                Device::Speaker(Speaker::start(DEVICE, any(), Model::sp1()).await?),
                3000,
            ),
            other => anyhow::bail!("no scenario for family `{other}`"),
        };
        Ok(Rig {
            family,
            device,
            offline_after_ms,
        })
    }

    /// The family's device entry for `driver`: its profile, address,
    /// account, timeouts and settings.
    fn entry(&self, driver: &str) -> DeviceEntry {
        let off = self.offline_after_ms;
        let at = |address: SocketAddr| {
            DeviceEntry::new(DEVICE, driver, "kit", address).offline_after_ms(off)
        };
        match (&self.device, self.family) {
            (Device::Panel(p), "fire-panel") => at(p.addr())
                .profile("fire-panel/twinwall-fp1")
                .key("request_timeout_ms", 400)
                .setting("points", 16)
                .setting("allow_commands", "reset,silence,acknowledge"),
            (Device::Panel(p), _) => at(p.addr())
                .setting("inputs", "0=panel_common_alarm, 2=panel_fault")
                .setting("poll_ms", 200),
            (Device::Camera(c), _) => at(c.addr())
                .profile("camera/twinwall-cam1")
                .account("admin", "kit-pw")
                .setting("sample_every_s", 10),
            (Device::Gate(g), _) => at(g.addr())
                .profile("face-gate/twinwall-fg1")
                .account("admin", "kit-pw")
                .setting("mode", "push"),
            (Device::Anpr(a), family) => at(a.addr())
                .profile(if family == "barrier-gate" {
                    "vehicle/twinwall-bg1"
                } else {
                    "vehicle/twinwall-sc1"
                })
                .account("admin", "kit-pw")
                .setting("mode", "push"),
            (Device::Host { control, .. }, _) => at(*control)
                .profile("perimeter/twinwall-ph1")
                .account("admin", "admin123")
                .setting("account", "1234")
                .setting(
                    "zones",
                    "1=fence/north-fence-a, 2=beam/east-wall, 9=post/library-post",
                ),
            (Device::Speaker(s), _) => at(s.addr())
                .profile("speaker/twinwall-sp1")
                .key("request_timeout_ms", 1000),
        }
    }

    /// The hub config after `[site]`, `[http]`, `[plugins]` and `[profiles]`:
    /// zones, ports and the device entry. `profile` replaces the family's
    /// profile; each of `settings` replaces (or, without a value, removes)
    /// the setting of that key.
    pub fn config(
        &self,
        driver: &str,
        profile: Option<&str>,
        overrides: &[(String, Option<String>)],
    ) -> String {
        let mut e = self.entry(driver);
        if let Some(p) = profile {
            e = e.profile(p);
        }
        for (k, v) in overrides {
            e.set_setting(k, v.clone().map(toml::Value::String));
        }
        let ports = match self.device {
            Device::Host { .. } => "[listen.ports]\ndc09 = \"127.0.0.1:0\"\n",
            _ => "",
        };
        format!(
            "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"kit\"\nparent = \"campus\"\n{ports}{}",
            e.to_toml()
        )
    }

    /// Whatever needs the running hub (an alarm host dials its receiver port).
    pub async fn attach(&mut self, hub: &Hub) -> anyhow::Result<()> {
        if let Device::Host {
            host,
            control,
            receiver,
        } = &mut self.device
        {
            let rx = hub
                .port_addr("dc09")
                .ok_or_else(|| anyhow::anyhow!("the hub has no dc09 port"))?;
            let mut o = HostOptions::new("1234", rx);
            o.supervision_s = 1;
            *host = Some(AlarmHost::start(DEVICE, *control, o).await?);
            *receiver = Some(rx);
        }
        Ok(())
    }

    fn host(&self) -> Option<&AlarmHost> {
        match &self.device {
            Device::Host { host, .. } => host.as_ref(),
            _ => None,
        }
    }

    /// The condition kind the script raises and clears, if the family has one.
    pub fn condition_kind(&self) -> Option<&'static str> {
        match (&self.device, self.family) {
            (Device::Panel(_), "fire-panel") => Some("fire.alarm"),
            (Device::Panel(_), _) => Some("sensor.alarm"),
            (Device::Camera(_), _) => Some("camera.motion"),
            (Device::Host { .. }, "panic-post") => Some("panic.pressed"),
            (Device::Host { .. }, _) => Some("perimeter.intrusion"),
            (Device::Speaker(_), _) => Some("speaker.fault"),
            _ => None,
        }
    }

    /// Raise (`on`) or clear the condition, as a person or detector at the
    /// device would.
    pub fn condition(&self, on: bool) {
        match &self.device {
            Device::Panel(p) => p.with_state(|s| {
                if on {
                    s.alarm(3);
                } else {
                    s.reset();
                }
            }),
            Device::Camera(c) => c.set(Topic::Motion, on),
            Device::Host { .. } if self.family == "panic-post" => {
                if let Some(h) = self.host() {
                    if on {
                        h.panic(9);
                    } else {
                        h.panic_cancel(9);
                    }
                }
            }
            Device::Host { .. } => {
                if let Some(h) = self.host() {
                    h.fence_touch(1, on);
                }
            }
            Device::Speaker(s) => s.fault(if on {
                SpeakerFault::Amplifier
            } else {
                SpeakerFault::Clear
            }),
            Device::Gate(_) | Device::Anpr(_) => {}
        }
    }

    /// The instant kind the script makes happen, if the family has one.
    pub fn instant_kind(&self) -> Option<&'static str> {
        match &self.device {
            Device::Gate(_) => Some("access.granted"),
            Device::Anpr(_) => Some("vehicle.plate"),
            Device::Host { .. } => Some("perimeter.tamper"),
            _ => None,
        }
    }

    /// Make one instant event happen (the `n`th: a new person or car).
    pub fn instant(&self, n: u32) {
        match &self.device {
            Device::Gate(g) => {
                g.pass(&people::person(people::Category::Staff, n), 1, true);
            }
            Device::Anpr(a) => {
                a.pass_at(&plates::plate(plates::PlateColor::Blue, n, 5), 1, Some(20));
            }
            Device::Host { .. } => {
                if let Some(h) = self.host() {
                    // A tamper is a condition: opened and closed again.
                    h.report(1, codes::TAMPER, 1, n as u16);
                    h.report(3, codes::TAMPER, 1, n as u16);
                }
            }
            _ => {}
        }
    }

    /// Whether the family's device can send the same event twice on demand.
    pub fn duplicates(&self) -> Option<&'static str> {
        match &self.device {
            Device::Host { .. } => Some("every DC-09 frame sent twice"),
            Device::Gate(_) => Some("every push sent twice with the same serialNo"),
            Device::Anpr(_) => Some("every plate read reported twice"),
            _ => None,
        }
    }

    /// Pushes the device has had answered, where it counts them (so a
    /// duplicates check can see the repeat really went out).
    pub fn deliveries(&self) -> Option<u64> {
        match &self.device {
            Device::Gate(g) => Some(g.pushed()),
            Device::Anpr(a) => Some(a.pushed()),
            _ => None,
        }
    }

    /// Start or stop sending duplicates.
    pub fn send_duplicates(&self, on: bool) {
        if let Some(h) = self.host() {
            h.fault(if on {
                HostFault::Duplicate
            } else {
                HostFault::Clear
            });
        }
        if let Device::Gate(g) = &self.device {
            g.fault(if on {
                GateFault::Duplicate
            } else {
                GateFault::Clear
            });
        }
        // The ANPR camera was started reporting every read twice.
    }

    /// Cut the device off the network (`down`), or bring it back.
    pub async fn set_down(&self, down: bool) -> anyhow::Result<()> {
        match &self.device {
            Device::Panel(p) => p.fault(if down { Fault::Down } else { Fault::Clear }),
            Device::Camera(c) => c.set_down(down).await?,
            Device::Gate(g) => g.set_down(down),
            Device::Anpr(a) => a.set_down(down),
            Device::Speaker(s) => s.set_down(down),
            Device::Host { host, receiver, .. } => {
                if let (Some(h), Some(rx)) = (host, receiver) {
                    // The host's line to the receiver is cut: it keeps
                    // what it could not deliver and retries.
                    let dead = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
                    h.set_receiver(if down { dead } else { *rx });
                }
            }
        }
        Ok(())
    }

    /// The commands the script sends.
    pub fn commands(&self) -> Vec<CommandCase> {
        let case = |name, args, event| CommandCase { name, args, event };
        match (&self.device, self.family) {
            (Device::Panel(_), "fire-panel") => vec![
                case("reset", json!({}), Some("fire.panel")),
                case("silence", json!({}), Some("fire.panel")),
                case("acknowledge", json!({}), Some("fire.panel")),
            ],
            (Device::Camera(_), _) => vec![
                case("stream_uri", json!({}), Some("camera.stream_uri")),
                case("snapshot", json!({}), Some("camera.snapshot")),
            ],
            (Device::Gate(_), _) => [
                "door.open",
                "door.close",
                "door.keep_open",
                "door.keep_closed",
                "door.normal",
            ]
            .into_iter()
            .map(|n| case(n, json!({"door": 1}), None))
            .collect(),
            (Device::Anpr(_), "barrier-gate") => [
                "barrier.open",
                "barrier.close",
                "barrier.keep_open",
                "barrier.release",
            ]
            .into_iter()
            .map(|n| case(n, json!({}), None))
            .collect(),
            (Device::Host { .. }, _) => vec![
                case("arm", json!({"partition": 1}), None),
                case("disarm", json!({"partition": 1}), None),
                case("bypass", json!({"zone": 2}), Some("perimeter.bypassed")),
                case("unbypass", json!({"zone": 2}), None),
                case("fence.hv", json!({"on": true}), None),
            ],
            (Device::Speaker(_), _) => vec![
                case("volume", json!({"level": 40}), None),
                case(
                    "play",
                    json!({"job": "kit-1", "priority": 50, "text": "演练"}),
                    Some("speaker.playing"),
                ),
                case("stop", json!({}), None),
            ],
            _ => Vec::new(),
        }
    }

    /// Whether the device shows the effect of `name` (`None`: the device
    /// has nothing to look at beyond its answer).
    pub fn command_seen(&self, name: &str) -> Option<bool> {
        match &self.device {
            Device::Panel(p) => {
                let i = ["reset", "silence", "acknowledge"]
                    .iter()
                    .position(|c| *c == name)?;
                Some(p.with_state(|s| s.counters[i] > 0))
            }
            Device::Gate(g) => match name {
                "door.keep_open" => Some(g.door_always_open(1)),
                "door.normal" => Some(!g.door_always_open(1)),
                _ => None,
            },
            Device::Anpr(a) => match name {
                "barrier.open" => Some(a.barrier() != Barrier::Closed),
                "barrier.keep_open" => Some(a.barrier() == Barrier::HeldOpen),
                "barrier.release" | "barrier.close" => Some(a.barrier() == Barrier::Closed),
                _ => None,
            },
            Device::Host { .. } => match name {
                "arm" => Some(self.host()?.armed()),
                "disarm" => Some(!self.host()?.armed()),
                _ => None,
            },
            Device::Speaker(s) => match name {
                "volume" => Some(s.status().volume == 40),
                "play" => {
                    Some(s.status().job.as_deref() == Some("kit-1") || !s.played().is_empty())
                }
                "stop" => Some(s.status().job.is_none()),
                _ => None,
            },
            Device::Camera(_) => None,
        }
    }

    /// How long a device of this family takes to settle after start (the
    /// first poll, the push target, the subscription).
    pub fn settle(&self) -> Duration {
        Duration::from_millis(match &self.device {
            Device::Panel(_) | Device::Speaker(_) => 1000,
            _ => 2000,
        })
    }
}
