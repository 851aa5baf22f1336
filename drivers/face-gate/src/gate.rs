//! One face gate: how it reports (pushes to the hub's listener, or the
//! alert stream), what its events mean, and its door commands.

use std::collections::VecDeque;

use twinwall_plugin_sdk::isapi::{Delivery, EventIntake};
use twinwall_plugin_sdk::multipart::{self, Part};
use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::{HttpPush, HttpResponse, StreamPart, command, kinds};

use crate::isapi::{self, Record};
use crate::profile::Profile;

/// Door commands: name → ISAPI `cmd`.
const COMMANDS: [(&str, &str, &str); 5] = [
    ("door.open", "open", "Open the door (or turnstile) once"),
    ("door.close", "close", "Close (lock) the door now"),
    (
        "door.keep_open",
        "alwaysOpen",
        "Hold the door open until `door.normal`",
    ),
    (
        "door.keep_closed",
        "alwaysClose",
        "Keep the door locked until `door.normal`",
    ),
    (
        "door.normal",
        "resume",
        "Back to normal: open for passes only",
    ),
];

/// The arguments of every door command: its JSON Schema and its parsing
/// both come from this type.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct DoorArgs {
    /// Door or lane number (default 1).
    #[serde(default = "first_door")]
    #[schemars(range(min = 1, max = 64))]
    door: u32,
}

fn first_door() -> u32 {
    1
}

/// Serial numbers remembered to drop repeats (a gate resends what it
/// thinks was not received).
const SEEN: usize = 512;

/// State of one gate.
pub struct Gate {
    id: String,
    profile: Profile,
    /// Health, and the push target or the alert stream.
    intake: EventIntake,
    allowed: Vec<String>,
    doors: u32,
    /// Recent serial numbers.
    seen: VecDeque<u64>,
    /// On the stream: an event whose picture is still to come.
    waiting: Option<Record>,
}

impl Driver for Gate {
    fn describe() -> DriverInfo {
        let mut info = DriverInfo::new("face-gate", env!("CARGO_PKG_VERSION"))
            .family("face-gate")
            .emits(kinds::ACCESS_GRANTED)
            .emits(kinds::ACCESS_DENIED)
            .emits(kinds::ACCESS_DOOR)
            .setting("mode", "`push` (the gate pushes to the hub; default) or `stream` (the hub holds the alert stream)", false)
            .setting("doors", "doors or lanes (default 2)", false)
            .setting("allow_commands", "comma-separated door commands operators may send (default: all)", false);
        for (name, _, what) in COMMANDS {
            info = info.command_for::<DoorArgs>(name, what);
        }
        info
    }

    fn open(config: DeviceConfig) -> Result<Self, DriverError> {
        let id = config.id.clone();
        let bad = |m: String| DriverError::bad_config(format!("device `{id}`: {m}"));
        let text = config.profile.as_deref().ok_or_else(|| {
            bad("this driver needs a profile (e.g. `face-gate/twinwall-fg1`)".into())
        })?;
        let profile = Profile::parse(text)?;
        let delivery = Delivery::from_setting(&id, config.setting("mode"))?;
        let doors = match config.setting("doors") {
            None => 2,
            Some(v) => v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=64).contains(n))
                .ok_or_else(|| bad(format!("setting `doors` = `{v}` is not 1..=64")))?,
        };
        let allowed = match config.setting("allow_commands") {
            None => COMMANDS.iter().map(|c| c.0.to_owned()).collect(),
            Some(list) => {
                let mut v = Vec::new();
                for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    if !COMMANDS.iter().any(|c| c.0 == name) {
                        return Err(bad(format!(
                            "setting `allow_commands` names `{name}`; known: {}",
                            COMMANDS.map(|c| c.0).join(", ")
                        )));
                    }
                    v.push(name.to_owned());
                }
                v
            }
        };
        Ok(Gate {
            id: config.id,
            intake: EventIntake::new(&id, "gate", delivery, "JSON", profile.isapi.clone()),
            profile,
            allowed,
            doors,
            seen: VecDeque::new(),
            waiting: None,
        })
    }

    fn start(&mut self) -> Vec<Request> {
        self.intake.start()
    }

    fn handle(&mut self, input: Input) -> Outcome {
        let mut out = Outcome::default();
        match self.intake.handle(input, &mut out) {
            Some(Input::HttpPush(p)) => self.on_push(p, &mut out),
            Some(Input::StreamPart(p)) => self.on_part(p, &mut out),
            Some(Input::HttpResponse(r)) => self.on_response(r),
            Some(Input::Failed(f)) => log(
                LogLevel::Debug,
                &format!(
                    "{}: `{}` failed: {:?}: {}",
                    self.id, f.id, f.kind, f.message
                ),
            ),
            _ => {}
        }
        out
    }

    fn command(&mut self, name: &str, args: &str) -> Result<Vec<Request>, DriverError> {
        let Some((_, cmd, _)) = COMMANDS.iter().find(|c| c.0 == name) else {
            return Err(DriverError::unknown_command(name));
        };
        if !self.allowed.iter().any(|a| a == name) {
            return Err(DriverError::not_allowed(format!(
                "device `{}`: `{name}` is not in this gate's `allow_commands`",
                self.id
            )));
        }
        let DoorArgs { door } = command::args(name, args)?;
        if !(1..=self.doors).contains(&door) {
            return Err(DriverError::bad_args(format!(
                "{name}: `door` must be 1..={} on `{}`, got {door}",
                self.doors, self.id
            )));
        }
        let path = self
            .profile
            .doors
            .control
            .replace("{door}", &door.to_string());
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><RemoteControlDoor version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><cmd>{cmd}</cmd></RemoteControlDoor>"
        );
        Ok(vec![
            HttpRequest::new("door", "PUT", &path)
                .body("application/xml", body)
                .into(),
        ])
    }
}

