//! Simulated plate-reading cameras (Hikvision-ISAPI-style ANPR, HTTP
//! Digest): barrier gates at the campus gates (entry and exit lanes, allow
//! and block lists, barrier control) and speed cameras (卡口) on campus
//! roads (speed, limit, a share of cars over it). Each read is an
//! `EventNotificationAlert` (`eventType` ANPR) with a plate picture and a
//! scene picture, pushed to the listening host (`httpHosts`) or on the alert
//! stream; barrier movements are reported the same way. See
//! `docs/vehicle-anpr.md`.

pub mod plates;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

pub use plates::{Plate, PlateColor};

use crate::auth::DigestGuard;
use crate::isapi::{self, BodyPart, Prepared, PushQueue};

const REALM: &str = "twinwall-anpr";
const PUSH_BOUNDARY: &str = "MIME_boundary";
const STREAM_BOUNDARY: &str = "boundary";

/// What the camera is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A barrier gate: lane 1 in, lane 2 out, a barrier arm.
    Barrier,
    /// A speed camera (卡口) over the road.
    Speed,
}

/// A camera's settings.
#[derive(Debug, Clone)]
pub struct AnprOptions {
    /// Barrier gate or speed camera.
    pub role: Role,
    /// Speed limit, km/h (speed cameras).
    pub speed_limit_kmh: u16,
    /// Share of cars over the limit when the speed is drawn (0..1).
    pub over_share: f32,
    /// Share of reads reported twice (as cameras do when a car lingers).
    pub duplicate_share: f32,
    /// Pad pictures to this many bytes (0: the small generated JPEG).
    pub picture_bytes: usize,
    /// Seconds the barrier stays open after `open`.
    pub open_s: u64,
}

impl Default for AnprOptions {
    fn default() -> Self {
        AnprOptions {
            role: Role::Barrier,
            speed_limit_kmh: 30,
            over_share: 0.2,
            duplicate_share: 0.0,
            picture_bytes: 0,
            open_s: 3,
        }
    }
}

/// Faults the camera can be told to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum AnprFault {
    /// Back to normal.
    Clear,
    /// The XML part is cut short.
    MalformedXml,
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
}

/// The barrier's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Barrier {
    /// Down.
    Closed,
    /// Up for a car.
    Open,
    /// Held up until released.
    HeldOpen,
}

impl Barrier {
    fn as_str(self) -> &'static str {
        match self {
            Barrier::Closed => "closed",
            Barrier::Open => "open",
            Barrier::HeldOpen => "held_open",
        }
    }
}

struct Shared {
    id: String,
    addr: SocketAddr,
    user: String,
    password: Mutex<String>,
    guard: DigestGuard,
    opts: AnprOptions,
    push: Arc<PushQueue>,
    live: broadcast::Sender<Arc<Vec<u8>>>,
    serial: AtomicU64,
    barrier: Mutex<Barrier>,
    allow: Mutex<HashSet<String>>,
    visitors: Mutex<HashSet<String>>,
    block: Mutex<HashSet<String>>,
    fault: Mutex<AnprFault>,
    down: AtomicBool,
}

