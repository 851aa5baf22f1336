//! IP broadcast speakers (model TW-SP1 with built-in TTS and multicast, TW-SP2
//! unicast only): a JSON control API over HTTP (play an RTP stream, a
//! multicast group or text; stop; volume; status) and an RTP receiver that
//! measures what actually arrived. A speaker plays a job only if its priority
//! is higher than what it plays (消防强切: 255 cuts into anything). Faults on
//! demand: offline, amplifier fault, line fault, slow answers. The API is in
//! `docs/speaker-api.md`.

pub mod mic;
pub mod rtp;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinHandle;

pub use rtp::{Meter, Reception};

/// A stream that stops for this long has ended.
const END_OF_STREAM: Duration = Duration::from_millis(600);
/// Jobs a speaker remembers (`played()`).
const PLAYED_KEPT: usize = 200;

/// A play whose stream never starts ends after this long.
const NO_STREAM: Duration = Duration::from_secs(5);

/// What a model can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// Model name, e.g. `TW-SP1`.
    pub name: String,
    /// Built-in text-to-speech.
    pub tts: bool,
    /// Can join a multicast group.
    pub multicast: bool,
}

impl Model {
    /// TW-SP1: TTS and multicast.
    pub fn sp1() -> Self {
        Model {
            name: "TW-SP1".into(),
            tts: true,
            multicast: true,
        }
    }

    /// TW-SP2: unicast RTP only.
    pub fn sp2() -> Self {
        Model {
            name: "TW-SP2".into(),
            tts: false,
            multicast: false,
        }
    }
}

/// Faults on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeakerFault {
    /// Healthy.
    Clear,
    /// The amplifier failed: plays nothing, reports `fault`.
    Amplifier,
    /// The loudspeaker line is open or shorted.
    Line,
    /// Answers every request after `ms`.
    Slow {
        /// Delay.
        ms: u64,
    },
}

/// One job the speaker played (or was cut from).
#[derive(Debug, Clone, Serialize)]
pub struct Played {
    /// Job id as the hub sent it.
    pub job: String,
    /// Priority.
    pub priority: u8,
    /// `rtp`, `multicast` or `tts`.
    pub source: String,
    /// `finished` or `preempted` or `stopped`.
    pub end: String,
    /// What arrived.
    pub reception: Reception,
}

struct Current {
    job: String,
    priority: u8,
    source: String,
    started: Instant,
    text_until: Option<Instant>,
    mc: Option<JoinHandle<()>>,
}

struct Shared {
    id: String,
    model: Model,
    rtp_port: u16,
    mc_interface: Ipv4Addr,
    meter: Meter,
    mc_meter: Meter,
    current: Mutex<Option<Current>>,
    played: Mutex<Vec<Played>>,
    volume: AtomicU8,
    fault: Mutex<SpeakerFault>,
    down: AtomicBool,
    /// The port named in play answers instead of the speaker's own.
    answer_port: std::sync::atomic::AtomicU16,
}

/// A running simulated speaker. Dropping it stops it.
pub struct Speaker {
    shared: Arc<Shared>,
    addr: SocketAddr,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Speaker {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        if let Some(c) = self.shared.current.lock().ok().and_then(|mut c| c.take())
            && let Some(m) = c.mc
        {
            m.abort();
        }
    }
}

impl Speaker {
    /// Start a speaker: HTTP control on `bind`, RTP on a free UDP port of
    /// the same host.
    pub async fn start(id: &str, bind: SocketAddr, model: Model) -> std::io::Result<Self> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let udp = UdpSocket::bind((addr.ip(), 0)).await?;
        let rtp_port = udp.local_addr()?.port();
        let mc_interface = match addr.ip() {
            std::net::IpAddr::V4(v4) if !v4.is_unspecified() => v4,
            _ => Ipv4Addr::LOCALHOST,
        };
        let shared = Arc::new(Shared {
            id: id.to_owned(),
            model,
            rtp_port,
            mc_interface,
            meter: Meter::default(),
            mc_meter: Meter::default(),
            current: Mutex::new(None),
            played: Mutex::default(),
            volume: AtomicU8::new(60),
            fault: Mutex::new(SpeakerFault::Clear),
            down: AtomicBool::new(false),
            answer_port: std::sync::atomic::AtomicU16::new(0),
        });
        let rx = tokio::spawn(rtp::receive(udp, shared.meter.clone()));
        let app = axum::Router::new()
            .route("/api/status", get(status))
            .route("/api/play", post(play))
            .route("/api/stop", post(stop))
            .route("/api/volume", post(volume))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Speaker {
            shared,
            addr,
            tasks: vec![rx, server],
        })
    }

    /// Id.
    pub fn id(&self) -> &str {
        &self.shared.id
    }

    /// Where its control API listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its unicast RTP port.
    pub fn rtp_port(&self) -> u16 {
        self.shared.rtp_port
    }

    /// Set or clear a fault.
    pub fn fault(&self, f: SpeakerFault) {
        *self.shared.fault.lock().unwrap_or_else(|p| p.into_inner()) = f;
    }

    /// Name `port` (on the speaker's host) in play answers instead of its
    /// own RTP port, as a speaker that hands its audio to an amplifier does:
    /// tests put an independent RTP receiver there. `None` restores it.
    pub fn send_rtp_to(&self, port: Option<u16>) {
        self.shared
            .answer_port
            .store(port.unwrap_or(0), Ordering::SeqCst);
    }

    /// Take the speaker off the network (requests go unanswered) or back.
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }

    /// What it is doing now, as its status API says.
    pub fn status(&self) -> Status {
        self.shared.status()
    }

    /// The latest jobs it played (at most 200), oldest first (finished,
    /// pre-empted or stopped).
    pub fn played(&self) -> Vec<Played> {
        self.shared.settle();
        self.shared
            .played
            .lock()
            .map(|p| p.clone())
            .unwrap_or_default()
    }
}

