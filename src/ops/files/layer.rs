//! One layer's file index: from the store when it was read before, else from
//! its table of contents (seekable layers), else streamed.

use super::seekable::{Ranged, Seekable, seekable, stated_uncompressed};
use super::stream::{StreamRequest, index_stream};
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::layer::LayerIndex;
use crate::oci::layer::entry::ImageBudget;
use crate::oci::layer::format::{LayerFormat, classify};
use crate::oci::layer::tar_stream::Limits;
use crate::oci::layer::toc::TOC_TAR_NAME;
use crate::oci::manifest::Descriptor;
use crate::registry::transport::RetryPolicy;
use crate::store::{CachedSource, LayerKey};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// The largest layer streamed unless configured otherwise.
pub const DEFAULT_MAX_LAYER_SIZE: u64 = 2 * 1024 * 1024 * 1024;
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;
/// A layer may inflate this much before it is taken for a decompression bomb
/// (real layers stay far below; deflate itself tops out near 1032:1).
const MAX_INFLATION: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilesOptions {
    pub max_layer_size: u64,
    /// Entries of one layer.
    pub max_entries: usize,
    /// Entries of all of an image's layers together.
    pub max_image_entries: usize,
    /// Bytes of paths and link targets of all of an image's layers together.
    pub max_image_path_bytes: u64,
}

pub const DEFAULT_MAX_IMAGE_ENTRIES: usize = 1_000_000;
pub const DEFAULT_MAX_IMAGE_PATH_BYTES: u64 = 128 << 20;

impl Default for FilesOptions {
    fn default() -> Self {
        FilesOptions {
            max_layer_size: DEFAULT_MAX_LAYER_SIZE,
            max_entries: DEFAULT_MAX_ENTRIES,
            max_image_entries: DEFAULT_MAX_IMAGE_ENTRIES,
            max_image_path_bytes: DEFAULT_MAX_IMAGE_PATH_BYTES,
        }
    }
}

impl FilesOptions {
    /// A fresh budget for one image's layers.
    pub fn image_budget(&self) -> Arc<ImageBudget> {
        Arc::new(ImageBudget::new(
            self.max_image_entries,
            self.max_image_path_bytes,
        ))
    }
}

/// What a layer turned out to be.
#[derive(Debug, Clone)]
pub enum Listing {
    Files(Arc<LayerIndex>),
    /// Read from a table of contents no digest vouches for: good for this
    /// read, never kept where another manifest could be answered from it.
    Unchecked(Arc<LayerIndex>),
    /// A foreign / non-distributable layer: not fetched.
    Foreign,
    /// Not a file system (an SBOM, a signature, a chart…): not fetched.
    NotAFileSystem,
}

/// What a layer is and what reading it gave (the `layers` of `files --json`,
/// and the file tree's summary). The field names are a documented contract.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LayerSummary {
    /// From the bottom (0).
    pub index: usize,
    pub digest: String,
    pub media_type: String,
    pub size: u64,
    /// The tar's size when streamed (not known from a table of contents).
    pub uncompressed_size: Option<u64>,
    /// `None` when it was not listed (`note` says why).
    pub entries: Option<usize>,
    pub format: Option<String>,
    /// Why it has no entries (foreign, not a file system).
    pub note: Option<String>,
}

impl LayerSummary {
    pub fn of(index: usize, layer: &Descriptor, listing: &Listing) -> LayerSummary {
        let files = listing.index();
        LayerSummary {
            index,
            digest: layer.digest.clone(),
            media_type: layer.media_type.clone(),
            size: layer.size,
            uncompressed_size: files.map(|f| f.uncompressed_size).filter(|s| *s > 0),
            entries: files.map(|f| f.entries.len()),
            format: files.map(|f| f.format.clone()),
            note: listing.reason(&layer.media_type),
        }
    }
}

impl Listing {
    /// The layer's index, when it has files.
    pub fn index(&self) -> Option<&Arc<LayerIndex>> {
        match self {
            Listing::Files(index) | Listing::Unchecked(index) => Some(index),
            _ => None,
        }
    }

    /// Its entries (none for a layer that was not listed).
    pub fn entries(&self) -> &[crate::oci::layer::FileEntry] {
        self.index().map_or(&[], |i| &i.entries)
    }

    /// Why there are no files, for the user.
    pub fn reason(&self, media_type: &str) -> Option<String> {
        let media_type = crate::oci::text::sanitize_line(media_type, 120);
        match self {
            Listing::Files(_) | Listing::Unchecked(_) => None,
            Listing::Foreign => Some(format!(
                "a foreign layer ({media_type}): its bytes are served from elsewhere, not listed"
            )),
            Listing::NotAFileSystem => Some(format!("not a file system layer: {media_type}")),
        }
    }
}

