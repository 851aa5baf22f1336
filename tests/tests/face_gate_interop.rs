//! An independent ISAPI client against the simulated face gate:
//! hikvisionapi (requests' HTTP Digest, xmltodict, its own reader of the
//! `multipart/mixed` alert stream). The test command installs it from
//! `tests/interop/requirements.txt`.

use std::time::Duration;

use twinwall_simulator::face_gate::{FaceGate, GateOptions, minor};
use twinwall_tests::interop;

#[tokio::test(flavor = "multi_thread")]
async fn hikvisionapi_reads_and_commands_the_simulated_gate() {
    let gate = std::sync::Arc::new(
        FaceGate::start(
            "fg-x",
            "127.0.0.1:0".parse().unwrap(),
            "admin",
            "gate-pw",
            GateOptions {
                doors: 2,
                heartbeat_s: 1,
                picture_bytes: 0,
            },
        )
        .await
        .unwrap(),
    );
    // Door alarms keep coming while the client reads the stream.
    let g = gate.clone();
    let alarms = tokio::spawn(async move {
        loop {
            g.door_event(1, minor::DOOR_OPEN_TIMEOUT);
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    let addr = gate.addr();
    let v = interop(
        "face_gate_client.py",
        vec![
            addr.ip().to_string(),
            addr.port().to_string(),
            "admin".into(),
            "gate-pw".into(),
        ],
    )
    .await;
    alarms.abort();
    assert_eq!(
        (v["model"].as_str(), v["device_id"].as_str()),
        (Some("TW-FG1"), Some("fg-x"))
    );
    assert_eq!(v["door"], "OK");
    assert!(
        gate.door_always_open(1),
        "the client's command reached the door"
    );
    let stream = v["stream"].as_array().unwrap();
    assert_eq!(stream.len(), 4, "{v}");
    assert_eq!(
        stream[0]["eventType"], "heartBeat",
        "the stream opens with a heartbeat"
    );
    let alarm = stream
        .iter()
        .find(|e| e["eventType"] == "AccessControllerEvent")
        .unwrap_or_else(|| panic!("no access event on the stream: {v}"));
    assert_eq!(alarm["AccessControllerEvent"]["majorEventType"], 5);
    assert_eq!(
        alarm["AccessControllerEvent"]["subEventType"],
        i64::from(minor::DOOR_OPEN_TIMEOUT)
    );
    assert!(alarm["dateTime"].as_str().unwrap().ends_with("+08:00"));
}
