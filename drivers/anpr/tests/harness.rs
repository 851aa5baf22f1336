//! The anpr driver fed an `EventNotificationAlert` in the layout ISAPI
//! barrier cameras push (fixture), through the SDK harness.

use anpr::Camera;
use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::testing::{http_push, reply_status};
use twinwall_plugin_sdk::{HttpListening, StreamPart};

const BARRIER: &str = include_str!("../../../device-profiles/vehicle/twinwall-bg1.toml");
const SPEED: &str = include_str!("../../../device-profiles/vehicle/twinwall-sc1.toml");
const ENTRY: &[u8] = include_bytes!("fixtures/anpr-entry.xml");

fn camera(profile: &str, mode: &str) -> Harness<Camera> {
    let mut h = Harness::open(
        DeviceConfig::new("bg-1")
            .with_profile(profile)
            .with_setting("mode", mode),
    )
    .unwrap();
    h.set_now_ms(1_795_910_283_000);
    h
}

fn push(body: Vec<u8>) -> Input {
    http_push(1, "multipart/form-data; boundary=b", body)
}

fn multipart(xml: &[u8]) -> Vec<u8> {
    let mut b = b"--b\r\nContent-Disposition: form-data; name=\"anpr.xml\"; filename=\"anpr.xml\"\r\nContent-Type: application/xml\r\n\r\n".to_vec();
    b.extend_from_slice(xml);
    b.extend_from_slice(b"\r\n--b\r\nContent-Disposition: form-data; name=\"licensePlatePicture.jpg\"; filename=\"licensePlatePicture.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8p\xff\xd9\r\n--b\r\nContent-Disposition: form-data; name=\"detectionPicture.jpg\"; filename=\"detectionPicture.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8s\xff\xd9\r\n--b--\r\n");
    b
}

#[test]
fn a_pushed_entry_is_a_read_and_a_passage_with_both_pictures() {
    let mut h = camera(BARRIER, "push");
    h.start();
    let out = h.feed(Input::HttpListening(HttpListening {
        id: "events".into(),
        url: "http://10.0.0.2:7200/push/bg-1/t/events".into(),
    }));
    assert!(
        matches!(out.requests[0].kind(), RequestKind::Http(r) if r.path == "/ISAPI/Event/notification/httpHosts")
    );
    let out = h.feed(push(multipart(ENTRY)));
    assert_eq!(reply_status(&out), Some(200));
    let kinds: Vec<&str> = out.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["vehicle.plate", "vehicle.passage"]);
    let read = &out.events[0];
    assert_eq!(read.get("plate"), Some(&Value::Text("豫G7K2Q9".into())));
    assert_eq!(read.get("confidence"), Some(&Value::Int(97)));
    assert_eq!(
        read.media
            .iter()
            .map(|m| m.role.as_str())
            .collect::<Vec<_>>(),
        ["plate", "scene"]
    );
    assert_eq!(
        read.device_time_ms,
        twinwall_plugin_sdk::time::parse_iso8601("2026-11-28T23:58:03Z")
    );
    assert_eq!(
        out.events[1].get("passage"),
        Some(&Value::Text("entry".into()))
    );
    // The same car read again a moment later is the same read.
    let again = h.feed(push(multipart(ENTRY)));
    assert!(again.events.is_empty());
    assert_eq!(reply_status(&again), Some(200));
    // Broken XML is refused and makes nothing.
    let bad = h.feed(push(multipart(&ENTRY[..200])));
    assert_eq!(reply_status(&bad), Some(400));
    assert!(bad.events.is_empty());
}

#[test]
fn a_speed_camera_reports_speeding_over_its_limit() {
    let mut h = camera(SPEED, "stream");
    assert!(
        h.start()
            .iter()
            .any(|r| matches!(r.kind(), RequestKind::HttpStream(_)))
    );
    let fast = String::from_utf8_lossy(ENTRY)
        .replace("<speedLimit>0</speedLimit>", "")
        .replace(
            "<vehicleLogoRecog>1036</vehicleLogoRecog>",
            "<vehicleLogoRecog>1036</vehicleLogoRecog><speed>47</speed>",
        );
    let part = |ct: &str, body: &[u8]| {
        Input::StreamPart(StreamPart {
            id: "alerts".into(),
            headers: vec![Header::new("Content-Type", ct)],
            body: body.to_vec(),
        })
    };
    assert!(
        h.feed(part("application/xml", fast.as_bytes()))
            .events
            .is_empty(),
        "waits for its pictures"
    );
    h.feed(part("image/jpeg", b"\xff\xd8p\xff\xd9"));
    let out = h.feed(part("image/jpeg", b"\xff\xd8s\xff\xd9"));
    let kinds: Vec<&str> = out.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["vehicle.plate", "vehicle.speeding"],
        "no passage on a road camera"
    );
    assert_eq!(out.events[1].get("limit_kmh"), Some(&Value::Int(30)));
    assert_eq!(
        h.command("barrier.open", "{}").unwrap_err().code,
        "not-allowed"
    );
}
