//! One job on one speaker: arbitration by priority (a job plays only over a
//! lower one; the one it cuts is pre-empted and may resume), asking the
//! speaker's driver to play, and what the speaker's own events say of the end.

use std::time::Instant;

use serde_json::json;

use super::arbiter::Arbiter;
use super::{Broadcasts, JobParts, OnPreempt, Source, SpeakerOutcome, State, zone_path};
use crate::bus::{Level, NewEvent};

impl Broadcasts {
    pub(super) fn set(
        &self,
        job: &str,
        device: &str,
        f: impl FnOnce(&mut SpeakerOutcome, Instant),
    ) {
        if let Ok(mut jobs) = self.inner.jobs.lock()
            && let Some(j) = jobs.get_mut(job)
            && let Some(o) = j.view.speakers.get_mut(device)
        {
            f(o, j.asked);
        }
    }

    pub(super) fn job_of(&self, job: &str) -> Option<JobParts> {
        let jobs = self.inner.jobs.lock().ok()?;
        let j = jobs.get(job)?;
        Some(JobParts {
            req: j.view.request.clone(),
            clip: j.view.clip.clone(),
            actor: j.view.actor.clone(),
            cancelled: j.view.cancelled,
            groups: j.zone_groups.clone(),
        })
    }

    /// Ask one speaker to play `job` (again, when `resuming`).
    pub(super) async fn start_on(&self, job: &str, device: &str, zone: &str, resuming: bool) {
        let Some(JobParts {
            req,
            clip,
            actor,
            cancelled,
            groups,
        }) = self.job_of(job)
        else {
            return;
        };
        if cancelled {
            return;
        }
        let fail = |why: String| {
            self.set(job, device, |o, _| {
                o.state = State::Failed;
                o.reason = Some(why.clone());
            });
            why
        };
        // Arbitration: only over a lower priority.
        let arbitration = self
            .arbiter()
            .claim(device, job, req.priority)
            .map_err(|busy| busy.to_string());
        let previous = match arbitration {
            Ok(p) => p,
            Err(why) => {
                let why = fail(why);
                self.failed_event(job, device, &why).await;
                return;
            }
        };
        let args = play_args(job, &req, clip.as_deref(), groups.get(zone));
        let result = tokio::time::timeout(
            self.inner.start_timeout,
            self.inner.devices.command(device, "play", &args, &actor),
        )
        .await;
        let result = match result {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err(format!(
                "no answer within {} ms",
                self.inner.start_timeout.as_millis()
            )),
        };
        let cancelled_meanwhile = self.job_of(job).is_none_or(|p| p.cancelled);
        match result {
            Ok(()) if cancelled_meanwhile => {
                // Cancelled while the speaker was being asked: stop it again.
                self.arbiter().release(device, job);
                let args = json!({ "job": job }).to_string();
                let _ = self
                    .inner
                    .devices
                    .command(device, "stop", &args, &actor)
                    .await;
            }
            Ok(()) => {
                self.started(job, device, req.priority, resuming, previous)
                    .await
            }
            Err(why) => {
                // Give the speaker back to what it played.
                self.arbiter().give_back(device, previous);
                let why = fail(why);
                self.failed_event(job, device, &why).await;
            }
        }
    }

    /// `job` plays on `device` (again, when `resuming`); the job it cut,
    /// if any, is pre-empted there.
    async fn started(
        &self,
        job: &str,
        device: &str,
        priority: u8,
        resuming: bool,
        previous: Option<super::arbiter::Slot>,
    ) {
        self.set(job, device, |o, asked| {
            o.state = State::Started;
            o.reason = resuming.then(|| "resumed".to_owned());
            o.started_ms = Some(asked.elapsed().as_millis() as u64);
        });
        self.emit(
            NewEvent::new("broadcast.started", &zone_path(self, device))
                .device(device)
                .correlation(job)
                .attr("job", job)
                .attr("speaker", device)
                .attr("priority", i64::from(priority))
                .message(format!("{device} started broadcast {job}")),
        )
        .await;
        let Some(p) = previous.filter(|p| p.job != job && !p.job.is_empty()) else {
            return;
        };
        self.set(&p.job, device, |o, _| {
            if o.state == State::Started {
                o.state = State::Preempted;
                o.reason = Some(format!("pre-empted by {job} (priority {priority})"));
            }
        });
        self.emit(
            NewEvent::new("broadcast.preempted", &zone_path(self, device))
                .device(device)
                .correlation(&p.job)
                .attr("job", p.job.as_str())
                .attr("speaker", device)
                .attr("by", job)
                .message(format!("{device}: broadcast {} pre-empted by {job}", p.job)),
        )
        .await;
    }

