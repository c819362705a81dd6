//! Undo for deletions: before a manifest is deleted, its bytes, repository, tags
//! and digest are saved here (`<state dir>/trash/<id>/`). Restoring puts the
//! manifest and its tags back while the blobs it needs are still there.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrashEntry {
    pub id: String,
    /// `host[:port]` of a registry, or `oci:/path` of a layout directory.
    pub location: String,
    pub repository: String,
    pub digest: String,
    pub media_type: String,
    pub tags: Vec<String>,
    pub deleted_at: String,
    /// Set when `regscope tag` moved the tags to another digest (this one):
    /// restoring may move them back while they still name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
}

pub struct Trash {
    dir: PathBuf,
}

/// Entries one digest can get within one second.
const MAX_SAME_SECOND: u32 = 10_000;

fn encode(entry: &TrashEntry) -> std::io::Result<Vec<u8>> {
    serde_json::to_vec_pretty(entry).map_err(std::io::Error::other)
}

/// Creates `path` (it must not exist), writes `bytes` and syncs them to disk.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = crate::private::options()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes a directory's new entries durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// A manifest about to be deleted, and where it was: what the trash keeps.
#[derive(Debug, Clone, Copy)]
pub struct Deleted<'a> {
    /// `host[:port]` of a registry, or `oci:/path` of a layout directory.
    pub location: &'a str,
    pub repository: &'a str,
    pub digest: &'a str,
    pub media_type: &'a str,
    /// The tags it takes with it.
    pub tags: &'a [String],
    pub manifest: &'a [u8],
}

impl Trash {
    pub fn new(dir: PathBuf) -> Trash {
        Trash { dir }
    }

    /// `<state dir>/trash`.
    pub fn default_location() -> Option<Trash> {
        crate::config::state_dir().map(|d| Trash::new(d.join("trash")))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn save(&self, deleted: &Deleted<'_>) -> std::io::Result<TrashEntry> {
        let Deleted {
            location,
            repository,
            digest,
            media_type,
            tags,
            manifest,
        } = *deleted;
        let now = jiff::Timestamp::now();
        let short = digest
            .split(':')
            .nth(1)
            .unwrap_or("x")
            .chars()
            .take(12)
            .collect::<String>();
        let stamp = now.strftime("%Y%m%dT%H%M%S").to_string();
        crate::private::create_dir(&self.dir)?;
        let (id, path) = self.new_entry_dir(&stamp, &short)?;
        let entry = TrashEntry {
            id,
            location: location.to_string(),
            repository: repository.to_string(),
            digest: digest.to_string(),
            media_type: media_type.to_string(),
            tags: tags.to_vec(),
            deleted_at: now.to_string(),
            replaced_by: None,
        };
        write_durably(&path.join("manifest"), manifest)?;
        write_durably(&path.join("entry.json"), &encode(&entry)?)?;
        sync_dir(&path)?;
        sync_dir(&self.dir)?;
        Ok(entry)
    }

    /// A directory no other entry (or process) has: created exclusively.
    fn new_entry_dir(&self, stamp: &str, short: &str) -> std::io::Result<(String, PathBuf)> {
        for n in 0..MAX_SAME_SECOND {
            let id = format!("{stamp}-{short}-{n}");
            let path = self.dir.join(&id);
            match crate::private::create_new_dir(&path) {
                Ok(()) => return Ok((id, path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other(
            "too many trash entries in one second",
        ))
    }

    /// Records the tags a deletion really removed (they can differ from the
    /// plan's when the registry deleted by digest).
    pub fn retag(&self, entry: &TrashEntry, tags: &[String]) -> std::io::Result<()> {
        self.rewrite(&TrashEntry {
            tags: tags.to_vec(),
            ..entry.clone()
        })
    }

    /// Records that the entry's tags were moved to `digest`, not deleted.
    pub fn mark_replaced(&self, entry: &TrashEntry, digest: &str) -> std::io::Result<TrashEntry> {
        let updated = TrashEntry {
            replaced_by: Some(digest.to_string()),
            ..entry.clone()
        };
        self.rewrite(&updated)?;
        Ok(updated)
    }

    fn rewrite(&self, updated: &TrashEntry) -> std::io::Result<()> {
        let path = self.dir.join(&updated.id).join("entry.json");
        let tmp = path.with_extension("json.tmp");
        write_durably(&tmp, &encode(updated)?)?;
        std::fs::rename(&tmp, &path)?;
        sync_dir(&self.dir.join(&updated.id))
    }

    /// Every entry, oldest first; unreadable ones are skipped.
    pub fn list(&self) -> Vec<TrashEntry> {
        let Ok(dirs) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut entries: Vec<TrashEntry> = dirs
            .flatten()
            .filter_map(|d| std::fs::read(d.path().join("entry.json")).ok())
            .filter_map(|raw| serde_json::from_slice(&raw).ok())
            .collect();
        entries.sort_by(|a, b| {
            a.deleted_at
                .cmp(&b.deleted_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        entries
    }

    pub fn load(&self, id: &str) -> Result<(TrashEntry, Vec<u8>), String> {
        let valid = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid {
            return Err(format!("invalid trash id {id:?}"));
        }
        let path = self.dir.join(id);
        let raw = std::fs::read(path.join("entry.json"))
            .map_err(|_| format!("no trash entry {id:?} (see `regscope trash list`)"))?;
        let entry: TrashEntry =
            serde_json::from_slice(&raw).map_err(|e| format!("trash entry {id}: {e}"))?;
        let manifest =
            std::fs::read(path.join("manifest")).map_err(|e| format!("trash entry {id}: {e}"))?;
        Ok((entry, manifest))
    }

    pub fn remove(&self, id: &str) -> std::io::Result<()> {
        std::fs::remove_dir_all(self.dir.join(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deleted(tags: &[String]) -> Deleted<'_> {
        Deleted {
            location: "reg:5000",
            repository: "app",
            digest: "sha256:abcdef0123456789",
            media_type: "t",
            tags,
            manifest: b"",
        }
    }

    #[test]
    fn saves_lists_and_loads() {
        let dir = tempfile::tempdir().unwrap();
        let trash = Trash::new(dir.path().join("trash"));
        let tags = vec!["1.0".to_string()];
        let a = trash
            .save(&Deleted {
                manifest: b"{}",
                ..deleted(&tags)
            })
            .unwrap();
        let b = trash
            .save(&Deleted {
                manifest: b"{1}",
                ..deleted(&tags)
            })
            .unwrap();
        assert_ne!(a.id, b.id);
        assert_eq!(trash.list().len(), 2);
        let (entry, bytes) = trash.load(&b.id).unwrap();
        assert_eq!(entry, b);
        assert_eq!(bytes, b"{1}");
        assert!(trash.load("../etc").is_err());
        trash.remove(&a.id).unwrap();
        assert_eq!(trash.list(), vec![b]);
    }
}
