//! # Twinwall base
//!
//! The bottom layer of the hub, imported by every other part and importing
//! none of them: the clock ([`clock`]), the event vocabulary ([`event`]: the
//! event, its level, phase and attributes), the wire's own types ([`wire`]:
//! what a driver asks of the transport and what the wire brings back), and
//! small helpers ([`hex`], [`content_hash`]).

pub mod clock;
pub mod event;
pub mod hex;
pub mod wire;

pub use clock::Clock;
pub use event::{
    AttrValue, Event, HUB_ZONE, Level, MediaRef, NewEvent, Phase, format_ms, now_ms, zone_within,
};

use sha2::{Digest, Sha256};

/// Hex SHA-256 of `bytes`: how pictures, clips and driver files are named.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes))
}