    /// The job the hub has playing on `device`.
    pub(super) fn playing(&self, device: &str) -> Option<String> {
        self.arbiter().playing(device).map(str::to_owned)
    }

    /// The speakers' arbiter, locked.
    fn arbiter(&self) -> std::sync::MutexGuard<'_, Arbiter> {
        self.inner.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The jobs suspended on `device`.
    fn suspended_on(&self, device: &str) -> Vec<String> {
        self.arbiter().suspended(device)
    }

    pub(super) async fn failed_event(&self, job: &str, device: &str, why: &str) {
        self.emit(
            NewEvent::new("broadcast.failed", &zone_path(self, device))
                .device(device)
                .level(Level::Yellow)
                .correlation(job)
                .attr("job", job)
                .attr("speaker", device)
                .attr("reason", why)
                .message(format!("{device}: broadcast {job} failed: {why}")),
        )
        .await;
    }

    /// A speaker went idle after `job`: it finished there, and a job it
    /// had pre-empted resumes if it asked to.
    pub(super) async fn ended(
        &self,
        device: &str,
        job: &str,
        sent_ms: Option<u64>,
        failure: Option<&str>,
    ) {
        let failed = failure.is_some();
        // Which pre-empted job resumes, decided before the lock is let go
        // (`job_of` takes the jobs' lock, never the arbiter's).
        let wants: std::collections::HashMap<String, bool> = self
            .suspended_on(device)
            .into_iter()
            .map(|j| {
                let w = self
                    .job_of(&j)
                    .is_some_and(|p| p.req.on_preempt == OnPreempt::Resume && !p.cancelled);
                (j, w)
            })
            .collect();
        let Some(resume) = self
            .arbiter()
            .ended(device, job, |j| wants.get(j).copied().unwrap_or(false))
        else {
            return;
        };
        let (state, kind) = if failed {
            (State::Failed, "broadcast.failed")
        } else {
            (State::Finished, "broadcast.finished")
        };
        let mut changed = false;
        self.set(job, device, |o, _| {
            if o.state == State::Started {
                o.state = state;
                o.sent_ms = sent_ms;
                o.reason = failure.map(str::to_owned);
                changed = true;
            }
        });
        if changed {
            let mut e = NewEvent::new(kind, &zone_path(self, device))
                .device(device)
                .correlation(job)
                .attr("job", job)
                .attr("speaker", device)
                .message(format!(
                    "{device}: broadcast {job} {}",
                    if failed { "failed" } else { "finished" }
                ));
            if let Some(ms) = sent_ms {
                e = e.attr("sent_ms", ms);
            }
            if let Some(why) = failure {
                e = e.level(Level::Yellow).attr("reason", why);
            }
            self.emit(e).await;
        }
        if let Some(j) = resume {
            let zone = self
                .inner
                .jobs
                .lock()
                .ok()
                .and_then(|jobs| jobs.get(&j).and_then(|x| x.zone_of.get(device).cloned()))
                .unwrap_or_default();
            let b = self.clone();
            let device = device.to_owned();
            tokio::spawn(async move { b.start_on(&j, &device, &zone, true).await });
        }
    }
}

/// The `play` command's arguments for `job` on one speaker: its clip or
/// text, and its zone's multicast group when the job has one.
fn play_args(
    job: &str,
    req: &super::BroadcastRequest,
    clip: Option<&str>,
    group: Option<&(std::net::Ipv4Addr, u16)>,
) -> String {
    let mut args = json!({
        "job": job,
        "priority": req.priority,
        "repeat": req.repeat,
    });
    if let Some(c) = clip {
        args["clip"] = json!(c);
    }
    if let Source::Text(t) = &req.source {
        args["text"] = json!(t);
    }
    if let Some(v) = req.volume {
        args["volume"] = json!(v);
    }
    if let Some((g, p)) = group {
        args["group"] = json!(g.to_string());
        args["port"] = json!(p);
    }
    args.to_string()
}
