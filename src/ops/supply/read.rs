//! The documents inside attachments: SBOM files, in-toto statements (bare or
//! in a DSSE envelope) and cosign simple-signing payloads, each fetched once
//! (kept in the store by digest), capped, and read as claims.

use super::Attachment;
use crate::model::intoto::{self, Statement};
use crate::model::provenance::{self, Provenance};
use crate::model::sbom::{self, Sbom};
use crate::oci::digest::Digest;
use crate::oci::manifest::Descriptor;
use crate::store::CachedSource;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// The largest SBOM or statement read.
pub const DOCUMENT_LIMIT: u64 = 64 << 20;
/// The largest signature payload read.
pub const PAYLOAD_LIMIT: u64 = 1 << 20;
/// cosign's annotations on a simple-signing layer.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
pub const CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";

/// One document read from an attachment: what it says, or why it could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct Read<T> {
    pub platform: Option<String>,
    pub found_by: &'static str,
    /// The attached manifest, and the blob inside it.
    pub referrer: Digest,
    pub blob: Digest,
    #[serde(flatten)]
    pub document: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The whole in-toto statement it came from (the browser shows it).
    #[serde(skip)]
    pub statement: Option<std::sync::Arc<serde_json::Value>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LayerKind {
    Statement,
    Sbom,
    SimpleSigning,
    Other,
}

fn layer_kind(media_type: &str) -> LayerKind {
    let t = media_type.to_ascii_lowercase();
    if t.contains("in-toto") || t.contains("dsse") {
        LayerKind::Statement
    } else if t.contains("spdx") || t.contains("cyclonedx") {
        LayerKind::Sbom
    } else if t.contains("simplesigning") {
        LayerKind::SimpleSigning
    } else {
        LayerKind::Other
    }
}

/// The layers of `kind` in an attachment, with their digests.
fn layers(a: &Attachment, kind: LayerKind) -> Vec<(&Descriptor, Option<Digest>)> {
    a.manifest
        .doc
        .layers
        .iter()
        .filter(|l| layer_kind(&l.media_type) == kind)
        .map(|l| (l, l.parsed_digest().ok()))
        .collect()
}

/// Bytes of documents read for one image at most, whatever their number.
pub const IMAGE_BUDGET: u64 = 256 << 20;

/// What is left of an image's budget of document bytes.
pub struct Budget(AtomicU64);

impl Default for Budget {
    fn default() -> Budget {
        Budget(AtomicU64::new(IMAGE_BUDGET))
    }
}

/// A blob's bytes, refused unread when its descriptor claims more than
/// `limit` or than what is left of `budget`.
async fn blob(
    source: &CachedSource,
    repo: &str,
    layer: &Descriptor,
    digest: &Digest,
    limit: u64,
    budget: &Budget,
) -> Result<bytes::Bytes, String> {
    let left = budget.0.load(Ordering::Relaxed);
    if layer.size > limit.min(left) {
        let why = if layer.size > limit {
            "cap"
        } else {
            "image's budget left"
        };
        return Err(format!(
            "blob {} claims {} bytes, over the {}-byte {why}: not read",
            digest.short(),
            layer.size,
            limit.min(left)
        ));
    }
    let bytes = source
        .document(repo, digest, limit.min(left))
        .await
        .map_err(|e| e.to_string())?;
    budget
        .0
        .fetch_sub((bytes.len() as u64).min(left), Ordering::Relaxed);
    Ok(bytes)
}

fn read<T>(a: &Attachment, blob: Digest, result: Result<T, String>) -> Read<T> {
    let (document, error) = match result {
        Ok(d) => (Some(d), None),
        Err(e) => (None, Some(e)),
    };
    Read {
        platform: a.platform.clone(),
        found_by: a.found_by,
        referrer: a.manifest.digest.clone(),
        blob,
        document,
        error,
        statement: None,
    }
}

/// BuildKit's (and cosign's) annotation naming a statement layer's predicate.
const PREDICATE_ANNOTATION: &str = "in-toto.io/predicate-type";

/// An unreadable statement is reported once: with the provenances when its
/// layer says it is one, else with the SBOMs.
fn said_provenance(a: &Attachment, blob: &Digest) -> bool {
    a.manifest.doc.layers.iter().any(|l| {
        l.digest == blob.to_string()
            && l.annotations
                .get(PREDICATE_ANNOTATION)
                .is_some_and(|t| intoto::is_provenance_type(t))
    })
}

