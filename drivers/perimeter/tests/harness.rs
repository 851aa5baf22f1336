//! The perimeter driver fed DC-09 frames made by an independent
//! implementation (pysiaalarm; `fixtures/`), through the SDK harness.

use perimeter::Host;
use perimeter::dc09;
use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::{Keyed, SocketFrame};

const PROFILE: &str = include_str!("../../../device-profiles/perimeter/twinwall-ph1.toml");
const CLEAR: &[u8] = include_bytes!("fixtures/adm-cid-clear.dc09");
const ENCRYPTED: &[u8] = include_bytes!("fixtures/adm-cid-encrypted.dc09");
const NULL: &[u8] = include_bytes!("fixtures/null.dc09");
/// 2026-11-29T00:02:17Z, the fixtures' time stamp.
const THEN_MS: i64 = 1_795_910_537_000;

fn host(account: &str, key: bool) -> Harness<Host> {
    let mut c = DeviceConfig::new("ph-1")
        .with_profile(PROFILE)
        .with_setting("account", account)
        .with_setting("zones", "3=fence/north-fence-a, 9=post/library-post");
    if key {
        c = c.with_setting("key", "dc09");
        c.keys.push("dc09".into());
    }
    let mut h = Harness::open(c).unwrap();
    h.set_now_ms(THEN_MS + 5_000);
    if key {
        h.set_key("dc09", b"0123456789ABCDEF");
    }
    h
}

fn frame(data: &[u8]) -> Input {
    Input::SocketFrame(SocketFrame {
        conn: 7,
        data: data.to_vec(),
    })
}

fn sent(out: &Outcome) -> Vec<String> {
    out.requests
        .iter()
        .filter_map(|r| match r.kind() {
            RequestKind::SocketSend(s) => Some(String::from_utf8_lossy(&s.data).into_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_clear_report_is_an_event_and_an_ack() {
    let mut h = host("1234", false);
    let start = h.start();
    assert_eq!(start.len(), 2, "listens on TCP and UDP");
    let out = h.feed(frame(CLEAR));
    assert_eq!(out.events.len(), 1);
    let e = &out.events[0];
    assert_eq!(
        (e.kind.as_str(), e.phase),
        ("perimeter.intrusion", Some(Phase::Begin))
    );
    assert_eq!(e.get("subtype"), Some(&Value::Text("touch".into())));
    assert_eq!(e.zone.as_deref(), Some("north-fence-a"));
    assert_eq!(e.device_time_ms, Some(THEN_MS));
    let acks = sent(&out);
    assert!(acks[0].ends_with("\"ACK\"0015R1L1#1234[]\r"), "{acks:?}");
    // The host resends what it thinks was lost: ACK again, no second event.
    let again = h.feed(frame(CLEAR));
    assert!(again.events.is_empty());
    assert_eq!(sent(&again).len(), 1);
    // Supervision: an ACK and nothing else.
    let n = h.feed(frame(NULL));
    assert!(n.events.is_empty() && sent(&n)[0].contains("\"ACK\"0007"));
}

#[test]
fn an_encrypted_report_needs_the_hub_held_key() {
    let mut h = host("5678", true);
    let out = h.feed(frame(ENCRYPTED));
    assert_eq!(out.events[0].kind, "panic.pressed");
    assert_eq!(out.events[0].level, Level::Red);
    let ack = &sent(&out)[0];
    assert!(ack.contains("\"*ACK\"0042R1L1#5678["), "{ack}");
    // The encrypted ACK carries the receiver's time, readable with the key.
    let hex = ack.trim_end_matches('\r').rsplit('[').next().unwrap();
    let plain =
        twinwall_plugin_sdk::crypto::decrypt("dc09", &[0; 16], &dc09::unhex(hex).unwrap()).unwrap();
    assert!(
        String::from_utf8_lossy(&plain)
            .ends_with(&format!("]_{}", dc09::format_timestamp(THEN_MS / 1000 + 5)))
    );
    // Without the key (or with a clear message from an account that must encrypt): NAK.
    let mut clear_only = host("5678", false);
    assert!(sent(&clear_only.feed(frame(ENCRYPTED)))[0].contains("\"NAK\""));
    let mut wrong = host("5678", true);
    wrong.set_key("dc09", b"FEDCBA9876543210");
    let out = wrong.feed(frame(ENCRYPTED));
    assert!(out.events.is_empty() && sent(&out)[0].contains("\"NAK\""));
}

#[test]
fn bad_frames_and_stale_clocks_get_a_nak_with_the_receiver_time() {
    let mut h = host("1234", false);
    let mut bad = CLEAR.to_vec();
    bad[30] ^= 0x01;
    let out = h.feed(frame(&bad));
    assert!(out.events.is_empty());
    assert!(sent(&out)[0].contains("\"NAK\"0000R0L0A0[]_"));
    // 90 s after the report was stamped: outside the 40 s window.
    h.set_now_ms(THEN_MS + 90_000);
    let out = h.feed(frame(CLEAR));
    assert!(out.events.is_empty());
    let nak = &sent(&out)[0];
    assert!(
        nak.ends_with(&format!(
            "_{}\r",
            dc09::format_timestamp(THEN_MS / 1000 + 90)
        )),
        "{nak}"
    );
}

#[test]
fn frames_route_by_account() {
    assert_eq!(
        <Host as Driver>::route("dc09", CLEAR),
        Routing::Key(Keyed {
            key: "1234".into(),
            unclaimed: Some(dc09::nak(0))
        })
    );
    assert!(matches!(
        <Host as Driver>::route("dc09", b"\nnot dc-09\r"),
        Routing::Reply(_)
    ));
}

#[test]
fn commands_go_to_the_control_channel() {
    let mut h = host("1234", false);
    let r = h.command("disarm", r#"{"partition": 2}"#).unwrap();
    let RequestKind::Http(req) = r[0].kind() else {
        panic!()
    };
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("PUT", "/ISAPI/SecurityCP/control/disarm/2")
    );
    assert_eq!(h.command("bypass", "{}").unwrap_err().code, "bad-args");
    assert_eq!(
        h.command("fence.hv", r#"{"on": "yes"}"#).unwrap_err().code,
        "bad-args"
    );
    assert_eq!(
        h.command("self_destruct", "{}").unwrap_err().code,
        "unknown-command"
    );
    assert!(DeviceConfig::new("x").keys.is_empty());
    let bad = Harness::<Host>::open(
        DeviceConfig::new("x")
            .with_profile(PROFILE)
            .with_setting("account", "12"),
    );
    assert!(bad.err().unwrap().message.contains("account"));
}
