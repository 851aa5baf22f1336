//! `central.toml`: where the centre listens, the NATS it reads, the
//! campuses (or find them by their streams), and the alarm policy its
//! books judge by (the campuses' own, so both desks see the same alarms).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::{AlarmsConfig, Secret};
use crate::northbound::jetstream::Link;

/// The whole file.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CentralConfig {
    /// This centre.
    pub central: Centre,
    /// The NATS servers and how to authenticate.
    pub nats: NatsConfig,
    /// Campuses named here (their names, a JetStream domain); others are
    /// found by their streams when `central.discover` is on.
    #[serde(default)]
    pub sites: Vec<SiteConfig>,
    /// How the books judge alarms: set it as the campuses' `[alarms]`.
    #[serde(default)]
    pub alarms: AlarmsConfig,
}

/// `[central]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Centre {
    /// This centre's id: its durable consumers are `central-<id>`, so every
    /// centre running at once needs its own. Default `centre`.
    #[serde(default = "default_id")]
    pub id: String,
    /// Its name for people. Default `Twinwall 指挥中心`.
    #[serde(default = "default_name")]
    pub name: String,
    /// Where the API and console listen. Default `127.0.0.1:8090`.
    #[serde(default = "default_http")]
    pub http: SocketAddr,
    /// The folder of its API tokens (`twinwall central token`).
    /// Nothing else is kept: every view is rebuilt from the streams.
    #[serde(default = "default_data")]
    pub data_dir: PathBuf,
    /// Read every stream named `TWINWALL_*` in the servers' own domain,
    /// looking again every 5 s. Default true.
    #[serde(default = "yes")]
    pub discover: bool,
    /// The campuses' `jetstream.subject_prefix`. Default `twinwall`.
    #[serde(default = "default_prefix")]
    pub subject_prefix: String,
}

/// `[nats]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatsConfig {
    /// `nats://host:port`, one or more.
    pub servers: Vec<String>,
    /// User name (with `password`).
    #[serde(default)]
    pub user: Option<String>,
    /// Password. Never logged.
    #[serde(default)]
    pub password: Option<Secret>,
    /// A token. Never logged.
    #[serde(default)]
    pub token: Option<Secret>,
    /// An NKEY seed. Never logged.
    #[serde(default)]
    pub nkey_seed: Option<Secret>,
    /// A `.creds` file.
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
    /// The CA of the servers' certificates (TLS then required).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// A client certificate (PEM).
    #[serde(default)]
    pub client_cert_file: Option<PathBuf>,
    /// Its key (PEM).
    #[serde(default)]
    pub client_key_file: Option<PathBuf>,
}

/// `[[sites]]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The campus hub's `[site] id`.
    pub id: String,
    /// Its name for people. Default the id.
    #[serde(default)]
    pub name: Option<String>,
    /// The JetStream domain its stream lives in (the campus leaf node's).
    #[serde(default)]
    pub domain: Option<String>,
    /// Its stream. Default `TWINWALL_<ID>`, as the hub names it.
    #[serde(default)]
    pub stream: Option<String>,
}

fn default_id() -> String {
    "centre".into()
}
fn default_name() -> String {
    "Twinwall 指挥中心".into()
}
fn default_http() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8090))
}
fn default_data() -> PathBuf {
    "central-data".into()
}
fn default_prefix() -> String {
    "twinwall".into()
}
fn yes() -> bool {
    true
}

impl CentralConfig {
    /// A centre over `servers` with every default.
    pub fn with_servers(servers: Vec<String>) -> Self {
        CentralConfig {
            central: Centre {
                id: default_id(),
                name: default_name(),
                http: default_http(),
                data_dir: default_data(),
                discover: true,
                subject_prefix: default_prefix(),
            },
            nats: NatsConfig {
                servers,
                user: None,
                password: None,
                token: None,
                nkey_seed: None,
                credentials_file: None,
                ca_file: None,
                client_cert_file: None,
                client_key_file: None,
            },
            sites: Vec::new(),
            alarms: AlarmsConfig::default(),
        }
    }

    /// Read `path`; relative paths in it are from its folder; every problem
    /// named with its key.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut c: CentralConfig =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new(""));
        for p in [
            Some(&mut c.central.data_dir),
            c.nats.credentials_file.as_mut(),
            c.nats.ca_file.as_mut(),
            c.nats.client_cert_file.as_mut(),
            c.nats.client_key_file.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        c.check().map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(c)
    }

    /// Problems a file can have that its types cannot say.
    pub fn check(&self) -> Result<(), String> {
        use crate::northbound::jetstream::subjects::{is_stream_name, is_token};
        if self.nats.servers.is_empty() {
            return Err("nats.servers: name at least one server".into());
        }
        if let Some(s) = self
            .nats
            .servers
            .iter()
            .find(|s| crate::config::jetstream::has_userinfo(s))
        {
            return Err(format!(
                "nats.servers: `{}://…` holds a user or password: give them as user/password or token instead",
                s.split("://").next().unwrap_or("")
            ));
        }
        if !is_stream_name(&self.central.id) {
            return Err(format!(
                "central.id `{}`: letters, digits, `_` or `-` only (it names consumers)",
                self.central.id
            ));
        }
        if !is_token(&self.central.subject_prefix) {
            return Err(format!(
                "central.subject_prefix `{}` must be one subject token",
                self.central.subject_prefix
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for s in &self.sites {
            if !seen.insert(&s.id) {
                return Err(format!("sites: `{}` is named twice", s.id));
            }
        }
        Ok(())
    }

    /// The connection.
    pub fn link(&self) -> Link {
        let n = &self.nats;
        Link {
            servers: n.servers.clone(),
            user: n.user.clone().zip(n.password.clone()),
            token: n.token.clone(),
            nkey_seed: n.nkey_seed.clone(),
            credentials_file: n.credentials_file.clone(),
            ca_file: n.ca_file.clone(),
            client_cert: n.client_cert_file.clone().zip(n.client_key_file.clone()),
            name: format!("twinwall central {}", self.central.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_with_its_defaults_and_its_problems_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("central.toml");
        std::fs::write(
            &p,
            "[central]\nid = \"c1\"\n[nats]\nservers = [\"nats://127.0.0.1:4222\"]\n[[sites]]\nid = \"main\"\nname = \"本部\"\ndomain = \"main\"\n",
        )
        .unwrap();
        let c = CentralConfig::load(&p).unwrap();
        assert_eq!(c.central.data_dir, dir.path().join("central-data"));
        assert_eq!(c.sites[0].domain.as_deref(), Some("main"));
        std::fs::write(
            &p,
            "[central]\nid = \"c.1\"\n[nats]\nservers = [\"nats://x:1\"]\n",
        )
        .unwrap();
        assert!(
            CentralConfig::load(&p)
                .unwrap_err()
                .contains("central.id `c.1`")
        );
        std::fs::write(&p, "[central]\n[nats]\nservers = []\n").unwrap();
        assert!(
            CentralConfig::load(&p)
                .unwrap_err()
                .contains("nats.servers")
        );
    }
}
