//! How fast a zone broadcast reaches its speakers: the time from the
//! operator's request to the last speaker's `started`, for 50, 500 and 1,000
//! simulated speakers in one zone (half TW-SP1 joining the zone's multicast
//! group, half TW-SP2 on unicast), each run's audio then measured at the
//! speakers. Real sockets, the real ip-speaker wasm driver, real sled.
//!
//! `cargo drivers && cargo bench -p twinwall-tests --bench broadcast`
//! (`-- --quick`: 50 speakers only, as CI does).

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use twinwall_simulator::speaker::{Model, Speaker};
use twinwall_tests::{TestHub, wait_for};

async fn run(n: usize, rounds: usize) {
    let mut sp = Vec::with_capacity(n);
    for i in 0..n {
        let model = if i % 2 == 0 {
            Model::sp1()
        } else {
            Model::sp2()
        };
        sp.push(
            Speaker::start(&format!("sp-{i}"), "127.0.0.1:0".parse().unwrap(), model)
                .await
                .unwrap(),
        );
    }
    let devices: String = sp
        .iter()
        .map(|s| {
            let profile = if s.status().tts { "twinwall-sp1" } else { "twinwall-sp2" };
            format!(
                "[[devices]]\nid = \"{}\"\ndriver = \"ip-speaker\"\nprofile = \"speaker/{profile}\"\nzone = \"hall\"\naddress = \"{}\"\n\
                 offline_after_ms = 60000\nrequest_timeout_ms = 5000\n",
                s.id(),
                s.addr()
            )
        })
        .collect();
    let hub = TestHub::start(
        &["ip-speaker"],
        &format!(
            "[[zones]]\nid = \"hall\"\n[broadcast]\nmulticast_interface = \"127.0.0.1\"\nmulticast_group = \"239.255.90.1\"\nstart_timeout_ms = 10000\n{devices}"
        ),
    )
    .await
    .unwrap();
    let t = Instant::now();
    for s in &sp {
        hub.wait_online(s.id()).await.unwrap();
    }
    let online = t.elapsed();
    let clip = hub
        .upload_clip(twinwall_tests::tone_wav(1000))
        .await
        .unwrap();
    let mut times = Vec::new();
    let mut complete = 0;
    for round in 0..rounds {
        let asked = Instant::now();
        let v: Value = hub
            .http
            .post(format!("{}/api/v1/broadcasts", hub.url))
            .json(&json!({"zones": ["hall"], "source": {"clip": clip}, "priority": 100 + round}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = v["id"].as_str().unwrap().to_owned();
        let job = wait_for(Duration::from_secs(120), || async {
            let j = hub.get(&format!("/api/v1/broadcasts/{id}")).await.ok()?;
            (j["answered"] == true).then_some(j)
        })
        .await
        .expect("every speaker answers");
        let wall = asked.elapsed();
        // The hub's own figure: the last speaker's `started`, from the request.
        let last = job["speakers"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(|o| o["started_ms"].as_u64())
            .max()
            .unwrap_or(0);
        let started = job["summary"]["started"].as_u64().unwrap_or(0);
        assert_eq!(started as usize, n, "{}", job["summary"]);
        times.push(last);
        let done = wait_for(Duration::from_secs(120), || async {
            let j = hub.get(&format!("/api/v1/broadcasts/{id}")).await.ok()?;
            (j["done"] == true).then_some(j)
        })
        .await
        .expect("every speaker finishes");
        let whole = wait_for(Duration::from_secs(10), || async {
            let ok = sp
                .iter()
                .filter(|s| {
                    s.played().iter().any(|p| {
                        p.job == id
                            && p.reception.gaps == 0
                            && p.reception.audio_ms.abs_diff(1000) <= 50
                    })
                })
                .count();
            (ok == n).then_some(ok)
        })
        .await
        .unwrap_or(0);
        complete += whole;
        println!(
            "  round {}: last started {last} ms after the request (poll saw it at {} ms); finished {}; whole audio at {whole}/{n}",
            round + 1,
            wall.as_millis(),
            done["summary"]["finished"]
        );
    }
    times.sort_unstable();
    let median = times[times.len() / 2];
    println!(
        "broadcast to {n} speakers: request → last speaker started, median {median} ms of {rounds} (all {times:?}); \
         {complete}/{} receptions whole; {n} speakers online in {:.1} s",
        n * rounds,
        online.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let sizes: &[usize] = if quick { &[50] } else { &[50, 500, 1000] };
    for &n in sizes {
        run(n, if quick { 1 } else { 3 }).await;
    }
}
