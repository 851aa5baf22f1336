//! How much one hub takes in from devices that report by themselves:
//! face-gate pushes (an event and a face picture each) from 200 gates,
//! plate reads (an ANPR alert, a plate and a scene picture) from 200 barrier
//! lanes, and
//! DC-09 reports from 500 alarm hosts on one receiver port (frames
//! acknowledged per second, and the time from a report to its ACK, which
//! includes the commit to disk). Real sockets, real wasm drivers, real sled.
//!
//! `cargo drivers && cargo bench -p twinwall-tests --bench intake`
//! (`-- --quick` for a smoke run with fewer devices, as CI does; `-- plates`
//! or `faces` or `dc09` for one section).

use std::time::{Duration, Instant};

use twinwall_simulator::alarm_host::{AlarmHost, HostOptions};
use twinwall_simulator::face_gate::{Category, FaceGate, GateOptions, people};
use twinwall_simulator::vehicle::{AnprCamera, AnprOptions, PlateColor, plates};
use twinwall_tests::{TestHub, wait_for};

/// A face picture as gates send them: tens of KB.
const PICTURE: usize = 40_000;

fn gate_device(id: &str, g: &FaceGate) -> String {
    format!(
        "[[devices]]\nid = \"{id}\"\ndriver = \"face-gate\"\nprofile = \"face-gate/twinwall-fg1\"\nzone = \"gates\"\n\
         address = \"{}\"\nusername = \"admin\"\npassword = \"pw\"\noffline_after_ms = 30000\n",
        g.addr()
    )
}

async fn face_gates(gates: usize, per_gate: usize) {
    let mut gs = Vec::new();
    for i in 0..gates {
        gs.push(
            FaceGate::start(
                &format!("fg-{i}"),
                "127.0.0.1:0".parse().unwrap(),
                "admin",
                "pw",
                GateOptions::default(),
            )
            .await
            .unwrap(),
        );
    }
    let devices: String = gs
        .iter()
        .enumerate()
        .map(|(i, g)| gate_device(&format!("fg-{i}"), g))
        .collect();
    let hub = TestHub::start(
        &["face-gate"],
        &format!("[[zones]]\nid = \"gates\"\n{devices}"),
    )
    .await
    .unwrap();
    wait_for(Duration::from_secs(60), || async {
        gs.iter().all(|g| g.push_target().is_some()).then_some(())
    })
    .await
    .expect("every gate configured");
    // A different person each time: every picture is stored, none deduplicated.
    let crowd: Vec<_> = (0..(gates * per_gate) as u32)
        .map(|i| people::person(Category::Student, i))
        .collect();
    let t = Instant::now();
    for (i, g) in gs.iter().enumerate() {
        for k in 0..per_gate {
            g.pass(&crowd[i * per_gate + k], 1, true);
        }
    }
    let total = (gates * per_gate) as u64;
    wait_for(Duration::from_secs(600), || async {
        (gs.iter().map(|g| g.pushed()).sum::<u64>() >= total).then_some(())
    })
    .await
    .expect("every push acknowledged");
    let secs = t.elapsed().as_secs_f64();
    let stored = hub.events("kind=access.granted").await.unwrap().len();
    println!(
        "face gates: {gates} gates × {per_gate} pushes (JSON + a {PICTURE} B face JPEG each): {total} acknowledged in {secs:.2} s = {:.0} pushes/s ({:.1} MB/s of pictures stored); {stored} events stored",
        total as f64 / secs,
        total as f64 * PICTURE as f64 / secs / 1e6
    );
    hub.hub.stop().await;
}

