//! The onvif-camera driver against recorded SOAP answers, through the SDK harness.

use onvif_camera::{Camera, parse_utc};
use proptest::prelude::*;
use twinwall_plugin_sdk::prelude::*;
use twinwall_plugin_sdk::{
    HttpRequest, HttpResponse, RtspStatus, RtspTransport, Sampling, WatchMode,
};

const PROFILE: &str = include_str!("../../../device-profiles/camera/twinwall-cam1.toml");

const CAPS: &str = r#"<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><env:Body><tds:GetCapabilitiesResponse><tds:Capabilities>
<tt:Device><tt:XAddr>http://192.168.1.64/onvif/device_service</tt:XAddr></tt:Device>
<tt:Events><tt:XAddr>http://192.168.1.64/onvif/Events</tt:XAddr><tt:WSPullPointSupport>true</tt:WSPullPointSupport></tt:Events>
<tt:Media><tt:XAddr>http://192.168.1.64/onvif/Media</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse></env:Body></env:Envelope>"#;

const SUBSCRIBED: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tev="http://www.onvif.org/ver10/events/wsdl" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2"><s:Body><tev:CreatePullPointSubscriptionResponse>
<tev:SubscriptionReference><wsa:Address>http://192.168.1.64/onvif/Events/PullSubManager_2026-11-29T10:00:00Z_0</wsa:Address></tev:SubscriptionReference>
<wsnt:CurrentTime>2026-11-29T10:00:00Z</wsnt:CurrentTime><wsnt:TerminationTime>2026-11-29T10:01:00Z</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse></s:Body></s:Envelope>"#;

fn message(topic: &str, data: &str, value: bool, op: &str) -> String {
    format!(
        r#"<wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">{topic}</wsnt:Topic><wsnt:Message><tt:Message UtcTime="2026-11-29T10:00:05Z" PropertyOperation="{op}"><tt:Source><tt:SimpleItem Name="VideoSourceConfigurationToken" Value="VideoSourceToken"/></tt:Source><tt:Data><tt:SimpleItem Name="{data}" Value="{value}"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>"#
    )
}

fn pull(messages: &[String]) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tev="http://www.onvif.org/ver10/events/wsdl" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tns1="http://www.onvif.org/ver10/topics"><s:Body><tev:PullMessagesResponse><tev:CurrentTime>2026-11-29T10:00:06Z</tev:CurrentTime><tev:TerminationTime>2026-11-29T10:01:00Z</tev:TerminationTime>{}</tev:PullMessagesResponse></s:Body></s:Envelope>"#,
        messages.concat()
    )
}

const FAULT: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:ter="http://www.onvif.org/ver10/error"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:ActionNotSupported</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">Action not supported</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"#;

/// GetServices as a Media2 camera answers it (the simulator's, as sent).
const SERVICES: &str = include_str!("fixtures/get-services-media2.xml");

fn answer(id: &str, status: u16, body: &str) -> Input {
    Input::HttpResponse(HttpResponse {
        id: id.into(),
        status,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    })
}

fn http_requests(reqs: &[Request]) -> Vec<&HttpRequest> {
    reqs.iter()
        .filter_map(|r| {
            if let RequestKind::Http(h) = r.kind() {
                Some(h)
            } else {
                None
            }
        })
        .collect()
}

fn subscribed() -> Harness<Camera> {
    let mut h = Harness::<Camera>::open(DeviceConfig::new("cam-1").with_profile(PROFILE)).unwrap();
    h.start();
    h.feed(answer("capabilities", 200, CAPS));
    h.feed(answer("subscribe", 200, SUBSCRIBED));
    h
}

