//! End to end: simulated face gates (ISAPI style) pushing to the hub's push
//! listener or streaming their alerts, the real face-gate wasm driver
//! (contract 0.2), pictures as media, door commands, refusals, and a hub
//! killed while gates push.

use std::time::Duration;

use serde_json::json;
use twinwall_simulator::face_gate::{Category, Denial, FaceGate, GateFault, GateOptions, people};
use twinwall_tests::{TestHub, wait_for};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"gate-north\"\nname = \"北门\"\nparent = \"campus\"\n";

fn gate_device(id: &str, gate: &FaceGate, mode: &str) -> String {
    format!(
        "[[devices]]\nid = \"{id}\"\ndriver = \"face-gate\"\nprofile = \"face-gate/twinwall-fg1\"\nzone = \"gate-north\"\n\
         address = \"{}\"\nusername = \"admin\"\npassword = \"gate-pw\"\noffline_after_ms = 12000\nsettings = {{ mode = \"{mode}\" }}\n",
        gate.addr()
    )
}

async fn gate(id: &str) -> FaceGate {
    FaceGate::start(
        id,
        "127.0.0.1:0".parse().unwrap(),
        "admin",
        "gate-pw",
        GateOptions::default(),
    )
    .await
    .unwrap()
}

/// A gate and a hub whose driver has told the gate where to push.
async fn pushing(extra: &str) -> (FaceGate, TestHub) {
    let g = gate("fg-1").await;
    let hub = TestHub::start(
        &["face-gate"],
        &format!("{ZONES}{}{extra}", gate_device("fg-1", &g, "push")),
    )
    .await
    .unwrap();
    hub.wait_online("fg-1").await.unwrap();
    wait_for(Duration::from_secs(10), || async { g.push_target() })
        .await
        .expect("the driver configured the gate's push target");
    (g, hub)
}

