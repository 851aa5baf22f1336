//! Alarms handled to closure through the API: real fire panels over Modbus
//! and a real one-key post over DC-09 raise them, named people act on them,
//! a guard is kept to his zones, escalation runs on a clock the test drives,
//! a flood is flagged and grouped, and the book rebuilt after SIGKILL equals
//! the one before.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use twinwall_hub::auth::Role;
use twinwall_simulator::alarm_host::{AlarmHost, HostOptions};
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::{TestHub, client_with, get_json, make_token, panel_device, wait_for};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n\
    [[zones]]\nid = \"chem-north\"\nname = \"化学北楼\"\nparent = \"campus\"\n\
    [[zones]]\nid = \"north-gate\"\nname = \"北门\"\nparent = \"campus\"\n\
    [[zones]]\nid = \"perimeter-north\"\nname = \"北侧周界\"\nparent = \"campus\"\n\
    [alarms]\ntick_ms = 50\n";

async fn panel(id: &str, points: u16) -> FirePanel {
    FirePanel::start(id, "127.0.0.1:0".parse().unwrap(), points)
        .await
        .unwrap()
}

fn dev(id: &str, zone: &str, p: &FirePanel, points: u16) -> String {
    panel_device(
        id,
        zone,
        p.addr(),
        &format!("settings = {{ points = {points} }}"),
    )
}

