//! P8 burst: one incident, every device of a building raising at once: 5,000
//! events handed to the bus within 100 ms. How long until all are stored
//! (acknowledged, red ones fsynced) and until all are on an MQTT subscriber
//! through the northbound bridge and a real broker.

use std::time::{Duration, Instant};

use serde_json::json;
use twinwall_hub::bus::{FlushPolicy, Level};
use twinwall_tests::mqtt::{Broker, event_subscriber, seqs};
use twinwall_tests::wait_for;

use super::report::Row;
use super::setup::{self, Size, campus_event, median};

const EVENTS: u64 = 5_000;
const SPREAD: Duration = Duration::from_millis(100);
const CHUNKS: u64 = 50;

async fn burst(broker: &Broker, run: usize) -> (f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let bus = setup::bus(dir.path(), FlushPolicy::Interval(200));
    let site = format!("bench{}r{run}", std::process::id());
    let devices = setup::no_devices(&bus);
    let cfg = serde_json::from_value(json!({ "url": format!("mqtt://{}", broker.addr) })).unwrap();
    let (status, bridge) = twinwall_hub::northbound::spawn(cfg, site.clone(), bus.clone(), devices);
    wait_for(Duration::from_secs(10), || async {
        status.view(&bus).connected.then_some(())
    })
    .await
    .expect("the bridge connects");
    let (_client, inbox) = event_subscriber(broker.addr, &site).await;
    let start = bus.next_seq();
    let t = Instant::now();
    let mut acks = Vec::new();
    for c in 0..CHUNKS {
        let per = EVENTS / CHUNKS;
        // A building's detectors: fire alarms (red, fsynced) among the rest.
        let chunk = (c * per..(c + 1) * per)
            .map(|i| {
                let e = campus_event(i * 20);
                if i % 5 == 0 { e.level(Level::Red) } else { e }
            })
            .collect();
        acks.push(bus.submit_acked(chunk).await.unwrap());
        tokio::time::sleep_until((t + SPREAD * (c as u32 + 1) / CHUNKS as u32).into()).await;
    }
    for a in acks {
        a.await.unwrap().unwrap();
    }
    let stored = t.elapsed().as_secs_f64() * 1e3;
    wait_for(Duration::from_secs(60), || async {
        let got: std::collections::HashSet<u64> =
            seqs(&inbox).into_iter().filter(|s| *s >= start).collect();
        (got.len() as u64 >= EVENTS).then_some(())
    })
    .await
    .unwrap_or_else(|| {
        let got: std::collections::HashSet<u64> =
            seqs(&inbox).into_iter().filter(|s| *s >= start).collect();
        panic!(
            "{} of {EVENTS} events reached the subscriber; bridge: {:?}",
            got.len(),
            status.view(&bus)
        )
    });
    let on_mqtt = t.elapsed().as_secs_f64() * 1e3;
    bridge.abort();
    (stored, on_mqtt)
}

/// A broker of the benchmark's own, so that the figures do not depend on
/// the machine's limits: Mosquitto's default queue (1,000 messages per
/// subscriber) drops part of a 5,000-event burst for a subscriber that
/// acknowledges one message at a time.
pub async fn broker() -> Broker {
    Broker::start(&["max_queued_messages 100000", "max_inflight_messages 1000"]).await
}

/// The P8 rows.
pub async fn run(size: Size) -> Vec<Row> {
    let broker = broker().await;
    let runs: Vec<(f64, f64)> = {
        let mut v = Vec::new();
        for r in 0..size.runs {
            let (s, m) = burst(&broker, r).await;
            eprintln!("  P8: stored after {s:.0} ms, on MQTT after {m:.0} ms");
            v.push((s, m));
        }
        v
    };
    let stored = median(runs.iter().map(|r| r.0).collect());
    let mqtt = median(runs.iter().map(|r| r.1).collect());
    vec![
        Row::new(
            "P8",
            "burst: 5,000 events within 100 ms (a building at once) → all stored",
            format!("{stored:.0} ms"),
            stored,
            "ms",
        ),
        Row::new(
            "P8",
            "the same burst → all on an MQTT subscriber (northbound bridge, Mosquitto)",
            format!("{mqtt:.0} ms"),
            mqtt,
            "ms",
        ),
    ]
}
