//! Silver: a real hub (sled in a temporary folder, the driver in its
//! plugins folder) runs the driver against the family's simulated device,
//! and a script does to the device what happens on a campus. Every input
//! the driver is given is recorded for the robustness replay.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use twinwall_hub::bus::Filter;
use twinwall_hub::config::HubConfig;
use twinwall_hub::devices::tap::{InputTap, Tapped};
use twinwall_hub::runtime::{DeviceConfig, DriverInfo};
use twinwall_hub::transport::types::Input;
use twinwall_hub::{Hub, device_specs};
use twinwall_plugin_sdk::kinds;

use super::contract::Loaded;
use super::rig::{DEVICE, Rig};
use super::{Options, Report, Tier, Verdict};

/// One thing the driver was given.
#[derive(Debug, Clone)]
pub(crate) enum Recorded {
    /// `handle(input)`.
    Input(Input),
    /// `route(port, frame)`.
    Frame { port: String, data: Vec<u8> },
}

/// The behaviour run's traffic, and how to open the device again.
#[derive(Default)]
pub(crate) struct Session {
    pub inputs: Vec<Recorded>,
    pub device: Option<(DeviceConfig, HashMap<String, Vec<u8>>)>,
}

/// The checks of this tier, in the order of the report.
const IDS: [(&str, &str); 7] = [
    (
        "behaviour.online",
        "the device comes online through the driver",
    ),
    (
        "behaviour.begin-end",
        "conditions come as begin then end, every begin ended",
    ),
    (
        "behaviour.quiet",
        "no event while nothing changes at the device",
    ),
    (
        "behaviour.duplicates",
        "an event the device repeats is reported once",
    ),
    (
        "behaviour.commands",
        "every command is confirmed by the device and shows its effect",
    ),
    (
        "behaviour.offline",
        "a device cut off is reported offline within its offline_after_ms",
    ),
    (
        "behaviour.reconnect",
        "after a reconnect the hub's view matches the device again",
    ),
];

pub(crate) async fn run(options: &Options, loaded: &Loaded, report: &mut Report) -> Session {
    let started = Instant::now();
    let mut session = Session::default();
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let take = |recorded: &Mutex<Vec<Recorded>>| {
        std::mem::take(&mut *recorded.lock().unwrap_or_else(|p| p.into_inner()))
    };
    // (verdict, ms) per check, in the order of IDS.
    let results = match start(options, loaded, recorded.clone(), &mut session).await {
        Err(e) => {
            let ms = started.elapsed().as_millis() as u64;
            let mut r = vec![(Verdict::Fail(format!("{e:#}")), ms)];
            r.extend(IDS[1..].iter().map(|_| {
                (
                    Verdict::Fail("not run: the device never came online".into()),
                    0,
                )
            }));
            r
        }
        Ok((hub, rig, _dir)) => {
            let online =
                Verdict::Pass(format!("online after {} ms", started.elapsed().as_millis()));
            let online_ms = started.elapsed().as_millis() as u64;
            tokio::time::sleep(rig.settle()).await;
            let script = Script {
                hub: &hub,
                rig: &rig,
                info: &loaded.info,
            };
            let r = script.run(online, online_ms).await;
            hub.stop().await;
            r
        }
    };
    for ((id, title), (verdict, ms)) in IDS.into_iter().zip(results) {
        report.checks.push(super::Check {
            id,
            tier: Tier::Silver,
            title,
            verdict,
            ms,
        });
    }
    session.inputs = take(&recorded);
    session
}

/// Time one step: its verdict and ms.
async fn timed(step: impl Future<Output = Verdict>) -> (Verdict, u64) {
    let t = Instant::now();
    let v = step.await;
    (v, t.elapsed().as_millis() as u64)
}

