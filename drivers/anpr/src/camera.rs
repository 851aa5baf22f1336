//! One ANPR camera (barrier gate or speed camera): how it reports (pushes to
//! the hub, or the alert stream), what its reads mean, and the barrier.

use std::collections::VecDeque;

use twinwall_plugin_sdk::isapi::{Delivery, EventIntake};
use twinwall_plugin_sdk::multipart::{self, Part};
use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::{HttpPush, HttpResponse, StreamPart, kinds};

use crate::profile::Profile;
use crate::read::{self, PlateRead, Report};

/// Barrier commands: name → ISAPI `ctrlMode`.
const COMMANDS: [(&str, &str, &str); 4] = [
    ("barrier.open", "open", "Raise the barrier for one car"),
    ("barrier.close", "close", "Lower the barrier now"),
    (
        "barrier.keep_open",
        "lock",
        "Hold the barrier up until `barrier.release`",
    ),
    (
        "barrier.release",
        "unlock",
        "Back to normal: the barrier lowers",
    ),
];
const NO_ARGS: &str = r#"{"type":"object","properties":{},"additionalProperties":false}"#;

/// A picture part: its file name and bytes.
type Picture = (String, Vec<u8>);

/// State of one camera.
pub struct Camera {
    id: String,
    profile: Profile,
    /// Health, and the push target or the alert stream.
    intake: EventIntake,
    /// (plate, lane, time ms) of recent reads, to collapse repeats.
    recent: VecDeque<(String, u32, i64)>,
    /// A stream read waiting for its pictures.
    waiting: Option<(PlateRead, Vec<Picture>)>,
}

impl Driver for Camera {
    fn describe() -> DriverInfo {
        let mut info = DriverInfo::new("anpr", env!("CARGO_PKG_VERSION"))
            .family("barrier-gate")
            .family("speed-camera")
            .emits(kinds::VEHICLE_PLATE)
            .emits(kinds::VEHICLE_PASSAGE)
            .emits(kinds::VEHICLE_SPEEDING)
            .emits(kinds::BARRIER_STATE)
            .setting("mode", "`push` (default) or `stream`", false)
            .setting(
                "speed_limit_kmh",
                "limit for reads that carry none (speed cameras; default from the profile)",
                false,
            );
        for (name, _, what) in COMMANDS {
            info = info.command_with_schema(name, what, NO_ARGS);
        }
        info
    }

    fn open(config: DeviceConfig) -> Result<Self, DriverError> {
        let id = config.id.clone();
        let bad = |m: String| DriverError::bad_config(format!("device `{id}`: {m}"));
        let text = config.profile.as_deref().ok_or_else(|| {
            bad("this driver needs a profile (e.g. `vehicle/twinwall-bg1`)".into())
        })?;
        let mut profile = Profile::parse(text)?;
        let delivery = Delivery::from_setting(&id, config.setting("mode"))?;
        if let Some(v) = config.setting("speed_limit_kmh") {
            profile.anpr.speed_limit_kmh = Some(
                v.trim()
                    .parse()
                    .ok()
                    .filter(|n| (1..=300).contains(n))
                    .ok_or_else(|| {
                        bad(format!("setting `speed_limit_kmh` = `{v}` is not 1..=300"))
                    })?,
            );
        }
        Ok(Camera {
            id: config.id,
            intake: EventIntake::new(&id, "camera", delivery, "XML", profile.isapi.clone()),
            profile,
            recent: VecDeque::new(),
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
            _ => {}
        }
        out
    }

    fn command(&mut self, name: &str, _args: &str) -> Result<Vec<Request>, DriverError> {
        let Some((_, mode, _)) = COMMANDS.iter().find(|c| c.0 == name) else {
            return Err(DriverError::unknown_command(name));
        };
        let Some(path) = self.profile.barrier() else {
            return Err(DriverError::not_allowed(format!(
                "device `{}` has no barrier",
                self.id
            )));
        };
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><BarrierGate version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><ctrlMode>{mode}</ctrlMode></BarrierGate>"
        );
        Ok(vec![
            HttpRequest::new("barrier", "PUT", path)
                .body("application/xml", body)
                .into(),
        ])
    }
}

impl Camera {
    fn on_response(&self, r: HttpResponse) {
        match (r.id.as_str(), r.status) {
            (_, 401) => log(
                LogLevel::Error,
                &format!(
                    "{}: the camera refused the hub's credentials (`{}`)",
                    self.id, r.id
                ),
            ),
            ("barrier", s) if s >= 300 => log(
                LogLevel::Warn,
                &format!("{}: barrier command refused: HTTP {s}", self.id),
            ),
            _ => {}
        }
    }

    fn on_push(&mut self, p: HttpPush, out: &mut Outcome) {
        let ct = p.header("content-type").unwrap_or("").to_owned();
        let parsed = multipart::parse(&p.body, &ct, self.intake.max_body() as usize)
            .map_err(|e| e.to_string())
            .and_then(|parts| {
                let xml = parts
                    .iter()
                    .find(|x| x.header("content-type").is_some_and(|c| c.contains("xml")))
                    .ok_or("no XML part")?;
                let report = read::report(&xml.body)?;
                Ok((report, pictures(&parts)))
            });
        match parsed {
            Ok((report, pics)) => {
                self.on_report(report, pics, out);
                out.request(p.reply(200, "application/xml", "<ResponseStatus><statusCode>1</statusCode><statusString>OK</statusString></ResponseStatus>"));
            }
            Err(why) => {
                log(LogLevel::Warn, &format!("{}: push refused: {why}", self.id));
                out.request(p.reply(400, "application/xml", format!("<ResponseStatus><statusCode>4</statusCode><statusString>Invalid Content</statusString><subStatusCode>badXmlContent</subStatusCode><errorMsg>{}</errorMsg></ResponseStatus>", escape(&why))));
            }
        }
    }

