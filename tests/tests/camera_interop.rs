//! Independent clients against the simulated camera: onvif-zeep (ONVIF from
//! the official WSDLs, WS-Security) and PyAV/FFmpeg (RTSP over TCP with
//! Digest, H.264 decoding). The test command installs them from
//! `tests/interop/requirements.txt`.

use twinwall_simulator::camera::{Camera, Topic};
use twinwall_tests::interop;

#[tokio::test(flavor = "multi_thread")]
async fn onvif_zeep_and_ffmpeg_accept_the_simulated_camera() {
    let cam = Camera::start("cam-x", "127.0.0.1:0".parse().unwrap(), "admin", "s3cret")
        .await
        .unwrap();
    cam.set(Topic::Motion, true);
    let addr = cam.addr();
    let v = interop(
        "camera_clients.py",
        vec![
            addr.ip().to_string(),
            addr.port().to_string(),
            "admin".into(),
            "s3cret".into(),
        ],
    )
    .await;
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
    assert_eq!(v["decoded_frames"], 5, "FFmpeg decoded the stream over TCP");
    assert_eq!(v["frame_size"], serde_json::json!([320, 192]));
    assert_eq!(v["decoded_frames_udp"], 5, "and over UDP: {v}");
    assert_eq!(v["frame_size_udp"], serde_json::json!([320, 192]));
}
