//! Changing an OCI layout: removing and adding `index.json` entries (written to a
//! temporary file, then renamed over the old one), writing blobs, and pruning
//! blobs no remaining entry references.

use super::store::{LayoutStore, REF_NAME};
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::manifest::{MANIFEST_LIMIT, ManifestKind};
use serde_json::Value;
use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

impl LayoutStore {
    /// Removes the index entries `remove` selects; returns them.
    pub fn remove_entries(
        &self,
        repository: &str,
        remove: impl Fn(&str, Option<&str>) -> bool,
    ) -> Result<Vec<Value>> {
        self.edit_index(repository, |manifests| {
            let (gone, kept): (Vec<Value>, Vec<Value>) = manifests.drain(..).partition(|entry| {
                let digest = entry.get("digest").and_then(Value::as_str).unwrap_or("");
                remove(digest, ref_name(entry))
            });
            *manifests = kept;
            let changed = !gone.is_empty();
            (gone, changed)
        })
    }

    /// Appends an index entry (a descriptor, with its ref name annotation).
    pub fn add_entry(&self, repository: &str, entry: Value) -> Result<()> {
        self.edit_index(repository, |manifests| {
            manifests.push(entry);
            ((), true)
        })
    }

    /// Changes `index.json`'s `manifests` under the layout's lock; `edit`
    /// says whether it changed them (then the file is rewritten).
    fn edit_index<T>(
        &self,
        repository: &str,
        edit: impl FnOnce(&mut Vec<Value>) -> (T, bool),
    ) -> Result<T> {
        let dir = self.layout_dir(repository)?;
        let _lock = lock(&dir)?;
        let mut index = read_index_value(&dir)?;
        let manifests = index
            .get_mut("manifests")
            .and_then(Value::as_array_mut)
            .ok_or_else(|| broken(&dir, "index.json has no manifests"))?;
        let (out, changed) = edit(manifests);
        if changed {
            write_atomically(&dir.join("index.json"), &encode(&index)?)?;
        }
        Ok(out)
    }

    pub fn has_blob(&self, repository: &str, digest: &Digest) -> bool {
        self.layout_dir(repository)
            .map(|dir| {
                dir.join("blobs")
                    .join(digest.algorithm())
                    .join(digest.hex())
                    .is_file()
            })
            .unwrap_or(false)
    }

    /// Creates a layout at `path` when nothing is there (an empty directory
    /// counts as nothing) and opens it; an existing layout is opened as it is.
    pub fn create(path: &Path) -> Result<LayoutStore> {
        if path.as_os_str().is_empty() {
            return Err(Error::Config(
                "name the layout's directory: oci:DIR[:TAG]".into(),
            ));
        }
        if !path.join("oci-layout").is_file() {
            let empty = match std::fs::read_dir(path) {
                Ok(mut entries) => entries.next().is_none(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
                Err(e) => return Err(io(path, e)),
            };
            if !empty {
                return Err(Error::Config(format!(
                    "{} is not empty and not an OCI layout: refusing to write into it",
                    path.display()
                )));
            }
            std::fs::create_dir_all(path).map_err(|e| io(path, e))?;
            write_atomically(
                &path.join("oci-layout"),
                br#"{"imageLayoutVersion":"1.0.0"}"#,
            )?;
            let index = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
            write_atomically(&path.join("index.json"), index)?;
        }
        let store = LayoutStore::open(path)?;
        if !store.is_single() {
            return Err(Error::Config(format!(
                "{} is not an OCI layout",
                path.display()
            )));
        }
        Ok(store)
    }

    /// `blobs/<algorithm>/` of `repository`, created, checked to be inside
    /// the layout: where a streamed blob's temporary file goes.
    pub fn blob_dir(&self, repository: &str, digest: &Digest) -> Result<std::path::PathBuf> {
        let dir = self
            .layout_dir(repository)?
            .join("blobs")
            .join(digest.algorithm());
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        self.inside(&dir)
    }

    /// Writes a manifest's blob and, with an `entry`, lists it in
    /// `index.json`: under a tag (replacing the entry the name had), or
    /// untagged (once per digest).
    pub fn put_manifest(
        &self,
        repository: &str,
        digest: &Digest,
        media_type: &str,
        raw: &[u8],
        entry: Option<Option<&str>>,
    ) -> Result<()> {
        self.write_blob(repository, digest, raw)?;
        let Some(tag) = entry else {
            return Ok(());
        };
        let mut value = serde_json::json!({
            "mediaType": media_type,
            "digest": digest.to_string(),
            "size": raw.len(),
        });
        if let Some(tag) = tag {
            value["annotations"] = serde_json::json!({ REF_NAME: tag });
        }
        self.replace_entry(repository, tag, value)
    }

    /// Puts `entry` in `index.json` in place of the one named `tag` (of an
    /// untagged one of the same digest).
    fn replace_entry(&self, repository: &str, tag: Option<&str>, entry: Value) -> Result<()> {
        let digest = entry.get("digest").cloned();
        self.edit_index(repository, |manifests| {
            manifests.retain(|e| match tag {
                Some(_) => ref_name(e) != tag,
                None => ref_name(e).is_some() || e.get("digest") != digest.as_ref(),
            });
            manifests.push(entry);
            ((), true)
        })
    }

    /// Writes a blob whose bytes match `digest`.
    pub fn write_blob(&self, repository: &str, digest: &Digest, bytes: &[u8]) -> Result<()> {
        if !digest.matches(bytes) {
            return Err(Error::Config(format!(
                "refusing to write {digest}: the bytes do not match"
            )));
        }
        let dir = self
            .layout_dir(repository)?
            .join("blobs")
            .join(digest.algorithm());
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        self.inside(&dir)?;
        write_atomically(&dir.join(digest.hex()), bytes)
    }

    /// Deletes blobs that no index entry reaches (through indexes, manifests, configs
    /// and layers). Stops without deleting anything if a reachable manifest cannot be read.
    pub fn prune(&self, repository: &str) -> Result<(usize, u64)> {
        let dir = self.layout_dir(repository)?;
        let _lock = lock(&dir)?;
        let mut reachable: HashSet<Digest> = HashSet::new();
        let mut pending: Vec<Digest> = self
            .index(repository)?
            .manifests
            .iter()
            .filter_map(|d| d.parsed_digest().ok())
            .collect();
        while let Some(digest) = pending.pop() {
            if !reachable.insert(digest.clone()) {
                continue;
            }
            let raw = self.blob(repository, &digest, MANIFEST_LIMIT)?;
            let manifest = crate::oci::manifest::Manifest::decode(digest, None, raw)
                .map_err(|e| broken(&dir, &e.to_string()))?;
            if manifest.kind == ManifestKind::Index {
                pending.extend(
                    manifest
                        .doc
                        .manifests
                        .iter()
                        .filter_map(|d| d.parsed_digest().ok()),
                );
            }
            for desc in manifest.doc.config.iter().chain(&manifest.doc.layers) {
                if let Ok(d) = desc.parsed_digest() {
                    reachable.insert(d);
                }
            }
        }
        let mut removed = (0, 0);
        for algorithm in ["sha256", "sha512"] {
            let Some(blobs) = self.real_blob_dir(&dir, algorithm)? else {
                continue;
            };
            let Ok(entries) = std::fs::read_dir(&blobs) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                let keep = format!("{algorithm}:{name}")
                    .parse::<Digest>()
                    .map_or(true, |d| reachable.contains(&d));
                if keep || !entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
                    continue;
                }
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                std::fs::remove_file(entry.path()).map_err(|e| io(&entry.path(), e))?;
                removed = (removed.0 + 1, removed.1 + size);
            }
        }
        Ok(removed)
    }
}