/// The statements of `a` that are about the image it was found for.
async fn statements(
    source: &CachedSource,
    repo: &str,
    a: &Attachment,
    budget: &Budget,
) -> Vec<(Digest, Result<Statement, String>)> {
    let mut out = Vec::new();
    for (layer, digest) in layers(a, LayerKind::Statement) {
        let Some(digest) = digest else { continue };
        let statement = blob(source, repo, layer, &digest, DOCUMENT_LIMIT, budget)
            .await
            .and_then(|bytes| intoto::statement(&bytes).map_err(|e| e.0))
            .and_then(|s| {
                if s.is_about(&a.about.to_string()) {
                    Ok(s)
                } else {
                    Err(format!("the statement is not about {}", a.about.short()))
                }
            });
        out.push((digest, statement));
    }
    out
}

/// Every SBOM of the attachments: SBOM files and SBOM statements.
pub async fn sboms(source: &CachedSource, repo: &str, attached: &[Attachment]) -> Vec<Read<Sbom>> {
    documents(source, repo, attached).await.0
}

/// Every provenance statement of the attachments.
pub async fn provenances(
    source: &CachedSource,
    repo: &str,
    attached: &[Attachment],
) -> Vec<Read<Provenance>> {
    documents(source, repo, attached).await.1
}

/// The SBOMs and provenances of the attachments, each blob read once,
/// within one image's budget.
pub async fn documents(
    source: &CachedSource,
    repo: &str,
    attached: &[Attachment],
) -> (Vec<Read<Sbom>>, Vec<Read<Provenance>>) {
    let budget = Budget::default();
    let (mut sboms, mut provenances) = (Vec::new(), Vec::new());
    for a in attached {
        for (layer, digest) in layers(a, LayerKind::Sbom) {
            let Some(digest) = digest else { continue };
            let parsed = blob(source, repo, layer, &digest, DOCUMENT_LIMIT, &budget)
                .await
                .and_then(|b| sbom::parse(&b).map_err(|e| e.0));
            sboms.push(read(a, digest, parsed));
        }
        for (digest, statement) in statements(source, repo, a, &budget).await {
            match statement {
                Ok(s) if s.is_sbom() => {
                    let parsed = sbom::from_value(s.predicate).map_err(|e| e.0);
                    sboms.push(read(a, digest, parsed));
                }
                Ok(s) if s.is_provenance() => provenances.push(provenance_read(a, digest, &s)),
                Ok(_) => {}
                // Unreadable: reported once, where its layer says it belongs.
                Err(e) if said_provenance(a, &digest) => provenances.push(read(a, digest, Err(e))),
                Err(e) => sboms.push(read(a, digest, Err(e))),
            }
        }
    }
    (sboms, provenances)
}

fn provenance_read(a: &Attachment, digest: Digest, s: &Statement) -> Read<Provenance> {
    let parsed = provenance::parse(&s.predicate_type, &s.predicate);
    let mut found = read(a, digest, parsed.map_err(|e| e.0));
    let whole = crate::model::provenance::redacted(&s.whole());
    found.statement = Some(std::sync::Arc::new(whole));
    found
}

/// A cosign simple-signing layer: its payload and annotations, unchecked.
#[derive(Debug, Clone)]
pub struct SignatureLayer {
    pub platform: Option<String>,
    pub found_by: &'static str,
    pub referrer: Digest,
    pub about: Digest,
    pub payload: Result<bytes::Bytes, String>,
    pub signature: Option<String>,
    pub certificate: Option<String>,
}

pub async fn signatures(
    source: &CachedSource,
    repo: &str,
    attached: &[Attachment],
) -> Vec<SignatureLayer> {
    let budget = Budget::default();
    let mut out = Vec::new();
    for a in attached {
        for (layer, digest) in layers(a, LayerKind::SimpleSigning) {
            let payload = match &digest {
                Some(d) => blob(source, repo, layer, d, PAYLOAD_LIMIT, &budget).await,
                None => Err("the layer's digest is malformed".into()),
            };
            out.push(SignatureLayer {
                platform: a.platform.clone(),
                found_by: a.found_by,
                referrer: a.manifest.digest.clone(),
                about: a.about.clone(),
                payload,
                signature: layer.annotations.get(SIGNATURE_ANNOTATION).cloned(),
                certificate: layer.annotations.get(CERTIFICATE_ANNOTATION).cloned(),
            });
        }
    }
    out
}
