//! One task per driver: owns the driver's instance and feeds it inputs and
//! commands. A trap costs only this driver its instance: the supervisor
//! records `driver.crashed`, rebuilds the instance and reopens every device
//! after a backoff, and quarantines a driver that keeps crashing.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::quota::{Dropped, Quota};
use super::{CommandError, DriverState, DriverStatus, HUB_ZONE};
use crate::events as convert;
use twinwall_base::{Level, NewEvent};
use twinwall_bus::Bus;
use twinwall_runtime::{CallError, DeviceConfig, DriverInstance, LoadedDriver, Outcome, Routing};
use twinwall_transport::socket::{RouteFrame, SharedSockets, reply_now};
use twinwall_transport::types::Input;
use twinwall_transport::{Backoff, Control, SessionHandle, committed};

/// A device as its driver's supervisor holds it.
pub struct Slot {
    /// Device id.
    pub id: String,
    /// Zone path.
    pub zone: String,
    /// What `open` receives.
    pub config: DeviceConfig,
    /// The device's keys (crypto), kept by the hub.
    pub keys: HashMap<String, Vec<u8>>,
    /// Its transport session.
    pub session: SessionHandle,
}

/// Messages to a supervisor.
pub enum Msg {
    /// Run an operator's command.
    Command {
        /// Device id.
        device: String,
        /// Command name.
        name: String,
        /// JSON args.
        args: String,
        /// Who asked.
        actor: String,
        /// The answer.
        reply: oneshot::Sender<Result<(), CommandError>>,
    },
    /// A new build of this driver replaced the file.
    Reload(Arc<LoadedDriver>),
    /// An admin lifts a quarantine: of `device`, or of the driver.
    Release {
        /// The device, or `None` for the driver.
        device: Option<String>,
        /// Who asked.
        actor: String,
        /// Whether there was a quarantine to lift.
        reply: oneshot::Sender<bool>,
    },
}

/// How a driver is held: its devices' event quotas, crashes, command time.
#[derive(Debug, Clone)]
pub struct DriverPolicy {
    /// What each device may put on the bus.
    pub events: super::quota::EventLimits,
    /// Crashes within `window` that quarantine a device (or, when they are
    /// no one device's, the driver).
    pub max_crashes: u32,
    /// Window for counting.
    pub window: Duration,
    /// How long a quarantine lasts, unless an admin lifts it sooner.
    pub quarantine: Duration,
    /// How long a command may wait for the device.
    pub command_timeout: Duration,
    /// Devices handed their start requests per second (a camera's first
    /// SOAP calls and pull-point subscription, a panel's first poll).
    pub starts_per_s: u32,
    /// Sees every input and routed frame (the conformance kit records with it).
    pub tap: Option<super::tap::InputTap>,
}

pub(super) struct Supervisor {
    /// Each device's event quota.
    quotas: HashMap<String, Quota>,
    driver: Arc<LoadedDriver>,
    instance: Option<DriverInstance>,
    slots: Vec<Slot>,
    /// Recent crashes of the driver, with the device whose call crashed.
    crashes: VecDeque<(Instant, Option<String>)>,
    /// Devices held for crashing too often.
    quarantine: super::quarantine::Quarantine,
    /// When a quarantined driver is tried again.
    driver_release_at: Option<Instant>,
    policy: DriverPolicy,
    backoff: Backoff,
    rebuild_at: Option<Instant>,
    status: Arc<Mutex<DriverStatus>>,
    bus: Bus,
    sockets: Option<SharedSockets>,
    /// Handing out the last build's start requests, paced.
    starting: Option<tokio::task::AbortHandle>,
}

impl Supervisor {
    pub(super) fn new(
        driver: Arc<LoadedDriver>,
        slots: Vec<Slot>,
        policy: DriverPolicy,
        status: Arc<Mutex<DriverStatus>>,
        bus: Bus,
        sockets: Option<SharedSockets>,
    ) -> Self {
        Supervisor {
            quotas: HashMap::new(),
            driver,
            instance: None,
            slots,
            crashes: VecDeque::new(),
            quarantine: super::quarantine::Quarantine::new(
                policy.max_crashes,
                policy.window,
                policy.quarantine,
            ),
            driver_release_at: None,
            policy,
            backoff: Backoff::new(Duration::from_millis(100), Duration::from_secs(30)),
            rebuild_at: None,
            status,
            bus,
            sockets,
            starting: None,
        }
    }

