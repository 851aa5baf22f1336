//! Notice new and replaced `.wasm` files in the plugins folder by polling
//! (portable, and a driver folder changes rarely).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What changed since the last scan.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Files that appeared or whose content may have changed.
    pub changed: Vec<PathBuf>,
    /// Files that disappeared.
    pub removed: Vec<PathBuf>,
}

/// Remembers the size and modification time of each driver file.
#[derive(Debug, Default)]
pub struct FolderWatch {
    seen: HashMap<PathBuf, (SystemTime, u64)>,
}

impl FolderWatch {
    /// Every `*.wasm` in `dir`, sorted.
    pub fn list(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "wasm") && p.is_file())
            .collect();
        v.sort();
        Ok(v)
    }

    /// Compare the folder against the last scan.
    pub fn scan(&mut self, dir: &Path) -> std::io::Result<Changes> {
        let mut changes = Changes::default();
        let mut now = HashMap::new();
        for p in Self::list(dir)? {
            let Ok(meta) = std::fs::metadata(&p) else {
                continue;
            };
            let stamp = (
                meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                meta.len(),
            );
            if self.seen.get(&p) != Some(&stamp) {
                changes.changed.push(p.clone());
            }
            now.insert(p, stamp);
        }
        changes.removed = self
            .seen
            .keys()
            .filter(|p| !now.contains_key(*p))
            .cloned()
            .collect();
        self.seen = now;
        Ok(changes)
    }
}
