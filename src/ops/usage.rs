//! Gathering what `du` and the usage view need: each tag's digest and each
//! digest's objects, fetched once each through the content cache, in parallel.

use super::image::{descriptor_digest, image_config};
use crate::model::registry_usage::{RepositoryObjects, objects_of};
use crate::model::report::kind_name;
use crate::model::usage::{DigestObjects, RepoUsage, repo_usage};
use crate::oci::Result;
use crate::oci::digest::Digest;
use crate::oci::manifest::{Manifest, ManifestKind};
use crate::store::{CachedSource, Freshness};
use futures_util::{StreamExt, TryStreamExt};
use std::collections::HashMap;

/// Everything known about a repository's storage.
#[derive(Debug, Clone)]
pub struct UsageData {
    pub usage: RepoUsage,
    pub tag_digests: Vec<(String, Digest)>,
    pub objects: HashMap<Digest, DigestObjects>,
}

impl UsageData {
    /// The tags on `digest`, in natural order.
    pub fn tags_of(&self, digest: &Digest) -> Vec<String> {
        let mut tags: Vec<String> = self
            .tag_digests
            .iter()
            .filter(|(_, d)| d == digest)
            .map(|(t, _)| t.clone())
            .collect();
        crate::model::tag_order::sort_natural(&mut tags);
        tags
    }
}

