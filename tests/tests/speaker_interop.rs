//! RTP against an independent implementation (FFmpeg, through PyAV): the
//! simulated speaker measures what FFmpeg's RTP muxer sends, and FFmpeg's RTP
//! demuxer decodes what the hub's sender sends. A sender and a receiver
//! tested only against each other could agree on a wrong RTP.

use std::time::Duration;

use serde_json::json;
use twinwall_simulator::speaker::{Model, Speaker};
use twinwall_tests::{TestHub, interop, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn the_speaker_measures_what_ffmpeg_sends() {
    let sp = Speaker::start("ff-1", "127.0.0.1:0".parse().unwrap(), Model::sp2())
        .await
        .unwrap();
    let r = reqwest::Client::new()
        .post(format!("http://{}/api/play", sp.addr()))
        .json(&json!({"job": "ffmpeg", "priority": 10, "source": "rtp"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let sent = interop(
        "rtp_peer.py",
        vec![
            "send".into(),
            "127.0.0.1".into(),
            sp.rtp_port().to_string(),
            "1000".into(),
            "pcm_mulaw".into(),
        ],
    )
    .await;
    assert_eq!(sent["sent_ms"], 1000);
    let played = wait_for(Duration::from_secs(5), || async {
        sp.played().into_iter().find(|p| p.job == "ffmpeg")
    })
    .await
    .expect("the stream ends by itself");
    let r = &played.reception;
    assert_eq!((r.gaps, r.codec.as_deref()), (0, Some("pcmu")), "{r:?}");
    assert!(r.audio_ms.abs_diff(1000) <= 20 && r.packets >= 50, "{r:?}");
    assert!(r.wall_ms.abs_diff(1000) <= 200, "paced in real time: {r:?}");
}

/// A UDP port whose successor (FFmpeg's RTCP) is free too.
fn free_pair() -> u16 {
    loop {
        let a = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let p = a.local_addr().unwrap().port();
        if p.is_multiple_of(2)
            && p < 65534
            && std::net::UdpSocket::bind(("127.0.0.1", p + 1)).is_ok()
        {
            return p;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ffmpeg_decodes_what_the_hub_sends() {
    let sp = Speaker::start("ff-2", "127.0.0.1:0".parse().unwrap(), Model::sp1())
        .await
        .unwrap();
    let hub = TestHub::start(
        &["ip-speaker"],
        &format!(
            "[[zones]]\nid = \"hall\"\n[[devices]]\nid = \"ff-2\"\ndriver = \"ip-speaker\"\nprofile = \"speaker/twinwall-sp1\"\nzone = \"hall\"\naddress = \"{}\"\n",
            sp.addr()
        ),
    )
    .await
    .unwrap();
    hub.wait_online("ff-2").await.unwrap();
    let clip = hub
        .upload_clip(twinwall_tests::tone_wav(1000))
        .await
        .unwrap();
    let port = free_pair();
    sp.send_rtp_to(Some(port));
    let heard = tokio::spawn(interop(
        "rtp_peer.py",
        vec!["receive".into(), port.to_string(), "6".into()],
    ));
    // FFmpeg is listening once the port is taken.
    wait_for(Duration::from_secs(10), || async {
        std::net::UdpSocket::bind(("127.0.0.1", port))
            .is_err()
            .then_some(())
    })
    .await
    .expect("FFmpeg listens");
    let r = hub
        .http
        .post(format!("{}/api/v1/broadcasts", hub.url))
        .json(&json!({"zones": ["hall"], "source": {"clip": clip}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let heard = heard.await.unwrap();
    assert_eq!(heard["codec"], "pcm_mulaw", "{heard}");
    let ms = heard["heard_ms"].as_u64().unwrap();
    assert!(ms.abs_diff(1000) <= 60, "{heard}");
    // A 12,000-peak sine has an RMS of 8,485; G.711 keeps it within a few per cent.
    let rms = heard["rms"].as_f64().unwrap();
    assert!((8000.0..9000.0).contains(&rms), "{heard}");
}