/// Plate reads from barrier gates, two lanes each (in and out), each read an
/// XML alert with a plate and a scene picture.
async fn barrier_lanes(gates: usize, per_lane: usize) {
    let mut cams = Vec::new();
    for i in 0..gates {
        let opts = AnprOptions {
            picture_bytes: PICTURE,
            ..AnprOptions::default()
        };
        cams.push(
            AnprCamera::start(
                &format!("bg-{i}"),
                "127.0.0.1:0".parse().unwrap(),
                "admin",
                "pw",
                opts,
            )
            .await
            .unwrap(),
        );
    }
    let devices: String = cams
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "[[devices]]\nid = \"bg-{i}\"\ndriver = \"anpr\"\nprofile = \"vehicle/twinwall-bg1\"\nzone = \"gates\"\naddress = \"{}\"\n\
                 username = \"admin\"\npassword = \"pw\"\noffline_after_ms = 30000\n",
                c.addr()
            )
        })
        .collect();
    let hub = TestHub::start(&["anpr"], &format!("[[zones]]\nid = \"gates\"\n{devices}"))
        .await
        .unwrap();
    wait_for(Duration::from_secs(60), || async {
        cams.iter().all(|c| c.push_target().is_some()).then_some(())
    })
    .await
    .expect("every camera configured");
    let t = Instant::now();
    let mut n = 0u32;
    for c in &cams {
        for k in 0..per_lane {
            for lane in [1, 2] {
                n += 1;
                c.pass(&plates::plate(PlateColor::Blue, n, k % 31), lane);
            }
        }
    }
    let total = (gates * per_lane * 2) as u64;
    wait_for(Duration::from_secs(600), || async {
        (cams.iter().map(|c| c.pushed()).sum::<u64>() >= total).then_some(())
    })
    .await
    .expect("every read acknowledged");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "barrier lanes: {} lanes × {per_lane} reads (ANPR XML + two {PICTURE} B JPEGs each): {total} acknowledged in {secs:.2} s = {:.0} plates/s",
        gates * 2,
        total as f64 / secs
    );
    hub.hub.stop().await;
}

async fn alarm_hosts(hosts: usize, per_host: usize) {
    let devices: String = (0..hosts)
        .map(|i| {
            format!(
                "[[devices]]\nid = \"ph-{i}\"\ndriver = \"perimeter\"\nprofile = \"perimeter/twinwall-ph1\"\nzone = \"perimeter\"\n\
                 address = \"127.0.0.1:9\"\noffline_after_ms = 60000\nsettings = {{ account = \"{:04X}\", zones = \"1=fence/a\" }}\n",
                0x1000 + i
            )
        })
        .collect();
    let hub = TestHub::start(
        &["perimeter"],
        &format!(
            "[[zones]]\nid = \"perimeter\"\n[listen.ports]\ndc09 = \"127.0.0.1:0\"\n{devices}"
        ),
    )
    .await
    .unwrap();
    let rx = hub.hub.port_addr("dc09").unwrap();
    let mut hs = Vec::new();
    for i in 0..hosts {
        let mut o = HostOptions::new(&format!("{:04X}", 0x1000 + i), rx);
        o.supervision_s = 600;
        hs.push(
            AlarmHost::start(&format!("ph-{i}"), "127.0.0.1:0".parse().unwrap(), o)
                .await
                .unwrap(),
        );
    }
    // Each host's supervision message first: connections are up.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let t = Instant::now();
    for h in &hs {
        for k in 0..per_host {
            h.fence_touch(1, k.is_multiple_of(2));
        }
    }
    let total = (hosts * per_host) as u64;
    wait_for(Duration::from_secs(600), || async {
        (hs.iter().map(|h| h.acked()).sum::<u64>() >= total).then_some(())
    })
    .await
    .expect("every report acknowledged");
    let secs = t.elapsed().as_secs_f64();
    let mut lat: Vec<u64> = hs.iter().flat_map(|h| h.ack_latencies_us()).collect();
    lat.sort_unstable();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)] as f64 / 1000.0;
    println!(
        "alarm hosts: {hosts} hosts × {per_host} reports on one DC-09 port: {total} acknowledged in {secs:.2} s = {:.0} frames/s; \
         report → ACK (after commit) p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        total as f64 / secs,
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    hub.hub.stop().await;
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    // Names after the flags pick sections (`faces`, `plates`, `dc09`); none: all.
    let picked: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let run = |name: &str| picked.is_empty() || picked.contains(&name);
    let scale = |full: usize, small: usize| if quick { small } else { full };
    if run("faces") {
        face_gates(scale(200, 10), scale(50, 5)).await;
    }
    if run("plates") {
        barrier_lanes(scale(100, 5), scale(25, 5)).await;
    }
    if run("dc09") {
        alarm_hosts(scale(500, 20), scale(20, 5)).await;
    }
}
