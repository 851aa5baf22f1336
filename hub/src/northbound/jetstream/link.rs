//! A connection to NATS from the settings the hub and the centre share:
//! servers, one way of authenticating, TLS. Secrets go to the client only,
//! never to a log line.

use std::path::PathBuf;
use std::time::Duration;

use async_nats::{Client, ConnectOptions, ServerAddr};

use crate::config::Secret;

/// Where and how to connect.
#[derive(Debug, Clone, Default)]
pub struct Link {
    /// `nats://host:port` or `tls://host:port`, one or more.
    pub servers: Vec<String>,
    /// User and password.
    pub user: Option<(String, Secret)>,
    /// A token.
    pub token: Option<Secret>,
    /// An NKEY seed.
    pub nkey_seed: Option<Secret>,
    /// A `.creds` file.
    pub credentials_file: Option<PathBuf>,
    /// The CA of the servers' certificates.
    pub ca_file: Option<PathBuf>,
    /// A client certificate and its key.
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// The connection's name, as the server's monitoring shows it.
    pub name: String,
}

impl From<&crate::config::jetstream::JetStreamConfig> for Link {
    fn from(c: &crate::config::jetstream::JetStreamConfig) -> Self {
        Link {
            servers: c.servers.clone(),
            user: c.user.clone().zip(c.password.clone()),
            token: c.token.clone(),
            nkey_seed: c.nkey_seed.clone(),
            credentials_file: c.credentials_file.clone(),
            ca_file: c.ca_file.clone(),
            client_cert: c.client_cert_file.clone().zip(c.client_key_file.clone()),
            name: String::new(),
        }
    }
}

impl Link {
    /// The servers, parsed; names the one that does not parse.
    pub fn addrs(&self) -> Result<Vec<ServerAddr>, String> {
        self.servers
            .iter()
            .map(|s| {
                s.parse::<ServerAddr>()
                    .map_err(|e| format!("server `{s}`: {e}"))
            })
            .collect()
    }

    /// Connect; the client reconnects by itself for ever after this, to the
    /// configured servers only (a server's advertised addresses may not be
    /// reachable from a campus).
    pub async fn connect(&self) -> Result<Client, String> {
        let addrs = self.addrs()?;
        let mut o = ConnectOptions::new()
            .name(&self.name)
            .connection_timeout(Duration::from_secs(5))
            .ping_interval(Duration::from_secs(5))
            .max_reconnects(None)
            .ignore_discovered_servers()
            .reconnect_delay_callback(|attempts| {
                Duration::from_millis((100 * attempts as u64).min(2_000))
            });
        if let Some((u, p)) = &self.user {
            o = o.user_and_password(u.clone(), p.0.clone());
        }
        if let Some(t) = &self.token {
            o = o.token(t.0.clone());
        }
        if let Some(s) = &self.nkey_seed {
            o = o.nkey(s.0.clone());
        }
        if let Some(f) = &self.credentials_file {
            o = o
                .credentials_file(f)
                .await
                .map_err(|e| format!("credentials_file {}: {e}", f.display()))?;
        }
        if let Some(ca) = &self.ca_file {
            o = o.add_root_certificates(ca.clone()).require_tls(true);
        }
        if let Some((cert, key)) = &self.client_cert {
            o = o.add_client_certificate(cert.clone(), key.clone());
        }
        o.connect(addrs)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", self.servers.join(", ")))
    }
}
