//! A store that takes no writes (a full disk, a failing device, here as an
//! injected write failure): the hub says so, refuses operator actions it
//! could not record, holds what it was handed and stores all of it, in
//! order, once writes succeed again.

use std::time::Duration;

use serde_json::Value;
use twinwall_hub::bus::NewEvent;
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::{TestHub, panel_device, wait_for};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_store_taking_no_writes_refuses_commands_and_loses_nothing() {
    let panel = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 16)
        .await
        .unwrap();
    let dev = panel_device(
        "fp-1",
        "campus",
        panel.addr(),
        "settings = { points = 16, allow_commands = \"reset\" }",
    );
    let hub = TestHub::start(&["modbus-fire-panel"], &format!("{ZONES}{dev}"))
        .await
        .unwrap();
    hub.wait_online("fp-1").await.unwrap();
    let bus = hub.hub.bus().clone();
    bus.inject_write_failures(u64::MAX);

    // Producers keep handing events over; each waits for its commit.
    let producer = {
        let bus = bus.clone();
        tokio::spawn(async move {
            let mut seqs = Vec::new();
            for n in 0..20i64 {
                let e = NewEvent::new("test.tick", "campus").attr("n", n);
                seqs.extend(bus.append(vec![e]).await.expect("acknowledged"));
            }
            seqs
        })
    };
    // A fire alarm during the outage.
    panel.with_state(|s| s.alarm(5));

    let health_url = format!("{}/api/v1/health", hub.url);
    let sick: Value = wait_for(Duration::from_secs(10), || async {
        let r = hub.http.get(&health_url).send().await.ok()?;
        (r.status() == 503).then_some(())?;
        r.json().await.ok()
    })
    .await
    .expect("health turns unhealthy");
    assert_eq!(sick["status"], "unhealthy");
    assert!(
        sick["bus"]["write_error"]
            .as_str()
            .unwrap()
            .contains("injected"),
        "{sick}"
    );
    // Operator actions are refused loudly, by the API and for any caller.
    let (status, body) = hub.command("fp-1", "reset").await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("event store"),
        "{body}"
    );
    let direct = hub
        .hub
        .devices()
        .command("fp-1", "reset", "{}", "test")
        .await
        .unwrap_err();
    assert!(direct.to_string().contains("not sent"), "{direct}");
    assert_eq!(
        panel.with_state(|s| s.counters[0]),
        0,
        "no reset reached the panel"
    );
    assert!(
        !producer.is_finished(),
        "nothing is acknowledged while nothing is stored"
    );

    // The disk is back.
    bus.inject_write_failures(0);
    let seqs = tokio::time::timeout(Duration::from_secs(30), producer)
        .await
        .expect("held events are stored once writes succeed")
        .unwrap();
    assert_eq!(seqs.len(), 20);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let ticks = hub.events("kind=test.tick").await.unwrap();
    let ns: Vec<i64> = ticks
        .iter()
        .map(|e| e["attrs"]["n"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ns,
        (0..20).collect::<Vec<_>>(),
        "every acknowledged event, in order"
    );
    hub.wait_event("kind=fire.alarm", Duration::from_secs(10), |e| {
        e["phase"] == "begin" && e["attrs"]["point"] == 5
    })
    .await
    .expect("the alarm raised during the outage is stored");
    // The whole log has no gap and no duplicate.
    let all = hub.events("").await.unwrap();
    let seq: Vec<u64> = all.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seq.windows(2).all(|w| w[1] == w[0] + 1), "{seq:?}");
    let r = hub.http.get(&health_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let healthy: Value = r.json().await.unwrap();
    assert!(healthy["bus"]["write_failures"].as_u64().unwrap() >= 1);
    assert!(healthy["bus"]["write_error"].is_null());
    let metrics = hub.text("/metrics").await.unwrap();
    assert!(
        metrics.contains("twinwall_bus_write_failures_total"),
        "in metrics"
    );
}
