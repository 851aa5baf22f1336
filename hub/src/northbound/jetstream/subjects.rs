//! The subject layout (documented in the README):
//!
//! | subject | what |
//! |---|---|
//! | `{prefix}.{site}.events.{family}.{name}.{zone path…}` | an event, JSON with `site` and `seq`; `Nats-Msg-Id = {site}:{seq}` |
//! | `{prefix}.{site}.cmd.alarm.{action}` | request: a central action on an alarm |
//! | `{prefix}.{site}.cmd.device.{device id}` | request: a command to a device |
//!
//! The kind comes before the zone because a kind is always two tokens
//! (`fire.alarm`; a kind with more dots keeps the rest in its second token,
//! as `_`) while a zone path has any depth: `>` takes the zone's tail, so
//! `twinwall.*.events.fire.alarm.>` is every campus's fire alarms and
//! `twinwall.s1.events.*.*.campus.chem.>` all of s1's chemistry building
//! below its root. Characters a token may not hold (`.`, `*`, `>`, spaces)
//! become `_`.

/// One subject token made of `s`: never empty, never a wildcard.
pub fn token(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| match c {
            '.' | '*' | '>' => '_',
            c if c.is_whitespace() || c.is_control() => '_',
            c => c,
        })
        .collect();
    if t.is_empty() { "_".into() } else { t }
}

/// Whether `s` is one token as written (config values).
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && token(s) == s
}

/// Whether `s` may name a stream or a bucket.
pub fn is_stream_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The default stream of site `site`: `TWINWALL_<SITE>`.
pub fn stream_name(site: &str) -> String {
    // A site id in Chinese keeps its characters apart as code points.
    let s: String = site
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_uppercase().to_string()
            } else if c.is_ascii() {
                "_".into()
            } else {
                format!("U{:X}", u32::from(c))
            }
        })
        .collect();
    format!("TWINWALL_{s}")
}

/// The object store bucket of a stream's pictures.
pub fn media_bucket(stream: &str) -> String {
    format!("{stream}_MEDIA")
}

/// Subjects of one site.
#[derive(Debug, Clone)]
pub struct Subjects {
    base: String,
}

impl Subjects {
    /// Subjects under `{prefix}.{site}`.
    pub fn new(prefix: &str, site: &str) -> Self {
        Subjects {
            base: format!("{}.{}", token(prefix), token(site)),
        }
    }

    /// Where event `kind` of zone `zone` goes.
    pub fn event(&self, zone: &str, kind: &str) -> String {
        let (family, name) = kind.split_once('.').unwrap_or((kind, "_"));
        let mut s = format!("{}.events.{}.{}", self.base, token(family), token(name));
        let parts: Vec<&str> = zone.split('/').filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            s.push_str("._");
        }
        for p in parts {
            s.push('.');
            s.push_str(&token(p));
        }
        s
    }

    /// What the site's stream holds.
    pub fn events_filter(&self) -> String {
        format!("{}.events.>", self.base)
    }

    /// Every command subject of the site.
    pub fn commands_filter(&self) -> String {
        format!("{}.cmd.>", self.base)
    }

    /// The request subject of `target` and `action`: `alarm` and the
    /// action's name, or `device` and the device's id.
    pub fn command(&self, target: &str, action: &str) -> String {
        format!("{}.cmd.{}.{}", self.base, token(target), token(action))
    }

    /// `(target, action)` of a command subject of this site.
    pub fn parse_command<'a>(&self, subject: &'a str) -> Option<(&'a str, &'a str)> {
        let rest = subject.strip_prefix(&self.base)?.strip_prefix(".cmd.")?;
        let (target, action) = rest.split_once('.')?;
        (!action.is_empty() && !action.contains('.')).then_some((target, action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_first_and_zones_take_the_tail() {
        let s = Subjects::new("twinwall", "north campus");
        assert_eq!(
            s.event("campus/chem/f3", "fire.alarm"),
            "twinwall.north_campus.events.fire.alarm.campus.chem.f3"
        );
        assert_eq!(
            s.event("hub", "camera.line.crossed"),
            "twinwall.north_campus.events.camera.line_crossed.hub"
        );
        assert_eq!(s.event("", "odd"), "twinwall.north_campus.events.odd._._");
        assert_eq!(
            s.event("a/b*c/>", "x.y"),
            "twinwall.north_campus.events.x.y.a.b_c._"
        );
        assert_eq!(s.events_filter(), "twinwall.north_campus.events.>");
    }

    #[test]
    fn commands_parse_back_and_only_for_their_site() {
        let s = Subjects::new("twinwall", "s1");
        let subject = s.command("alarm", "acknowledge");
        assert_eq!(subject, "twinwall.s1.cmd.alarm.acknowledge");
        assert_eq!(s.parse_command(&subject), Some(("alarm", "acknowledge")));
        assert_eq!(s.parse_command("twinwall.s2.cmd.alarm.acknowledge"), None);
        assert_eq!(s.parse_command("twinwall.s1.cmd.alarm"), None);
        assert_eq!(s.parse_command("twinwall.s1.cmd.alarm.a.b"), None);
    }

    #[test]
    fn names_are_made_safe() {
        assert_eq!(stream_name("main-campus.2"), "TWINWALL_MAIN-CAMPUS_2");
        assert_eq!(stream_name("本部"), "TWINWALL_U672CU90E8");
        assert!(is_stream_name(&stream_name("本部")));
        assert!(is_token("twinwall"));
        assert!(!is_token("a.b"));
        assert!(!is_token(""));
        assert_eq!(media_bucket("TWINWALL_S1"), "TWINWALL_S1_MEDIA");
    }
}