#[test]
fn setup_follows_the_camera_services_and_asks_the_hub_for_ws_security() {
    let mut h = Harness::<Camera>::open(DeviceConfig::new("cam-1").with_profile(PROFILE)).unwrap();
    let start = h.start();
    let services = http_requests(&start);
    assert_eq!(services.len(), 1);
    assert!(services[0].ws_security, "credentials are the hub's to add");
    assert!(String::from_utf8_lossy(&services[0].body).contains("GetServices"));
    // A camera from before ONVIF 2.0 has no GetServices: capabilities it is.
    let out = h.feed(answer("services", 400, FAULT));
    let caps = http_requests(&out.requests);
    assert_eq!(
        (caps[0].id.as_str(), caps[0].path.as_str()),
        ("capabilities", "/onvif/device_service")
    );
    assert!(String::from_utf8_lossy(&caps[0].body).contains("GetCapabilities"));
    let out = h.feed(answer("capabilities", 200, CAPS));
    let reqs = http_requests(&out.requests);
    assert_eq!(
        reqs.iter()
            .map(|r| (r.id.as_str(), r.path.as_str()))
            .collect::<Vec<_>>(),
        vec![("profiles", "/onvif/Media"), ("subscribe", "/onvif/Events")]
    );
    let out = h.feed(answer("subscribe", 200, SUBSCRIBED));
    let pulls = http_requests(&out.requests);
    assert_eq!(
        pulls[0].path,
        "/onvif/Events/PullSubManager_2026-11-29T10:00:00Z_0"
    );
    assert!(
        out.requests
            .contains(&Request::timer("renew", 40_000, false)),
        "renew at 2/3 of 60 s: {:?}",
        out.requests
    );
}

#[test]
fn motion_and_tamper_begin_and_end_on_real_transitions() {
    let mut h = subscribed();
    let motion = "tns1:RuleEngine/CellMotionDetector/Motion";
    // Synchronisation: nothing standing, nothing to say.
    let out = h.feed(answer(
        "pull",
        200,
        &pull(&[message(motion, "IsMotion", false, "Initialized")]),
    ));
    assert!(out.events.is_empty());
    assert_eq!(
        http_requests(&out.requests)[0].id,
        "pull",
        "the long poll continues"
    );
    let out = h.feed(answer(
        "pull",
        200,
        &pull(&[
            message(motion, "IsMotion", true, "Changed"),
            message(motion, "IsMotion", true, "Changed"),
        ]),
    ));
    assert_eq!(out.events.len(), 1, "a repeated true is no transition");
    let e = &out.events[0];
    assert_eq!(
        (e.kind.as_str(), e.phase, e.level),
        ("camera.motion", Some(Phase::Begin), Level::Blue)
    );
    assert_eq!(
        e.device_time_ms,
        Some(parse_utc("2026-11-29T10:00:05Z").unwrap() * 1000)
    );
    let out = h.feed(answer(
        "pull",
        200,
        &pull(&[
            message(motion, "IsMotion", false, "Changed"),
            message(
                "tns1:RuleEngine/TamperDetector/Tamper",
                "IsTamper",
                true,
                "Changed",
            ),
        ]),
    ));
    let got: Vec<_> = out
        .events
        .iter()
        .map(|e| (e.kind.as_str(), e.phase))
        .collect();
    assert_eq!(
        got,
        vec![
            ("camera.motion", Some(Phase::End)),
            ("camera.tamper", Some(Phase::Begin))
        ]
    );
    // Another vendor's prefix and the legacy motion topic map the same way.
    let out = h.feed(answer(
        "pull",
        200,
        &pull(&[message(
            "tnsaxis:VideoSource/MotionAlarm",
            "State",
            true,
            "Changed",
        )]),
    ));
    assert_eq!(out.events[0].kind, "camera.motion");
    // An empty pull (long-poll timeout) says nothing.
    assert!(h.feed(answer("pull", 200, &pull(&[]))).events.is_empty());
}

