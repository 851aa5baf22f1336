//! Simulated face-recognition gates (turnstiles and door terminals) that
//! speak Hikvision-ISAPI-style HTTP, with HTTP Digest on every call:
//!
//! - `GET /ISAPI/System/deviceInfo`, `GET /ISAPI/System/status`;
//! - `PUT /ISAPI/Event/notification/httpHosts`: where to push events (the
//!   "listening host"); the gate then POSTs each event as
//!   `multipart/form-data` (an `AccessControllerEvent` JSON part and the face
//!   picture), in order, retrying with backoff and buffering while the target
//!   is down, as real gates do;
//! - `GET /ISAPI/Event/notification/alertStream`: the same events (and a
//!   heartbeat) on a long-lived `multipart/mixed` stream;
//! - `PUT /ISAPI/AccessControl/RemoteControl/door/{n}` with
//!   `<RemoteControlDoor><cmd>open|close|alwaysOpen|alwaysClose|resume</cmd>`.
//!
//! Event codes, fields and the picture are described in
//! `docs/face-gate-isapi.md`.

mod event;
pub use event::picture;
pub mod people;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, Method};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

pub use event::{AccessEvent, minor};

pub use people::{Category, Person};

use crate::auth::DigestGuard;
use crate::isapi;

const REALM: &str = "twinwall-face-gate";
const STREAM_BOUNDARY: &str = "boundary";
const PUSH_BOUNDARY: &str = "MIME_boundary";

/// Why a person was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Denial {
    /// No face on file matched.
    UnknownFace,
    /// Known, but no right to this door.
    NoPermission,
    /// Temperature above the threshold.
    AbnormalTemperature,
}

/// Faults a gate can be told to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum GateFault {
    /// Back to normal.
    Clear,
    /// Pushes carry a broken multipart body.
    MalformedMultipart,
    /// Pictures are padded to this many bytes.
    OversizedPicture {
        /// Picture size.
        bytes: usize,
    },
    /// Every ISAPI answer is delayed.
    Slow {
        /// Delay, ms.
        ms: u64,
    },
    /// Every push is sent twice with the same `serialNo`, as a gate does
    /// that did not see the answer to the first.
    Duplicate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DoorMode {
    Normal,
    AlwaysOpen,
    AlwaysClosed,
}

/// How a push target was set, as `httpHosts` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTarget {
    /// The full URL the gate posts to.
    pub url: String,
}

struct Shared {
    id: String,
    addr: SocketAddr,
    user: String,
    password: Mutex<String>,
    guard: DigestGuard,
    doors: Mutex<Vec<DoorMode>>,
    push: Arc<isapi::PushQueue>,
    live: broadcast::Sender<Arc<Vec<u8>>>,
    serial: AtomicU64,
    fault: Mutex<GateFault>,
    picture_bytes: usize,
    down: AtomicBool,
}