/// A running simulated ANPR camera. Dropping it stops it.
pub struct AnprCamera {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl AnprCamera {
    /// Start a camera on `bind` (port 0 picks one) with account `user`/`password`.
    pub async fn start(
        id: &str,
        bind: SocketAddr,
        user: &str,
        password: &str,
        opts: AnprOptions,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            id: id.to_owned(),
            addr,
            user: user.to_owned(),
            password: Mutex::new(password.to_owned()),
            guard: DigestGuard::new(REALM),
            opts,
            push: Arc::default(),
            live: broadcast::channel(1024).0,
            serial: AtomicU64::new(1),
            barrier: Mutex::new(Barrier::Closed),
            allow: Mutex::default(),
            visitors: Mutex::default(),
            block: Mutex::default(),
            fault: Mutex::new(AnprFault::Clear),
            down: AtomicBool::new(false),
        });
        let server = tokio::spawn(isapi::front::serve(listener, shared.clone()));
        let pusher = tokio::spawn(shared.push.clone().run(id.to_owned()));
        Ok(AnprCamera {
            shared,
            tasks: vec![server, pusher],
        })
    }

    /// Camera id.
    pub fn id(&self) -> &str {
        &self.shared.id
    }

    /// Where its ISAPI listens.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// Put a plate on the allow list (staff cars: the barrier opens by itself).
    pub fn allow(&self, plate: &str) {
        lock(&self.shared.allow).insert(plate.to_owned());
    }

    /// Put a plate on the visitor list (a booked visit).
    pub fn visitor(&self, plate: &str) {
        lock(&self.shared.visitors).insert(plate.to_owned());
    }

    /// Put a plate on the block list.
    pub fn block(&self, plate: &str) {
        lock(&self.shared.block).insert(plate.to_owned());
    }

    /// A car passes in `lane` (barrier gates: 1 in, 2 out); speed cameras
    /// draw its speed around the limit. Returns the read's serial.
    pub fn pass(&self, plate: &Plate, lane: u8) -> u64 {
        let speed = match self.shared.opts.role {
            Role::Barrier => None,
            Role::Speed => {
                let limit = f32::from(self.shared.opts.speed_limit_kmh);
                Some(if fastrand::f32() < self.shared.opts.over_share {
                    limit * (1.1 + fastrand::f32() * 0.6)
                } else {
                    limit * (0.5 + fastrand::f32() * 0.45)
                } as u16)
            }
        };
        self.pass_at(plate, lane, speed)
    }

    /// A car passes at a given speed (speed cameras).
    pub fn pass_at(&self, plate: &Plate, lane: u8, speed_kmh: Option<u16>) -> u64 {
        let s = &self.shared;
        let serial = s.read(plate, lane, speed_kmh);
        if fastrand::f32() < s.opts.duplicate_share {
            s.read(plate, lane, speed_kmh);
        }
        if s.opts.role == Role::Barrier && lock(&s.allow).contains(&plate.text) {
            s.set_barrier(Barrier::Open);
            let s2 = self.shared.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(s2.opts.open_s)).await;
                if *lock(&s2.barrier) == Barrier::Open {
                    s2.set_barrier(Barrier::Closed);
                }
            });
        }
        serial
    }

    /// The barrier now.
    pub fn barrier(&self) -> Barrier {
        *lock(&self.shared.barrier)
    }

    /// Show a fault (or clear it).
    pub fn fault(&self, f: AnprFault) {
        *lock(&self.shared.fault) = f;
    }

    /// Change the account's password.
    pub fn set_password(&self, password: &str) {
        *lock(&self.shared.password) = password.to_owned();
    }

    /// Stop answering ISAPI calls, or answer again.
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }

    /// Where the camera pushes, once configured.
    pub fn push_target(&self) -> Option<String> {
        self.shared.push.target()
    }

    /// Reads and barrier reports the target acknowledged.
    pub fn pushed(&self) -> u64 {
        self.shared.push.pushed()
    }

    /// Reports the target refused three times, given up.
    pub fn rejected(&self) -> u64 {
        self.shared.push.rejected()
    }

    /// Reports waiting to be pushed.
    pub fn backlog(&self) -> usize {
        self.shared.push.backlog()
    }
}

impl Drop for AnprCamera {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn envelope(s: &Shared, event_type: &str, serial: u64, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\">\
         <ipAddress>{}</ipAddress><portNo>80</portNo><protocol>HTTP</protocol><macAddress>44:19:b6:00:01:02</macAddress><channelID>1</channelID>\
         <dateTime>{}</dateTime><activePostCount>1</activePostCount><eventType>{event_type}</eventType><eventState>active</eventState>\
         <eventDescription>{event_type}</eventDescription><channelName>{}</channelName><serialNo>{serial}</serialNo>{body}</EventNotificationAlert>",
        s.addr.ip(),
        isapi::local_time(isapi::now_ms()),
        s.id
    )
}

impl Shared {
    fn fault(&self) -> AnprFault {
        *lock(&self.fault)
    }

    fn pictures(&self, plate: &Plate) -> (Vec<u8>, Vec<u8>) {
        let pad = match self.fault() {
            AnprFault::OversizedPicture { bytes } => bytes,
            _ => self.opts.picture_bytes,
        };
        (
            crate::face_gate::picture(&format!("plate {}", plate.text), pad),
            crate::face_gate::picture(&format!("scene {}", plate.text), pad),
        )
    }

    /// Report one read: pushed (when a target is set) and on the stream.
    fn read(&self, plate: &Plate, lane: u8, speed_kmh: Option<u16>) -> u64 {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let list = if lock(&self.block).contains(&plate.text) {
            "blockList"
        } else if lock(&self.allow).contains(&plate.text) {
            "allowList"
        } else if lock(&self.visitors).contains(&plate.text) {
            "visitorList"
        } else {
            "otherList"
        };
        let direction = if self.opts.role == Role::Barrier && lane == 2 {
            "reverse"
        } else {
            "forward"
        };
        let confidence = 85 + fastrand::u8(..15);
        let speed = speed_kmh
            .map(|v| format!("<speed>{v}</speed>"))
            .unwrap_or_default();
        let limit = if self.opts.role == Role::Speed {
            format!("<speedLimit>{}</speedLimit>", self.opts.speed_limit_kmh)
        } else {
            String::new()
        };
        let body = format!(
            "<ANPR><country>CN</country><licensePlate>{}</licensePlate><line>{lane}</line><direction>{direction}</direction>\
             <confidenceLevel>{confidence}</confidenceLevel><plateType>92TypeCivil</plateType><plateColor>{}</plateColor>\
             <vehicleType>vehicle</vehicleType>{limit}<vehicleInfo><color>white</color><vehicleLogoRecog>1036</vehicleLogoRecog>{speed}</vehicleInfo>\
             <pictureInfoList><pictureInfo><fileName>licensePlatePicture.jpg</fileName><type>licensePlatePicture</type></pictureInfo>\
             <pictureInfo><fileName>detectionPicture.jpg</fileName><type>detectionPicture</type></pictureInfo></pictureInfoList>\
             <vehicleListName>{list}</vehicleListName></ANPR>",
            plate.text,
            plate.color.as_str()
        );
        let mut xml = envelope(self, "ANPR", serial, &body).into_bytes();
        if self.fault() == AnprFault::MalformedXml {
            xml.truncate(xml.len() / 2);
        }
        let (plate_pic, scene) = self.pictures(plate);
        self.report(
            serial,
            &xml,
            &[
                ("licensePlatePicture.jpg", &plate_pic),
                ("detectionPicture.jpg", &scene),
            ],
        );
        serial
    }

