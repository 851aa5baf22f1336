//! P5 driver cost: the same driver code run as a wasm component through the
//! hub's runtime and natively through the SDK harness, per input.

use std::time::Instant;

use twinwall_hub::runtime::{DeviceConfig, DriverInstance};
use twinwall_hub::transport::types as hub;
use twinwall_plugin_sdk::prelude as sdk;
use twinwall_plugin_sdk::testing::Harness;

use super::p1_ingest;
use super::report::Row;
use super::setup::{self, Size, median};

const CAMERA: &str = include_str!("../../../device-profiles/camera/twinwall-cam1.toml");
const FIRE_PANEL: &str = include_str!("../../../device-profiles/fire-panel/twinwall-fp1.toml");

const CAPS: &str = r#"<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><env:Body><tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>http://192.168.1.64/onvif/device_service</tt:XAddr></tt:Device><tt:Events><tt:XAddr>http://192.168.1.64/onvif/Events</tt:XAddr><tt:WSPullPointSupport>true</tt:WSPullPointSupport></tt:Events><tt:Media><tt:XAddr>http://192.168.1.64/onvif/Media</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse></env:Body></env:Envelope>"#;
const SUBSCRIBED: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tev="http://www.onvif.org/ver10/events/wsdl" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2"><s:Body><tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>http://192.168.1.64/onvif/Events/PullSubManager_0</wsa:Address></tev:SubscriptionReference><wsnt:CurrentTime>2026-11-29T10:00:00Z</wsnt:CurrentTime><wsnt:TerminationTime>2026-11-29T10:01:00Z</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse></s:Body></s:Envelope>"#;

/// A PullMessages answer with the motion detector's state: one event each
/// time it flips.
fn pull(motion: bool) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tev="http://www.onvif.org/ver10/events/wsdl" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tns1="http://www.onvif.org/ver10/topics"><s:Body><tev:PullMessagesResponse><tev:CurrentTime>2026-11-29T10:00:06Z</tev:CurrentTime><tev:TerminationTime>2026-11-29T10:01:00Z</tev:TerminationTime><wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">tns1:RuleEngine/CellMotionDetector/Motion</wsnt:Topic><wsnt:Message><tt:Message UtcTime="2026-11-29T10:00:05Z" PropertyOperation="Changed"><tt:Source><tt:SimpleItem Name="VideoSourceConfigurationToken" Value="VideoSourceToken"/></tt:Source><tt:Data><tt:SimpleItem Name="IsMotion" Value="{motion}"/></tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage></tev:PullMessagesResponse></s:Body></s:Envelope>"#
    )
}

fn hub_answer(id: &str, body: &str) -> hub::Input {
    hub::Input::HttpResponse(hub::HttpResponse {
        id: id.into(),
        status: 200,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    })
}

fn sdk_answer(id: &str, body: &str) -> sdk::Input {
    sdk::Input::HttpResponse(twinwall_plugin_sdk::HttpResponse {
        id: id.into(),
        status: 200,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    })
}

/// µs per input over `n` inputs, alternating `inputs`; the events seen.
fn time_per_input(n: usize, mut call: impl FnMut(usize) -> usize) -> (f64, usize) {
    let mut events = 0;
    let t = Instant::now();
    for i in 0..n {
        events += call(i);
    }
    (t.elapsed().as_secs_f64() * 1e6 / n as f64, events)
}

fn wasm_camera(driver: &std::sync::Arc<twinwall_hub::runtime::LoadedDriver>) -> DriverInstance {
    let mut inst = setup::instance(driver);
    let cfg = DeviceConfig {
        id: "cam-1".into(),
        profile: Some(CAMERA.into()),
        settings: vec![],
        keys: vec![],
    };
    inst.open(&cfg, Default::default()).unwrap();
    inst.start("cam-1").unwrap();
    inst.handle("cam-1", hub_answer("capabilities", CAPS))
        .unwrap();
    inst.handle("cam-1", hub_answer("subscribe", SUBSCRIBED))
        .unwrap();
    inst
}

