//! SOAP requests the driver sends. The hub adds the WS-Security header.

const ENVELOPE_OPEN: &str = r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tr2="http://www.onvif.org/ver20/media/wsdl" xmlns:tev="http://www.onvif.org/ver10/events/wsdl" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body>"#;
/// Media (ONVIF 1.0) service namespace.
pub const NS_MEDIA1: &str = "http://www.onvif.org/ver10/media/wsdl";
/// Media2 service namespace.
pub const NS_MEDIA2: &str = "http://www.onvif.org/ver20/media/wsdl";
/// Event service namespace.
pub const NS_EVENTS: &str = "http://www.onvif.org/ver10/events/wsdl";
const ENVELOPE_CLOSE: &str = "</s:Body></s:Envelope>";

fn envelope(body: &str) -> Vec<u8> {
    format!("{ENVELOPE_OPEN}{body}{ENVELOPE_CLOSE}").into_bytes()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `GetCapabilities` (All).
pub fn get_capabilities() -> Vec<u8> {
    envelope("<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>")
}

/// `GetServices` (without capabilities): where each service lives, and
/// whether the camera has Media2.
pub fn get_services() -> Vec<u8> {
    envelope(
        "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>",
    )
}

/// Media2 `GetProfiles`.
pub fn get_profiles_media2() -> Vec<u8> {
    envelope("<tr2:GetProfiles/>")
}

/// Media2 `GetStreamUri` for RTSP (RTP over RTSP; the hub picks the transport at SETUP).
pub fn get_stream_uri_media2(token: &str) -> Vec<u8> {
    envelope(&format!(
        "<tr2:GetStreamUri><tr2:Protocol>RTSP</tr2:Protocol><tr2:ProfileToken>{}</tr2:ProfileToken></tr2:GetStreamUri>",
        escape(token)
    ))
}

/// Media2 `GetSnapshotUri`.
pub fn get_snapshot_uri_media2(token: &str) -> Vec<u8> {
    envelope(&format!(
        "<tr2:GetSnapshotUri><tr2:ProfileToken>{}</tr2:ProfileToken></tr2:GetSnapshotUri>",
        escape(token)
    ))
}

/// Media1 `GetProfiles`.
pub fn get_profiles() -> Vec<u8> {
    envelope("<trt:GetProfiles/>")
}

/// Media1 `GetStreamUri` for RTSP unicast.
pub fn get_stream_uri(token: &str) -> Vec<u8> {
    envelope(&format!(
        "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>{}</trt:ProfileToken></trt:GetStreamUri>",
        escape(token)
    ))
}

/// Media1 `GetSnapshotUri`.
pub fn get_snapshot_uri(token: &str) -> Vec<u8> {
    envelope(&format!(
        "<trt:GetSnapshotUri><trt:ProfileToken>{}</trt:ProfileToken></trt:GetSnapshotUri>",
        escape(token)
    ))
}

/// `CreatePullPointSubscription`.
pub fn create_pull_point(ttl_s: u32) -> Vec<u8> {
    envelope(&format!(
        "<tev:CreatePullPointSubscription><tev:InitialTerminationTime>PT{ttl_s}S</tev:InitialTerminationTime></tev:CreatePullPointSubscription>"
    ))
}

/// `PullMessages`.
pub fn pull_messages(timeout_s: u32, limit: u32) -> Vec<u8> {
    envelope(&format!(
        "<tev:PullMessages><tev:Timeout>PT{timeout_s}S</tev:Timeout><tev:MessageLimit>{limit}</tev:MessageLimit></tev:PullMessages>"
    ))
}

/// `Renew`.
pub fn renew(ttl_s: u32) -> Vec<u8> {
    envelope(&format!(
        "<wsnt:Renew><wsnt:TerminationTime>PT{ttl_s}S</wsnt:TerminationTime></wsnt:Renew>"
    ))
}

/// `Unsubscribe`.
pub fn unsubscribe() -> Vec<u8> {
    envelope("<wsnt:Unsubscribe/>")
}

/// The path part of an XAddr (`http://10.0.0.5/onvif/x` → `/onvif/x`): the hub
/// talks to the address in the config, whatever host the camera believes it has.
pub fn path_of(xaddr: &str) -> Option<String> {
    let rest = xaddr
        .trim()
        .split_once("://")
        .map_or(xaddr.trim(), |(_, r)| r);
    let path = &rest[rest.find('/')?..];
    (!path.is_empty() && path.len() < 512).then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xaddr_paths() {
        assert_eq!(
            path_of("http://10.1.2.3:8080/onvif/event_service").as_deref(),
            Some("/onvif/event_service")
        );
        assert_eq!(
            path_of("http://cam/onvif/subscription/7?x=1").as_deref(),
            Some("/onvif/subscription/7?x=1")
        );
        assert_eq!(path_of("http://cam"), None);
    }
}
