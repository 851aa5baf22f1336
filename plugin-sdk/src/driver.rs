//! The one trait a driver author implements, and its adapter to the bindings.

use std::cell::RefCell;

use crate::wit::exports::twinwall::driver::driver::{Device as DeviceHandle, GuestDevice};
use crate::{DeviceConfig, DriverError, DriverInfo, Event, Input, Outcome, Request, Routing};

/// A device driver. The implementing type holds the state of one device; the
/// hub calls [`Driver::open`] once per configured device.
///
/// Calls are never concurrent for one device, and each is bounded in time by
/// the hub: do the work for one input and return. A panic or a trap costs the
/// driver its state (the hub rebuilds every device of the driver), never the hub.
///
/// Requests returned from `start`, `handle` and `command` are handed to the
/// hub in order when the call returns; those that answer the device (a push
/// reply, bytes on a socket) go out once the call's events are committed.
pub trait Driver: Sized + 'static {
    /// Name, version, families, commands, settings and the kinds it emits.
    /// What the driver needs from the hub is not said here: the hub reads it
    /// from the component's imports.
    fn describe() -> DriverInfo;

    /// Validate `config` and build the device's state. Refuse with
    /// [`DriverError::bad_config`] naming the setting at fault. No requests
    /// here: the hub may open a device only to check its config.
    fn open(config: DeviceConfig) -> Result<Self, DriverError>;

    /// Which device a frame on a shared port (`port`, as named in the hub's
    /// config) belongs to: [`Routing::Key`] with a key that a device listed in
    /// its `socket-listen` routes (an account number, say). Only drivers that
    /// share ports need this; the default drops the frame.
    fn route(port: &str, frame: &[u8]) -> Routing {
        let _ = (port, frame);
        Routing::Drop
    }

    /// The requests that bring the device to life: polls, listeners, streams, timers.
    fn start(&mut self) -> Vec<Request> {
        Vec::new()
    }

    /// React to one input: the events it means and any further requests.
    fn handle(&mut self, input: Input) -> Outcome;

    /// Carry out an operator's command (`args` is JSON, `{}` when none).
    fn command(&mut self, name: &str, args: &str) -> Result<Vec<Request>, DriverError> {
        let _ = args;
        Err(DriverError::unknown_command(name))
    }
}

/// Holds a [`Driver`] behind the `device` resource. Not for direct use.
#[doc(hidden)]
pub struct DeviceCell<D>(RefCell<D>);

fn submit(requests: Vec<Request>) {
    for r in requests {
        r.submit();
    }
}

impl<D: Driver> GuestDevice for DeviceCell<D> {
    fn open(config: DeviceConfig) -> Result<DeviceHandle, DriverError> {
        D::open(config).map(|d| DeviceHandle::new(DeviceCell(RefCell::new(d))))
    }

    fn start(&self) {
        let requests = self.0.borrow_mut().start();
        submit(requests);
    }

    fn handle(&self, input: &crate::capability::HostInput) -> Vec<Event> {
        let input = crate::capability::read(input);
        let outcome = self.0.borrow_mut().handle(input);
        submit(outcome.requests);
        outcome.events
    }

    fn command(&self, name: String, args: String) -> Result<(), DriverError> {
        let requests = self.0.borrow_mut().command(&name, &args)?;
        submit(requests);
        Ok(())
    }
}
