//! P9 cameras at campus scale: 3,000 simulated ONVIF cameras on one hub,
//! their streams checked by sampling. Reported: the time to every camera
//! online, the pull-point subscriptions created per second while they come
//! online, the hub's CPU and RSS at rest over one sampling interval, the
//! video the probes pulled against what watching every stream would pull,
//! and how soon a stalled stream and a camera gone from the network are
//! seen. The cameras run in `twinwall-sim scale` processes (which print
//! their totals every second) and a few in this process, whose faults the
//! benchmark sets; the hub runs in a process of its own.

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use twinwall_hub::transport::rtsp::limits::{Plan, Probes};
use twinwall_hub::transport::types::RtspTransport;
use twinwall_simulator::scale::Scale;
use twinwall_simulator::scenario::CameraStats;

use super::p3_scale::{Sim, hub_process, rss_and_cpu};
use super::p4_start::all_online;
use super::report::Row;
use super::setup::{Size, thousands};

/// Start a simulator process of `cameras` cameras from `first`; its hub
/// entries go to `file`, its totals to the returned record.
fn camera_sim(
    bin: &std::path::Path,
    cameras: usize,
    first: usize,
    file: &std::path::Path,
) -> (Sim, Arc<Mutex<CameraStats>>) {
    let mut child = Command::new(bin)
        .args([
            "scale".to_owned(),
            format!("--cameras={cameras}"),
            format!("--first={first}"),
            "--stats-every=1".to_owned(),
            "--hub-devices".to_owned(),
        ])
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("twinwall-sim starts");
    // The latest totals it printed.
    let seen = Arc::new(Mutex::new(CameraStats::default()));
    let out = child.stdout.take().unwrap();
    let into = seen.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            let Some(json) = line.strip_prefix("stats ") else {
                continue;
            };
            if let Ok(stats) = serde_json::from_str(json) {
                *into.lock().unwrap() = stats;
            }
        }
    });
    (Sim(child), seen)
}

/// A counter's sum over its label sets in `/metrics`.
fn counter(metrics: &str, name: &str, labels: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| l.starts_with(name) && l.contains(labels))
        .filter_map(|l| l.rsplit_once(' ')?.1.trim().parse::<f64>().ok())
        .sum()
}

