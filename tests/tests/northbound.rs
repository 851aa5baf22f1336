//! Northbound MQTT against a real broker: order, outages, a killed hub,
//! and commands over MQTT; and several campuses on NATS JetStream
//! (`northbound/jetstream.rs`).

mod northbound {
    pub mod jetstream;
}

use std::process::{Command, Stdio};
use std::time::Duration;

use rumqttc::QoS;
use serde_json::{Value, json};
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::mqtt::{
    Broker, Proxy, assert_complete_in_order, event_subscriber, seqs, subscriber,
};
use twinwall_tests::pki::{certificates, self_signed_ca};
use twinwall_tests::{TestHub, config_text, install_drivers, panel_device, wait_for};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"lab\"\nparent = \"campus\"\n";

/// A unique site id, so tests sharing one broker never see each other.
fn site(name: &str) -> String {
    format!("{name}-{}-{}", std::process::id(), fastrand_u32())
}

fn fastrand_u32() -> u32 {
    (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos())
        ^ 0x5bd1e995
}

fn ticker(id: &str) -> String {
    format!(
        "[[devices]]\nid = \"{id}\"\ndriver = \"hostile-test-driver\"\nzone = \"lab\"\nsettings = {{ mode = \"calm\" }}\n"
    )
}

fn northbound(url: &str, extra: &str) -> String {
    format!("[northbound]\nurl = \"{url}\"\nkeep_alive_s = 5\n{extra}\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn events_arrive_in_order_and_a_broker_outage_loses_none() {
    let broker = Broker::get().await;
    let proxy = Proxy::start(broker.addr).await;
    let site = site("outage");
    let (_c, inbox) = event_subscriber(broker.addr, &site).await;
    let body = format!(
        "{ZONES}{}{}",
        ticker("tick-1"),
        northbound(&format!("mqtt://{}", proxy.addr), "")
    );
    let hub = TestHub::start_site(&site, &["hostile-test-driver"], &body)
        .await
        .unwrap();

    wait_for(Duration::from_secs(10), || async {
        (seqs(&inbox).len() >= 20).then_some(())
    })
    .await
    .expect("events flow");
    let nb = hub.get("/api/v1/northbound").await.unwrap();
    assert_eq!(nb["connected"], true, "{nb}");

    // The broker goes away while events keep coming.
    proxy.cut();
    let during = wait_for(Duration::from_secs(10), || async {
        let nb = hub.get("/api/v1/northbound").await.ok()?;
        (nb["connected"] == false && nb["lag_events"].as_u64()? >= 20).then_some(nb)
    })
    .await
    .expect("the backlog grows while the broker is away");
    assert!(during["lag_seconds"].as_f64().unwrap() > 0.0, "{during}");
    proxy.restore();

    // Everything up to a point after the outage arrives, once at least, in order.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let upto = hub.hub.bus().next_seq();
    wait_for(Duration::from_secs(20), || async {
        let s = seqs(&inbox);
        (0..upto).all(|q| s.contains(&q)).then_some(())
    })
    .await
    .unwrap_or_else(|| {
        let s = seqs(&inbox);
        panic!(
            "not every event arrived after the outage: got {} distinct of {upto}",
            s.iter().collect::<std::collections::BTreeSet<_>>().len()
        )
    });
    assert_complete_in_order(&seqs(&inbox), upto);
    let nb = hub.get("/api/v1/northbound").await.unwrap();
    assert!(nb["reconnects"].as_u64().unwrap() >= 1, "{nb}");
    let metrics = hub.text("/metrics").await.unwrap();
    assert!(
        metrics.contains("twinwall_northbound_published_total"),
        "metrics exposed"
    );
    assert!(
        metrics.contains("twinwall_events_ingested_total"),
        "metrics exposed"
    );
}

/// The hub process of `a_hub_killed_mid_stream_resumes_without_loss`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "runs only as the child process of a_hub_killed_mid_stream_resumes_without_loss"]
async fn child_hub_process() {
    twinwall_tests::run_child_hub().await;
}

fn spawn_hub(config: &std::path::Path) -> twinwall_tests::HubProcess {
    twinwall_tests::spawn_child_hub(config, "child_hub_process")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hub_killed_mid_stream_resumes_without_loss() {
    let broker = Broker::get().await;
    let site = site("kill");
    let (_c, inbox) = event_subscriber(broker.addr, &site).await;
    let dir = tempfile::tempdir().unwrap();
    install_drivers(dir.path(), &["hostile-test-driver"]).unwrap();
    let http = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let body = format!(
        "{ZONES}{}{}",
        ticker("tick-1"),
        northbound(&format!("mqtt://{}", broker.addr), "")
    );
    let text = config_text(&site, &body)
        .replace("listen = \"127.0.0.1:0\"", &format!("listen = \"{http}\""));
    let config = dir.path().join("hub.toml");
    std::fs::write(&config, text).unwrap();
    let client = twinwall_tests::client_with(&twinwall_tests::admin_token(dir.path()).unwrap());
    let health = |client: reqwest::Client| async move {
        client
            .get(format!("http://{http}/api/v1/health"))
            .send()
            .await
            .ok()?
            .json::<Value>()
            .await
            .ok()
    };

    let hub = spawn_hub(&config);
    wait_for(Duration::from_secs(30), || async {
        (seqs(&inbox).len() >= 30).then_some(())
    })
    .await
    .expect("events flow");
    // SIGKILL: no shutdown, no final flush, no goodbye to the broker.
    drop(hub);
    let before = seqs(&inbox).into_iter().max().unwrap();

    let _hub = spawn_hub(&config);
    let h = wait_for(Duration::from_secs(30), || health(client.clone()))
        .await
        .expect("the hub came back");
    assert_eq!(h["site"], site.as_str());
    wait_for(Duration::from_secs(20), || async {
        (seqs(&inbox).into_iter().max()? > before + 20).then_some(())
    })
    .await
    .expect("events flow again after the restart");
    let upto = health(client.clone()).await.unwrap()["bus"]["next_seq"]
        .as_u64()
        .unwrap()
        .saturating_sub(5);
    wait_for(Duration::from_secs(20), || async {
        let s = seqs(&inbox);
        (0..upto).all(|q| s.contains(&q)).then_some(())
    })
    .await
    .expect("every event up to the restart arrived");
    assert_complete_in_order(&seqs(&inbox), upto);
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_over_mqtt_reach_the_panel_and_bad_ones_get_an_error() {
    let broker = Broker::get().await;
    let site = site("cmd");
    let panel = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 16)
        .await
        .unwrap();
    let body = format!(
        "{ZONES}{}{}",
        panel_device(
            "fp-1",
            "lab",
            panel.addr(),
            "settings = { points = 16, allow_commands = \"reset,silence\" }"
        ),
        northbound(
            &format!("mqtt://{}", broker.addr),
            "home_assistant = true\n[northbound.commands]\nenabled = true\nactor = \"command-centre\"\nallow = [\"reset\", \"acknowledge\"]"
        )
    );
    let hub = TestHub::start_site(&site, &["modbus-fire-panel"], &body)
        .await
        .unwrap();
    hub.wait_event("kind=device.online", Duration::from_secs(20), |_| true)
        .await
        .unwrap();
    wait_for(Duration::from_secs(10), || async {
        (hub.get("/api/v1/northbound").await.ok()?["commands_ready"] == true).then_some(())
    })
    .await
    .expect("bridge connected");
    let (client, inbox) = subscriber(
        broker.addr,
        &format!("op-{site}"),
        &format!("twinwall/{site}/responses/#"),
    )
    .await;
    let cmd_topic = format!("twinwall/{site}/cmd/devices/fp-1");
    let reply = |corr: &'static str| {
        let inbox = inbox.clone();
        let topic = format!("twinwall/{site}/responses/{corr}");
        async move {
            wait_for(Duration::from_secs(10), || async {
                let m = inbox
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|(t, _, _)| *t == topic)
                    .cloned()?;
                serde_json::from_slice::<Value>(&m.1).ok()
            })
            .await
            .unwrap_or_else(|| panic!("no reply on {topic}"))
        }
    };
    panel.with_state(|s| s.alarm(2));
    client
        .publish(
            &cmd_topic,
            QoS::AtLeastOnce,
            false,
            json!({"command": "reset", "correlation_id": "c1"}).to_string(),
        )
        .await
        .unwrap();
    let r = reply("c1").await;
    assert_eq!(r, json!({"correlation_id": "c1", "ok": true}));
    assert_eq!(
        panel.with_state(|s| s.counters[0]),
        1,
        "the reset reached the panel"
    );
    let audit = hub
        .wait_event("kind=device.command", Duration::from_secs(5), |_| true)
        .await
        .unwrap();
    assert_eq!(audit["actor"], "command-centre");

    // Malformed JSON: an error, on the default response topic.
    client
        .publish(&cmd_topic, QoS::AtLeastOnce, false, "{not json")
        .await
        .unwrap();
    let r = reply("unknown").await;
    assert_eq!(
        (r["ok"].as_bool(), r["error"]["code"].as_str()),
        (Some(false), Some("bad-request"))
    );
    // Not allowed on the MQTT channel (though the device allows it).
    client
        .publish(
            &cmd_topic,
            QoS::AtLeastOnce,
            false,
            json!({"command": "silence", "correlation_id": "c2"}).to_string(),
        )
        .await
        .unwrap();
    let r = reply("c2").await;
    assert_eq!(r["error"]["code"], "not-allowed");
    // Allowed on the channel but not by the device's settings.
    client
        .publish(
            &cmd_topic,
            QoS::AtLeastOnce,
            false,
            json!({"command": "acknowledge", "correlation_id": "c3"}).to_string(),
        )
        .await
        .unwrap();
    assert_eq!(reply("c3").await["error"]["code"], "not-allowed");
    // Unknown device.
    let other = format!("twinwall/{site}/cmd/devices/nope");
    client
        .publish(
            &other,
            QoS::AtLeastOnce,
            false,
            json!({"command": "reset", "correlation_id": "c4"}).to_string(),
        )
        .await
        .unwrap();
    assert_eq!(reply("c4").await["error"]["code"], "unknown-device");
    // A reply may not be sent outside this site's responses/ (here: onto a
    // retained Home Assistant config topic): refused, answered at home.
    client
        .publish(
            &cmd_topic,
            QoS::AtLeastOnce,
            false,
            json!({"command": "reset", "correlation_id": "c5",
                   "response_topic": "homeassistant/binary_sensor/x/config"})
            .to_string(),
        )
        .await
        .unwrap();
    let r = reply("c5").await;
    assert_eq!(r["error"]["code"], "bad-request", "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("responses/")
    );
    // None of the refused commands changed anything at the panel.
    assert_eq!(panel.with_state(|s| s.counters), [1, 0, 0]);

    // Home Assistant discovery (retained) describes the panel's connectivity.
    let object = format!("twinwall_{site}_fp-1").replace('-', "_");
    let (_ha, ha) = subscriber(
        broker.addr,
        &format!("ha-{site}"),
        &format!("homeassistant/binary_sensor/{object}/config"),
    )
    .await;
    let config = wait_for(Duration::from_secs(10), || async {
        let m = ha.lock().unwrap().first().cloned()?;
        serde_json::from_slice::<Value>(&m.1).ok()
    })
    .await
    .expect("discovery config published");
    assert_eq!(
        config["state_topic"],
        format!("twinwall/{site}/devices/fp-1/state")
    );
    assert_eq!(config["device_class"], "connectivity");
}

