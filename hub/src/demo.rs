//! `twinwall demo`: the embedded default. Simulated devices of every family
//! playing a scenario (fire alarms start evacuation broadcasts by rule), the hub with every built driver, the event store in a temporary
//! folder, and the API and console on localhost.

use std::path::{Path, PathBuf};

use anyhow::Context;
use twinwall_simulator::camera::discovery::{Endpoint, Responder};
use twinwall_simulator::hub_entry::DeviceEntry;
use twinwall_simulator::scenario::{Fleet, Scenario};

use crate::Hub;
use crate::config::HubConfig;

/// The scenario the demo plays: four buildings, alarms, faults and a restore.
pub const SCENARIO: &str = include_str!("demo/scenario.toml");
const FP1_PROFILE: &str = include_str!("../../device-profiles/fire-panel/twinwall-fp1.toml");
const CAM1_PROFILE: &str = include_str!("../../device-profiles/camera/twinwall-cam1.toml");
const FG1_PROFILE: &str = include_str!("../../device-profiles/face-gate/twinwall-fg1.toml");
const PH1_PROFILE: &str = include_str!("../../device-profiles/perimeter/twinwall-ph1.toml");
const BG1_PROFILE: &str = include_str!("../../device-profiles/vehicle/twinwall-bg1.toml");
const SC1_PROFILE: &str = include_str!("../../device-profiles/vehicle/twinwall-sc1.toml");
const SP1_PROFILE: &str = include_str!("../../device-profiles/speaker/twinwall-sp1.toml");
const SP2_PROFILE: &str = include_str!("../../device-profiles/speaker/twinwall-sp2.toml");

/// Demo options.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Where the HTTP API listens.
    pub http: String,
    /// Folder with built drivers (`*.wasm`).
    pub plugins: PathBuf,
    /// Forward events to this MQTT broker (`mqtt://host:port`).
    pub mqtt: Option<String>,
    /// How long a visitor may stay before `people.visitor_overdue` (the
    /// demo's scenario has one stay longer than this).
    pub visit_limit_s: u64,
}

/// The folder where `cargo drivers` puts the components.
pub fn default_plugins_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("wasm32-wasip2").join("guest")
}

/// A running demo: simulated devices and a hub wired to them.
pub struct Demo {
    /// The hub.
    pub hub: Hub,
    /// Every simulated device.
    pub fleet: Fleet,
    /// The scenario to play.
    pub scenario: Scenario,
    /// Drivers loaded.
    pub drivers: Vec<String>,
    /// An operator's API token (the console, commands, broadcasts).
    pub operator_token: String,
    /// An admin's API token (tokens, rules).
    pub admin_token: String,
    discovery: Responder,
    tmp: tempfile::TempDir,
}

impl Demo {
    /// Play the scenario, and act as the duty room would: disarm the north
    /// perimeter for a patrol and arm it again (an arm/disarm round trip over
    /// the host's control channel, recorded with its actor).
    pub async fn play(&self) {
        let devices = self.hub.devices().clone();
        let operator = async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(27)).await;
                let _ = devices
                    .command(
                        "ph-perimeter-north",
                        "disarm",
                        "{\"partition\": 1}",
                        "demo duty room",
                    )
                    .await;
                tokio::time::sleep(std::time::Duration::from_secs(8)).await;
                let _ = devices
                    .command(
                        "ph-perimeter-north",
                        "arm",
                        "{\"partition\": 1}",
                        "demo duty room",
                    )
                    .await;
                tokio::time::sleep(std::time::Duration::from_secs(55)).await;
            }
        };
        tokio::select! {
            _ = self.scenario.play(&self.fleet) => {}
            _ = operator => {}
        }
    }

    /// The WS-Discovery responder's address.
    pub fn discovery_addr(&self) -> std::net::SocketAddr {
        self.discovery.addr()
    }

    /// The temporary data folder.
    pub fn folder(&self) -> &Path {
        self.tmp.path()
    }
}

