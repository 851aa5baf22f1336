//! `twinwall hazards`, `twinwall hazard …`, `twinwall lists …` and
//! `twinwall assessment`: the program through a running hub's API, so the
//! actor of every step is the token's holder.

use std::path::PathBuf;

use anyhow::Context;

use crate::alarms::cli::{Api, answer};

/// `twinwall hazards`
#[derive(Debug, clap::Args)]
pub struct HazardsArgs {
    #[command(flatten)]
    api: Api,
    /// open, closed or all.
    #[arg(long, default_value = "open")]
    state: String,
    /// Only this unit's (and the units below it).
    #[arg(long)]
    unit: Option<String>,
    /// Only this zone and below.
    #[arg(long)]
    zone: Option<String>,
    /// Only those past their deadline.
    #[arg(long)]
    overdue: bool,
}

/// `twinwall hazard`
#[derive(Debug, clap::Args)]
pub struct HazardArgs {
    #[command(flatten)]
    api: Api,
    #[command(subcommand)]
    what: HazardAct,
}

#[derive(Debug, clap::Subcommand)]
enum HazardAct {
    /// One hazard with its steps, as JSON.
    Show {
        /// The hazard's id (`HZ1234`).
        id: String,
    },
    /// A step of the loop: fix, notice, start, progress, submit, accept,
    /// reject, cancel (a 重大 hazard's plan goes through the API or the console).
    Step {
        /// The hazard's id.
        id: String,
        /// The step.
        step: String,
        /// What was done or found.
        #[arg(long)]
        note: Option<String>,
        /// notice: the unit to fix it (default the hazard's).
        #[arg(long)]
        unit: Option<String>,
        /// notice: the person responsible.
        #[arg(long)]
        person: Option<String>,
        /// notice: the deadline, YYYY-MM-DD.
        #[arg(long)]
        deadline: Option<String>,
        /// cancel: why.
        #[arg(long)]
        reason: Option<String>,
    },
}

/// `twinwall lists`
#[derive(Debug, clap::Args)]
pub struct ListsArgs {
    #[command(flatten)]
    api: Api,
    #[command(subcommand)]
    what: ListsAct,
}

