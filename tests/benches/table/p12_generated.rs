//! P12 at the scale of a province: 100 campuses played by a load generator
//! that publishes exactly as a hub does (the hub's subjects, `Nats-Msg-Id`
//! and `Nats-Expected-Last-Sequence` headers, the event JSON of the hub's
//! own `Event::to_json`, 256 acks in flight), each campus on a NATS
//! connection of its own, into the same cluster; the centre over them.

use std::future::IntoFuture;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use futures_util::stream::FuturesOrdered;
use futures_util::{FutureExt, StreamExt};
use twinwall_hub::bus::Event;
use twinwall_hub::northbound::jetstream::subjects::{Subjects, stream_name};
use twinwall_tests::nats::Cluster;

use super::p12_campuses::{
    REPLICAS, centre, centre_has, centre_reads, intake_row, lags_once_in, latency_row, servers,
};
use super::report::Row;
use super::setup::{Size, campus_event, quantile, thousands};

/// Acks awaited at once per campus, as the hub's default `max_inflight`.
const IN_FLIGHT: usize = 256;

type Ack = BoxFuture<'static, Result<async_nats::jetstream::publish::PublishAck, String>>;

/// One generated campus: a connection and a stream as a hub has them.
pub(super) struct Campus {
    site: String,
    subjects: Subjects,
    js: async_nats::jetstream::Context,
    next_seq: u64,
    stream_last: u64,
    pending: FuturesOrdered<Ack>,
}

impl Campus {
    /// Its connection and its stream, made as the hub makes it.
    pub(super) async fn start(cluster: &Cluster, site: String) -> Campus {
        let addrs: Vec<async_nats::ServerAddr> = servers(cluster)
            .iter()
            .map(|u| u.parse().unwrap())
            .collect();
        let client = async_nats::connect(addrs).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let subjects = Subjects::new("twinwall", &site);
        js.get_or_create_stream(async_nats::jetstream::stream::Config {
            name: stream_name(&site),
            subjects: vec![subjects.events_filter()],
            num_replicas: REPLICAS,
            duplicate_window: Duration::from_secs(600),
            ..Default::default()
        })
        .await
        .unwrap();
        Campus {
            site,
            subjects,
            js,
            next_seq: 0,
            stream_last: 0,
            pending: FuturesOrdered::new(),
        }
    }

    /// The next event, stored now.
    async fn publish(&mut self) {
        let seq = self.next_seq;
        let e = Event {
            seq,
            time_ms: twinwall_hub::bus::now_ms(),
            site: self.site.clone(),
            body: campus_event(seq),
        };
        let subject = self.subjects.event(&e.body.zone, &e.body.kind);
        self.publish_raw(subject, seq, e.to_json().to_string().into_bytes())
            .await;
        self.next_seq += 1;
    }

    /// Event `seq` as `payload` on `subject`, with the hub's headers.
    pub(super) async fn publish_raw(&mut self, subject: String, seq: u64, payload: Vec<u8>) {
        if self.pending.len() >= IN_FLIGHT {
            self.pending.next().await.unwrap().unwrap();
        }
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", format!("{}:{seq}", self.site).as_str());
        headers.insert(
            "Nats-Expected-Last-Sequence",
            self.stream_last.to_string().as_str(),
        );
        let ack = self
            .js
            .publish_with_headers(subject, headers, payload.into())
            .await
            .unwrap();
        self.pending.push_back(
            ack.into_future()
                .map(|r| r.map_err(|e| e.to_string()))
                .boxed(),
        );
        self.stream_last += 1;
    }

    /// Until every publish is acknowledged.
    pub(super) async fn settle(&mut self) {
        while let Some(a) = self.pending.next().await {
            a.unwrap();
        }
    }
}

/// How big the runs are.
struct Plan {
    campuses: usize,
    per_campus: u64,
    /// Events per second per campus, live, for how many seconds.
    live: (u64, u64),
}

impl Plan {
    fn new(size: Size) -> Plan {
        if size.quick {
            Plan {
                campuses: 10,
                per_campus: 100,
                live: (5, 4),
            }
        } else {
            Plan {
                campuses: 100,
                per_campus: 1_000,
                live: (20, 10),
            }
        }
    }
}