#[test]
fn a_lost_subscription_is_created_again_and_resynchronised() {
    let mut h = subscribed();
    let tamper = "tns1:RuleEngine/TamperDetector/Tamper";
    h.feed(answer(
        "pull",
        200,
        &pull(&[message(tamper, "IsTamper", true, "Changed")]),
    ));
    // The camera rebooted: the subscription is unknown.
    let fault = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text>ResourceUnknownFault</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"#;
    let out = h.feed(answer("pull", 400, fault));
    assert!(
        out.requests
            .contains(&Request::timer("resubscribe", 2000, false))
    );
    assert!(out.requests.contains(&Request::cancel("renew")));
    let out = h.feed(Input::Timer("resubscribe".into()));
    assert_eq!(http_requests(&out.requests)[0].id, "subscribe");
    h.feed(answer("subscribe", 200, SUBSCRIBED));
    // After the restart the tamper is gone: the sync ends the condition.
    let out = h.feed(answer(
        "pull",
        200,
        &pull(&[message(tamper, "IsTamper", false, "Initialized")]),
    ));
    assert_eq!(
        (out.events[0].kind.as_str(), out.events[0].phase),
        ("camera.tamper", Some(Phase::End))
    );
    // A transport failure also resubscribes.
    let out = h.feed(Input::Failed(Failure::new(
        "pull",
        FailureKind::Timeout,
        "no answer in time",
    )));
    assert!(
        out.requests
            .contains(&Request::timer("resubscribe", 2000, false))
    );
}

#[test]
fn bad_profile_and_setting_are_named() {
    let e = Harness::<Camera>::open(DeviceConfig::new("cam-9"))
        .err()
        .unwrap();
    assert!(e.message.contains("cam-9") && e.message.contains("profile"));
    let e = Harness::<Camera>::open(
        DeviceConfig::new("cam-9").with_profile(&PROFILE.replace("camera.tamper", "fire.alarm")),
    )
    .err()
    .unwrap();
    assert!(e.message.contains("fire.alarm"), "{}", e.message);
    let e = Harness::<Camera>::open(
        DeviceConfig::new("cam-9")
            .with_profile(PROFILE)
            .with_setting("device_service", "onvif"),
    )
    .err()
    .unwrap();
    assert!(e.message.contains("device_service"));
}

#[test]
fn utc_times() {
    assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(parse_utc("2000-03-01T00:00:00Z"), Some(951_868_800));
    assert_eq!(
        parse_utc("2026-11-29T10:00:05.123Z"),
        parse_utc("2026-11-29T10:00:05Z")
    );
    assert_eq!(parse_utc("2026-13-29T10:00:05Z"), None);
    assert_eq!(parse_utc("yesterday"), None);
}

proptest! {
    #[test]
    fn arbitrary_answers_never_panic(id in prop::sample::select(vec!["services", "capabilities", "profiles", "stream-uri", "subscribe", "renew", "pull", "unsubscribe"]), status in 100u16..600, body in prop::collection::vec(any::<u8>(), 0..2048)) {
        let mut h = subscribed();
        let _ = h.feed(Input::HttpResponse(HttpResponse { id: id.into(), status, headers: vec![], body }));
    }

    #[test]
    fn mutated_pull_answers_never_panic(cut in 0usize..600, junk in "[<>/:=\"a-zA-Z &;]{0,30}") {
        let doc = pull(&[message("tns1:RuleEngine/CellMotionDetector/Motion", "IsMotion", true, "Changed")]);
        let cut = cut.min(doc.len());
        let mut s = doc[..cut].to_owned();
        s.push_str(&junk);
        s.push_str(&doc[cut..]);
        let mut h = subscribed();
        let _ = h.feed(answer("pull", 200, &s));
    }
}

