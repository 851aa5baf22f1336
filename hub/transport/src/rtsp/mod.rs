//! RTSP stream health. A camera's stream is checked, not watched: by
//! default a probe opens the stream, takes a sample (codec, resolution, time
//! to the first keyframe, frame rate over a short window), tears it down and comes
//! back after the interval, with an RTSP `OPTIONS` between samples; the few
//! cameras that need it are watched continuously. Samples across the hub run
//! under a cap on how many at once and on their bandwidth ([`limits`]).

pub mod limits;
pub mod liveness;
pub mod stream;

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use self::limits::{InFlight, Plan, SharedProbes};
use self::stream::{Carrier, Facts, Open, Sample, StreamError};
use super::http::Credentials;
use super::types::{Input, RtspStatus, RtspTransport};
use twinwall_base::now_ms;

/// Longest wait for each of DESCRIBE, SETUP and PLAY.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for the first keyframe after PLAY.
const FIRST_FRAME_WITHIN: Duration = Duration::from_secs(5);
/// Longest wait for the liveness check.
const OPTIONS_TIMEOUT: Duration = Duration::from_secs(5);

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

/// One probe: a device's stream and where its findings go.
pub struct ProbeJob {
    /// Device id.
    pub device: String,
    /// Probe id (the driver's).
    pub id: String,
    /// Stream URI.
    pub uri: String,
    /// Report period (sampled: the liveness check's too).
    pub every: Duration,
    /// Sampled or continuous.
    pub plan: Plan,
    /// RTP transport asked for.
    pub transport: RtspTransport,
    /// The device account, when the URI names the device's own host.
    pub creds: Option<Credentials>,
    /// The driver's inputs.
    pub to_driver: mpsc::Sender<(String, Input)>,
    /// Whether the device answers (online/offline).
    pub answered: mpsc::Sender<Result<(), String>>,
    /// The hub's shared limits.
    pub probes: SharedProbes,
}

/// What the probe knows of the stream, from its last sample.
#[derive(Debug, Default)]
struct Known {
    facts: Facts,
    fps: Option<f32>,
    last_frame_ms: Option<i64>,
    sampled_ms: Option<i64>,
    first_frame_ms: Option<u32>,
    carrier: Option<Carrier>,
    error: Option<String>,
}

impl Known {
    fn took(&mut self, s: Sample) {
        self.facts = s.facts;
        self.fps = Some(s.fps);
        self.last_frame_ms = Some(s.last_frame_ms);
        self.sampled_ms = Some(now_ms());
        self.first_frame_ms = Some(s.first_frame_ms);
        self.carrier = Some(s.carrier);
        self.error = None;
    }

    fn status(&self, id: &str, connected: bool) -> RtspStatus {
        RtspStatus {
            id: id.to_owned(),
            connected,
            codec: self.facts.codec.clone(),
            width: self.facts.width,
            height: self.facts.height,
            fps: self.fps,
            last_frame_ms: self.last_frame_ms,
            error: self.error.clone(),
            sampled_ms: self.sampled_ms,
            first_frame_ms: self.first_frame_ms,
            transport: self.carrier.map(|c| c.as_str().to_owned()),
        }
    }
}

/// The transport to try, and whether the other may be tried on a 461.
struct Choice {
    carrier: Carrier,
    auto: bool,
}

impl Choice {
    fn new(t: RtspTransport) -> Self {
        match t {
            RtspTransport::Auto => Choice {
                carrier: Carrier::Tcp,
                auto: true,
            },
            RtspTransport::Tcp => Choice {
                carrier: Carrier::Tcp,
                auto: false,
            },
            RtspTransport::Udp => Choice {
                carrier: Carrier::Udp,
                auto: false,
            },
        }
    }
}

impl ProbeJob {
    /// Run until aborted (the device's session ends or the driver cancels).
    pub async fn run(self) {
        let url = match url::Url::parse(&self.uri) {
            Ok(u) => u,
            Err(e) => {
                let known = Known {
                    error: Some(format!("bad stream URI `{}`: {e}", self.uri)),
                    ..Known::default()
                };
                let _ = self.report(&known, false).await;
                return;
            }
        };
        match self.plan {
            Plan::Continuous => self.continuous(&url).await,
            Plan::Sampled { every, window } => self.sampled(&url, every, window).await,
        }
    }

