//! Reading what a gate says: the `AccessControllerEvent` JSON (pushed, or on
//! the alert stream) into a typed record, and the `httpHosts` document that
//! tells a gate where to push. Hostile input gets an error, never a panic.

use serde_json::Value;
use twinwall_plugin_sdk::time::parse_iso8601;

/// One access-control event as the gate reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// `eventType`: `AccessControllerEvent` or `heartBeat`.
    pub event_type: String,
    /// Device time, ms since the epoch (offset applied).
    pub time_ms: Option<i64>,
    /// `majorEventType`.
    pub major: u32,
    /// `subEventType`.
    pub minor: u32,
    /// `serialNo`.
    pub serial: Option<u64>,
    /// `employeeNoString`.
    pub person_id: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `userType`.
    pub user_type: Option<String>,
    /// `cardReaderNo`.
    pub reader: Option<u32>,
    /// `doorNo`.
    pub door: Option<u32>,
    /// `currTemperature`, °C.
    pub temperature: Option<f64>,
    /// `isAbnomalTemperature` (sic).
    pub abnormal_temperature: bool,
    /// `mask`.
    pub mask: Option<String>,
    /// `picturesNumber`.
    pub pictures: u32,
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.chars().take(128).collect()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Read one event document.
pub fn record(json: &[u8]) -> Result<Record, String> {
    let v: Value = serde_json::from_slice(json).map_err(|e| format!("event is not JSON: {e}"))?;
    let event_type = text(&v, "eventType").ok_or("event has no `eventType`")?;
    let time_ms = v
        .get("dateTime")
        .and_then(Value::as_str)
        .and_then(parse_iso8601);
    if event_type != "AccessControllerEvent" {
        return Ok(Record {
            event_type,
            time_ms,
            major: 0,
            minor: 0,
            serial: None,
            person_id: None,
            name: None,
            user_type: None,
            reader: None,
            door: None,
            temperature: None,
            abnormal_temperature: false,
            mask: None,
            pictures: 0,
        });
    }
    let b = v
        .get("AccessControllerEvent")
        .filter(|b| b.is_object())
        .ok_or("`AccessControllerEvent` body is missing")?;
    let small = |k: &str| number(b, k).and_then(|n| u32::try_from(n).ok());
    Ok(Record {
        event_type,
        time_ms,
        major: small("majorEventType").ok_or("`majorEventType` is missing")?,
        minor: small("subEventType").ok_or("`subEventType` is missing")?,
        serial: number(b, "serialNo"),
        person_id: text(b, "employeeNoString"),
        name: text(b, "name"),
        user_type: text(b, "userType"),
        reader: small("cardReaderNo"),
        door: small("doorNo"),
        temperature: b
            .get("currTemperature")
            .and_then(Value::as_f64)
            .filter(|t| t.is_finite()),
        abnormal_temperature: b
            .get("isAbnomalTemperature")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        mask: text(b, "mask"),
        pictures: small("picturesNumber").unwrap_or(0).min(8),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn record_never_panics(b in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = record(&b);
        }

        #[test]
        fn record_survives_mutated_events(cut in 0usize..400, flip in 0usize..400, byte in any::<u8>()) {
            let mut doc = br#"{"dateTime":"2026-11-29T18:23:22+08:00","eventType":"AccessControllerEvent","AccessControllerEvent":{"majorEventType":5,"subEventType":75,"serialNo":9,"employeeNoString":"T1003","cardReaderNo":1,"doorNo":1,"currTemperature":36.5}}"#.to_vec();
            if flip < doc.len() { doc[flip] = byte; }
            doc.truncate(cut.max(1));
            let _ = record(&doc);
        }
    }
}