pub async fn layer_index(
    source: &CachedSource,
    repo: &str,
    layer: &Descriptor,
    options: FilesOptions,
    progress: Arc<AtomicU64>,
    image: Arc<ImageBudget>,
) -> Result<Listing> {
    match classify(&layer.media_type) {
        LayerFormat::Foreign => return Ok(Listing::Foreign),
        LayerFormat::NotAFileSystem => return Ok(Listing::NotAFileSystem),
        LayerFormat::FileSystem => {}
    }
    let digest: Digest = layer.parsed_digest().map_err(|e| Error::InvalidResponse {
        registry: source.name(),
        detail: format!("a layer digest that does not parse: {e}"),
    })?;
    let toc = seekable(layer).map(|kind| {
        let claim = kind.claim();
        (kind, claim)
    });
    let verified_claim = toc
        .as_ref()
        .filter(|(kind, _)| kind.is_verified())
        .map(|(_, c)| c.as_str());
    if layer.size > options.max_layer_size {
        return Err(Error::TooLarge {
            what: format!(
                "layer {digest} ({} bytes; --max-layer-size raises the limit)",
                layer.size
            ),
            limit: options.max_layer_size,
        });
    }
    if let Some(index) = stored(source, &digest, verified_claim).await {
        return within_limits(source, index, &digest, options, &image).map(Listing::Files);
    }
    let read = LayerRead {
        source,
        repo,
        layer,
        digest: &digest,
        options,
        policy: policy_for(source, layer.size),
        image,
    };
    if let Some((kind, claim)) = &toc
        && let Some(index) = read.read_toc(kind, claim).await
    {
        return Ok(match kind.is_verified() {
            true => Listing::Files(index),
            false => Listing::Unchecked(index),
        });
    }
    let estargz = matches!(toc, Some((Seekable::Estargz { .. }, _)));
    let index = Arc::new(read.stream(progress, estargz).await?);
    let key = LayerKey::Verified(&digest);
    source.save_layer_index(&key, &index).await;
    Ok(Listing::Files(index))
}

/// The stored index of the layer: by its verified digest, else by its
/// table of contents' claim.
async fn stored(
    source: &CachedSource,
    digest: &Digest,
    claim: Option<&str>,
) -> Option<Arc<LayerIndex>> {
    if let Some(index) = source.stored_layer_index(&LayerKey::Verified(digest)).await {
        return Some(index);
    }
    let claim = claim?;
    let key = LayerKey::Claimed {
        layer: digest,
        claim,
    };
    source.stored_layer_index(&key).await
}

/// A stored index is held to today's limits, as a fresh read would be.
fn within_limits(
    source: &CachedSource,
    index: Arc<LayerIndex>,
    digest: &Digest,
    options: FilesOptions,
    image: &ImageBudget,
) -> Result<Arc<LayerIndex>> {
    let refuse = |why: String| Error::InvalidResponse {
        registry: source.name(),
        detail: format!("layer {digest}: {why}"),
    };
    if index.entries.len() > options.max_entries {
        let over = crate::oci::layer::tar_stream::TarError::TooManyEntries(options.max_entries);
        return Err(refuse(over.to_string()));
    }
    for e in &index.entries {
        let bytes = e
            .path
            .len()
            .saturating_add(e.link.as_ref().map_or(0, |l| l.len()));
        image.charge(bytes).map_err(|why| refuse(why.to_string()))?;
    }
    Ok(index)
}

/// The retry policy with time for a slow link to bring `size` bytes.
fn policy_for(source: &CachedSource, size: u64) -> RetryPolicy {
    source.source().retry_policy().with_time_for(size)
}

/// One layer being read.
struct LayerRead<'a> {
    source: &'a CachedSource,
    repo: &'a str,
    layer: &'a Descriptor,
    digest: &'a Digest,
    options: FilesOptions,
    policy: RetryPolicy,
    image: Arc<ImageBudget>,
}

impl LayerRead<'_> {
    /// The index from the layer's table of contents (ranged reads). One that
    /// does not hold up (a stale annotation, a digest that does not match) is
    /// not fatal: the blob itself is read then.
    async fn read_toc(&self, kind: &Seekable, claim: &str) -> Option<Arc<LayerIndex>> {
        let ranged = Ranged {
            source: self.source.source(),
            repo: self.repo,
            digest: self.digest,
            size: self.layer.size,
            policy: self.policy,
            max_entries: self.options.max_entries,
            image: Some(self.image.clone()),
        };
        match ranged.index(kind, stated_uncompressed(self.layer)).await {
            Ok(Some(index)) => {
                let index = Arc::new(index);
                let key = LayerKey::Claimed {
                    layer: self.digest,
                    claim,
                };
                // Unchecked, it serves this read only: another manifest
                // naming the same layer must not be answered from it.
                if kind.is_verified() {
                    self.source.save_layer_index(&key, &index).await;
                }
                Some(index)
            }
            Ok(None) => None,
            Err(e) => {
                let digest = self.digest;
                tracing::warn!(%digest, error = %e, "table of contents unusable; streaming the layer");
                None
            }
        }
    }

    /// The index from the whole blob, streamed and verified.
    async fn stream(&self, progress: Arc<AtomicU64>, estargz: bool) -> Result<LayerIndex> {
        let source = self.source.source();
        let opened = source
            .open_blob(self.repo, self.digest, None, &self.policy)
            .await?;
        let size = self.layer.size;
        let request = StreamRequest {
            digest: self.digest.clone(),
            size,
            limits: Limits {
                max_entries: self.options.max_entries,
                max_uncompressed: size.saturating_mul(MAX_INFLATION).clamp(1 << 30, 64 << 30),
                image: Some(self.image.clone()),
                ..Limits::default()
            },
            progress,
            hide: estargz.then_some(TOC_TAR_NAME),
        };
        let what = format!(
            "layer {} in {}",
            self.digest,
            source.display_repository(self.repo)
        );
        index_stream(opened.body, request, &what).await
    }
}
