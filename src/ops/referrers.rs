//! What refers to an image: signatures, attestations, SBOMs. Found through
//! the OCI 1.1 referrers API when the registry has it, else the referrers tag
//! schema (an index tagged `sha256-<hex>`); plus cosign's tags
//! (`sha256-<hex>.sig|.att|.sbom`) and BuildKit's attestation manifests inside
//! an index. Recursive (a signature of an SBOM), bounded in depth and count.

use crate::oci::Result;
use crate::oci::digest::Digest;
use crate::oci::manifest::{Descriptor, Manifest, ManifestKind};
use crate::store::CachedSource;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Levels below the subject that are looked at (a signature of an SBOM is 2).
pub const MAX_DEPTH: usize = 3;
/// Referrers reported at most, over all levels.
pub const MAX_REFERRERS: usize = 256;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Referrer {
    pub digest: Digest,
    pub media_type: String,
    pub artifact_type: Option<String>,
    pub size: u64,
    pub annotations: BTreeMap<String, String>,
    /// `api`, `tag-schema`, `cosign-tag` or `index`.
    pub found_by: &'static str,
    pub referrers: Vec<Referrer>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReferrersReport {
    pub subject: Digest,
    pub referrers: Vec<Referrer>,
}

/// Every referrer of `subject` in `repo` (whose tags are `tags`), down to
/// `MAX_DEPTH`, those of `artifact_type` only when it is given.
pub async fn discover(
    source: &CachedSource,
    repo: &str,
    subject: &Manifest,
    tags: &[String],
    artifact_type: Option<&str>,
) -> Result<ReferrersReport> {
    let mut budget = MAX_REFERRERS;
    let mut seen = HashSet::from([subject.digest.clone()]);
    // Looked up per subject, suffix and level: a set, not a scan.
    let tags: HashSet<&str> = tags.iter().map(String::as_str).collect();
    let tags = &tags;
    let mut referrers = level(source, repo, &subject.digest, tags, &mut seen, &mut budget).await?;
    referrers.extend(in_index(subject, &mut seen, &mut budget));
    let mut frontier: Vec<&mut Referrer> = referrers.iter_mut().collect();
    for _ in 1..MAX_DEPTH {
        let mut next = Vec::new();
        for parent in frontier {
            parent.referrers =
                level(source, repo, &parent.digest, tags, &mut seen, &mut budget).await?;
            next.extend(parent.referrers.iter_mut());
        }
        frontier = next;
    }
    if let Some(wanted) = artifact_type {
        referrers.retain(|r| r.artifact_type.as_deref() == Some(wanted));
    }
    Ok(ReferrersReport {
        subject: subject.digest.clone(),
        referrers,
    })
}

/// The direct referrers of `digest`: the API's (else the tag schema's), then
/// cosign's tags.
async fn level(
    source: &CachedSource,
    repo: &str,
    digest: &Digest,
    tags: &HashSet<&str>,
    seen: &mut HashSet<Digest>,
    budget: &mut usize,
) -> Result<Vec<Referrer>> {
    let hex = digest.to_string().replacen(':', "-", 1);
    let (index, found_by) = match source.source().referrers(repo, digest).await? {
        Some(index) => (Some(std::sync::Arc::new(index)), "api"),
        None if tags.contains(hex.as_str()) => (
            Some(manifest_by_tag(source, repo, &hex).await?),
            "tag-schema",
        ),
        None => (None, "tag-schema"),
    };
    let mut found = Vec::new();
    for d in index.iter().flat_map(|i| &i.doc.manifests) {
        if let Ok(parsed) = d.parsed_digest()
            && take(seen, budget, &parsed)
        {
            found.push(from_descriptor(parsed, d, found_by));
        }
    }
    for suffix in ["sig", "att", "sbom"] {
        let tag = format!("{hex}.{suffix}");
        if !tags.contains(tag.as_str()) {
            continue;
        }
        let manifest = manifest_by_tag(source, repo, &tag).await?;
        if take(seen, budget, &manifest.digest) {
            found.push(from_manifest(&manifest, "cosign-tag"));
        }
    }
    Ok(found)
}

/// BuildKit's attestation manifests listed in an index (each names the
/// platform image it is about in `vnd.docker.reference.digest`).
fn in_index(subject: &Manifest, seen: &mut HashSet<Digest>, budget: &mut usize) -> Vec<Referrer> {
    if subject.kind != ManifestKind::Index {
        return Vec::new();
    }
    let mut found = Vec::new();
    for d in subject.doc.manifests.iter().filter(|d| d.is_attestation()) {
        if let Ok(parsed) = d.parsed_digest()
            && take(seen, budget, &parsed)
        {
            let mut r = from_descriptor(parsed, d, "index");
            r.artifact_type
                .get_or_insert_with(|| "application/vnd.docker.attestation-manifest".into());
            found.push(r);
        }
    }
    found
}

/// Counts `digest` in, once, while the budget lasts.
fn take(seen: &mut HashSet<Digest>, budget: &mut usize, digest: &Digest) -> bool {
    if *budget == 0 || !seen.insert(digest.clone()) {
        return false;
    }
    *budget -= 1;
    true
}

async fn manifest_by_tag(
    source: &CachedSource,
    repo: &str,
    tag: &str,
) -> Result<std::sync::Arc<Manifest>> {
    source.manifest_by_tag(repo, tag).await
}

fn from_descriptor(digest: Digest, d: &Descriptor, found_by: &'static str) -> Referrer {
    Referrer {
        digest,
        media_type: d.media_type.clone(),
        artifact_type: d.artifact_type.clone(),
        size: d.size,
        annotations: d.annotations.clone(),
        found_by,
        referrers: Vec::new(),
    }
}

/// Config media types that say nothing about the artifact.
const GENERIC_CONFIGS: [&str; 3] = [
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.oci.empty.v1+json",
    "",
];

/// A referrer's artifact type: its own (OCI 1.1), else its config's media
/// type when that is specific, else its first layer's (cosign's signatures
/// carry a generic config and a `simplesigning` layer).
fn artifact_type_of(m: &Manifest) -> Option<String> {
    let config = m.doc.config.as_ref().map(|c| c.media_type.as_str());
    m.doc
        .artifact_type
        .clone()
        .filter(|t| !t.is_empty())
        .or_else(|| {
            config
                .filter(|c| !GENERIC_CONFIGS.contains(c))
                .map(str::to_string)
        })
        .or_else(|| m.doc.layers.first().map(|l| l.media_type.clone()))
        .filter(|t| !t.is_empty())
}

fn from_manifest(m: &Manifest, found_by: &'static str) -> Referrer {
    let artifact_type = artifact_type_of(m);
    Referrer {
        digest: m.digest.clone(),
        media_type: m.media_type.clone(),
        artifact_type,
        size: m.raw.len() as u64,
        annotations: m.doc.annotations.clone(),
        found_by,
        referrers: Vec::new(),
    }
}
