//! A hub RTSP probe on its own (no hub, no driver): its reports on a channel.

use std::time::Duration;

use tokio::sync::mpsc;
use twinwall_hub::transport::http::Credentials;
use twinwall_hub::transport::rtsp::ProbeJob;
use twinwall_hub::transport::rtsp::limits::{Plan, SharedProbes};
use twinwall_hub::transport::types::{Input, RtspStatus, RtspTransport};

/// Probe `uri` as `admin`/`password`, reporting every `every`; the reports
/// arrive on the receiver (link reports are read and dropped, so they
/// never block the probe). Abort the handle to end it.
pub fn probe(
    uri: String,
    password: &str,
    plan: Plan,
    transport: RtspTransport,
    every: Duration,
    probes: SharedProbes,
) -> (tokio::task::JoinHandle<()>, mpsc::Receiver<RtspStatus>) {
    let (tx, mut rx) = mpsc::channel(64);
    let (answered, mut link) = mpsc::channel(1024);
    let job = ProbeJob {
        device: "cam".into(),
        id: "stream".into(),
        uri,
        every,
        plan,
        transport,
        creds: Some(Credentials {
            username: "admin".into(),
            password: password.into(),
        }),
        to_driver: tx,
        answered,
        probes,
    };
    let (out, reports) = mpsc::channel(64);
    let task = tokio::spawn(async move {
        let run = job.run();
        tokio::pin!(run);
        loop {
            tokio::select! {
                () = &mut run => return,
                Some((_, input)) = rx.recv() => {
                    if let Input::RtspStatus(s) = input {
                        let _ = out.send(s).await;
                    }
                }
                Some(_) = link.recv() => {}
            }
        }
    });
    (task, reports)
}