/// Lists, resolves and sizes every tag of `repo`. `progress(done, total)` is called
/// as tags resolve.
pub async fn repository_usage(
    source: &CachedSource,
    repo: &str,
    concurrency: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<UsageData> {
    let current = tag_digests(source, repo, concurrency, progress).await?;
    let tag_digests = current.tags;
    let mut unique: Vec<Digest> = tag_digests.iter().map(|(_, d)| d.clone()).collect();
    unique.sort();
    unique.dedup();
    let objects: HashMap<Digest, DigestObjects> = futures_util::stream::iter(unique)
        .map(|digest| async move {
            let o = digest_objects(source, repo, &digest).await?;
            Ok::<_, crate::oci::Error>((digest, o))
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    let mut usage = repo_usage(
        &source.source().display_repository(repo),
        &tag_digests,
        &objects,
    );
    usage.not_cached = current.not_cached;
    usage.as_of = current.as_of.and_then(super::summary::rfc3339);
    Ok(UsageData {
        usage,
        tag_digests,
        objects,
    })
}

/// One repository's share of a registry's usage (`du REGISTRY`, the
/// browser's registry usage): its tags, images and objects.
pub async fn repository_objects(
    source: &CachedSource,
    repo: &str,
    concurrency: usize,
) -> Result<RepositoryObjects> {
    let data = repository_usage(source, repo, concurrency, &|_, _| {}).await?;
    Ok(RepositoryObjects {
        repository: repo.to_string(),
        tags: data.tag_digests.len(),
        images: data.objects.len(),
        objects: objects_of(&data.objects),
    })
}

/// `repository_objects` from the store alone (no request), and when its tag
/// snapshot was taken; `None` unless every tag and object is stored.
pub async fn stored_repository_objects(
    source: &CachedSource,
    repo: &str,
    concurrency: usize,
) -> Option<(RepositoryObjects, i64)> {
    let offline = source.offline_view()?;
    let snapshot = offline.stored_snapshot(repo).await?;
    if !snapshot.unresolved.is_empty() {
        return None;
    }
    let objects = repository_objects(&offline, repo, concurrency).await.ok()?;
    Some((objects, snapshot.taken_at))
}

/// What the tags of a repository point at, and when that was seen when it
/// comes from a stored snapshot (Unix seconds).
pub struct TagDigests {
    pub tags: Vec<(String, Digest)>,
    /// Listed tags the snapshot has no digest for (offline only).
    pub not_cached: Vec<String>,
    pub as_of: Option<i64>,
}

/// Tag → digest of every tag: from the stored snapshot when the freshness
/// allows it, else looked up now (a HEAD per tag once the repository was seen,
/// since its manifests are then in the store) and kept as the new snapshot.
pub async fn tag_digests(
    source: &CachedSource,
    repo: &str,
    concurrency: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<TagDigests> {
    let snapshot = source.snapshot(repo);
    let now = jiff::Timestamp::now().as_second();
    match snapshot {
        Some(s) if source.freshness().trusts(&s, now) => {
            return Ok(TagDigests {
                tags: s.tags,
                not_cached: s.unresolved,
                as_of: Some(s.taken_at),
            });
        }
        None if source.freshness() == Freshness::Offline => {
            return Err(crate::oci::Error::NotFound {
                what: format!(
                    "the tags of {repo} are not cached (--offline answers from the cache only)"
                ),
            });
        }
        _ => {}
    }
    let listing = source.source().tags(repo).await?;
    let seen_before = snapshot.is_some();
    let tags = resolve_tags(
        source,
        repo,
        &listing.items,
        concurrency,
        progress,
        seen_before,
    )
    .await?;
    // A partial list is no snapshot: `changes` would read every tag past
    // the cut as new, or as removed next time.
    if listing.incomplete.is_none() {
        source.save_snapshot(repo, &tags);
    }
    Ok(TagDigests {
        tags,
        not_cached: Vec::new(),
        as_of: None,
    })
}

/// Tag → digest for every tag; a tag deleted meanwhile is left out. `by_head`:
/// a HEAD per tag (the manifests are likely stored), else a GET by tag (one
/// request that also brings the manifest).
pub(crate) async fn resolve_tags(
    source: &CachedSource,
    repo: &str,
    tags: &[String],
    concurrency: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
    by_head: bool,
) -> Result<Vec<(String, Digest)>> {
    if let Some(resolved) = source.source().resolve_all(repo, tags).await? {
        progress(tags.len(), tags.len());
        return Ok(resolved);
    }
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let done = &counter;
    let total = tags.len();
    let resolved: Vec<Option<(String, Digest)>> = futures_util::stream::iter(tags.iter().cloned())
        .map(|tag| async move {
            let result = match by_head {
                true => source.source().resolve(repo, &tag).await,
                false => source
                    .manifest_by_tag(repo, &tag)
                    .await
                    .map(|m| m.digest.clone()),
            };
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(n, total);
            resolved_or_gone(tag, result)
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    Ok(resolved.into_iter().flatten().collect())
}

/// A tag's digest; a tag deleted meanwhile (or not a valid name) is `None`.
fn resolved_or_gone(tag: String, result: Result<Digest>) -> Result<Option<(String, Digest)>> {
    match result {
        Ok(digest) => Ok(Some((tag, digest))),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) if e.is_invalid_name() => {
            tracing::warn!(error = %e, "a listed tag is left out");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The objects one manifest digest keeps alive, with their sizes.
pub async fn digest_objects(
    source: &CachedSource,
    repo: &str,
    digest: &Digest,
) -> Result<DigestObjects> {
    let manifest = source.manifest(repo, digest).await?;
    let mut o = DigestObjects {
        kind: kind_name(manifest.kind),
        ..DigestObjects::default()
    };
    o.objects.insert(digest.clone(), manifest.raw.len() as u64);
    match manifest.kind {
        ManifestKind::Index => {
            for child in &manifest.doc.manifests {
                let child_digest = descriptor_digest(source, child)?;
                o.objects.insert(child_digest.clone(), child.size);
                let child_manifest = source.manifest(repo, &child_digest).await?;
                add_image(
                    source,
                    repo,
                    &child_manifest,
                    child.is_attestation(),
                    &mut o,
                )
                .await?;
            }
        }
        _ => add_image(source, repo, &manifest, false, &mut o).await?,
    }
    Ok(o)
}

async fn add_image(
    source: &CachedSource,
    repo: &str,
    manifest: &Manifest,
    attestation: bool,
    o: &mut DigestObjects,
) -> Result<()> {
    for layer in &manifest.doc.layers {
        o.objects
            .insert(descriptor_digest(source, layer)?, layer.size);
    }
    if !attestation {
        o.size = o.size.saturating_add(manifest.doc.layer_bytes());
    }
    let Some(config) = &manifest.doc.config else {
        return Ok(());
    };
    let config_digest = descriptor_digest(source, config)?;
    o.objects.insert(config_digest.clone(), config.size);
    if !attestation
        && o.created.is_none()
        && let Some(blob) = image_config(source, repo, manifest).await?
    {
        o.created = blob.parsed.as_ref().and_then(|c| c.created.clone());
    }
    Ok(())
}

/// Every tagged digest's objects in each repository of the registry except
/// `planned` (what a registry-wide figure weighs a plan against). A catalog
/// cut short is an error: a figure weighed against part of it would be wrong.
pub async fn objects_outside(
    source: &CachedSource,
    planned: &[&str],
    concurrency: usize,
) -> Result<Vec<HashMap<Digest, DigestObjects>>> {
    let listing = source.source().repositories().await?;
    if let Some(why) = listing.incomplete {
        return Err(crate::oci::Error::Config(format!(
            "the catalog is incomplete ({why}): the registry-wide figure cannot be weighed"
        )));
    }
    let mut others = Vec::new();
    for repo in listing
        .items
        .iter()
        .filter(|r| !planned.contains(&r.as_str()))
    {
        let data = repository_usage(source, repo, concurrency, &|_, _| {}).await?;
        others.push(data.objects);
    }
    Ok(others)
}
