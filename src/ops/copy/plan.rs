//! A copy's plan: the source walked, the destination asked (HEADs only)
//! what it already has.

pub use super::destination::{Destination, Known};
use super::walk::{BlobRef, ManifestRef, add_referrers, walk};
use super::{Action, BlobStep, CopyOptions, CopyPlan, ManifestStep};
use crate::oci::digest::Digest;
use crate::oci::error::Result;
use crate::oci::manifest::Manifest;
use crate::source::Source;
use crate::store::CachedSource;
use futures_util::{StreamExt, TryStreamExt};
use std::sync::Arc;

/// Plans copying `top` (read from `from`'s `from_repo`) to `to`, under `tag`.
pub async fn plan(
    from: &CachedSource,
    from_repo: &str,
    top: Arc<Manifest>,
    to: &Destination<'_>,
    tag: Option<&str>,
    options: &CopyOptions,
) -> Result<CopyPlan> {
    let platform = options.platform.as_ref();
    let (mut walked, top) = walk(from, from_repo, top, platform, tag.map(str::to_string)).await?;
    if options.referrers {
        let tags = from.source().tags(from_repo).await?.items;
        add_referrers(&mut walked, from, from_repo, &top, &tags).await?;
        super::schema::add_fallback_indexes(&mut walked, to).await?;
    }
    let mountable = same_registry(from.source(), to.source) && from_repo != to.repository;
    let blobs = blob_steps(walked.blobs, to, mountable).await?;
    let manifests = tags_last(manifest_steps(walked.manifests, to).await?, &top.digest);
    Ok(CopyPlan {
        digest: top.digest.clone(),
        tag: tag.map(str::to_string),
        blobs,
        manifests,
        source_manifest_reads: walked.manifest_reads,
    })
}

/// Every manifest by digest first, then the tags (signatures', referrers'),
/// the copied image's own tag last: a copy that fails half-way leaves that
/// tag where it was.
fn tags_last(steps: Vec<ManifestStep>, top: &Digest) -> Vec<ManifestStep> {
    let (untagged, tagged): (Vec<_>, Vec<_>) = steps.into_iter().partition(|m| m.tag.is_none());
    let (own, others): (Vec<_>, Vec<_>) = tagged.into_iter().partition(|m| m.digest == *top);
    untagged.into_iter().chain(others).chain(own).collect()
}

/// Both sides are the same registry: blobs can be mounted, not moved.
fn same_registry(a: &Source, b: &Source) -> bool {
    matches!((a, b), (Source::Registry(a), Source::Registry(b)) if a.name() == b.name())
}

async fn blob_steps(
    blobs: Vec<BlobRef>,
    to: &Destination<'_>,
    mountable: bool,
) -> Result<Vec<BlobStep>> {
    let missing = if mountable {
        Action::Mounted
    } else {
        Action::Copied
    };
    futures_util::stream::iter(blobs)
        .map(|b| blob_step(b, to, missing))
        .buffered(to.width.max(1))
        .try_collect()
        .await
}

async fn blob_step(b: BlobRef, to: &Destination<'_>, missing: Action) -> Result<BlobStep> {
    let present = to.known.blob(&b.digest) || to.source.has_blob(to.repository, &b.digest).await?;
    if present {
        to.known.add_blob(&b.digest);
    }
    Ok(BlobStep {
        action: if present { Action::Skipped } else { missing },
        digest: b.digest,
        media_type: b.media_type,
        size: b.size,
    })
}

/// A tagged manifest is skipped when the tag already names it; an untagged
/// one when the destination holds it. Only a 404 means "not there".
async fn manifest_steps(
    manifests: Vec<ManifestRef>,
    to: &Destination<'_>,
) -> Result<Vec<ManifestStep>> {
    futures_util::stream::iter(manifests)
        .map(|m| manifest_step(m, to))
        .buffered(to.width.max(1))
        .try_collect()
        .await
}

async fn manifest_step(m: ManifestRef, to: &Destination<'_>) -> Result<ManifestStep> {
    let digest = &m.manifest.digest;
    let (present, replaces) = match &m.tag {
        Some(tag) => {
            let now = tag_names(to, tag).await?;
            (now.as_ref() == Some(digest), now.filter(|d| d != digest))
        }
        None => {
            let there = to.known.manifest(digest)
                || to.source.manifest_exists(to.repository, digest).await?;
            (there, None)
        }
    };
    Ok(ManifestStep {
        digest: digest.clone(),
        media_type: m.manifest.media_type.clone(),
        tag: m.tag,
        replaces,
        action: if present {
            Action::Skipped
        } else {
            Action::Copied
        },
        manifest: m.manifest,
        listed: m.listed,
    })
}

/// What `tag` names at the destination (`None`: no such tag, or no such
/// repository or layout yet).
pub async fn tag_names(to: &Destination<'_>, tag: &str) -> Result<Option<Digest>> {
    match to.source.resolve(to.repository, tag).await {
        Ok(digest) => Ok(Some(digest)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}
