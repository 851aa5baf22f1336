//! One ONVIF camera: its services (Media2 where it has it, Media1 and
//! GetCapabilities for older ones), profiles and stream URI, whose health the
//! hub checks as the device's settings say; then a pull-point subscription
//! kept alive (renewed before it ends, re-created when the camera forgets
//! it), its messages turned into begin/end events on real transitions.

use std::collections::HashMap;

use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::time::parse_iso8601;
use twinwall_plugin_sdk::{HttpResponse, WatchMode, kinds};

use crate::profile::Profile;
use crate::soap;
use crate::stream::StreamCheck;
use twinwall_plugin_sdk::xml::{self, Element};

/// Retry delay after a failed setup step or a lost subscription, ms.
const RETRY_MS: u32 = 2000;

const NO_ARGS: &str = r#"{"type":"object","properties":{},"additionalProperties":false}"#;

/// State of one camera.
pub struct Camera {
    id: String,
    profile: Profile,
    /// The device service (GetServices, GetCapabilities).
    device_path: String,
    media_path: String,
    events_path: String,
    subscription: Option<String>,
    stream_uri: Option<String>,
    /// Condition state per (kind, source).
    state: HashMap<(String, String), bool>,
    /// Last reported stream state and resolution.
    stream: Option<(String, Option<u32>, Option<u32>)>,
    /// Path of the first profile's snapshot, once known.
    snapshot_path: Option<String>,
    /// The first profile's token.
    profile_token: Option<String>,
    /// The Media2 service's path, when the camera has one (used instead of Media1).
    media2_path: Option<String>,
    /// How the stream is checked.
    check: StreamCheck,
    /// Subscriptions given up on that the camera may still hold.
    stale: Vec<String>,
}

fn http(id: &str, path: &str, body: Vec<u8>, timeout_ms: u32) -> Request {
    HttpRequest::new(id, "POST", path)
        .body("application/soap+xml; charset=utf-8", body)
        .ws_security()
        .timeout_ms(timeout_ms)
        .into()
}

impl Driver for Camera {
    fn describe() -> DriverInfo {
        // The linkage rules find cameras by the commands their driver declares.
        DriverInfo::new("onvif-camera", env!("CARGO_PKG_VERSION"))
            .family("camera")
            .emits(kinds::CAMERA_MOTION)
            .emits(kinds::CAMERA_TAMPER)
            .emits(kinds::CAMERA_VIDEO_LOSS)
            .emits(kinds::CAMERA_STREAM)
            .emits(kinds::CAMERA_SNAPSHOT)
            .emits(kinds::CAMERA_STREAM_URI)
            .command_with_schema(
                "snapshot",
                "Take a picture (ONVIF GetSnapshotUri, then the JPEG): a `camera.snapshot` event carries it",
                NO_ARGS,
            )
            .command_with_schema(
                "stream_uri",
                "Report the RTSP address of the main profile as a `camera.stream_uri` event",
                NO_ARGS,
            )
            .setting(
                "device_service",
                "device service path (default /onvif/device_service)",
                false,
            )
            .setting(
                "stream_watch",
                "`sampled` (default: the hub opens the stream now and then, measures it and tears it down) or `continuous` (the whole video comes to the hub)",
                false,
            )
            .setting("sample_every_s", "seconds between samples (10 to 86400; default 300)", false)
            .setting("sample_window_ms", "frame-rate window of a sample (200 to 10000; default 2000)", false)
            .setting(
                "stream_check_s",
                "seconds between stream reports and, sampled, RTSP OPTIONS liveness checks (default 10)",
                false,
            )
            .setting("rtsp_transport", "`auto` (default: TCP, UDP if the camera refuses TCP), `tcp` or `udp`", false)
    }

