//! The content-addressed store in front of a `Source`: manifests and configs by
//! digest are immutable, so each is fetched once, kept in memory (bounded), and
//! for registries in the one embedded store file (`db`), verified against its
//! digest on every read. Tag → digest is not immutable: the last snapshot of a
//! repository is kept with its time, and how far it is trusted is the
//! `Freshness` the caller chose.

pub mod db;
pub mod memory;
pub mod trash;

use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::image_config::ImageConfig;
use crate::oci::layer::LayerIndex;
use crate::oci::layer::tar_stream::READER_VERSION;
use crate::oci::manifest::{CONFIG_LIMIT, MANIFEST_LIMIT, Manifest};
use crate::source::Source;
use db::{Snapshot, Store};
use memory::Cells;
use std::sync::Arc;
use std::time::Duration;

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

/// How far a repository's last tag snapshot is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Freshness {
    /// Every tag is looked up again (a HEAD once the repository was seen).
    #[default]
    Revalidate,
    /// A snapshot younger than this is used without any request.
    MaxAge(Duration),
    /// Only the store answers; anything missing is "not cached".
    Offline,
}

impl Freshness {
    /// Whether `snapshot` may answer without asking the registry, at `now`
    /// (Unix seconds). Under `MaxAge` a snapshot with tags never looked up is
    /// incomplete and not trusted.
    pub fn trusts(self, snapshot: &Snapshot, now: i64) -> bool {
        match self {
            Freshness::Offline => true,
            Freshness::MaxAge(age) => {
                snapshot.unresolved.is_empty()
                    && now.saturating_sub(snapshot.taken_at)
                        <= i64::try_from(age.as_secs()).unwrap_or(i64::MAX)
            }
            Freshness::Revalidate => false,
        }
    }
}

/// The store file in the user's cache directory, opened (or rebuilt) with the
/// warning to show when it had to be rebuilt.
pub fn open_default_store(max_bytes: u64) -> (Option<Store>, Option<String>) {
    match crate::config::cache_dir() {
        Some(dir) => Store::open(&dir.join("regscope.db"), max_bytes),
        None => (None, None),
    }
}

/// A `Source` with the content store in front of it. Operations on content by
/// digest go through the store; everything else goes to `source()`.
pub struct CachedSource {
    source: Source,
    manifests: Cells<Manifest>,
    configs: Cells<ConfigBlob>,
    store: Option<Store>,
    /// The last few layer file indexes read (the TUI reopens them).
    layer_indexes: std::sync::Mutex<std::collections::VecDeque<(String, Arc<LayerIndex>)>>,
    freshness: Freshness,
    /// Content fetches in flight at once, whoever asks (index children, usage
    /// scans): the `--concurrency` width.
    fetches: tokio::sync::Semaphore,
}

impl CachedSource {
    /// `source` with `store` behind the memory cache (layouts never use one:
    /// they are on disk already).
    pub fn new(source: Source, store: Option<Store>) -> CachedSource {
        let store = match &source {
            Source::Layout(_) => None,
            Source::Registry(_) => store,
        };
        CachedSource::with_store(source, store, DEFAULT_CAPACITY)
    }

    /// Memory only.
    pub fn in_memory(source: Source) -> CachedSource {
        CachedSource::with_store(source, None, DEFAULT_CAPACITY)
    }

    pub fn with_store(source: Source, store: Option<Store>, capacity: usize) -> CachedSource {
        CachedSource {
            source,
            manifests: Cells::new(capacity, DEFAULT_MEMORY_BYTES),
            configs: Cells::new(capacity, DEFAULT_MEMORY_BYTES),
            store,
            layer_indexes: std::sync::Mutex::new(std::collections::VecDeque::new()),
            freshness: Freshness::Revalidate,
            fetches: tokio::sync::Semaphore::new(crate::config::DEFAULT_CONCURRENCY),
        }
    }

    /// At most `width` content fetches in flight.
    pub fn with_width(mut self, width: usize) -> CachedSource {
        self.fetches = tokio::sync::Semaphore::new(width.max(1));
        self
    }

