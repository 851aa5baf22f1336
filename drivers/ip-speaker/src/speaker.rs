//! One speaker: its jobs, the RTP the hub sends it, its faults.

use serde::Deserialize;
use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::{HttpResponse, RtpFinished, RtpSend, command, kinds};

use crate::profile::Profile;

/// `play`: a job on the speaker. Its JSON Schema (in `describe`) and its
/// parsing come from this type.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct PlayArgs {
    /// Broadcast job id.
    #[schemars(length(min = 1, max = 64))]
    job: String,
    /// The speaker plays it only over lower priorities; 255 = fire evacuation.
    #[serde(default)]
    priority: u8,
    /// Content hash of a clip stored in the hub, or `live:<n>` for a live
    /// stream the hub relays.
    #[serde(default)]
    clip: Option<String>,
    /// Text for models with built-in TTS.
    #[serde(default)]
    #[schemars(length(max = 2000))]
    text: Option<String>,
    /// Plays back to back; 0 = until stopped (default 1).
    #[serde(default = "once")]
    repeat: u32,
    /// Output volume, 0-100.
    #[serde(default)]
    #[schemars(range(max = 100))]
    volume: Option<u8>,
    /// Multicast group of the zone (used when the model can join it).
    #[serde(default)]
    group: Option<String>,
    /// Multicast port.
    #[serde(default)]
    #[schemars(range(min = 1))]
    port: Option<u16>,
}

fn once() -> u32 {
    1
}

/// `stop`: what plays, or one job.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct StopArgs {
    /// Stop only this job (default: whatever plays).
    #[serde(default)]
    job: Option<String>,
}

/// `volume`: the output volume.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct VolumeArgs {
    /// 0-100.
    #[schemars(range(max = 100))]
    level: u8,
}

/// How a job reaches the speaker.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    Tts,
    Unicast {
        clip: String,
    },
    Multicast {
        clip: String,
        group: String,
        port: u16,
    },
}

impl Source {
    fn name(&self) -> &'static str {
        match self {
            Source::Tts => "tts",
            Source::Unicast { .. } => "rtp",
            Source::Multicast { .. } => "multicast",
        }
    }
}

#[derive(Debug, Clone)]
struct Job {
    job: String,
    priority: u8,
    source: Source,
    repeat: u32,
}

#[derive(Debug, Deserialize)]
struct PlayAnswer {
    rtp_port: u16,
}

#[derive(Debug, Deserialize)]
struct StatusAnswer {
    state: String,
    #[serde(default)]
    fault: Option<String>,
    #[serde(default)]
    job: Option<String>,
}

/// State of one speaker.
pub struct Speaker {
    id: String,
    profile: Profile,
    /// Plays asked of the speaker, not yet answered.
    asked: Vec<Job>,
    /// What plays now, as far as the driver knows.
    current: Option<Job>,
    fault: Option<String>,
}

