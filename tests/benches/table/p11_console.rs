//! P11 the console in Chromium (`tests/interop/console_bench.py`): first
//! paint of the sign-in page from a cold cache and the wall after signing
//! in; a new red alarm's row on the wall after the alarm is stored, while
//! the hub takes 1,000 events/s; a wall of thousands of open alarms: until
//! it is all in, a scroll through it frame by frame, opening a detail.

use std::path::Path;
use std::time::{Duration, Instant};

use twinwall_hub::bus::{Bus, Level, NewEvent, Phase};

use super::report::Row;
use super::setup::{Size, median, quantile, thousands};

/// The background load, events per second, in batches this often.
const LOAD_PER_S: u64 = 1_000;
const BATCH_EVERY: Duration = Duration::from_millis(50);
/// A bench alarm this often while the load runs.
const ALARM_EVERY: Duration = Duration::from_millis(400);
/// Frames the scroll through the flood's wall takes, end to end.
const SCROLL_FRAMES: usize = 60;
/// Rows of the flood's wall clicked open, one after another.
const DETAIL_CLICKS: usize = 5;

struct Sizes {
    alarms_per_run: usize,
    flood: usize,
}

fn sizes(size: Size) -> Sizes {
    if size.quick {
        Sizes {
            alarms_per_run: 10,
            flood: 300,
        }
    } else {
        Sizes {
            alarms_per_run: 45,
            flood: 5_000,
        }
    }
}

/// Load that opens no alarm: cameras, gates and plates of a campus.
fn load_event(i: u64) -> NewEvent {
    let zone = format!("campus/b{:02}", i % 20);
    let e = match i % 3 {
        0 => NewEvent::new("camera.motion", &zone).attr("motion", i.is_multiple_of(2)),
        1 => {
            NewEvent::new("access.granted", &zone).attr("person", format!("S2026{:05}", i % 40_000))
        }
        _ => NewEvent::new("vehicle.plate", &zone).attr("plate", format!("京A{:05}", i % 100_000)),
    };
    e.device(&format!("dev-{:04}", i % 2_000))
}

fn alarm(device: &str, level: Level, point: i64) -> NewEvent {
    let mut e = NewEvent::new("fire.alarm", "campus/b00")
        .device(device)
        .level(level)
        .attr("point", point)
        .message("fire alarm at point (smoke detector)");
    e.phase = Some(Phase::Begin);
    e
}

/// One run of alarms under load: each alarm's device and when it was stored
/// (ms since the epoch), and the events per second the hub took meanwhile.
async fn alarms_under_load(bus: &Bus, first: usize, n: usize) -> (Vec<(String, i64)>, f64) {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (bus, stop) = (bus.clone(), stop.clone());
        tokio::spawn(async move {
            let per_batch = LOAD_PER_S * BATCH_EVERY.as_millis() as u64 / 1000;
            let (mut i, started) = (0u64, Instant::now());
            let mut tick = tokio::time::interval(BATCH_EVERY);
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                tick.tick().await;
                let batch: Vec<NewEvent> = (i..i + per_batch).map(load_event).collect();
                i += per_batch;
                bus.append(batch).await.expect("the load is stored");
            }
            i as f64 / started.elapsed().as_secs_f64()
        })
    };
    // The load runs a second before the first alarm.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut stored = Vec::new();
    let mut tick = tokio::time::interval(ALARM_EVERY);
    for k in first..first + n {
        tick.tick().await;
        let device = format!("p11-{k:04}");
        bus.append(vec![alarm(&device, Level::Red, 1)])
            .await
            .expect("the alarm is stored");
        stored.push((device, twinwall_hub::bus::now_ms()));
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    (stored, load.await.expect("the load ran"))
}

async fn wait_file(path: &Path) {
    twinwall_tests::wait_for(Duration::from_secs(300), || async {
        path.exists().then_some(())
    })
    .await
    .unwrap_or_else(|| panic!("{} never came", path.display()));
}

fn spread(v: &[f64], unit: &str, over: &str) -> String {
    let lo = v.iter().copied().fold(f64::MAX, f64::min);
    let hi = v.iter().copied().fold(0.0, f64::max);
    format!("{lo:.0}–{hi:.0} {unit} over {} {over}", v.len())
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default()
}

