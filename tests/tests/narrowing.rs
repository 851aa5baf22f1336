//! People and vehicles are narrowed to the caller's zones, as events and
//! alarms are: a caller of the north gate reads the north gate's head
//! counts, visitors, cars and violations, never the chemistry building's.

use serde_json::{Value, json};
use twinwall_hub::bus::NewEvent;
use twinwall_tests::{TestHub, wait_for};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"chem-north\"\nparent = \"campus\"\n\
                     [[zones]]\nid = \"gate-north\"\nparent = \"campus\"\n";

fn visitor(zone: &str, id: &str) -> NewEvent {
    NewEvent::new("access.granted", zone)
        .device(&format!("fg-{id}"))
        .attr("person_id", id)
        .attr("name", format!("访客 {id}"))
        .attr("category", "visitor")
        .attr("direction", "in")
}

fn car(zone: &str, plate: &str) -> NewEvent {
    NewEvent::new("vehicle.passage", zone)
        .device(&format!("bg-{plate}"))
        .attr("plate", plate)
        .attr("passage", "entry")
        .attr("category", "unknown")
}

fn violation(zone: &str, plate: &str) -> NewEvent {
    NewEvent::new("vehicle.violation", zone)
        .attr("plate", plate)
        .attr("reason", "blocklisted")
}

async fn get(hub: &TestHub, token: &str, path: &str) -> Value {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", hub.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

fn zones_of(v: &Value, list: &str) -> Vec<String> {
    let mut z: Vec<String> = v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["zone"].as_str().unwrap().to_owned())
        .collect();
    z.sort();
    z.dedup();
    z
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_of_one_gate_reads_that_gates_people_and_vehicles_only() {
    let hub = TestHub::start(&[], ZONES).await.unwrap();
    hub.hub
        .bus()
        // The visitors last: once the people view has them, the one reader
        // of the log has fed every view the cars before them.
        .append(vec![
            car("campus/chem-north", "豫A00001"),
            car("campus/gate-north", "豫A00002"),
            violation("campus/chem-north", "豫A00001"),
            violation("campus/gate-north", "豫A00002"),
            visitor("campus/chem-north", "V1"),
            visitor("campus/gate-north", "V2"),
        ])
        .await
        .unwrap();
    let gate = hub
        .token_for("north gate screen", "viewer", &["campus/gate-north"])
        .await;
    let admin = hub.token.clone();
    // The whole campus for the admin, once the views have read the log.
    let all = wait_for(std::time::Duration::from_secs(10), || async {
        let v = get(&hub, &admin, "/api/v1/people/visitors").await;
        (v["present"].as_array().map(Vec::len) == Some(2)).then_some(v)
    })
    .await
    .expect("both visitors are in");
    assert_eq!(
        zones_of(&all, "present"),
        ["campus/chem-north", "campus/gate-north"]
    );
    let both = ["campus/chem-north", "campus/gate-north"];
    assert_eq!(
        zones_of(&get(&hub, &admin, "/api/v1/people/stats").await, "zones"),
        both
    );
    assert_eq!(
        zones_of(
            &get(&hub, &admin, "/api/v1/vehicles/present").await,
            "present"
        ),
        both
    );
    assert_eq!(
        zones_of(
            &get(&hub, &admin, "/api/v1/vehicles/violations").await,
            "violations"
        ),
        both
    );

    // The gate's screen: the gate's only, totals included.
    let only = ["campus/gate-north"];
    let stats = get(&hub, &gate, "/api/v1/people/stats").await;
    assert_eq!(zones_of(&stats, "zones"), only);
    assert_eq!(stats["totals"]["visitor"]["in"], 1, "{stats}");
    let visitors = get(&hub, &gate, "/api/v1/people/visitors").await;
    assert_eq!(zones_of(&visitors, "present"), only);
    assert_eq!(visitors["present"][0]["person_id"], "V2");
    assert_eq!(
        zones_of(
            &get(&hub, &gate, "/api/v1/vehicles/present").await,
            "present"
        ),
        only
    );
    let v = get(&hub, &gate, "/api/v1/vehicles/violations").await;
    assert_eq!(zones_of(&v, "violations"), only, "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duty_room_of_some_zones_broadcasts_to_those_zones_only() {
    let hub = TestHub::start(&[], ZONES).await.unwrap();
    let gate = hub
        .token_for("north gate duty", "operator", &["campus/gate-north"])
        .await;
    let post = |body: Value| {
        let (url, token) = (format!("{}/api/v1/broadcasts", hub.url), gate.clone());
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let text = json!({"text": "请注意"});
    let (status, body) = post(json!({"zones": ["chem-north"], "source": text})).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("chem-north"),
        "{body}"
    );
    let (status, body) = post(json!({"all": true, "source": text})).await;
    assert_eq!(status, 403, "{body}");
    // Its own zone passes the check (and meets no speaker there: 422).
    let (status, body) = post(json!({"zones": ["gate-north"], "source": text})).await;
    assert_eq!(status, 422, "{body}");
}
