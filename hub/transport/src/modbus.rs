//! Modbus TCP for one device: the polls and the queue of one-off reads and
//! writes (writes, being operator actions, first), the connection with its
//! reconnect backoff, and tokio-modbus carrying out each operation.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::time::Instant;
use tokio_modbus::client::{Context, Reader, Writer};
use tokio_modbus::{ExceptionCode, Slave};

use super::Backoff;
use super::tracker::SharedTracker;
use super::types::{Input, ModbusRead, Table as ModbusTable};

/// One Modbus operation.
#[derive(Debug, Clone)]
pub enum Op {
    /// Read `count` from `table` at `address`.
    Read {
        table: ModbusTable,
        address: u16,
        count: u16,
    },
    /// Write `values` to `table` at `address`.
    Write {
        table: ModbusTable,
        address: u16,
        values: Vec<u16>,
    },
}

/// A failure of the link (not an answer from the device): reconnect.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Address did not resolve.
    #[error("cannot resolve `{0}`")]
    Resolve(String),
    /// TCP or Modbus framing failed.
    #[error("{0}")]
    Io(String),
    /// No answer in time.
    #[error("no answer within {0} ms")]
    Timeout(u128),
}

/// Open a Modbus TCP connection to `address`, unit `unit`.
pub async fn connect(address: &str, unit: u8, timeout: Duration) -> Result<Context, LinkError> {
    let addr: SocketAddr = tokio::net::lookup_host(address)
        .await
        .map_err(|e| LinkError::Resolve(format!("{address}: {e}")))?
        .next()
        .ok_or_else(|| LinkError::Resolve(address.to_owned()))?;
    match tokio::time::timeout(
        timeout,
        tokio_modbus::client::tcp::connect_slave(addr, Slave(unit)),
    )
    .await
    {
        Ok(Ok(ctx)) => Ok(ctx),
        Ok(Err(e)) => Err(LinkError::Io(format!("connect {address}: {e}"))),
        Err(_) => Err(LinkError::Timeout(timeout.as_millis())),
    }
}

/// A Modbus request the hub refuses before it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// A read of no items or of more than one PDU holds.
    #[error("read count {0} is not 1..=2000")]
    ReadCount(u16),
    /// A register read past Modbus's 125.
    #[error("register read count {0} exceeds Modbus's 125")]
    RegisterCount(u16),
    /// A write to a read-only table.
    #[error("{0:?} are read-only")]
    ReadOnly(ModbusTable),
    /// A write of no values or more than a PDU holds.
    #[error("write of {0} values is not 1..=123")]
    WriteCount(usize),
    /// More polls than a device may have (each is a metric label).
    #[error("device `{device}` already has {MAX_POLLS} polls; poll `{id}` refused")]
    TooManyPolls {
        /// Device id.
        device: String,
        /// The poll refused.
        id: String,
    },
}

/// Refuse an operation that no device could carry out, before it goes on the wire.
pub fn check(op: &Op) -> Result<(), Refusal> {
    match op {
        Op::Read { count, .. } if *count == 0 || *count > 2000 => Err(Refusal::ReadCount(*count)),
        Op::Read {
            table: ModbusTable::HoldingRegisters | ModbusTable::InputRegisters,
            count,
            ..
        } if *count > 125 => Err(Refusal::RegisterCount(*count)),
        Op::Write {
            table: table @ (ModbusTable::DiscreteInputs | ModbusTable::InputRegisters),
            ..
        } => Err(Refusal::ReadOnly(*table)),
        Op::Write { values, .. } if values.is_empty() || values.len() > 123 => {
            Err(Refusal::WriteCount(values.len()))
        }
        _ => Ok(()),
    }
}

/// Run `op` on `ctx` with a deadline: the device's answer (data or a Modbus
/// exception) as the driver's input, or a link failure.
pub async fn run(
    ctx: &mut Context,
    id: &str,
    op: &Op,
    timeout: Duration,
) -> Result<Input, LinkError> {
    let fut = exec(ctx, op);
    let r = tokio::time::timeout(timeout, fut)
        .await
        .map_err(|_| LinkError::Timeout(timeout.as_millis()))?;
    match r {
        Ok(Ok(values)) => {
            let (table, address) = match op {
                Op::Read { table, address, .. } | Op::Write { table, address, .. } => {
                    (*table, *address)
                }
            };
            Ok(Input::ModbusResponse {
                id: id.to_owned(),
                table,
                address,
                values,
            })
        }
        Ok(Err(code)) => Ok(Input::ModbusException {
            id: id.to_owned(),
            code: u8::from(code),
        }),
        Err(e) => Err(LinkError::Io(e.to_string())),
    }
}

type Exec = Result<Result<Vec<u16>, ExceptionCode>, tokio_modbus::Error>;

fn bits(v: Vec<bool>) -> Vec<u16> {
    v.into_iter().map(u16::from).collect()
}

