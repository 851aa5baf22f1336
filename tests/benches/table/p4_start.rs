//! P4 start: a hub with every driver installed and 1,000 devices (fire
//! panels, face gates, speakers, simulated in this process) from
//! `Hub::start` to every device online, with the precompiled driver cache
//! of an earlier start, as after a restart or an upgrade of the config.

use std::time::{Duration, Instant};

use twinwall_hub::Hub;
use twinwall_hub::config::HubConfig;
use twinwall_simulator::face_gate::{FaceGate, GateOptions};
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_simulator::speaker::{Model, Speaker};
use twinwall_tests::{TestHub, client_with, panel_device};

use super::report::Row;
use super::setup::{Size, median, thousands};

/// Every driver in `drivers/`.
pub fn all_drivers() -> Vec<String> {
    twinwall_tests::shipped_drivers()
}

/// Simulated devices and the config that names them.
pub struct Fleet {
    _panels: Vec<FirePanel>,
    _gates: Vec<FaceGate>,
    _speakers: Vec<Speaker>,
    /// `[[devices]]` entries.
    pub config: String,
    /// How many.
    pub devices: usize,
}

/// `panels` fire panels, `gates` face gates and `speakers` speakers.
pub async fn fleet(panels: usize, gates: usize, speakers: usize) -> Fleet {
    let any = "127.0.0.1:0".parse().unwrap();
    let mut config = String::new();
    let mut ps = Vec::new();
    for i in 0..panels {
        let p = FirePanel::start(&format!("fp-{i}"), any, 32).await.unwrap();
        config.push_str(&panel_device(
            &format!("fp-{i}"),
            "campus",
            p.addr(),
            "settings = { points = 32, poll_ms = 1000, counters = false }",
        ));
        ps.push(p);
    }
    let mut gs = Vec::new();
    for i in 0..gates {
        let g = FaceGate::start(
            &format!("fg-{i}"),
            any,
            "admin",
            "pw",
            GateOptions::default(),
        )
        .await
        .unwrap();
        config.push_str(&format!(
            "[[devices]]\nid = \"fg-{i}\"\ndriver = \"face-gate\"\nprofile = \"face-gate/twinwall-fg1\"\nzone = \"campus\"\n\
             address = \"{}\"\nusername = \"admin\"\npassword = \"pw\"\noffline_after_ms = 60000\n",
            g.addr()
        ));
        gs.push(g);
    }
    let mut ss = Vec::new();
    for i in 0..speakers {
        let s = Speaker::start(&format!("sp-{i}"), any, Model::sp1())
            .await
            .unwrap();
        config.push_str(&format!(
            "[[devices]]\nid = \"sp-{i}\"\ndriver = \"ip-speaker\"\nprofile = \"speaker/twinwall-sp1\"\nzone = \"campus\"\n\
             address = \"{}\"\noffline_after_ms = 60000\n",
            s.addr()
        ));
        ss.push(s);
    }
    Fleet {
        _panels: ps,
        _gates: gs,
        _speakers: ss,
        config,
        devices: panels + gates + speakers,
    }
}

/// Wait until `n` devices of the hub at `url` are online; on timeout, what
/// the others are doing.
pub async fn all_online(
    http: &reqwest::Client,
    url: &str,
    n: usize,
    within: Duration,
) -> Result<(), String> {
    let list = || async {
        let v = twinwall_tests::get_json(http, &format!("{url}/api/v1/devices"))
            .await
            .ok()?;
        v["devices"].as_array().cloned()
    };
    let done = twinwall_tests::wait_for(within, || async {
        let list = list().await?;
        (list.iter().filter(|d| d["state"] == "online").count() >= n).then_some(())
    })
    .await;
    if done.is_some() {
        return Ok(());
    }
    let list = list().await.unwrap_or_default();
    let not: Vec<&serde_json::Value> = list.iter().filter(|d| d["state"] != "online").collect();
    Err(format!(
        "{} of {n} devices online; not online, e.g.: {}",
        list.len() - not.len(),
        not.iter()
            .take(3)
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    ))
}

/// The P4 row.
pub async fn run(size: Size) -> Vec<Row> {
    let (panels, gates, speakers) = if size.quick {
        (70, 20, 10)
    } else {
        (700, 200, 100)
    };
    let fleet = fleet(panels, gates, speakers).await;
    let body = format!("[[zones]]\nid = \"campus\"\n{}", fleet.config);
    // The first start compiles the drivers into the cache.
    let drivers = all_drivers();
    let names: Vec<&str> = drivers.iter().map(String::as_str).collect();
    let first = TestHub::start_site("p4", &names, &body).await.unwrap();
    all_online(
        &first.http,
        &first.url,
        fleet.devices,
        Duration::from_secs(120),
    )
    .await
    .expect("every device online on the first start");
    let TestHub {
        hub,
        dir,
        config,
        token,
        ..
    } = first;
    hub.stop().await;
    let http = client_with(&token);
    let mut times = Vec::new();
    for _ in 0..size.runs {
        let t = Instant::now();
        let hub = loop {
            let cfg = HubConfig::parse(&config, "p4 hub.toml", dir.path()).unwrap();
            match Hub::start(cfg).await {
                Ok(h) => break h,
                // The last hub's store is still being let go.
                Err(_) if t.elapsed() < Duration::from_secs(10) => {
                    tokio::time::sleep(Duration::from_millis(5)).await
                }
                Err(e) => panic!("the hub restarts: {e}"),
            }
        };
        let url = format!("http://{}", hub.http_addr());
        all_online(&http, &url, fleet.devices, Duration::from_secs(60))
            .await
            .expect("every device online again");
        let secs = t.elapsed().as_secs_f64();
        eprintln!(
            "  P4: {} devices online {secs:.2} s after start",
            fleet.devices
        );
        times.push(secs);
        hub.stop().await;
    }
    let secs = median(times);
    vec![
        Row::new(
            "P4",
            format!(
                "start: every driver, {} devices ({panels} fire panels, {gates} face gates, {speakers} speakers), precompiled cache → all online",
                thousands(fleet.devices as f64)
            ),
            format!("{secs:.2} s"),
            secs,
            "s",
        )
        .target("≤ 5 s", secs <= 5.0),
    ]
}
