//! Helpers for devices that speak Hikvision-ISAPI-style HTTP (face gates,
//! barrier gates, cameras): telling a device where to push its events, and
//! [`EventIntake`], the part of such a driver that gets the events flowing.
//!
//! ```
//! let doc = twinwall_plugin_sdk::isapi::http_hosts("http://10.0.0.2:7200/push/g1/ab/events", "JSON").unwrap();
//! assert!(doc.contains("<ipAddress>10.0.0.2</ipAddress>") && doc.contains("<url>/push/g1/ab/events</url>"));
//! ```

use crate::{DriverError, HttpRequest, Input, LogLevel, Outcome, Request, StreamSplit, log};

/// Request ids the intake owns; a driver's own requests use other ids.
const HEALTH: &str = "health";
const CONFIGURE: &str = "configure";
/// The listener and stream ids the events arrive on.
pub const PUSH_LISTENER: &str = "events";
/// The id of the alert stream.
pub const ALERT_STREAM: &str = "alerts";
/// Wait before telling a device its push target again.
const RETRY_MS: u32 = 3_000;
/// Silence after which the hub reopens the alert stream.
const STREAM_IDLE_MS: u32 = 30_000;

/// How a device delivers its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The device pushes to the hub's listener (it is told where with `httpHosts`).
    Push,
    /// The hub holds the device's alert stream open.
    Stream,
}

impl Delivery {
    /// From the device's `mode` setting (`push`, the default, or `stream`).
    pub fn from_setting(device: &str, mode: Option<&str>) -> Result<Self, DriverError> {
        match mode.unwrap_or("push") {
            "push" => Ok(Delivery::Push),
            "stream" => Ok(Delivery::Stream),
            other => Err(DriverError::bad_config(format!(
                "device `{device}`: setting `mode` = `{other}`; use `push` or `stream`"
            ))),
        }
    }
}

/// The device paths and limits the intake uses: the `[isapi]` table of
/// the driver's profile.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    /// `GET` polled for health, e.g. `/ISAPI/System/deviceInfo`.
    pub device_info: String,
    /// `PUT` with the push target, e.g. `/ISAPI/Event/notification/httpHosts`.
    pub http_hosts: String,
    /// The alert stream, e.g. `/ISAPI/Event/notification/alertStream`.
    pub alert_stream: String,
    /// How often to poll `device_info`.
    pub health_every_ms: u32,
    /// Largest push body or stream part accepted.
    pub max_body: u32,
}

/// Gets one device's events to the driver: polls its health, and either
/// asks the hub for a push listener and tells the device to push there
/// (again after a refusal or failure), or holds its alert stream open.
/// The driver passes every input through [`EventIntake::handle`] first and
/// deals with what comes back: pushes, stream parts and its own responses.
///
/// ```
/// use twinwall_plugin_sdk::isapi::{Delivery, Endpoints, EventIntake};
/// let ends = Endpoints {
///     device_info: "/ISAPI/System/deviceInfo".into(),
///     http_hosts: "/ISAPI/Event/notification/httpHosts".into(),
///     alert_stream: "/ISAPI/Event/notification/alertStream".into(),
///     health_every_ms: 10_000,
///     max_body: 1 << 20,
/// };
/// let intake = EventIntake::new("gate-1", "gate", Delivery::Push, "JSON", ends);
/// assert_eq!(intake.start().len(), 3); // health now, health timer, listener
/// ```
#[derive(Debug, Clone)]
pub struct EventIntake {
    device: String,
    /// What the device is called in log lines ("gate", "camera").
    noun: &'static str,
    delivery: Delivery,
    format: &'static str,
    ends: Endpoints,
    push_url: Option<String>,
}