fn native_camera() -> Harness<onvif_camera::Camera> {
    let mut h =
        Harness::<onvif_camera::Camera>::open(sdk::DeviceConfig::new("cam-1").with_profile(CAMERA))
            .unwrap();
    h.start();
    h.feed(sdk_answer("capabilities", CAPS));
    h.feed(sdk_answer("subscribe", SUBSCRIBED));
    h
}

struct Case {
    what: &'static str,
    wasm_us: f64,
    native_us: f64,
}

fn fire_panel(size: Size) -> Case {
    let (_rt, driver, _cache) = setup::load_driver("modbus_fire_panel.wasm");
    let (raise, clear) = p1_ingest::frames();
    let mut wasm = p1_ingest::panel(&driver, "fp-1");
    let mut native = Harness::<modbus_fire_panel::FirePanel>::open(
        sdk::DeviceConfig::new("fp-1")
            .with_profile(FIRE_PANEL)
            .with_setting("points", "64"),
    )
    .unwrap();
    native.start();
    let words =
        |w: u16| sdk::Input::registers("points-0", sdk::ModbusTable::HoldingRegisters, 0, &[w; 64]);
    let (n_raise, n_clear) = (words(0x0c01), words(0x1401));
    let (wasm_us, we) = time_per_input(size.p5_inputs, |i| {
        wasm.handle("fp-1", if i % 2 == 0 { &raise } else { &clear }.clone())
            .unwrap()
            .events
            .len()
    });
    let (native_us, ne) = time_per_input(size.p5_inputs, |i| {
        native
            .feed(if i % 2 == 0 {
                n_raise.clone()
            } else {
                n_clear.clone()
            })
            .events
            .len()
    });
    assert_eq!(we, ne, "both runs saw the same events");
    Case {
        what: "fire panel, 64 points raised or cleared per frame (64 events)",
        wasm_us,
        native_us,
    }
}

fn camera(size: Size) -> Case {
    let (_rt, driver, _cache) = setup::load_driver("onvif_camera.wasm");
    let bodies = [pull(true), pull(false)];
    let mut wasm = wasm_camera(&driver);
    let mut native = native_camera();
    let (hub_in, sdk_in): (Vec<_>, Vec<_>) = bodies
        .iter()
        .map(|b| (hub_answer("pull", b), sdk_answer("pull", b)))
        .unzip();
    let (wasm_us, we) = time_per_input(size.p5_inputs, |i| {
        wasm.handle("cam-1", hub_in[i % 2].clone())
            .unwrap()
            .events
            .len()
    });
    let (native_us, ne) = time_per_input(size.p5_inputs, |i| {
        native.feed(sdk_in[i % 2].clone()).events.len()
    });
    assert_eq!(we, ne, "both runs saw the same events");
    assert!(we > 0, "motion flips make events");
    Case {
        what: "camera, an ONVIF PullMessages answer (1.3 KB SOAP, motion flips)",
        wasm_us,
        native_us,
    }
}

/// The P5 rows.
pub async fn run(size: Size) -> Vec<Row> {
    let mut rows = Vec::new();
    for case in [fire_panel as fn(Size) -> Case, camera] {
        let runs: Vec<Case> = (0..size.runs).map(|_| case(size)).collect();
        let what = runs[0].what;
        let wasm = median(runs.iter().map(|c| c.wasm_us).collect());
        let native = median(runs.iter().map(|c| c.native_us).collect());
        let ratio = median(runs.iter().map(|c| c.wasm_us / c.native_us).collect());
        eprintln!("  P5 {what}: wasm {wasm:.1} µs, native {native:.1} µs");
        rows.push(
            Row::new(
                "P5",
                format!("driver cost per input, wasm vs native: {what}"),
                format!("{wasm:.1} µs vs {native:.1} µs: {ratio:.1}×"),
                ratio,
                "ratio",
            )
            .target("≤ 3×", ratio <= 3.0),
        );
    }
    rows
}