async fn start(
    options: &Options,
    loaded: &Loaded,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    session: &mut Session,
) -> anyhow::Result<(Hub, Rig, tempfile::TempDir)> {
    let mut rig = Rig::start(&options.family).await?;
    let dir = tempfile::tempdir()?;
    let plugins = dir.path().join("plugins");
    std::fs::create_dir_all(&plugins)?;
    let file = options
        .driver
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("{} names no file", options.driver.display()))?;
    std::fs::copy(&options.driver, plugins.join(file))?;
    let profiles = std::fs::canonicalize(&options.profiles)
        .map_err(|e| anyhow::anyhow!("profiles folder {}: {e}", options.profiles.display()))?;
    let text = format!(
        "[site]\nid = \"kit\"\ndata_dir = \"data\"\n[http]\nlisten = \"127.0.0.1:0\"\n\
         [listen]\nhttp = \"127.0.0.1:0\"\n[plugins]\ndir = \"plugins\"\nwatch_interval_ms = 60000\n\
         memory_limit_mb = {}\n[profiles]\ndir = {:?}\n{}",
        (options.memory_cap >> 20).max(1),
        profiles.display().to_string(),
        rig.config(
            &loaded.info.name,
            options.profile.as_deref(),
            &options.settings
        )
    );
    let mut config = HubConfig::parse(&text, "conformance hub.toml", dir.path())?;
    let spec = device_specs(&config)?
        .into_iter()
        .find(|s| s.id == DEVICE)
        .ok_or_else(|| anyhow::anyhow!("the kit's config has no device `{DEVICE}`"))?;
    session.device = Some((spec.driver_config(), spec.keys.clone()));
    let name = loaded.info.name.clone();
    config.plugins.tap = Some(InputTap::new(move |driver, what| {
        if driver != name {
            return;
        }
        let r = match what {
            Tapped::Input { input, .. } => Recorded::Input(input.clone()),
            Tapped::Frame { port, data } => Recorded::Frame {
                port: port.to_owned(),
                data: data.to_vec(),
            },
        };
        recorded.lock().unwrap_or_else(|p| p.into_inner()).push(r);
    }));
    let hub = Hub::start(config).await?;
    rig.attach(&hub).await?;
    let online = wait(Duration::from_secs(30), || async {
        events_of(&hub, 0)
            .into_iter()
            .find(|e| e["kind"] == "device.online")
    })
    .await;
    if online.is_none() {
        let all = events_of(&hub, 0);
        let mut said: Vec<String> = all
            .iter()
            .take(3)
            .map(|e| format!("{} {}", e["kind"], e["attrs"]))
            .collect();
        if all.len() > 3 {
            said.push(format!("and {} more", all.len() - 3));
        }
        hub.stop().await;
        anyhow::bail!(
            "device `{DEVICE}` did not come online within 30 s; the hub recorded: {}",
            if said.is_empty() {
                "nothing".to_owned()
            } else {
                said.join("; ")
            }
        );
    }
    Ok((hub, rig, dir))
}

struct Script<'a> {
    hub: &'a Hub,
    rig: &'a Rig,
    info: &'a DriverInfo,
}

