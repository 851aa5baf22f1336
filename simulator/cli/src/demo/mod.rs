//! `twinwall-sim demo`: simulated devices of every family playing a
//! scenario (fire alarms start evacuation broadcasts by rule), a hub with
//! the drivers they need ([`DRIVERS`]), the event store in a temporary
//! folder, and the API and console on localhost. The hub itself knows
//! nothing of the demo: this is a client of its library like any other.

mod campus;
mod duty_room;
mod plan;
mod program_office;
mod session;

use std::path::{Path, PathBuf};

use anyhow::Context;
use twinwall_hub::Hub;
use twinwall_hub::config::HubConfig;
use twinwall_simulator::camera::discovery::{Endpoint, Responder};
use twinwall_simulator::scenario::{Fleet, Scenario};

/// The scenario the demo plays: four buildings, alarms, faults and a restore.
pub const SCENARIO: &str = include_str!("scenario.toml");

/// The drivers the demo runs: those its devices name, no test driver.
pub const DRIVERS: [&str; 7] = [
    "anpr",
    "face-gate",
    "ip-speaker",
    "modbus-contacts",
    "modbus-fire-panel",
    "onvif-camera",
    "perimeter",
];

/// The profiles its devices name, as shipped in `device-profiles/`.
const PROFILES: [(&str, &str); 8] = [
    (
        "fire-panel/twinwall-fp1.toml",
        include_str!("../../../../device-profiles/fire-panel/twinwall-fp1.toml"),
    ),
    (
        "camera/twinwall-cam1.toml",
        include_str!("../../../../device-profiles/camera/twinwall-cam1.toml"),
    ),
    (
        "face-gate/twinwall-fg1.toml",
        include_str!("../../../../device-profiles/face-gate/twinwall-fg1.toml"),
    ),
    (
        "perimeter/twinwall-ph1.toml",
        include_str!("../../../../device-profiles/perimeter/twinwall-ph1.toml"),
    ),
    (
        "vehicle/twinwall-bg1.toml",
        include_str!("../../../../device-profiles/vehicle/twinwall-bg1.toml"),
    ),
    (
        "vehicle/twinwall-sc1.toml",
        include_str!("../../../../device-profiles/vehicle/twinwall-sc1.toml"),
    ),
    (
        "speaker/twinwall-sp1.toml",
        include_str!("../../../../device-profiles/speaker/twinwall-sp1.toml"),
    ),
    (
        "speaker/twinwall-sp2.toml",
        include_str!("../../../../device-profiles/speaker/twinwall-sp2.toml"),
    ),
];

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
    /// The campus's site id (`demo`): two demos with two ids feed one
    /// JetStream cluster side by side.
    pub site: String,
    /// Keep the hub's files here instead of a temporary folder, so a
    /// restarted demo goes on with its log where it stopped.
    pub data: Option<PathBuf>,
    /// Publish the log into JetStream on these servers (`nats://…`), the
    /// centre's commands taken.
    pub jetstream: Vec<String>,
}

impl DemoOptions {
    /// The README's demo on `http`, drivers from `plugins`.
    pub fn new(http: &str, plugins: PathBuf) -> Self {
        DemoOptions {
            http: http.into(),
            plugins,
            mqtt: None,
            visit_limit_s: 45,
            site: "demo".into(),
            data: None,
            jetstream: Vec::new(),
        }
    }
}

/// Where the demo keeps its files.
enum Folder {
    /// Gone when the demo ends.
    Temporary(tempfile::TempDir),
    /// The user's (`--data`).
    Kept(PathBuf),
}

impl Folder {
    fn path(&self) -> &Path {
        match self {
            Folder::Temporary(t) => t.path(),
            Folder::Kept(p) => p,
        }
    }
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
    /// The north gate's guard room: sees and acknowledges its zone's alarms.
    pub guard_token: String,
    /// The people who sign in: login, role and password.
    pub people: Vec<(String, twinwall_hub::auth::Role, String)>,
    /// The program's term holding today (`[[program.terms]]`).
    pub term: String,
    discovery: Responder,
    tmp: Folder,
}

