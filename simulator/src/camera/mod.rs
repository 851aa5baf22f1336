//! Simulated ONVIF IP cameras (Profile S/T subset): device, media (Media1 and
//! Media2) and event services with pull-point subscriptions, over SOAP 1.2 on
//! HTTP, with WS-Security UsernameToken and HTTP Digest authentication.
//! Motion, tamper and signal-loss conditions are sent with
//! `PropertyOperation="Changed"` on real transitions only.

pub mod discovery;
pub mod events;
pub mod rtsp;
pub mod soap;
mod templates;
pub mod video;

use crate::auth;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use events::Topic;
use events::{EventState, SubError};

const REALM: &str = "twinwall-sim";
const NS_DEVICE: &str = "http://www.onvif.org/ver10/device/wsdl";
const NS_MEDIA1: &str = "http://www.onvif.org/ver10/media/wsdl";
const NS_MEDIA2: &str = "http://www.onvif.org/ver20/media/wsdl";
const NS_EVENTS: &str = "http://www.onvif.org/ver10/events/wsdl";
/// Longest `PullMessages` wait honoured.
const MAX_PULL_WAIT: Duration = Duration::from_secs(60);

struct Shared {
    id: String,
    addr: SocketAddr,
    user: String,
    password: Mutex<String>,
    events: Mutex<EventState>,
    changes: watch::Sender<u64>,
    guard: auth::DigestGuard,
    down: AtomicBool,
    /// The RTSP stream stops sending frames (the session stays open).
    stalled: AtomicBool,
    /// Target video bitrate, kbit/s (0: the stream as encoded); frames are
    /// padded with filler NAL units up to it.
    bitrate_kbps: AtomicU32,
    /// SETUP with interleaved TCP is refused (461): the camera streams over UDP only.
    udp_only: AtomicBool,
    /// RTP bytes sent, all sessions.
    rtp_bytes: AtomicU64,
    /// RTSP sessions playing now.
    playing: AtomicUsize,
    /// Pull-point subscriptions ever created.
    subscribed: AtomicU64,
    rtsp_addr: SocketAddr,
    /// Where GetStreamUri says the stream is, when not here (a recorder or
    /// proxy in front of the camera, or a camera out to collect passwords).
    stream_elsewhere: Mutex<Option<SocketAddr>>,
}

/// An answer that ends a request early (a fault or a challenge), boxed: it is large.
type Refusal = Box<Response>;

/// A running simulated camera. Dropping it stops the camera.
pub struct Camera {
    shared: Arc<Shared>,
    task: Mutex<Option<JoinHandle<()>>>,
    rtsp_task: Mutex<Option<JoinHandle<()>>>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn ms_at(t: Instant) -> i64 {
    let now = Instant::now();
    if t >= now {
        now_ms() + t.duration_since(now).as_millis() as i64
    } else {
        now_ms() - now.duration_since(t).as_millis() as i64
    }
}

impl Camera {
    /// Start a camera on `bind` (port 0 picks one) with account `user`/`password`.
    pub async fn start(
        id: &str,
        bind: SocketAddr,
        user: &str,
        password: &str,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let rtsp_listener = TcpListener::bind(SocketAddr::new(bind.ip(), 0)).await?;
        let rtsp_addr = rtsp_listener.local_addr()?;
        let shared = Arc::new(Shared {
            id: id.to_owned(),
            addr,
            user: user.to_owned(),
            password: Mutex::new(password.to_owned()),
            events: Mutex::new(EventState::default()),
            changes: watch::channel(0).0,
            guard: auth::DigestGuard::new(REALM),
            down: AtomicBool::new(false),
            stalled: AtomicBool::new(false),
            bitrate_kbps: AtomicU32::new(0),
            udp_only: AtomicBool::new(false),
            rtp_bytes: AtomicU64::new(0),
            playing: AtomicUsize::new(0),
            subscribed: AtomicU64::new(0),
            rtsp_addr,
            stream_elsewhere: Mutex::new(None),
        });
        let task = tokio::spawn(serve(listener, shared.clone()));
        let rtsp_task = tokio::spawn(rtsp::serve(rtsp_listener, shared.clone()));
        Ok(Camera {
            shared,
            task: Mutex::new(Some(task)),
            rtsp_task: Mutex::new(Some(rtsp_task)),
        })
    }

    /// Camera id.
    pub fn id(&self) -> &str {
        &self.shared.id
    }

    /// Where its HTTP services listen.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// Raise or clear a condition (motion, tamper, signal loss).
    pub fn set(&self, topic: Topic, on: bool) {
        let changed = self
            .shared
            .events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .set(topic, on, now_ms());
        if changed {
            tracing::info!(camera = %self.shared.id, ?topic, on, "camera event");
            self.shared.changes.send_modify(|n| *n += 1);
        }
    }

