//! `twinwall check`: config, profiles and drivers checked, and every device
//! opened in its real driver, without starting anything.

use twinwall_tests::{config_text, install_drivers};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n";

#[test]
fn every_problem_is_named_with_its_device_and_driver() {
    let dir = tempfile::tempdir().unwrap();
    install_drivers(dir.path(), &["modbus-fire-panel", "modbus-contacts"]).unwrap();
    let devices = "\
[[devices]]\nid = \"fp-ok\"\ndriver = \"modbus-fire-panel\"\nprofile = \"fire-panel/twinwall-fp1\"\nzone = \"campus\"\naddress = \"127.0.0.1:1\"\n\
[[devices]]\nid = \"fp-slow\"\ndriver = \"modbus-fire-panel\"\nprofile = \"fire-panel/twinwall-fp1\"\nzone = \"campus\"\naddress = \"127.0.0.1:2\"\nsettings = { poll_ms = 5 }\n\
[[devices]]\nid = \"io-typo\"\ndriver = \"modbus-contacts\"\nzone = \"campus\"\naddress = \"127.0.0.1:3\"\nsettings = { inputs = \"0=leak\", pol_ms = 500 }\n\
[[devices]]\nid = \"cam-1\"\ndriver = \"onvif-camera\"\nzone = \"campus\"\naddress = \"127.0.0.1:4\"\n";
    let path = dir.path().join("hub.toml");
    std::fs::write(&path, config_text("check", &format!("{ZONES}{devices}"))).unwrap();
    let r = twinwall_hub::check::check(&path);
    let text: Vec<String> = r.problems.iter().map(ToString::to_string).collect();
    assert_eq!(r.drivers.len(), 2, "{:?}", r.drivers);
    assert_eq!(r.devices_ok, 2, "fp-ok and io-typo open: {text:?}");
    let find = |dev: &str, what: &str| {
        assert!(
            text.iter()
                .any(|t| t.contains(&format!("`{dev}`")) && t.contains(what)),
            "no problem for {dev} with `{what}`: {text:?}"
        )
    };
    find("fp-slow", "poll_ms");
    find("fp-slow", "modbus-fire-panel@");
    find("io-typo", "setting `pol_ms` is not one");
    find(
        "cam-1",
        "driver `onvif-camera` is not in the plugins folder",
    );
    assert_eq!(text.len(), 3, "{text:?}");

    // A broken file: every problem at once, each with its line and key.
    let text = config_text(
        "check",
        "[[zones]]\nid = \"campus\"\ncolour = \"red\"\n         [[devices]]\nid = \"fp-1\"\ndriver = \"modbus-fire-panel\"\nzone = \"campus\"\nunit = \"one\"\nadress = \"127.0.0.1:502\"\n",
    );
    std::fs::write(&path, &text).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let r = twinwall_hub::check::check(&path);
    let found: Vec<String> = r.problems.iter().map(ToString::to_string).collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    let expect = [
        (line_of("colour"), "`zones[0].colour`", "unknown key"),
        (line_of("unit"), "`devices[0].unit`", "expected integer"),
        (
            line_of("adress"),
            "`devices[0].adress`",
            "did you mean `address`",
        ),
    ];
    for ((line, key, what), p) in expect.iter().zip(&found) {
        assert!(
            p.contains(&format!("hub.toml:{line}, {key}")) && p.contains(what),
            "{p}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_config_schema_from_the_code_takes_the_example_and_refuses_a_typo() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("hub.schema.json");
    std::fs::write(&schema, twinwall_hub::config::json_schema().to_string()).unwrap();
    let example = twinwall_tests::workspace().join("hub/hub.example.toml");
    let v = twinwall_tests::interop(
        "validate_config.py",
        vec![schema.display().to_string(), example.display().to_string()],
    )
    .await;
    assert_eq!(v["valid"], true, "{v}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[site]\nid = \"x\"\n[plugins]\ncall_timeout_ms = \"fast\"\n[[devices]]\nid = \"a\"\ndriver = \"d\"\nzone = \"z\"\nadress = \"1.2.3.4:502\"\n",
    )
    .unwrap();
    let v = twinwall_tests::interop(
        "validate_config.py",
        vec![schema.display().to_string(), bad.display().to_string()],
    )
    .await;
    assert_eq!(v["valid"], false);
    let text = v["errors"].to_string();
    assert!(
        text.contains("adress") && text.contains("call_timeout_ms"),
        "{text}"
    );
}

#[test]
fn a_broken_profile_is_named_with_file_line_and_key_from_its_family_schema() {
    let dir = tempfile::tempdir().unwrap();
    install_drivers(dir.path(), &["modbus-fire-panel"]).unwrap();
    let profiles = dir.path().join("profiles");
    let family = profiles.join("fire-panel");
    std::fs::create_dir_all(&family).unwrap();
    let shipped = twinwall_tests::workspace().join("device-profiles/fire-panel");
    std::fs::copy(shipped.join("schema.json"), family.join("schema.json")).unwrap();
    let good = std::fs::read_to_string(shipped.join("twinwall-fp1.toml")).unwrap();
    assert!(good.contains("interval_ms = 500\n"));
    let bad = good
        .replace(
            "interval_ms = 500\n",
            "interval_ms = \"fast\"\ncolour = 1\n",
        )
        .replace("model = \"TW-FP1\"\n", "");
    std::fs::write(family.join("broken.toml"), &bad).unwrap();
    let line_of = |needle: &str| bad.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let devices = "[[devices]]\nid = \"fp-1\"\ndriver = \"modbus-fire-panel\"\nprofile = \"fire-panel/broken\"\nzone = \"campus\"\naddress = \"127.0.0.1:1\"\n";
    let text = config_text("check", &format!("{ZONES}{devices}"));
    let text = text
        .lines()
        .map(|l| {
            if l.starts_with("dir = ") && l.contains("device-profiles") {
                format!("dir = {:?}", profiles.display().to_string())
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let path = dir.path().join("hub.toml");
    std::fs::write(&path, text).unwrap();
    let r = twinwall_hub::check::check(&path);
    let found: Vec<String> = r.problems.iter().map(ToString::to_string).collect();
    let has = |line: usize, key: &str, what: &str| {
        assert!(
            found
                .iter()
                .any(|p| p.contains(&format!("broken.toml:{line}, `{key}`")) && p.contains(what)),
            "no `{key}` at line {line} with `{what}`: {found:#?}"
        )
    };
    has(
        line_of("interval_ms"),
        "poll.interval_ms",
        "expected integer",
    );
    has(line_of("colour"), "poll.colour", "unknown key");
    assert!(
        found
            .iter()
            .any(|p| p.contains("broken.toml") && p.contains("model")),
        "the missing `model` is named: {found:#?}"
    );
    // The driver refuses it too, for the first of these reasons.
    assert!(
        found
            .iter()
            .any(|p| p.contains("`fp-1`") && p.contains("refuses it")),
        "{found:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_shipped_profile_fits_its_family_schema_in_an_independent_validator() {
    let profiles = twinwall_tests::workspace().join("device-profiles");
    let mut checked = 0;
    for family in std::fs::read_dir(&profiles).unwrap().filter_map(|e| e.ok()) {
        let schema = family.path().join("schema.json");
        assert!(
            schema.exists(),
            "{} has no schema.json",
            family.path().display()
        );
        for f in std::fs::read_dir(family.path())
            .unwrap()
            .filter_map(|e| e.ok())
        {
            if f.path().extension().is_some_and(|x| x == "toml") {
                let v = twinwall_tests::interop(
                    "validate_config.py",
                    vec![schema.display().to_string(), f.path().display().to_string()],
                )
                .await;
                assert_eq!(v["valid"], true, "{}: {v}", f.path().display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 8, "{checked} profiles");
}
