//! Helpers for the end-to-end tests: build the real drivers, start a hub on
//! loopback with a temporary data folder, and wait on conditions (never on
//! fixed sleeps).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

pub mod mqtt;
pub mod nats;
pub mod pki;
pub mod rtsp;

use anyhow::{Context, bail};
use serde_json::Value;
use twinwall_hub::Hub;
use twinwall_hub::config::HubConfig;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

/// Every driver shipped in `drivers/`, by package name: the folder is the
/// list (as the workspace's members not named `twinwall-*` are for `cargo
/// drivers`), so a new driver needs no list edited.
pub fn shipped_drivers() -> Vec<String> {
    let dir = workspace().join("drivers");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| {
            let manifest = std::fs::read_to_string(e.ok()?.path().join("Cargo.toml")).ok()?;
            manifest.lines().find_map(|l| {
                let v = l.trim().strip_prefix("name")?.trim().strip_prefix('=')?;
                Some(v.trim().trim_matches('"').to_owned())
            })
        })
        .collect();
    names.sort();
    names
}

/// The workspace's target folder (`CARGO_TARGET_DIR` when set).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"))
}

/// Run `cargo build <args>` in the workspace. Nested cargo from an integration
/// test is safe: the outer build has released its lock by now.
fn cargo_build(args: &[&str], what: &str) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace())
        .arg("build")
        .args(args)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CARGO_BUILD_TARGET");
    // What `cargo test` tells this test binary about its own package: build
    // scripts that watch these (ring watches CARGO_MANIFEST_DIR) would
    // otherwise rebuild, with everything above them, on every call.
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
            "CARGO_PRIMARY_PACKAGE",
            "CARGO_TARGET_TMPDIR",
        ]
        .iter()
        .any(|p| k.starts_with(p))
        {
            command.env_remove(&key);
        }
    }
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("running cargo to build {what}: {e}"));
    assert!(status.success(), "building {what} failed");
}

/// Build `bin` of `package` in the profile this binary was built in, and
/// return its path (`twinwall` of `twinwall-hub`, `twinwall-sim` of
/// `twinwall-sim`).
pub fn binary(package: &str, bin: &str) -> PathBuf {
    let release = !cfg!(debug_assertions);
    let mut args = vec!["-p", package, "--bin", bin];
    if release {
        args.push("--release");
    }
    cargo_build(&args, bin);
    target_dir()
        .join(if release { "release" } else { "debug" })
        .join(bin)
}

/// Build every driver component (once per test binary) and return the folder
/// holding the `.wasm` files.
pub fn drivers() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // Every workspace member not named `twinwall-*` is a driver: the
        // same selection as the `cargo drivers` alias.
        let args = [
            "--target", "wasm32-wasip2", "--profile", "guest", "--workspace", "--exclude", "twinwall-*",
        ];
        cargo_build(&args, "the drivers (is the wasm32-wasip2 target installed? `rustup target add wasm32-wasip2`)");
        target_dir().join("wasm32-wasip2").join("guest")
    })
}

/// The config text `TestHub` uses, around `body`.
pub fn config_text(site: &str, body: &str) -> String {
    format!(
        "[site]\nid = \"{site}\"\ndata_dir = \"data\"\n[http]\nlisten = \"127.0.0.1:0\"\n\
         [listen]\nhttp = \"127.0.0.1:0\"\n[plugins]\ndir = \"plugins\"\nwatch_interval_ms = 200\ncall_timeout_ms = 100\nmemory_limit_mb = 32\nmax_crashes = 3\ncrash_window_s = 60\n\
         [profiles]\ndir = {:?}\n{body}",
        workspace().join("device-profiles").display().to_string()
    )
}

/// Copy the named drivers into `dir/plugins`.
pub fn install_drivers(dir: &Path, names: &[&str]) -> anyhow::Result<()> {
    let plugins = plugins_dir(dir);
    std::fs::create_dir_all(&plugins)?;
    for name in names {
        let file = format!("{}.wasm", name.replace('-', "_"));
        std::fs::copy(drivers().join(&file), plugins.join(&file))
            .with_context(|| format!("copying {file}"))?;
    }
    Ok(())
}