async fn exec(ctx: &mut Context, op: &Op) -> Exec {
    match op {
        Op::Read {
            table,
            address,
            count,
        } => {
            let (a, n) = (*address, *count);
            match table {
                ModbusTable::Coils => ctx.read_coils(a, n).await.map(|r| r.map(bits)),
                ModbusTable::DiscreteInputs => {
                    ctx.read_discrete_inputs(a, n).await.map(|r| r.map(bits))
                }
                ModbusTable::HoldingRegisters => ctx.read_holding_registers(a, n).await,
                ModbusTable::InputRegisters => ctx.read_input_registers(a, n).await,
            }
        }
        Op::Write {
            table,
            address,
            values,
        } => {
            let a = *address;
            let done = |r: Result<(), ExceptionCode>| r.map(|()| Vec::new());
            match (table, values.as_slice()) {
                (ModbusTable::Coils, [v]) => ctx.write_single_coil(a, *v != 0).await.map(done),
                (ModbusTable::Coils, vs) => {
                    let b: Vec<bool> = vs.iter().map(|v| *v != 0).collect();
                    ctx.write_multiple_coils(a, &b).await.map(done)
                }
                (ModbusTable::HoldingRegisters, [v]) => {
                    ctx.write_single_register(a, *v).await.map(done)
                }
                (_, vs) => ctx.write_multiple_registers(a, vs).await.map(done),
            }
        }
    }
}

/// A read as an operation.
pub fn read_op(r: &ModbusRead) -> Op {
    Op::Read {
        table: r.table,
        address: r.address,
        count: r.count,
    }
}

/// The next time on a poll's grid after `now`: polls keep their rate
/// (`due + every`, not `now + every`, which drifts by the answer time each
/// round), and a poll that fell behind (a slow or lost link) skips the
/// rounds it missed instead of firing them back to back.
fn next_due(due: Instant, every: Duration, now: Instant) -> Instant {
    let next = due + every;
    if next > now {
        return next;
    }
    let behind = now.duration_since(next).as_nanos();
    let step = every.as_nanos().max(1);
    let missed = behind / step + 1;
    next + every * u32::try_from(missed).unwrap_or(u32::MAX)
}

struct Poll {
    id: String,
    op: Op,
    every: Duration,
    due: Instant,
    /// When it last ran, and its smoothed rate (polls per second).
    ran: Option<Instant>,
    achieved: f64,
}

/// Polls one device may have at once: each is a metric label.
pub const MAX_POLLS: usize = 64;

/// A queued one-off operation and the command waiting on it, if any.
pub struct Pending {
    /// Request id.
    pub id: String,
    op: Op,
    /// The command waiting for it.
    pub tracker: Option<SharedTracker>,
}

/// What one turn of work did.
pub enum Worked {
    /// The device answered (data or an exception).
    Answered {
        /// For the driver.
        input: Input,
        /// The command it settles.
        tracker: Option<SharedTracker>,
    },
    /// The link failed; the connection is dropped and will be retried.
    LinkFailed {
        /// Why.
        why: String,
        /// A one-off request that failed with it (polls just come round again).
        failed: Option<Pending>,
    },
    /// Could not connect; every queued one-off request fails with it.
    Unreachable {
        /// Why.
        why: String,
        /// The requests given up.
        failed: Vec<Pending>,
    },
}

/// Modbus state of one device.
pub struct ModbusLink {
    /// The device, for the metrics.
    device: String,
    address: String,
    unit: u8,
    timeout: Duration,
    polls: Vec<Poll>,
    pending: VecDeque<Pending>,
    conn: Option<Context>,
    reconnect_at: Instant,
    backoff: Backoff,
}

impl ModbusLink {
    /// A link to device `device` at `address`, unit `unit`, not yet connected.
    pub fn new(device: String, address: String, unit: u8, timeout: Duration) -> Self {
        ModbusLink {
            device,
            address,
            unit,
            timeout,
            polls: Vec::new(),
            pending: VecDeque::new(),
            conn: None,
            reconnect_at: Instant::now(),
            backoff: Backoff::new(Duration::from_millis(200), Duration::from_secs(10)),
        }
    }

    /// Forget polls and queued work; returns the queued requests so their
    /// commands can be told.
    pub fn reset(&mut self) -> Vec<Pending> {
        self.polls.clear();
        self.pending.drain(..).collect()
    }

    /// Poll `op` every `every_ms` (first at once), replacing a poll of the
    /// same id; refused past [`MAX_POLLS`].
    pub fn poll(&mut self, id: String, op: Op, every_ms: u32) -> Result<(), Refusal> {
        self.polls.retain(|q| q.id != id);
        if self.polls.len() >= MAX_POLLS {
            return Err(Refusal::TooManyPolls {
                device: self.device.clone(),
                id,
            });
        }
        let every = Duration::from_millis(u64::from(every_ms.max(50)));
        metrics::gauge!("twinwall_poll_configured_per_second", "device" => self.device.clone(), "poll" => id.clone())
            .set(1.0 / every.as_secs_f64());
        self.polls.push(Poll {
            id,
            op,
            every,
            due: Instant::now(),
            ran: None,
            achieved: 0.0,
        });
        Ok(())
    }

