//! An event as it travels in a campus stream (the API's JSON shape, with
//! `site` and `seq`), read back into the hub's own type so the centre's
//! views are the hub's views.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::bus::{AttrValue, Event, Level, MediaRef, NewEvent, Phase};

/// Why a message is not an event.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("not a Twinwall event: {0}")]
pub struct NotAnEvent(String);

fn time(v: &Value, key: &str) -> Result<Option<i64>, NotAnEvent> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => humantime::parse_rfc3339_weak(s)
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| Some(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)))
            .ok_or_else(|| NotAnEvent(format!("`{key}` = `{s}` is no RFC 3339 time"))),
        Some(other) => Err(NotAnEvent(format!("`{key}` = {other} is no time"))),
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn attr(v: &Value) -> Option<AttrValue> {
    Some(match v {
        Value::String(s) => AttrValue::Text(s.clone()),
        Value::Bool(b) => AttrValue::Flag(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => AttrValue::Int(i),
            None => AttrValue::Float(n.as_f64()?),
        },
        _ => return None,
    })
}

/// The event in `payload`.
pub fn event(payload: &[u8]) -> Result<Event, NotAnEvent> {
    let v: Value =
        serde_json::from_slice(payload).map_err(|e| NotAnEvent(format!("not JSON: {e}")))?;
    let seq = v["seq"]
        .as_u64()
        .ok_or_else(|| NotAnEvent("no `seq`".into()))?;
    let site = text(&v, "site").ok_or_else(|| NotAnEvent("no `site`".into()))?;
    let kind = text(&v, "kind").ok_or_else(|| NotAnEvent("no `kind`".into()))?;
    let level: Level = serde_json::from_value(v["level"].clone())
        .map_err(|_| NotAnEvent(format!("`level` = {} is no level", v["level"])))?;
    let phase: Option<Phase> = serde_json::from_value(v["phase"].clone()).unwrap_or(None);
    let media: Vec<MediaRef> = serde_json::from_value(v["media"].clone()).unwrap_or_default();
    let attrs: BTreeMap<String, AttrValue> = v["attrs"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), attr(v)?)))
                .collect()
        })
        .unwrap_or_default();
    Ok(Event {
        seq,
        time_ms: time(&v, "time")?.ok_or_else(|| NotAnEvent("no `time`".into()))?,
        site,
        body: NewEvent {
            device_time_ms: time(&v, "device_time")?,
            zone: text(&v, "zone").unwrap_or_default(),
            device: text(&v, "device"),
            kind,
            level,
            phase,
            message: text(&v, "message"),
            attrs,
            media,
            actor: text(&v, "actor"),
            correlation: text(&v, "correlation"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_reads_back_as_it_was_written() {
        let mut body = NewEvent::new("fire.alarm", "campus/chem/f3")
            .device("fp-1")
            .level(Level::Red)
            .attr("point", 7i64)
            .attr("name", "3楼东")
            .attr("test", false)
            .message("火警");
        body.phase = Some(Phase::Begin);
        body.attrs.insert("ratio".into(), AttrValue::Float(0.5));
        body.device_time_ms = Some(1_764_000_000_000);
        body.media.push(MediaRef {
            role: "snapshot".into(),
            hash: "ab".repeat(32),
            content_type: "image/jpeg".into(),
        });
        let e = Event {
            seq: 42,
            time_ms: 1_764_000_000_123,
            site: "main".into(),
            body,
        };
        let back = event(e.to_json().to_string().as_bytes()).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn what_is_not_an_event_says_why() {
        assert!(event(b"{").unwrap_err().0.contains("not JSON"));
        let no_seq = br#"{"site":"s","kind":"k","level":"red","time":"2026-01-01T00:00:00Z"}"#;
        assert_eq!(event(no_seq).unwrap_err().0, "no `seq`");
        let bad_time = br#"{"seq":1,"site":"s","kind":"k","level":"red","time":"yesterday"}"#;
        assert!(event(bad_time).unwrap_err().0.contains("yesterday"));
    }
}
