//! Linkage rules as written (`[[rules]]` in hub.toml or in the watched rules
//! file), checked with the file, line and key of every problem.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use crate::bus::Level;

/// One rule: when an event matches, run the actions.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Id, unique: letters, digits, `-`, `_`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// What fires it.
    #[schemars(with = "When")]
    pub when: Spanned<When>,
    /// The same rule does not fire again for the same zone within this
    /// many seconds (a fire panel that re-reports). Default 30.
    #[serde(default = "default_debounce")]
    pub debounce_s: u64,
    /// Firings per hour at most (excess is recorded as `rule.suppressed`). Default 60.
    #[serde(default = "default_per_hour")]
    pub max_per_hour: u32,
    /// What to do, in order of declaration, concurrently.
    #[schemars(with = "Vec<ActionSpec>")]
    pub actions: Vec<Spanned<ActionSpec>>,
}

fn default_debounce() -> u64 {
    30
}

fn default_per_hour() -> u32 {
    60
}

/// The match.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// Kinds, with `*` globs (`fire.*`, `*.alarm`). Required.
    pub kind: Vec<String>,
    /// Zone id: the event's zone must be it or below it. Default: anywhere.
    #[serde(default)]
    pub zone: Option<String>,
    /// Lowest level that fires. Default: any.
    #[serde(default)]
    pub min_level: Option<Level>,
}

/// One action.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ActionSpec {
    /// A zone broadcast. `zones` may name `$zone`: the zone of the event.
    Broadcast {
        /// Zone ids or `$zone`.
        zones: Vec<String>,
        /// A stored clip (content hash).
        #[serde(default)]
        clip: Option<String>,
        /// Text (spoken or rendered).
        #[serde(default)]
        text: Option<String>,
        /// Priority. Default 255 for rules (an alarm speaks over anything).
        #[serde(default = "max_priority")]
        priority: u8,
        /// Plays. Default 3.
        #[serde(default = "three")]
        repeat: u32,
    },
    /// A command to every device in the zone whose driver accepts it
    /// (e.g. `barrier.open` to the barrier gates of a zone).
    Command {
        /// Zone id or `$zone`.
        zone: String,
        /// Command name.
        command: String,
        /// Arguments. Default `{}`.
        #[serde(default)]
        #[schemars(with = "Option<serde_json::Value>")]
        args: Option<toml::Value>,
    },
    /// Pictures from every camera of the zone (devices accepting
    /// `snapshot`), kept on the `rule.fired` event.
    Snapshot {
        /// Zone id or `$zone`.
        zone: String,
    },
    /// Raise the firing's level (the `rule.fired` event) to this.
    Raise {
        /// New level.
        level: Level,
    },
}

fn max_priority() -> u8 {
    255
}

fn three() -> u32 {
    3
}

impl ActionSpec {
    /// Short name, as events show it.
    pub fn name(&self) -> &'static str {
        match self {
            ActionSpec::Broadcast { .. } => "broadcast",
            ActionSpec::Command { .. } => "command",
            ActionSpec::Snapshot { .. } => "snapshot",
            ActionSpec::Raise { .. } => "raise",
        }
    }
}

/// The part of a file the rules come from.
#[derive(Debug, Deserialize)]
struct File {
    #[serde(default)]
    rules: Vec<RuleSpec>,
}

/// A rule refused, with where and why.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{file}:{line}: {message}")]
pub struct RuleError {
    /// File.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// Why.
    pub message: String,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Whether `kind` matches the glob `pattern` (`*` for any run of characters).
pub fn glob(pattern: &str, kind: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == kind,
        Some((head, tail)) => kind.strip_prefix(head).is_some_and(|rest| {
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i))
                .any(|i| glob(tail, &rest[i..]))
        }),
    }
}

/// Parse the `[[rules]]` of `text` (from `file`) and check them against the
/// zones (id → path) and every kind drivers and the hub emit.
pub fn parse(
    text: &str,
    file: &str,
    zones: &HashMap<String, String>,
) -> Result<Vec<RuleSpec>, RuleError> {
    let at = |offset: usize, message: String| RuleError {
        file: file.to_owned(),
        line: line_of(text, offset),
        message,
    };
    let parsed: File = toml::from_str(text).map_err(|e| {
        at(
            e.span().map_or(0, |s| s.start),
            e.message().trim().to_owned(),
        )
    })?;
    let mut seen = HashMap::new();
    for r in &parsed.rules {
        let id = r.id.get_ref();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(at(
                r.id.span().start,
                format!("rule id `{id}`: letters, digits, `-`, `_`"),
            ));
        }
        if seen.insert(id.clone(), ()).is_some() {
            return Err(at(
                r.id.span().start,
                format!("rule `{id}` is declared twice"),
            ));
        }
        check_when(r, zones).map_err(|(offset, m)| at(offset, m))?;
        if r.actions.is_empty() {
            return Err(at(r.id.span().start, format!("rule `{id}` has no actions")));
        }
        for a in &r.actions {
            check_action(id, a.get_ref(), zones).map_err(|m| at(a.span().start, m))?;
        }
    }
    Ok(parsed.rules)
}

