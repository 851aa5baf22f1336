//! Scale mode: thousands of devices of each family in one process, a
//! steady rate of changes and bursts (a building raising at once), and the
//! hub's `[[devices]]` entries that name them, so vendors and the benchmark
//! can load a hub.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use twinwall_simulator::scale::{Scale, Load};
//! let scale = Scale { fire_panels: 2_000, face_gates: 500, ..Scale::default() };
//! let fleet = scale.start().await?;
//! std::fs::write("devices.toml", scale.hub_devices(&fleet, "campus"))?;
//! Load { rate: 200.0, burst: 500, burst_every_s: 60.0 }.run(&fleet).await;
//! # Ok(()) }
//! ```

use crate::hub_entry::DeviceEntry;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::alarm_host::{AlarmHost, HostOptions};
use crate::camera::Camera;
use crate::face_gate::{FaceGate, GateOptions, people};
use crate::fire_panel::FirePanel;
use crate::scenario::Fleet;
use crate::speaker::{Model, Speaker};
use crate::vehicle::{AnprCamera, AnprOptions, plates};

/// How many devices of each family, and where.
#[derive(Debug, Clone)]
pub struct Scale {
    /// Fire panels (Modbus TCP), named `fp-{n}`.
    pub fire_panels: usize,
    /// Points per panel.
    pub points: u16,
    /// Face gates (ISAPI), named `fg-{n}`.
    pub face_gates: usize,
    /// IP speakers, named `sp-{n}`.
    pub speakers: usize,
    /// ONVIF cameras, named `cam-{n}`.
    pub cameras: usize,
    /// Their video bitrate, kbit/s (`None`: as encoded, ~3,700 main stream).
    pub camera_kbps: Option<u32>,
    /// Driver settings for the cameras' hub entries (TOML inline-table
    /// body, e.g. `sample_every_s = 60`).
    pub camera_settings: Option<String>,
    /// Plate-reading barrier cameras (ISAPI ANPR), named `bg-{n}`.
    pub barrier_cameras: usize,
    /// Alarm hosts (DC-09), named `ah-{n}`; they dial `receiver`.
    pub alarm_hosts: usize,
    /// The hub's DC-09 port for the alarm hosts.
    pub receiver: Option<SocketAddr>,
    /// The address every device listens on (ports are picked free).
    pub host: IpAddr,
    /// The first `n` of the names (so that several processes share a hub
    /// without two devices of the same name).
    pub first: usize,
    /// How long the hub's entries let a device be silent before it is
    /// offline, ms (a loaded hub answers late; default 60,000).
    pub offline_after_ms: u64,
    /// Gates' and cameras' account.
    pub username: String,
    /// Its password.
    pub password: String,
}

impl Default for Scale {
    fn default() -> Self {
        Scale {
            fire_panels: 0,
            points: 32,
            face_gates: 0,
            speakers: 0,
            cameras: 0,
            camera_kbps: None,
            camera_settings: None,
            barrier_cameras: 0,
            alarm_hosts: 0,
            receiver: None,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            first: 1,
            offline_after_ms: 60_000,
            username: "admin".into(),
            password: "admin123".into(),
        }
    }
}

