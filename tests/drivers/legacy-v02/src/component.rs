//! The component: raw 0.2.0 bindings and the device.

wit_bindgen::generate!({
    path: "../../../plugin-sdk/wit/v0.2.0",
    world: "plugin",
});

use exports::twinwall::driver::driver::{Device, Guest, GuestDevice};
use twinwall::driver::crypto::{Cipher, encrypt};
use twinwall::driver::types::{
    Attr, CommandSpec, DeviceConfig, DriverError, DriverInfo, Event, Input, Level, Outcome,
    Request, Routing, Timer, Transport, Value,
};

struct Component;

struct Ticker {
    id: String,
}

fn tick() -> Request {
    Request::Timer(Timer {
        id: "tick".into(),
        after_ms: 50,
        repeat: false,
    })
}

impl Guest for Component {
    type Device = Ticker;

    fn describe() -> DriverInfo {
        DriverInfo {
            name: "legacy-v02-test-driver".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            families: vec!["test".into()],
            transports: vec![Transport::Timer, Transport::Crypto],
            commands: vec![CommandSpec {
                name: "tick".into(),
                description: "Encrypt and report once more".into(),
                args_schema: String::new(),
            }],
            settings: vec![],
            kinds: vec!["panic.pressed".into()],
        }
    }

    fn route(_port: String, _frame: Vec<u8>) -> Routing {
        Routing::Drop
    }
}

impl GuestDevice for Ticker {
    fn open(config: DeviceConfig) -> Result<Device, DriverError> {
        if !config.keys.iter().any(|k| k == "k") {
            return Err(DriverError {
                code: "bad-config".into(),
                message: format!("device `{}` needs a key `k`", config.id),
            });
        }
        Ok(Device::new(Ticker { id: config.id }))
    }

    fn start(&self) -> Vec<Request> {
        vec![tick()]
    }

    fn handle(&self, input: Input) -> Outcome {
        let mut events = Vec::new();
        if let Input::Timer(t) = input
            && t == "tick"
        {
            let (attr, level) = match encrypt("k", Cipher::AesCbc, &[0; 16], &[0; 16]) {
                Ok(c) => {
                    let hex: String = c.iter().map(|b| format!("{b:02x}")).collect();
                    (hex, Level::Red)
                }
                Err(e) => (e, Level::Yellow),
            };
            events.push(Event {
                kind: "panic.pressed".into(),
                level,
                phase: None,
                zone: None,
                device_time_ms: None,
                message: Some(format!("{} ticked", self.id)),
                attrs: vec![Attr {
                    key: "cipher".into(),
                    value: Value::Text(attr),
                }],
                media: vec![],
            });
        }
        Outcome {
            events,
            requests: vec![],
        }
    }

    fn command(&self, name: String, _args: String) -> Result<Vec<Request>, DriverError> {
        match name.as_str() {
            "tick" => Ok(vec![tick()]),
            _ => Err(DriverError {
                code: "unknown-command".into(),
                message: format!("unknown command `{name}`"),
            }),
        }
    }
}

export!(Component);