    async fn report(&self, known: &Known, connected: bool) -> Result<(), ()> {
        let age = match known.sampled_ms {
            Some(t) => (now_ms() - t) as f64 / 1000.0,
            None => f64::NAN,
        };
        if !age.is_nan() {
            metrics::gauge!("twinwall_rtsp_last_good_sample_age_seconds", "device" => self.device.clone())
                .set(age);
        }
        self.to_driver
            .send((
                self.device.clone(),
                Input::RtspStatus(known.status(&self.id, connected)),
            ))
            .await
            .map_err(|_| ())
    }

    /// Open the stream, trying the other transport once if the camera
    /// refuses the first and the driver let the hub choose.
    async fn open(&self, url: &url::Url, choice: &mut Choice) -> Result<Open, StreamError> {
        let creds = self.creds.as_ref();
        match Open::start(url, creds, choice.carrier, STEP_TIMEOUT).await {
            Err(e) if e.transport_refused && choice.auto => {
                let other = choice.carrier.other();
                let r = Open::start(url, creds, other, STEP_TIMEOUT).await;
                if r.is_ok() {
                    tracing::info!(device = %self.device, transport = other.as_str(), "camera refused {}: probing over {}", choice.carrier.as_str(), other.as_str());
                    choice.carrier = other;
                }
                r
            }
            r => r,
        }
    }

    async fn sampled(&self, url: &url::Url, every: Duration, window: Duration) {
        let mut choice = Choice::new(self.transport);
        let mut known = Known::default();
        let mut retry = super::Backoff::new(self.every.max(limits::MIN_SAMPLE_EVERY), every);
        // Spread the first samples of a hub's cameras over a few seconds; the
        // in-flight cap does the rest.
        let spread = (every / 10).min(Duration::from_secs(5));
        let mut next_sample = Instant::now() + spread.mul_f64(fastrand::f64());
        let mut next_check = Instant::now() + self.every;
        let mut reachable = true;
        loop {
            tokio::time::sleep_until(next_sample.min(next_check)).await;
            if Instant::now() >= next_sample {
                let outcome = {
                    // Waiting for a slot (a hub starting thousands of
                    // cameras queues them): the liveness checks go on, and
                    // the wait keeps its place in the queue.
                    let admit = self.probes.admit();
                    tokio::pin!(admit);
                    let _slot = loop {
                        tokio::select! {
                            slot = &mut admit => break slot,
                            () = tokio::time::sleep_until(next_check) => {
                                next_check = Instant::now() + self.every;
                                if self.check(url, &mut known, &mut reachable).await.is_err() {
                                    return;
                                }
                            }
                        }
                    };
                    let _counted = InFlight::enter();
                    match self.open(url, &mut choice).await {
                        Ok(open) => open.sample(FIRST_FRAME_WITHIN, window, &self.probes).await,
                        Err(e) => Err(e),
                    }
                };
                let (connected, next) = self.took(outcome, &mut known, &mut retry, every).await;
                next_sample = next;
                next_check = Instant::now() + self.every;
                if self.report(&known, connected).await.is_err() {
                    return;
                }
                continue;
            }
            next_check = Instant::now() + self.every;
            match self.check(url, &mut known, &mut reachable).await {
                Err(()) => return,
                Ok(true) => next_sample = Instant::now(),
                Ok(false) => {}
            }
        }
    }

    /// What a sample found, recorded: whether the camera counts as
    /// connected, and when the next sample is due (one interval after a good
    /// one, with jitter that only shortens it; a backoff after a failure).
    async fn took(
        &self,
        outcome: Result<Sample, StreamError>,
        known: &mut Known,
        retry: &mut super::Backoff,
        every: Duration,
    ) -> (bool, Instant) {
        let next_sample;
        let connected = match outcome {
            Ok(s) => {
                metrics::counter!("twinwall_rtsp_samples_total", "outcome" => "good").increment(1);
                known.took(s);
                retry.reset();
                // Never later than one interval: a dead stream is
                // found within it (jitter only shortens).
                next_sample = Instant::now() + every.mul_f64(0.9 + 0.1 * fastrand::f64());
                let _ = self.answered.send(Ok(())).await;
                true
            }
            Err(e) => {
                let outcome = if e.playing { "stalled" } else { "failed" };
                metrics::counter!("twinwall_rtsp_samples_total", "outcome" => outcome).increment(1);
                if e.playing {
                    // The camera is up and answered PLAY; its video is not.
                    known.fps = Some(0.0);
                    let _ = self.answered.send(Ok(())).await;
                } else {
                    // Nothing measured: until a sample succeeds the
                    // liveness answers say only whether it is up.
                    known.fps = None;
                    let _ = self
                        .answered
                        .send(Err(format!("rtsp {}: {}", self.uri, e.why)))
                        .await;
                }
                known.error = Some(e.why);
                next_sample = Instant::now() + retry.next_delay();
                e.playing
            }
        };
        (connected, next_sample)
    }

