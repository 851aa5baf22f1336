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
