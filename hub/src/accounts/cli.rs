//! `twinwall user …` and `twinwall unit …` on the hub's data folder (a
//! running hub sees the change on its next request).

use std::path::PathBuf;

use anyhow::Context;

use super::{Accounts, NewPerson, Unit};
use crate::auth::Role;

/// `twinwall user …`
#[derive(Debug, clap::Args)]
pub struct UserArgs {
    /// The hub's config file (its `[site] data_dir` holds the accounts).
    #[arg(long, default_value = "hub.toml", global = true)]
    pub config: PathBuf,
    #[command(subcommand)]
    action: UserAction,
}

#[derive(Debug, clap::Subcommand)]
enum UserAction {
    /// Add a person; prints a password made for them unless one comes on stdin.
    Add {
        /// Sign-in name (a-z, 0-9, `.`, `_`, `-`).
        #[arg(long)]
        login: String,
        /// Their name: the actor of what they do.
        #[arg(long)]
        name: String,
        /// viewer, guard, operator, safety or admin.
        #[arg(long, value_enum)]
        role: Role,
        /// Their unit's id.
        #[arg(long)]
        unit: Option<String>,
        /// Zone ids narrowing what they see (comma-separated; a guard room's).
        #[arg(long, value_delimiter = ',')]
        zones: Vec<String>,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (made and printed unless one comes on stdin); their sessions end.
    Passwd {
        /// Whose.
        #[arg(long)]
        login: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a person: they cannot sign in, and their sessions end.
    Disable {
        /// Whom.
        #[arg(long)]
        login: String,
    },
    /// Enable a disabled person again.
    Enable {
        /// Whom.
        #[arg(long)]
        login: String,
    },
    /// Everyone (never passwords).
    List,
}

/// `twinwall unit …`
#[derive(Debug, clap::Args)]
pub struct UnitArgs {
    /// The hub's config file.
    #[arg(long, default_value = "hub.toml", global = true)]
    pub config: PathBuf,
    #[command(subcommand)]
    action: UnitAction,
}

#[derive(Debug, clap::Subcommand)]
enum UnitAction {
    /// Add a unit (学院, 部处, 楼宇管理方).
    Add {
        /// Short id.
        #[arg(long)]
        id: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// The unit above it.
        #[arg(long)]
        parent: Option<String>,
        /// Zone ids it answers for (comma-separated).
        #[arg(long, value_delimiter = ',')]
        zones: Vec<String>,
    },
    /// Every unit.
    List,
}

fn open(config: &std::path::Path) -> anyhow::Result<(crate::config::HubConfig, Accounts)> {
    let c = crate::config::HubConfig::load(config)?;
    let a = Accounts::open(&c.site.data_dir)
        .with_context(|| format!("the accounts of {}", config.display()))?;
    Ok((c, a))
}

fn paths(c: &crate::config::HubConfig, ids: &[String]) -> anyhow::Result<Vec<String>> {
    ids.iter()
        .map(|z| c.zone_path(z).map_err(anyhow::Error::msg))
        .collect()
}

fn stdin_password(yes: bool) -> anyhow::Result<Option<String>> {
    if !yes {
        return Ok(None);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
}

/// Run `twinwall user …`.
pub fn user(a: UserArgs) -> anyhow::Result<()> {
    let (c, accounts) = open(&a.config)?;
    match a.action {
        UserAction::Add {
            login,
            name,
            role,
            unit,
            zones,
            password_stdin,
        } => {
            let p = NewPerson {
                login,
                name,
                role,
                unit,
                zones: paths(&c, &zones)?,
            };
            let pw = stdin_password(password_stdin)?;
            let (p, made) = accounts.add(&p, pw.as_deref(), "cli")?;
            eprintln!("added {} ({}) with role {}", p.login, p.name, p.role);
            if let Some(made) = made {
                eprintln!("their password (shown once):");
                println!("{made}");
            }
        }
        UserAction::Passwd {
            login,
            password_stdin,
        } => {
            let pw = stdin_password(password_stdin)?;
            let made = accounts.set_password(&login, pw.as_deref())?;
            eprintln!("password of {login} changed; their sessions end");
            if let Some(made) = made {
                println!("{made}");
            }
        }
        UserAction::Disable { login } => {
            accounts.set_disabled(&login, true)?;
            eprintln!("{login} is disabled; their sessions end");
        }
        UserAction::Enable { login } => {
            accounts.set_disabled(&login, false)?;
            eprintln!("{login} may sign in again");
        }
        UserAction::List => {
            for p in accounts.people()? {
                println!(
                    "{:<20} {:<8} {:<10} {:<24} {}{}",
                    p.login,
                    p.role,
                    p.unit.as_deref().unwrap_or("-"),
                    p.zones.join(","),
                    p.name,
                    if p.disabled { "  (disabled)" } else { "" }
                );
            }
        }
    }
    Ok(())
}

/// Run `twinwall unit …`.
pub fn unit(a: UnitArgs) -> anyhow::Result<()> {
    let (c, accounts) = open(&a.config)?;
    match a.action {
        UnitAction::Add {
            id,
            name,
            parent,
            zones,
        } => {
            let u = accounts.add_unit(Unit {
                id,
                name,
                parent,
                zones: paths(&c, &zones)?,
            })?;
            eprintln!("added unit {} ({})", u.id, u.name);
        }
        UnitAction::List => {
            for u in accounts.units()? {
                println!(
                    "{:<16} {:<16} {:<32} {}",
                    u.id,
                    u.parent.as_deref().unwrap_or("-"),
                    u.zones.join(","),
                    u.name
                );
            }
        }
    }
    Ok(())
}