/// A hub running on loopback with its own temporary folder.
pub struct TestHub {
    /// The hub.
    pub hub: Hub,
    /// `http://127.0.0.1:port`.
    pub url: String,
    /// HTTP client.
    pub http: reqwest::Client,
    /// The temporary folder (data, plugins).
    pub dir: tempfile::TempDir,
    /// The config text it runs.
    pub config: String,
    /// An admin token (`http` sends it with every request).
    pub token: String,
}

/// An admin token in the data folder under `dir` (made once, kept across
/// restarts), as `twinwall token create --role admin` makes it.
pub fn admin_token(dir: &Path) -> anyhow::Result<String> {
    let marker = dir.join("test-admin.token");
    if let Ok(t) = std::fs::read_to_string(&marker) {
        return Ok(t);
    }
    let t = make_token(dir, twinwall_hub::auth::Role::Admin, "test admin")?;
    std::fs::write(&marker, &t)?;
    Ok(t)
}

/// A new token with `role` in the data folder under `dir`.
pub fn make_token(
    dir: &Path,
    role: twinwall_hub::auth::Role,
    name: &str,
) -> anyhow::Result<String> {
    let tokens = twinwall_hub::auth::Tokens::open(&dir.join("data"))?;
    Ok(tokens.create(name, role, "test")?.secret)
}

/// GET `url` with `client`: its JSON, or an error naming the status.
pub async fn get_json(client: &reqwest::Client, url: &str) -> anyhow::Result<Value> {
    let r = client.get(url).send().await?;
    let status = r.status();
    let v: Value = r.json().await?;
    if !status.is_success() {
        bail!("GET {url}: {status}: {v}");
    }
    Ok(v)
}

/// A client that sends `token` with every request.
pub fn client_with(token: &str) -> reqwest::Client {
    twinwall_hub::auth::cli::api_client(token).expect("a token fits a header")
}

/// The plugins folder of a test hub.
pub fn plugins_dir(dir: &Path) -> PathBuf {
    dir.join("plugins")
}

impl TestHub {
    /// Start a hub from `config_body` (everything after `[site]`, `[http]`,
    /// `[plugins]` and `[profiles]`, which this fills in) with the named drivers.
    pub async fn start(drivers_wanted: &[&str], config_body: &str) -> anyhow::Result<Self> {
        Self::start_site("test", drivers_wanted, config_body).await
    }