    /// The liveness check between samples, reported; `Ok(true)` when the
    /// camera is back on the network and should be sampled now (nothing is
    /// reported until then); `Err` when the driver is gone.
    async fn check(
        &self,
        url: &url::Url,
        known: &mut Known,
        reachable: &mut bool,
    ) -> Result<bool, ()> {
        match liveness::options(url, OPTIONS_TIMEOUT.min(self.every)).await {
            Ok(_) => {
                metrics::counter!("twinwall_rtsp_liveness_checks_total", "outcome" => "ok")
                    .increment(1);
                let _ = self.answered.send(Ok(())).await;
                if !*reachable {
                    *reachable = true;
                    return Ok(true);
                }
                self.report(known, true).await.map(|()| false)
            }
            Err(why) => {
                metrics::counter!("twinwall_rtsp_liveness_checks_total", "outcome" => "failed")
                    .increment(1);
                let _ = self
                    .answered
                    .send(Err(format!("rtsp {}: {why}", self.uri)))
                    .await;
                *reachable = false;
                known.fps = None;
                known.error = Some(why);
                self.report(known, false).await.map(|()| false)
            }
        }
    }

    async fn continuous(&self, url: &url::Url) {
        let mut choice = Choice::new(self.transport);
        let mut known = Known::default();
        let mut backoff = super::Backoff::new(self.every, self.every * 8);
        loop {
            let why = self.watch(url, &mut choice, &mut known, &mut backoff).await;
            known.fps = None;
            known.error = Some(why.clone());
            let _ = self
                .answered
                .send(Err(format!("rtsp {}: {why}", self.uri)))
                .await;
            if self.report(&known, false).await.is_err() {
                return;
            }
            tokio::time::sleep(backoff.next_delay()).await;
        }
    }

    /// Hold the stream and report every period; returns why it ended.
    async fn watch(
        &self,
        url: &url::Url,
        choice: &mut Choice,
        known: &mut Known,
        backoff: &mut super::Backoff,
    ) -> String {
        let played = Instant::now();
        let mut open = match self.open(url, choice).await {
            Ok(o) => o,
            Err(e) => return e.why,
        };
        let _counted = InFlight::enter();
        let mut tick = tokio::time::interval(self.every);
        tick.tick().await;
        let mut frames = 0u32;
        let mut window_start = Instant::now();
        loop {
            tokio::select! {
                frame = open.next_frame() => match frame {
                    Ok((bytes, _)) => {
                        self.probes.spend(bytes as u64, true);
                        if known.first_frame_ms.is_none() {
                            known.first_frame_ms = u32::try_from(played.elapsed().as_millis()).ok();
                        }
                        frames += 1;
                        known.last_frame_ms = Some(now_ms());
                    }
                    Err(e) => return e.why,
                },
                _ = tick.tick() => {
                    let elapsed = window_start.elapsed().as_secs_f32().max(0.001);
                    window_start = Instant::now();
                    known.facts = open.facts();
                    known.fps = Some(frames as f32 / elapsed);
                    known.carrier = Some(open.carrier);
                    known.error = None;
                    if frames > 0 {
                        known.sampled_ms = Some(now_ms());
                        backoff.reset();
                        let _ = self.answered.send(Ok(())).await;
                    }
                    frames = 0;
                    if self.report(known, true).await.is_err() {
                        return "the driver is gone".into();
                    }
                    // Silent for three periods: report and reconnect.
                    if known.last_frame_ms.is_none_or(|t| now_ms() - t > self.every.as_millis() as i64 * 3) {
                        return "stream stalled: no frames".into();
                    }
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
