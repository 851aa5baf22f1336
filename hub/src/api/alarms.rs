//! `/api/v1/alarms`: the wall, one alarm with its history, the actions a
//! person takes, the KPIs and a live stream of changes. A caller narrowed to
//! zones (a guard room's token) sees and acts on the alarms of those zones
//! only.

use std::convert::Infallible;

use axum::extract::{Path, Query, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::{Extension, Json};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::alarms::list::{Selection, StateFilter, groups, order};
use crate::alarms::{ActError, Action, Alarm, Alarms, Resolution};
use crate::auth::Principal;
use crate::bus::Level;

impl From<ActError> for ApiError {
    fn from(e: ActError) -> Self {
        match &e {
            ActError::Unknown(_) => ApiError::not_found(e.to_string()),
            ActError::Refused(crate::alarms::Refusal::State { .. }) => {
                ApiError::conflict(e.to_string())
            }
            ActError::Refused(crate::alarms::Refusal::Invalid { .. }) => {
                ApiError::bad_request(e.to_string())
            }
            ActError::OutsideZones { .. } => ApiError::forbidden(e.to_string()),
            ActError::NotReady | ActError::Bus(_) | ActError::Lagging(_) => {
                ApiError::unavailable(e.to_string())
            }
        }
    }
}

fn service(s: &ApiState) -> Result<&Alarms, ApiError> {
    s.alarms
        .as_ref()
        .ok_or_else(|| ApiError::not_found("the alarm book is not running"))
}

/// Query of `GET /api/v1/alarms`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlarmQuery {
    /// Which alarms by state (default `open`: not closed).
    state: Option<StateFilter>,
    /// This level and above.
    level: Option<Level>,
    /// This zone and below.
    zone: Option<String>,
    /// Exact kind, or a family (`fire.*`).
    kind: Option<String>,
    /// Owned by this person.
    owner: Option<String>,
    /// Opened at or after (RFC 3339 or ms since the epoch).
    since: Option<String>,
    /// One row per zone and kind (default: while a flood is on).
    group: Option<bool>,
    /// Rows to skip (paging).
    offset: Option<usize>,
    /// Rows per page (default 100, at most 1000).
    limit: Option<usize>,
}

fn selection(q: &AlarmQuery, who: &Principal) -> Result<Selection, ApiError> {
    let mut zones = who.zones.clone();
    if let Some(z) = &q.zone {
        if !who.covers(z) {
            return Err(ApiError::forbidden(format!(
                "zone `{z}` is outside the zones of `{}`",
                who.name
            )));
        }
        zones = vec![z.clone()];
    }
    Ok(Selection {
        state: q.state.unwrap_or_default(),
        level: q.level,
        zones,
        kind: q.kind.clone(),
        owner: q.owner.clone(),
        since_ms: q
            .since
            .as_deref()
            .map(|v| super::events::parse_time("since", v))
            .transpose()?,
    })
}

/// The answer while the book replays: no half-read wall (and nothing that
/// holds the book from the replay), but how far it has read.
fn replaying((read, of): (u64, u64)) -> Value {
    json!({"ready": false, "replay": {"read": read, "of": of}, "total": null, "alarms": []})
}

