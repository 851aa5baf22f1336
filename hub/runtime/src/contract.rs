//! Which contract a component speaks and what it needs, read from its
//! imports: `twinwall:driver/<interface>@<version>` for each interface it
//! calls. The hub serves the interfaces of [`CONTRACT`]; a driver importing
//! one it lacks is refused with its name. Semver-compatible linking (as
//! wasmtime serves every WASI 0.2.x with one implementation) lets a 1.0
//! driver load in a 1.1 hub and a 1.1 driver in a 1.0 hub as long as it
//! uses nothing newer.

use wasmtime::Engine;
use wasmtime::component::Component;

/// The contract this hub serves.
pub const CONTRACT: &str = "twinwall:driver@1.0.0";
/// Its package name.
pub const PACKAGE: &str = "twinwall:driver";
/// Its version.
pub const VERSION: Version = Version(1, 0, 0);

/// The interfaces this hub serves: the core (`types`, `host`) and the
/// capabilities. A test keeps this equal to the interfaces of `plugin-sdk/wit`.
pub const SERVED: [&str; 10] = [
    "types",
    "host",
    "modbus",
    "http-client",
    "http-listener",
    "http-stream",
    "sockets",
    "rtsp",
    "rtp",
    "crypto",
];

/// The core every driver has; the rest of [`SERVED`] are capabilities.
const CORE: [&str; 2] = ["types", "host"];

/// A contract version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    fn parse(s: &str) -> Option<Version> {
        let mut parts = s.split('.').map(|p| p.parse::<u64>().ok());
        let v = Version(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(v)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// What a component's imports say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    /// The newest contract version among its imports and its export.
    pub contract: Version,
    /// The capabilities it imports (`modbus`, `http-client`, …), in the
    /// order of [`SERVED`].
    pub capabilities: Vec<String>,
    /// Imports this hub does not serve, by full name.
    pub missing: Vec<String>,
}

/// `twinwall:driver/modbus@1.0.0` → (`modbus`, 1.0.0).
fn ours(name: &str) -> Option<(&str, Option<Version>)> {
    let rest = name.strip_prefix(PACKAGE)?.strip_prefix('/')?;
    Some(match rest.split_once('@') {
        Some((iface, v)) => (iface, Version::parse(v)),
        None => (rest, None),
    })
}

/// Read what `component` needs. Other packages than WASI (which Rust's std
/// imports and the hub serves empty) are missing.
pub fn needs(component: &Component, engine: &Engine) -> Needs {
    let ty = component.component_type();
    let mut contract = None::<Version>;
    let mut capabilities = Vec::new();
    let mut missing = Vec::new();
    for (name, _) in ty.imports(engine) {
        match ours(name) {
            Some((iface, version)) => {
                contract = contract.max(version);
                let compatible = version.is_some_and(|v| v.0 == VERSION.0);
                if !SERVED.contains(&iface) || !compatible {
                    missing.push(name.to_owned());
                } else if !CORE.contains(&iface) {
                    capabilities.push(iface.to_owned());
                }
            }
            None if name.starts_with("wasi:") => {}
            None => missing.push(name.to_owned()),
        }
    }
    for (name, _) in ty.exports(engine) {
        if let Some((_, version)) = ours(name) {
            contract = contract.max(version);
        }
    }
    capabilities.sort_by_key(|c| SERVED.iter().position(|s| s == c));
    Needs {
        contract: contract.unwrap_or(Version(0, 0, 0)),
        capabilities,
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_interface_and_version() {
        assert_eq!(
            ours("twinwall:driver/modbus@1.0.0"),
            Some(("modbus", Some(Version(1, 0, 0))))
        );
        assert_eq!(
            ours("twinwall:driver/gauge@1.1.0"),
            Some(("gauge", Some(Version(1, 1, 0))))
        );
        assert_eq!(ours("wasi:io/poll@0.2.6"), None);
        assert_eq!(Version::parse("1.2"), None);
        assert!(Version(1, 1, 0) > VERSION);
    }

    /// The served list is the SDK's WIT: every interface defined there, and
    /// nothing else.
    #[test]
    fn the_hub_serves_every_interface_of_the_contract() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugin-sdk/wit");
        let mut defined = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines() {
                if let Some(rest) = line.trim().strip_prefix("interface ") {
                    defined.push(rest.trim_end_matches([' ', '{']).to_owned());
                }
            }
        }
        defined.retain(|i| i != "driver");
        defined.sort();
        let mut served: Vec<String> = SERVED.iter().map(|s| s.to_string()).collect();
        served.sort();
        assert_eq!(defined, served);
        let world = std::fs::read_to_string(dir.join("world.wit")).unwrap();
        assert!(
            world.contains(&format!("package {CONTRACT};")),
            "{CONTRACT}"
        );
    }
}
