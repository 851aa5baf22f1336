//! The topic tree (documented in the README):
//!
//! | topic | retained | payload |
//! |---|---|---|
//! | `{prefix}/{site}/events/{zone path}/{kind}` | no | the event JSON, with `seq` |
//! | `{prefix}/{site}/devices/{id}/state` | yes | `{"state", "seq", "time", "reason"}` |
//! | `{prefix}/{site}/status` | yes | `online` / `offline` (last will) |
//! | `{prefix}/{site}/cmd/devices/{id}` | no | a command (see `commands`) |
//! | `{prefix}/{site}/responses/{correlation id}` | no | the command's result |

/// Topic builder for one site.
#[derive(Debug, Clone)]
pub struct Topics {
    base: String,
}

impl Topics {
    /// Topics under `{prefix}/{site}`.
    pub fn new(prefix: &str, site: &str) -> Self {
        Topics {
            base: format!("{}/{}", prefix.trim_end_matches('/'), clean(site)),
        }
    }

    /// Where an event goes.
    pub fn event(&self, zone: &str, kind: &str) -> String {
        let zone: Vec<String> = zone
            .split('/')
            .filter(|s| !s.is_empty())
            .map(clean)
            .collect();
        format!("{}/events/{}/{}", self.base, zone.join("/"), clean(kind))
    }

    /// A device's retained state.
    pub fn device_state(&self, device: &str) -> String {
        format!("{}/devices/{}/state", self.base, clean(device))
    }

    /// Hub availability (last will).
    pub fn status(&self) -> String {
        format!("{}/status", self.base)
    }

    /// The site id as it appears in topics.
    pub fn site_level(&self) -> &str {
        self.base.rsplit('/').next().unwrap_or("")
    }

    /// The filter for every command topic.
    pub fn commands_filter(&self) -> String {
        format!("{}/cmd/#", self.base)
    }

    /// Where a command result goes by default.
    pub fn response(&self, correlation: &str) -> String {
        format!("{}/responses/{}", self.base, clean(correlation))
    }

    /// The target of a command topic: `devices/{id}` → `Some(("devices", id))`.
    pub fn parse_command<'a>(&self, topic: &'a str) -> Option<(&'a str, &'a str)> {
        let rest = topic.strip_prefix(&self.base)?.strip_prefix("/cmd/")?;
        let (what, id) = rest.split_once('/')?;
        (!id.is_empty() && !id.contains('/')).then_some((what, id))
    }
}

/// Wildcards and empty levels would make a topic mean something else.
fn clean(s: &str) -> String {
    let c: String = s
        .chars()
        .map(|c| {
            if matches!(c, '+' | '#' | '/' | '\0') {
                '_'
            } else {
                c
            }
        })
        .collect();
    if c.is_empty() { "_".into() } else { c }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_follow_the_tree_and_never_carry_wildcards() {
        let t = Topics::new("twinwall", "main");
        assert_eq!(
            t.event("campus/chem-north", "fire.alarm"),
            "twinwall/main/events/campus/chem-north/fire.alarm"
        );
        assert_eq!(t.event("a/+/b", "x#"), "twinwall/main/events/a/_/b/x_");
        assert_eq!(t.device_state("fp-1"), "twinwall/main/devices/fp-1/state");
        assert_eq!(
            t.parse_command("twinwall/main/cmd/devices/fp-1"),
            Some(("devices", "fp-1"))
        );
        assert_eq!(t.parse_command("twinwall/main/cmd/devices/a/b"), None);
        assert_eq!(t.parse_command("twinwall/other/cmd/devices/fp-1"), None);
        assert_eq!(t.response("c/1"), "twinwall/main/responses/c_1");
    }
}