async fn metrics(http: &reqwest::Client, url: &str) -> String {
    http.get(format!("{url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Seconds until an event of `query` stored from `since_ms` on that `pred`
/// accepts, or `None` after `within`.
async fn seen_after(
    http: &reqwest::Client,
    url: &str,
    query: &str,
    since_ms: i64,
    within: Duration,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> Option<f64> {
    let t = Instant::now();
    twinwall_tests::wait_for(within, || async {
        let v = twinwall_tests::get_json(
            http,
            &format!("{url}/api/v1/events?{query}&since={since_ms}"),
        )
        .await
        .ok()?;
        v["events"].as_array()?.iter().any(&pred).then_some(())
    })
    .await
    .map(|()| t.elapsed().as_secs_f64())
}

/// Bytes per second one camera sends to a client watching its main stream.
async fn continuous_rate(cam: &twinwall_simulator::camera::Camera) -> f64 {
    let (task, _reports) = twinwall_tests::rtsp::probe(
        cam.rtsp_url("101"),
        "admin123",
        Plan::Continuous,
        RtspTransport::Tcp,
        Duration::from_secs(1),
        Probes::new(Default::default()),
    );
    twinwall_tests::wait_for(Duration::from_secs(10), || async {
        (cam.playing() > 0).then_some(())
    })
    .await
    .expect("the stream plays");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (b0, t0) = (cam.rtp_bytes(), Instant::now());
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rate = (cam.rtp_bytes() - b0) as f64 / t0.elapsed().as_secs_f64();
    task.abort();
    rate
}

/// The offline timeout of the cameras this process holds, ms.
const OFFLINE_MS: u64 = 10_000;

/// The P9 rows.
pub async fn run(size: Size) -> Vec<Row> {
    let (remote, local) = if size.quick { (20, 4) } else { (2_990, 10) };
    let cameras = remote + local;
    // The cameras this process holds sample more often, so that a stalled
    // stream's detection is timed within the run.
    let local_every_s: u64 = if size.quick { 10 } else { 60 };
    let bin = twinwall_tests::binary("twinwall-sim", "twinwall-sim");
    let dir = tempfile::tempdir().unwrap();
    let files = [
        dir.path().join("cams-1.toml"),
        dir.path().join("cams-2.toml"),
    ];
    let half = remote / 2;
    let sims = [
        camera_sim(&bin, half, 1, &files[0]),
        camera_sim(&bin, remote - half, half + 1, &files[1]),
    ];
    let scale = Scale {
        cameras: local,
        first: remote + 1,
        username: "admin".into(),
        password: "admin123".into(),
        camera_settings: Some(format!("sample_every_s = {local_every_s}")),
        // The watched ones: offline after 10 s without an answer.
        offline_after_ms: OFFLINE_MS,
        ..Scale::default()
    };
    let fleet = scale.start().await.expect("the local cameras start");
    let mut local_cams: Vec<_> = fleet.cameras.values().collect();
    local_cams.sort_by_key(|c| c.id().to_owned());
    let per_camera = continuous_rate(local_cams[local - 1]).await;
    let entries = twinwall_tests::wait_for(Duration::from_secs(300), || async {
        let mut all = scale.hub_devices(&fleet, "campus");
        for f in &files {
            all.push_str(&std::fs::read_to_string(f).ok()?);
        }
        (all.matches("[[devices]]").count() == cameras).then_some(all)
    })
    .await
    .expect("the simulators start every camera");
    let text = twinwall_tests::config_text("p9", &format!("[[zones]]\nid = \"campus\"\n{entries}"));
    let config = dir.path().join("hub.toml");
    std::fs::write(&config, text).unwrap();
    twinwall_tests::install_drivers(dir.path(), &["onvif-camera"]).unwrap();
    let http = twinwall_tests::client_with(&twinwall_tests::admin_token(dir.path()).unwrap());
    // The first start compiles the driver into the cache.
    drop(hub_process(&config, &[]).await);
    let totals = || {
        let mut t = fleet.camera_stats();
        for (_, seen) in &sims {
            let s = seen.lock().unwrap();
            t.playing += s.playing;
            t.rtp_bytes += s.rtp_bytes;
            t.subscriptions += s.subscriptions;
            t.subscriptions_created += s.subscriptions_created;
        }
        t
    };
    let before = totals();
    let t = Instant::now();
    // Subscriptions created, sampled every second while the cameras come
    // online (the simulators print their totals every second, so a sample
    // may hold up to two of one simulator's seconds).
    let peak = Arc::new(Mutex::new(0u64));
    let sampler = {
        let (peak, fleet_totals) = (peak.clone(), totals);
        async move {
            let mut last = fleet_totals().subscriptions_created;
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let now = fleet_totals().subscriptions_created;
                let mut p = peak.lock().unwrap();
                *p = (*p).max(now.saturating_sub(last));
                last = now;
            }
        }
    };
    let (hub, url, online_s) = {
        let start = async {
            let (hub, url) = hub_process(&config, &[]).await;
            all_online(&http, &url, cameras, Duration::from_secs(600))
                .await
                .expect("every camera online");
            let online_s = t.elapsed().as_secs_f64();
            // The simulators print their totals every second.
            tokio::time::sleep(Duration::from_millis(2_500)).await;
            (hub, url, online_s)
        };
        tokio::select! {
            r = start => r,
            () = sampler => unreachable!("the sampler never ends"),
        }
    };
    let pid = hub.0.id();
    let started = totals();
    let peak_subscribed = *peak.lock().unwrap();
    let subscribed = started.subscriptions_created - before.subscriptions_created;
    eprintln!(
        "  P9: {cameras} cameras online after {online_s:.1} s; {subscribed} subscriptions, at most {peak_subscribed} in a second"
    );
    // Every camera sampled once: the start-up round, bounded by the hub's
    // cap on samples in flight.
    let first_round = twinwall_tests::wait_for(Duration::from_secs(900), || async {
        let m = metrics(&http, &url).await;
        (counter(&m, "twinwall_rtsp_samples_total", "outcome=\"good\"") >= cameras as f64)
            .then_some(())
    })
    .await
    .map(|()| t.elapsed().as_secs_f64());
    eprintln!("  P9: every camera sampled once after {first_round:?} s");
    // At rest over one default sampling interval (300 s; 10 s in a smoke run).
    let window = Duration::from_secs(if size.quick { 10 } else { 300 });
    let (_, cpu0) = rss_and_cpu(pid);
    let rest0 = totals();
    let m0 = metrics(&http, &url).await;
    let w = Instant::now();
    tokio::time::sleep(window).await;
    let elapsed = w.elapsed().as_secs_f64();
    let (rss, cpu1) = rss_and_cpu(pid);
    let rest1 = totals();
    let m1 = metrics(&http, &url).await;
    let cpu = (cpu1 - cpu0) / elapsed;
    let pulled = (rest1.rtp_bytes - rest0.rtp_bytes) as f64 / elapsed;
    let probe_counted = (counter(&m1, "twinwall_rtsp_probe_bytes_total", "")
        - counter(&m0, "twinwall_rtsp_probe_bytes_total", ""))
        / elapsed;
    let watching = per_camera * cameras as f64;
    let share = pulled / watching;
    let resubscribed = rest1.subscriptions_created - rest0.subscriptions_created;
    eprintln!(
        "  P9 at rest: RSS {rss:.0} MB, CPU {:.0} % of a core, video {:.2} MB/s pulled ({:.2} MB/s by the hub's count) vs {:.0} MB/s watching all ({:.2} %), {resubscribed} subscriptions created, {} streams playing at the end",
        cpu * 100.0,
        pulled / 1e6,
        probe_counted / 1e6,
        watching / 1e6,
        share * 100.0,
        rest1.playing
    );
    // A stream that stalls, on a camera sampled every `local_every_s`.
    let stalled = local_cams[0];
    let since = twinwall_hub::bus::now_ms();
    stalled.set_stalled(true);
    let stall_s = seen_after(
        &http,
        &url,
        &format!("kind=camera.stream&device={}", stalled.id()),
        since,
        Duration::from_secs(local_every_s * 2 + 30),
        |e| e["attrs"]["state"] == "stalled",
    )
    .await;
    stalled.set_stalled(false);
    // A camera gone from the network.
    let gone = local_cams[1];
    let since = twinwall_hub::bus::now_ms();
    gone.set_down(true).await.unwrap();
    let offline_s = seen_after(
        &http,
        &url,
        &format!("kind=device.offline&device={}", gone.id()),
        since,
        Duration::from_secs(60),
        |_| true,
    )
    .await;
    gone.set_down(false).await.unwrap();
    eprintln!(
        "  P9 detection: stalled stream {stall_s:?} s, camera off the network {offline_s:?} s"
    );
    drop(hub);
    let what = format!(
        "cameras: {} ONVIF cameras on one hub",
        thousands(cameras as f64)
    );
    let secs = |v: Option<f64>| v.map_or("not seen".to_owned(), |s| format!("{s:.1} s"));
    vec![
        Row::new(
            "P9",
            format!("{what}, streams sampled (every 300 s, 2 s window): hub start → all online"),
            format!("{online_s:.1} s"),
            online_s,
            "s",
        )
        .target("≤ 60 s", online_s <= 60.0),
        Row::new(
            "P9",
            "the same: pull-point subscriptions created while they come online",
            format!(
                "{} in all, at most {} in a one-second sample ({} devices started per second per driver)",
                thousands(subscribed as f64),
                thousands(peak_subscribed as f64),
                500
            ),
            peak_subscribed as f64,
            "per s",
        ),
        Row::new(
            "P9",
            "the same: from hub start to every camera sampled once (32 samples at once)",
            secs(first_round),
            first_round.unwrap_or(f64::NAN),
            "s",
        ),
        Row::new(
            "P9",
            format!(
                "the same: hub CPU at rest, over one sampling interval ({:.0} s)",
                elapsed
            ),
            format!("{:.0} % of one core", cpu * 100.0),
            cpu * 100.0,
            "% core",
        )
        .target("≤ 1 core", cpu <= 1.0),
        Row::new(
            "P9",
            "the same: hub RSS at rest",
            format!("{rss:.0} MB"),
            rss,
            "MB",
        )
        .target("≤ 400 MB", rss <= 400.0),
        Row::new(
            "P9",
            "the same: average probe traffic (RTP the cameras sent) vs watching every stream",
            format!(
                "{:.2} MB/s vs {} MB/s: {:.2} %",
                pulled / 1e6,
                thousands(watching / 1e6),
                share * 100.0
            ),
            share * 100.0,
            "%",
        )
        .target("≤ 1 %", share <= 0.01),
        Row::new(
            "P9",
            format!("the same: a stalled stream seen (camera sampled every {local_every_s} s)"),
            secs(stall_s),
            stall_s.unwrap_or(f64::NAN),
            "s",
        )
        .target(
            format!("≤ {} s", local_every_s + 10),
            stall_s.is_some_and(|s| s <= (local_every_s + 10) as f64),
        ),
        Row::new(
            "P9",
            format!(
                "the same: a camera gone from the network seen offline (offline after {} s)",
                OFFLINE_MS / 1000
            ),
            secs(offline_s),
            offline_s.unwrap_or(f64::NAN),
            "s",
        )
        .target(
            format!("≤ {} s", OFFLINE_MS / 1000 + 1),
            offline_s.is_some_and(|s| s <= (OFFLINE_MS / 1000 + 1) as f64),
        ),
    ]
}
