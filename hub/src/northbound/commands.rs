//! Commands over MQTT: parse, check against the channel's role, run through
//! the same path as the HTTP API, and answer on a response topic.
//!
//! Request on `{prefix}/{site}/cmd/devices/{id}`:
//! `{"command": "reset", "args": {}, "correlation_id": "abc", "response_topic": "..."}`
//! (`args`, `correlation_id` and `response_topic` optional). Answer on
//! `response_topic`, or `{prefix}/{site}/responses/{correlation_id}`:
//! `{"correlation_id": "abc", "ok": true}` or
//! `{"correlation_id": "abc", "ok": false, "error": {"code": "...", "message": "..."}}`.

use serde::Deserialize;
use serde_json::{Value, json};

use super::topics::Topics;
use crate::config::MqttCommands;
use crate::devices::{CommandError, Devices};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandMsg {
    command: String,
    #[serde(default)]
    args: Option<Value>,
    #[serde(default)]
    correlation_id: Option<String>,
    #[serde(default)]
    response_topic: Option<String>,
}

/// A reply to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// Where.
    pub topic: String,
    /// What.
    pub payload: Value,
}

fn error(code: &str, message: String) -> Value {
    json!({"code": code, "message": message})
}

fn command_error(e: &CommandError) -> Value {
    let code = match e {
        CommandError::UnknownDevice(_) => "unknown-device",
        CommandError::DriverUnavailable { .. } => "driver-unavailable",
        CommandError::Refused { code, .. } => code.as_str(),
        CommandError::Device { .. } => "device-failed",
        CommandError::Timeout { .. } => "device-timeout",
        CommandError::NotRecorded { .. } => "audit-unavailable",
    };
    error(code, e.to_string())
}

/// Handle one message on a command topic. Returns the reply; a message too
/// broken to know where to answer is answered on `responses/unknown`. One
/// sequence: the topic, the payload, the channel's allow list, the device.
pub async fn handle(
    topics: &Topics,
    role: &MqttCommands,
    devices: &Devices,
    topic: &str,
    payload: &[u8],
) -> Reply {
    let parsed: Result<CommandMsg, String> = serde_json::from_slice(payload).map_err(|e| format!("command on `{topic}` is not valid JSON of the form {{\"command\", \"args\"?, \"correlation_id\"?}}: {e}"));
    // Try to answer where the sender listens even when the rest is wrong.
    let loose: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
    let correlation = match &parsed {
        Ok(m) => m.correlation_id.clone(),
        Err(_) => loose
            .get("correlation_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    // Replies go under this site's own `responses/`, whatever the request
    // names: a publisher may not make the hub write to other topics (a
    // retained discovery config, another site's commands).
    let own = topics.response("");
    let asked = match &parsed {
        Ok(CommandMsg {
            response_topic: Some(t),
            ..
        }) => Some(t.clone()),
        _ => None,
    };
    let reply_topic = match &asked {
        Some(t) if t.starts_with(&own) && t.len() > own.len() && !t.contains(['+', '#']) => {
            t.clone()
        }
        _ => topics.response(correlation.as_deref().unwrap_or("unknown")),
    };
    let parsed = match (parsed, &asked) {
        (Ok(_), Some(t)) if &reply_topic != t => Err(format!(
            "response_topic `{t}` is not under `{own}`: replies go only under this site's responses/"
        )),
        (p, _) => p,
    };
    let answer = |result: Result<(), Value>| {
        let payload = match result {
            Ok(()) => json!({"correlation_id": correlation, "ok": true}),
            Err(e) => json!({"correlation_id": correlation, "ok": false, "error": e}),
        };
        Reply {
            topic: reply_topic.clone(),
            payload,
        }
    };
    let msg = match parsed {
        Ok(m) => m,
        Err(e) => return answer(Err(error("bad-request", e))),
    };
    let Some((target, id)) = topics.parse_command(topic) else {
        return answer(Err(error(
            "bad-request",
            format!("`{topic}` is not a command topic (…/cmd/devices/<id>)"),
        )));
    };
    if target != "devices" {
        return answer(Err(error(
            "bad-request",
            format!("unknown command target `{target}` in `{topic}`"),
        )));
    }
    if !role.allow.iter().any(|a| a == &msg.command) {
        return answer(Err(error(
            "not-allowed",
            format!(
                "`{}` is not allowed on the MQTT channel (northbound.commands.allow)",
                msg.command
            ),
        )));
    }
    let args = msg.args.unwrap_or_else(|| json!({})).to_string();
    let result = devices
        .command(id, &msg.command, &args, &role.actor)
        .await
        .map_err(|e| command_error(&e));
    answer(result)
}
