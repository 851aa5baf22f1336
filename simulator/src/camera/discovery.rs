//! WS-Discovery for every simulated camera: one UDP responder answers a
//! `Probe` with one `ProbeMatch` per camera (unicast to the prober), and can
//! announce `Hello`/`Bye`. It joins the multicast group on the loopback
//! interface only, so nothing leaves the machine.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

use super::soap;
use super::templates::escape;

/// The WS-Discovery multicast group.
pub const GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);

/// One camera as discovery describes it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Stable `urn:uuid:…`.
    pub address: String,
    /// Device service URL.
    pub xaddr: String,
    /// Space-separated scopes.
    pub scopes: String,
}

impl Endpoint {
    /// The endpoint of a camera `id` serving at `addr`.
    pub fn for_camera(id: &str, addr: SocketAddr) -> Self {
        // A stable UUID from the id, so a camera keeps its identity across restarts.
        let h = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        let address = format!(
            "urn:uuid:{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            h >> 32,
            (h >> 16) & 0xffff,
            h & 0xfff,
            (h >> 20) & 0xfff,
            h & 0xffff_ffff_ffff
        );
        Endpoint {
            address,
            xaddr: format!("http://{addr}/onvif/device_service"),
            scopes: format!(
                "onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/hardware/TW-CAM1 onvif://www.onvif.org/name/{id}"
            ),
        }
    }
}

const ENV_OPEN: &str = r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">"#;

fn message_id() -> String {
    format!(
        "urn:uuid:{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        fastrand::u32(..),
        fastrand::u16(..),
        fastrand::u16(..4096),
        fastrand::u16(..4096),
        fastrand::u64(..1 << 48)
    )
}

fn matches(endpoints: &[Endpoint], relates_to: &str) -> String {
    let m: String = endpoints
        .iter()
        .map(|e| {
            format!(
                "<d:ProbeMatch><a:EndpointReference><a:Address>{}</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>\
                 <d:Scopes>{}</d:Scopes><d:XAddrs>{}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch>",
                escape(&e.address),
                escape(&e.scopes),
                escape(&e.xaddr)
            )
        })
        .collect();
    format!(
        "{ENV_OPEN}<s:Header><a:MessageID>{}</a:MessageID><a:RelatesTo>{}</a:RelatesTo><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>\
         <a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header><s:Body><d:ProbeMatches>{m}</d:ProbeMatches></s:Body></s:Envelope>",
        message_id(),
        escape(relates_to)
    )
}

fn announcement(action: &str, e: &Endpoint) -> String {
    format!(
        "{ENV_OPEN}<s:Header><a:MessageID>{}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/{action}</a:Action></s:Header>\
         <s:Body><d:{action}><a:EndpointReference><a:Address>{}</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>{}</d:Scopes><d:XAddrs>{}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:{action}></s:Body></s:Envelope>",
        message_id(),
        escape(&e.address),
        escape(&e.scopes),
        escape(&e.xaddr)
    )
}

/// A running responder. Dropping it says `Bye` (if announcing) and stops.
pub struct Responder {
    addr: SocketAddr,
    endpoints: Vec<Endpoint>,
    announce_to: Option<SocketAddr>,
    task: JoinHandle<()>,
}

impl Responder {
    /// Answer probes on `bind` (use `127.0.0.1:0` in tests, `0.0.0.0:3702` on a
    /// lab network) for `endpoints`; say Hello/Bye to `announce_to` if given.
    pub async fn start(
        bind: SocketAddr,
        endpoints: Vec<Endpoint>,
        announce_to: Option<SocketAddr>,
    ) -> std::io::Result<Self> {
        let socket = Arc::new(UdpSocket::bind(bind).await?);
        // Loopback only: CI and laptops often lack multicast routing, and nothing may leave the box.
        let _ = socket.join_multicast_v4(GROUP, Ipv4Addr::LOCALHOST);
        let addr = socket.local_addr()?;
        if let Some(to) = announce_to {
            for e in &endpoints {
                let _ = socket
                    .send_to(announcement("Hello", e).as_bytes(), to)
                    .await;
            }
        }
        let (s, eps) = (socket.clone(), endpoints.clone());
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 65_536];
            loop {
                let Ok((n, peer)) = s.recv_from(&mut buf).await else {
                    return;
                };
                let Ok(req) = soap::parse(&buf[..n]) else {
                    continue;
                };
                if req.op != "Probe" {
                    continue;
                }
                // An empty Types asks for everything; otherwise we must be asked for a camera.
                let types = req.param("Types").unwrap_or("");
                if !(types.is_empty()
                    || types.contains("NetworkVideoTransmitter")
                    || types.contains("Device"))
                {
                    continue;
                }
                let reply = matches(&eps, req.message_id.as_deref().unwrap_or(""));
                let _ = s.send_to(reply.as_bytes(), peer).await;
            }
        });
        Ok(Responder {
            addr,
            endpoints,
            announce_to,
            task,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(to) = self.announce_to {
            // Best effort from a destructor: a plain blocking socket.
            if let Ok(std_socket) = std::net::UdpSocket::bind("127.0.0.1:0") {
                for e in &self.endpoints {
                    let _ = std_socket.send_to(announcement("Bye", e).as_bytes(), to);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_stable_and_messages_well_formed() {
        let a = Endpoint::for_camera("cam-1", "127.0.0.1:8000".parse().unwrap());
        assert_eq!(
            a.address,
            Endpoint::for_camera("cam-1", "127.0.0.1:9000".parse().unwrap()).address
        );
        assert_ne!(
            a.address,
            Endpoint::for_camera("cam-2", "127.0.0.1:8000".parse().unwrap()).address
        );
        for doc in [
            matches(std::slice::from_ref(&a), "urn:uuid:x"),
            announcement("Hello", &a),
        ] {
            let mut r = quick_xml::Reader::from_str(&doc);
            while !matches!(r.read_event().unwrap(), quick_xml::events::Event::Eof) {}
        }
    }
}
