//! Event building: a driver's event, checked and placed (its kind, how far
//! it may narrow its device's zone, how many pictures it carries), becomes
//! a bus event and the pictures to store first. Pure; the supervisor calls it.

use twinwall_base::NewEvent;
use twinwall_runtime::DriverEvent;

/// Why a driver event was not accepted.
#[derive(Debug, thiserror::Error)]
#[error("driver {driver} device `{device}` emitted a bad event kind `{kind}`: {why}")]
pub struct BadEvent {
    /// `name@version`.
    pub driver: String,
    /// Device id.
    pub device: String,
    /// The kind as sent.
    pub kind: String,
    /// Why.
    pub why: &'static str,
}

/// Longest zone path a driver may add below its device's zone, bytes.
pub const MAX_SUBZONE_BYTES: usize = 128;
/// Most levels a driver may add below its device's zone.
pub const MAX_SUBZONE_DEPTH: usize = 4;

/// Largest total of pictures on one event.
pub const MAX_MEDIA_BYTES: usize = 4 << 20;

/// A picture to store, by content hash, before the event that refers to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// Hex SHA-256 of `data`.
    pub hash: String,
    /// MIME type.
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// Turn a driver's event into a bus event for `device` in `zone`, and the
/// pictures it carries.
pub fn event_with_media(
    driver: &str,
    device: &str,
    zone: &str,
    mut e: DriverEvent,
) -> Result<(NewEvent, Vec<Blob>), BadEvent> {
    let media = std::mem::take(&mut e.media);
    let kind = e.kind.clone();
    let mut out = event(driver, device, zone, e)?;
    if media.iter().map(|m| m.data.len()).sum::<usize>() > MAX_MEDIA_BYTES {
        return Err(BadEvent {
            driver: driver.to_owned(),
            device: device.to_owned(),
            kind,
            why: "carries more than 4 MiB of media",
        });
    }
    let mut blobs = Vec::with_capacity(media.len());
    for m in media {
        let hash = twinwall_base::content_hash(&m.data);
        out.media.push(twinwall_base::MediaRef {
            role: m.role,
            hash: hash.clone(),
            content_type: m.content_type.clone(),
        });
        blobs.push(Blob {
            hash,
            content_type: m.content_type,
            data: m.data,
        });
    }
    Ok((out, blobs))
}

/// Turn a driver's event into a bus event for `device` in `zone` (pictures dropped).
pub fn event(driver: &str, device: &str, zone: &str, e: DriverEvent) -> Result<NewEvent, BadEvent> {
    let why = check_kind(&e.kind);
    if let Some(why) = why {
        return Err(BadEvent {
            driver: driver.to_owned(),
            device: device.to_owned(),
            kind: e.kind.chars().take(80).collect(),
            why,
        });
    }
    let zone = match e.zone {
        // A driver may only narrow the zone, never move events elsewhere in
        // the site, and only so far: every level of a zone path is an index
        // entry of each event.
        Some(z) if !z.is_empty() => {
            let z = z.trim_matches('/');
            let parts: Vec<&str> = z.split('/').collect();
            let bad = if z.len() > MAX_SUBZONE_BYTES {
                Some("narrows the zone by more than 128 bytes")
            } else if parts.len() > MAX_SUBZONE_DEPTH {
                Some("narrows the zone by more than 4 levels")
            } else if parts
                .iter()
                .any(|p| p.is_empty() || *p == "." || *p == "..")
            {
                Some("narrows the zone with an empty, `.` or `..` part")
            } else {
                None
            };
            match bad {
                // The event still counts (it may be an alarm): it stays in
                // the device's own zone.
                Some(why) => {
                    tracing::warn!(driver, device, kind = %e.kind, "zone `{}` {why}; kept in the device's zone", z.chars().take(80).collect::<String>());
                    zone.to_owned()
                }
                None => format!("{zone}/{z}"),
            }
        }
        _ => zone.to_owned(),
    };
    let mut out = NewEvent::new(&e.kind, &zone).device(device).level(e.level);
    out.phase = e.phase;
    out.device_time_ms = e.device_time_ms;
    out.message = e.message;
    out.attrs.extend(e.attrs);
    Ok(out)
}

