//! The simulator's scale mode: the `[[devices]]` entries it writes bring
//! every device online in a real hub, and its load (a steady rate and
//! bursts) reaches the bus from every family it drives.

use std::collections::HashSet;
use std::time::Duration;

use twinwall_simulator::scale::{Load, Scale};
use twinwall_tests::TestHub;

#[tokio::test(flavor = "multi_thread")]
async fn a_scaled_fleet_comes_online_from_its_own_entries_and_its_load_arrives() {
    let scale = Scale {
        fire_panels: 6,
        face_gates: 3,
        speakers: 2,
        cameras: 1,
        barrier_cameras: 1,
        first: 40,
        ..Scale::default()
    };
    let fleet = scale.start().await.unwrap();
    let entries = scale.hub_devices(&fleet, "campus");
    assert_eq!(entries.matches("[[devices]]").count(), 13);
    assert!(
        entries.contains("id = \"fp-40\"") && entries.contains("id = \"fp-45\""),
        "names start at `first`"
    );
    let hub = TestHub::start(
        &[
            "modbus-fire-panel",
            "face-gate",
            "ip-speaker",
            "onvif-camera",
            "anpr",
        ],
        &format!("[[zones]]\nid = \"campus\"\n{entries}"),
    )
    .await
    .unwrap();
    for id in [
        "fp-40", "fp-45", "fg-40", "fg-42", "sp-40", "sp-41", "cam-40", "bg-40",
    ] {
        hub.wait_online(id).await.unwrap();
    }
    // A burst (held two seconds, longer than a poll) raises two points on
    // each of the six panels.
    let fleet = std::sync::Arc::new(fleet);
    let drive = |load: Load| {
        let f = fleet.clone();
        tokio::spawn(async move { load.run(&f).await })
    };
    let bursts = drive(Load {
        rate: 0.0,
        burst: 12,
        burst_every_s: 2.0,
    });
    let alarms = hub
        .wait_count("kind=fire.alarm", 12, Duration::from_secs(10))
        .await;
    let Some(alarms) = alarms else {
        let all = hub.events("").await.unwrap();
        let kinds: Vec<String> = all
            .iter()
            .map(|e| format!("{} {}", e["kind"], e["device"]))
            .collect();
        panic!("no burst alarms; events: {kinds:?}");
    };
    let panels: HashSet<&str> = alarms.iter().filter_map(|e| e["device"].as_str()).collect();
    assert_eq!(panels.len(), 6, "every panel of the burst: {panels:?}");
    bursts.abort();
    // The steady rate passes people through the gates too.
    let running = drive(Load {
        rate: 30.0,
        burst: 0,
        burst_every_s: 0.0,
    });
    hub.wait_count("kind=access.*", 3, Duration::from_secs(10))
        .await
        .expect("passes at the gates");
    hub.wait_count("kind=vehicle.*", 1, Duration::from_secs(10))
        .await
        .expect("plates at the barrier");
    running.abort();
}
