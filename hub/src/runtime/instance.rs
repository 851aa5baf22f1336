//! One live instance of a driver, holding every device of that driver as a
//! resource. A trap poisons the instance; the supervisor builds a new one.

use std::collections::HashMap;
use std::sync::Arc;

use wasmtime::Store;
use wasmtime::component::ResourceAny;

use super::host::HostState;
use super::{LoadedDriver, Outcome, Pre, Routing, v0_1, v0_2, v0_3, v0_4, wit};
use crate::transport::types::Input;

/// Why a call did not return a value. `Trap` and `Poisoned` mean the instance
/// is gone; `Refused` is the driver saying no.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The guest trapped (panic, deadline, memory cap): the instance is poisoned.
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
    #[error("driver {driver} refused for device `{device}`: {}: {}", .error.code, .error.message)]
    Refused {
        /// `name@version`.
        driver: String,
        /// Device id.
        device: String,
        /// The driver's error.
        error: wit::DriverError,
    },
    /// No such device is open in this instance.
    #[error("device `{0}` is not open in this driver instance")]
    UnknownDevice(String),
}

/// One body for every contract version: `$v` names the version's module
/// (`request`, `input`, `event`, `info`, `config`, `error` translate each
/// version to and from the hub's terms), `$g` its instance.
macro_rules! by_version {
    ($plugin:expr, $g:ident, $v:ident => $body:expr) => {
        match $plugin {
            Plugin::V1($g) => {
                use v0_1 as $v;
                $body
            }
            Plugin::V2($g) => {
                use v0_2 as $v;
                $body
            }
            Plugin::V3($g) => {
                use v0_3 as $v;
                $body
            }
            Plugin::V4($g) => {
                use v0_4 as $v;
                $body
            }
        }
    };
}