/// The P11 rows.
pub async fn run(size: Size) -> Vec<Row> {
    let s = sizes(size);
    let hub = twinwall_tests::TestHub::start(
        &[],
        "[[zones]]\nid = \"campus\"\n[alarms]\nack_within_s = { red = 86400 }\n",
    )
    .await
    .expect("the hub starts");
    let password = hub.add_person("duty", "值班员", "operator", &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let total = s.alarms_per_run * size.runs + s.flood;
    let browser = tokio::spawn(twinwall_tests::interop(
        "console_bench.py",
        vec![
            "--url".into(),
            hub.url.clone(),
            "--login".into(),
            format!("duty:{password}"),
            "--dir".into(),
            dir.path().display().to_string(),
            "--runs".into(),
            size.runs.to_string(),
            "--flood".into(),
            total.to_string(),
            "--scroll-frames".into(),
            SCROLL_FRAMES.to_string(),
            "--clicks".into(),
            DETAIL_CLICKS.to_string(),
        ],
    ));
    wait_file(&dir.path().join("wall-ready")).await;
    let bus = hub.hub.bus().clone();
    let (mut stored, mut rates) = (Vec::new(), Vec::new());
    for run in 0..size.runs {
        let (s_run, rate) = alarms_under_load(&bus, run * s.alarms_per_run, s.alarms_per_run).await;
        eprintln!(
            "  P11 run {run}: {} alarms under {rate:.0} events/s",
            s_run.len()
        );
        stored.push(s_run);
        rates.push(rate);
    }
    std::fs::write(dir.path().join("load-done"), "").unwrap();
    // The flood: thousands of alarms open at once.
    let flood: Vec<NewEvent> = (0..s.flood)
        .map(|i| {
            alarm(
                &format!("flood-{:03}", i / 64),
                Level::Yellow,
                (i % 64) as i64,
            )
        })
        .collect();
    std::fs::write(dir.path().join("flood-start"), "").unwrap();
    for chunk in flood.chunks(1_000) {
        bus.append(chunk.to_vec())
            .await
            .expect("the flood is stored");
    }
    // The reloads time the page, not the book taking the flood in.
    twinwall_tests::wait_for(Duration::from_secs(120), || async {
        hub.get("/api/v1/alarms?state=wall&group=false&limit=1")
            .await
            .ok()
            .filter(|v| v["total"].as_u64() == Some(total as u64))
    })
    .await
    .expect("every alarm is on the hub's wall");
    std::fs::write(dir.path().join("flood-ready"), "").unwrap();
    let report = browser.await.expect("the browser ran");
    hub.hub.stop().await;

    let seen = &report["seen_ms"];
    let latencies: Vec<f64> = stored
        .iter()
        .map(|run| {
            let mut v: Vec<f64> = run
                .iter()
                .map(|(device, at)| {
                    let shown = seen[device.as_str()]
                        .as_f64()
                        .unwrap_or_else(|| panic!("{device} never shown: {report}"));
                    shown - *at as f64
                })
                .collect();
            quantile(&mut v, 0.99)
        })
        .collect();
    let paints = numbers(&report["first_paint_ms"]);
    let walls = numbers(&report["signed_in_wall_ms"]);
    let mut frames = numbers(&report["scroll_frames_ms"]);
    let opens = numbers(&report["open_detail_ms"]);
    let (paint, wall, latency, rate) = (
        median(paints.clone()),
        median(walls.clone()),
        median(latencies.clone()),
        median(rates.clone()),
    );
    let flood_live = report["flood_live_ms"].as_f64().unwrap_or(f64::NAN);
    let flood_walls = numbers(&report["flood_wall_ms"]);
    let flood_firsts = numbers(&report["flood_first_rows_ms"]);
    let (flood_wall, flood_first) = (median(flood_walls.clone()), median(flood_firsts.clone()));
    let frame_p99 = quantile(&mut frames, 0.99);
    let open = median(opens.clone());
    let in_page = report["flood_rows_in_page"].as_u64().unwrap_or(0);
    let n = thousands(total as f64);
    vec![
        Row::new(
            "P11",
            "console: sign-in page first paint, cold cache (Chromium)",
            format!("{paint:.0} ms ({})", spread(&paints, "ms", "runs")),
            paint,
            "ms",
        )
        .target("≤ 1,000 ms", paint <= 1_000.0),
        Row::new(
            "P11",
            "the same: sign in → the wall drawn",
            format!("{wall:.0} ms ({})", spread(&walls, "ms", "runs")),
            wall,
            "ms",
        ),
        Row::new(
            "P11",
            format!(
                "the same: a new red alarm stored → its row drawn on the wall, p99 of {} per run, while the hub took {rate:.0} events/s",
                s.alarms_per_run
            ),
            format!("{latency:.0} ms ({})", spread(&latencies, "ms", "runs")),
            latency,
            "ms",
        )
        .target("≤ 300 ms", latency <= 300.0),
        Row::new(
            "P11",
            format!(
                "the same: {} alarms opened at once (a flood) while the wall is open → all on it",
                thousands(s.flood as f64)
            ),
            format!("{flood_live:.0} ms (one flood)"),
            flood_live,
            "ms",
        ),
        Row::new(
            "P11",
            format!("the same: a wall of {n} open alarms, reload → its first rows drawn"),
            format!("{flood_first:.0} ms ({})", spread(&flood_firsts, "ms", "reloads")),
            flood_first,
            "ms",
        )
        .target("≤ 1,000 ms", flood_first <= 1_000.0),
        Row::new(
            "P11",
            format!("the same: reload → all {n} in ({in_page} rows in the page)"),
            format!("{flood_wall:.0} ms ({})", spread(&flood_walls, "ms", "reloads")),
            flood_wall,
            "ms",
        ),
        Row::new(
            "P11",
            format!("the same: scrolling the {n}-alarm wall end to end in {} frames, p99 frame", frames.len()),
            format!("{frame_p99:.0} ms"),
            frame_p99,
            "ms",
        )
        .target("≤ 50 ms", frame_p99 <= 50.0),
        Row::new(
            "P11",
            format!("the same: a row of the {n}-alarm wall clicked → its detail shown, median of {}", opens.len()),
            format!("{open:.0} ms ({})", spread(&opens, "ms", "clicks")),
            open,
            "ms",
        )
        .target("≤ 300 ms", open <= 300.0),
    ]
}
