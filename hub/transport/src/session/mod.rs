//! The per-device session: one task that carries out its driver's requests
//! on the wire, delivers what arrives, tracks operators' commands until the
//! device confirmed them, and decides online/offline from what the wire
//! sees. `dispatch` hands each request kind to the file of its transport
//! (`modbus`, `http`, `sockets`, `rtsp`, `rtp`, `timers`); this file holds
//! the loop and the link.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use twinwall_base::{format_ms, now_ms};

use crate::modbus::ModbusLink;
use crate::push::SharedPush;
use crate::socket::{FrameRouter, SharedSockets};
use crate::timers::Timers;
use crate::tracker::{self, SharedTracker, settle};
use crate::types::{Failure, Input, Request};
use crate::{Link, LinkChange, SharedLinks};

pub use http::MAX_HTTP_IN_FLIGHT;

mod dispatch;
mod http;
mod modbus;
mod rtp;
mod rtsp;
mod sockets;
mod timers;

/// What a session needs to know about its device.
#[derive(Debug, Clone)]
pub struct SessionSpec {
    /// Device id.
    pub device: String,
    /// Zone path, for the link events.
    pub zone: String,
    /// `host:port`, when the device is on the wire.
    pub address: Option<String>,
    /// Modbus unit id.
    pub unit: u8,
    /// Per-request timeout.
    pub request_timeout: Duration,
    /// Silence after which the device is offline.
    pub offline_after: Duration,
    /// The device account, for HTTP Digest and WS-Security.
    pub credentials: Option<crate::http::Credentials>,
    /// Shared HTTP client.
    pub http: reqwest::Client,
    /// The hub's push listener, when it has one.
    pub push: Option<SharedPush>,
    /// The hub's socket listeners.
    pub sockets: Option<SharedSockets>,
    /// The device's driver (a port belongs to one driver).
    pub driver: String,
    /// Where frames on shared ports go to be routed by the driver.
    pub router: Option<FrameRouter>,
    /// The hub's RTP senders.
    pub rtp: Option<crate::rtp::SharedRtp>,
    /// The hub's RTSP probe limits.
    pub probes: crate::rtsp::limits::SharedProbes,
}

impl SessionSpec {
    /// The device's host, when its address names one as an IP.
    fn host(&self) -> Option<IpAddr> {
        let a = self.address.as_deref()?;
        let a = a.split("://").last().unwrap_or(a);
        let host = a.rsplit_once(':').map_or(a, |(h, _)| h);
        host.trim_matches(['[', ']']).parse().ok()
    }

    fn base_url(&self) -> Option<String> {
        let a = self.address.as_deref()?;
        Some(if a.contains("://") {
            a.to_owned()
        } else {
            format!("http://{a}")
        })
    }
}

/// Resolves once the events of an outcome are committed (`true`) or failed
/// to be (`false`). Replies wait on it.
pub type Commit = Shared<BoxFuture<'static, bool>>;

/// A commit that has already happened (outcomes without events).
pub fn committed() -> Commit {
    futures_util::future::ready(true).boxed().shared()
}

/// Instructions from the driver supervisor.
pub enum Control {
    /// Forget every poll, timer, stream, listener and pending request, then
    /// take these (after a (re)start).
    Reset(Vec<Request>),
    /// Add requests from an outcome; replies among them wait for `commit`.
    Requests(Vec<Request>, Commit),
    /// Requests that carry out an operator's command; `done` gets the result once
    /// every one of them was answered or failed.
    Command(Vec<Request>, oneshot::Sender<Result<(), String>>),
}

/// Handle to a running session; dropping it ends the session.
#[derive(Clone)]
pub struct SessionHandle {
    tx: mpsc::Sender<Control>,
}

impl SessionHandle {
    /// Send an instruction; waits if the session is far behind.
    pub async fn send(&self, c: Control) -> bool {
        self.tx.send(c).await.is_ok()
    }
}

/// Where sessions deliver inputs: (device id, input).
pub type InputSink = mpsc::Sender<(String, Input)>;

/// A device's link went online or offline: what the layer above records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkReport {
    /// Device id.
    pub device: String,
    /// Zone path of the device.
    pub zone: String,
    /// The transport that decided it (`modbus-tcp`, `http`, `socket`).
    pub transport: &'static str,
    /// The device's silence limit.
    pub offline_after: Duration,
    /// What happened.
    pub change: LinkChange,
}

/// Where sessions report link changes.
pub type LinkSink = mpsc::Sender<LinkReport>;

/// Start the session of one device.
pub fn spawn(
    spec: SessionSpec,
    to_driver: InputSink,
    reports: LinkSink,
    links: SharedLinks,
) -> SessionHandle {
    let (tx, rx) = mpsc::channel(256);
    let s = Session::new(spec, to_driver, reports, links);
    tokio::spawn(s.run(rx));
    SessionHandle { tx }
}

/// How an exchange running in its own task ended, for the link state.
pub type WireDone = Result<(), String>;

struct Session {
    spec: SessionSpec,
    to_driver: InputSink,
    reports: LinkSink,
    links: SharedLinks,
    timers: Timers,
    modbus: Option<ModbusLink>,
    link: Link,
    /// Whether this device has any wire work at all (timer-only devices have none,
    /// and their link follows their driver instead).
    wired: bool,
    /// Which transport the link events name.
    transport: &'static str,
    digest: crate::http::DigestState,
    /// HTTP exchanges this device may have in flight at once.
    http_slots: Arc<tokio::sync::Semaphore>,
    /// Tasks on the wire by request id: RTSP probes, HTTP streams.
    tasks: HashMap<String, AbortHandle>,
    /// Push listens registered for this device.
    listens: Vec<String>,
    /// Socket listens claimed for this device.
    socket_listens: Vec<String>,
    /// RTP streams this device asked for, by send id.
    rtp: HashMap<String, crate::rtp::RtpTicket>,
    /// Outcomes of exchanges running in their own tasks.
    wire_done: (mpsc::Sender<WireDone>, mpsc::Receiver<WireDone>),
}