impl Gate {
    fn on_response(&self, r: HttpResponse) {
        match (r.id.as_str(), r.status) {
            (_, 401) => log(
                LogLevel::Error,
                &format!(
                    "{}: the gate refused the hub's credentials (`{}`: HTTP 401)",
                    self.id, r.id
                ),
            ),
            ("door", s) if s >= 300 => log(
                LogLevel::Warn,
                &format!(
                    "{}: door command refused: HTTP {s}: {}",
                    self.id,
                    String::from_utf8_lossy(&r.body)
                ),
            ),
            _ => {}
        }
    }

    /// A push: one event and its pictures, answered once the events are kept.
    fn on_push(&mut self, p: HttpPush, out: &mut Outcome) {
        let ct = p.header("content-type").unwrap_or("").to_owned();
        let parts = if ct.to_ascii_lowercase().starts_with("multipart/") {
            multipart::parse(&p.body, &ct, self.intake.max_body() as usize)
                .map_err(|e| e.to_string())
        } else if ct.contains("json") {
            Ok(vec![Part {
                headers: vec![("Content-Type".into(), ct.clone())],
                body: p.body.clone(),
            }])
        } else {
            Err(format!("content type `{ct}` is neither multipart nor JSON"))
        };
        let events = parts.and_then(|parts| {
            let json = parts
                .iter()
                .find(|x| {
                    x.disposition("name") == Some("AccessControllerEvent")
                        || x.header("content-type").is_some_and(|c| c.contains("json"))
                })
                .ok_or("no AccessControllerEvent part")?;
            let rec = isapi::record(&json.body)?;
            let pictures: Vec<&Part> = parts
                .iter()
                .filter(|x| {
                    x.header("content-type")
                        .is_some_and(|c| c.starts_with("image/"))
                })
                .collect();
            Ok((rec, pictures.first().map(|p| p.body.clone())))
        });
        match events {
            Ok((rec, picture)) => {
                if let Some(e) = self.event(&rec, picture) {
                    out.push(e);
                }
                out.request(p.reply(
                    200,
                    "application/json",
                    r#"{"statusCode":1,"statusString":"OK"}"#,
                ));
            }
            Err(why) => {
                log(LogLevel::Warn, &format!("{}: push refused: {why}", self.id));
                let body = serde_json::json!({"statusCode": 4, "statusString": "Invalid Content", "error": why});
                out.request(p.reply(400, "application/json", body.to_string()));
            }
        }
    }

