//! One fire panel: its polls, its remembered state, its commands.

use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::{ModbusResponse, kinds};

use crate::point::{CONDITION_KINDS, Conditions, component_name};
use crate::profile::Profile;

/// Modbus allows at most 125 registers (and we keep coils/inputs to the same) per read.
const MAX_READ: u16 = 125;

const COMMANDS: [&str; 3] = ["reset", "silence", "acknowledge"];

/// State of one panel.
pub struct FirePanel {
    id: String,
    profile: Profile,
    points: u16,
    allowed: Vec<String>,
    /// Last decoded conditions per point (index p - 1); `None` until first read
    /// or when not programmed.
    point_state: Vec<Option<Conditions>>,
    seen: Vec<bool>,
    types: Vec<u16>,
    power: Option<(bool, bool)>,
    counters: Option<[u16; 3]>,
    /// Whether the summary LEDs and the action counters are polled.
    poll_summary: bool,
    poll_counters: bool,
}

/// A per-device override of a poll interval, ms.
fn interval(config: &DeviceConfig, key: &str, default: u32) -> Result<u32, DriverError> {
    match config.setting(key) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|ms| (50..=3_600_000).contains(ms))
            .ok_or_else(|| {
                DriverError::bad_config(format!(
                    "device `{}`: setting `{key}` = `{v}` is not 50..=3600000 ms",
                    config.id
                ))
            }),
    }
}

/// A per-device on/off switch.
fn switch(config: &DeviceConfig, key: &str) -> Result<bool, DriverError> {
    match config.setting(key).map(str::trim) {
        None | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(v) => Err(DriverError::bad_config(format!(
            "device `{}`: setting `{key}` = `{v}` is not true or false",
            config.id
        ))),
    }
}

/// The panel's commands take no arguments.
const NO_ARGS: &str = r#"{"type":"object","properties":{},"additionalProperties":false}"#;

impl Driver for FirePanel {
    fn describe() -> DriverInfo {
        DriverInfo::new("modbus-fire-panel", env!("CARGO_PKG_VERSION"))
            .family("fire-panel")
            .emits(kinds::FIRE_ALARM)
            .emits(kinds::FIRE_PREALARM)
            .emits(kinds::FIRE_FAULT)
            .emits(kinds::FIRE_SUPERVISORY)
            .emits(kinds::FIRE_DISABLED)
            .emits(kinds::FIRE_PANEL)
            .command_with_schema(
                "reset",
                "Reset the panel (clears latched alarms whose cause is gone)",
                NO_ARGS,
            )
            .command_with_schema("silence", "Silence the panel's sounders", NO_ARGS)
            .command_with_schema(
                "acknowledge",
                "Acknowledge the current alarms and faults",
                NO_ARGS,
            )
            .setting(
                "points",
                "Number of points to read (default: profile points.count)",
                false,
            )
            .setting(
                "allow_commands",
                "Comma-separated commands operators may send (default: none)",
                false,
            )
            .setting(
                "poll_ms",
                "How often the point words and summary are read, ms (default: the profile's poll.interval_ms)",
                false,
            )
            .setting(
                "counters_ms",
                "How often the action counters are read, ms (default: the profile's poll.counters_interval_ms)",
                false,
            )
            .setting(
                "summary",
                "false: do not poll the summary LEDs (power faults are then not reported)",
                false,
            )
            .setting(
                "counters",
                "false: do not poll the action counters (resets at the panel are then not reported)",
                false,
            )
    }