fn ssrc(job: &str) -> u32 {
    // FNV-1a: the speaker tells streams apart by SSRC; one per job.
    job.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

impl Speaker {
    fn idle(&mut self, job: &str, end: &str, sent_ms: Option<u64>, out: &mut Outcome) {
        if self.current.as_ref().is_none_or(|c| c.job != job) {
            return;
        }
        self.current = None;
        let mut e = Event::new(kinds::SPEAKER_IDLE)
            .attr("job", job)
            .attr("end", end)
            .message(format!("{} idle after job {job} ({end})", self.id));
        if let Some(ms) = sent_ms {
            e = e.attr("sent_ms", ms as i64);
        }
        out.push(e);
    }

    fn on_played(&mut self, job: &str, r: &HttpResponse, out: &mut Outcome) {
        let Some(at) = self.asked.iter().position(|j| j.job == job) else {
            return;
        };
        let asked = self.asked.remove(at);
        if r.status >= 300 {
            log(
                LogLevel::Info,
                &format!(
                    "{}: play {job} refused: HTTP {}: {}",
                    self.id,
                    r.status,
                    String::from_utf8_lossy(&r.body)
                ),
            );
            return;
        }
        // The speaker cut the job before this one: its stream stops here.
        if let Some(old) = self.current.take()
            && old.job != asked.job
            && old.source != Source::Tts
        {
            out.request(Request::cancel(&format!("rtp:{}", old.job)));
        }
        let port = serde_json::from_slice::<PlayAnswer>(&r.body).map(|a| a.rtp_port);
        let send = |clip: &str, host: &str, port: u16| {
            Request::from(RtpSend {
                id: format!("rtp:{}", asked.job),
                source: clip.to_owned(),
                host: host.to_owned(),
                port,
                codec: self.profile.codec,
                packet_ms: self.profile.packet_ms,
                repeat: asked.repeat,
                ssrc: ssrc(&asked.job),
            })
        };
        match &asked.source {
            Source::Tts => {}
            Source::Unicast { clip } => match port {
                Ok(p) => out.request(send(clip, "", p)),
                Err(e) => {
                    log(
                        LogLevel::Warn,
                        &format!("{}: play answer without rtp_port: {e}", self.id),
                    );
                    return;
                }
            },
            Source::Multicast { clip, group, port } => out.request(send(clip, group, *port)),
        }
        out.push(
            Event::new(kinds::SPEAKER_PLAYING)
                .attr("job", asked.job.as_str())
                .attr("priority", i64::from(asked.priority))
                .attr("source", asked.source.name())
                .message(format!(
                    "{} plays job {} (priority {})",
                    self.id, asked.job, asked.priority
                )),
        );
        self.current = Some(asked);
    }

    fn on_status(&mut self, r: &HttpResponse, out: &mut Outcome) {
        let Ok(s) = serde_json::from_slice::<StatusAnswer>(&r.body) else {
            log(
                LogLevel::Warn,
                &format!("{}: unreadable status ({} bytes)", self.id, r.body.len()),
            );
            return;
        };
        let fault = (s.state == "fault").then(|| s.fault.clone().unwrap_or("unknown".into()));
        if fault != self.fault {
            if let Some(old) = self.fault.take() {
                out.push(
                    Event::new(kinds::SPEAKER_FAULT)
                        .level(Level::Yellow)
                        .end()
                        .attr("fault", old.as_str())
                        .message(format!("{}: {old} fault cleared", self.id)),
                );
            }
            if let Some(new) = &fault {
                out.push(
                    Event::new(kinds::SPEAKER_FAULT)
                        .level(Level::Yellow)
                        .begin()
                        .attr("fault", new.as_str())
                        .message(format!("{}: {new} fault", self.id)),
                );
            }
            self.fault = fault;
        }
        // Text ends on the speaker's own clock: its status says when.
        if let Some(c) = &self.current
            && c.source == Source::Tts
            && s.job.as_deref() != Some(c.job.as_str())
        {
            let job = c.job.clone();
            self.idle(&job, "finished", None, out);
        }
    }

    fn on_rtp_finished(&mut self, f: RtpFinished, out: &mut Outcome) {
        let Some(job) = f.id.strip_prefix("rtp:") else {
            return;
        };
        if !f.cancelled && self.current.as_ref().is_some_and(|c| c.job == job) {
            // Tell the speaker at once rather than let it wait out the silence.
            out.request(stop_request(job));
            self.idle(job, "finished", Some(f.sent_ms), out);
        }
    }

    fn play(&mut self, args: &str) -> Result<Vec<Request>, DriverError> {
        let a: PlayArgs = command::args("play", args)?;
        if a.job.is_empty() || a.job.len() > 64 {
            return Err(DriverError::bad_args(
                "play: `job` must be 1 to 64 characters",
            ));
        }
        let source = match (&a.text, &a.clip) {
            (Some(_), _) if self.profile.tts => Source::Tts,
            (_, Some(clip)) => match (&a.group, a.port) {
                (Some(g), Some(p)) if self.profile.multicast => Source::Multicast {
                    clip: clip.clone(),
                    group: g.clone(),
                    port: p,
                },
                _ => Source::Unicast { clip: clip.clone() },
            },
            (Some(_), None) => {
                return Err(DriverError::bad_args(format!(
                    "play: model {} has no built-in TTS; send a rendered `clip`",
                    self.profile.model
                )));
            }
            (None, None) => return Err(DriverError::bad_args("play: needs `clip` or `text`")),
        };
        let mut reqs = Vec::new();
        if let Some(v) = a.volume {
            reqs.push(volume_request(v)?);
        }
        let body = match &source {
            Source::Tts => serde_json::json!({
                "job": a.job, "priority": a.priority, "source": "tts", "text": a.text,
            }),
            Source::Unicast { .. } => serde_json::json!({
                "job": a.job, "priority": a.priority, "source": "rtp",
            }),
            Source::Multicast { group, port, .. } => serde_json::json!({
                "job": a.job, "priority": a.priority, "source": "multicast",
                "group": group, "port": port,
            }),
        };
        reqs.push(
            HttpRequest::new(&format!("play:{}", a.job), "POST", "/api/play")
                .body("application/json", body.to_string())
                .into(),
        );
        self.asked.retain(|j| j.job != a.job);
        self.asked.push(Job {
            job: a.job,
            priority: a.priority,
            source,
            repeat: a.repeat,
        });
        Ok(reqs)
    }

    fn stop(&mut self, args: &str) -> Result<Vec<Request>, DriverError> {
        let a: StopArgs = command::args("stop", args)?;
        let job = a
            .job
            .or_else(|| self.current.as_ref().map(|c| c.job.clone()));
        Ok(match &job {
            Some(j) => vec![Request::cancel(&format!("rtp:{j}")), stop_request(j)],
            None => vec![
                HttpRequest::new("stop:", "POST", "/api/stop")
                    .body("application/json", "{}")
                    .into(),
            ],
        })
    }
}

fn stop_request(job: &str) -> Request {
    HttpRequest::new(&format!("stop:{job}"), "POST", "/api/stop")
        .body(
            "application/json",
            serde_json::json!({ "job": job }).to_string(),
        )
        .into()
}

fn volume_request(level: u8) -> Result<Request, DriverError> {
    if level > 100 {
        return Err(DriverError::bad_args(format!(
            "volume {level} is outside 0-100"
        )));
    }
    Ok(HttpRequest::new("volume", "POST", "/api/volume")
        .body(
            "application/json",
            serde_json::json!({ "level": level }).to_string(),
        )
        .into())
}

impl Driver for Speaker {
    fn describe() -> DriverInfo {
        DriverInfo::new("ip-speaker", env!("CARGO_PKG_VERSION"))
            .family("speaker")
            .emits(kinds::SPEAKER_PLAYING)
            .emits(kinds::SPEAKER_IDLE)
            .emits(kinds::SPEAKER_FAULT)
            .command_for::<PlayArgs>(
                "play",
                "Play a stored clip (RTP from the hub) or text (built-in TTS) at a priority",
            )
            .command_for::<StopArgs>("stop", "Stop what plays (or one job)")
            .command_for::<VolumeArgs>("volume", "Set the output volume, 0-100")
    }

    fn open(config: DeviceConfig) -> Result<Self, DriverError> {
        let text = config.profile.as_deref().ok_or_else(|| {
            DriverError::bad_config(format!(
                "device `{}`: this driver needs a profile (e.g. `speaker/twinwall-sp1`)",
                config.id
            ))
        })?;
        Ok(Speaker {
            profile: Profile::parse(text).map_err(|e| {
                DriverError::bad_config(format!("device `{}`: {}", config.id, e.message))
            })?,
            id: config.id,
            asked: Vec::new(),
            current: None,
            fault: None,
        })
    }

    fn start(&mut self) -> Vec<Request> {
        vec![
            HttpRequest::new("status", "GET", "/api/status").into(),
            Request::timer("status", self.profile.status_every_ms, true),
        ]
    }

    fn handle(&mut self, input: Input) -> Outcome {
        let mut out = Outcome::default();
        match input {
            Input::Timer(t) if t == "status" => {
                out.request(HttpRequest::new("status", "GET", "/api/status").into())
            }
            Input::HttpResponse(r) => {
                if r.id == "status" {
                    self.on_status(&r, &mut out);
                } else if let Some(job) = r.id.strip_prefix("play:") {
                    let job = job.to_owned();
                    self.on_played(&job, &r, &mut out);
                } else if let Some(job) = r.id.strip_prefix("stop:")
                    && r.status < 300
                {
                    let job = job.to_owned();
                    self.idle(&job, "stopped", None, &mut out);
                }
            }
            Input::RtpFinished(f) => self.on_rtp_finished(f, &mut out),
            Input::Failed(f) => {
                if let Some(job) = f.id.strip_prefix("rtp:") {
                    let job = job.to_owned();
                    log(
                        LogLevel::Warn,
                        &format!("{}: RTP for job {job} failed: {}", self.id, f.message),
                    );
                    self.idle(&job, "failed", None, &mut out);
                } else if let Some(job) = f.id.strip_prefix("play:") {
                    self.asked.retain(|j| j.job != job);
                }
            }
            _ => {}
        }
        out
    }

    fn command(&mut self, name: &str, args: &str) -> Result<Vec<Request>, DriverError> {
        match name {
            "play" => self.play(args),
            "stop" => self.stop(args),
            "volume" => {
                let a: VolumeArgs = command::args("volume", args)?;
                Ok(vec![volume_request(a.level)?])
            }
            other => Err(DriverError::unknown_command(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twinwall_plugin_sdk::AudioCodec;

    const SP1: &str = include_str!("../../../device-profiles/speaker/twinwall-sp1.toml");
    const SP2: &str = include_str!("../../../device-profiles/speaker/twinwall-sp2.toml");

    fn answer(id: &str, status: u16, body: &str) -> Input {
        Input::HttpResponse(HttpResponse {
            id: id.into(),
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        })
    }

    fn open(profile: &str) -> Harness<Speaker> {
        Harness::<Speaker>::open(DeviceConfig::new("sp-1").with_profile(profile)).unwrap()
    }

    #[test]
    fn a_clip_is_sent_as_rtp_once_the_speaker_accepts_and_ends_with_idle() {
        let mut h = open(SP1);
        let reqs = h
            .command(
                "play",
                r#"{"job":"b-1","priority":100,"clip":"ab","volume":80}"#,
            )
            .unwrap();
        assert_eq!(reqs.len(), 2, "{reqs:?}");
        let out = h.feed(answer("play:b-1", 200, r#"{"job":"b-1","rtp_port":41000}"#));
        let RequestKind::RtpSend(s) = out.requests[0].kind() else {
            panic!("{:?}", out.requests)
        };
        assert_eq!(
            (s.port, s.host.as_str(), s.codec),
            (41000, "", AudioCodec::Pcmu)
        );
        assert_eq!(out.events[0].kind, "speaker.playing");
        let out = h.feed(Input::RtpFinished(RtpFinished {
            id: "rtp:b-1".into(),
            packets: 150,
            sent_ms: 3000,
            cancelled: false,
        }));
        assert_eq!(out.events[0].kind, "speaker.idle");
        assert_eq!(out.events[0].get("sent_ms"), Some(&Value::Int(3000)));
        assert_eq!(out.requests, vec![stop_request("b-1")]);
    }

    #[test]
    fn a_job_that_cuts_in_stops_the_stream_of_the_one_before() {
        let mut h = open(SP1);
        h.command("play", r#"{"job":"low","priority":10,"clip":"ab"}"#)
            .unwrap();
        h.feed(answer("play:low", 200, r#"{"rtp_port":41000}"#));
        h.command(
            "play",
            r#"{"job":"fire","priority":255,"clip":"cd","group":"239.1.1.1","port":5004}"#,
        )
        .unwrap();
        let out = h.feed(answer("play:fire", 200, r#"{"rtp_port":41000}"#));
        assert_eq!(out.requests[0], Request::cancel("rtp:low"));
        let RequestKind::RtpSend(s) = out.requests[1].kind() else {
            panic!("{:?}", out.requests)
        };
        assert_eq!((s.host.as_str(), s.port), ("239.1.1.1", 5004));
        // The cancelled stream's end is not the new job's end.
        let out = h.feed(Input::RtpFinished(RtpFinished {
            id: "rtp:low".into(),
            packets: 3,
            sent_ms: 60,
            cancelled: true,
        }));
        assert!(out.events.is_empty());
    }

    #[test]
    fn text_needs_tts_or_a_rendered_clip() {
        let mut h = open(SP2);
        let e = h
            .command("play", r#"{"job":"t","text":"请疏散"}"#)
            .unwrap_err();
        assert!(e.message.contains("no built-in TTS"), "{}", e.message);
        // With a rendered clip the TW-SP2 plays it by unicast, even if a group is named.
        h.command(
            "play",
            r#"{"job":"t","text":"请疏散","clip":"ef","group":"239.1.1.1","port":5004}"#,
        )
        .unwrap();
        let out = h.feed(answer("play:t", 200, r#"{"rtp_port":42000}"#));
        let RequestKind::RtpSend(s) = out.requests[0].kind() else {
            panic!("{:?}", out.requests)
        };
        assert_eq!((s.host.as_str(), s.codec), ("", AudioCodec::Pcma));
    }

    #[test]
    fn a_status_captured_from_a_speaker_reports_its_fault() {
        let body = include_str!("../tests/fixtures/status-amplifier-fault.json");
        let mut h = open(SP1);
        let out = h.feed(answer("status", 200, body));
        assert_eq!(out.events.len(), 1, "{:?}", out.events);
        let e = &out.events[0];
        assert_eq!(
            (e.kind.as_str(), e.phase),
            ("speaker.fault", Some(Phase::Begin))
        );
        assert_eq!(e.get("fault"), Some(&Value::Text("amplifier".into())));
    }

    #[test]
    fn faults_come_and_go_from_the_status() {
        let mut h = open(SP1);
        let out = h.feed(answer(
            "status",
            200,
            r#"{"state":"fault","fault":"amplifier"}"#,
        ));
        assert_eq!(out.events[0].phase, Some(Phase::Begin));
        assert!(
            h.feed(answer(
                "status",
                200,
                r#"{"state":"fault","fault":"amplifier"}"#
            ))
            .events
            .is_empty()
        );
        let out = h.feed(answer("status", 200, r#"{"state":"idle"}"#));
        assert_eq!(out.events[0].phase, Some(Phase::End));
    }

    #[test]
    fn a_refused_play_and_garbage_make_no_events() {
        let mut h = open(SP1);
        h.command("play", r#"{"job":"x","clip":"ab"}"#).unwrap();
        let out = h.feed(answer("play:x", 409, r#"{"error":"busy"}"#));
        assert!(out.events.is_empty() && out.requests.is_empty());
        assert!(
            h.feed(answer("status", 200, "\u{0}garbage"))
                .events
                .is_empty()
        );
        assert!(h.command("play", r#"{"job":"y"}"#).is_err());
        assert!(
            h.command("play", r#"{"job":"y","clip":"a","loud":1}"#)
                .is_err()
        );
    }
}
