//! A native test harness: feed recorded inputs to a driver and assert what it
//! emits, without a hub, a device or wasm.
//!
//! ```
//! # use twinwall_plugin_sdk::prelude::*;
//! # struct Echo;
//! # impl Driver for Echo {
//! #   fn describe() -> DriverInfo { DriverInfo::new("echo", "0") }
//! #   fn open(_: DeviceConfig) -> Result<Self, DriverError> { Ok(Echo) }
//! #   fn handle(&mut self, _: Input) -> Outcome {
//! #     let mut o = Outcome::default(); o.push(Event::new("device.heartbeat").attr("t", now_ms())); o }
//! # }
//! let mut h = Harness::<Echo>::open(DeviceConfig::new("d1")).unwrap();
//! h.set_now_ms(42);
//! let out = h.feed(Input::Timer("tick".into()));
//! assert_eq!(out.events[0].get("t"), Some(&Value::Int(42)));
//! ```

use std::cell::RefCell;

use crate::{
    DeviceConfig, Driver, DriverError, Event, Header, HttpPush, Input, LogLevel, ModbusException,
    ModbusRead, ModbusTable, Outcome, Request, RequestKind,
};

thread_local! {
    static KEYS: RefCell<Vec<(String, Vec<u8>)>> = const { RefCell::new(Vec::new()) };
    static NOW_MS: RefCell<i64> = const { RefCell::new(0) };
    static LOGS: RefCell<Vec<(LogLevel, String)>> = const { RefCell::new(Vec::new()) };
}

#[cfg_attr(target_arch = "wasm32", allow(dead_code, reason = "native stand-in"))]
pub(crate) fn harness_key(name: &str) -> Option<Vec<u8>> {
    KEYS.with(|k| {
        k.borrow()
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    })
}

#[cfg_attr(target_arch = "wasm32", allow(dead_code, reason = "native stand-in"))]
pub(crate) fn harness_now() -> i64 {
    NOW_MS.with(|n| *n.borrow())
}

#[cfg_attr(target_arch = "wasm32", allow(dead_code, reason = "native stand-in"))]
pub(crate) fn record_log(level: LogLevel, message: &str) {
    LOGS.with(|l| l.borrow_mut().push((level, message.to_owned())));
}

/// One device of driver `D`, driven by hand.
pub struct Harness<D: Driver> {
    device: D,
}

impl<D: Driver> Harness<D> {
    /// Open a device as the hub would.
    pub fn open(config: DeviceConfig) -> Result<Self, DriverError> {
        D::open(config).map(|device| Harness { device })
    }

    /// The initial requests.
    pub fn start(&mut self) -> Vec<Request> {
        self.device.start()
    }

    /// Deliver one input.
    pub fn feed(&mut self, input: Input) -> Outcome {
        self.device.handle(input)
    }

    /// Deliver several inputs and collect every event, in order.
    pub fn feed_all(&mut self, inputs: impl IntoIterator<Item = Input>) -> Vec<Event> {
        inputs
            .into_iter()
            .flat_map(|i| self.feed(i).events)
            .collect()
    }

    /// Run a command.
    pub fn command(&mut self, name: &str, args: &str) -> Result<Vec<Request>, DriverError> {
        self.device.command(name, args)
    }

    /// Give the device a key the driver can name in [`crate::crypto`] calls,
    /// as the hub would hold it (this thread).
    pub fn set_key(&mut self, name: &str, key: &[u8]) {
        KEYS.with(|k| {
            let mut k = k.borrow_mut();
            k.retain(|(n, _)| n != name);
            k.push((name.to_owned(), key.to_vec()));
        });
    }

    /// What `now_ms()` returns to the driver from here on (this thread).
    pub fn set_now_ms(&mut self, ms: i64) {
        NOW_MS.with(|n| *n.borrow_mut() = ms);
    }

    /// Take the log lines the driver wrote (this thread).
    pub fn take_logs(&mut self) -> Vec<(LogLevel, String)> {
        LOGS.with(|l| std::mem::take(&mut *l.borrow_mut()))
    }

    /// The driver state, for assertions.
    pub fn device(&self) -> &D {
        &self.device
    }
}