impl Script<'_> {
    /// The steps in turn; their results in the order of [`IDS`].
    async fn run(&self, online: Verdict, online_ms: u64) -> Vec<(Verdict, u64)> {
        let first = self.hub.bus().next_seq();
        let (step, step_ms) = timed(self.begin_end()).await;
        let quiet = timed(self.quiet()).await;
        let dup = timed(self.duplicates()).await;
        let commands = timed(self.commands()).await;
        let t = Instant::now();
        let (offline, reconnect) = self.offline_and_back().await;
        let back_ms = t.elapsed().as_millis() as u64;
        // Begin/end over the whole run: the reconnect ends what was raised before it.
        let balance = match step {
            Verdict::Pass(seen) => match balanced(&self.events(first)) {
                Ok(n) => Verdict::Pass(format!(
                    "{seen}; {n} condition events over the run, balanced"
                )),
                Err(why) => Verdict::Fail(why),
            },
            other => other,
        };
        vec![
            (online, online_ms),
            (balance, step_ms),
            quiet,
            dup,
            commands,
            (offline, back_ms),
            (reconnect, back_ms),
        ]
    }

    fn events(&self, after: u64) -> Vec<Value> {
        events_of(self.hub, after)
    }

    async fn wait_kind(
        &self,
        after: u64,
        within: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        wait(within, || async {
            self.events(after).into_iter().find(|e| pred(e))
        })
        .await
    }

    async fn begin_end(&self) -> Verdict {
        let Some(kind) = self.rig.condition_kind() else {
            return Verdict::NotApplicable(format!(
                "family `{}` reports no conditions, only instant events",
                self.info.families.join("/")
            ));
        };
        let mark = self.hub.bus().next_seq();
        let began = match self.flip(kind, true, mark).await {
            Ok(ms) => ms,
            Err(v) => return v,
        };
        let ended = match self.flip(kind, false, mark).await {
            Ok(ms) => ms,
            Err(v) => return v,
        };
        Verdict::Pass(format!(
            "`{kind}` begin after {began} ms, end after {ended} ms"
        ))
    }

    /// Raise (`on`) or clear the condition and wait for its event: the ms it took.
    async fn flip(&self, kind: &str, on: bool, mark: u64) -> Result<u128, Verdict> {
        let (phase, what) = if on {
            ("begin", "raising")
        } else {
            ("end", "clearing")
        };
        let t = Instant::now();
        self.rig.condition(on);
        self.wait_kind(mark, Duration::from_secs(10), |e| {
            e["kind"] == kind && e["phase"] == phase
        })
        .await
        .map(|_| t.elapsed().as_millis())
        .ok_or_else(|| Verdict::Fail(format!("no `{kind}` {phase} within 10 s of {what} it")))
    }

    async fn quiet(&self) -> Verdict {
        // Let whatever the last step caused arrive first.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let mark = self.hub.bus().next_seq();
        let window = Duration::from_secs(5);
        tokio::time::sleep(window).await;
        let noise: Vec<String> = self
            .events(mark)
            .into_iter()
            .filter(|e| !e["kind"].as_str().unwrap_or("").starts_with("device."))
            .map(|e| format!("{} {}", e["kind"], e["attrs"]))
            .collect();
        if noise.is_empty() {
            Verdict::Pass(format!("no event in {} s", window.as_secs()))
        } else {
            Verdict::Fail(format!(
                "{} event(s) in {} s with nothing changing: {}",
                noise.len(),
                window.as_secs(),
                noise.iter().take(3).cloned().collect::<Vec<_>>().join("; ")
            ))
        }
    }

    async fn duplicates(&self) -> Verdict {
        let (Some(how), Some(kind)) = (self.rig.duplicates(), self.rig.instant_kind()) else {
            return Verdict::NotApplicable(match self.rig.instant_kind() {
                None => "the family's state is read, not reported: a repeated read is covered by behaviour.quiet".into(),
                Some(_) => "the simulated device cannot repeat an event on demand".into(),
            });
        };
        let mark = self.hub.bus().next_seq();
        let before = self.rig.deliveries();
        self.rig.send_duplicates(true);
        self.rig.instant(3);
        let first = self
            .wait_kind(mark, Duration::from_secs(10), |e| e["kind"] == kind)
            .await;
        // The repeat comes right after the first: give it time to be (not) reported.
        tokio::time::sleep(Duration::from_secs(2)).await;
        self.rig.send_duplicates(false);
        // A condition's begin and end are two events, not a repeat.
        let n = self
            .events(mark)
            .into_iter()
            .filter(|e| e["kind"] == kind && e["phase"] != "end")
            .count();
        let delivered = self
            .rig
            .deliveries()
            .zip(before)
            .map(|(now, then)| now - then);
        if delivered.is_some_and(|d| d < 2) {
            return Verdict::Fail(format!(
                "{how}, but the device delivered {} push(es): the check saw no repeat",
                delivered.unwrap_or(0)
            ));
        }
        match (first, n) {
            (None, _) => Verdict::Fail(format!("no `{kind}` within 10 s ({how})")),
            (Some(_), 1) => Verdict::Pass(match delivered {
                Some(d) => format!("{how}: {d} delivered, one `{kind}`"),
                None => format!("{how}: one `{kind}`"),
            }),
            (Some(_), n) => Verdict::Fail(format!("{how}: {n} `{kind}` events for one")),
        }
    }

    async fn commands(&self) -> Verdict {
        let cases = self.rig.commands();
        let declared: Vec<&str> = self.info.commands.iter().map(|c| c.name.as_str()).collect();
        if declared.is_empty() {
            return Verdict::NotApplicable("the driver declares no commands".into());
        }
        if cases.is_empty() {
            return Verdict::NotApplicable(format!(
                "the family script sends nothing to this family's device; the driver's {} are for other families",
                declared.join(", ")
            ));
        }
        let mut done = Vec::new();
        let mut wrong = Vec::new();
        for c in &cases {
            if !declared.contains(&c.name) {
                wrong.push(format!("`{}` is not declared by the driver", c.name));
                continue;
            }
            let mark = self.hub.bus().next_seq();
            let t = Instant::now();
            let answer = self
                .hub
                .devices()
                .command(DEVICE, c.name, &c.args.to_string(), "conformance kit")
                .await;
            if let Err(e) = answer {
                wrong.push(format!("`{}` {}: {e}", c.name, c.args));
                continue;
            }
            let confirmed = t.elapsed().as_millis();
            if let Some(kind) = c.event
                && self
                    .wait_kind(mark, Duration::from_secs(5), |e| e["kind"] == kind)
                    .await
                    .is_none()
            {
                wrong.push(format!("`{}`: no `{kind}` event within 5 s", c.name));
                continue;
            }
            if self.rig.command_seen(c.name).is_some()
                && wait(Duration::from_secs(5), || async {
                    (self.rig.command_seen(c.name) == Some(true)).then_some(())
                })
                .await
                .is_none()
            {
                wrong.push(format!(
                    "`{}` was answered but the device does not show it",
                    c.name
                ));
                continue;
            }
            done.push(format!("{} {confirmed} ms", c.name));
        }
        let missed: Vec<&str> = declared
            .iter()
            .filter(|d| !cases.iter().any(|c| c.name == **d))
            .copied()
            .collect();
        if !wrong.is_empty() {
            return Verdict::Fail(wrong.join("; "));
        }
        let mut detail = format!("confirmed: {}", done.join(", "));
        if !missed.is_empty() {
            detail.push_str(&format!(
                "; not in the family script: {}",
                missed.join(", ")
            ));
        }
        Verdict::Pass(detail)
    }

    /// Offline, then back: a condition raised before the cut and cleared
    /// during it must be ended after; an instant event must flow again.
    async fn offline_and_back(&self) -> (Verdict, Verdict) {
        let condition = self.rig.condition_kind();
        let mark = self.hub.bus().next_seq();
        if let Some(kind) = condition
            && let Err(v) = self.flip(kind, true, mark).await
        {
            return (v.clone(), v);
        }
        let declared = self.rig.offline_after_ms;
        let t = Instant::now();
        if let Err(e) = self.rig.set_down(true).await {
            let v = Verdict::Fail(format!("the simulated device could not be cut off: {e}"));
            return (v.clone(), v);
        }
        let off = self
            .wait_kind(mark, Duration::from_millis(declared + 10_000), |e| {
                e["kind"] == "device.offline"
            })
            .await;
        let took = t.elapsed().as_millis() as u64;
        let offline = match off {
            None => Verdict::Fail(format!(
                "no device.offline within {} ms of the cut (offline_after_ms {declared})",
                declared + 10_000
            )),
            Some(_) if took > declared + 3000 => Verdict::Fail(format!(
                "offline after {took} ms; offline_after_ms is {declared} (3 s grace)"
            )),
            Some(_) => Verdict::Pass(format!(
                "offline after {took} ms (offline_after_ms {declared})"
            )),
        };
        if condition.is_some() {
            self.rig.condition(false);
        }
        let back = self.hub.bus().next_seq();
        if let Err(e) = self.rig.set_down(false).await {
            return (
                offline,
                Verdict::Fail(format!("the simulated device could not come back: {e}")),
            );
        }
        let t = Instant::now();
        if self
            .wait_kind(back, Duration::from_secs(30), |e| {
                e["kind"] == "device.online"
            })
            .await
            .is_none()
        {
            return (
                offline,
                Verdict::Fail("not online again within 30 s of coming back".into()),
            );
        }
        let online_ms = t.elapsed().as_millis();
        let reconnect = match condition {
            Some(kind) => match self
                .wait_kind(back, Duration::from_secs(15), |e| {
                    e["kind"] == kind && e["phase"] == "end"
                })
                .await
            {
                Some(_) => Verdict::Pass(format!(
                    "online again after {online_ms} ms; the `{kind}` cleared during the cut was ended after it"
                )),
                None => Verdict::Fail(format!(
                    "online again, but the `{kind}` cleared during the cut was never ended (the hub still shows it raised)"
                )),
            },
            None => {
                let kind = self.rig.instant_kind().unwrap_or("");
                let mark = self.hub.bus().next_seq();
                self.rig.instant(7);
                match self
                    .wait_kind(mark, Duration::from_secs(10), |e| e["kind"] == kind)
                    .await
                {
                    Some(_) => Verdict::Pass(format!(
                        "online again after {online_ms} ms; `{kind}` flows again"
                    )),
                    None => Verdict::Fail(format!(
                        "online again, but no `{kind}` within 10 s of one happening"
                    )),
                }
            }
        };
        (offline, reconnect)
    }
}

