//! Stream health by sampling, against simulated cameras over real RTSP:
//! a sample reports what continuous watching does and then lets go of the
//! stream; TCP and UDP both carry it (and `auto` takes UDP from a camera
//! that refuses TCP); a stalled stream is found at the next sample and a
//! camera off the network by the liveness check; the hub's limits hold.

use std::time::Duration;

use tokio::sync::mpsc;
use twinwall_hub::transport::rtsp::limits::{Plan, ProbeLimits, Probes, SharedProbes};
use twinwall_hub::transport::types::{RtspStatus, RtspTransport};
use twinwall_simulator::camera::Camera;
use twinwall_tests::wait_for;

const SAMPLED: Plan = Plan::Sampled {
    every: Duration::from_secs(10),
    window: Duration::from_secs(2),
};

async fn camera(id: &str) -> Camera {
    Camera::start(id, "127.0.0.1:0".parse().unwrap(), "admin", "s3cret")
        .await
        .unwrap()
}

/// A probe of `cam`'s main stream; its reports arrive on the receiver.
fn probe(
    cam: &Camera,
    plan: Plan,
    transport: RtspTransport,
    every: Duration,
    probes: SharedProbes,
) -> (tokio::task::JoinHandle<()>, mpsc::Receiver<RtspStatus>) {
    twinwall_tests::rtsp::probe(
        cam.rtsp_url("101"),
        "s3cret",
        plan,
        transport,
        every,
        probes,
    )
}

/// A probe sampling `cam` every 10 s, reporting every second.
fn sampled(
    cam: &Camera,
    transport: RtspTransport,
    probes: SharedProbes,
) -> (tokio::task::JoinHandle<()>, mpsc::Receiver<RtspStatus>) {
    probe(cam, SAMPLED, transport, Duration::from_secs(1), probes)
}

/// The first report `pred` accepts, within `within`.
async fn report(
    rx: &mut mpsc::Receiver<RtspStatus>,
    within: Duration,
    pred: impl Fn(&RtspStatus) -> bool,
) -> RtspStatus {
    tokio::time::timeout(within, async {
        loop {
            let s = rx.recv().await.expect("the probe runs");
            if pred(&s) {
                return s;
            }
        }
    })
    .await
    .expect("a matching report in time")
}

