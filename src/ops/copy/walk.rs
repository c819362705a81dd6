//! What an image is made of, read from the source: its manifests (children
//! before the index that lists them) and blobs, and with `--referrers` what
//! refers to it. Every manifest is fetched by digest and verified; counts and
//! depth are bounded (an index is a claim of whoever pushed it).

use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::manifest::{Manifest, ManifestKind, Platform};
use crate::ops::referrers::{Referrer, discover};
use crate::store::CachedSource;
use std::collections::HashSet;
use std::sync::Arc;

/// Nesting of indexes followed (an index of indexes is already rare).
const MAX_DEPTH: usize = 4;
/// Manifests one copy carries at most.
pub const MAX_MANIFESTS: usize = 2_000;
/// Blobs one copy carries at most.
pub const MAX_BLOBS: usize = 20_000;
/// The largest blob copied: a size is a claim, and it sets how long the
/// transfer may take.
pub const MAX_BLOB_SIZE: u64 = 64 * 1024 * 1024 * 1024;

/// A blob as its descriptor names it: the size is a claim, checked as it streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub digest: Digest,
    pub size: u64,
    pub media_type: String,
}

/// A manifest to store at the destination, and the tag it goes under (the
/// copied image's tag, a cosign tag, a referrers tag-schema index).
#[derive(Debug, Clone)]
pub struct ManifestRef {
    pub manifest: Arc<Manifest>,
    pub tag: Option<String>,
    /// Stands on its own (the copied image, a referrer), not only as an
    /// index's child: a layout lists it in `index.json` even untagged.
    pub listed: bool,
}

/// Everything one copy moves, in the order it must arrive.
#[derive(Debug, Clone, Default)]
pub struct Walked {
    pub blobs: Vec<BlobRef>,
    /// Children before their index; the copied image last but for referrers.
    pub manifests: Vec<ManifestRef>,
    /// Manifests read from the source (requests that count as pulls).
    pub manifest_reads: usize,
    /// Referrers the source's referrers API listed, per subject: a
    /// destination without the API needs them in a tag-schema index.
    pub api_referrers: Vec<(Digest, Vec<Referrer>)>,
}

struct Walker<'a> {
    source: &'a CachedSource,
    repo: &'a str,
    walked: Walked,
    manifests_seen: HashSet<Digest>,
    blobs_seen: HashSet<Digest>,
}

/// The image `top` (and with `platform`, only that platform's manifest of an
/// index, which then becomes the copied image), tagged `tag` at the destination.
pub async fn walk(
    source: &CachedSource,
    repo: &str,
    top: Arc<Manifest>,
    platform: Option<&Platform>,
    tag: Option<String>,
) -> Result<(Walked, Arc<Manifest>)> {
    let mut walker = Walker {
        source,
        repo,
        walked: Walked {
            manifest_reads: 1,
            ..Walked::default()
        },
        manifests_seen: HashSet::new(),
        blobs_seen: HashSet::new(),
    };
    let top = match platform {
        Some(p) => walker.platform_of(top, p).await?,
        None => top,
    };
    walker.manifest(top.clone(), tag, 0).await?;
    if let Some(last) = walker.walked.manifests.last_mut() {
        last.listed = true;
    }
    Ok((walker.walked, top))
}

/// Adds the referrers of the copied image (found as `referrers` finds them:
/// the API, the tag schema, cosign's tags; recursively) after it: each one's
/// blobs and manifest, then the tags that name them at the source.
pub async fn add_referrers(
    walked: &mut Walked,
    source: &CachedSource,
    repo: &str,
    subject: &Manifest,
    tags: &[String],
) -> Result<()> {
    let report = discover(source, repo, subject, tags, None).await?;
    let mut walker = Walker {
        source,
        repo,
        walked: std::mem::take(walked),
        manifests_seen: HashSet::new(),
        blobs_seen: HashSet::new(),
    };
    walker.manifests_seen = walker
        .walked
        .manifests
        .iter()
        .map(|m| m.manifest.digest.clone())
        .collect();
    walker.blobs_seen = walker
        .walked
        .blobs
        .iter()
        .map(|b| b.digest.clone())
        .collect();
    walker
        .referrers(&subject.digest, &report.referrers, tags)
        .await?;
    *walked = walker.walked;
    Ok(())
}