#[test]
fn the_stream_uri_is_probed_and_its_state_reported_on_change() {
    let mut h = subscribed();
    let uri_answer = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body><trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://192.168.1.64:554/Streaming/Channels/101</tt:Uri></trt:MediaUri></trt:GetStreamUriResponse></s:Body></s:Envelope>"#;
    let out = h.feed(answer("stream-uri", 200, uri_answer));
    assert_eq!(
        out.requests,
        vec![Request::probe(
            "stream",
            "rtsp://192.168.1.64:554/Streaming/Channels/101",
            onvif_camera::CHECK_MS
        )],
        "sampled by default, reported every 10 s"
    );
    let status = |connected: bool, fps: Option<f32>| {
        Input::RtspStatus(RtspStatus {
            id: "stream".into(),
            connected,
            codec: Some("avc1.42001e".into()),
            width: Some(320),
            height: Some(192),
            fps,
            last_frame_ms: Some(1),
            error: None,
            sampled_ms: Some(1),
            first_frame_ms: Some(180),
            transport: Some("tcp".into()),
        })
    };
    let e = h.feed(status(true, Some(5.0))).events;
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].kind.as_str(), e[0].get("state")),
        ("camera.stream", Some(&Value::Text("playing".into())))
    );
    assert_eq!(e[0].get("width"), Some(&Value::Int(320)));
    assert!(
        h.feed(status(true, Some(4.8))).events.is_empty(),
        "same state, same resolution: no news"
    );
    let e = h.feed(status(true, Some(0.0))).events;
    assert_eq!(
        (e[0].get("state"), e[0].level),
        (Some(&Value::Text("stalled".into())), Level::Orange)
    );
    let e = h.feed(status(false, None)).events;
    assert_eq!(e[0].get("state"), Some(&Value::Text("down".into())));
    assert!(
        h.feed(status(true, None)).events.is_empty(),
        "answering but not yet sampled: nothing to say"
    );
}

