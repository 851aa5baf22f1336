//! A profile family's JSON Schema, generated from the driver's profile
//! types and kept beside the profiles as `device-profiles/<family>/schema.json`,
//! where editors, CI and `twinwall check` read it. Each driver has a test
//! that keeps the file equal to what its types say, and every profile of
//! the family parsing with them:
//!
//! ```ignore
//! // in the driver's profile module, beside `Profile`:
//! twinwall_plugin_sdk::family_schema_test!(Profile, "fire-panel");
//! ```
//!
//! After changing the types, `TWINWALL_BLESS_SCHEMAS=1 cargo test -p <driver>`
//! writes the new schema; commit it with the change.

use std::path::Path;

/// The environment variable that makes [`check_family`] write the schema.
pub const BLESS: &str = "TWINWALL_BLESS_SCHEMAS";

/// The JSON Schema of `T`, as the committed file holds it (pretty, one
/// trailing newline).
pub fn text_of<T: schemars::JsonSchema>() -> String {
    let schema = schemars::schema_for!(T);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Check `profiles/<family>/schema.json` against `T`'s schema (or write it
/// when [`BLESS`] is set), then parse every `*.toml` of the family as `T`.
/// The number of profiles read, or what is wrong, naming the file.
pub fn check_family<T: schemars::JsonSchema + serde::de::DeserializeOwned>(
    profiles: &Path,
    family: &str,
) -> Result<usize, String> {
    let folder = profiles.join(family);
    let file = folder.join("schema.json");
    let want = text_of::<T>();
    if std::env::var_os(BLESS).is_some() {
        std::fs::write(&file, &want).map_err(|e| format!("{}: {e}", file.display()))?;
    } else {
        let have = std::fs::read_to_string(&file).unwrap_or_default();
        if have != want {
            return Err(format!(
                "{} is not the schema of the profile types: run `{BLESS}=1 cargo test` in the driver's crate and commit the file",
                file.display()
            ));
        }
    }
    let mut n = 0;
    let entries = std::fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.extension().is_some_and(|x| x == "toml") {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            toml::from_str::<T>(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            n += 1;
        }
    }
    if n == 0 {
        return Err(format!("{} holds no profile", folder.display()));
    }
    Ok(n)
}
