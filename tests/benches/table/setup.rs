//! What the rows share: sizes, paths, the runtime, the bus, medians.

use std::sync::Arc;
use std::time::Duration;

use twinwall_hub::bus::{Bus, BusOptions, FlushPolicy, Level, NewEvent, Retention};
use twinwall_hub::runtime::{DriverInstance, LoadedDriver, Runtime, RuntimeOptions};

/// How big each row's run is: the full table or the CI smoke.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// A smoke run.
    pub quick: bool,
    /// Runs per figure (the median is reported).
    pub runs: usize,
    /// Events per P1 run.
    pub p1_events: u64,
    /// Events in the P6 store.
    pub p6_events: u64,
    /// Inputs per P5 measurement.
    pub p5_inputs: usize,
}

impl Size {
    /// The full table or the smoke.
    pub fn new(quick: bool) -> Self {
        if quick {
            Size {
                quick,
                runs: 1,
                p1_events: 20_000,
                p6_events: 50_000,
                p5_inputs: 2_000,
            }
        } else {
            Size {
                quick,
                runs: 3,
                p1_events: 1_000_000,
                p6_events: 10_000_000,
                p5_inputs: 50_000,
            }
        }
    }
}

pub use twinwall_tests::target_dir;

/// A driver built by `cargo drivers`, loaded into a fresh runtime.
pub fn load_driver(file: &str) -> (Arc<Runtime>, Arc<LoadedDriver>, tempfile::TempDir) {
    let path = twinwall_tests::drivers().join(file);
    assert!(
        path.is_file(),
        "{} missing: run `cargo drivers` first",
        path.display()
    );
    let cache = tempfile::tempdir().unwrap();
    let rt = Runtime::new(RuntimeOptions {
        cache_dir: cache.path().to_owned(),
        call_timeout: Duration::from_secs(1),
        memory_limit: 64 << 20,
    })
    .unwrap();
    let driver = rt.load(&path).unwrap();
    (rt, driver, cache)
}

/// A fresh instance of `driver`.
pub fn instance(driver: &Arc<LoadedDriver>) -> DriverInstance {
    DriverInstance::new(driver.clone()).unwrap()
}

/// A bus on disk with no retention in the way.
pub fn bus(dir: &std::path::Path, flush: FlushPolicy) -> Bus {
    site_bus(dir, "bench", flush)
}

/// The same, of the site `site`.
pub fn site_bus(dir: &std::path::Path, site: &str, flush: FlushPolicy) -> Bus {
    Bus::open(
        dir,
        BusOptions {
            site: site.into(),
            flush,
            retention: Retention {
                max_age_ms: None,
                max_bytes: None,
                every: Duration::from_secs(3600),
                ..Retention::default()
            },
        },
    )
    .unwrap()
}

/// The median of `v`.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The `q` quantile (0..=1) of `v`, sorted here.
pub fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// Bytes under `dir`.
pub fn disk_bytes(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        total += if meta.is_dir() {
            disk_bytes(&entry.path())
        } else {
            meta.len()
        };
    }
    total
}

/// `1234567.0` → `1,234,567`.
pub fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 && c != '-' {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Devices of the generated campus.
pub const DEVICES: u64 = 2_000;

/// Event `i` of a campus day: 2,000 devices in 20 buildings of 5 floors, five
/// families, a fire alarm now and then among the panels' faults.
pub fn campus_event(i: u64) -> NewEvent {
    let d = i % DEVICES;
    let zone = format!("campus/b{:02}/f{}", (d / 5) % 20, (d / 100) % 5);
    let device = format!("dev-{d:04}");
    let e = match d % 5 {
        0 if (i / DEVICES) % 50 == 7 => NewEvent::new("fire.alarm", &zone)
            .level(Level::Red)
            .attr("point", (i % 64) as i64)
            .message("fire alarm at point (smoke detector)"),
        0 => NewEvent::new("fire.fault", &zone)
            .level(Level::Orange)
            .attr("point", (i % 64) as i64)
            .message("fault at point (loop open)"),
        1 => NewEvent::new("camera.motion", &zone)
            .attr("source", "VideoSourceToken")
            .attr("motion", i.is_multiple_of(2)),
        2 => NewEvent::new("access.granted", &zone)
            .attr("person", format!("S2026{:05}", i % 40_000))
            .attr("similarity", 93i64)
            .attr("direction", "in"),
        3 => NewEvent::new("perimeter.intrusion", &zone)
            .level(Level::Orange)
            .attr("account", "1234")
            .attr("zone_no", (i % 16) as i64),
        _ => NewEvent::new("vehicle.plate", &zone)
            .attr("plate", format!("京A{:05}", i % 100_000))
            .attr("color", "blue")
            .attr("lane", "in"),
    };
    e.device(&device)
}

/// A hub's devices with none configured: what a northbound needs beside
/// the bus.
pub fn no_devices(bus: &Bus) -> Arc<twinwall_hub::devices::Devices> {
    twinwall_hub::devices::Devices::new(
        Vec::new(),
        bus.clone(),
        twinwall_hub::devices::DriverPolicy {
            events: Default::default(),
            max_crashes: 3,
            window: Duration::from_secs(60),
            quarantine: Duration::from_secs(60),
            command_timeout: Duration::from_secs(5),
            starts_per_s: 500,
            tap: None,
        },
        None,
        None,
        None,
        twinwall_hub::transport::rtsp::limits::Probes::new(Default::default()),
    )
}