/// The status API's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Status {
    /// Speaker id.
    pub id: String,
    /// Model.
    pub model: String,
    /// `idle`, `playing` or `fault`.
    pub state: String,
    /// `amplifier` or `line` when in fault.
    pub fault: Option<String>,
    /// Job playing.
    pub job: Option<String>,
    /// Its priority.
    pub priority: Option<u8>,
    /// Volume 0-100.
    pub volume: u8,
    /// Unicast RTP port.
    pub rtp_port: u16,
    /// Built-in TTS.
    pub tts: bool,
    /// Multicast capable.
    pub multicast: bool,
    /// Jobs remembered (the latest 200).
    pub played: usize,
}

impl Shared {
    fn fault(&self) -> SpeakerFault {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn meter_of(&self, source: &str) -> &Meter {
        if source == "multicast" {
            &self.mc_meter
        } else {
            &self.meter
        }
    }

    /// End the current job if its stream or text is over.
    fn settle(&self) {
        let mut cur = self.current.lock().unwrap_or_else(|p| p.into_inner());
        let Some(c) = cur.as_ref() else { return };
        let now = Instant::now();
        let over = match c.text_until {
            Some(t) => now >= t,
            None => match self.meter_of(&c.source).last_packet() {
                Some(last) => now.duration_since(last) >= END_OF_STREAM,
                None => now.duration_since(c.started) >= NO_STREAM,
            },
        };
        if over && let Some(c) = cur.take() {
            self.end(c, "finished");
        }
    }

    fn end(&self, c: Current, how: &str) {
        if let Some(m) = &c.mc {
            m.abort();
        }
        let reception = self.meter_of(&c.source).reception();
        tracing::debug!(speaker = %self.id, job = %c.job, how, packets = reception.packets, "speaker job ended");
        if let Ok(mut p) = self.played.lock() {
            // A long vendor session plays thousands of jobs: keep the latest.
            if p.len() >= PLAYED_KEPT {
                p.remove(0);
            }
            p.push(Played {
                job: c.job,
                priority: c.priority,
                source: c.source,
                end: how.to_owned(),
                reception,
            });
        }
    }

    fn status(&self) -> Status {
        self.settle();
        let cur = self.current.lock().unwrap_or_else(|p| p.into_inner());
        let fault = match self.fault() {
            SpeakerFault::Amplifier => Some("amplifier".to_owned()),
            SpeakerFault::Line => Some("line".to_owned()),
            _ => None,
        };
        Status {
            id: self.id.clone(),
            model: self.model.name.clone(),
            state: if fault.is_some() {
                "fault"
            } else if cur.is_some() {
                "playing"
            } else {
                "idle"
            }
            .into(),
            fault,
            job: cur.as_ref().map(|c| c.job.clone()),
            priority: cur.as_ref().map(|c| c.priority),
            volume: self.volume.load(Ordering::Relaxed),
            rtp_port: self.rtp_port,
            tts: self.model.tts,
            multicast: self.model.multicast,
            played: self.played.lock().map(|p| p.len()).unwrap_or(0),
        }
    }
}

async fn gate(s: &Shared) {
    if s.down.load(Ordering::SeqCst) {
        std::future::pending::<()>().await;
    }
    if let SpeakerFault::Slow { ms } = s.fault() {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

fn error(status: StatusCode, code: &str, message: String) -> Response {
    (status, Json(json!({"error": code, "message": message}))).into_response()
}

async fn status(State(s): State<Arc<Shared>>) -> Response {
    gate(&s).await;
    Json(s.status()).into_response()
}

/// Body of `POST /api/play`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlayBody {
    job: String,
    #[serde(default)]
    priority: u8,
    /// `rtp` (unicast to the speaker's port), `multicast` or `tts`.
    source: String,
    #[serde(default)]
    group: Option<Ipv4Addr>,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    text: Option<String>,
}

async fn play(
    State(s): State<Arc<Shared>>,
    body: Result<Json<PlayBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    gate(&s).await;
    let Json(b) = match body {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad-request", e.body_text()),
    };
    if let f @ (SpeakerFault::Amplifier | SpeakerFault::Line) = s.fault() {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "fault",
            format!("speaker {} has a {f:?} fault", s.id).to_lowercase(),
        );
    }
    s.settle();
    let mut cur = s.current.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = cur.as_ref()
        && c.job != b.job
        && c.priority >= b.priority
    {
        return error(
            StatusCode::CONFLICT,
            "busy",
            format!(
                "playing job {} at priority {}; job {} has priority {}",
                c.job, c.priority, b.job, b.priority
            ),
        );
    }
    let mut text_until = None;
    let mut mc = None;
    match b.source.as_str() {
        "rtp" => {}
        "tts" => {
            if !s.model.tts {
                return error(
                    StatusCode::NOT_IMPLEMENTED,
                    "no-tts",
                    format!("model {} has no built-in text-to-speech", s.model.name),
                );
            }
            let text = b.text.clone().unwrap_or_default();
            if text.trim().is_empty() {
                return error(StatusCode::BAD_REQUEST, "bad-request", "empty text".into());
            }
            // About four syllables a second, as a TTS voice reads.
            let ms = (text.chars().count() as u64 * 250).max(1000);
            text_until = Some(Instant::now() + Duration::from_millis(ms));
        }
        "multicast" => {
            if !s.model.multicast {
                return error(
                    StatusCode::NOT_IMPLEMENTED,
                    "no-multicast",
                    format!("model {} receives unicast RTP only", s.model.name),
                );
            }
            let (Some(group), Some(port)) = (b.group, b.port) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "bad-request",
                    "multicast needs `group` and `port`".into(),
                );
            };
            if !group.is_multicast() {
                return error(
                    StatusCode::BAD_REQUEST,
                    "bad-request",
                    format!("{group} is not a multicast group"),
                );
            }
            match rtp::multicast(group, port, s.mc_interface) {
                Ok(sock) => mc = Some(tokio::spawn(rtp::receive(sock, s.mc_meter.clone()))),
                Err(e) => {
                    return error(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "join-failed",
                        format!("cannot join {group}:{port}: {e}"),
                    );
                }
            }
        }
        other => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad-request",
                format!("unknown source `{other}` (rtp, multicast, tts)"),
            );
        }
    }
    if let Some(old) = cur.take() {
        let how = if old.job == b.job {
            "stopped"
        } else {
            "preempted"
        };
        s.end(old, how);
    }
    s.meter_of(&b.source).reset();
    *cur = Some(Current {
        job: b.job.clone(),
        priority: b.priority,
        source: b.source.clone(),
        started: Instant::now(),
        text_until,
        mc,
    });
    let port = match s.answer_port.load(Ordering::SeqCst) {
        0 => s.rtp_port,
        p => p,
    };
    Json(json!({"job": b.job, "rtp_port": port, "state": "playing"})).into_response()
}

