//! The per-device session: one task that carries out its driver's requests
//! on the wire (each transport in its own module), delivers what arrives,
//! tracks operators' commands until the device confirmed them, and decides
//! online/offline from what the wire sees.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::modbus::{self, ModbusLink, Op, Worked};
use super::push::SharedPush;
use super::socket::{FrameRouter, SharedSockets};
use super::timers::Timers;
use super::tracker::{self, SharedTracker, settle};
use super::types::{Failure, FailureKind, HttpReply, Input, Request};
use super::{Link, LinkChange, SharedLinks, http, stream};
use crate::bus::{Bus, Level, NewEvent, format_ms, now_ms};

/// HTTP exchanges one device may have in flight; more are refused to the
/// driver as `refused`.
pub const MAX_HTTP_IN_FLIGHT: usize = 16;

mod dispatch;

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
    pub credentials: Option<super::http::Credentials>,
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
    pub rtp: Option<super::rtp::SharedRtp>,
    /// The hub's RTSP probe limits.
    pub probes: super::rtsp::limits::SharedProbes,
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

/// Start the session of one device.
pub fn spawn(
    spec: SessionSpec,
    to_driver: InputSink,
    bus: Bus,
    links: SharedLinks,
) -> SessionHandle {
    let (tx, rx) = mpsc::channel(256);
    let s = Session::new(spec, to_driver, bus, links);
    tokio::spawn(s.run(rx));
    SessionHandle { tx }
}

/// How an exchange running in its own task ended, for the link state.
pub type WireDone = Result<(), String>;

struct Session {
    spec: SessionSpec,
    to_driver: InputSink,
    bus: Bus,
    links: SharedLinks,
    timers: Timers,
    modbus: Option<ModbusLink>,
    link: Link,
    /// Whether this device has any wire work at all (timer-only devices have none,
    /// and their link follows their driver instead).
    wired: bool,
    /// Which transport the link events name.
    transport: &'static str,
    digest: super::http::DigestState,
    /// HTTP exchanges this device may have in flight at once.
    http_slots: Arc<tokio::sync::Semaphore>,
    /// Tasks on the wire by request id: RTSP probes, HTTP streams.
    tasks: HashMap<String, AbortHandle>,
    /// Push listens registered for this device.
    listens: Vec<String>,
    /// Socket listens claimed for this device.
    socket_listens: Vec<String>,
    /// RTP streams this device asked for, by send id.
    rtp: HashMap<String, super::rtp::RtpTicket>,
    /// Outcomes of exchanges running in their own tasks.
    wire_done: (mpsc::Sender<WireDone>, mpsc::Receiver<WireDone>),
}

impl Session {
    fn new(spec: SessionSpec, to_driver: InputSink, bus: Bus, links: SharedLinks) -> Self {
        let link = Link::new(std::time::Instant::now(), spec.offline_after);
        Session {
            spec,
            to_driver,
            bus,
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

    fn modbus_link(&mut self) -> Result<&mut ModbusLink, String> {
        let Some(address) = self.spec.address.clone() else {
            return Err(format!(
                "device `{}` has no `address` in the config",
                self.spec.device
            ));
        };
        self.wired = true;
        Ok(self.modbus.get_or_insert_with(|| {
            ModbusLink::new(
                self.spec.device.clone(),
                address,
                self.spec.unit,
                self.spec.request_timeout,
            )
        }))
    }

    async fn queue(&mut self, id: String, op: Op, tracker: &Option<SharedTracker>) {
        match modbus::check(&op).and_then(|()| self.modbus_link()) {
            Ok(m) => m.queue(id, op, tracker.clone()),
            Err(why) => {
                self.fail(Failure::new(&id, FailureKind::Refused, why), tracker)
                    .await
            }
        }
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

    async fn modbus_work(&mut self) {
        let Some(m) = self.modbus.as_mut() else {
            return;
        };
        match m.work().await {
            None => {}
            Some(Worked::Answered { input, tracker }) => {
                self.answered().await;
                let refused = match &input {
                    Input::ModbusException { code, .. } => {
                        Some(format!("device answered with Modbus exception {code}"))
                    }
                    _ => None,
                };
                settle(&tracker, refused);
                self.deliver(input).await;
            }
            Some(Worked::LinkFailed { why, failed }) => {
                self.link_failed(why.clone());
                if let Some(p) = failed {
                    self.fail(
                        Failure::new(&p.id, FailureKind::Unreachable, why),
                        &p.tracker,
                    )
                    .await;
                }
            }
            Some(Worked::Unreachable { why, failed }) => {
                self.link_failed(why.clone());
                // Operators waiting on a command hear at once that the device is unreachable.
                for p in failed {
                    let f = Failure::new(
                        &p.id,
                        FailureKind::Unreachable,
                        format!("device unreachable: {why}"),
                    );
                    self.fail(f, &p.tracker).await;
                }
            }
        }
    }

    /// Run one HTTP exchange in its own task: a long poll must not hold up the
    /// device's other requests.
    async fn spawn_http(&mut self, req: super::types::HttpRequest, tracker: Option<SharedTracker>) {
        // A driver asking faster than its device answers would otherwise
        // grow tasks and sockets without bound.
        let Ok(slot) = self.http_slots.clone().try_acquire_owned() else {
            let why = format!(
                "device `{}` already has {MAX_HTTP_IN_FLIGHT} HTTP requests in flight",
                self.spec.device
            );
            metrics::counter!("twinwall_http_requests_refused_total", "reason" => "in_flight")
                .increment(1);
            return self
                .fail(Failure::new(&req.id, FailureKind::Refused, why), &tracker)
                .await;
        };
        let exchange = http::Exchange {
            device: self.spec.device.clone(),
            base: self.spec.base_url(),
            client: self.spec.http.clone(),
            credentials: self.spec.credentials.clone(),
            digest: self.digest.clone(),
            to_driver: self.to_driver.clone(),
            link: self.wire_done.0.clone(),
        };
        tokio::spawn(async move {
            exchange.run(req, tracker).await;
            drop(slot);
        });
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
        let transport = self.transport;
        let e = match change {
            LinkChange::WentOnline => NewEvent::new("device.online", &self.spec.zone)
                .device(&self.spec.device)
                .attr("transport", transport)
                .message(format!("{} is answering", self.spec.device)),
            LinkChange::WentOffline(reason) => NewEvent::new("device.offline", &self.spec.zone)
                .device(&self.spec.device)
                .level(Level::Orange)
                .attr("transport", transport)
                .attr("reason", reason.clone())
                .message(format!(
                    "{} has not answered for {} ms: {reason}",
                    self.spec.device,
                    self.spec.offline_after.as_millis()
                )),
        };
        if let Err(err) = self.bus.submit(vec![e]).await {
            tracing::error!(device = %self.spec.device, error = %err, "link event lost: bus closed");
        }
    }
}

impl Drop for Session {
    /// Tasks on the wire and push listens end with the session.
    fn drop(&mut self) {
        self.stop_all();
    }
}
