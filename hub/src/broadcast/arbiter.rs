//! Who plays on each speaker: the broadcast priority and pre-emption
//! decision, pure. A job takes a speaker only over a lower priority (消防强切:
//! fire evacuation at 255 cuts everything below it); the job it cuts is
//! suspended beneath it and resumes, if it asked to, when the one above ends.

use std::collections::HashMap;

/// What a speaker plays, and what it cut.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Slot {
    /// The job playing (empty: nothing plays, but jobs stay suspended).
    pub job: String,
    /// Its priority.
    pub priority: u8,
    /// Jobs it pre-empted, with their priorities, lowest first.
    pub suspended: Vec<(String, u8)>,
}

/// A claim refused: the speaker plays at the same or a higher priority.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("speaker plays job {job} at priority {priority} (this job: {asked})")]
pub struct Busy {
    /// The job playing.
    pub job: String,
    /// Its priority.
    pub priority: u8,
    /// The priority asked for.
    pub asked: u8,
}

/// Every speaker's slot.
#[derive(Debug, Default)]
pub struct Arbiter {
    slots: HashMap<String, Slot>,
}

impl Arbiter {
    /// `job` at `priority` asks for `device`. Granted over an idle speaker,
    /// a lower priority or itself (a resume); the job it cuts is suspended.
    /// Returns the slot as it was, to give back if starting fails.
    pub fn claim(&mut self, device: &str, job: &str, priority: u8) -> Result<Option<Slot>, Busy> {
        let prev = self.slots.get(device).cloned();
        if let Some(p) = &prev
            && !p.job.is_empty()
            && p.job != job
            && p.priority >= priority
        {
            return Err(Busy {
                job: p.job.clone(),
                priority: p.priority,
                asked: priority,
            });
        }
        let mut suspended = prev
            .as_ref()
            .map(|p| p.suspended.clone())
            .unwrap_or_default();
        if let Some(p) = &prev
            && p.job != job
            && !p.job.is_empty()
        {
            suspended.push((p.job.clone(), p.priority));
        }
        self.slots.insert(
            device.to_owned(),
            Slot {
                job: job.to_owned(),
                priority,
                suspended,
            },
        );
        Ok(prev)
    }

    /// Starting failed on the wire: the speaker goes back to what it had.
    pub fn give_back(&mut self, device: &str, previous: Option<Slot>) {
        match previous {
            Some(p) => self.slots.insert(device.to_owned(), p),
            None => self.slots.remove(device),
        };
    }

    /// `job` gives up `device` (cancelled), if it holds it.
    pub fn release(&mut self, device: &str, job: &str) {
        if self.slots.get(device).is_some_and(|s| s.job == job) {
            self.slots.remove(device);
        }
    }

    /// The job playing on `device`.
    pub fn playing(&self, device: &str) -> Option<&str> {
        self.slots
            .get(device)
            .map(|s| s.job.as_str())
            .filter(|j| !j.is_empty())
    }

    /// The jobs suspended on `device`, lowest first.
    pub fn suspended(&self, device: &str) -> Vec<String> {
        self.slots
            .get(device)
            .map(|s| s.suspended.iter().map(|(j, _)| j.clone()).collect())
            .unwrap_or_default()
    }

    /// `job` ended on `device`. Returns the suspended job that resumes
    /// there: the highest that `wants_resume` (others are dropped); what
    /// lies below it stays suspended. `None` when `job` was not playing.
    pub fn ended(
        &mut self,
        device: &str,
        job: &str,
        wants_resume: impl Fn(&str) -> bool,
    ) -> Option<Option<String>> {
        let mut slot = self.slots.remove(device)?;
        if slot.job != job {
            self.slots.insert(device.to_owned(), slot);
            return None;
        }
        let mut next = None;
        while let Some((j, _)) = slot.suspended.pop() {
            if wants_resume(&j) {
                next = Some(j);
                break;
            }
        }
        if next.is_some() && !slot.suspended.is_empty() {
            // Nothing plays, but what lies below the resuming job stays suspended.
            self.slots.insert(
                device.to_owned(),
                Slot {
                    job: String::new(),
                    priority: 0,
                    suspended: slot.suspended,
                },
            );
        }
        Some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_higher_priority_cuts_in_and_a_lower_or_equal_one_is_refused() {
        let mut a = Arbiter::default();
        assert_eq!(a.claim("sp-1", "lunch", 50), Ok(None));
        let err = a.claim("sp-1", "music", 50).unwrap_err();
        assert_eq!(
            (err.job.as_str(), err.priority, err.asked),
            ("lunch", 50, 50)
        );
        assert!(err.to_string().contains("priority 50"));
        let prev = a.claim("sp-1", "fire", 255).unwrap();
        assert_eq!(prev.unwrap().job, "lunch");
        assert_eq!(a.playing("sp-1"), Some("fire"));
        assert!(
            a.claim("sp-1", "drill", 254).is_err(),
            "nothing cuts a fire evacuation but a higher one"
        );
    }

    #[test]
    fn the_cut_job_resumes_when_asked_and_what_lies_below_stays() {
        let mut a = Arbiter::default();
        a.claim("sp-1", "music", 10).unwrap();
        a.claim("sp-1", "lunch", 50).unwrap();
        a.claim("sp-1", "fire", 255).unwrap();
        // Another job ending there changes nothing.
        assert_eq!(a.ended("sp-1", "lunch", |_| true), None);
        // Fire ends: lunch resumes, music stays suspended beneath it.
        assert_eq!(
            a.ended("sp-1", "fire", |_| true),
            Some(Some("lunch".into()))
        );
        assert_eq!(a.playing("sp-1"), None);
        assert_eq!(
            a.claim("sp-1", "lunch", 50).unwrap().unwrap().suspended,
            [("music".into(), 10)]
        );
        // Lunch ends and music did not ask to resume.
        assert_eq!(a.ended("sp-1", "lunch", |j| j != "music"), Some(None));
        assert_eq!(a.playing("sp-1"), None);
    }

    #[test]
    fn a_failed_start_gives_the_speaker_back_and_a_cancel_releases_it() {
        let mut a = Arbiter::default();
        a.claim("sp-1", "lunch", 50).unwrap();
        let prev = a.claim("sp-1", "fire", 255).unwrap();
        a.give_back("sp-1", prev);
        assert_eq!(a.playing("sp-1"), Some("lunch"));
        a.release("sp-1", "other");
        assert_eq!(a.playing("sp-1"), Some("lunch"));
        a.release("sp-1", "lunch");
        assert_eq!(a.playing("sp-1"), None);
    }
}
