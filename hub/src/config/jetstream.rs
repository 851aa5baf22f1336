//! `[jetstream]`: the hub's log into a NATS JetStream stream of its site,
//! for a command centre over several campuses (`twinwall central`), and the
//! centre's commands back over request/reply. Beside `[northbound]` MQTT,
//! not instead of it.

use std::path::PathBuf;

use serde::Deserialize;

use super::devices::Secret;

/// `[jetstream]`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JetStreamConfig {
    /// Servers to connect to, `nats://host:port` (or `tls://`): the
    /// campus's own leaf node, or members of the central cluster. Required.
    pub servers: Vec<String>,
    /// The JetStream domain the site's stream lives in: the campus leaf
    /// node's, so the stream stays at the campus while its link is down.
    /// Default none (the cluster the servers belong to).
    #[serde(default)]
    pub domain: Option<String>,
    /// First subject token. Default `twinwall`.
    #[serde(default = "default_prefix")]
    pub subject_prefix: String,
    /// The stream's name. Default `TWINWALL_<SITE ID>` (upper case, with
    /// characters a stream name may not hold as `_`).
    #[serde(default)]
    pub stream: Option<String>,
    /// Copies of the stream the servers keep (1, 3 or 5 in a cluster).
    /// Default 1. Applied when the hub creates the stream.
    #[serde(default = "default_replicas")]
    pub replicas: usize,
    /// The stream drops a second message with the same `Nats-Msg-Id`
    /// within this window, seconds. Default 600. On connecting the hub also
    /// reads the stream's last message and never resends below it, so a
    /// replay after a longer outage is no duplicate either.
    #[serde(default = "default_window")]
    pub duplicate_window_s: u64,
    /// Events published and not yet acknowledged, at most. Default 256.
    #[serde(default = "default_inflight")]
    pub max_inflight: usize,
    /// Pictures go to the object store bucket `<stream>_MEDIA` before the
    /// event that names them, so the centre can show them. Default true.
    #[serde(default = "yes")]
    pub pictures: bool,
    /// User name (with `password`). Default none.
    #[serde(default)]
    pub user: Option<String>,
    /// Password. Never logged.
    #[serde(default)]
    pub password: Option<Secret>,
    /// A token instead of a user. Never logged.
    #[serde(default)]
    pub token: Option<Secret>,
    /// An NKEY seed (`SU…`). Never logged.
    #[serde(default)]
    pub nkey_seed: Option<Secret>,
    /// A `.creds` file (JWT and NKEY seed) for decentralised auth.
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
    /// The CA certificate (PEM) that signed the servers' (TLS then required).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// A client certificate (PEM) and its key, for servers that verify clients.
    #[serde(default)]
    pub client_cert_file: Option<PathBuf>,
    /// The client certificate's key (PEM).
    #[serde(default)]
    pub client_key_file: Option<PathBuf>,
    /// Commands from the centre.
    #[serde(default)]
    pub commands: CentralCommands,
}

/// `[jetstream.commands]`: whether the centre may act on this campus. The
/// NATS server's permissions decide who may publish to the command
/// subjects; each command names one of this hub's people, and runs with
/// that person's role and zones, as if they had signed in here.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CentralCommands {
    /// Answer commands on `<prefix>.<site>.cmd.>`. Default false: a campus
    /// takes central commands only when it says so.
    pub enabled: bool,
    /// What the centre may ask: `alarm.acknowledge`, `alarm.assign`,
    /// `alarm.hold`, `alarm.close`, `device.<command>` (e.g.
    /// `device.open`). Default the alarm actions only.
    pub allow: Vec<String>,
}

