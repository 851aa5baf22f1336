//! The demo campus as `hub.toml` text: its zones (四色 risk colours), the
//! devices the simulated fleet runs, each with its driver and profile, and
//! the linkage rules (a fire alarm evacuates its building).

use twinwall_simulator::hub_entry::DeviceEntry;
use twinwall_simulator::scenario::{Fleet, Scenario};

use super::plan::{self, Layout};

/// The config being written, and where on the plan the next device of each
/// zone goes.
struct Text {
    s: String,
    layout: Layout,
    /// Each zone's Chinese name (`化学北楼`), for its devices' names.
    zone_names: std::collections::HashMap<String, String>,
}

impl Text {
    fn push_str(&mut self, s: &str) {
        self.s.push_str(s);
    }

    /// A `[[zones]]` entry, with its outline on the plan when it has one.
    fn zone(&mut self, id: &str, name: &str, risk: &str) {
        let chinese = name.split(' ').next().unwrap_or(name).to_owned();
        self.zone_names.insert(id.to_owned(), chinese);
        self.push_str(&format!(
            "\n[[zones]]\nid = \"{id}\"\nname = \"{name}\"\nparent = \"campus\"\nrisk = \"{risk}\"\n"
        ));
        if let Some(area) = plan::area(id) {
            self.push_str(&area);
        }
    }
}

/// The file the plan is written to, beside `hub.toml`.
pub(super) const PLAN_FILE: &str = "campus-plan.svg";

/// The config of the campus the fleet simulates, API on `http`.
pub(super) fn config(
    site: &str,
    http: &str,
    fleet: &Fleet,
    scenario: &Scenario,
    visit_limit_s: u64,
) -> String {
    let zones = [
        // The chemistry building is orange from its register (its LEC score),
        // yellow only as the fallback while it has no assessed point.
        ("chem-north", "化学北楼 Chemistry North", "yellow"),
        ("library", "图书馆 Library", "yellow"),
        ("canteen", "学苑餐厅 Xueyuan Canteen", "yellow"),
        ("dorm-3", "3号宿舍楼 Dormitory 3", "blue"),
    ];
    // The booked visitor's car overstays a little after the walking visitor.
    let vehicle_limit_s = visit_limit_s + 5;
    let head = format!(
        "[site]\nid = \"{site}\"\nname = \"Twinwall demo campus\"\ndata_dir = \"data\"\n\n[http]\nlisten = \"{http}\"\n\n\
         [listen]\nhttp = \"127.0.0.1:0\"\n[listen.ports]\ndc09 = \"127.0.0.1:0\"\n\n[people]\nvisit_limit_s = {visit_limit_s}\n\n\
         [alarms]\nack_within_s = {{ red = 30 }}\n\n\
         [[vehicles.limits]]\ncategory = \"visitor\"\noverstay_s = {vehicle_limit_s}\n[[vehicles.limits]]\ncategory = \"unknown\"\noverstay_s = 3600\n\n\
         [broadcast]\nmulticast_interface = \"127.0.0.1\"\nmulticast_group = \"239.255.20.1\"\n\n\
         [plugins]\ndir = \"plugins\"\n\n[profiles]\ndir = \"device-profiles\"\n\n\
         [map]\nplan = {{ file = \"{PLAN_FILE}\", width = {}, height = {} }}\n\n\
         [[zones]]\nid = \"campus\"\nname = \"Main campus\"\n",
        plan::WIDTH,
        plan::HEIGHT,
    );
    let mut t = Text {
        s: head,
        layout: Layout::default(),
        zone_names: Default::default(),
    };
    t.zone("gate-north", "北门 North gate", "yellow");
    gates(&mut t, fleet, scenario, "gate-north");
    anpr(&mut t, fleet, "bg-gate-north", "gate-north", "twinwall-bg1");
    t.zone("road", "校园主干道 Campus road", "yellow");
    anpr(&mut t, fleet, "sc-road", "road", "twinwall-sc1");
    t.zone("perimeter-north", "北侧周界 North perimeter", "orange");
    alarm_host(
        &mut t,
        fleet,
        scenario,
        "ph-perimeter-north",
        "perimeter-north",
    );
    for (zone, name, risk) in zones {
        t.zone(zone, name, risk);
        // Devices are named after their zone: fp-<zone>, cam-<zone>-<n>.
        if let Some(p) = fleet.panels.get(&format!("fp-{zone}")) {
            device(
                &mut t,
                DeviceEntry::new(&format!("fp-{zone}"), "modbus-fire-panel", zone, p.addr())
                    .profile("fire-panel/twinwall-fp1")
                    .setting("allow_commands", "reset,silence,acknowledge"),
            );
        }
        // The chemistry building's plant room: an I/O module (the template
        // driver) reads the panel's common-alarm and fault relays as dry
        // contacts, as many buildings wire panels the hub has no protocol for.
        if zone == "chem-north"
            && let Some(p) = fleet.panels.get("fp-chem-north")
        {
            device(
                &mut t,
                DeviceEntry::new("io-chem-north-plant", "modbus-contacts", zone, p.addr())
                    .setting("inputs", "0=panel_common_alarm, 2=panel_fault")
                    .setting("poll_ms", 500),
            );
        }
        gates(&mut t, fleet, scenario, zone);
        speakers(&mut t, fleet, zone);
        alarm_host(&mut t, fleet, scenario, &format!("ap-{zone}"), zone);
        for c in scenario
            .cameras
            .iter()
            .filter(|c| c.id.starts_with(&format!("cam-{zone}-")))
        {
            let Some(cam) = fleet.cameras.get(&c.id) else {
                continue;
            };
            device(
                &mut t,
                DeviceEntry::new(&c.id, "onvif-camera", zone, cam.addr())
                    .profile("camera/twinwall-cam1")
                    .account(&c.username, &c.password)
                    .offline_after_ms(8000),
            );
        }
    }
    t.s
}

