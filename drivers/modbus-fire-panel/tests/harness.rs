//! The fire-panel driver, fed recorded register frames through the SDK harness.

use modbus_fire_panel::FirePanel;
use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::{ModbusPoll, ModbusWrite};

const PROFILE: &str = include_str!("../../../device-profiles/fire-panel/twinwall-fp1.toml");
const NORMAL: u16 = 0x1401; // enabled + inactive, fire point
const ALARM: u16 = 0x0c01; // enabled + active, fire point
const FAULT: u16 = 0x3401; // enabled + inactive + trouble

fn panel(settings: &[(&str, &str)]) -> Harness<FirePanel> {
    let mut cfg = DeviceConfig::new("fp-1").with_profile(PROFILE);
    for (k, v) in settings {
        cfg = cfg.with_setting(k, v);
    }
    Harness::open(cfg).unwrap()
}

fn points(words: &[u16]) -> Input {
    Input::registers("points-0", ModbusTable::HoldingRegisters, 0, words)
}

fn point_attr(e: &Event) -> Option<i64> {
    match e.get("point") {
        Some(Value::Int(p)) => Some(*p),
        _ => None,
    }
}

#[test]
fn start_polls_points_summary_and_counters() {
    let mut h = panel(&[("points", "200")]);
    let reqs = h.start();
    let polls: Vec<&ModbusPoll> = reqs
        .iter()
        .filter_map(|r| {
            if let RequestKind::ModbusPoll(p) = r.kind() {
                Some(p)
            } else {
                None
            }
        })
        .collect();
    // 200 points need two reads of at most 125 registers.
    let point_polls: Vec<_> = polls
        .iter()
        .filter(|p| p.id.starts_with("points-"))
        .collect();
    assert_eq!(point_polls.len(), 2);
    assert_eq!(
        (point_polls[0].read.address, point_polls[0].read.count),
        (0, 125)
    );
    assert_eq!(
        (point_polls[1].read.address, point_polls[1].read.count),
        (125, 75)
    );
    assert!(
        polls
            .iter()
            .any(|p| p.id == "summary" && p.read.table == ModbusTable::DiscreteInputs)
    );
    assert!(
        polls
            .iter()
            .any(|p| p.id == "counters" && p.every_ms == 1000)
    );
}

#[test]
fn alarm_begins_and_ends_on_real_transitions_only() {
    let mut h = panel(&[("points", "4")]);
    h.start();
    // Types: point 3 is a smoke detector.
    h.feed(Input::registers(
        "types-0",
        ModbusTable::InputRegisters,
        100,
        &[40, 40, 40, 23],
    ));
    assert!(
        h.feed(points(&[NORMAL; 4])).events.is_empty(),
        "a quiet panel reports nothing"
    );
    let out = h.feed(points(&[NORMAL, NORMAL, ALARM, NORMAL]));
    assert_eq!(out.events.len(), 1);
    let e = &out.events[0];
    assert_eq!(e.kind, "fire.alarm");
    assert_eq!(e.phase, Some(Phase::Begin));
    assert_eq!(e.level, Level::Red);
    assert_eq!(point_attr(e), Some(3));
    assert_eq!(
        e.get("component"),
        Some(&Value::Text("smoke detector".into()))
    );
    // The same frame again is no news.
    assert!(
        h.feed(points(&[NORMAL, NORMAL, ALARM, NORMAL]))
            .events
            .is_empty()
    );
    let out = h.feed(points(&[NORMAL; 4]));
    assert_eq!(out.events.len(), 1);
    assert_eq!(
        (out.events[0].kind.as_str(), out.events[0].phase),
        ("fire.alarm", Some(Phase::End))
    );
}

#[test]
fn first_read_reports_standing_conditions_once() {
    let mut h = panel(&[("points", "3")]);
    let events = h.feed_all([
        points(&[FAULT, ALARM, 0x00ff]),
        points(&[FAULT, ALARM, 0x00ff]),
    ]);
    let kinds: Vec<_> = events
        .iter()
        .map(|e| (e.kind.as_str(), point_attr(e)))
        .collect();
    assert_eq!(
        kinds,
        vec![("fire.fault", Some(1)), ("fire.alarm", Some(2))]
    );
}

