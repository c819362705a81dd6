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

/// A blob's bytes, refused unread when its descriptor claims more than `limit`.
async fn blob(
    source: &CachedSource,
    repo: &str,
    layer: &Descriptor,
    digest: &Digest,
    limit: u64,
) -> Result<bytes::Bytes, String> {
    if layer.size > limit {
        return Err(format!(
            "blob {} claims {} bytes, over the {limit}-byte cap: not read",
            digest.short(),
            layer.size
        ));
    }
    source
        .document(repo, digest, limit)
        .await
        .map_err(|e| e.to_string())
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
                .is_some_and(|t| t.starts_with("https://slsa.dev/provenance/"))
    })
}

/// The statements of `a` that are about the image it was found for.
async fn statements(
    source: &CachedSource,
    repo: &str,
    a: &Attachment,
) -> Vec<(Digest, Result<Statement, String>)> {
    let mut out = Vec::new();
    for (layer, digest) in layers(a, LayerKind::Statement) {
        let Some(digest) = digest else { continue };
        let statement = blob(source, repo, layer, &digest, DOCUMENT_LIMIT)
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
    let mut out = Vec::new();
    for a in attached {
        for (layer, digest) in layers(a, LayerKind::Sbom) {
            let Some(digest) = digest else { continue };
            let parsed = blob(source, repo, layer, &digest, DOCUMENT_LIMIT)
                .await
                .and_then(|b| sbom::parse(&b).map_err(|e| e.0));
            out.push(read(a, digest, parsed));
        }
        for (digest, statement) in statements(source, repo, a).await {
            match statement {
                Ok(s) if s.is_sbom() => {
                    out.push(read(
                        a,
                        digest,
                        sbom::from_value(s.predicate).map_err(|e| e.0),
                    ));
                }
                Ok(_) => {}
                Err(e) if !said_provenance(a, &digest) => out.push(read(a, digest, Err(e))),
                Err(_) => {}
            }
        }
    }
    out
}

/// Every provenance statement of the attachments.
pub async fn provenances(
    source: &CachedSource,
    repo: &str,
    attached: &[Attachment],
) -> Vec<Read<Provenance>> {
    let mut out = Vec::new();
    for a in attached {
        for (digest, statement) in statements(source, repo, a).await {
            match statement {
                Ok(s) if s.is_provenance() => {
                    let parsed = provenance::parse(&s.predicate_type, &s.predicate);
                    let mut found = read(a, digest, parsed.map_err(|e| e.0));
                    let whole = crate::model::provenance::redacted(&s.whole());
                    found.statement = Some(std::sync::Arc::new(whole));
                    out.push(found);
                }
                Ok(_) => {}
                Err(e) if said_provenance(a, &digest) => out.push(read(a, digest, Err(e))),
                Err(_) => {}
            }
        }
    }
    out
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
    let mut out = Vec::new();
    for a in attached {
        for (layer, digest) in layers(a, LayerKind::SimpleSigning) {
            let payload = match &digest {
                Some(d) => blob(source, repo, layer, d, PAYLOAD_LIMIT).await,
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
