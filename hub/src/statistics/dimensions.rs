//! An event kind's dimension: its own entry in the table, else its
//! family's (`fire.*`), else none (counted as `other`).

use std::collections::BTreeMap;

use crate::config::statistics::Dimension;

/// The table of `[statistics] dimensions`, defaults included.
#[derive(Debug, Clone, Default)]
pub struct Dimensions(BTreeMap<String, Dimension>);

impl Dimensions {
    /// Over a table of kinds and `family.*` entries.
    pub fn new(table: BTreeMap<String, Dimension>) -> Self {
        Dimensions(table)
    }

    /// The dimension `kind` counts in.
    pub fn of(&self, kind: &str) -> Option<Dimension> {
        if let Some(d) = self.0.get(kind) {
            return Some(*d);
        }
        let (family, _) = kind.split_once('.')?;
        self.0.get(&format!("{family}.*")).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_s_own_entry_wins_over_its_family_s() {
        let d = Dimensions::new(
            [
                ("vehicle.*".to_owned(), Dimension::ActiveDefence),
                ("vehicle.speeding".to_owned(), Dimension::Special),
            ]
            .into(),
        );
        assert_eq!(d.of("vehicle.speeding"), Some(Dimension::Special));
        assert_eq!(d.of("vehicle.plate"), Some(Dimension::ActiveDefence));
        assert_eq!(d.of("fire.alarm"), None);
        assert_eq!(d.of("vehicle"), None);
    }
}