    fn open(config: DeviceConfig) -> Result<Self, DriverError> {
        let text = config.profile.as_deref().ok_or_else(|| {
            DriverError::bad_config(format!(
                "device `{}`: this driver needs a profile (e.g. `camera/twinwall-cam1`)",
                config.id
            ))
        })?;
        let profile = Profile::parse(text)?;
        let device_service = config
            .setting("device_service")
            .unwrap_or("/onvif/device_service")
            .to_owned();
        if !device_service.starts_with('/') {
            return Err(DriverError::bad_config(format!(
                "device `{}`: setting `device_service` must be a path starting with /",
                config.id
            )));
        }
        let check = StreamCheck::from_settings(&config)?;
        Ok(Camera {
            check,
            stale: Vec::new(),
            media2_path: None,
            id: config.id,
            profile,
            device_path: device_service.clone(),
            media_path: device_service.clone(),
            events_path: device_service,
            subscription: None,
            stream_uri: None,
            state: HashMap::new(),
            stream: None,
            snapshot_path: None,
            profile_token: None,
        })
    }

    fn start(&mut self) -> Vec<Request> {
        vec![self.services_request()]
    }

    fn command(&mut self, name: &str, _args: &str) -> Result<Vec<Request>, DriverError> {
        match name {
            "snapshot" => self.snapshot(),
            "stream_uri" => {
                let token = self.profile_token.as_deref().ok_or_else(|| {
                    DriverError::not_allowed(format!(
                        "{}: the camera has not listed its profiles yet",
                        self.id
                    ))
                })?;
                Ok(vec![self.stream_uri_request("stream-uri-command", token)])
            }
            _ => Err(DriverError::unknown_command(name)),
        }
    }

    fn handle(&mut self, input: Input) -> Outcome {
        let mut out = Outcome::default();
        match input {
            Input::HttpResponse(r) => self.on_response(r, &mut out),
            Input::Failed(f) => {
                let why = format!("{:?}: {}", f.kind, f.message);
                self.on_failure(&f.id, &why, &mut out)
            }
            Input::RtspStatus(s) => self.on_stream(s, &mut out),
            Input::Timer(id) => match id.as_str() {
                "retry-setup" => out.request(self.services_request()),
                "resubscribe" => out.request(self.subscribe_request()),
                "renew" => {
                    if let Some(path) = &self.subscription {
                        out.request(http(
                            "renew",
                            path,
                            soap::renew(self.profile.events.subscription_ttl_s),
                            5000,
                        ));
                    }
                }
                _ => {}
            },
            _ => {}
        }
        out
    }
}

impl Camera {
    /// `snapshot`: fetch the picture now; its event follows the answer.
    fn snapshot(&self) -> Result<Vec<Request>, DriverError> {
        let path = self.snapshot_path.as_deref().ok_or_else(|| {
            DriverError::not_allowed(format!(
                "{}: the camera has not given a snapshot URI yet",
                self.id
            ))
        })?;
        Ok(vec![HttpRequest::new("snapshot", "GET", path).into()])
    }

    fn services_request(&self) -> Request {
        http("services", &self.device_path, soap::get_services(), 5000)
    }

    /// Where the profiles and URIs are asked for: Media2 when the camera has it.
    fn media(&self) -> &str {
        self.media2_path.as_deref().unwrap_or(&self.media_path)
    }

    fn stream_uri_request(&self, id: &str, token: &str) -> Request {
        let body = if self.media2_path.is_some() {
            soap::get_stream_uri_media2(token)
        } else {
            soap::get_stream_uri(token)
        };
        http(id, self.media(), body, 5000)
    }

    fn capabilities_request(&self) -> Request {
        http(
            "capabilities",
            &self.device_path,
            soap::get_capabilities(),
            5000,
        )
    }

    fn subscribe_request(&self) -> Request {
        http(
            "subscribe",
            &self.events_path,
            soap::create_pull_point(self.profile.events.subscription_ttl_s),
            5000,
        )
    }

    fn pull_request(&self, path: &str) -> Request {
        let e = &self.profile.events;
        http(
            "pull",
            path,
            soap::pull_messages(e.pull_timeout_s, e.message_limit),
            e.pull_timeout_s * 1000 + 5000,
        )
    }

    /// The subscription is gone (camera restarted, expired, unreachable): make a new one.
    fn lost_subscription(&mut self, why: &str, out: &mut Outcome) {
        if let Some(old) = self.subscription.take() {
            // It may live on in the camera (a pull that timed out on the
            // network): ended once a new one stands, so none piles up.
            self.stale.push(old);
            self.stale.truncate(4);
            log(
                LogLevel::Warn,
                &format!(
                    "{}: pull-point subscription lost ({why}); subscribing again",
                    self.id
                ),
            );
        }
        out.request(Request::cancel("renew"));
        out.request(Request::timer("resubscribe", RETRY_MS, false));
    }

