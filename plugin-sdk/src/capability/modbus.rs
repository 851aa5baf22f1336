//! `twinwall:driver/modbus`: polls, reads and writes; answers and exceptions.

use super::HostInput;
use crate::wit::twinwall::driver::modbus as wit;
use crate::{Input, RequestKind};

pub(crate) fn submit(kind: RequestKind) {
    super::enable("modbus", read);
    match kind {
        RequestKind::ModbusPoll(p) => wit::poll(&p),
        RequestKind::ModbusRead(f) => wit::fetch(&f),
        RequestKind::ModbusWrite(w) => wit::write(&w),
        other => super::misrouted(other),
    }
}

fn read(kind: &str, input: &HostInput) -> Option<Input> {
    match kind {
        "modbus.response" => wit::response(input).map(Input::ModbusResponse),
        "modbus.exception" => wit::exception(input).map(Input::ModbusException),
        _ => None,
    }
}
