//! `twinwall-sim`: run simulated devices from the command line.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

mod kit;
use twinwall_sim::demo;
use twinwall_simulator::alarm_host::{AlarmHost, HostOptions};
use twinwall_simulator::camera::Camera;
use twinwall_simulator::face_gate::{FaceGate, GateOptions, people};
use twinwall_simulator::fire_panel::FirePanel;
use twinwall_simulator::scale::{Load, Scale};
use twinwall_simulator::scenario::{Fleet, Scenario};
use twinwall_simulator::vehicle::{AnprCamera, AnprOptions, Role, plates};

#[derive(Parser)]
#[command(
    name = "twinwall-sim",
    version,
    about = "Simulated campus safety devices on real protocols"
)]
struct Cli {
    /// Address to listen on.
    #[arg(long, global = true, default_value = "127.0.0.1")]
    host: IpAddr,
    /// First port; device i listens on base-port + i. 0 picks free ports.
    #[arg(long, global = true, default_value_t = 0)]
    base_port: u16,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fire-alarm panels over Modbus TCP (register map TW-FP1).
    FirePanels {
        /// How many panels.
        #[arg(long, default_value_t = 1)]
        count: u16,
        /// Points per panel.
        #[arg(long, default_value_t = 32)]
        points: u16,
    },
    /// ONVIF cameras (device, media, pull-point events) over HTTP.
    Cameras {
        /// How many cameras.
        #[arg(long, default_value_t = 1)]
        count: u16,
        /// Account user.
        #[arg(long, default_value = "admin")]
        username: String,
        /// Account password.
        #[arg(long, default_value = "admin123")]
        password: String,
    },
    /// Face-recognition gates (ISAPI style): pushes once a hub tells them
    /// where, or the alert stream; `--rate` passes per second in all.
    FaceGates {
        /// How many gates.
        #[arg(long, default_value_t = 1)]
        count: u16,
        /// Account user.
        #[arg(long, default_value = "admin")]
        username: String,
        /// Account password.
        #[arg(long, default_value = "admin123")]
        password: String,
        /// Passes per second, spread over all gates (0: none).
        #[arg(long, default_value_t = 0.0)]
        rate: f64,
    },
    /// Alarm hosts reporting to a DC-09 receiver (the hub's `[listen.ports]`).
    AlarmHosts {
        /// How many hosts; accounts count up from `--first-account`.
        #[arg(long, default_value_t = 1)]
        count: u16,
        /// The receiver, host:port.
        #[arg(long)]
        receiver: SocketAddr,
        /// First account (hex).
        #[arg(long, default_value = "1000")]
        first_account: String,
        /// Fence touches per second, spread over all hosts (0: none).
        #[arg(long, default_value_t = 0.0)]
        rate: f64,
    },
    /// Plate-reading cameras (ISAPI ANPR): barrier gates or speed cameras;
    /// `--rate` cars per second in all.
    AnprCameras {
        /// How many cameras.
        #[arg(long, default_value_t = 1)]
        count: u16,
        /// `barrier` or `speed`.
        #[arg(long, default_value = "barrier")]
        role: String,
        /// Speed limit, km/h (speed cameras).
        #[arg(long, default_value_t = 30)]
        limit: u16,
        /// Cars per second, spread over all cameras (0: none).
        #[arg(long, default_value_t = 0.0)]
        rate: f64,
    },
    /// IP broadcast speakers (control API + RTP receiver, `docs/speaker-api.md`).
    Speakers {
        /// How many speakers.
        #[arg(long, default_value_t = 1)]
        count: u16,
        /// `TW-SP1` (TTS, multicast) or `TW-SP2` (unicast only).
        #[arg(long, default_value = "TW-SP1")]
        model: String,
    },
    /// Run a driver through the conformance kit: its contract, its
    /// behaviour against a simulated device of its family in a real hub,
    /// and its robustness under its own traffic replayed cut and garbled.
    /// Prints a table; exits 1 unless the driver reaches `--require`.
    Conformance(kit::Args),
    /// The README's demo: a simulated campus of every family playing its
    /// scenario, a hub with the drivers it needs (data in a temporary
    /// folder), the API and console on `--http`.
    Demo {
        /// Where the HTTP API and console listen.
        #[arg(long, default_value = "127.0.0.1:8080")]
        http: String,
        /// Folder with built drivers (default: target/wasm32-wasip2/guest).
        #[arg(long)]
        plugins: Option<PathBuf>,
        /// Forward every event to this MQTT broker, e.g. mqtt://127.0.0.1:1883.
        #[arg(long)]
        mqtt: Option<String>,
        /// Seconds a visitor may stay before being reported overdue.
        #[arg(long, default_value_t = 45)]
        visit_limit_s: u64,
        /// The campus's site id: two demos with two ids feed one JetStream.
        #[arg(long, default_value = "demo")]
        site: String,
        /// Keep the hub's files in this folder (a restarted demo goes on
        /// where it stopped) instead of a temporary one.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Publish the log into NATS JetStream (repeat for a cluster), e.g.
        /// nats://127.0.0.1:4222; the centre's commands are taken.
        #[arg(long)]
        jetstream: Vec<String>,
    },
    /// Every device a scenario file (TOML) declares, playing its steps.
    Scenario {
        /// The scenario file.
        file: PathBuf,
    },
    /// Thousands of devices of several families at once, a steady rate of
    /// changes and bursts: load for a hub (`--hub-devices` writes the
    /// `[[devices]]` entries that name them).
    Scale {
        /// Fire panels (Modbus TCP).
        #[arg(long, default_value_t = 0)]
        fire_panels: usize,
        /// Face gates (ISAPI).
        #[arg(long, default_value_t = 0)]
        face_gates: usize,
        /// IP speakers.
        #[arg(long, default_value_t = 0)]
        speakers: usize,
        /// ONVIF cameras.
        #[arg(long, default_value_t = 0)]
        cameras: usize,
        /// The cameras' video bitrate, kbit/s (default: as encoded, ~3,700).
        #[arg(long)]
        camera_kbps: Option<u32>,
        /// Driver settings for the cameras' hub entries, e.g.
        /// `sample_every_s = 60, rtsp_transport = "udp"`.
        #[arg(long)]
        camera_settings: Option<String>,
        /// Plate-reading barrier cameras.
        #[arg(long, default_value_t = 0)]
        barrier_cameras: usize,
        /// Alarm hosts (DC-09); they need `--receiver`.
        #[arg(long, default_value_t = 0)]
        alarm_hosts: usize,
        /// The hub's DC-09 receiver, for alarm hosts.
        #[arg(long)]
        receiver: Option<SocketAddr>,
        /// The first number in the devices' names (`fp-{n}`), so that
        /// several simulator processes can load one hub.
        #[arg(long, default_value_t = 1)]
        first: usize,
        /// Changes per second over the whole fleet.
        #[arg(long, default_value_t = 0.0)]
        rate: f64,
        /// Panel points raised at once in each burst (0: no bursts).
        #[arg(long, default_value_t = 0)]
        burst: usize,
        /// Seconds between bursts (each raises, the next clears).
        #[arg(long, default_value_t = 60.0)]
        burst_every: f64,
        /// Write the hub's `[[devices]]` entries for the fleet here.
        #[arg(long)]
        hub_devices: Option<PathBuf>,
        /// The zone those entries name.
        #[arg(long, default_value = "campus")]
        zone: String,
        /// Print the cameras' totals (video sessions playing, RTP bytes
        /// sent, pull-point subscriptions live and created) as a JSON line
        /// on stdout every this many seconds (0: never).
        #[arg(long, default_value_t = 0.0)]
        stats_every: f64,
    },
}

