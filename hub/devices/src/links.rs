//! Link changes the transport reports, as `device.online` / `device.offline`
//! events: the transport decides, the devices layer records.

use tokio::sync::mpsc;
use twinwall_base::{Level, NewEvent};
use twinwall_bus::Bus;
use twinwall_transport::{LinkChange, LinkReport};

/// The event a link report means.
pub fn link_event(r: &LinkReport) -> NewEvent {
    match &r.change {
        LinkChange::WentOnline => NewEvent::new("device.online", &r.zone)
            .device(&r.device)
            .attr("transport", r.transport)
            .message(format!("{} is answering", r.device)),
        LinkChange::WentOffline(reason) => NewEvent::new("device.offline", &r.zone)
            .device(&r.device)
            .level(Level::Orange)
            .attr("transport", r.transport)
            .attr("reason", reason.clone())
            .message(format!(
                "{} has not answered for {} ms: {reason}",
                r.device,
                r.offline_after.as_millis()
            )),
    }
}

/// Record every report on the bus, in the order the sessions sent them.
pub(crate) async fn record(bus: Bus, mut reports: mpsc::Receiver<LinkReport>) {
    while let Some(r) = reports.recv().await {
        if let Err(err) = bus.submit(vec![link_event(&r)]).await {
            tracing::error!(device = %r.device, error = %err, "link event lost: the bus is closed");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn reports_become_the_link_events() {
        let mut r = LinkReport {
            device: "fp-1".into(),
            zone: "campus/chem".into(),
            transport: "modbus-tcp",
            offline_after: Duration::from_millis(1500),
            change: LinkChange::WentOffline("connect refused".into()),
        };
        let e = link_event(&r);
        assert_eq!(
            (e.kind.as_str(), e.level, e.zone.as_str()),
            ("device.offline", Level::Orange, "campus/chem")
        );
        assert_eq!(e.text("reason"), Some("connect refused"));
        assert!(e.message.as_deref().unwrap().contains("1500 ms"));
        r.change = LinkChange::WentOnline;
        let e = link_event(&r);
        assert_eq!((e.kind.as_str(), e.level), ("device.online", Level::Info));
        assert_eq!(e.text("transport"), Some("modbus-tcp"));
    }
}
