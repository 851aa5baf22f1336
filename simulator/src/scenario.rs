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

use crate::camera::{Camera, Topic};
use crate::fire_panel::{Fault, FirePanel};

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
    /// What happens when.
    #[serde(default)]
    pub steps: Vec<Step>,
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
        Ok(s)
    }

    /// Start every panel and camera the scenario declares on `host`.
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
        Ok(fleet)
    }

    /// Play the steps against `fleet`, repeating if asked. Runs until aborted
    /// (or, without repeat, until the last step).
    pub async fn play(&self, fleet: &Fleet) {
        let mut steps = self.steps.clone();
        steps.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
        loop {
            let start = tokio::time::Instant::now();
            for st in &steps {
                tokio::time::sleep_until(start + Duration::from_secs_f64(st.at_s)).await;
                if let Some(p) = fleet.panels.get(&st.panel) {
                    apply(p, st);
                }
                if let (Some(c), Some(topic)) = (fleet.cameras.get(&st.camera), st.topic) {
                    c.set(topic, st.state.unwrap_or(true));
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
