//! One task per driver: owns the driver's instance and feeds it inputs and
//! commands. A trap costs only this driver its instance: the supervisor
//! records `driver.crashed`, rebuilds the instance and reopens every device
//! after a backoff, and quarantines a device or the driver that keeps
//! crashing, as [`crate::crashes::CrashPolicy`] decides. This file holds the
//! loop and the build; the rest is by concern: `apply` (an outcome onto the
//! bus and the wire), `command`, `crash` (the effects of the policy).

mod apply;
mod command;
mod crash;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use twinwall_bus::Bus;
use twinwall_runtime::{DeviceConfig, DriverInstance, LoadedDriver, Routing};
use twinwall_transport::socket::{RouteFrame, SharedSockets, reply_now};
use twinwall_transport::types::Input;
use twinwall_transport::{Backoff, Control, SessionHandle};

use crate::crashes::CrashPolicy;
use crate::notices;
use crate::quota::Quota;
use crate::{CommandError, DriverState, DriverStatus};

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
    pub events: crate::quota::EventLimits,
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
    pub tap: Option<crate::tap::InputTap>,
}

pub(super) struct Supervisor {
    /// Each device's event quota.
    quotas: HashMap<String, Quota>,
    driver: Arc<LoadedDriver>,
    instance: Option<DriverInstance>,
    slots: Vec<Slot>,
    /// Crashes, held devices, the driver's quarantine.
    crashes: CrashPolicy,
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
            crashes: CrashPolicy::new(policy.max_crashes, policy.window, policy.quarantine),
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
            let held = self.crashes.devices.next_expiry();
            let driver_back = self.crashes.driver_until();
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
                    for device in self.crashes.devices.expired(Instant::now()) {
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
            if self.crashes.devices.until(&id).is_some() {
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
        if self.crashes.devices.until(device).is_some() {
            return;
        }
        let Some(inst) = self.instance.as_mut() else {
            return;
        };
        if let Some(tap) = &self.policy.tap {
            tap.record(
                &self.driver.name,
                crate::tap::Tapped::Input {
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
                crate::tap::Tapped::Frame {
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
                        let held = self.crashes.devices.release(&d);
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
                let ev = notices::driver_loaded(
                    notices::Driver {
                        name: &driver.name,
                        version: &driver.version,
                    },
                    &driver.hash,
                    &self.driver.label(),
                );
                let _ = self.bus.submit(vec![ev]).await;
                self.instance = None;
                self.crashes.replaced();
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
}

impl Drop for Supervisor {
    /// Starts still being handed out end with the supervisor.
    fn drop(&mut self) {
        if let Some(s) = self.starting.take() {
            s.abort();
        }
    }
}
