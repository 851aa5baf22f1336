//! What an operator asks for (a broadcast request) and what each speaker
//! made of it (outcomes).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where the audio comes from.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Source {
    /// A stored clip, by content hash (`POST /api/v1/clips`).
    Clip(String),
    /// Text: spoken by speakers with built-in TTS, rendered to a clip for
    /// the others when the hub has a TTS engine (espeak-ng).
    Text(String),
    /// A live stream (a paging microphone, an audio gateway) the hub relays
    /// as it arrives: an HTTP URL serving G.711 at 8 kHz, on the hub's
    /// `[broadcast] live_sources` list.
    Live(String),
}

/// What a pre-empted job does when the job that cut in ends.
#[derive(
    Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum OnPreempt {
    /// It ends on that speaker (default).
    #[default]
    End,
    /// It starts again on that speaker.
    Resume,
}

/// Body of `POST /api/v1/broadcasts`.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BroadcastRequest {
    /// Zone ids; each includes the zones below it. Empty with `all`.
    #[serde(default)]
    pub zones: Vec<String>,
    /// Every speaker of the site.
    #[serde(default)]
    pub all: bool,
    /// The audio.
    pub source: Source,
    /// 0-255; a job plays on a speaker only over lower priorities; 255 is
    /// fire evacuation (消防强切).
    #[serde(default = "default_priority")]
    pub priority: u8,
    /// Plays back to back; 0 = until cancelled. Default 1.
    #[serde(default = "one")]
    pub repeat: u32,
    /// Output volume 0-100 for the job.
    #[serde(default)]
    pub volume: Option<u8>,
    /// After being pre-empted: `end` (default) or `resume`.
    #[serde(default)]
    pub on_preempt: OnPreempt,
    /// Play later (`{"at": RFC 3339}`) or every day (`{"daily": "HH:MM"}`)
    /// instead of now; kept across restarts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<super::schedule::Schedule>,
}

fn default_priority() -> u8 {
    100
}

fn one() -> u32 {
    1
}

/// Where a job stands on one speaker.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Asked, not yet answered.
    Pending,
    /// The speaker accepted and plays it.
    Started,
    /// A higher-priority job cut in.
    Preempted,
    /// Played out.
    Finished,
    /// Could not play (offline, fault, busy with a higher priority, …).
    Failed,
    /// Cancelled by an operator.
    Cancelled,
}

impl State {
    /// Whether nothing more will happen on this speaker.
    pub fn is_final(self) -> bool {
        !matches!(self, State::Pending | State::Started)
    }
}

/// One speaker's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct SpeakerOutcome {
    /// Where it stands.
    pub state: State,
    /// Why it failed, or who pre-empted it.
    pub reason: Option<String>,
    /// When it started, ms after the request.
    pub started_ms: Option<u64>,
    /// Audio sent, ms, once finished.
    pub sent_ms: Option<u64>,
    /// Zone path of the speaker.
    pub zone: String,
}

/// A job as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    /// Job id.
    pub id: String,
    /// Who asked (from the credential once auth lands).
    pub actor: String,
    /// The request.
    pub request: BroadcastRequest,
    /// The clip played (for text: the rendered clip, if any).
    pub clip: Option<String>,
    /// When it was asked, RFC 3339.
    pub created: String,
    /// Cancelled by an operator.
    pub cancelled: bool,
    /// Every speaker's outcome.
    pub speakers: BTreeMap<String, SpeakerOutcome>,
    /// Speakers per state.
    pub summary: BTreeMap<String, usize>,
    /// Whether every speaker has answered (started or failed).
    pub answered: bool,
    /// Whether nothing more will happen.
    pub done: bool,
}
