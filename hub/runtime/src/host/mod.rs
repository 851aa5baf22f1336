//! What a driver's store holds, and the host side of every contract
//! interface, one file each: the core (`types`, `host`), then one per
//! capability. Each request function records the request, in the hub's wire
//! terms, for the device whose call is running; each accessor reads the
//! input lent to that call.

mod core;
mod crypto;
mod http_client;
mod http_listener;
mod http_stream;
mod modbus;
mod rtp;
mod rtsp;
mod sockets;
mod stderr;

use std::collections::HashMap;
use std::sync::Arc;

use twinwall_base::wire;
use wasmtime::component::{Resource, ResourceTable};
use wasmtime::{StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

pub(crate) use crate::model::LentInput as InputSlot;

/// Most requests one call may make: far more than any device needs, few
/// enough that a guest looping on a request function is stopped before the
/// hub's memory notices.
pub const MAX_REQUESTS_PER_CALL: usize = 10_000;

/// The call in progress: which device it serves and what it asked for.
pub(crate) struct CallContext {
    /// The device served (crypto picks its keys, the log names it).
    pub device: Arc<str>,
    /// Whether requests are taken (`start`, `handle`, `command`; not `open`).
    pub may_request: bool,
    /// What the call asked for, in order.
    pub requests: Vec<wire::Request>,
}

/// State of one driver instance's store.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limits: Metered,
    driver: Arc<str>,
    /// The call in progress, if it serves a device.
    pub(crate) call: Option<CallContext>,
    /// Keys per device, by name. Never handed to the guest.
    pub(crate) keys: HashMap<String, HashMap<String, Vec<u8>>>,
}

impl HostState {
    pub(crate) fn new(driver: Arc<str>, memory_bytes: usize) -> Self {
        let wasi = WasiCtx::builder()
            .stderr(stderr::StderrToLog::new(driver.clone()))
            .build();
        let limits = StoreLimitsBuilder::new()
            .memory_size(memory_bytes)
            .instances(4)
            .tables(8)
            .memories(2)
            .trap_on_grow_failure(true)
            .build();
        HostState {
            wasi,
            table: ResourceTable::new(),
            limits: Metered { limits, peak: 0 },
            driver,
            call: None,
            keys: HashMap::new(),
        }
    }

    /// Record a request of the running device call; `what` names the
    /// function, for the trap when there is none.
    fn request(&mut self, what: &'static str, r: wire::Request) -> wasmtime::Result<()> {
        match &mut self.call {
            Some(c) if c.may_request => {
                if c.requests.len() >= MAX_REQUESTS_PER_CALL {
                    return Err(wasmtime::format_err!(
                        "`{what}`: more than {MAX_REQUESTS_PER_CALL} requests in one call of device `{}`",
                        c.device
                    ));
                }
                c.requests.push(r);
                Ok(())
            }
            Some(c) => Err(wasmtime::format_err!(
                "`{what}` called from `open` of device `{}`: requests belong in `start`, `handle` or `command`",
                c.device
            )),
            None => Err(wasmtime::format_err!(
                "`{what}` called outside a device call (from `describe` or `route`)"
            )),
        }
    }

    /// The payload of the input lent to the running call, handed over when
    /// `is` says it is the accessor's kind (a second read gets none).
    fn take(
        &mut self,
        input: &Resource<InputSlot>,
        is: impl FnOnce(&wire::Input) -> bool,
    ) -> wasmtime::Result<Option<wire::Input>> {
        let slot = self.table.get_mut(input)?;
        Ok(if slot.input.as_ref().is_some_and(is) {
            slot.input.take()
        } else {
            None
        })
    }

    /// Lend `input` to the guest for one call.
    pub(crate) fn lend(&mut self, input: wire::Input) -> wasmtime::Result<Resource<InputSlot>> {
        let kind = self::core::kind(&input);
        Ok(self.table.push(InputSlot {
            kind,
            input: Some(input),
        })?)
    }

    /// Take back a lent input.
    pub(crate) fn take_back(&mut self, input: Resource<InputSlot>) {
        let _ = self.table.delete(input);
    }

    fn device(&self) -> Option<&str> {
        self.call.as_ref().map(|c| &*c.device)
    }
}

/// The store's limits, remembering the largest linear memory granted
/// (the conformance kit's memory check reads it).
pub(crate) struct Metered {
    limits: StoreLimits,
    pub(crate) peak: usize,
}

impl wasmtime::ResourceLimiter for Metered {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let ok = self.limits.memory_growing(current, desired, maximum)?;
        if ok {
            self.peak = self.peak.max(desired);
        }
        Ok(ok)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// At most `max` bytes of `s`, cut at a character boundary.
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