impl EventIntake {
    /// The intake of `device`; pushes carry event bodies in `format`
    /// (`JSON` or `XML`, the `httpHosts` `parameterFormatType`).
    pub fn new(
        device: &str,
        noun: &'static str,
        delivery: Delivery,
        format: &'static str,
        ends: Endpoints,
    ) -> Self {
        EventIntake {
            device: device.to_owned(),
            noun,
            delivery,
            format,
            ends,
            push_url: None,
        }
    }

    /// How the device delivers.
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// The largest body or part the intake accepts.
    pub fn max_body(&self) -> u32 {
        self.ends.max_body
    }

    /// The requests to send when the device starts.
    pub fn start(&self) -> Vec<Request> {
        vec![
            self.health(),
            Request::timer(HEALTH, self.ends.health_every_ms.max(1000), true),
            match self.delivery {
                Delivery::Push => Request::listen(PUSH_LISTENER, "/events", self.ends.max_body),
                Delivery::Stream => Request::stream(
                    ALERT_STREAM,
                    &self.ends.alert_stream,
                    StreamSplit::Multipart,
                    self.ends.max_body,
                    STREAM_IDLE_MS,
                ),
            },
        ]
    }

    /// Take the inputs that are the intake's own (the listener's URL, its
    /// timers, answers and failures of its requests); give back the rest.
    pub fn handle(&mut self, input: Input, out: &mut Outcome) -> Option<Input> {
        match input {
            Input::HttpListening(l) => {
                self.push_url = Some(l.url);
                self.configure(out);
            }
            Input::Timer(t) if t == HEALTH => out.request(self.health()),
            Input::Timer(t) if t == CONFIGURE => self.configure(out),
            Input::StreamOpened(o) if o.status == 401 => self.refused("the alert stream"),
            Input::HttpResponse(r) if r.id == HEALTH || r.id == CONFIGURE => {
                match (r.id.as_str(), r.status) {
                    (_, 401) => self.refused(&format!("`{}`", r.id)),
                    (CONFIGURE, s) if s >= 300 => {
                        log(
                            LogLevel::Warn,
                            &format!(
                                "{}: the {} refused its push target: HTTP {s}",
                                self.device, self.noun
                            ),
                        );
                        out.request(Request::timer(CONFIGURE, RETRY_MS, false));
                    }
                    (CONFIGURE, _) => log(
                        LogLevel::Info,
                        &format!("{}: pushing to the hub", self.device),
                    ),
                    _ => {}
                }
            }
            Input::Failed(f) if f.id == HEALTH || f.id == CONFIGURE => {
                if f.id == CONFIGURE {
                    out.request(Request::timer(CONFIGURE, RETRY_MS, false));
                }
                log(
                    LogLevel::Debug,
                    &format!(
                        "{}: `{}` failed: {:?}: {}",
                        self.device, f.id, f.kind, f.message
                    ),
                );
            }
            other => return Some(other),
        }
        None
    }

    fn health(&self) -> Request {
        HttpRequest::new(HEALTH, "GET", &self.ends.device_info).into()
    }

    /// Tell the device to push to the hub's listener.
    fn configure(&self, out: &mut Outcome) {
        let Some(url) = self.push_url.as_deref() else {
            return;
        };
        match http_hosts(url, self.format) {
            Some(doc) => out.request(
                HttpRequest::new(CONFIGURE, "PUT", &self.ends.http_hosts)
                    .body("application/xml", doc)
                    .into(),
            ),
            None => log(
                LogLevel::Error,
                &format!(
                    "{}: cannot tell the {} to push to `{url}`",
                    self.device, self.noun
                ),
            ),
        }
    }

    fn refused(&self, what: &str) {
        log(
            LogLevel::Error,
            &format!(
                "{}: the {} refused the hub's credentials for {what} (HTTP 401)",
                self.device, self.noun
            ),
        );
    }
}

/// Where a push URL points: host, port and path.
pub fn split_url(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (hostport, 80),
    };
    (!host.is_empty()).then(|| (host.to_owned(), port, path.to_owned()))
}

