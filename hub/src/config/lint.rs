//! Every problem in a config file at once, each with its line and key: the
//! file is read with its spans and walked against the JSON Schema of
//! [`HubConfig`](super::HubConfig) (the one `twinwall schema` prints), so a
//! file with three typos gets three answers instead of one per run.
//!
//! ```
//! let text = "[site]\nid = \"x\"\ndata_dir = \"d\"\n[http]\nlisten = 8080\nlistne = \"\"\n";
//! let found = twinwall_hub::config::lint::problems(text);
//! assert_eq!(found.len(), 2);
//! assert_eq!((found[0].line, found[0].key.as_str()), (5, "http.listen"));
//! ```

use serde_json::Value as Schema;
use toml::de::{DeTable, DeValue};

/// One problem: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    /// 1-based line.
    pub line: usize,
    /// Dotted key path (`devices[2].zone`).
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl Lint {
    /// Where it is: `file:line, `key``, as `check` and `run` print it.
    pub fn at(&self, file: &str) -> String {
        if self.key.is_empty() {
            format!("{file}:{}", self.line)
        } else {
            format!("{file}:{}, `{}`", self.line, self.key)
        }
    }
}

/// Every problem the schema finds in `text`; a syntax error is the one
/// problem when the text is not TOML at all.
pub fn problems(text: &str) -> Vec<Lint> {
    problems_against(text, &super::json_schema())
}

/// Every problem `root`, a JSON Schema (a device profile family's
/// `schema.json`), finds in the TOML `text`.
pub fn problems_against(text: &str, root: &Schema) -> Vec<Lint> {
    let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let doc = match DeTable::parse(text) {
        Ok(d) => d,
        Err(e) => {
            return vec![Lint {
                line: e.span().map_or(1, |s| line(s.start)),
                key: String::new(),
                message: e.message().to_owned(),
            }];
        }
    };
    let mut w = Walk {
        root,
        line: &line,
        out: Vec::new(),
    };
    w.table(doc.get_ref(), doc.span().start, root, "");
    w.out.sort_by_key(|l| l.line);
    w.out
}

struct Walk<'a> {
    root: &'a Schema,
    line: &'a dyn Fn(usize) -> usize,
    out: Vec<Lint>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn kind(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "string",
        DeValue::Integer(_) => "integer",
        DeValue::Float(_) => "number",
        DeValue::Boolean(_) => "boolean",
        DeValue::Datetime(_) => "datetime",
        DeValue::Array(_) => "array",
        DeValue::Table(_) => "object",
    }
}