#[tokio::test(flavor = "multi_thread")]
async fn mqtts_with_a_private_ca_and_a_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    certificates(dir.path());
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (tls_port, plain_port) = (free(), free());
    let conf = format!(
        "user root\nlistener {tls_port} 127.0.0.1\ncafile {d}/ca.pem\ncertfile {d}/server.pem\nkeyfile {d}/server.key\nrequire_certificate true\nallow_anonymous true\n\
         listener {plain_port} 127.0.0.1\nallow_anonymous true\n",
        d = dir.path().display()
    );
    std::fs::write(dir.path().join("mosquitto.conf"), conf).unwrap();
    let mut broker = Command::new("mosquitto")
        .arg("-c")
        .arg(dir.path().join("mosquitto.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mosquitto starts");
    let plain: std::net::SocketAddr = format!("127.0.0.1:{plain_port}").parse().unwrap();
    wait_for(Duration::from_secs(10), || async {
        tokio::net::TcpStream::connect(plain).await.ok().map(|_| ())
    })
    .await
    .expect("broker up");

    let site = site("tls");
    let (_c, inbox) = subscriber(
        plain,
        &format!("sub-{site}"),
        &format!("twinwall/{site}/events/#"),
    )
    .await;
    let d = dir.path().display();
    let tls = format!(
        "ca_file = \"{d}/ca.pem\"\nclient_cert_file = \"{d}/client.pem\"\nclient_key_file = \"{d}/client.key\""
    );
    let body = format!(
        "{ZONES}{}{}",
        ticker("tick-1"),
        northbound(&format!("mqtts://127.0.0.1:{tls_port}"), &tls)
    );
    let hub = TestHub::start_site(&site, &["hostile-test-driver"], &body)
        .await
        .unwrap();
    wait_for(Duration::from_secs(15), || async {
        (seqs(&inbox).len() >= 5).then_some(())
    })
    .await
    .expect("events over TLS");
    assert_eq!(
        hub.get("/api/v1/northbound").await.unwrap()["connected"],
        true
    );

    // A hub that does not trust the broker's CA never connects, and says why.
    let other = tempfile::tempdir().unwrap();
    self_signed_ca(other.path(), "/CN=Somebody else");
    let wrong = format!("ca_file = \"{}/ca.pem\"", other.path().display());
    let body = format!(
        "{ZONES}{}{}",
        ticker("tick-1"),
        northbound(&format!("mqtts://127.0.0.1:{tls_port}"), &wrong)
    );
    let untrusting = TestHub::start_site(&format!("{site}-x"), &["hostile-test-driver"], &body)
        .await
        .unwrap();
    let nb = wait_for(Duration::from_secs(15), || async {
        let nb = untrusting.get("/api/v1/northbound").await.ok()?;
        nb["last_error"].is_string().then_some(nb)
    })
    .await
    .expect("the TLS failure is reported");
    assert_eq!(nb["connected"], false);
    let err = nb["last_error"].as_str().unwrap().to_lowercase();
    assert!(
        err.contains("certificate") || err.contains("tls") || err.contains("unknown"),
        "{err}"
    );
    let _ = broker.kill();
    let _ = broker.wait();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_too_large_for_the_broker_is_skipped_and_named_not_stalled_on() {
    let broker = Broker::get().await;
    let site = site("big");
    let (_c, inbox) = event_subscriber(broker.addr, &site).await;
    let body = format!(
        "{ZONES}{}",
        northbound(&format!("mqtt://{}", broker.addr), "max_message_kb = 2")
    );
    let hub = TestHub::start_site(&site, &[], &body).await.unwrap();
    let bus = hub.hub.bus().clone();
    let big = bus
        .append(vec![
            twinwall_hub::bus::NewEvent::new("test.big", "campus").message("x".repeat(4096)),
        ])
        .await
        .unwrap()[0];
    let after = bus
        .append(vec![twinwall_hub::bus::NewEvent::new(
            "test.small",
            "campus",
        )])
        .await
        .unwrap()[0];
    // What follows the big one arrives; the big one does not, and the broker
    // hears which one was kept back.
    let note = wait_for(Duration::from_secs(10), || async {
        let got = inbox.lock().unwrap().clone();
        let small = got.iter().any(|(t, _, _)| t.ends_with("/test.small"));
        let note = got
            .iter()
            .filter(|(t, _, _)| t.ends_with("/northbound.dropped"))
            .find_map(|(_, p, _)| serde_json::from_slice::<Value>(p).ok())?;
        small.then_some(note)
    })
    .await
    .expect("forwarding goes on past the big event");
    assert_eq!(note["attrs"]["event_seq"], big);
    assert_eq!(note["attrs"]["event_kind"], "test.big");
    assert!(note["attrs"]["bytes"].as_i64().unwrap() > 2048);
    assert!(!seqs(&inbox).contains(&big), "the big event was not sent");
    assert!(seqs(&inbox).contains(&after));
    // It stays on the hub.
    assert_eq!(hub.events("kind=test.big").await.unwrap().len(), 1);
    let nb = hub.get("/api/v1/northbound").await.unwrap();
    assert_eq!(nb["connected"], true, "{nb}");
}
