//! Independent clients against the simulated camera: onvif-zeep (ONVIF from
//! the official WSDLs, WS-Security) and PyAV/FFmpeg (RTSP over TCP with
//! Digest, H.264 decoding). The test command installs them from
//! `tests/interop/requirements.txt`.

use std::process::Command;

use twinwall_simulator::camera::{Camera, Topic};
use twinwall_tests::workspace;

#[tokio::test(flavor = "multi_thread")]
async fn onvif_zeep_and_ffmpeg_accept_the_simulated_camera() {
    let cam = Camera::start("cam-x", "127.0.0.1:0".parse().unwrap(), "admin", "s3cret")
        .await
        .unwrap();
    cam.set(Topic::Motion, true);
    let script = workspace().join("tests/interop/camera_clients.py");
    let addr = cam.addr();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(script)
            .arg(addr.ip().to_string())
            .arg(addr.port().to_string())
            .args(["admin", "s3cret"])
            .output()
    })
    .await
    .unwrap()
    .expect("python3 runs");
    assert!(
        out.status.success(),
        "independent clients failed (install them with `pip install -r tests/interop/requirements.txt`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["manufacturer"].as_str(), v["model"].as_str()),
        (Some("Twinwall"), Some("TW-CAM1"))
    );
    assert_eq!(
        v["profiles"][0],
        serde_json::json!({"token": "main", "width": 320, "height": 192})
    );
    assert_eq!(v["stream_uri"], cam.rtsp_url("101"));
    let motion = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "IsMotion")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (motion["value"].as_str(), motion["op"].as_str()),
        (Some("true"), Some("Initialized")),
        "{v}"
    );
    assert_eq!(v["decoded_frames"], 5, "FFmpeg decoded the stream");
    assert_eq!(v["frame_size"], serde_json::json!([320, 192]));
}