    /// Stop a poll.
    pub fn cancel(&mut self, id: &str) {
        self.polls.retain(|p| p.id != id);
    }

    /// Queue a one-off operation; writes (operator actions) go ahead of reads.
    pub fn queue(&mut self, id: String, op: Op, tracker: Option<SharedTracker>) {
        let p = Pending { id, op, tracker };
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

    /// Whether work can be done now.
    pub fn due(&self, now: Instant) -> bool {
        let work = !self.pending.is_empty() || self.polls.iter().any(|p| p.due <= now);
        work && (self.conn.is_some() || now >= self.reconnect_at)
    }

    /// When work is next due.
    pub fn next_wake(&self) -> Option<Instant> {
        let at = if !self.pending.is_empty() {
            Some(Instant::now())
        } else {
            self.polls.iter().map(|p| p.due).min()
        }?;
        Some(if self.conn.is_some() {
            at
        } else {
            at.max(self.reconnect_at)
        })
    }

    /// Connect if needed, then run one operation: a queued one first, else the
    /// most overdue poll.
    pub async fn work(&mut self) -> Option<Worked> {
        if self.conn.is_none() {
            match connect(&self.address, self.unit, self.timeout).await {
                Ok(ctx) => self.conn = Some(ctx),
                Err(e) => {
                    self.reconnect_at = Instant::now() + self.backoff.next_delay();
                    return Some(Worked::Unreachable {
                        why: e.to_string(),
                        failed: self.pending.drain(..).collect(),
                    });
                }
            }
        }
        let now = Instant::now();
        let (pending, op, from_poll) = if let Some(p) = self.pending.pop_front() {
            let op = p.op.clone();
            (p, op, false)
        } else {
            let p = self
                .polls
                .iter_mut()
                .filter(|p| p.due <= now)
                .min_by_key(|p| p.due)?;
            let next = next_due(p.due, p.every, now);
            // Rounds skipped because the poll fell behind (a slow or lost link).
            let skipped = ((next - p.due).as_nanos() / p.every.as_nanos().max(1)).saturating_sub(1);
            let labels = [("device", self.device.clone()), ("poll", p.id.clone())];
            if skipped > 0 {
                metrics::counter!("twinwall_polls_missed_total", &labels).increment(skipped as u64);
            }
            metrics::counter!("twinwall_polls_total", &labels).increment(1);
            if let Some(last) = p.ran {
                let rate = 1.0 / now.duration_since(last).as_secs_f64().max(1e-3);
                p.achieved = if p.achieved == 0.0 {
                    rate
                } else {
                    0.8 * p.achieved + 0.2 * rate
                };
                metrics::gauge!("twinwall_poll_achieved_per_second", &labels).set(p.achieved);
            }
            p.ran = Some(now);
            p.due = next;
            let op = p.op.clone();
            (
                Pending {
                    id: p.id.clone(),
                    op: op.clone(),
                    tracker: None,
                },
                op,
                true,
            )
        };
        let ctx = self.conn.as_mut()?;
        match run(ctx, &pending.id, &op, self.timeout).await {
            Ok(input) => {
                self.backoff.reset();
                Some(Worked::Answered {
                    input,
                    tracker: pending.tracker,
                })
            }
            Err(e) => {
                self.conn = None;
                self.reconnect_at = Instant::now() + self.backoff.next_delay();
                Some(Worked::LinkFailed {
                    why: format!("{e} (request `{}`)", pending.id),
                    failed: (!from_poll).then_some(pending),
                })
            }
        }
    }
}

#[cfg(test)]
mod grid_tests {
    use super::*;

    #[test]
    fn polls_keep_their_grid_and_skip_missed_rounds() {
        let t0 = Instant::now();
        let every = Duration::from_millis(1000);
        // Answered 40 ms late: the next poll is still on the grid.
        assert_eq!(
            next_due(t0, every, t0 + Duration::from_millis(40)),
            t0 + every
        );
        // 3.5 intervals behind: the next is the first grid point ahead.
        let late = t0 + Duration::from_millis(3500);
        assert_eq!(next_due(t0, every, late), t0 + every * 4);
        // Exactly on a grid point: the one after it.
        assert_eq!(next_due(t0, every, t0 + every), t0 + every * 2);
        // Over a thousand rounds the grid does not drift.
        let mut due = t0;
        for i in 1..=1000u32 {
            let now = due + Duration::from_millis(37);
            due = next_due(due, every, now);
            assert_eq!(due, t0 + every * i);
        }
    }
}
