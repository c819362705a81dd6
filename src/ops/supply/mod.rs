//! What is attached to an image, read: SBOMs, provenance, signatures. Found
//! wherever they are (OCI 1.1 referrers or the tag schema, cosign's tags,
//! BuildKit's attestation manifests inside an index); every statement is
//! checked to be about the image it was found for before it counts.

pub mod read;
pub mod search;
pub mod verify;

use super::referrers::{self, Referrer};
use crate::oci::Result;
use crate::oci::digest::Digest;
use crate::oci::manifest::{Manifest, ManifestKind, Platform};
use crate::store::CachedSource;
use std::sync::Arc;

/// The BuildKit annotation naming the image an attestation manifest is about.
const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
/// Platform images of an index read at most (each costs a manifest and its
/// referrers); past it the index is refused rather than half-read.
pub const MAX_CHILDREN: usize = 64;

/// One artifact attached to an image.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The platform of the image it is about (`None`: the index itself, or a
    /// single image).
    pub platform: Option<String>,
    /// The digest it is about.
    pub about: Digest,
    /// `api`, `tag-schema`, `cosign-tag` or `index`.
    pub found_by: &'static str,
    pub manifest: Arc<Manifest>,
}

/// Every artifact attached to `top` (and, for an index, to each platform
/// image, or to the one `platform` selects) in `repo`, whose tags are `tags`.
pub async fn attachments(
    source: &CachedSource,
    repo: &str,
    top: &Arc<Manifest>,
    tags: &[String],
    platform: Option<&Platform>,
) -> Result<Vec<Attachment>> {
    // The index itself too: cosign signs it, and BuildKit lists its
    // attestation manifests in it.
    let mut subjects: Vec<(Option<String>, Arc<Manifest>)> = vec![(None, top.clone())];
    let children = platform_images(top, platform)?;
    for (name, digest) in &children {
        subjects.push((name.clone(), source.manifest(repo, digest).await?));
    }
    let mut found = Vec::new();
    for (name, subject) in &subjects {
        let report = referrers::discover(source, repo, subject, tags, None).await?;
        for r in report.referrers {
            if let Some(a) = attach(source, repo, r, name, &subject.digest, &children).await? {
                found.push(a);
            }
        }
    }
    Ok(found)
}

/// The platform images of an index (or the one `platform` selects), once
/// each. An entry calling itself an attestation while it names a real
/// platform is taken for an image: a label must not hide one.
pub fn platform_images(
    top: &Manifest,
    platform: Option<&Platform>,
) -> Result<Vec<(Option<String>, Digest)>> {
    let mut children: Vec<(Option<String>, Digest)> = Vec::new();
    if top.kind != ManifestKind::Index {
        return Ok(children);
    }
    for d in &top.doc.manifests {
        let unknown = d
            .platform
            .as_ref()
            .is_none_or(|p| p.to_string().starts_with("unknown/unknown"));
        if d.is_attestation() && unknown {
            continue;
        }
        let name = d.platform.as_ref().map(ToString::to_string);
        let wanted = platform.is_none_or(|w| d.platform.as_ref().is_some_and(|p| w.selects(p)));
        if let (true, Ok(digest)) = (wanted, d.parsed_digest())
            && !children.iter().any(|(_, c)| *c == digest)
        {
            children.push((name, digest));
        }
    }
    if children.len() > MAX_CHILDREN {
        return Err(crate::oci::Error::TooLarge {
            what: format!(
                "index {} ({} platform images)",
                top.digest.short(),
                children.len()
            ),
            limit: MAX_CHILDREN as u64,
        });
    }
    Ok(children)
}

/// A referrer as an attachment: BuildKit's attestation manifests belong to
/// the platform image their annotation names (one not in `children` is left out).
async fn attach(
    source: &CachedSource,
    repo: &str,
    r: Referrer,
    platform: &Option<String>,
    subject: &Digest,
    children: &[(Option<String>, Digest)],
) -> Result<Option<Attachment>> {
    let (platform, about) = if r.found_by == "index" {
        let named = r
            .annotations
            .get(REFERENCE_DIGEST)
            .and_then(|d| d.parse::<Digest>().ok());
        match named.and_then(|d| children.iter().find(|(_, c)| *c == d).cloned()) {
            Some((name, digest)) => (name, digest),
            None => return Ok(None),
        }
    } else {
        (platform.clone(), subject.clone())
    };
    let manifest = source.manifest(repo, &r.digest).await?;
    Ok(Some(Attachment {
        platform,
        about,
        found_by: r.found_by,
        manifest,
    }))
}

/// What the browser's detail pane shows of an image's supply chain.
#[derive(Debug, Clone, Default)]
pub struct SupplySummary {
    pub sboms: Vec<read::Read<crate::model::sbom::Sbom>>,
    pub provenance: Vec<read::Read<crate::model::provenance::Provenance>>,
    pub signatures: Vec<verify::SignatureCheck>,
}

impl SupplySummary {
    pub fn is_empty(&self) -> bool {
        self.sboms.is_empty() && self.provenance.is_empty() && self.signatures.is_empty()
    }
}

/// Everything attached to `digest` in `repo` (`tags`: the tags that may be
/// about it), read, and its signatures checked against `key` when given.
pub async fn summary(
    source: &CachedSource,
    repo: &str,
    digest: &Digest,
    tags: &[String],
    key: Option<&crate::model::signature::PublicKey>,
) -> Result<SupplySummary> {
    let top = source.manifest(repo, digest).await?;
    let attached = attachments(source, repo, &top, tags, None).await?;
    let (sboms, provenance) = read::documents(source, repo, &attached).await;
    Ok(SupplySummary {
        sboms,
        provenance,
        signatures: verify::checks(source, repo, &attached, key).await,
    })
}

/// Where an image stands against its repository's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A signature verifies with the key and names the image.
    Verified,
    /// Signed, but nothing verifies (another key, a changed payload, keyless).
    Unverified,
    Unsigned,
}

/// `digest`'s signatures checked against `key` (only the signatures are read).
pub async fn standing(
    source: &CachedSource,
    repo: &str,
    digest: &Digest,
    tags: &[String],
    key: &crate::model::signature::PublicKey,
) -> Result<Standing> {
    let top = source.manifest(repo, digest).await?;
    let attached = attachments(source, repo, &top, tags, None).await?;
    let checks = verify::checks(source, repo, &attached, Some(key)).await;
    Ok(if verify::signs(&checks, digest) {
        Standing::Verified
    } else if !checks.iter().any(|c| c.about == *digest) {
        Standing::Unsigned
    } else {
        Standing::Unverified
    })
}
