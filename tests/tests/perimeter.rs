//! End to end: simulated alarm hosts, fence energisers and one-key posts
//! dialling the hub's DC-09 receiver port (TCP and UDP), the real perimeter
//! wasm driver routing frames by account, ACKs only after commit, NAKs for
//! bad frames, encryption with hub-held keys, supervision, the control
//! channel, 500 hosts on one port and a hub killed mid-stream.

use std::time::Duration;

use serde_json::json;
use twinwall_simulator::alarm_host::{AlarmHost, HostFault, HostOptions, Link, codes};
use twinwall_tests::{TestHub, wait_for};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"perimeter-north\"\nname = \"北侧周界\"\nparent = \"campus\"\n\
                     [listen.ports]\ndc09 = \"127.0.0.1:0\"\n";
/// The AES-128 key of the encrypting host: 16 ASCII characters, as panels
/// (and pysiaalarm) take them; the hub holds it as hex.
const KEY: &[u8; 16] = b"0123456789ABCDEF";

fn key_hex() -> String {
    KEY.iter().map(|b| format!("{b:02x}")).collect()
}

fn host_device(id: &str, account: &str, control: std::net::SocketAddr, extra: &str) -> String {
    format!(
        "[[devices]]\nid = \"{id}\"\ndriver = \"perimeter\"\nprofile = \"perimeter/twinwall-ph1\"\nzone = \"perimeter-north\"\n\
         address = \"{control}\"\nusername = \"admin\"\npassword = \"admin123\"\noffline_after_ms = 4000\n\
         settings = {{ account = \"{account}\", zones = \"1=fence/north-fence-a, 2=beam/east-wall, 9=post/library-post\"{extra} }}\n"
    )
}

/// A hub with the perimeter driver and room for hosts; hosts are started
/// against its receiver port afterwards (the port is only known then).
async fn hub(devices: &str) -> TestHub {
    TestHub::start(&["perimeter"], &format!("{ZONES}{devices}"))
        .await
        .unwrap()
}

async fn host(
    id: &str,
    account: &str,
    receiver: std::net::SocketAddr,
    f: impl FnOnce(&mut HostOptions),
) -> AlarmHost {
    let mut o = HostOptions::new(account, receiver);
    o.supervision_s = 1;
    f(&mut o);
    AlarmHost::start(id, "127.0.0.1:0".parse().unwrap(), o)
        .await
        .unwrap()
}