    fn on_part(&mut self, p: StreamPart, out: &mut Outcome) {
        let ct = p.header("content-type").unwrap_or("").to_owned();
        if ct.starts_with("image/") {
            let name = p
                .header("content-disposition")
                .and_then(|d| multipart::parameter(d, "filename"))
                .unwrap_or("picture.jpg")
                .to_owned();
            if let Some((_, pics)) = self.waiting.as_mut() {
                pics.push((name, p.body));
                if pics.len() >= 2
                    && let Some((r, pics)) = self.waiting.take()
                {
                    self.on_report(Report::Plate(r), pics, out);
                }
            }
            return;
        }
        if let Some((r, pics)) = self.waiting.take() {
            self.on_report(Report::Plate(r), pics, out);
        }
        match read::report(&p.body) {
            Ok(Report::Plate(r)) => self.waiting = Some((r, Vec::new())),
            Ok(other) => self.on_report(other, Vec::new(), out),
            Err(why) => log(
                LogLevel::Warn,
                &format!("{}: unreadable stream part: {why}", self.id),
            ),
        }
    }

    fn on_report(&mut self, report: Report, pictures: Vec<Picture>, out: &mut Outcome) {
        match report {
            Report::Plate(r) => self.on_plate(r, pictures, out),
            Report::Barrier { state, time_ms } => {
                let level = if state == "fault" {
                    Level::Yellow
                } else {
                    Level::Info
                };
                let mut e = Event::new(kinds::BARRIER_STATE)
                    .level(level)
                    .attr("state", state.as_str())
                    .message(format!("barrier {}", state.replace('_', " ")));
                if let Some(t) = time_ms {
                    e = e.device_time_ms(t);
                }
                out.push(e);
            }
            Report::Other(_) => {}
        }
    }

    fn on_plate(&mut self, r: PlateRead, pictures: Vec<Picture>, out: &mut Outcome) {
        let lane = r.lane.unwrap_or(1);
        let now = r.time_ms.unwrap_or_else(now_ms);
        let window = self.profile.anpr.duplicate_window_ms;
        self.recent.retain(|(_, _, t)| (now - t).abs() <= window);
        if self
            .recent
            .iter()
            .any(|(p, l, _)| *p == r.plate && *l == lane)
        {
            return;
        }
        self.recent.push_back((r.plate.clone(), lane, now));
        let category = self.profile.category(r.list.as_deref());
        let with_plate = |mut e: Event| {
            e = e
                .attr("plate", r.plate.as_str())
                .attr("lane", i64::from(lane))
                .attr("category", category.as_str());
            if let Some(c) = &r.color {
                e = e.attr("plate_color", c.as_str());
            }
            if let Some(t) = r.time_ms {
                e = e.device_time_ms(t);
            }
            e
        };
        let mut plate = with_plate(Event::new(kinds::VEHICLE_PLATE))
            .message(format!("{} read in lane {lane}", r.plate));
        if let Some(c) = r.confidence {
            plate = plate.attr("confidence", i64::from(c));
        }
        if let Some(d) = &r.direction {
            plate = plate.attr("direction", d.as_str());
        }
        if let Some(l) = &r.list {
            plate = plate.attr("list", l.as_str());
        }
        if let Some(t) = &r.vehicle_type {
            plate = plate.attr("vehicle_type", t.as_str());
        }
        if let Some(c) = &r.vehicle_color {
            plate = plate.attr("color", c.as_str());
        }
        if let Some(s) = r.speed {
            plate = plate.attr("speed_kmh", i64::from(s));
        }
        for (name, data) in pictures {
            let role = if name.starts_with("licensePlate") {
                "plate"
            } else {
                "scene"
            };
            plate = plate.media(role, "image/jpeg", data);
        }
        out.push(plate);
        if let Some(passage) = self.profile.passage(lane) {
            out.push(
                with_plate(Event::new(kinds::VEHICLE_PASSAGE))
                    .attr("passage", passage)
                    .message(format!(
                        "{} {} ({category})",
                        r.plate,
                        if passage == "entry" {
                            "came in"
                        } else {
                            "went out"
                        }
                    )),
            );
        }
        let limit = r.limit.or(self.profile.anpr.speed_limit_kmh);
        if let (Some(speed), Some(limit)) = (r.speed, limit)
            && speed > limit
        {
            out.push(
                with_plate(Event::new(kinds::VEHICLE_SPEEDING))
                    .level(Level::Yellow)
                    .attr("speed_kmh", i64::from(speed))
                    .attr("limit_kmh", i64::from(limit))
                    .message(format!(
                        "{} at {speed} km/h where {limit} is allowed",
                        r.plate
                    )),
            );
        }
    }
}

fn pictures(parts: &[Part]) -> Vec<Picture> {
    parts
        .iter()
        .filter(|p| {
            p.header("content-type")
                .is_some_and(|c| c.starts_with("image/"))
        })
        .map(|p| {
            let name = p
                .disposition("filename")
                .or(p.disposition("name"))
                .unwrap_or("picture.jpg");
            (name.to_owned(), p.body.clone())
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
