use std::path::Path;

use super::*;

const GOOD: &str = r#"
[site]
id = "main"

[[zones]]
id = "campus"
[[zones]]
id = "chem-north"
name = "化学北楼"
parent = "campus"
risk = "orange"

[[devices]]
id = "fp-1"
driver = "modbus-fire-panel"
zone = "chem-north"
address = "127.0.0.1:5020"
settings = { points = 16, allow_commands = "reset" }
"#;

fn parse(text: &str) -> Result<HubConfig, ConfigError> {
    HubConfig::parse(text, "hub.toml", Path::new("/nonexistent"))
}

#[test]
fn good_config_parses_with_defaults_and_zone_paths() {
    let c = parse(GOOD).unwrap();
    assert_eq!(c.http.listen, "127.0.0.1:8080");
    assert_eq!(c.plugins.max_crashes, 5);
    assert_eq!(c.zone_path("chem-north").unwrap(), "campus/chem-north");
    let s = c.devices[0].settings_as_strings();
    assert!(s.contains(&("points".into(), "16".into())));
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let bad = GOOD.replace(
        "address = \"127.0.0.1:5020\"",
        "address = \"127.0.0.1:5020\"\nadress = \"x\"",
    );
    let e = parse(&bad).unwrap_err().to_string();
    assert!(e.starts_with("hub.toml:18:"), "{e}");
    assert!(e.contains("key `adress`"), "{e}");
}

#[test]
fn dangling_zone_is_named_with_its_line() {
    let bad = GOOD.replace("zone = \"chem-north\"", "zone = \"chem-south\"");
    let e = parse(&bad).unwrap_err().to_string();
    assert!(
        e.contains("hub.toml:16:") && e.contains("chem-south") && e.contains("devices.zone"),
        "{e}"
    );
}

#[test]
fn duplicate_device_and_parent_cycle_are_refused() {
    let dup = format!("{GOOD}\n[[devices]]\nid = \"fp-1\"\ndriver = \"x\"\nzone = \"campus\"\n");
    assert!(
        parse(&dup)
            .unwrap_err()
            .to_string()
            .contains("declared twice")
    );
    let cyc = GOOD.replace(
        "id = \"campus\"",
        "id = \"campus\"\nparent = \"chem-north\"",
    );
    assert!(parse(&cyc).unwrap_err().to_string().contains("cycle"));
}

#[test]
fn wrong_type_is_located() {
    let bad = GOOD.replace("risk = \"orange\"", "risk = \"purple\"");
    let e = parse(&bad).unwrap_err().to_string();
    assert!(e.contains("hub.toml:11:"), "{e}");
}

#[test]
fn the_shipped_example_config_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let text = include_str!("../../hub.example.toml");
    let c = HubConfig::parse(text, "hub.example.toml", root).unwrap();
    assert_eq!(c.devices.len(), 1);
    assert_eq!(c.zone_path("chem-north").unwrap(), "campus/chem-north");
}

#[test]
fn a_bad_rule_in_hub_toml_names_its_line() {
    let text = format!(
        "{GOOD}\n[[rules]]\nid = \"evacuate\"\nwhen = {{ kind = [\"fire.alarm\"] }}\n\
         actions = [{{ broadcast = {{ zones = [\"library\"], text = \"疏散\" }} }}]\n"
    );
    let e = parse(&text).unwrap_err().to_string();
    let line = text.lines().position(|l| l.starts_with("actions")).unwrap() + 1;
    assert!(
        e.starts_with(&format!("hub.toml:{line}: key `rules`: ")),
        "{e}"
    );
    assert!(e.contains("unknown zone `library`"), "{e}");
    let ok = format!(
        "{GOOD}\n[[rules]]\nid = \"evacuate\"\nwhen = {{ kind = [\"fire.*\"], zone = \"chem-north\" }}\n\
         actions = [{{ broadcast = {{ zones = [\"$zone\"], text = \"疏散\" }} }}]\n"
    );
    assert_eq!(parse(&ok).unwrap().rules.len(), 1);
}

#[test]
fn mqtt_commands_are_off_by_default_and_need_an_allow_list() {
    let nb = "\n[northbound]\nurl = \"mqtt://127.0.0.1:1883\"\n";
    let c = parse(&format!("{GOOD}{nb}")).unwrap();
    assert!(!c.northbound.unwrap().commands.enabled);
    let e = parse(&format!(
        "{GOOD}{nb}[northbound.commands]\nenabled = true\n"
    ))
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("northbound.commands.allow") && e.contains("hub.toml"),
        "{e}"
    );
    let c = parse(&format!(
        "{GOOD}{nb}[northbound.commands]\nenabled = true\nallow = [\"reset\"]\n"
    ))
    .unwrap();
    assert_eq!(c.northbound.unwrap().commands.allow, ["reset"]);
}

#[test]
fn two_hundred_panels_in_a_few_lines() {
    let text = r#"
[site]
id = "main"

[[zones]]
id = "campus"
[[zones]]
id = "dorms"
parent = "campus"

[[device_groups]]
id = "fp-dorm-{n:3}"
addresses = "10.30.1.10-209:502"
driver = "modbus-fire-panel"
profile = "fire-panel/twinwall-fp1"
zone = "dorms"
settings = { points = 64, poll_ms = 1000, counters = false }
"#;
    assert!(text.lines().count() < 30);
    // Profiles resolve from the workspace, as from a hub's own folder.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let parse = |t: &str| HubConfig::parse(t, "hub.toml", root);
    let c = parse(text).unwrap();
    assert_eq!(c.devices.len(), 200);
    assert_eq!(c.devices[0].id.get_ref(), "fp-dorm-001");
    assert_eq!(c.devices[0].address.as_deref(), Some("10.30.1.10:502"));
    assert_eq!(c.devices[199].id.get_ref(), "fp-dorm-200");
    assert_eq!(c.devices[199].address.as_deref(), Some("10.30.1.209:502"));
    assert!(
        c.devices[5]
            .settings_as_strings()
            .contains(&("counters".into(), "false".into()))
    );
    // A group whose ids collide with a device is refused by line.
    let dup =
        format!("{text}\n[[devices]]\nid = \"fp-dorm-007\"\ndriver = \"x\"\nzone = \"dorms\"\n");
    let e = parse(&dup).unwrap_err().to_string();
    assert!(e.contains("fp-dorm-007") && e.contains("twice"), "{e}");
    let bad = text.replace("10.30.1.10-209:502", "10.30.1.10-300:502");
    let e = parse(&bad).unwrap_err().to_string();
    assert!(e.contains("hub.toml:") && e.contains("past 255"), "{e}");
}

/// What `run` would refuse, `check` refuses too: both parse through
/// `validate`, so a bad multicast group or TLS files that do not load are
/// named before anything binds.
#[test]
fn checks_run_made_late_are_made_when_the_file_is_read() {
    let text = format!("{GOOD}\n[broadcast]\nmulticast_group = \"10.1.2.3\"\n");
    let e = parse(&text).unwrap_err().to_string();
    assert!(
        e.contains("broadcast.multicast_group")
            && e.contains("10.1.2.3 is not a multicast address"),
        "{e}"
    );
    let text = GOOD.replace(
        "[site]\nid = \"main\"\n",
        "[site]\nid = \"main\"\n[http]\ntls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\n",
    );
    let e = parse(&text).unwrap_err().to_string();
    assert!(e.contains("http.tls_cert") && e.contains("TLS"), "{e}");
}
