//! History across campuses, read from the streams themselves: an ordered
//! consumer per campus, filtered by kind on the subject, from a start time,
//! with a budget of messages so one query cannot read a year of a campus.
//! Where the stream holds more than the budget since that time, the read
//! starts at the newest budget's first message instead: what is cut short
//! is the oldest part of the window, never the newest.

use std::time::Duration;

use async_nats::jetstream::consumer;
use futures_util::StreamExt;
use serde_json::Value;

use super::Site;
use crate::northbound::jetstream::subjects::Subjects;

/// Messages read per campus per query, at most.
pub const SCAN_BUDGET: usize = 20_000;

/// The subject filter for `kind` (`fire.alarm`, `fire.*` or none).
pub fn filter(prefix: &str, site: &str, kind: Option<&str>) -> String {
    let s = Subjects::new(prefix, site);
    match kind {
        None | Some("") | Some("*") => s.events_filter(),
        Some(k) => match k.strip_suffix(".*") {
            Some(family) => format!(
                "{}.{}.>",
                s.events_filter().trim_end_matches(".>"),
                crate::northbound::jetstream::subjects::token(family)
            ),
            None => {
                // The event subject of that kind with the zone cut off.
                let full = s.event("x", k);
                format!("{}.>", full.trim_end_matches(".x"))
            }
        },
    }
}

/// Up to `limit` newest events of `site` since `since_ms` of `kind`, newest
/// first; and whether the budget cut the scan short.
pub async fn query(
    site: &Site,
    prefix: &str,
    kind: Option<&str>,
    since_ms: i64,
    limit: usize,
) -> Result<(Vec<Value>, bool), String> {
    let (id, name) = {
        let v = site.view.lock().map_err(|_| "the view is poisoned")?;
        (v.site.clone(), v.stream.clone())
    };
    let stream = site
        .js
        .get_stream(&name)
        .await
        .map_err(|e| format!("stream {name}: {e}"))?;
    let start = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(since_ms) * 1_000_000)
        .map_err(|e| format!("since: {e}"))?;
    let last = stream.cached_info().state.last_sequence;
    let mut deliver = consumer::DeliverPolicy::ByStartTime { start_time: start };
    let mut cut = false;
    if last > SCAN_BUDGET as u64 {
        let newest = last - SCAN_BUDGET as u64 + 1;
        // Removed (limits) or unreadable: from the time, as asked.
        if let Ok(m) = stream.get_raw_message(newest).await
            && m.time > start
        {
            deliver = consumer::DeliverPolicy::ByStartSequence {
                start_sequence: newest,
            };
            cut = true;
        }
    }
    let c = stream
        .create_consumer(consumer::pull::OrderedConfig {
            filter_subject: filter(prefix, &id, kind),
            deliver_policy: deliver,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("history of {id}: {e}"))?;
    let mut messages = c
        .messages()
        .await
        .map_err(|e| format!("history of {id}: {e}"))?;
    let mut out = std::collections::VecDeque::new();
    let mut read = 0;
    loop {
        let next = tokio::time::timeout(Duration::from_secs(2), messages.next()).await;
        let Ok(Some(Ok(m))) = next else { break };
        read += 1;
        let pending = m.info().map(|i| i.pending).unwrap_or(0);
        if let Ok(v) = serde_json::from_slice::<Value>(&m.payload) {
            out.push_back(v);
            if out.len() > limit {
                out.pop_front();
            }
        }
        if pending == 0 {
            return Ok((out.into_iter().rev().collect(), cut));
        }
        if read >= SCAN_BUDGET {
            return Ok((out.into_iter().rev().collect(), true));
        }
    }
    Ok((out.into_iter().rev().collect(), cut))
}

#[cfg(test)]
mod tests {
    use super::filter;

    #[test]
    fn kinds_become_subject_filters() {
        assert_eq!(filter("twinwall", "s1", None), "twinwall.s1.events.>");
        assert_eq!(
            filter("twinwall", "s1", Some("fire.*")),
            "twinwall.s1.events.fire.>"
        );
        assert_eq!(
            filter("twinwall", "s1", Some("fire.alarm")),
            "twinwall.s1.events.fire.alarm.>"
        );
    }
}