#[test]
fn media2_is_used_where_the_camera_lists_it() {
    let mut h = Harness::<Camera>::open(DeviceConfig::new("cam-1").with_profile(PROFILE)).unwrap();
    h.start();
    let out = h.feed(answer("services", 200, SERVICES));
    let reqs = http_requests(&out.requests);
    assert_eq!(
        reqs.iter()
            .map(|r| (r.id.as_str(), r.path.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("profiles", "/onvif/media2_service"),
            ("subscribe", "/onvif/event_service")
        ]
    );
    assert!(String::from_utf8_lossy(&reqs[0].body).contains("<tr2:GetProfiles/>"));
    let profiles = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tr2="http://www.onvif.org/ver20/media/wsdl"><s:Body><tr2:GetProfilesResponse><tr2:Profiles token="main" fixed="true"><tr2:Name>main</tr2:Name></tr2:Profiles></tr2:GetProfilesResponse></s:Body></s:Envelope>"#;
    let out = h.feed(answer("profiles", 200, profiles));
    let reqs = http_requests(&out.requests);
    let uri_req = String::from_utf8_lossy(&reqs[0].body).into_owned();
    assert!(
        uri_req.contains("<tr2:GetStreamUri><tr2:Protocol>RTSP</tr2:Protocol><tr2:ProfileToken>main</tr2:ProfileToken>"),
        "{uri_req}"
    );
    assert_eq!(reqs[0].path, "/onvif/media2_service");
    let uri = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tr2="http://www.onvif.org/ver20/media/wsdl"><s:Body><tr2:GetStreamUriResponse><tr2:Uri>rtsp://192.168.1.64:554/Streaming/Channels/101</tr2:Uri></tr2:GetStreamUriResponse></s:Body></s:Envelope>"#;
    let out = h.feed(answer("stream-uri", 200, uri));
    assert!(
        matches!(out.requests.iter().map(Request::kind).collect::<Vec<_>>()[..], [RequestKind::RtspProbe(p)] if p.uri == "rtsp://192.168.1.64:554/Streaming/Channels/101"),
        "{:?}",
        out.requests
    );
}

#[test]
fn the_stream_check_follows_the_devices_settings() {
    let config = DeviceConfig::new("cam-1")
        .with_profile(PROFILE)
        .with_setting("stream_watch", "continuous")
        .with_setting("rtsp_transport", "udp")
        .with_setting("stream_check_s", "1");
    let check = onvif_camera::StreamCheck::from_settings(&config).unwrap();
    assert_eq!(
        check.request("rtsp://h/s"),
        Request::probe_with(
            "stream",
            "rtsp://h/s",
            1000,
            WatchMode::Continuous,
            RtspTransport::Udp
        )
    );
    let config = DeviceConfig::new("cam-1")
        .with_profile(PROFILE)
        .with_setting("sample_every_s", "60")
        .with_setting("sample_window_ms", "500");
    assert_eq!(
        onvif_camera::StreamCheck::from_settings(&config)
            .unwrap()
            .mode,
        WatchMode::Sampled(Sampling {
            every_ms: 60_000,
            window_ms: 500
        })
    );
    for (key, value) in [
        ("stream_watch", "sometimes"),
        ("sample_every_s", "5"),
        ("rtsp_transport", "quic"),
    ] {
        let config = DeviceConfig::new("cam-1")
            .with_profile(PROFILE)
            .with_setting(key, value);
        let err = Harness::<Camera>::open(config).err().expect("refused");
        assert!(
            err.message.contains(key) && err.message.contains(value),
            "{}",
            err.message
        );
    }
}

#[test]
fn snapshot_command_fetches_the_picture_into_an_event() {
    let mut h = subscribed();
    assert_eq!(
        h.command("snapshot", "{}").unwrap_err().code,
        "not-allowed",
        "no snapshot URI yet"
    );
    let uri = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body><trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>http://192.168.1.64/onvif/snapshot/main</tt:Uri></trt:MediaUri></trt:GetSnapshotUriResponse></s:Body></s:Envelope>"#;
    h.feed(answer("snapshot-uri", 200, uri));
    let reqs = h.command("snapshot", "{}").unwrap();
    let get = http_requests(&reqs);
    assert_eq!(
        (
            get[0].method.as_str(),
            get[0].path.as_str(),
            get[0].ws_security
        ),
        ("GET", "/onvif/snapshot/main", false)
    );
    let jpeg = vec![0xff, 0xd8, 1, 2, 3, 0xff, 0xd9];
    let out = h.feed(Input::HttpResponse(HttpResponse {
        id: "snapshot".into(),
        status: 200,
        headers: vec![twinwall_plugin_sdk::Header {
            name: "Content-Type".into(),
            value: "image/jpeg".into(),
        }],
        body: jpeg.clone(),
    }));
    assert_eq!(out.events[0].kind, "camera.snapshot");
    assert_eq!(out.events[0].media[0].data, jpeg);
    assert_eq!(out.events[0].media[0].content_type, "image/jpeg");
    // A refusal is no picture.
    let out = h.feed(Input::HttpResponse(HttpResponse {
        id: "snapshot".into(),
        status: 401,
        headers: vec![],
        body: vec![],
    }));
    assert!(out.events.is_empty());
}

#[test]
fn a_pull_captured_off_the_wire_reports_what_is_already_on() {
    let body = std::fs::read_to_string(format!(
        "{}/tests/fixtures/pull-initialized-motion.xml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut h = subscribed();
    let out = h.feed(answer("pull", 200, &body));
    let on: Vec<(&str, Option<Phase>)> = out
        .events
        .iter()
        .map(|e| (e.kind.as_str(), e.phase))
        .collect();
    assert_eq!(
        on,
        [("camera.motion", Some(Phase::Begin))],
        "{:?}",
        out.events
    );
    // The same pull again (a camera repeating its state) says nothing new.
    assert!(h.feed(answer("pull", 200, &body)).events.is_empty());
}

#[test]
fn a_subscription_given_up_on_is_ended_once_a_new_one_stands() {
    let mut h = subscribed();
    h.feed(Input::Failed(Failure::new(
        "pull",
        FailureKind::Timeout,
        "no answer in time",
    )));
    h.feed(Input::Timer("resubscribe".into()));
    let fresh = SUBSCRIBED.replace("PullSubManager_2026-11-29T10:00:00Z_0", "PullSubManager_2");
    let out = h.feed(answer("subscribe", 200, &fresh));
    let reqs = http_requests(&out.requests);
    let ids: Vec<(&str, &str)> = reqs
        .iter()
        .map(|r| (r.id.as_str(), r.path.as_str()))
        .collect();
    assert!(
        ids.contains(&("pull", "/onvif/Events/PullSubManager_2")),
        "{ids:?}"
    );
    assert!(
        ids.contains(&(
            "unsubscribe",
            "/onvif/Events/PullSubManager_2026-11-29T10:00:00Z_0"
        )),
        "{ids:?}"
    );
    // Its answer (or failure) changes nothing.
    assert!(h.feed(answer("unsubscribe", 200, "")).requests.is_empty());
}
