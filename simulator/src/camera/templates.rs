//! SOAP 1.2 responses, from templates.

use super::events::Message;

const NS: &str = concat!(
    r#"xmlns:s="http://www.w3.org/2003/05/soap-envelope" "#,
    r#"xmlns:tt="http://www.onvif.org/ver10/schema" "#,
    r#"xmlns:tds="http://www.onvif.org/ver10/device/wsdl" "#,
    r#"xmlns:trt="http://www.onvif.org/ver10/media/wsdl" "#,
    r#"xmlns:tr2="http://www.onvif.org/ver20/media/wsdl" "#,
    r#"xmlns:tev="http://www.onvif.org/ver10/events/wsdl" "#,
    r#"xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" "#,
    r#"xmlns:wsa="http://www.w3.org/2005/08/addressing" "#,
    r#"xmlns:wstop="http://docs.oasis-open.org/wsn/t-1" "#,
    r#"xmlns:tns1="http://www.onvif.org/ver10/topics" "#,
    r#"xmlns:ter="http://www.onvif.org/ver10/error""#
);

/// Wrap a body in an envelope.
pub fn envelope(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope {NS}><s:Body>{body}</s:Body></s:Envelope>"#
    )
}

/// A SOAP fault with an ONVIF subcode, e.g. `ter:NotAuthorized`.
pub fn fault(code: &str, subcode: &str, reason: &str) -> String {
    envelope(&format!(
        r#"<s:Fault><s:Code><s:Value>s:{code}</s:Value><s:Subcode><s:Value>{subcode}</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">{}</s:Text></s:Reason></s:Fault>"#,
        escape(reason)
    ))
}

/// XML-escape text.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// RFC 3339 UTC seconds.
pub fn utc(ms: i64) -> String {
    humantime::format_rfc3339_seconds(
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64),
    )
    .to_string()
}

/// `GetSystemDateAndTime`.
pub fn system_date_and_time(now_ms: i64) -> String {
    let t = utc(now_ms);
    let (y, mo, d, h, mi, s) = (
        &t[0..4],
        &t[5..7],
        &t[8..10],
        &t[11..13],
        &t[14..16],
        &t[17..19],
    );
    let num = |v: &str| v.trim_start_matches('0').parse::<u32>().unwrap_or(0);
    envelope(&format!(
        "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>\
         <tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone><tt:UTCDateTime><tt:Time><tt:Hour>{}</tt:Hour><tt:Minute>{}</tt:Minute><tt:Second>{}</tt:Second></tt:Time>\
         <tt:Date><tt:Year>{}</tt:Year><tt:Month>{}</tt:Month><tt:Day>{}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>",
        num(h),
        num(mi),
        num(s),
        num(y),
        num(mo),
        num(d)
    ))
}

/// `GetCapabilities`.
pub fn capabilities(base: &str) -> String {
    envelope(&format!(
        "<tds:GetCapabilitiesResponse><tds:Capabilities>\
         <tt:Device><tt:XAddr>{base}/onvif/device_service</tt:XAddr></tt:Device>\
         <tt:Events><tt:XAddr>{base}/onvif/event_service</tt:XAddr><tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>\
         <tt:WSPullPointSupport>true</tt:WSPullPointSupport><tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>\
         <tt:Media><tt:XAddr>{base}/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>\
         </tds:Capabilities></tds:GetCapabilitiesResponse>"
    ))
}

/// `GetServices`.
pub fn services(base: &str) -> String {
    let svc = |ns: &str, path: &str, major: u32, minor: u32| {
        format!(
            "<tds:Service><tds:Namespace>{ns}</tds:Namespace><tds:XAddr>{base}/onvif/{path}</tds:XAddr><tds:Version><tt:Major>{major}</tt:Major><tt:Minor>{minor}</tt:Minor></tds:Version></tds:Service>"
        )
    };
    envelope(&format!(
        "<tds:GetServicesResponse>{}{}{}{}</tds:GetServicesResponse>",
        svc(
            "http://www.onvif.org/ver10/device/wsdl",
            "device_service",
            2,
            60
        ),
        svc(
            "http://www.onvif.org/ver10/media/wsdl",
            "media_service",
            2,
            60
        ),
        svc(
            "http://www.onvif.org/ver20/media/wsdl",
            "media2_service",
            2,
            60
        ),
        svc(
            "http://www.onvif.org/ver10/events/wsdl",
            "event_service",
            2,
            60
        )
    ))
}

/// `GetDeviceInformation`.
pub fn device_information(id: &str) -> String {
    envelope(&format!(
        "<tds:GetDeviceInformationResponse><tds:Manufacturer>Twinwall</tds:Manufacturer><tds:Model>TW-CAM1</tds:Model>\
         <tds:FirmwareVersion>{}</tds:FirmwareVersion><tds:SerialNumber>{}</tds:SerialNumber><tds:HardwareId>TW-CAM1-A</tds:HardwareId></tds:GetDeviceInformationResponse>",
        env!("CARGO_PKG_VERSION"),
        escape(id)
    ))
}