    pub(super) async fn run(
        mut self,
        mut msgs: mpsc::Receiver<Msg>,
        mut inputs: mpsc::Receiver<(String, Input)>,
        mut frames: mpsc::Receiver<RouteFrame>,
    ) {
        self.build().await;
        loop {
            let rebuild = self.rebuild_at;
            let held = self.quarantine.next_expiry();
            let driver_back = self.driver_release_at;
            tokio::select! {
                biased;
                m = msgs.recv() => match m {
                    Some(m) => self.on_msg(m).await,
                    None => return,
                },
                i = inputs.recv() => match i {
                    Some((device, input)) => self.on_input(&device, input).await,
                    None => return,
                },
                Some(f) = frames.recv() => self.on_frame(f).await,
                _ = tokio::time::sleep_until(rebuild.unwrap_or_else(Instant::now)), if rebuild.is_some() => {
                    self.rebuild_at = None;
                    self.build().await;
                }
                _ = tokio::time::sleep_until(held.unwrap_or_else(Instant::now)), if held.is_some() => {
                    for device in self.quarantine.expired(Instant::now()) {
                        self.released(&device, None, "the quarantine ended").await;
                    }
                }
                _ = tokio::time::sleep_until(driver_back.unwrap_or_else(Instant::now)), if driver_back.is_some() => {
                    self.release_driver(None, "the quarantine ended").await;
                }
            }
        }
    }

    fn set_state(&self, state: DriverState) {
        if let Ok(mut s) = self.status.lock() {
            s.state = state;
        }
    }

    /// Instantiate, open every device and hand each session its start requests.
    async fn build(&mut self) {
        let mut inst = match DriverInstance::new(self.driver.clone()) {
            Ok(i) => i,
            Err(e) => {
                self.crashed(e, None).await;
                return;
            }
        };
        let mut starts = Vec::new();
        for i in 0..self.slots.len() {
            let (id, session) = (self.slots[i].id.clone(), self.slots[i].session.clone());
            if self.quarantine.until(&id).is_some() {
                // Closed: nothing polls or answers it until it is let go.
                starts.push((session, Vec::new()));
                continue;
            }
            let result = inst
                .open(&self.slots[i].config, self.slots[i].keys.clone())
                .and_then(|()| inst.start(&id));
            match result {
                Ok(reqs) => {
                    self.device_error(&id, None);
                    starts.push((session, reqs));
                }
                Err(e) if e.is_trap() => {
                    self.crashed(e, Some(&id)).await;
                    return;
                }
                Err(e) => {
                    tracing::error!(device = %id, "{e}");
                    self.device_error(&id, Some(e.to_string()));
                    starts.push((session, Vec::new()));
                }
            }
        }
        self.instance = Some(inst);
        self.set_state(DriverState::Running);
        // Thousands of devices must not reach the network (and the
        // recorders behind it) in the same instant: their first requests go
        // out at a bounded rate. A rebuild replaces a pacing still under way.
        if let Some(old) = self.starting.take() {
            old.abort();
        }
        let per_s = self.policy.starts_per_s.max(1) as usize;
        let (batch, pause) = if per_s >= 100 {
            (per_s / 100, Duration::from_millis(10))
        } else {
            (1, Duration::from_secs(1) / per_s as u32)
        };
        let pacing = tokio::spawn(async move {
            let mut next = Instant::now();
            for (i, (session, reqs)) in starts.into_iter().enumerate() {
                if i > 0 && i % batch == 0 {
                    next += pause;
                    tokio::time::sleep_until(next).await;
                }
                session.send(Control::Reset(reqs)).await;
            }
        });
        self.starting = Some(pacing.abort_handle());
    }

    fn device_error(&self, device: &str, error: Option<String>) {
        if let Ok(mut s) = self.status.lock() {
            match error {
                Some(e) => s.device_errors.insert(device.to_owned(), e),
                None => s.device_errors.remove(device),
            };
        }
    }

    fn slot(&self, device: &str) -> Option<&Slot> {
        self.slots.iter().find(|s| s.id == device)
    }

    async fn on_input(&mut self, device: &str, input: Input) {
        if self.quarantine.until(device).is_some() {
            return;
        }
        let Some(inst) = self.instance.as_mut() else {
            return;
        };
        if let Some(tap) = &self.policy.tap {
            tap.record(
                &self.driver.name,
                super::tap::Tapped::Input {
                    device,
                    input: &input,
                },
            );
        }
        let started = std::time::Instant::now();
        let result = inst.handle(device, input);
        metrics::histogram!("twinwall_driver_call_seconds", "driver" => self.driver.name.clone(), "call" => "handle")
            .record(started.elapsed().as_secs_f64());
        match result {
            Ok(outcome) => self.apply(device, outcome).await,
            Err(e) if e.is_trap() => self.crashed(e, Some(device)).await,
            Err(e) => tracing::debug!(device, "{e}"),
        }
    }

