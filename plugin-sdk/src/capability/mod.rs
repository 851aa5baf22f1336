//! The capability interfaces, each in its own file: how its requests reach
//! the hub and how its inputs are read. A capability's file is linked into a
//! driver only when the driver builds one of its requests (the request
//! carries its capability's `submit`), so a component imports just the
//! interfaces it uses. Its inputs are read once it has: `submit` enables the
//! capability's reader for the instance, and every input of that capability
//! answers something the instance asked for.

use std::cell::RefCell;

use crate::{Input, RequestKind};

pub(crate) mod host;
pub(crate) mod http_client;
pub(crate) mod http_listener;
pub(crate) mod http_stream;
pub(crate) mod modbus;
pub(crate) mod rtp;
pub(crate) mod rtsp;
pub(crate) mod sockets;

/// The hub's input, lent for one `handle` call.
pub(crate) type HostInput = crate::wit::twinwall::driver::types::Input;

/// Reads an input of one capability, by kind.
type Reader = fn(&str, &HostInput) -> Option<Input>;

thread_local! {
    /// The capabilities this instance has used, by interface name.
    static READERS: RefCell<Vec<(&'static str, Reader)>> = const { RefCell::new(Vec::new()) };
}

/// The instance has used `interface`: its inputs are read with `reader`.
fn enable(interface: &'static str, reader: Reader) {
    READERS.with(|r| {
        let mut r = r.borrow_mut();
        if !r.iter().any(|(name, _)| *name == interface) {
            r.push((interface, reader));
        }
    });
}

/// The input the hub lent, as the driver reads it.
pub(crate) fn read(input: &HostInput) -> Input {
    let kind = input.kind();
    let known = match kind.as_str() {
        "timer" => input.timer().map(Input::Timer),
        "failed" => input.failure().map(Input::Failed),
        k => k.split_once('.').and_then(|(interface, _)| {
            let reader = READERS.with(|r| {
                r.borrow()
                    .iter()
                    .find(|(name, _)| *name == interface)
                    .map(|(_, reader)| *reader)
            });
            reader.and_then(|read| read(k, input))
        }),
    };
    known.unwrap_or(Input::Other(kind))
}

/// A request handed to the wrong capability: cannot happen, since each
/// request is built with its own (`Request`'s `From` impls).
fn misrouted(kind: RequestKind) -> ! {
    unreachable!("request {kind:?} handed to another capability")
}