    /// Forget every subscription, as a reboot does.
    pub fn reboot(&self) {
        self.shared
            .events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .reboot();
        self.shared.changes.send_modify(|n| *n += 1);
    }

    /// Live pull-point subscriptions.
    pub fn subscriptions(&self) -> usize {
        self.shared
            .events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .subscriptions()
    }

    /// Change the account's password (an "auth change" fault).
    pub fn set_password(&self, password: &str) {
        *self
            .shared
            .password
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = password.to_owned();
    }

    /// Make the camera unreachable (new connections refused, open requests
    /// never answered) or bring it back on the same address.
    pub async fn set_down(&self, down: bool) -> std::io::Result<()> {
        self.shared.down.store(down, Ordering::SeqCst);
        // Wake the waiting pulls, which then never answer.
        self.shared.changes.send_modify(|n| *n += 1);
        let mut http = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        let mut rtsp = self
            .rtsp_task
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if down {
            for t in [http.take(), rtsp.take()].into_iter().flatten() {
                t.abort();
            }
        } else {
            if http.is_none() {
                let listener = TcpListener::bind(self.shared.addr).await?;
                http = Some(tokio::spawn(serve(listener, self.shared.clone())));
            }
            if rtsp.is_none() {
                let listener = TcpListener::bind(self.shared.rtsp_addr).await?;
                rtsp = Some(tokio::spawn(rtsp::serve(listener, self.shared.clone())));
            }
        }
        *self.task.lock().unwrap_or_else(|p| p.into_inner()) = http;
        *self.rtsp_task.lock().unwrap_or_else(|p| p.into_inner()) = rtsp;
        Ok(())
    }

    /// Stall the video: RTSP sessions stay open but frames stop (or resume).
    pub fn set_stalled(&self, stalled: bool) {
        self.shared.stalled.store(stalled, Ordering::SeqCst);
    }

    /// Send video at `kbps` (padding each frame with filler data, as a busy
    /// scene at a camera's configured bitrate would), or as encoded with
    /// `None`. The encoded main stream is about 3,700 kbit/s, the sub stream
    /// about 930: a target below that sends the stream as encoded.
    pub fn set_bitrate_kbps(&self, kbps: Option<u32>) {
        self.shared
            .bitrate_kbps
            .store(kbps.unwrap_or(0), Ordering::SeqCst);
    }

    /// Refuse RTP over TCP (461 Unsupported Transport), streaming over UDP only.
    pub fn set_udp_only(&self, udp_only: bool) {
        self.shared.udp_only.store(udp_only, Ordering::SeqCst);
    }

    /// RTP bytes sent so far, over every session and transport.
    pub fn rtp_bytes(&self) -> u64 {
        self.shared.rtp_bytes.load(Ordering::SeqCst)
    }

    /// RTSP sessions sending video now.
    pub fn playing(&self) -> usize {
        self.shared.playing.load(Ordering::SeqCst)
    }

    /// Pull-point subscriptions created since the start.
    pub fn subscriptions_created(&self) -> u64 {
        self.shared.subscribed.load(Ordering::SeqCst)
    }

    /// Make GetStreamUri name `at` (another host) instead of this camera's
    /// own RTSP server, or this camera again with `None`.
    pub fn advertise_stream_at(&self, at: Option<SocketAddr>) {
        *self
            .shared
            .stream_elsewhere
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = at;
    }

    /// The RTSP URL of a channel (`101` main, `102` sub).
    pub fn rtsp_url(&self, channel: &str) -> String {
        format!(
            "rtsp://{}/Streaming/Channels/{channel}",
            self.shared.rtsp_addr
        )
    }
}

impl Drop for Camera {
    fn drop(&mut self) {
        self.shared.down.store(true, Ordering::SeqCst);
        for t in [&self.task, &self.rtsp_task] {
            if let Some(t) = t.lock().unwrap_or_else(|p| p.into_inner()).take() {
                t.abort();
            }
        }
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let app = Router::new()
        .route("/onvif/{service}", post(service))
        .route("/onvif/subscription/{id}", post(subscription))
        .route("/onvif/snapshot/{token}", axum::routing::get(snapshot))
        .with_state(shared);
    if let Err(e) = axum::serve(listener, app).await {
        tracing::warn!("camera HTTP server stopped: {e}");
    }
}

fn refuse(status: StatusCode, subcode: &str, reason: &str) -> Refusal {
    Box::new(fault(status, subcode, reason))
}

fn soap_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/soap+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

fn fault(status: StatusCode, subcode: &str, reason: &str) -> Response {
    let code = if status.is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    soap_response(status, templates::fault(code, subcode, reason))
}

impl Shared {
    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A fresh Digest challenge (`WWW-Authenticate` value), shared by HTTP and RTSP.
    fn new_challenge(&self) -> String {
        self.guard.challenge()
    }

