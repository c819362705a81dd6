//! `search --package`: which images of a repository or a registry contain a
//! package, by their SBOMs. Images without one are unknown, never clean.
//! Each digest is read once however many tags name it; SBOM blobs come from
//! the store after the first search.

use super::read::Read;
use super::read::sboms;
use super::{Attachment, attachments};
use crate::model::package_query::PackageQuery;
use crate::model::sbom::Sbom;
use crate::oci::Result;
use crate::oci::digest::Digest;
use crate::store::CachedSource;
use futures_util::StreamExt;
use serde::Serialize;
use std::collections::BTreeMap;

/// An image (a digest, with its tags) that contains the package.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Hit {
    pub repository: String,
    pub tags: Vec<String>,
    pub digest: Digest,
    pub platform: Option<String>,
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
}

/// An image whose contents are not known: no SBOM, or none readable.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Unknown {
    pub repository: String,
    pub tags: Vec<String>,
    pub digest: Digest,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchReport {
    pub images: usize,
    pub matches: Vec<Hit>,
    pub unknown: Vec<Unknown>,
}

/// Searches every tagged image of `repositories`. `before_reading(repo,
/// images)` is told, once a repository's tags are resolved (HEADs, no pull),
/// how many images are about to be read (a manifest each, a pull where not
/// stored).
pub async fn search(
    source: &CachedSource,
    repositories: &[String],
    query: &PackageQuery,
    width: usize,
    before_reading: &(dyn Fn(&str, usize) + Sync),
) -> Result<SearchReport> {
    let mut report = SearchReport::default();
    for repo in repositories {
        let listing = source.source().tags(repo).await?;
        let tags = &listing.items;
        let by_digest = digests(source, repo, tags, width).await?;
        before_reading(repo, by_digest.len());
        let found: Vec<_> = futures_util::stream::iter(by_digest)
            .map(|(digest, named)| async move {
                let outcome = look_inside(source, repo, tags, &digest, query).await;
                (digest, named, outcome)
            })
            .buffered(width.max(1))
            .collect()
            .await;
        for (digest, named, outcome) in found {
            if !matches!(outcome, Ok(Inside::Artifact)) {
                report.images += 1;
            }
            match outcome {
                Ok(Inside::Hits(hits)) => report.matches.extend(hits.into_iter().map(|h| Hit {
                    repository: repo.clone(),
                    tags: named.clone(),
                    digest: digest.clone(),
                    ..h
                })),
                Ok(Inside::Clean | Inside::Artifact) => {}
                Ok(Inside::Unknown(reason)) | Err(reason) => report.unknown.push(Unknown {
                    repository: repo.clone(),
                    tags: named,
                    digest,
                    reason,
                }),
            }
        }
    }
    Ok(report)
}

/// Tag → digest for the image tags (cosign's tags left out),
/// grouped by digest.
async fn digests(
    source: &CachedSource,
    repo: &str,
    tags: &[String],
    width: usize,
) -> Result<BTreeMap<Digest, Vec<String>>> {
    // Cosign's tags are skipped by name (they say what they are); anything
    // else is looked at, and an artifact found by its manifest.
    let images: Vec<String> = tags
        .iter()
        .filter(|t| crate::model::attached::cosign_subject(t).is_none())
        .cloned()
        .collect();
    let resolved =
        crate::ops::usage::resolve_tags(source, repo, &images, width, &|_, _| {}, true).await?;
    let mut by_digest: BTreeMap<Digest, Vec<String>> = BTreeMap::new();
    for (tag, digest) in resolved {
        by_digest.entry(digest).or_default().push(tag);
    }
    Ok(by_digest)
}

enum Inside {
    Hits(Vec<Hit>),
    Clean,
    Unknown(String),
    /// A signature, attestation, SBOM or referrers index: not an image.
    Artifact,
}

async fn look_inside(
    source: &CachedSource,
    repo: &str,
    tags: &[String],
    digest: &Digest,
    query: &PackageQuery,
) -> std::result::Result<Inside, String> {
    let top = source
        .manifest(repo, digest)
        .await
        .map_err(|e| e.to_string())?;
    if is_artifact(&top) {
        return Ok(Inside::Artifact);
    }
    let attached: Vec<Attachment> = attachments(source, repo, &top, tags, None)
        .await
        .map_err(|e| e.to_string())?;
    let documents = sboms(source, repo, &attached).await;
    let hits = hits(digest, &documents, query);
    if !hits.is_empty() {
        return Ok(Inside::Hits(hits));
    }
    // Clean only when every platform image has a whole, readable SBOM.
    if let Some(why) = incomplete(&top, &documents) {
        return Ok(Inside::Unknown(why));
    }
    Ok(Inside::Clean)
}

/// What the tag names do not say: a manifest that is an artifact (by its
/// media types) or an index of artifacts (the referrers tag schema's).
fn is_artifact(m: &crate::oci::manifest::Manifest) -> bool {
    use crate::oci::manifest::ManifestKind;
    match m.kind {
        ManifestKind::Index => {
            !m.doc.manifests.is_empty() && m.doc.manifests.iter().all(|d| d.artifact_type.is_some())
        }
        _ => crate::model::attached::artifact_kind(&m.doc).is_some(),
    }
}

/// Why the SBOMs do not cover the image, if they do not: one unreadable or
/// cut short, or a platform image without one (an SBOM attached to the
/// index itself covers them all).
fn incomplete(top: &crate::oci::manifest::Manifest, documents: &[Read<Sbom>]) -> Option<String> {
    if let Some(e) = documents.iter().find_map(|d| d.error.clone()) {
        return Some(e);
    }
    if documents
        .iter()
        .any(|d| d.document.as_ref().is_some_and(|s| s.truncated))
    {
        return Some("an SBOM lists more packages than are read".into());
    }
    if documents.iter().any(|d| d.platform.is_none()) {
        return None;
    }
    let platforms = super::platform_images(top, None).unwrap_or_default();
    if platforms.is_empty() {
        return Some("no SBOM attached".into());
    }
    let missing: Vec<String> = platforms
        .iter()
        .filter(|(name, _)| !documents.iter().any(|d| d.platform == *name))
        .map(|(name, _)| name.clone().unwrap_or_else(|| "unknown".into()))
        .collect();
    (!missing.is_empty()).then(|| format!("no SBOM for {}", missing.join(", ")))
}

fn hits(digest: &Digest, documents: &[Read<Sbom>], query: &PackageQuery) -> Vec<Hit> {
    let mut seen = std::collections::HashSet::new();
    let mut hits = Vec::new();
    for read in documents {
        let Some(sbom) = &read.document else { continue };
        for p in sbom.packages.iter().filter(|p| query.matches(p)) {
            let hit = Hit {
                repository: String::new(),
                tags: Vec::new(),
                digest: digest.clone(),
                platform: read.platform.clone(),
                name: p.name.clone(),
                version: p.version.clone(),
                purl: p.purl.clone(),
            };
            if seen.insert((
                hit.platform.clone(),
                hit.name.clone(),
                hit.version.clone(),
                hit.purl.clone(),
            )) {
                hits.push(hit);
            }
        }
    }
    hits
}
