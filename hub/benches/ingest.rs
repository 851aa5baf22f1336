//! Ingest figures: bus append rates, driver call rates through the real
//! fire-panel component, component load times. Run after `cargo drivers`:
//! `cargo bench -p twinwall-hub --bench ingest --profile dev`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use twinwall_hub::bus::{Bus, BusOptions, FlushPolicy, NewEvent, Retention};
use twinwall_hub::runtime::{DriverInstance, Runtime, RuntimeOptions, convert, wit};
use twinwall_hub::transport::types::{Input, Table};

fn options(flush: FlushPolicy) -> BusOptions {
    BusOptions {
        site: "bench".into(),
        flush,
        retention: Retention {
            max_age_ms: None,
            max_bytes: None,
            every: Duration::from_secs(3600),
            ..Retention::default()
        },
    }
}

fn event(i: u64) -> NewEvent {
    NewEvent::new("fire.fault", "campus/chem-north/f2")
        .device("fp-1")
        .attr("point", i % 64)
        .message("fault raised at point 3 (smoke detector)")
}

async fn bus_rate(flush: FlushPolicy, producers: u64, per: u64) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let bus = Bus::open(dir.path(), options(flush)).unwrap();
    let t = Instant::now();
    let tasks: Vec<_> = (0..producers)
        .map(|p| {
            let bus = bus.clone();
            tokio::spawn(async move {
                for i in 0..per {
                    bus.submit(vec![event(p * per + i)]).await.unwrap();
                }
                // The last append waits for the commit, so the clock covers everything.
                bus.append(vec![event(0)]).await.unwrap();
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let n = producers * (per + 1);
    n as f64 / t.elapsed().as_secs_f64()
}

fn driver_file() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    target.join("wasm32-wasip2/guest/modbus_fire_panel.wasm")
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    println!("== bus append (sled on disk, 4 producers, 1 event per submit)");
    for (name, flush) in [
        ("interval 200 ms", FlushPolicy::Interval(200)),
        ("fsync every batch", FlushPolicy::EveryBatch),
    ] {
        let r = bus_rate(flush, 4, 25_000).await;
        println!("  {name:<20} {r:>10.0} events/s");
    }

    let file = driver_file();
    assert!(
        file.is_file(),
        "{} missing: run `cargo drivers` first",
        file.display()
    );
    let cache = tempfile::tempdir().unwrap();
    let rt = Runtime::new(RuntimeOptions {
        cache_dir: cache.path().to_owned(),
        call_timeout: Duration::from_millis(200),
        memory_limit: 32 << 20,
    })
    .unwrap();
    println!(
        "== modbus-fire-panel component ({} bytes)",
        std::fs::metadata(&file).unwrap().len()
    );
    let t = Instant::now();
    let _ = rt.load(&file).unwrap();
    println!(
        "  load, compiling      {:>8.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let driver = rt.load(&file).unwrap();
    println!(
        "  load, from cache     {:>8.1} ms (includes instantiate + describe)",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let mut inst = DriverInstance::new(driver.clone()).unwrap();
    println!(
        "  instantiate          {:>8.1} µs",
        t.elapsed().as_secs_f64() * 1e6
    );
    let profile = include_str!("../../device-profiles/fire-panel/twinwall-fp1.toml");
    let cfg = wit::DeviceConfig {
        id: "fp-1".into(),
        profile: Some(profile.into()),
        settings: vec![("points".into(), "64".into())],
        keys: vec![],
    };
    inst.open(&cfg, Default::default()).unwrap();
    inst.start("fp-1").unwrap();

    let normal = vec![0x1401u16; 64];
    let mut alarm = normal.clone();
    for w in alarm.iter_mut().step_by(4) {
        *w = 0x0c01;
    }
    let frame = |values: &Vec<u16>| Input::ModbusResponse {
        id: "points-0".into(),
        table: Table::HoldingRegisters,
        address: 0,
        values: values.clone(),
    };
    let (quiet, busy) = (frame(&normal), frame(&alarm));
    let n = 20_000;
    let t = Instant::now();
    for _ in 0..n {
        inst.handle("fp-1", &quiet).unwrap();
    }
    let dt = t.elapsed().as_secs_f64();
    println!(
        "  handle, 64 registers, no change   {:>8.0} calls/s ({:.1} µs/call)",
        n as f64 / dt,
        dt / n as f64 * 1e6
    );
    let mut events = 0usize;
    let t = Instant::now();
    for i in 0..n {
        let out = inst
            .handle("fp-1", if i % 2 == 0 { &busy } else { &quiet })
            .unwrap();
        events += out.events.len();
    }
    let dt = t.elapsed().as_secs_f64();
    println!(
        "  handle, 16 points toggling        {:>8.0} calls/s, {:>8.0} events/s",
        n as f64 / dt,
        events as f64 / dt
    );

    println!("== ingest: driver → bus (interval flush)");
    let dir = tempfile::tempdir().unwrap();
    let bus = Bus::open(dir.path(), options(FlushPolicy::Interval(200))).unwrap();
    let label = driver.label();
    let mut total = 0usize;
    let t = Instant::now();
    for i in 0..n {
        let out = inst
            .handle("fp-1", if i % 2 == 0 { &busy } else { &quiet })
            .unwrap();
        let evs: Vec<NewEvent> = out
            .events
            .into_iter()
            .map(|e| convert::event(&label, "fp-1", "campus/chem-north", e).unwrap())
            .collect();
        total += evs.len();
        bus.submit(evs).await.unwrap();
    }
    bus.append(Vec::new()).await.unwrap();
    let dt = t.elapsed().as_secs_f64();
    println!(
        "  {total} events in {dt:.2} s: {:>8.0} events/s stored",
        total as f64 / dt
    );
}
