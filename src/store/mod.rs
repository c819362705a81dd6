//! The content-addressed store in front of a `Source`: manifests and configs by
//! digest are immutable, so each is fetched once, kept in memory (bounded), and
//! for registries on disk, verified against its digest on every read. Tag →
//! digest is not immutable and always goes to the source.

pub mod disk;
pub mod memory;
pub mod trash;

use crate::oci::digest::Digest;
use crate::oci::error::Result;
use crate::oci::image_config::ImageConfig;
use crate::oci::manifest::{CONFIG_LIMIT, MANIFEST_LIMIT, Manifest};
use crate::source::Source;
use disk::DiskCache;
use memory::Cells;
use std::sync::Arc;

/// Entries kept in memory per kind before the oldest are dropped.
pub const DEFAULT_CAPACITY: usize = 20_000;
/// Bytes kept in memory per kind (manifests, configs) before the oldest go.
pub const DEFAULT_MEMORY_BYTES: usize = 256 * 1024 * 1024;

/// A config blob: its raw bytes (for the JSON view) and what parsed of it.
#[derive(Debug)]
pub struct ConfigBlob {
    pub raw: bytes::Bytes,
    pub parsed: Option<ImageConfig>,
}

/// What the store does with the disk, fixed when it is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskPolicy {
    /// Memory only (tests, layouts: they are on disk already).
    Off,
    /// Reads the disk cache but adds nothing: one-shot scans (`du`, `rm`) whose
    /// thousands of small writes would cost more than they save.
    ReadOnly,
    /// Reads and writes (the browser, `inspect`).
    ReadWrite,
}

/// A `Source` with the content store in front of it. Operations on content by
/// digest go through the store; everything else goes to `source()`.
pub struct CachedSource {
    source: Source,
    manifests: Cells<Manifest>,
    configs: Cells<ConfigBlob>,
    disk: Option<DiskCache>,
    /// Content fetches in flight at once, whoever asks (index children, usage
    /// scans): the `--concurrency` width.
    fetches: tokio::sync::Semaphore,
}

impl CachedSource {
    /// The store with the user's cache directory under `policy` (never for layouts).
    pub fn new(source: Source, policy: DiskPolicy) -> CachedSource {
        let disk = match (&source, policy) {
            (Source::Layout(_), _) | (_, DiskPolicy::Off) => None,
            (_, DiskPolicy::ReadOnly) => DiskCache::default_location().map(DiskCache::read_only),
            (_, DiskPolicy::ReadWrite) => DiskCache::default_location(),
        };
        CachedSource::with_disk(source, disk, DEFAULT_CAPACITY)
    }

    /// Memory only.
    pub fn in_memory(source: Source) -> CachedSource {
        CachedSource::with_disk(source, None, DEFAULT_CAPACITY)
    }

    pub fn with_disk(source: Source, disk: Option<DiskCache>, capacity: usize) -> CachedSource {
        CachedSource {
            source,
            manifests: Cells::new(capacity, DEFAULT_MEMORY_BYTES),
            configs: Cells::new(capacity, DEFAULT_MEMORY_BYTES),
            disk,
            fetches: tokio::sync::Semaphore::new(crate::config::DEFAULT_CONCURRENCY),
        }
    }

    /// At most `width` content fetches in flight.
    pub fn with_width(mut self, width: usize) -> CachedSource {
        self.fetches = tokio::sync::Semaphore::new(width.max(1));
        self
    }

    /// Waits for a fetch slot (the semaphore is never closed).
    async fn slot(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.fetches.acquire().await.ok()
    }

    /// The backend, for what the store does not keep (listings, tag → digest,
    /// deletes).
    pub fn source(&self) -> &Source {
        &self.source
    }

    pub fn name(&self) -> String {
        self.source.name()
    }

    /// The bytes kept on disk for `digest`, read off the async workers.
    async fn read_disk(&self, digest: &Digest, limit: u64) -> Option<bytes::Bytes> {
        let disk = self.disk.clone()?;
        let digest = digest.clone();
        tokio::task::spawn_blocking(move || disk.read(&digest, limit))
            .await
            .ok()
            .flatten()
            .map(bytes::Bytes::from)
    }

    fn write_disk(&self, digest: &Digest, bytes: bytes::Bytes) {
        if let Some(disk) = &self.disk {
            disk.write(digest, bytes);
        }
    }

    pub async fn manifest(&self, repo: &str, digest: &Digest) -> Result<Arc<Manifest>> {
        let cell = self.manifests.cell(digest);
        cell.get_or_try_init(|| async {
            // Manifests name their own media type (or their shape tells it).
            if let Some(raw) = self.read_disk(digest, MANIFEST_LIMIT).await
                && let Ok(m) = Manifest::decode(digest.clone(), None, raw)
            {
                return Ok(Arc::new(m));
            }
            let _slot = self.slot().await;
            let manifest = self.source.manifest(repo, &digest.to_string()).await?;
            self.write_disk(digest, manifest.raw.clone());
            Ok(Arc::new(manifest))
        })
        .await
        .cloned()
        .inspect(|m| self.manifests.account(digest, m.raw.len()))
    }

    /// Fetches a manifest by tag (one request: it is a pull either way) and keeps
    /// it under its verified digest.
    pub async fn manifest_by_tag(&self, repo: &str, tag: &str) -> Result<Arc<Manifest>> {
        let manifest = {
            let _slot = self.slot().await;
            Arc::new(self.source.manifest(repo, tag).await?)
        };
        let cell = self.manifests.cell(&manifest.digest);
        let _ = cell.set(manifest.clone());
        self.manifests.account(&manifest.digest, manifest.raw.len());
        Ok(manifest)
    }

    pub async fn config(&self, repo: &str, digest: &Digest) -> Result<Arc<ConfigBlob>> {
        let cell = self.configs.cell(digest);
        cell.get_or_try_init(|| async {
            let raw = match self.read_disk(digest, CONFIG_LIMIT).await {
                Some(raw) => raw,
                None => {
                    let _slot = self.slot().await;
                    let raw = self.source.blob(repo, digest, CONFIG_LIMIT).await?;
                    self.write_disk(digest, raw.clone());
                    raw
                }
            };
            let parsed = ImageConfig::parse(&raw);
            Ok(Arc::new(ConfigBlob { raw, parsed }))
        })
        .await
        .cloned()
        .inspect(|c| self.configs.account(digest, c.raw.len()))
    }

    /// Waits for pending disk writes (call before the process exits).
    pub fn flush(&self) {
        if let Some(disk) = &self.disk {
            disk.flush();
        }
    }

    /// Number of manifests in memory (for tests and diagnostics).
    pub fn manifest_count(&self) -> usize {
        self.manifests.ready()
    }
}