#[derive(Debug, Deserialize)]
struct StopBody {
    #[serde(default)]
    job: Option<String>,
}

async fn stop(State(s): State<Arc<Shared>>, body: Option<Json<StopBody>>) -> Response {
    gate(&s).await;
    let job = body.and_then(|Json(b)| b.job);
    let mut cur = s.current.lock().unwrap_or_else(|p| p.into_inner());
    let matches = cur
        .as_ref()
        .is_some_and(|c| job.as_ref().is_none_or(|j| *j == c.job));
    if matches && let Some(c) = cur.take() {
        s.end(c, "stopped");
    }
    Json(json!({"stopped": matches})).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VolumeBody {
    level: u8,
}

async fn volume(
    State(s): State<Arc<Shared>>,
    body: Result<Json<VolumeBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    gate(&s).await;
    match body {
        Ok(Json(b)) if b.level <= 100 => {
            s.volume.store(b.level, Ordering::Relaxed);
            Json(json!({"volume": b.level})).into_response()
        }
        Ok(Json(b)) => error(
            StatusCode::BAD_REQUEST,
            "bad-request",
            format!("volume {} is outside 0-100", b.level),
        ),
        Err(e) => error(StatusCode::BAD_REQUEST, "bad-request", e.body_text()),
    }
}