/// The `httpHosts` document that makes a device push to `url`, with event
/// bodies in `format` (`JSON` or `XML`).
pub fn http_hosts(url: &str, format: &str) -> Option<String> {
    let (host, port, path) = split_url(url)?;
    let addressing = if host.parse::<std::net::IpAddr>().is_ok() {
        format!(
            "<addressingFormatType>ipaddress</addressingFormatType><ipAddress>{host}</ipAddress>"
        )
    } else {
        format!("<addressingFormatType>hostname</addressingFormatType><hostName>{host}</hostName>")
    };
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><HttpHostNotificationList version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\">\
         <HttpHostNotification><id>1</id><url>{path}</url><protocolType>HTTP</protocolType><parameterFormatType>{format}</parameterFormatType>\
         {addressing}<portNo>{port}</portNo><httpAuthenticationMethod>none</httpAuthenticationMethod></HttpHostNotification></HttpHostNotificationList>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RequestKind;

    fn intake(delivery: Delivery) -> EventIntake {
        EventIntake::new(
            "g1",
            "gate",
            delivery,
            "JSON",
            Endpoints {
                device_info: "/info".into(),
                http_hosts: "/hosts".into(),
                alert_stream: "/alerts".into(),
                health_every_ms: 5_000,
                max_body: 1000,
            },
        )
    }

    fn ids(out: &Outcome) -> Vec<String> {
        out.requests
            .iter()
            .map(|r| match r.kind() {
                RequestKind::Http(h) => format!("http {} {}", h.method, h.path),
                RequestKind::Timer(t) => format!("timer {}", t.id),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn push_intake_configures_the_device_and_retries_after_refusal() {
        let mut i = intake(Delivery::Push);
        assert!(matches!(*i.start()[2], RequestKind::HttpListen(_)));
        let mut out = Outcome::default();
        let url = crate::HttpListening {
            id: PUSH_LISTENER.into(),
            url: "http://127.0.0.1:7200/push/g1/t/events".into(),
        };
        assert!(i.handle(Input::HttpListening(url), &mut out).is_none());
        assert_eq!(ids(&out), ["http PUT /hosts"]);
        let refused = crate::HttpResponse {
            id: CONFIGURE.into(),
            status: 500,
            headers: vec![],
            body: vec![],
        };
        let mut out = Outcome::default();
        assert!(i.handle(Input::HttpResponse(refused), &mut out).is_none());
        assert_eq!(ids(&out), ["timer configure"]);
        let mut out = Outcome::default();
        i.handle(Input::Timer(CONFIGURE.into()), &mut out);
        assert_eq!(ids(&out), ["http PUT /hosts"]);
        // Not the intake's: handed back untouched.
        let door = crate::HttpResponse {
            id: "door".into(),
            status: 200,
            headers: vec![],
            body: vec![],
        };
        let mut out = Outcome::default();
        assert!(i.handle(Input::HttpResponse(door), &mut out).is_some());
        assert!(out.requests.is_empty());
    }

    #[test]
    fn stream_intake_holds_the_alert_stream() {
        let i = intake(Delivery::Stream);
        let RequestKind::HttpStream(s) = i.start().remove(2).into_kind() else {
            panic!("no stream")
        };
        assert_eq!((s.path.as_str(), s.max_part), ("/alerts", 1000));
        assert!(Delivery::from_setting("g1", Some("poll")).is_err());
    }

    #[test]
    fn urls_split_and_become_http_hosts() {
        assert_eq!(
            split_url("http://10.0.0.2:7200/push/g1/ab/events"),
            Some(("10.0.0.2".into(), 7200, "/push/g1/ab/events".into()))
        );
        assert_eq!(split_url("https://x"), None);
        let x = http_hosts("http://hub.campus:7200/p", "XML").unwrap();
        assert!(
            x.contains("<hostName>hub.campus</hostName>") && x.contains("<portNo>7200</portNo>")
        );
    }
}
