//! One live instance of a driver, holding every device of that driver as a
//! resource. A trap poisons the instance; the supervisor builds a new one.

use std::collections::HashMap;
use std::sync::Arc;

use twinwall_base::wire;
use wasmtime::Store;
use wasmtime::component::{Resource, ResourceAny};

use crate::LoadedDriver;
use crate::bindings::Plugin;
use crate::host::{CallContext, HostState};
use crate::model::{self, DeviceConfig, DriverError, DriverInfo, Outcome, Routing};

/// Why a call did not return a value. `Trap` and `Poisoned` mean the instance
/// is gone; `Refused` is the driver saying no.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The guest trapped (panic, deadline, memory cap, a refused host call):
    /// the instance is poisoned.
    #[error("driver {driver} trapped in `{call}` for device `{device}`: {message}")]
    Trap {
        /// `name@version`.
        driver: String,
        /// Device id, or `-` for driver-level calls.
        device: String,
        /// Which export.
        call: &'static str,
        /// The trap, with wasm backtrace when available.
        message: String,
    },
    /// The instance trapped earlier and must be rebuilt.
    #[error("driver {0} instance is poisoned by an earlier trap")]
    Poisoned(String),
    /// Instantiation failed.
    #[error("driver {driver} could not be instantiated: {message}")]
    Instantiate {
        /// `name@version`.
        driver: String,
        /// Why.
        message: String,
    },
    /// The driver refused (bad config, unknown command, not allowed …).
    #[error("driver {driver} refused for device `{device}`: {error}")]
    Refused {
        /// `name@version`.
        driver: String,
        /// Device id.
        device: String,
        /// The driver's error.
        error: DriverError,
    },
    /// No such device is open in this instance.
    #[error("device `{0}` is not open in this driver instance")]
    UnknownDevice(String),
}

impl CallError {
    /// Whether the instance must be rebuilt.
    pub fn is_trap(&self) -> bool {
        matches!(self, CallError::Trap { .. } | CallError::Poisoned(_))
    }
}

/// Run a guest call. WASI's sync bindings (a guest writing its panic message to
/// stderr, say) block on the ambient tokio runtime, which tokio forbids on a
/// worker thread unless the worker has stepped out with `block_in_place`.
fn guest_call<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// Whom a call serves: the driver itself, a device (requests refused, as in
/// `open`), or a device that may ask for work.
#[derive(Clone)]
enum Serves {
    Driver,
    Opening(Arc<str>),
    Device(Arc<str>),
}

impl Serves {
    fn device(&self) -> &str {
        match self {
            Serves::Driver => "-",
            Serves::Opening(d) | Serves::Device(d) => d,
        }
    }
}

/// A driver instance and its open devices.
pub struct DriverInstance {
    driver: Arc<LoadedDriver>,
    store: Store<HostState>,
    plugin: Plugin,
    /// Each open device's resource, and its id as the calls' context holds it.
    devices: HashMap<String, (Arc<str>, ResourceAny)>,
    poisoned: bool,
}

impl DriverInstance {
    /// Instantiate `driver` in a fresh store.
    pub fn new(driver: Arc<LoadedDriver>) -> Result<Self, CallError> {
        let mut store = driver.runtime.new_store(&driver.name);
        store.set_epoch_deadline(driver.runtime.deadline_ticks());
        let plugin = guest_call(|| driver.pre.instantiate(&mut store)).map_err(|e| {
            CallError::Instantiate {
                driver: driver.label(),
                message: format!("{e:#}"),
            }
        })?;
        Ok(DriverInstance {
            driver,
            store,
            plugin,
            devices: HashMap::new(),
            poisoned: false,
        })
    }

    /// The driver this instance runs.
    pub fn driver(&self) -> &Arc<LoadedDriver> {
        &self.driver
    }

    /// Whether a trap has poisoned it.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// The largest linear memory the guest has been granted, bytes.
    pub fn memory_peak(&self) -> usize {
        self.store.data().limits.peak
    }

    fn trap(&mut self, call: &'static str, device: &str, e: wasmtime::Error) -> CallError {
        self.poisoned = true;
        let mut message = match e.downcast_ref::<wasmtime::Trap>() {
            Some(wasmtime::Trap::Interrupt) => format!(
                "call exceeded its deadline ({} ms)",
                self.driver.runtime.options.call_timeout.as_millis()
            ),
            Some(t) => t.to_string(),
            // The backtrace is a context layer of its own: name only the cause here.
            None => e.root_cause().to_string(),
        };
        if let Some(bt) = e.downcast_ref::<wasmtime::WasmBacktrace>() {
            message.push_str(&format!("\n{bt}"));
        }
        CallError::Trap {
            driver: self.driver.label(),
            device: device.to_owned(),
            call,
            message,
        }
    }

    fn resource(&self, device: &str) -> Result<(Arc<str>, ResourceAny), CallError> {
        self.devices
            .get(device)
            .cloned()
            .ok_or_else(|| CallError::UnknownDevice(device.to_owned()))
    }

