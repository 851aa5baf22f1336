//! The effects of the crash policy: a trap's events, a device or the driver
//! held, the rebuild after a backoff, and releases.

use tokio::time::Instant;
use twinwall_runtime::CallError;
use twinwall_transport::Control;

use super::Supervisor;
use crate::DriverState;
use crate::crashes::Next;
use crate::notices;

impl Supervisor {
    fn who(&self) -> notices::Driver<'_> {
        notices::Driver {
            name: &self.driver.name,
            version: &self.driver.version,
        }
    }

    /// A call trapped (for `device`, if it served one): the instance is gone.
    pub(super) async fn crashed(&mut self, e: CallError, device: Option<&str>) {
        self.instance = None;
        let now = Instant::now();
        let verdict = self.crashes.crashed(now, device);
        let total = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            s.crashes += 1;
            s.last_trap = Some(e.to_string());
            s.crashes
        };
        tracing::error!(driver = %self.driver.label(), device = device.unwrap_or("-"), recent = verdict.recent, "{e}");
        metrics::counter!("twinwall_driver_traps_total", "driver" => self.driver.name.clone())
            .increment(1);
        let window_s = self.crashes.window().as_secs();
        let mut events = vec![notices::crashed(self.who(), &e.to_string(), total, device)];
        if let (Some(d), Some((n, until))) = (device, verdict.device_held) {
            let for_s = until.duration_since(now).as_secs();
            if let Ok(mut st) = self.status.lock() {
                st.quarantined_devices.push(d.to_owned());
            }
            let problem = notices::device_held_problem(self.who(), n, for_s, window_s);
            self.device_error(d, Some(problem));
            let zone = self
                .slot(d)
                .map_or(twinwall_base::HUB_ZONE.to_owned(), |s| s.zone.clone());
            if let Some(slot) = self.slot(d) {
                slot.session.send(Control::Reset(Vec::new())).await;
            }
            events.push(notices::device_quarantined(
                self.who(),
                d,
                &zone,
                n,
                for_s,
                window_s,
            ));
        }
        match verdict.next {
            Next::Quarantine { until } => {
                self.set_state(DriverState::Quarantined);
                let for_s = until.duration_since(now).as_secs();
                events.push(notices::driver_quarantined(
                    self.who(),
                    verdict.recent,
                    for_s,
                    window_s,
                ));
                // Its devices stop being polled: nothing would read the answers.
                for slot in &self.slots {
                    slot.session.send(Control::Reset(Vec::new())).await;
                }
            }
            Next::Rebuild { afresh } => {
                if afresh {
                    self.backoff.reset();
                }
                self.set_state(DriverState::Restarting);
                self.rebuild_at = Some(now + self.backoff.next_delay());
            }
        }
        if let Err(err) = self.bus.append(events).await {
            tracing::error!(error = %err, "crash event lost: the bus is closed");
        }
    }

    /// `device`'s quarantine ended (its time, or an admin): open it again
    /// in the running instance.
    pub(super) async fn released(&mut self, device: &str, actor: Option<&str>, why: &str) {
        self.device_error(device, None);
        if let Ok(mut st) = self.status.lock() {
            st.quarantined_devices.retain(|d| d != device);
        }
        let Some(i) = self.slots.iter().position(|s| s.id == device) else {
            return;
        };
        let (zone, session) = (self.slots[i].zone.clone(), self.slots[i].session.clone());
        let ev = notices::device_released(&self.driver.name, device, &zone, why, actor);
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
    pub(super) async fn release_driver(&mut self, actor: Option<&str>, why: &str) -> bool {
        if self.instance.is_some() || !self.crashes.release_driver() {
            return false;
        }
        self.backoff.reset();
        let ev = notices::driver_released(self.who(), why, actor);
        let _ = self.bus.append(vec![ev]).await;
        self.build().await;
        true
    }
}