/// What the duty room calls device `id` of zone `zone` (`化学北楼 消防主机`).
fn display_name(id: &str, zone: &str) -> Option<String> {
    let kind = match id.split('-').next()? {
        "fp" => "消防主机".to_owned(),
        "io" => "机房干接点".to_owned(),
        "fg" => "人脸门禁".to_owned(),
        "bg" => "道闸".to_owned(),
        "sc" => "测速抓拍".to_owned(),
        "ph" => "周界报警主机".to_owned(),
        "ap" => "一键报警柱".to_owned(),
        "cam" => format!("摄像机 {}", id.rsplit('-').next()?),
        "sp" => format!("音柱 {}", id.rsplit('-').next()?),
        _ => return None,
    };
    Some(format!("{zone} {kind}"))
}

/// Append a device entry, after a blank line, named and placed on the plan
/// in its zone.
fn device(t: &mut Text, e: DeviceEntry) {
    let zone = e.zone().map(str::to_owned);
    let e = match zone
        .as_deref()
        .and_then(|z| t.zone_names.get(z))
        .and_then(|z| display_name(e.id(), z))
    {
        Some(name) => e.key("name", name),
        None => e,
    };
    let e = match zone.as_deref().and_then(|z| t.layout.place(z)) {
        Some([x, y]) => e.key("at", toml::Value::Array(vec![x.into(), y.into()])),
        None => e,
    };
    t.push_str("\n");
    t.push_str(&e.to_toml());
}

/// The speakers of `zone` (named `sp-<zone>-<n>`), with their model's profile.
fn speakers(t: &mut Text, fleet: &Fleet, zone: &str) {
    let mut ids: Vec<&String> = fleet
        .speakers
        .keys()
        .filter(|id| id.starts_with(&format!("sp-{zone}-")))
        .collect();
    ids.sort();
    for id in ids {
        let sp = &fleet.speakers[id];
        let profile = if sp.status().tts {
            "twinwall-sp1"
        } else {
            "twinwall-sp2"
        };
        device(
            t,
            DeviceEntry::new(id, "ip-speaker", zone, sp.addr())
                .profile(&format!("speaker/{profile}"))
                .offline_after_ms(6000),
        );
    }
}

/// The demo's linkage rules: a fire alarm evacuates its building (and takes
/// pictures there); a one-key alarm post takes pictures and goes red; an
/// alarm nobody answers brings fresh pictures of its zone to its page.
/// The demo's `[program]`: the canteen panel's mains fault is a hazard
/// after a few seconds (an hour would be usual), and the term holding
/// today (`today` as days since 1970, the site's day).
pub(super) fn program(today: i64) -> (String, String) {
    let (y, m, ..) = twinwall_plugin_sdk::time::to_civil(today * 86_400);
    // Autumn term: September to January; spring: February to August.
    let (id, name, from, to) = if m >= 9 || m == 1 {
        let y0 = if m == 1 { y - 1 } else { y };
        (
            format!("{y0}-{}-1", y0 + 1),
            format!("{y0}-{}学年第一学期", y0 + 1),
            format!("{y0}-09-01"),
            format!("{}-01-31", y0 + 1),
        )
    } else {
        (
            format!("{}-{y}-2", y - 1),
            format!("{}-{y}学年第二学期", y - 1),
            format!("{y}-02-01"),
            format!("{y}-08-31"),
        )
    };
    let text = format!(
        "\n[program]\noffice_unit = \"program-office\"\n\
         [[program.hazard_rules]]\nid = \"panel-mains\"\nkinds = [\"fire.fault\"]\nattrs = {{ fault = \"main_power\" }}\n\
         held_s = 8\ncategory = \"fire\"\ndescription = \"火灾报警控制器主电故障 (fire panel mains fault)\"\n\
         [[program.terms]]\nid = \"{id}\"\nname = \"{name}\"\nfrom = \"{from}\"\nto = \"{to}\"\n"
    );
    (text, id)
}

