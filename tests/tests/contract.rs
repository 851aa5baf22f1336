//! Contract versions side by side: drivers built against the frozen
//! `twinwall:driver@0.1.0`, `@0.2.0` and `@0.3.0` (raw bindings, no SDK) run
//! through the hub's adapters beside current (0.4) drivers.

use std::time::Duration;

use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::{TestHub, panel_device};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"lab\"\nparent = \"campus\"\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_0_1_driver_runs_beside_current_drivers() {
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
        Some("twinwall:driver@0.4.0")
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

/// AES-128-CBC of one zero block under the all-zero key, zero IV.
const ZERO_BLOCK: &str = "66e94bd4ef8a2c3b884cfa59ca342b2e";

#[tokio::test(flavor = "multi_thread")]
async fn a_0_2_driver_keeps_its_requests_events_keys_and_crypto() {
    let body = format!(
        "{ZONES}[[devices]]\nid = \"v2-1\"\ndriver = \"legacy-v02-test-driver\"\nzone = \"lab\"\nkeys = {{ k = \"{}\" }}\n\
         [[devices]]\nid = \"v2-nokey\"\ndriver = \"legacy-v02-test-driver\"\nzone = \"lab\"\n",
        "00".repeat(16)
    );
    let hub = TestHub::start(&["legacy-v02-test-driver"], &body)
        .await
        .unwrap();
    let first = hub
        .wait_event(
            "kind=panic.pressed&device=v2-1",
            Duration::from_secs(5),
            |_| true,
        )
        .await
        .unwrap();
    assert_eq!(first["attrs"]["cipher"], ZERO_BLOCK, "{first}");
    assert_eq!(first["level"], "red");
    let drivers = hub.get("/api/v1/drivers").await.unwrap();
    let d = &drivers["drivers"][0];
    assert_eq!(d["contract"], "twinwall:driver@0.2.0", "{d}");
    let refused = d["device_errors"]["v2-nokey"].as_str().unwrap_or_default();
    assert!(
        refused.ends_with("bad-config: device `v2-nokey` needs a key `k`"),
        "{d}"
    );
    // A command through the adapter: its request (a 0.2 timer) is carried out.
    let (status, body) = hub.command("v2-1", "tick").await.unwrap();
    assert_eq!(status, 200, "{body}");
    hub.wait_event(
        "kind=panic.pressed&device=v2-1",
        Duration::from_secs(5),
        |e| e["seq"] != first["seq"],
    )
    .await
    .unwrap();
    let (status, body) = hub.command("v2-1", "reset").await.unwrap();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("unknown-command")),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_0_3_drivers_stream_probe_is_sampled_at_the_hubs_interval() {
    let cam = twinwall_simulator::camera::Camera::start(
        "cam-v3",
        "127.0.0.1:0".parse().unwrap(),
        "admin",
        "s3cret",
    )
    .await
    .unwrap();
    // 0.3 could not say how to look at the stream: the hub's [rtsp] sampling applies.
    let body = format!(
        "{ZONES}[[devices]]\nid = \"v3-1\"\ndriver = \"legacy-v03-test-driver\"\nzone = \"lab\"\n\
         address = \"{}\"\nusername = \"admin\"\npassword = \"s3cret\"\nsettings = {{ uri = \"{}\" }}\n\
         [rtsp]\nsample_every_s = 10\n",
        cam.addr(),
        cam.rtsp_url("101")
    );
    let hub = TestHub::start(&["legacy-v03-test-driver"], &body)
        .await
        .unwrap();
    let drivers = hub.get("/api/v1/drivers").await.unwrap();
    assert_eq!(
        drivers["drivers"][0]["contract"], "twinwall:driver@0.3.0",
        "{drivers}"
    );
    let e = hub
        .wait_event(
            "kind=camera.stream&device=v3-1",
            Duration::from_secs(15),
            |e| e["attrs"]["fps"].as_f64().unwrap_or(0.0) > 0.0,
        )
        .await
        .unwrap();
    assert_eq!(e["attrs"]["width"], 320, "{e}");
    assert!(
        e["attrs"]["codec"].as_str().unwrap().starts_with("avc1."),
        "{e}"
    );
    // Sampled, not watched: the stream is let go between samples.
    twinwall_tests::wait_for(Duration::from_secs(5), || async {
        (cam.playing() == 0).then_some(())
    })
    .await
    .expect("no stream held between samples");
}
