//! `search --package`: which images of a repository or a registry contain a
//! package, by their SBOMs. Images without one are unknown, never clean.
//! Each digest is read once however many tags name it; SBOM blobs come from
//! the store after the first search.

use super::read::sboms;
use super::{Attachment, attachments};
use crate::model::attached::referrer_subject;
use crate::model::package_query::PackageQuery;
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

/// Searches every tagged image of `repositories`.
pub async fn search(
    source: &CachedSource,
    repositories: &[String],
    query: &PackageQuery,
    width: usize,
) -> Result<SearchReport> {
    let mut report = SearchReport::default();
    for repo in repositories {
        let listing = source.source().tags(repo).await?;
        let tags = &listing.items;
        let by_digest = digests(source, repo, tags, width).await?;
        report.images += by_digest.len();
        let found: Vec<_> = futures_util::stream::iter(by_digest)
            .map(|(digest, named)| async move {
                let outcome = look_inside(source, repo, tags, &digest, query).await;
                (digest, named, outcome)
            })
            .buffered(width.max(1))
            .collect()
            .await;
        for (digest, named, outcome) in found {
            match outcome {
                Ok(Inside::Hits(hits)) => report.matches.extend(hits.into_iter().map(|h| Hit {
                    repository: repo.clone(),
                    tags: named.clone(),
                    digest: digest.clone(),
                    ..h
                })),
                Ok(Inside::Clean) => {}
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

/// Tag → digest for the image tags (signature and referrer tags left out),
/// grouped by digest.
async fn digests(
    source: &CachedSource,
    repo: &str,
    tags: &[String],
    width: usize,
) -> Result<BTreeMap<Digest, Vec<String>>> {
    let images: Vec<String> = tags
        .iter()
        .filter(|t| referrer_subject(t).is_none())
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
    let attached: Vec<Attachment> = attachments(source, repo, &top, tags, None)
        .await
        .map_err(|e| e.to_string())?;
    let documents = sboms(source, repo, &attached).await;
    let readable: Vec<_> = documents.iter().filter(|d| d.document.is_some()).collect();
    if readable.is_empty() {
        let why = documents
            .iter()
            .find_map(|d| d.error.clone())
            .unwrap_or_else(|| "no SBOM attached".into());
        return Ok(Inside::Unknown(why));
    }
    let mut hits = Vec::new();
    for read in readable {
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
            if !hits.contains(&hit) {
                hits.push(hit);
            }
        }
    }
    Ok(if hits.is_empty() {
        Inside::Clean
    } else {
        Inside::Hits(hits)
    })
}
