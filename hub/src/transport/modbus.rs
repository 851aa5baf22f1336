//! Modbus TCP for one device: connect, and carry out reads and writes with
//! tokio-modbus, turning answers into driver inputs.

use std::net::SocketAddr;
use std::time::Duration;

use tokio_modbus::client::{Context, Reader, Writer};
use tokio_modbus::{ExceptionCode, Slave};

use crate::runtime::wit::{Input, ModbusResponse, ModbusTable};

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

/// Refuse an operation that no device could carry out, before it goes on the wire.
pub fn check(op: &Op) -> Result<(), String> {
    match op {
        Op::Read { count, .. } if *count == 0 || *count > 2000 => {
            Err(format!("read count {count} is not 1..=2000"))
        }
        Op::Read {
            table: ModbusTable::HoldingRegisters | ModbusTable::InputRegisters,
            count,
            ..
        } if *count > 125 => Err(format!("register read count {count} exceeds Modbus's 125")),
        Op::Write {
            table: ModbusTable::DiscreteInputs | ModbusTable::InputRegisters,
            ..
        } => Err("discrete inputs and input registers are read-only".into()),
        Op::Write { values, .. } if values.is_empty() || values.len() > 123 => {
            Err(format!("write of {} values is not 1..=123", values.len()))
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
            Ok(Input::ModbusResponse(ModbusResponse {
                id: id.to_owned(),
                table,
                address,
                values,
            }))
        }
        Ok(Err(code)) => Ok(Input::ModbusException((id.to_owned(), u8::from(code)))),
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
