//! Several campuses on NATS JetStream: real nats-server processes (a
//! three-node cluster with stream replicas 3), campus hubs with their
//! simulated panels, the centre in this process, and an independent reader
//! of the streams (nats-py) that counts every campus's seqs.

use std::time::Duration;

use serde_json::{Value, json};
use twinwall_hub::auth::{Role, Tokens};
use twinwall_hub::central::{Central, CentralConfig};
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::nats::{CampusLink, Cluster};
use twinwall_tests::{TestHub, interop, panel_device, wait_for};

use super::super::{ZONES, site, ticker};

fn campus(panel: std::net::SocketAddr, servers: &str, replicas: usize) -> String {
    format!(
        "{ZONES}{}{}[jetstream]\nservers = {servers}\nreplicas = {replicas}\n[jetstream.commands]\nenabled = true\n",
        panel_device("fp-1", "lab", panel, ""),
        ticker("tick-1"),
    )
}

/// A centre's operator token for `login`, in its data folder.
fn operator_token(data: &std::path::Path, login: &str) -> String {
    Tokens::open(data)
        .unwrap()
        .create(login, Role::Operator, "test")
        .unwrap()
        .secret
}

async fn centre(servers: Vec<String>, data: &std::path::Path, id: &str) -> Central {
    let mut c = CentralConfig::with_servers(servers);
    c.central.http = "127.0.0.1:0".parse().unwrap();
    c.central.data_dir = data.to_owned();
    c.central.id = id.into();
    Central::start(c).await.expect("the centre starts")
}

struct Desk {
    url: String,
    http: reqwest::Client,
}

impl Desk {
    fn of(c: &Central, token: &str) -> Desk {
        Desk {
            url: format!("http://{}", c.addr),
            http: twinwall_tests::client_with(token),
        }
    }

    async fn get(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "GET {path}: {status} {v}");
        v
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .json(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// Acknowledge `alarm` (its JSON, with `id`) of `site` from the centre.
    async fn ack(&self, site: &str, alarm: &Value) -> (u16, Value) {
        let id = alarm["id"].as_str().expect("an alarm id");
        self.post(&format!("/api/v1/sites/{site}/alarms/{id}/ack"), &json!({}))
            .await
    }

    fn site<'a>(central: &'a Value, site: &str) -> &'a Value {
        central["sites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["site"] == site)
            .unwrap_or(&Value::Null)
    }
}

/// The fire alarm of `site` on the centre's wall, once there.
async fn wall_alarm(desk: &Desk, site: &str) -> Option<Value> {
    let wall = desk.get("/api/v1/alarms?state=wall").await;
    wall["alarms"]
        .as_array()?
        .iter()
        .find(|a| a["site"] == site && a["kind"] == "fire.alarm")
        .cloned()
}

/// What the independent reader finds in the streams of `sites`, each
/// checked complete below its bound.
async fn peer(servers: &[String], sites: &[(&str, u64)]) -> Value {
    let mut args = vec!["--servers".to_owned(), servers.join(",")];
    for (s, upto) in sites {
        args.push("--stream".into());
        args.push(twinwall_hub::northbound::jetstream::subjects::stream_name(
            s,
        ));
        args.push("--upto".into());
        args.push(format!("{s}={upto}"));
    }
    interop("jetstream_peer.py", args).await
}

fn assert_whole(report: &Value, site: &str) {
    let r = &report[twinwall_hub::northbound::jetstream::subjects::stream_name(site)];
    eprintln!("the stream of {site} as nats-py reads it: {r}");
    assert_eq!(r["duplicates"], 0, "{site}: {r}");
    assert_eq!(r["out_of_order"], 0, "{site}: {r}");
    assert_eq!(r["missing_below_upto"], json!([]), "{site}: {r}");
    assert_eq!(r["msg_ids_match"], true, "{site}: {r}");
    assert_eq!(r["messages"], r["distinct"], "{site}: {r}");
}

