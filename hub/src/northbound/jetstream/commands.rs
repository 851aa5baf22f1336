//! Commands from the centre, over NATS request/reply: each names one of this
//! hub's people, and runs with that person's role and zones through the
//! same services as the API, so the audit trail shows who did it whichever
//! desk they sat at.
//!
//! Request on `{prefix}.{site}.cmd.alarm.{action}` (`acknowledge`, `assign`,
//! `hold`, `close`): `{"login": "wang", "alarm": "<id>", "note"?, "to"?,
//! "resolution"?}`; on `{prefix}.{site}.cmd.device.{device id}`: `{"login":
//! "wang", "command": "barrier.open", "args"?: {}}`. Answer: `{"ok": true,
//! "alarm"?: {…}}` or `{"ok": false, "error": {"code", "message"}}`.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Value, json};

use super::subjects::Subjects;
use crate::alarms::{ActError, Action, Alarms, Resolution};
use crate::auth::{Principal, Role};
use crate::config::jetstream::CentralCommands;
use crate::devices::Devices;

/// What a command may reach.
#[derive(Clone)]
pub struct Targets {
    /// The alarm service.
    pub alarms: Option<Alarms>,
    /// The devices.
    pub devices: Arc<Devices>,
    /// The hub's people.
    pub accounts: Arc<crate::accounts::Accounts>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    login: String,
    /// The role of the centre's credential: the person acts here with the
    /// lower of it and their own.
    #[serde(default)]
    role: Option<crate::auth::Role>,
    /// The centre's id, recorded with the actor.
    #[serde(default)]
    centre: Option<String>,
    #[serde(default)]
    alarm: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    resolution: Option<Resolution>,
    #[serde(default)]
    command: Option<String>,
    #[serde(default)]
    args: Option<Value>,
}

fn refuse(code: &str, message: impl Into<String>) -> Value {
    json!({"ok": false, "error": {"code": code, "message": message.into()}})
}

fn act_error(e: &ActError) -> Value {
    let code = match e {
        ActError::Unknown(_) => "not-found",
        ActError::Refused(_) => "refused",
        ActError::OutsideZones { .. } => "forbidden",
        ActError::NotReady | ActError::Bus(_) | ActError::Lagging(_) => "unavailable",
    };
    refuse(code, e.to_string())
}

/// Answer one request on `subject`.
pub async fn handle(
    subjects: &Subjects,
    allowed: &CentralCommands,
    targets: &Targets,
    subject: &str,
    payload: &[u8],
) -> Value {
    let Some((target, action)) = subjects.parse_command(subject) else {
        return refuse(
            "bad-request",
            format!(
                "`{subject}` is not a command subject of this site (…cmd.alarm.<action> or …cmd.device.<id>)"
            ),
        );
    };
    let req: Request = match serde_json::from_slice(payload) {
        Ok(r) => r,
        Err(e) => {
            return refuse(
                "bad-request",
                format!("command on `{subject}` is not the JSON this hub reads: {e}"),
            );
        }
    };
    // The person acts here as if signed in here: their role, their zones.
    let Some(person) = targets.accounts.get(&req.login).filter(|p| !p.disabled) else {
        return refuse(
            "forbidden",
            format!(
                "`{}` is no person of this campus (or is disabled): the centre acts here only for this hub's own people",
                req.login
            ),
        );
    };
    // The log says the action came from the centre, and which.
    let name = match req.centre.as_deref() {
        Some(c) if !c.is_empty() => format!("{} ({c})", person.name),
        _ => person.name.clone(),
    };
    let who = Principal {
        token_id: person.login.clone(),
        name,
        role: req.role.map_or(person.role, |r| r.min(person.role)),
        zones: person.zones.clone(),
        unit: person.unit.clone(),
    };
    match target {
        "alarm" => alarm(allowed, targets, &who, action, req).await,
        "device" => device(allowed, targets, &who, action, req).await,
        other => refuse(
            "bad-request",
            format!("unknown command target `{other}` in `{subject}`"),
        ),
    }
}

async fn alarm(
    allowed: &CentralCommands,
    targets: &Targets,
    who: &Principal,
    action: &str,
    req: Request,
) -> Value {
    let name = format!("alarm.{action}");
    if !allowed.allow.contains(&name) {
        return refuse(
            "not-allowed",
            format!(
                "this campus does not take `{name}` from the centre (jetstream.commands.allow)"
            ),
        );
    }
    let Some(alarms) = &targets.alarms else {
        return refuse("unavailable", "the alarm book is not running");
    };
    let Some(id) = req.alarm else {
        return refuse(
            "bad-request",
            format!("`{name}` needs `alarm`, the alarm's id"),
        );
    };
    let (act, needs) = match action {
        "acknowledge" => (Action::Acknowledge { note: req.note }, Role::Guard),
        "assign" => (
            Action::Assign {
                to: req.to.unwrap_or_else(|| who.name.clone()),
            },
            Role::Operator,
        ),
        "hold" => (Action::Hold { note: req.note }, Role::Operator),
        "close" => {
            let Some(resolution) = req.resolution else {
                return refuse(
                    "bad-request",
                    "`alarm.close` needs `resolution` (real, false, test, maintenance, other)",
                );
            };
            (
                Action::Close {
                    resolution,
                    note: req.note,
                },
                Role::Operator,
            )
        }
        other => return refuse("bad-request", format!("unknown alarm action `{other}`")),
    };
    if who.role < needs {
        return refuse(
            "forbidden",
            format!(
                "`{}` has role {} here; `{name}` needs {needs}",
                who.name, who.role
            ),
        );
    }
    match alarms
        .act(&id, act, &who.actor(), &|zone| who.covers(zone))
        .await
    {
        Ok(a) => json!({"ok": true, "alarm": a}),
        Err(e) => act_error(&e),
    }
}

async fn device(
    allowed: &CentralCommands,
    targets: &Targets,
    who: &Principal,
    id: &str,
    req: Request,
) -> Value {
    let Some(command) = req.command else {
        return refuse(
            "bad-request",
            "a device command needs `command`, e.g. \"barrier.open\"",
        );
    };
    let name = format!("device.{command}");
    if !allowed.allow.contains(&name) {
        return refuse(
            "not-allowed",
            format!(
                "this campus does not take `{name}` from the centre (jetstream.commands.allow)"
            ),
        );
    }
    if who.role < Role::Guard {
        return refuse(
            "forbidden",
            format!(
                "`{}` has role {} here: device commands need guard or above",
                who.name, who.role
            ),
        );
    }
    if let Some(d) = targets.devices.get(id)
        && let Err(e) = crate::api::devices::may_command(who, &d.zone, id, &command)
    {
        let (code, message) = e.code_and_message();
        return refuse(code, message);
    }
    let args = req.args.unwrap_or_else(|| json!({})).to_string();
    match targets
        .devices
        .command(id, &command, &args, &who.actor())
        .await
    {
        Ok(()) => json!({"ok": true, "device": id, "command": command}),
        Err(e) => refuse("device-failed", e.to_string()),
    }
}