impl Session {
    fn new(spec: SessionSpec, to_driver: InputSink, reports: LinkSink, links: SharedLinks) -> Self {
        let link = Link::new(std::time::Instant::now(), spec.offline_after);
        Session {
            spec,
            to_driver,
            reports,
            links,
            timers: Timers::default(),
            modbus: None,
            link,
            wired: false,
            transport: "modbus-tcp",
            digest: Default::default(),
            http_slots: Arc::new(tokio::sync::Semaphore::new(MAX_HTTP_IN_FLIGHT)),
            tasks: HashMap::new(),
            listens: Vec::new(),
            socket_listens: Vec::new(),
            rtp: HashMap::new(),
            wire_done: mpsc::channel(64),
        }
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Control>) {
        loop {
            let now = Instant::now();
            self.fire_timers(now).await;
            if self.wired {
                self.check_link(now).await;
            }
            if self.modbus.as_ref().is_some_and(|m| m.due(now)) {
                self.modbus_work().await;
                // Keep draining control messages between operations.
                if let Ok(c) = rx.try_recv() {
                    self.control(c).await;
                }
                continue;
            }
            let wake = self.next_wake();
            tokio::select! {
                c = rx.recv() => match c {
                    Some(c) => self.control(c).await,
                    None => return,
                },
                Some(done) = self.wire_done.1.recv() => self.wire_answered(done).await,
                _ = tokio::time::sleep_until(wake) => {}
            }
        }
    }

    fn next_wake(&self) -> Instant {
        let mut wake = Instant::now() + Duration::from_secs(3600);
        if let Some(t) = self.timers.next() {
            wake = wake.min(t);
        }
        if let Some(at) = self.modbus.as_ref().and_then(ModbusLink::next_wake) {
            wake = wake.min(at);
        }
        if self.wired
            && let Some(at) = self.link.next_check()
        {
            wake = wake.min(Instant::from_std(at));
        }
        wake
    }

    async fn control(&mut self, c: Control) {
        match c {
            Control::Reset(reqs) => {
                self.stop_all();
                if let Some(m) = &mut self.modbus {
                    for p in m.reset() {
                        settle(
                            &p.tracker,
                            Some("the driver restarted before the device answered".into()),
                        );
                    }
                }
                self.add(reqs, None, committed()).await;
            }
            Control::Requests(reqs, commit) => self.add(reqs, None, commit).await,
            Control::Command(reqs, done) => {
                // The extra count keeps the tracker open until every request was queued.
                let t = Some(tracker::new(reqs.len() + 1, done));
                self.add(reqs, t.clone(), committed()).await;
                settle(&t, None);
            }
        }
    }

    /// End every task, listener and timer of the device.
    fn stop_all(&mut self) {
        for (_, t) in self.tasks.drain() {
            t.abort();
        }
        self.timers.clear();
        if let Some(push) = &self.spec.push {
            push.unlisten(&self.spec.device, None);
        }
        self.listens.clear();
        if let Some(sockets) = &self.spec.sockets {
            sockets.unclaim(&self.spec.device, None);
        }
        self.socket_listens.clear();
    }

    async fn fail(&mut self, f: Failure, tracker: &Option<SharedTracker>) {
        tracing::warn!(device = %self.spec.device, "{f}");
        settle(tracker, Some(f.to_string()));
        self.deliver(Input::Failed(f)).await;
    }

    // Not an `async fn` on `&self`: the Modbus context makes `Session` !Sync.
    fn deliver(&self, input: Input) -> impl std::future::Future<Output = ()> + Send + 'static {
        let (tx, device) = (self.to_driver.clone(), self.spec.device.clone());
        async move {
            let _ = tx.send((device, input)).await;
        }
    }

    async fn fire_timers(&mut self, now: Instant) {
        for id in self.timers.fire(now) {
            self.deliver(Input::Timer(id)).await;
        }
    }

    async fn answered(&mut self) {
        if let Some(change) = self.link.ok(std::time::Instant::now()) {
            self.report(change).await;
        }
        self.links.update(&self.spec.device, |s| {
            s.last_seen = Some(format_ms(now_ms()))
        });
    }

    async fn wire_answered(&mut self, done: WireDone) {
        match done {
            Ok(()) => self.answered().await,
            Err(why) => {
                tracing::debug!(device = %self.spec.device, "link: {why}");
                self.link.failed(why.clone());
                self.links
                    .update(&self.spec.device, |s| s.last_error = Some(why));
            }
        }
    }

    fn link_failed(&mut self, why: String) {
        tracing::debug!(device = %self.spec.device, "link: {why}");
        self.link.failed(why.clone());
        self.links
            .update(&self.spec.device, |s| s.last_error = Some(why));
    }

    async fn check_link(&mut self, now: Instant) {
        if let Some(change) = self.link.check(now.into_std()) {
            self.report(change).await;
        }
    }

    async fn report(&mut self, change: LinkChange) {
        let state = self.link.state();
        self.links.update(&self.spec.device, |s| s.state = state);
        let report = LinkReport {
            device: self.spec.device.clone(),
            zone: self.spec.zone.clone(),
            transport: self.transport,
            offline_after: self.spec.offline_after,
            change,
        };
        if self.reports.send(report).await.is_err() {
            tracing::error!(device = %self.spec.device, "link change lost: nobody records reports");
        }
    }
}

impl Drop for Session {
    /// Tasks on the wire and push listens end with the session.
    fn drop(&mut self) {
        self.stop_all();
    }
}
