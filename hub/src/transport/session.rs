//! The per-device session task.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_modbus::client::Context;

use super::modbus::{self, Op};
use super::{Backoff, Link, LinkChange, SharedLinks};
use crate::bus::{Bus, Level, NewEvent, format_ms, now_ms};
use crate::runtime::wit::{Input, ModbusRead, Request};

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
}

/// Instructions from the driver supervisor.
#[derive(Debug)]
pub enum Control {
    /// Forget every poll, timer and pending request, then take these (after a (re)start).
    Reset(Vec<Request>),
    /// Add requests from an outcome.
    Requests(Vec<Request>),
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

struct Poll {
    id: String,
    op: Op,
    every: Duration,
    due: Instant,
}

struct Timer {
    id: String,
    every: Option<Duration>,
    due: Instant,
}

/// Counts the answers still due for one command.
struct Tracker {
    remaining: usize,
    error: Option<String>,
    done: Option<oneshot::Sender<Result<(), String>>>,
}

type SharedTracker = Arc<Mutex<Tracker>>;

/// How an HTTP exchange or an RTSP probe period ended, for the link state: answered, or why not.
type WireDone = Result<(), String>;

fn settle(t: &Option<SharedTracker>, error: Option<String>) {
    let Some(t) = t else { return };
    let Ok(mut t) = t.lock() else { return };
    if t.error.is_none() {
        t.error = error;
    }
    t.remaining = t.remaining.saturating_sub(1);
    if t.remaining == 0
        && let Some(done) = t.done.take()
    {
        let _ = done.send(t.error.take().map_or(Ok(()), Err));
    }
}

struct Pending {
    id: String,
    op: Op,
    tracker: Option<SharedTracker>,
}

struct Session {
    spec: SessionSpec,
    to_driver: InputSink,
    bus: Bus,
    links: SharedLinks,
    polls: Vec<Poll>,
    timers: Vec<Timer>,
    pending: VecDeque<Pending>,
    conn: Option<Context>,
    reconnect_at: Instant,
    backoff: Backoff,
    link: Link,
    /// Whether this device has any wire work at all (timer-only devices have none,
    /// and their link follows their driver instead).
    wired: bool,
    /// Which transport the link events name.
    transport: &'static str,
    digest: super::http::DigestState,
    /// Running RTSP probes by request id.
    probes: std::collections::HashMap<String, tokio::task::AbortHandle>,
    /// Outcomes of HTTP exchanges and probes running in their own tasks.
    wire_done: (mpsc::Sender<WireDone>, mpsc::Receiver<WireDone>),
}

impl Session {
    fn new(spec: SessionSpec, to_driver: InputSink, bus: Bus, links: SharedLinks) -> Self {
        let now = Instant::now();
        let link = Link::new(now.into_std(), spec.offline_after);
        Session {
            spec,
            to_driver,
            bus,
            links,
            polls: Vec::new(),
            timers: Vec::new(),
            pending: VecDeque::new(),
            conn: None,
            reconnect_at: now,
            backoff: Backoff::new(Duration::from_millis(200), Duration::from_secs(10)),
            link,
            wired: false,
            transport: "modbus-tcp",
            digest: Default::default(),
            wire_done: mpsc::channel(64),
            probes: Default::default(),
        }
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Control>) {
        loop {
            let now = Instant::now();
            self.fire_timers(now).await;
            if self.wired {
                self.check_link(now).await;
            }
            if self.wire_work_due(now) && (self.conn.is_some() || now >= self.reconnect_at) {
                self.do_wire_work().await;
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
        for t in &self.timers {
            wake = wake.min(t.due);
        }
        let work_at = if !self.pending.is_empty() {
            Some(Instant::now())
        } else {
            self.polls.iter().map(|p| p.due).min()
        };
        if let Some(at) = work_at {
            wake = wake.min(if self.conn.is_some() {
                at
            } else {
                at.max(self.reconnect_at)
            });
        }
        if self.wired
            && let Some(at) = self.link.next_check()
        {
            wake = wake.min(Instant::from_std(at));
        }
        wake
    }

    fn wire_work_due(&self, now: Instant) -> bool {
        !self.pending.is_empty() || self.polls.iter().any(|p| p.due <= now)
    }

    async fn control(&mut self, c: Control) {
        match c {
            Control::Reset(reqs) => {
                for (_, p) in self.probes.drain() {
                    p.abort();
                }
                self.polls.clear();
                self.timers.clear();
                for p in self.pending.drain(..) {
                    settle(
                        &p.tracker,
                        Some("the driver restarted before the device answered".into()),
                    );
                }
                self.add(reqs, None).await;
            }
            Control::Requests(reqs) => self.add(reqs, None).await,
            Control::Command(reqs, done) => {
                let tracker = Arc::new(Mutex::new(Tracker {
                    remaining: reqs.len() + 1,
                    error: None,
                    done: Some(done),
                }));
                let t = Some(tracker);
                self.add(reqs, t.clone()).await;
                // The extra count keeps the tracker open until every request was queued.
                settle(&t, None);
            }
        }
    }

    async fn add(&mut self, reqs: Vec<Request>, tracker: Option<SharedTracker>) {
        let now = Instant::now();
        for r in reqs {
            match r {
                Request::ModbusPoll(p) => {
                    let op = read_op(&p.read);
                    if let Err(why) = self.wire_check(&op) {
                        self.fail(&p.id, why, &tracker).await;
                        continue;
                    }
                    self.polls.retain(|q| q.id != p.id);
                    let every = Duration::from_millis(u64::from(p.every_ms.max(50)));
                    self.polls.push(Poll {
                        id: p.id,
                        op,
                        every,
                        due: now,
                    });
                    settle(&tracker, None);
                }
                Request::ModbusRead((id, read)) => self.queue(id, read_op(&read), &tracker).await,
                Request::ModbusWrite(w) => {
                    let op = Op::Write {
                        table: w.table,
                        address: w.address,
                        values: w.values,
                    };
                    self.queue(w.id, op, &tracker).await;
                }
                Request::Timer((id, after_ms, repeat)) => {
                    let after = Duration::from_millis(u64::from(after_ms.max(10)));
                    self.timers.retain(|t| t.id != id);
                    self.timers.push(Timer {
                        id,
                        every: repeat.then_some(after),
                        due: now + after,
                    });
                    settle(&tracker, None);
                }
                Request::RtspProbe((id, uri, every_ms)) => {
                    self.wired = true;
                    if let Some(old) = self.probes.remove(&id) {
                        old.abort();
                    }
                    let every = Duration::from_millis(u64::from(every_ms.clamp(250, 60_000)));
                    let task = tokio::spawn(super::rtsp::probe(
                        self.spec.device.clone(),
                        id.clone(),
                        uri,
                        every,
                        self.spec.credentials.clone(),
                        self.to_driver.clone(),
                        self.wire_done.0.clone(),
                    ));
                    self.probes.insert(id, task.abort_handle());
                    settle(&tracker, None);
                }
                Request::Cancel(id) => {
                    if let Some(p) = self.probes.remove(&id) {
                        p.abort();
                    }
                    self.polls.retain(|p| p.id != id);
                    self.timers.retain(|t| t.id != id);
                    settle(&tracker, None);
                }
                Request::Http(h) => {
                    self.wired = true;
                    self.transport = "http";
                    self.spawn_http(h, tracker.clone());
                }
                other => {
                    let (id, transport) = unsupported(&other);
                    let why = format!(
                        "transport `{transport}` is not available in twinwall-hub {}",
                        env!("CARGO_PKG_VERSION")
                    );
                    self.fail(&id, why, &tracker).await;
                }
            }
        }
        self.wired =
            !self.polls.is_empty() || !self.pending.is_empty() || self.conn.is_some() || self.wired;
    }

    fn wire_check(&self, op: &Op) -> Result<(), String> {
        if self.spec.address.is_none() {
            return Err(format!(
                "device `{}` has no `address` in the config",
                self.spec.device
            ));
        }
        modbus::check(op)
    }

    async fn queue(&mut self, id: String, op: Op, tracker: &Option<SharedTracker>) {
        if let Err(why) = self.wire_check(&op) {
            self.fail(&id, why, tracker).await;
            return;
        }
        // Writes (operator actions) go ahead of reads.
        let p = Pending {
            id,
            op,
            tracker: tracker.clone(),
        };
        if matches!(p.op, Op::Write { .. }) {
            let at = self
                .pending
                .iter()
                .position(|q| !matches!(q.op, Op::Write { .. }))
                .unwrap_or(self.pending.len());
            self.pending.insert(at, p);
        } else {
            self.pending.push_back(p);
        }
    }

    async fn fail(&mut self, id: &str, why: String, tracker: &Option<SharedTracker>) {
        tracing::warn!(device = %self.spec.device, request = id, "{why}");
        settle(tracker, Some(format!("request `{id}`: {why}")));
        self.deliver(Input::RequestFailed((id.to_owned(), why)))
            .await;
    }

    // Not an `async fn` on `&self`: the Modbus context makes `Session` !Sync.
    fn deliver(&self, input: Input) -> impl std::future::Future<Output = ()> + Send + 'static {
        let (tx, device) = (self.to_driver.clone(), self.spec.device.clone());
        async move {
            let _ = tx.send((device, input)).await;
        }
    }

    async fn fire_timers(&mut self, now: Instant) {
        let mut fired = Vec::new();
        self.timers.retain_mut(|t| {
            if t.due > now {
                return true;
            }
            fired.push(t.id.clone());
            match t.every {
                Some(every) => {
                    t.due = now + every;
                    true
                }
                None => false,
            }
        });
        for id in fired {
            self.deliver(Input::Timer(id)).await;
        }
    }

    /// Connect if needed, then run one operation: a pending one first, else the most overdue poll.
    async fn do_wire_work(&mut self) {
        let Some(address) = self.spec.address.clone() else {
            return;
        };
        if self.conn.is_none() {
            match modbus::connect(&address, self.spec.unit, self.spec.request_timeout).await {
                Ok(ctx) => self.conn = Some(ctx),
                Err(e) => {
                    self.link_failed(e.to_string());
                    // Operators waiting on a command hear at once that the device is unreachable.
                    while let Some(p) = self.pending.pop_front() {
                        self.fail(&p.id, format!("device unreachable: {e}"), &p.tracker)
                            .await;
                    }
                    return;
                }
            }
        }
        let now = Instant::now();
        let (id, op, tracker, poll) = if let Some(p) = self.pending.pop_front() {
            (p.id, p.op, p.tracker, None)
        } else {
            let Some(i) = self
                .polls
                .iter()
                .enumerate()
                .filter(|(_, p)| p.due <= now)
                .min_by_key(|(_, p)| p.due)
                .map(|(i, _)| i)
            else {
                return;
            };
            let p = &mut self.polls[i];
            p.due = now + p.every;
            (p.id.clone(), p.op.clone(), None, Some(i))
        };
        let Some(ctx) = self.conn.as_mut() else {
            return;
        };
        match modbus::run(ctx, &id, &op, self.spec.request_timeout).await {
            Ok(input) => {
                self.backoff.reset();
                if let Some(change) = self.link.ok(std::time::Instant::now()) {
                    self.report(change).await;
                }
                self.links.update(&self.spec.device, |s| {
                    s.last_seen = Some(format_ms(now_ms()))
                });
                let refused = match &input {
                    Input::ModbusException((_, code)) => {
                        Some(format!("device answered with Modbus exception {code}"))
                    }
                    _ => None,
                };
                settle(&tracker, refused);
                self.deliver(input).await;
            }
            Err(e) => {
                self.conn = None;
                self.link_failed(format!("{e} (request `{id}`)"));
                if poll.is_none() {
                    self.fail(&id, e.to_string(), &tracker).await;
                }
            }
        }
    }

    /// Run one HTTP exchange in its own task: a long poll must not hold up the
    /// device's other requests.
    fn spawn_http(&self, req: crate::runtime::wit::HttpRequest, tracker: Option<SharedTracker>) {
        let Some(address) = self.spec.address.clone() else {
            let (tx, device) = (self.to_driver.clone(), self.spec.device.clone());
            let why = format!("device `{device}` has no `address` in the config");
            settle(&tracker, Some(why.clone()));
            tokio::spawn(async move {
                let _ = tx.send((device, Input::RequestFailed((req.id, why)))).await;
            });
            return;
        };
        let base = if address.contains("://") {
            address
        } else {
            format!("http://{address}")
        };
        let (client, creds, digest) = (
            self.spec.http.clone(),
            self.spec.credentials.clone(),
            self.digest.clone(),
        );
        let (tx, device, done) = (
            self.to_driver.clone(),
            self.spec.device.clone(),
            self.wire_done.0.clone(),
        );
        tokio::spawn(async move {
            let result = super::http::run(&client, &base, &req, creds.as_ref(), &digest).await;
            let (input, link) = match result {
                Ok(resp) => {
                    settle(
                        &tracker,
                        (resp.status >= 400)
                            .then(|| format!("device answered HTTP {}", resp.status)),
                    );
                    (Input::HttpResponse(resp), Ok(()))
                }
                Err(why) => {
                    settle(&tracker, Some(format!("request `{}`: {why}", req.id)));
                    (
                        Input::RequestFailed((req.id.clone(), why.clone())),
                        Err(format!("{why} (request `{}`)", req.id)),
                    )
                }
            };
            let _ = done.send(link).await;
            let _ = tx.send((device, input)).await;
        });
    }

    async fn wire_answered(&mut self, done: Result<(), String>) {
        match done {
            Ok(()) => {
                if let Some(change) = self.link.ok(std::time::Instant::now()) {
                    self.report(change).await;
                }
                self.links.update(&self.spec.device, |s| {
                    s.last_seen = Some(format_ms(now_ms()))
                });
            }
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
        self.reconnect_at = Instant::now() + self.backoff.next_delay();
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
    /// Probes run in their own tasks: they end with the session.
    fn drop(&mut self) {
        for (_, p) in self.probes.drain() {
            p.abort();
        }
    }
}

fn read_op(r: &ModbusRead) -> Op {
    Op::Read {
        table: r.table,
        address: r.address,
        count: r.count,
    }
}

fn unsupported(r: &Request) -> (String, &'static str) {
    match r {
        Request::HttpListen(p) => (format!("listen:{p}"), "http-listener"),
        Request::TcpConnect(id) => (id.clone(), "tcp"),
        Request::TcpSend(_) => ("tcp-send".into(), "tcp"),
        Request::MqttSubscribe(t) => (format!("subscribe:{t}"), "mqtt"),
        Request::MqttPublish(m) => (format!("publish:{}", m.topic), "mqtt"),
        _ => ("?".into(), "?"),
    }
}
