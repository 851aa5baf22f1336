//! An independent Modbus stack (pymodbus) reads the simulated panel exactly as
//! the register map documents. The test command installs pymodbus from
//! `tests/interop/requirements.txt`.

use twinwall_simulator::fire_panel::FirePanel;
use twinwall_tests::interop;

const ENABLED: u64 = 1 << 10;
const INACTIVE: u64 = 1 << 12;
const ACTIVE: u64 = 1 << 11;
const TROUBLE: u64 = 1 << 13;
const DISABLED: u64 = 1 << 9;
const ACK_FIRE: u64 = 1 << 8;
const ACK_BLOCK: u64 = 1 << 15;

#[tokio::test(flavor = "multi_thread")]
async fn pymodbus_reads_the_panel_as_the_map_documents() {
    let panel = FirePanel::start("fp-1", "127.0.0.1:0".parse().unwrap(), 16)
        .await
        .unwrap();
    panel.with_state(|s| {
        s.alarm(3);
        s.set_fault(6, true);
        s.set_disabled(9, true);
        s.main_power_fault = true;
    });
    let addr = panel.addr();
    let v = interop(
        "read_fire_panel.py",
        vec![addr.ip().to_string(), addr.port().to_string(), "16".into()],
    )
    .await;
    let words: Vec<u64> = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_u64().unwrap())
        .collect();
    assert_eq!(
        v["identity"],
        serde_json::json!([1, 16, 0, 0, 0]),
        "map version, point count, counters"
    );
    assert_eq!(words[0], ENABLED | INACTIVE | 1, "a normal fire point");
    assert_eq!(words[2], ENABLED | ACTIVE | 1, "point 3 in fire alarm");
    assert_eq!(
        words[5],
        ENABLED | INACTIVE | TROUBLE | 1,
        "point 6 in trouble"
    );
    assert_eq!(words[8], DISABLED | INACTIVE | 1, "point 9 disabled");
    assert_eq!(
        words[15],
        ENABLED | INACTIVE | 2,
        "the last point is supervisory"
    );
    assert_eq!(v["types"][2], 40, "smoke detector");
    assert_eq!(v["types"][7], 23, "manual call point");
    assert_eq!(
        v["leds"],
        serde_json::json!([1, 0, 1, 0, 1, 0, 1, 0]),
        "fire, fault, disabled, mains fault"
    );
    assert_eq!(
        v["beyond_exception"], 2,
        "illegal data address past the last point"
    );
    assert_eq!(
        v["write_register_exception"], 1,
        "point words are read-only"
    );
    assert_eq!(v["acknowledge_ok"], true);
    assert_eq!(
        v["after_ack_points"][2].as_u64().unwrap(),
        ENABLED | ACTIVE | ACK_FIRE | 1
    );
    assert_eq!(
        v["after_ack_points"][5].as_u64().unwrap(),
        ENABLED | INACTIVE | TROUBLE | ACK_BLOCK | 1
    );
    assert_eq!(v["reset_ok"], true);
    assert_eq!(
        v["after_reset_points"][2].as_u64().unwrap(),
        ENABLED | INACTIVE | 1,
        "reset clears the latched alarm"
    );
    assert_eq!(v["after_reset_counters"], serde_json::json!([1, 0, 1]));
}
