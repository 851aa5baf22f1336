//! The clip store: uploaded audio decoded once to 8 kHz mono samples and kept
//! in the data folder by content hash, so a clip uploaded twice is stored
//! once and a broadcast names its audio by a hash that cannot drift.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::wav::{self, AudioError, Format, RATE};

/// What the API shows of a clip.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClipInfo {
    /// SHA-256 of the decoded samples, hex.
    pub hash: String,
    /// The name given at upload.
    pub name: String,
    /// Length.
    pub duration_ms: u64,
    /// Samples at 8 kHz.
    pub samples: u64,
}

/// Why a clip could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum ClipError {
    /// The upload is not audio we play.
    #[error("clip `{name}`: {source}")]
    Audio {
        /// The name given.
        name: String,
        /// What is wrong with it.
        #[source]
        source: AudioError,
    },
    /// No clip by that hash.
    #[error("no clip `{0}` (upload it with POST /api/v1/clips)")]
    Unknown(String),
    /// The disk said no.
    #[error("clip store {path}: {message}")]
    Io {
        /// File.
        path: String,
        /// Why.
        message: String,
    },
}

/// The store, shared by the API and the RTP senders.
#[derive(Clone)]
pub struct Clips {
    dir: PathBuf,
    cache: Arc<Mutex<HashMap<String, Arc<[i16]>>>>,
}

fn io(path: &Path, e: std::io::Error) -> ClipError {
    ClipError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl Clips {
    /// Open (creating) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self, ClipError> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        Ok(Clips {
            dir: dir.to_owned(),
            cache: Arc::default(),
        })
    }

    /// Validate, decode and store an upload; answers the stored clip.
    pub fn put(&self, name: &str, format: Format, bytes: &[u8]) -> Result<ClipInfo, ClipError> {
        let samples = wav::decode(format, bytes).map_err(|source| ClipError::Audio {
            name: name.to_owned(),
            source,
        })?;
        self.put_samples(name, samples)
    }

    /// Store samples already at 8 kHz (rendered speech, say).
    pub fn put_samples(&self, name: &str, samples: Vec<i16>) -> Result<ClipInfo, ClipError> {
        let mut raw = Vec::with_capacity(samples.len() * 2);
        for s in &samples {
            raw.extend_from_slice(&s.to_le_bytes());
        }
        let hash = twinwall_base::content_hash(&raw);
        let info = ClipInfo {
            hash: hash.clone(),
            name: name.to_owned(),
            duration_ms: samples.len() as u64 * 1000 / u64::from(RATE),
            samples: samples.len() as u64,
        };
        let pcm = self.dir.join(format!("{hash}.s16"));
        if !pcm.exists() {
            // Write then rename: a reader never sees half a clip.
            let tmp = self.dir.join(format!("{hash}.s16.tmp"));
            std::fs::write(&tmp, &raw).map_err(|e| io(&tmp, e))?;
            std::fs::rename(&tmp, &pcm).map_err(|e| io(&pcm, e))?;
            let meta = self.dir.join(format!("{hash}.json"));
            let json = serde_json::to_vec(&info).unwrap_or_default();
            std::fs::write(&meta, json).map_err(|e| io(&meta, e))?;
        }
        if let Ok(mut c) = self.cache.lock() {
            c.insert(hash, samples.into());
        }
        Ok(self.info(&info.hash).unwrap_or(info))
    }

    /// A stored clip's description.
    pub fn info(&self, hash: &str) -> Result<ClipInfo, ClipError> {
        let meta = self.path(hash, "json")?;
        let bytes = std::fs::read(&meta).map_err(|_| ClipError::Unknown(hash.to_owned()))?;
        serde_json::from_slice(&bytes).map_err(|e| ClipError::Io {
            path: meta.display().to_string(),
            message: e.to_string(),
        })
    }

    /// Every stored clip.
    pub fn list(&self) -> Vec<ClipInfo> {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<ClipInfo> = dir
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                self.info(name.strip_suffix(".json")?).ok()
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// The samples of a clip.
    pub fn samples(&self, hash: &str) -> Result<Arc<[i16]>, ClipError> {
        if let Some(s) = self.cache.lock().ok().and_then(|c| c.get(hash).cloned()) {
            return Ok(s);
        }
        let pcm = self.path(hash, "s16")?;
        let raw = std::fs::read(&pcm).map_err(|_| ClipError::Unknown(hash.to_owned()))?;
        let samples: Arc<[i16]> = raw
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        if let Ok(mut c) = self.cache.lock() {
            c.insert(hash.to_owned(), samples.clone());
        }
        Ok(samples)
    }

    fn path(&self, hash: &str, ext: &str) -> Result<PathBuf, ClipError> {
        // A hash is 64 hex digits; anything else never reaches the file system.
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ClipError::Unknown(hash.to_owned()));
        }
        Ok(self
            .dir
            .join(format!("{}.{ext}", hash.to_ascii_lowercase())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clip_is_stored_once_and_read_back_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let clips = Clips::open(dir.path()).unwrap();
        let tone: Vec<i16> = (0..4000).map(|i| (i % 100) as i16 * 100).collect();
        let a = clips
            .put("tone", Format::Wav, &wav::encode_wav(&tone))
            .unwrap();
        let b = clips
            .put("tone again", Format::Wav, &wav::encode_wav(&tone))
            .unwrap();
        assert_eq!(a.hash, b.hash);
        assert_eq!(a.duration_ms, 500);
        let reopened = Clips::open(dir.path()).unwrap();
        assert_eq!(&*reopened.samples(&a.hash).unwrap(), &tone[..]);
        assert_eq!(reopened.list().len(), 1);
        assert!(matches!(
            reopened.samples("../etc"),
            Err(ClipError::Unknown(_))
        ));
    }
}
