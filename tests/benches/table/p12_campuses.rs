//! P12 several campuses: campus publishers (the hub's own JetStream
//! publisher, each on a sled log of its own) into a three-node nats-server
//! cluster with stream replicas 3, and the centre (`twinwall central`'s
//! `Central`) over their streams, all on this machine.
//!
//! - backlog at a campus: a hub linked again after an outage starts with
//!   its log full and drains it into its stream (the publisher's lag to 0);
//! - backlog at the centre: a centre started after the campuses' streams
//!   hold their events reads every one into its views;
//! - live: every campus stores events at a stated rate while the centre
//!   reads; each event's time from stored at the campus (its `time`) to
//!   taken into the centre's view, over every campus.

use std::time::{Duration, Instant};

use serde_json::json;
use twinwall_hub::bus::{Bus, FlushPolicy};
use twinwall_hub::central::config::SiteConfig;
use twinwall_hub::central::{Central, CentralConfig};
use twinwall_hub::northbound::jetstream::{self, Targets};
use twinwall_tests::nats::Cluster;
use twinwall_tests::wait_for;

use super::report::Row;
use super::setup::{self, Size, campus_event, median, quantile, thousands};

/// How big the runs are.
struct Plan {
    /// Events in the one campus's backlog.
    backlog: u64,
    /// Campuses at the centre.
    campuses: usize,
    /// Events in each campus's stream before the centre starts.
    per_campus: u64,
    /// Live traffic: events per second per campus, for how many seconds.
    /// The centre's lag window per campus is its last 1,000 events, so
    /// each step is at most 1,000 events per campus: every one is timed.
    live: [(u64, u64); 2],
}

impl Plan {
    fn new(size: Size) -> Plan {
        if size.quick {
            Plan {
                backlog: 2_000,
                campuses: 3,
                per_campus: 500,
                live: [(50, 4), (250, 2)],
            }
        } else {
            Plan {
                backlog: 50_000,
                campuses: 10,
                per_campus: 10_000,
                live: [(100, 10), (500, 2)],
            }
        }
    }
}

/// The nodes' own client ports: the campuses and the centre are not behind
/// the test support's forwarders (only the routes between nodes are).
pub(super) fn servers(cluster: &Cluster) -> Vec<String> {
    cluster.direct_urls()
}

/// Stream replicas, as a campus in a central cluster would have them.
pub(super) const REPLICAS: usize = 3;

/// nats-server nodes in the cluster.
const NODES: usize = 3;