/// A rule's `when`: kinds that exist and are not the rules' own, a zone
/// that exists. The error carries where, in the file.
fn check_when(r: &RuleSpec, zones: &HashMap<String, String>) -> Result<(), (usize, String)> {
    let id = r.id.get_ref();
    let when = r.when.get_ref();
    let w = r.when.span().start;
    if when.kind.is_empty() {
        return Err((w, format!("rule `{id}`: `when.kind` names no kind")));
    }
    for k in &when.kind {
        let known = twinwall_plugin_sdk::kinds::TABLE
            .iter()
            .any(|s| glob(k, s.kind));
        if !known {
            return Err((
                w,
                format!("rule `{id}`: kind `{k}` matches no kind in the event-kind table"),
            ));
        }
        if k.starts_with("rule.") {
            return Err((
                w,
                format!("rule `{id}`: rules never fire on `rule.*` (a loop)"),
            ));
        }
    }
    if let Some(z) = &when.zone
        && !zones.contains_key(z)
    {
        return Err((w, format!("rule `{id}`: unknown zone `{z}` in `when.zone`")));
    }
    Ok(())
}

/// One action of rule `id`: its zones exist (`$zone` is the cause's), a
/// broadcast has exactly one source, a command a name.
fn check_action(id: &str, a: &ActionSpec, zones: &HashMap<String, String>) -> Result<(), String> {
    let zone_ok = |z: &str| z == "$zone" || zones.contains_key(z);
    match a {
        ActionSpec::Broadcast {
            zones: zs,
            clip,
            text,
            ..
        } => {
            if zs.is_empty() {
                return Err(format!("rule `{id}`: broadcast names no zones"));
            }
            if let Some(z) = zs.iter().find(|z| !zone_ok(z)) {
                return Err(format!("rule `{id}`: broadcast to unknown zone `{z}`"));
            }
            if clip.is_some() == text.is_some() {
                return Err(format!(
                    "rule `{id}`: broadcast needs exactly one of `clip` and `text`"
                ));
            }
        }
        ActionSpec::Command { zone, command, .. } => {
            if !zone_ok(zone) {
                return Err(format!("rule `{id}`: command to unknown zone `{zone}`"));
            }
            if command.is_empty() {
                return Err(format!("rule `{id}`: empty command"));
            }
        }
        ActionSpec::Snapshot { zone } => {
            if !zone_ok(zone) {
                return Err(format!("rule `{id}`: snapshot of unknown zone `{zone}`"));
            }
        }
        ActionSpec::Raise { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones() -> HashMap<String, String> {
        [("campus", "campus"), ("chem", "campus/chem")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect()
    }

    #[test]
    fn globs_match_families_and_suffixes() {
        assert!(glob("fire.*", "fire.alarm"));
        assert!(glob("*.alarm", "fire.alarm"));
        assert!(glob("*", "panic.pressed"));
        assert!(glob("fire.alarm", "fire.alarm"));
        assert!(!glob("fire.*", "perimeter.fire"));
        assert!(!glob("*.alarm", "fire.alarmed"));
    }

    #[test]
    fn a_good_rule_parses() {
        let text = r#"
[[rules]]
id = "evacuate"
when = { kind = ["fire.alarm"], zone = "chem", min_level = "red" }
actions = [
  { broadcast = { zones = ["$zone"], text = "请立即疏散" } },
  { snapshot = { zone = "$zone" } },
  { raise = { level = "red" } },
]
"#;
        let r = parse(text, "hub.toml", &zones()).unwrap();
        assert_eq!(r[0].actions.len(), 3);
        assert_eq!(r[0].debounce_s, 30);
    }

    #[test]
    fn bad_rules_say_file_line_and_why() {
        let cases = [
            (
                "[[rules]]\nid = \"a\"\nwhen = { kind = [\"fire.alarm\"] }\nactions = [{ broadcast = { zones = [\"mars\"], text = \"x\" } }]\n",
                4,
                "unknown zone `mars`",
            ),
            (
                "[[rules]]\nid = \"a\"\nwhen = { kind = [\"fyre.*\"] }\nactions = [{ raise = { level = \"red\" } }]\n",
                3,
                "matches no kind",
            ),
            (
                "[[rules]]\nid = \"a\"\nwhen = { kind = [\"fire.alarm\"] }\nactions = [{ shout = {} }]\n",
                4,
                "unknown variant `shout`",
            ),
            (
                "[[rules]]\nid = \"a\"\nwhen = { kind = [\"fire.alarm\"], level = \"red\" }\nactions = []\n",
                3,
                "unknown field `level`",
            ),
            (
                "[[rules]]\nid = \"a\"\nwhen = { kind = [\"fire.alarm\"] }\nactions = [{ broadcast = { zones = [\"chem\"] } }]\n",
                4,
                "exactly one of",
            ),
        ];
        for (text, line, why) in cases {
            let e = parse(text, "rules.toml", &zones()).unwrap_err();
            assert_eq!(e.line, line, "{e}");
            assert!(e.message.contains(why), "{e}");
            assert!(
                e.to_string().starts_with(&format!("rules.toml:{line}: ")),
                "{e}"
            );
        }
    }
}