pub(super) fn rules(evacuation_clip: &str) -> String {
    format!(
        "\n[[rules]]\nid = \"fire-evacuation\"\nwhen = {{ kind = [\"fire.alarm\"], zone = \"campus\", min_level = \"red\" }}\n\
         debounce_s = 60\nactions = [\n  {{ broadcast = {{ zones = [\"$zone\"], clip = \"{evacuation_clip}\", priority = 255, repeat = 2 }} }},\n\
           {{ snapshot = {{ zone = \"$zone\" }} }},\n]\n\
         \n[[rules]]\nid = \"panic-post\"\nwhen = {{ kind = [\"panic.pressed\"] }}\n\
         actions = [{{ snapshot = {{ zone = \"$zone\" }} }}, {{ raise = {{ level = \"red\" }} }}]\n\
         \n[[rules]]\nid = \"alarm-unanswered\"\nwhen = {{ kind = [\"alarm.escalated\"] }}\n\
         actions = [{{ snapshot = {{ zone = \"$zone\" }} }}]\n"
    )
}

/// Two alternating tones, 800 and 1000 Hz, half a second each, for four
/// seconds: the sound of an evacuation signal.
pub(super) fn evacuation_tone() -> Vec<i16> {
    (0..4 * 8000)
        .map(|i| {
            let f = if (i / 4000) % 2 == 0 { 800.0 } else { 1000.0 };
            (f64::sin(i as f64 * f * std::f64::consts::TAU / 8000.0) * 10_000.0) as i16
        })
        .collect()
}

/// The face gates of `zone` (named `fg-<zone>`): the dormitory's is read over
/// its alert stream, the others push to the hub.
fn gates(t: &mut Text, fleet: &Fleet, scenario: &Scenario, zone: &str) {
    for g in scenario
        .gates
        .iter()
        .filter(|g| g.id == format!("fg-{zone}"))
    {
        let Some(gate) = fleet.gates.get(&g.id) else {
            continue;
        };
        let mode = if zone.starts_with("dorm") {
            "stream"
        } else {
            "push"
        };
        device(
            t,
            DeviceEntry::new(&g.id, "face-gate", zone, gate.addr())
                .profile("face-gate/twinwall-fg1")
                .account(&g.username, &g.password)
                .offline_after_ms(15000)
                .setting("mode", mode)
                .setting("doors", i64::from(g.doors)),
        );
    }
}

/// The alarm host `id` in `zone`: a perimeter-driver device with its account
/// and zone map; its address is the host's control channel.
fn alarm_host(t: &mut Text, fleet: &Fleet, scenario: &Scenario, id: &str, zone: &str) {
    let (Some(decl), Some(host)) = (
        scenario.hosts.iter().find(|h| h.id == id),
        fleet.hosts.get(id),
    ) else {
        return;
    };
    device(
        t,
        DeviceEntry::new(id, "perimeter", zone, host.control_addr())
            .profile("perimeter/twinwall-ph1")
            .account("admin", "admin123")
            .offline_after_ms(decl.supervision_s * 2500)
            .setting("account", decl.account.as_str())
            .setting("zones", decl.zones.as_str()),
    );
}

/// The plate-reading camera `id` in `zone`, with its profile.
fn anpr(t: &mut Text, fleet: &Fleet, id: &str, zone: &str, profile: &str) {
    let Some(cam) = fleet.anpr.get(id) else {
        return;
    };
    device(
        t,
        DeviceEntry::new(id, "anpr", zone, cam.addr())
            .profile(&format!("vehicle/{profile}"))
            .account("admin", "admin123")
            .offline_after_ms(15000),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list is what the demo's devices name: nothing more, nothing less.
    #[tokio::test]
    async fn the_demo_runs_exactly_the_drivers_its_devices_name() {
        let scenario = Scenario::parse(super::super::SCENARIO, "demo scenario").unwrap();
        let fleet = scenario.start("127.0.0.1".parse().unwrap()).await.unwrap();
        let text = super::config("demo", "127.0.0.1:0", &fleet, &scenario, 45);
        let doc: toml::Table = toml::from_str(&text).unwrap();
        let mut named: Vec<&str> = doc["devices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["driver"].as_str().unwrap())
            .collect();
        named.sort_unstable();
        named.dedup();
        assert_eq!(named, super::super::DRIVERS);
    }
}
