//! End to end: simulated fire panels over Modbus TCP, the real
//! modbus-fire-panel wasm driver, the hub's bus and HTTP API.

use std::time::{Duration, Instant};

use twinwall_simulator::fire_panel::{Fault, FirePanel};
use twinwall_tests::{TestHub, panel_device, wait_for};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"chem-north\"\nname = \"化学北楼\"\nparent = \"campus\"\nrisk = \"orange\"\n";

async fn panel_and_hub(allow: &str) -> (FirePanel, TestHub) {
    let panel = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 16)
        .await
        .unwrap();
    let dev = panel_device(
        "fp-1",
        "chem-north",
        panel.addr(),
        &format!("settings = {{ points = 16, allow_commands = \"{allow}\" }}"),
    );
    let hub = TestHub::start(&["modbus-fire-panel"], &format!("{ZONES}{dev}"))
        .await
        .unwrap();
    // Ready when the hub has heard from the panel.
    hub.wait_online("fp-1").await.unwrap();
    (panel, hub)
}

#[tokio::test(flavor = "multi_thread")]
async fn alarm_on_point_3_reaches_the_api_within_a_second_and_reset_clears_it() {
    let (panel, hub) = panel_and_hub("reset,silence").await;
    let raised = Instant::now();
    panel.with_state(|s| s.alarm(3));
    let alarm = hub
        .wait_event("kind=fire.alarm", Duration::from_secs(1), |e| {
            e["phase"] == "begin"
        })
        .await
        .expect("fire.alarm begin within 1 s");
    let took = raised.elapsed();
    assert_eq!(alarm["zone"], "campus/chem-north");
    assert_eq!(alarm["device"], "fp-1");
    assert_eq!(alarm["attrs"]["point"], 3);
    assert_eq!(alarm["level"], "red");
    assert_eq!(alarm["attrs"]["component"], "smoke detector");
    eprintln!("alarm reached the API after {took:?}");

    // The operator resets the panel through the hub.
    let (status, body) = hub.command("fp-1", "reset").await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(
        panel.with_state(|s| s.counters[0]) == 1,
        "the reset reached the panel"
    );
    assert!(!panel.with_state(|s| s.leds()[0]), "the fire LED is off");
    let end = hub
        .wait_event("kind=fire.alarm", Duration::from_secs(3), |e| {
            e["phase"] == "end"
        })
        .await
        .unwrap();
    assert_eq!(end["attrs"]["point"], 3);
    hub.wait_event("kind=fire.panel", Duration::from_secs(3), |e| {
        e["attrs"]["action"] == "reset"
    })
    .await
    .unwrap();
    // The operator action is in the audit trail with who did it.
    let audit = hub
        .wait_event("kind=device.command", Duration::from_secs(3), |e| {
            e["attrs"]["result"] != "requested"
        })
        .await
        .unwrap();
    assert_eq!(
        (
            audit["actor"]
                .as_str()
                .map(|a| a.starts_with("test admin#")),
            audit["attrs"]["command"].as_str(),
            audit["attrs"]["result"].as_str()
        ),
        (Some(true), Some("reset"), Some("ok"))
    );
    // The intent was stored before the command went out, under the same
    // correlation as its outcome.
    let both = hub.events("kind=device.command").await.unwrap();
    assert_eq!(both.len(), 2, "{both:?}");
    assert_eq!(both[0]["attrs"]["result"], "requested");
    assert_eq!(both[0]["correlation"], both[1]["correlation"]);
    assert!(both[0]["seq"].as_u64() < both[1]["seq"].as_u64());
    // Exactly one begin and one end: no duplicates from repeated polls.
    assert_eq!(hub.events("kind=fire.alarm").await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_are_refused_clearly_and_change_nothing() {
    let (panel, hub) = panel_and_hub("silence").await;
    let (status, body) = hub.command("fp-1", "reset").await.unwrap();
    assert_eq!(status, 403, "{body}");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("fp-1") && msg.contains("allow_commands"),
        "{msg}"
    );
    assert_eq!(
        panel.with_state(|s| s.counters[0]),
        0,
        "nothing reached the panel"
    );
    let (status, body) = hub.command("fp-1", "self-destruct").await.unwrap();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("unknown-command"))
    );
    let (status, _) = hub.command("no-such-panel", "reset").await.unwrap();
    assert_eq!(status, 404);
    // A malformed body names the device and the problem.
    let r = hub
        .http
        .post(format!("{}/api/v1/devices/fp-1/commands", hub.url))
        .header("content-type", "application/json")
        .body("{\"cmd\":1}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // Allowed: silence works and reaches the panel.
    let (status, body) = hub.command("fp-1", "silence").await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(panel.with_state(|s| s.counters[1]), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_or_unreachable_panel_goes_offline_and_recovers() {
    let (panel, hub) = panel_and_hub("").await;
    assert_eq!(hub.device("fp-1").await.unwrap()["state"], "online");
    // Connected but never answering is not online.
    panel.fault(Fault::Silent);
    let off = hub
        .wait_event(
            "kind=device.offline&device=fp-1",
            Duration::from_secs(6),
            |_| true,
        )
        .await
        .unwrap();
    assert_eq!(off["level"], "orange");
    assert_eq!(hub.device("fp-1").await.unwrap()["state"], "offline");
    panel.fault(Fault::Clear);
    let online_events = || async {
        hub.events("kind=device.online&device=fp-1")
            .await
            .ok()
            .filter(|v| v.len() >= 2)
    };
    wait_for(Duration::from_secs(15), online_events)
        .await
        .expect("back online without operator action");
    // Unreachable (connections refused and cut), then back.
    panel.fault(Fault::Down);
    hub.wait_count("kind=device.offline&device=fp-1", 2, Duration::from_secs(8))
        .await
        .expect("offline again");
    let (status, body) = hub.command("fp-1", "reset").await.unwrap();
    assert!(status == 403, "refused by config before the wire: {body}");
    panel.fault(Fault::Clear);
    hub.wait_count("kind=device.online&device=fp-1", 3, Duration::from_secs(15))
        .await
        .expect("online again");
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_frames_exceptions_and_drops_lose_no_state() {
    let (panel, hub) = panel_and_hub("").await;
    panel.with_state(|s| s.alarm(5));
    hub.wait_event("kind=fire.alarm", Duration::from_secs(3), |e| {
        e["attrs"]["point"] == 5
    })
    .await
    .unwrap();
    for f in [Fault::Malformed, Fault::Exception { code: 4 }, Fault::Drop] {
        panel.fault(f);
        // While the link misbehaves, the panel's state does not change...
        tokio::time::sleep(Duration::from_millis(700)).await;
        panel.fault(Fault::Clear);
    }
    // ...so after recovery nothing was invented: still one alarm begin, no end.
    panel.with_state(|s| s.set_fault(6, true));
    hub.wait_event("kind=fire.fault", Duration::from_secs(10), |e| {
        e["attrs"]["point"] == 6
    })
    .await
    .unwrap();
    let alarms = hub.events("kind=fire.alarm").await.unwrap();
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    assert_eq!(hub.device("fp-1").await.unwrap()["state"], "online");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_group_brings_every_panel_online_with_its_overrides() {
    let mut panels = Vec::new();
    for i in 1..=3 {
        panels.push(
            FirePanel::start(&format!("fp-{i}"), "127.0.0.1:0".parse().unwrap(), 16)
                .await
                .unwrap(),
        );
    }
    let list: Vec<String> = panels.iter().map(|p| format!("\"{}\"", p.addr())).collect();
    let group = format!(
        "[[device_groups]]\nid = \"fp-group-{{n}}\"\naddresses = [{}]\ndriver = \"modbus-fire-panel\"\n\
         profile = \"fire-panel/twinwall-fp1\"\nzone = \"chem-north\"\noffline_after_ms = 1500\n\
         settings = {{ points = 16, poll_ms = 200, counters = false }}\n",
        list.join(", ")
    );
    let hub = TestHub::start(&["modbus-fire-panel"], &format!("{ZONES}{group}"))
        .await
        .unwrap();
    for i in 1..=3 {
        hub.wait_online(&format!("fp-group-{i}")).await.unwrap();
    }
    panels[1].with_state(|s| s.alarm(5));
    let alarm = hub
        .wait_event("kind=fire.alarm", Duration::from_secs(2), |e| {
            e["phase"] == "begin"
        })
        .await
        .unwrap();
    assert_eq!(alarm["device"], "fp-group-2");
    assert_eq!(alarm["attrs"]["point"], 5);
    // /metrics shows each poll's configured and achieved rate: 5 per second
    // from the group's poll_ms = 200.
    let gauge = |text: &str, name: &str| -> Option<f64> {
        let key = format!("{name}{{device=\"fp-group-1\",poll=\"points-0\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(key.as_str()))?
            .trim()
            .parse()
            .ok()
    };
    let text = hub.text("/metrics").await.unwrap();
    assert_eq!(
        gauge(&text, "twinwall_poll_configured_per_second"),
        Some(5.0),
        "{text}"
    );
    let achieved = twinwall_tests::wait_for(Duration::from_secs(10), || async {
        let text = hub.text("/metrics").await.ok()?;
        gauge(&text, "twinwall_poll_achieved_per_second").filter(|r| (4.0..6.0).contains(r))
    })
    .await;
    assert!(achieved.is_some(), "polls keep their rate");
    assert!(
        !hub.text("/metrics")
            .await
            .unwrap()
            .contains("device=\"fp-group-1\",poll=\"counters\""),
        "counters left out"
    );
}
