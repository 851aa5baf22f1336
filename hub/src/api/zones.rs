//! `GET /api/v1/zones`: the site's zones as the config names them, so a
//! console shows 化学北楼 rather than `campus/chem-north`.

use axum::Extension;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use serde_json::{Value, json};

use super::ApiState;
use crate::auth::Principal;
use crate::bus::Level;
use crate::config::HubConfig;

/// One zone as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ZoneInfo {
    /// Its id in the config.
    pub id: String,
    /// Its path (its ancestors' ids and its own, joined with `/`): what
    /// events, devices and alarms name.
    pub path: String,
    /// Its display name (the id when the config gives none).
    pub name: String,
    /// The enclosing zone's id.
    pub parent: Option<String>,
    /// Its standing risk colour (the four-colour risk map).
    pub risk: Level,
}

impl ZoneInfo {
    /// Every zone of `config`, in the config's order.
    pub fn all(config: &HubConfig) -> Vec<ZoneInfo> {
        config
            .zones
            .iter()
            .filter_map(|z| {
                let id = z.id.get_ref().clone();
                Some(ZoneInfo {
                    path: config.zone_path(&id).ok()?,
                    name: z.name.clone().unwrap_or_else(|| id.clone()),
                    parent: z.parent.as_ref().map(|p| p.get_ref().clone()),
                    risk: z.risk,
                    id,
                })
            })
            .collect()
    }
}

/// The zones, all of them for every caller: names are not secrets, and a
/// guard's console names the zones around his own. A zone's `risk` is its
/// worst assessed risk point's level (and of the zones inside it) once the
/// register has one (`risk_from: "points"`), else the config's (`"config"`).
pub async fn list(State(s): State<ApiState>, Extension(_who): Extension<Principal>) -> Json<Value> {
    let zones: Vec<Value> = s
        .zones
        .iter()
        .map(|z| {
            let derived = s
                .program
                .as_ref()
                .and_then(|p| p.with(|b| b.zone_level(&z.path)));
            let mut v = serde_json::to_value(z).unwrap_or_default();
            v["risk"] = json!(derived.unwrap_or(z.risk));
            v["risk_from"] = json!(if derived.is_some() {
                "points"
            } else {
                "config"
            });
            v
        })
        .collect();
    Json(json!({"zones": zones}))
}