/// Start the simulated campus and a hub with every built driver, data in a
/// temporary folder (the scenario is not played yet).
pub async fn start(opts: &DemoOptions) -> anyhow::Result<Demo> {
    let tmp = tempfile::Builder::new()
        .prefix("twinwall-demo-")
        .tempdir()
        .context("creating a temporary folder")?;
    let plugins = tmp.path().join("plugins");
    let drivers = copy_drivers(&opts.plugins, &plugins)?;
    let profiles = tmp.path().join("device-profiles");
    for (file, text) in [
        ("fire-panel/twinwall-fp1.toml", FP1_PROFILE),
        ("camera/twinwall-cam1.toml", CAM1_PROFILE),
        ("face-gate/twinwall-fg1.toml", FG1_PROFILE),
        ("perimeter/twinwall-ph1.toml", PH1_PROFILE),
        ("vehicle/twinwall-bg1.toml", BG1_PROFILE),
        ("vehicle/twinwall-sc1.toml", SC1_PROFILE),
        ("speaker/twinwall-sp1.toml", SP1_PROFILE),
        ("speaker/twinwall-sp2.toml", SP2_PROFILE),
    ] {
        let path = profiles.join(file);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, text)?;
    }
    let scenario = Scenario::parse(SCENARIO, "demo scenario")?;
    let fleet = scenario
        .start("127.0.0.1".parse()?)
        .await
        .context("starting simulated devices")?;
    // The evacuation tone, stored where the hub keeps its clips.
    let clips = crate::audio::Clips::open(&tmp.path().join("data").join("clips"))?;
    let evacuation = clips
        .put_samples("evacuation tone", evacuation_tone())?
        .hash;
    let mut config_text = demo_config(&opts.http, &fleet, &scenario, opts.visit_limit_s);
    config_text.push_str(&demo_rules(&evacuation));
    if let Some(url) = &opts.mqtt {
        config_text.push_str(&format!(
            "\n[northbound]\nurl = \"{url}\"\nclient_id = \"twinwall-demo-{}\"\n",
            std::process::id()
        ));
    }
    let config = HubConfig::parse(&config_text, "demo hub.toml", tmp.path())?;
    // Tokens as `twinwall token create` makes them, in the demo's own folder.
    let tokens = crate::auth::Tokens::open(&config.site.data_dir)?;
    let operator_token = tokens
        .create("demo duty room", crate::auth::Role::Operator, "demo")?
        .secret;
    let admin_token = tokens
        .create("demo admin", crate::auth::Role::Admin, "demo")?
        .secret;
    let hub = Hub::start(config).await?;
    if let Some(dc09) = hub.port_addr("dc09") {
        fleet.set_receiver(dc09);
    }
    // One WS-Discovery responder for every camera, on loopback.
    let endpoints = fleet
        .cameras
        .values()
        .map(|c| Endpoint::for_camera(c.id(), c.addr()))
        .collect();
    let discovery = Responder::start("127.0.0.1:0".parse()?, endpoints, None)
        .await
        .context("starting WS-Discovery")?;
    Ok(Demo {
        hub,
        fleet,
        scenario,
        drivers,
        operator_token,
        admin_token,
        discovery,
        tmp,
    })
}

/// Run the demo until Ctrl-C.
pub async fn run(opts: DemoOptions) -> anyhow::Result<()> {
    let demo = start(&opts).await?;
    let url = format!("http://{}", demo.hub.http_addr());
    println!(
        "Twinwall demo running ({} driver(s): {})",
        demo.drivers.len(),
        demo.drivers.join(", ")
    );
    let token = &demo.operator_token;
    println!("  console:      {url}/#token={token}");
    println!("  API token:    {token}  (operator; send `Authorization: Bearer <token>`)");
    println!(
        "  admin token:  {}  (tokens, rules reload)",
        demo.admin_token
    );
    println!("  try:          curl -H \"Authorization: Bearer {token}\" {url}/api/v1/devices");
    println!("  fire alarms:  {url}/api/v1/events?kind=fire.alarm");
    println!("  face gates:   {url}/api/v1/events?kind=access.*");
    println!(
        "  visitors:     {url}/api/v1/people/visitors (one overstays after {} s)",
        opts.visit_limit_s
    );
    println!("  head counts:  {url}/api/v1/people/stats");
    println!("  perimeter:    {url}/api/v1/events?kind=perimeter.*  (panic posts: kind=panic.*)");
    println!(
        "  broadcasts:   {url}/api/v1/broadcasts  (a fire alarm starts its building's evacuation by rule: {url}/api/v1/rules)"
    );
    println!(
        "  speak now:    cargo run -p twinwall-hub -- broadcast --api {url} --token {token} --zone canteen --text \"午餐时间到了\" --priority 50"
    );
    println!("  live stream:  {url}/api/v1/events/stream");
    println!("  devices:      {url}/api/v1/devices");
    println!("  metrics:      {url}/metrics");
    println!("  API document: {url}/api/v1/openapi.json");
    println!(
        "  discovery:    POST {url}/api/v1/discovery/onvif?target={}",
        demo.discovery_addr()
    );
    println!(
        "  push listener: http://{} (devices push here, never to the API)",
        demo.hub.push_addr()
    );
    if let Some(m) = &opts.mqtt {
        println!("  mqtt:         {m}, topics twinwall/demo/# (status: {url}/api/v1/northbound)");
    }
    println!(
        "  data folder:  {} (removed on exit)",
        demo.folder().display()
    );
    println!("Press Ctrl-C to stop.");
    tokio::select! {
        _ = demo.play() => { tokio::signal::ctrl_c().await?; }
        r = tokio::signal::ctrl_c() => r?,
    }
    demo.hub.stop().await;
    Ok(())
}

fn copy_drivers(from: &Path, to: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(to)?;
    let mut names = Vec::new();
    let entries = std::fs::read_dir(from).with_context(|| {
        format!(
            "no drivers in {}: build them first with `cargo drivers` (or pass --plugins DIR)",
            from.display()
        )
    })?;
    for e in entries {
        let p = e?.path();
        let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        // Test fixtures are not part of the demo.
        if !name.ends_with(".wasm") || name.starts_with("hostile") {
            continue;
        }
        std::fs::copy(&p, to.join(name))?;
        names.push(name.trim_end_matches(".wasm").to_owned());
    }
    anyhow::ensure!(
        !names.is_empty(),
        "no drivers in {}: build them first with `cargo drivers`",
        from.display()
    );
    names.sort();
    Ok(names)
}