    /// Check an `Authorization` header for `method` against the account now.
    fn digest_ok(&self, header: Option<&str>, method: &str) -> bool {
        let password = self
            .password
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        self.guard
            .check(header, method, &self.user, &password)
            .is_ok()
    }

    fn challenge(&self) -> Response {
        self.guard.refusal()
    }

    /// WS-Security first, then HTTP Digest, else a Digest challenge.
    fn authorize(&self, req: &soap::SoapRequest, headers: &HeaderMap) -> Result<(), Refusal> {
        let password = self
            .password
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(t) = &req.token {
            return auth::check_token(t, &self.user, &password).map_err(|_| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    "ter:NotAuthorized",
                    "The action requested requires authorization and the sender is not authorized",
                )
            });
        }
        match headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        {
            Some(h) if h.starts_with("Digest") => {
                if self.digest_ok(Some(h), "POST") {
                    Ok(())
                } else {
                    Err(Box::new(self.challenge()))
                }
            }
            _ => Err(Box::new(self.challenge())),
        }
    }
}

async fn read(
    shared: &Shared,
    headers: &HeaderMap,
    body: &Bytes,
    open: bool,
) -> Result<soap::SoapRequest, Refusal> {
    if shared.down.load(Ordering::SeqCst) {
        // Unreachable: never answer.
        std::future::pending::<()>().await;
    }
    // A client that offers HTTP Digest sends its first request without a
    // body (curl does) and expects the challenge, as real cameras give it.
    if body.is_empty() && !headers.contains_key(header::AUTHORIZATION) {
        return Err(Box::new(shared.challenge()));
    }
    let req = soap::parse(body)
        .map_err(|e| refuse(StatusCode::BAD_REQUEST, "ter:WellFormed", &e.to_string()))?;
    if !(open && req.op == "GetSystemDateAndTime") {
        shared.authorize(&req, headers)?;
    }
    Ok(req)
}