/// Control addresses must be in the config before the hub starts, and the
/// receiver port is known only after: reserve the control ports first.
fn free_addr() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn frames_become_events_clear_encrypted_and_over_udp() {
    let (c1, c2, c3) = (free_addr(), free_addr(), free_addr());
    let hub = hub(&format!(
        "{}{}keys = {{ dc09 = \"{}\" }}\n{}",
        host_device("ph-1", "1234", c1, ""),
        host_device("ph-2", "5678", c2, ", key = \"dc09\""),
        key_hex(),
        host_device("ph-3", "9ABC", c3, ""),
    ))
    .await;
    let rx = hub.hub.port_addr("dc09").unwrap();
    let start = |id: &'static str, acct: &'static str, ctl, f: fn(&mut HostOptions)| async move {
        let mut o = HostOptions::new(acct, rx);
        o.supervision_s = 1;
        f(&mut o);
        AlarmHost::start(id, ctl, o).await.unwrap()
    };
    let h1 = start("ph-1", "1234", c1, |_| {}).await;
    let h2 = start("ph-2", "5678", c2, |o| o.key = Some(KEY.to_vec())).await;
    let h3 = start("ph-3", "9ABC", c3, |o| {
        o.link = Link::Udp;
        o.sia = true;
    })
    .await;
    for id in ["ph-1", "ph-2", "ph-3"] {
        hub.wait_online(id).await.unwrap();
    }
    h1.fence_touch(1, true);
    let e = hub
        .wait_event(
            "kind=perimeter.intrusion&device=ph-1",
            Duration::from_secs(5),
            |e| e["phase"] == "begin",
        )
        .await
        .unwrap();
    assert_eq!(e["zone"], "campus/perimeter-north/north-fence-a");
    assert_eq!(
        (
            e["attrs"]["sensor_kind"].as_str(),
            e["attrs"]["subtype"].as_str()
        ),
        (Some("fence"), Some("touch"))
    );
    assert_eq!(e["level"], "orange");
    assert!(e["device_time"].is_string());
    h1.fence_touch(1, false);
    hub.wait_event(
        "kind=perimeter.intrusion&device=ph-1",
        Duration::from_secs(5),
        |e| e["phase"] == "end",
    )
    .await
    .unwrap();
    // Encrypted: the key stays in the hub; the driver only names it.
    h2.report(1, codes::CUT, 1, 1);
    let cut = hub
        .wait_event(
            "kind=perimeter.intrusion&device=ph-2",
            Duration::from_secs(5),
            |_| true,
        )
        .await
        .unwrap();
    assert_eq!(cut["attrs"]["subtype"], "cut");
    h2.panic(9);
    let p = hub
        .wait_event(
            "kind=panic.pressed&device=ph-2",
            Duration::from_secs(5),
            |_| true,
        )
        .await
        .unwrap();
    assert_eq!(
        (p["level"].as_str(), p["zone"].as_str()),
        (Some("red"), Some("campus/perimeter-north/library-post"))
    );
    h2.panic_cancel(9);
    hub.wait_event(
        "kind=panic.cancelled&device=ph-2",
        Duration::from_secs(5),
        |_| true,
    )
    .await
    .unwrap();
    hub.wait_event(
        "kind=panic.pressed&device=ph-2",
        Duration::from_secs(5),
        |e| e["phase"] == "end",
    )
    .await
    .unwrap();
    // UDP: a beam broken.
    h3.report(1, codes::PERIMETER, 1, 2);
    let b = hub
        .wait_event(
            "kind=perimeter.intrusion&device=ph-3",
            Duration::from_secs(5),
            |_| true,
        )
        .await
        .unwrap();
    assert_eq!(b["attrs"]["subtype"], "beam_break");
    for h in [&h1, &h2, &h3] {
        assert_eq!(h.naks(), 0, "{} was never refused", h.id());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_frames_get_a_nak_and_no_event() {
    let (c1, c2) = (free_addr(), free_addr());
    let hub = hub(&format!(
        "{}{}keys = {{ dc09 = \"{}\" }}\n",
        host_device("ph-1", "1234", c1, ""),
        host_device("ph-2", "5678", c2, ", key = \"dc09\""),
        key_hex(),
    ))
    .await;
    let rx = hub.hub.port_addr("dc09").unwrap();
    let h1 = AlarmHost::start("ph-1", c1, HostOptions::new("1234", rx))
        .await
        .unwrap();
    let mut o = HostOptions::new("5678", rx);
    o.key = Some(KEY.to_vec());
    let h2 = AlarmHost::start("ph-2", c2, o).await.unwrap();
    let stranger = host("ph-x", "4321", rx, |_| {}).await;

    for (fault, h) in [
        (HostFault::BadCrc, &h1),
        (HostFault::WrongLength, &h1),
        (HostFault::WrongKey, &h2),
    ] {
        let before = h.naks();
        let events = hub.events("kind=perimeter.*").await.unwrap().len();
        h.fault(fault);
        h.fence_touch(1, true);
        wait_for(Duration::from_secs(5), || async {
            (h.naks() > before + 1).then_some(())
        })
        .await
        .unwrap_or_else(|| panic!("{fault:?} was not refused"));
        assert_eq!(
            hub.events("kind=perimeter.*").await.unwrap().len(),
            events,
            "{fault:?} made an event"
        );
        h.fault(HostFault::Clear);
        wait_for(Duration::from_secs(5), || async {
            (h.pending() == 0).then_some(())
        })
        .await
        .unwrap();
    }
    // Once fixed, each host's touch went through exactly once per report sent.
    assert_eq!(
        hub.events("kind=perimeter.intrusion&device=ph-1")
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        hub.events("kind=perimeter.intrusion&device=ph-2")
            .await
            .unwrap()
            .len(),
        1
    );
    // Noise before a frame is skipped by the hub's framing.
    h1.fault(HostFault::Garbage);
    h1.fence_touch(2, true);
    wait_for(Duration::from_secs(5), || async {
        (h1.pending() == 0).then_some(())
    })
    .await
    .unwrap();
    h1.fault(HostFault::Clear);
    // An account no device owns is refused.
    stranger.fence_touch(1, true);
    wait_for(Duration::from_secs(5), || async {
        (stranger.naks() > 0).then_some(())
    })
    .await
    .expect("NAK for an unknown account");
    // A clock far off is refused with the receiver's time; the host corrects and resends.
    h1.fault(HostFault::ClockSkew { s: -600 });
    let naks = h1.naks();
    h1.fence_touch(1, false);
    wait_for(Duration::from_secs(5), || async {
        (h1.pending() == 0).then_some(())
    })
    .await
    .expect("accepted after the clock fix");
    assert!(h1.naks() > naks, "the skewed report was refused first");
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicates_are_acknowledged_and_dropped_and_silence_is_offline() {
    let c1 = free_addr();
    let hub = hub(&host_device("ph-1", "1234", c1, "")).await;
    let rx = hub.hub.port_addr("dc09").unwrap();
    let mut o = HostOptions::new("1234", rx);
    o.supervision_s = 1;
    let h = AlarmHost::start("ph-1", c1, o).await.unwrap();
    hub.wait_online("ph-1").await.unwrap();
    h.fault(HostFault::Duplicate);
    h.report(1, codes::TAMPER, 1, 1);
    h.report(1, codes::POWER, 1, 0);
    wait_for(Duration::from_secs(5), || async {
        (h.pending() == 0).then_some(())
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        hub.events("kind=perimeter.tamper").await.unwrap().len(),
        1,
        "one event per report"
    );
    assert_eq!(
        hub.events("kind=perimeter.fault").await.unwrap()[0]["attrs"]["subtype"],
        "power"
    );
    h.fault(HostFault::Unsupervised);
    let off = hub
        .wait_event(
            "kind=device.offline&device=ph-1",
            Duration::from_secs(10),
            |_| true,
        )
        .await
        .expect("a host that stops supervising goes offline");
    assert_eq!(off["level"], "orange");
    h.fault(HostFault::Clear);
    hub.wait_count("kind=device.online&device=ph-1", 2, Duration::from_secs(10))
        .await
        .expect("back online when it reports again");
}

#[tokio::test(flavor = "multi_thread")]
async fn arm_and_disarm_round_trip_through_the_control_channel() {
    let c1 = free_addr();
    let hub = hub(&host_device("ph-1", "1234", c1, "")).await;
    let rx = hub.hub.port_addr("dc09").unwrap();
    let h = AlarmHost::start("ph-1", c1, HostOptions::new("1234", rx))
        .await
        .unwrap();
    hub.wait_online("ph-1").await.unwrap();
    let (status, body) = hub
        .command_with("ph-1", "disarm", json!({"partition": 1}))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(!h.armed());
    let d = hub
        .wait_event("kind=perimeter.disarmed", Duration::from_secs(5), |_| true)
        .await
        .unwrap();
    assert_eq!(d["attrs"]["by"], "user 99");
    let (status, _) = hub.command_with("ph-1", "arm", json!({})).await.unwrap();
    assert_eq!(status, 200);
    hub.wait_event("kind=perimeter.armed", Duration::from_secs(5), |_| true)
        .await
        .unwrap();
    let (status, _) = hub
        .command_with("ph-1", "fence.hv", json!({"on": false}))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(!h.hv_on());
    let (status, body) = hub.command_with("ph-1", "bypass", json!({})).await.unwrap();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad-args"))
    );
    let (status, _) = hub
        .command_with("ph-1", "bypass", json!({"zone": 2}))
        .await
        .unwrap();
    assert_eq!(status, 200);
    hub.wait_event("kind=perimeter.bypassed", Duration::from_secs(5), |e| {
        e["phase"] == "begin"
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn five_hundred_hosts_share_one_receiver_port() {
    let n = 500;
    // The control channel is not used here: the hosts take any free port.
    let unused: std::net::SocketAddr = "127.0.0.1:9".parse().unwrap();
    let devices: String = (0..n)
        .map(|i| {
            host_device(
                &format!("ph-{i}"),
                &format!("{:04X}", 0x1000 + i),
                unused,
                "",
            )
        })
        .collect();
    let hub = hub(&devices).await;
    let rx = hub.hub.port_addr("dc09").unwrap();
    let mut hosts = Vec::new();
    for i in 0..n {
        let mut o = HostOptions::new(&format!("{:04X}", 0x1000 + i), rx);
        o.supervision_s = 60;
        hosts.push(
            AlarmHost::start(&format!("ph-{i}"), "127.0.0.1:0".parse().unwrap(), o)
                .await
                .unwrap(),
        );
    }
    for h in &hosts {
        h.fence_touch(1, true);
    }
    let all = hub
        .wait_count("kind=perimeter.intrusion", n, Duration::from_secs(60))
        .await
        .expect("an alarm from every host");
    let mut devices: Vec<&str> = all.iter().filter_map(|e| e["device"].as_str()).collect();
    devices.sort_unstable();
    devices.dedup();
    assert_eq!(devices.len(), n, "each alarm routed to its own device");
    wait_for(Duration::from_secs(20), || async {
        hosts.iter().all(|h| h.acked() == 1).then_some(())
    })
    .await
    .expect("every host acknowledged");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hub_killed_while_hosts_wait_for_acks_loses_no_alarm() {
    let c1 = free_addr();
    let hub = hub(&host_device("ph-1", "1234", c1, "")).await;
    let rx = hub.hub.port_addr("dc09").unwrap();
    let mut o = HostOptions::new("1234", rx);
    o.ack_timeout = Duration::from_millis(500);
    let h = AlarmHost::start("ph-1", c1, o).await.unwrap();
    let n = 60u16;
    for z in 1..=n {
        h.fence_touch(z, true);
    }
    hub.wait_count("kind=perimeter.intrusion", 10, Duration::from_secs(10))
        .await
        .unwrap();
    let hub = hub.restart().await.unwrap();
    // A real receiver keeps its port; here the restarted hub got a new one.
    h.set_receiver(hub.hub.port_addr("dc09").unwrap());
    let zones = wait_for(Duration::from_secs(30), || async {
        let v = hub.events("kind=perimeter.intrusion").await.ok()?;
        let mut z: Vec<i64> = v
            .iter()
            .filter_map(|e| e["attrs"]["zone_number"].as_i64())
            .collect();
        z.sort_unstable();
        z.dedup();
        (z.len() == usize::from(n)).then_some(z)
    })
    .await
    .unwrap_or_else(|| panic!("alarms lost; host still holds {}", h.pending()));
    assert_eq!(zones.first(), Some(&1));
    assert_eq!(h.pending(), 0);
}

/// The hub process of `a_hub_killed_twenty_times_loses_no_acknowledged_alarm`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "runs only as the child process of a_hub_killed_twenty_times_loses_no_acknowledged_alarm"]
async fn child_hub_process() {
    twinwall_tests::run_child_hub().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hub_killed_twenty_times_loses_no_acknowledged_alarm() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    twinwall_tests::install_drivers(dir.path(), &["perimeter"]).unwrap();
    // A receiver keeps its ports across restarts: pick them once.
    let (http, dc09, control) = (free_addr(), free_addr(), free_addr());
    let body = ZONES.replace("dc09 = \"127.0.0.1:0\"", &format!("dc09 = \"{dc09}\""))
        + &host_device("ph-1", "1234", control, "");
    let text = twinwall_tests::config_text("kill20", &body)
        .replace("listen = \"127.0.0.1:0\"", &format!("listen = \"{http}\""));
    let config = dir.path().join("hub.toml");
    std::fs::write(&config, text).unwrap();
    let client = twinwall_tests::client_with(&twinwall_tests::admin_token(dir.path()).unwrap());
    let up = || {
        let client = client.clone();
        async move {
            let r = client
                .get(format!("http://{http}/api/v1/health"))
                .send()
                .await
                .ok()?;
            r.status().is_success().then_some(())
        }
    };
    let mut o = HostOptions::new("1234", dc09);
    o.ack_timeout = Duration::from_millis(300);
    let h = Arc::new(AlarmHost::start("ph-1", control, o).await.unwrap());

    let mut hub = twinwall_tests::spawn_child_hub(&config, "child_hub_process");
    wait_for(Duration::from_secs(30), up)
        .await
        .expect("the hub starts");
    // A steady 25 alarms a second on distinct zones, through every kill.
    let n = 600u16;
    let done = Arc::new(AtomicBool::new(false));
    let reporter = {
        let (h, done) = (h.clone(), done.clone());
        tokio::spawn(async move {
            for z in 1..=n {
                h.fence_touch(z, true);
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            done.store(true, Ordering::SeqCst);
        })
    };
    for kill in 0..20 {
        wait_for(Duration::from_secs(30), up)
            .await
            .unwrap_or_else(|| panic!("the hub did not come back after kill {kill}"));
        tokio::time::sleep(Duration::from_millis(fastrand::u64(50..1200))).await;
        hub.kill();
        hub = twinwall_tests::spawn_child_hub(&config, "child_hub_process");
    }
    reporter.await.unwrap();
    assert!(done.load(Ordering::SeqCst));
    wait_for(Duration::from_secs(30), up)
        .await
        .expect("the hub runs");
    wait_for(Duration::from_secs(60), || async {
        (h.pending() == 0).then_some(())
    })
    .await
    .unwrap_or_else(|| panic!("the host still waits for {} ACKs", h.pending()));
    // Every alarm the host was told was stored is stored (it sent each until
    // acknowledged, so every one was), and the log's seq never repeats or
    // goes back.
    let page =
        twinwall_tests::get_json(&client, &format!("http://{http}/api/v1/events?limit=10000"))
            .await
            .unwrap();
    let events = page["events"].as_array().unwrap();
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "seq goes back: {seqs:?}"
    );
    let mut zones: Vec<i64> = events
        .iter()
        .filter(|e| e["kind"] == "perimeter.intrusion")
        .filter_map(|e| e["attrs"]["zone_number"].as_i64())
        .collect();
    zones.sort_unstable();
    zones.dedup();
    let missing: Vec<i64> = (1..=i64::from(n))
        .filter(|z| zones.binary_search(z).is_err())
        .collect();
    assert!(missing.is_empty(), "acknowledged alarms lost: {missing:?}");
    eprintln!(
        "20 kills: {} events, {} ACKs, {} resends",
        events.len(),
        h.acked(),
        h.resends()
    );
    hub.kill();
}
