//! The console in a real browser (Debian's Chromium through Playwright,
//! `tests/interop/console_browser.py`): a person of the duty room signs in,
//! the chemistry building's fire alarm appears live as the simulated panel
//! raises it, she acknowledges and closes it with a note and sees who did
//! what; the language switches; the north gate's guard sees his gate's
//! alarm and not the chemistry building's, and only the button he may use;
//! from his guard room he opens the simulated barrier and sees his gate's
//! plates. The campus map flashes the chemistry building while its alarm
//! is on the wall; statistics, people and system views are shown. The page
//! asks nothing of any host but the hub.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::json;
use twinwall_simulator::camera::Camera;
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_simulator::speaker::{Model, Speaker};
use twinwall_simulator::vehicle::{AnprCamera, AnprOptions, Barrier, PlateColor, Role, plates};
use twinwall_tests::{TestHub, interop, panel_device, target_dir, wait_for};

/// The site plan: two buildings on a 600 × 400 picture.
const PLAN: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"400\">\
    <rect width=\"600\" height=\"400\" fill=\"#e8f0e0\"/>\
    <rect x=\"40\" y=\"60\" width=\"260\" height=\"200\" fill=\"#fff\" stroke=\"#999\"/>\
    <rect x=\"380\" y=\"20\" width=\"160\" height=\"80\" fill=\"#fff\" stroke=\"#999\"/></svg>";

fn zones(plan: &std::path::Path) -> String {
    format!(
        "[map]\nplan = {{ file = {:?}, width = 600, height = 400 }}\n\
         [[zones]]\nid = \"campus\"\nname = \"主校区\"\n\
         [[zones]]\nid = \"chem-north\"\nname = \"化学北楼\"\nparent = \"campus\"\nrisk = \"orange\"\n\
         area = [[40, 60], [300, 60], [300, 260], [40, 260]]\n\
         [[zones]]\nid = \"north-gate\"\nname = \"北门\"\nparent = \"campus\"\nrisk = \"yellow\"\n\
         area = [[380, 20], [540, 20], [540, 100], [380, 100]]\n\
         [[zones]]\nid = \"canteen\"\nname = \"学苑餐厅\"\nparent = \"campus\"\nrisk = \"yellow\"\n\
         [broadcast]\nmulticast_interface = \"127.0.0.1\"\nmulticast_group = \"239.255.73.1\"\nstart_timeout_ms = 3000\n",
        plan.display().to_string()
    )
}

async fn panel(id: &str, zone: &str, at: [u32; 2]) -> (FirePanel, String) {
    let p = FirePanel::start(id, "127.0.0.1:0".parse().unwrap(), 8)
        .await
        .unwrap();
    let extra = format!("settings = {{ points = 8 }}\nat = [{}, {}]", at[0], at[1]);
    let entry = panel_device(id, zone, p.addr(), &extra);
    (p, entry)
}

/// The canteen's two speakers, one of each model (TTS and multicast; unicast only).
async fn speakers() -> (Vec<Speaker>, String) {
    let mut entries = String::new();
    let mut all = Vec::new();
    for (i, (model, profile)) in [
        (Model::sp1(), "twinwall-sp1"),
        (Model::sp2(), "twinwall-sp2"),
    ]
    .into_iter()
    .enumerate()
    {
        let s = Speaker::start(
            &format!("sp-canteen-{i}"),
            "127.0.0.1:0".parse().unwrap(),
            model,
        )
        .await
        .unwrap();
        entries.push_str(&format!(
            "[[devices]]\nid = \"{}\"\ndriver = \"ip-speaker\"\nprofile = \"speaker/{profile}\"\nzone = \"canteen\"\n\
             address = \"{}\"\noffline_after_ms = 3000\nrequest_timeout_ms = 1000\n",
            s.id(),
            s.addr()
        ));
        all.push(s);
    }
    (all, entries)
}