impl LayoutStore {
    /// `blobs/<algorithm>` when it is a real directory inside the layout (a
    /// symlink out of it is refused, not followed).
    fn real_blob_dir(&self, dir: &Path, algorithm: &str) -> Result<Option<std::path::PathBuf>> {
        let blobs = dir.join("blobs").join(algorithm);
        for path in [dir.join("blobs"), blobs.clone()] {
            match std::fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(broken(
                        dir,
                        &format!("{} is a symlink; not pruning through it", path.display()),
                    ));
                }
                Ok(_) => {}
                Err(_) => return Ok(None),
            }
        }
        self.inside(&blobs).map(Some)
    }
}

/// An index entry's tag (`org.opencontainers.image.ref.name`).
fn ref_name(entry: &Value) -> Option<&str> {
    entry
        .get("annotations")
        .and_then(|a| a.get(REF_NAME))
        .and_then(Value::as_str)
}

/// An advisory lock on `<layout>/.regscope.lock`, held while regscope
/// rewrites `index.json` or prunes (released when dropped).
fn lock(dir: &Path) -> Result<std::fs::File> {
    let path = dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io(&path, e))?;
    file.lock().map_err(|e| io(&path, e))?;
    Ok(file)
}

/// The lock file's name (left in the layout; other tools ignore it).
const LOCK_FILE: &str = ".regscope.lock";

fn read_index_value(dir: &Path) -> Result<Value> {
    let path = dir.join("index.json");
    let text = std::fs::read(&path).map_err(|e| io(&path, e))?;
    serde_json::from_slice(&text).map_err(|e| broken(dir, &e.to_string()))
}

/// Temp file in the same directory (with the mode of the file it replaces),
/// flushed, then renamed over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io(dir, e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(|e| io(path, e))?;
    }
    tmp.write_all(bytes).map_err(|e| io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| io(path, e))?;
    tmp.persist(path).map_err(|e| io(path, e.error))?;
    Ok(())
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Config(format!("{}: {e}", path.display()))
}

fn broken(dir: &Path, detail: &str) -> Error {
    Error::InvalidResponse {
        registry: format!("oci:{}", dir.display()),
        detail: detail.to_string(),
    }
}

fn encode(index: &Value) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(index)
        .map_err(|e| Error::Config(format!("cannot encode index.json: {e}")))
}