/// A running simulated gate. Dropping it stops the gate.
pub struct FaceGate {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

/// Options of a gate.
#[derive(Debug, Clone)]
pub struct GateOptions {
    /// Doors (turnstile lanes).
    pub doors: u8,
    /// Seconds between alert-stream heartbeats.
    pub heartbeat_s: u64,
    /// Pad face pictures to this many bytes (real ones are tens of KB); 0
    /// keeps the small generated JPEG.
    pub picture_bytes: usize,
}

impl Default for GateOptions {
    fn default() -> Self {
        GateOptions {
            doors: 2,
            heartbeat_s: 10,
            picture_bytes: 0,
        }
    }
}

impl FaceGate {
    /// Start a gate on `bind` (port 0 picks one) with account `user`/`password`.
    pub async fn start(
        id: &str,
        bind: SocketAddr,
        user: &str,
        password: &str,
        opts: GateOptions,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            id: id.to_owned(),
            addr,
            user: user.to_owned(),
            password: Mutex::new(password.to_owned()),
            guard: DigestGuard::new(REALM),
            doors: Mutex::new(vec![DoorMode::Normal; usize::from(opts.doors.max(1))]),
            push: Arc::default(),
            live: broadcast::channel(1024).0,
            serial: AtomicU64::new(1),
            fault: Mutex::new(GateFault::Clear),
            picture_bytes: opts.picture_bytes,
            down: AtomicBool::new(false),
        });
        let server = tokio::spawn(isapi::front::serve(listener, shared.clone()));
        let pusher = tokio::spawn(shared.push.clone().run(id.to_owned()));
        let beat = tokio::spawn(heartbeats(shared.clone(), opts.heartbeat_s.max(1)));
        Ok(FaceGate {
            shared,
            tasks: vec![server, pusher, beat],
        })
    }

    /// Gate id.
    pub fn id(&self) -> &str {
        &self.shared.id
    }

    /// Where its ISAPI listens.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// A face passed at `door`, on the entry (`entering`) or exit side.
    pub fn pass(&self, person: &Person, door: u8, entering: bool) -> u64 {
        let temp = 36.0 + fastrand::f32() * 0.9;
        self.record(
            minor::FACE_PASS,
            door,
            entering,
            Some(person.clone()),
            Some(temp),
            false,
        )
    }

    /// Someone was turned away at `door`.
    pub fn deny(&self, person: Option<&Person>, door: u8, why: Denial) -> u64 {
        match why {
            Denial::UnknownFace => {
                self.record(minor::FACE_UNKNOWN, door, true, None, Some(36.4), false)
            }
            Denial::NoPermission => self.record(
                minor::NO_RIGHT,
                door,
                true,
                person.cloned(),
                Some(36.5),
                false,
            ),
            Denial::AbnormalTemperature => {
                let t = 37.6 + fastrand::f32() * 1.2;
                self.record(minor::FACE_FAIL, door, true, person.cloned(), Some(t), true)
            }
        }
    }

    /// A door event without a person (opened, closed, forced, held open …).
    pub fn door_event(&self, door: u8, minor: u16) -> u64 {
        self.record(minor, door, true, None, None, false)
    }

    fn record(
        &self,
        minor: u16,
        door: u8,
        entering: bool,
        person: Option<Person>,
        temperature: Option<f32>,
        abnormal: bool,
    ) -> u64 {
        self.shared.record(AccessEvent {
            serial: 0,
            minor,
            time_ms: isapi::now_ms(),
            door,
            reader: if entering { 1 } else { 2 },
            picture: (minor == minor::FACE_PASS
                || minor == minor::FACE_FAIL
                || minor == minor::FACE_UNKNOWN
                || minor == minor::NO_RIGHT)
                .then(|| {
                    person
                        .as_ref()
                        .map_or("stranger", |p| p.id.as_str())
                        .to_owned()
                })
                .map(|seed| {
                    let pad = match *self.shared.fault.lock().unwrap_or_else(|p| p.into_inner()) {
                        GateFault::OversizedPicture { bytes } => bytes,
                        _ => self.shared.picture_bytes,
                    };
                    event::picture(&seed, pad)
                }),
            person,
            temperature,
            abnormal_temperature: abnormal,
        })
    }

    /// Show a fault (or clear it).
    pub fn fault(&self, f: GateFault) {
        *self.shared.fault.lock().unwrap_or_else(|p| p.into_inner()) = f;
    }

    /// Change the account's password (a "wrong credentials" fault for the hub).
    pub fn set_password(&self, password: &str) {
        *self
            .shared
            .password
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = password.to_owned();
    }

    /// Stop answering ISAPI calls (the network is cut), or answer again.
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }

    /// Where the gate pushes, once configured.
    pub fn push_target(&self) -> Option<PushTarget> {
        self.shared.push.target().map(|url| PushTarget { url })
    }

    /// Events the push target acknowledged (2xx).
    pub fn pushed(&self) -> u64 {
        self.shared.push.pushed()
    }

    /// Push attempts that failed (unreachable, refused, not acknowledged).
    pub fn push_failures(&self) -> u64 {
        self.shared.push.failures()
    }

    /// Events the target refused three times (a 4xx), given up.
    pub fn rejected(&self) -> u64 {
        self.shared.push.rejected()
    }

    /// Events waiting to be pushed.
    pub fn backlog(&self) -> usize {
        self.shared.push.backlog()
    }

    /// The serial number the next event will get.
    pub fn next_serial(&self) -> u64 {
        self.shared.serial.load(Ordering::Relaxed)
    }

    /// Whether door `n` is held open by command.
    pub fn door_always_open(&self, n: u8) -> bool {
        self.shared
            .doors
            .lock()
            .ok()
            .and_then(|d| d.get(usize::from(n).wrapping_sub(1)).copied())
            == Some(DoorMode::AlwaysOpen)
    }
}

impl Drop for FaceGate {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Shared {
    fn ip(&self) -> String {
        self.addr.ip().to_string()
    }

    /// Number an event, queue it for the push target and send it live.
    fn record(&self, mut e: AccessEvent) -> u64 {
        e.serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let serial = e.serial;
        let _ = self.live.send(Arc::new(self.stream_part(&e)));
        let p = isapi::Prepared {
            serial,
            content_type: format!("multipart/form-data; boundary={PUSH_BOUNDARY}"),
            body: self.push_body(&e),
        };
        if self.fault() == GateFault::Duplicate {
            self.push.push(p.clone());
        }
        self.push.push(p);
        serial
    }