/// POST as `client`: the status and the JSON answer.
async fn post(client: &reqwest::Client, url: &str, body: Value) -> (u16, Value) {
    let r = client.post(url).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// The open alarms once `ready` says `pred` holds.
async fn alarms_when(hub: &TestHub, query: &str, pred: impl Fn(&Value) -> bool) -> Value {
    wait_for(Duration::from_secs(10), || async {
        hub.get(&format!("/api/v1/alarms?{query}"))
            .await
            .ok()
            .filter(|v| pred(v))
    })
    .await
    .unwrap_or_else(|| panic!("alarms?{query} never matched"))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alarm_lives_from_raise_to_close_handled_by_two_people() {
    let p = panel("fp-1", 16).await;
    let hub = TestHub::start(
        &["modbus-fire-panel"],
        &format!("{ZONES}{}", dev("fp-1", "chem-north", &p, 16)),
    )
    .await
    .unwrap();
    hub.wait_online("fp-1").await.unwrap();
    let li = client_with(&make_token(hub.dir.path(), Role::Operator, "li").unwrap());
    let wang = client_with(&make_token(hub.dir.path(), Role::Operator, "wang").unwrap());

    p.with_state(|s| s.alarm(3));
    let list = alarms_when(&hub, "state=wall", |v| v["total"] == 1).await;
    let a = &list["alarms"][0];
    let id = a["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (
            a["kind"].as_str(),
            a["level"].as_str(),
            a["source"].as_str(),
            a["state"].as_str()
        ),
        (
            Some("fire.alarm"),
            Some("red"),
            Some("3"),
            Some("active, unacknowledged, new")
        )
    );
    let url = |action: &str| format!("{}/api/v1/alarms/{id}/{action}", hub.url);

    // Closing while the condition holds is refused, naming the state.
    let (status, body) = post(
        &li,
        &url("close"),
        json!({"resolution": "real", "note": "x"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("active, unacknowledged, new")
    );

    // The panel is reset and the point raises again: one alarm, one re-alarm.
    p.with_state(|s| s.reset());
    alarms_when(&hub, "state=active", |v| v["total"] == 0).await;
    p.with_state(|s| s.alarm(3));
    let again = alarms_when(&hub, "state=active", |v| v["total"] == 1).await;
    assert_eq!(again["alarms"][0]["id"], id.as_str());
    assert_eq!(again["alarms"][0]["re_alarms"], 1);
    p.with_state(|s| s.reset());
    alarms_when(&hub, "state=active", |v| v["total"] == 0).await;
    // Cleared but unacknowledged: still on the wall.
    let wall = hub.get("/api/v1/alarms?state=wall").await.unwrap();
    assert_eq!(wall["total"], 1);

    // li acknowledges; wang's acknowledgement comes second and is refused.
    let (status, body) = post(&li, &url("ack"), json!({"note": "on my way"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["acknowledged"], true);
    let (status, body) = post(&wang, &url("ack"), json!({})).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already acknowledged (by li#")
    );
    // wang takes it and closes it; a red fire alarm needs a note.
    let (status, body) = post(&wang, &url("assign"), json!({})).await;
    assert_eq!(
        (status, body["owner"].as_str()),
        (200, Some("wang")),
        "{body}"
    );
    let (status, body) = post(&wang, &url("close"), json!({"resolution": "false"})).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("note"));
    let (status, body) = post(
        &wang,
        &url("close"),
        json!({"resolution": "false", "note": "steam from the lab kettle"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["stage"].as_str(), body["resolution"].as_str()),
        (Some("closed"), Some("false"))
    );

    // The alarm's page: its raises and clears, and who did what.
    let one = hub.get(&format!("/api/v1/alarms/{id}")).await.unwrap();
    let kinds: Vec<&str> = one["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["phase"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["begin", "end", "begin", "end"]);
    let steps: Vec<(String, String)> = one["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let actor = t["actor"].as_str().unwrap();
            (
                t["kind"].as_str().unwrap().to_owned(),
                actor[..actor.find('#').unwrap()].to_owned(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("alarm.acknowledged".to_owned(), "li".to_owned()),
            ("alarm.assigned".to_owned(), "wang".to_owned()),
            ("alarm.closed".to_owned(), "wang".to_owned()),
        ]
    );
    // Each step is an event of the log with the person as its actor.
    let closed = hub.events("kind=alarm.closed").await.unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0]["attrs"]["alarm"], id.as_str());
    assert!(closed[0]["actor"].as_str().unwrap().starts_with("wang#"));
    // Closed: nothing more can be done, and a new raise is a new alarm.
    let (status, _) = post(&li, &url("hold"), json!({})).await;
    assert_eq!(status, 409);
    p.with_state(|s| s.alarm(3));
    let fresh = alarms_when(&hub, "state=open", |v| v["total"] == 1).await;
    assert_ne!(fresh["alarms"][0]["id"], id.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guard_sees_and_acknowledges_only_the_alarms_of_his_zones() {
    let (chem, gate) = (panel("fp-chem", 8).await, panel("fp-gate", 8).await);
    let hub = TestHub::start(
        &["modbus-fire-panel"],
        &format!(
            "{ZONES}{}{}",
            dev("fp-chem", "chem-north", &chem, 8),
            dev("fp-gate", "north-gate", &gate, 8)
        ),
    )
    .await
    .unwrap();
    hub.wait_online("fp-chem").await.unwrap();
    hub.wait_online("fp-gate").await.unwrap();
    let tokens = twinwall_hub::auth::Tokens::open(&hub.dir.path().join("data")).unwrap();
    let guard = client_with(
        &tokens
            .create_for(
                "north gate guard",
                Role::Guard,
                &["campus/north-gate".into()],
                "test",
            )
            .unwrap()
            .secret,
    );
    chem.with_state(|s| s.alarm(1));
    gate.with_state(|s| s.alarm(2));
    let all = alarms_when(&hub, "", |v| v["total"] == 2).await;
    let id_in = |zone: &str| {
        all["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["zone"] == zone)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (chem_id, gate_id) = (id_in("campus/chem-north"), id_in("campus/north-gate"));

    let mine = get_json(&guard, &format!("{}/api/v1/alarms", hub.url))
        .await
        .unwrap();
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["alarms"][0]["id"], gate_id.as_str());
    let r = guard
        .get(format!("{}/api/v1/alarms/{chem_id}", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = guard
        .get(format!("{}/api/v1/alarms?zone=campus/chem-north", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (status, body) = post(
        &guard,
        &format!("{}/api/v1/alarms/{chem_id}/ack", hub.url),
        json!({}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("outside the zones")
    );
    let (status, body) = post(
        &guard,
        &format!("{}/api/v1/alarms/{gate_id}/ack", hub.url),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Handling beyond acknowledging is the duty room's.
    let (status, _) = post(
        &guard,
        &format!("{}/api/v1/alarms/{gate_id}/assign", hub.url),
        json!({}),
    )
    .await;
    assert_eq!(status, 403);

    // The log and the devices, too, are his zones' only.
    let events = get_json(&guard, &format!("{}/api/v1/events?limit=1000", hub.url))
        .await
        .unwrap();
    let zones: std::collections::BTreeSet<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["zone"].as_str().unwrap())
        .collect();
    assert_eq!(
        zones.into_iter().collect::<Vec<_>>(),
        ["campus/north-gate"],
        "{events}"
    );
    let all_events = hub.get("/api/v1/events?limit=1000").await.unwrap();
    assert!(
        all_events["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["zone"] == "campus/chem-north"),
        "the duty room reads the chemistry building's"
    );
    let r = guard
        .get(format!("{}/api/v1/events?zone=campus/chem-north", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let chem_seq = id_in("campus/chem-north")[1..].to_owned();
    let r = guard
        .get(format!("{}/api/v1/events/{chem_seq}", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let devices = get_json(&guard, &format!("{}/api/v1/devices", hub.url))
        .await
        .unwrap();
    let ids: Vec<&str> = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["fp-gate"], "{devices}");
    // Zone names are for everyone: his console names the buildings around.
    let zones = get_json(&guard, &format!("{}/api/v1/zones", hub.url))
        .await
        .unwrap();
    let chem = zones["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["id"] == "chem-north")
        .unwrap();
    assert_eq!(
        (&chem["path"], &chem["name"], &chem["parent"], &chem["risk"]),
        (
            &json!("campus/chem-north"),
            &json!("化学北楼"),
            &json!("campus"),
            &json!("blue")
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unanswered_alarm_escalates_on_the_clock_until_someone_acknowledges() {
    let p = panel("fp-1", 8).await;
    let now = Arc::new(AtomicI64::new(twinwall_hub::bus::now_ms()));
    // A linkage rule on the fire alarm, and one on its escalation (the
    // duty room's second call): the alarm's page names both.
    let rules = "[[rules]]\nid = \"fire-seen\"\nwhen = { kind = [\"fire.alarm\"] }\n\
        actions = [{ raise = { level = \"red\" } }]\n\
        [[rules]]\nid = \"unanswered\"\nwhen = { kind = [\"alarm.escalated\"] }\ndebounce_s = 0\n\
        actions = [{ raise = { level = \"red\" } }]\n";
    let hub = TestHub::start_with_clock(
        &["modbus-fire-panel"],
        &format!("{ZONES}{}{rules}", dev("fp-1", "chem-north", &p, 8)),
        now.clone(),
    )
    .await
    .unwrap();
    hub.wait_online("fp-1").await.unwrap();
    p.with_state(|s| s.alarm(4));
    let list = alarms_when(&hub, "", |v| v["total"] == 1).await;
    let id = list["alarms"][0]["id"].as_str().unwrap().to_owned();
    let escalations = |n: usize| {
        let hub = &hub;
        async move {
            hub.wait_count("kind=alarm.escalated", n, Duration::from_secs(5))
                .await
        }
    };

    // Red waits 60 s for a person, by the hub's clock (the alarm opened
    // before the system time read here).
    let sys = twinwall_hub::bus::now_ms;
    now.store(sys() + 61_000, Ordering::SeqCst);
    let first = escalations(1).await.expect("escalated after 60 s");
    assert_eq!(
        (
            first[0]["attrs"]["alarm"].as_str(),
            first[0]["attrs"]["count"].as_i64()
        ),
        (Some(id.as_str()), Some(1))
    );
    assert_eq!(first[0]["level"], "red");
    // Again every 120 s while nobody answers.
    now.store(sys() + 121_000, Ordering::SeqCst);
    let second = escalations(2).await.expect("escalated again");
    assert_eq!(second[1]["attrs"]["count"], 2);
    let page = hub.get(&format!("/api/v1/alarms/{id}")).await.unwrap();
    assert_eq!(page["escalations"], 2);
    assert!(
        page["why"].as_str().unwrap().contains("level red"),
        "the alarm rule it met: {page}"
    );
    // Each escalation fired the second rule, the raise the first.
    let page = wait_for(Duration::from_secs(5), || async {
        hub.get(&format!("/api/v1/alarms/{id}"))
            .await
            .ok()
            .filter(|p| p["rules"].as_array().is_some_and(|r| r.len() >= 3))
    })
    .await
    .expect("the rules that fired on the alarm are on its page");
    let fired: Vec<(&str, &str)> = page["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap(),
                r["cause_kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fired,
        [
            ("fire-seen", "fire.alarm"),
            ("unanswered", "alarm.escalated"),
            ("unanswered", "alarm.escalated")
        ]
    );

    let (status, body) = post(
        &hub.http,
        &format!("{}/api/v1/alarms/{id}/ack", hub.url),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    now.store(sys() + 3_600_000, Ordering::SeqCst);
    assert!(
        hub.wait_count("kind=alarm.escalated", 3, Duration::from_secs(1))
            .await
            .is_none(),
        "acknowledged: no more escalations"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_fire_alarms_is_flagged_and_grouped_while_a_panic_stays_first() {
    let p = panel("fp-1", 64).await;
    let control = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let post_dev = format!(
        "[[devices]]\nid = \"ph-1\"\ndriver = \"perimeter\"\nprofile = \"perimeter/twinwall-ph1\"\nzone = \"perimeter-north\"\n\
         address = \"{control}\"\nusername = \"admin\"\npassword = \"admin123\"\n\
         settings = {{ account = \"1234\", zones = \"9=post/library-post\" }}\n"
    );
    let hub = TestHub::start(
        &["modbus-fire-panel", "perimeter"],
        &format!(
            "{ZONES}[listen.ports]\ndc09 = \"127.0.0.1:0\"\n{}{post_dev}",
            dev("fp-1", "chem-north", &p, 64)
        ),
    )
    .await
    .unwrap();
    hub.wait_online("fp-1").await.unwrap();
    let mut o = HostOptions::new("1234", hub.hub.port_addr("dc09").unwrap());
    o.supervision_s = 1;
    let host = AlarmHost::start("ph-1", control, o).await.unwrap();

    // One building burns: 50 detectors within seconds.
    p.with_state(|s| {
        for point in 1..=50 {
            s.alarm(point);
        }
    });
    alarms_when(&hub, "group=false", |v| v["total"] == 50).await;
    let flood = hub
        .wait_event("kind=alarm.flood", Duration::from_secs(5), |e| {
            e["phase"] == "begin"
        })
        .await
        .expect("the flood is flagged");
    assert!(flood["attrs"]["opened"].as_i64().unwrap() > 10);
    // Then someone presses the one-key post at the library.
    host.panic(9);
    let grouped = alarms_when(&hub, "", |v| v["total"] == 51).await;
    assert_eq!(
        grouped["grouped"], true,
        "grouped while the flood lasts: {grouped}"
    );
    assert!(grouped["flood"].is_object());
    let groups = grouped["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{grouped}");
    assert_eq!(
        (groups[0]["kind"].as_str(), groups[0]["count"].as_u64()),
        (Some("panic.pressed"), Some(1))
    );
    assert_eq!(
        (groups[1]["kind"].as_str(), groups[1]["count"].as_u64()),
        (Some("fire.alarm"), Some(50))
    );
    assert_eq!(groups[1]["zone"], "campus/chem-north");
    // The flat list is still there for whoever asks.
    let flat = hub.get("/api/v1/alarms?group=false&limit=5").await.unwrap();
    assert_eq!(flat["alarms"].as_array().unwrap().len(), 5);
    let kpis = hub.get("/api/v1/alarms/kpis").await.unwrap();
    assert_eq!(kpis["kpis"]["alarms"], 51);
    assert!(kpis["kpis"]["flood_s"].as_f64().unwrap() >= 0.0);
}

/// The hub process of `the_book_after_sigkill_and_restart_equals_the_one_before`.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "runs only as the child process of the_book_after_sigkill_and_restart_equals_the_one_before"]
async fn child_hub_process() {
    twinwall_tests::run_child_hub().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_book_after_sigkill_and_restart_equals_the_one_before() {
    let p = panel("fp-1", 16).await;
    let dir = tempfile::tempdir().unwrap();
    twinwall_tests::install_drivers(dir.path(), &["modbus-fire-panel"]).unwrap();
    let http = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let text = twinwall_tests::config_text(
        "kill",
        &format!("{ZONES}{}", dev("fp-1", "chem-north", &p, 16)),
    )
    .replace("listen = \"127.0.0.1:0\"", &format!("listen = \"{http}\""));
    let config = dir.path().join("hub.toml");
    std::fs::write(&config, text).unwrap();
    let admin = client_with(&twinwall_tests::admin_token(dir.path()).unwrap());
    let api = format!("http://{http}/api/v1/alarms");
    let ready = |query: &'static str, pred: fn(&Value) -> bool| {
        let (admin, api) = (admin.clone(), api.clone());
        async move {
            wait_for(Duration::from_secs(30), || async {
                get_json(&admin, &format!("{api}?{query}"))
                    .await
                    .ok()
                    .filter(|v| v["ready"] == true && pred(v))
            })
            .await
            .unwrap_or_else(|| panic!("{query} never matched"))
        }
    };

    let hub = twinwall_tests::spawn_child_hub(&config, "child_hub_process");
    for point in 1..=4 {
        p.with_state(|s| s.alarm(point));
    }
    let before = ready("state=all&group=false", |v| v["total"] == 4).await;
    let id = |i: usize| before["alarms"][i]["id"].as_str().unwrap().to_owned();
    p.with_state(|s| s.reset());
    ready("state=active&group=false", |v| v["total"] == 0).await;
    let act = |path: String, body: Value| {
        let admin = admin.clone();
        async move { post(&admin, &path, body).await }
    };
    assert_eq!(act(format!("{api}/{}/ack", id(0)), json!({})).await.0, 200);
    assert_eq!(act(format!("{api}/{}/ack", id(1)), json!({})).await.0, 200);
    assert_eq!(
        act(
            format!("{api}/{}/close", id(1)),
            json!({"resolution": "test", "note": "drill"})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        act(format!("{api}/{}/assign", id(2)), json!({"to": "zhao"}))
            .await
            .0,
        200
    );
    assert_eq!(
        act(
            format!("{api}/{}/shelve", id(3)),
            json!({"minutes": 30, "reason": "detector cleaning"})
        )
        .await
        .0,
        200
    );
    let strip = |mut v: Value| {
        for a in v["alarms"].as_array_mut().unwrap() {
            a.as_object_mut().unwrap().remove("age_s");
        }
        v
    };
    let before = strip(ready("state=all&group=false", |_| true).await);
    let mut histories = Vec::new();
    for a in before["alarms"].as_array().unwrap() {
        let page = get_json(&admin, &format!("{api}/{}", a["id"].as_str().unwrap()))
            .await
            .unwrap();
        histories.push(page["transitions"].clone());
    }
    hub.kill();

    let _hub = twinwall_tests::spawn_child_hub(&config, "child_hub_process");
    let after = strip(ready("state=all&group=false", |v| v["total"] == 4).await);
    assert_eq!(after, before, "the rebuilt book is the one before");
    for (i, h) in histories.iter().enumerate() {
        let page = get_json(
            &admin,
            &format!("{api}/{}", before["alarms"][i]["id"].as_str().unwrap()),
        )
        .await
        .unwrap();
        assert_eq!(&page["transitions"], h, "no transition lost or doubled");
    }
}
