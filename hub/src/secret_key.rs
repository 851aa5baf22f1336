//! 32-byte keys made once and kept in the data folder (push tokens, API
//! token hashes), so what was derived from them survives a restart.

use std::path::Path;

/// Why a key could not be had.
#[derive(Debug, thiserror::Error)]
#[error("key file {path}: {message}")]
pub struct KeyError {
    /// The key file.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// The key in `file`, made (from the OS's randomness, readable by the owner
/// only) when there is none. `consequence` says what a new key would break,
/// for the error about a damaged file.
pub fn load_or_make(file: &Path, consequence: &str) -> Result<[u8; 32], KeyError> {
    let err = |message: String| KeyError {
        path: file.display().to_string(),
        message,
    };
    match std::fs::read(file) {
        Ok(b) if b.len() == 32 => {
            let mut k = [0u8; 32];
            k.copy_from_slice(&b);
            Ok(k)
        }
        Ok(b) => Err(err(format!(
            "{} bytes, not a 32-byte key; remove it to make a new one ({consequence})",
            b.len()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut k = [0u8; 32];
            getrandom::fill(&mut k).map_err(|e| err(format!("no randomness: {e}")))?;
            write_private(file, &k).map_err(|e| err(e.to_string()))?;
            Ok(k)
        }
        Err(e) => Err(err(e.to_string())),
    }
}

/// Write `bytes` to `file` through a temporary file and a rename (a reader
/// sees the old or the new content, never half), owner-only on Unix.
pub fn write_private(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_and_a_damaged_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.key");
        let a = load_or_make(&f, "test").unwrap();
        assert_eq!(a, load_or_make(&f, "test").unwrap());
        std::fs::write(&f, b"short").unwrap();
        let e = load_or_make(&f, "tokens must be made again").unwrap_err();
        assert!(e.to_string().contains("5 bytes"), "{e}");
        assert!(e.to_string().contains("x.key"), "{e}");
    }
}
