//! The benchmark table (issues 12 and 14): one run, one table (and the same as
//! JSON), each figure the median of several runs and, where a physical limit
//! exists, its ratio to that limit measured in the same run. Real wasm
//! drivers, real sled on disk, the real northbound bridge and broker.
//!
//! `cargo drivers && cargo bench -p twinwall-tests --bench table`
//! (`-- --quick` for the smoke run CI does: small sizes, one run, no targets
//! judged; `-- P1 P6` for some rows; `--json FILE` to choose where the JSON
//! goes, `target/bench-table.json` by default).

mod p10_alarms;
mod p11_console;
mod p12_campuses;
mod p12_generated;
mod p1_ingest;
mod p2_latency;
mod p3_scale;
mod p4_start;
mod p5_driver_cost;
mod p6_query;
mod p7_storage;
mod p8_burst;
mod p9_cameras;
mod report;
mod setup;

use report::Table;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // This binary again, as the hub of P3 and P9 (a process of its own,
    // measured alone, with the memory settings of the `twinwall` binary).
    if let [flag, _] = args.as_slice()
        && flag == "--hub"
    {
        twinwall_hub::memory::limit_malloc_arenas();
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts")
        .block_on(table(args));
}

async fn table(args: Vec<String>) {
    if let [flag, config] = args.as_slice()
        && flag == "--hub"
    {
        return p3_scale::run_hub(config).await;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let json = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1).cloned())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| setup::target_dir().join("bench-table.json"));
    let wanted: Vec<&str> = args
        .iter()
        .filter(|a| a.starts_with('P'))
        .map(String::as_str)
        .collect();
    let want = |id: &str| wanted.is_empty() || wanted.contains(&id);
    let size = setup::Size::new(quick);
    let mut t = Table::new(quick);
    // The rows that fsync little or time single events first: P1 and P6
    // leave gigabytes for the kernel to write back, which would stall the
    // commits the others time.
    for id in [
        "P3", "P9", "P2", "P4", "P5", "P8", "P1", "P6", "P7", "P10", "P11", "P12",
    ] {
        if !want(id) {
            continue;
        }
        eprintln!("== {id}");
        let rows = match id {
            "P1" => p1_ingest::run(size).await,
            "P2" => p2_latency::run(size).await,
            "P3" => p3_scale::run(size).await,
            "P4" => p4_start::run(size).await,
            "P5" => p5_driver_cost::run(size).await,
            "P6" => p6_query::run(size).await,
            "P7" => p7_storage::run(size).await,
            "P9" => p9_cameras::run(size).await,
            "P10" => p10_alarms::run(size).await,
            "P11" => p11_console::run(size).await,
            "P12" => p12_campuses::run(size).await,
            _ => p8_burst::run(size).await,
        };
        for row in rows {
            t.push(row);
        }
    }
    println!("{}", t.render());
    t.write_json(&json);
    println!("(JSON: {})", json.display());
}
