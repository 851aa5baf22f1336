//! P1 durable ingest: events from wasm drivers (the fire-panel component,
//! every point of a 64-point panel changing each poll) into the store, each
//! group commit fsynced before it is acknowledged; and the ratio to raw sled
//! inserts of the same encoded events, in batches as large as the bus's
//! largest, fsynced the same way, on the same disk.

use std::time::Instant;

use twinwall_hub::bus::{Bus, Filter, FlushPolicy, NewEvent, encode};
use twinwall_hub::devices::events as convert;
use twinwall_hub::runtime::DeviceConfig;
use twinwall_hub::transport::types::{Input, Table};

use super::report::Row;
use super::setup::{self, Size, median, thousands};

const PROFILE: &str = include_str!("../../../device-profiles/fire-panel/twinwall-fp1.toml");
/// Producers: one wasm instance each (a hub runs one per driver).
const PRODUCERS: u64 = 2;

/// Register frames that raise and clear every point of a 64-point panel.
pub fn frames() -> (Input, Input) {
    let frame = |word: u16| Input::ModbusResponse {
        id: "points-0".into(),
        table: Table::HoldingRegisters,
        address: 0,
        values: vec![word; 64],
    };
    (frame(0x0c01), frame(0x1401))
}

/// A started fire-panel instance for device `id`.
pub fn panel(
    driver: &std::sync::Arc<twinwall_hub::runtime::LoadedDriver>,
    id: &str,
) -> twinwall_hub::runtime::DriverInstance {
    let mut inst = setup::instance(driver);
    let cfg = DeviceConfig {
        id: id.into(),
        profile: Some(PROFILE.into()),
        settings: vec![("points".into(), "64".into())],
        keys: vec![],
    };
    inst.open(&cfg, Default::default()).unwrap();
    inst.start(id).unwrap();
    inst
}

async fn durable_ingest(
    driver: &std::sync::Arc<twinwall_hub::runtime::LoadedDriver>,
    bus: &Bus,
    events: u64,
) -> f64 {
    let label = driver.label();
    let t = Instant::now();
    let tasks: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let (bus, label, driver) = (bus.clone(), label.clone(), driver.clone());
            tokio::spawn(async move {
                let id = format!("fp-{p}");
                let zone = format!("campus/b{p:02}/f1");
                let mut inst = panel(&driver, &id);
                let (raise, clear) = frames();
                let mut made = 0u64;
                let mut i = 0u64;
                while made < events / PRODUCERS {
                    let out = inst
                        .handle(
                            &id,
                            if i.is_multiple_of(2) { &raise } else { &clear }.clone(),
                        )
                        .unwrap();
                    i += 1;
                    let evs: Vec<NewEvent> = out
                        .events
                        .into_iter()
                        .map(|e| convert::event(&label, &id, &zone, e).unwrap())
                        .collect();
                    made += evs.len() as u64;
                    bus.submit(evs).await.unwrap();
                }
                // Acknowledged after everything before it: the clock covers all.
                bus.append(Vec::new()).await.unwrap();
                made
            })
        })
        .collect();
    let mut made = 0;
    for t in tasks {
        made += t.await.unwrap();
    }
    made as f64 / t.elapsed().as_secs_f64()
}

/// Raw sled: the same encoded events, batches of 2,048, each fsynced.
fn raw_sled(encoded: &[(u64, Vec<u8>)]) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let db = sled::Config::new()
        .path(dir.path())
        .flush_every_ms(None)
        .open()
        .unwrap();
    let tree = db.open_tree("events").unwrap();
    let t = Instant::now();
    for chunk in encoded.chunks(2048) {
        let mut b = sled::Batch::default();
        for (seq, v) in chunk {
            b.insert(&seq.to_be_bytes(), v.as_slice());
        }
        tree.apply_batch(b).unwrap();
        db.flush().unwrap();
    }
    encoded.len() as f64 / t.elapsed().as_secs_f64()
}

fn stored(bus: &Bus) -> Vec<(u64, Vec<u8>)> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = bus
            .query(&Filter {
                after,
                limit: Some(10_000),
                ..Filter::default()
            })
            .unwrap();
        out.extend(page.events.iter().map(|e| (e.seq, encode(e).unwrap())));
        match page.next_after {
            Some(a) => after = Some(a),
            None => return out,
        }
    }
}

/// The P1 rows.
pub async fn run(size: Size) -> Vec<Row> {
    let (_rt, driver, _cache) = setup::load_driver("modbus_fire_panel.wasm");
    let (mut rates, mut ratios) = (Vec::new(), Vec::new());
    for _ in 0..size.runs {
        let dir = tempfile::tempdir().unwrap();
        let bus = setup::bus(dir.path(), FlushPolicy::EveryBatch);
        let rate = durable_ingest(&driver, &bus, size.p1_events).await;
        let raw = raw_sled(&stored(&bus));
        eprintln!("  P1: {rate:.0} events/s stored, raw sled {raw:.0}/s");
        rates.push(rate);
        ratios.push(rate / raw);
    }
    let (rate, ratio) = (median(rates), median(ratios));
    vec![
        Row::new(
            "P1",
            "durable ingest: wasm fire-panel drivers → store, fsync per group commit",
            format!("{} events/s", thousands(rate)),
            rate,
            "events/s",
        )
        .target("≥ 100,000 events/s", rate >= 100_000.0),
        Row::new(
            "P1",
            "the same, as a share of raw sled inserts of the same encoded events",
            format!("{ratio:.2}"),
            ratio,
            "ratio",
        )
        .target("≥ 0.5", ratio >= 0.5),
    ]
}