impl Demo {
    /// Play the scenario, and act as the duty room would: disarm the north
    /// perimeter for a patrol and arm it again (an arm/disarm round trip over
    /// the host's control channel, recorded with its actor), and handle the
    /// chemistry building's fire alarm to closure through the API.
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
        let (login, _, password) = &self.people[0];
        let duty_room = duty_room::run(
            format!("http://{}", self.hub.http_addr()),
            login.clone(),
            password.clone(),
        );
        let login = |l: &str| {
            self.people
                .iter()
                .find(|p| p.0 == l)
                .map(|p| (p.0.clone(), p.2.clone()))
                .unwrap_or_default()
        };
        let program = program_office::run(
            format!("http://{}", self.hub.http_addr()),
            program_office::Players {
                office: login("safety"),
                inspector: login("chem"),
                canteen: login("canteen"),
            },
            self.term.clone(),
        );
        let scenario = async {
            tokio::select! {
                _ = self.scenario.play(&self.fleet) => {}
                _ = operator => {}
            }
        };
        tokio::join!(scenario, duty_room, program);
    }

    /// The WS-Discovery responder's address.
    pub fn discovery_addr(&self) -> std::net::SocketAddr {
        self.discovery.addr()
    }

    /// The data folder (temporary unless `--data` named one).
    pub fn folder(&self) -> &Path {
        self.tmp.path()
    }
}

/// Start the simulated campus and a hub with the demo's drivers, data in a
/// temporary folder (the scenario is not played yet).
pub async fn start(opts: &DemoOptions) -> anyhow::Result<Demo> {
    let tmp = match &opts.data {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            Folder::Kept(std::path::absolute(d)?)
        }
        None => Folder::Temporary(
            tempfile::Builder::new()
                .prefix("twinwall-demo-")
                .tempdir()
                .context("creating a temporary folder")?,
        ),
    };
    let plugins = tmp.path().join("plugins");
    let drivers = copy_drivers(&opts.plugins, &plugins)?;
    let profiles = tmp.path().join("device-profiles");
    for (file, text) in PROFILES {
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
    let clips = twinwall_hub::audio::Clips::open(&tmp.path().join("data").join("clips"))?;
    let evacuation = clips
        .put_samples("evacuation tone", campus::evacuation_tone())?
        .hash;
    let mut config_text = campus::config(
        &opts.site,
        &opts.http,
        &fleet,
        &scenario,
        opts.visit_limit_s,
    );
    config_text.push_str(&campus::rules(&evacuation));
    let (program, term) = campus::program(twinwall_hub::bus::now_ms().div_euclid(86_400_000));
    config_text.push_str(&program);
    if let Some(url) = &opts.mqtt {
        config_text.push_str(&format!(
            "\n[northbound]\nurl = \"{url}\"\nclient_id = \"twinwall-demo-{}\"\n",
            std::process::id()
        ));
    }
    if !opts.jetstream.is_empty() {
        let servers: Vec<String> = opts.jetstream.iter().map(|s| format!("\"{s}\"")).collect();
        config_text.push_str(&format!(
            "\n[jetstream]\nservers = [{}]\n[jetstream.commands]\nenabled = true\n",
            servers.join(", ")
        ));
    }
    std::fs::write(tmp.path().join(campus::PLAN_FILE), plan::svg())
        .context("writing the campus plan")?;
    let config = HubConfig::parse(&config_text, "demo hub.toml", tmp.path())?;
    // Tokens as `twinwall token create` makes them, in the demo's own folder.
    let tokens = twinwall_hub::auth::Tokens::open(&config.site.data_dir)?;
    let operator_token = tokens
        .create("demo duty room", twinwall_hub::auth::Role::Operator, "demo")?
        .secret;
    let admin_token = tokens
        .create("demo admin", twinwall_hub::auth::Role::Admin, "demo")?
        .secret;
    let guard_token = tokens
        .create_for(
            "demo north gate guard",
            twinwall_hub::auth::Role::Guard,
            &["campus/gate-north".into()],
            "demo",
        )?
        .secret;
    let people = demo_people(&config.site.data_dir)?;
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
        guard_token,
        people,
        term,
        discovery,
        tmp,
    })
}