/// `GetScopes`.
pub fn scopes(id: &str) -> String {
    let scope = |s: String| {
        format!(
            "<tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>{}</tt:ScopeItem></tds:Scopes>",
            escape(&s)
        )
    };
    envelope(&format!(
        "<tds:GetScopesResponse>{}{}{}{}</tds:GetScopesResponse>",
        scope("onvif://www.onvif.org/Profile/Streaming".into()),
        scope("onvif://www.onvif.org/Profile/T".into()),
        scope("onvif://www.onvif.org/hardware/TW-CAM1".into()),
        scope(format!("onvif://www.onvif.org/name/{id}"))
    ))
}

/// `GetNetworkInterfaces`.
pub fn network_interfaces(ip: &str) -> String {
    envelope(&format!(
        "<tds:GetNetworkInterfacesResponse><tds:NetworkInterfaces token=\"eth0\"><tt:Enabled>true</tt:Enabled>\
         <tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>02:00:00:00:00:01</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info>\
         <tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config><tt:Manual><tt:Address>{ip}</tt:Address><tt:PrefixLength>8</tt:PrefixLength></tt:Manual><tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4>\
         </tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>"
    ))
}

/// The two profiles: `main` (320×192) and `sub` (160×96), H.264, as the RTSP server streams them.
pub const PROFILES: [(&str, u32, u32, &str); 2] =
    [("main", 320, 192, "101"), ("sub", 160, 96, "102")];

/// Media1 `GetProfiles`.
pub fn profiles_media1() -> String {
    let p: String = PROFILES
        .iter()
        .map(|(token, w, h, _)| {
            format!(
                "<trt:Profiles token=\"{token}\" fixed=\"true\"><tt:Name>{token}</tt:Name>\
                 <tt:VideoSourceConfiguration token=\"vsc0\"><tt:Name>vsc0</tt:Name><tt:UseCount>2</tt:UseCount><tt:SourceToken>vs0</tt:SourceToken><tt:Bounds x=\"0\" y=\"0\" width=\"320\" height=\"192\"/></tt:VideoSourceConfiguration>\
                 <tt:VideoEncoderConfiguration token=\"vec-{token}\"><tt:Name>vec-{token}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>\
                 <tt:Resolution><tt:Width>{w}</tt:Width><tt:Height>{h}</tt:Height></tt:Resolution><tt:Quality>4</tt:Quality>\
                 <tt:RateControl><tt:FrameRateLimit>5</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>2048</tt:BitrateLimit></tt:RateControl></tt:VideoEncoderConfiguration></trt:Profiles>"
            )
        })
        .collect();
    envelope(&format!(
        "<trt:GetProfilesResponse>{p}</trt:GetProfilesResponse>"
    ))
}

/// Media2 `GetProfiles`.
pub fn profiles_media2() -> String {
    let p: String = PROFILES
        .iter()
        .map(|(token, w, h, _)| {
            format!(
                "<tr2:Profiles token=\"{token}\" fixed=\"true\"><tr2:Name>{token}</tr2:Name><tr2:Configurations>\
                 <tr2:VideoEncoder token=\"vec-{token}\"><tt:Name>vec-{token}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>\
                 <tt:Resolution><tt:Width>{w}</tt:Width><tt:Height>{h}</tt:Height></tt:Resolution><tt:Quality>4</tt:Quality></tr2:VideoEncoder></tr2:Configurations></tr2:Profiles>"
            )
        })
        .collect();
    envelope(&format!(
        "<tr2:GetProfilesResponse>{p}</tr2:GetProfilesResponse>"
    ))
}

/// Media1 `GetStreamUri`.
pub fn stream_uri_media1(uri: &str) -> String {
    envelope(&format!(
        "<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>{}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>",
        escape(uri)
    ))
}

/// Media1 `GetSnapshotUri`.
pub fn snapshot_uri_media1(uri: &str) -> String {
    envelope(&format!(
        "<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>{}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>",
        escape(uri)
    ))
}

/// Media2 `GetSnapshotUri`.
pub fn snapshot_uri_media2(uri: &str) -> String {
    envelope(&format!(
        "<tr2:GetSnapshotUriResponse><tr2:Uri>{}</tr2:Uri></tr2:GetSnapshotUriResponse>",
        escape(uri)
    ))
}

/// Media2 `GetStreamUri`.
pub fn stream_uri_media2(uri: &str) -> String {
    envelope(&format!(
        "<tr2:GetStreamUriResponse><tr2:Uri>{}</tr2:Uri></tr2:GetStreamUriResponse>",
        escape(uri)
    ))
}

