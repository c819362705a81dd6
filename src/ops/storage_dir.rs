//! Distribution's filesystem storage, read only: the manifests a repository
//! holds, untagged ones included (the registry's API lists none of those; its
//! garbage collector reads the same revision links). For `check --storage`.

use crate::oci::digest::Digest;
use std::path::Path;

/// More revisions than this in one repository is not read.
const MAX_REVISIONS: usize = 1_000_000;

/// Why a repository's revisions cannot be read from the storage directory.
#[derive(Debug, thiserror::Error)]
pub enum StorageDirError {
    #[error("{0:?} is not a repository name")]
    NotRepositoryName(String),
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("more than {MAX_REVISIONS} manifests in {0}")]
    TooManyRevisions(String),
}

impl StorageDirError {
    fn unreadable(dir: &Path, e: &std::io::Error) -> StorageDirError {
        StorageDirError::Unreadable {
            path: dir.display().to_string(),
            reason: e.to_string(),
        }
    }
}

/// Every manifest digest `repo` holds in the storage under `root` (the
/// `rootdirectory` of the registry's filesystem driver).
pub fn repository_manifests(root: &Path, repo: &str) -> Result<Vec<Digest>, StorageDirError> {
    if !crate::oci::reference::is_valid_repository(repo) {
        return Err(StorageDirError::NotRepositoryName(repo.to_string()));
    }
    let dir = root
        .join("docker/registry/v2/repositories")
        .join(repo)
        .join("_manifests/revisions/sha256");
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StorageDirError::unreadable(&dir, &e)),
    };
    let mut digests = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| StorageDirError::unreadable(&dir, &e))?;
        if digests.len() >= MAX_REVISIONS {
            return Err(StorageDirError::TooManyRevisions(repo.to_string()));
        }
        let name = entry.file_name();
        let Some(hex) = name.to_str() else {
            continue;
        };
        // A revision whose link is gone was deleted (the directory may stay).
        if !entry.path().join("link").is_file() {
            continue;
        }
        if let Ok(digest) = format!("sha256:{hex}").parse::<Digest>() {
            digests.push(digest);
        }
    }
    digests.sort();
    Ok(digests)
}

/// Whether `root` looks like a Distribution filesystem storage.
pub fn is_storage(root: &Path) -> bool {
    root.join("docker/registry/v2").is_dir()
}
