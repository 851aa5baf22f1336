//! Every check of a config beyond its shape, in one place: `twinwall check`
//! and `run` read the file through [`HubConfig::parse`], so they refuse
//! exactly the same configs. Each check names the file, line and key.

use std::collections::HashSet;
use std::ops::Range;

use super::{ConfigError, HubConfig};

/// Reports a problem at a span (or the file) under a key.
struct At<'a> {
    config: &'a HubConfig,
    text: &'a str,
}

impl At<'_> {
    fn err(&self, span: Option<Range<usize>>, key: &str, message: String) -> ConfigError {
        ConfigError::at(&self.config.source, self.text, span, key, message)
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

impl HubConfig {
    /// Check what the types cannot: ids, references, pairs that go
    /// together, values the parts would refuse, files that must be there.
    pub(super) fn validate(&self, text: &str) -> Result<(), ConfigError> {
        let at = At { config: self, text };
        self.check_http(&at)?;
        let zones = self.check_zones(&at)?;
        self.check_devices(&at, &zones)?;
        self.check_vehicles(&at, &zones)?;
        self.check_broadcast(&at)?;
        self.check_northbound(&at)?;
        self.check_jetstream(&at)?;
        self.check_alarms(&at)?;
        self.check_map(&at)?;
        self.check_statistics(&at)?;
        if let Some(p) = self.program.problems().into_iter().next() {
            // Each problem is `key: why`.
            let (key, why) = p.split_once(": ").unwrap_or(("program", &p));
            return Err(at.err(None, key, why.to_owned()));
        }
        if self.plugins.max_crashes == 0 {
            return Err(at.err(None, "plugins.max_crashes", "must be at least 1".into()));
        }
        if !self.rules.is_empty() {
            crate::rules::parse(text, &self.source, &self.zone_paths()).map_err(|e| {
                ConfigError::Invalid {
                    file: e.file,
                    line: Some(e.line),
                    column: None,
                    key: Some("rules".into()),
                    message: e.message,
                }
            })?;
        }
        Ok(())
    }

    fn check_alarms(&self, at: &At<'_>) -> Result<(), ConfigError> {
        let a = &self.alarms;
        let dotted = |k: &str| {
            let kind = k.split(':').next().unwrap_or("");
            kind.split('.').count() >= 2 && kind.split('.').all(valid_id)
        };
        for (i, k) in a.instant.iter().enumerate() {
            if !dotted(k) {
                return Err(at.err(
                    None,
                    &format!("alarms.instant[{i}]"),
                    format!("`{k}` is not `kind`, `kind:flag` or `kind:attr=value` (kind like `access.denied`)"),
                ));
            }
        }
        for (i, [raise, clear]) in a.pairs.iter().enumerate() {
            if !dotted(raise) || !dotted(clear) || raise == clear {
                return Err(at.err(
                    None,
                    &format!("alarms.pairs[{i}]"),
                    format!("[`{raise}`, `{clear}`] must be two different kinds"),
                ));
            }
        }
        let levels = ["blue", "yellow", "orange", "red"];
        for (i, k) in a.note_required.iter().enumerate() {
            let family = k.strip_suffix(".*").is_some_and(valid_id);
            if !levels.contains(&k.as_str()) && !family && !dotted(k) {
                return Err(at.err(
                    None,
                    &format!("alarms.note_required[{i}]"),
                    format!(
                        "`{k}` is not a level ({}), a kind or a family like `fire.*`",
                        levels.join(", ")
                    ),
                ));
            }
        }
        let w = a.ack_within_s;
        for (key, v) in [
            ("flood_above", a.flood_above as u64),
            ("escalate_every_s", a.escalate_every_s),
            ("max_shelve_s", a.max_shelve_s),
            ("tick_ms", a.tick_ms),
            ("ack_within_s.red", w.red),
            ("ack_within_s.orange", w.orange),
            ("ack_within_s.yellow", w.yellow),
            ("ack_within_s.blue", w.blue),
        ] {
            if v == 0 {
                return Err(at.err(None, &format!("alarms.{key}"), "must be at least 1".into()));
            }
        }
        Ok(())
    }

    fn check_http(&self, at: &At<'_>) -> Result<(), ConfigError> {
        match (&self.http.tls_cert, &self.http.tls_key) {
            (Some(cert), Some(key)) => crate::tls::server_config(cert, key)
                .map(|_| ())
                .map_err(|m| at.err(None, "http.tls_cert", format!("TLS: {m}"))),
            (None, None) => Ok(()),
            _ => Err(at.err(
                None,
                "http.tls_cert",
                "give both `tls_cert` and `tls_key` for TLS, or neither".into(),
            )),
        }
    }

    /// Zone ids are valid and unique, parents exist, no parent cycle.
    fn check_zones<'c>(&'c self, at: &At<'_>) -> Result<HashSet<&'c str>, ConfigError> {
        let mut zones = HashSet::new();
        for z in &self.zones {
            let id = z.id.get_ref();
            if !valid_id(id) {
                return Err(at.err(
                    Some(z.id.span()),
                    "zones.id",
                    format!("`{id}` is not a valid id (letters, digits, `-`, `_`)"),
                ));
            }
            if !zones.insert(id.as_str()) {
                return Err(at.err(
                    Some(z.id.span()),
                    "zones.id",
                    format!("zone `{id}` is declared twice"),
                ));
            }
        }
        for z in &self.zones {
            if let Some(p) = &z.parent
                && !zones.contains(p.get_ref().as_str())
            {
                return Err(at.err(
                    Some(p.span()),
                    "zones.parent",
                    format!(
                        "zone `{}` names unknown parent `{}`",
                        z.id.get_ref(),
                        p.get_ref()
                    ),
                ));
            }
        }
        // A parent cycle would make zone paths endless.
        for z in &self.zones {
            self.zone_path(z.id.get_ref())
                .map_err(|m| at.err(Some(z.id.span()), "zones.parent", m))?;
        }
        Ok(zones)
    }

    /// Device ids are valid and unique, in known zones, with well-formed
    /// keys and profiles that exist.
    fn check_devices(&self, at: &At<'_>, zones: &HashSet<&str>) -> Result<(), ConfigError> {
        let mut devices = HashSet::new();
        for d in &self.devices {
            let id = d.id.get_ref();
            if !valid_id(id) {
                return Err(at.err(
                    Some(d.id.span()),
                    "devices.id",
                    format!("`{id}` is not a valid id (letters, digits, `-`, `_`)"),
                ));
            }
            if !devices.insert(id.as_str()) {
                return Err(at.err(
                    Some(d.id.span()),
                    "devices.id",
                    format!("device `{id}` is declared twice"),
                ));
            }
            if let Some(name) = &d.name
                && (name.trim().is_empty() || name.chars().count() > 64)
            {
                return Err(at.err(
                    Some(d.id.span()),
                    "devices.name",
                    format!("device `{id}`: a name is 1 to 64 characters, not `{name}`"),
                ));
            }
            if !zones.contains(d.zone.get_ref().as_str()) {
                return Err(at.err(
                    Some(d.zone.span()),
                    "devices.zone",
                    format!("device `{id}` is in unknown zone `{}`", d.zone.get_ref()),
                ));
            }
            for (name, key) in &d.keys {
                let ok = matches!(key.0.len(), 32 | 48 | 64)
                    && key.0.chars().all(|c| c.is_ascii_hexdigit());
                if !ok {
                    return Err(at.err(
                        Some(d.id.span()),
                        "devices.keys",
                        format!(
                            "device `{id}`: key `{name}` must be 32, 48 or 64 hex digits (an AES-128, -192 or -256 key)"
                        ),
                    ));
                }
            }
            if let Some(p) = &d.profile {
                let file = self.profile_path(p.get_ref());
                if !file.is_file() {
                    return Err(at.err(
                        Some(p.span()),
                        "devices.profile",
                        format!(
                            "device `{id}`: profile `{}` not found at {}",
                            p.get_ref(),
                            file.display()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_vehicles(&self, at: &At<'_>, zones: &HashSet<&str>) -> Result<(), ConfigError> {
        for l in &self.vehicles.limits {
            if let Some(z) = &l.zone
                && !zones.contains(z.as_str())
            {
                return Err(at.err(
                    None,
                    "vehicles.limits.zone",
                    format!(
                        "vehicle limit for `{}` names unknown zone `{z}`",
                        l.category
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_broadcast(&self, at: &At<'_>) -> Result<(), ConfigError> {
        if let Some(g) = self.broadcast.multicast_group
            && !g.is_multicast()
        {
            return Err(at.err(
                None,
                "broadcast.multicast_group",
                format!("{g} is not a multicast address (224.0.0.0/4)"),
            ));
        }
        Ok(())
    }

    fn check_jetstream(&self, at: &At<'_>) -> Result<(), ConfigError> {
        let Some(js) = &self.jetstream else {
            return Ok(());
        };
        match js.problems_for(&self.site.id).into_iter().next() {
            Some((key, message)) => Err(at.err(None, key, message)),
            None => Ok(()),
        }
    }

    fn check_northbound(&self, at: &At<'_>) -> Result<(), ConfigError> {
        let Some(nb) = &self.northbound else {
            return Ok(());
        };
        let scheme = nb.url.split("://").next().unwrap_or("");
        let problem = if !nb.url.contains("://") || !matches!(scheme, "mqtt" | "mqtts") {
            Some((
                "northbound.url",
                format!("`{}` must be mqtt://host:port or mqtts://host:port", nb.url),
            ))
        } else if scheme == "mqtts" && nb.ca_file.is_none() {
            Some((
                "northbound.ca_file",
                "mqtts needs the CA certificate of the broker".into(),
            ))
        } else if nb.client_cert_file.is_some() != nb.client_key_file.is_some() {
            Some((
                "northbound.client_key_file",
                "client_cert_file and client_key_file go together".into(),
            ))
        } else if nb.max_inflight == 0 {
            Some(("northbound.max_inflight", "must be at least 1".into()))
        } else if nb.commands.enabled && nb.commands.allow.is_empty() {
            Some((
                "northbound.commands.allow",
                "commands over MQTT are enabled: list the commands the channel may send, e.g. allow = [\"reset\", \"acknowledge\"]".into(),
            ))
        } else if nb.topic_prefix.is_empty() || nb.topic_prefix.contains(['+', '#']) {
            Some((
                "northbound.topic_prefix",
                "must be non-empty, without `+` or `#`".into(),
            ))
        } else {
            None
        };
        match problem {
            Some((key, message)) => Err(at.err(None, key, message)),
            None => Ok(()),
        }
    }

    /// Plans are pictures the console can show, there to be read; every
    /// outline and place lies on the plan it is drawn on.
    fn check_map(&self, at: &At<'_>) -> Result<(), ConfigError> {
        let zone_plans = self.zones.iter().filter_map(|z| {
            Some((
                format!("zones.plan (zone `{}`)", z.id.get_ref()),
                z.plan.as_ref()?,
            ))
        });
        for (key, plan) in self
            .map
            .plan
            .iter()
            .map(|p| ("map.plan".to_owned(), p))
            .chain(zone_plans)
        {
            let file = plan.file.display();
            let problem = if plan.content_type().is_none() {
                Some(format!(
                    "`{file}` is not a picture the console shows (.svg, .png, .jpg, .webp)"
                ))
            } else if !(plan.width.is_finite()
                && plan.width > 0.0
                && plan.height.is_finite()
                && plan.height > 0.0)
            {
                Some(format!("`{file}`: width and height must be above 0"))
            } else {
                std::fs::metadata(&plan.file)
                    .err()
                    .map(|e| format!("`{file}` cannot be read: {e}"))
            };
            if let Some(m) = problem {
                return Err(at.err(None, &key, m));
            }
        }
        for z in &self.zones {
            let id = z.id.get_ref();
            if z.area.is_empty() {
                continue;
            }
            let Some((_, plan)) = self.plan_for(id, false) else {
                return Err(at.err(Some(z.id.span()), "zones.area", format!(
                    "zone `{id}` has an area but no plan to draw it on: give [map] plan (or its parent a plan)"
                )));
            };
            if z.area.len() < 3 {
                return Err(at.err(
                    Some(z.id.span()),
                    "zones.area",
                    format!(
                        "zone `{id}`: an area needs three points or more, it has {}",
                        z.area.len()
                    ),
                ));
            }
            if let Some(p) = z.area.iter().find(|p| !plan.holds(**p)) {
                return Err(at.err(
                    Some(z.id.span()),
                    "zones.area",
                    format!(
                        "zone `{id}`: point [{}, {}] lies outside its plan `{}` ({} × {})",
                        p[0],
                        p[1],
                        plan.file.display(),
                        plan.width,
                        plan.height
                    ),
                ));
            }
        }
        for d in &self.devices {
            let Some(p) = d.at else { continue };
            let id = d.id.get_ref();
            match self.plan_for(d.zone.get_ref(), true) {
                None => {
                    return Err(at.err(Some(d.id.span()), "devices.at", format!(
                        "device `{id}` has a place but its zone `{}` has no plan to put it on: give [map] plan", d.zone.get_ref()
                    )));
                }
                Some((_, plan)) if !plan.holds(p) => {
                    return Err(at.err(
                        Some(d.id.span()),
                        "devices.at",
                        format!(
                            "device `{id}`: [{}, {}] lies outside its plan `{}` ({} × {})",
                            p[0],
                            p[1],
                            plan.file.display(),
                            plan.width,
                            plan.height
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Every dimension entry names a kind (`vehicle.speeding`) or a family (`fire.*`).
    fn check_statistics(&self, at: &At<'_>) -> Result<(), ConfigError> {
        let word = |w: &str| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        for k in self.statistics.dimensions.keys() {
            let ok = k
                .split_once('.')
                .is_some_and(|(family, rest)| word(family) && (rest == "*" || word(rest)));
            if !ok {
                return Err(at.err(
                    None,
                    "statistics.dimensions",
                    format!("`{k}` is neither a kind (`vehicle.speeding`) nor a family (`fire.*`)"),
                ));
            }
        }
        if self.statistics.max_days == 0 {
            return Err(at.err(None, "statistics.max_days", "must be at least 1".into()));
        }
        Ok(())
    }
}
