//! How this camera's stream is checked, from the device's settings: sampled
//! (the default: the hub opens the stream now and then, measures it and
//! tears it down) or watched continuously, how often, over which transport.

use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::{RtspTransport, SAMPLE_EVERY_MS, SAMPLE_WINDOW_MS, Sampling, WatchMode};

/// Default period of the hub's reports (and of its liveness check), ms.
pub const CHECK_MS: u32 = 10_000;

/// The stream check a device's settings ask for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamCheck {
    /// Sampled or continuous.
    pub mode: WatchMode,
    /// RTP transport.
    pub transport: RtspTransport,
    /// Report period, ms.
    pub check_ms: u32,
}

impl StreamCheck {
    /// From `stream_watch`, `sample_every_s`, `sample_window_ms`,
    /// `rtsp_transport` and `stream_check_s`; a bad value is named.
    pub fn from_settings(config: &DeviceConfig) -> Result<Self, DriverError> {
        let bad = |key: &str, value: &str, want: &str| {
            DriverError::bad_config(format!(
                "device `{}`: setting `{key}` = `{value}`: expected {want}",
                config.id
            ))
        };
        let number = |key: &str, default: u32, range: std::ops::RangeInclusive<u32>| match config
            .setting(key)
        {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| {
                    bad(
                        key,
                        v,
                        &format!("a whole number from {} to {}", range.start(), range.end()),
                    )
                }),
        };
        let every_s = number("sample_every_s", SAMPLE_EVERY_MS / 1000, 10..=86_400)?;
        let window_ms = number("sample_window_ms", SAMPLE_WINDOW_MS, 200..=10_000)?;
        let check_s = number("stream_check_s", CHECK_MS / 1000, 1..=3_600)?;
        let mode = match config.setting("stream_watch").unwrap_or("sampled") {
            "sampled" => WatchMode::Sampled(Sampling {
                every_ms: every_s * 1000,
                window_ms,
            }),
            "continuous" => WatchMode::Continuous,
            other => return Err(bad("stream_watch", other, "`sampled` or `continuous`")),
        };
        let transport = match config.setting("rtsp_transport").unwrap_or("auto") {
            "auto" => RtspTransport::Auto,
            "tcp" => RtspTransport::Tcp,
            "udp" => RtspTransport::Udp,
            other => return Err(bad("rtsp_transport", other, "`auto`, `tcp` or `udp`")),
        };
        Ok(StreamCheck {
            mode,
            transport,
            check_ms: check_s * 1000,
        })
    }

    /// The probe request for `uri`.
    pub fn request(&self, uri: &str) -> Request {
        Request::probe_with("stream", uri, self.check_ms, self.mode, self.transport)
    }
}
