//! The conformance kit on every driver in `drivers/` (each must reach gold)
//! and on the hostile test driver (it must fail, saying why); the
//! `twinwall-sim conformance` command's JSON and JUnit reports, the JUnit
//! read back by junitparser.

use serde_json::Value;
use twinwall_sim::conformance::{self, Options, Report, Tier, Verdict};
use twinwall_tests::{binary, drivers, interop, workspace};

async fn kit(file: &str, family: &str) -> Report {
    let mut o = Options::new(drivers().join(file), family).unwrap();
    o.profiles = workspace().join("device-profiles");
    let report = conformance::run(o).await;
    eprintln!("{}", report.table());
    report
}

async fn gold(file: &str, family: &str) {
    let report = kit(file, family).await;
    assert_eq!(report.tier(), Some(Tier::Gold), "{}", report.table());
    // Every check ran: none was skipped for lack of a device or traffic.
    assert_eq!(report.checks.len(), 17, "{}", report.table());
}

/// The drivers the gold tests below run (each as every family it serves).
const COVERED: [&str; 7] = [
    "anpr",
    "face-gate",
    "ip-speaker",
    "modbus-contacts",
    "modbus-fire-panel",
    "onvif-camera",
    "perimeter",
];

/// A driver added to `drivers/` fails here until a gold test runs it.
#[test]
fn every_shipped_driver_is_run_through_the_kit() {
    let covered: Vec<String> = COVERED.iter().map(|d| d.to_string()).collect();
    assert_eq!(twinwall_tests::shipped_drivers(), covered);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_fire_panel_driver_is_gold() {
    gold("modbus_fire_panel.wasm", "fire-panel").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_template_contacts_driver_is_gold() {
    gold("modbus_contacts.wasm", "sensor").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_camera_driver_is_gold() {
    gold("onvif_camera.wasm", "camera").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_face_gate_driver_is_gold() {
    gold("face_gate.wasm", "face-gate").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_anpr_driver_is_gold_as_barrier_gate_and_speed_camera() {
    gold("anpr.wasm", "barrier-gate").await;
    gold("anpr.wasm", "speed-camera").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_perimeter_driver_is_gold_for_hosts_and_panic_posts() {
    gold("perimeter.wasm", "perimeter").await;
    gold("perimeter.wasm", "panic-post").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_speaker_driver_is_gold() {
    gold("ip_speaker.wasm", "speaker").await;
}

fn failed<'a>(report: &'a Report, id: &str) -> &'a str {
    let c = report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}: {}", report.table()));
    match &c.verdict {
        Verdict::Fail(why) => why,
        other => panic!("{id} did not fail: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hostile_driver_fails_with_reasons() {
    let report = kit("hostile_test_driver.wasm", "fire-panel").await;
    assert_eq!(report.tier(), None);
    assert!(
        failed(&report, "contract.describe")
            .contains("`fire-panel` is not among the families it serves (test)"),
        "{}",
        report.table()
    );
    assert!(failed(&report, "contract.describe").contains("no event kinds declared"));
    assert_eq!(
        failed(&report, "contract.command-schemas"),
        "`misbehave` has no argument schema"
    );
    // It never answers as a device: the behaviour run says what the hub saw.
    let why = failed(&report, "behaviour.online");
    assert!(
        why.contains("did not come online") && why.contains("device.heartbeat"),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_driver_that_panics_or_hogs_memory_is_caught_in_the_replay() {
    // The hostile driver misbehaves on every timer tick when told to: the
    // replay of what it was given must trap, and the kit must say where.
    let run = |mode: &str| {
        let mut o = Options::new(drivers().join("hostile_test_driver.wasm"), "sensor").unwrap();
        o.profiles = workspace().join("device-profiles");
        o.settings = vec![("mode".into(), Some(mode.into()))];
        o.rounds = 3;
        o.memory_cap = 16 << 20;
        conformance::run(o)
    };
    let (panics, hogs) = tokio::join!(run("panic"), run("hog"));
    eprintln!("{}\n{}", panics.table(), hogs.table());
    let why = failed(&panics, "robustness.malformed");
    assert!(
        why.contains("× Timer(\"tick\") as recorded") && why.contains("unreachable"),
        "{why}"
    );
    assert!(failed(&panics, "robustness.memory").contains("the long run trapped"));
    let why = failed(&hogs, "robustness.malformed");
    assert!(why.contains("growing memory"), "{why}");
    assert!(failed(&hogs, "robustness.call-time").contains("the long run trapped"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panel_that_refuses_commands_stays_bronze_and_says_which() {
    // Without `allow_commands` the fire-panel driver refuses every command:
    // the behaviour tier must catch it, naming the command and the refusal.
    let mut o = Options::new(drivers().join("modbus_fire_panel.wasm"), "fire-panel").unwrap();
    o.profiles = workspace().join("device-profiles");
    o.settings = vec![("allow_commands".into(), None)];
    o.rounds = 3;
    let report = conformance::run(o).await;
    eprintln!("{}", report.table());
    assert_eq!(report.tier(), Some(Tier::Bronze), "{}", report.table());
    let why = failed(&report, "behaviour.commands");
    assert!(
        why.contains("`reset`") && why.contains("not-allowed"),
        "{why}"
    );
    assert_eq!(report.failures().count(), 1, "{}", report.table());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_writes_json_and_junit_a_ci_reads() {
    let bin = binary("twinwall-sim", "twinwall-sim");
    let dir = tempfile::tempdir().unwrap();
    let (json, junit) = (dir.path().join("kit.json"), dir.path().join("kit.xml"));
    let (j, x) = (json.clone(), junit.clone());
    let run = move |driver: &str, family: &str| {
        std::process::Command::new(&bin)
            .current_dir(workspace())
            .args(["conformance", "--driver"])
            .arg(drivers().join(driver))
            .args(["--family", family, "--rounds", "5", "--json"])
            .arg(&j)
            .arg("--junit")
            .arg(&x)
            .output()
            .unwrap()
    };
    let out = tokio::task::spawn_blocking(move || {
        let good = run("modbus_contacts.wasm", "sensor");
        let bad = run("hostile_test_driver.wasm", "sensor");
        (good, bad)
    });
    let (good, bad) = out.await.unwrap();
    let table = String::from_utf8_lossy(&good.stdout);
    assert!(
        good.status.success(),
        "{table}{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(table.contains("tier reached: gold"), "{table}");

    // The hostile run overwrote both files: read them now.
    assert_eq!(bad.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert!(stdout.contains("FAIL contract.command-schemas"), "{stdout}");
    let v: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["tier"], Value::Null);
    assert_eq!(v["family"], "sensor");
    let schemas = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "contract.command-schemas")
        .unwrap();
    assert_eq!(schemas["verdict"]["result"], "fail");
    assert_eq!(schemas["tier"], "bronze");

    let read = interop("junit_report.py", vec![junit.display().to_string()]).await;
    assert_eq!(read["tests"], 17, "{read}");
    let cases = read["cases"].as_array().unwrap();
    let case = |name: &str| cases.iter().find(|c| c["name"] == name).unwrap().clone();
    assert_eq!(case("contract.command-schemas")["result"], "failure");
    assert_eq!(case("contract.loads")["result"], "pass");
    assert_eq!(case("robustness.bad-args")["result"], "pass");
    assert!(read["failures"].as_u64().unwrap() >= 3, "{read}");
}

#[tokio::test]
async fn an_unknown_family_is_named_with_the_known_ones() {
    let e = Options::new("x.wasm", "toaster").unwrap_err().to_string();
    assert!(
        e.contains("`toaster`") && e.contains("fire-panel, sensor, camera"),
        "{e}"
    );
}
