//! The console in a real browser (Debian's Chromium through Playwright,
//! `tests/interop/console_browser.py`): a person of the duty room signs in,
//! the chemistry building's fire alarm appears live as the simulated panel
//! raises it, she acknowledges and closes it with a note and sees who did
//! what; the language switches; the north gate's guard sees his gate's
//! alarm and not the chemistry building's, and only the button he may use.
//! The page asks nothing of any host but the hub.

use std::time::Duration;

use serde_json::json;
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::{TestHub, interop, panel_device, target_dir, wait_for};

const ZONES: &str = "[[zones]]\nid = \"campus\"\nname = \"主校区\"\n\
    [[zones]]\nid = \"chem-north\"\nname = \"化学北楼\"\nparent = \"campus\"\nrisk = \"orange\"\n\
    [[zones]]\nid = \"north-gate\"\nname = \"北门\"\nparent = \"campus\"\n";

async fn panel(id: &str, zone: &str) -> (FirePanel, String) {
    let p = FirePanel::start(id, "127.0.0.1:0".parse().unwrap(), 8)
        .await
        .unwrap();
    let entry = panel_device(id, zone, p.addr(), "settings = { points = 8 }");
    (p, entry)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_duty_room_handles_a_fire_alarm_from_the_wall_and_a_guard_sees_his_gate() {
    let ((chem, chem_dev), (gate, gate_dev)) = (
        panel("fp-chem", "chem-north").await,
        panel("fp-gate", "north-gate").await,
    );
    let hub = TestHub::start(
        &["modbus-fire-panel"],
        &format!("{ZONES}{chem_dev}{gate_dev}"),
    )
    .await
    .unwrap();
    hub.wait_online("fp-chem").await.unwrap();
    hub.wait_online("fp-gate").await.unwrap();
    let duty = format!(
        "duty:{}",
        hub.add_person("duty", "值班员 王芳", "operator", &[]).await
    );
    let guard = format!(
        "gate-north:{}",
        hub.add_person("gate-north", "北门岗 李强", "guard", &["campus/north-gate"])
            .await
    );
    gate.with_state(|s| s.alarm(2));
    hub.wait_count("kind=fire.alarm", 1, Duration::from_secs(10))
        .await
        .expect("the gate's alarm is in the log");

    let dir = tempfile::tempdir().unwrap();
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

    assert_eq!(report["foreign_requests"], json!([]), "{report}");
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