async fn service(
    State(s): State<Arc<Shared>>,
    Path(svc): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = match read(&s, &headers, &body, true).await {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    let ip = s.addr.ip().to_string();
    let stream_uri = |token: &str| {
        let ch = templates::PROFILES
            .iter()
            .find(|p| p.0 == token)
            .map(|p| p.3);
        let at = s
            .stream_elsewhere
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .unwrap_or(s.rtsp_addr);
        ch.map(|ch| format!("rtsp://{at}/Streaming/Channels/{ch}"))
    };
    let ok = |body: String| soap_response(StatusCode::OK, body);
    match (svc.as_str(), req.ns.as_str(), req.op.as_str()) {
        (_, NS_DEVICE, "GetSystemDateAndTime") => ok(templates::system_date_and_time(now_ms())),
        (_, NS_DEVICE, "GetCapabilities") => ok(templates::capabilities(&s.base())),
        (_, NS_DEVICE, "GetServices") => ok(templates::services(&s.base())),
        (_, NS_DEVICE, "GetDeviceInformation") => ok(templates::device_information(&s.id)),
        (_, NS_DEVICE, "GetScopes") => ok(templates::scopes(&s.id)),
        (_, NS_DEVICE, "GetNetworkInterfaces") => ok(templates::network_interfaces(&ip)),
        (_, NS_MEDIA1, "GetProfiles") => ok(templates::profiles_media1()),
        (_, NS_MEDIA2, "GetProfiles") => ok(templates::profiles_media2()),
        (_, NS_MEDIA1 | NS_MEDIA2, "GetStreamUri") => {
            match stream_uri(req.param("ProfileToken").unwrap_or("")) {
                Some(uri) if req.ns == NS_MEDIA1 => ok(templates::stream_uri_media1(&uri)),
                Some(uri) => ok(templates::stream_uri_media2(&uri)),
                None => fault(
                    StatusCode::BAD_REQUEST,
                    "ter:InvalidArgVal",
                    "no such profile",
                ),
            }
        }
        (_, NS_MEDIA1 | NS_MEDIA2, "GetSnapshotUri") => match templates::PROFILES
            .iter()
            .find(|p| Some(p.0) == req.param("ProfileToken"))
        {
            Some(p) if req.ns == NS_MEDIA1 => ok(templates::snapshot_uri_media1(&format!(
                "{}/onvif/snapshot/{}",
                s.base(),
                p.0
            ))),
            Some(p) => ok(templates::snapshot_uri_media2(&format!(
                "{}/onvif/snapshot/{}",
                s.base(),
                p.0
            ))),
            None => fault(
                StatusCode::BAD_REQUEST,
                "ter:InvalidArgVal",
                "no such profile",
            ),
        },
        (_, NS_EVENTS, "GetEventProperties") => ok(templates::event_properties()),
        (_, NS_EVENTS, "CreatePullPointSubscription") => {
            let ttl = req
                .param("InitialTerminationTime")
                .and_then(templates::parse_duration)
                .unwrap_or(Duration::from_secs(60))
                .clamp(Duration::from_secs(10), Duration::from_secs(3600));
            let (id, expires) = s
                .events
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .subscribe(ttl, Instant::now());
            s.subscribed.fetch_add(1, Ordering::SeqCst);
            ok(templates::subscription_created(
                &format!("{}/onvif/subscription/{id}", s.base()),
                now_ms(),
                ms_at(expires),
            ))
        }
        _ => fault(
            StatusCode::BAD_REQUEST,
            "ter:ActionNotSupported",
            &format!("{} is not supported on {svc}", req.op),
        ),
    }
}

/// `GET /onvif/snapshot/{token}`: a JPEG, behind HTTP Digest.
async fn snapshot(
    State(s): State<Arc<Shared>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if s.down.load(Ordering::SeqCst) {
        std::future::pending::<()>().await;
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !s.digest_ok(authorization, "GET") {
        return s.challenge();
    }
    let Some((_, w, h, _)) = templates::PROFILES.iter().find(|p| p.0 == token) else {
        return (StatusCode::NOT_FOUND, "no such profile").into_response();
    };
    let n = (now_ms() / 200) as u64;
    let jpeg = video::snapshot_jpeg(*w as u16, *h as u16, n);
    (StatusCode::OK, [(header::CONTENT_TYPE, "image/jpeg")], jpeg).into_response()
}

fn sub_fault(e: SubError) -> Response {
    match e {
        SubError::ResourceUnknown => fault(
            StatusCode::BAD_REQUEST,
            "ter:InvalidArgVal",
            "ResourceUnknownFault: no such subscription (expired, or the camera restarted)",
        ),
    }
}

async fn subscription(
    State(s): State<Arc<Shared>>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = match read(&s, &headers, &body, false).await {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    let ok = |body: String| soap_response(StatusCode::OK, body);
    match req.op.as_str() {
        "PullMessages" => {
            let wait = req
                .param("Timeout")
                .and_then(templates::parse_duration)
                .unwrap_or(Duration::from_secs(10))
                .min(MAX_PULL_WAIT);
            let limit = req
                .param("MessageLimit")
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(100)
                .clamp(1, 1024);
            let deadline = tokio::time::Instant::now() + wait;
            let mut changes = s.changes.subscribe();
            loop {
                changes.mark_unchanged();
                if s.down.load(Ordering::SeqCst) {
                    // Gone from the network mid-wait: the answer never comes.
                    std::future::pending::<()>().await;
                }
                let pulled = s.events.lock().unwrap_or_else(|p| p.into_inner()).pull(
                    id,
                    limit,
                    Instant::now(),
                    now_ms(),
                );
                match pulled {
                    Err(e) => return sub_fault(e),
                    Ok((msgs, expires))
                        if !msgs.is_empty() || tokio::time::Instant::now() >= deadline =>
                    {
                        return ok(templates::pull_messages(now_ms(), ms_at(expires), &msgs));
                    }
                    Ok(_) => {
                        if tokio::time::timeout_at(deadline, changes.changed())
                            .await
                            .is_err()
                        {
                            continue;
                        }
                    }
                }
            }
        }
        "Renew" => {
            let ttl = req
                .param("TerminationTime")
                .and_then(templates::parse_duration)
                .unwrap_or(Duration::from_secs(60))
                .clamp(Duration::from_secs(10), Duration::from_secs(3600));
            match s
                .events
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .renew(id, ttl, Instant::now())
            {
                Ok(expires) => ok(templates::renewed(now_ms(), ms_at(expires))),
                Err(e) => sub_fault(e),
            }
        }
        "Unsubscribe" => match s
            .events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .unsubscribe(id)
        {
            Ok(()) => ok(templates::empty("wsnt:UnsubscribeResponse")),
            Err(e) => sub_fault(e),
        },
        "SetSynchronizationPoint" => match s
            .events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .synchronize(id, Instant::now())
        {
            Ok(()) => {
                s.changes.send_modify(|n| *n += 1);
                ok(templates::empty("tev:SetSynchronizationPointResponse"))
            }
            Err(e) => sub_fault(e),
        },
        other => fault(
            StatusCode::BAD_REQUEST,
            "ter:ActionNotSupported",
            &format!("{other} is not supported on a subscription"),
        ),
    }
}