    /// An alert-stream part: an event (its picture may follow) or a picture.
    fn on_part(&mut self, p: StreamPart, out: &mut Outcome) {
        let ct = p.header("content-type").unwrap_or("").to_owned();
        if ct.starts_with("image/") {
            if let Some(rec) = self.waiting.take()
                && let Some(e) = self.event(&rec, Some(p.body))
            {
                out.push(e);
            }
            return;
        }
        // Whatever waited for a picture that did not come goes without one.
        if let Some(rec) = self.waiting.take()
            && let Some(e) = self.event(&rec, None)
        {
            out.push(e);
        }
        match isapi::record(&p.body) {
            Ok(rec) if rec.event_type == "heartBeat" => {}
            Ok(rec) if rec.pictures > 0 => self.waiting = Some(rec),
            Ok(rec) => {
                if let Some(e) = self.event(&rec, None) {
                    out.push(e);
                }
            }
            Err(why) => log(
                LogLevel::Warn,
                &format!("{}: unreadable stream part: {why}", self.id),
            ),
        }
    }

    /// The normalised event of a record (none for repeats and unknown codes).
    fn event(&mut self, rec: &Record, picture: Option<Vec<u8>>) -> Option<Event> {
        if rec.event_type != "AccessControllerEvent" {
            return None;
        }
        if let Some(s) = rec.serial {
            if self.seen.contains(&s) {
                return None;
            }
            self.seen.push_back(s);
            if self.seen.len() > SEEN {
                self.seen.pop_front();
            }
        }
        let map = match self.profile.event(rec.minor) {
            Some(m) => m.clone(),
            None => {
                log(
                    LogLevel::Debug,
                    &format!(
                        "{}: event code {}/{:#x} not in the profile",
                        self.id, rec.major, rec.minor
                    ),
                );
                return None;
            }
        };
        let door = rec.door.unwrap_or(1);
        let (kind, reason) = if rec.abnormal_temperature {
            (
                kinds::ACCESS_DENIED.to_owned(),
                Some("abnormal_temperature".to_owned()),
            )
        } else {
            (map.kind.clone(), map.reason.clone())
        };
        let mut level = map
            .level
            .as_deref()
            .and_then(Level::parse)
            .unwrap_or(Level::Info);
        if rec.abnormal_temperature {
            level = Level::Yellow;
        }
        let mut e = Event::new(&kind)
            .level(level)
            .attr("door", i64::from(door))
            .attr("code", i64::from(rec.minor));
        if let Some(t) = rec.time_ms {
            e = e.device_time_ms(t);
        }
        if let Some(s) = rec.serial {
            e = e.attr("serial", s as i64);
        }
        let who = match (&rec.person_id, &rec.name) {
            (Some(id), name) => {
                let category = self.profile.category(id, rec.user_type.as_deref());
                e = e.attr("person_id", id.as_str()).attr("category", category);
                if let Some(n) = name {
                    e = e.attr("name", n.as_str());
                }
                format!("{} ({category} {id})", name.as_deref().unwrap_or("?"))
            }
            (None, _) => "someone unknown".to_owned(),
        };
        let direction = rec
            .reader
            .and_then(|r| self.profile.direction(r))
            .map(str::to_owned);
        if let Some(r) = rec.reader {
            e = e.attr("reader", i64::from(r));
        }
        if let Some(d) = &direction {
            e = e.attr("direction", d.as_str());
        }
        if let Some(t) = rec.temperature {
            e = e.attr("temperature", t);
        }
        if let Some(m) = &rec.mask {
            e = e.attr("mask", m.as_str());
        }
        let message = match kind.as_str() {
            "access.granted" => {
                if let Some(m) = &map.method {
                    e = e.attr("method", m.as_str());
                }
                let verb = match direction.as_deref() {
                    Some("out") => "left",
                    _ => "entered",
                };
                format!("{who} {verb} at door {door}")
            }
            "access.denied" => {
                let r = reason.unwrap_or_else(|| "denied".into());
                e = e.attr("reason", r.as_str());
                format!("{who} turned away at door {door}: {r}")
            }
            _ => {
                let s = map.state.clone().unwrap_or_else(|| "changed".into());
                e = e.attr("state", s.as_str());
                format!("door {door} {}", s.replace('_', " "))
            }
        };
        e = e.message(message);
        if let Some(pic) = picture.filter(|p| !p.is_empty()) {
            e = e.media("face", "image/jpeg", pic);
        }
        Some(e)
    }
}