    fn open(config: DeviceConfig) -> Result<Self, DriverError> {
        let text = config.profile.as_deref().ok_or_else(|| {
            DriverError::bad_config(format!(
                "device `{}`: this driver needs a profile (e.g. `fire-panel/twinwall-fp1`)",
                config.id
            ))
        })?;
        let profile = Profile::parse(text)?;
        let points = match config.setting("points") {
            None => profile.points.count,
            Some(v) => v
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|n| (1..=4096).contains(n))
                .ok_or_else(|| {
                    DriverError::bad_config(format!(
                        "device `{}`: setting `points` = `{v}` is not 1..=4096",
                        config.id
                    ))
                })?,
        };
        let mut allowed = Vec::new();
        for name in config.setting("allow_commands").unwrap_or("").split(',') {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            if !COMMANDS.contains(&name) {
                return Err(DriverError::bad_config(format!(
                    "device `{}`: setting `allow_commands` names `{name}`; known: {}",
                    config.id,
                    COMMANDS.join(", ")
                )));
            }
            allowed.push(name.to_owned());
        }
        let mut profile = profile;
        profile.poll.interval_ms = interval(&config, "poll_ms", profile.poll.interval_ms)?;
        profile.poll.counters_interval_ms =
            interval(&config, "counters_ms", profile.poll.counters_interval_ms)?;
        let (poll_summary, poll_counters) =
            (switch(&config, "summary")?, switch(&config, "counters")?);
        Ok(FirePanel {
            id: config.id,
            profile,
            points,
            allowed,
            point_state: vec![None; usize::from(points)],
            seen: vec![false; usize::from(points)],
            types: vec![0; usize::from(points)],
            power: None,
            counters: None,
            poll_summary,
            poll_counters,
        })
    }

    fn start(&mut self) -> Vec<Request> {
        let p = &self.profile;
        let (first, last) = identity_span(p);
        let mut reqs = vec![Request::read(
            "identity",
            p.identity.table.into(),
            first,
            last - first + 1,
        )];
        for (i, (addr, count)) in chunks(p.points.type_base, self.points).enumerate() {
            reqs.push(Request::read(
                &format!("types-{i}"),
                p.points.type_table.into(),
                addr,
                count,
            ));
        }
        for (i, (addr, count)) in chunks(p.points.base, self.points).enumerate() {
            reqs.push(Request::poll(
                &format!("points-{i}"),
                p.points.table.into(),
                addr,
                count,
                p.poll.interval_ms,
            ));
        }
        if self.poll_summary {
            reqs.push(Request::poll(
                "summary",
                p.summary.table.into(),
                p.summary.base,
                p.summary.count,
                p.poll.interval_ms,
            ));
        }
        if self.poll_counters {
            reqs.push(Request::poll(
                "counters",
                p.counters.table.into(),
                p.counters.base,
                3,
                p.poll.counters_interval_ms,
            ));
        }
        reqs
    }

    fn handle(&mut self, input: Input) -> Outcome {
        let mut out = Outcome::default();
        match input {
            Input::ModbusResponse(r) => self.on_response(r, &mut out),
            Input::ModbusException(x) => {
                log(
                    LogLevel::Warn,
                    &format!(
                        "{}: request `{}` answered with Modbus exception {}",
                        self.id, x.id, x.code
                    ),
                );
            }
            // Link trouble is the hub's to report (device.offline); state is kept
            // so a reconnect reports only real changes.
            _ => {}
        }
        out
    }

    fn command(&mut self, name: &str, args: &str) -> Result<Vec<Request>, DriverError> {
        let address = match name {
            "reset" => self.profile.commands.reset,
            "silence" => self.profile.commands.silence,
            "acknowledge" => self.profile.commands.acknowledge,
            _ => return Err(DriverError::unknown_command(name)),
        };
        let args = args.trim();
        if !(args.is_empty() || args == "{}" || args == "null") {
            return Err(DriverError::bad_args(format!(
                "`{name}` takes no arguments, got {args}"
            )));
        }
        if !self.allowed.iter().any(|a| a == name) {
            return Err(DriverError::not_allowed(format!(
                "`{name}` is not allowed on device `{}` (setting `allow_commands`)",
                self.id
            )));
        }
        Ok(vec![Request::write(
            &format!("cmd-{name}"),
            self.profile.commands.table.into(),
            address,
            &[1],
        )])
    }
}

impl FirePanel {
    fn on_response(&mut self, r: ModbusResponse, out: &mut Outcome) {
        let id = r.id.as_str();
        if id == "identity" {
            self.check_identity(&r.values, out);
        } else if let Some(chunk) = id.strip_prefix("types-") {
            let start = chunk_start(chunk);
            for (i, v) in r.values.iter().enumerate() {
                if let Some(slot) = self.types.get_mut(start + i) {
                    *slot = *v;
                }
            }
        } else if let Some(chunk) = id.strip_prefix("points-") {
            let start = chunk_start(chunk);
            for (i, word) in r.values.iter().enumerate() {
                self.on_point(start + i, *word, out);
            }
        } else if id == "summary" {
            self.on_summary(&r.values, out);
        } else if id == "counters" {
            self.on_counters(&r.values, out);
        } else if let Some(cmd) = id.strip_prefix("cmd-") {
            log(
                LogLevel::Info,
                &format!("{}: panel confirmed `{cmd}`", self.id),
            );
        }
    }