    fn on_failure(&mut self, id: &str, why: &str, out: &mut Outcome) {
        match id {
            // A camera without GetServices (ONVIF before 2.0): capabilities it is.
            "services" => out.request(self.capabilities_request()),
            "capabilities" | "profiles" | "stream-uri" | "stream-uri-command" => {
                log(
                    LogLevel::Warn,
                    &format!("{}: `{id}` failed: {why}", self.id),
                );
                if id == "capabilities" {
                    out.request(Request::timer("retry-setup", RETRY_MS, false));
                }
            }
            "subscribe" | "pull" | "renew" => self.lost_subscription(why, out),
            _ => {}
        }
    }

    fn on_response(&mut self, r: HttpResponse, out: &mut Outcome) {
        if r.id == "snapshot" {
            return self.on_snapshot(r, out);
        }
        let els = match xml::elements(&r.body) {
            Ok(e) => e,
            Err(e) => {
                log(
                    LogLevel::Warn,
                    &format!(
                        "{}: `{}` answered HTTP {} with unreadable XML: {e}",
                        self.id, r.id, r.status
                    ),
                );
                return self.on_failure(&r.id, "unreadable answer", out);
            }
        };
        if r.status >= 300 || xml::fault(&els).is_some() {
            let why = xml::fault(&els).unwrap_or_else(|| format!("HTTP {}", r.status));
            log(
                LogLevel::Warn,
                &format!("{}: `{}` refused: {why}", self.id, r.id),
            );
            return self.on_failure(&r.id, &why, out);
        }
        match r.id.as_str() {
            "services" => self.on_services(&els, out),
            "capabilities" => self.on_capabilities(&els, out),
            "profiles" => {
                if let Some(token) = els
                    .iter()
                    .find(|e| e.name == "Profiles")
                    .and_then(|e| e.attr("token"))
                {
                    out.request(self.stream_uri_request("stream-uri", token));
                    let body = if self.media2_path.is_some() {
                        soap::get_snapshot_uri_media2(token)
                    } else {
                        soap::get_snapshot_uri(token)
                    };
                    out.request(http("snapshot-uri", self.media(), body, 5000));
                    self.profile_token = Some(token.to_owned());
                }
            }
            "snapshot-uri" => {
                self.snapshot_path = els
                    .iter()
                    .find(|e| e.name == "Uri")
                    .and_then(|e| soap::path_of(&e.text));
            }
            "stream-uri" | "stream-uri-command" => {
                // Media1 nests it in MediaUri; Media2 answers it bare.
                let uri = els
                    .iter()
                    .find(|e| {
                        e.name == "Uri"
                            && (e.parent == "MediaUri" || e.parent == "GetStreamUriResponse")
                    })
                    .map(|e| e.text.trim().to_owned());
                if let (Some(u), true) = (&uri, r.id == "stream-uri-command") {
                    // An operator asked: answer with the URI the camera gives now.
                    let mut e = Event::new(kinds::CAMERA_STREAM_URI)
                        .attr("uri", u.as_str())
                        .message(format!("stream URI {u}"));
                    if let Some(t) = &self.profile_token {
                        e = e.attr("profile", t.as_str());
                    }
                    let media = if self.media2_path.is_some() {
                        "media2"
                    } else {
                        "media1"
                    };
                    out.push(e.attr("media", media));
                }
                if uri != self.stream_uri {
                    if let Some(u) = &uri {
                        log(LogLevel::Info, &format!("{}: stream {u}", self.id));
                        out.request(self.check.request(u));
                    }
                    self.stream_uri = uri;
                }
            }
            "subscribe" => self.on_subscribed(&els, out),
            "renew" => self.schedule_renew(&els, out),
            "pull" => {
                self.on_messages(&els, out);
                if let Some(path) = self.subscription.clone() {
                    out.request(self.pull_request(&path));
                }
            }
            _ => {}
        }
    }

