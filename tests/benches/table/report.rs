//! The table: rows with a figure, the target and whether it is met, printed
//! as Markdown and written as JSON.

use serde_json::{Value, json};

/// One row of the table.
pub struct Row {
    /// `P1` … `P8`.
    pub id: &'static str,
    /// What is measured.
    pub what: String,
    /// The figure as people read it.
    pub figure: String,
    /// The figure as a number, in `unit`.
    pub value: f64,
    /// Unit of `value`.
    pub unit: &'static str,
    /// The target, as people read it (`≥ 100,000 events/s`).
    pub target: Option<String>,
    /// Whether the target is met (not judged in a smoke run).
    pub met: Option<bool>,
}

impl Row {
    /// A row with a figure and no target.
    pub fn new(
        id: &'static str,
        what: impl Into<String>,
        figure: impl Into<String>,
        value: f64,
        unit: &'static str,
    ) -> Self {
        Row {
            id,
            what: what.into(),
            figure: figure.into(),
            value,
            unit,
            target: None,
            met: None,
        }
    }

    /// The same row judged against a target.
    pub fn target(mut self, target: impl Into<String>, met: bool) -> Self {
        self.target = Some(target.into());
        self.met = Some(met);
        self
    }
}

/// Every row of one run.
pub struct Table {
    quick: bool,
    rows: Vec<Row>,
}

impl Table {
    /// An empty table; a quick run judges no targets.
    pub fn new(quick: bool) -> Self {
        Table {
            quick,
            rows: Vec::new(),
        }
    }

    /// Add a row.
    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    fn verdict(&self, r: &Row) -> &'static str {
        match (self.quick, r.met) {
            (true, _) | (false, None) => "",
            (false, Some(true)) => "met",
            (false, Some(false)) => "NOT met",
        }
    }

    /// Markdown, as pasted into the README.
    pub fn render(&self) -> String {
        let mut out = String::from("| row | what | figure | target | |\n|---|---|---|---|---|\n");
        let mut rows: Vec<&Row> = self.rows.iter().collect();
        rows.sort_by_key(|r| r.id);
        for r in rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                r.id,
                r.what,
                r.figure,
                r.target.as_deref().unwrap_or(""),
                self.verdict(r)
            ));
        }
        if self.quick {
            out.push_str("\n(smoke run: small sizes, one run each, targets not judged)\n");
        }
        out
    }

    /// The same rows as JSON, with the machine they ran on.
    pub fn write_json(&self, path: &std::path::Path) {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                json!({
                    "id": r.id, "what": r.what, "figure": r.figure, "value": r.value,
                    "unit": r.unit, "target": r.target, "met": if self.quick { None } else { r.met },
                })
            })
            .collect();
        let doc = json!({
            "quick": self.quick,
            "machine": machine(),
            "rows": rows,
        });
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = std::fs::write(path, serde_json::to_vec_pretty(&doc).unwrap()) {
            eprintln!("cannot write {}: {e}", path.display());
        }
    }
}

/// Cores, memory and CPU model, from `/proc`.
fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned());
    let mem_kb = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok());
    json!({
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "cpu": model,
        "memory_mb": mem_kb.map(|k| k / 1024),
    })
}
