//! The bridge task: one MQTT connection at a time, fed from the durable
//! cursor; on any failure, a new connection that starts again from the cursor
//! (at least once: consumers de-duplicate by `seq`).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rumqttc::{
    AsyncClient, Event as MqttEvent, LastWill, MqttOptions, Outgoing, Packet, QoS,
    TlsConfiguration, Transport,
};
use serde_json::json;
use tokio::sync::mpsc;

use super::acks::Acks;
use super::commands::{self, Reply};
use super::topics::Topics;
use super::{CURSOR, SharedStatus, Status};
use crate::bus::{Bus, Event, Filter, Level, NewEvent, format_ms};
use crate::config::Northbound;
use crate::devices::{Devices, HUB_ZONE};
use crate::transport::Backoff;

/// Start the bridge; it runs until the task is aborted.
pub fn spawn(
    cfg: Northbound,
    site: String,
    bus: Bus,
    devices: Arc<Devices>,
) -> (SharedStatus, tokio::task::JoinHandle<()>) {
    let status = Arc::new(Status::default());
    let task = tokio::spawn(run(cfg, site, bus, devices, status.clone()));
    (status, task)
}

fn options(cfg: &Northbound, site: &str, topics: &Topics) -> Result<MqttOptions, String> {
    let (scheme, rest) = cfg
        .url
        .split_once("://")
        .ok_or_else(|| format!("northbound.url `{}`: no scheme", cfg.url))?;
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (
            h.to_owned(),
            p.parse::<u16>()
                .map_err(|_| format!("northbound.url `{}`: bad port", cfg.url))?,
        ),
        None => (rest.to_owned(), if scheme == "mqtts" { 8883 } else { 1883 }),
    };
    let id = cfg
        .client_id
        .clone()
        .unwrap_or_else(|| format!("twinwall-{site}"));
    let mut o = MqttOptions::new(id, host, port);
    o.set_keep_alive(Duration::from_secs(cfg.keep_alive_s.max(5)))
        .set_inflight(cfg.max_inflight)
        .set_clean_session(true)
        // Room for the largest event forwarded, its topic and the header.
        .set_max_packet_size(1 << 20, (cfg.max_message_kb << 10) + 4096)
        .set_last_will(LastWill::new(
            topics.status(),
            "offline",
            QoS::AtLeastOnce,
            true,
        ));
    if let Some(user) = &cfg.username {
        o.set_credentials(
            user.clone(),
            cfg.password
                .as_ref()
                .map(|p| p.0.clone())
                .unwrap_or_default(),
        );
    }
    if scheme == "mqtts" {
        o.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(
            super::tls::client_config(cfg)?,
        )));
    }
    Ok(o)
}

