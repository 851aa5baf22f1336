//! An operator's command: the driver turns it into requests, its intent is
//! on record before anything reaches the device, and its outcome follows
//! under the same correlation once the device confirmed (or did not).

use tokio::sync::oneshot;
use twinwall_runtime::CallError;
use twinwall_transport::Control;

use super::Supervisor;
use crate::notices::{self, CommandResult};
use crate::{CommandError, DriverState};

impl Supervisor {
    /// The checks (device, quarantine, instance), then the driver's answer:
    /// requests (recorded, sent, confirmed in a task), a refusal, or a trap.
    pub(super) async fn command(
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
        if self.crashes.devices.until(&device).is_some() {
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
        let audit = notices::command(&device, &zone, &actor, &name, &args);
        match inst.command(&device, &name, &args) {
            Ok(reqs) => {
                // The intent is on record before anything reaches the
                // device; the outcome follows under the same correlation.
                let intent = notices::command_result(&audit, CommandResult::Requested);
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
                // Waiting here would stall the inputs the answer arrives through.
                tokio::spawn(confirmed(
                    self.bus.clone(),
                    audit,
                    device,
                    self.policy.command_timeout,
                    done,
                    reply,
                ));
            }
            Err(CallError::Refused { error, driver, .. }) => {
                let why = error.to_string();
                let audit = notices::command_result(&audit, CommandResult::Refused(&why));
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
}

/// Wait for the device to confirm (or not, within `timeout`), record the
/// outcome under the command's correlation and tell the operator.
async fn confirmed(
    bus: twinwall_bus::Bus,
    audit: twinwall_base::NewEvent,
    device: String,
    timeout: std::time::Duration,
    done: oneshot::Receiver<Result<(), String>>,
    reply: oneshot::Sender<Result<(), CommandError>>,
) {
    let result = match tokio::time::timeout(timeout, done).await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(why))) => Err(CommandError::Device {
            device,
            message: why,
        }),
        Ok(Err(_)) => Err(CommandError::Device {
            device,
            message: "the device session ended".into(),
        }),
        Err(_) => Err(CommandError::Timeout {
            device,
            ms: timeout.as_millis() as u64,
        }),
    };
    let audit = match &result {
        Ok(()) => notices::command_result(&audit, CommandResult::Ok),
        Err(e) => notices::command_result(&audit, CommandResult::Failed(&e.to_string())),
    };
    let _ = bus.append(vec![audit]).await;
    let _ = reply.send(result);
}
