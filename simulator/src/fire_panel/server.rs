//! Modbus TCP for one panel, with tokio-modbus's server: requests are
//! answered from the panel state, through the panel's faults.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio_modbus::server::Service;
use tokio_modbus::server::tcp::Server;
use tokio_modbus::{ExceptionCode, Request, Response};

use super::faults::Faults;
use super::state::{PanelState, coils};

#[derive(Clone)]
struct PanelService {
    state: Arc<Mutex<PanelState>>,
    faults: Arc<Faults>,
}

type Reply = Result<Option<Response>, ExceptionCode>;

impl Service for PanelService {
    type Request = Request<'static>;
    type Response = Option<Response>;
    type Exception = ExceptionCode;
    type Future = Pin<Box<dyn Future<Output = Reply> + Send>>;

    fn call(&self, req: Self::Request) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            if let Some(d) = this.faults.delay() {
                tokio::time::sleep(d).await;
            }
            if this.faults.silent() {
                return Ok(None);
            }
            if let Some(code) = this.faults.exception() {
                return Err(ExceptionCode::new(code));
            }
            let mut s = this.state.lock().unwrap_or_else(|p| p.into_inner());
            answer(&mut s, req).map(Some)
        })
    }
}

fn span(a: u16, n: u16, limit: usize) -> Result<std::ops::Range<u16>, ExceptionCode> {
    if n == 0 || usize::from(n) > limit {
        return Err(ExceptionCode::IllegalDataValue);
    }
    let end = a.checked_add(n).ok_or(ExceptionCode::IllegalDataAddress)?;
    Ok(a..end)
}

/// Answer one request as register map TW-FP1 documents.
fn answer(s: &mut PanelState, req: Request<'static>) -> Result<Response, ExceptionCode> {
    use ExceptionCode::IllegalDataAddress as Unmapped;
    match req {
        Request::ReadHoldingRegisters(a, n) => {
            let words: Option<Vec<u16>> = span(a, n, 125)?.map(|addr| s.word(addr + 1)).collect();
            words.map(Response::ReadHoldingRegisters).ok_or(Unmapped)
        }
        Request::ReadInputRegisters(a, n) => {
            let regs: Option<Vec<u16>> = span(a, n, 125)?
                .map(|addr| s.input_register(addr))
                .collect();
            regs.map(Response::ReadInputRegisters).ok_or(Unmapped)
        }
        Request::ReadDiscreteInputs(a, n) => {
            let l = s.leds();
            let r = span(a, n, 2000)?;
            if usize::from(r.end) > l.len() {
                return Err(Unmapped);
            }
            Ok(Response::ReadDiscreteInputs(
                r.map(|i| l[usize::from(i)]).collect(),
            ))
        }
        Request::ReadCoils(a, n) => {
            let r = span(a, n, 2000)?;
            if r.end > coils::COUNT {
                return Err(Unmapped);
            }
            // Action coils read back 0: the action happens on the write.
            Ok(Response::ReadCoils(vec![false; r.len()]))
        }
        Request::WriteSingleCoil(a, on) => {
            act(s, a, on)?;
            Ok(Response::WriteSingleCoil(a, on))
        }
        Request::WriteMultipleCoils(a, values) => {
            let r = span(a, values.len() as u16, 1968)?;
            if r.end > coils::COUNT {
                return Err(Unmapped);
            }
            for (i, on) in values.iter().enumerate() {
                act(s, a + i as u16, *on)?;
            }
            Ok(Response::WriteMultipleCoils(a, values.len() as u16))
        }
        // Point words are read-only in this map.
        _ => Err(ExceptionCode::IllegalFunction),
    }
}

fn act(s: &mut PanelState, coil: u16, on: bool) -> Result<(), ExceptionCode> {
    if !on {
        return if coil < coils::COUNT {
            Ok(())
        } else {
            Err(ExceptionCode::IllegalDataAddress)
        };
    }
    match coil {
        coils::RESET => s.reset(),
        coils::SILENCE => s.silence(),
        coils::ACKNOWLEDGE => s.acknowledge(),
        _ => return Err(ExceptionCode::IllegalDataAddress),
    }
    Ok(())
}

/// Serve `state` on `listener` until the task is aborted.
pub(super) async fn serve(
    listener: TcpListener,
    state: Arc<Mutex<PanelState>>,
    faults: Arc<Faults>,
) {
    let server = Server::new(listener);
    let service = PanelService {
        state,
        faults: faults.clone(),
    };
    let on_connected = move |stream: tokio::net::TcpStream, _peer: SocketAddr| {
        let service = service.clone();
        let faults = faults.clone();
        async move {
            if faults.down() {
                // Unreachable: drop the connection at once.
                return Ok(None);
            }
            let _ = stream.set_nodelay(true);
            Ok(Some((service, faults.stream(stream))))
        }
    };
    if let Err(e) = server
        .serve(&on_connected, |e| {
            tracing::debug!("modbus connection ended: {e}")
        })
        .await
    {
        tracing::warn!("fire panel listener stopped: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fire_panel::state::leds;

    #[test]
    fn unmapped_and_read_only_addresses_get_exceptions() {
        let mut s = PanelState::new(4);
        assert_eq!(
            answer(&mut s, Request::ReadHoldingRegisters(0, 5)),
            Err(ExceptionCode::IllegalDataAddress)
        );
        assert_eq!(
            answer(&mut s, Request::ReadHoldingRegisters(0, 0)),
            Err(ExceptionCode::IllegalDataValue)
        );
        assert_eq!(
            answer(
                &mut s,
                Request::ReadDiscreteInputs(0, leds::COUNT as u16 + 1)
            ),
            Err(ExceptionCode::IllegalDataAddress)
        );
        assert_eq!(
            answer(&mut s, Request::WriteSingleRegister(0, 1)),
            Err(ExceptionCode::IllegalFunction)
        );
        assert_eq!(
            answer(&mut s, Request::WriteSingleCoil(7, true)),
            Err(ExceptionCode::IllegalDataAddress)
        );
        assert!(
            matches!(answer(&mut s, Request::ReadHoldingRegisters(0, 4)), Ok(Response::ReadHoldingRegisters(v)) if v.len() == 4)
        );
    }

    #[test]
    fn coil_writes_act() {
        let mut s = PanelState::new(4);
        s.alarm(1);
        assert_eq!(
            answer(&mut s, Request::WriteSingleCoil(coils::RESET, true)),
            Ok(Response::WriteSingleCoil(0, true))
        );
        assert!(!s.leds()[leds::FIRE]);
        assert_eq!(s.counters[0], 1);
    }
}