async fn run(cfg: Northbound, site: String, bus: Bus, devices: Arc<Devices>, status: SharedStatus) {
    let topics = Topics::new(&cfg.topic_prefix, &site);
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(15));
    let mut first = true;
    loop {
        if !first {
            status.reconnects.fetch_add(1, Ordering::Relaxed);
        }
        first = false;
        let opts = match options(&cfg, &site, &topics) {
            Ok(o) => o,
            Err(e) => {
                // A config problem will not fix itself; say so once a minute.
                tracing::error!("northbound: {e}");
                set_error(&status, e);
                tokio::time::sleep(Duration::from_secs(60)).await;
                continue;
            }
        };
        let why = session(&cfg, &topics, opts, &bus, &devices, &status, &mut backoff).await;
        status.connected.store(false, Ordering::Relaxed);
        status.commands_ready.store(false, Ordering::Relaxed);
        tracing::warn!(url = %cfg.url, "northbound MQTT: {why}; reconnecting");
        set_error(&status, why);
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

fn set_error(status: &Status, e: String) {
    if let Ok(mut l) = status.last_error.lock() {
        *l = Some(e);
    }
}

fn event_payload(e: &Event) -> Vec<u8> {
    e.to_json().to_string().into_bytes()
}

fn state_payload(e: &Event) -> Option<(String, Vec<u8>)> {
    let state = match e.body.kind.as_str() {
        "device.online" => "online",
        "device.offline" => "offline",
        _ => return None,
    };
    let device = e.body.device.as_deref()?;
    let reason = e.to_json()["attrs"]["reason"].clone();
    let body =
        json!({"state": state, "seq": e.seq, "time": format_ms(e.time_ms), "reason": reason});
    Some((device.to_owned(), body.to_string().into_bytes()))
}

/// On connecting: the hub online (retained), Home Assistant discovery when
/// asked for, the command topics subscribed when enabled.
fn announce(
    cfg: &Northbound,
    topics: &Topics,
    client: &AsyncClient,
    devices: &Arc<Devices>,
    acks: &mut Acks,
) -> Result<(), String> {
    if client
        .try_publish(topics.status(), QoS::AtLeastOnce, true, "online")
        .is_ok()
    {
        acks.queued_other();
    }
    if cfg.home_assistant {
        for (topic, payload) in super::home_assistant::discovery(topics, devices) {
            if client
                .try_publish(topic, QoS::AtLeastOnce, true, payload)
                .is_ok()
            {
                acks.queued_other();
            }
        }
    }
    if cfg.commands.enabled
        && let Err(e) = client.try_subscribe(topics.commands_filter(), QoS::AtLeastOnce)
    {
        return Err(format!("cannot subscribe to commands: {e}"));
    }
    Ok(())
}

/// Publish event `e` (and its device's retained state), or, when it is too
/// large for the broker, skip it and say so on the bus: publishing it would
/// fail the connection on every retry and stall forwarding for ever.
async fn forward(
    cfg: &Northbound,
    topics: &Topics,
    client: &AsyncClient,
    bus: &Bus,
    status: &Status,
    acks: &mut Acks,
    e: &crate::bus::Event,
) -> Result<(), String> {
    let topic = topics.event(&e.body.zone, &e.body.kind);
    let payload = event_payload(e);
    let limit = cfg.max_message_kb << 10;
    if topic.len() + payload.len() > limit {
        tracing::warn!(seq = e.seq, kind = %e.body.kind, bytes = payload.len(), "event too large for the broker; skipped");
        metrics::counter!("twinwall_northbound_dropped_total").increment(1);
        let note = NewEvent::new("northbound.dropped", HUB_ZONE)
            .level(Level::Yellow)
            .attr("event_seq", e.seq as i64)
            .attr("event_kind", e.body.kind.as_str())
            .attr("bytes", payload.len() as i64)
            .attr("limit", limit as i64)
            .message(format!(
                "event {} ({}) is {} bytes, over the broker limit of {} KiB (northbound.max_message_kb): kept on the hub, not forwarded",
                e.seq, e.body.kind, payload.len(), cfg.max_message_kb
            ));
        bus.submit(vec![note])
            .await
            .map_err(|err| format!("bus: {err}"))?;
        if let Some(next) = acks.skipped(e.seq) {
            bus.commit_cursor(CURSOR, next)
                .map_err(|err| format!("cannot store the cursor: {err}"))?;
        }
        return Ok(());
    }
    client
        .try_publish(topic, QoS::AtLeastOnce, false, payload)
        .map_err(|err| format!("publish of event {}: {err}", e.seq))?;
    acks.queued_event(e.seq);
    status.published.fetch_add(1, Ordering::Relaxed);
    metrics::counter!("twinwall_northbound_published_total").increment(1);
    if let Some((device, payload)) = state_payload(e)
        && client
            .try_publish(
                topics.device_state(&device),
                QoS::AtLeastOnce,
                true,
                payload,
            )
            .is_ok()
    {
        acks.queued_other();
    }
    Ok(())
}

/// One connection, until it fails; returns why.
async fn session(
    cfg: &Northbound,
    topics: &Topics,
    opts: MqttOptions,
    bus: &Bus,
    devices: &Arc<Devices>,
    status: &Status,
    backoff: &mut Backoff,
) -> String {
    let (client, mut eventloop) = AsyncClient::new(opts, usize::from(cfg.max_inflight) * 2 + 64);
    let from = match bus.cursor(CURSOR) {
        Ok(c) => c.unwrap_or(0),
        Err(e) => return format!("cannot read the cursor: {e}"),
    };
    let mut sub = bus.subscribe(from, Filter::default());
    let mut acks = Acks::new(from);
    let mut connected = false;
    let (reply_tx, mut replies) = mpsc::channel::<Reply>(64);
    let mut lag_tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        let can_publish = connected && acks.in_flight() < usize::from(cfg.max_inflight);
        tokio::select! {
            ev = eventloop.poll() => match ev {
                Ok(MqttEvent::Incoming(Packet::ConnAck(_))) => {
                    connected = true;
                    status.connected.store(true, Ordering::Relaxed);
                    backoff.reset();
                    tracing::info!(url = %cfg.url, from, "northbound MQTT connected");
                    if let Err(why) = announce(cfg, topics, &client, devices, &mut acks) {
                        return why;
                    }
                }
                Ok(MqttEvent::Outgoing(Outgoing::Publish(pkid))) => acks.sent(pkid),
                Ok(MqttEvent::Incoming(Packet::SubAck(_))) => status.commands_ready.store(true, Ordering::Relaxed),
                Ok(MqttEvent::Incoming(Packet::PubAck(ack))) => {
                    if let Some(next) = acks.acked(ack.pkid)
                        && let Err(e) = bus.commit_cursor(CURSOR, next) {
                            return format!("cannot store the cursor: {e}");
                        }
                }
                Ok(MqttEvent::Incoming(Packet::Publish(p))) => {
                    let (topics, role, devices, tx) = (topics.clone(), cfg.commands.clone(), devices.clone(), reply_tx.clone());
                    // Commands wait for devices; the connection must not.
                    tokio::spawn(async move {
                        let reply = commands::handle(&topics, &role, &devices, &p.topic, &p.payload).await;
                        let _ = tx.send(reply).await;
                    });
                }
                Ok(_) => {}
                Err(e) => return e.to_string(),
            },
            e = sub.next(), if can_publish => {
                let e = match e {
                    Ok(e) => e,
                    Err(err) => return format!("bus: {err}"),
                };
                if let Err(why) = forward(cfg, topics, &client, bus, status, &mut acks, &e).await {
                    return why;
                }
            }
            Some(r) = replies.recv(), if connected => {
                if client.try_publish(r.topic, QoS::AtLeastOnce, false, r.payload.to_string()).is_ok() {
                    acks.queued_other();
                }
            }
            _ = lag_tick.tick() => {
                let v = status.view(bus);
                metrics::gauge!("twinwall_northbound_lag_events").set(v.lag_events as f64);
                metrics::gauge!("twinwall_northbound_lag_seconds").set(v.lag_seconds);
            }
        }
    }
}
