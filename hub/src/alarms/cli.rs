//! `twinwall alarms` (the wall as a table) and `twinwall alarm …` (act on
//! one), both through a running hub's API, so the actor is the token's.

use anyhow::Context;

/// Where the hub is and who asks.
#[derive(Debug, clap::Args)]
pub struct Api {
    /// The hub's API.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub api: String,
    /// An API token (viewer to list; guard or above to acknowledge).
    #[arg(long, env = "TWINWALL_TOKEN", hide_env_values = true)]
    pub token: String,
}

/// `twinwall alarms`
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    api: Api,
    /// Only this zone and below.
    #[arg(long)]
    zone: Option<String>,
    /// open, wall, unacknowledged, active, shelved, out_of_service, closed, all.
    #[arg(long, default_value = "open")]
    state: String,
    /// This level and above.
    #[arg(long)]
    level: Option<String>,
}

/// `twinwall alarm`
#[derive(Debug, clap::Args)]
pub struct ActArgs {
    #[command(flatten)]
    api: Api,
    #[command(subcommand)]
    what: Act,
}

#[derive(Debug, clap::Subcommand)]
enum Act {
    /// One alarm with its events and history, as JSON.
    Show {
        /// The alarm's id (`a1234`).
        id: String,
    },
    /// Acknowledge.
    Ack {
        /// The alarm's id.
        id: String,
        /// Optional words.
        #[arg(long)]
        note: Option<String>,
    },
    /// Give it to a person.
    Assign {
        /// The alarm's id.
        id: String,
        /// Who; yourself when absent.
        #[arg(long)]
        to: Option<String>,
    },
    /// Close it.
    Close {
        /// The alarm's id.
        id: String,
        /// real, false, test, maintenance, other.
        #[arg(long)]
        resolution: String,
        /// What was done (required for red, fire and panic alarms).
        #[arg(long)]
        note: Option<String>,
    },
}

pub(crate) async fn answer(
    resp: reqwest::Response,
    api: &str,
) -> anyhow::Result<serde_json::Value> {
    let status = resp.status();
    let body: serde_json::Value = resp
        .json()
        .await
        .with_context(|| format!("{api}: an answer that is not JSON ({status})"))?;
    anyhow::ensure!(
        status.is_success(),
        "{api}: {status}: {}",
        body["error"]["message"].as_str().unwrap_or("error")
    );
    Ok(body)
}

/// Print the alarms as a table.
pub async fn list(args: ListArgs) -> anyhow::Result<()> {
    let client = crate::auth::cli::api_client(&args.api.token)?;
    let mut q = vec![
        ("state", args.state),
        ("limit", "500".into()),
        ("group", "false".into()),
    ];
    q.extend(args.zone.map(|z| ("zone", z)));
    q.extend(args.level.map(|l| ("level", l)));
    let api = &args.api.api;
    let resp = client
        .get(format!("{api}/api/v1/alarms"))
        .query(&q)
        .send()
        .await
        .with_context(|| format!("asking {api}"))?;
    let body = answer(resp, api).await?;
    let rows = body["alarms"].as_array().cloned().unwrap_or_default();
    println!(
        "{:<10} {:<7} {:<34} {:<28} {:<22} {:>7}  OWNER",
        "ID", "LEVEL", "STATE", "ZONE", "KIND", "AGE"
    );
    for a in &rows {
        let s = |k: &str| a[k].as_str().unwrap_or("-").to_owned();
        println!(
            "{:<10} {:<7} {:<34} {:<28} {:<22} {:>6}s  {}",
            s("id"),
            s("level"),
            s("state"),
            s("zone"),
            s("kind"),
            a["age_s"].as_i64().unwrap_or(0),
            s("owner")
        );
    }
    eprintln!(
        "{} of {} alarm(s){}",
        rows.len(),
        body["total"].as_u64().unwrap_or(0),
        if body["flood"].is_null() {
            ""
        } else {
            "; ALARM FLOOD"
        }
    );
    Ok(())
}

/// Act on one alarm and print it as it is afterwards.
pub async fn act(args: ActArgs) -> anyhow::Result<()> {
    let client = crate::auth::cli::api_client(&args.api.token)?;
    let api = &args.api.api;
    let (id, path, body) = match args.what {
        Act::Show { id } => {
            let resp = client
                .get(format!("{api}/api/v1/alarms/{id}"))
                .send()
                .await
                .with_context(|| format!("asking {api}"))?;
            println!("{:#}", answer(resp, api).await?);
            return Ok(());
        }
        Act::Ack { id, note } => (id, "ack", serde_json::json!({"note": note})),
        Act::Assign { id, to } => (id, "assign", serde_json::json!({"to": to})),
        Act::Close {
            id,
            resolution,
            note,
        } => (
            id,
            "close",
            serde_json::json!({"resolution": resolution, "note": note}),
        ),
    };
    let resp = client
        .post(format!("{api}/api/v1/alarms/{id}/{path}"))
        .json(&body)
        .send()
        .await
        .with_context(|| format!("asking {api}"))?;
    let a = answer(resp, api).await?;
    println!("{} {}: {}", a["id"], a["kind"], a["state"]);
    Ok(())
}
