//! The README's demo, as a new user meets it: every family shows up within a
//! minute of starting, pictures included, and a visitor overstays.

use std::time::Duration;

use twinwall_sim::demo::{self, DemoOptions};
use twinwall_tests::{drivers, get_json, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_shows_every_family_within_a_minute() {
    let d = demo::start(&DemoOptions {
        visit_limit_s: 8,
        ..DemoOptions::new("127.0.0.1:0", drivers().to_owned())
    })
    .await
    .unwrap();
    let url = format!("http://{}", d.hub.http_addr());
    let d_token = d.operator_token.clone();
    let admin_token = d.admin_token.clone();
    let http = twinwall_tests::client_with(&d.operator_token);
    let play = tokio::spawn(async move {
        d.play().await;
        d
    });
    let events = |q: &'static str| {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let v: serde_json::Value = http
                .get(format!("{url}/api/v1/events?limit=1000&{q}"))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            v["events"].as_array().filter(|a| !a.is_empty()).cloned()
        }
    };
    let within = Duration::from_secs(60);
    for q in [
        "kind=fire.alarm",
        "kind=camera.motion",
        "kind=access.denied",
        "kind=perimeter.intrusion",
        "kind=panic.pressed",
        "kind=panic.cancelled",
        "kind=perimeter.disarmed",
        "kind=perimeter.armed",
        "kind=vehicle.passage",
        "kind=vehicle.speeding",
        "kind=vehicle.violation",
        "kind=vehicle.overstay",
        "kind=barrier.state",
        "kind=rule.fired",
        "kind=broadcast.started",
        "kind=broadcast.finished",
        "kind=speaker.fault",
        "kind=sensor.alarm",
        "kind=alarm.acknowledged",
        "kind=alarm.closed",
        "kind=alarm.escalated",
    ] {
        wait_for(within, || events(q))
            .await
            .unwrap_or_else(|| panic!("no `{q}` in the demo"));
    }
    // The duty room is a person signed in: her name is the actor.
    let closed = wait_for(within, || events("kind=alarm.closed"))
        .await
        .unwrap();
    assert_eq!(closed[0]["actor"], "值班员 王芳#duty", "{:?}", closed[0]);
    // Its page says why it is an alarm, which rule fired on it and shows
    // the pictures that rule took of the building.
    let page = get_json(
        &http,
        &format!(
            "{url}/api/v1/alarms/{}",
            closed[0]["attrs"]["alarm"].as_str().unwrap()
        ),
    )
    .await
    .unwrap();
    assert!(page["why"].as_str().is_some(), "{page}");
    assert_eq!(page["rules"][0]["rule"], "fire-evacuation", "{page}");
    assert!(
        page["pictures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["from"]["rule"] == "fire-evacuation"),
        "{page}"
    );
    // The alarm left unanswered brought its zone's cameras to its page.
    let unanswered = wait_for(within, || async {
        events("kind=rule.fired&zone=campus/canteen")
            .await
            .filter(|f| f.iter().any(|f| f["attrs"]["rule"] == "alarm-unanswered"))
    })
    .await;
    assert!(
        unanswered.is_some(),
        "the canteen's unanswered alarm fired its rule"
    );
    let passes = wait_for(within, || events("kind=access.granted"))
        .await
        .unwrap();
    assert!(
        passes.iter().all(|e| e["media"][0]["role"] == "face"),
        "faces with every pass"
    );
    assert!(
        passes.iter().any(|e| e["device"] == "fg-dorm-3")
            || wait_for(within, || async {
                events("kind=access.*&device=fg-dorm-3").await
            })
            .await
            .is_some(),
        "the stream-mode gate reports too"
    );
    let overdue = wait_for(within, || events("kind=people.visitor_overdue"))
        .await
        .expect("a visitor overstays");
    assert_eq!(overdue[0]["attrs"]["person_id"], "V0002");

    // The chemistry building's fire alarm evacuated that building by rule,
    // with pictures from its cameras.
    let fired = wait_for(within, || events("kind=rule.fired&zone=campus/chem-north"))
        .await
        .expect("the fire rule fired in the chemistry building");
    assert_eq!(fired[0]["attrs"]["rule"], "fire-evacuation");
    assert!(
        !fired[0]["media"].as_array().unwrap().is_empty(),
        "{}",
        fired[0]
    );
    let started = wait_for(within, || {
        events("kind=broadcast.started&zone=campus/chem-north")
    })
    .await
    .unwrap();
    assert_eq!(
        started.len() % 4,
        0,
        "all four speakers of the building: {started:?}"
    );
    // One command speaks to a zone and shows every speaker's outcome.
    twinwall_hub::broadcast::cli::run(twinwall_hub::broadcast::cli::Args {
        api: url.clone(),
        zones: vec!["dorm-3".into()],
        all: false,
        clip: None,
        text: Some("请注意：宿舍楼即将熄灯".into()),
        live: None,
        priority: 50,
        repeat: 1,
        volume: Some(40),
        wait: false,
        token: d_token.clone(),
    })
    .await
    .expect("the broadcast command");
    let started = wait_for(within, || {
        events("kind=broadcast.started&zone=campus/dorm-3")
    })
    .await
    .unwrap();
    assert_eq!(started.len(), 3, "{started:?}");

    // The program: the register of the four buildings, the chemistry
    // laboratory orange from its LEC score and the map showing it; a round
    // done and one missed; the canteen panel's mains fault a hazard the
    // office and the canteen closed; 化学化工学院's term with its deductions.
    let get = |path: String| {
        let (http, url) = (http.clone(), url.clone());
        async move { get_json(&http, &format!("{url}{path}")).await.ok() }
    };
    let points = wait_for(within, || async {
        get("/api/v1/risks/points".into())
            .await
            .filter(|v| v["points"].as_array().is_some_and(|p| p.len() == 4))
    })
    .await
    .expect("the register of the four buildings");
    let lab = points["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "CHEM-N-LAB")
        .unwrap()
        .clone();
    assert_eq!(
        (lab["score"].as_f64(), lab["level"].as_str()),
        (Some(252.0), Some("orange")),
        "{lab}"
    );
    let zones = get("/api/v1/zones".into()).await.unwrap();
    let chem = zones["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["path"] == "campus/chem-north")
        .unwrap();
    assert_eq!(
        (chem["risk"].as_str(), chem["risk_from"].as_str()),
        (Some("orange"), Some("points"))
    );
    let rounds = wait_for(within, || async {
        get("/api/v1/inspections".into()).await.filter(|v| {
            !v["missed"].as_array().unwrap().is_empty()
                && !v["rounds"].as_array().unwrap().is_empty()
        })
    })
    .await;
    let Some(rounds) = rounds else {
        panic!(
            "a round done and one missed: {:?}",
            get("/api/v1/inspections".into()).await
        );
    };
    assert_eq!(rounds["missed"][0]["task"], "CHEM-N-LAB-daily", "{rounds}");
    let closed = wait_for(within, || async {
        get("/api/v1/hazards?state=closed&origin=rule&zone=canteen".into())
            .await
            .filter(|v| !v["hazards"].as_array().unwrap().is_empty())
    })
    .await
    .expect("the canteen panel's hazard closed through the loop");
    let steps: Vec<&str> = closed["hazards"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "hazard.opened",
            "hazard.notified",
            "hazard.started",
            "hazard.progress",
            "hazard.submitted",
            "hazard.accepted"
        ]
    );
    // The program office reads every unit's assessment.
    let admin = twinwall_tests::client_with(&admin_token);
    let a = get_json(&admin, &format!("{url}/api/v1/assessment?unit=chem"))
        .await
        .unwrap();
    let articles: Vec<&str> = a["units"][0]["deductions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["article"].as_str().unwrap())
        .collect();
    for want in ["第十二条", "第十五条"] {
        assert!(articles.contains(&want), "{a}");
    }
    assert!(a["units"][0]["score"].as_i64().unwrap() < 100, "{a}");
    play.abort();
}