    /// A frame on a shared port: the driver names its key, the hub finds
    /// the device that claimed it.
    async fn on_frame(&mut self, f: RouteFrame) {
        let (Some(inst), Some(sockets)) = (self.instance.as_mut(), self.sockets.clone()) else {
            return;
        };
        if let Some(tap) = &self.policy.tap {
            tap.record(
                &self.driver.name,
                super::tap::Tapped::Frame {
                    port: &f.port,
                    data: &f.data,
                },
            );
        }
        let routing = match inst.route(&f.port, &f.data) {
            Ok(r) => r,
            Err(e) if e.is_trap() => return self.crashed(e, None).await,
            Err(e) => {
                tracing::debug!("{e}");
                return;
            }
        };
        let kind = sockets
            .kind(f.conn)
            .unwrap_or(twinwall_transport::types::SocketKind::Tcp);
        match routing {
            Routing::Key { key, unclaimed } => match sockets.claimant(&f.port, kind, &key) {
                Some((device, via, sink)) => {
                    sockets.deliver(f.conn, &device, &via, &sink, f.data).await
                }
                None => {
                    metrics::counter!("twinwall_socket_frames_total", "result" => "unclaimed")
                        .increment(1);
                    tracing::warn!(port = %f.port, peer = %f.peer, key, driver = %self.driver.label(), "frame for a key no configured device owns");
                    if let Some(b) = unclaimed {
                        reply_now(&sockets, f.conn, b).await;
                    }
                }
            },
            Routing::Reply(b) => reply_now(&sockets, f.conn, b).await,
            Routing::Drop => {
                metrics::counter!("twinwall_socket_frames_total", "result" => "dropped")
                    .increment(1);
            }
        }
    }

    async fn apply(&mut self, device: &str, outcome: Outcome) {
        // Field by field: the device's slot is read while its quota changes.
        let Some(slot) = self.slots.iter().find(|s| s.id == device) else {
            return;
        };
        let label = self.driver.label();
        let limits = self.policy.events;
        let now = std::time::Instant::now();
        let quota = self
            .quotas
            .entry(device.to_owned())
            .or_insert_with(|| Quota::new(&limits, now));
        let mut raw = outcome.events;
        if raw.len() > limits.per_call {
            let extra = raw.len() - limits.per_call;
            raw.truncate(limits.per_call);
            quota.drop_n(Dropped::PerCall, extra as u64);
            count_throttled(&self.driver.name, Dropped::PerCall, extra as u64);
        }
        let mut events = Vec::with_capacity(raw.len() + 1);
        let mut dropped = [0u64; 3];
        for e in raw {
            match convert::event_with_media(&label, device, &slot.zone, e) {
                Ok((ev, blobs)) => {
                    if let Err(why) = quota.admit(&limits, &ev, now) {
                        dropped[why as usize] += 1;
                        continue;
                    }
                    // Pictures first: an event never refers to a picture that is not stored.
                    if let Some(err) = blobs
                        .iter()
                        .find_map(|b| self.bus.put_media(&b.hash, &b.content_type, &b.data).err())
                    {
                        tracing::error!(device, kind = %ev.kind, error = %err, "picture not stored; event dropped");
                        continue;
                    }
                    // Kinds outside the table share one label: a driver
                    // cannot grow the metrics without bound.
                    let kind =
                        twinwall_plugin_sdk::kinds::lookup(&ev.kind).map_or("other", |k| k.kind);
                    metrics::counter!("twinwall_events_ingested_total", "kind" => kind, "driver" => self.driver.name.clone()).increment(1);
                    events.push(ev)
                }
                Err(bad) => tracing::warn!("{bad}"),
            }
        }
        if let Some(report) = quota.report(now) {
            events.push(throttled_event(
                &self.driver.label(),
                device,
                &slot.zone,
                report,
                &limits,
            ));
        }
        for why in [Dropped::Rate, Dropped::TooLarge] {
            count_throttled(&self.driver.name, why, dropped[why as usize]);
        }
        // Replies (a push answer, an ACK) go out only once these events are
        // committed; other outcomes do not wait for the disk.
        use futures_util::FutureExt;
        let commit = if outcome.requests.iter().any(|r| r.is_reply()) {
            match self.bus.submit_acked(events).await {
                Ok(ack) => async move { matches!(ack.await, Ok(Ok(_))) }
                    .boxed()
                    .shared(),
                Err(e) => {
                    tracing::error!(device, error = %e, "events lost: the bus is closed");
                    async { false }.boxed().shared()
                }
            }
        } else {
            if let Err(e) = self.bus.submit(events).await {
                tracing::error!(device, error = %e, "events lost: the bus is closed");
            }
            committed()
        };
        if !outcome.requests.is_empty() {
            slot.session
                .send(Control::Requests(outcome.requests, commit))
                .await;
        }
    }

