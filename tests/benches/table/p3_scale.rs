//! P3 scale: 10,000 simulated devices of mixed families (fire panels polled
//! every second, face gates pushing, speakers) on one hub: the hub's RSS and
//! CPU at rest, and the polls achieved against those configured. The
//! devices run in `twinwall-sim scale` processes of their own, the hub in a
//! process of its own (this benchmark's binary run again with `--hub`),
//! started once to fill its driver cache and then again to be measured, as
//! a hub starts after its first day.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::p4_start::{all_drivers, all_online};
use super::report::Row;
use super::setup::{Size, thousands};

/// A child process (a `twinwall-sim scale`, or the hub); killed when
/// dropped, and waited for (a hub lets go of its store as it ends).
pub struct Sim(pub Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sim(bin: &std::path::Path, args: &[String], devices_file: &std::path::Path) -> Sim {
    let child = Command::new(bin)
        .arg("scale")
        .args(args)
        .arg("--hub-devices")
        .arg(devices_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("twinwall-sim starts");
    Sim(child)
}

/// A process's resident memory (MB) and CPU time so far (s), from /proc.
pub fn rss_and_cpu(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0.0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime and
    // stime are the 12th and 13th after the closing parenthesis.
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    let ticks = 100.0; // USER_HZ on Linux
    let cpu = (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / ticks;
    (rss_kb / 1024.0, cpu)
}

/// The body of `--hub CONFIG`: run that hub, say where its API listens on
/// stdout, and wait to be killed.
pub async fn run_hub(config: &str) {
    let hub = twinwall_hub::Hub::start(
        twinwall_hub::config::HubConfig::load(config.as_ref()).expect("the hub's config"),
    )
    .await
    .expect("the hub starts");
    println!("http={}", hub.http_addr());
    hub.wait().await;
}

/// The hub of `config` in a process of its own; its API address.
pub async fn hub_process(config: &std::path::Path, env: &[(&str, &str)]) -> (Sim, String) {
    use std::io::BufRead;
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg("--hub")
        .arg(config)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the hub process starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    // Read its stdout to the end, so it never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(a) = line.strip_prefix("http=")
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(a.to_owned());
            }
        }
    });
    let addr = tokio::time::timeout(Duration::from_secs(300), rx)
        .await
        .expect("the hub process listens in time")
        .expect("the hub process ended before it listened");
    (Sim(child), format!("http://{addr}"))
}

/// Sum of a per-device gauge in `/metrics`, and the devices under 90 % of
/// their configured rate.
fn polls(metrics: &str) -> (f64, f64, usize, usize) {
    let mut configured = std::collections::HashMap::new();
    let mut achieved = std::collections::HashMap::new();
    for line in metrics.lines() {
        for (name, into) in [
            ("twinwall_poll_configured_per_second{", &mut configured),
            ("twinwall_poll_achieved_per_second{", &mut achieved),
        ] {
            if let Some(rest) = line.strip_prefix(name)
                && let Some((labels, v)) = rest.rsplit_once("} ")
                && let Ok(v) = v.trim().parse::<f64>()
            {
                into.insert(labels.to_owned(), v);
            }
        }
    }
    let late = configured
        .iter()
        .filter(|(k, c)| achieved.get(*k).is_none_or(|a| *a < 0.9 * **c))
        .count();
    (
        configured.values().sum(),
        achieved.values().sum(),
        configured.len(),
        late,
    )
}

/// One measured start of the hub.
struct Measured {
    online_s: f64,
    rss: f64,
    cpu: f64,
    configured: f64,
    achieved: f64,
    polled: usize,
    late: usize,
}