    /// Like `start`, with a site id of its own (topics on a shared broker).
    pub async fn start_site(
        site: &str,
        drivers_wanted: &[&str],
        config_body: &str,
    ) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        install_drivers(dir.path(), drivers_wanted)?;
        let text = config_text(site, config_body);
        Self::run(dir, text).await
    }

    /// Like `start`, with the rules' clock driven by the test (`now` in ms).
    pub async fn start_with_clock(
        drivers_wanted: &[&str],
        config_body: &str,
        now: std::sync::Arc<std::sync::atomic::AtomicI64>,
    ) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        install_drivers(dir.path(), drivers_wanted)?;
        let text = config_text("test", config_body);
        let config = HubConfig::parse(&text, "test hub.toml", dir.path())?;
        let token = admin_token(dir.path())?;
        let hub = Hub::start_with_clock(config, twinwall_hub::clock::Clock::manual(now)).await?;
        let url = format!("http://{}", hub.http_addr());
        Ok(TestHub {
            hub,
            url,
            http: client_with(&token),
            dir,
            config: text,
            token,
        })
    }

    /// Start a hub from the whole config `text` in `dir` (which holds
    /// whatever the text names: drivers, certificates).
    pub async fn run(dir: tempfile::TempDir, text: String) -> anyhow::Result<Self> {
        let config = HubConfig::parse(&text, "test hub.toml", dir.path())?;
        let token = admin_token(dir.path())?;
        let hub = Hub::start(config).await?;
        let url = format!("http://{}", hub.http_addr());
        Ok(TestHub {
            hub,
            url,
            http: client_with(&token),
            dir,
            config: text,
            token,
        })
    }

    /// Stop the hub at once (as a crash would: nothing is answered after
    /// this) and start a new one on the same data folder and config.
    pub async fn restart(self) -> anyhow::Result<Self> {
        self.restart_on(None).await
    }

    /// Like `restart`, the new hub's rules on the clock the test drives.
    pub async fn restart_with_clock(
        self,
        now: std::sync::Arc<std::sync::atomic::AtomicI64>,
    ) -> anyhow::Result<Self> {
        self.restart_on(Some(now)).await
    }

    async fn restart_on(
        self,
        now: Option<std::sync::Arc<std::sync::atomic::AtomicI64>>,
    ) -> anyhow::Result<Self> {
        let TestHub {
            hub,
            dir,
            config,
            token,
            ..
        } = self;
        hub.stop().await;
        // The old hub's tasks let go of the store as they wind down.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let cfg = HubConfig::parse(&config, "test hub.toml", dir.path())?;
            let started = match &now {
                Some(now) => {
                    let clock = twinwall_hub::clock::Clock::manual(now.clone());
                    Hub::start_with_clock(cfg, clock).await
                }
                None => Hub::start(cfg).await,
            };
            match started {
                Ok(hub) => {
                    let url = format!("http://{}", hub.http_addr());
                    return Ok(TestHub {
                        hub,
                        url,
                        http: client_with(&token),
                        dir,
                        config,
                        token,
                    });
                }
                Err(e) if tokio::time::Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// GET a JSON document.
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        get_json(&self.http, &format!("{}{path}", self.url)).await
    }

    /// GET a text document (`/metrics`).
    pub async fn text(&self, path: &str) -> anyhow::Result<String> {
        let r = self.http.get(format!("{}{path}", self.url)).send().await?;
        let status = r.status();
        let t = r.text().await?;
        if !status.is_success() {
            bail!("GET {path}: {status}: {t}");
        }
        Ok(t)
    }

    /// POST a JSON body; the answer's JSON, or an error naming the status.
    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .json(body)
            .send()
            .await?;
        let status = r.status();
        let v: Value = r.json().await?;
        if !status.is_success() {
            bail!("POST {path}: {status}: {v}");
        }
        Ok(v)
    }

    /// The stored bytes of an event's media item (`{"hash": …}` of the event JSON).
    pub async fn media(&self, item: &Value) -> anyhow::Result<Vec<u8>> {
        let hash = item["hash"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("media item without a hash: {item}"))?;
        let path = format!("/api/v1/media/{hash}");
        let r = self.http.get(format!("{}{path}", self.url)).send().await?;
        if !r.status().is_success() {
            bail!("GET {path}: {}", r.status());
        }
        Ok(r.bytes().await?.to_vec())
    }

    /// POST a command without arguments; returns (status, body).
    pub async fn command(&self, device: &str, command: &str) -> anyhow::Result<(u16, Value)> {
        self.command_with(device, command, serde_json::json!({}))
            .await
    }

    /// POST a command with arguments; returns (status, body).
    pub async fn command_with(
        &self,
        device: &str,
        command: &str,
        args: Value,
    ) -> anyhow::Result<(u16, Value)> {
        let r = self
            .http
            .post(format!("{}/api/v1/devices/{device}/commands", self.url))
            .json(&serde_json::json!({"command": command, "args": args}))
            .send()
            .await?;
        Ok((r.status().as_u16(), r.json().await?))
    }

    /// Events matching the query string (e.g. `kind=fire.alarm&device=fp-1`).
    pub async fn events(&self, query: &str) -> anyhow::Result<Vec<Value>> {
        let v = self
            .get(&format!("/api/v1/events?limit=10000&{query}"))
            .await?;
        Ok(v["events"].as_array().cloned().unwrap_or_default())
    }

    /// Wait until an event matching `query` and `pred` exists; returns it.
    pub async fn wait_event(
        &self,
        query: &str,
        within: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> anyhow::Result<Value> {
        let q = query.to_owned();
        wait_for(within, || async {
            let evs = self.events(&q).await.ok()?;
            evs.into_iter().find(|e| pred(e))
        })
        .await
        .with_context(|| format!("no event matching `{query}` within {within:?}"))
    }

    /// Wait until at least `n` events match `query`; returns them.
    pub async fn wait_count(&self, query: &str, n: usize, within: Duration) -> Option<Vec<Value>> {
        wait_for(within, || async {
            self.events(query).await.ok().filter(|v| v.len() >= n)
        })
        .await
    }

    /// Wait until the hub has heard from `device`.
    pub async fn wait_online(&self, device: &str) -> anyhow::Result<Value> {
        self.wait_event(
            &format!("kind=device.online&device={device}"),
            Duration::from_secs(30),
            |_| true,
        )
        .await
    }

    /// Upload a WAV clip; its content hash.
    pub async fn upload_clip(&self, wav: Vec<u8>) -> anyhow::Result<String> {
        let r = self
            .http
            .post(format!("{}/api/v1/clips?name=test", self.url))
            .header("content-type", "audio/wav")
            .body(wav)
            .send()
            .await?;
        let status = r.status();
        let v: Value = r.json().await?;
        if !status.is_success() {
            bail!("POST /api/v1/clips: {status}: {v}");
        }
        v["hash"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("no hash in {v}"))
    }

    /// Add a person through the admin API; the password the hub made.
    pub async fn add_person(&self, login: &str, name: &str, role: &str, zones: &[&str]) -> String {
        let made = self
            .post(
                "/api/v1/users",
                &serde_json::json!({"login": login, "name": name, "role": role, "zones": zones}),
            )
            .await
            .unwrap();
        made["password"].as_str().unwrap().to_owned()
    }

    /// A new token of `role` for `zones` (zone paths), made through the API as an admin would.
    pub async fn token_for(&self, name: &str, role: &str, zones: &[&str]) -> String {
        let made = self
            .post(
                "/api/v1/tokens",
                &serde_json::json!({"name": name, "role": role, "zones": zones}),
            )
            .await
            .expect("the admin makes a token");
        made["secret"].as_str().expect("a secret").to_owned()
    }

    /// The device view of `id`.
    pub async fn device(&self, id: &str) -> anyhow::Result<Value> {
        self.get(&format!("/api/v1/devices/{id}")).await
    }
}

