//! The program's six lists (第七条) as tables: 风险点清单, 风险等级清单,
//! 危险源清单 from the register; 隐患排查项目清单, 隐患治理计划清单,
//! 上报隐患统计清单 from the tasks and the hazards; written as CSV (UTF-8 with
//! a byte-order mark, so spreadsheet programs read the Chinese right) or
//! XLSX, with the column names the program uses.

use serde::Serialize;

use super::book::ProgramBook;
use super::hazard::HazardState;
use super::risk_level::{RiskAssessment, level_name};
use crate::bus::format_ms;

/// A list's id, its Chinese name, and what it holds.
pub const LISTS: [(&str, &str, &str); 6] = [
    (
        "risk-points",
        "风险点清单",
        "risk points: zone, unit, control measures, devices, review",
    ),
    (
        "risk-levels",
        "风险等级清单",
        "each point's assessment (LEC or L×S), score and level",
    ),
    (
        "hazard-sources",
        "危险源清单",
        "each point's hazard sources and their categories",
    ),
    (
        "inspection-items",
        "隐患排查项目清单",
        "each task's checklist items, frequency and unit",
    ),
    (
        "rectification-plans",
        "隐患治理计划清单",
        "hazards under 限期整改: unit, person, deadline, plan, state",
    ),
    (
        "reported-hazards",
        "上报隐患统计清单",
        "every hazard reported: when, where, source, level, state, days to close",
    ),
];

/// A cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<f64> for Cell {
    fn from(n: f64) -> Self {
        Cell::Number(n)
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Text(s) => f.write_str(s),
            Cell::Number(n) => write!(f, "{n}"),
        }
    }
}

/// A list as rows under its column names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Its id.
    pub list: String,
    /// Its Chinese name.
    pub title: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

/// The columns of the register lists, as export writes and import reads them.
pub const POINT_COLUMNS: [&str; 10] = [
    "风险点编号",
    "风险点名称",
    "所在区域",
    "责任单位",
    "管控措施",
    "责任人",
    "措施责任单位",
    "监测设备",
    "复核周期(天)",
    "上次复核",
];
/// 风险等级清单's columns.
pub const LEVEL_COLUMNS: [&str; 9] = [
    "风险点编号",
    "风险点名称",
    "评价方法",
    "L",
    "E",
    "C",
    "S",
    "风险值",
    "风险等级",
];
/// 危险源清单's columns.
pub const SOURCE_COLUMNS: [&str; 5] = [
    "风险点编号",
    "风险点名称",
    "危险源名称",
    "类别",
    "可能导致的事故",
];

/// The measures one a line (`类型：措施`), and each one's person and unit
/// on the same line of their own columns (`-` for none), so a sheet the hub
/// wrote reads back as the same measures.
fn join_measures(p: &super::register::RiskPoint) -> (String, String, String) {
    let ms = &p.input.measures;
    let text = ms
        .iter()
        .map(|m| format!("{}：{}", m.kind.name_zh(), m.text))
        .collect::<Vec<_>>()
        .join("\n");
    let aligned = |f: &dyn Fn(&super::register::Measure) -> Option<&String>| {
        if ms.iter().all(|m| f(m).is_none()) {
            return String::new();
        }
        ms.iter()
            .map(|m| f(m).map_or("-", String::as_str))
            .collect::<Vec<_>>()
            .join("\n")
    };
    (
        text,
        aligned(&|m| m.person.as_ref()),
        aligned(&|m| m.unit.as_ref()),
    )
}