#[tokio::test(flavor = "multi_thread")]
async fn pushed_passes_become_events_with_faces_and_doors_obey() {
    let (g, hub) = pushing("").await;
    let target = g.push_target().unwrap().url;
    assert!(
        target.starts_with(&format!("http://{}/push/fg-1/", hub.hub.push_addr())),
        "pushes go to the push listener, not the API: {target}"
    );
    let staff = people::person(Category::Staff, 3);
    g.pass(&staff, 1, true);
    let e = hub
        .wait_event("kind=access.granted", Duration::from_secs(5), |_| true)
        .await
        .unwrap();
    assert_eq!(e["zone"], "campus/gate-north");
    assert_eq!(e["attrs"]["person_id"], staff.id.as_str());
    assert_eq!(e["attrs"]["name"], staff.name.as_str());
    assert_eq!(e["attrs"]["category"], "staff");
    assert_eq!(e["attrs"]["direction"], "in");
    assert_eq!(e["attrs"]["method"], "face");
    assert!(
        e["device_time"].is_string(),
        "the gate's +08:00 stamp is kept: {e}"
    );
    let media = &e["media"][0];
    assert_eq!(
        (media["role"].as_str(), media["content_type"].as_str()),
        (Some("face"), Some("image/jpeg"))
    );
    let pic = hub.media(media).await.unwrap();
    assert_eq!(&pic[..2], &[0xff, 0xd8], "a JPEG");

    // Each denial reason.
    let student = people::person(Category::Student, 8);
    g.deny(None, 1, Denial::UnknownFace);
    g.deny(Some(&student), 2, Denial::NoPermission);
    g.deny(Some(&student), 1, Denial::AbnormalTemperature);
    let denied = hub
        .wait_count("kind=access.denied", 3, Duration::from_secs(5))
        .await
        .expect("three denials");
    let reasons: Vec<&str> = denied
        .iter()
        .filter_map(|e| e["attrs"]["reason"].as_str())
        .collect();
    assert_eq!(
        reasons,
        ["unknown_face", "no_permission", "abnormal_temperature"]
    );
    assert_eq!(denied[2]["level"], "yellow");

    // Door commands reach the gate; its report follows.
    let (status, body) = hub
        .command_with("fg-1", "door.keep_open", json!({"door": 2}))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(g.door_always_open(2));
    hub.wait_event("kind=access.door", Duration::from_secs(5), |e| {
        e["attrs"]["state"] == "always_open" && e["attrs"]["door"] == 2
    })
    .await
    .unwrap();
    let (status, body) = hub
        .command_with("fg-1", "door.open", json!({"door": 9}))
        .await
        .unwrap();
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad-args")),
        "{body}"
    );
    assert!(body["error"]["message"].as_str().unwrap().contains("fg-1"));
    let drivers = hub.get("/api/v1/drivers").await.unwrap();
    let spec = &drivers["drivers"][0]["command_specs"][0];
    assert_eq!(
        spec["args_schema"]["properties"]["door"]["type"], "integer",
        "{drivers}"
    );
    // Wrong credentials on the gate: the command fails with the device's word.
    g.set_password("changed");
    let (status, body) = hub
        .command_with("fg-1", "door.normal", json!({"door": 2}))
        .await
        .unwrap();
    assert_eq!(status, 502, "{body}");
    assert!(g.door_always_open(2), "nothing happened at the gate");
    // Every event the gate pushed was acknowledged exactly once per event.
    assert_eq!(g.backlog(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_alert_stream_mode_gives_the_same_events() {
    let g = gate("fg-s").await;
    let hub = TestHub::start(
        &["face-gate"],
        &format!("{ZONES}{}", gate_device("fg-s", &g, "stream")),
    )
    .await
    .unwrap();
    hub.wait_online("fg-s").await.unwrap();
    assert!(
        g.push_target().is_none(),
        "stream mode needs no push target"
    );
    let visitor = people::person(Category::Visitor, 1);
    // The stream may still be opening: pass until the hub has seen one.
    let e = wait_for(Duration::from_secs(10), || async {
        g.pass(&visitor, 1, true);
        tokio::time::sleep(Duration::from_millis(200)).await;
        hub.events("kind=access.granted")
            .await
            .ok()?
            .into_iter()
            .next()
    })
    .await
    .expect("a pass over the alert stream");
    assert_eq!(e["attrs"]["category"], "visitor");
    assert_eq!(e["media"][0]["role"], "face");
    let v = hub.get("/api/v1/people/visitors").await.unwrap();
    assert_eq!(v["present"][0]["person_id"], visitor.id.as_str(), "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_pushes_are_refused_clearly_and_others_flow() {
    let (g, g2) = (gate("fg-1").await, gate("fg-2").await);
    // Two gates on one hub: one misbehaves.
    let hub = TestHub::start(
        &["face-gate"],
        &format!(
            "{ZONES}{}{}",
            gate_device("fg-1", &g, "push"),
            gate_device("fg-2", &g2, "push")
        ),
    )
    .await
    .unwrap();
    for id in ["fg-1", "fg-2"] {
        hub.wait_online(id).await.unwrap();
    }
    wait_for(Duration::from_secs(10), || async {
        (g.push_target().is_some() && g2.push_target().is_some()).then_some(())
    })
    .await
    .unwrap();
    let p = people::person(Category::Student, 2);
    g.fault(GateFault::MalformedMultipart);
    g.pass(&p, 1, true);
    g2.pass(&p, 1, false);
    wait_for(Duration::from_secs(10), || async {
        (g.rejected() >= 1).then_some(())
    })
    .await
    .expect("the malformed push was refused (400) until the gate gave it up");
    g.fault(GateFault::OversizedPicture { bytes: 3 << 20 });
    g.pass(&p, 1, true);
    wait_for(Duration::from_secs(10), || async {
        (g.rejected() >= 2).then_some(())
    })
    .await
    .expect("the oversized push was refused (413)");
    g.fault(GateFault::Clear);
    g.pass(&p, 2, true);
    let ok = hub
        .wait_count("kind=access.granted", 2, Duration::from_secs(10))
        .await
        .expect("the good passes of both gates arrived");
    let devices: Vec<&str> = ok.iter().filter_map(|e| e["device"].as_str()).collect();
    assert!(
        devices.contains(&"fg-1") && devices.contains(&"fg-2"),
        "{devices:?}"
    );
    assert_eq!(ok.len(), 2, "nothing from the refused pushes: {ok:?}");

    // A stranger who does not know a gate's push URL is refused before a byte is read.
    let target = g.push_target().unwrap().url;
    let forged = target.replace("/push/fg-1/", "/push/fg-1/0000");
    let r = hub.http.post(&forged).body("x").send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = hub
        .http
        .post(format!(
            "http://{}/push/fg-9/abc/events",
            hub.hub.push_addr()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let err: serde_json::Value = r.json().await.unwrap();
    assert!(
        err["error"]["message"].as_str().unwrap().contains("fg-9"),
        "{err}"
    );
    // And the operator API does not take pushes.
    let r = hub
        .http
        .post(format!("{}/push/fg-1/x/events", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hub_killed_while_gates_push_loses_nothing() {
    let (g, hub) = pushing("").await;
    let n = 120u64;
    let first = g.next_serial();
    let pusher = {
        let people: Vec<_> = (0..n as u32)
            .map(|i| people::person(Category::Student, i))
            .collect();
        async move {
            for (i, p) in people.iter().enumerate() {
                g.pass(p, 1, i.is_multiple_of(2));
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            g
        }
    };
    let pushing = tokio::spawn(pusher);
    // Kill the hub mid-stream: pushes in flight are never answered.
    hub.wait_count("kind=access.granted", 20, Duration::from_secs(10))
        .await
        .expect("pushes flowing");
    let hub = hub.restart().await.unwrap();
    let g = pushing.await.unwrap();
    // The restarted driver gives the gate the (same) URL again; the gate resends.
    let all = wait_for(Duration::from_secs(30), || async {
        let v = hub.events("kind=access.granted").await.ok()?;
        let mut serials: Vec<i64> = v
            .iter()
            .filter_map(|e| e["attrs"]["serial"].as_i64())
            .collect();
        serials.sort_unstable();
        serials.dedup();
        (serials.len() as u64 == n).then_some(serials)
    })
    .await
    .unwrap_or_else(|| panic!("not every pass arrived; gate backlog {}", g.backlog()));
    assert_eq!(all.first().copied(), Some(first as i64));
    assert_eq!(all.last().copied(), Some((first + n - 1) as i64));
    eprintln!(
        "{n} passes kept across the kill; the gate saw {} unanswered pushes and resent them",
        g.push_failures()
    );
    // The people view is rebuilt from the log: every pass counted once per event stored.
    let stored = hub.events("kind=access.granted").await.unwrap().len() as u64;
    let stats = wait_for(Duration::from_secs(10), || async {
        hub.get("/api/v1/people/stats")
            .await
            .ok()
            .filter(|s| s["ready"] == true)
    })
    .await
    .unwrap();
    let t = &stats["totals"]["student"];
    assert_eq!(
        t["in"].as_u64().unwrap() + t["out"].as_u64().unwrap(),
        stored,
        "{stats}"
    );
    assert!(g.push_failures() > 0, "the kill interrupted pushing");
}