#[test]
fn every_condition_bit_maps_to_its_kind() {
    let mut h = panel(&[("points", "1")]);
    h.feed(points(&[NORMAL]));
    let cases = [
        (0x0c02, "fire.supervisory", Level::Yellow),
        (0x5401, "fire.prealarm", Level::Orange),
        (0x3401, "fire.fault", Level::Yellow),
        (0x1201, "fire.disabled", Level::Blue),
    ];
    for (word, kind, level) in cases {
        let on = h.feed(points(&[word])).events;
        assert_eq!(on.len(), 1, "{kind}");
        assert_eq!(
            (on[0].kind.as_str(), on[0].level, on[0].phase),
            (kind, level, Some(Phase::Begin))
        );
        let off = h.feed(points(&[NORMAL])).events;
        assert_eq!(
            (off[0].kind.as_str(), off[0].phase),
            (kind, Some(Phase::End))
        );
    }
}

#[test]
fn power_faults_come_from_summary_leds() {
    let mut h = panel(&[]);
    let summary = |main: u16, batt: u16| {
        Input::registers(
            "summary",
            ModbusTable::DiscreteInputs,
            0,
            &[0, 0, 0, 0, 0, 0, main, batt],
        )
    };
    assert!(h.feed(summary(0, 0)).events.is_empty());
    let e = h.feed(summary(1, 0)).events;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].get("fault"), Some(&Value::Text("main_power".into())));
    assert_eq!(e[0].phase, Some(Phase::Begin));
    let e = h.feed(summary(0, 1)).events;
    assert_eq!(e.len(), 2);
}

#[test]
fn counters_report_panel_actions() {
    let mut h = panel(&[]);
    let counters = |r: u16, s: u16, a: u16| {
        Input::registers("counters", ModbusTable::InputRegisters, 2, &[r, s, a])
    };
    assert!(
        h.feed(counters(7, 1, 0)).events.is_empty(),
        "first read is the baseline"
    );
    let e = h.feed(counters(8, 1, 0)).events;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].kind, "fire.panel");
    assert_eq!(e[0].get("action"), Some(&Value::Text("reset".into())));
    let e = h.feed(counters(8, 2, 1)).events;
    let actions: Vec<_> = e.iter().map(|e| e.get("action").cloned()).collect();
    assert_eq!(
        actions,
        vec![
            Some(Value::Text("silenced".into())),
            Some(Value::Text("acknowledged".into()))
        ]
    );
    // Wrap-around still counts once.
    let mut h = panel(&[]);
    h.feed(counters(65535, 0, 0));
    assert_eq!(h.feed(counters(0, 0, 0)).events.len(), 1);
}

