//! The campus map's data and the statistics page's figures over the API:
//! the plan served from disk, zone outlines and device places from
//! hub.toml, a guard's map and figures narrowed to his zones; a fire alarm
//! acknowledged counts in the environment dimension, by zone and kind,
//! with its time to acknowledge; bad ranges are refused with what is wrong.

use std::time::Duration;

use serde_json::{Value, json};
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::{TestHub, panel_device};

const PLAN: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"400\"><rect width=\"600\" height=\"400\" fill=\"#eee\"/></svg>";

fn config(plan: &std::path::Path, chem: &str, gate: &str) -> String {
    format!(
        "[map]\nplan = {{ file = {:?}, width = 600, height = 400 }}\n\
         [[zones]]\nid = \"campus\"\n\
         [[zones]]\nid = \"chem-north\"\nname = \"化学北楼\"\nparent = \"campus\"\n\
         area = [[40, 60], [300, 60], [300, 260], [40, 260]]\n\
         [[zones]]\nid = \"gate-north\"\nparent = \"campus\"\n\
         area = [[380, 20], [540, 20], [540, 100], [380, 100]]\n{chem}{gate}",
        plan.display().to_string()
    )
}

async fn panel(id: &str, zone: &str, at: &str) -> (FirePanel, String) {
    let p = FirePanel::start(id, "127.0.0.1:0".parse().unwrap(), 8)
        .await
        .unwrap();
    let entry = panel_device(id, zone, p.addr(), &format!("at = {at}"));
    (p, entry)
}

