//! End to end: simulated ONVIF cameras over HTTP/SOAP, the real onvif-camera
//! wasm driver, the hub's HTTP transport (WS-Security, HTTP Digest) and API.

use std::time::Duration;

use twinwall_hub::transport::http::{Credentials, DigestState, run};
use twinwall_hub::transport::rtsp::limits::{Plan, Probes};
use twinwall_hub::transport::types::RtspTransport;
use twinwall_hub::transport::types::{Header, HttpRequest};
use twinwall_simulator::camera::{Camera, Topic};
use twinwall_tests::{TestHub, wait_for};

const ZONES: &str = "[[zones]]\nid = \"campus\"\n[[zones]]\nid = \"gate-north\"\nname = \"北门\"\nparent = \"campus\"\n";

fn camera_device(id: &str, cam: &Camera, password: &str) -> String {
    format!(
        "[[devices]]\nid = \"{id}\"\ndriver = \"onvif-camera\"\nprofile = \"camera/twinwall-cam1\"\nzone = \"gate-north\"\n\
         address = \"{}\"\nusername = \"admin\"\npassword = \"{password}\"\noffline_after_ms = 6000\n\
         settings = {{ sample_every_s = 10 }}\n",
        cam.addr()
    )
}

async fn camera_and_hub() -> (Camera, TestHub) {
    let cam = Camera::start("cam-1", "127.0.0.1:0".parse().unwrap(), "admin", "s3cret")
        .await
        .unwrap();
    let hub = TestHub::start(
        &["onvif-camera"],
        &format!("{ZONES}{}", camera_device("cam-1", &cam, "s3cret")),
    )
    .await
    .unwrap();
    hub.wait_online("cam-1").await.unwrap();
    wait_for(Duration::from_secs(10), || async {
        (cam.subscriptions() > 0).then_some(())
    })
    .await
    .expect("the driver subscribed");
    (cam, hub)
}

