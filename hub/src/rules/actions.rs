//! Carrying out a firing: every action at once, then the record of it.

use futures_util::future::join_all;
use serde_json::json;

use super::{ActionSpec, RuleSpec, Rules};
use crate::broadcast::{BroadcastRequest, OnPreempt, Source};
use crate::bus::{Event, Filter, Level, MediaRef, NewEvent};

/// How long a firing waits for the pictures of confirmed snapshots.
const SNAPSHOT_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// What one action came to.
struct Done {
    action: &'static str,
    ok: bool,
    detail: String,
    media: Vec<MediaRef>,
}

impl Done {
    fn ok(action: &'static str, detail: String) -> Self {
        Done {
            action,
            ok: true,
            detail,
            media: Vec::new(),
        }
    }

    fn failed(action: &'static str, detail: String) -> Self {
        Done {
            action,
            ok: false,
            detail,
            media: Vec::new(),
        }
    }
}

impl Rules {
    fn resolve(&self, zone: &str, cause: &Event) -> Result<(String, String), String> {
        let id = if zone == "$zone" {
            self.zone_id(&cause.body.zone).ok_or_else(|| {
                format!(
                    "the event's zone `{}` is not a configured zone",
                    cause.body.zone
                )
            })?
        } else {
            zone.to_owned()
        };
        let path = self
            .inner
            .zones
            .get(&id)
            .cloned()
            .ok_or_else(|| format!("unknown zone `{id}`"))?;
        Ok((id, path))
    }

    /// Run `rule`'s actions for `cause` and record the firing.
    pub(super) async fn fire(&self, rule: RuleSpec, cause: Event) {
        let id = rule.id.get_ref().clone();
        let actor = format!("rule:{id}");
        let firing = format!("rule-{id}-{}", cause.seq);
        let level = rule
            .actions
            .iter()
            .filter_map(|a| match a.get_ref() {
                ActionSpec::Raise { level } => Some(*level),
                _ => None,
            })
            .fold(cause.body.level, Level::max);
        let runs = rule
            .actions
            .iter()
            .map(|a| self.run(a.get_ref().clone(), &cause, &actor));
        let done: Vec<Done> = join_all(runs).await;
        let names: Vec<&str> = done.iter().map(|d| d.action).collect();
        let mut fired = NewEvent::new("rule.fired", &cause.body.zone)
            .level(level)
            .actor(&actor)
            .correlation(&firing)
            .attr("rule", id.as_str())
            .attr("cause", cause.seq)
            .attr("cause_kind", cause.body.kind.as_str())
            .attr("actions", names.join(","))
            .message(format!(
                "rule {id} fired on {} (seq {}): {}",
                cause.body.kind,
                cause.seq,
                names.join(", ")
            ));
        if let Some(d) = &cause.body.device {
            fired = fired.attr("cause_device", d.as_str());
        }
        // A rule on an alarm's own events (`alarm.escalated`) names the
        // alarm, so the alarm's page lists what its rules did (only the
        // hub writes `alarm.*`: a driver cannot attach to another alarm).
        if cause.body.kind.starts_with("alarm.")
            && let Some(alarm) = cause.body.text("alarm")
        {
            fired = fired.attr("alarm", alarm);
        }
        fired.media = done.iter().flat_map(|d| d.media.clone()).collect();
        let mut events = vec![fired];
        for d in &done {
            events.push(
                NewEvent::new("rule.action", &cause.body.zone)
                    .level(if d.ok { Level::Info } else { Level::Yellow })
                    .actor(&actor)
                    .correlation(&firing)
                    .attr("rule", id.as_str())
                    .attr("cause", cause.seq)
                    .attr("action", d.action)
                    .attr("result", if d.ok { "ok" } else { "failed" })
                    .attr("detail", d.detail.as_str())
                    .message(format!(
                        "rule {id}: {} {}: {}",
                        d.action,
                        if d.ok { "done" } else { "failed" },
                        d.detail
                    )),
            );
        }
        if let Err(e) = self.inner.bus.submit(events).await {
            tracing::error!(rule = %id, "firing not recorded: {e}");
        }
    }

    async fn run(&self, action: ActionSpec, cause: &Event, actor: &str) -> Done {
        let name = action.name();
        match action {
            ActionSpec::Raise { level } => Done::ok(name, format!("level {}", level.as_str())),
            ActionSpec::Broadcast {
                zones,
                clip,
                text,
                priority,
                repeat,
            } => {
                let source = match (clip, text) {
                    (Some(c), _) => Source::Clip(c),
                    (None, Some(t)) => Source::Text(t),
                    (None, None) => return Done::failed(name, "no clip or text".into()),
                };
                self.broadcast(name, &zones, source, priority, repeat, cause, actor)
                    .await
            }
            ActionSpec::Command {
                zone,
                command,
                args,
            } => {
                let args = args
                    .map(|v| serde_json::to_value(v).unwrap_or(json!({})))
                    .unwrap_or(json!({}))
                    .to_string();
                self.command(name, &zone, &command, &args, cause, actor)
                    .await
            }
            ActionSpec::Snapshot { zone } => self.snapshot(name, &zone, cause, actor).await,
        }
    }