/// Run `tests/interop/<script>` with `args` (off the async workers) and parse
/// the JSON it prints; a failure names the requirements file to install.
pub async fn interop(script: &str, args: Vec<String>) -> Value {
    let path = workspace().join("tests/interop").join(script);
    let out =
        tokio::task::spawn_blocking(move || Command::new("python3").arg(path).args(args).output())
            .await
            .expect("the interop task runs")
            .expect("python3 runs");
    assert!(
        out.status.success(),
        "{script} failed (install its peers with `pip install -r tests/interop/requirements.txt`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

/// `ms` milliseconds of a 440 Hz sine (peak 12,000, RMS 8,485) as an
/// 8 kHz WAV file.
pub fn tone_wav(ms: usize) -> Vec<u8> {
    let samples: Vec<i16> = (0..ms * 8)
        .map(|i| (f64::sin(i as f64 * 440.0 * std::f64::consts::TAU / 8000.0) * 12_000.0) as i16)
        .collect();
    twinwall_hub::audio::wav::encode_wav(&samples)
}

/// Poll `probe` until it yields a value or `within` passes.
pub async fn wait_for<T, F, Fut>(within: Duration, mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(v) = probe().await {
            return Some(v);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A fire-panel device entry for the config.
pub fn panel_device(id: &str, zone: &str, addr: std::net::SocketAddr, extra: &str) -> String {
    format!(
        "[[devices]]\nid = \"{id}\"\ndriver = \"modbus-fire-panel\"\nprofile = \"fire-panel/twinwall-fp1\"\nzone = \"{zone}\"\naddress = \"{addr}\"\n\
         offline_after_ms = 1500\nrequest_timeout_ms = 400\n{extra}\n"
    )
}

/// A hub in a process of its own (this test binary run again with one
/// ignored test selected), so a test can kill it with SIGKILL: no shutdown,
/// no final flush. Dropping it kills it.
pub struct HubProcess(std::process::Child);

impl HubProcess {
    /// SIGKILL, and wait until it is gone.
    pub fn kill(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start the hub of `config` in a child process: the running test binary
/// with only `child_test` selected, which calls [`run_child_hub`].
pub fn spawn_child_hub(config: &Path, child_test: &str) -> HubProcess {
    let child = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--ignored",
            "--exact",
            child_test,
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("TWINWALL_CHILD_HUB_CONFIG", config)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the hub process starts");
    HubProcess(child)
}

/// The body of a child hub test: run the hub of `TWINWALL_CHILD_HUB_CONFIG`
/// until killed.
pub async fn run_child_hub() {
    let config = std::env::var("TWINWALL_CHILD_HUB_CONFIG").expect("started by spawn_child_hub");
    let hub = Hub::start(HubConfig::load(config.as_ref()).expect("the child's config"))
        .await
        .expect("the child hub starts");
    hub.wait().await;
}
