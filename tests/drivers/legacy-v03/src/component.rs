//! The component: raw 0.3.0 bindings and the device.

wit_bindgen::generate!({
    path: "../../../plugin-sdk/wit/v0.3.0",
    world: "plugin",
});

use exports::twinwall::driver::driver::{Device, Guest, GuestDevice};
use twinwall::driver::types::{
    Attr, DeviceConfig, DriverError, DriverInfo, Event, Input, Level, Outcome, Request, Routing,
    RtspProbe, SettingSpec, Transport, Value,
};

struct Component;

struct Watcher {
    uri: String,
}

fn attr(key: &str, value: Value) -> Attr {
    Attr {
        key: key.into(),
        value,
    }
}

impl Guest for Component {
    type Device = Watcher;

    fn describe() -> DriverInfo {
        DriverInfo {
            name: "legacy-v03-test-driver".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            families: vec!["camera".into()],
            transports: vec![Transport::Rtsp],
            commands: vec![],
            settings: vec![SettingSpec {
                key: "uri".into(),
                description: "the RTSP stream to probe".into(),
                required: true,
            }],
            kinds: vec!["camera.stream".into()],
        }
    }

    fn route(_port: String, _frame: Vec<u8>) -> Routing {
        Routing::Drop
    }
}

impl GuestDevice for Watcher {
    fn open(config: DeviceConfig) -> Result<Device, DriverError> {
        let uri = config
            .settings
            .iter()
            .find(|(k, _)| k == "uri")
            .map(|(_, v)| v.clone())
            .ok_or_else(|| DriverError {
                code: "bad-config".into(),
                message: format!("device `{}` needs a setting `uri`", config.id),
            })?;
        Ok(Device::new(Watcher { uri }))
    }

    fn start(&self) -> Vec<Request> {
        vec![Request::RtspProbe(RtspProbe {
            id: "stream".into(),
            uri: self.uri.clone(),
            every_ms: 1000,
        })]
    }

    fn handle(&self, input: Input) -> Outcome {
        let mut events = Vec::new();
        if let Input::RtspStatus(s) = input {
            let mut attrs = vec![attr("connected", Value::Flag(s.connected))];
            if let Some(f) = s.fps {
                attrs.push(attr("fps", Value::Float(f64::from(f))));
            }
            if let Some(c) = s.codec {
                attrs.push(attr("codec", Value::Text(c)));
            }
            if let Some(w) = s.width {
                attrs.push(attr("width", Value::Int(i64::from(w))));
            }
            if let Some(e) = s.error {
                attrs.push(attr("error", Value::Text(e)));
            }
            events.push(Event {
                kind: "camera.stream".into(),
                level: Level::Info,
                phase: None,
                zone: None,
                device_time_ms: None,
                message: None,
                attrs,
                media: vec![],
            });
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
