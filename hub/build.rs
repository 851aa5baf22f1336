//! Builds the console (`console/`, TypeScript) into the binary: `npm ci`
//! from the lockfile when `node_modules` is missing or older than it, then
//! `node build.mjs` (type-check and bundle) into `OUT_DIR/console`, then a
//! table of the files for `include_bytes!`. Nothing built is committed.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let here = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let console = here.join("console");
    for watched in [
        "src",
        "package.json",
        "package-lock.json",
        "build.mjs",
        "tsconfig.json",
    ] {
        println!("cargo:rerun-if-changed={}", console.join(watched).display());
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("console");
    if stale(&console) {
        run(
            Command::new("npm").args(["ci", "--no-audit", "--no-fund"]),
            &console,
            "npm ci",
        );
    }
    run(
        Command::new("node").arg("build.mjs").arg(&out),
        &console,
        "node build.mjs",
    );
    let mut table = String::from(
        "/// The console's built files: name, bytes.\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    let mut names: Vec<_> = std::fs::read_dir(&out)
        .expect("the console build wrote its folder")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        table.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            out.join(&name).display().to_string()
        ));
    }
    table.push_str("];\n");
    let generated = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    std::fs::write(generated.join("console_files.rs"), table).expect("OUT_DIR is writable");
}

/// Whether the console's packages need installing: none yet, or the
/// lockfile changed since they were.
fn stale(console: &Path) -> bool {
    let installed = console.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified(&installed),
        modified(&console.join("package-lock.json")),
    ) {
        (Some(i), Some(l)) => i < l,
        _ => true,
    }
}

fn run(cmd: &mut Command, dir: &Path, what: &str) {
    let status = cmd.current_dir(dir).status().unwrap_or_else(|e| {
        panic!(
            "{what} in {}: {e} — the console is built with Node.js (18 or later) and npm: \
             apt-get install nodejs npm (the README's commands do)",
            dir.display()
        )
    });
    assert!(
        status.success(),
        "{what} in {} failed: {status}",
        dir.display()
    );
}
