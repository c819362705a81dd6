//! One row of the tags pane: what a tag points at, its size, age and platforms.

use super::image::{descriptor_digest, image_config};
use crate::oci::Result;
use crate::oci::digest::Digest;
use crate::oci::manifest::{Manifest, ManifestKind};
use crate::store::CachedSource;

use futures_util::StreamExt;
use std::sync::Arc;

/// RFC 3339 → Unix seconds.
pub fn unix_seconds(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// Unix seconds → RFC 3339 (`None` outside what a timestamp can hold).
pub fn rfc3339(seconds: i64) -> Option<String> {
    jiff::Timestamp::from_second(seconds)
        .ok()
        .map(|t| t.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactKind {
    Image,
    Index,
    Artifact,
    Signature,
    Schema1,
}

impl ArtifactKind {
    pub fn label(self) -> &'static str {
        match self {
            ArtifactKind::Image => "image",
            ArtifactKind::Index => "index",
            ArtifactKind::Artifact => "artifact",
            ArtifactKind::Signature => "signature",
            ArtifactKind::Schema1 => "schema1",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TagSummary {
    pub digest: Digest,
    pub kind: ArtifactKind,
    /// Compressed bytes of the platform images' layers (attestations excluded).
    pub size: u64,
    /// Creation time in Unix seconds (from the config).
    pub created: Option<i64>,
    /// `os/arch[/variant]` of each platform image (shared between rows that match).
    pub platforms: Arc<[String]>,
    /// What is broken: an index's platform manifests the repository lacks.
    pub missing: Option<Box<[Digest]>>,
    /// What the registry's referrers API lists for it (`None` without the
    /// API, or when nothing refers to it).
    pub referred: Option<crate::model::attached::Attached>,
}

/// cosign/sigstore-style tags that carry signatures, attestations and SBOMs.
pub fn is_signature_tag(tag: &str) -> bool {
    let Some(rest) = tag.strip_prefix("sha256-") else {
        return false;
    };
    [".sig", ".att", ".sbom"]
        .iter()
        .any(|suffix| rest.strip_suffix(suffix).is_some_and(|hex| hex.len() == 64))
}

pub async fn summarize(source: &CachedSource, repo: &str, tag: &str) -> Result<TagSummary> {
    let digest = source.source().resolve(repo, tag).await?;
    source.remember_tag(repo, tag, &digest);
    summarize_digest(source, repo, tag, &digest).await
}

/// The summary of `tag` when its digest is already known (a stored snapshot).
pub async fn summarize_digest(
    source: &CachedSource,
    repo: &str,
    tag: &str,
    digest: &Digest,
) -> Result<TagSummary> {
    let manifest = source.manifest(repo, digest).await?;
    let mut summary = match manifest.kind {
        ManifestKind::Index => index_summary(source, repo, &manifest).await?,
        ManifestKind::Image => image_summary(source, repo, &manifest).await?,
        ManifestKind::Schema1 => bare(&manifest, ArtifactKind::Schema1),
        ManifestKind::Unknown => bare(&manifest, ArtifactKind::Artifact),
    };
    if is_signature_tag(tag) {
        summary.kind = ArtifactKind::Signature;
    } else if matches!(summary.kind, ArtifactKind::Image | ArtifactKind::Index)
        && source.freshness() != crate::store::Freshness::Offline
    {
        // The store's answers (warm start) cost no request: no referrers there.
        summary.referred = referred(source, repo, digest).await;
    }
    Ok(summary)
}

/// What the referrers API lists for `digest`, as badges (one request, and
/// none once the registry showed it has no such API; a failure is no badge).
async fn referred(
    source: &CachedSource,
    repo: &str,
    digest: &Digest,
) -> Option<crate::model::attached::Attached> {
    let index = source.source().referrers(repo, digest).await.ok()??;
    let mut attached = crate::model::attached::Attached::default();
    for d in &index.doc.manifests {
        attached.add_artifact_type(d.artifact_type.as_deref().unwrap_or(&d.media_type));
    }
    (!index.doc.manifests.is_empty()).then_some(attached)
}

/// The last-known rows of `repo` from the store alone (no request): each
/// snapshot tag with its digest when it was looked up, and the snapshot's
/// time. `None` when the repository was never seen. Cheap: one read.
pub async fn stored_rows(
    source: &CachedSource,
    repo: &str,
) -> Option<(Vec<(String, Option<Digest>)>, i64)> {
    let snapshot = source.stored_snapshot(repo).await?;
    let mut rows: Vec<(String, Option<Digest>)> = snapshot
        .tags
        .into_iter()
        .map(|(tag, digest)| (tag, Some(digest)))
        .collect();
    rows.extend(snapshot.unresolved.into_iter().map(|tag| (tag, None)));
    Some((rows, snapshot.taken_at))
}

/// The summaries the store can give for these rows (no request); rows whose
/// content is not stored are left out.
pub async fn stored_summaries(
    source: &CachedSource,
    repo: &str,
    rows: Vec<(String, Digest)>,
    width: usize,
) -> Vec<(String, TagSummary)> {
    let Some(offline) = source.offline_view() else {
        return Vec::new();
    };
    let offline = &offline;
    futures_util::stream::iter(rows)
        .map(|(tag, digest)| async move {
            let summary = summarize_digest(offline, repo, &tag, &digest).await.ok();
            summary.map(|s| (tag, s))
        })
        .buffer_unordered(width.max(1))
        .filter_map(std::future::ready)
        .collect()
        .await
}

fn bare(manifest: &Manifest, kind: ArtifactKind) -> TagSummary {
    TagSummary {
        digest: manifest.digest.clone(),
        kind,
        size: manifest.doc.layer_bytes(),
        created: None,
        platforms: Arc::from([]),
        missing: None,
        referred: None,
    }
}

async fn image_summary(
    source: &CachedSource,
    repo: &str,
    manifest: &Manifest,
) -> Result<TagSummary> {
    let mut summary = bare(manifest, ArtifactKind::Artifact);
    let Some(config) = image_config(source, repo, manifest).await? else {
        return Ok(summary);
    };
    summary.kind = ArtifactKind::Image;
    if let Some(parsed) = &config.parsed {
        summary.created = parsed.created.as_deref().and_then(unix_seconds);
        summary.platforms = crate::model::report::platform_of(None, Some(parsed))
            .into_iter()
            .collect();
    }
    Ok(summary)
}

async fn index_summary(source: &CachedSource, repo: &str, index: &Manifest) -> Result<TagSummary> {
    let mut summary = bare(index, ArtifactKind::Index);
    let platforms: Vec<_> = index
        .doc
        .manifests
        .iter()
        .filter(|d| !d.is_attestation())
        .collect();
    summary.platforms = platforms
        .iter()
        .map(|d| {
            d.platform
                .as_ref()
                .map_or("unknown".to_string(), |p| p.to_string())
        })
        .collect();
    // A child the repository lacks (deleted by digest) is named, not fatal:
    // the row says what is broken instead of only "error".
    let fetched = futures_util::future::try_join_all(platforms.iter().map(|d| async {
        let digest = descriptor_digest(source, d)?;
        match source.manifest(repo, &digest).await {
            Ok(child) => Ok(Ok(child)),
            Err(e) if e.is_not_found() => Ok(Err(digest)),
            Err(e) => Err(e),
        }
    }))
    .await?;
    let (children, missing): (Vec<_>, Vec<_>) = fetched.into_iter().partition(|c| c.is_ok());
    let children: Vec<Arc<Manifest>> = children.into_iter().filter_map(|c| c.ok()).collect();
    let missing: Vec<Digest> = missing.into_iter().filter_map(|c| c.err()).collect();
    if !missing.is_empty() {
        summary.missing = Some(missing.into());
    }
    summary.size = children
        .iter()
        .fold(0, |sum, c| sum.saturating_add(c.doc.layer_bytes()));
    if let Some(first) = children.first() {
        summary.created = image_summary(source, repo, first).await?.created;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_signature_tags() {
        let hex = "a".repeat(64);
        assert!(is_signature_tag(&format!("sha256-{hex}.sig")));
        assert!(is_signature_tag(&format!("sha256-{hex}.att")));
        assert!(is_signature_tag(&format!("sha256-{hex}.sbom")));
        assert!(!is_signature_tag("sha256-abc.sig"));
        assert!(!is_signature_tag("v1.sig"));
    }
}