/// `GET /api/v1/alarms`: highest level first, then the longest waiting.
pub async fn list(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    q: Result<Query<AlarmQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let alarms = service(&s)?;
    let sel = selection(&q, &who)?;
    if let Some(replay) = alarms.replaying() {
        return Ok(Json(replaying(replay)));
    }
    let now = alarms.now_ms();
    let (offset, limit) = (q.offset.unwrap_or(0), q.limit.unwrap_or(100).clamp(1, 1000));
    Ok(Json(alarms.with(|book| {
        let mut chosen: Vec<&Alarm> = book.iter().filter(|a| sel.admits(a, now) && who.covers(&a.zone)).collect();
        let total = chosen.len();
        let flood = book.flood().map(|f| {
            json!({"since": crate::bus::format_ms(f.began_ms), "opened_in_window": book.opened_in_window()})
        });
        let grouped = q.group.unwrap_or(flood.is_some());
        let page_end = offset.saturating_add(limit).min(total);
        if !grouped && page_end < total {
            // Only the page needs sorting among 100,000.
            chosen.select_nth_unstable_by(page_end, |a, b| order(a, b));
            chosen.truncate(page_end);
        }
        chosen.sort_by(|a, b| order(a, b));
        let mut body = json!({"ready": alarms.ready(), "total": total, "flood": flood, "grouped": grouped});
        if grouped {
            let g = groups(&chosen);
            body["groups"] = json!(g.iter().skip(offset).take(limit).collect::<Vec<_>>());
            body["total_groups"] = json!(g.len());
        } else {
            let page: Vec<Value> = chosen.iter().skip(offset).take(limit).map(|a| a.to_json(now)).collect();
            body["alarms"] = json!(page);
        }
        body
    })))
}

/// `GET /api/v1/alarms/{id}`: the alarm, why it is one (the `[alarms]`
/// rule its first event met), its device events, its history, the linkage
/// rules that fired on it and the pictures of both (a rule's `snapshot`
/// brings its zone's cameras').
pub async fn one(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let alarms = service(&s)?;
    let now = alarms.now_ms();
    let found = alarms.with(|b| {
        b.get(&id).map(|a| {
            (
                a.to_json(now),
                a.zone.clone(),
                a.events.clone(),
                a.transitions.clone(),
                a.media.clone(),
            )
        })
    });
    let Some((mut body, zone, seqs, transitions, media)) = found else {
        if !alarms.ready() {
            return Err(ActError::NotReady.into());
        }
        return Err(ApiError::not_found(format!("no alarm `{id}`")));
    };
    if !who.covers(&zone) {
        return Err(ApiError::forbidden(format!(
            "alarm {id} is in zone `{zone}`, outside the zones of `{}`",
            who.name
        )));
    }
    let mut events = Vec::new();
    for seq in &seqs {
        if let Some(e) = s.bus.get(*seq)? {
            events.push(e);
        }
    }
    body["why"] = json!(
        events
            .first()
            .and_then(|e| alarms.with(|b| b.policy().reason(&e.body)))
    );
    let fired = {
        let (bus, id, zone, seqs) = (s.bus.clone(), id.clone(), zone.clone(), seqs.clone());
        tokio::task::spawn_blocking(move || firings(&bus, &id, &zone, &seqs))
            .await
            .map_err(|e| ApiError::unavailable(format!("reading the rules that fired: {e}")))??
    };
    let picture = |m: &crate::bus::MediaRef, from: Value| json!({"role": m.role, "url": format!("/api/v1/media/{}", m.hash), "content_type": m.content_type, "from": from});
    let mut pictures: Vec<Value> = media.iter().map(|m| picture(m, json!("device"))).collect();
    for f in &fired {
        let rule = f.body.text("rule").unwrap_or_default();
        pictures.extend(
            f.body
                .media
                .iter()
                .map(|m| picture(m, json!({"rule": rule}))),
        );
    }
    body["events"] = json!(events.iter().map(|e| e.to_json()).collect::<Vec<_>>());
    body["transitions"] = json!(transitions);
    body["rules"] = json!(
        fired
            .iter()
            .map(|f| json!({
                "rule": f.body.text("rule"),
                "seq": f.seq,
                "time": crate::bus::format_ms(f.time_ms),
                "cause": f.body.int("cause"),
                "cause_kind": f.body.text("cause_kind"),
                "actions": f.body.text("actions"),
                "message": f.body.message,
            }))
            .collect::<Vec<_>>()
    );
    body["pictures"] = json!(pictures);
    Ok(Json(body))
}

/// Rule firings an alarm's page lists, at most this many.
const MAX_FIRINGS: usize = 50;

