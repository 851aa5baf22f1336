//! The face-gate driver fed what gates send (fixtures in the Hikvision
//! `AccessControllerEvent` layout, as captured from ISAPI terminals),
//! through the SDK harness: pushes, stream parts, commands.

use face_gate::Gate;
use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::testing::{http_push, reply_status};
use twinwall_plugin_sdk::{HttpListening, StreamPart};

const PROFILE: &str = include_str!("../../../device-profiles/face-gate/twinwall-fg1.toml");
const PASS: &[u8] = include_bytes!("fixtures/access-face-pass.json");
const HEARTBEAT: &[u8] = include_bytes!("fixtures/heartbeat.json");

fn gate(settings: &[(&str, &str)]) -> Harness<Gate> {
    let mut c = DeviceConfig::new("fg-1").with_profile(PROFILE);
    for (k, v) in settings {
        c = c.with_setting(k, v);
    }
    Harness::open(c).unwrap()
}

fn multipart(json: &[u8], picture: Option<&[u8]>) -> Vec<u8> {
    let mut b = b"--MIME_boundary\r\nContent-Disposition: form-data; name=\"AccessControllerEvent\"\r\nContent-Type: application/json\r\n\r\n".to_vec();
    b.extend_from_slice(json);
    b.extend_from_slice(b"\r\n");
    if let Some(p) = picture {
        b.extend_from_slice(b"--MIME_boundary\r\nContent-Disposition: form-data; name=\"Picture\"; filename=\"Picture.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n");
        b.extend_from_slice(p);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(b"--MIME_boundary--\r\n");
    b
}

fn push(id: u64, body: Vec<u8>) -> Input {
    http_push(id, "multipart/form-data; boundary=MIME_boundary", body)
}

#[test]
fn push_mode_listens_then_points_the_gate_at_the_hub() {
    let mut h = gate(&[]);
    let start = h.start();
    assert!(
        start
            .iter()
            .any(|r| matches!(r.kind(), RequestKind::HttpListen(l) if l.path == "/events"))
    );
    let out = h.feed(Input::HttpListening(HttpListening {
        id: "events".into(),
        url: "http://10.0.0.2:7200/push/fg-1/abcd/events".into(),
    }));
    let Some(RequestKind::Http(put)) = out.requests.first().map(Request::kind) else {
        panic!("{:?}", out.requests)
    };
    assert_eq!(
        (put.method.as_str(), put.path.as_str()),
        ("PUT", "/ISAPI/Event/notification/httpHosts")
    );
    let xml = String::from_utf8_lossy(&put.body);
    assert!(
        xml.contains("<ipAddress>10.0.0.2</ipAddress>")
            && xml.contains("<portNo>7200</portNo>")
            && xml.contains("<url>/push/fg-1/abcd/events</url>"),
        "{xml}"
    );
}

#[test]
fn a_captured_pass_becomes_access_granted_with_its_face() {
    let mut h = gate(&[]);
    h.start();
    let out = h.feed(push(7, multipart(PASS, Some(&[0xff, 0xd8, 1, 0xff, 0xd9]))));
    assert_eq!(reply_status(&out), Some(200));
    let e = &out.events[0];
    assert_eq!(e.kind, "access.granted");
    assert_eq!(e.get("person_id"), Some(&Value::Text("T1042".into())));
    assert_eq!(e.get("category"), Some(&Value::Text("staff".into())));
    assert_eq!(e.get("direction"), Some(&Value::Text("in".into())));
    assert_eq!(e.get("temperature"), Some(&Value::Float(36.4)));
    // 08:02:17 in Beijing is 00:02:17 UTC.
    assert_eq!(
        e.device_time_ms,
        twinwall_plugin_sdk::time::parse_iso8601("2026-11-29T00:02:17Z")
    );
    assert_eq!(e.media[0].role, "face");
    // The gate resends what it thinks was lost: one event, two OKs.
    let again = h.feed(push(8, multipart(PASS, None)));
    assert_eq!(reply_status(&again), Some(200));
    assert!(again.events.is_empty());
}

#[test]
fn garbage_pushes_are_answered_400_and_make_no_event() {
    let mut h = gate(&[]);
    h.start();
    for body in [
        b"not multipart".to_vec(),
        multipart(b"{\"eventType\":", None),
        multipart(HEARTBEAT, None)[..40].to_vec(),
    ] {
        let out = h.feed(push(1, body));
        assert_eq!(reply_status(&out), Some(400));
        assert!(out.events.is_empty());
    }
}

#[test]
fn stream_parts_pair_events_with_their_pictures() {
    let mut h = gate(&[("mode", "stream")]);
    assert!(h.start().iter().any(
        |r| matches!(r.kind(), RequestKind::HttpStream(s) if s.path.ends_with("alertStream"))
    ));
    let part = |ct: &str, body: &[u8]| {
        Input::StreamPart(StreamPart {
            id: "alerts".into(),
            headers: vec![Header::new("Content-Type", ct)],
            body: body.to_vec(),
        })
    };
    assert!(
        h.feed(part("application/json", HEARTBEAT))
            .events
            .is_empty()
    );
    assert!(
        h.feed(part("application/json", PASS)).events.is_empty(),
        "waits for its picture"
    );
    let out = h.feed(part("image/jpeg", &[0xff, 0xd8, 0xff, 0xd9]));
    assert_eq!(out.events.len(), 1);
    assert_eq!(out.events[0].media.len(), 1);
}

#[test]
fn door_commands_check_their_arguments() {
    let mut h = gate(&[("doors", "2"), ("allow_commands", "door.open")]);
    let reqs = h.command("door.open", r#"{"door": 2}"#).unwrap();
    let RequestKind::Http(r) = reqs[0].kind() else {
        panic!()
    };
    assert_eq!(r.path, "/ISAPI/AccessControl/RemoteControl/door/2");
    assert!(String::from_utf8_lossy(&r.body).contains("<cmd>open</cmd>"));
    assert_eq!(
        h.command("door.open", r#"{"door": 3}"#).unwrap_err().code,
        "bad-args"
    );
    assert_eq!(
        h.command("door.open", r#"{"gate": 1}"#).unwrap_err().code,
        "bad-args"
    );
    assert_eq!(
        h.command("door.keep_open", "{}").unwrap_err().code,
        "not-allowed"
    );
    assert_eq!(
        h.command("door.explode", "{}").unwrap_err().code,
        "unknown-command"
    );
    let info = <Gate as Driver>::describe();
    assert!(
        info.commands
            .iter()
            .all(|c| c.args_schema.contains("\"door\""))
    );
}
