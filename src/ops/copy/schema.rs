//! Referrers the source's referrers API lists reach a destination without
//! the API through the OCI tag schema: an index tagged `sha256-<subject>`
//! listing them (merged with the one the destination may have).

use super::destination::Destination;
use super::walk::{ManifestRef, Walked};
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::manifest::{MANIFEST_LIMIT, Manifest, OCI_INDEX};
use crate::ops::referrers::Referrer;
use serde_json::{Value, json};
use std::sync::Arc;

/// Adds, after the referrers, one tag-schema index per subject whose
/// referrers the source's API listed, where the destination has no API and
/// the copy does not already carry the source's own index of that name.
pub async fn add_fallback_indexes(walked: &mut Walked, to: &Destination<'_>) -> Result<()> {
    for (subject, referrers) in std::mem::take(&mut walked.api_referrers) {
        let tag = subject.to_string().replacen(':', "-", 1);
        let carried = walked
            .manifests
            .iter()
            .any(|m| m.tag.as_deref() == Some(&tag));
        if carried
            || to
                .source
                .referrers(to.repository, &subject)
                .await?
                .is_some()
        {
            continue;
        }
        if let Some(index) = merged_index(to, &tag, &referrers).await? {
            walked.manifests.push(ManifestRef {
                manifest: Arc::new(index),
                tag: Some(tag),
                listed: true,
            });
        }
    }
    Ok(())
}

/// The destination's index under `tag` (if any) with `referrers` added;
/// `None` when it lists them all already.
async fn merged_index(
    to: &Destination<'_>,
    tag: &str,
    referrers: &[Referrer],
) -> Result<Option<Manifest>> {
    let mut entries: Vec<Value> = match to.source.manifest(to.repository, tag).await {
        Ok(existing) => existing_entries(&existing),
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => return Err(e),
    };
    let before = entries.len();
    for r in referrers {
        let digest = r.digest.to_string();
        if !entries
            .iter()
            .any(|e| e.get("digest").and_then(Value::as_str) == Some(&digest))
        {
            entries.push(descriptor(r));
        }
    }
    if entries.len() == before && before > 0 {
        return Ok(None);
    }
    let doc = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries});
    let raw = serde_json::to_vec(&doc).map_err(|e| Error::Config(e.to_string()))?;
    if raw.len() as u64 > MANIFEST_LIMIT {
        return Err(Error::TooLarge {
            what: format!("the referrers index {tag}"),
            limit: MANIFEST_LIMIT,
        });
    }
    let digest = Digest::sha256_of(&raw);
    Manifest::decode(digest, Some(OCI_INDEX), raw.into())
        .map(Some)
        .map_err(|e| Error::Config(format!("the referrers index {tag}: {e}")))
}

fn existing_entries(index: &Manifest) -> Vec<Value> {
    serde_json::from_slice::<Value>(&index.raw)
        .ok()
        .and_then(|v| v.get("manifests").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

fn descriptor(r: &Referrer) -> Value {
    let mut d = json!({"mediaType": r.media_type, "digest": r.digest, "size": r.size});
    if let Some(t) = &r.artifact_type {
        d["artifactType"] = json!(t);
    }
    if !r.annotations.is_empty() {
        d["annotations"] = json!(r.annotations);
    }
    d
}