/// The linkage rules that fired on alarm `id` (of `zone`): on one of its
/// device events `seqs`, or on an event of the alarm itself (an
/// escalation). Read from the log (off the async workers), found by zone
/// and kind; the first [`MAX_FIRINGS`].
fn firings(
    bus: &crate::bus::Bus,
    id: &str,
    zone: &str,
    seqs: &[u64],
) -> Result<Vec<crate::bus::Event>, ApiError> {
    let Some(&first) = seqs.first() else {
        return Ok(Vec::new());
    };
    let mut filter = crate::bus::Filter {
        kind: Some("rule.fired".into()),
        zone: Some(zone.to_owned()),
        after: first.checked_sub(1),
        limit: Some(1000),
        ..crate::bus::Filter::default()
    };
    let mut out = Vec::new();
    // Ten pages of the zone's firings at most: a page stays a page.
    for _ in 0..10 {
        let page = bus.query(&filter)?;
        out.extend(page.events.into_iter().filter(|f| {
            f.body.text("alarm") == Some(id)
                || f.body
                    .int("cause")
                    .is_some_and(|c| u64::try_from(c).is_ok_and(|c| seqs.contains(&c)))
        }));
        match page.next_after {
            Some(after) if out.len() < MAX_FIRINGS => filter.after = Some(after),
            _ => break,
        }
    }
    out.truncate(MAX_FIRINGS);
    Ok(out)
}

/// Body of `ack` and `hold`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// Optional words.
    #[serde(default)]
    note: Option<String>,
}

/// Body of `assign`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// The new owner's name; the caller when absent.
    #[serde(default)]
    to: Option<String>,
}

/// Body of `shelve`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShelveBody {
    /// For how long, minutes (at most `[alarms] max_shelve_s`).
    minutes: u64,
    /// Why.
    reason: String,
}

/// Body of `out-of-service`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// Why.
    reason: String,
}

/// Body of `close`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBody {
    /// How it ended.
    resolution: Resolution,
    /// What was done (required for the classes `[alarms] note_required` names).
    #[serde(default)]
    note: Option<String>,
}

type Body<T> = Result<Json<T>, axum::extract::rejection::JsonRejection>;

async fn act(
    s: &ApiState,
    who: &Principal,
    id: &str,
    action: Action,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        service(s)?
            .act(id, action, &who.actor(), &|zone| who.covers(zone))
            .await?,
    ))
}

/// `POST /api/v1/alarms/{id}/ack`
pub async fn ack(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
    body: Body<NoteBody>,
) -> Result<Json<Value>, ApiError> {
    let b = super::error::json_body("acknowledgement", body)?;
    act(&s, &who, &id, Action::Acknowledge { note: b.note }).await
}

/// `POST /api/v1/alarms/{id}/assign`
pub async fn assign(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
    body: Body<AssignBody>,
) -> Result<Json<Value>, ApiError> {
    let b = super::error::json_body("assignment", body)?;
    let to = b.to.unwrap_or_else(|| who.name.clone());
    act(&s, &who, &id, Action::Assign { to }).await
}

/// `POST /api/v1/alarms/{id}/hold`
pub async fn hold(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
    body: Body<NoteBody>,
) -> Result<Json<Value>, ApiError> {
    let b = super::error::json_body("hold", body)?;
    act(&s, &who, &id, Action::Hold { note: b.note }).await
}

/// `POST /api/v1/alarms/{id}/shelve`
pub async fn shelve(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
    body: Body<ShelveBody>,
) -> Result<Json<Value>, ApiError> {
    let b = super::error::json_body("shelving", body)?;
    let now = service(&s)?.now_ms();
    let until_ms =
        now.saturating_add(i64::try_from(b.minutes.saturating_mul(60_000)).unwrap_or(i64::MAX));
    act(
        &s,
        &who,
        &id,
        Action::Shelve {
            until_ms,
            reason: b.reason,
        },
    )
    .await
}