/// Every condition event of the run, by kind and source: no end without a
/// begin, nothing left raised (the script clears all it raises).
fn balanced(events: &[Value]) -> Result<usize, String> {
    let mut open: HashMap<String, bool> = HashMap::new();
    let mut n = 0;
    for e in events {
        let kind = e["kind"].as_str().unwrap_or("");
        if !kinds::lookup(kind).is_some_and(|k| k.condition) {
            continue;
        }
        n += 1;
        let source: Vec<String> = ["point", "zone_number", "source", "input", "fault", "door"]
            .iter()
            .filter_map(|k| e["attrs"].get(*k).map(|v| format!("{k}={v}")))
            .collect();
        let key = format!("{kind} {}", source.join(" "));
        match e["phase"].as_str() {
            Some("begin") => {
                open.insert(key, true);
            }
            Some("end") => {
                if open.insert(key.clone(), false) != Some(true) {
                    return Err(format!(
                        "an end of `{key}` (seq {}) with no begin before it",
                        e["seq"]
                    ));
                }
            }
            _ => {
                return Err(format!(
                    "`{kind}` (seq {}) is a condition but has no phase",
                    e["seq"]
                ));
            }
        }
    }
    let left: Vec<&String> = open.iter().filter(|(_, o)| **o).map(|(k, _)| k).collect();
    if left.is_empty() {
        Ok(n)
    } else {
        Err(format!(
            "left raised at the end although cleared at the device: {left:?}"
        ))
    }
}

