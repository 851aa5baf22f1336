//! End to end: simulated barrier gates and speed cameras (ISAPI-style ANPR)
//! pushing or streaming plate reads with pictures, the real anpr wasm
//! driver, barrier commands, and the hub's vehicle rules (who is inside,
//! overstays on a driven clock, violations), kept across a restart.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use twinwall_simulator::vehicle::{
    AnprCamera, AnprFault, AnprOptions, Barrier, PlateColor, Role, plates,
};
use twinwall_tests::{TestHub, wait_for};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"gate-north\"\nparent = \"campus\"\n[[zones]]\nid = \"road\"\nparent = \"campus\"\n\
                     [[vehicles.limits]]\ncategory = \"unknown\"\noverstay_s = 3600\n\
                     [[vehicles.limits]]\ncategory = \"staff\"\noverstay_s = 0\n";

fn device(id: &str, cam: &AnprCamera, profile: &str, zone: &str, mode: &str) -> String {
    format!(
        "[[devices]]\nid = \"{id}\"\ndriver = \"anpr\"\nprofile = \"vehicle/{profile}\"\nzone = \"{zone}\"\naddress = \"{}\"\n\
         username = \"admin\"\npassword = \"pw\"\noffline_after_ms = 12000\nsettings = {{ mode = \"{mode}\" }}\n",
        cam.addr()
    )
}

