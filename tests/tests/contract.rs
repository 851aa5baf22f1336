//! The driver contract and how it grows (`plugin-sdk/wit`, the SDK guide's
//! "How the contract grows"): what a driver needs is read from its imports;
//! a driver built against 1.0 loads in a hub of a later, additive 1.1; a
//! driver that uses what a hub lacks is refused with its name.
//!
//! The 1.1 here is a test-only contract (`drivers/contract-next/wit`: 1.0's
//! files linked, one interface added) with a hub bound to it by wasmtime's
//! bindgen (`contract/next_hub.rs`), as the real hub binds 1.0.

mod contract {
    pub mod next_hub;
}

use std::time::Duration;

use contract::next_hub::{Lent, NextHub};
use twinwall_hub::runtime::{Runtime, RuntimeError, RuntimeOptions};
use twinwall_tests::drivers;

fn runtime(dir: &std::path::Path) -> std::sync::Arc<Runtime> {
    Runtime::new(RuntimeOptions {
        cache_dir: dir.to_owned(),
        call_timeout: Duration::from_millis(200),
        memory_limit: 32 << 20,
    })
    .unwrap()
}

#[test]
fn a_1_0_driver_runs_unchanged_in_a_hub_with_a_later_additive_interface() {
    let path = drivers().join("modbus_contacts.wasm");
    let mut hub = NextHub::load(&path).expect("a 1.0 driver links against 1.1's interfaces");
    let info = hub.describe().unwrap();
    assert_eq!(info.name, "modbus-contacts");
    hub.open_and_start("io-1", &[("inputs", "0=water_leak, 2=gas")])
        .unwrap();
    assert_eq!(hub.calls(), ["poll inputs 0+3 every 500"]);
    let events = hub
        .handle(Lent::Inputs("inputs".into(), vec![0, 0, 1]))
        .unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].kind, "sensor.alarm");
    assert!(
        events[0]
            .attrs
            .iter()
            .any(|a| a.key == "sensor" && format!("{:?}", a.value).contains("gas")),
        "{events:?}"
    );
}

#[test]
fn a_1_1_driver_runs_in_a_1_1_hub_and_uses_the_addition() {
    let mut hub = NextHub::load(&drivers().join("contract_next_test_driver.wasm")).unwrap();
    hub.open_and_start("next-1", &[]).unwrap();
    assert_eq!(
        hub.calls(),
        ["note next-1 started on contract 1.1", "timer beat 1000"]
    );
    let events = hub.handle(Lent::Timer("beat".into())).unwrap();
    assert_eq!(events[0].kind, "sensor.heartbeat");
}

#[test]
fn a_1_0_hub_refuses_a_driver_that_needs_the_addition_by_its_name() {
    let cache = tempfile::tempdir().unwrap();
    let err = match runtime(cache.path()).load(&drivers().join("contract_next_test_driver.wasm")) {
        Ok(d) => panic!("{} loaded", d.label()),
        Err(e) => e,
    };
    let RuntimeError::Lacks {
        contract, missing, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(contract.to_string(), "1.1.0");
    assert_eq!(missing, &["twinwall:driver/notes@1.1.0"]);
    let text = err.to_string();
    assert!(
        text.contains("twinwall:driver/notes@1.1.0")
            && text.contains("this hub serves twinwall:driver@1.0.0"),
        "{text}"
    );
}

#[test]
fn the_hub_reads_each_drivers_needs_from_its_imports() {
    let cache = tempfile::tempdir().unwrap();
    let rt = runtime(cache.path());
    for (file, needs) in [
        ("modbus_fire_panel.wasm", &["modbus"][..]),
        ("modbus_contacts.wasm", &["modbus"]),
        ("onvif_camera.wasm", &["http-client", "rtsp"]),
        (
            "face_gate.wasm",
            &["http-client", "http-listener", "http-stream"],
        ),
        (
            "anpr.wasm",
            &["http-client", "http-listener", "http-stream"],
        ),
        ("perimeter.wasm", &["http-client", "sockets", "crypto"]),
        ("ip_speaker.wasm", &["http-client", "rtp"]),
        ("hostile_test_driver.wasm", &[]),
    ] {
        let d = rt.load(&drivers().join(file)).unwrap();
        assert_eq!(d.capabilities, needs, "{file}");
        assert_eq!(d.contract.to_string(), "1.0.0", "{file}");
    }
}