    /// Enter the guest for one export: deadline, the call's context (its
    /// device, its requests), off-worker, trap → poisoned. Returns what the
    /// export returned and the requests the call made.
    fn call<R>(
        &mut self,
        call: &'static str,
        serves: Serves,
        f: impl FnOnce(&Plugin, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<(R, Vec<wire::Request>), CallError> {
        if self.poisoned {
            return Err(CallError::Poisoned(self.driver.label()));
        }
        let ticks = self.driver.runtime.deadline_ticks();
        self.store.set_epoch_deadline(ticks);
        self.store.data_mut().call = match &serves {
            Serves::Driver => None,
            Serves::Opening(d) | Serves::Device(d) => Some(CallContext {
                device: d.clone(),
                may_request: matches!(serves, Serves::Device(_)),
                requests: Vec::new(),
            }),
        };
        let (plugin, store) = (&self.plugin, &mut self.store);
        let result = guest_call(|| f(plugin, store));
        let requests = self
            .store
            .data_mut()
            .call
            .take()
            .map(|c| c.requests)
            .unwrap_or_default();
        match result {
            Ok(r) => Ok((r, requests)),
            Err(e) => Err(self.trap(call, serves.device(), e)),
        }
    }

    fn refused(&self, device: &str, error: DriverError) -> CallError {
        CallError::Refused {
            driver: self.driver.label(),
            device: device.to_owned(),
            error,
        }
    }

    /// `describe()`.
    pub fn describe(&mut self) -> Result<DriverInfo, CallError> {
        self.call("describe", Serves::Driver, |p, store| {
            p.twinwall_driver_driver().call_describe(store)
        })
        .map(|(i, _)| model::info(i))
    }

    /// `route(port, frame)`: which device a frame on a shared port belongs to.
    pub fn route(&mut self, port: &str, frame: &[u8]) -> Result<Routing, CallError> {
        self.call("route", Serves::Driver, |p, store| {
            p.twinwall_driver_driver().call_route(store, port, frame)
        })
        .map(|(r, _)| model::routing(r))
    }

    /// `device.open(config)` with the device's keys (held here, never passed
    /// in); the device is then known by `config.id`.
    pub fn open(
        &mut self,
        config: &DeviceConfig,
        keys: HashMap<String, Vec<u8>>,
    ) -> Result<(), CallError> {
        self.store.data_mut().keys.insert(config.id.clone(), keys);
        let wit_config = model::config(config);
        let id: Arc<str> = config.id.as_str().into();
        let (res, _) = self.call("open", Serves::Opening(id.clone()), |p, store| {
            p.twinwall_driver_driver()
                .device()
                .call_open(store, &wit_config)
        })?;
        let res = res.map_err(|e| self.refused(&config.id, model::error(e)))?;
        if let Some((_, old)) = self.devices.insert(config.id.clone(), (id, res)) {
            let _ = old.resource_drop(&mut self.store);
        }
        Ok(())
    }

    /// `device.start()`: the requests that bring the device to life.
    pub fn start(&mut self, device: &str) -> Result<Vec<wire::Request>, CallError> {
        let (id, res) = self.resource(device)?;
        self.call("start", Serves::Device(id), |p, store| {
            p.twinwall_driver_driver().device().call_start(store, res)
        })
        .map(|((), requests)| requests)
    }

    /// `device.handle(input)`: the input is lent to the guest for the call.
    pub fn handle(&mut self, device: &str, input: wire::Input) -> Result<Outcome, CallError> {
        let (id, res) = self.resource(device)?;
        let lent = self
            .store
            .data_mut()
            .lend(input)
            .map_err(|e| self.trap("handle", device, e))?;
        let borrowed = Resource::<model::LentInput>::new_borrow(lent.rep());
        let result = self.call("handle", Serves::Device(id), |p, store| {
            p.twinwall_driver_driver()
                .device()
                .call_handle(store, res, borrowed)
        });
        self.store.data_mut().take_back(lent);
        let (events, requests) = result?;
        Ok(Outcome {
            events: model::DriverEvents(events),
            requests,
        })
    }

    /// `device.command(name, args)`: the requests that carry it out.
    pub fn command(
        &mut self,
        device: &str,
        name: &str,
        args: &str,
    ) -> Result<Vec<wire::Request>, CallError> {
        let (id, res) = self.resource(device)?;
        let (result, requests) = self.call("command", Serves::Device(id), |p, store| {
            p.twinwall_driver_driver()
                .device()
                .call_command(store, res, name, args)
        })?;
        result.map_err(|e| self.refused(device, model::error(e)))?;
        Ok(requests)
    }

    /// Drop a device's resource.
    pub fn close(&mut self, device: &str) {
        self.store.data_mut().keys.remove(device);
        if let Some((_, res)) = self.devices.remove(device)
            && !self.poisoned
        {
            let _ = res.resource_drop(&mut self.store);
        }
    }
}
