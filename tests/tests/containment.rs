//! A hostile driver (panic, endless loop, unbounded allocation) is contained:
//! it crashes alone, is rebuilt, then quarantined, while the fire panels'
//! events keep flowing. Replacing a driver file reloads it without a restart.

use std::time::{Duration, Instant};

use serde_json::json;
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::{TestHub, panel_device, plugins_dir, wait_for};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"lab\"\nparent = \"campus\"\n";

fn hostile(id: &str, mode: &str) -> String {
    format!(
        "[[devices]]\nid = \"{id}\"\ndriver = \"hostile-test-driver\"\nzone = \"lab\"\nsettings = {{ mode = \"{mode}\" }}\n"
    )
}

async fn alarm_flows(panel: &FirePanel, hub: &TestHub, point: u16) {
    let t = Instant::now();
    panel.with_state(|s| s.alarm(point));
    hub.wait_event("kind=fire.alarm", Duration::from_secs(1), |e| {
        e["attrs"]["point"] == point && e["phase"] == "begin"
    })
    .await
    .unwrap_or_else(|e| {
        panic!("fire alarm on point {point} did not flow past the hostile driver: {e}")
    });
    eprintln!("point {point}: alarm in {:?}", t.elapsed());
}

/// Wait for `more` heartbeats of `device` beyond those already stored.
async fn heartbeats_resume(hub: &TestHub, device: &str, more: usize, why: &str) {
    let q = format!("kind=device.heartbeat&device={device}");
    let before = hub.events(&q).await.unwrap().len();
    hub.wait_count(&q, before + more, Duration::from_secs(5))
        .await
        .expect(why);
}