async fn camera(id: &str, role: Role) -> AnprCamera {
    let opts = AnprOptions {
        role,
        speed_limit_kmh: 30,
        ..AnprOptions::default()
    };
    AnprCamera::start(id, "127.0.0.1:0".parse().unwrap(), "admin", "pw", opts)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_become_passages_with_pictures_and_rules_judge_them() {
    let gate = camera("bg-1", Role::Barrier).await;
    let speed = camera("sc-1", Role::Speed).await;
    let now = Arc::new(AtomicI64::new(twinwall_hub::bus::now_ms()));
    let hub = TestHub::start_with_clock(
        &["anpr"],
        &format!(
            "{ZONES}{}{}",
            device("bg-1", &gate, "twinwall-bg1", "gate-north", "push"),
            device("sc-1", &speed, "twinwall-sc1", "road", "stream")
        ),
        now.clone(),
    )
    .await
    .unwrap();
    for id in ["bg-1", "sc-1"] {
        hub.wait_online(id).await.unwrap();
    }
    wait_for(Duration::from_secs(10), || async { gate.push_target() })
        .await
        .expect("push target set");

    // A stranger's car comes in: a read with both pictures, and a passage.
    let car = plates::plate(PlateColor::Blue, 7, 5);
    gate.pass(&car, 1);
    let read = hub
        .wait_event(
            "kind=vehicle.plate&device=bg-1",
            Duration::from_secs(5),
            |_| true,
        )
        .await
        .unwrap();
    assert_eq!(read["attrs"]["plate"], car.text.as_str());
    assert_eq!(read["attrs"]["plate_color"], "blue");
    let roles: Vec<&str> = read["media"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["role"].as_str())
        .collect();
    assert_eq!(roles, ["plate", "scene"]);
    for m in read["media"].as_array().unwrap() {
        let pic = hub.media(m).await.unwrap();
        assert_eq!(&pic[..2], &[0xff, 0xd8], "a JPEG: {m}");
    }
    let entry = hub
        .wait_event("kind=vehicle.passage", Duration::from_secs(5), |_| true)
        .await
        .unwrap();
    assert_eq!(
        (
            entry["attrs"]["passage"].as_str(),
            entry["attrs"]["category"].as_str()
        ),
        (Some("entry"), Some("unknown"))
    );
    let present = wait_for(Duration::from_secs(5), || async {
        hub.get("/api/v1/vehicles/present")
            .await
            .ok()
            .filter(|v| v["present"].as_array().is_some_and(|a| !a.is_empty()))
    })
    .await
    .unwrap();
    assert_eq!(present["present"][0]["plate"], car.text.as_str());

    // Four hours later by the rules' clock (no sleeping): an overstay.
    now.store(twinwall_hub::bus::now_ms() + 3_601_000, Ordering::SeqCst);
    let over = hub
        .wait_event("kind=vehicle.overstay", Duration::from_secs(5), |e| {
            e["phase"] == "begin"
        })
        .await
        .unwrap();
    assert_eq!(over["attrs"]["plate"], car.text.as_str());
    // A staff car stays as long as it likes.
    let staff = plates::plate(PlateColor::Green, 8, 5);
    gate.allow(&staff.text);
    gate.pass(&staff, 1);
    hub.wait_event("kind=vehicle.passage", Duration::from_secs(5), |e| {
        e["attrs"]["category"] == "staff"
    })
    .await
    .unwrap();
    // Its barrier opened by itself, and the hub heard.
    hub.wait_event("kind=barrier.state", Duration::from_secs(5), |e| {
        e["attrs"]["state"] == "open"
    })
    .await
    .unwrap();
    now.store(twinwall_hub::bus::now_ms() + 86_400_000, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        hub.events("kind=vehicle.overstay").await.unwrap().len(),
        1,
        "no limit for staff"
    );
    // The stranger leaves: the overstay ends.
    gate.pass(&car, 2);
    hub.wait_event("kind=vehicle.overstay", Duration::from_secs(5), |e| {
        e["phase"] == "end"
    })
    .await
    .unwrap();

    // Violations: a blocklisted plate at the gate, and speeding on the road (read over the alert stream).
    let bad = plates::plate(PlateColor::Yellow, 9, 2);
    gate.block(&bad.text);
    gate.pass(&bad, 1);
    let fast = plates::plate(PlateColor::Blue, 10, 5);
    let seen = wait_for(Duration::from_secs(10), || async {
        speed.pass_at(&fast, 1, Some(58));
        tokio::time::sleep(Duration::from_millis(300)).await;
        hub.events("kind=vehicle.speeding")
            .await
            .ok()?
            .into_iter()
            .next()
    })
    .await
    .expect("speeding read over the stream");
    assert_eq!(
        (
            seen["attrs"]["speed_kmh"].as_i64(),
            seen["attrs"]["limit_kmh"].as_i64()
        ),
        (Some(58), Some(30))
    );
    // Over the stream too, the read carries its pictures.
    let streamed = hub
        .wait_event(
            "kind=vehicle.plate&device=sc-1",
            Duration::from_secs(5),
            |e| e["attrs"]["plate"] == fast.text.as_str(),
        )
        .await
        .unwrap();
    assert_eq!(
        streamed["media"].as_array().map(Vec::len),
        Some(2),
        "plate and scene from the stream's parts: {streamed}"
    );
    let v = wait_for(Duration::from_secs(5), || async {
        hub.get("/api/v1/vehicles/violations")
            .await
            .ok()
            .filter(|v| v["violations"].as_array().is_some_and(|a| a.len() >= 2))
    })
    .await
    .unwrap();
    let reasons: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["attrs"]["reason"].as_str())
        .collect();
    assert!(
        reasons.contains(&"blocklisted") && reasons.contains(&"speeding"),
        "{v}"
    );
    let only = hub
        .get(&format!(
            "/api/v1/vehicles/violations?reason=speeding&plate={}",
            fast.text
        ))
        .await
        .unwrap();
    assert_eq!(
        only["violations"].as_array().unwrap().len(),
        1,
        "one violation per read, repeats collapsed: {only}"
    );

    // A restart keeps the cars inside.
    let inside: Vec<String> = hub.get("/api/v1/vehicles/present").await.unwrap()["present"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["plate"].as_str().map(str::to_owned))
        .collect();
    let hub = hub.restart().await.unwrap();
    let after = wait_for(Duration::from_secs(10), || async {
        hub.get("/api/v1/vehicles/present")
            .await
            .ok()
            .filter(|v| v["ready"] == true)
    })
    .await
    .unwrap();
    let again: Vec<String> = after["present"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["plate"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(again, inside);
    let v2 = hub.get("/api/v1/vehicles/violations").await.unwrap();
    assert_eq!(
        v2["violations"].as_array().unwrap().len(),
        v["violations"].as_array().unwrap().len(),
        "no verdict twice after a replay"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn barrier_commands_and_bad_reads() {
    let gate = camera("bg-1", Role::Barrier).await;
    let hub = TestHub::start(
        &["anpr"],
        &format!(
            "{ZONES}{}",
            device("bg-1", &gate, "twinwall-bg1", "gate-north", "push")
        ),
    )
    .await
    .unwrap();
    hub.wait_online("bg-1").await.unwrap();
    wait_for(Duration::from_secs(10), || async { gate.push_target() })
        .await
        .unwrap();
    let (status, body) = hub.command("bg-1", "barrier.keep_open").await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(gate.barrier(), Barrier::HeldOpen);
    hub.wait_event("kind=barrier.state", Duration::from_secs(5), |e| {
        e["attrs"]["state"] == "held_open"
    })
    .await
    .unwrap();
    let (status, _) = hub.command("bg-1", "barrier.release").await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(gate.barrier(), Barrier::Closed);
    // Malformed XML and oversized pictures are refused; a good read after them flows.
    gate.fault(AnprFault::MalformedXml);
    gate.pass(&plates::plate(PlateColor::Blue, 1, 5), 1);
    wait_for(Duration::from_secs(10), || async {
        (gate.rejected() >= 1).then_some(())
    })
    .await
    .expect("malformed XML refused");
    gate.fault(AnprFault::OversizedPicture { bytes: 5 << 20 });
    gate.pass(&plates::plate(PlateColor::Blue, 2, 5), 1);
    wait_for(Duration::from_secs(15), || async {
        (gate.rejected() >= 2).then_some(())
    })
    .await
    .expect("oversized part refused");
    gate.fault(AnprFault::Clear);
    let ok = plates::plate(PlateColor::Blue, 3, 5);
    gate.pass(&ok, 1);
    let reads = hub
        .wait_event("kind=vehicle.plate", Duration::from_secs(5), |_| true)
        .await
        .unwrap();
    assert_eq!(reads["attrs"]["plate"], ok.text.as_str());
    assert_eq!(
        hub.events("kind=vehicle.plate").await.unwrap().len(),
        1,
        "nothing from the refused reads"
    );
}