/// Kinds are dotted lowercase, `family.what`, at most 64 bytes; the hub's own
/// kinds ([`hub_only`](twinwall_plugin_sdk::kinds::hub_only): `driver.*`,
/// `alarm.*`, `session.*`, `device.online`, …) are not the driver's to
/// forge: an `alarm.closed` from a driver would close a person's alarm.
fn check_kind(kind: &str) -> Option<&'static str> {
    if kind.is_empty() || kind.len() > 64 {
        return Some("must be 1 to 64 characters");
    }
    if !kind
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_')
    {
        return Some("must be lowercase letters, digits, `_` and `.`");
    }
    let Some((family, what)) = kind.split_once('.') else {
        return Some("must be `family.what`");
    };
    if family.is_empty() || what.is_empty() {
        return Some("must be `family.what`");
    }
    if twinwall_plugin_sdk::kinds::hub_only(kind) {
        return Some("is reserved for the hub");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use twinwall_base::{AttrValue, Level, Phase};
    use twinwall_runtime::DriverMedia;

    fn driver_event(kind: &str) -> DriverEvent {
        DriverEvent {
            level: Level::Red,
            phase: Some(Phase::Begin),
            attrs: [("point".to_owned(), AttrValue::Int(3))]
                .into_iter()
                .collect(),
            ..DriverEvent::new(kind)
        }
    }

    #[test]
    fn events_keep_their_meaning() {
        let e = event("d@1", "fp-1", "campus/chem", driver_event("fire.alarm")).unwrap();
        assert_eq!(
            (e.kind.as_str(), e.level, e.phase, e.zone.as_str()),
            ("fire.alarm", Level::Red, Some(Phase::Begin), "campus/chem")
        );
        assert_eq!(e.attrs.get("point"), Some(&AttrValue::Int(3)));
        assert_eq!(e.device.as_deref(), Some("fp-1"));
    }

    #[test]
    fn forged_or_malformed_kinds_are_refused_with_evidence() {
        for k in [
            "driver.crashed",
            "device.offline",
            "alarm.closed",
            "session.started",
            "rule.fired",
            "Fire.Alarm",
            "fire",
            "",
            "a.b c",
        ] {
            let err = event("d@1", "fp-1", "z", driver_event(k)).unwrap_err();
            assert_eq!(err.device, "fp-1");
            assert!(err.to_string().contains("d@1"), "{err}");
        }
    }

    #[test]
    fn a_driver_narrows_its_zone_only_so_far() {
        let mut w = driver_event("fire.alarm");
        w.zone = Some("floor-2/room-201".into());
        let e = event("d@1", "fp-1", "campus/chem", w.clone()).unwrap();
        assert_eq!(e.zone, "campus/chem/floor-2/room-201");
        for bad in ["a/b/c/d/e", "../other", "a//b", &"x".repeat(200)] {
            w.zone = Some(bad.into());
            let e = event("d@1", "fp-1", "campus/chem", w.clone()).unwrap();
            assert_eq!(e.zone, "campus/chem", "{bad}: kept, in the device's zone");
        }
    }

    #[test]
    fn media_become_references_by_content_hash() {
        let mut w = driver_event("camera.snapshot");
        w.media = vec![DriverMedia {
            role: "snapshot".into(),
            content_type: "image/jpeg".into(),
            data: vec![0xff, 0xd8, 0xff],
        }];
        let (e, blobs) = event_with_media("d", "cam", "z", w.clone()).unwrap();
        assert_eq!(blobs.len(), 1);
        assert_eq!(e.media[0].hash, blobs[0].hash);
        assert_eq!(e.media[0].content_type, "image/jpeg");
        w.media[0].data = vec![0; MAX_MEDIA_BYTES + 1];
        assert!(event_with_media("d", "cam", "z", w).is_err());
    }

    #[test]
    fn zone_override_only_narrows() {
        let mut w = driver_event("fire.alarm");
        w.zone = Some("f2".into());
        assert_eq!(
            event("d", "x", "campus/chem", w.clone()).unwrap().zone,
            "campus/chem/f2"
        );
        w.zone = Some("../other".into());
        assert_eq!(
            event("d", "x", "campus/chem", w).unwrap().zone,
            "campus/chem"
        );
    }
}