/// The seq after the last event the centre has taken of `site`, once it has
/// taken every one of them below `upto`, with no gap and none twice.
async fn centre_has(desk: &Desk, site: &str, upto: u64, within: Duration) -> Value {
    wait_for(within, || async {
        let c = desk.get("/api/v1/central").await;
        let s = Desk::site(&c, site).clone();
        (s["last_seq"].as_u64()? + 1 >= upto).then_some(s)
    })
    .await
    .unwrap_or_else(|| panic!("the centre never had {site}'s events below {upto}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn two_campuses_feed_a_three_node_cluster_through_faults_and_the_centre_acts_at_the_owner() {
    let mut cluster = Cluster::start(3).await;
    let (s1, s2) = (site("north"), site("south"));
    let (link1, link2) = (
        CampusLink::to(&cluster).await,
        CampusLink::to(&cluster).await,
    );
    let p1 = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 16)
        .await
        .unwrap();
    let p2 = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 16)
        .await
        .unwrap();
    let drivers = ["modbus-fire-panel", "hostile-test-driver"];
    let h1 = TestHub::start_site(&s1, &drivers, &campus(p1.addr(), &link1.servers_toml(), 3))
        .await
        .unwrap();
    let h2 = TestHub::start_site(&s2, &drivers, &campus(p2.addr(), &link2.servers_toml(), 3))
        .await
        .unwrap();
    h1.add_person("wang", "王老师", "operator", &[]).await;

    let data = tempfile::tempdir().unwrap();
    let token = operator_token(data.path(), "wang");
    let c = centre(cluster.urls(), data.path(), "c1").await;
    let desk = Desk::of(&c, &token);

    // Both campuses' fire alarms reach the centre's one wall.
    p1.with_state(|s| s.alarm(3));
    p2.with_state(|s| s.alarm(5));
    let a1 = wait_for(Duration::from_secs(30), || wall_alarm(&desk, &s1))
        .await
        .expect("north's fire alarm at the centre");
    wait_for(Duration::from_secs(30), || wall_alarm(&desk, &s2))
        .await
        .expect("south's fire alarm at the centre");
    let js = h1.get("/api/v1/northbound/jetstream").await.unwrap();
    assert_eq!(js["connected"], true, "{js}");
    assert_eq!(js["commands_ready"], true, "{js}");

    // Acknowledged at the centre, recorded by the owning hub with its own person.
    let id = a1["id"].as_str().unwrap();
    let (status, acked) = desk
        .post(
            &format!("/api/v1/sites/{s1}/alarms/{id}/ack"),
            &json!({"note": "指挥中心已派人"}),
        )
        .await;
    assert_eq!(status, 200, "{acked}");
    assert_eq!(
        acked["alarm"]["acknowledged_by"], "王老师 (c1)#wang",
        "{acked}"
    );
    let at_hub = h1.get(&format!("/api/v1/alarms/{id}")).await.unwrap();
    assert_eq!(at_hub["acknowledged"], true, "{at_hub}");
    let audit = h1.events("kind=alarm.acknowledged").await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["actor"], "王老师 (c1)#wang");
    // The centre's view follows the campus's own log.
    wait_for(Duration::from_secs(10), || async {
        let a = wall_alarm(&desk, &s1).await?;
        (a["acknowledged"] == true).then_some(())
    })
    .await
    .expect("the centre shows it acknowledged");
    // South has no `wang`: its hub refuses, and says why.
    let a2 = wall_alarm(&desk, &s2).await.unwrap();
    let (status, refused) = desk.ack(&s2, &a2).await;
    assert_eq!(status, 403, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no person of this campus"),
        "{refused}"
    );

    // A node SIGKILLed and started again under the tickers' steady rate.
    cluster.kill(1);
    let during = h1.hub.bus().next_seq() + 40;
    centre_has(&desk, &s1, during, Duration::from_secs(30)).await;
    cluster.restart(1).await;

    // South cut off: its hub goes on alone, the centre keeps the rest.
    link2.cut();
    wait_for(Duration::from_secs(15), || async {
        let v = h2.get("/api/v1/northbound/jetstream").await.ok()?;
        (v["connected"] == false && v["lag_events"].as_u64()? > 20).then_some(())
    })
    .await
    .expect("south's backlog grows while it is cut off");
    p2.with_state(|s| s.alarm(9));
    let local = wait_for(Duration::from_secs(10), || async {
        let w = h2.get("/api/v1/alarms?state=unacknowledged").await.ok()?;
        let fire: Vec<Value> = w["alarms"]
            .as_array()?
            .iter()
            .filter(|a| a["kind"] == "fire.alarm")
            .cloned()
            .collect();
        // Point 5's from before, and point 9's now.
        (fire.len() >= 2).then(|| {
            fire.into_iter()
                .max_by_key(|a| a["opened"].as_str().map(str::to_owned))
        })?
    })
    .await
    .expect("south raises its alarm alone");
    let acked_here = h2
        .post(
            &format!("/api/v1/alarms/{}/ack", local["id"].as_str().unwrap()),
            &json!({}),
        )
        .await
        .expect("the campus acknowledges its own alarm while cut off");
    assert_eq!(acked_here["acknowledged"], true, "{acked_here}");
    tokio::time::sleep(Duration::from_secs(cut_seconds())).await;
    let backlog = h2.hub.bus().next_seq();
    link2.restore();
    centre_has(&desk, &s2, backlog, Duration::from_secs(60)).await;

    // The centre restarted: its views rebuilt from the streams alone.
    let before = desk.get("/api/v1/central").await;
    drop(desk);
    drop(c);
    let c = centre(cluster.urls(), data.path(), "c1").await;
    let desk = Desk::of(&c, &token);
    let upto = (h1.hub.bus().next_seq(), h2.hub.bus().next_seq());
    let n1 = centre_has(&desk, &s1, upto.0, Duration::from_secs(60)).await;
    let n2 = centre_has(&desk, &s2, upto.1, Duration::from_secs(60)).await;
    for (n, s) in [(&n1, &s1), (&n2, &s2)] {
        let last = n["last_seq"].as_u64().unwrap();
        assert_eq!(
            n["events"].as_u64().unwrap(),
            last + 1,
            "the rebuilt view of {s} has every event once: {n}"
        );
        assert_eq!(n["redelivered"], 0, "{n}");
        assert!(
            Desk::site(&before, s)["events"].as_u64().unwrap() <= n["events"].as_u64().unwrap()
        );
    }
    let acked = wall_alarm(&desk, &s1).await.unwrap();
    assert_eq!(acked["acknowledged_by"], "王老师 (c1)#wang", "{acked}");

    // The independent reader: every seq below the bounds once, in order.
    let report = peer(&cluster.urls(), &[(&s1, upto.0), (&s2, upto.1)]).await;
    assert_whole(&report, &s1);
    assert_whole(&report, &s2);
    // And the campus streams are replicated three times.
    let client = async_nats::connect(cluster.urls()[0].as_str())
        .await
        .unwrap();
    let mut stream = async_nats::jetstream::new(client)
        .get_stream(twinwall_hub::northbound::jetstream::subjects::stream_name(
            &s1,
        ))
        .await
        .unwrap();
    assert_eq!(stream.info().await.unwrap().config.num_replicas, 3);
}

