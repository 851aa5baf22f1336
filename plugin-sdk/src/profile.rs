//! What every device profile (`device-profiles/<family>/<model>.toml`) opens with.

/// The `[profile]` table: who made the model and what it is. Tools and
/// people read it; drivers check only that it is there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileMeta {
    /// Device family, e.g. `face-gate`.
    pub family: String,
    /// Maker.
    pub vendor: String,
    /// Model.
    pub model: String,
    /// One line on what it covers.
    #[serde(default)]
    pub description: String,
}
