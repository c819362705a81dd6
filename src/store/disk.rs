//! The on-disk half of the content cache: `<cache dir>/blobs/<algorithm>/<hex>`,
//! written by one background thread (temporary file, then rename) and checked
//! against its digest on every read (a damaged entry is removed and fetched again).

use crate::oci::digest::Digest;
use std::path::PathBuf;
use std::sync::PoisonError;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

/// Work for the writer thread.
enum WriteJob {
    Write(PathBuf, bytes::Bytes),
    /// Answer once everything queued before is written.
    Flush(mpsc::Sender<()>),
}

impl std::fmt::Debug for WriteJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteJob")
    }
}

#[derive(Debug, Clone)]
pub struct DiskCache {
    root: PathBuf,
    writes: bool,
    writer: Arc<OnceLock<Mutex<mpsc::Sender<WriteJob>>>>,
}

impl DiskCache {
    pub fn new(root: PathBuf) -> DiskCache {
        DiskCache {
            root,
            writes: true,
            writer: Arc::default(),
        }
    }

    /// Reads only; `write` does nothing.
    pub fn read_only(mut self) -> DiskCache {
        self.writes = false;
        self
    }

    /// `$XDG_CACHE_HOME/regscope/blobs` (or the platform's cache dir).
    pub fn default_location() -> Option<DiskCache> {
        crate::config::cache_dir().map(|d| DiskCache::new(d.join("blobs")))
    }

    fn path(&self, digest: &Digest) -> PathBuf {
        self.root.join(digest.algorithm()).join(digest.hex())
    }

    /// The bytes stored for `digest`, if present, within `limit` and intact.
    pub fn read(&self, digest: &Digest, limit: u64) -> Option<Vec<u8>> {
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
        Some(bytes)
    }

    /// Queues `bytes` (already verified against `digest`) for the writer thread;
    /// a write that does not happen only costs a refetch next time.
    pub fn write(&self, digest: &Digest, bytes: bytes::Bytes) {
        if !self.writes {
            return;
        }
        let sender = self.writer.get_or_init(|| Mutex::new(spawn_writer()));
        let job = WriteJob::Write(self.path(digest), bytes);
        let _ = sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(job);
    }

    /// Waits (a bounded time) until queued writes are on disk, before exiting.
    pub fn flush(&self) {
        let Some(sender) = self.writer.get() else {
            return;
        };
        let (tx, rx) = mpsc::channel();
        if sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(WriteJob::Flush(tx))
            .is_ok()
        {
            let _ = rx.recv_timeout(std::time::Duration::from_secs(2));
        }
    }

    /// Writes `bytes` now (tests, and the writer thread).
    pub fn write_now(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
        let dir = path.parent().unwrap_or(std::path::Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)
    }
}

fn spawn_writer() -> mpsc::Sender<WriteJob> {
    let (tx, rx) = mpsc::channel::<WriteJob>();
    let spawned = std::thread::Builder::new()
        .name("disk-cache-writer".into())
        .spawn(move || {
            for job in rx {
                match job {
                    WriteJob::Write(path, bytes) => {
                        if let Err(e) = DiskCache::write_now(&path, &bytes) {
                            tracing::debug!(path = %path.display(), error = %e, "not cached on disk");
                        }
                    }
                    WriteJob::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "no disk cache writer");
    }
    tx
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
        DiskCache::write_now(&cache.path(&digest), b"{}").unwrap();
        assert_eq!(cache.read(&digest, 100), Some(b"{}".to_vec()));
        assert!(cache.read(&digest, 1).is_none(), "over the limit");
        std::fs::write(cache.path(&digest), b"{ }").unwrap();
        assert!(cache.read(&digest, 100).is_none(), "damaged");
        assert!(!cache.path(&digest).exists(), "and removed");
    }

    #[test]
    fn background_writes_land() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::new(dir.path().to_path_buf());
        let digest = Digest::sha256_of(b"[]");
        cache.write(&digest, bytes::Bytes::from_static(b"[]"));
        cache.flush();
        assert_eq!(cache.read(&digest, 10), Some(b"[]".to_vec()));
        assert!(cache.clone().read_only().read(&digest, 10).is_some());
    }
}
