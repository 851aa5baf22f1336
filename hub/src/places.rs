//! Device places an admin dragged on the console's map. They outlive the
//! log's retention, so they are kept in a file of their own in the data
//! folder (`map-places.json`, replaced whole and atomically: a crash leaves
//! the old file or the new one, never half of one); every move is also a
//! `device.placed` event with its actor. A place the config no longer fits
//! (the device went, or its plan changed) is ignored, not deleted: the
//! config's own place shows instead.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The file, in the data folder.
pub const FILE: &str = "map-places.json";

/// A device's dragged place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moved {
    /// The plan it was placed on: a zone id, `None` for the site's.
    pub on: Option<String>,
    /// `[x, y]` on it.
    pub at: [f64; 2],
    /// Who placed it.
    pub by: String,
    /// When, ms since the epoch.
    pub at_ms: i64,
}

/// Why the places could not be read or kept.
#[derive(Debug, thiserror::Error)]
pub enum PlacesError {
    /// The file is there and cannot be read.
    #[error("reading {file}: {source}")]
    Read {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not what this hub writes.
    #[error(
        "{file} is not a places file (line {line}, column {column}): {message}; move it away to start without dragged places"
    )]
    Parse {
        /// The file.
        file: PathBuf,
        /// Where.
        line: usize,
        /// Where on the line.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A new place could not be written.
    #[error("writing {file}: {source}")]
    Write {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The dragged places of one hub.
#[derive(Debug)]
pub struct Places {
    file: PathBuf,
    moved: Mutex<BTreeMap<String, Moved>>,
}

impl Places {
    /// The places kept in `data_dir` (none yet when there is no file).
    pub fn open(data_dir: &Path) -> Result<Self, PlacesError> {
        let file = data_dir.join(FILE);
        let moved = match std::fs::read_to_string(&file) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| PlacesError::Parse {
                file: file.clone(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(source) => return Err(PlacesError::Read { file, source }),
        };
        Ok(Places {
            file,
            moved: Mutex::new(moved),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Moved>> {
        self.moved.lock().unwrap_or_else(|x| x.into_inner())
    }

    /// Where `device` was dragged, if it was.
    pub fn get(&self, device: &str) -> Option<Moved> {
        self.lock().get(device).cloned()
    }

    /// Keep `place` as `device`'s, or (`None`) forget it: the config's place
    /// shows again. On disk before in memory, so an answer never promises
    /// what a restart would lose.
    pub fn put(&self, device: &str, place: Option<Moved>) -> Result<(), PlacesError> {
        let mut all = self.lock();
        self.replace(&mut all, device, place)
    }

    /// `all` with `device`'s place replaced, on disk first.
    fn replace(
        &self,
        all: &mut BTreeMap<String, Moved>,
        device: &str,
        place: Option<Moved>,
    ) -> Result<(), PlacesError> {
        let mut next = all.clone();
        match place {
            Some(m) => next.insert(device.to_owned(), m),
            None => next.remove(device),
        };
        self.write(&next)?;
        *all = next;
        Ok(())
    }

    /// Put back `previous` as `device`'s place, only while the place kept is
    /// still `mine` (a move made since by someone else stays).
    pub fn undo(
        &self,
        device: &str,
        mine: &Moved,
        previous: Option<Moved>,
    ) -> Result<(), PlacesError> {
        let mut all = self.lock();
        if all.get(device) != Some(mine) {
            return Ok(());
        }
        self.replace(&mut all, device, previous)
    }

    fn write(&self, all: &BTreeMap<String, Moved>) -> Result<(), PlacesError> {
        let err = |source| PlacesError::Write {
            file: self.file.clone(),
            source,
        };
        let tmp = self.file.with_extension("json.tmp");
        let text = serde_json::to_vec_pretty(all).map_err(|e| err(std::io::Error::other(e)))?;
        let mut f = std::fs::File::create(&tmp).map_err(err)?;
        f.write_all(&text).map_err(err)?;
        f.sync_all().map_err(err)?;
        std::fs::rename(&tmp, &self.file).map_err(err)?;
        // The rename is durable once the folder is.
        if let Some(dir) = self.file.parent()
            && let Ok(d) = std::fs::File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moved(x: f64) -> Moved {
        Moved {
            on: None,
            at: [x, 20.0],
            by: "管理员#admin".into(),
            at_ms: 1,
        }
    }

    #[test]
    fn a_place_is_kept_across_a_reopen_and_replaced_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let p = Places::open(dir.path()).unwrap();
        assert_eq!(p.get("fp-1"), None);
        p.put("fp-1", Some(moved(10.0))).unwrap();
        p.put("fp-2", Some(moved(30.0))).unwrap();
        p.put("fp-1", Some(moved(15.0))).unwrap();
        p.put("fp-2", None).unwrap();
        // An undo of a move someone else has since replaced leaves theirs.
        p.undo("fp-1", &moved(10.0), None).unwrap();
        assert_eq!(p.get("fp-1"), Some(moved(15.0)));
        let again = Places::open(dir.path()).unwrap();
        assert_eq!(again.get("fp-1"), Some(moved(15.0)));
        assert_eq!(
            again.get("fp-2"),
            None,
            "forgotten: back to the config's place"
        );
        assert!(!dir.path().join("map-places.json.tmp").exists());
    }

    #[test]
    fn a_damaged_file_is_refused_with_where_and_a_failed_write_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), "{\"fp-1\": {\"on\": null,").unwrap();
        let e = Places::open(dir.path()).unwrap_err().to_string();
        assert!(e.contains("map-places.json") && e.contains("line 1"), "{e}");

        let gone = dir.path().join("gone");
        std::fs::create_dir(&gone).unwrap();
        let p = Places::open(&gone).unwrap();
        std::fs::remove_dir(&gone).unwrap();
        let e = p.put("fp-1", Some(moved(1.0))).unwrap_err().to_string();
        assert!(
            e.contains("writing") && e.contains("map-places.json"),
            "{e}"
        );
        assert_eq!(p.get("fp-1"), None, "not kept in memory either");
    }
}
