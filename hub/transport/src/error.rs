//! Why the transport refuses a driver's request, as values: each names what
//! and where, and says which failure kind the driver hears.

use crate::modbus::Refusal;
use crate::types::{Failure, FailureKind};

/// A request the transport cannot carry out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The request needs the device's address and the config gives none.
    #[error("device `{device}` has no `address` in the config")]
    NoAddress {
        /// Device id.
        device: String,
    },
    /// The hub was not configured with what the request needs.
    #[error("this hub has no {what} ({config} in hub.toml)")]
    NotConfigured {
        /// What is missing, e.g. `push listener`.
        what: &'static str,
        /// The config that would give it.
        config: &'static str,
    },
    /// The device has as many of these in flight as it may.
    #[error("device `{device}` already has {max} {what} in flight")]
    Busy {
        /// Device id.
        device: String,
        /// Its limit.
        max: usize,
        /// Of what.
        what: &'static str,
    },
    /// A Modbus request no device could carry out.
    #[error(transparent)]
    Modbus(#[from] Refusal),
    /// The hub does not dial TCP to devices yet.
    #[error("TCP client connections are not available in twinwall-hub {}", env!("CARGO_PKG_VERSION"))]
    NoTcpClient,
    /// The connection named is not open.
    #[error("no connection {0}")]
    NoConnection(u64),
}

impl WireError {
    /// The failure kind the driver hears.
    pub fn kind(&self) -> FailureKind {
        match self {
            WireError::NoAddress { .. } | WireError::Busy { .. } | WireError::Modbus(_) => {
                FailureKind::Refused
            }
            WireError::NotConfigured { .. } | WireError::NoTcpClient => FailureKind::Unsupported,
            WireError::NoConnection(_) => FailureKind::Closed,
        }
    }

    /// The failure of request `id`.
    pub fn at(&self, id: &str) -> Failure {
        Failure::new(id, self.kind(), self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_names_what_and_its_kind() {
        let f = WireError::NoAddress {
            device: "fp-1".into(),
        }
        .at("points-0");
        assert_eq!((f.id.as_str(), f.kind), ("points-0", FailureKind::Refused));
        assert!(f.message.contains("fp-1"), "{f}");
        let f = WireError::from(Refusal::RegisterCount(200)).at("p");
        assert!(f.message.contains("200"), "{f}");
        assert_eq!(WireError::NoTcpClient.kind(), FailureKind::Unsupported);
        assert_eq!(
            WireError::NoConnection(7).at("conn:7").kind,
            FailureKind::Closed
        );
    }
}
