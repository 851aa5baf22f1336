//! The events the hub itself writes about its drivers and devices: crashes,
//! quarantines and releases, reloads, throttling, operators' commands. Pure
//! builders, so each says the same thing wherever it is raised.

use twinwall_base::{HUB_ZONE, Level, NewEvent};

use crate::quota::{Dropped, EventLimits};

/// Who a notice is about: the driver's name and version.
#[derive(Debug, Clone, Copy)]
pub struct Driver<'a> {
    /// Name.
    pub name: &'a str,
    /// Version.
    pub version: &'a str,
}

impl Driver<'_> {
    fn label(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// `driver.crashed`: a trap, and its count since the hub started.
pub fn crashed(d: Driver<'_>, trap: &str, total: u32, device: Option<&str>) -> NewEvent {
    let mut ev = NewEvent::new("driver.crashed", HUB_ZONE)
        .level(Level::Orange)
        .attr("driver", d.name)
        .attr("version", d.version)
        .attr("trap", trap)
        .attr("crashes", u64::from(total))
        .message(format!(
            "driver {} crashed; its devices are being rebuilt",
            d.label()
        ));
    if let Some(dev) = device {
        ev = ev.attr("device", dev);
    }
    ev
}

/// `device.quarantined`: `device` crashed its driver `n` times within
/// `window_s` and is closed for `for_s`.
pub fn device_quarantined(
    d: Driver<'_>,
    device: &str,
    zone: &str,
    n: u32,
    for_s: u64,
    window_s: u64,
) -> NewEvent {
    NewEvent::new("device.quarantined", zone)
        .device(device)
        .level(Level::Red)
        .attr("driver", d.name)
        .attr("version", d.version)
        .attr("crashes", i64::from(n))
        .attr("for_s", for_s as i64)
        .message(format!(
            "device `{device}` crashed driver {} {n} times within {window_s} s and is closed for {for_s} s (or until an admin releases it); the driver's other devices run on",
            d.label()
        ))
}

/// Why a quarantined device is not running, as its status shows it.
pub fn device_held_problem(d: Driver<'_>, n: u32, for_s: u64, window_s: u64) -> String {
    format!(
        "quarantined for {for_s} s: its calls crashed driver {} {n} times within {window_s} s",
        d.label()
    )
}

/// `driver.quarantined`: `recent` crashes within `window_s`, held for `for_s`.
pub fn driver_quarantined(d: Driver<'_>, recent: u32, for_s: u64, window_s: u64) -> NewEvent {
    NewEvent::new("driver.quarantined", HUB_ZONE)
        .level(Level::Red)
        .attr("driver", d.name)
        .attr("version", d.version)
        .attr("crashes", u64::from(recent))
        .attr("for_s", for_s as i64)
        .message(format!(
            "driver {} crashed {recent} times within {window_s} s and is quarantined for {for_s} s (or until it is replaced or an admin releases it)",
            d.label()
        ))
}

/// `device.released`: a held device is open again, and why.
pub fn device_released(
    driver: &str,
    device: &str,
    zone: &str,
    why: &str,
    actor: Option<&str>,
) -> NewEvent {
    let ev = NewEvent::new("device.released", zone)
        .device(device)
        .attr("driver", driver)
        .attr("reason", why)
        .message(format!("device `{device}` is open again: {why}"));
    match actor {
        Some(a) => ev.actor(a),
        None => ev,
    }
}

/// `driver.released`: a quarantined driver is built again, and why.
pub fn driver_released(d: Driver<'_>, why: &str, actor: Option<&str>) -> NewEvent {
    let ev = NewEvent::new("driver.released", HUB_ZONE)
        .attr("driver", d.name)
        .attr("version", d.version)
        .attr("reason", why)
        .message(format!("driver {} is built again: {why}", d.label()));
    match actor {
        Some(a) => ev.actor(a),
        None => ev,
    }
}

/// `driver.loaded`: a new build (its file's hash) replaced `replaces`.
pub fn driver_loaded(d: Driver<'_>, hash: &str, replaces: &str) -> NewEvent {
    NewEvent::new("driver.loaded", HUB_ZONE)
        .attr("driver", d.name)
        .attr("version", d.version)
        .attr("hash", hash)
        .attr("replaces", replaces)
        .message(format!("driver {} loaded, replacing {replaces}", d.label()))
}

/// `driver.throttled`: what a device lost to its quota since the last report.
pub fn throttled(
    driver: &str,
    device: &str,
    zone: &str,
    dropped: [u64; 3],
    limits: &EventLimits,
) -> NewEvent {
    let total: u64 = dropped.iter().sum();
    NewEvent::new("driver.throttled", zone)
        .device(device)
        .level(Level::Yellow)
        .attr("driver", driver)
        .attr("dropped", total as i64)
        .attr("over_rate", dropped[Dropped::Rate as usize] as i64)
        .attr("over_per_call", dropped[Dropped::PerCall as usize] as i64)
        .attr("too_large", dropped[Dropped::TooLarge as usize] as i64)
        .attr("per_second", i64::from(limits.per_second))
        .message(format!(
            "{driver} device `{device}` is over its event quota: {total} event(s) dropped (limit {}/s, burst {}, {} per call, {} bytes)",
            limits.per_second, limits.burst, limits.per_call, limits.max_bytes
        ))
}

/// The audit record of an operator's command: `device.command` with who
/// asked for what, under one correlation for the intent and its outcome.
pub fn command(device: &str, zone: &str, actor: &str, name: &str, args: &str) -> NewEvent {
    NewEvent::new("device.command", zone)
        .device(device)
        .actor(actor)
        .attr("command", name)
        .attr("args", args)
        .correlation(&format!("cmd-{}", fastrand::u64(..)))
}

/// How a command ended, on its audit record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandResult<'a> {
    /// On record before anything reaches the device.
    Requested,
    /// The device confirmed.
    Ok,
    /// The device failed or did not answer.
    Failed(&'a str),
    /// The driver refused.
    Refused(&'a str),
}

/// The audit record `audit` with its result.
pub fn command_result(audit: &NewEvent, result: CommandResult<'_>) -> NewEvent {
    let ev = audit.clone();
    match result {
        CommandResult::Requested => {
            let (actor, name) = (
                ev.actor.clone().unwrap_or_default(),
                ev.text("command").unwrap_or_default().to_owned(),
            );
            let device = ev.device.clone().unwrap_or_default();
            ev.attr("result", "requested")
                .message(format!("{actor} asked for `{name}` on {device}"))
        }
        CommandResult::Ok => ev.attr("result", "ok"),
        CommandResult::Failed(why) => ev
            .level(Level::Yellow)
            .attr("result", "failed")
            .attr("error", why),
        CommandResult::Refused(why) => ev.attr("result", "refused").attr("error", why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Driver<'static> = Driver {
        name: "modbus-fire-panel",
        version: "0.1.0",
    };

    #[test]
    fn crash_notices_name_the_driver_the_device_and_the_counts() {
        let e = crashed(D, "unreachable", 4, Some("fp-1"));
        assert_eq!(
            (e.kind.as_str(), e.level),
            ("driver.crashed", Level::Orange)
        );
        assert_eq!(e.text("device"), Some("fp-1"));
        assert_eq!(e.int("crashes"), Some(4));
        let e = device_quarantined(D, "fp-1", "campus/chem", 3, 300, 60);
        assert_eq!((e.zone.as_str(), e.level), ("campus/chem", Level::Red));
        assert!(e.message.unwrap().contains("3 times within 60 s"));
        let e = driver_quarantined(D, 3, 300, 60);
        assert_eq!(e.int("for_s"), Some(300));
        assert!(
            driver_released(D, "an admin released it", Some("ops"))
                .actor
                .is_some()
        );
    }

    #[test]
    fn a_command_keeps_one_correlation_from_intent_to_outcome() {
        let audit = command("fp-1", "campus/chem", "alice", "reset", "{}");
        let intent = command_result(&audit, CommandResult::Requested);
        let failed = command_result(&audit, CommandResult::Failed("timeout"));
        assert_eq!(intent.correlation, failed.correlation);
        assert_eq!(
            intent.message.as_deref(),
            Some("alice asked for `reset` on fp-1")
        );
        assert_eq!(
            (failed.text("result"), failed.level),
            (Some("failed"), Level::Yellow)
        );
        assert_eq!(
            command_result(&audit, CommandResult::Refused("bad-args: x")).text("error"),
            Some("bad-args: x")
        );
    }
}