/// The units of the program, and the duty room's operator, the north
/// gate's guard, an admin, the program office's safety officer, the
/// chemistry school's inspector and the canteen's worker, as `twinwall
/// user add` makes them, each with a password made for them.
fn demo_people(data: &Path) -> anyhow::Result<Vec<(String, twinwall_hub::auth::Role, String)>> {
    use twinwall_hub::accounts::{Accounts, NewPerson, Unit};
    use twinwall_hub::auth::Role;
    let accounts = Accounts::open(data)?;
    for (id, name, zones) in [
        ("program-office", "双重预防办公室 Program office", vec![]),
        (
            "chem",
            "化学化工学院 School of Chemistry",
            vec!["campus/chem-north"],
        ),
        ("library", "图书馆 Library", vec!["campus/library"]),
        (
            "logistics",
            "后勤保障部 Logistics",
            vec!["campus/canteen", "campus/dorm-3"],
        ),
    ] {
        // A demo started again on its `--data` has them already.
        if accounts.units()?.iter().any(|u| u.id == id) {
            continue;
        }
        accounts.add_unit(Unit {
            id: id.into(),
            name: name.into(),
            parent: None,
            zones: zones.into_iter().map(str::to_owned).collect(),
        })?;
    }
    let mut out = Vec::new();
    for (login, name, role, unit, zones) in [
        ("duty", "值班员 王芳", Role::Operator, None, vec![]),
        (
            "gate-north",
            "北门岗 李强",
            Role::Guard,
            None,
            vec!["campus/gate-north".to_owned()],
        ),
        ("admin", "管理员 赵敏", Role::Admin, None, vec![]),
        (
            "safety",
            "安全员 张敏",
            Role::Safety,
            Some("program-office"),
            vec![],
        ),
        (
            "chem",
            "化学化工学院 赵磊",
            Role::Guard,
            Some("chem"),
            vec!["campus/chem-north".to_owned()],
        ),
        (
            "canteen",
            "后勤 刘洋",
            Role::Guard,
            Some("logistics"),
            vec!["campus/canteen".to_owned(), "campus/dorm-3".to_owned()],
        ),
    ] {
        let p = NewPerson {
            login: login.into(),
            name: name.into(),
            role,
            unit: unit.map(str::to_owned),
            zones,
        };
        // Again on its `--data`: the same people, new passwords to print.
        let password = if accounts.get(login).is_some() {
            accounts.set_password(login, None)?
        } else {
            accounts.add(&p, None, "demo")?.1
        };
        out.push((login.to_owned(), role, password.unwrap_or_default()));
    }
    Ok(out)
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
    println!(
        "  console:      {url}/  (sign in with a login below: duty handles the alarms from the wall)"
    );
    println!("  API token:    {token}  (operator; send `Authorization: Bearer <token>`)");
    println!(
        "  admin token:  {}  (tokens, rules reload)",
        demo.admin_token
    );
    println!(
        "  guard token:  {}  (the north gate's guard room: its zone's alarms only)",
        demo.guard_token
    );
    for (login, role, password) in &demo.people {
        println!(
            "  sign in:      {login} / {password}  ({role}; the console, or POST {url}/api/v1/session)"
        );
    }
    println!(
        "  alarms:       {url}/api/v1/alarms  (the duty room handles the chemistry fire to closure; the canteen's escalates after 30 s unanswered)"
    );
    println!(
        "                cargo run -p twinwall-hub -- alarms --api {url} --token {token} --state wall"
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
    println!(
        "  program:      {url}/api/v1/risks/points  (the register of the four buildings; lists: {url}/api/v1/lists/risk-points?format=xlsx)"
    );
    println!(
        "                {url}/api/v1/hazards?state=all  (the canteen panel's mains fault becomes a hazard and is closed through the loop)"
    );
    println!(
        "                {url}/api/v1/assessment?unit=chem  (化学化工学院's term, every deduction named)"
    );
    println!(
        "  phone:        sign in as chem on a phone: the console's 现场巡查 (On-site inspection) view"
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
        println!(
            "  mqtt:         {m}, topics twinwall/{}/# (status: {url}/api/v1/northbound)",
            opts.site
        );
    }
    if !opts.jetstream.is_empty() {
        println!(
            "  jetstream:    {}, stream {} (status: {url}/api/v1/northbound/jetstream; a centre: twinwall central --jetstream {})",
            opts.jetstream.join(", "),
            twinwall_hub::northbound::jetstream::subjects::stream_name(&opts.site),
            opts.jetstream[0]
        );
    }
    if let Some(d) = &opts.data {
        println!(
            "  data:         {} (kept: start the demo again on it to go on)",
            d.display()
        );
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

/// Copy the demo's [`DRIVERS`] from `from` (where `cargo drivers` puts them)
/// into `to`; a missing one is an error naming it.
fn copy_drivers(from: &Path, to: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(to)?;
    for name in DRIVERS {
        let file = format!("{}.wasm", name.replace('-', "_"));
        std::fs::copy(from.join(&file), to.join(&file)).with_context(|| {
            format!(
                "driver `{name}` is not in {} ({file}): build the drivers first with `cargo drivers` (or pass --plugins DIR)",
                from.display()
            )
        })?;
    }
    Ok(DRIVERS.iter().map(|d| d.to_string()).collect())
}