/// The list `id` over what `visible` admits (a unit's, a zone's), `None`
/// for an unknown list.
pub fn table(
    book: &ProgramBook,
    id: &str,
    now_ms: i64,
    visible: &dyn Fn(&str, Option<&str>) -> bool,
) -> Option<Table> {
    let (_, title, _) = LISTS.iter().find(|(l, ..)| *l == id)?;
    let points = || {
        book.points()
            .filter(|p| visible(&p.input.zone, p.unit.as_deref()))
    };
    let (columns, rows): (Vec<&str>, Vec<Vec<Cell>>) = match id {
        "risk-points" => (
            POINT_COLUMNS.to_vec(),
            points()
                .map(|p| {
                    let (measures, people, units) = join_measures(p);
                    vec![
                        p.input.id.as_str().into(),
                        p.input.name.as_str().into(),
                        p.input.zone.as_str().into(),
                        p.unit.clone().unwrap_or_default().into(),
                        measures.into(),
                        people.into(),
                        units.into(),
                        p.input.devices.join(", ").into(),
                        f64::from(
                            p.input
                                .review_every_days
                                .unwrap_or(book.config().review_every_days),
                        )
                        .into(),
                        format_ms(p.reviewed_ms).into(),
                    ]
                })
                .collect(),
        ),
        "risk-levels" => (
            LEVEL_COLUMNS.to_vec(),
            points()
                .map(|p| {
                    let blank = || Cell::Text(String::new());
                    let (method, l, e, c, s) = match p.input.assessment {
                        Some(RiskAssessment::Lec { l, e, c }) => {
                            ("LEC", l.into(), e.into(), c.into(), blank())
                        }
                        Some(RiskAssessment::Matrix { l, s }) => (
                            "风险矩阵",
                            f64::from(l).into(),
                            blank(),
                            blank(),
                            f64::from(s).into(),
                        ),
                        None => ("未评价", blank(), blank(), blank(), blank()),
                    };
                    vec![
                        p.input.id.as_str().into(),
                        p.input.name.as_str().into(),
                        method.into(),
                        l,
                        e,
                        c,
                        s,
                        p.score.map(Cell::Number).unwrap_or_else(blank),
                        p.level.map(level_name).unwrap_or("").into(),
                    ]
                })
                .collect(),
        ),
        "hazard-sources" => (
            SOURCE_COLUMNS.to_vec(),
            points()
                .flat_map(|p| {
                    p.input.sources.iter().map(move |s| {
                        vec![
                            p.input.id.as_str().into(),
                            p.input.name.as_str().into(),
                            s.name.as_str().into(),
                            book.config()
                                .categories
                                .get(&s.category)
                                .cloned()
                                .unwrap_or_else(|| s.category.clone())
                                .into(),
                            s.consequence.clone().unwrap_or_default().into(),
                        ]
                    })
                })
                .collect(),
        ),
        "inspection-items" => (
            vec![
                "任务编号",
                "任务名称",
                "风险点编号",
                "排查内容",
                "排查频次",
                "责任单位",
            ],
            book.tasks()
                .filter(|t| visible(&t.zone, t.unit.as_deref()))
                .flat_map(|t| {
                    t.checklist.iter().map(move |item| {
                        vec![
                            t.id.as_str().into(),
                            t.name.as_str().into(),
                            t.point.as_str().into(),
                            item.as_str().into(),
                            t.every.name_zh().into(),
                            t.unit.clone().unwrap_or_default().into(),
                        ]
                    })
                })
                .collect(),
        ),
        "rectification-plans" => (
            vec![
                "隐患编号",
                "隐患描述",
                "隐患等级",
                "责任单位",
                "责任人",
                "整改期限",
                "目标任务",
                "方法措施",
                "经费物资",
                "机构人员",
                "安全措施",
                "状态",
            ],
            book.hazards()
                .filter(|h| h.notified_ms.is_some() && visible(&h.zone, h.unit.as_deref()))
                .map(|h| {
                    let plan = h.plan.clone();
                    let p = |f: fn(&super::hazard::Plan) -> &String| {
                        Cell::Text(plan.as_ref().map(f).cloned().unwrap_or_default())
                    };
                    vec![
                        h.id.as_str().into(),
                        h.description.as_str().into(),
                        level_word(h.level).into(),
                        h.unit.clone().unwrap_or_default().into(),
                        h.person.clone().unwrap_or_default().into(),
                        h.deadline_ms.map(format_ms).unwrap_or_default().into(),
                        p(|x| &x.goal),
                        p(|x| &x.measures),
                        p(|x| &x.funds),
                        p(|x| &x.people),
                        p(|x| &x.safety),
                        state_word(h.state, h.overdue(now_ms)).into(),
                    ]
                })
                .collect(),
        ),
        _ => (
            vec![
                "隐患编号",
                "发现时间",
                "所在区域",
                "风险点",
                "排查来源",
                "隐患类型",
                "隐患等级",
                "隐患描述",
                "责任单位",
                "治理类型",
                "状态",
                "销号时间",
                "用时(天)",
            ],
            book.hazards()
                .filter(|h| visible(&h.zone, h.unit.as_deref()))
                .map(|h| {
                    let at_once = h.steps.iter().any(|s| s.kind == "hazard.fixed");
                    vec![
                        h.id.as_str().into(),
                        format_ms(h.opened_ms).into(),
                        h.zone.as_str().into(),
                        h.point.clone().unwrap_or_default().into(),
                        source_word(&h.source).into(),
                        book.config()
                            .categories
                            .get(&h.category)
                            .cloned()
                            .unwrap_or_else(|| h.category.clone())
                            .into(),
                        level_word(h.level).into(),
                        h.description.as_str().into(),
                        h.unit.clone().unwrap_or_default().into(),
                        if at_once {
                            "即查即改"
                        } else if h.notified_ms.is_some() {
                            "限期整改"
                        } else {
                            ""
                        }
                        .into(),
                        state_word(h.state, h.overdue(now_ms)).into(),
                        h.closed_ms
                            .filter(|_| h.state == HazardState::Closed)
                            .map(format_ms)
                            .unwrap_or_default()
                            .into(),
                        h.closed_ms
                            .filter(|_| h.state == HazardState::Closed)
                            .map(|c| {
                                Cell::Number(((c - h.opened_ms) as f64 / 8.64e6).round() / 10.0)
                            })
                            .unwrap_or(Cell::Text(String::new())),
                    ]
                })
                .collect(),
        ),
    };
    Some(Table {
        list: id.to_owned(),
        title: (*title).to_owned(),
        columns: columns.into_iter().map(str::to_owned).collect(),
        rows,
    })
}

