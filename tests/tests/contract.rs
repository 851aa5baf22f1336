//! Contract versions side by side: a driver built against the frozen
//! `twinwall:driver@0.1.0` (raw bindings, no SDK) runs through the hub's
//! adapter beside a 0.2 driver, on the same simulated panel.

use std::time::Duration;

use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::{TestHub, panel_device};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"lab\"\nparent = \"campus\"\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_0_1_driver_runs_beside_0_2_drivers() {
    let panel = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 16)
        .await
        .unwrap();
    let legacy = format!(
        "[[devices]]\nid = \"old-1\"\ndriver = \"legacy-v01-test-driver\"\nzone = \"lab\"\naddress = \"{}\"\n",
        panel.addr()
    );
    let body = format!(
        "{ZONES}{}{legacy}",
        panel_device("fp-1", "lab", panel.addr(), "settings = { points = 16 }")
    );
    let hub = TestHub::start(&["modbus-fire-panel", "legacy-v01-test-driver"], &body)
        .await
        .unwrap();
    hub.wait_online("fp-1").await.unwrap();
    hub.wait_online("old-1").await.unwrap();
    let drivers = hub.get("/api/v1/drivers").await.unwrap();
    let contract = |name: &str| {
        drivers["drivers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .map(|d| d["contract"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(
        contract("legacy-v01-test-driver").as_deref(),
        Some("twinwall:driver@0.1.0")
    );
    assert_eq!(
        contract("modbus-fire-panel").as_deref(),
        Some("twinwall:driver@0.2.0")
    );
    panel.with_state(|s| s.alarm(2));
    // Both drivers see the same alarm, each in its own words.
    let old = hub
        .wait_event(
            "kind=fire.summary&device=old-1",
            Duration::from_secs(3),
            |e| e["phase"] == "begin",
        )
        .await
        .unwrap();
    assert_eq!(old["level"], "red");
    hub.wait_event("kind=fire.alarm&device=fp-1", Duration::from_secs(3), |e| {
        e["attrs"]["point"] == 2
    })
    .await
    .unwrap();
    // The 0.1 driver's unknown command is refused in 0.1's words, through the adapter.
    let (status, body) = hub.command("old-1", "reset").await.unwrap();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("unknown-command")),
        "{body}"
    );
}
