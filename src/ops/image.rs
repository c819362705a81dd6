//! What every use-case needs of an image: descriptor digests checked, and its
//! config fetched through the store (once per digest).

use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::manifest::{Descriptor, Manifest, ManifestKind, is_image_config};
use crate::store::{CachedSource, ConfigBlob};
use std::sync::Arc;

/// A descriptor's digest; an invalid one is the registry's error.
pub fn descriptor_digest(source: &CachedSource, desc: &Descriptor) -> Result<Digest> {
    desc.parsed_digest().map_err(|e| Error::InvalidResponse {
        registry: source.name(),
        detail: format!("a descriptor has an invalid digest: {e}"),
    })
}

/// The image config of `manifest`, when it is an image whose config is an
/// image config (artifacts carry other configs, which are not fetched).
pub async fn image_config(
    source: &CachedSource,
    repo: &str,
    manifest: &Manifest,
) -> Result<Option<Arc<ConfigBlob>>> {
    let desc = match (&manifest.kind, &manifest.doc.config) {
        (ManifestKind::Image, Some(desc)) if is_image_config(&desc.media_type) => desc,
        _ => return Ok(None),
    };
    let digest = descriptor_digest(source, desc)?;
    Ok(Some(source.config(repo, &digest).await?))
}