/// The closest of `names` to `key`, when close enough to be a typo.
fn nearest<'n>(key: &str, names: impl Iterator<Item = &'n String>) -> Option<&'n String> {
    names
        .map(|n| (strsim_distance(key, n), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Levenshtein distance (names are short).
fn strsim_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// `$ref` followed to its definition in `root`.
fn resolve<'s>(root: &'s Schema, s: &'s Schema) -> &'s Schema {
    match s.get("$ref").and_then(Schema::as_str) {
        Some(r) => r
            .strip_prefix("#/$defs/")
            .and_then(|name| root.get("$defs")?.get(name))
            .unwrap_or(s),
        None => s,
    }
}

impl<'a> Walk<'a> {
    fn push(&mut self, at: usize, key: &str, message: String) {
        self.out.push(Lint {
            line: (self.line)(at),
            key: key.to_owned(),
            message,
        });
    }

    /// The schema's types (`type` as a string or a list).
    fn types(s: &Schema) -> Vec<&str> {
        match s.get("type") {
            Some(Schema::String(t)) => vec![t.as_str()],
            Some(Schema::Array(ts)) => ts.iter().filter_map(Schema::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// Walk one value against its schema. Long on purpose: one case per
    /// JSON Schema keyword the config's schema uses, read top to bottom.
    fn value(&mut self, v: &DeValue<'_>, at: usize, schema: &'a Schema, path: &str) {
        let s = resolve(self.root, schema);
        // `Option<T>` and enums of shapes: the value must fit one branch;
        // the problems of the branch that fits best are the answer.
        let branches = s
            .get("anyOf")
            .or_else(|| s.get("oneOf"))
            .and_then(Schema::as_array);
        // Named choices (a unit enum): one list of names, not a branch each.
        let names: Option<Vec<&str>> = branches.and_then(|bs| {
            bs.iter()
                .map(|b| resolve(self.root, b).get("const").and_then(Schema::as_str))
                .collect()
        });
        if let Some(names) = names {
            if let DeValue::String(text) = v
                && names.contains(&text.as_ref())
            {
                return;
            }
            let shown: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            let what = match v {
                DeValue::String(text) => format!("`{text}`"),
                other => format!("a {}", kind(other)),
            };
            self.push(
                at,
                path,
                format!("{what} is not one of {}", shown.join(", ")),
            );
            return;
        }
        if let Some(branches) = branches {
            let mut best: Option<Vec<Lint>> = None;
            for b in branches {
                if Self::types(resolve(self.root, b)) == ["null"] {
                    continue;
                }
                let mut sub = Walk {
                    root: self.root,
                    line: self.line,
                    out: Vec::new(),
                };
                sub.value(v, at, b, path);
                if best.as_ref().is_none_or(|x| sub.out.len() < x.len()) {
                    best = Some(sub.out);
                }
            }
            self.out.extend(best.unwrap_or_default());
            return;
        }
        if let Some(allowed) = s.get("enum").and_then(Schema::as_array)
            && let DeValue::String(text) = v
            && !allowed.iter().any(|a| a.as_str() == Some(text.as_ref()))
        {
            let names: Vec<String> = allowed
                .iter()
                .filter_map(|a| a.as_str().map(|x| format!("`{x}`")))
                .collect();
            self.push(
                at,
                path,
                format!("`{text}` is not one of {}", names.join(", ")),
            );
            return;
        }
        let types = Self::types(s);
        let got = kind(v);
        let fits = types.is_empty()
            || types.contains(&got)
            || (got == "integer" && types.contains(&"number"));
        if !fits {
            let want: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
            self.push(
                at,
                path,
                format!("expected {}, found {got}", want.join(" or ")),
            );
            return;
        }
        match v {
            DeValue::Table(t) => self.table(t, at, s, path),
            DeValue::Array(items) => {
                if let Some(item) = s.get("items") {
                    for (i, x) in items.iter().enumerate() {
                        self.value(x.get_ref(), x.span().start, item, &format!("{path}[{i}]"));
                    }
                }
            }
            _ => {}
        }
    }

    fn table(&mut self, t: &DeTable<'_>, at: usize, schema: &'a Schema, path: &str) {
        let s = resolve(self.root, schema);
        let props = s.get("properties").and_then(Schema::as_object);
        let extra = s.get("additionalProperties");
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            let here = join(path, key);
            match props.and_then(|p| p.get(key)) {
                Some(p) => self.value(v.get_ref(), v.span().start.max(k.span().start), p, &here),
                None => match extra {
                    Some(Schema::Bool(false)) => {
                        let hint = props
                            .and_then(|p| nearest(key, p.keys()))
                            .map(|n| format!(" (did you mean `{n}`?)"))
                            .unwrap_or_default();
                        self.push(k.span().start, &here, format!("unknown key `{key}`{hint}"));
                    }
                    Some(extra @ Schema::Object(_)) => {
                        self.value(v.get_ref(), v.span().start, extra, &here)
                    }
                    _ => {}
                },
            }
        }
        if let Some(required) = s.get("required").and_then(Schema::as_array) {
            for r in required.iter().filter_map(Schema::as_str) {
                if !t.iter().any(|(k, _)| k.get_ref().as_ref() == r) {
                    let shown = if path.is_empty() { "the file" } else { path };
                    self.push(at, &join(path, r), format!("`{r}` is missing from {shown}"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "[site]\nid = \"main\"\ndata_dir = \"data\"\n[[zones]]\nid = \"campus\"\n";

    #[test]
    fn a_valid_file_has_no_problems() {
        assert_eq!(problems(OK), Vec::<Lint>::new());
    }

    #[test]
    fn every_problem_is_listed_with_its_line_and_key() {
        let text = format!(
            "{OK}[[devices]]\nid = \"fp-1\"\ndriver = \"modbus-fire-panel\"\nzoen = \"campus\"\noffline_after_ms = \"soon\"\n\
             [[devices]]\nid = \"fp-2\"\ndriver = \"modbus-fire-panel\"\nzone = \"campus\"\n[bus]\nflush = \"sometimes\"\n"
        );
        let found = problems(&text);
        let brief: Vec<(usize, &str)> = found.iter().map(|l| (l.line, l.key.as_str())).collect();
        assert_eq!(
            brief,
            [
                (6, "devices[0].zone"),
                (9, "devices[0].zoen"),
                (10, "devices[0].offline_after_ms"),
                (16, "bus.flush"),
            ],
            "{found:#?}"
        );
        assert!(
            found[1].message.contains("did you mean `zone`"),
            "{found:#?}"
        );
        assert!(found[2].message.contains("expected integer, found string"));
        assert!(found[3].message.contains("`sometimes` is not one of"));
    }

    #[test]
    fn a_syntax_error_is_one_problem_with_its_line() {
        let found = problems("[site]\nid = \"x\"\ndata_dir = \n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 3);
    }

    #[test]
    fn the_shipped_example_has_no_problems() {
        let text = include_str!("../../hub.example.toml");
        assert_eq!(problems(text), Vec::<Lint>::new());
    }

    #[test]
    fn typos_are_matched_to_near_names_only() {
        let names = ["offline_after_ms".to_string(), "zone".to_string()];
        assert_eq!(nearest("zoen", names.iter()), Some(&names[1]));
        assert_eq!(nearest("ofline_after_ms", names.iter()), Some(&names[0]));
        assert_eq!(nearest("colour", names.iter()), None);
    }
}
