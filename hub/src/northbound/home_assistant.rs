//! Home Assistant MQTT discovery: each device appears as a connectivity
//! binary sensor fed by its retained state topic.

use serde_json::json;

use super::topics::Topics;
use crate::devices::Devices;

/// (config topic, retained payload) for every device.
pub fn discovery(topics: &Topics, devices: &Devices) -> Vec<(String, String)> {
    let site = topics.site_level();
    devices
        .list()
        .into_iter()
        .map(|d| {
            let object = format!("twinwall_{site}_{}", d.id).replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', "_");
            let payload = json!({
                "name": format!("{} connectivity", d.id),
                "unique_id": object,
                "object_id": object,
                "device_class": "connectivity",
                "state_topic": topics.device_state(&d.id),
                "value_template": "{{ value_json.state }}",
                "payload_on": "online",
                "payload_off": "offline",
                "availability_topic": topics.status(),
                "device": {"identifiers": [object], "name": d.id, "manufacturer": "Twinwall", "model": d.driver, "suggested_area": d.zone},
            });
            (format!("homeassistant/binary_sensor/{object}/config"), payload.to_string())
        })
        .collect()
}
