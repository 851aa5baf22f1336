//! Operator access to the API: bearer tokens with roles.
//!
//! A token is shown once, when it is made; the hub keeps only a keyed hash
//! of it (HMAC-SHA256 under a key made once in the data folder), so a copy
//! of `tokens.json` lets nobody in. Each request's token names its holder,
//! and that name (with the token's id) is the actor of every audit event the
//! request causes: never a header the caller writes.
//!
//! ```no_run
//! use twinwall_hub::auth::{Role, Tokens};
//! let tokens = Tokens::open(std::path::Path::new("data"))?;
//! let made = tokens.create("duty room", Role::Operator, "setup")?;
//! println!("give this to the duty room once: {}", made.secret);
//! let who = tokens.verify(&made.secret).expect("a live token");
//! assert_eq!(who.role, Role::Operator);
//! # Ok::<(), twinwall_hub::auth::TokenError>(())
//! ```

pub mod cli;
mod guard;
mod tokens;

use serde::{Deserialize, Serialize};

pub use guard::{
    AccessMap, CSRF_HEADER, Gate, HostAllowList, Liveness, SESSION_COOKIE, guard, session_cookie,
    session_principal,
};
pub use tokens::{Created, TokenError, TokenView, Tokens};

/// What a token may do. Each role may do what the ones below it may:
/// viewer < guard < operator < safety < admin.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read: devices, events, views, alarms, metrics.
    Viewer,
    /// A guard room: acknowledge the alarms of its zones.
    Guard,
    /// The duty room: handle every alarm (assign, hold, shelve, close),
    /// device commands, broadcasts, schedules, clips.
    Operator,
    /// The program's safety officers: what the operator does, and the
    /// program's risks and hazards.
    Safety,
    /// Run the hub: rules, tokens, drivers.
    Admin,
}

impl Role {
    /// `viewer`, `guard`, `operator`, `safety` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Guard => "guard",
            Role::Operator => "operator",
            Role::Safety => "safety",
            Role::Admin => "admin",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is calling: the holder of a verified token, or a signed-in person
/// (whose login stands in `token_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's public id (the part of the token before the secret).
    pub token_id: String,
    /// The name given at creation (a person, a desk, a system).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// The zones it answers for (and their children); empty for all. A
    /// guard's alarms and actions are narrowed to them.
    pub zones: Vec<String>,
    /// The person's unit (a token has none): the program's hazards of
    /// their unit, and of the units below it, are theirs to act on.
    pub unit: Option<String>,
}

impl Principal {
    /// Whether `zone` is within this caller's zones. No zones is every
    /// zone, except for a guard: a guard room answers for its own zones,
    /// so a guard with none covers nothing (a unit or token made without
    /// them must not open every gate on campus).
    pub fn covers(&self, zone: &str) -> bool {
        if self.zones.is_empty() {
            return self.role != Role::Guard;
        }
        self.zones
            .iter()
            .any(|z| twinwall_base::zone_within(zone, z))
    }

    /// The actor recorded in audit events: the name and the token's id, so
    /// two tokens of one name stay apart.
    pub fn actor(&self) -> String {
        format!("{}#{}", self.name, self.token_id)
    }
}