async fn campuses(cluster: &Cluster, plan: &Plan, tag: &str) -> Vec<Campus> {
    let mut out = Vec::new();
    for i in 0..plan.campuses {
        out.push(Campus::start(cluster, format!("g{}{tag}s{i}", std::process::id())).await);
    }
    out
}

/// Streams filled by the generator, then a centre started: events/s it takes in.
async fn backlog(cluster: &Cluster, plan: &Plan, run: usize) -> f64 {
    let mut all = campuses(cluster, plan, &format!("b{run}")).await;
    let fills: Vec<_> = all
        .drain(..)
        .map(|mut c| {
            let n = plan.per_campus;
            tokio::spawn(async move {
                for _ in 0..n {
                    c.publish().await;
                }
                c.settle().await;
                c
            })
        })
        .collect();
    for f in fills {
        all.push(f.await.unwrap());
    }
    let sites: Vec<String> = all.iter().map(|c| c.site.clone()).collect();
    let want: Vec<(String, u64)> = sites.iter().map(|s| (s.clone(), plan.per_campus)).collect();
    let t = Instant::now();
    let (c, _data) = centre(cluster, &sites, &format!("gbacklog{run}")).await;
    centre_has(&c, &want, Duration::from_secs(600)).await;
    (plan.campuses as u64 * plan.per_campus) as f64 / t.elapsed().as_secs_f64()
}

/// Every campus publishing at its rate while the centre reads: each
/// event's lag, ms.
async fn live(cluster: &Cluster, plan: &Plan, run: usize) -> Vec<f64> {
    let all = campuses(cluster, plan, &format!("l{run}")).await;
    let sites: Vec<String> = all.iter().map(|c| c.site.clone()).collect();
    let (c, _data) = centre(cluster, &sites, &format!("glive{run}")).await;
    centre_reads(&c, &sites).await;
    let (rate, secs) = plan.live;
    let tick = Duration::from_secs_f64(1.0 / rate as f64);
    let events = rate * secs;
    let n = plan.campuses as u32;
    let feeders: Vec<_> = all
        .into_iter()
        .enumerate()
        .map(|(i, mut campus)| {
            tokio::spawn(async move {
                let start = tokio::time::Instant::now() + tick * i as u32 / n;
                for k in 0..events {
                    tokio::time::sleep_until(start + tick * k as u32).await;
                    campus.publish().await;
                }
                campus.settle().await;
            })
        })
        .collect();
    for f in feeders {
        f.await.unwrap();
    }
    lags_once_in(&c, &sites, events).await
}

/// The rows of the generated campuses.
pub async fn rows(cluster: &Cluster, size: Size) -> Vec<Row> {
    let plan = Plan::new(size);
    let mut intake = Vec::new();
    let (mut p50, mut p99, mut timed) = (Vec::new(), Vec::new(), 0);
    for r in 0..size.runs {
        let i = backlog(cluster, &plan, r).await;
        let mut lags = live(cluster, &plan, r).await;
        let (a, b) = (quantile(&mut lags, 0.5), quantile(&mut lags, 0.99));
        eprintln!(
            "  P12: {} generated campuses: centre backlog {i:.0} events/s, live p50 {a:.0} ms p99 {b:.0} ms over {}",
            plan.campuses,
            lags.len()
        );
        intake.push(i);
        p50.push(a);
        p99.push(b);
        timed = lags.len();
    }
    let (rate, secs) = plan.live;
    vec![
        intake_row(
            format!(
                "centre backlog: {} campuses from a load generator that publishes as a hub does, {} events each",
                plan.campuses,
                thousands(plan.per_campus as f64)
            ),
            &intake,
        ),
        latency_row(
            format!(
                "the same {} campuses live at {} events/s in all ({rate}/s each, {secs} s): campus → centre p50 / p99 over {} events",
                plan.campuses,
                thousands((rate * plan.campuses as u64) as f64),
                thousands(timed as f64)
            ),
            p50,
            &p99,
        ),
    ]
}