/// GET `path` with a session cookie: status and JSON.
async fn get_as(hub: &TestHub, cookie: &str, path: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", hub.url))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn status_of(hub: &TestHub, path: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", hub.url))
        .bearer_auth(&hub.token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_map_and_the_figures_follow_the_config_the_log_and_the_callers_zones() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.svg");
    std::fs::write(&plan, PLAN).unwrap();
    let ((chem, chem_dev), (_gate, gate_dev)) = (
        panel("fp-chem", "chem-north", "[120, 120]").await,
        panel("fp-gate", "gate-north", "[400, 50]").await,
    );
    let hub = TestHub::start(&["modbus-fire-panel"], &config(&plan, &chem_dev, &gate_dev))
        .await
        .unwrap();
    hub.wait_online("fp-chem").await.unwrap();

    // The map as hub.toml draws it.
    let map = hub.get("/api/v1/map").await.unwrap();
    assert_eq!(
        map["plans"],
        json!([{"zone": null, "url": "/api/v1/map/plan", "width": 600.0, "height": 400.0}])
    );
    let zones: Vec<&str> = map["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["zone"].as_str().unwrap())
        .collect();
    assert_eq!(zones, ["campus/chem-north", "campus/gate-north"]);
    assert_eq!(map["devices"].as_array().unwrap().len(), 2, "{map}");
    assert_eq!(
        map["devices"][0],
        json!({"device": "fp-chem", "zone": "campus/chem-north", "on": null, "at": [120.0, 120.0], "from": "config"})
    );
    let picture = reqwest::Client::new()
        .get(format!("{}/api/v1/map/plan", hub.url))
        .bearer_auth(&hub.token)
        .send()
        .await
        .unwrap();
    assert_eq!(picture.headers()["content-type"], "image/svg+xml");
    assert!(
        picture.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(picture.text().await.unwrap(), PLAN);
    let (status, body) = status_of(&hub, "/api/v1/map/plans/chem-north").await;
    assert_eq!(status, 404, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("chem-north"),
        "{body}"
    );

    // A fire alarm in the chemistry building, acknowledged after a moment.
    chem.with_state(|s| s.alarm(1));
    let wall = twinwall_tests::wait_for(Duration::from_secs(10), || async {
        hub.get("/api/v1/alarms?state=wall")
            .await
            .ok()
            .filter(|w| w["alarms"].as_array().is_some_and(|a| !a.is_empty()))
    })
    .await
    .expect("the alarm is on the wall");
    let alarm_id = wall["alarms"][0]["id"].as_str().unwrap().to_owned();
    hub.post(&format!("/api/v1/alarms/{alarm_id}/ack"), &json!({}))
        .await
        .unwrap();

    let figures = twinwall_tests::wait_for(Duration::from_secs(10), || async {
        hub.get("/api/v1/statistics")
            .await
            .ok()
            .filter(|v| v["ready"] == true && v["statistics"]["alarms"]["acknowledged"] == 1)
    })
    .await
    .expect("the figures count the acknowledgement");
    let s = &figures["statistics"];
    assert_eq!(
        s["days"].as_array().unwrap().len(),
        7,
        "a week by default: {s}"
    );
    let env = s["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "environment")
        .unwrap();
    let per_day =
        |v: &Value| -> u64 { v.as_array().unwrap().iter().filter_map(Value::as_u64).sum() };
    assert!(
        per_day(&env["per_day"]) >= 1,
        "fire.alarm is environmental safety: {s}"
    );
    assert_eq!(
        s["alarms"]["by_zone"],
        json!([{"name": "campus/chem-north", "n": 1}])
    );
    assert_eq!(
        s["alarms"]["by_kind"],
        json!([{"name": "fire.alarm", "n": 1}])
    );
    // The day it opened has a median (whichever of the seven it is, should the test cross midnight).
    let median = s["alarms"]["ack_median_s_per_day"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(Value::as_f64)
        .expect("a median on the alarm's day");
    assert!(median >= 0.0, "{median}");

    // The north gate's guard: his gate's device and figures only.
    let password = hub
        .add_person("gate-north", "北门岗", "guard", &["campus/gate-north"])
        .await;
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/session", hub.url))
        .json(&json!({"login": "gate-north", "password": password}))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let (status, map) = get_as(&hub, &cookie, "/api/v1/map").await;
    assert_eq!(status, 200, "{map}");
    let devices: Vec<&str> = map["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["device"].as_str().unwrap())
        .collect();
    assert_eq!(devices, ["fp-gate"]);
    let (_, figures) = get_as(&hub, &cookie, "/api/v1/statistics").await;
    assert_eq!(figures["statistics"]["alarms"]["total"], 0, "{figures}");
    assert!(
        figures["statistics"]["events"]["by_zone"]
            .as_array()
            .unwrap()
            .iter()
            .all(|z| z["name"] == "campus/gate-north"),
        "{figures}"
    );

    // Ranges that cannot be read say why.
    for (query, says) in [
        ("from=2026-02-30", "from=2026-02-30"),
        ("from=2026-12-05&to=2026-12-01", "after"),
        ("from=2020-01-01&to=2026-01-01", "max_days"),
        ("since=yesterday", "since"),
    ] {
        let (status, body) = status_of(&hub, &format!("/api/v1/statistics?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        let msg = body["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.contains(says), "{query}: {body}");
    }
}

/// PUT a place with `token`: status and JSON.
async fn put_place(hub: &TestHub, token: &str, device: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .put(format!("{}/api/v1/map/devices/{device}", hub.url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_moves_a_device_on_the_plan_and_the_place_outlives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.svg");
    std::fs::write(&plan, PLAN).unwrap();
    let ((_chem, chem_dev), (_gate, gate_dev)) = (
        panel("fp-chem", "chem-north", "[120, 120]").await,
        // The gate's panel has a plan (the site's) and no place yet.
        FirePanel::start("fp-gate", "127.0.0.1:0".parse().unwrap(), 8)
            .await
            .map(|p| {
                let e = panel_device("fp-gate", "gate-north", p.addr(), "");
                (p, e)
            })
            .unwrap(),
    );
    let hub = TestHub::start(&["modbus-fire-panel"], &config(&plan, &chem_dev, &gate_dev))
        .await
        .unwrap();
    let map = hub.get("/api/v1/map").await.unwrap();
    assert_eq!(
        map["unplaced"],
        json!([{"device": "fp-gate", "zone": "campus/gate-north", "on": null}])
    );

    let admin = hub.token.clone();
    let (status, placed) = put_place(&hub, &admin, "fp-chem", json!({"at": [250.5, 200]})).await;
    assert_eq!(status, 200, "{placed}");
    assert_eq!(placed["from"], "moved");
    let (status, _) = put_place(&hub, &admin, "fp-gate", json!({"at": [450, 60]})).await;
    assert_eq!(status, 200);
    // An operator may look, not move; bad places say what is wrong.
    let operator =
        twinwall_tests::make_token(hub.dir.path(), twinwall_hub::auth::Role::Operator, "duty")
            .unwrap();
    let (status, body) = put_place(&hub, &operator, "fp-chem", json!({"at": [10, 10]})).await;
    assert_eq!(status, 403, "{body}");
    // An admin of the north gate only moves the north gate's devices.
    let gate_admin = hub
        .token_for("gate admin", "admin", &["campus/gate-north"])
        .await;
    let (status, body) = put_place(&hub, &gate_admin, "fp-chem", json!({"at": [10, 10]})).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("campus/chem-north"),
        "{body}"
    );
    for (device, body, code, says) in [
        ("fp-chem", json!({"at": [601, 10]}), 400, "not on the plan"),
        ("fp-chem", json!({"at": [10]}), 400, "invalid length"),
        ("fp-chem", json!({"at": [10, 10], "zone": "x"}), 400, "zone"),
        ("fp-nope", json!({"at": [10, 10]}), 404, "fp-nope"),
    ] {
        let (status, answer) = put_place(&hub, &admin, device, body.clone()).await;
        assert_eq!(status, code, "{body}: {answer}");
        let msg = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.contains(says), "{body}: {answer}");
    }
    let logged = hub
        .wait_count("kind=device.placed", 2, Duration::from_secs(5))
        .await
        .expect("two moves logged");
    assert_eq!(logged[0]["device"], "fp-chem");
    assert!(
        logged[0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("test admin#"),
        "{}",
        logged[0]
    );
    assert_eq!(logged[0]["attrs"]["x"], 250.5);

    let hub = hub.restart().await.unwrap();
    let map = hub.get("/api/v1/map").await.unwrap();
    let at = |id: &str| {
        map["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["device"] == id)
            .map(|d| (d["at"].clone(), d["from"].clone()))
    };
    assert_eq!(
        at("fp-chem"),
        Some((json!([250.5, 200.0]), json!("moved"))),
        "{map}"
    );
    assert_eq!(
        at("fp-gate"),
        Some((json!([450.0, 60.0]), json!("moved"))),
        "{map}"
    );
    assert_eq!(map["unplaced"], json!([]));
}