impl Scale {
    /// Start every device (after checking `camera_settings` reads as TOML).
    pub async fn start(&self) -> std::io::Result<Fleet> {
        if let Some(settings) = &self.camera_settings {
            DeviceEntry::new("-", "-", "-", "-")
                .settings_text(settings)
                .map_err(|e| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        format!("camera settings `{settings}`: {e}"),
                    )
                })?;
        }
        let mut fleet = Fleet::default();
        let at = SocketAddr::new(self.host, 0);
        for n in self.first..self.first + self.fire_panels {
            let id = format!("fp-{n}");
            let p = FirePanel::start(&id, at, self.points).await?;
            fleet.panels.insert(id, p);
        }
        for n in self.first..self.first + self.face_gates {
            let id = format!("fg-{n}");
            let g = FaceGate::start(
                &id,
                at,
                &self.username,
                &self.password,
                GateOptions::default(),
            )
            .await?;
            fleet.gates.insert(id, g);
        }
        for n in self.first..self.first + self.speakers {
            let id = format!("sp-{n}");
            let s = Speaker::start(&id, at, Model::sp1()).await?;
            fleet.speakers.insert(id, s);
        }
        for n in self.first..self.first + self.cameras {
            let id = format!("cam-{n}");
            let c = Camera::start(&id, at, &self.username, &self.password).await?;
            c.set_bitrate_kbps(self.camera_kbps);
            fleet.cameras.insert(id, c);
        }
        for n in self.first..self.first + self.barrier_cameras {
            let id = format!("bg-{n}");
            let c = AnprCamera::start(
                &id,
                at,
                &self.username,
                &self.password,
                AnprOptions::default(),
            )
            .await?;
            fleet.anpr.insert(id, c);
        }
        if self.alarm_hosts > 0 {
            let receiver = self.receiver.ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "alarm hosts need the hub's DC-09 receiver address",
                )
            })?;
            for n in self.first..self.first + self.alarm_hosts {
                let id = format!("ah-{n}");
                let h = AlarmHost::start(&id, at, HostOptions::new(&account(n), receiver)).await?;
                fleet.hosts.insert(id, h);
            }
        }
        Ok(fleet)
    }

    /// The hub's `[[devices]]` entries for `fleet`, all in `zone`, sorted by
    /// id (paste into `hub.toml`, or append to it).
    pub fn hub_devices(&self, fleet: &Fleet, zone: &str) -> String {
        let entry = |id: &str, driver: &str, profile: &str, addr: SocketAddr| {
            DeviceEntry::new(id, driver, zone, addr)
                .profile(profile)
                .offline_after_ms(self.offline_after_ms)
        };
        let mut entries: Vec<DeviceEntry> = Vec::new();
        for p in fleet.panels.values() {
            entries.push(
                entry(
                    p.id(),
                    "modbus-fire-panel",
                    "fire-panel/twinwall-fp1",
                    p.addr(),
                )
                .setting("points", i64::from(self.points))
                .setting("poll_ms", 1000)
                .setting("summary", false)
                .setting("counters", false),
            );
        }
        // Devices the hub logs in to: the fleet's account.
        let account = |id: &str, driver: &str, profile: &str, addr: SocketAddr| {
            entry(id, driver, profile, addr).account(&self.username, &self.password)
        };
        for g in fleet.gates.values() {
            entries.push(account(
                g.id(),
                "face-gate",
                "face-gate/twinwall-fg1",
                g.addr(),
            ));
        }
        for c in fleet.cameras.values() {
            let mut e = account(c.id(), "onvif-camera", "camera/twinwall-cam1", c.addr());
            if let Some(settings) = &self.camera_settings {
                // Checked by `start`.
                e = e.clone().settings_text(settings).unwrap_or(e);
            }
            entries.push(e);
        }
        for c in fleet.anpr.values() {
            entries.push(account(c.id(), "anpr", "vehicle/twinwall-bg1", c.addr()));
        }
        for s in fleet.speakers.values() {
            entries.push(entry(
                s.id(),
                "ip-speaker",
                "speaker/twinwall-sp1",
                s.addr(),
            ));
        }
        for h in fleet.hosts.values() {
            entries.push(
                entry(
                    h.id(),
                    "perimeter",
                    "perimeter/twinwall-ph1",
                    h.control_addr(),
                )
                .setting("account", h.account())
                .setting("zones", "1=fence/a"),
            );
        }
        entries.sort_by(|a, b| a.id().cmp(b.id()));
        entries.iter().map(DeviceEntry::to_toml).collect()
    }
}

/// A host's DC-09 account: hex, four digits and more.
fn account(n: usize) -> String {
    format!("{:04X}", 0x1000 + n)
}

/// Changes over time: a steady rate spread over every device that reports
/// by itself or is polled, and now and then a burst.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Changes per second (0: none).
    pub rate: f64,
    /// Changes in one burst (0: none): that many panel points raised at once.
    pub burst: usize,
    /// Seconds between bursts.
    pub burst_every_s: f64,
}

impl Load {
    /// Run until the task is dropped.
    pub async fn run(self, fleet: &Fleet) {
        let mut panels: Vec<&FirePanel> = fleet.panels.values().collect();
        let mut gates: Vec<&FaceGate> = fleet.gates.values().collect();
        let mut hosts: Vec<&AlarmHost> = fleet.hosts.values().collect();
        let mut lanes: Vec<&AnprCamera> = fleet.anpr.values().collect();
        panels.sort_by_key(|p| p.id().to_owned());
        gates.sort_by_key(|g| g.id().to_owned());
        hosts.sort_by_key(|h| h.id().to_owned());
        lanes.sort_by_key(|c| c.id().to_owned());
        let families = [
            !panels.is_empty(),
            !gates.is_empty(),
            !hosts.is_empty(),
            !lanes.is_empty(),
        ];
        let steady = async {
            if self.rate <= 0.0 || !families.contains(&true) {
                return std::future::pending().await;
            }
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / self.rate));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut n: usize = 0;
            loop {
                tick.tick().await;
                n += 1;
                let on = (n / 4).is_multiple_of(2);
                match n % 4 {
                    0 if families[0] => {
                        let p = panels[(n / 4) % panels.len()];
                        // Fire alarms latch: the reset clears them.
                        p.with_state(|s| {
                            if on {
                                s.alarm(1);
                            } else {
                                s.reset();
                            }
                        });
                    }
                    1 if families[1] => {
                        gates[(n / 4) % gates.len()].pass(&people::random(), 1, on);
                    }
                    2 if families[2] => hosts[(n / 4) % hosts.len()].fence_touch(1, on),
                    3 if families[3] => {
                        lanes[(n / 4) % lanes.len()]
                            .pass(&plates::random(), if on { 1 } else { 2 });
                    }
                    _ => {}
                }
            }
        };
        let bursts = async {
            if self.burst == 0 || panels.is_empty() || self.burst_every_s <= 0.0 {
                return std::future::pending().await;
            }
            let mut tick = tokio::time::interval(Duration::from_secs_f64(self.burst_every_s));
            tick.tick().await;
            let mut raised = false;
            loop {
                tick.tick().await;
                raised = !raised;
                // One point after another across the panels: a building's
                // detectors all at once.
                for i in 0..self.burst {
                    let p = panels[i % panels.len()];
                    p.with_state(|s| {
                        if raised {
                            let point = (i / panels.len()) % s.points.len().max(1) + 1;
                            s.alarm(point as u16);
                        } else {
                            s.reset();
                        }
                    });
                }
            }
        };
        tokio::join!(steady, bursts);
    }
}
