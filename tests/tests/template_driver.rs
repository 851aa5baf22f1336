//! The SDK guide's template driver, as a new integrator builds it: compiled
//! to wasm by the suite, loaded by a running hub, reading an I/O module's
//! dry contacts (here the simulated panel's relay outputs, as a plant room
//! wires a panel's common-alarm relay into a Modbus I/O module).

use std::time::Duration;

use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::TestHub;

const ZONES: &str =
    "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"plant-room\"\nparent = \"campus\"\n";

#[tokio::test(flavor = "multi_thread")]
async fn the_template_driver_is_loaded_and_reports_its_contacts() {
    let panel = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 16)
        .await
        .unwrap();
    let io = format!(
        "[[devices]]\nid = \"io-1\"\ndriver = \"modbus-contacts\"\nzone = \"plant-room\"\naddress = \"{}\"\n\
         offline_after_ms = 1500\nsettings = {{ inputs = \"0=panel_common_alarm, 2=panel_fault\", poll_ms = 200 }}\n",
        panel.addr()
    );
    let hub = TestHub::start(&["modbus-contacts"], &format!("{ZONES}{io}"))
        .await
        .unwrap();
    hub.wait_online("io-1").await.unwrap();
    let drivers = hub.get("/api/v1/drivers").await.unwrap();
    let d = drivers["drivers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "modbus-contacts")
        .cloned()
        .expect("the template driver is loaded");
    assert_eq!(d["state"], "running");
    assert_eq!(d["families"], serde_json::json!(["sensor"]));

    panel.with_state(|s| s.alarm(3));
    let begin = hub
        .wait_event(
            "kind=sensor.alarm&device=io-1",
            Duration::from_secs(3),
            |e| e["phase"] == "begin",
        )
        .await
        .unwrap();
    assert_eq!(begin["attrs"]["sensor"], "panel_common_alarm");
    assert_eq!(begin["zone"], "campus/plant-room");
    panel.with_state(|s| s.reset());
    hub.wait_event(
        "kind=sensor.alarm&device=io-1",
        Duration::from_secs(3),
        |e| e["phase"] == "end",
    )
    .await
    .unwrap();
    // One begin and one end: repeated polls of an unchanged contact say nothing.
    assert_eq!(hub.events("kind=sensor.alarm").await.unwrap().len(), 2);
}
