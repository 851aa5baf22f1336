//! Reading the register's three lists back from a spreadsheet (XLSX or CSV,
//! the columns [`super::lists`] writes): every row is checked before any is
//! saved, and each problem names its row (as the spreadsheet numbers it,
//! the header being row 1) and its column.

use std::collections::BTreeMap;

use super::register::{HazardSource, Measure, MeasureKind, PointInput};
use super::risk_level::RiskAssessment;
use crate::config::program::ProgramConfig;

/// A problem with one cell.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ImportProblem {
    /// The row as the spreadsheet numbers it (the header is 1).
    pub row: usize,
    /// The column's name.
    pub column: String,
    /// What is wrong.
    pub why: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}, column {}: {}", self.row, self.column, self.why)
    }
}

/// A sheet: its header and rows of text.
pub struct Sheet {
    /// The header's cells.
    pub header: Vec<String>,
    /// The rows under it, blank rows left out, with their row numbers.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// The first sheet of an XLSX workbook, or a CSV file (UTF-8, a BOM or not).
pub fn read(bytes: &[u8]) -> Result<Sheet, String> {
    let grid: Vec<(usize, Vec<String>)> = if bytes.starts_with(b"PK\x03\x04") {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
                .map_err(|e| format!("not a readable XLSX workbook: {e}"))?;
        let range = wb
            .worksheet_range_at(0)
            .ok_or("the workbook has no sheet")?
            .map_err(|e| format!("the first sheet cannot be read: {e}"))?;
        let first = range.start().map_or(0, |(row, _)| row as usize);
        range
            .rows()
            .enumerate()
            .map(|(i, r)| {
                let cells = r
                    .iter()
                    .map(|c| match c {
                        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                            format!("{}", *f as i64)
                        }
                        other => other.to_string(),
                    })
                    .collect();
                (first + i + 1, cells)
            })
            .collect()
    } else {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|e| format!("a CSV file must be UTF-8: byte {} is not", e.valid_up_to()))?;
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        // The reader skips blank lines itself: each record's own line is its row.
        let mut grid = Vec::new();
        let mut inside = 0;
        for rec in r.records() {
            let rec = rec.map_err(|e| match e.position() {
                Some(at) => format!("row {}: {e}", at.line()),
                None => e.to_string(),
            })?;
            // The row a spreadsheet shows it on: the line its first byte is
            // on (the reader's own count leaves blank lines out), less the
            // line breaks inside the cells before it (a cell is one row).
            let line = rec.position().map_or(grid.len() + 1, |p| {
                let bytes = text.as_bytes();
                // The position may be that of blank lines before it.
                let mut at = usize::try_from(p.byte())
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                while bytes.get(at).is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    at += 1;
                }
                1 + bytes[..at].iter().filter(|b| **b == b'\n').count()
            });
            grid.push((line - inside, rec.iter().map(str::to_owned).collect()));
            inside += rec.iter().map(|c| c.matches('\n').count()).sum::<usize>();
        }
        grid
    };
    let mut rows = grid.into_iter();
    let header = rows
        .next()
        .map(|(_, h)| h.into_iter().map(|c| c.trim().to_owned()).collect())
        .ok_or("the sheet is empty: it needs a header row")?;
    Ok(Sheet {
        header,
        rows: rows
            .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
            .collect(),
    })
}

/// What the import may look up.
pub struct Lookup<'a> {
    /// The settings (categories, scales).
    pub config: &'a ProgramConfig,
    /// A point as saved now.
    pub point: &'a dyn Fn(&str) -> Option<PointInput>,
    /// A zone id or path to its path.
    pub zone: &'a dyn Fn(&str) -> Option<String>,
    /// Whether a unit exists.
    pub unit: &'a dyn Fn(&str) -> bool,
    /// Whether a device exists.
    pub device: &'a dyn Fn(&str) -> bool,
}

struct Row<'a> {
    n: usize,
    cells: &'a [String],
    at: &'a BTreeMap<&'a str, usize>,
}

