//! Putting a deleted manifest and its tags back from the trash, while the
//! registry (or layout) still has the blobs it needs. Never overwrites a tag that
//! was pushed again meanwhile (a tag `regscope tag` moved goes back while it
//! still names the digest it was moved to).

use crate::layout::Restorable;
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::store::CachedSource;
use crate::store::trash::TrashEntry;

/// Restores `entry`; returns the tags put back.
pub async fn restore(
    source: &CachedSource,
    entry: &TrashEntry,
    manifest: Vec<u8>,
) -> Result<Vec<String>> {
    let digest: Digest = entry
        .digest
        .parse()
        .map_err(|e| Error::Config(format!("trash entry {}: {e}", entry.id)))?;
    if !digest.matches(&manifest) {
        return Err(Error::Config(format!(
            "trash entry {} is damaged: its manifest does not match {digest}",
            entry.id
        )));
    }
    tags_are_free(source, entry, &digest).await?;
    source
        .source()
        .restore(Restorable {
            repository: entry.repository.clone(),
            tags: entry.tags.clone(),
            media_type: entry.media_type.clone(),
            digest,
            manifest,
        })
        .await
}

/// Every tag of `entry` is missing, already names `digest`, or still names
/// the digest `regscope tag` moved it to: anything else was pushed since.
async fn tags_are_free(source: &CachedSource, entry: &TrashEntry, digest: &Digest) -> Result<()> {
    let repo = &entry.repository;
    let moved_to = entry
        .replaced_by
        .as_deref()
        .and_then(|d| d.parse::<Digest>().ok());
    for tag in &entry.tags {
        match source.source().resolve(repo, tag).await {
            Ok(now) if now != *digest && Some(&now) != moved_to.as_ref() => {
                return Err(Error::Config(format!(
                    "{repo}:{tag} now points at {now}; not overwriting it"
                )));
            }
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Before an index goes back, its platform and attestation manifests that
/// went with it (kept in `trash` as their own entries) go back first, untagged:
/// a registry refuses an index whose children are missing. Returns the ids of
/// the entries restored (the caller removes them from the trash).
/// The newest trash copy of `child` from the same repository and place as `entry`.
fn kept_copy<'a>(
    entries: &'a [TrashEntry],
    entry: &TrashEntry,
    child: &Digest,
) -> Option<&'a TrashEntry> {
    let child = child.to_string();
    entries.iter().rev().find(|e| {
        e.digest == child && e.repository == entry.repository && e.location == entry.location
    })
}

pub async fn restore_children(
    source: &CachedSource,
    trash: &crate::store::trash::Trash,
    entry: &TrashEntry,
    manifest: &[u8],
) -> Result<Vec<String>> {
    let Ok(digest) = entry.digest.parse::<Digest>() else {
        return Ok(Vec::new());
    };
    let decoded = crate::oci::manifest::Manifest::decode(
        digest,
        Some(&entry.media_type),
        manifest.to_vec().into(),
    )
    .map_err(|e| Error::Config(format!("trash entry {}: {e}", entry.id)))?;
    let mut restored = Vec::new();
    let entries = trash.list();
    for child in &decoded.doc.manifests {
        let Ok(child) = child.parsed_digest() else {
            continue;
        };
        if source
            .source()
            .manifest_exists(&entry.repository, &child)
            .await?
        {
            continue;
        }
        let Some(kept) = kept_copy(&entries, entry, &child) else {
            continue;
        };
        let (kept, bytes) = trash
            .load(&kept.id)
            .map_err(|e| Error::Config(format!("trash entry {}: {e}", kept.id)))?;
        restore(source, &kept, bytes).await?;
        restored.push(kept.id.clone());
    }
    Ok(restored)
}
