//! What every simulated ISAPI-style device (face gates, barrier gates) shares:
//! the `ResponseStatus` answer, reading a field of a small XML request, the
//! device clock in China Standard Time, and building `multipart` bodies.

use quick_xml::Reader;
use quick_xml::events::Event;

/// The `ResponseStatus` document ISAPI devices answer with.
pub fn response_status(url: &str, code: u8, status: &str, sub: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ResponseStatus version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\">\
         <requestURL>{url}</requestURL><statusCode>{code}</statusCode><statusString>{status}</statusString>\
         <subStatusCode>{sub}</subStatusCode></ResponseStatus>"
    )
}

/// The text of the first element named `name` (local name) in `xml`.
pub fn field(xml: &[u8], name: &str) -> Option<String> {
    let mut r = Reader::from_reader(xml);
    r.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut inside = false;
    loop {
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) => {
                inside = e.local_name().as_ref() == name.as_bytes();
            }
            Event::Text(t) if inside => return t.decode().ok().map(|s| s.into_owned()),
            Event::End(_) => inside = false,
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// Now on the device's clock: ISO 8601 in China Standard Time
/// (`2026-11-29T18:23:22+08:00`), as devices on a Chinese campus stamp events.
pub fn local_time(unix_ms: i64) -> String {
    let cst = unix_ms.div_euclid(1000) + 8 * 3600;
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(cst.max(0) as u64);
    // `…Z` of the shifted time is the wall clock in Beijing.
    let iso = humantime::format_rfc3339_seconds(t).to_string();
    format!("{}+08:00", iso.trim_end_matches('Z'))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// One part of a multipart body.
pub struct BodyPart<'a> {
    /// `Content-Disposition` value, if any.
    pub disposition: Option<String>,
    /// Content type.
    pub content_type: &'a str,
    /// Bytes.
    pub body: &'a [u8],
}

/// A multipart body of `parts` with `boundary`, each part with its length;
/// `closed` adds the closing delimiter (a stream leaves it off).
pub fn multipart(boundary: &str, parts: &[BodyPart<'_>], closed: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        if let Some(d) = &p.disposition {
            out.extend_from_slice(format!("Content-Disposition: {d}\r\n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "Content-Type: {}\r\nContent-Length: {}\r\n\r\n",
                p.content_type,
                p.body.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(p.body);
        out.extend_from_slice(b"\r\n");
    }
    if closed {
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_china_standard_time() {
        assert_eq!(local_time(0), "1970-01-01T08:00:00+08:00");
        assert_eq!(local_time(1_795_947_802_000), "2026-11-29T18:23:22+08:00");
    }

    #[test]
    fn fields_are_read_by_local_name() {
        let x = b"<RemoteControlDoor xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><cmd>open</cmd></RemoteControlDoor>";
        assert_eq!(field(x, "cmd").as_deref(), Some("open"));
        assert_eq!(field(x, "nope"), None);
        assert_eq!(field(b"<a><b>", "b"), None);
    }
}
