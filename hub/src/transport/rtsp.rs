//! RTSP stream probing with retina: hold a session on the stream (DESCRIBE,
//! SETUP over TCP, PLAY), count frames, and report what is flowing (codec,
//! resolution, frame rate, last frame time) to the driver every period; a
//! stream that stops sending frames, or fails, is reported and tried again.

use std::time::Duration;

use futures_util::StreamExt;
use retina::client::{PlayOptions, Session, SessionOptions, SetupOptions};
use retina::codec::{CodecItem, ParametersRef};
use tokio::sync::mpsc;

use super::http::Credentials;
use super::types::{Input, RtspStatus};
use crate::bus::now_ms;

fn status(id: &str) -> RtspStatus {
    RtspStatus {
        id: id.to_owned(),
        connected: false,
        codec: None,
        width: None,
        height: None,
        fps: None,
        last_frame_ms: None,
        error: None,
    }
}

/// Whether `uri` names the host `device` (the device's configured address):
/// only then may the device's account go with it.
pub fn same_host(uri: &str, device: Option<std::net::IpAddr>) -> bool {
    let Some(device) = device else {
        return false;
    };
    match url::Url::parse(uri)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Ipv4(ip)) => std::net::IpAddr::V4(ip) == device,
        Some(url::Host::Ipv6(ip)) => std::net::IpAddr::V6(ip) == device,
        // `rtsp:` is not a scheme the URL standard knows, so its host comes
        // back as text; a name (not an address) could resolve anywhere and
        // gets no password.
        Some(url::Host::Domain(d)) => d
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip == device),
        None => false,
    }
}

/// Probe `uri` forever, reporting to `to_driver` for `device` every `every`;
/// `answered` hears whether the device is answering (for online/offline).
pub async fn probe(
    device: String,
    id: String,
    uri: String,
    every: Duration,
    creds: Option<Credentials>,
    to_driver: mpsc::Sender<(String, Input)>,
    answered: mpsc::Sender<Result<(), String>>,
) {
    let mut backoff = super::Backoff::new(every, every * 8);
    loop {
        let why = session(
            &device,
            &id,
            &uri,
            every,
            creds.as_ref(),
            &to_driver,
            &answered,
            &mut backoff,
        )
        .await;
        let mut s = status(&id);
        s.error = Some(why.clone());
        let _ = answered.send(Err(format!("rtsp {uri}: {why}"))).await;
        if to_driver
            .send((device.clone(), Input::RtspStatus(s)))
            .await
            .is_err()
        {
            return;
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "one probe's whole context; a struct would only rename it"
)]
async fn session(
    device: &str,
    id: &str,
    uri: &str,
    every: Duration,
    creds: Option<&Credentials>,
    to_driver: &mpsc::Sender<(String, Input)>,
    answered: &mpsc::Sender<Result<(), String>>,
    backoff: &mut super::Backoff,
) -> String {
    let url = match url::Url::parse(uri) {
        Ok(u) => u,
        Err(e) => return format!("bad stream URI `{uri}`: {e}"),
    };
    let options = SessionOptions::default()
        .creds(creds.map(|c| retina::client::Credentials {
            username: c.username.clone(),
            password: c.password.clone(),
        }))
        .user_agent(format!("twinwall-hub/{}", env!("CARGO_PKG_VERSION")));
    let mut described = match tokio::time::timeout(every * 3, Session::describe(url, options)).await
    {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return e.to_string(),
        Err(_) => return "no answer to DESCRIBE in time".into(),
    };
    let Some(video) = described
        .streams()
        .iter()
        .position(|s| s.media() == "video")
    else {
        return "the stream has no video track".into();
    };
    if let Err(e) = described.setup(video, SetupOptions::default()).await {
        return e.to_string();
    }
    let mut playing = match described
        .play(PlayOptions::default())
        .await
        .and_then(|p| p.demuxed())
    {
        Ok(p) => p,
        Err(e) => return e.to_string(),
    };
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    let (mut frames, mut last_frame): (u32, Option<i64>) = (0, None);
    let mut window_start = tokio::time::Instant::now();
    loop {
        tokio::select! {
            item = playing.next() => match item {
                Some(Ok(CodecItem::VideoFrame(_))) => {
                    frames += 1;
                    last_frame = Some(now_ms());
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return e.to_string(),
                None => return "the server ended the stream".into(),
            },
            _ = tick.tick() => {
                let elapsed = window_start.elapsed().as_secs_f32().max(0.001);
                window_start = tokio::time::Instant::now();
                let mut s = status(id);
                s.connected = true;
                s.last_frame_ms = last_frame;
                s.fps = Some(frames as f32 / elapsed);
                if let Some(ParametersRef::Video(v)) = playing.streams()[video].parameters() {
                    let (w, h) = v.pixel_dimensions();
                    s.width = Some(w);
                    s.height = Some(h);
                    s.codec = Some(v.rfc6381_codec().to_owned());
                }
                if frames > 0 {
                    backoff.reset();
                    let _ = answered.send(Ok(())).await;
                }
                frames = 0;
                if to_driver.send((device.to_owned(), Input::RtspStatus(s))).await.is_err() {
                    return "the driver is gone".into();
                }
                // Silent for three periods: report and reconnect.
                if last_frame.is_none_or(|t| now_ms() - t > every.as_millis() as i64 * 3) {
                    return "stream stalled: no frames".into();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn credentials_go_to_the_devices_own_host_only() {
        use super::same_host;
        let dev = Some("10.0.0.5".parse().unwrap());
        assert!(same_host("rtsp://10.0.0.5:554/Streaming/Channels/101", dev));
        assert!(same_host("rtsp://10.0.0.5/x", dev));
        assert!(!same_host("rtsp://10.0.0.6:554/x", dev));
        assert!(!same_host("rtsp://cam.example/x", dev));
        assert!(!same_host("rtsp://user:pw@10.0.0.6/x", dev));
        assert!(!same_host("not a uri", dev));
        assert!(!same_host("rtsp://10.0.0.5/x", None));
        assert!(same_host(
            "rtsp://[::1]:8554/x",
            Some("::1".parse().unwrap())
        ));
    }
}