fn playing(s: &RtspStatus) -> bool {
    s.connected && s.fps.unwrap_or(0.0) > 0.0
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sample_reports_what_continuous_watching_does_and_lets_go() {
    let cam = camera("cam-s").await;
    let probes = Probes::new(ProbeLimits::default());
    let (watching, mut rx) = probe(
        &cam,
        Plan::Continuous,
        RtspTransport::Tcp,
        Duration::from_secs(2),
        probes.clone(),
    );
    // Skip the first period (it may start mid-connection).
    report(&mut rx, Duration::from_secs(10), playing).await;
    let watched = report(&mut rx, Duration::from_secs(10), playing).await;
    watching.abort();
    wait_for(Duration::from_secs(5), || async {
        (cam.playing() == 0).then_some(())
    })
    .await
    .expect("the continuous session ends with its probe");

    let (sampler, mut rx) = sampled(&cam, RtspTransport::Tcp, probes.clone());
    let sampled = report(&mut rx, Duration::from_secs(15), playing).await;
    assert_eq!(
        (&sampled.codec, sampled.width, sampled.height),
        (&watched.codec, watched.width, watched.height),
        "{sampled:?} vs {watched:?}"
    );
    assert!(sampled.codec.as_deref().unwrap().starts_with("avc1."));
    let (a, b) = (sampled.fps.unwrap(), watched.fps.unwrap());
    assert!(
        (4.0..=6.0).contains(&a) && (a - b).abs() <= 1.0,
        "sampled {a} fps, watched {b}"
    );
    assert_eq!(sampled.transport.as_deref(), Some("tcp"));
    assert!(
        sampled.sampled_ms.is_some() && sampled.first_frame_ms.is_some(),
        "{sampled:?}"
    );
    // Torn down after the sample: the camera sends nothing until the next.
    wait_for(Duration::from_secs(5), || async {
        (cam.playing() == 0).then_some(())
    })
    .await
    .expect("the sample let go of the stream");
    let before = cam.rtp_bytes();
    // Between samples the liveness check reports, carrying the sample's facts.
    let between = report(&mut rx, Duration::from_secs(3), |s| s.connected).await;
    assert_eq!(between.fps, sampled.fps);
    assert_eq!(cam.rtp_bytes(), before, "no video between samples");
    sampler.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn udp_and_tcp_both_carry_a_sample_and_auto_takes_udp_when_tcp_is_refused() {
    let cam = camera("cam-u").await;
    let probes = Probes::new(ProbeLimits::default());
    let (p, mut rx) = sampled(&cam, RtspTransport::Udp, probes.clone());
    let s = report(&mut rx, Duration::from_secs(15), playing).await;
    assert_eq!(s.transport.as_deref(), Some("udp"), "{s:?}");
    assert_eq!((s.width, s.height), (Some(320), Some(192)));
    p.abort();

    cam.set_udp_only(true);
    let (p, mut rx) = sampled(&cam, RtspTransport::Tcp, probes.clone());
    let refused = report(&mut rx, Duration::from_secs(15), |s| s.error.is_some()).await;
    assert!(
        refused.error.as_deref().unwrap().contains("461"),
        "{refused:?}"
    );
    p.abort();
    let (p, mut rx) = sampled(&cam, RtspTransport::Auto, probes);
    let s = report(&mut rx, Duration::from_secs(15), playing).await;
    assert_eq!(s.transport.as_deref(), Some("udp"), "auto fell back: {s:?}");
    p.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_stream_is_found_at_the_next_sample_and_a_lost_camera_by_the_liveness_check() {
    let cam = camera("cam-d").await;
    let probes = Probes::new(ProbeLimits::default());
    let (p, mut rx) = sampled(&cam, RtspTransport::Auto, probes);
    report(&mut rx, Duration::from_secs(15), playing).await;
    cam.set_stalled(true);
    let stalled_at = tokio::time::Instant::now();
    // Within one sampling interval (10 s) plus the first-frame wait (5 s).
    let s = report(&mut rx, Duration::from_secs(18), |s| s.fps == Some(0.0)).await;
    assert!(s.connected, "the camera answers; its video does not: {s:?}");
    assert!(
        s.error.as_deref().unwrap_or("").contains("stalled"),
        "{s:?}"
    );
    assert!(
        stalled_at.elapsed() <= Duration::from_secs(16),
        "{:?}",
        stalled_at.elapsed()
    );
    cam.set_stalled(false);
    report(&mut rx, Duration::from_secs(20), playing).await;

    cam.set_down(true).await.unwrap();
    let s = report(&mut rx, Duration::from_secs(8), |s| !s.connected).await;
    assert!(s.error.is_some() && s.fps.is_none(), "{s:?}");
    cam.set_down(false).await.unwrap();
    // Back on the network: sampled again at once.
    report(&mut rx, Duration::from_secs(15), playing).await;
    p.abort();
    wait_for(Duration::from_secs(5), || async {
        (cam.playing() == 0).then_some(())
    })
    .await
    .expect("nothing left playing");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hub_caps_samples_in_flight() {
    let mut cams = Vec::new();
    for n in 0..6 {
        cams.push(camera(&format!("cam-c{n}")).await);
    }
    // One sample at a time over six cameras: never two streams at once.
    let probes = Probes::new(ProbeLimits {
        max_in_flight: 1,
        ..ProbeLimits::default()
    });
    let mut running = Vec::new();
    for cam in &cams {
        running.push(probe(
            cam,
            SAMPLED,
            RtspTransport::Tcp,
            Duration::from_secs(2),
            probes.clone(),
        ));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut most = 0;
    let mut sampled = std::collections::HashSet::new();
    // Cameras still queued for their first sample are checked meanwhile.
    let mut checked_while_queued = std::collections::HashSet::new();
    while tokio::time::Instant::now() < deadline && sampled.len() < cams.len() {
        most = most.max(cams.iter().map(Camera::playing).sum::<usize>());
        for (i, (_, rx)) in running.iter_mut().enumerate() {
            while let Ok(s) = rx.try_recv() {
                if playing(&s) {
                    sampled.insert(i);
                } else if s.connected && s.fps.is_none() && !sampled.contains(&i) {
                    checked_while_queued.insert(i);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sampled.len(), cams.len(), "every camera sampled in turn");
    assert_eq!(most, 1, "one stream at a time");
    assert!(
        checked_while_queued.len() >= 2,
        "the last in the queue are checked (OPTIONS) while they wait: {checked_while_queued:?}"
    );
    for (t, _) in running {
        t.abort();
    }
}
