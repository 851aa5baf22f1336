//! ONVIF WS-Discovery, the client side: send a `Probe` for network video
//! transmitters and collect the `ProbeMatches` that answer it.

use std::net::SocketAddr;
use std::time::Duration;

use quick_xml::Reader;
use quick_xml::events::Event;
use serde::Serialize;
use tokio::net::UdpSocket;

/// The standard WS-Discovery target.
pub const MULTICAST: &str = "239.255.255.250:3702";

/// A device that answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// Endpoint reference (`urn:uuid:…`), stable per device.
    pub endpoint: String,
    /// Device service URLs.
    pub xaddrs: Vec<String>,
    /// Scopes (name, hardware, location, profiles).
    pub scopes: Vec<String>,
    /// Types.
    pub types: Vec<String>,
}

/// A Probe for `dn:NetworkVideoTransmitter` with `message_id`.
pub fn probe_message(message_id: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header><a:MessageID>{message_id}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header><s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>"#
    )
}

/// The matches in a `ProbeMatches` datagram, and what it relates to.
pub fn parse_matches(datagram: &[u8]) -> Result<(Option<String>, Vec<Found>), String> {
    if datagram.len() > 65_536 {
        return Err("datagram too large".into());
    }
    let mut r = Reader::from_reader(datagram);
    r.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut relates = None;
    let mut out: Vec<Found> = Vec::new();
    loop {
        match r
            .read_event_into(&mut buf)
            .map_err(|e| format!("bad XML: {e}"))?
        {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if name == "ProbeMatch" {
                    if out.len() >= 1024 {
                        return Err("too many matches".into());
                    }
                    out.push(Found {
                        endpoint: String::new(),
                        xaddrs: vec![],
                        scopes: vec![],
                        types: vec![],
                    });
                }
                if stack.len() >= 32 {
                    return Err("XML nested too deep".into());
                }
                stack.push(name);
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| e.to_string())?.into_owned();
                let words = || {
                    text.split_whitespace()
                        .take(64)
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                };
                let in_match = stack.iter().any(|s| s == "ProbeMatch");
                match (stack.last().map(String::as_str), out.last_mut()) {
                    (Some("RelatesTo"), _) => relates = Some(text.clone()),
                    (Some("Address"), Some(f)) if in_match => f.endpoint = text.clone(),
                    (Some("XAddrs"), Some(f)) if in_match => f.xaddrs = words(),
                    (Some("Scopes"), Some(f)) if in_match => f.scopes = words(),
                    (Some("Types"), Some(f)) if in_match => f.types = words(),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out.retain(|f| !f.endpoint.is_empty());
    Ok((relates, out))
}

/// Probe `target` and collect answers for `wait`, one entry per endpoint.
pub async fn probe(target: SocketAddr, wait: Duration) -> std::io::Result<Vec<Found>> {
    let bind: SocketAddr = if target.ip().is_loopback() {
        "127.0.0.1:0".parse().expect("literal")
    } else {
        "0.0.0.0:0".parse().expect("literal")
    };
    let socket = UdpSocket::bind(bind).await?;
    socket.set_multicast_ttl_v4(1)?;
    let id = format!(
        "urn:uuid:{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..)
    );
    socket
        .send_to(probe_message(&id).as_bytes(), target)
        .await?;
    let deadline = tokio::time::Instant::now() + wait;
    let mut found: Vec<Found> = Vec::new();
    let mut buf = vec![0u8; 65_536];
    while let Ok(Ok((n, peer))) =
        tokio::time::timeout_at(deadline, socket.recv_from(&mut buf)).await
    {
        match parse_matches(&buf[..n]) {
            Ok((relates, matches)) if relates.as_deref() == Some(id.as_str()) => {
                for m in matches {
                    if !found.iter().any(|f| f.endpoint == m.endpoint) {
                        found.push(m);
                    }
                }
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(%peer, "ignoring a discovery answer: {e}"),
        }
    }
    found.sort_by(|a, b| a.xaddrs.cmp(&b.xaddrs));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MATCHES: &str = r#"<?xml version="1.0"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsdd="http://schemas.xmlsoap.org/ws/2005/04/discovery"><SOAP-ENV:Header><wsa:MessageID>uuid:1</wsa:MessageID><wsa:RelatesTo>urn:uuid:probe-1</wsa:RelatesTo></SOAP-ENV:Header><SOAP-ENV:Body><wsdd:ProbeMatches><wsdd:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:cam-a</wsa:Address></wsa:EndpointReference><wsdd:Types>dn:NetworkVideoTransmitter tds:Device</wsdd:Types><wsdd:Scopes>onvif://www.onvif.org/name/gate onvif://www.onvif.org/hardware/X1</wsdd:Scopes><wsdd:XAddrs>http://10.0.0.5/onvif/device_service http://[fe80::1]/onvif/device_service</wsdd:XAddrs><wsdd:MetadataVersion>1</wsdd:MetadataVersion></wsdd:ProbeMatch></wsdd:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;

    #[test]
    fn reads_a_vendor_style_probe_match() {
        let (relates, found) = parse_matches(MATCHES.as_bytes()).unwrap();
        assert_eq!(relates.as_deref(), Some("urn:uuid:probe-1"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].endpoint, "urn:uuid:cam-a");
        assert_eq!(found[0].xaddrs.len(), 2);
        assert!(
            found[0]
                .scopes
                .contains(&"onvif://www.onvif.org/name/gate".to_owned())
        );
        assert!(
            parse_matches(b"<a><b>").is_err() || parse_matches(b"<a><b>").unwrap().1.is_empty()
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_datagrams(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = parse_matches(&bytes);
        }

        #[test]
        fn never_panics_on_mutated_matches(cut in 0usize..MATCHES.len(), junk in "[<>/:=\"a-z &;]{0,30}") {
            let mut s = MATCHES[..cut].to_owned();
            s.push_str(&junk);
            s.push_str(&MATCHES[cut..]);
            let _ = parse_matches(s.as_bytes());
        }
    }
}