/// The north gate's barrier: a plate-reading camera that pushes its reads.
async fn barrier() -> (AnprCamera, String) {
    let opts = AnprOptions {
        role: Role::Barrier,
        ..AnprOptions::default()
    };
    let cam = AnprCamera::start(
        "bg-north",
        "127.0.0.1:0".parse().unwrap(),
        "admin",
        "pw",
        opts,
    )
    .await
    .unwrap();
    let entry = format!(
        "[[devices]]\nid = \"bg-north\"\nname = \"北门道闸\"\ndriver = \"anpr\"\nprofile = \"vehicle/twinwall-bg1\"\nzone = \"north-gate\"\n\
         address = \"{}\"\nusername = \"admin\"\npassword = \"pw\"\noffline_after_ms = 12000\nat = [500, 60]\n\
         settings = {{ mode = \"push\" }}\n",
        cam.addr()
    );
    (cam, entry)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_duty_room_handles_a_fire_alarm_from_the_wall_and_a_guard_sees_his_gate() {
    let ((chem, chem_dev), (gate, gate_dev), (bg, bg_dev)) = (
        panel("fp-chem", "chem-north", [120, 120]).await,
        panel("fp-gate", "north-gate", [420, 60]).await,
        barrier().await,
    );
    let (speakers, speaker_devs) = speakers().await;
    // The chemistry building's camera: its alarm's detail shows it and takes a snapshot.
    let cam = Camera::start(
        "cam-chem",
        "127.0.0.1:0".parse().unwrap(),
        "admin",
        "s3cret",
    )
    .await
    .unwrap();
    let cam_dev = format!(
        "[[devices]]\nid = \"cam-chem\"\nname = \"化学北楼摄像机\"\ndriver = \"onvif-camera\"\nprofile = \"camera/twinwall-cam1\"\n\
         zone = \"chem-north\"\naddress = \"{}\"\nusername = \"admin\"\npassword = \"s3cret\"\noffline_after_ms = 6000\nat = [200, 200]\n",
        cam.addr()
    );
    let bg = Arc::new(bg);
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.svg");
    std::fs::write(&plan, PLAN).unwrap();
    let hub = TestHub::start(
        &["modbus-fire-panel", "anpr", "ip-speaker", "onvif-camera"],
        &format!(
            "{}{chem_dev}{gate_dev}{bg_dev}{speaker_devs}{cam_dev}",
            zones(&plan)
        ),
    )
    .await
    .unwrap();
    for id in [
        "fp-chem",
        "fp-gate",
        "bg-north",
        "sp-canteen-0",
        "sp-canteen-1",
        "cam-chem",
    ] {
        hub.wait_online(id).await.unwrap();
    }
    // A snapshot needs the camera's setup done: ready once its stream plays.
    hub.wait_event(
        "kind=camera.stream&device=cam-chem",
        Duration::from_secs(20),
        |e| e["attrs"]["state"] == "playing",
    )
    .await
    .expect("the camera's stream plays");
    wait_for(Duration::from_secs(10), || async { bg.push_target() })
        .await
        .expect("the barrier camera pushes to the hub");
    // A car at the gate: the guard room shows its plate.
    let car = plates::plate(PlateColor::Blue, 7, 5);
    bg.pass(&car, 1);
    hub.wait_count("kind=vehicle.plate", 1, Duration::from_secs(10))
        .await
        .expect("the plate read is in the log");
    // Whether the barrier went up while the browser runs (it falls again
    // by itself a few seconds later).
    let rose = Arc::new(AtomicBool::new(false));
    let watching = {
        let (rose, bg) = (rose.clone(), bg.clone());
        tokio::spawn(async move {
            loop {
                if bg.barrier() == Barrier::Open {
                    rose.store(true, Ordering::SeqCst);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let duty = format!(
        "duty:{}",
        hub.add_person("duty", "值班员 王芳", "operator", &[]).await
    );
    let guard = format!(
        "gate-north:{}",
        hub.add_person("gate-north", "北门岗 李强", "guard", &["campus/north-gate"])
            .await
    );
    let admin = format!(
        "admin:{}",
        hub.add_person("admin", "管理员 陈静", "admin", &[]).await
    );
    gate.with_state(|s| s.alarm(2));
    hub.wait_count("kind=fire.alarm", 1, Duration::from_secs(10))
        .await
        .expect("the gate's alarm is in the log");

    let shown = dir.path().join("wall-shown");
    let shots = target_dir().join("console-shots");
    let browser = tokio::spawn(interop(
        "console_browser.py",
        vec![
            "--url".into(),
            hub.url.clone(),
            "--duty".into(),
            duty,
            "--guard".into(),
            guard,
            "--admin".into(),
            admin,
            "--signal".into(),
            shown.display().to_string(),
            "--shots".into(),
            shots.display().to_string(),
        ],
    ));
    // The wall is on screen: the panel raises the alarm now, and is reset
    // once the operator has acknowledged it (fire alarms latch until then),
    // so that she may close it.
    wait_for(Duration::from_secs(120), || async {
        shown.exists().then_some(())
    })
    .await
    .expect("the browser showed the operator's wall");
    chem.with_state(|s| s.alarm(1));
    hub.wait_count("kind=alarm.acknowledged", 1, Duration::from_secs(60))
        .await
        .expect("acknowledged from the browser");
    chem.with_state(|s| s.reset());
    let report = browser.await.unwrap();
    watching.abort();

    assert_eq!(report["foreign_requests"], json!([]), "{report}");
    // The map: the chemistry building in its risk colour, flashing while its alarm was on the wall.
    assert_eq!(report["map_chem"]["risk"], "orange", "{report}");
    assert!(
        report["map_chem"]["class"]
            .as_str()
            .is_some_and(|c| c.contains("alarm-red")),
        "it flashes red, the colour of its fire alarm: {report}"
    );
    assert!(
        report["map_chem"]["class"]
            .as_str()
            .is_some_and(|c| c.contains("alarm")),
        "{report}"
    );
    assert_eq!(report["map_gate_alarms"], "1", "{report}");
    assert!(
        report["map_device_events"]
            .as_str()
            .is_some_and(|t| t.contains("火警")),
        "{report}"
    );
    // The guard room: his gate's alarm and plate, and the barrier he opened.
    assert!(
        report["guard_room_alarms"]
            .as_array()
            .is_some_and(|a| a.len() == 1),
        "{report}"
    );
    assert_eq!(report["guard_room_sees_chem"], false, "{report}");
    assert!(
        report["guard_room_plates"]
            .as_str()
            .is_some_and(|t| t.contains(car.text.as_str())),
        "{report}"
    );
    assert!(
        rose.load(Ordering::SeqCst),
        "the simulated barrier rose: {report}"
    );
    let opened = hub
        .wait_event(
            "kind=device.command&device=bg-north",
            Duration::from_secs(5),
            |e| e["attrs"]["command"] == "barrier.open",
        )
        .await
        .unwrap();
    assert_eq!(opened["actor"], "北门岗 李强#gate-north", "{opened}");
    // The canteen's broadcast reached both speakers; the schedule came and went.
    assert_eq!(
        report["broadcast_outcomes"].as_array().map(Vec::len),
        Some(2),
        "{report}"
    );
    assert!(
        speakers.iter().all(|s| s.status().played >= 1),
        "every speaker played: {:?}",
        speakers.iter().map(|s| s.status()).collect::<Vec<_>>()
    );
    // The uploaded recording is one of the hub's clips, chosen in the form.
    let clips = hub.get("/api/v1/clips").await.unwrap();
    let chime = clips["clips"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "chime")
        .expect("the upload is a clip");
    assert_eq!(chime["hash"], report["uploaded_clip"], "{report}");
    assert_eq!(chime["duration_ms"], 500, "{chime}");
    assert!(
        report["live_refusal"]
            .as_str()
            .is_some_and(|s| s.contains("127.0.0.1:9")),
        "a live source outside [broadcast] live_sources is refused by name: {report}"
    );
    assert!(
        report["schedule_listed"]
            .as_str()
            .is_some_and(|s| s.contains("每天 07:30")),
        "{report}"
    );
    hub.wait_event("kind=broadcast.unscheduled", Duration::from_secs(5), |e| {
        e["actor"] == "值班员 王芳#duty"
    })
    .await
    .expect("the schedule was ended by her");
    // From the alarm's detail she took a snapshot of the building's camera.
    assert!(
        report["detail_snapshot"]
            .as_str()
            .is_some_and(|a| a.contains("化学北楼摄像机")),
        "{report}"
    );
    let snap = hub
        .wait_event(
            "kind=device.command&device=cam-chem",
            Duration::from_secs(5),
            |e| e["attrs"]["command"] == "snapshot",
        )
        .await
        .unwrap();
    assert_eq!(snap["actor"], "值班员 王芳#duty", "{snap}");
    // The admin's drag moved the panel, and the hub keeps where.
    let moved = &report["admin_moved"];
    assert_eq!(moved["from"], "moved", "{report}");
    assert_ne!(moved["at"], json!([120.0, 120.0]), "{report}");
    let logged = hub
        .wait_event("kind=device.placed", Duration::from_secs(5), |_| true)
        .await
        .unwrap();
    assert_eq!(logged["actor"], "管理员 陈静#admin", "{logged}");
    // Statistics drew its charts and the six dimensions.
    assert_eq!(report["statistics_dimensions"], 6, "{report}");
    let environment: u64 = report["statistics_environment"]
        .as_str()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        environment >= 1,
        "the fire alarm counts in 环境安全: {report}"
    );
    assert!(
        report["statistics_csv"]
            .as_str()
            .is_some_and(|c| c.contains("人身安全") && c.contains("化学北楼")),
        "{report}"
    );
    assert_eq!(report["guard_sees_chem"], false, "{report}");
    let buttons: Vec<&str> = report["guard_buttons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b.as_str())
        .collect();
    assert!(
        buttons.contains(&"确认"),
        "the guard acknowledges: {report}"
    );
    assert!(
        !buttons
            .iter()
            .any(|b| b.starts_with("关闭") || *b == "接警"),
        "closing and taking are the duty room's: {report}"
    );
    // The log names her, with her note.
    let closed = hub
        .wait_count("kind=alarm.closed", 1, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(closed[0]["actor"], "值班员 王芳#duty");
    assert_eq!(closed[0]["attrs"]["resolution"], "false");
    assert_eq!(closed[0]["attrs"]["note"], "现场核查：探测器误报，已复位");
    eprintln!(
        "console: first paint {} ms, alarm on screen {} ms after the wall was shown; screenshots in {}",
        report["first_paint_ms"],
        report["alarm_on_screen_ms"],
        shots.display()
    );
}
