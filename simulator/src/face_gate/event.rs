//! What a face gate reports: Hikvision-style `AccessControllerEvent` JSON
//! (major type 5 = event; minor types from the HCNetSDK access-control
//! guide) and the face picture taken at the gate.

use serde_json::{Value, json};

use super::people::{Category, Person};

/// Minor event types (major 5) the simulated gate reports.
pub mod minor {
    /// 0x06 未分配权限: the person is known but has no right to this door.
    pub const NO_RIGHT: u16 = 0x06;
    /// 0x13 / 0x14: door held open by command (always open) begins / ends.
    pub const ALWAYS_OPEN_BEGIN: u16 = 0x13;
    /// Always open ends.
    pub const ALWAYS_OPEN_END: u16 = 0x14;
    /// 0x15 lock open.
    pub const LOCK_OPEN: u16 = 0x15;
    /// 0x16 lock close.
    pub const LOCK_CLOSE: u16 = 0x16;
    /// 0x19 door opened normally.
    pub const DOOR_OPEN_NORMAL: u16 = 0x19;
    /// 0x1a door closed normally.
    pub const DOOR_CLOSE_NORMAL: u16 = 0x1a;
    /// 0x1b door opened abnormally (forced).
    pub const DOOR_OPEN_ABNORMAL: u16 = 0x1b;
    /// 0x1c door open too long (held open).
    pub const DOOR_OPEN_TIMEOUT: u16 = 0x1c;
    /// 0x1f / 0x20: always closed begins / ends.
    pub const ALWAYS_CLOSE_BEGIN: u16 = 0x1f;
    /// Always closed ends.
    pub const ALWAYS_CLOSE_END: u16 = 0x20;
    /// 0x4b face verify pass.
    pub const FACE_PASS: u16 = 0x4b;
    /// 0x4c face verify fail (abnormal temperature reports this, flagged).
    pub const FACE_FAIL: u16 = 0x4c;
    /// 0x50 face recognise fail: nobody known.
    pub const FACE_UNKNOWN: u16 = 0x50;
}

/// One event as the gate holds it until someone has it.
#[derive(Debug, Clone)]
pub struct AccessEvent {
    /// Serial number, increasing per gate.
    pub serial: u64,
    /// Minor type.
    pub minor: u16,
    /// When, ms since the epoch.
    pub time_ms: i64,
    /// Door.
    pub door: u8,
    /// Reader: 1 entry side, 2 exit side.
    pub reader: u8,
    /// Who, when known.
    pub person: Option<Person>,
    /// Measured temperature, °C.
    pub temperature: Option<f32>,
    /// Above the threshold.
    pub abnormal_temperature: bool,
    /// Face picture.
    pub picture: Option<Vec<u8>>,
}

/// The envelope and body a gate pushes, as JSON.
pub fn json(e: &AccessEvent, gate: &str, ip: &str) -> Value {
    let mut body = json!({
        "deviceName": gate,
        "majorEventType": 5,
        "subEventType": e.minor,
        "cardReaderNo": e.reader,
        "doorNo": e.door,
        "serialNo": e.serial,
        "currentVerifyMode": "face",
        "attendanceStatus": "undefined",
        "mask": "no",
        "picturesNumber": u8::from(e.picture.is_some()),
    });
    if let Some(p) = &e.person {
        body["name"] = json!(p.name);
        body["employeeNoString"] = json!(p.id);
        body["userType"] = json!(if p.category == Category::Visitor {
            "visitor"
        } else {
            "normal"
        });
    }
    if let Some(t) = e.temperature {
        body["currTemperature"] = json!((f64::from(t) * 10.0).round() / 10.0);
        body["thermometryUnit"] = json!("celsius");
        // The field is spelled this way by the devices.
        body["isAbnomalTemperature"] = json!(e.abnormal_temperature);
    }
    json!({
        "ipAddress": ip,
        "portNo": 80,
        "protocol": "HTTP",
        "macAddress": "44:19:b6:00:00:01",
        "channelID": 1,
        "dateTime": crate::isapi::local_time(e.time_ms),
        "activePostCount": 1,
        "eventType": "AccessControllerEvent",
        "eventState": "active",
        "eventDescription": "Access Controller Event",
        "AccessControllerEvent": body,
    })
}

/// The heartbeat a gate sends on its alert stream.
pub fn heartbeat(ip: &str, time_ms: i64) -> Value {
    json!({
        "ipAddress": ip,
        "dateTime": crate::isapi::local_time(time_ms),
        "activePostCount": 0,
        "eventType": "heartBeat",
        "eventState": "active",
        "eventDescription": "heartBeat",
    })
}

/// A face picture: a small JPEG whose colours depend on the person, so
/// different people give different pictures (and the same person the same).
pub fn picture(seed: &str, pad_to: usize) -> Vec<u8> {
    let h = seed.bytes().fold(2_166_136_261u32, |a, b| {
        (a ^ u32::from(b)).wrapping_mul(16_777_619)
    });
    let (w, hgt) = (48u16, 64u16);
    let mut rgb = Vec::with_capacity(usize::from(w) * usize::from(hgt) * 3);
    for y in 0..hgt {
        for x in 0..w {
            let dx = i32::from(x) - 24;
            let dy = i32::from(y) - 28;
            let face = dx * dx * 4 + dy * dy * 3 < 1600;
            let (r, g, b) = if face {
                (220, 180 + (h % 40) as u8, 150)
            } else {
                ((h >> 8) as u8, (h >> 16) as u8, (h >> 24) as u8)
            };
            rgb.extend_from_slice(&[r, g, b]);
        }
    }
    let mut out = Vec::new();
    let enc = jpeg_encoder::Encoder::new(&mut out, 80);
    if enc
        .encode(&rgb, w, hgt, jpeg_encoder::ColorType::Rgb)
        .is_err()
    {
        return vec![0xff, 0xd8, 0xff, 0xd9];
    }
    // A picture padded past the hub's limit, for the oversized-part fault.
    if out.len() < pad_to {
        out.truncate(out.len() - 2);
        out.resize(pad_to - 2, 0);
        out.extend_from_slice(&[0xff, 0xd9]);
    }
    out
}