    fn check_identity(&mut self, values: &[u16], out: &mut Outcome) {
        let expected = self.profile.profile.map_version;
        let (first, _) = identity_span(&self.profile);
        let at = |addr: u16| values.get(usize::from(addr - first));
        match at(self.profile.identity.map_version) {
            Some(v) if *v == expected => {}
            other => log(
                LogLevel::Error,
                &format!(
                    "{}: panel reports register map version {other:?}, profile `{}` expects {expected}; readings may be wrong",
                    self.id, self.profile.profile.model
                ),
            ),
        }
        if let Some(&n) = at(self.profile.identity.point_count)
            && n > 0
            && n < self.points
        {
            // Reading past the last point would fail every poll with an
            // exception: read what the panel has.
            log(
                LogLevel::Warn,
                &format!(
                    "{}: panel has {n} points, {} configured; reading {n}",
                    self.id, self.points
                ),
            );
            for (i, _) in chunks(self.profile.points.base, self.points).enumerate() {
                out.request(Request::cancel(&format!("points-{i}")));
            }
            self.points = n;
            let len = usize::from(n);
            self.point_state.truncate(len);
            self.seen.truncate(len);
            self.types.truncate(len);
            let p = &self.profile;
            for (i, (addr, count)) in chunks(p.points.base, n).enumerate() {
                out.request(Request::poll(
                    &format!("points-{i}"),
                    p.points.table.into(),
                    addr,
                    count,
                    p.poll.interval_ms,
                ));
            }
        }
    }

    fn on_point(&mut self, index: usize, word: u16, out: &mut Outcome) {
        let Some(slot) = self.point_state.get_mut(index) else {
            return;
        };
        let point = index + 1;
        let now = Conditions::decode(word, &self.profile.points);
        let before = slot.unwrap_or_default().flags();
        let after = now.unwrap_or_default().flags();
        let first = !self.seen[index];
        self.seen[index] = true;
        *slot = now;
        let type_code = self.types[index];
        for (k, (kind, level)) in CONDITION_KINDS.iter().enumerate() {
            // On first sight only raised conditions are news; afterwards every change is.
            let changed = if first {
                after[k]
            } else {
                before[k] != after[k]
            };
            if !changed {
                continue;
            }
            let what = kind.trim_start_matches("fire.");
            let mut e = Event::new(kind)
                .level(if after[k] { *level } else { Level::Info })
                .phase_if(after[k])
                .attr("point", point as i64)
                .attr("word", i64::from(word))
                .message(format!(
                    "{what} {} at point {point} ({})",
                    if after[k] { "raised" } else { "restored" },
                    component_name(type_code)
                ));
            if type_code != 0 {
                e = e
                    .attr("component_type", i64::from(type_code))
                    .attr("component", component_name(type_code));
            }
            out.push(e);
        }
    }

    fn on_summary(&mut self, values: &[u16], out: &mut Outcome) {
        let led = |off: u16| values.get(usize::from(off)).is_some_and(|v| *v != 0);
        let now = (
            led(self.profile.summary.main_power_fault),
            led(self.profile.summary.battery_fault),
        );
        let before = self.power.unwrap_or((false, false));
        let first = self.power.is_none();
        self.power = Some(now);
        for (fault, was, is) in [
            ("main_power", before.0, now.0),
            ("battery", before.1, now.1),
        ] {
            if (first && is) || (!first && was != is) {
                out.push(
                    Event::new(kinds::FIRE_FAULT)
                        .level(if is { Level::Yellow } else { Level::Info })
                        .phase_if(is)
                        .attr("fault", fault)
                        .message(format!(
                            "{fault} fault {}",
                            if is { "raised" } else { "restored" }
                        )),
                );
            }
        }
    }

    fn on_counters(&mut self, values: &[u16], out: &mut Outcome) {
        let c = &self.profile.counters;
        let read = |off: u16| values.get(usize::from(off)).copied().unwrap_or(0);
        let now = [read(c.reset), read(c.silence), read(c.acknowledge)];
        if let Some(before) = self.counters {
            for (i, action) in ["reset", "silenced", "acknowledged"].iter().enumerate() {
                let times = now[i].wrapping_sub(before[i]);
                // A jump of more than half the range is a counter that went back (panel restart).
                if times > 0 && times < 0x8000 {
                    out.push(
                        Event::new(kinds::FIRE_PANEL)
                            .attr("action", *action)
                            .attr("times", i64::from(times))
                            .message(format!("panel {action}")),
                    );
                }
            }
        }
        self.counters = Some(now);
    }

    /// The number of points read, for tests.
    pub fn points(&self) -> u16 {
        self.points
    }
}

/// Split `count` items from `base` into reads of at most [`MAX_READ`].
fn chunks(base: u16, count: u16) -> impl Iterator<Item = (u16, u16)> {
    (0..count.div_ceil(MAX_READ)).map(move |i| {
        let start = i * MAX_READ;
        (base + start, (count - start).min(MAX_READ))
    })
}

fn chunk_start(chunk: &str) -> usize {
    chunk.parse::<usize>().unwrap_or(0) * usize::from(MAX_READ)
}

/// First and last address of the identity registers.
fn identity_span(p: &Profile) -> (u16, u16) {
    let (a, b) = (p.identity.map_version, p.identity.point_count);
    (a.min(b), a.max(b))
}