fn level_word(l: crate::config::program::HazardLevel) -> &'static str {
    match l {
        crate::config::program::HazardLevel::General => "一般",
        crate::config::program::HazardLevel::Major => "重大",
    }
}

fn state_word(s: HazardState, overdue: bool) -> String {
    if overdue {
        format!("{}（已超期）", s.name_zh())
    } else {
        s.name_zh().to_owned()
    }
}

fn source_word(s: &str) -> &str {
    match s {
        "report" => "随手拍上报",
        "inspection" => "日常排查",
        "device" => "设备监测",
        "office" => "学校排查",
        other => other,
    }
}

/// Text a spreadsheet shows as text: what a person typed that starts like a
/// formula (`=`, `+`, `-`, `@`) gets a leading `'`, so opening the CSV runs
/// nothing.
fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// A cell holds at most 32,767 characters (Excel's limit); longer text is
/// cut there rather than failing the whole list.
fn xlsx_text(s: &str) -> &str {
    const MAX: usize = 32_767;
    match s.char_indices().nth(MAX) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

impl Table {
    /// As CSV with a UTF-8 byte-order mark.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        // Writing to memory cannot fail.
        let _ = w.write_record(&self.columns);
        for r in &self.rows {
            let _ = w.write_record(r.iter().map(|c| match c {
                Cell::Text(s) => csv_text(s),
                Cell::Number(_) => c.to_string(),
            }));
        }
        w.into_inner().unwrap_or_default()
    }

    /// As an XLSX workbook of one sheet named after the list.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, String> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(&self.title).map_err(|e| e.to_string())?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (c, name) in self.columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, name, &bold)
                .map_err(|e| e.to_string())?;
            sheet
                .set_column_width(c as u16, 16)
                .map_err(|e| e.to_string())?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(s) => sheet.write_string(r, c, xlsx_text(s)),
                    Cell::Number(n) => sheet.write_number(r, c, *n),
                }
                .map_err(|e| e.to_string())?;
            }
        }
        book.save_to_buffer().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_looks_like_a_formula_stays_text_and_long_text_fits_a_cell() {
        assert_eq!(
            csv_text("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("化学北楼"), "化学北楼");
        let long = "隐".repeat(40_000);
        assert_eq!(xlsx_text(&long).chars().count(), 32_767);
        assert_eq!(xlsx_text("短"), "短");
        let t = Table {
            list: "reported-hazards".into(),
            title: "上报隐患统计清单".into(),
            columns: vec!["隐患描述".into()],
            rows: vec![vec![Cell::Text(long)]],
        };
        assert!(t.to_xlsx().is_ok());
    }
}
