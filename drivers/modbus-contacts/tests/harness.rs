//! The template driver against what devices really sent: Modbus TCP answers
//! captured from pymodbus and from the simulated panel (`tests/fixtures`),
//! replayed through the SDK harness without a hub or wasm.

use modbus_contacts::Contacts;
use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::testing::modbus_frame;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn device(inputs: &str) -> Harness<Contacts> {
    Harness::<Contacts>::open(DeviceConfig::new("io-1").with_setting("inputs", inputs)).unwrap()
}

/// The read the driver asked for, to decode a captured answer against.
fn asked(h: &mut Harness<Contacts>) -> ModbusRead {
    match h.start().into_iter().next().map(Request::into_kind) {
        Some(RequestKind::ModbusPoll(p)) => p.read,
        other => panic!("expected a poll, got {other:?}"),
    }
}

#[test]
fn a_contact_closing_and_opening_is_one_begin_and_one_end() {
    let mut h = device("0=water_leak, 1=gas, 4=door");
    let read = asked(&mut h);
    assert_eq!(
        (read.table, read.address, read.count),
        (ModbusTable::DiscreteInputs, 0, 5)
    );
    let quiet = modbus_frame("inputs", &read, &fixture("sim-fc02-quiet.hex")).unwrap();
    let gas = modbus_frame("inputs", &read, &fixture("pymodbus-fc02-input1-on.hex")).unwrap();
    assert!(
        h.feed(quiet.clone()).events.is_empty(),
        "nothing to say at first"
    );
    let out = h.feed(gas.clone());
    assert_eq!(out.events.len(), 1);
    let e = &out.events[0];
    assert_eq!(
        (e.kind.as_str(), e.level, e.phase),
        ("sensor.alarm", Level::Orange, Some(Phase::Begin))
    );
    assert_eq!(e.get("sensor"), Some(&Value::Text("gas".into())));
    assert_eq!(e.get("input"), Some(&Value::Int(1)));
    assert!(h.feed(gas).events.is_empty(), "no event on unchanged state");
    let end = h.feed(quiet).events;
    assert_eq!(end.len(), 1);
    assert_eq!(end[0].phase, Some(Phase::End));
}

#[test]
fn a_contact_already_in_alarm_at_start_is_reported() {
    let mut h = device("1=gas");
    let read = asked(&mut h);
    assert_eq!((read.address, read.count), (1, 1));
    // The captured frame answered a read from 0; re-read it as this block.
    let frame = fixture("pymodbus-fc02-input1-on.hex");
    let from0 = ModbusRead {
        address: 0,
        count: 2,
        ..read
    };
    let Input::ModbusResponse(r) = modbus_frame("inputs", &from0, &frame).unwrap() else {
        panic!("a response");
    };
    let out = h.feed(Input::registers(
        "inputs",
        ModbusTable::DiscreteInputs,
        1,
        &r.values[1..],
    ));
    assert_eq!(out.events.len(), 1);
    assert_eq!(out.events[0].phase, Some(Phase::Begin));
}

#[test]
fn exceptions_and_bad_answers_never_trap_nor_invent_events() {
    let mut h = device("0=water_leak, 7=door");
    let read = asked(&mut h);
    let x = modbus_frame("inputs", &read, &fixture("sim-fc02-exception.hex")).unwrap();
    assert!(matches!(x, Input::ModbusException(ref e) if e.code == 2));
    assert!(h.feed(x).events.is_empty());
    // pymodbus's empty answer is refused by the replay, as the hub would.
    let big = ModbusRead { count: 16, ..read };
    let e = modbus_frame("inputs", &big, &fixture("pymodbus-fc02-empty.hex")).unwrap_err();
    assert!(e.to_string().contains("cannot hold 16 bits"), "{e}");
    // A short answer (fewer values than asked) reads as "off", not a panic.
    assert!(
        h.feed(Input::registers(
            "inputs",
            ModbusTable::DiscreteInputs,
            0,
            &[]
        ))
        .events
        .is_empty()
    );
    // An answer to another request is not this poll's.
    assert!(
        h.feed(Input::registers(
            "other",
            ModbusTable::DiscreteInputs,
            0,
            &[1; 8]
        ))
        .events
        .is_empty()
    );
}

#[test]
fn active_low_contacts_alarm_when_open() {
    let mut h = Harness::<Contacts>::open(
        DeviceConfig::new("io-2")
            .with_setting("inputs", "0=door")
            .with_setting("active_low", "true"),
    )
    .unwrap();
    h.start();
    let out = h.feed(Input::registers(
        "inputs",
        ModbusTable::DiscreteInputs,
        0,
        &[0],
    ));
    assert_eq!(out.events[0].phase, Some(Phase::Begin));
}

#[test]
fn bad_settings_are_refused_with_what_and_why() {
    for (inputs, why) in [
        ("", "names no input"),
        ("0=a, 0=b", "named twice"),
        ("x=leak", "not an input number"),
        ("leak", "not <input>=<sensor>"),
        ("0=a, 5000=b", "more than 2000"),
    ] {
        let err = Harness::<Contacts>::open(DeviceConfig::new("io").with_setting("inputs", inputs))
            .err()
            .unwrap_or_else(|| panic!("`{inputs}` accepted"));
        assert!(err.message.contains(why), "`{inputs}`: {}", err.message);
    }
    let err = Harness::<Contacts>::open(
        DeviceConfig::new("io")
            .with_setting("inputs", "0=a")
            .with_setting("poll_ms", "5"),
    )
    .err()
    .unwrap();
    assert!(err.message.contains("poll_ms"), "{}", err.message);
}

#[test]
fn describe_declares_what_the_hub_and_the_kit_check() {
    let info = Contacts::describe();
    assert_eq!(info.name, "modbus-contacts");
    assert!(info.kinds.iter().any(|k| k == "sensor.alarm"));
    for s in &info.settings {
        assert!(!s.description.is_empty(), "setting {} documented", s.key);
    }
    for k in &info.kinds {
        assert!(
            twinwall_plugin_sdk::kinds::lookup(k).is_some(),
            "{k} in the kind table"
        );
    }
}
