//! The component: `twinwall:driver/driver` over the 1.1 bindings.

wit_bindgen::generate!({
    path: "wit",
    world: "plugin",
});

use exports::twinwall::driver::driver::{Device, Guest, GuestDevice};
use twinwall::driver::types::{
    DeviceConfig, DriverError, DriverInfo, Event, Input, Level, Routing, Timer,
};
use twinwall::driver::{host, notes};

struct Component;

impl Guest for Component {
    type Device = Next;

    fn describe() -> DriverInfo {
        DriverInfo {
            name: "contract-next-test-driver".into(),
            version: "0.1.0".into(),
            families: vec!["sensor".into()],
            commands: Vec::new(),
            settings: Vec::new(),
            kinds: vec!["sensor.heartbeat".into()],
        }
    }

    fn route(_port: String, _frame: Vec<u8>) -> Routing {
        Routing::Drop
    }
}

struct Next {
    id: String,
}

impl GuestDevice for Next {
    fn open(config: DeviceConfig) -> Result<Device, DriverError> {
        Ok(Device::new(Next { id: config.id }))
    }

    fn start(&self) {
        notes::post(&format!("{} started on contract 1.1", self.id));
        host::set_timer(&Timer {
            id: "beat".into(),
            after_ms: 1000,
            repeat: true,
        });
    }

    fn handle(&self, input: &Input) -> Vec<Event> {
        match input.timer() {
            Some(_) => vec![Event {
                kind: "sensor.heartbeat".into(),
                level: Level::Info,
                phase: None,
                zone: None,
                device_time_ms: None,
                message: None,
                attrs: Vec::new(),
                media: Vec::new(),
            }],
            None => Vec::new(),
        }
    }

    fn command(&self, name: String, _args: String) -> Result<(), DriverError> {
        Err(DriverError {
            code: "unknown-command".into(),
            message: format!("unknown command `{name}`"),
        })
    }
}

export!(Component);