/// A device's push as the hub hands it over: `POST /events` on the listener
/// `events`, from a device on the campus network, with `content_type`.
pub fn http_push(push: u64, content_type: &str, body: Vec<u8>) -> Input {
    Input::HttpPush(HttpPush {
        push,
        listen: "events".into(),
        method: "POST".into(),
        path: "/events".into(),
        query: String::new(),
        headers: vec![Header::new("Content-Type", content_type)],
        peer: "10.12.3.41:51234".into(),
        body,
    })
}

/// The status the driver answered a push with in `out`, if it answered.
pub fn reply_status(out: &Outcome) -> Option<u16> {
    out.requests.iter().find_map(|r| match r.kind() {
        RequestKind::HttpReply(r) => Some(r.status),
        _ => None,
    })
}

/// Why a recorded Modbus frame could not be replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadFrame(pub String);

impl std::fmt::Display for BadFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The input the hub hands a driver when a device answers the read `read`
/// of request `id` with `frame`: a Modbus TCP response as captured on the
/// wire (MBAP header and PDU, e.g. from Wireshark's "copy as hex"), whitespace
/// and `#` comments allowed. Exceptions become [`Input::ModbusException`].
///
/// ```
/// # use twinwall_plugin_sdk::prelude::*;
/// # use twinwall_plugin_sdk::testing::modbus_frame;
/// let read = ModbusRead { table: ModbusTable::DiscreteInputs, address: 0, count: 4 };
/// // transaction 7, unit 1, FC 02, 1 byte: inputs 0 and 2 on
/// let input = modbus_frame("inputs", &read, "0007 0000 0004 01 02 01 05").unwrap();
/// assert_eq!(input, Input::registers("inputs", ModbusTable::DiscreteInputs, 0, &[1, 0, 1, 0]));
/// ```
pub fn modbus_frame(id: &str, read: &ModbusRead, frame: &str) -> Result<Input, BadFrame> {
    let hex: String = frame
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bad = |why: String| BadFrame(format!("Modbus frame for `{id}`: {why}"));
    if !hex.len().is_multiple_of(2) {
        return Err(bad("an odd number of hex digits".into()));
    }
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16))
        .collect::<Result<_, _>>()
        .map_err(|e| bad(format!("not hex: {e}")))?;
    if bytes.len() < 9 {
        return Err(bad(format!(
            "{} bytes, shorter than MBAP + function + one byte",
            bytes.len()
        )));
    }
    let declared = usize::from(u16::from_be_bytes([bytes[4], bytes[5]]));
    if declared != bytes.len() - 6 {
        return Err(bad(format!(
            "MBAP length says {declared}, the frame has {}",
            bytes.len() - 6
        )));
    }
    let (function, pdu) = (bytes[7], &bytes[8..]);
    if function & 0x80 != 0 {
        return Ok(Input::ModbusException(ModbusException {
            id: id.to_owned(),
            code: pdu[0],
        }));
    }
    let expected = match read.table {
        ModbusTable::Coils => 1,
        ModbusTable::DiscreteInputs => 2,
        ModbusTable::HoldingRegisters => 3,
        ModbusTable::InputRegisters => 4,
    };
    if function != expected {
        return Err(bad(format!(
            "function {function:02x}, but a read of {:?} answers {expected:02x}",
            read.table
        )));
    }
    let n = usize::from(pdu[0]);
    let data = pdu
        .get(1..1 + n)
        .ok_or_else(|| bad(format!("byte count {n} past the end")))?;
    let count = usize::from(read.count);
    let values: Vec<u16> = match read.table {
        ModbusTable::Coils | ModbusTable::DiscreteInputs => {
            if n * 8 < count {
                return Err(bad(format!("{n} byte(s) cannot hold {count} bits")));
            }
            (0..count)
                .map(|i| u16::from(data[i / 8] >> (i % 8) & 1))
                .collect()
        }
        ModbusTable::HoldingRegisters | ModbusTable::InputRegisters => {
            if n != 2 * count {
                return Err(bad(format!("{n} byte(s) for {count} register(s)")));
            }
            data.chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect()
        }
    };
    Ok(Input::registers(id, read.table, read.address, &values))
}
