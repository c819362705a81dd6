//! Putting a deleted manifest and its tags back from the trash, while the
//! registry (or layout) still has the blobs it needs. Never overwrites a tag that
//! was pushed again meanwhile.

use super::Source;
use crate::registry::digest::Digest;
use crate::registry::error::{RegistryError, Result};
use crate::registry::manifest::Manifest;
use crate::trash::TrashEntry;
use serde_json::json;

const GONE: &str =
    "the blobs this manifest needs are gone (garbage-collected or pruned); it cannot be restored";

/// Restores `entry`; returns the tags put back.
pub async fn restore(
    source: &Source,
    entry: &TrashEntry,
    manifest: Vec<u8>,
) -> Result<Vec<String>> {
    let digest: Digest = entry
        .digest
        .parse()
        .map_err(|e| RegistryError::Config(format!("trash entry {}: {e}", entry.id)))?;
    if !digest.matches(&manifest) {
        return Err(RegistryError::Config(format!(
            "trash entry {} is damaged: its manifest does not match {digest}",
            entry.id
        )));
    }
    let repo = &entry.repository;
    for tag in &entry.tags {
        match source.resolve(repo, tag).await {
            Ok(now) if now != digest => {
                return Err(RegistryError::Config(format!(
                    "{repo}:{tag} now points at {now}; not overwriting it"
                )));
            }
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    match source {
        Source::Registry(client) => {
            let references: Vec<String> = if entry.tags.is_empty() {
                vec![entry.digest.clone()]
            } else {
                entry.tags.clone()
            };
            for reference in &references {
                let stored = client
                    .put_manifest(
                        repo,
                        reference,
                        &entry.media_type,
                        bytes::Bytes::from(manifest.clone()),
                    )
                    .await
                    .map_err(explain_missing_blobs)?;
                if stored != digest {
                    return Err(RegistryError::DigestMismatch {
                        what: format!("restored {repo}:{reference}"),
                        expected: digest.clone(),
                        actual: stored,
                    });
                }
            }
            Ok(entry.tags.clone())
        }
        Source::Layout(store) => {
            let entry = entry.clone();
            super::on_disk(store, move |s| restore_layout(s, &entry, digest, manifest)).await
        }
    }
}

fn explain_missing_blobs(e: RegistryError) -> RegistryError {
    let text = e.to_string();
    if e.is_not_found() || text.contains("BLOB_UNKNOWN") || text.contains("MANIFEST_UNKNOWN") {
        RegistryError::NotFound {
            what: format!("{GONE} ({text})"),
        }
    } else {
        e
    }
}

fn restore_layout(
    store: &super::layout::LayoutStore,
    entry: &TrashEntry,
    digest: Digest,
    manifest: Vec<u8>,
) -> Result<Vec<String>> {
    let repo = &entry.repository;
    let decoded = Manifest::decode(digest.clone(), None, bytes::Bytes::from(manifest.clone()))
        .map_err(|e| RegistryError::Config(format!("trash entry {}: {e}", entry.id)))?;
    let needed = decoded
        .doc
        .manifests
        .iter()
        .chain(&decoded.doc.config)
        .chain(&decoded.doc.layers);
    for desc in needed {
        let present = desc.parsed_digest().is_ok_and(|d| store.has_blob(repo, &d));
        if !present {
            return Err(RegistryError::NotFound {
                what: format!("{GONE} ({} is missing)", desc.digest),
            });
        }
    }
    if !store.has_blob(repo, &digest) {
        store.write_blob(repo, &digest, &manifest)?;
    }
    let existing = store.tags(repo)?.items;
    let mut restored = Vec::new();
    for tag in &entry.tags {
        if existing.contains(tag) {
            continue;
        }
        let descriptor = json!({
            "mediaType": entry.media_type, "digest": entry.digest, "size": manifest.len(),
            "annotations": {super::layout::REF_NAME: tag},
        });
        store.add_entry(repo, descriptor)?;
        restored.push(tag.clone());
    }
    if entry.tags.is_empty() {
        store.add_entry(
            repo,
            json!({"mediaType": entry.media_type, "digest": entry.digest, "size": manifest.len()}),
        )?;
    }
    Ok(restored)
}
