//! The devices of a config, resolved for the devices layer: zone paths,
//! profiles read, credentials and keys.

use std::time::Duration;

use super::HubError;
use crate::config::HubConfig;
use crate::devices::DeviceSpec;

/// The devices of `config`, their profiles read.
pub fn device_specs(config: &HubConfig) -> Result<Vec<DeviceSpec>, HubError> {
    let mut specs = Vec::new();
    for d in &config.devices {
        let zone = config
            .zone_path(d.zone.get_ref())
            .map_err(|m| HubError::Io {
                path: config.source.clone(),
                message: m,
            })?;
        let profile = match &d.profile {
            Some(p) => {
                let file = config.profile_path(p.get_ref());
                let text = std::fs::read_to_string(&file).map_err(|e| HubError::Io {
                    path: file.display().to_string(),
                    message: e.to_string(),
                })?;
                Some(text)
            }
            None => None,
        };
        specs.push(DeviceSpec {
            id: d.id.get_ref().clone(),
            driver: d.driver.get_ref().clone(),
            name: d.name.clone(),
            zone,
            address: d.address.clone(),
            profile_name: d.profile.as_ref().map(|p| p.get_ref().clone()),
            profile,
            settings: d.settings_as_strings(),
            unit: d.unit,
            request_timeout: Duration::from_millis(d.request_timeout_ms),
            offline_after: Duration::from_millis(d.offline_after_ms),
            credentials: d
                .username
                .clone()
                .map(|username| crate::transport::http::Credentials {
                    username,
                    password: d.password.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
                }),
            keys: d
                .keys
                .iter()
                .map(|(k, v)| (k.clone(), crate::hex::decode(&v.0).unwrap_or_default()))
                .collect(),
        });
    }
    Ok(specs)
}