#[test]
fn commands_are_allowed_per_panel() {
    let mut h = panel(&[("allow_commands", "silence, reset")]);
    let reqs = h.command("reset", "{}").unwrap();
    assert_eq!(
        reqs,
        vec![Request::from(ModbusWrite {
            id: "cmd-reset".into(),
            table: ModbusTable::Coils,
            address: 0,
            values: vec![1]
        })]
    );
    let e = h.command("acknowledge", "").unwrap_err();
    assert_eq!(e.code, "not-allowed");
    assert!(
        e.message.contains("fp-1") && e.message.contains("allow_commands"),
        "{}",
        e.message
    );
    assert_eq!(
        h.command("launch", "{}").unwrap_err().code,
        "unknown-command"
    );
    assert_eq!(
        h.command("silence", r#"{"x":1}"#).unwrap_err().code,
        "bad-args"
    );
    // Default: nothing allowed.
    assert_eq!(
        panel(&[]).command("silence", "{}").unwrap_err().code,
        "not-allowed"
    );
}

#[test]
fn bad_config_names_the_setting() {
    let e = Harness::<FirePanel>::open(
        DeviceConfig::new("fp-9")
            .with_profile(PROFILE)
            .with_setting("points", "0"),
    )
    .err()
    .unwrap();
    assert!(
        e.message.contains("fp-9") && e.message.contains("points"),
        "{}",
        e.message
    );
    let e = Harness::<FirePanel>::open(
        DeviceConfig::new("fp-9")
            .with_profile(PROFILE)
            .with_setting("allow_commands", "explode"),
    )
    .err()
    .unwrap();
    assert!(e.message.contains("explode"), "{}", e.message);
    let e = Harness::<FirePanel>::open(DeviceConfig::new("fp-9"))
        .err()
        .unwrap();
    assert!(e.message.contains("profile"), "{}", e.message);
}

#[test]
fn a_panel_with_fewer_points_than_configured_is_read_as_it_is() {
    let mut h = panel(&[]);
    h.start();
    let out = h.feed(Input::registers(
        "identity",
        ModbusTable::InputRegisters,
        0,
        &[1, 16],
    ));
    let polls: Vec<_> = out
        .requests
        .iter()
        .filter_map(|r| {
            if let RequestKind::ModbusPoll(p) = r.kind() {
                Some((p.id.clone(), p.read.address, p.read.count))
            } else {
                None
            }
        })
        .collect();
    assert_eq!(polls, vec![("points-0".to_string(), 0, 16)]);
    assert!(out.requests.contains(&Request::cancel("points-0")));
    assert_eq!(h.device().points(), 16);
    let logs = h.take_logs();
    assert!(
        logs.iter().any(|(_, m)| m.contains("16 points")),
        "{logs:?}"
    );
}

#[test]
fn point_words_captured_from_a_panel_give_one_begin_and_one_end() {
    use twinwall_plugin_sdk::testing::modbus_frame;
    let fixture = |name: &str| {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let mut h = panel(&[("points", "16")]);
    let read = h
        .start()
        .into_iter()
        .find_map(|r| match r.into_kind() {
            RequestKind::ModbusPoll(p) if p.id == "points-0" => Some(p.read),
            _ => None,
        })
        .expect("a poll of the point words");
    let normal = modbus_frame("points-0", &read, &fixture("sim-points-normal.hex")).unwrap();
    let alarm = modbus_frame("points-0", &read, &fixture("sim-points-alarm-3.hex")).unwrap();
    assert!(h.feed(normal.clone()).events.is_empty());
    let begin = h.feed(alarm.clone()).events;
    assert_eq!(begin.len(), 1, "{begin:?}");
    assert_eq!(
        (begin[0].kind.as_str(), begin[0].phase),
        ("fire.alarm", Some(Phase::Begin))
    );
    assert_eq!(point_attr(&begin[0]), Some(3));
    assert!(
        h.feed(alarm).events.is_empty(),
        "repeated polls say nothing"
    );
    let end = h.feed(normal).events;
    assert_eq!((end.len(), end[0].phase), (1, Some(Phase::End)));
}

#[test]
fn a_device_overrides_the_profiles_intervals_and_leaves_blocks_out() {
    let mut h = panel(&[
        ("points", "16"),
        ("poll_ms", "2000"),
        ("summary", "false"),
        ("counters", "false"),
    ]);
    let polls: Vec<(String, u32)> = h
        .start()
        .into_iter()
        .filter_map(|r| match r.into_kind() {
            RequestKind::ModbusPoll(p) => Some((p.id, p.every_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(polls, [("points-0".to_owned(), 2000)]);
    let mut h = panel(&[("counters_ms", "5000")]);
    let counters = h.start().into_iter().find_map(|r| match r.into_kind() {
        RequestKind::ModbusPoll(p) if p.id == "counters" => Some(p.every_ms),
        _ => None,
    });
    assert_eq!(counters, Some(5000));
    for (k, v) in [
        ("poll_ms", "10"),
        ("summary", "maybe"),
        ("counters_ms", "x"),
    ] {
        let e = Harness::<FirePanel>::open(
            DeviceConfig::new("fp-1")
                .with_profile(PROFILE)
                .with_setting(k, v),
        )
        .err()
        .unwrap_or_else(|| panic!("{k} = {v} accepted"));
        assert!(e.message.contains(k), "{}", e.message);
    }
}