/// One campus: its log and its publisher.
struct Campus {
    site: String,
    bus: Bus,
    status: jetstream::SharedStatus,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for Campus {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A campus log of `events` campus events, before any publisher runs.
async fn log(site: &str, events: u64) -> (Bus, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let bus = setup::site_bus(dir.path(), site, FlushPolicy::Interval(200));
    let mut acks = Vec::new();
    for chunk in (0..events).collect::<Vec<_>>().chunks(2_048) {
        acks.push(
            bus.submit_acked(chunk.iter().map(|i| campus_event(*i)).collect())
                .await
                .unwrap(),
        );
    }
    for a in acks {
        a.await.unwrap().unwrap();
    }
    (bus, dir)
}

/// The hub's publisher on `bus`, as `[jetstream] servers, replicas = 3`.
fn publish(site: &str, bus: Bus, dir: tempfile::TempDir, cluster: &Cluster) -> Campus {
    let cfg = serde_json::from_value(json!({
        "servers": servers(cluster),
        "replicas": REPLICAS,
        "pictures": false,
    }))
    .unwrap();
    let accounts = twinwall_hub::accounts::Accounts::open(dir.path()).unwrap();
    let targets = Targets {
        alarms: None,
        devices: setup::no_devices(&bus),
        accounts: std::sync::Arc::new(accounts),
    };
    let (status, task) = jetstream::spawn(cfg, site.to_owned(), bus.clone(), targets);
    Campus {
        site: site.to_owned(),
        bus,
        status,
        task,
        _dir: dir,
    }
}

/// Until every event of `c`'s log is acknowledged by its stream.
async fn drained(c: &Campus, within: Duration) {
    let done = wait_for(within, || async {
        let v = c.status.view(&c.bus);
        (v.connected && v.lag_events == 0).then_some(())
    })
    .await;
    assert!(
        done.is_some(),
        "campus {}: not drained: {:?}",
        c.site,
        c.status.view(&c.bus)
    );
}

/// A centre over `sites` only (earlier runs' streams are on the servers too).
pub(super) async fn centre(
    cluster: &Cluster,
    sites: &[String],
    id: &str,
) -> (Central, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let mut cfg = CentralConfig::with_servers(servers(cluster));
    cfg.central.http = "127.0.0.1:0".parse().unwrap();
    cfg.central.data_dir = data.path().to_owned();
    cfg.central.id = id.into();
    cfg.central.discover = false;
    cfg.sites = sites
        .iter()
        .map(|s| SiteConfig {
            id: s.clone(),
            name: None,
            domain: None,
            stream: None,
        })
        .collect();
    (Central::start(cfg).await.unwrap(), data)
}

/// Until the centre's view of each campus holds `next[i]` events.
pub(super) async fn centre_has(c: &Central, want: &[(String, u64)], within: Duration) {
    let done = wait_for(within, || async {
        want.iter()
            .all(|(site, next)| {
                c.shared
                    .site(site)
                    .and_then(|s| s.view.lock().ok()?.next_seq())
                    .is_some_and(|n| n >= *next)
            })
            .then_some(())
    })
    .await;
    assert!(
        done.is_some(),
        "the centre did not take in every campus's events"
    );
}

/// One campus's backlog drained: events/s.
async fn campus_backlog(cluster: &Cluster, plan: &Plan, run: usize) -> f64 {
    let site = format!("b{}r{run}", std::process::id());
    let (bus, dir) = log(&site, plan.backlog).await;
    let t = Instant::now();
    let c = publish(&site, bus, dir, cluster);
    drained(&c, Duration::from_secs(600)).await;
    plan.backlog as f64 / t.elapsed().as_secs_f64()
}

/// The limit of row 1 measured in the same run: the same messages (the
/// log's events as JSON, on the hub's subjects, with the hub's headers)
/// from a bare async-nats loop with as many acks in flight as the hub
/// allows (the load generator's campus), into a stream of the same
/// settings: events/s.
async fn bare_backlog(cluster: &Cluster, plan: &Plan, run: usize) -> f64 {
    let site = format!("n{}r{run}", std::process::id());
    let (bus, _dir) = log(&site, plan.backlog).await;
    let subjects = jetstream::subjects::Subjects::new("twinwall", &site);
    let messages: Vec<(String, u64, Vec<u8>)> = (0..plan.backlog)
        .map(|seq| {
            let e = bus.get(seq).unwrap().unwrap();
            (
                subjects.event(&e.body.zone, &e.body.kind),
                seq,
                e.to_json().to_string().into_bytes(),
            )
        })
        .collect();
    let t = Instant::now();
    let mut campus = super::p12_generated::Campus::start(cluster, site).await;
    for (subject, seq, payload) in messages {
        campus.publish_raw(subject, seq, payload).await;
    }
    campus.settle().await;
    plan.backlog as f64 / t.elapsed().as_secs_f64()
}

/// The same backlog through the hub's MQTT bridge to Mosquitto: events/s.
async fn mqtt_backlog(broker: &twinwall_tests::mqtt::Broker, plan: &Plan, run: usize) -> f64 {
    let site = format!("m{}r{run}", std::process::id());
    let (bus, _dir) = log(&site, plan.backlog).await;
    let cfg = serde_json::from_value(json!({ "url": format!("mqtt://{}", broker.addr) })).unwrap();
    let t = Instant::now();
    let (status, bridge) =
        twinwall_hub::northbound::spawn(cfg, site.clone(), bus.clone(), setup::no_devices(&bus));
    let done = wait_for(Duration::from_secs(600), || async {
        let v = status.view(&bus);
        (v.connected && v.lag_events == 0).then_some(())
    })
    .await;
    let rate = plan.backlog as f64 / t.elapsed().as_secs_f64();
    bridge.abort();
    assert!(
        done.is_some(),
        "the MQTT bridge did not drain: {:?}",
        status.view(&bus)
    );
    rate
}

/// Campuses' streams filled, then a centre started: events/s it takes in.
async fn centre_backlog(cluster: &Cluster, plan: &Plan, run: usize) -> f64 {
    let mut campuses = Vec::new();
    for i in 0..plan.campuses {
        let site = format!("c{}r{run}s{i}", std::process::id());
        let (bus, dir) = log(&site, plan.per_campus).await;
        campuses.push(publish(&site, bus, dir, cluster));
    }
    for c in &campuses {
        drained(c, Duration::from_secs(600)).await;
    }
    let sites: Vec<String> = campuses.iter().map(|c| c.site.clone()).collect();
    let want: Vec<(String, u64)> = sites.iter().map(|s| (s.clone(), plan.per_campus)).collect();
    let t = Instant::now();
    let (c, _data) = centre(cluster, &sites, &format!("backlog{run}")).await;
    centre_has(&c, &want, Duration::from_secs(600)).await;
    let rate = (plan.campuses as u64 * plan.per_campus) as f64 / t.elapsed().as_secs_f64();
    let held: u64 = c
        .shared
        .all()
        .iter()
        .map(|s| s.held.load(std::sync::atomic::Ordering::Relaxed))
        .sum();
    eprintln!("  P12: centre backlog: {held} messages held for a gap");
    rate
}

/// Live traffic at `rate` per campus for `secs`: every event's lag, ms.
async fn live(cluster: &Cluster, plan: &Plan, (rate, secs): (u64, u64), run: usize) -> Vec<f64> {
    let mut campuses = Vec::new();
    for i in 0..plan.campuses {
        let site = format!("l{}x{rate}r{run}s{i}", std::process::id());
        let (bus, dir) = log(&site, 0).await;
        campuses.push(publish(&site, bus, dir, cluster));
    }
    let sites: Vec<String> = campuses.iter().map(|c| c.site.clone()).collect();
    let (c, _data) = centre(cluster, &sites, &format!("live{rate}x{run}")).await;
    for campus in &campuses {
        wait_for(Duration::from_secs(30), || async {
            campus.status.view(&campus.bus).connected.then_some(())
        })
        .await
        .expect("the campus connects");
    }
    // And the centre reads every campus's stream: what is timed is the
    // path of an event, not a consumer being made.
    centre_reads(&c, &sites).await;
    // Each campus stores one event every 1/rate s, the campuses' ticks
    // spread over the interval.
    let tick = Duration::from_secs_f64(1.0 / rate as f64);
    let events = rate * secs;
    let mut feeders = Vec::new();
    for (n, campus) in campuses.iter().enumerate() {
        let bus = campus.bus.clone();
        let offset = tick * n as u32 / plan.campuses as u32;
        feeders.push(tokio::spawn(async move {
            let start = tokio::time::Instant::now() + offset;
            for i in 0..events {
                tokio::time::sleep_until(start + tick * i as u32).await;
                bus.submit(vec![campus_event(i)]).await.unwrap();
            }
        }));
    }
    for f in feeders {
        f.await.unwrap();
    }
    lags_once_in(&c, &sites, events).await
}

/// Once the centre holds `events` of every campus of `sites`: the lag of
/// each of their last events (its window), ms.
pub(super) async fn lags_once_in(c: &Central, sites: &[String], events: u64) -> Vec<f64> {
    let want: Vec<(String, u64)> = sites.iter().map(|s| (s.clone(), events)).collect();
    centre_has(c, &want, Duration::from_secs(120)).await;
    let mut lags = Vec::new();
    for s in sites {
        let site = c.shared.site(s).unwrap();
        let view = site.view.lock().unwrap();
        lags.extend(view.lags().map(|l| l as f64));
    }
    lags
}

/// Until the centre reads every campus of `sites`.
pub(super) async fn centre_reads(c: &Central, sites: &[String]) {
    for s in sites {
        wait_for(Duration::from_secs(60), || async {
            c.shared
                .site(s)?
                .connected
                .load(std::sync::atomic::Ordering::Relaxed)
                .then_some(())
        })
        .await
        .expect("the centre reads the campus");
    }
}

/// A centre's intake over runs, against the goal.
pub(super) fn intake_row(what: String, runs: &[f64]) -> Row {
    let i = median(runs.to_vec());
    Row::new(
        "P12",
        what,
        format!("{} events/s {}", thousands(i), spread(runs, "events/s")),
        i,
        "events/s",
    )
    .target("≥ 100,000 events/s", i >= 100_000.0)
}

/// Campus → centre latency over runs: the median p50 and p99.
pub(super) fn latency_row(what: String, p50: Vec<f64>, p99: &[f64]) -> Row {
    let b = median(p99.to_vec());
    Row::new(
        "P12",
        what,
        format!("{:.0} / {b:.0} ms {}", median(p50), spread(p99, "ms p99")),
        b,
        "ms",
    )
    .target("p99 ≤ 100 ms", b <= 100.0)
}

/// `(runs lo–hi unit)`.
pub(super) fn spread(v: &[f64], unit: &str) -> String {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("(runs {}–{} {unit})", thousands(lo), thousands(hi))
}

/// The P12 rows.
pub async fn run(size: Size) -> Vec<Row> {
    let plan = Plan::new(size);
    let cluster = Cluster::start(NODES).await;
    let broker = super::p8_burst::broker().await;
    let mut drain = Vec::new();
    let mut mqtt = Vec::new();
    let mut bare = Vec::new();
    let mut intake = Vec::new();
    // Per live step: p50s, p99s and events timed, one of each per run.
    let mut lag: Vec<(Vec<f64>, Vec<f64>, usize)> = vec![Default::default(); plan.live.len()];
    for r in 0..size.runs {
        let d = campus_backlog(&cluster, &plan, r).await;
        let m = mqtt_backlog(&broker, &plan, r).await;
        let n = bare_backlog(&cluster, &plan, r).await;
        let i = centre_backlog(&cluster, &plan, r).await;
        eprintln!(
            "  P12: campus backlog {d:.0} events/s (bare {n:.0}, MQTT {m:.0}), centre backlog {i:.0} events/s"
        );
        for (step, out) in plan.live.iter().zip(lag.iter_mut()) {
            let mut lags = live(&cluster, &plan, *step, r).await;
            let (a, b) = (quantile(&mut lags, 0.5), quantile(&mut lags, 0.99));
            eprintln!(
                "  P12: live {}/s per campus: p50 {a:.0} ms p99 {b:.0} ms over {}",
                step.0,
                lags.len()
            );
            out.0.push(a);
            out.1.push(b);
            out.2 = lags.len();
        }
        drain.push(d);
        mqtt.push(m);
        bare.push(n);
        intake.push(i);
    }
    let d = median(drain.clone());
    let mut rows = vec![
        Row::new(
            "P12",
            format!(
                "campus backlog after an outage: one hub's publisher drains {} stored events into a {NODES}-node cluster (replicas {REPLICAS})",
                thousands(plan.backlog as f64)
            ),
            format!(
                "{} events/s {}; {:.0} % of a bare async-nats publisher of the same messages ({} events/s)",
                thousands(d),
                spread(&drain, "events/s"),
                100.0 * d / median(bare.clone()),
                thousands(median(bare.clone()))
            ),
            d,
            "events/s",
        ),
        Row::new(
            "P12",
            "the same backlog through the hub's MQTT bridge to Mosquitto (QoS 1), for comparison",
            format!(
                "{} events/s {}",
                thousands(median(mqtt.clone())),
                spread(&mqtt, "events/s")
            ),
            median(mqtt.clone()),
            "events/s",
        ),
        intake_row(
            format!(
                "centre backlog: a centre started over {} campuses' streams of {} events each takes all in",
                plan.campuses,
                thousands(plan.per_campus as f64)
            ),
            &intake,
        ),
    ];
    for ((rate, secs), (p50, p99, timed)) in plan.live.iter().zip(lag) {
        rows.push(latency_row(
            format!(
                "campus → centre at {} events/s in all ({} campuses × {rate}/s, {secs} s): p50 / p99 over {} events",
                thousands((rate * plan.campuses as u64) as f64),
                plan.campuses,
                thousands(timed as f64)
            ),
            p50,
            &p99,
        ));
    }
    rows.extend(super::p12_generated::rows(&cluster, size).await);
    rows
}
