//! `twinwall token`: make, list and revoke API tokens on the hub's data
//! folder (a running hub sees the change on its next request).

use std::path::PathBuf;

use anyhow::Context;

use super::{Role, Tokens};

/// `twinwall token …`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The hub's config file (its `[site] data_dir` holds the tokens).
    #[arg(long, default_value = "hub.toml", global = true)]
    pub config: PathBuf,
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// Token actions.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Make a token and print it (once: only its hash is kept).
    Create {
        /// What it may do.
        #[arg(long, value_enum)]
        role: Role,
        /// Who holds it: the actor of everything done with it.
        #[arg(long)]
        name: String,
        /// Narrow it to these zone ids (comma-separated; a guard room's).
        #[arg(long, value_delimiter = ',')]
        zones: Vec<String>,
    },
    /// List tokens (ids, names, roles; never secrets).
    List,
    /// Revoke the token with this id.
    Revoke {
        /// The id `token list` shows (also the 8 characters after `tw_`).
        id: String,
    },
}

/// Run it.
pub fn run(a: Args) -> anyhow::Result<()> {
    let config = crate::config::HubConfig::load(&a.config)?;
    let tokens = Tokens::open(&config.site.data_dir)
        .with_context(|| format!("the tokens of {}", a.config.display()))?;
    match a.action {
        Action::Create { role, name, zones } => {
            let paths = zones
                .iter()
                .map(|z| config.zone_path(z).map_err(anyhow::Error::msg))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let made = tokens.create_for(&name, role, &paths, "cli")?;
            eprintln!(
                "token {} for `{}` with role {role}; it is shown once, keep it now:",
                made.view.id, made.view.name
            );
            println!("{}", made.secret);
        }
        Action::List => {
            for t in tokens.list()? {
                println!(
                    "{}  {:<8}  {}  (made {} by {})",
                    t.id, t.role, t.name, t.created, t.created_by
                );
            }
        }
        Action::Revoke { id } => {
            let gone = tokens.revoke(&id)?;
            eprintln!("revoked token {} of `{}`", gone.id, gone.name);
        }
    }
    Ok(())
}

/// An HTTP client for the hub's API that sends `token` with every request
/// (the command-line tools' `--token`, or `TWINWALL_TOKEN`).
pub fn api_client(token: &str) -> anyhow::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    let mut v = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.trim()))
        .context("the token has characters no HTTP header can carry")?;
    v.set_sensitive(true);
    headers.insert(reqwest::header::AUTHORIZATION, v);
    Ok(reqwest::Client::builder()
        .default_headers(headers)
        .build()?)
}
