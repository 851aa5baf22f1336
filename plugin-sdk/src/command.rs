//! Commands' arguments from one type: derive `Deserialize` and
//! `schemars::JsonSchema` on a struct, declare the command with
//! [`DriverInfo::command_for`] (its JSON Schema made from the type) and read
//! the arguments with [`args`] (refused as `bad-args` with serde's words).
//!
//! ```
//! use twinwall_plugin_sdk::{command, prelude::*};
//!
//! /// Open one door.
//! #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
//! #[serde(deny_unknown_fields)]
//! struct Door {
//!     /// Door number.
//!     #[schemars(range(min = 1, max = 64))]
//!     door: u32,
//! }
//!
//! let info = DriverInfo::new("gate", "0.1.0").command_for::<Door>("door.open", "Open a door");
//! assert!(info.commands[0].args_schema.contains("\"minimum\":1"));
//! let d: Door = command::args("door.open", r#"{"door": 2}"#).unwrap();
//! assert_eq!(d.door, 2);
//! let e = command::args::<Door>("door.open", r#"{"gate": 2}"#).unwrap_err();
//! assert!(e.message.contains("unknown field `gate`"), "{}", e.message);
//! ```

use serde::de::DeserializeOwned;

use crate::{CommandSpec, DriverError, DriverInfo};

/// The arguments of `command` as `T`; empty arguments are `{}`.
pub fn args<T: DeserializeOwned>(command: &str, args: &str) -> Result<T, DriverError> {
    let text = if args.trim().is_empty() { "{}" } else { args };
    serde_json::from_str(text).map_err(|e| DriverError::bad_args(format!("{command}: {e}")))
}

/// The JSON Schema of `T`, compact, as `command_with_schema` takes it.
pub fn schema_of<T: schemars::JsonSchema>() -> String {
    serde_json::to_string(&schemars::schema_for!(T)).unwrap_or_default()
}

impl DriverInfo {
    /// Add a command whose arguments are `T` (its JSON Schema from the type).
    pub fn command_for<T: schemars::JsonSchema>(mut self, name: &str, description: &str) -> Self {
        self.commands.push(CommandSpec {
            name: name.to_owned(),
            description: description.to_owned(),
            args_schema: schema_of::<T>(),
        });
        self
    }
}
