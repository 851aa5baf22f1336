//! `twinwall:driver/modbus`: polls, reads and writes to the device's
//! address; answers and exceptions.

use twinwall_base::wire;
use wasmtime::component::Resource;

use super::{HostState, InputSlot};
use crate::bindings::twinwall::driver::modbus::{self as w, Host};

fn table(t: w::ModbusTable) -> wire::Table {
    match t {
        w::ModbusTable::Coils => wire::Table::Coils,
        w::ModbusTable::DiscreteInputs => wire::Table::DiscreteInputs,
        w::ModbusTable::HoldingRegisters => wire::Table::HoldingRegisters,
        w::ModbusTable::InputRegisters => wire::Table::InputRegisters,
    }
}

fn table_out(t: wire::Table) -> w::ModbusTable {
    match t {
        wire::Table::Coils => w::ModbusTable::Coils,
        wire::Table::DiscreteInputs => w::ModbusTable::DiscreteInputs,
        wire::Table::HoldingRegisters => w::ModbusTable::HoldingRegisters,
        wire::Table::InputRegisters => w::ModbusTable::InputRegisters,
    }
}

fn read(r: w::ModbusRead) -> wire::ModbusRead {
    wire::ModbusRead {
        table: table(r.table),
        address: r.address,
        count: r.count,
    }
}

impl Host for HostState {
    fn poll(&mut self, p: w::ModbusPoll) -> wasmtime::Result<()> {
        let r = wire::Request::ModbusPoll {
            id: p.id,
            read: read(p.read),
            every_ms: p.every_ms,
        };
        self.request("modbus.poll", r)
    }

    fn fetch(&mut self, f: w::ModbusFetch) -> wasmtime::Result<()> {
        let r = wire::Request::ModbusRead {
            id: f.id,
            read: read(f.read),
        };
        self.request("modbus.fetch", r)
    }

    fn write(&mut self, m: w::ModbusWrite) -> wasmtime::Result<()> {
        let r = wire::Request::ModbusWrite {
            id: m.id,
            table: table(m.table),
            address: m.address,
            values: m.values,
        };
        self.request("modbus.write", r)
    }

    fn response(
        &mut self,
        input: Resource<InputSlot>,
    ) -> wasmtime::Result<Option<w::ModbusResponse>> {
        let is = |i: &wire::Input| matches!(i, wire::Input::ModbusResponse { .. });
        Ok(match self.take(&input, is)? {
            Some(wire::Input::ModbusResponse {
                id,
                table,
                address,
                values,
            }) => Some(w::ModbusResponse {
                id,
                table: table_out(table),
                address,
                values,
            }),
            _ => None,
        })
    }

    fn exception(
        &mut self,
        input: Resource<InputSlot>,
    ) -> wasmtime::Result<Option<w::ModbusException>> {
        let is = |i: &wire::Input| matches!(i, wire::Input::ModbusException { .. });
        Ok(match self.take(&input, is)? {
            Some(wire::Input::ModbusException { id, code }) => {
                Some(w::ModbusException { id, code })
            }
            _ => None,
        })
    }
}