    async fn on_msg(&mut self, m: Msg) {
        match m {
            Msg::Command {
                device,
                name,
                args,
                actor,
                reply,
            } => self.command(device, name, args, actor, reply).await,
            Msg::Release {
                device,
                actor,
                reply,
            } => {
                let lifted = match device {
                    Some(d) => {
                        let held = self.quarantine.release(&d);
                        if held {
                            self.released(&d, Some(&actor), "an admin released it")
                                .await;
                        }
                        held
                    }
                    None => {
                        self.release_driver(Some(&actor), "an admin released it")
                            .await
                    }
                };
                let _ = reply.send(lifted);
            }
            Msg::Reload(driver) => {
                tracing::info!(old = %self.driver.label(), new = %driver.label(), "driver replaced; rebuilding its devices");
                let ev = NewEvent::new("driver.loaded", HUB_ZONE)
                    .attr("driver", driver.name.clone())
                    .attr("version", driver.version.clone())
                    .attr("hash", driver.hash.clone())
                    .attr("replaces", self.driver.label())
                    .message(format!(
                        "driver {} loaded, replacing {}",
                        driver.label(),
                        self.driver.label()
                    ));
                let _ = self.bus.submit(vec![ev]).await;
                self.instance = None;
                self.crashes.clear();
                self.backoff.reset();
                self.rebuild_at = None;
                if let Ok(mut s) = self.status.lock() {
                    s.version = driver.version.clone();
                    s.hash = driver.hash.clone();
                    s.path = driver.path.display().to_string();
                }
                self.driver = driver;
                self.build().await;
            }
        }
    }

    async fn command(
        &mut self,
        device: String,
        name: String,
        args: String,
        actor: String,
        reply: oneshot::Sender<Result<(), CommandError>>,
    ) {
        let Some(slot) = self.slot(&device) else {
            let _ = reply.send(Err(CommandError::UnknownDevice(device)));
            return;
        };
        let (session, zone) = (slot.session.clone(), slot.zone.clone());
        if self.quarantine.until(&device).is_some() {
            let _ = reply.send(Err(CommandError::DriverUnavailable {
                driver: self.driver.label(),
                state: format!("device `{device}` is quarantined"),
            }));
            return;
        }
        let Some(inst) = self.instance.as_mut() else {
            let state = self
                .status
                .lock()
                .map(|s| s.state.clone())
                .unwrap_or(DriverState::Restarting);
            let _ = reply.send(Err(CommandError::DriverUnavailable {
                driver: self.driver.label(),
                state: format!("{state:?}").to_lowercase(),
            }));
            return;
        };
        let audit = NewEvent::new("device.command", &zone)
            .device(&device)
            .actor(&actor)
            .attr("command", name.clone())
            .attr("args", args.clone())
            .correlation(&format!("cmd-{}", fastrand::u64(..)));
        match inst.command(&device, &name, &args) {
            Ok(reqs) => {
                // The intent is on record before anything reaches the
                // device; the outcome follows under the same correlation.
                let intent = audit
                    .clone()
                    .attr("result", "requested")
                    .message(format!("{actor} asked for `{name}` on {device}"));
                if let Err(e) = self.bus.append(vec![intent]).await {
                    tracing::error!(%device, command = %name, "command not sent, audit not stored: {e}");
                    let _ = reply.send(Err(CommandError::NotRecorded {
                        device,
                        command: name,
                        message: e.to_string(),
                    }));
                    return;
                }
                let (done_tx, done) = oneshot::channel();
                session.send(Control::Command(reqs, done_tx)).await;
                let bus = self.bus.clone();
                let timeout = self.policy.command_timeout;
                // Waiting here would stall the inputs the answer arrives through.
                tokio::spawn(async move {
                    let result = match tokio::time::timeout(timeout, done).await {
                        Ok(Ok(Ok(()))) => Ok(()),
                        Ok(Ok(Err(why))) => Err(CommandError::Device {
                            device: device.clone(),
                            message: why,
                        }),
                        Ok(Err(_)) => Err(CommandError::Device {
                            device: device.clone(),
                            message: "the device session ended".into(),
                        }),
                        Err(_) => Err(CommandError::Timeout {
                            device: device.clone(),
                            ms: timeout.as_millis() as u64,
                        }),
                    };
                    let audit = match &result {
                        Ok(()) => audit.attr("result", "ok"),
                        Err(e) => audit
                            .level(Level::Yellow)
                            .attr("result", "failed")
                            .attr("error", e.to_string()),
                    };
                    let _ = bus.append(vec![audit]).await;
                    let _ = reply.send(result);
                });
            }
            Err(CallError::Refused { error, driver, .. }) => {
                let audit = audit
                    .attr("result", "refused")
                    .attr("error", format!("{}: {}", error.code, error.message));
                let _ = self.bus.append(vec![audit]).await;
                let _ = reply.send(Err(CommandError::Refused {
                    driver,
                    code: error.code,
                    message: error.message,
                }));
            }
            Err(e) => {
                let msg = e.to_string();
                if e.is_trap() {
                    self.crashed(e, Some(&device)).await;
                }
                let _ = reply.send(Err(CommandError::DriverUnavailable {
                    driver: self.driver.label(),
                    state: msg,
                }));
            }
        }
    }

