//! P10 alarms: a hub whose log holds 100,000 open alarms among ten million
//! events. Started three times on that data folder: from start to the
//! alarm book caught up (the rebuild), then through the API the first page
//! of the wall and acknowledgements, each timed one request at a time.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use twinwall_hub::bus::{FlushPolicy, Level, NewEvent, Phase};

use super::report::Row;
use super::setup::{self, Size, median, quantile, thousands};

/// The open alarms and the events around them.
fn sizes(size: Size) -> (u64, u64) {
    if size.quick {
        (2_000, 20_000)
    } else {
        (100_000, size.p6_events)
    }
}

fn alarm(i: u64) -> NewEvent {
    let mut e = NewEvent::new(
        "fire.alarm",
        &format!("campus/b{:02}/f{}", i % 20, (i / 20) % 5),
    )
    .device(&format!("fp-{:05}", i / 64))
    .level(if i.is_multiple_of(10) {
        Level::Red
    } else {
        Level::Yellow
    })
    .attr("point", (i % 64) as i64);
    e.phase = Some(Phase::Begin);
    e
}

/// Fill the data folder's log: the alarms spread evenly among the events.
async fn fill(data: &std::path::Path, alarms: u64, events: u64) {
    let bus = setup::bus(&data.join("events"), FlushPolicy::Interval(500));
    let every = (events / alarms).max(1);
    let (mut i, mut a) = (0, 0);
    while i < events {
        let mut chunk = Vec::with_capacity(1024);
        for _ in 0..1000 {
            if i >= events {
                break;
            }
            chunk.push(if i.is_multiple_of(every) && a < alarms {
                a += 1;
                alarm(a - 1)
            } else {
                setup::campus_event(i)
            });
            i += 1;
        }
        bus.submit(chunk).await.unwrap();
    }
    let rest: Vec<_> = (a..alarms).map(alarm).collect();
    bus.append(rest).await.unwrap();
    bus.flush().unwrap();
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// One start: (rebuild s, first-page latencies ms, acknowledgement latencies ms).
async fn one_start(
    dir: &tempfile::TempDir,
    text: &str,
    alarms: u64,
    run: usize,
) -> (f64, Vec<f64>, Vec<f64>) {
    // The hub before lets go of the store as its tasks wind down.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (started, hub) = loop {
        let started = Instant::now();
        match twinwall_tests::TestHub::run(clone_dir(dir), text.to_owned()).await {
            Ok(hub) => break (started, hub),
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("the hub starts: {e:#}"),
        }
    };
    let ready: Value = twinwall_tests::wait_for(Duration::from_secs(600), || async {
        hub.get("/api/v1/alarms?limit=1&group=false")
            .await
            .ok()
            .filter(|v| v["ready"] == true)
    })
    .await
    .expect("the alarm book catches up");
    let rebuild = started.elapsed().as_secs_f64();
    assert_eq!(
        ready["total"].as_u64(),
        Some(alarms),
        "every alarm open after start {run}"
    );
    let mut pages = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let v = hub
            .get("/api/v1/alarms?group=false&limit=100")
            .await
            .unwrap();
        pages.push(ms_since(t));
        assert_eq!(v["alarms"].as_array().map(Vec::len), Some(100));
    }
    // Acknowledge 200 alarms nobody has yet, one request at a time.
    let page = hub
        .get("/api/v1/alarms?state=unacknowledged&group=false&limit=200")
        .await
        .unwrap();
    let mut acks = Vec::new();
    for a in page["alarms"].as_array().unwrap() {
        let url = format!("/api/v1/alarms/{}/ack", a["id"].as_str().unwrap());
        let t = Instant::now();
        hub.post(&url, &json!({})).await.unwrap();
        acks.push(ms_since(t));
    }
    hub.hub.stop().await;
    (rebuild, pages, acks)
}

/// The TestHub takes its folder; each start gets the same one back.
fn clone_dir(dir: &tempfile::TempDir) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    std::fs::remove_dir(copy.path()).unwrap();
    std::os::unix::fs::symlink(dir.path(), copy.path()).unwrap();
    copy
}

/// The P10 rows.
pub async fn run(size: Size) -> Vec<Row> {
    let (alarms, events) = sizes(size);
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    fill(&dir.path().join("data"), alarms, events).await;
    eprintln!(
        "  P10: {alarms} open alarms among {events} events stored in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    twinwall_tests::install_drivers(dir.path(), &[]).unwrap();
    // Nobody is told of the waiting alarms while this runs (escalation is
    // its own matter): the list and the acknowledgement alone are timed.
    let text = twinwall_tests::config_text(
        "bench",
        "[[zones]]\nid = \"campus\"\n[alarms]\nack_within_s = { red = 86400, orange = 86400, yellow = 86400, blue = 86400 }\n",
    );
    let (mut rebuilds, mut pages, mut acks) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..size.runs {
        let (r, p, a) = one_start(&dir, &text, alarms, run).await;
        eprintln!("  P10 run {run}: rebuild {r:.1} s");
        rebuilds.push(r);
        pages.push(quantile(&mut p.clone(), 0.99));
        acks.push(quantile(&mut a.clone(), 0.99));
    }
    let spread = |v: &[f64], unit: &str| {
        let (lo, hi) = (
            v.iter().copied().fold(f64::MAX, f64::min),
            v.iter().copied().fold(0.0, f64::max),
        );
        format!("{lo:.1}–{hi:.1} {unit} over {} starts", v.len())
    };
    let (rebuild, page, ack) = (
        median(rebuilds.clone()),
        median(pages.clone()),
        median(acks.clone()),
    );
    let n = thousands(alarms as f64);
    vec![
        Row::new(
            "P10",
            format!(
                "alarms: {n} open among {} events, hub start → alarm book rebuilt",
                thousands(events as f64)
            ),
            format!("{rebuild:.1} s ({})", spread(&rebuilds, "s")),
            rebuild,
            "s",
        )
        .target("≤ 30 s", rebuild <= 30.0),
        Row::new(
            "P10",
            format!("the same: GET /api/v1/alarms first page (100 of {n}), p99 of 200"),
            format!("{page:.1} ms ({})", spread(&pages, "ms")),
            page,
            "ms",
        )
        .target("≤ 50 ms", page <= 50.0),
        Row::new(
            "P10",
            "the same: POST /api/v1/alarms/{id}/ack (recorded and read back), p99 of 200"
                .to_owned(),
            format!("{ack:.1} ms ({})", spread(&acks, "ms")),
            ack,
            "ms",
        )
        .target("≤ 50 ms", ack <= 50.0),
    ]
}