fn addr(host: IpAddr, base: u16, i: u16) -> anyhow::Result<SocketAddr> {
    let port = if base == 0 {
        0
    } else {
        base.checked_add(i).context("port out of range")?
    };
    Ok(SocketAddr::new(host, port))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let cli = Cli::parse();
    // The kit's hub is not the subject (only its warnings), and what a driver
    // logs of the damaged frames the kit feeds it is expected.
    let quiet = matches!(cli.command, Command::Conformance(_));
    // Colour escapes only where a person reads them, never in a log file.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                if quiet {
                    "warn,twinwall_hub::runtime::host=off,twinwall_hub::hub=error"
                } else {
                    "info"
                }
                .into()
            }),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let command = match cli.command {
        Command::Conformance(args) => return kit::run(args).await,
        Command::Demo {
            http,
            plugins,
            mqtt,
            visit_limit_s,
            site,
            data,
            jetstream,
        } => {
            return demo::run(demo::DemoOptions {
                http,
                plugins: plugins.unwrap_or_else(demo::default_plugins_dir),
                mqtt,
                visit_limit_s,
                site,
                data,
                jetstream,
            })
            .await;
        }
        other => other,
    };
    let mut fleet = Fleet::default();
    let mut scenario = None;
    let mut load = 0.0;
    let mut scale_load = None;
    let mut stats: Option<std::time::Duration> = None;
    match command {
        Command::FirePanels { count, points } => {
            for i in 0..count {
                let id = format!("fp-{}", i + 1);
                let p = FirePanel::start(&id, addr(cli.host, cli.base_port, i)?, points)
                    .await
                    .with_context(|| format!("starting {id}"))?;
                fleet.panels.insert(id, p);
            }
        }
        Command::Cameras {
            count,
            username,
            password,
        } => {
            for i in 0..count {
                let id = format!("cam-{}", i + 1);
                let c = Camera::start(&id, addr(cli.host, cli.base_port, i)?, &username, &password)
                    .await
                    .with_context(|| format!("starting {id}"))?;
                fleet.cameras.insert(id, c);
            }
        }
        Command::FaceGates {
            count,
            username,
            password,
            rate,
        } => {
            for i in 0..count {
                let id = format!("fg-{}", i + 1);
                let g = FaceGate::start(
                    &id,
                    addr(cli.host, cli.base_port, i)?,
                    &username,
                    &password,
                    GateOptions::default(),
                )
                .await
                .with_context(|| format!("starting {id}"))?;
                fleet.gates.insert(id, g);
            }
            load = rate;
        }
        Command::AlarmHosts {
            count,
            receiver,
            first_account,
            rate,
        } => {
            let first =
                u64::from_str_radix(&first_account, 16).context("--first-account is hex")?;
            for i in 0..count {
                let id = format!("ah-{}", i + 1);
                let account = format!("{:04X}", first + u64::from(i));
                let h = AlarmHost::start(
                    &id,
                    addr(cli.host, cli.base_port, i)?,
                    HostOptions::new(&account, receiver),
                )
                .await
                .with_context(|| format!("starting {id}"))?;
                fleet.hosts.insert(id, h);
            }
            load = rate;
        }
        Command::AnprCameras {
            count,
            role,
            limit,
            rate,
        } => {
            let role = match role.as_str() {
                "barrier" => Role::Barrier,
                "speed" => Role::Speed,
                other => anyhow::bail!("--role `{other}`: use barrier or speed"),
            };
            for i in 0..count {
                let id = format!("anpr-{}", i + 1);
                let opts = AnprOptions {
                    role,
                    speed_limit_kmh: limit,
                    ..AnprOptions::default()
                };
                let c = AnprCamera::start(
                    &id,
                    addr(cli.host, cli.base_port, i)?,
                    "admin",
                    "admin123",
                    opts,
                )
                .await
                .with_context(|| format!("starting {id}"))?;
                fleet.anpr.insert(id, c);
            }
            load = rate;
        }
        Command::Speakers { count, model } => {
            let model = match model.as_str() {
                "TW-SP1" => twinwall_simulator::speaker::Model::sp1(),
                "TW-SP2" => twinwall_simulator::speaker::Model::sp2(),
                other => anyhow::bail!("--model `{other}`: use TW-SP1 or TW-SP2"),
            };
            for i in 0..count {
                let id = format!("sp-{}", i + 1);
                let sp = twinwall_simulator::speaker::Speaker::start(
                    &id,
                    addr(cli.host, cli.base_port, i)?,
                    model.clone(),
                )
                .await
                .with_context(|| format!("starting {id}"))?;
                fleet.speakers.insert(id, sp);
            }
        }
        Command::Scale {
            fire_panels,
            face_gates,
            speakers,
            cameras,
            camera_kbps,
            camera_settings,
            barrier_cameras,
            alarm_hosts,
            receiver,
            first,
            rate,
            burst,
            burst_every,
            hub_devices,
            zone,
            stats_every,
        } => {
            stats = (stats_every > 0.0).then(|| std::time::Duration::from_secs_f64(stats_every));
            let scale = Scale {
                fire_panels,
                face_gates,
                speakers,
                cameras,
                camera_kbps,
                camera_settings,
                barrier_cameras,
                alarm_hosts,
                receiver,
                first,
                host: cli.host,
                ..Scale::default()
            };
            fleet = scale.start().await.context("starting the fleet")?;
            if let Some(file) = hub_devices {
                std::fs::write(&file, scale.hub_devices(&fleet, &zone))
                    .with_context(|| format!("writing {}", file.display()))?;
            }
            scale_load = Some(Load {
                rate,
                burst,
                burst_every_s: burst_every,
            });
        }
        // Run and returned above.
        Command::Conformance(_) | Command::Demo { .. } => {}
        Command::Scenario { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let s = Scenario::parse(&text, &file.display().to_string())?;
            fleet = s.start(cli.host).await?;
            scenario = Some(s);
        }
    }
    let mut lines: Vec<String> = fleet
        .panels
        .values()
        .map(|p| format!("{} modbus-tcp {}", p.id(), p.addr()))
        .collect();
    lines.extend(
        fleet
            .cameras
            .values()
            .map(|c| format!("{} onvif http://{}/onvif/device_service", c.id(), c.addr())),
    );
    lines.extend(
        fleet
            .gates
            .values()
            .map(|g| format!("{} isapi http://{}/ISAPI/", g.id(), g.addr())),
    );
    lines.extend(
        fleet
            .anpr
            .values()
            .map(|c| format!("{} isapi-anpr http://{}/ISAPI/", c.id(), c.addr())),
    );
    lines.extend(fleet.speakers.values().map(|sp| {
        format!(
            "{} speaker http://{}/api/ rtp udp {}",
            sp.id(),
            sp.addr(),
            sp.rtp_port()
        )
    }));
    lines.extend(fleet.hosts.values().map(|h| {
        format!(
            "{} dc09 account {} (control http://{})",
            h.id(),
            h.account(),
            h.control_addr()
        )
    }));
    lines.sort();
    for l in &lines {
        println!("{l}");
    }
    println!("{} device(s) running; Ctrl-C to stop", lines.len());
    let play = async {
        match (&scenario, scale_load) {
            (Some(s), _) => s.play(&fleet).await,
            (None, Some(l)) => l.run(&fleet).await,
            (None, None) if load > 0.0 => steady_load(&fleet, load).await,
            (None, None) => std::future::pending().await,
        }
    };
    let report = async {
        let Some(every) = stats else {
            return std::future::pending().await;
        };
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let line = serde_json::to_string(&fleet.camera_stats()).unwrap_or_default();
            println!("stats {line}");
        }
    };
    tokio::select! {
        _ = play => { tokio::signal::ctrl_c().await?; }
        () = report => {}
        r = tokio::signal::ctrl_c() => r?,
    }
    Ok(())
}

/// `rate` events per second spread over the fleet's gates and hosts.
async fn steady_load(fleet: &Fleet, rate: f64) {
    let gates: Vec<&FaceGate> = fleet.gates.values().collect();
    let hosts: Vec<&AlarmHost> = fleet.hosts.values().collect();
    let cams: Vec<&AnprCamera> = fleet.anpr.values().collect();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs_f64(1.0 / rate));
    let mut n: usize = 0;
    loop {
        tick.tick().await;
        n += 1;
        if !gates.is_empty() {
            gates[n % gates.len()].pass(&people::random(), 1, n.is_multiple_of(2));
        }
        if !hosts.is_empty() {
            hosts[n % hosts.len()].fence_touch(1, n.is_multiple_of(2));
        }
        if !cams.is_empty() {
            cams[n % cams.len()].pass(&plates::random(), if n.is_multiple_of(2) { 1 } else { 2 });
        }
    }
}
