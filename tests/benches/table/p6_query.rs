//! P6 query: the first page of events by zone and kind, and by device over a
//! time range, on a store of ten million events (a campus day is ~200,000).

use std::time::Instant;

use twinwall_hub::bus::{Bus, Filter, FlushPolicy};

use super::report::Row;
use super::setup::{self, Size, campus_event, median, quantile, thousands};

/// Fill a bus with `n` campus events; returns the receive-time window the
/// fill took (ms) and its rate.
pub async fn fill(bus: &Bus, n: u64) -> (i64, i64, f64) {
    let t = Instant::now();
    let first = twinwall_hub::bus::now_ms();
    let mut i = 0;
    while i < n {
        let chunk: Vec<_> = (i..(i + 1000).min(n)).map(campus_event).collect();
        i += chunk.len() as u64;
        bus.submit(chunk).await.unwrap();
    }
    bus.append(Vec::new()).await.unwrap();
    bus.flush().unwrap();
    (
        first,
        twinwall_hub::bus::now_ms(),
        n as f64 / t.elapsed().as_secs_f64(),
    )
}

fn timed(bus: &Bus, f: &Filter) -> (f64, usize) {
    let t = Instant::now();
    let page = bus.query(f).unwrap();
    (t.elapsed().as_secs_f64() * 1e3, page.events.len())
}

/// The P6 rows.
pub async fn run(size: Size) -> Vec<Row> {
    let dir = tempfile::tempdir().unwrap();
    let bus = setup::bus(dir.path(), FlushPolicy::Interval(500));
    let (from, to, rate) = fill(&bus, size.p6_events).await;
    eprintln!(
        "  P6: {} events stored at {rate:.0} events/s (interval flush)",
        size.p6_events
    );
    let span = (to - from).max(10);
    let (mut by_zone_kind, mut by_device) = (Vec::new(), Vec::new());
    for q in 0..20u64 {
        // Fire alarms of one building (its zone and every floor below).
        let f = Filter {
            zone: Some(format!("campus/b{:02}", q % 20)),
            kind: Some("fire.alarm".into()),
            ..Filter::default()
        };
        let (ms, n) = timed(&bus, &f);
        assert!(n > 0, "alarms in building {q}");
        by_zone_kind.push(ms);
        // One device over the middle fifth of the log's time.
        let f = Filter {
            device: Some(format!("dev-{:04}", q * 97 % setup::DEVICES)),
            since_ms: Some(from + span * 2 / 5),
            until_ms: Some(from + span * 3 / 5),
            ..Filter::default()
        };
        let (ms, n) = timed(&bus, &f);
        assert!(n > 0, "events of device {q} in the window");
        by_device.push(ms);
    }
    let mut rows = Vec::new();
    for (what, mut v) in [
        (
            "first page (100) by zone + kind: one building's fire alarms",
            by_zone_kind,
        ),
        ("first page (100) by device over a time range", by_device),
    ] {
        let (p50, max) = (median(v.clone()), quantile(&mut v, 1.0));
        rows.push(
            Row::new(
                "P6",
                format!(
                    "query on {} events: {what}",
                    thousands(size.p6_events as f64)
                ),
                format!("{p50:.1} ms median, {max:.1} ms max of 20"),
                max,
                "ms",
            )
            .target("≤ 50 ms", max <= 50.0),
        );
    }
    rows
}
