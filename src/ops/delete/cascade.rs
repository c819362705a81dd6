//! A digest the user did not name, reached by a cascade (a referrer of a
//! deleted subject, an orphan of a missing one, an emptied referrers index),
//! is deleted only when the registry shows it is one, right now. Tag names,
//! index entries and `subject` fields are claims of whoever could push.

use super::DeleteGroup;
use crate::model::attached::{artifact_kind, referrer_subject, schema_subject};
use crate::oci::digest::Digest;
use crate::oci::error::Result;
use crate::oci::manifest::{Manifest, ManifestKind};
use crate::store::CachedSource;

/// Whether a digest is gone from the repository: asked of the registry every
/// time (a tag delete leaves the manifest; only its 404 says gone). Any other
/// answer is an error (unknown), never "gone".
pub struct Gone<'a> {
    pub source: &'a CachedSource,
    pub repo: &'a str,
}

impl Gone<'_> {
    pub async fn check(&self, digest: &Digest) -> Result<bool> {
        let there = self
            .source
            .source()
            .manifest_exists(self.repo, digest)
            .await?;
        Ok(!there)
    }
}

/// Why a cascaded group must not be deleted, if it must not (`None`: it is
/// verifiably what the plan took it for). `tags` are its tags right now.
pub async fn refusal(
    group: &DeleteGroup,
    manifest: &Manifest,
    tags: &[String],
    gone: &Gone<'_>,
) -> Result<Option<String>> {
    if group.emptied_index {
        return emptied_index_refusal(manifest, tags, gone).await;
    }
    if let Some(index) = &group.child_of {
        return child_refusal(group, index, gone).await;
    }
    if group.referrer_of.is_none() && group.orphan_of.is_none() {
        return Ok(None);
    }
    for tag in tags {
        let Some(subject) = referrer_subject(tag) else {
            return Ok(Some(format!("not a referrer: also tagged {tag}")));
        };
        if !gone.check(&subject).await? {
            return Ok(Some(format!(
                "not a referrer of a deleted image: its tag {tag} is about {}, which is still there",
                subject.short()
            )));
        }
    }
    if let Some(subject) = manifest
        .doc
        .subject
        .as_ref()
        .and_then(|s| s.parsed_digest().ok())
    {
        if gone.check(&subject).await? {
            return Ok(None);
        }
        return Ok(Some(format!(
            "not a referrer of a deleted image: its subject {} is still there",
            subject.short()
        )));
    }
    let referrers_index = is_referrers_index(manifest, tags);
    if tags.is_empty() || (artifact_kind(&manifest.doc).is_none() && !referrers_index) {
        return Ok(Some(
            "not a referrer: neither a subject field nor its media types say it is one".into(),
        ));
    }
    if referrers_index {
        return listed_refusal(manifest, gone).await;
    }
    Ok(None)
}

/// A child goes only once its index is gone, and only if that index (read
/// from the store: content by digest does not change) really listed it.
async fn child_refusal(
    group: &DeleteGroup,
    index: &Digest,
    gone: &Gone<'_>,
) -> Result<Option<String>> {
    if !gone.check(index).await? {
        return Ok(Some(format!(
            "its index {} is still there; left as it is",
            index.short()
        )));
    }
    let listed = match gone.source.manifest(gone.repo, index).await {
        Ok(m) => m
            .doc
            .manifests
            .iter()
            .any(|d| d.parsed_digest().ok().as_ref() == Some(&group.digest)),
        Err(_) => false,
    };
    if !listed {
        return Ok(Some(format!(
            "cannot confirm that the index {} listed it; left as it is",
            index.short()
        )));
    }
    Ok(None)
}

/// An index tagged only `sha256-<hex>` (the referrers tag schema).
fn is_referrers_index(manifest: &Manifest, tags: &[String]) -> bool {
    manifest.kind == ManifestKind::Index
        && !tags.is_empty()
        && tags.iter().all(|t| schema_subject(t).is_some())
}

/// A referrers index of a subject that stays goes only once everything it
/// lists is gone.
async fn emptied_index_refusal(
    manifest: &Manifest,
    tags: &[String],
    gone: &Gone<'_>,
) -> Result<Option<String>> {
    if !is_referrers_index(manifest, tags) {
        let tags = if tags.is_empty() {
            "no tag".to_string()
        } else {
            tags.join(", ")
        };
        return Ok(Some(format!(
            "not a referrers index: it is tagged {tags}; left as it is"
        )));
    }
    listed_refusal(manifest, gone).await
}

async fn listed_refusal(manifest: &Manifest, gone: &Gone<'_>) -> Result<Option<String>> {
    for entry in &manifest.doc.manifests {
        let Ok(listed) = entry.parsed_digest() else {
            continue;
        };
        if !gone.check(&listed).await? {
            return Ok(Some(format!(
                "it lists {}, which is still there; left as it is",
                listed.short()
            )));
        }
    }
    Ok(None)
}
