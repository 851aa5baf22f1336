//! `twinwall broadcast`: the shell's way to speak to a zone. It uploads a
//! clip file if given one, starts the job through the API, shows a progress
//! bar until every speaker has answered, then a table of outcomes.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// What the command was asked.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The hub's API.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub api: String,
    /// Zone id (repeatable; child zones are included).
    #[arg(long = "zone")]
    pub zones: Vec<String>,
    /// Every speaker of the site.
    #[arg(long)]
    pub all: bool,
    /// A WAV file to upload, or the hash of a stored clip.
    #[arg(long)]
    pub clip: Option<String>,
    /// Text (spoken by speakers with TTS, rendered for the others).
    #[arg(long)]
    pub text: Option<String>,
    /// A live source to relay (a paging microphone's stream URL).
    #[arg(long)]
    pub live: Option<String>,
    /// 0-255; 255 is fire evacuation and cuts into anything.
    #[arg(long, default_value_t = 100)]
    pub priority: u8,
    /// Plays back to back (0 = until cancelled).
    #[arg(long, default_value_t = 1)]
    pub repeat: u32,
    /// Volume 0-100.
    #[arg(long)]
    pub volume: Option<u8>,
    /// Wait until every speaker has finished, not only answered.
    #[arg(long)]
    pub wait: bool,
    /// An operator's API token (`twinwall token create --role operator`);
    /// its holder is the actor in the audit trail.
    #[arg(long, env = "TWINWALL_TOKEN", hide_env_values = true)]
    pub token: String,
}

async fn json_or_error(r: reqwest::Response, what: &str) -> anyhow::Result<Value> {
    let status = r.status();
    let v: Value = r
        .json()
        .await
        .with_context(|| format!("{what}: not JSON"))?;
    if !status.is_success() {
        let msg = v["error"]["message"].as_str().unwrap_or("").to_owned();
        bail!("{what}: HTTP {status}: {msg}");
    }
    Ok(v)
}

async fn clip_hash(http: &reqwest::Client, api: &str, clip: &str) -> anyhow::Result<String> {
    let path = Path::new(clip);
    if !path.is_file() {
        return Ok(clip.to_owned());
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("clip");
    let r = http
        .post(format!("{api}/api/v1/clips"))
        .query(&[("name", name)])
        .header("content-type", "audio/wav")
        .body(bytes)
        .send()
        .await
        .with_context(|| format!("uploading {}", path.display()))?;
    let v = json_or_error(r, &format!("uploading {}", path.display())).await?;
    Ok(v["hash"].as_str().unwrap_or_default().to_owned())
}

fn bar(done: usize, total: usize, started: usize, failed: usize, t: Duration) -> String {
    let width = 30;
    let filled = (done * width).checked_div(total).unwrap_or(width);
    format!(
        "\r[{}{}] {done}/{total} answered ({started} playing, {failed} failed) {:.1} s",
        "#".repeat(filled),
        "-".repeat(width - filled),
        t.as_secs_f64()
    )
}

/// Run the command; the job's outcome table goes to stdout. One sequence,
/// as a person watches it: check the arguments, upload the clip, start the
/// job, follow it until every speaker answered, print each one's outcome.
pub async fn run(a: Args) -> anyhow::Result<()> {
    if [a.clip.is_some(), a.text.is_some(), a.live.is_some()]
        .iter()
        .filter(|x| **x)
        .count()
        != 1
    {
        bail!("give exactly one of --clip, --text and --live");
    }
    if a.zones.is_empty() && !a.all {
        bail!("give --zone (repeatable) or --all");
    }
    let http = crate::auth::cli::api_client(&a.token)?;
    let api = a.api.trim_end_matches('/');
    let source = match (&a.clip, &a.text, &a.live) {
        (Some(c), _, _) => json!({"clip": clip_hash(&http, api, c).await?}),
        (_, Some(t), _) => json!({"text": t}),
        (_, _, Some(url)) => json!({"live": url}),
        _ => bail!("give exactly one of --clip, --text and --live"),
    };
    let mut body = json!({
        "zones": a.zones, "all": a.all, "source": source,
        "priority": a.priority, "repeat": a.repeat,
    });
    if let Some(v) = a.volume {
        body["volume"] = json!(v);
    }
    let asked = Instant::now();
    let r = http
        .post(format!("{api}/api/v1/broadcasts"))
        .json(&body)
        .send()
        .await
        .with_context(|| format!("reaching the hub at {api}"))?;
    let v = json_or_error(r, "starting the broadcast").await?;
    let id = v["id"].as_str().unwrap_or_default().to_owned();
    let total = v["speakers"].as_u64().unwrap_or(0) as usize;
    eprintln!("broadcast {id} to {total} speaker(s)");
    let job = loop {
        let r = http
            .get(format!("{api}/api/v1/broadcasts/{id}"))
            .send()
            .await?;
        let job = json_or_error(r, "reading the broadcast").await?;
        let n = |k: &str| job["summary"][k].as_u64().unwrap_or(0) as usize;
        let answered = total - n("pending");
        eprint!(
            "{}",
            bar(answered, total, n("started"), n("failed"), asked.elapsed())
        );
        let _ = std::io::stderr().flush();
        let finished = if a.wait {
            job["done"] == true
        } else {
            job["answered"] == true
        };
        if finished {
            eprintln!();
            break job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!(
        "{:<20} {:<28} {:<10} {:>8}  reason",
        "speaker", "zone", "state", "start ms"
    );
    if let Some(speakers) = job["speakers"].as_object() {
        for (sp, o) in speakers {
            println!(
                "{:<20} {:<28} {:<10} {:>8}  {}",
                sp,
                o["zone"].as_str().unwrap_or(""),
                o["state"].as_str().unwrap_or(""),
                o["started_ms"]
                    .as_u64()
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                o["reason"].as_str().unwrap_or("")
            );
        }
    }
    let failed = job["summary"]["failed"].as_u64().unwrap_or(0);
    println!(
        "{}",
        serde_json::to_string(&job["summary"]).unwrap_or_default()
    );
    if failed > 0 {
        eprintln!("{failed} speaker(s) failed");
    }
    Ok(())
}