    /// `GetServices`: each service's namespace and address. Media2 is used
    /// where listed; without Media or Events, the capabilities decide.
    fn on_services(&mut self, els: &[Element], out: &mut Outcome) {
        let (mut media1, mut media2, mut events) = (None, None, None);
        let mut namespace: Option<&str> = None;
        for e in els {
            match e.name.as_str() {
                "Namespace" if e.parent == "Service" => namespace = Some(e.text.trim()),
                "XAddr" if e.parent == "Service" => {
                    let path = soap::path_of(&e.text);
                    match namespace.take() {
                        Some(soap::NS_MEDIA1) => media1 = path,
                        Some(soap::NS_MEDIA2) => media2 = path,
                        Some(soap::NS_EVENTS) => events = path,
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        match (media1.or_else(|| media2.clone()), events) {
            (Some(media), Some(events)) => {
                self.media_path = media;
                self.media2_path = media2;
                self.events_path = events;
                self.set_up(out);
            }
            _ => out.request(self.capabilities_request()),
        }
    }

    /// Profiles (then stream and snapshot URIs) and the pull-point subscription.
    fn set_up(&mut self, out: &mut Outcome) {
        let body = if self.media2_path.is_some() {
            soap::get_profiles_media2()
        } else {
            soap::get_profiles()
        };
        out.request(http("profiles", self.media(), body, 5000));
        out.request(self.subscribe_request());
    }

    fn on_capabilities(&mut self, els: &[Element], out: &mut Outcome) {
        let xaddr = |section: &str| {
            els.iter()
                .find(|e| e.name == "XAddr" && e.parent == section)
                .and_then(|e| soap::path_of(&e.text))
        };
        match (xaddr("Media"), xaddr("Events")) {
            (Some(media), Some(events)) => {
                self.media_path = media;
                self.media2_path = None;
                self.events_path = events;
                self.set_up(out);
            }
            _ => {
                log(
                    LogLevel::Error,
                    &format!("{}: the camera reports no Media or Events service", self.id),
                );
                out.request(Request::timer("retry-setup", RETRY_MS * 15, false));
            }
        }
    }

    fn on_subscribed(&mut self, els: &[Element], out: &mut Outcome) {
        let Some(path) = els
            .iter()
            .find(|e| e.name == "Address")
            .and_then(|e| soap::path_of(&e.text))
        else {
            return self.lost_subscription("no SubscriptionReference in the answer", out);
        };
        self.subscription = Some(path.clone());
        self.schedule_renew(els, out);
        out.request(self.pull_request(&path));
        for old in self.stale.drain(..).filter(|p| *p != path) {
            out.request(http("unsubscribe", &old, soap::unsubscribe(), 5000));
        }
    }

    /// Renew at two thirds of the remaining lifetime.
    fn schedule_renew(&mut self, els: &[Element], out: &mut Outcome) {
        let left = match (
            xml::text(els, "CurrentTime").and_then(parse_utc),
            xml::text(els, "TerminationTime").and_then(parse_utc),
        ) {
            (Some(now), Some(end)) if end > now => (end - now) * 1000,
            _ => i64::from(self.profile.events.subscription_ttl_s) * 1000,
        };
        let at = u32::try_from((left * 2 / 3).clamp(1000, 3_600_000)).unwrap_or(60_000);
        out.request(Request::timer("renew", at, false));
    }

    fn on_messages(&mut self, els: &[Element], out: &mut Outcome) {
        let mut i = 0;
        while i < els.len() {
            if els[i].name != "NotificationMessage" {
                i += 1;
                continue;
            }
            let end = els[i + 1..]
                .iter()
                .position(|e| e.name == "NotificationMessage")
                .map_or(els.len(), |p| i + 1 + p);
            self.on_message(&els[i..end], out);
            i = end;
        }
    }

    fn on_message(&mut self, msg: &[Element], out: &mut Outcome) {
        let Some(topic) = msg
            .iter()
            .find(|e| e.name == "Topic")
            .map(|e| e.text.trim().to_owned())
        else {
            return;
        };
        let Some(map) = self.profile.topic(&topic).cloned() else {
            return;
        };
        let m = msg
            .iter()
            .find(|e| e.name == "Message" && e.attr("PropertyOperation").is_some());
        let initialized = m.and_then(|m| m.attr("PropertyOperation")) == Some("Initialized");
        let item = |section: &'static str| {
            msg.iter()
                .filter(move |e| e.name == "SimpleItem" && e.parent == section)
        };
        let Some(value) = item("Data")
            .find(|e| e.attr("Name") == Some(map.data.as_str()))
            .and_then(|e| e.attr("Value"))
        else {
            return;
        };
        let on = matches!(value.trim(), "true" | "1");
        let source = item("Source")
            .filter_map(|e| e.attr("Value"))
            .collect::<Vec<_>>()
            .join("/");
        let key = (map.kind.clone(), source.clone());
        let before = self.state.get(&key).copied();
        self.state.insert(key, on);
        // A sync (Initialized) reports standing state: news only if it differs from what we knew.
        let changed = match before {
            None => on,
            Some(b) => b != on,
        };
        if !changed {
            return;
        }
        let mut e = Event::new(&map.kind)
            .level(if on { map.level.into() } else { Level::Info })
            .phase_if(on)
            .attr("topic", topic.as_str())
            .attr("source", source.as_str())
            .message(format!(
                "{} {}",
                map.kind.trim_start_matches("camera."),
                if on { "began" } else { "ended" }
            ));
        if initialized {
            e = e.attr("initialized", true);
        }
        if let Some(t) = m.and_then(|m| m.attr("UtcTime")).and_then(parse_utc) {
            e = e.device_time_ms(t * 1000);
        }
        out.push(e);
    }

    fn on_snapshot(&mut self, r: HttpResponse, out: &mut Outcome) {
        let content_type = r.header("content-type").unwrap_or_default().to_owned();
        if r.status != 200 || !content_type.starts_with("image/") || r.body.is_empty() {
            log(
                LogLevel::Warn,
                &format!(
                    "{}: snapshot refused: HTTP {} ({content_type})",
                    self.id, r.status
                ),
            );
            return;
        }
        let mut e = Event::new(kinds::CAMERA_SNAPSHOT)
            .attr("bytes", r.body.len() as i64)
            .message("snapshot taken");
        if let Some(t) = &self.profile_token {
            e = e.attr("profile", t.as_str());
        }
        out.push(e.media("snapshot", &content_type, r.body));
    }

    /// A `camera.stream` fact whenever the stream's state or resolution changes.
    fn on_stream(&mut self, s: twinwall_plugin_sdk::RtspStatus, out: &mut Outcome) {
        let state = match (s.connected, s.fps) {
            (false, _) => "down",
            // Answering, but not yet sampled: nothing to say.
            (true, None) => return,
            (true, Some(f)) if f > 0.0 => "playing",
            (true, Some(_)) => "stalled",
        };
        let now = (state.to_owned(), s.width, s.height);
        if self.stream.as_ref() == Some(&now) {
            return;
        }
        self.stream = Some(now);
        let mut e = Event::new(kinds::CAMERA_STREAM)
            .level(if state == "playing" {
                Level::Info
            } else {
                Level::Orange
            })
            .attr("state", state)
            .message(format!("stream {state}"));
        if let Some(c) = &s.codec {
            e = e.attr("codec", c.as_str());
        }
        if let (Some(w), Some(h)) = (s.width, s.height) {
            e = e.attr("width", w).attr("height", h);
        }
        if let Some(f) = s.fps {
            e = e.attr("fps", f64::from((f * 10.0).round() / 10.0));
        }
        if let Some(err) = &s.error {
            e = e.attr("error", err.as_str());
        }
        if let Some(u) = &self.stream_uri {
            e = e.attr("uri", u.as_str());
        }
        if let Some(t) = &s.transport {
            e = e.attr("transport", t.as_str());
        }
        if let Some(ms) = s.first_frame_ms {
            e = e.attr("first_frame_ms", ms);
        }
        let watch = match self.check.mode {
            WatchMode::Continuous => "continuous",
            WatchMode::Sampled(_) => "sampled",
        };
        out.push(e.attr("watch", watch));
    }

    /// The stream URI the camera advertised.
    pub fn stream_uri(&self) -> Option<&str> {
        self.stream_uri.as_deref()
    }
}

/// An ISO 8601 time stamp (with its offset) → seconds since the epoch.
pub fn parse_utc(s: &str) -> Option<i64> {
    parse_iso8601(s).map(|ms| ms.div_euclid(1000))
}
