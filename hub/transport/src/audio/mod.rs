//! Audio for broadcasts: G.711, reading uploaded WAV and raw G.711, the
//! clip store the RTP senders play from, and live sources they relay.

pub mod clips;
pub mod live;
pub mod wav;

pub use clips::{ClipError, ClipInfo, Clips};
pub use live::{LiveError, LiveSources};
pub use twinwall_plugin_sdk::g711;
pub use wav::{AudioError, Format};
