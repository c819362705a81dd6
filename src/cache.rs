//! Content addressed by digest is immutable: each manifest and config is fetched
//! once (concurrent askers wait for the same fetch) and kept in memory, up to a
//! bound (oldest entries go first) so a 100,000-tag repository cannot fill memory;
//! then, for registries, on disk (`DiskCache`), verified on every read.

use crate::disk_cache::DiskCache;
use crate::registry::digest::Digest;
use crate::registry::error::Result;
use crate::registry::image_config::ImageConfig;
use crate::registry::manifest::{CONFIG_LIMIT, MANIFEST_LIMIT, Manifest};
use crate::source::Source;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// A config blob: its raw bytes (for the JSON view) and what parsed of it.
#[derive(Debug)]
pub struct ConfigBlob {
    pub raw: bytes::Bytes,
    pub parsed: Option<ImageConfig>,
}

/// Entries kept per kind before the oldest are dropped.
pub const DEFAULT_CAPACITY: usize = 20_000;

type Cell<T> = Arc<OnceCell<Arc<T>>>;

struct Entries<T> {
    cells: HashMap<Digest, Cell<T>>,
    oldest_first: VecDeque<Digest>,
}

struct Cells<T> {
    map: Mutex<Entries<T>>,
    capacity: usize,
}

impl<T> Cells<T> {
    fn new(capacity: usize) -> Cells<T> {
        Cells {
            map: Mutex::new(Entries {
                cells: HashMap::new(),
                oldest_first: VecDeque::new(),
            }),
            capacity: capacity.max(1),
        }
    }

    /// The cell for `digest`, created (and the oldest evicted) when missing.
    fn cell(&self, digest: &Digest) -> Cell<T> {
        let mut guard = self.map.lock().expect("cache lock");
        let Entries {
            cells: map,
            oldest_first: order,
        } = &mut *guard;
        if let Some(cell) = map.get(digest) {
            return cell.clone();
        }
        if map.len() >= self.capacity
            && let Some(oldest) = order.pop_front()
        {
            map.remove(&oldest);
        }
        let cell = Arc::new(OnceCell::new());
        map.insert(digest.clone(), cell.clone());
        order.push_back(digest.clone());
        cell
    }

    fn ready(&self) -> usize {
        let guard = self.map.lock().expect("cache lock");
        guard.cells.values().filter(|c| c.initialized()).count()
    }
}

pub struct ContentCache {
    manifests: Cells<Manifest>,
    configs: Cells<ConfigBlob>,
    disk: Option<DiskCache>,
}

impl Default for ContentCache {
    fn default() -> Self {
        ContentCache::with_capacity(DEFAULT_CAPACITY)
    }
}

impl ContentCache {
    pub fn with_capacity(capacity: usize) -> ContentCache {
        ContentCache {
            manifests: Cells::new(capacity),
            configs: Cells::new(capacity),
            disk: None,
        }
    }

    /// The cache the app and the CLI use: memory, then the user's cache directory.
    pub fn persistent() -> ContentCache {
        ContentCache::default().with_disk(DiskCache::default_location())
    }

    /// Reads the disk cache but adds nothing to it: for one-shot scans (`du`, `rm`)
    /// whose thousands of writes would cost more than they save.
    pub fn reading_disk() -> ContentCache {
        ContentCache::default().with_disk(DiskCache::default_location().map(DiskCache::read_only))
    }

    /// Also keeps what registries send on disk.
    pub fn with_disk(mut self, disk: Option<DiskCache>) -> ContentCache {
        self.disk = disk;
        self
    }

    /// The disk cache applies to registries; layouts are on disk already.
    fn disk_for(&self, source: &Source) -> Option<&DiskCache> {
        match source {
            Source::Registry(_) => self.disk.as_ref(),
            Source::Layout(_) => None,
        }
    }

    pub async fn manifest(
        &self,
        source: &Source,
        repo: &str,
        digest: &Digest,
    ) -> Result<Arc<Manifest>> {
        let cell = self.manifests.cell(digest);
        cell.get_or_try_init(|| async {
            let disk = self.disk_for(source);
            // Manifests name their own media type (or their shape tells it).
            if let Some(raw) = disk.and_then(|d| d.read(digest, MANIFEST_LIMIT))
                && let Ok(m) = Manifest::decode(digest.clone(), None, raw.into())
            {
                return Ok(Arc::new(m));
            }
            let manifest = source.manifest(repo, &digest.to_string()).await?;
            if let Some(disk) = disk {
                disk.write(digest, manifest.raw.clone());
            }
            Ok(Arc::new(manifest))
        })
        .await
        .cloned()
    }

    /// Fetches a manifest by tag (one request: it is a pull either way) and keeps
    /// it under its verified digest.
    pub async fn manifest_by_tag(
        &self,
        source: &Source,
        repo: &str,
        tag: &str,
    ) -> Result<Arc<Manifest>> {
        let manifest = Arc::new(source.manifest(repo, tag).await?);
        let cell = self.manifests.cell(&manifest.digest);
        let _ = cell.set(manifest.clone());
        Ok(manifest)
    }

    pub async fn config(
        &self,
        source: &Source,
        repo: &str,
        digest: &Digest,
    ) -> Result<Arc<ConfigBlob>> {
        let cell = self.configs.cell(digest);
        cell.get_or_try_init(|| async {
            let disk = self.disk_for(source);
            let cached = disk
                .and_then(|d| d.read(digest, CONFIG_LIMIT))
                .map(bytes::Bytes::from);
            let raw = match cached {
                Some(raw) => raw,
                None => {
                    let raw = source.blob(repo, digest, CONFIG_LIMIT).await?;
                    if let Some(disk) = disk {
                        disk.write(digest, raw.clone());
                    }
                    raw
                }
            };
            let parsed = ImageConfig::parse(&raw);
            Ok(Arc::new(ConfigBlob { raw, parsed }))
        })
        .await
        .cloned()
    }

    /// Waits for pending disk writes (call before the process exits).
    pub fn flush(&self) {
        if let Some(disk) = &self.disk {
            disk.flush();
        }
    }

    /// Number of cached manifests (for tests and diagnostics).
    pub fn manifest_count(&self) -> usize {
        self.manifests.ready()
    }
}
