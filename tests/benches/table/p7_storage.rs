//! P7 storage: bytes on disk per stored event (events, indexes and sled's
//! own overhead), and what 90 days of a campus need at a stated rate.

use twinwall_hub::bus::FlushPolicy;

use super::p6_query;
use super::report::Row;
use super::setup::{self, Size, disk_bytes, thousands};

/// Events per device per day assumed for the 90-day figure: a busy campus
/// (doors, plates and cameras talk all day; panels mostly report faults).
const PER_DEVICE_DAY: u64 = 100;

/// The P7 rows.
pub async fn run(size: Size) -> Vec<Row> {
    let n = if size.quick { 50_000 } else { 1_000_000 };
    let dir = tempfile::tempdir().unwrap();
    {
        let bus = setup::bus(dir.path(), FlushPolicy::Interval(500));
        p6_query::fill(&bus, n).await;
    }
    let per_event = disk_bytes(dir.path()) as f64 / n as f64;
    let per_day = setup::DEVICES * PER_DEVICE_DAY;
    let ninety = per_event * (per_day * 90) as f64 / 1e9;
    vec![
        Row::new(
            "P7",
            format!(
                "bytes on disk per stored event ({} campus events, indexes included)",
                thousands(n as f64)
            ),
            format!("{per_event:.0} B"),
            per_event,
            "bytes",
        ),
        Row::new(
            "P7",
            format!(
                "90 days of a campus of {} devices at {PER_DEVICE_DAY} events/device/day ({} events/day)",
                thousands(setup::DEVICES as f64),
                thousands(per_day as f64)
            ),
            format!("{ninety:.1} GB"),
            ninety,
            "GB",
        ),
    ]
}