#[tokio::test(flavor = "multi_thread")]
async fn motion_and_tamper_arrive_as_begin_and_end() {
    let (cam, hub) = camera_and_hub().await;
    cam.set(Topic::Motion, true);
    let begin = hub
        .wait_event("kind=camera.motion", Duration::from_secs(3), |e| {
            e["phase"] == "begin"
        })
        .await
        .unwrap();
    assert_eq!(
        (begin["zone"].as_str(), begin["device"].as_str()),
        (Some("campus/gate-north"), Some("cam-1"))
    );
    assert_eq!(
        begin["attrs"]["topic"],
        "tns1:RuleEngine/CellMotionDetector/Motion"
    );
    cam.set(Topic::Motion, false);
    hub.wait_event("kind=camera.motion", Duration::from_secs(3), |e| {
        e["phase"] == "end"
    })
    .await
    .unwrap();
    cam.set(Topic::Tamper, true);
    let t = hub
        .wait_event("kind=camera.tamper", Duration::from_secs(3), |e| {
            e["phase"] == "begin"
        })
        .await
        .unwrap();
    assert_eq!(t["level"], "orange");
    cam.set(Topic::Tamper, false);
    hub.wait_event("kind=camera.tamper", Duration::from_secs(3), |e| {
        e["phase"] == "end"
    })
    .await
    .unwrap();
    cam.set(Topic::SignalLoss, true);
    hub.wait_event("kind=camera.video_loss", Duration::from_secs(3), |e| {
        e["phase"] == "begin"
    })
    .await
    .unwrap();
    assert_eq!(
        hub.events("kind=camera.motion").await.unwrap().len(),
        2,
        "one begin, one end"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rebooted_camera_is_subscribed_again() {
    let (cam, hub) = camera_and_hub().await;
    cam.reboot();
    assert_eq!(cam.subscriptions(), 0);
    wait_for(Duration::from_secs(10), || async {
        (cam.subscriptions() > 0).then_some(())
    })
    .await
    .expect("re-subscribed after the reboot");
    cam.set(Topic::Motion, true);
    hub.wait_event("kind=camera.motion", Duration::from_secs(3), |e| {
        e["phase"] == "begin"
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_camera_goes_offline_and_recovers() {
    let (cam, hub) = camera_and_hub().await;
    cam.set_down(true).await.unwrap();
    let off = hub
        .wait_event(
            "kind=device.offline&device=cam-1",
            Duration::from_secs(20),
            |_| true,
        )
        .await
        .unwrap();
    assert_eq!(off["attrs"]["transport"], "http");
    cam.set_down(false).await.unwrap();
    hub.wait_count(
        "kind=device.online&device=cam-1",
        2,
        Duration::from_secs(20),
    )
    .await
    .expect("back online without operator action");
    // And events flow again through a fresh subscription; the one the
    // driver gave up on while the camera was away is ended, not left to lapse.
    wait_for(Duration::from_secs(10), || async {
        (cam.subscriptions() == 1 && cam.subscriptions_created() >= 2).then_some(())
    })
    .await
    .unwrap_or_else(|| {
        panic!(
            "{} subscriptions live, {} created",
            cam.subscriptions(),
            cam.subscriptions_created()
        )
    });
    cam.set(Topic::Tamper, true);
    hub.wait_event("kind=camera.tamper", Duration::from_secs(5), |e| {
        e["phase"] == "begin"
    })
    .await
    .unwrap();
}

fn soap(op: &str) -> Vec<u8> {
    format!(r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Body><tds:{op}/></s:Body></s:Envelope>"#).into_bytes()
}

fn request(op: &str, ws_security: bool) -> HttpRequest {
    HttpRequest {
        id: op.into(),
        method: "POST".into(),
        path: "/onvif/device_service".into(),
        headers: vec![Header {
            name: "content-type".into(),
            value: "application/soap+xml".into(),
        }],
        body: soap(op),
        ws_security,
        timeout_ms: 3000,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hub_authenticates_with_ws_security_or_http_digest() {
    let cam = Camera::start("cam-9", "127.0.0.1:0".parse().unwrap(), "admin", "s3cret")
        .await
        .unwrap();
    let base = format!("http://{}", cam.addr());
    let client = reqwest::Client::new();
    let good = Credentials {
        username: "admin".into(),
        password: "s3cret".into(),
    };
    let bad = Credentials {
        username: "admin".into(),
        password: "guess".into(),
    };
    let digest = DigestState::default();
    let body = |r: &twinwall_hub::transport::types::HttpResponse| {
        String::from_utf8_lossy(&r.body).into_owned()
    };

    let call = |op: &'static str, ws: bool, creds: Option<&Credentials>, digest: &DigestState| {
        let (client, base, creds, digest) =
            (client.clone(), base.clone(), creds.cloned(), digest.clone());
        async move {
            run(&client, &base, &request(op, ws), creds.as_ref(), &digest)
                .await
                .unwrap()
        }
    };
    // A Digest client's first, bodiless request (curl's) gets the challenge.
    let probe = client
        .post(format!("{base}/onvif/device_service"))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status(), 401);
    assert!(
        probe.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Digest ")
    );
    // Readable without credentials, as clients need it to compute digests.
    let r = call("GetSystemDateAndTime", false, None, &digest).await;
    assert_eq!(r.status, 200);
    // WS-Security UsernameToken.
    let r = call("GetDeviceInformation", true, Some(&good), &digest).await;
    assert_eq!(r.status, 200, "{}", body(&r));
    assert!(body(&r).contains("TW-CAM1"));
    let r = call("GetDeviceInformation", true, Some(&bad), &digest).await;
    assert_eq!(r.status, 400);
    assert!(body(&r).contains("ter:NotAuthorized"), "{}", body(&r));
    // HTTP Digest: challenged, answered, and the challenge reused next time.
    let r = call("GetScopes", false, Some(&good), &digest).await;
    assert_eq!(r.status, 200, "{}", body(&r));
    let r = call("GetScopes", false, Some(&good), &digest).await;
    assert_eq!(r.status, 200);
    let r = call("GetScopes", false, Some(&bad), &DigestState::default()).await;
    assert_eq!(r.status, 401, "a wrong password ends in the challenge");
    // After an "auth change" on the camera the old password stops working.
    cam.set_password("n3w");
    let r = call("GetScopes", true, Some(&good), &digest).await;
    assert_eq!(r.status, 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn ws_discovery_finds_every_simulated_camera() {
    use twinwall_simulator::camera::discovery::{Endpoint, Responder};
    let a = Camera::start("cam-a", "127.0.0.1:0".parse().unwrap(), "admin", "x")
        .await
        .unwrap();
    let b = Camera::start("cam-b", "127.0.0.1:0".parse().unwrap(), "admin", "x")
        .await
        .unwrap();
    let listener = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let endpoints = vec![
        Endpoint::for_camera("cam-a", a.addr()),
        Endpoint::for_camera("cam-b", b.addr()),
    ];
    let responder = Responder::start(
        "127.0.0.1:0".parse().unwrap(),
        endpoints,
        Some(listener.local_addr().unwrap()),
    )
    .await
    .unwrap();
    // Hello for each camera on start.
    let mut buf = vec![0u8; 65536];
    for _ in 0..2 {
        let (n, _) = tokio::time::timeout(Duration::from_secs(2), listener.recv_from(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).contains("discovery/Hello"));
    }
    // The hub's API probes and lists both.
    let hub = TestHub::start(&[], ZONES).await.unwrap();
    let v = hub
        .post(
            &format!(
                "/api/v1/discovery/onvif?target={}&wait_ms=500",
                responder.addr()
            ),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    let found = v["found"].as_array().unwrap();
    assert_eq!(found.len(), 2, "{v}");
    let xaddrs: Vec<String> = found
        .iter()
        .map(|f| f["xaddrs"][0].as_str().unwrap().to_owned())
        .collect();
    assert!(
        xaddrs.contains(&format!("http://{}/onvif/device_service", a.addr())),
        "{xaddrs:?}"
    );
    assert!(found.iter().any(|f| {
        f["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "onvif://www.onvif.org/name/cam-b")
    }));
    // Bye when it stops.
    drop(responder);
    let (n, _) = tokio::time::timeout(Duration::from_secs(2), listener.recv_from(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).contains("discovery/Bye"));
}

/// Watch the camera's main stream continuously as `admin` with `password`,
/// reporting every `every_ms`.
fn start_probe(
    cam: &Camera,
    password: &str,
    every_ms: u64,
) -> (
    tokio::task::JoinHandle<()>,
    tokio::sync::mpsc::Receiver<twinwall_hub::transport::types::RtspStatus>,
) {
    twinwall_tests::rtsp::probe(
        cam.rtsp_url("101"),
        password,
        Plan::Continuous,
        RtspTransport::Tcp,
        Duration::from_millis(every_ms),
        Probes::new(Default::default()),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn retina_probe_reads_the_simulated_stream() {
    let cam = Camera::start("cam-r", "127.0.0.1:0".parse().unwrap(), "admin", "s3cret")
        .await
        .unwrap();
    let (probe, mut rx) = start_probe(&cam, "s3cret", 1000);
    let status = loop {
        let s = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("a report")
            .unwrap();
        assert!(s.error.is_none(), "{s:?}");
        if s.fps.unwrap_or(0.0) > 0.0 {
            break s;
        }
    };
    assert!(status.connected);
    assert_eq!(
        (status.width, status.height),
        (Some(320), Some(192)),
        "resolution from the SPS"
    );
    assert!(
        status.codec.as_deref().unwrap().starts_with("avc1."),
        "{status:?}"
    );
    assert!(
        (3.0..=7.0).contains(&status.fps.unwrap()),
        "about 5 fps: {status:?}"
    );
    // Wrong credentials: the probe reports why.
    probe.abort();
    let (probe, mut rx) = start_probe(&cam, "nope", 500);
    let s = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(
        !s.connected && s.error.as_deref().unwrap_or("").contains("401"),
        "{s:?}"
    );
    probe.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn stream_status_reaches_the_api_and_a_stall_is_reported() {
    let (cam, hub) = camera_and_hub().await;
    let playing = hub
        .wait_event("kind=camera.stream", Duration::from_secs(15), |e| {
            e["attrs"]["state"] == "playing"
        })
        .await
        .unwrap();
    assert_eq!(
        (
            playing["attrs"]["width"].as_i64(),
            playing["attrs"]["height"].as_i64()
        ),
        (Some(320), Some(192))
    );
    assert_eq!(playing["attrs"]["watch"], "sampled", "{playing}");
    assert_eq!(playing["attrs"]["transport"], "tcp", "{playing}");
    // Sampled every 10 s: the stall shows at the next sample (≤ 10 s, plus
    // the 5 s a sample waits for a first frame).
    cam.set_stalled(true);
    hub.wait_event("kind=camera.stream", Duration::from_secs(25), |e| {
        e["attrs"]["state"] == "stalled" || e["attrs"]["state"] == "down"
    })
    .await
    .expect("the stall is reported");
    cam.set_stalled(false);
    wait_for(Duration::from_secs(30), || async {
        let evs = hub.events("kind=camera.stream").await.ok()?;
        (evs.last()?["attrs"]["state"] == "playing" && evs.len() >= 3).then_some(())
    })
    .await
    .expect("playing again");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_is_stored_by_content_hash_and_served() {
    let (_cam, hub) = camera_and_hub().await;
    // The command needs the snapshot URI from setup: ready once the stream plays.
    hub.wait_event("kind=camera.stream", Duration::from_secs(15), |e| {
        e["attrs"]["state"] == "playing"
    })
    .await
    .unwrap();
    let (status, body) = hub.command("cam-1", "snapshot").await.unwrap();
    assert_eq!(status, 200, "{body}");
    let e = hub
        .wait_event("kind=camera.snapshot", Duration::from_secs(5), |_| true)
        .await
        .unwrap();
    let m = &e["media"][0];
    assert_eq!(
        (m["role"].as_str(), m["content_type"].as_str()),
        (Some("snapshot"), Some("image/jpeg"))
    );
    let r = hub
        .http
        .get(format!(
            "{}/api/v1/media/{}",
            hub.url,
            m["hash"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let jpeg = r.bytes().await.unwrap();
    assert_eq!(&jpeg[..2], &[0xff, 0xd8], "a JPEG");
    assert_eq!(jpeg.len() as i64, e["attrs"]["bytes"].as_i64().unwrap());
    assert_eq!(
        hub.http
            .get(format!("{}/api/v1/media/{}", hub.url, "0".repeat(64)))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}
