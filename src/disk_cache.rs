//! The on-disk half of the content cache: `<cache dir>/blobs/<algorithm>/<hex>`,
//! written through a temporary file and a rename, and checked against its digest
//! on every read (a damaged entry is removed and fetched again).

use crate::registry::digest::Digest;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct DiskCache {
    root: PathBuf,
}

impl DiskCache {
    pub fn new(root: PathBuf) -> DiskCache {
        DiskCache { root }
    }

    /// `$XDG_CACHE_HOME/regscope/blobs` (or the platform's cache dir).
    pub fn default_location() -> Option<DiskCache> {
        crate::config::cache_dir().map(|d| DiskCache::new(d.join("blobs")))
    }

    fn path(&self, digest: &Digest) -> PathBuf {
        self.root.join(digest.algorithm()).join(digest.hex())
    }

    /// The bytes stored for `digest` and the media type noted with them, if intact.
    pub fn read(&self, digest: &Digest, limit: u64) -> Option<(Vec<u8>, Option<String>)> {
        let path = self.path(digest);
        let meta = std::fs::metadata(&path).ok()?;
        if meta.len() > limit {
            return None;
        }
        let bytes = std::fs::read(&path).ok()?;
        if !digest.matches(&bytes) {
            tracing::warn!(%digest, "damaged cache entry removed");
            let _ = std::fs::remove_file(&path);
            return None;
        }
        let media_type = std::fs::read_to_string(path.with_extension("type")).ok();
        Some((bytes, media_type))
    }

    /// Stores `bytes` (already verified against `digest`); failures only cost a refetch.
    pub fn write(&self, digest: &Digest, bytes: &[u8], media_type: Option<&str>) {
        let path = self.path(digest);
        let Some(dir) = path.parent() else { return };
        let stored = std::fs::create_dir_all(dir).and_then(|_| {
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            tmp.write_all(bytes)?;
            if let Some(media_type) = media_type {
                std::fs::write(path.with_extension("type"), media_type)?;
            }
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        });
        if let Err(e) = stored {
            tracing::debug!(%digest, error = %e, "not cached on disk");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path().to_path_buf());
        let digest = Digest::sha256_of(b"{}");
        assert!(cache.read(&digest, 100).is_none());
        cache.write(&digest, b"{}", Some("application/json"));
        assert_eq!(
            cache.read(&digest, 100),
            Some((b"{}".to_vec(), Some("application/json".into())))
        );
        assert!(cache.read(&digest, 1).is_none(), "over the limit");
        std::fs::write(cache.path(&digest), b"{ }").unwrap();
        assert!(cache.read(&digest, 100).is_none(), "damaged");
        assert!(!cache.path(&digest).exists(), "and removed");
    }
}
