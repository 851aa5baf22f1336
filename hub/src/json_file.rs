//! A JSON file in the data folder that the hub and the command line both
//! write (tokens, accounts): read again when it changed on disk, changed
//! under a lock by reading it fresh, applying the change and writing it
//! whole through a rename, owner-only.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use serde::Serialize;
use serde::de::DeserializeOwned;

type Stamp = Option<(SystemTime, u64)>;

/// The file and what was last read from it.
pub struct JsonFile<T> {
    path: PathBuf,
    loaded: Mutex<(Stamp, T)>,
}

impl<T: Default + Clone + Serialize + DeserializeOwned> JsonFile<T> {
    /// The file at `path` (absent is the default value), read now.
    pub fn open(path: &Path) -> Result<Self, String> {
        let f = JsonFile {
            path: path.to_owned(),
            loaded: Mutex::new((None, T::default())),
        };
        f.refresh()?;
        Ok(f)
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Stamp, T)> {
        self.loaded.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Read the file again if it changed since the last read.
    pub fn refresh(&self) -> Result<(), String> {
        let stamp = match std::fs::metadata(&self.path) {
            Ok(m) => Some((m.modified().unwrap_or(SystemTime::UNIX_EPOCH), m.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e.to_string()),
        };
        let mut l = self.lock();
        if l.0 == stamp && stamp.is_some() {
            return Ok(());
        }
        l.1 = match stamp {
            None => T::default(),
            Some(_) => {
                let text = std::fs::read(&self.path).map_err(|e| e.to_string())?;
                serde_json::from_slice(&text).map_err(|e| e.to_string())?
            }
        };
        l.0 = stamp;
        Ok(())
    }

    /// `f` of the content as last read (after trying to read it again: a
    /// damaged file leaves what was read before in force).
    pub fn read<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        if let Err(e) = self.refresh() {
            tracing::warn!(file = %self.path.display(), "{e}");
        }
        f(&self.lock().1)
    }

    /// `f` of the content read fresh, refused when the file cannot be read.
    pub fn read_fresh<R>(&self, f: impl FnOnce(&T) -> R) -> Result<R, String> {
        self.refresh()?;
        Ok(f(&self.lock().1))
    }

    /// Change the content: read fresh, apply `f`, write it whole. Nothing
    /// is written when `f` refuses; `store` makes a store error of a message.
    pub fn change<R, E>(
        &self,
        f: impl FnOnce(&mut T) -> Result<R, E>,
        store: impl Fn(String) -> E,
    ) -> Result<R, E> {
        self.refresh().map_err(&store)?;
        let mut l = self.lock();
        let mut next = l.1.clone();
        let r = f(&mut next)?;
        let text = serde_json::to_vec_pretty(&next).map_err(|e| store(e.to_string()))?;
        crate::secret_key::write_private(&self.path, &text).map_err(|e| store(e.to_string()))?;
        // Read back on the next use: the stamp of our own write is not known here.
        *l = (None, next);
        Ok(r)
    }
}
