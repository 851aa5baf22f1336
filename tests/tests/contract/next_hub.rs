//! A hub of the test-only contract 1.1 (`drivers/contract-next/wit`: 1.0's
//! interfaces unchanged, `notes` added), bound with wasmtime's bindgen as
//! the real hub binds 1.0. Small on purpose: the core, Modbus and `notes`,
//! each call recorded, so a test sees what a driver asked for.

use wasmtime::component::{HasSelf, Linker, Resource, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({
    path: "drivers/contract-next/wit",
    world: "test-hub",
    with: { "twinwall:driver/types.input": Lent },
});

use exports::twinwall::driver::driver::DriverInfo;
use twinwall::driver::modbus::{
    ModbusException, ModbusFetch, ModbusPoll, ModbusResponse, ModbusTable, ModbusWrite,
};
use twinwall::driver::types::{DeviceConfig, Event, Failure, HostInput, Timer};

/// An input lent to the driver.
pub enum Lent {
    /// A timer fired.
    Timer(String),
    /// Discrete inputs read by poll `id` from address 0.
    Inputs(String, Vec<u16>),
}

/// The store's state: what the driver asked for, in order.
pub struct State {
    table: ResourceTable,
    wasi: WasiCtx,
    /// `poll inputs 0+5 every 500`, `timer beat 1000`, `note …`.
    pub calls: Vec<String>,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl HostInput for State {
    fn kind(&mut self, input: Resource<Lent>) -> String {
        match self.table.get(&input).unwrap() {
            Lent::Timer(_) => "timer".into(),
            Lent::Inputs(..) => "modbus.response".into(),
        }
    }

    fn timer(&mut self, input: Resource<Lent>) -> Option<String> {
        match self.table.get(&input).unwrap() {
            Lent::Timer(id) => Some(id.clone()),
            Lent::Inputs(..) => None,
        }
    }

    fn failure(&mut self, _: Resource<Lent>) -> Option<Failure> {
        None
    }

    fn drop(&mut self, _: Resource<Lent>) -> wasmtime::Result<()> {
        Ok(())
    }
}

impl twinwall::driver::types::Host for State {}

impl twinwall::driver::host::Host for State {
    fn log(&mut self, _: twinwall::driver::host::LogLevel, message: String) {
        self.calls.push(format!("log {message}"));
    }

    fn now_ms(&mut self) -> i64 {
        0
    }

    fn set_timer(&mut self, t: Timer) {
        self.calls.push(format!("timer {} {}", t.id, t.after_ms));
    }

    fn cancel(&mut self, id: String) {
        self.calls.push(format!("cancel {id}"));
    }
}

impl twinwall::driver::modbus::Host for State {
    fn poll(&mut self, p: ModbusPoll) {
        self.calls.push(format!(
            "poll {} {}+{} every {}",
            p.id, p.read.address, p.read.count, p.every_ms
        ));
    }

    fn fetch(&mut self, f: ModbusFetch) {
        self.calls.push(format!("fetch {}", f.id));
    }

    fn write(&mut self, w: ModbusWrite) {
        self.calls.push(format!("write {}", w.id));
    }

    fn response(&mut self, input: Resource<Lent>) -> Option<ModbusResponse> {
        match self.table.get(&input).unwrap() {
            Lent::Inputs(id, values) => Some(ModbusResponse {
                id: id.clone(),
                table: ModbusTable::DiscreteInputs,
                address: 0,
                values: values.clone(),
            }),
            Lent::Timer(_) => None,
        }
    }

    fn exception(&mut self, _: Resource<Lent>) -> Option<ModbusException> {
        None
    }
}

impl twinwall::driver::notes::Host for State {
    fn post(&mut self, text: String) {
        self.calls.push(format!("note {text}"));
    }
}

/// One driver instance in the 1.1 hub, with one device.
pub struct NextHub {
    store: Store<State>,
    hub: TestHub,
    device: Option<wasmtime::component::ResourceAny>,
}

impl NextHub {
    /// Load the component at `path`; fails as instantiation fails.
    pub fn load(path: &std::path::Path) -> wasmtime::Result<Self> {
        let engine = Engine::default();
        let component = wasmtime::component::Component::from_file(&engine, path)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        TestHub::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s)?;
        let state = State {
            table: ResourceTable::new(),
            wasi: WasiCtx::builder().build(),
            calls: Vec::new(),
        };
        let mut store = Store::new(&engine, state);
        let hub = TestHub::instantiate(&mut store, &component, &linker)?;
        Ok(NextHub {
            store,
            hub,
            device: None,
        })
    }

    /// `describe()`.
    pub fn describe(&mut self) -> wasmtime::Result<DriverInfo> {
        self.hub
            .twinwall_driver_driver()
            .call_describe(&mut self.store)
    }

    /// Open device `id` with `settings`, then start it.
    pub fn open_and_start(&mut self, id: &str, settings: &[(&str, &str)]) -> wasmtime::Result<()> {
        let config = DeviceConfig {
            id: id.into(),
            profile: None,
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            keys: Vec::new(),
        };
        let device = self
            .hub
            .twinwall_driver_driver()
            .device()
            .call_open(&mut self.store, &config)?
            .map_err(|e| wasmtime::format_err!("{}: {}", e.code, e.message))?;
        self.hub
            .twinwall_driver_driver()
            .device()
            .call_start(&mut self.store, device)?;
        self.device = Some(device);
        Ok(())
    }

    /// Lend `input` to the device's `handle`.
    pub fn handle(&mut self, input: Lent) -> wasmtime::Result<Vec<Event>> {
        let device = self.device.expect("open_and_start first");
        let lent = self.store.data_mut().table.push(input)?;
        let borrowed = Resource::<Lent>::new_borrow(lent.rep());
        let events = self.hub.twinwall_driver_driver().device().call_handle(
            &mut self.store,
            device,
            borrowed,
        )?;
        self.store.data_mut().table.delete(lent)?;
        Ok(events)
    }

    /// What the driver asked for so far.
    pub fn calls(&self) -> &[String] {
        &self.store.data().calls
    }
}