impl Row<'_> {
    fn get(&self, col: &str) -> &str {
        self.at
            .get(col)
            .and_then(|i| self.cells.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    fn problem(&self, col: &str, why: impl Into<String>) -> ImportProblem {
        ImportProblem {
            row: self.n,
            column: col.to_owned(),
            why: why.into(),
        }
    }
}

fn split(s: &str) -> Vec<String> {
    s.split(['\n', '；', ';', '、', ',', '，'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The column of `list` that holds a point's `field` (as
/// [`super::register::problems`] names it).
fn column_of(list: &str, field: &str) -> &'static str {
    let head = field.split(['.', '[']).next().unwrap_or(field);
    match (list, head) {
        (_, "id") => "风险点编号",
        ("risk-points", "name") => "风险点名称",
        ("risk-points", "zone") => "所在区域",
        ("risk-points", "unit") => "责任单位",
        ("risk-points", "measures") => "管控措施",
        ("risk-points", "devices") => "监测设备",
        ("risk-points", "review_every_days") => "复核周期(天)",
        ("risk-levels", _) => "评价方法",
        ("hazard-sources", "sources") if field.ends_with("category") => "类别",
        ("hazard-sources", _) => "危险源名称",
        _ => "风险点编号",
    }
}

/// A column of one entry per measure: by line when it has several lines
/// (`-` for none), else the names one cell lists (`、`, `,`).
fn aligned(s: &str) -> Vec<Option<String>> {
    let lines: Vec<&str> = s.trim().lines().map(str::trim).collect();
    if lines.len() > 1 {
        lines
            .into_iter()
            .map(|l| {
                Some(l.to_owned())
                    .filter(|l| !l.is_empty() && !["-", "—", "无"].contains(&l.as_str()))
            })
            .collect()
    } else {
        split(s).into_iter().map(Some).collect()
    }
}

/// Measure `i`'s entry: its own, or the one entry every measure shares.
fn for_measure(entries: &[Option<String>], i: usize) -> Option<String> {
    match entries.len() {
        0 => None,
        1 => entries[0].clone(),
        _ => entries.get(i).cloned().flatten(),
    }
}

/// The points `sheet` (list `list`) makes, merged into the points saved
/// now; every problem when there is any.
pub fn points(
    list: &str,
    sheet: &Sheet,
    look: &Lookup<'_>,
) -> Result<Vec<PointInput>, Vec<ImportProblem>> {
    let required: &[&str] = match list {
        "risk-points" => &["风险点编号", "风险点名称", "所在区域"],
        "risk-levels" => &["风险点编号", "评价方法"],
        "hazard-sources" => &["风险点编号", "危险源名称", "类别"],
        _ => {
            return Err(vec![ImportProblem {
                row: 1,
                column: String::new(),
                why: format!(
                    "list `{list}` is made by the hub and is not imported (import risk-points, risk-levels or hazard-sources)"
                ),
            }]);
        }
    };
    let at: BTreeMap<&str, usize> = sheet
        .header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let mut problems: Vec<ImportProblem> = required
        .iter()
        .filter(|c| !at.contains_key(**c))
        .map(|c| ImportProblem {
            row: 1,
            column: (*c).to_owned(),
            why: format!("the header has no column `{c}`"),
        })
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out: BTreeMap<String, PointInput> = BTreeMap::new();
    let mut sources_seen: std::collections::HashSet<String> = Default::default();
    // The row each point is first on (a point is one row of the register
    // and level lists; the sources list has a row per source).
    let mut first_row: BTreeMap<String, usize> = BTreeMap::new();
    for (n, cells) in &sheet.rows {
        let row = Row {
            n: *n,
            cells,
            at: &at,
        };
        let id = row.get("风险点编号").to_owned();
        if id.is_empty() {
            problems.push(row.problem("风险点编号", "is empty"));
            continue;
        }
        if let Some(before) = first_row.get(&id)
            && list != "hazard-sources"
        {
            problems.push(row.problem("风险点编号", format!("`{id}` is on row {before} too")));
            continue;
        }
        first_row.entry(id.clone()).or_insert(*n);
        let existing = out.get(&id).cloned().or_else(|| (look.point)(&id));
        match list {
            "risk-points" => {
                let zone_text = row.get("所在区域");
                let Some(zone) = (look.zone)(zone_text) else {
                    problems.push(
                        row.problem("所在区域", format!("`{zone_text}` is no zone of this site")),
                    );
                    continue;
                };
                let unit = Some(row.get("责任单位").to_owned()).filter(|u| !u.is_empty());
                if let Some(u) = &unit
                    && !(look.unit)(u)
                {
                    problems.push(row.problem("责任单位", format!("`{u}` is no unit")));
                }
                let people = aligned(row.get("责任人"));
                let measure_units = aligned(row.get("措施责任单位"));
                for u in measure_units.iter().flatten() {
                    if !(look.unit)(u) {
                        problems.push(row.problem("措施责任单位", format!("`{u}` is no unit")));
                    }
                }
                let mut measures = Vec::new();
                for (i, line) in row
                    .get("管控措施")
                    .split(['\n', '；', ';'])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .enumerate()
                {
                    let Some((kind, text)) = line.split_once(['：', ':']) else {
                        problems.push(row.problem(
                            "管控措施",
                            format!("`{line}` is not `类型：措施` (工程技术, 管理, 培训教育, 个体防护, 应急处置)"),
                        ));
                        continue;
                    };
                    let Some(kind) = MeasureKind::parse(kind.trim()) else {
                        problems.push(row.problem(
                            "管控措施",
                            format!("`{}` is no kind of measure (工程技术, 管理, 培训教育, 个体防护, 应急处置)", kind.trim()),
                        ));
                        continue;
                    };
                    measures.push(Measure {
                        kind,
                        text: text.trim().to_owned(),
                        person: for_measure(&people, i),
                        unit: for_measure(&measure_units, i),
                    });
                }
                let devices = split(row.get("监测设备"));
                for d in &devices {
                    if !(look.device)(d) {
                        problems.push(
                            row.problem("监测设备", format!("`{d}` is no device of this hub")),
                        );
                    }
                }
                let review = row.get("复核周期(天)");
                let review_every_days = if review.is_empty() {
                    None
                } else {
                    match review.parse::<u32>() {
                        Ok(n) if n > 0 => Some(n),
                        _ => {
                            problems.push(row.problem(
                                "复核周期(天)",
                                format!("`{review}` is not a number of days"),
                            ));
                            None
                        }
                    }
                };
                let name = row.get("风险点名称");
                if name.is_empty() {
                    problems.push(row.problem("风险点名称", "is empty"));
                }
                let base = existing.unwrap_or(PointInput {
                    id: id.clone(),
                    name: String::new(),
                    zone: String::new(),
                    unit: None,
                    sources: Vec::new(),
                    assessment: None,
                    measures: Vec::new(),
                    devices: Vec::new(),
                    review_every_days: None,
                });
                out.insert(
                    id.clone(),
                    PointInput {
                        name: name.to_owned(),
                        zone,
                        unit,
                        measures,
                        devices,
                        review_every_days,
                        ..base
                    },
                );
            }
            "risk-levels" => {
                let Some(mut p) = existing else {
                    problems.push(row.problem(
                        "风险点编号",
                        format!("`{id}` is no risk point: import 风险点清单 first"),
                    ));
                    continue;
                };
                let num = |col: &str| -> Result<f64, ImportProblem> {
                    let v = row.get(col);
                    v.parse::<f64>()
                        .map_err(|_| row.problem(col, format!("`{v}` is not a number")))
                };
                let method = row.get("评价方法");
                let a = match method {
                    "LEC" | "lec" | "作业条件危险性分析法" => {
                        match (num("L"), num("E"), num("C")) {
                            (Ok(l), Ok(e), Ok(c)) => Some(RiskAssessment::Lec { l, e, c }),
                            (l, e, c) => {
                                problems.extend([l.err(), e.err(), c.err()].into_iter().flatten());
                                None
                            }
                        }
                    }
                    "风险矩阵" | "matrix" | "LS" | "风险矩阵法" => {
                        match (num("L"), num("S")) {
                            (Ok(l), Ok(s)) if l.fract() == 0.0 && s.fract() == 0.0 => {
                                Some(RiskAssessment::Matrix {
                                    l: l.clamp(0.0, 255.0) as u8,
                                    s: s.clamp(0.0, 255.0) as u8,
                                })
                            }
                            (Ok(_), Ok(_)) => {
                                problems.push(row.problem("L", "L and S are whole numbers 1 to 5"));
                                None
                            }
                            (l, s) => {
                                problems.extend([l.err(), s.err()].into_iter().flatten());
                                None
                            }
                        }
                    }
                    // What the hub writes for a point not yet assessed.
                    "未评价" | "" => {
                        p.assessment = None;
                        out.insert(id, p);
                        continue;
                    }
                    other => {
                        problems.push(
                            row.problem(
                                "评价方法",
                                format!("`{other}` is neither LEC nor 风险矩阵"),
                            ),
                        );
                        None
                    }
                };
                if let Some(a) = a {
                    if let Err(why) = a.check() {
                        let col = why
                            .split_whitespace()
                            .find(|w| ["L", "E", "C", "S"].contains(w))
                            .unwrap_or("评价方法")
                            .to_owned();
                        problems.push(row.problem(&col, why));
                    }
                    p.assessment = Some(a);
                }
                out.insert(id, p);
            }
            _ => {
                let Some(mut p) = existing else {
                    problems.push(row.problem(
                        "风险点编号",
                        format!("`{id}` is no risk point: import 风险点清单 first"),
                    ));
                    continue;
                };
                // The sheet's rows are the point's sources: the first row
                // of a point replaces what it had.
                if sources_seen.insert(id.clone()) {
                    p.sources.clear();
                }
                let cat = row.get("类别");
                let category = look
                    .config
                    .categories
                    .iter()
                    .find(|(code, name)| *code == cat || *name == cat)
                    .map(|(code, _)| code.clone());
                let Some(category) = category else {
                    problems.push(row.problem(
                        "类别",
                        format!(
                            "`{cat}` is not a category ({})",
                            look.config.categories.values().cloned().collect::<Vec<_>>().join("、")
                        ),
                    ));
                    continue;
                };
                let name = row.get("危险源名称");
                if name.is_empty() {
                    problems.push(row.problem("危险源名称", "is empty"));
                }
                let consequence =
                    Some(row.get("可能导致的事故").to_owned()).filter(|c| !c.is_empty());
                p.sources.push(HazardSource {
                    name: name.to_owned(),
                    category,
                    consequence,
                });
                out.insert(id, p);
            }
        }
    }
    // What the rows make must also be a register point the API would take
    // (ids, names, measures, sources), each problem on the point's row.
    if problems.is_empty() {
        for (id, p) in &out {
            let row = first_row.get(id).copied().unwrap_or(1);
            for (field, why) in
                super::register::problems(p, look.config, &|_| true, look.unit, look.device)
            {
                problems.push(ImportProblem {
                    row,
                    column: column_of(list, &field).to_owned(),
                    why,
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(out.into_values().collect())
    } else {
        problems.sort_by_key(|p| p.row);
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup_none() -> (
        ProgramConfig,
        impl Fn(&str) -> Option<PointInput>,
        impl Fn(&str) -> Option<String>,
    ) {
        (
            ProgramConfig::default(),
            |_: &str| None,
            |z: &str| (z == "chem-north").then(|| "campus/chem-north".to_owned()),
        )
    }

    #[test]
    fn a_register_sheet_reads_and_a_bad_row_is_named() {
        let (config, point, zone) = lookup_none();
        let look = Lookup {
            config: &config,
            point: &point,
            zone: &zone,
            unit: &|u| u == "chem",
            device: &|d| d == "fp-chem-north",
        };
        let csv = "\u{feff}风险点编号,风险点名称,所在区域,责任单位,管控措施,责任人,监测设备\n\
                   lab-301,化学北楼301有机实验室,chem-north,chem,\"工程技术：通风橱\n管理：危化品双人双锁\",张伟,fp-chem-north\n\
                   \n\
                   lab-302,302实验室,nowhere,chem,管理：值日,,\n";
        let sheet = read(csv.as_bytes()).unwrap();
        let err = points("risk-points", &sheet, &look).unwrap_err();
        assert_eq!(err.len(), 1, "{err:?}");
        assert_eq!((err[0].row, err[0].column.as_str()), (4, "所在区域"));
        assert!(
            err[0].to_string().contains("row 4, column 所在区域"),
            "{}",
            err[0]
        );
        let good = csv.replace("nowhere", "chem-north");
        let ps = points("risk-points", &read(good.as_bytes()).unwrap(), &look).unwrap();
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].measures.len(), 2);
        assert_eq!(ps[0].measures[1].kind, MeasureKind::Management);
        assert_eq!(ps[0].measures[0].person.as_deref(), Some("张伟"));
        assert_eq!(ps[0].zone, "campus/chem-north");
    }

    #[test]
    fn levels_need_factors_on_their_scales() {
        let config = ProgramConfig::default();
        let saved = PointInput {
            id: "lab-301".into(),
            name: "实验室".into(),
            zone: "campus/chem-north".into(),
            unit: None,
            sources: vec![],
            assessment: None,
            measures: vec![],
            devices: vec![],
            review_every_days: None,
        };
        let point = move |id: &str| (id == "lab-301").then(|| saved.clone());
        let look = Lookup {
            config: &config,
            point: &point,
            zone: &|_| None,
            unit: &|_| true,
            device: &|_| true,
        };
        let csv = "风险点编号,评价方法,L,E,C,S\nlab-301,LEC,6,6,7,\nlab-999,LEC,6,6,7,\n";
        let err = points("risk-levels", &read(csv.as_bytes()).unwrap(), &look).unwrap_err();
        assert_eq!((err[0].row, err[0].column.as_str()), (3, "风险点编号"));
        let csv = "风险点编号,评价方法,L,E,C,S\nlab-301,LEC,4,6,7,\n";
        let err = points("risk-levels", &read(csv.as_bytes()).unwrap(), &look).unwrap_err();
        assert_eq!((err[0].row, err[0].column.as_str()), (2, "L"), "{err:?}");
        let csv = "风险点编号,评价方法,L,E,C,S\nlab-301,LEC,6,6,7,\n";
        let ps = points("risk-levels", &read(csv.as_bytes()).unwrap(), &look).unwrap();
        assert_eq!(ps[0].assessment.unwrap().score(), 252.0);
        let csv = "风险点编号,危险源名称,类别\nlab-301,乙醇,危化品\nlab-301,电炉,electrical\n";
        let ps = points("hazard-sources", &read(csv.as_bytes()).unwrap(), &look).unwrap();
        let cats: Vec<&str> = ps[0].sources.iter().map(|s| s.category.as_str()).collect();
        assert_eq!(cats, ["chemical", "electrical"]);
    }
}