    fn fault(&self) -> GateFault {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The body of one push: the event's JSON part and its picture.
    fn push_body(&self, e: &AccessEvent) -> Vec<u8> {
        let json = event::json(e, &self.id, &self.ip()).to_string();
        let mut parts = vec![isapi::BodyPart {
            disposition: Some("form-data; name=\"AccessControllerEvent\"".into()),
            content_type: "application/json",
            body: json.as_bytes(),
        }];
        if let Some(p) = &e.picture {
            parts.push(isapi::BodyPart {
                disposition: Some("form-data; name=\"Picture\"; filename=\"Picture.jpg\"".into()),
                content_type: "image/jpeg",
                body: p,
            });
        }
        let mut b = isapi::multipart(PUSH_BOUNDARY, &parts, true);
        if self.fault() == GateFault::MalformedMultipart {
            // A firmware bug: the first part's headers run into its body, and
            // the body is cut short.
            if let Some(i) = b.windows(4).position(|w| w == b"\r\n\r\n") {
                b.drain(i..i + 2);
            }
            b.truncate(b.len() / 2);
        }
        b
    }

    /// The event as a part of the alert stream (JSON, then its picture).
    fn stream_part(&self, e: &AccessEvent) -> Vec<u8> {
        let json = event::json(e, &self.id, &self.ip()).to_string();
        let mut parts = vec![isapi::BodyPart {
            disposition: None,
            content_type: "application/json; charset=\"UTF-8\"",
            body: json.as_bytes(),
        }];
        if let Some(p) = &e.picture {
            parts.push(isapi::BodyPart {
                disposition: Some("form-data; name=\"Picture\"; filename=\"Picture.jpg\"".into()),
                content_type: "image/jpeg",
                body: p,
            });
        }
        isapi::multipart(STREAM_BOUNDARY, &parts, false)
    }
}

impl isapi::front::IsapiDevice for Shared {
    fn id(&self) -> &str {
        &self.id
    }

    fn down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }

    fn delay(&self) -> Option<Duration> {
        match self.fault() {
            GateFault::Slow { ms } => Some(Duration::from_millis(ms)),
            _ => None,
        }
    }

    fn authorize(&self, headers: &HeaderMap, method: &Method) -> Result<(), Box<Response>> {
        let password = self
            .password
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        self.guard.authorize(headers, method, &self.user, &password)
    }

    fn info(&self) -> isapi::DeviceInfo<'_> {
        isapi::DeviceInfo {
            id: &self.id,
            model: "TW-FG1",
            firmware: "V3.2.30",
            device_type: "ACS",
        }
    }

    fn push(&self) -> &isapi::PushQueue {
        &self.push
    }

    fn stream(&self) -> (&broadcast::Sender<Arc<Vec<u8>>>, Option<Vec<u8>>) {
        // The first heartbeat at once: clients know the stream is up.
        (&self.live, Some(heartbeat_part(self)))
    }

    fn boundary(&self) -> &'static str {
        STREAM_BOUNDARY
    }

    /// The doors: `PUT AccessControl/RemoteControl/door/{n}`.
    fn call(
        self: &Arc<Self>,
        method: &str,
        path: &str,
        body: &[u8],
        url: &str,
    ) -> Option<Response> {
        let door = path.strip_prefix("AccessControl/RemoteControl/door/")?;
        if method != "PUT" {
            return None;
        }
        let door = door.parse::<u8>().ok();
        let cmd = isapi::field(body, "cmd");
        let (Some(door), Some(cmd)) = (door, cmd) else {
            return Some(isapi::bad(url, "badXmlContent"));
        };
        Some(match door_command(self, door, &cmd) {
            Ok(()) => isapi::ok(url),
            Err(sub) => isapi::bad(url, sub),
        })
    }
}

/// Carry out a door command and report what the door did.
fn door_command(s: &Shared, door: u8, cmd: &str) -> Result<(), &'static str> {
    let mut doors = s.doors.lock().unwrap_or_else(|p| p.into_inner());
    let Some(mode) = doors.get_mut(usize::from(door).wrapping_sub(1)) else {
        return Err("badParameters");
    };
    let before = *mode;
    let events: Vec<u16> = match cmd {
        "open" => vec![minor::LOCK_OPEN, minor::LOCK_CLOSE],
        "close" => vec![minor::LOCK_CLOSE],
        "alwaysOpen" => {
            *mode = DoorMode::AlwaysOpen;
            vec![minor::ALWAYS_OPEN_BEGIN]
        }
        "alwaysClose" => {
            *mode = DoorMode::AlwaysClosed;
            vec![minor::ALWAYS_CLOSE_BEGIN]
        }
        "resume" => {
            *mode = DoorMode::Normal;
            match before {
                DoorMode::AlwaysOpen => vec![minor::ALWAYS_OPEN_END],
                DoorMode::AlwaysClosed => vec![minor::ALWAYS_CLOSE_END],
                DoorMode::Normal => vec![],
            }
        }
        _ => return Err("badParameters"),
    };
    drop(doors);
    for m in events {
        s.record(AccessEvent {
            serial: 0,
            minor: m,
            time_ms: isapi::now_ms(),
            door,
            reader: 1,
            person: None,
            temperature: None,
            abnormal_temperature: false,
            picture: None,
        });
    }
    Ok(())
}

fn heartbeat_part(s: &Shared) -> Vec<u8> {
    let json = event::heartbeat(&s.ip(), isapi::now_ms()).to_string();
    isapi::multipart(
        STREAM_BOUNDARY,
        &[isapi::BodyPart {
            disposition: None,
            content_type: "application/json; charset=\"UTF-8\"",
            body: json.as_bytes(),
        }],
        false,
    )
}

async fn heartbeats(s: Arc<Shared>, every_s: u64) {
    let mut tick = tokio::time::interval(Duration::from_secs(every_s));
    loop {
        tick.tick().await;
        let _ = s.live.send(Arc::new(heartbeat_part(&s)));
    }
}
