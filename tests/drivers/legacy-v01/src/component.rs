//! The component: raw 0.1.0 bindings and the device.

wit_bindgen::generate!({
    path: "../../../plugin-sdk/wit/v0.1.0",
    world: "plugin",
});

use std::cell::Cell;

use exports::twinwall::driver::driver::{Guest, GuestDevice};
use twinwall::driver::types::{
    DeviceConfig, DriverError, DriverInfo, Event, Input, Level, ModbusPoll, ModbusRead,
    ModbusTable, Outcome, Phase, Request, Transport,
};

struct Component;

struct Panel {
    fire: Cell<Option<bool>>,
}

impl Guest for Component {
    type Device = Panel;

    fn describe() -> DriverInfo {
        DriverInfo {
            name: "legacy-v01-test-driver".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            families: vec!["fire-panel".into()],
            transports: vec![Transport::ModbusTcp, Transport::Timer],
            commands: vec![],
            settings: vec![],
        }
    }
}

impl GuestDevice for Panel {
    fn open(
        _config: DeviceConfig,
    ) -> Result<exports::twinwall::driver::driver::Device, DriverError> {
        Ok(exports::twinwall::driver::driver::Device::new(Panel {
            fire: Cell::new(None),
        }))
    }

    fn start(&self) -> Vec<Request> {
        vec![Request::ModbusPoll(ModbusPoll {
            id: "leds".into(),
            read: ModbusRead {
                table: ModbusTable::DiscreteInputs,
                address: 0,
                count: 8,
            },
            every_ms: 200,
        })]
    }

    fn handle(&self, input: Input) -> Outcome {
        let mut events = Vec::new();
        if let Input::ModbusResponse(r) = input {
            let fire = r.values.first() == Some(&1);
            if self.fire.replace(Some(fire)) != Some(fire) {
                events.push(Event {
                    kind: "fire.summary".into(),
                    level: if fire { Level::Red } else { Level::Info },
                    phase: Some(if fire { Phase::Begin } else { Phase::End }),
                    zone: None,
                    device_time_ms: None,
                    message: Some(format!("fire LED {}", if fire { "on" } else { "off" })),
                    attrs: vec![],
                    media: vec![],
                });
            }
        }
        Outcome {
            events,
            requests: vec![],
        }
    }

    fn command(&self, name: String, _args: String) -> Result<Vec<Request>, DriverError> {
        Err(DriverError {
            code: "unknown-command".into(),
            message: format!("unknown command `{name}`"),
        })
    }
}

export!(Component);