    async fn crashed(&mut self, e: CallError, device: Option<&str>) {
        self.instance = None;
        let now = Instant::now();
        self.crashes.push_back((now, device.map(str::to_owned)));
        while self
            .crashes
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > self.policy.window)
        {
            self.crashes.pop_front();
        }
        let total = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            s.crashes += 1;
            s.last_trap = Some(e.to_string());
            s.crashes
        };
        tracing::error!(driver = %self.driver.label(), device = device.unwrap_or("-"), recent = self.crashes.len(), "{e}");
        metrics::counter!("twinwall_driver_traps_total", "driver" => self.driver.name.clone())
            .increment(1);
        let mut ev = NewEvent::new("driver.crashed", HUB_ZONE)
            .level(Level::Orange)
            .attr("driver", self.driver.name.clone())
            .attr("version", self.driver.version.clone())
            .attr("trap", e.to_string())
            .attr("crashes", u64::from(total))
            .message(format!(
                "driver {} crashed; its devices are being rebuilt",
                self.driver.label()
            ));
        if let Some(d) = device {
            ev = ev.attr("device", d);
        }
        let mut events = vec![ev];
        // A device whose calls keep crashing is closed on its own; its
        // crashes then no longer count against the driver.
        if let Some(d) = device
            && let (n, Some(until)) = self.quarantine.crash(d, now)
        {
            self.crashes.retain(|(_, who)| who.as_deref() != Some(d));
            if let Ok(mut st) = self.status.lock() {
                st.quarantined_devices.push(d.to_owned());
            }
            let secs = until.duration_since(now).as_secs();
            let zone = self.slot(d).map_or(HUB_ZONE.to_owned(), |s| s.zone.clone());
            self.device_error(
                d,
                Some(format!(
                    "quarantined for {secs} s: its calls crashed driver {} {n} times within {} s",
                    self.driver.label(),
                    self.policy.window.as_secs()
                )),
            );
            if let Some(slot) = self.slot(d) {
                slot.session.send(Control::Reset(Vec::new())).await;
            }
            events.push(
                NewEvent::new("device.quarantined", &zone)
                    .device(d)
                    .level(Level::Red)
                    .attr("driver", self.driver.name.clone())
                    .attr("version", self.driver.version.clone())
                    .attr("crashes", i64::from(n))
                    .attr("for_s", secs as i64)
                    .message(format!(
                        "device `{d}` crashed driver {} {n} times within {} s and is closed for {secs} s (or until an admin releases it); the driver's other devices run on",
                        self.driver.label(),
                        self.policy.window.as_secs()
                    )),
            );
        }
        let recent = self.crashes.len() as u32;
        if recent >= self.policy.max_crashes {
            self.set_state(DriverState::Quarantined);
            self.driver_release_at = Some(now + self.policy.quarantine);
            events.push(
                NewEvent::new("driver.quarantined", HUB_ZONE)
                    .level(Level::Red)
                    .attr("driver", self.driver.name.clone())
                    .attr("version", self.driver.version.clone())
                    .attr("crashes", u64::from(recent))
                    .attr("for_s", self.policy.quarantine.as_secs() as i64)
                    .message(format!(
                        "driver {} crashed {recent} times within {} s and is quarantined for {} s (or until it is replaced or an admin releases it)",
                        self.driver.label(),
                        self.policy.window.as_secs(),
                        self.policy.quarantine.as_secs()
                    )),
            );
            // Its devices stop being polled: nothing would read the answers.
            for slot in &self.slots {
                slot.session.send(Control::Reset(Vec::new())).await;
            }
        } else {
            if recent <= 1 {
                // The first crash in a while: start the backoff afresh.
                self.backoff.reset();
            }
            self.set_state(DriverState::Restarting);
            self.rebuild_at = Some(now + self.backoff.next_delay());
        }
        if let Err(err) = self.bus.append(events).await {
            tracing::error!(error = %err, "crash event lost: the bus is closed");
        }
    }

    /// `device`'s quarantine ended (its time, or an admin): open it again
    /// in the running instance.
    async fn released(&mut self, device: &str, actor: Option<&str>, why: &str) {
        self.device_error(device, None);
        if let Ok(mut st) = self.status.lock() {
            st.quarantined_devices.retain(|d| d != device);
        }
        let Some(i) = self.slots.iter().position(|s| s.id == device) else {
            return;
        };
        let (zone, session) = (self.slots[i].zone.clone(), self.slots[i].session.clone());
        let mut ev = NewEvent::new("device.released", &zone)
            .device(device)
            .attr("driver", self.driver.name.clone())
            .attr("reason", why)
            .message(format!("device `{device}` is open again: {why}"));
        if let Some(a) = actor {
            ev = ev.actor(a);
        }
        let _ = self.bus.append(vec![ev]).await;
        let Some(inst) = self.instance.as_mut() else {
            // The next build opens it.
            return;
        };
        let result = inst
            .open(&self.slots[i].config, self.slots[i].keys.clone())
            .and_then(|()| inst.start(device));
        match result {
            Ok(reqs) => {
                session.send(Control::Reset(reqs)).await;
            }
            Err(e) if e.is_trap() => self.crashed(e, Some(device)).await,
            Err(e) => self.device_error(device, Some(e.to_string())),
        }
    }

    /// Lift the driver's quarantine (its time, or an admin) and build it
    /// again; whether it was quarantined.
    async fn release_driver(&mut self, actor: Option<&str>, why: &str) -> bool {
        let was = self.driver_release_at.take().is_some();
        if !was || self.instance.is_some() {
            return false;
        }
        self.crashes.clear();
        self.backoff.reset();
        let mut ev = NewEvent::new("driver.released", HUB_ZONE)
            .attr("driver", self.driver.name.clone())
            .attr("version", self.driver.version.clone())
            .attr("reason", why)
            .message(format!(
                "driver {} is built again: {why}",
                self.driver.label()
            ));
        if let Some(a) = actor {
            ev = ev.actor(a);
        }
        let _ = self.bus.append(vec![ev]).await;
        self.build().await;
        true
    }
}

