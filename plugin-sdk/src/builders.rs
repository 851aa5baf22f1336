//! Typed builders over the generated contract types, so drivers read as data.

use crate::{
    Attr, CommandSpec, DeviceConfig, DriverError, DriverInfo, Event, Input, Level, ModbusPoll,
    ModbusRead, ModbusResponse, ModbusTable, ModbusWrite, Outcome, Phase, Request, SettingSpec,
    Transport, Value,
};

impl Event {
    /// An `info` event of `kind` with no phase and no attributes.
    pub fn new(kind: &str) -> Self {
        Event {
            kind: kind.to_owned(),
            level: Level::Info,
            phase: None,
            zone: None,
            device_time_ms: None,
            message: None,
            attrs: Vec::new(),
        }
    }

    /// Set the level.
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// Mark a condition raised.
    pub fn begin(mut self) -> Self {
        self.phase = Some(Phase::Begin);
        self
    }

    /// Mark a condition restored.
    pub fn end(mut self) -> Self {
        self.phase = Some(Phase::End);
        self
    }

    /// `begin` when `active`, else `end`.
    pub fn phase_if(self, active: bool) -> Self {
        if active { self.begin() } else { self.end() }
    }

    /// Add an attribute.
    pub fn attr(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.attrs.push(Attr { key: key.to_owned(), value: value.into() });
        self
    }

    /// Set the human-readable line.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Override the zone (for a point wired to another zone than its device).
    pub fn zone(mut self, zone: impl Into<String>) -> Self {
        self.zone = Some(zone.into());
        self
    }

    /// Device time stamp, milliseconds since the Unix epoch.
    pub fn device_time_ms(mut self, ms: i64) -> Self {
        self.device_time_ms = Some(ms);
        self
    }

    /// The value of attribute `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.attrs.iter().find(|a| a.key == key).map(|a| &a.value)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<u16> for Value {
    fn from(v: u16) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Flag(v)
    }
}

impl Outcome {
    /// Add an event.
    pub fn push(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Add a request.
    pub fn request(&mut self, request: Request) {
        self.requests.push(request);
    }
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome { events: Vec::new(), requests: Vec::new() }
    }
}

impl Request {
    /// Poll `count` items of `table` from `address` every `every_ms`.
    pub fn poll(id: &str, table: ModbusTable, address: u16, count: u16, every_ms: u32) -> Self {
        Request::ModbusPoll(ModbusPoll {
            id: id.to_owned(),
            read: ModbusRead { table, address, count },
            every_ms,
        })
    }

    /// Write `values` to `table` from `address`.
    pub fn write(id: &str, table: ModbusTable, address: u16, values: &[u16]) -> Self {
        Request::ModbusWrite(ModbusWrite {
            id: id.to_owned(),
            table,
            address,
            values: values.to_vec(),
        })
    }

    /// Fire a timer input after `after_ms`, repeatedly if `repeat`.
    pub fn timer(id: &str, after_ms: u32, repeat: bool) -> Self {
        Request::Timer((id.to_owned(), after_ms, repeat))
    }
}

impl Input {
    /// A Modbus read answer, as the hub delivers it.
    pub fn registers(id: &str, table: ModbusTable, address: u16, values: &[u16]) -> Self {
        Input::ModbusResponse(ModbusResponse {
            id: id.to_owned(),
            table,
            address,
            values: values.to_vec(),
        })
    }
}

impl DriverInfo {
    /// A driver named `name` at `version`, with nothing declared yet.
    pub fn new(name: &str, version: &str) -> Self {
        DriverInfo {
            name: name.to_owned(),
            version: version.to_owned(),
            families: Vec::new(),
            transports: Vec::new(),
            commands: Vec::new(),
            settings: Vec::new(),
        }
    }

    /// Add a device family served.
    pub fn family(mut self, family: &str) -> Self {
        self.families.push(family.to_owned());
        self
    }

    /// Add a transport needed.
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transports.push(transport);
        self
    }

    /// Add an accepted command.
    pub fn command(mut self, name: &str, description: &str) -> Self {
        self.commands.push(CommandSpec {
            name: name.to_owned(),
            description: description.to_owned(),
            args_schema: String::new(),
        });
        self
    }

    /// Add a setting read from the device config.
    pub fn setting(mut self, key: &str, description: &str, required: bool) -> Self {
        self.settings.push(SettingSpec {
            key: key.to_owned(),
            description: description.to_owned(),
            required,
        });
        self
    }
}

impl DeviceConfig {
    /// A device `id` with no profile and no settings.
    pub fn new(id: &str) -> Self {
        DeviceConfig { id: id.to_owned(), profile: None, settings: Vec::new() }
    }

    /// Attach profile text.
    pub fn with_profile(mut self, profile: &str) -> Self {
        self.profile = Some(profile.to_owned());
        self
    }

    /// Add a setting.
    pub fn with_setting(mut self, key: &str, value: &str) -> Self {
        self.settings.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The value of setting `key`.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

impl DriverError {
    fn coded(code: &str, message: String) -> Self {
        DriverError { code: code.to_owned(), message }
    }

    /// The device config is wrong; say which key and why.
    pub fn bad_config(message: impl Into<String>) -> Self {
        Self::coded("bad-config", message.into())
    }

    /// The driver has no such command.
    pub fn unknown_command(name: &str) -> Self {
        Self::coded("unknown-command", format!("unknown command `{name}`"))
    }

    /// The command's arguments are wrong.
    pub fn bad_args(message: impl Into<String>) -> Self {
        Self::coded("bad-args", message.into())
    }

    /// The command is refused by this device's configuration.
    pub fn not_allowed(message: impl Into<String>) -> Self {
        Self::coded("not-allowed", message.into())
    }
}
