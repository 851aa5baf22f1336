//! Reading what an ANPR camera says: the `EventNotificationAlert` XML (a
//! plate read, or a barrier movement) into a typed record. Hostile input
//! gets an error, never a panic.

use twinwall_plugin_sdk::time::parse_iso8601;
use twinwall_plugin_sdk::xml::{self, Element};

/// One report.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// A plate read.
    Plate(PlateRead),
    /// The barrier moved.
    Barrier {
        /// `open`, `closed`, `held_open`, `fault`.
        state: String,
        /// Device time.
        time_ms: Option<i64>,
    },
    /// Anything else (heartbeats, other event types).
    Other(String),
}

/// A plate read.
#[derive(Debug, Clone, PartialEq)]
pub struct PlateRead {
    /// `serialNo`.
    pub serial: Option<u64>,
    /// Device time, ms (offset applied).
    pub time_ms: Option<i64>,
    /// `licensePlate`.
    pub plate: String,
    /// `plateColor`.
    pub color: Option<String>,
    /// `confidenceLevel`.
    pub confidence: Option<u32>,
    /// `line`.
    pub lane: Option<u32>,
    /// `direction`: `forward` or `reverse`.
    pub direction: Option<String>,
    /// `vehicleListName`.
    pub list: Option<String>,
    /// `vehicleType`.
    pub vehicle_type: Option<String>,
    /// `vehicleInfo/color`.
    pub vehicle_color: Option<String>,
    /// `vehicleInfo/speed`, km/h.
    pub speed: Option<u32>,
    /// `speedLimit`, km/h.
    pub limit: Option<u32>,
}

fn child<'a>(els: &'a [Element], parent: &str, name: &str) -> Option<&'a str> {
    els.iter()
        .find(|e| e.name == name && e.parent == parent)
        .map(|e| e.text.trim())
        .filter(|t| !t.is_empty())
}

/// Read one `EventNotificationAlert` document.
pub fn report(doc: &[u8]) -> Result<Report, String> {
    let els = xml::elements(doc)?;
    if els.first().map(|e| e.name.as_str()) != Some("EventNotificationAlert") {
        return Err("not an EventNotificationAlert".into());
    }
    let top = |n: &str| child(&els, "EventNotificationAlert", n);
    let event_type = top("eventType").ok_or("no eventType")?;
    let time_ms = top("dateTime").and_then(parse_iso8601);
    match event_type {
        "ANPR" => {
            let a = |n: &str| child(&els, "ANPR", n);
            let num = |v: Option<&str>| v.and_then(|x| x.parse::<u32>().ok());
            let plate = a("licensePlate").ok_or("ANPR without licensePlate")?;
            if plate.chars().count() > 16 {
                return Err(format!(
                    "plate `{}` is too long",
                    plate.chars().take(20).collect::<String>()
                ));
            }
            Ok(Report::Plate(PlateRead {
                serial: top("serialNo").and_then(|s| s.parse().ok()),
                time_ms,
                plate: plate.to_owned(),
                color: a("plateColor").map(str::to_owned),
                confidence: num(a("confidenceLevel")),
                lane: num(a("line")),
                direction: a("direction").map(str::to_owned),
                list: a("vehicleListName").map(str::to_owned),
                vehicle_type: a("vehicleType").map(str::to_owned),
                vehicle_color: child(&els, "vehicleInfo", "color").map(str::to_owned),
                speed: num(child(&els, "vehicleInfo", "speed")),
                limit: num(a("speedLimit")),
            }))
        }
        "BarrierGate" => Ok(Report::Barrier {
            state: child(&els, "BarrierGate", "state")
                .ok_or("BarrierGate without state")?
                .to_owned(),
            time_ms,
        }),
        other => Ok(Report::Other(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const READ: &str = r#"<?xml version="1.0" encoding="UTF-8"?><EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><dateTime>2026-11-29T08:02:17+08:00</dateTime><eventType>ANPR</eventType><serialNo>7</serialNo><ANPR><licensePlate>豫A12345</licensePlate><line>2</line><direction>reverse</direction><confidenceLevel>96</confidenceLevel><plateColor>blue</plateColor><vehicleInfo><color>white</color><speed>52</speed></vehicleInfo><speedLimit>40</speedLimit><vehicleListName>blockList</vehicleListName></ANPR></EventNotificationAlert>"#;

    #[test]
    fn a_read_is_typed() {
        let Ok(Report::Plate(r)) = report(READ.as_bytes()) else {
            panic!()
        };
        assert_eq!(
            (r.plate.as_str(), r.lane, r.speed, r.limit),
            ("豫A12345", Some(2), Some(52), Some(40))
        );
        assert_eq!(r.list.as_deref(), Some("blockList"));
        assert_eq!(r.time_ms, parse_iso8601("2026-11-29T00:02:17Z"));
        assert!(report(b"<Other/>").is_err());
        assert!(report(&READ.as_bytes()[..READ.len() / 2]).is_err());
    }

    proptest! {
        #[test]
        fn any_input_is_safe(b in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = report(&b);
        }

        #[test]
        fn mutated_reads_are_safe(flip in 0usize..600, byte in any::<u8>(), cut in 0usize..600) {
            let mut d = READ.as_bytes().to_vec();
            let i = flip % d.len();
            d[i] = byte;
            d.truncate(cut.max(1));
            let _ = report(&d);
        }
    }
}
