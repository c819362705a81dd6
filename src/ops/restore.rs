//! Putting a deleted manifest and its tags back from the trash, while the
//! registry (or layout) still has the blobs it needs. Never overwrites a tag that
//! was pushed again meanwhile.

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
    let repo = &entry.repository;
    for tag in &entry.tags {
        match source.source().resolve(repo, tag).await {
            Ok(now) if now != digest => {
                return Err(Error::Config(format!(
                    "{repo}:{tag} now points at {now}; not overwriting it"
                )));
            }
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
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