    /// Speak to the zones the rule names (`$zone`: the cause's).
    #[allow(
        clippy::too_many_arguments,
        reason = "the broadcast action's fields, as the rule gives them"
    )]
    async fn broadcast(
        &self,
        name: &'static str,
        zones: &[String],
        source: Source,
        priority: u8,
        repeat: u32,
        cause: &Event,
        actor: &str,
    ) -> Done {
        let mut ids = Vec::new();
        for z in zones {
            match self.resolve(z, cause) {
                Ok((id, _)) => ids.push(id),
                Err(why) => return Done::failed(name, why),
            }
        }
        let req = BroadcastRequest {
            zones: ids,
            all: false,
            source,
            priority,
            repeat,
            volume: None,
            on_preempt: OnPreempt::End,
            schedule: None,
        };
        match self.inner.broadcasts.submit(req, actor).await {
            Ok(job) => Done::ok(
                name,
                format!("broadcast {} to {} speakers", job.id, job.speakers),
            ),
            Err(e) => Done::failed(name, e.to_string()),
        }
    }

    /// Send `command` to every device of the zone that accepts it.
    async fn command(
        &self,
        name: &'static str,
        zone: &str,
        command: &str,
        args: &str,
        cause: &Event,
        actor: &str,
    ) -> Done {
        let path = match self.resolve(zone, cause) {
            Ok((_, p)) => p,
            Err(why) => return Done::failed(name, why),
        };
        let targets = self.inner.devices.accepting(&path, command);
        if targets.is_empty() {
            return Done::failed(name, format!("no device in {path} accepts `{command}`"));
        }
        let results = join_all(
            targets
                .iter()
                .map(|d| self.inner.devices.command(d, command, args, actor)),
        )
        .await;
        let summary = format!("{command} to {}", targets.join(", "));
        match failures(results, &targets) {
            None => Done::ok(name, summary),
            Some(failed) => Done::failed(name, format!("{summary}; failed: {failed}")),
        }
    }

    /// Take a picture with every camera of the zone; the pictures come on
    /// the cameras' own `camera.snapshot` events, committed just after each
    /// camera confirmed.
    async fn snapshot(&self, name: &'static str, zone: &str, cause: &Event, actor: &str) -> Done {
        let path = match self.resolve(zone, cause) {
            Ok((_, p)) => p,
            Err(why) => return Done::failed(name, why),
        };
        let cams = self.inner.devices.accepting(&path, "snapshot");
        if cams.is_empty() {
            return Done::failed(name, format!("no camera in {path}"));
        }
        let filter = Filter {
            kind: Some("camera.snapshot".into()),
            ..Filter::default()
        };
        let mut sub = self.inner.bus.subscribe(self.inner.bus.next_seq(), filter);
        let results = join_all(
            cams.iter()
                .map(|c| self.inner.devices.command(c, "snapshot", "{}", actor)),
        )
        .await;
        let confirmed = results.iter().filter(|r| r.is_ok()).count();
        let mut media: Vec<MediaRef> = Vec::new();
        let mut heard = 0;
        let deadline = tokio::time::Instant::now() + SNAPSHOT_WAIT;
        while heard < confirmed {
            match tokio::time::timeout_at(deadline, sub.next()).await {
                Ok(Ok(e)) if e.body.device.as_ref().is_some_and(|d| cams.contains(d)) => {
                    heard += 1;
                    media.extend(e.body.media);
                }
                Ok(Ok(_)) => {}
                _ => break,
            }
        }
        let detail = format!("{} pictures from {}", media.len(), cams.join(", "));
        let mut d = match failures(results, &cams) {
            None => Done::ok(name, detail),
            Some(failed) => Done::failed(name, format!("{detail}; failed: {failed}")),
        };
        d.media = media;
        d
    }
}

/// The devices whose command failed, with why, or `None` when none did.
fn failures<E: std::fmt::Display>(
    results: Vec<Result<(), E>>,
    devices: &[String],
) -> Option<String> {
    let failed: Vec<String> = results
        .into_iter()
        .zip(devices)
        .filter_map(|(r, d)| r.err().map(|e| format!("{d}: {e}")))
        .collect();
    (!failed.is_empty()).then(|| failed.join("; "))
}
