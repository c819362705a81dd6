//! Putting a deleted manifest back into a layout: only while every blob it
//! needs is still there, and never over a tag that exists again.

use super::store::{LayoutStore, REF_NAME};
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::manifest::Manifest;
use serde_json::json;

/// A manifest to put back, with the tags it had.
#[derive(Debug, Clone)]
pub struct Restorable {
    pub repository: String,
    pub tags: Vec<String>,
    pub media_type: String,
    pub digest: Digest,
    pub manifest: Vec<u8>,
}

pub const BLOBS_GONE: &str =
    "the blobs this manifest needs are gone (garbage-collected or pruned); it cannot be restored";

impl LayoutStore {
    /// Writes the manifest blob (when missing) and adds an index entry per tag
    /// that is not there; returns the tags put back.
    pub fn restore(&self, item: &Restorable) -> Result<Vec<String>> {
        let repo = item.repository.as_str();
        let decoded = Manifest::decode(
            item.digest.clone(),
            None,
            bytes::Bytes::from(item.manifest.clone()),
        )
        .map_err(|e| Error::Config(format!("the saved manifest does not parse: {e}")))?;
        let needed = decoded
            .doc
            .manifests
            .iter()
            .chain(&decoded.doc.config)
            .chain(&decoded.doc.layers);
        for desc in needed {
            let present = desc.parsed_digest().is_ok_and(|d| self.has_blob(repo, &d));
            if !present {
                return Err(Error::NotFound {
                    what: format!("{BLOBS_GONE} ({} is missing)", desc.digest),
                });
            }
        }
        if !self.has_blob(repo, &item.digest) {
            self.write_blob(repo, &item.digest, &item.manifest)?;
        }
        let existing = self.tags(repo)?.items;
        let entry = |tag: Option<&String>| {
            let mut descriptor = json!({
                "mediaType": item.media_type,
                "digest": item.digest.to_string(),
                "size": item.manifest.len(),
            });
            if let Some(tag) = tag {
                descriptor["annotations"] = json!({ REF_NAME: tag });
            }
            descriptor
        };
        let mut restored = Vec::new();
        for tag in item.tags.iter().filter(|t| !existing.contains(t)) {
            self.add_entry(repo, entry(Some(tag)))?;
            restored.push(tag.clone());
        }
        if item.tags.is_empty() {
            self.add_entry(repo, entry(None))?;
        }
        Ok(restored)
    }
}
