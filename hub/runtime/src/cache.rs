//! Precompiled components on disk, keyed by the component's content hash and
//! the engine's compatibility hash, so a restart loads in a fraction of a
//! millisecond instead of compiling for a hundred.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

use super::RuntimeError;

fn engine_hash(engine: &Engine) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    h.finish()
}

/// Load `bytes` (read from `source`) as a component, from the cache in `dir`
/// when present. Returns the component and whether the cache served it.
pub fn load(
    engine: &Engine,
    dir: &Path,
    source: &Path,
    bytes: &[u8],
    hash: &str,
) -> Result<(Component, bool), RuntimeError> {
    let file: PathBuf = dir.join(format!("{hash}-{:016x}.cwasm", engine_hash(engine)));
    if file.is_file() {
        match deserialize(engine, &file) {
            Ok(c) => return Ok((c, true)),
            Err(e) => {
                tracing::warn!(file = %file.display(), error = %e, "cached driver unusable; recompiling")
            }
        }
    }
    let compile_err = |e: wasmtime::Error| RuntimeError::Compile {
        path: source.display().to_string(),
        message: format!("{e:#}"),
    };
    let artifact = engine.precompile_component(bytes).map_err(compile_err)?;
    let io_err = |e: std::io::Error| RuntimeError::Cache {
        path: file.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(io_err)?;
    // Write then rename, so a crash mid-write never leaves a torn artifact.
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, &artifact).map_err(io_err)?;
    std::fs::rename(&tmp, &file).map_err(io_err)?;
    let c = deserialize(engine, &file).map_err(compile_err)?;
    Ok((c, false))
}

#[allow(
    unsafe_code,
    reason = "the artifact was produced by this engine config: the file name carries its compatibility hash"
)]
fn deserialize(engine: &Engine, file: &Path) -> wasmtime::Result<Component> {
    // SAFETY: only files this module wrote, named by content and engine
    // compatibility hash, are loaded; wasmtime checks the header as well.
    unsafe { Component::deserialize_file(engine, file) }
}