/// `driver.throttled`: what a device lost to its quota since the last report.
fn throttled_event(
    driver: &str,
    device: &str,
    zone: &str,
    dropped: [u64; 3],
    limits: &super::quota::EventLimits,
) -> NewEvent {
    let total: u64 = dropped.iter().sum();
    NewEvent::new("driver.throttled", zone)
        .device(device)
        .level(Level::Yellow)
        .attr("driver", driver)
        .attr("dropped", total as i64)
        .attr("over_rate", dropped[Dropped::Rate as usize] as i64)
        .attr("over_per_call", dropped[Dropped::PerCall as usize] as i64)
        .attr("too_large", dropped[Dropped::TooLarge as usize] as i64)
        .attr("per_second", i64::from(limits.per_second))
        .message(format!(
            "{driver} device `{device}` is over its event quota: {total} event(s) dropped (limit {}/s, burst {}, {} per call, {} bytes)",
            limits.per_second, limits.burst, limits.per_call, limits.max_bytes
        ))
}

fn count_throttled(driver: &str, why: Dropped, n: u64) {
    if n > 0 {
        metrics::counter!("twinwall_events_throttled_total", "driver" => driver.to_owned(), "reason" => why.as_str()).increment(n);
    }
}

impl Drop for Supervisor {
    /// Starts still being handed out end with the supervisor.
    fn drop(&mut self) {
        if let Some(s) = self.starting.take() {
            s.abort();
        }
    }
}