/// Start the hub of `config` (with `env`), wait for every device, let it
/// settle and measure it at rest; then stop it.
async fn measure(
    config: &std::path::Path,
    http: &reqwest::Client,
    devices: usize,
    size: Size,
    env: &[(&str, &str)],
) -> Measured {
    let t = Instant::now();
    let (hub, url) = hub_process(config, env).await;
    let pid = hub.0.id();
    all_online(http, &url, devices, Duration::from_secs(600))
        .await
        .expect("every device online");
    let online_s = t.elapsed().as_secs_f64();
    // Settle, then measure at rest: nothing but polls and keep-alives.
    tokio::time::sleep(Duration::from_secs(if size.quick { 2 } else { 20 })).await;
    let window = Duration::from_secs(if size.quick { 3 } else { 30 });
    let (_, cpu0) = rss_and_cpu(pid);
    let w = Instant::now();
    tokio::time::sleep(window).await;
    let (rss, cpu1) = rss_and_cpu(pid);
    let cpu = (cpu1 - cpu0) / w.elapsed().as_secs_f64();
    let metrics = http
        .get(format!("{url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (configured, achieved, polled, late) = polls(&metrics);
    eprintln!(
        "  P3{env:?}: {devices} devices online after {online_s:.1} s; RSS {rss:.0} MB, CPU {:.0} % of a core, polls {achieved:.0}/{configured:.0} per second, {late} of {polled} polls under 90 %",
        cpu * 100.0
    );
    Measured {
        online_s,
        rss,
        cpu,
        configured,
        achieved,
        polled,
        late,
    }
}

/// The P3 rows.
pub async fn run(size: Size) -> Vec<Row> {
    // Fire panels in two processes, gates and speakers in a third: each
    // holds a listener and a connection per device, under the fd limit.
    let (panels, gates, speakers) = if size.quick {
        (60, 20, 20)
    } else {
        (6_000, 2_000, 2_000)
    };
    let devices = panels + gates + speakers;
    let bin = twinwall_tests::binary("twinwall-sim", "twinwall-sim");
    let dir = tempfile::tempdir().unwrap();
    let groups = [
        vec![
            format!("--fire-panels={}", panels / 2),
            "--first=1".to_owned(),
        ],
        vec![
            format!("--fire-panels={}", panels - panels / 2),
            format!("--first={}", panels / 2 + 1),
        ],
        vec![
            format!("--face-gates={gates}"),
            format!("--speakers={speakers}"),
        ],
    ];
    let files: Vec<_> = (0..groups.len())
        .map(|i| dir.path().join(format!("devices-{i}.toml")))
        .collect();
    let _sims: Vec<Sim> = groups
        .iter()
        .zip(&files)
        .map(|(args, f)| sim(&bin, args, f))
        .collect();
    let entries = twinwall_tests::wait_for(Duration::from_secs(300), || async {
        let mut all = String::new();
        for f in &files {
            all.push_str(&std::fs::read_to_string(f).ok()?);
        }
        (all.matches("[[devices]]").count() == devices).then_some(all)
    })
    .await
    .expect("the simulators start every device");
    let text = twinwall_tests::config_text("p3", &format!("[[zones]]\nid = \"campus\"\n{entries}"));
    let config = dir.path().join("hub.toml");
    std::fs::write(&config, text).unwrap();
    let drivers = all_drivers();
    let names: Vec<&str> = drivers.iter().map(String::as_str).collect();
    twinwall_tests::install_drivers(dir.path(), &names).unwrap();
    let http = twinwall_tests::client_with(&twinwall_tests::admin_token(dir.path()).unwrap());
    // The first start compiles the drivers into the cache.
    drop(hub_process(&config, &[]).await);
    let m = measure(&config, &http, devices, size, &[]).await;
    // The same hub with glibc's own arena limit (eight per core, each
    // keeping what its threads freed) instead of the two the hub sets.
    let glibc = (8 * std::thread::available_parallelism().map_or(1, |n| n.get())).to_string();
    let arenas = measure(
        &config,
        &http,
        devices,
        size,
        &[("MALLOC_ARENA_MAX", &glibc)],
    )
    .await;
    let what = format!(
        "scale: {} devices ({} fire panels polled every second, {} face gates, {} speakers)",
        thousands(devices as f64),
        thousands(panels as f64),
        thousands(gates as f64),
        thousands(speakers as f64)
    );
    vec![
        Row::new(
            "P3",
            format!("{what}: hub RSS at rest"),
            format!("{:.0} MB", m.rss),
            m.rss,
            "MB",
        )
        .target("≤ 500 MB", m.rss <= 500.0),
        Row::new(
            "P3",
            format!(
                "the same with glibc's default malloc arenas (`MALLOC_ARENA_MAX={glibc}`; the hub sets 2)"
            ),
            format!("{:.0} MB", arenas.rss),
            arenas.rss,
            "MB",
        ),
        Row::new(
            "P3",
            "the same: hub CPU at rest (polls and keep-alives only)",
            format!("{:.0} % of one core", m.cpu * 100.0),
            m.cpu * 100.0,
            "% core",
        ),
        Row::new(
            "P3",
            "the same: polls achieved vs configured",
            format!(
                "{} of {} per second; {} of {} polls under 90 % of their rate",
                thousands(m.achieved),
                thousands(m.configured),
                m.late,
                m.polled
            ),
            m.achieved / m.configured.max(1.0),
            "ratio",
        )
        .target("every device polled on time", m.late == 0),
        Row::new(
            "P3",
            "the same: from hub start to every device online",
            format!("{:.1} s", m.online_s),
            m.online_s,
            "s",
        ),
    ]
}
