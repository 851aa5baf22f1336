//! Modbus requests of a session: polls, one-off reads and writes (queued on
//! the device's link), and what one turn of work on the link brought.

use super::dispatch::{Done, Handled};
use super::*;
use crate::WireError;
use crate::modbus::{self, Op, Worked};
use crate::tracker::SharedTracker;
use crate::types::{FailureKind, ModbusRead, Table};

impl Session {
    /// The device's Modbus link, made on first use.
    fn modbus_link(&mut self) -> Result<&mut ModbusLink, WireError> {
        let Some(address) = self.spec.address.clone() else {
            return Err(WireError::NoAddress {
                device: self.spec.device.clone(),
            });
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

    pub(super) fn modbus_poll(&mut self, id: String, read: ModbusRead, every_ms: u32) -> Handled {
        let op = modbus::read_op(&read);
        modbus::check(&op)
            .map_err(WireError::from)
            .and_then(|()| self.modbus_link())
            .and_then(|m| m.poll(id.clone(), op, every_ms).map_err(WireError::from))
            .map(|()| Done::Settled)
            .map_err(|e| e.at(&id))
    }

    pub(super) fn modbus_read(
        &mut self,
        id: String,
        read: ModbusRead,
        tracker: &Option<SharedTracker>,
    ) -> Handled {
        self.queue(id, modbus::read_op(&read), tracker)
    }

    pub(super) fn modbus_write(
        &mut self,
        id: String,
        table: Table,
        address: u16,
        values: Vec<u16>,
        tracker: &Option<SharedTracker>,
    ) -> Handled {
        let op = Op::Write {
            table,
            address,
            values,
        };
        self.queue(id, op, tracker)
    }

    /// Queue a one-off operation; the device's answer settles it.
    fn queue(&mut self, id: String, op: Op, tracker: &Option<SharedTracker>) -> Handled {
        match modbus::check(&op)
            .map_err(WireError::from)
            .and_then(|()| self.modbus_link())
        {
            Ok(m) => {
                m.queue(id, op, tracker.clone());
                Ok(Done::Pending)
            }
            Err(e) => Err(e.at(&id)),
        }
    }

    /// One turn of work on the link: an answer for the driver, or a link
    /// failure for the requests it cost.
    pub(super) async fn modbus_work(&mut self) {
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
}
