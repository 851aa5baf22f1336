//! The event-kind table: every kind a driver or the hub emits, in one place.
//!
//! A kind is dotted lowercase `family.what`. Conditions (`phase: yes`) come as
//! `begin`/`end` pairs keyed by the device and the `point` (or other source)
//! attribute; instant facts carry no phase. The hub emits the `device.*`,
//! `driver.*` and operator kinds itself.
//!
//! | kind | phase | default level | emitted by | attributes |
//! |---|---|---|---|---|
//! | `fire.alarm` | yes | red | fire-panel drivers | `point`, `event_type` |
//! | `fire.prealarm` | yes | orange | fire-panel drivers | `point` |
//! | `fire.fault` | yes | yellow | fire-panel drivers | `point` or `fault` (`main_power`, `battery`, `panel`) |
//! | `fire.supervisory` | yes | yellow | fire-panel drivers | `point` |
//! | `fire.disabled` | yes | blue | fire-panel drivers | `point` |
//! | `fire.panel` | no | info | fire-panel drivers | `action`: `silenced`, `reset`, `acknowledged` |
//! | `perimeter.intrusion` | yes | orange (per zone) | perimeter drivers | `sensor_kind` (`fence`, `beam`, `fibre`, …), `subtype` (`touch`, `cut`, `short`, `anti_cut`, `beam_break`, `vibration`), `zone_number`, `area`, `code` |
//! | `perimeter.tamper` | yes | yellow | perimeter drivers | `subtype` (`enclosure`, `sensor`), `zone_number` |
//! | `perimeter.fault` | yes | yellow | perimeter drivers | `subtype` (`power`, `battery`, `sensor`) |
//! | `perimeter.armed` / `perimeter.disarmed` | no | info | perimeter drivers | `by`, `partition` |
//! | `perimeter.bypassed` | yes | blue | perimeter drivers | `zone_number` |
//! | `panic.cancelled` | no | info | alarm-post drivers | `zone_number`, `area` |
//! | `access.granted` | no | info | access drivers | `person_id`, `name`, `category` (`staff`, `student`, `visitor`, `unknown`), `method`, `door`, `direction` (`in`, `out`), `temperature`; the face picture in `media` |
//! | `access.denied` | no | blue (yellow for temperature) | access drivers | `reason` (`unknown_face`, `no_permission`, `abnormal_temperature`, `face_mismatch`), `door`, person fields when known |
//! | `access.door` | no | info (forced orange, held open yellow) | access drivers | `door`, `state` (`opened`, `closed`, `unlocked`, `locked`, `forced`, `held_open`, `always_open`, `always_closed`, `normal`) |
//! | `people.visitor_overdue` | yes | yellow | hub (people view) | `person_id`, `name`, `since`, `limit_s`, `gate` |
//! | `vehicle.plate` | no | info | vehicle drivers | `plate`, `plate_color`, `lane`, `direction`, `confidence`, `list`, `category`, `speed_kmh`; plate and scene pictures in `media` |
//! | `vehicle.passage` | no | info | barrier gates | `plate`, `passage` (`entry`, `exit`), `category`, `lane` |
//! | `vehicle.speeding` | no | yellow | speed cameras | `plate`, `speed_kmh`, `limit_kmh`, `lane` |
//! | `vehicle.overstay` | yes | yellow | hub (vehicle rules) | `plate`, `category`, `since`, `limit_s` |
//! | `vehicle.violation` | no | orange | hub (vehicle rules) | `plate`, `reason` (`blocklisted`, `speeding`), `cause` (seq), `speed_kmh`, `limit_kmh` |
//! | `barrier.state` | no | info (fault yellow) | barrier gates | `state` (`open`, `closed`, `held_open`, `fault`) |
//! | `camera.motion` | yes | info | camera drivers | `source` |
//! | `camera.tamper` | yes | orange | camera drivers | `source` |
//! | `camera.video_loss` | yes | orange | camera drivers | `source` |
//! | `camera.stream_uri` | no | info | camera drivers (command `stream_uri`) | `uri`, `profile` |
//! | `camera.snapshot` | no | info | camera drivers | `profile`; the picture in `media` |
//! | `camera.stream` | no | info (orange when not playing) | camera drivers | `state` (`playing`, `stalled`, `down`), `codec`, `width`, `height`, `fps`, `error` |
//! | `panic.pressed` | yes | red | alarm-post drivers | `zone_number`, `area` (the post), `sensor_kind` = `post` |
//! | `speaker.playing` | no | info | speaker drivers | `job`, `priority`, `source` (`rtp`, `multicast`, `tts`) |
//! | `speaker.idle` | no | info | speaker drivers | `job`, `end` (`finished`, `stopped`), `sent_ms` |
//! | `speaker.fault` | yes | yellow | speaker drivers | `fault` (`amplifier`, `line`) |
//! | `broadcast.requested` | no | info | hub (broadcasts; audit, with `actor`) | `job`, `zones`, `priority`, `speakers` |
//! | `broadcast.cancelled` | no | info | hub (broadcasts; audit) | `job` |
//! | `broadcast.scheduled` / `broadcast.unscheduled` | no | info | hub (broadcasts; audit) | `schedule`, `next` |
//! | `broadcast.missed` | no | yellow | hub (schedules) | `schedule`, `due` |
//! | `broadcast.started` | no | info | hub (broadcasts) | `job`, `speaker`, `priority` |
//! | `broadcast.preempted` | no | info | hub (broadcasts) | `job`, `speaker`, `by` (the job that cut in) |
//! | `broadcast.finished` | no | info | hub (broadcasts) | `job`, `speaker`, `sent_ms` |
//! | `broadcast.failed` | no | yellow | hub (broadcasts) | `job`, `speaker`, `reason` |
//! | `alarm.acknowledged` / `alarm.assigned` / `alarm.held` / `alarm.shelved` / `alarm.unshelved` / `alarm.out_of_service` / `alarm.in_service` / `alarm.closed` | no | info | hub (alarm book; a person's action, with `actor`; an expired shelving without) | `alarm`, `alarm_kind`, `note`, `to`, `reason`, `until`, `until_ms`, `resolution` |
//! | `alarm.escalated` | no | the alarm's | hub (alarm book) | `alarm`, `alarm_kind`, `count`, `waited_s` |
//! | `alarm.flood` | yes | orange | hub (alarm book) | `opened`, `window_s`, `above` |
//! | `session.started` / `session.refused` / `session.ended` | no | info | hub (sign-in; audit) | `login`, `role`, `locked` |
//! | `user.created` / `user.password_changed` / `user.disabled` / `user.enabled` / `unit.created` | no | info | hub (people; audit, with `actor`) | `login`, `role`, `unit` |
//! | `rule.fired` | no | as the cause | hub (linkage rules) | `rule`, `cause` (seq), `cause_kind`, `actions`, `alarm` (a rule on an alarm's own event); snapshots in `media` |
//! | `rule.action` | no | info (failed yellow) | hub (linkage rules) | `rule`, `cause`, `action`, `result`, `detail` |
//! | `rule.suppressed` | no | yellow | hub (linkage rules) | `rule`, `cause`, `reason` (hourly limit) |
//! | `rule.reloaded` / `rule.rejected` | no | info / yellow | hub (rules file) | `rules` / `reason` (file, line, why) |
//! | `clip.uploaded` | no | info | hub (audit, with `actor`) | `clip` (hash), `name` |
//! | `token.created` / `token.revoked` | no | info | hub (audit, with `actor`) | `token` (id), `name`, `role` |
//! | `sensor.alarm` | yes | orange | modbus-contacts (dry contacts: water leak, gas, door, relays) | `input`, `sensor` |
//! | `device.online` | no | info | hub | `transport` |
//! | `device.offline` | no | orange | hub | `transport`, `reason` |
//! | `device.command` | no | info | hub (audit) | `command`, `args`, `actor`, `result` |
//! | `driver.crashed` | no | orange | hub | `driver`, `version`, `trap`, `crashes`, `device` |
//! | `driver.quarantined` | no | red | hub | `driver`, `version`, `crashes` |
//! | `driver.loaded` | no | info | hub | `driver`, `version`, `hash` |
//! | `driver.released` | no | info | hub (quarantine ended or lifted by an admin, with `actor`) | `driver`, `version`, `reason` |
//! | `device.quarantined` | no | red | hub (a device whose calls crash its driver) | `driver`, `version`, `crashes`, `for_s` |
//! | `device.released` | no | info | hub (quarantine ended or lifted by an admin, with `actor`) | `driver`, `reason` |
//! | `risk.point_saved` / `risk.point_reviewed` / `risk.point_removed` | no | info | hub (the program's register; audit, with `actor`) | `point`, `name`, `record` (the point as JSON), `method`, `score`, `risk_level`, `unit`, `imported` (the list it came from), `note` |
//! | `risk.review_due` | no | yellow | hub (a point's yearly review overdue, 第十三条) | `point`, `due`, `due_ms` |
//! | `inspection.task_saved` / `inspection.task_removed` | no | info | hub (the program; audit) | `task`, `point`, `name`, `every`, `checklist` (JSON), `unit`, `from_ms` |
//! | `inspection.round` | no | info | hub (a round done, with `actor`; photos in `media`) | `task`, `period`, `items` (JSON), `ok`, `client_id` |
//! | `inspection.missed` | no | yellow | hub (a period ended without its round) | `task`, `period`, `unit`, `due_ms` |
//! | `hazard.opened` | no | yellow | hub (a person's report or round, with `actor`; or a hazard rule over device data) | `origin` (`person`, `rule`), `source`, `category`, `hazard_level` (`general`, `major`), `description`, `unit`, `point`, `rule`, `condition`, `evidence` (seqs), `cause`, `held_s`, `task`, `period`, `item`, `office`, `client_id` |
//! | `hazard.fixed` / `hazard.notified` / `hazard.planned` / `hazard.started` / `hazard.progress` / `hazard.submitted` / `hazard.accepted` / `hazard.rejected` / `hazard.cancelled` | no | info | hub (the loop's steps, with `actor`; photos in `media`) | `hazard`, `note`, `unit`, `person`, `deadline`, `deadline_ms`, `plan` (JSON), `reason` |
//! | `hazard.overdue` | no | yellow (to the office orange) | hub (a hazard past its deadline: `stage` 1 to the unit, 2 to the program office) | `hazard`, `stage`, `to`, `deadline`, `days_over` |
//! | `assessment.entered` | no | info | hub (an assessment item the program office entered, with `actor`; evidence in `media`) | `unit`, `term`, `article`, `points`, `reason` |
//! | `device.placed` | no | info | hub (an admin dragged the device on the console's map, with `actor`) | `on` (the plan's zone, empty for the site's), `x`, `y` |
//! | `bus.gap` | no | orange | hub (retention) | `first_seq`, `last_seq`, `events` (removed by the hard size cap before the northbound broker had them) |
//! | `northbound.dropped` | no | yellow | hub (MQTT bridge) | `event_seq`, `event_kind`, `bytes`, `limit` (an event over the broker's size, kept on the hub) |
//! | `driver.throttled` | no | yellow | hub (event quota) | `driver`, `dropped`, `over_rate`, `over_per_call`, `too_large`, `per_second` |