/// `POST /api/v1/alarms/{id}/unshelve`
pub async fn unshelve(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    act(&s, &who, &id, Action::Unshelve).await
}

/// `POST /api/v1/alarms/{id}/out-of-service`
pub async fn out_of_service(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
    body: Body<ReasonBody>,
) -> Result<Json<Value>, ApiError> {
    let b = super::error::json_body("out of service", body)?;
    act(&s, &who, &id, Action::OutOfService { reason: b.reason }).await
}

/// `POST /api/v1/alarms/{id}/in-service`
pub async fn in_service(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    act(&s, &who, &id, Action::InService).await
}

/// `POST /api/v1/alarms/{id}/close`
pub async fn close(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
    body: Body<CloseBody>,
) -> Result<Json<Value>, ApiError> {
    let b = super::error::json_body("closing", body)?;
    act(
        &s,
        &who,
        &id,
        Action::Close {
            resolution: b.resolution,
            note: b.note,
        },
    )
    .await
}

/// Query of `GET /api/v1/alarms/kpis`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiQuery {
    /// From (RFC 3339 or ms); default a day before `until`.
    since: Option<String>,
    /// To (RFC 3339 or ms); default now.
    until: Option<String>,
    /// This zone and below.
    zone: Option<String>,
}

/// `GET /api/v1/alarms/kpis`
pub async fn kpis(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    q: Result<Query<KpiQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let alarms = service(&s)?;
    let now = alarms.now_ms();
    let until = q
        .until
        .as_deref()
        .map(|v| super::events::parse_time("until", v))
        .transpose()?
        .unwrap_or(now);
    let since = q
        .since
        .as_deref()
        .map(|v| super::events::parse_time("since", v))
        .transpose()?
        .unwrap_or(until.saturating_sub(86_400_000));
    if since >= until {
        return Err(ApiError::bad_request("`since` must be before `until`"));
    }
    let sel = selection(
        &AlarmQuery {
            zone: q.zone,
            ..AlarmQuery::default()
        },
        &who,
    )?;
    let k = alarms.with(|b| {
        let mine = b.iter().filter(|a| who.covers(&a.zone));
        crate::alarms::kpis::kpis(mine, b.floods(), since, until, &sel.zones, now)
    });
    Ok(Json(json!({
        "since": crate::bus::format_ms(since),
        "until": crate::bus::format_ms(until),
        "kpis": k,
    })))
}

/// `GET /api/v1/alarms/stream`: each alarm as it changes, as Server-Sent
/// Events (`event: alarm`), within the caller's zones.
pub async fn stream(
    State(s): State<ApiState>,
    Extension(who): Extension<Principal>,
    Extension(live): Extension<crate::auth::Liveness>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let alarms = service(&s)?.clone();
    let permit = s.stream_permit()?;
    let rx = alarms.with(|b| b.changes());
    let out = futures_util::stream::unfold(
        (rx, alarms, who, permit),
        |(mut rx, alarms, who, permit)| async move {
            loop {
                let id = match rx.recv().await {
                    Ok(id) => id,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        let ev = SseEvent::default()
                            .event("lagged")
                            .data(json!({"missed": n}).to_string());
                        return Some((Ok(ev), (rx, alarms, who, permit)));
                    }
                    Err(_) => return None,
                };
                let now = alarms.now_ms();
                let found = alarms.with(|b| b.get(&id).map(|a| (a.zone.clone(), a.to_json(now))));
                if let Some((zone, body)) = found
                    && who.covers(&zone)
                {
                    let ev = SseEvent::default()
                        .event("alarm")
                        .id(id)
                        .data(body.to_string());
                    return Some((Ok(ev), (rx, alarms, who, permit)));
                }
            }
        },
    );
    let out = super::until_revoked(Box::pin(out), live);
    Ok(Sse::new(out).keep_alive(KeepAlive::default()))
}
