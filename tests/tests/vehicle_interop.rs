//! An independent ISAPI client against the simulated barrier gate:
//! hikvisionapi reads its device info, commands and reads the barrier, and
//! parses an ANPR `EventNotificationAlert` off its alert stream with
//! xmltodict. The test command installs it from
//! `tests/interop/requirements.txt`.

use std::sync::Arc;
use std::time::Duration;

use twinwall_simulator::vehicle::{AnprCamera, AnprOptions, Barrier, PlateColor, plates};
use twinwall_tests::interop;

#[tokio::test(flavor = "multi_thread")]
async fn hikvisionapi_reads_and_commands_the_simulated_barrier_gate() {
    let cam = Arc::new(
        AnprCamera::start(
            "bg-x",
            "127.0.0.1:0".parse().unwrap(),
            "admin",
            "pw",
            AnprOptions::default(),
        )
        .await
        .unwrap(),
    );
    let car = plates::plate(PlateColor::Green, 3, 5);
    let (c, p) = (cam.clone(), car.clone());
    let traffic = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            c.pass(&p, 1);
        }
    });
    let a = cam.addr();
    let v = interop(
        "anpr_client.py",
        vec![
            a.ip().to_string(),
            a.port().to_string(),
            "admin".into(),
            "pw".into(),
        ],
    )
    .await;
    traffic.abort();
    assert_eq!(v["model"], "TW-BG1");
    assert_eq!(
        (v["barrier_command"].as_str(), v["barrier"].as_str()),
        (Some("OK"), Some("held_open"))
    );
    assert_eq!(cam.barrier(), Barrier::HeldOpen);
    assert_eq!(
        (
            v["event_type"].as_str(),
            v["plate"].as_str(),
            v["lane"].as_str()
        ),
        (Some("ANPR"), Some(car.text.as_str()), Some("1"))
    );
    assert_eq!(
        v["pictures"],
        serde_json::json!(["licensePlatePicture", "detectionPicture"])
    );
}