impl Default for CentralCommands {
    fn default() -> Self {
        CentralCommands {
            enabled: false,
            allow: [
                "alarm.acknowledge",
                "alarm.assign",
                "alarm.hold",
                "alarm.close",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

fn default_prefix() -> String {
    "twinwall".into()
}
fn default_replicas() -> usize {
    1
}
fn default_window() -> u64 {
    600
}
fn default_inflight() -> usize {
    256
}
fn yes() -> bool {
    true
}

impl JetStreamConfig {
    /// The stream's name for site `site`.
    pub fn stream_name(&self, site: &str) -> String {
        self.stream
            .clone()
            .unwrap_or_else(|| crate::northbound::jetstream::subjects::stream_name(site))
    }

    /// Problems, as `(key, message)`; `site` is the hub's `[site] id`,
    /// which names subjects and the stream.
    pub fn problems_for(&self, site: &str) -> Vec<(&'static str, String)> {
        let mut out = self.problems();
        if !crate::northbound::jetstream::subjects::is_token(site)
            || !site
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            out.push((
                "site.id",
                format!(
                    "`{site}` names this campus's JetStream subjects and stream: use lower-case letters, digits, `-` or `_` (two sites must not map to one stream)"
                ),
            ));
        }
        out
    }

    /// Problems, as `(key, message)`.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.servers.is_empty() {
            out.push((
                "jetstream.servers",
                "name at least one server, e.g. [\"nats://127.0.0.1:4222\"]".into(),
            ));
        }
        for s in &self.servers {
            let scheme = s.split("://").next().unwrap_or("");
            if !s.contains("://") || !matches!(scheme, "nats" | "tls") {
                out.push((
                    "jetstream.servers",
                    format!("`{s}` must be nats://host:port or tls://host:port"),
                ));
            } else if has_userinfo(s) {
                // A URL is logged and shown in the status; secrets are not.
                out.push((
                    "jetstream.servers",
                    format!(
                        "`{}` holds a user or password: give them as user/password or token instead",
                        s.split("://").next().unwrap_or("")
                    ),
                ));
            }
        }
        if !matches!(self.replicas, 1..=5) {
            out.push(("jetstream.replicas", "must be 1 to 5".into()));
        }
        if self.max_inflight == 0 {
            out.push(("jetstream.max_inflight", "must be at least 1".into()));
        }
        if self.duplicate_window_s == 0 {
            out.push(("jetstream.duplicate_window_s", "must be at least 1".into()));
        }
        if !crate::northbound::jetstream::subjects::is_token(&self.subject_prefix) {
            out.push((
                "jetstream.subject_prefix",
                format!(
                    "`{}` must be one subject token: no `.`, `*`, `>` or spaces",
                    self.subject_prefix
                ),
            ));
        }
        if let Some(s) = &self.stream
            && !crate::northbound::jetstream::subjects::is_stream_name(s)
        {
            out.push((
                "jetstream.stream",
                format!("`{s}` must be letters, digits, `_` or `-`"),
            ));
        }
        if self.password.is_some() != self.user.is_some() {
            out.push(("jetstream.password", "user and password go together".into()));
        }
        let ways = [
            self.user.is_some(),
            self.token.is_some(),
            self.nkey_seed.is_some(),
            self.credentials_file.is_some(),
        ];
        if ways.iter().filter(|w| **w).count() > 1 {
            out.push((
                "jetstream.user",
                "give one of user/password, token, nkey_seed or credentials_file".into(),
            ));
        }
        if self.client_cert_file.is_some() != self.client_key_file.is_some() {
            out.push((
                "jetstream.client_key_file",
                "client_cert_file and client_key_file go together".into(),
            ));
        }
        for a in &self.commands.allow {
            let known = matches!(
                a.as_str(),
                "alarm.acknowledge" | "alarm.assign" | "alarm.hold" | "alarm.close"
            ) || a.strip_prefix("device.").is_some_and(|c| !c.is_empty());
            if !known {
                out.push((
                    "jetstream.commands.allow",
                    format!(
                        "`{a}` is none of alarm.acknowledge, alarm.assign, alarm.hold, alarm.close, device.<command>"
                    ),
                ));
            }
        }
        out
    }
}

/// Whether a server URL holds `user[:password]@`.
pub fn has_userinfo(url: &str) -> bool {
    url.split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(rest).contains('@'))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(servers: &[&str]) -> JetStreamConfig {
        serde_json::from_value(serde_json::json!({ "servers": servers })).unwrap()
    }

    #[test]
    fn a_secret_in_a_url_and_a_site_that_cannot_name_a_stream_are_refused_by_name() {
        assert!(
            config(&["nats://127.0.0.1:4222"])
                .problems_for("north")
                .is_empty()
        );
        let p = config(&["nats://duty:s3cret@n1:4222"]).problems_for("north");
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].0, "jetstream.servers");
        assert!(
            !p[0].1.contains("s3cret"),
            "the message repeats no secret: {}",
            p[0].1
        );
        for bad in ["North", "north.campus", "本部"] {
            let p = config(&["nats://n1:4222"]).problems_for(bad);
            assert_eq!(
                p.iter().map(|p| p.0).collect::<Vec<_>>(),
                ["site.id"],
                "{bad}: {p:?}"
            );
        }
        assert!(has_userinfo("tls://token@n1:4222"));
        assert!(!has_userinfo("nats://n1:4222/@path"));
    }
}