/// A row of the kind table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
    /// The dotted kind.
    pub kind: &'static str,
    /// Whether events of this kind come as begin/end pairs.
    pub condition: bool,
}

macro_rules! kinds {
    ($($name:ident = $kind:literal, $cond:literal;)*) => {
        $(#[doc = concat!("`", $kind, "`")] pub const $name: &str = $kind;)*
        /// Every kind, for validation and documentation.
        pub const TABLE: &[KindSpec] = &[$(KindSpec { kind: $kind, condition: $cond }),*];
    };
}

kinds! {
    FIRE_ALARM = "fire.alarm", true;
    FIRE_PREALARM = "fire.prealarm", true;
    FIRE_FAULT = "fire.fault", true;
    FIRE_SUPERVISORY = "fire.supervisory", true;
    FIRE_DISABLED = "fire.disabled", true;
    FIRE_PANEL = "fire.panel", false;
    PERIMETER_INTRUSION = "perimeter.intrusion", true;
    PERIMETER_TAMPER = "perimeter.tamper", true;
    PERIMETER_FAULT = "perimeter.fault", true;
    PERIMETER_ARMED = "perimeter.armed", false;
    PERIMETER_DISARMED = "perimeter.disarmed", false;
    PERIMETER_BYPASSED = "perimeter.bypassed", true;
    ACCESS_GRANTED = "access.granted", false;
    ACCESS_DENIED = "access.denied", false;
    ACCESS_DOOR = "access.door", false;
    PEOPLE_VISITOR_OVERDUE = "people.visitor_overdue", true;
    VEHICLE_PLATE = "vehicle.plate", false;
    VEHICLE_SPEEDING = "vehicle.speeding", false;
    VEHICLE_OVERSTAY = "vehicle.overstay", true;
    VEHICLE_PASSAGE = "vehicle.passage", false;
    VEHICLE_VIOLATION = "vehicle.violation", false;
    BARRIER_STATE = "barrier.state", false;
    CAMERA_MOTION = "camera.motion", true;
    CAMERA_TAMPER = "camera.tamper", true;
    CAMERA_VIDEO_LOSS = "camera.video_loss", true;
    CAMERA_STREAM = "camera.stream", false;
    CAMERA_SNAPSHOT = "camera.snapshot", false;
    CAMERA_STREAM_URI = "camera.stream_uri", false;
    SENSOR_ALARM = "sensor.alarm", true;
    PANIC_PRESSED = "panic.pressed", true;
    PANIC_CANCELLED = "panic.cancelled", false;
    SPEAKER_PLAYING = "speaker.playing", false;
    SPEAKER_IDLE = "speaker.idle", false;
    SPEAKER_FAULT = "speaker.fault", true;
    BROADCAST_REQUESTED = "broadcast.requested", false;
    BROADCAST_CANCELLED = "broadcast.cancelled", false;
    BROADCAST_SCHEDULED = "broadcast.scheduled", false;
    BROADCAST_UNSCHEDULED = "broadcast.unscheduled", false;
    BROADCAST_MISSED = "broadcast.missed", false;
    BROADCAST_STARTED = "broadcast.started", false;
    BROADCAST_PREEMPTED = "broadcast.preempted", false;
    BROADCAST_FINISHED = "broadcast.finished", false;
    BROADCAST_FAILED = "broadcast.failed", false;
    ALARM_ACKNOWLEDGED = "alarm.acknowledged", false;
    ALARM_ASSIGNED = "alarm.assigned", false;
    ALARM_HELD = "alarm.held", false;
    ALARM_SHELVED = "alarm.shelved", false;
    ALARM_UNSHELVED = "alarm.unshelved", false;
    ALARM_OUT_OF_SERVICE = "alarm.out_of_service", false;
    ALARM_IN_SERVICE = "alarm.in_service", false;
    ALARM_CLOSED = "alarm.closed", false;
    ALARM_ESCALATED = "alarm.escalated", false;
    ALARM_FLOOD = "alarm.flood", true;
    SESSION_STARTED = "session.started", false;
    SESSION_REFUSED = "session.refused", false;
    SESSION_ENDED = "session.ended", false;
    USER_CREATED = "user.created", false;
    USER_PASSWORD_CHANGED = "user.password_changed", false;
    USER_DISABLED = "user.disabled", false;
    USER_ENABLED = "user.enabled", false;
    UNIT_CREATED = "unit.created", false;
    RULE_FIRED = "rule.fired", false;
    RULE_ACTION = "rule.action", false;
    RULE_SUPPRESSED = "rule.suppressed", false;
    RULE_RELOADED = "rule.reloaded", false;
    RULE_REJECTED = "rule.rejected", false;
    CLIP_UPLOADED = "clip.uploaded", false;
    TOKEN_CREATED = "token.created", false;
    TOKEN_REVOKED = "token.revoked", false;
    DEVICE_ONLINE = "device.online", false;
    DEVICE_OFFLINE = "device.offline", false;
    DEVICE_COMMAND = "device.command", false;
    DRIVER_CRASHED = "driver.crashed", false;
    DRIVER_QUARANTINED = "driver.quarantined", false;
    DRIVER_LOADED = "driver.loaded", false;
    DRIVER_THROTTLED = "driver.throttled", false;
    DRIVER_RELEASED = "driver.released", false;
    DEVICE_QUARANTINED = "device.quarantined", false;
    DEVICE_RELEASED = "device.released", false;
    DEVICE_PLACED = "device.placed", false;
    RISK_POINT_SAVED = "risk.point_saved", false;
    RISK_POINT_REVIEWED = "risk.point_reviewed", false;
    RISK_POINT_REMOVED = "risk.point_removed", false;
    RISK_REVIEW_DUE = "risk.review_due", false;
    INSPECTION_TASK_SAVED = "inspection.task_saved", false;
    INSPECTION_TASK_REMOVED = "inspection.task_removed", false;
    INSPECTION_ROUND = "inspection.round", false;
    INSPECTION_MISSED = "inspection.missed", false;
    HAZARD_OPENED = "hazard.opened", false;
    HAZARD_FIXED = "hazard.fixed", false;
    HAZARD_NOTIFIED = "hazard.notified", false;
    HAZARD_PLANNED = "hazard.planned", false;
    HAZARD_STARTED = "hazard.started", false;
    HAZARD_PROGRESS = "hazard.progress", false;
    HAZARD_SUBMITTED = "hazard.submitted", false;
    HAZARD_ACCEPTED = "hazard.accepted", false;
    HAZARD_REJECTED = "hazard.rejected", false;
    HAZARD_CANCELLED = "hazard.cancelled", false;
    HAZARD_OVERDUE = "hazard.overdue", false;
    ASSESSMENT_ENTERED = "assessment.entered", false;
    NORTHBOUND_DROPPED = "northbound.dropped", false;
    BUS_GAP = "bus.gap", false;
}

/// Families only the hub emits. A driver's event of one would impersonate
/// the hub (a forged acknowledgement, sign-in or rule firing): the hub
/// refuses such an event ([`hub_only`]) and the conformance kit fails a
/// driver that declares one.
pub const HUB_FAMILIES: &[&str] = &[
    "driver",
    "bus",
    "northbound",
    "broadcast",
    "rule",
    "token",
    "clip",
    "alarm",
    "session",
    "user",
    "unit",
    "risk",
    "inspection",
    "hazard",
    "assessment",
];

/// The `device.*` kinds the hub emits of a device's link and handling;
/// other `device.*` kinds are a driver's own (a heartbeat).
pub const HUB_DEVICE_KINDS: &[&str] = &[
    DEVICE_ONLINE,
    DEVICE_OFFLINE,
    DEVICE_COMMAND,
    DEVICE_QUARANTINED,
    DEVICE_RELEASED,
    DEVICE_PLACED,
];

/// Whether only the hub may emit `kind`.
pub fn hub_only(kind: &str) -> bool {
    let family = kind.split('.').next().unwrap_or("");
    HUB_FAMILIES.contains(&family) || HUB_DEVICE_KINDS.contains(&kind)
}

/// The table row of `kind`, if it is a documented kind.
pub fn lookup(kind: &str) -> Option<&'static KindSpec> {
    TABLE.iter().find(|k| k.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_dotted_lowercase_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for k in TABLE {
            assert!(seen.insert(k.kind), "duplicate kind {}", k.kind);
            let (family, what) = k.kind.split_once('.').expect("dotted");
            assert!(!family.is_empty() && !what.is_empty(), "{}", k.kind);
            assert!(
                k.kind
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
            );
        }
        assert_eq!(lookup("fire.alarm").map(|k| k.condition), Some(true));
        assert!(hub_only("alarm.closed") && hub_only("device.offline"));
        assert!(!hub_only("device.heartbeat") && !hub_only("fire.alarm"));
        assert_eq!(lookup("nope.nope"), None);
    }
}