/// How long a campus stays cut off: `TWINWALL_TEST_CUT_S`, default 15 s
/// (set 60 for the full minute).
fn cut_seconds() -> u64 {
    std::env::var("TWINWALL_TEST_CUT_S")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15)
}

/// The NATS server of `TWINWALL_TEST_NATS` (e.g. `nats://127.0.0.1:4222`),
/// else a node of our own.
async fn one_server() -> (Vec<String>, Option<Cluster>) {
    match std::env::var("TWINWALL_TEST_NATS") {
        Ok(url) => (vec![url], None),
        Err(_) => {
            let c = Cluster::start(1).await;
            (c.urls(), Some(c))
        }
    }
}

/// The hub seq of the last event in `site`'s stream.
async fn last_in_stream(js: &async_nats::jetstream::Context, site: &str) -> Option<u64> {
    let name = twinwall_hub::northbound::jetstream::subjects::stream_name(site);
    let mut stream = js.get_stream(&name).await.ok()?;
    let last = stream.info().await.ok()?.state.last_sequence;
    let m = stream.get_raw_message(last).await.ok()?;
    serde_json::from_slice::<Value>(&m.payload).ok()?["seq"].as_u64()
}

/// Two hubs given one stream (a copied config): the second finds the
/// other site's message last in it and refuses by name, publishing nothing,
/// rather than moving its cursor past events it never sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_hub_refuses_a_stream_another_site_writes() {
    let (servers, _own) = one_server().await;
    let urls: Vec<String> = servers.iter().map(|s| format!("\"{s}\"")).collect();
    let stream = format!("SHARED_{}", std::process::id());
    let body = format!(
        "{ZONES}{}[jetstream]\nservers = [{}]\nstream = \"{stream}\"\n",
        ticker("tick-1"),
        urls.join(", ")
    );
    let first = TestHub::start_site(&site("first"), &["hostile-test-driver"], &body)
        .await
        .unwrap();
    wait_for(Duration::from_secs(20), || async {
        let v = first.get("/api/v1/northbound/jetstream").await.ok()?;
        (v["published"].as_u64()? > 0).then_some(())
    })
    .await
    .expect("the first hub publishes");
    let second = TestHub::start_site(&site("second"), &["hostile-test-driver"], &body)
        .await
        .unwrap();
    let v = wait_for(Duration::from_secs(20), || async {
        let v = second.get("/api/v1/northbound/jetstream").await.ok()?;
        v["last_error"]
            .as_str()?
            .contains("two hubs write into one stream")
            .then_some(v)
    })
    .await
    .expect("the second hub names the shared stream");
    assert_eq!(v["published"], 0, "{v}");
    assert_eq!(v["cursor"], 0, "its cursor did not move: {v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hub_killed_mid_publish_leaves_its_stream_whole() {
    let (servers, _own) = one_server().await;
    let site = site("killed");
    let dir = tempfile::tempdir().unwrap();
    twinwall_tests::install_drivers(dir.path(), &["hostile-test-driver"]).unwrap();
    let urls: Vec<String> = servers.iter().map(|s| format!("\"{s}\"")).collect();
    // Four tickers, 80 events a second: the kill lands while publishes
    // are in flight.
    let tickers: String = (1..=4).map(|i| ticker(&format!("tick-{i}"))).collect();
    let body = format!(
        "{ZONES}{tickers}[jetstream]\nservers = [{}]\n",
        urls.join(", ")
    );
    let config = dir.path().join("hub.toml");
    std::fs::write(&config, twinwall_tests::config_text(&site, &body)).unwrap();
    let js = async_nats::jetstream::new(async_nats::connect(servers[0].as_str()).await.unwrap());

    let hub = super::super::spawn_hub(&config);
    let before = wait_for(Duration::from_secs(30), || async {
        last_in_stream(&js, &site).await.filter(|s| *s >= 200)
    })
    .await
    .expect("events reach the stream");
    // SIGKILL: no shutdown, no final flush of the cursor.
    drop(hub);
    let _hub = super::super::spawn_hub(&config);
    let upto = wait_for(Duration::from_secs(30), || async {
        last_in_stream(&js, &site)
            .await
            .filter(|s| *s > before + 200)
    })
    .await
    .expect("events flow again after the restart");

    let report = peer(&servers, &[(&site, upto)]).await;
    assert_whole(&report, &site);
    let name = twinwall_hub::northbound::jetstream::subjects::stream_name(&site);
    if _own.is_none() {
        let _ = js.delete_stream(&name).await;
        let _ = js
            .delete_object_store(twinwall_hub::northbound::jetstream::subjects::media_bucket(
                &name,
            ))
            .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_campus_behind_its_own_leaf_node_keeps_its_stream_while_cut_off() {
    use twinwall_tests::nats::{Forward, Server};
    // The centre's server, and the campus's leaf node with its own domain.
    // The centre's leaf port is advertised as the link the test cuts, so a
    // reconnecting leaf comes back through it, not around it.
    let uplink = Forward::start(None).await;
    let hub_side = Server::start(
        "centre",
        &format!(
            "jetstream {{ store_dir: \"{{store}}\", domain: centre }}\nleafnodes {{ host: 127.0.0.1, port: -1, advertise: \"{}\" }}",
            uplink.addr
        ),
    )
    .await;
    uplink.point(hub_side.leafnodes.expect("the centre's leaf node port"));
    let leaf = Server::start(
        "north-leaf",
        &format!(
            "jetstream {{ store_dir: \"{{store}}\", domain: north }}\nleafnodes {{ remotes: [ {{ url: \"{}\" }} ] }}",
            uplink.url()
        ),
    )
    .await;
    let site = site("leaf");
    let panel = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 16)
        .await
        .unwrap();
    let body = format!(
        "{ZONES}{}{}[jetstream]\nservers = [\"{}\"]\ndomain = \"north\"\n[jetstream.commands]\nenabled = true\n\
         allow = [\"alarm.acknowledge\", \"alarm.assign\", \"alarm.hold\", \"alarm.close\", \"device.silence\"]\n",
        panel_device(
            "fp-1",
            "lab",
            panel.addr(),
            "settings = { allow_commands = \"silence\" }"
        ),
        ticker("tick-1"),
        leaf.url(),
    );
    let hub = TestHub::start_site(&site, &["modbus-fire-panel", "hostile-test-driver"], &body)
        .await
        .unwrap();
    hub.add_person("duty", "值班员", "operator", &[]).await;

    let data = tempfile::tempdir().unwrap();
    let token = operator_token(data.path(), "duty");
    let mut cfg = CentralConfig::with_servers(vec![hub_side.url()]);
    cfg.central.http = "127.0.0.1:0".parse().unwrap();
    cfg.central.data_dir = data.path().to_owned();
    cfg.sites.push(twinwall_hub::central::config::SiteConfig {
        id: site.clone(),
        name: Some("本部".into()),
        domain: Some("north".into()),
        stream: None,
    });
    let c = Central::start(cfg).await.unwrap();
    let desk = Desk::of(&c, &token);

    // Through the leaf node and its domain to the centre's wall.
    panel.with_state(|s| s.alarm(2));
    let alarm = wait_for(Duration::from_secs(30), || wall_alarm(&desk, &site))
        .await
        .expect("the campus's fire alarm at the centre");
    assert_eq!(alarm["site_name"], "本部");

    // The link cut: the hub still publishes into its own leaf's stream.
    uplink.cut();
    let cut_at = hub.hub.bus().next_seq();
    let stalled = Desk::site(&desk.get("/api/v1/central").await, &site)["last_seq"].clone();
    wait_for(Duration::from_secs(20), || async {
        let v = hub.get("/api/v1/northbound/jetstream").await.ok()?;
        (hub.hub.bus().next_seq() > cut_at + 60
            && v["connected"] == true
            && v["lag_events"].as_u64()? < 20)
            .then_some(())
    })
    .await
    .expect("the campus's stream takes its events while the centre is away");
    let (status, refused) = desk.ack(&site, &alarm).await;
    assert!(matches!(status, 503 | 504), "{status} {refused}");
    let now = Desk::site(&desk.get("/api/v1/central").await, &site)["last_seq"].clone();
    assert!(
        now.as_u64() < Some(cut_at + 60),
        "the centre took events it cannot reach: {stalled} then {now}"
    );

    // Linked again: the backlog comes from the leaf, and actions go through.
    uplink.restore();
    let upto = hub.hub.bus().next_seq();
    centre_has(&desk, &site, upto, Duration::from_secs(60)).await;
    let acked = wait_for(Duration::from_secs(20), || async {
        let (status, v) = desk.ack(&site, &alarm).await;
        (status == 200).then_some(v)
    })
    .await
    .expect("the centre acts again once linked");
    assert_eq!(
        acked["alarm"]["acknowledged_by"], "值班员 (centre)#duty",
        "{acked}"
    );
    let report = peer(&[leaf.url()], &[(&site, upto)]).await;
    assert_whole(&report, &site);

    // The centre's console in a browser: a second alarm of the campus on its
    // wall, acknowledged by its button, recorded by the owning hub.
    panel.with_state(|s| s.alarm(5));
    let second = wait_for(Duration::from_secs(30), || async {
        let wall = desk.get("/api/v1/alarms?state=wall").await;
        wall["alarms"]
            .as_array()?
            .iter()
            .find(|a| {
                a["site"] == site.as_str() && a["kind"] == "fire.alarm" && a["id"] != alarm["id"]
            })
            .cloned()
    })
    .await
    .expect("a second fire alarm at the centre");
    let id = second["id"].as_str().unwrap().to_owned();
    let seen = interop(
        "central_browser.py",
        vec![
            "--url".into(),
            desk.url.clone(),
            "--token".into(),
            token.clone(),
            "--site".into(),
            site.clone(),
            "--site-name".into(),
            "本部".into(),
            "--alarm".into(),
            id.clone(),
            "--shots".into(),
            twinwall_tests::target_dir()
                .join("central-shots")
                .display()
                .to_string(),
        ],
    )
    .await;
    assert_eq!(seen["foreign_requests"], json!([]), "{seen}");
    assert_eq!(
        seen["device_sites"],
        json!([site]),
        "narrowed to the campus: {seen}"
    );
    assert!(seen["fire_events"].as_u64() >= Some(2), "{seen}");
    // Device commands: only what the campus allows, and with the lower of
    // the centre credential's role and the person's (an operator here).
    let guard = Tokens::open(data.path())
        .unwrap()
        .create("duty", Role::Guard, "test")
        .unwrap()
        .secret;
    let as_guard = Desk::of(&c, &guard);
    let path = format!("/api/v1/sites/{site}/devices/fp-1/commands");
    let (status, v) = as_guard.post(&path, &json!({"command": "silence"})).await;
    assert_eq!(
        status, 403,
        "a guard credential stays a guard at the campus: {v}"
    );
    // (A guard with no zones of their own covers none: refused by zone.)
    assert_eq!(v["error"]["code"], "forbidden", "{v}");
    let (status, v) = desk.post(&path, &json!({"command": "reset"})).await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (403, Some("not-allowed")),
        "{v}"
    );
    let (status, v) = desk.post(&path, &json!({"command": "silence"})).await;
    assert_eq!(status, 200, "{v}");
    let audit = hub
        .get("/api/v1/events?kind=device.command&newest=true&limit=1")
        .await
        .unwrap();
    assert_eq!(
        audit["events"][0]["actor"], "值班员 (centre)#duty",
        "{audit}"
    );

    let at_hub = hub.get(&format!("/api/v1/alarms/{id}")).await.unwrap();
    assert_eq!(
        at_hub["acknowledged_by"], "值班员 (centre)#duty",
        "{at_hub}"
    );
}