    pub fn with_freshness(mut self, freshness: Freshness) -> CachedSource {
        self.freshness = freshness;
        self
    }

    pub fn freshness(&self) -> Freshness {
        self.freshness
    }

    /// The same source and store answering from the store only (`None`
    /// without a store).
    pub fn offline_view(&self) -> Option<CachedSource> {
        let store = self.store.clone()?;
        Some(
            CachedSource::with_store(self.source.clone(), Some(store), DEFAULT_CAPACITY)
                .with_freshness(Freshness::Offline),
        )
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

    /// A layer's file index read before: from memory, else the store file.
    pub async fn stored_layer_index(&self, key: &LayerKey<'_>) -> Option<Arc<LayerIndex>> {
        let key = key.to_string();
        if let Some(found) = self.remembered_index(&key) {
            return Some(found);
        }
        let index: LayerIndex = self.stored_derived(key.clone()).await?;
        let index = Arc::new(index);
        self.remember_index(&key, &index);
        Some(index)
    }

    /// Keeps a layer's file index (in memory, and in the store file off the
    /// async workers).
    pub async fn save_layer_index(&self, key: &LayerKey<'_>, index: &Arc<LayerIndex>) {
        let key = key.to_string();
        self.remember_index(&key, index);
        self.save_derived(key, index.clone()).await;
    }

    /// A value derived from verified content (a listing, a merged view),
    /// read back from the store file off the async workers.
    pub async fn stored_derived<T>(&self, key: String) -> Option<T>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        let store = self.store.clone()?;
        tokio::task::spawn_blocking(move || {
            let framed = store.read_derived(&key, DERIVED_LIMIT)?;
            decode_derived(&framed)
        })
        .await
        .ok()
        .flatten()
    }

    /// Keeps a derived value in the store file (encoded off the async workers).
    pub async fn save_derived<T>(&self, key: String, value: Arc<T>)
    where
        T: serde::Serialize + Send + Sync + 'static,
    {
        let Some(store) = self.store.clone() else {
            return;
        };
        let _ = tokio::task::spawn_blocking(move || {
            if let Some(bytes) = encode_derived(&*value) {
                store.write_derived(&key, &bytes);
            }
        })
        .await;
    }