/// `GetEventProperties`.
pub fn event_properties() -> String {
    envelope(
        "<tev:GetEventPropertiesResponse><tev:TopicNamespaceLocation>http://www.onvif.org/onvif/ver10/topics/topicns.xml</tev:TopicNamespaceLocation>\
         <wsnt:FixedTopicSet>true</wsnt:FixedTopicSet><wstop:TopicSet>\
         <tns1:RuleEngine><CellMotionDetector><Motion wstop:topic=\"true\"><tt:MessageDescription IsProperty=\"true\"><tt:Data><tt:SimpleItemDescription Name=\"IsMotion\" Type=\"xs:boolean\"/></tt:Data></tt:MessageDescription></Motion></CellMotionDetector>\
         <TamperDetector><Tamper wstop:topic=\"true\"><tt:MessageDescription IsProperty=\"true\"><tt:Data><tt:SimpleItemDescription Name=\"IsTamper\" Type=\"xs:boolean\"/></tt:Data></tt:MessageDescription></Tamper></TamperDetector></tns1:RuleEngine>\
         <tns1:VideoSource><SignalLoss wstop:topic=\"true\"><tt:MessageDescription IsProperty=\"true\"><tt:Data><tt:SimpleItemDescription Name=\"State\" Type=\"xs:boolean\"/></tt:Data></tt:MessageDescription></SignalLoss></tns1:VideoSource>\
         </wstop:TopicSet><tev:TopicExpressionDialect>http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet</tev:TopicExpressionDialect>\
         <tev:MessageContentFilterDialect>http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter</tev:MessageContentFilterDialect>\
         <tev:MessageContentSchemaLocation>http://www.onvif.org/onvif/ver10/schema/onvif.xsd</tev:MessageContentSchemaLocation></tev:GetEventPropertiesResponse>",
    )
}

/// `CreatePullPointSubscription`.
pub fn subscription_created(address: &str, now_ms: i64, expires_ms: i64) -> String {
    envelope(&format!(
        "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>{}</wsa:Address></tev:SubscriptionReference>\
         <wsnt:CurrentTime>{}</wsnt:CurrentTime><wsnt:TerminationTime>{}</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>",
        escape(address),
        utc(now_ms),
        utc(expires_ms)
    ))
}

/// `PullMessages`.
pub fn pull_messages(now_ms: i64, expires_ms: i64, messages: &[Message]) -> String {
    let m: String = messages
        .iter()
        .map(|m| {
            let (src_name, src_value) = m.topic.source();
            format!(
                "<wsnt:NotificationMessage><wsnt:Topic Dialect=\"http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet\">{}</wsnt:Topic>\
                 <wsnt:Message><tt:Message UtcTime=\"{}\" PropertyOperation=\"{}\"><tt:Source><tt:SimpleItem Name=\"{src_name}\" Value=\"{src_value}\"/></tt:Source>\
                 <tt:Data><tt:SimpleItem Name=\"{}\" Value=\"{}\"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>",
                m.topic.expression(),
                utc(m.time_ms),
                if m.initialized { "Initialized" } else { "Changed" },
                m.topic.data_name(),
                m.value
            )
        })
        .collect();
    envelope(&format!(
        "<tev:PullMessagesResponse><tev:CurrentTime>{}</tev:CurrentTime><tev:TerminationTime>{}</tev:TerminationTime>{m}</tev:PullMessagesResponse>",
        utc(now_ms),
        utc(expires_ms)
    ))
}

/// `Renew`.
pub fn renewed(now_ms: i64, expires_ms: i64) -> String {
    envelope(&format!(
        "<wsnt:RenewResponse><wsnt:TerminationTime>{}</wsnt:TerminationTime><wsnt:CurrentTime>{}</wsnt:CurrentTime></wsnt:RenewResponse>",
        utc(expires_ms),
        utc(now_ms)
    ))
}

/// An empty response element, e.g. `wsnt:UnsubscribeResponse`.
pub fn empty(element: &str) -> String {
    envelope(&format!("<{element}/>"))
}

/// ISO 8601 durations as ONVIF clients send them (`PT10S`, `PT1M`, `PT1H30M`, `PT0.5S`).
pub fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let t = s.trim().strip_prefix("PT")?;
    let mut secs = 0f64;
    let mut num = String::new();
    for c in t.chars() {
        match c {
            '0'..='9' | '.' => num.push(c),
            'H' | 'M' | 'S' => {
                let v: f64 = num.parse().ok()?;
                secs += v * match c {
                    'H' => 3600.0,
                    'M' => 60.0,
                    _ => 1.0,
                };
                num.clear();
            }
            _ => return None,
        }
    }
    (num.is_empty() && secs.is_finite() && secs < 86_400.0 * 365.0)
        .then(|| std::time::Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("PT10S"),
            Some(std::time::Duration::from_secs(10))
        );
        assert_eq!(
            parse_duration("PT1M30S"),
            Some(std::time::Duration::from_secs(90))
        );
        assert_eq!(
            parse_duration("PT0.5S"),
            Some(std::time::Duration::from_millis(500))
        );
        assert_eq!(parse_duration("10S"), None);
        assert_eq!(parse_duration("PT10"), None);
    }

    #[test]
    fn responses_are_well_formed_xml() {
        for doc in [
            system_date_and_time(0),
            capabilities("http://h:1"),
            services("http://h:1"),
            profiles_media1(),
            profiles_media2(),
            event_properties(),
            fault("Sender", "ter:NotAuthorized", "a < b"),
        ] {
            let mut r = quick_xml::Reader::from_str(&doc);
            loop {
                match r.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{e}: {doc}"),
                }
            }
        }
    }
}
