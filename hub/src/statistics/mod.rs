//! The console's statistics: the log counted per day, zone and kind (a view
//! fed by the one reader of the log), read in the program's six dimensions
//! with the alarm book's figures beside them.

pub mod counts;
pub mod dimensions;
pub mod report;

use std::time::Duration;

use crate::projection::{Projection, Views};
pub use counts::DailyCounts;
pub use dimensions::Dimensions;

/// The daily counts and how to read them; cheap to clone.
#[derive(Clone)]
pub struct Statistics {
    /// The counts.
    pub counts: Projection<DailyCounts>,
    /// Each kind's dimension.
    pub dimensions: std::sync::Arc<Dimensions>,
    /// The longest range one query may ask, days.
    pub max_days: u32,
}

impl Statistics {
    /// Counts under `views`, days at `utc_offset_minutes`.
    pub fn new(
        views: &mut Views,
        config: &crate::config::statistics::StatisticsConfig,
        utc_offset_minutes: i32,
    ) -> Self {
        Statistics {
            // Counting judges nothing: its tick has nothing to do.
            counts: views.add(
                DailyCounts::new(utc_offset_minutes),
                Duration::from_secs(3600),
            ),
            dimensions: std::sync::Arc::new(Dimensions::new(config.table())),
            max_days: config.max_days,
        }
    }
}