    /// A report (XML and pictures) to the push target and the stream.
    fn report(&self, serial: u64, xml: &[u8], pictures: &[(&str, &[u8])]) {
        let mut parts = vec![BodyPart {
            disposition: Some("form-data; name=\"anpr.xml\"; filename=\"anpr.xml\"".into()),
            content_type: "application/xml",
            body: xml,
        }];
        for (name, data) in pictures {
            parts.push(BodyPart {
                disposition: Some(format!("form-data; name=\"{name}\"; filename=\"{name}\"")),
                content_type: "image/jpeg",
                body: data,
            });
        }
        self.push.push(Prepared {
            serial,
            content_type: format!("multipart/form-data; boundary={PUSH_BOUNDARY}"),
            body: isapi::multipart(PUSH_BOUNDARY, &parts, true),
        });
        let _ = self
            .live
            .send(Arc::new(isapi::multipart(STREAM_BOUNDARY, &parts, false)));
    }

    fn set_barrier(&self, state: Barrier) {
        {
            let mut b = lock(&self.barrier);
            if *b == state {
                return;
            }
            *b = state;
        }
        tracing::info!(camera = %self.id, state = state.as_str(), "barrier");
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        let xml = envelope(
            self,
            "BarrierGate",
            serial,
            &format!(
                "<BarrierGate><state>{}</state></BarrierGate>",
                state.as_str()
            ),
        );
        self.report(serial, xml.as_bytes(), &[]);
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
            AnprFault::Slow { ms } => Some(Duration::from_millis(ms)),
            _ => None,
        }
    }

    fn authorize(&self, headers: &HeaderMap, method: &Method) -> Result<(), Box<Response>> {
        let password = lock(&self.password).clone();
        self.guard.authorize(headers, method, &self.user, &password)
    }

    fn info(&self) -> isapi::DeviceInfo<'_> {
        isapi::DeviceInfo {
            id: &self.id,
            model: match self.opts.role {
                Role::Barrier => "TW-BG1",
                Role::Speed => "TW-SC1",
            },
            firmware: "V5.3.0",
            device_type: "ITC",
        }
    }

    fn push(&self) -> &isapi::PushQueue {
        &self.push
    }

    fn stream(&self) -> (&broadcast::Sender<Arc<Vec<u8>>>, Option<Vec<u8>>) {
        (&self.live, None)
    }

    fn boundary(&self) -> &'static str {
        STREAM_BOUNDARY
    }

    /// The barrier (barrier gates only): control and status.
    fn call(
        self: &Arc<Self>,
        method: &str,
        path: &str,
        body: &[u8],
        url: &str,
    ) -> Option<Response> {
        if self.opts.role != Role::Barrier {
            return None;
        }
        match (method, path) {
            ("PUT", "Parking/channels/1/barrierGate") => Some(self.barrier_control(body, url)),
            ("GET", "Parking/channels/1/barrierGate/barrierGateStatus") => Some(isapi::xml(
                StatusCode::OK,
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BarrierGateStatus version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><barrierGateStatus>{}</barrierGateStatus></BarrierGateStatus>",
                    lock(&self.barrier).as_str()
                ),
            )),
            _ => None,
        }
    }
}

impl Shared {
    /// `ctrlMode` open, close, lock or unlock; an opened barrier closes by
    /// itself after `open_s`.
    fn barrier_control(self: &Arc<Self>, body: &[u8], url: &str) -> Response {
        let next = match isapi::field(body, "ctrlMode").as_deref() {
            Some("open") => Barrier::Open,
            Some("close") => Barrier::Closed,
            Some("lock") => Barrier::HeldOpen,
            Some("unlock") => Barrier::Closed,
            _ => return isapi::bad(url, "badParameters"),
        };
        self.set_barrier(next);
        if next == Barrier::Open {
            let me = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(me.opts.open_s)).await;
                if *lock(&me.barrier) == Barrier::Open {
                    me.set_barrier(Barrier::Closed);
                }
            });
        }
        isapi::ok(url)
    }
}