/// The instance, by the contract version its component was built against.
enum Plugin {
    V1(v0_1::Plugin),
    V2(v0_2::Plugin),
    V3(v0_3::Plugin),
    V4(v0_4::Plugin),
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

/// A driver instance and its open devices.
pub struct DriverInstance {
    driver: Arc<LoadedDriver>,
    store: Store<HostState>,
    plugin: Plugin,
    devices: HashMap<String, ResourceAny>,
    poisoned: bool,
}

impl DriverInstance {
    /// Instantiate `driver` in a fresh store.
    pub fn new(driver: Arc<LoadedDriver>) -> Result<Self, CallError> {
        let mut store = driver.runtime.new_store(&driver.name);
        store.set_epoch_deadline(driver.runtime.deadline_ticks());
        let plugin = guest_call(|| match &driver.pre {
            Pre::V1(p) => p.instantiate(&mut store).map(Plugin::V1),
            Pre::V2(p) => p.instantiate(&mut store).map(Plugin::V2),
            Pre::V3(p) => p.instantiate(&mut store).map(Plugin::V3),
            Pre::V4(p) => p.instantiate(&mut store).map(Plugin::V4),
        })
        .map_err(|e| CallError::Instantiate {
            driver: driver.label(),
            message: format!("{e:#}"),
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

    fn resource(&self, device: &str) -> Result<ResourceAny, CallError> {
        self.devices
            .get(device)
            .copied()
            .ok_or_else(|| CallError::UnknownDevice(device.to_owned()))
    }

    /// Enter the guest for one export: deadline, device context, off-worker,
    /// trap → poisoned.
    fn call<R>(
        &mut self,
        call: &'static str,
        device: &str,
        f: impl FnOnce(&Plugin, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, CallError> {
        if self.poisoned {
            return Err(CallError::Poisoned(self.driver.label()));
        }
        let ticks = self.driver.runtime.deadline_ticks();
        self.store.set_epoch_deadline(ticks);
        self.store.data_mut().device = (device != "-").then(|| device.to_owned());
        let (plugin, store) = (&self.plugin, &mut self.store);
        guest_call(|| f(plugin, store)).map_err(|e| self.trap(call, device, e))
    }

    fn refused(&self, device: &str, error: wit::DriverError) -> CallError {
        CallError::Refused {
            driver: self.driver.label(),
            device: device.to_owned(),
            error,
        }
    }

    /// `describe()`, as the current contract says it, and the transports a
    /// 0.1 driver names that no hub serves.
    pub fn describe(&mut self) -> Result<(wit::DriverInfo, Vec<&'static str>), CallError> {
        self.call("describe", "-", |p, store| {
            by_version!(p, g, v => g.twinwall_driver_driver().call_describe(store).map(v::info))
        })
    }

    /// `route(port, frame)`: which device a frame on a shared port belongs to.
    /// 0.1 drivers never listen, so they never route.
    pub fn route(&mut self, port: &str, frame: &[u8]) -> Result<Routing, CallError> {
        self.call("route", "-", |p, store| match p {
            Plugin::V1(_) => Ok(Routing::Drop),
            Plugin::V2(g) => g
                .twinwall_driver_driver()
                .call_route(store, port, frame)
                .map(v0_2::routing),
            Plugin::V3(g) => g
                .twinwall_driver_driver()
                .call_route(store, port, frame)
                .map(v0_3::routing),
            Plugin::V4(g) => g
                .twinwall_driver_driver()
                .call_route(store, port, frame)
                .map(v0_4::routing),
        })
    }

    /// `device.open(config)` with the device's keys (held here, never passed
    /// in); the device is then known by `config.id`.
    pub fn open(
        &mut self,
        config: &wit::DeviceConfig,
        keys: HashMap<String, Vec<u8>>,
    ) -> Result<(), CallError> {
        self.store.data_mut().keys.insert(config.id.clone(), keys);
        let res = self
            .call("open", &config.id, |p, store| {
                by_version!(p, g, v => g
                    .twinwall_driver_driver()
                    .device()
                    .call_open(store, &v::config(config))
                    .map(|r| r.map_err(v::error)))
            })?
            .map_err(|error| self.refused(&config.id, error))?;
        if let Some(old) = self.devices.insert(config.id.clone(), res) {
            let _ = old.resource_drop(&mut self.store);
        }
        Ok(())
    }

    /// `device.start()`.
    pub fn start(
        &mut self,
        device: &str,
    ) -> Result<Vec<crate::transport::types::Request>, CallError> {
        let res = self.resource(device)?;
        self.call("start", device, |p, store| {
            by_version!(p, g, v => g
                .twinwall_driver_driver()
                .device()
                .call_start(store, res)
                .map(|r| r.into_iter().map(v::request).collect()))
        })
    }

    /// `device.handle(input)`; an input the driver's contract has no word
    /// for yields an empty outcome.
    pub fn handle(&mut self, device: &str, input: &Input) -> Result<Outcome, CallError> {
        let res = self.resource(device)?;
        self.call("handle", device, |p, store| {
            by_version!(p, g, v => {
                let Some(i) = v::input(input) else {
                    return Ok(Outcome::default());
                };
                let o = g
                    .twinwall_driver_driver()
                    .device()
                    .call_handle(store, res, &i)?;
                Ok(Outcome {
                    events: o.events.into_iter().map(v::event).collect(),
                    requests: o.requests.into_iter().map(v::request).collect(),
                })
            })
        })
    }

    /// `device.command(name, args)`.
    pub fn command(
        &mut self,
        device: &str,
        name: &str,
        args: &str,
    ) -> Result<Vec<crate::transport::types::Request>, CallError> {
        let res = self.resource(device)?;
        self.call("command", device, |p, store| {
            by_version!(p, g, v => g
                .twinwall_driver_driver()
                .device()
                .call_command(store, res, name, args)
                .map(|r| r.map(|x| x.into_iter().map(v::request).collect()).map_err(v::error)))
        })?
        .map_err(|error| self.refused(device, error))
    }

    /// Drop a device's resource.
    pub fn close(&mut self, device: &str) {
        self.store.data_mut().keys.remove(device);
        if let Some(res) = self.devices.remove(device)
            && !self.poisoned
        {
            let _ = res.resource_drop(&mut self.store);
        }
    }
}