fn demo_config(http: &str, fleet: &Fleet, scenario: &Scenario, visit_limit_s: u64) -> String {
    let zones = [
        ("chem-north", "化学北楼 Chemistry North", "orange"),
        ("library", "图书馆 Library", "yellow"),
        ("canteen", "学苑餐厅 Xueyuan Canteen", "yellow"),
        ("dorm-3", "3号宿舍楼 Dormitory 3", "blue"),
    ];
    // The booked visitor's car overstays a little after the walking visitor.
    let vehicle_limit_s = visit_limit_s + 5;
    let mut t = format!(
        "[site]\nid = \"demo\"\nname = \"Twinwall demo campus\"\ndata_dir = \"data\"\n\n[http]\nlisten = \"{http}\"\n\n\
         [listen]\nhttp = \"127.0.0.1:0\"\n[listen.ports]\ndc09 = \"127.0.0.1:0\"\n\n[people]\nvisit_limit_s = {visit_limit_s}\n\n\
         [[vehicles.limits]]\ncategory = \"visitor\"\noverstay_s = {vehicle_limit_s}\n[[vehicles.limits]]\ncategory = \"unknown\"\noverstay_s = 3600\n\n\
         [broadcast]\nmulticast_interface = \"127.0.0.1\"\nmulticast_group = \"239.255.20.1\"\n\n\
         [plugins]\ndir = \"plugins\"\n\n[profiles]\ndir = \"device-profiles\"\n\n[[zones]]\nid = \"campus\"\nname = \"Main campus\"\n"
    );
    t.push_str("\n[[zones]]\nid = \"gate-north\"\nname = \"北门 North gate\"\nparent = \"campus\"\nrisk = \"yellow\"\n");
    gates(&mut t, fleet, scenario, "gate-north");
    anpr(&mut t, fleet, "bg-gate-north", "gate-north", "twinwall-bg1");
    t.push_str("\n[[zones]]\nid = \"road\"\nname = \"校园主干道 Campus road\"\nparent = \"campus\"\nrisk = \"yellow\"\n");
    anpr(&mut t, fleet, "sc-road", "road", "twinwall-sc1");
    t.push_str("\n[[zones]]\nid = \"perimeter-north\"\nname = \"北侧周界 North perimeter\"\nparent = \"campus\"\nrisk = \"orange\"\n");
    alarm_host(
        &mut t,
        fleet,
        scenario,
        "ph-perimeter-north",
        "perimeter-north",
    );
    for (zone, name, risk) in zones {
        t.push_str(&format!("\n[[zones]]\nid = \"{zone}\"\nname = \"{name}\"\nparent = \"campus\"\nrisk = \"{risk}\"\n"));
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
    t
}

/// Append a device entry, after a blank line.
fn device(t: &mut String, e: DeviceEntry) {
    t.push('\n');
    t.push_str(&e.to_toml());
}

/// The speakers of `zone` (named `sp-<zone>-<n>`), with their model's profile.
fn speakers(t: &mut String, fleet: &Fleet, zone: &str) {
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
/// pictures there); a one-key alarm post takes pictures and goes red.
fn demo_rules(evacuation_clip: &str) -> String {
    format!(
        "\n[[rules]]\nid = \"fire-evacuation\"\nwhen = {{ kind = [\"fire.alarm\"], zone = \"campus\", min_level = \"red\" }}\n\
         debounce_s = 60\nactions = [\n  {{ broadcast = {{ zones = [\"$zone\"], clip = \"{evacuation_clip}\", priority = 255, repeat = 2 }} }},\n\
           {{ snapshot = {{ zone = \"$zone\" }} }},\n]\n\
         \n[[rules]]\nid = \"panic-post\"\nwhen = {{ kind = [\"panic.pressed\"] }}\n\
         actions = [{{ snapshot = {{ zone = \"$zone\" }} }}, {{ raise = {{ level = \"red\" }} }}]\n"
    )
}

/// Two alternating tones, 800 and 1000 Hz, half a second each, for four
/// seconds: the sound of an evacuation signal.
fn evacuation_tone() -> Vec<i16> {
    (0..4 * 8000)
        .map(|i| {
            let f = if (i / 4000) % 2 == 0 { 800.0 } else { 1000.0 };
            (f64::sin(i as f64 * f * std::f64::consts::TAU / 8000.0) * 10_000.0) as i16
        })
        .collect()
}

/// The face gates of `zone` (named `fg-<zone>`): the dormitory's is read over
/// its alert stream, the others push to the hub.
fn gates(t: &mut String, fleet: &Fleet, scenario: &Scenario, zone: &str) {
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
fn alarm_host(t: &mut String, fleet: &Fleet, scenario: &Scenario, id: &str, zone: &str) {
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
fn anpr(t: &mut String, fleet: &Fleet, id: &str, zone: &str, profile: &str) {
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