#[derive(Debug, clap::Subcommand)]
enum ListsAct {
    /// Save one of the six lists as a spreadsheet.
    Export {
        /// risk-points, risk-levels, hazard-sources, inspection-items,
        /// rectification-plans or reported-hazards.
        list: String,
        /// xlsx or csv.
        #[arg(long, default_value = "xlsx")]
        format: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// Import risk-points, risk-levels or hazard-sources from an XLSX or CSV
    /// file: every row checked, all saved or none.
    Import {
        /// The list.
        list: String,
        /// The file.
        file: PathBuf,
    },
}

/// `twinwall assessment`
#[derive(Debug, clap::Args)]
pub struct AssessmentArgs {
    #[command(flatten)]
    api: Api,
    /// One unit (default every unit the token may read).
    #[arg(long)]
    unit: Option<String>,
    /// The term's id (default the one holding today).
    #[arg(long)]
    term: Option<String>,
}

/// Print the hazards as a table.
pub async fn hazards(args: HazardsArgs) -> anyhow::Result<()> {
    let client = crate::auth::cli::api_client(&args.api.token)?;
    let api = &args.api.api;
    let mut q = vec![("state", args.state)];
    q.extend(args.unit.map(|u| ("unit", u)));
    q.extend(args.zone.map(|z| ("zone", z)));
    if args.overdue {
        q.push(("overdue", "true".into()));
    }
    let resp = client
        .get(format!("{api}/api/v1/hazards"))
        .query(&q)
        .send()
        .await
        .with_context(|| format!("asking {api}"))?;
    let body = answer(resp, api).await?;
    print!("{}", hazards_table(&body));
    eprintln!(
        "{} hazard(s); {} open, {} overdue",
        body["hazards"].as_array().map_or(0, Vec::len),
        body["open"].as_u64().unwrap_or(0),
        body["overdue"].as_u64().unwrap_or(0)
    );
    Ok(())
}

/// `GET /api/v1/hazards`'s answer as the table `twinwall hazards` prints.
pub fn hazards_table(body: &serde_json::Value) -> String {
    use std::fmt::Write;
    let mut out = format!(
        "{:<9} {:<7} {:<8} {:<11} {:<22} {:<14} {:<10}  DESCRIPTION\n",
        "ID", "LEVEL", "ORIGIN", "STATE", "ZONE", "UNIT", "DEADLINE"
    );
    for h in body["hazards"].as_array().into_iter().flatten() {
        let s = |k: &str| h[k].as_str().unwrap_or("-").to_owned();
        let deadline: String = s("deadline").chars().take(10).collect();
        let _ = writeln!(
            out,
            "{:<9} {:<7} {:<8} {:<11} {:<22} {:<14} {:<10}  {}{}",
            s("id"),
            s("level"),
            s("origin"),
            s("state"),
            s("zone"),
            s("unit"),
            deadline,
            s("description"),
            if h["overdue"] == true {
                "  [OVERDUE]"
            } else {
                ""
            }
        );
    }
    out
}

/// Show a hazard, or take a step and print its state afterwards.
pub async fn hazard(args: HazardArgs) -> anyhow::Result<()> {
    let client = crate::auth::cli::api_client(&args.api.token)?;
    let api = &args.api.api;
    match args.what {
        HazardAct::Show { id } => {
            let resp = client
                .get(format!("{api}/api/v1/hazards/{id}"))
                .send()
                .await
                .with_context(|| format!("asking {api}"))?;
            println!("{:#}", answer(resp, api).await?);
        }
        HazardAct::Step {
            id,
            step,
            note,
            unit,
            person,
            deadline,
            reason,
        } => {
            let mut body = serde_json::Map::new();
            for (k, v) in [
                ("note", note),
                ("unit", unit),
                ("person", person),
                ("deadline", deadline),
                ("reason", reason),
            ] {
                if let Some(v) = v {
                    body.insert(k.into(), v.into());
                }
            }
            let resp = client
                .post(format!("{api}/api/v1/hazards/{id}/{step}"))
                .json(&body)
                .send()
                .await
                .with_context(|| format!("asking {api}"))?;
            let h = answer(resp, api).await?;
            println!(
                "{} {}: {} ({})",
                h["id"].as_str().unwrap_or("-"),
                h["description"].as_str().unwrap_or("-"),
                h["state"].as_str().unwrap_or("-"),
                h["state_name"].as_str().unwrap_or("-")
            );
        }
    }
    Ok(())
}

/// Export or import a list.
pub async fn lists(args: ListsArgs) -> anyhow::Result<()> {
    let client = crate::auth::cli::api_client(&args.api.token)?;
    let api = &args.api.api;
    match args.what {
        ListsAct::Export { list, format, out } => {
            let resp = client
                .get(format!("{api}/api/v1/lists/{list}"))
                .query(&[("format", format.as_str())])
                .send()
                .await
                .with_context(|| format!("asking {api}"))?;
            if !resp.status().is_success() {
                answer(resp, api).await?;
                return Ok(());
            }
            let bytes = resp
                .bytes()
                .await
                .with_context(|| format!("reading {list} from {api}"))?;
            std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
            eprintln!("{list}: {} bytes to {}", bytes.len(), out.display());
        }
        ListsAct::Import { list, file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let resp = client
                .post(format!("{api}/api/v1/lists/{list}"))
                .body(bytes)
                .send()
                .await
                .with_context(|| format!("asking {api}"))?;
            let v = answer(resp, api)
                .await
                .with_context(|| format!("importing {} into {list}", file.display()))?;
            println!("{v}");
        }
    }
    Ok(())
}

/// Print each unit's score and deductions.
pub async fn assessment(args: AssessmentArgs) -> anyhow::Result<()> {
    let client = crate::auth::cli::api_client(&args.api.token)?;
    let api = &args.api.api;
    let mut q = Vec::new();
    q.extend(args.unit.map(|u| ("unit", u)));
    q.extend(args.term.map(|t| ("term", t)));
    let resp = client
        .get(format!("{api}/api/v1/assessment"))
        .query(&q)
        .send()
        .await
        .with_context(|| format!("asking {api}"))?;
    let body = answer(resp, api).await?;
    for u in body["units"].as_array().into_iter().flatten() {
        println!(
            "{} {} — {}: {}",
            u["unit"].as_str().unwrap_or("-"),
            u["name"].as_str().unwrap_or(""),
            body["term"].as_str().unwrap_or("-"),
            u["score"]
        );
        for d in u["deductions"].as_array().into_iter().flatten() {
            println!(
                "  -{:<3} {:<6} {}{}",
                d["points"],
                d["article"].as_str().unwrap_or("-"),
                d["cause"].as_str().unwrap_or("-"),
                if d["entered"] == true {
                    " (entered)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(())
}