    /// Drops the layer indexes held in memory (a command done with them).
    pub fn forget_layer_indexes(&self) {
        self.layer_indexes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    fn remembered_index(&self, key: &str) -> Option<Arc<LayerIndex>> {
        let kept = self
            .layer_indexes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.iter().find(|(k, _)| k == key).map(|(_, i)| i.clone())
    }

    fn remember_index(&self, key: &str, index: &Arc<LayerIndex>) {
        let mut kept = self
            .layer_indexes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.retain(|(k, _)| k != key);
        kept.push_front((key.to_string(), index.clone()));
        kept.truncate(LAYER_INDEXES_IN_MEMORY);
    }

    /// The last tag snapshot of `repo`, if the store has one.
    pub fn snapshot(&self, repo: &str) -> Option<Snapshot> {
        self.store.as_ref()?.snapshot(&self.source.location(), repo)
    }

    /// `snapshot`, read off the async workers.
    pub async fn stored_snapshot(&self, repo: &str) -> Option<Snapshot> {
        let store = self.store.clone()?;
        let (location, repo) = (self.source.location(), repo.to_string());
        tokio::task::spawn_blocking(move || store.snapshot(&location, &repo))
            .await
            .ok()
            .flatten()
    }

    /// What the store knew of `repo`'s tags before `before` (Unix seconds),
    /// read off the async workers; empty when nothing.
    pub async fn stored_rows_before(
        &self,
        repo: &str,
        before: i64,
    ) -> Vec<(String, Option<Digest>)> {
        let Some(store) = self.store.clone() else {
            return Vec::new();
        };
        let (location, repo) = (self.source.location(), repo.to_string());
        tokio::task::spawn_blocking(move || store.rows_before(&location, &repo, before))
            .await
            .unwrap_or_default()
    }

    /// The repositories of this registry the store kept anything of, read
    /// off the async workers.
    pub async fn stored_repositories_seen(&self) -> Vec<String> {
        let Some(store) = self.store.clone() else {
            return Vec::new();
        };
        let location = self.source.location();
        tokio::task::spawn_blocking(move || store.repositories_seen(&location))
            .await
            .unwrap_or_default()
    }

    /// The last catalog looked at before `before` (Unix seconds), if any.
    pub async fn stored_catalog_before(&self, before: i64) -> Option<Vec<String>> {
        let store = self.store.clone()?;
        let location = self.source.location();
        let at = before.saturating_sub(1);
        tokio::task::spawn_blocking(move || store.history::<Vec<String>>(&location, "", Some(at)))
            .await
            .ok()
            .flatten()
            .map(|(_, names)| names)
    }

    /// Keeps what the tags of `repo` point at now.
    pub fn save_snapshot(&self, repo: &str, tags: &[(String, Digest)]) {
        if let Some(store) = &self.store {
            store.save_snapshot(&self.source.location(), repo, tags.to_vec());
        }
    }

    /// Keeps that `tag` of `repo` points at `digest` now.
    pub fn remember_tag(&self, repo: &str, tag: &str, digest: &Digest) {
        if let Some(store) = &self.store {
            store.save_tag(&self.source.location(), repo, tag, digest);
        }
    }

    /// Keeps a complete tag listing of `repo` (digests looked up before stay).
    pub fn remember_listing(&self, repo: &str, tags: &[String]) {
        if let Some(store) = &self.store {
            store.save_listing(&self.source.location(), repo, tags.to_vec());
        }
    }

    /// The last complete catalog and when it was taken, if the store has one.
    /// Read off the async workers.
    pub async fn stored_catalog(&self) -> Option<(Vec<String>, i64)> {
        let store = self.store.clone()?;
        let location = self.source.location();
        tokio::task::spawn_blocking(move || store.catalog(&location))
            .await
            .ok()
            .flatten()
    }

    /// Registry repositories the store knows anywhere (`host/repo`), for
    /// completing a copy's destination; read off the async workers.
    pub async fn stored_places(&self, limit: usize) -> Vec<String> {
        let Some(store) = self.store.clone() else {
            return Vec::new();
        };
        let places = tokio::task::spawn_blocking(move || store.places(limit))
            .await
            .unwrap_or_default();
        places
            .into_iter()
            .filter(|(location, _)| !location.starts_with("oci:"))
            .map(|(location, repository)| format!("{location}/{repository}"))
            .collect()
    }

    pub fn remember_catalog(&self, repositories: &[String]) {
        if let Some(store) = &self.store {
            store.save_catalog(&self.source.location(), repositories.to_vec());
        }
    }

    /// The bytes the store file has for `digest`, read off the async workers.
    async fn read_store(&self, digest: &Digest, limit: u64) -> Option<bytes::Bytes> {
        let store = self.store.clone()?;
        let digest = digest.clone();
        tokio::task::spawn_blocking(move || store.read(&digest, limit))
            .await
            .ok()
            .flatten()
            .map(bytes::Bytes::from)
    }

    fn write_store(&self, digest: &Digest, bytes: bytes::Bytes) {
        if let Some(store) = &self.store {
            store.write(digest, bytes);
        }
    }

    fn not_cached(&self, what: &str) -> Error {
        Error::NotFound {
            what: format!("{what} is not cached (--offline answers from the cache only)"),
        }
    }

    pub async fn manifest(&self, repo: &str, digest: &Digest) -> Result<Arc<Manifest>> {
        let cell = self.manifests.cell(digest);
        cell.get_or_try_init(|| async {
            // Manifests name their own media type (or their shape tells it).
            if let Some(raw) = self.read_store(digest, MANIFEST_LIMIT).await
                && let Ok(m) = Manifest::decode(digest.clone(), None, raw)
            {
                return Ok(Arc::new(m));
            }
            if self.freshness == Freshness::Offline {
                return Err(self.not_cached(&format!("manifest {digest}")));
            }
            let _slot = self.slot().await;
            let manifest = self.source.manifest(repo, &digest.to_string()).await?;
            self.write_store(digest, manifest.raw.clone());
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
        self.write_store(&manifest.digest, manifest.raw.clone());
        let cell = self.manifests.cell(&manifest.digest);
        let _ = cell.set(manifest.clone());
        self.manifests.account(&manifest.digest, manifest.raw.len());
        Ok(manifest)
    }

    pub async fn config(&self, repo: &str, digest: &Digest) -> Result<Arc<ConfigBlob>> {
        let cell = self.configs.cell(digest);
        cell.get_or_try_init(|| async {
            let raw = self.blob(repo, digest, CONFIG_LIMIT, "config").await?;
            let parsed = ImageConfig::parse(&raw);
            Ok(Arc::new(ConfigBlob { raw, parsed }))
        })
        .await
        .cloned()
        .inspect(|c| self.configs.account(digest, c.raw.len()))
    }

    /// A small blob (an SBOM, a statement, a signature's payload): from the
    /// store, else fetched (capped at `limit`, verified) and kept there.
    pub async fn document(&self, repo: &str, digest: &Digest, limit: u64) -> Result<bytes::Bytes> {
        self.blob(repo, digest, limit, "blob").await
    }

    /// A blob of at most `limit` bytes from the store, else fetched (verified)
    /// and kept there; `what` names it when offline and not stored.
    async fn blob(
        &self,
        repo: &str,
        digest: &Digest,
        limit: u64,
        what: &str,
    ) -> Result<bytes::Bytes> {
        if let Some(raw) = self.read_store(digest, limit).await {
            return Ok(raw);
        }
        if self.freshness == Freshness::Offline {
            return Err(self.not_cached(&format!("{what} {digest}")));
        }
        let _slot = self.slot().await;
        let raw = self.source.blob(repo, digest, limit).await?;
        self.write_store(digest, raw.clone());
        Ok(raw)
    }

    /// Waits for pending store writes (call before the process exits).
    pub fn flush(&self) {
        if let Some(store) = &self.store {
            store.flush();
        }
    }

    /// Number of manifests in memory (for tests and diagnostics).
    pub fn manifest_count(&self) -> usize {
        self.manifests.ready()
    }
}

/// Layer indexes kept in memory.
const LAYER_INDEXES_IN_MEMORY: usize = 16;
/// The largest stored layer index read back (compressed).
const DERIVED_LIMIT: u64 = 256 * 1024 * 1024;

/// Where a layer's file index is kept: one read from the blob (its digest
/// verified) apart from one a table of contents claims.
pub enum LayerKey<'a> {
    Verified(&'a Digest),
    /// Listed from a table of contents, checked against `claim` only.
    Claimed {
        layer: &'a Digest,
        claim: &'a str,
    },
}

impl std::fmt::Display for LayerKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayerKey::Verified(layer) => write!(f, "files:v{READER_VERSION}:{layer}"),
            LayerKey::Claimed { layer, claim } => {
                write!(f, "files:v{READER_VERSION}:toc:{layer}:{claim}")
            }
        }
    }
}

/// postcard, then zstd: compact, and fast to read back.
fn encode_derived<T: serde::Serialize + ?Sized>(value: &T) -> Option<Vec<u8>> {
    let raw = postcard::to_allocvec(value).ok()?;
    zstd::bulk::compress(&raw, 3).ok()
}

fn decode_derived<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    // The frame states its size: one allocation of exactly that, not a
    // buffer doubled (and copied) as it fills.
    let size = zstd::zstd_safe::get_frame_content_size(bytes).ok()??;
    if size > 4 * DERIVED_LIMIT {
        return None;
    }
    let raw = zstd::bulk::decompress(bytes, usize::try_from(size).ok()?).ok()?;
    postcard::from_bytes(&raw).ok()
}
