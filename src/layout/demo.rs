//! The bundled demo: a small directory of OCI layouts (`assets/demo`, made by
//! `cargo run --example make_demo`) embedded in the binary, so `regscope` shows
//! something real on a machine with no registry and no network.

use include_dir::{Dir, include_dir};
use std::path::{Path, PathBuf};

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/demo");

/// Unpacks the demo into `dir` unless a complete copy is already there.
pub fn unpack(dir: &Path) -> std::io::Result<PathBuf> {
    let marker = dir.join(".complete");
    if !marker.is_file() {
        let staging = dir.with_extension(format!("tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging)?;
        DEMO.extract(&staging)?;
        std::fs::write(staging.join(".complete"), b"")?;
        let _ = std::fs::remove_dir_all(dir);
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(&staging, dir)?;
    }
    Ok(dir.to_path_buf())
}
