//! Helpers for devices that speak Hikvision-ISAPI-style HTTP (face gates,
//! barrier gates, cameras): telling a device where to push its events.
//!
//! ```
//! let doc = twinwall_plugin_sdk::isapi::http_hosts("http://10.0.0.2:7200/push/g1/ab/events", "JSON").unwrap();
//! assert!(doc.contains("<ipAddress>10.0.0.2</ipAddress>") && doc.contains("<url>/push/g1/ab/events</url>"));
//! ```

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
