//! P2 latency: from a device's frame to the event on an SSE client of the
//! API and on an MQTT subscriber (northbound bridge, a local Mosquitto), at
//! a sustained 5,000 events/s: 500 alarm hosts on one DC-09 port, each
//! report a fence zone of its own so every event is matched to its frame.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use twinwall_simulator::alarm_host::{AlarmHost, HostOptions};
use twinwall_tests::mqtt::{Broker, Inbox, subscriber};
use twinwall_tests::{TestHub, wait_for};

use super::report::Row;
use super::setup::{Size, median, quantile, thousands};

const HOSTS: usize = 500;
/// DC-09 code 131: perimeter.
const PERIMETER: u16 = 131;

/// Arrival instants by (device, zone number).
type Arrivals = Arc<Mutex<HashMap<(String, i64), Instant>>>;

fn key(e: &Value) -> Option<(String, i64)> {
    Some((
        e["device"].as_str()?.to_owned(),
        e["attrs"]["zone_number"].as_i64()?,
    ))
}

async fn sse(hub: &TestHub, arrivals: Arrivals) {
    let mut resp = hub
        .http
        .get(format!("{}/api/v1/events/stream?kind=perimeter.*", hub.url))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "the stream opens");
    tokio::spawn(async move {
        let mut buf = String::new();
        while let Ok(Some(chunk)) = resp.chunk().await {
            let now = Instant::now();
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find('\n') {
                let line: String = buf.drain(..=end).collect();
                if let Some(data) = line.strip_prefix("data:")
                    && let Ok(e) = serde_json::from_str::<Value>(data.trim())
                    && let Some(k) = key(&e)
                {
                    arrivals.lock().unwrap().entry(k).or_insert(now);
                }
            }
        }
    });
}

/// The first arrival of each matched event in an MQTT subscriber's inbox.
fn mqtt_arrivals(inbox: &Inbox) -> HashMap<(String, i64), Instant> {
    let mut at = HashMap::new();
    for (_, payload, when) in inbox.lock().unwrap().iter() {
        if let Ok(e) = serde_json::from_slice::<Value>(payload)
            && let Some(k) = key(&e)
        {
            at.entry(k).or_insert(*when);
        }
    }
    at
}

struct Run {
    sse: Vec<f64>,
    mqtt: Vec<f64>,
    rate: f64,
}