impl Walker<'_> {
    async fn platform_of(
        &mut self,
        index: Arc<Manifest>,
        platform: &Platform,
    ) -> Result<Arc<Manifest>> {
        if index.kind != ManifestKind::Index {
            return Ok(index);
        }
        let chosen = index
            .doc
            .manifests
            .iter()
            .filter(|d| !d.is_attestation())
            .find(|d| d.platform.as_ref().is_some_and(|p| platform.selects(p)))
            .ok_or_else(|| Error::NotFound {
                what: format!("platform {platform} in {}", index.digest),
            })?;
        let digest = chosen
            .parsed_digest()
            .map_err(|e| self.bad(&e.to_string()))?;
        self.walked.manifest_reads += 1;
        self.source.manifest(self.repo, &digest).await
    }

    /// `manifest`'s blobs and children (pushed first), then itself.
    async fn manifest(
        &mut self,
        manifest: Arc<Manifest>,
        tag: Option<String>,
        depth: usize,
    ) -> Result<()> {
        if !self.manifests_seen.insert(manifest.digest.clone()) && tag.is_none() {
            return Ok(());
        }
        if self.manifests_seen.len() > MAX_MANIFESTS {
            return Err(self.bad(&format!("more than {MAX_MANIFESTS} manifests")));
        }
        match manifest.kind {
            ManifestKind::Index => Box::pin(self.children(&manifest, depth)).await?,
            ManifestKind::Schema1 | ManifestKind::Unknown if manifest.doc.config.is_none() => {
                return Err(self.bad(&format!(
                    "{} is a {} manifest, which regscope does not copy",
                    manifest.digest, manifest.media_type
                )));
            }
            _ => {
                let doc = &manifest.doc;
                for d in doc.config.iter().chain(&doc.layers) {
                    self.blob(d)?;
                }
            }
        }
        self.walked.manifests.push(ManifestRef {
            manifest,
            tag,
            listed: false,
        });
        Ok(())
    }

    async fn children(&mut self, index: &Manifest, depth: usize) -> Result<()> {
        if depth >= MAX_DEPTH {
            return Err(self.bad(&format!("indexes nested deeper than {MAX_DEPTH}")));
        }
        for d in &index.doc.manifests {
            let digest = d.parsed_digest().map_err(|e| self.bad(&e.to_string()))?;
            if self.manifests_seen.contains(&digest) {
                continue;
            }
            self.walked.manifest_reads += 1;
            let child = self.source.manifest(self.repo, &digest).await?;
            self.manifest(child, None, depth + 1).await?;
        }
        Ok(())
    }

    fn blob(&mut self, d: &crate::oci::manifest::Descriptor) -> Result<()> {
        let digest = d.parsed_digest().map_err(|e| self.bad(&e.to_string()))?;
        if d.size > MAX_BLOB_SIZE {
            return Err(self.bad(&format!(
                "blob {digest} claims {} bytes, more than the {MAX_BLOB_SIZE} a copy takes",
                d.size
            )));
        }
        if self.blobs_seen.insert(digest.clone()) {
            if self.blobs_seen.len() > MAX_BLOBS {
                return Err(self.bad(&format!("more than {MAX_BLOBS} blobs")));
            }
            self.walked.blobs.push(BlobRef {
                digest,
                size: d.size,
                media_type: d.media_type.clone(),
            });
        }
        Ok(())
    }

    /// Each referrer's content, then the tags that point at them at the source
    /// (cosign's `sha256-….sig`, the tag schema's `sha256-…` index), level by level.
    async fn referrers(
        &mut self,
        subject: &Digest,
        found: &[Referrer],
        tags: &[String],
    ) -> Result<()> {
        let hex = subject.to_string().replacen(':', "-", 1);
        let by_api: Vec<Referrer> = found
            .iter()
            .filter(|r| r.found_by == "api")
            .cloned()
            .collect();
        if !by_api.is_empty() {
            self.walked.api_referrers.push((subject.clone(), by_api));
        }
        // BuildKit's are the index's own children; cosign's are their tags' manifests.
        for r in found
            .iter()
            .filter(|r| !matches!(r.found_by, "index" | "cosign-tag"))
        {
            self.walked.manifest_reads += 1;
            let manifest = self.source.manifest(self.repo, &r.digest).await?;
            self.manifest(manifest, None, 0).await?;
            if let Some(last) = self
                .walked
                .manifests
                .last_mut()
                .filter(|m| m.manifest.digest == r.digest)
            {
                last.listed = true;
            }
        }
        for tag in [
            hex.clone(),
            format!("{hex}.sig"),
            format!("{hex}.att"),
            format!("{hex}.sbom"),
        ] {
            if !tags.contains(&tag) {
                continue;
            }
            self.walked.manifest_reads += 1;
            let manifest = self.source.manifest_by_tag(self.repo, &tag).await?;
            self.manifest(manifest, Some(tag), 0).await?;
        }
        for r in found {
            Box::pin(self.referrers(&r.digest, &r.referrers, tags)).await?;
        }
        Ok(())
    }

    fn bad(&self, detail: &str) -> Error {
        Error::InvalidResponse {
            registry: format!("{}/{}", self.source.name(), self.repo),
            detail: detail.to_string(),
        }
    }
}
