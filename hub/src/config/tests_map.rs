//! The campus map's and the statistics' parts of hub.toml.

use super::statistics::Dimension;
use std::path::Path;

use super::*;

/// A config over a folder holding `campus.svg` and `chem-f1.png`.
fn with_plans(extra: &str) -> (tempfile::TempDir, Result<HubConfig, ConfigError>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("campus.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .unwrap();
    std::fs::write(dir.path().join("chem-f1.png"), b"\x89PNG").unwrap();
    let text = format!(
        r#"
[site]
id = "main"

[map]
plan = {{ file = "campus.svg", width = 1000, height = 600 }}

[[zones]]
id = "campus"
[[zones]]
id = "chem-north"
parent = "campus"
area = [[100, 100], [300, 100], [300, 250]]
[[zones]]
id = "chem-f1"
parent = "chem-north"
plan = {{ file = "chem-f1.png", width = 80, height = 40 }}

[[devices]]
id = "fp-1"
driver = "modbus-fire-panel"
zone = "chem-north"
address = "127.0.0.1:5020"
at = [200, 150]
{extra}
"#
    );
    let c = HubConfig::parse(&text, "hub.toml", dir.path());
    (dir, c)
}

#[test]
fn plans_are_read_from_the_config_folder_and_things_go_on_the_nearest_plan() {
    let (dir, c) = with_plans("");
    let c = c.unwrap();
    let site = c.map.plan.as_ref().unwrap();
    assert_eq!(site.file, dir.path().join("campus.svg"));
    // A zone without a plan is drawn on the site's; one with its own has it.
    assert_eq!(c.plan_for("chem-north", true).unwrap().0, None);
    assert_eq!(c.plan_for("chem-f1", true).unwrap().0, Some("chem-f1"));
    // Its own outline goes on the plan above it.
    assert_eq!(c.plan_for("chem-f1", false).unwrap().0, None);
    assert_eq!(c.devices[0].at, Some([200.0, 150.0]));
}

#[test]
fn a_place_off_its_plan_is_named_with_the_plan() {
    let extra = "\n[[devices]]\nid = \"cam-1\"\ndriver = \"onvif-camera\"\nzone = \"chem-f1\"\naddress = \"127.0.0.1:1\"\nat = [90, 10]\n";
    let e = with_plans(extra).1.unwrap_err().to_string();
    assert!(
        e.contains("devices.at")
            && e.contains("cam-1")
            && e.contains("chem-f1.png")
            && e.contains("80 × 40"),
        "{e}"
    );
}

#[test]
fn an_area_needs_three_points_and_a_plan_a_readable_picture() {
    let text = |map: &str, area: &str| {
        format!("[site]\nid = \"m\"\n{map}\n[[zones]]\nid = \"a\"\narea = {area}\n")
    };
    let no_plan = HubConfig::parse(
        &text("", "[[1, 1], [2, 2], [3, 1]]"),
        "hub.toml",
        Path::new("/nonexistent"),
    );
    let e = no_plan.unwrap_err().to_string();
    assert!(e.contains("zones.area") && e.contains("no plan"), "{e}");

    let missing = HubConfig::parse(
        &text(
            "[map]\nplan = { file = \"gone.svg\", width = 10, height = 10 }",
            "[[1, 1], [2, 2], [3, 1]]",
        ),
        "hub.toml",
        Path::new("/nonexistent"),
    );
    let e = missing.unwrap_err().to_string();
    assert!(
        e.contains("map.plan") && e.contains("gone.svg") && e.contains("cannot be read"),
        "{e}"
    );

    let (_dir, two) = with_plans("");
    drop(two);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.svg"), "<svg/>").unwrap();
    let short = HubConfig::parse(
        &text(
            "[map]\nplan = { file = \"p.svg\", width = 10, height = 10 }",
            "[[1, 1], [2, 2]]",
        ),
        "hub.toml",
        dir.path(),
    );
    let e = short.unwrap_err().to_string();
    assert!(e.contains("three points") && e.contains("it has 2"), "{e}");

    let pdf = HubConfig::parse(
        &text(
            "[map]\nplan = { file = \"p.pdf\", width = 10, height = 10 }",
            "[]",
        ),
        "hub.toml",
        dir.path(),
    );
    assert!(
        pdf.unwrap_err()
            .to_string()
            .contains("not a picture the console shows")
    );
}

#[test]
fn dimensions_default_by_family_and_the_config_wins() {
    let (_dir, c) = with_plans("\n[statistics]\ndimensions = { \"fire.fault\" = \"operation\" }\n");
    let t = c.unwrap().statistics.table();
    assert_eq!(t["fire.*"], Dimension::Environment);
    assert_eq!(t["fire.fault"], Dimension::Operation);
    assert_eq!(t["vehicle.speeding"], Dimension::Special);

    let (_dir, bad) = with_plans("\n[statistics]\ndimensions = { \"fire\" = \"operation\" }\n");
    let e = bad.unwrap_err().to_string();
    assert!(
        e.contains("statistics.dimensions") && e.contains("`fire`"),
        "{e}"
    );
}

#[test]
fn a_device_name_is_kept_and_an_empty_one_refused_with_the_device() {
    let named = "\n[[devices]]\nid = \"fp-2\"\nname = \"化学北楼消防主机\"\ndriver = \"modbus-fire-panel\"\nzone = \"chem-north\"\naddress = \"127.0.0.1:1\"\n";
    let c = with_plans(named).1.unwrap();
    assert_eq!(c.devices[1].name.as_deref(), Some("化学北楼消防主机"));
    let empty = named.replace("化学北楼消防主机", " ");
    let e = with_plans(&empty).1.unwrap_err().to_string();
    assert!(e.contains("devices.name") && e.contains("fp-2"), "{e}");
}