async fn run_once(broker: &Broker, rate: u64, secs: u64, run: usize) -> Run {
    // A site and MQTT client of each run's own: an earlier run's subscriber
    // with the same client id would take the session over.
    let site = format!("p2{}r{run}", std::process::id());
    let devices: String = (0..HOSTS)
        .map(|i| {
            format!(
                "[[devices]]\nid = \"ph-{i}\"\ndriver = \"perimeter\"\nprofile = \"perimeter/twinwall-ph1\"\nzone = \"perimeter\"\n\
                 address = \"127.0.0.1:9\"\noffline_after_ms = 600000\nsettings = {{ account = \"{:04X}\", zones = \"1=fence/a\" }}\n",
                0x1000 + i
            )
        })
        .collect();
    let hub = TestHub::start_site(
        &site,
        &["perimeter"],
        &format!(
            "[[zones]]\nid = \"perimeter\"\n[listen.ports]\ndc09 = \"127.0.0.1:0\"\n\
             [northbound]\nurl = \"mqtt://{}\"\n{devices}",
            broker.addr
        ),
    )
    .await
    .unwrap();
    let rx = hub.hub.port_addr("dc09").unwrap();
    let mut hosts = Vec::new();
    for i in 0..HOSTS {
        let mut o = HostOptions::new(&format!("{:04X}", 0x1000 + i), rx);
        o.supervision_s = 600;
        hosts.push(
            AlarmHost::start(&format!("ph-{i}"), "127.0.0.1:0".parse().unwrap(), o)
                .await
                .unwrap(),
        );
    }
    // Every host connected and heard: one report each (a restore of zone
    // 999, which the measured reports never use), acknowledged.
    for h in &hosts {
        h.report(3, PERIMETER, 1, 999);
    }
    wait_for(Duration::from_secs(60), || async {
        hosts.iter().all(|h| h.acked() > 0).then_some(())
    })
    .await
    .expect("every alarm host acknowledged");
    let sse_at: Arrivals = Arrivals::default();
    sse(&hub, sse_at.clone()).await;
    let (_client, inbox) = subscriber(
        broker.addr,
        &format!("p2-{site}"),
        &format!("twinwall/{site}/events/#"),
    )
    .await;

    // Paced: a tick every 10 ms, each sending its share round the hosts.
    let total = rate * secs;
    let per_tick = (rate / 100).max(1);
    let mut sent: HashMap<(String, i64), Instant> = HashMap::new();
    let t = Instant::now();
    let mut n = 0u64;
    let mut tick = 0u32;
    while n < total {
        tokio::time::sleep_until((t + Duration::from_millis(10) * tick).into()).await;
        tick += 1;
        for _ in 0..per_tick.min(total - n) {
            let host = (n % HOSTS as u64) as usize;
            // A zone of its own per report (1..=998), so events match frames.
            let zone = (n / HOSTS as u64 % 998 + 1) as u16;
            sent.insert((format!("ph-{host}"), i64::from(zone)), Instant::now());
            hosts[host].report(1, PERIMETER, 1, zone);
            n += 1;
        }
    }
    let achieved = total as f64 / t.elapsed().as_secs_f64();
    let complete = |a: &HashMap<(String, i64), Instant>| sent.keys().all(|k| a.contains_key(k));
    let mqtt_at = wait_for(Duration::from_secs(60), || async {
        // Read the inbox only once enough has arrived.
        let sse_done = complete(&sse_at.lock().unwrap());
        let enough = inbox.lock().unwrap().len() >= sent.len();
        if !(sse_done && enough) {
            return None;
        }
        let mqtt_at = mqtt_arrivals(&inbox);
        complete(&mqtt_at).then_some(mqtt_at)
    })
    .await
    .unwrap_or_else(|| {
        panic!(
            "of {} reports, {} reached SSE and {} MQTT",
            sent.len(),
            sse_at.lock().unwrap().len(),
            mqtt_arrivals(&inbox).len()
        )
    });
    let lat = |a: &HashMap<(String, i64), Instant>| -> Vec<f64> {
        sent.iter()
            .map(|(k, s)| a[k].saturating_duration_since(*s).as_secs_f64() * 1e3)
            .collect()
    };
    let run = Run {
        sse: lat(&sse_at.lock().unwrap()),
        mqtt: lat(&mqtt_at),
        rate: achieved,
    };
    hub.hub.stop().await;
    run
}

/// The P2 rows.
pub async fn run(size: Size) -> Vec<Row> {
    let broker = super::p8_burst::broker().await;
    let (rate, secs) = if size.quick { (500, 2) } else { (5_000, 10) };
    let mut runs = Vec::new();
    for run in 0..size.runs {
        let mut r = run_once(&broker, rate, secs, run).await;
        eprintln!(
            "  P2: {:.0} events/s; SSE p50 {:.1} p99 {:.1} ms; MQTT p50 {:.1} p99 {:.1} ms",
            r.rate,
            quantile(&mut r.sse, 0.5),
            quantile(&mut r.sse, 0.99),
            quantile(&mut r.mqtt, 0.5),
            quantile(&mut r.mqtt, 0.99)
        );
        runs.push(r);
    }
    let achieved = median(runs.iter().map(|r| r.rate).collect());
    let mut rows = Vec::new();
    for (what, pick) in [
        (
            "device frame → SSE client",
            (|r: &mut Run| &mut r.sse) as fn(&mut Run) -> &mut Vec<f64>,
        ),
        ("device frame → MQTT subscriber", |r: &mut Run| {
            &mut r.mqtt
        }),
    ] {
        let mut p = |q: f64| median(runs.iter_mut().map(|r| quantile(pick(r), q)).collect());
        let (p50, p99, max) = (p(0.5), p(0.99), p(1.0));
        rows.push(
            Row::new(
                "P2",
                format!(
                    "latency {what} at {} events/s sustained (DC-09, 500 hosts)",
                    thousands(achieved)
                ),
                format!("p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms"),
                p99,
                "ms",
            )
            .target("p99 ≤ 20 ms", p99 <= 20.0),
        );
    }
    rows
}