fn events_of(hub: &Hub, after: u64) -> Vec<Value> {
    let filter = Filter {
        device: Some(DEVICE.into()),
        after: (after > 0).then(|| after - 1),
        limit: Some(10_000),
        ..Filter::default()
    };
    hub.bus()
        .query(&filter)
        .map(|p| p.events.iter().map(|e| e.to_json()).collect())
        .unwrap_or_default()
}

async fn wait<T, F, Fut>(within: Duration, mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = probe().await {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::balanced;
    use serde_json::json;

    fn ev(seq: u64, kind: &str, phase: &str, point: u16) -> serde_json::Value {
        json!({"seq": seq, "kind": kind, "phase": phase, "attrs": {"point": point}})
    }

    #[test]
    fn begin_then_end_per_source_is_balanced() {
        let run = [
            ev(1, "fire.alarm", "begin", 3),
            ev(2, "fire.alarm", "begin", 5),
            ev(3, "fire.alarm", "end", 5),
            json!({"seq": 4, "kind": "fire.panel", "attrs": {"action": "reset"}}),
            ev(5, "fire.alarm", "end", 3),
        ];
        assert_eq!(balanced(&run), Ok(4));
    }

    #[test]
    fn an_end_without_a_begin_and_a_begin_left_open_are_named() {
        let e = balanced(&[ev(7, "fire.alarm", "end", 3)]).unwrap_err();
        assert!(
            e.contains("fire.alarm point=3") && e.contains("seq 7"),
            "{e}"
        );
        let e = balanced(&[ev(1, "camera.motion", "begin", 1)]).unwrap_err();
        assert!(e.contains("left raised"), "{e}");
        let e = balanced(&[json!({"seq": 9, "kind": "fire.alarm", "attrs": {}})]).unwrap_err();
        assert!(e.contains("has no phase"), "{e}");
    }
}