/// A 16-point panel (the driver's profile says 32: it adapts) beside a hostile device.
async fn panel_and_hostile(mode: &str) -> (FirePanel, TestHub) {
    let panel = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 16)
        .await
        .unwrap();
    let body = format!(
        "{ZONES}{}{}",
        panel_device("fp-1", "lab", panel.addr(), ""),
        hostile("evil-1", mode)
    );
    let hub = TestHub::start(&["modbus-fire-panel", "hostile-test-driver"], &body)
        .await
        .unwrap();
    (panel, hub)
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_driver_is_contained_while_fire_events_flow() {
    let (panel, hub) = panel_and_hostile("calm").await;
    hub.wait_online("fp-1").await.unwrap();
    hub.wait_event(
        "kind=device.heartbeat&device=evil-1",
        Duration::from_secs(5),
        |_| true,
    )
    .await
    .unwrap();

    let crashes = |n: usize| {
        let hub = &hub;
        async move {
            hub.wait_count("kind=driver.crashed", n, Duration::from_secs(10))
                .await
        }
    };

    // An endless loop is cut by the epoch deadline.
    let (status, body) = hub
        .command_with("evil-1", "misbehave", json!({"mode": "spin"}))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let c = crashes(1).await.expect("the spinning driver was stopped");
    let trap = c[0]["attrs"]["trap"].as_str().unwrap().to_owned();
    assert!(trap.contains("deadline"), "{trap}");
    assert!(
        trap.contains("hostile-test-driver@") && trap.contains("evil-1"),
        "the trap names driver, version and device: {trap}"
    );
    alarm_flows(&panel, &hub, 3).await;

    // It was rebuilt from its config (calm again): heartbeats resume.
    heartbeats_resume(&hub, "evil-1", 1, "rebuilt after the crash").await;

    // Unbounded allocation hits the store's memory cap.
    let (status, _) = hub
        .command_with("evil-1", "misbehave", json!({"mode": "hog"}))
        .await
        .unwrap();
    assert_eq!(status, 200);
    let c = crashes(2).await.expect("the hog was stopped");
    eprintln!("hog trap: {}", c[1]["attrs"]["trap"]);
    alarm_flows(&panel, &hub, 4).await;

    // A panic, the third crash of this device within the window: the
    // device is closed, the driver runs on.
    wait_for(Duration::from_secs(5), || async {
        let d = hub.get("/api/v1/drivers").await.ok()?;
        let running = d["drivers"]
            .as_array()?
            .iter()
            .any(|d| d["name"] == "hostile-test-driver" && d["state"] == "running");
        running.then_some(())
    })
    .await
    .expect("running again before the third crash");
    let (status, _) = hub
        .command_with("evil-1", "misbehave", json!({"mode": "panic"}))
        .await
        .unwrap();
    assert_eq!(status, 200);
    let q = hub
        .wait_event("kind=device.quarantined", Duration::from_secs(10), |e| {
            e["device"] == "evil-1"
        })
        .await
        .unwrap();
    assert_eq!(q["level"], "red");
    assert_eq!(q["attrs"]["crashes"], 3);
    let evil = wait_for(Duration::from_secs(10), || async {
        let d = hub.get("/api/v1/drivers").await.ok()?;
        d["drivers"]
            .as_array()?
            .iter()
            .find(|d| d["name"] == "hostile-test-driver" && d["state"] == "running")
            .cloned()
    })
    .await
    .expect("the driver itself runs on");
    assert_eq!(evil["quarantined_devices"], json!(["evil-1"]));
    assert!(
        evil["last_trap"].as_str().unwrap().contains("unreachable")
            || evil["last_trap"].as_str().unwrap().contains("panic"),
        "{evil}"
    );
    let drivers = hub.get("/api/v1/drivers").await.unwrap();
    let fire = drivers["drivers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "modbus-fire-panel")
        .unwrap()
        .clone();
    assert_eq!(
        (fire["state"].as_str(), fire["crashes"].as_u64()),
        (Some("running"), Some(0)),
        "the other driver never noticed"
    );
    assert_eq!(
        hub.get("/api/v1/health").await.unwrap()["status"],
        "degraded"
    );
    let dev = hub.device("evil-1").await.unwrap();
    assert!(
        dev["problem"].as_str().unwrap().contains("quarantined"),
        "{dev}"
    );
    let (status, body) = hub
        .command_with("evil-1", "misbehave", json!({"mode": "calm"}))
        .await
        .unwrap();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("driver-unavailable"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("quarantined")
    );
    alarm_flows(&panel, &hub, 5).await;
    assert!(
        hub.events("kind=driver.quarantined")
            .await
            .unwrap()
            .is_empty(),
        "one bad device does not take its driver down"
    );

    // An admin lets it go: it is opened again from its config (calm).
    let r = hub
        .http
        .post(format!("{}/api/v1/devices/evil-1/release", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let released = hub
        .wait_event("kind=device.released", Duration::from_secs(5), |e| {
            e["device"] == "evil-1"
        })
        .await
        .unwrap();
    assert!(
        released["actor"]
            .as_str()
            .unwrap()
            .starts_with("test admin#")
    );
    heartbeats_resume(&hub, "evil-1", 1, "heartbeats again after the release").await;
    let r = hub
        .http
        .post(format!("{}/api/v1/devices/evil-1/release", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "not quarantined any more");
    // No crash ever reached the fire panel's device events.
    assert!(
        hub.events("kind=driver.crashed")
            .await
            .unwrap()
            .iter()
            .all(|e| e["attrs"]["driver"] == "hostile-test-driver")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn replacing_a_driver_file_reloads_it_and_a_broken_file_is_reported() {
    let (panel, hub) = panel_and_hostile("panic").await;
    hub.wait_event("kind=device.quarantined", Duration::from_secs(15), |_| true)
        .await
        .unwrap();

    // A new build of the fire-panel driver lands in the folder.
    let plugins = plugins_dir(hub.dir.path());
    let file = plugins.join("modbus_fire_panel.wasm");
    let bytes = std::fs::read(&file).unwrap();
    let tmp = plugins.join("modbus_fire_panel.wasm.part");
    std::fs::write(&tmp, &bytes).unwrap();
    // Make the replacement visibly newer even on coarse file-time clocks.
    let f = std::fs::File::options().write(true).open(&tmp).unwrap();
    f.set_modified(std::time::SystemTime::now() + Duration::from_secs(2))
        .unwrap();
    drop(f);
    std::fs::rename(&tmp, &file).unwrap();
    let loaded = hub
        .wait_event("kind=driver.loaded", Duration::from_secs(10), |e| {
            e["attrs"]["driver"] == "modbus-fire-panel"
        })
        .await
        .unwrap();
    assert!(
        loaded["attrs"]["replaces"]
            .as_str()
            .unwrap()
            .starts_with("modbus-fire-panel@")
    );
    alarm_flows(&panel, &hub, 7).await;

    // A file that is not a component is refused with its path; the hub carries on.
    std::fs::write(plugins.join("broken.wasm"), b"\0asm not really").unwrap();
    let failure = wait_for(Duration::from_secs(10), || async {
        let h = hub.get("/api/v1/health").await.ok()?;
        h["driver_load_failures"].as_array()?.first().cloned()
    })
    .await
    .expect("the broken file is reported");
    assert!(
        failure["path"].as_str().unwrap().ends_with("broken.wasm"),
        "{failure}"
    );
    alarm_flows(&panel, &hub, 8).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flooding_driver_is_throttled_while_fire_alarms_arrive_within_a_second() {
    let t0 = Instant::now();
    let (panel, hub) = panel_and_hostile("flood").await;
    hub.wait_online("fp-1").await.unwrap();
    let report = hub
        .wait_event(
            "kind=driver.throttled&device=evil-1",
            Duration::from_secs(15),
            |_| true,
        )
        .await
        .unwrap();
    assert_eq!(report["level"], "yellow");
    assert!(report["attrs"]["dropped"].as_i64().unwrap() > 0, "{report}");
    assert!(
        report["attrs"]["over_per_call"].as_i64().unwrap() > 0,
        "{report}"
    );
    // The panel's alarms arrive within a second all along.
    for point in [2, 7, 11] {
        alarm_flows(&panel, &hub, point).await;
    }
    // What the flood got into the store is bounded by its quota (burst 5,000,
    // then 1,000/s), whatever it sent (40,000/s).
    let health = hub.get("/api/v1/health").await.unwrap();
    let stored = health["bus"]["next_seq"].as_u64().unwrap();
    let bound = 5000 + 1000 * t0.elapsed().as_secs() + 1000;
    assert!(stored <= bound, "{stored} events stored, bound {bound}");
    let metrics = hub.text("/metrics").await.unwrap();
    assert!(
        metrics.contains(
            "twinwall_events_throttled_total{driver=\"hostile-test-driver\",reason=\"rate\"}"
        ),
        "throttling is in the metrics"
    );
    // Kinds outside the table share one label.
    assert!(
        metrics.contains("kind=\"other\""),
        "no label per made-up kind"
    );
    assert!(!metrics.contains("kind=\"test.flood\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quarantined_device_is_let_go_when_its_time_ends_and_its_neighbour_never_stops() {
    let dir = tempfile::tempdir().unwrap();
    twinwall_tests::install_drivers(dir.path(), &["hostile-test-driver"]).unwrap();
    let body = format!(
        "{ZONES}{}{}",
        hostile("evil-1", "panic"),
        hostile("good-2", "calm")
    );
    let text = twinwall_tests::config_text("quarantine", &body).replace(
        "crash_window_s = 60\n",
        "crash_window_s = 60\nquarantine_s = 2\n",
    );
    let hub = TestHub::run(dir, text).await.unwrap();
    let first = hub
        .wait_event("kind=device.quarantined", Duration::from_secs(15), |e| {
            e["device"] == "evil-1"
        })
        .await
        .unwrap();
    assert_eq!(first["attrs"]["for_s"], 2);
    // Its neighbour on the same driver keeps reporting.
    heartbeats_resume(&hub, "good-2", 6, "the neighbour runs on").await;
    // The quarantine ends by itself; still panicking, it is held again.
    let released = hub
        .wait_event("kind=device.released", Duration::from_secs(10), |e| {
            e["device"] == "evil-1"
        })
        .await
        .unwrap();
    assert!(released["actor"].is_null());
    hub.wait_count(
        "kind=device.quarantined&device=evil-1",
        2,
        Duration::from_secs(15),
    )
    .await
    .expect("held again");
    assert!(
        hub.events("kind=driver.quarantined")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        hub.get("/api/v1/health").await.unwrap()["status"],
        "degraded"
    );
}
