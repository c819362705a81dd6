//! Cosign simple-signing signatures checked against a key, each with its
//! result and reason; keyless ones named by their certificate, never
//! called verified offline.

use super::Attachment;
use super::read::{SignatureLayer, signatures};
use crate::model::signature::{PublicKey, cert_identity, claims, decode_signature};
use crate::oci::digest::Digest;
use crate::store::CachedSource;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Verified,
    Failed,
    NotVerifiedOffline,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatureCheck {
    pub platform: Option<String>,
    pub found_by: &'static str,
    pub referrer: Digest,
    /// The image the signature was found for.
    pub about: Digest,
    pub result: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the payload says it signs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docker_reference: Option<String>,
    /// A keyless signature's certificate identity and OIDC issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// Every cosign signature of the attachments, checked against `key`.
pub async fn checks(
    source: &CachedSource,
    repo: &str,
    attached: &[Attachment],
    key: Option<&PublicKey>,
) -> Vec<SignatureCheck> {
    let layers = signatures(source, repo, attached).await;
    layers.iter().map(|l| check(l, key)).collect()
}

/// A signature of `digest` itself verifies: a signed platform image does not
/// sign the index around it.
pub fn signs(checks: &[SignatureCheck], digest: &Digest) -> bool {
    checks
        .iter()
        .any(|c| c.result == Verdict::Verified && c.about == *digest)
}

pub fn check(layer: &SignatureLayer, key: Option<&PublicKey>) -> SignatureCheck {
    let mut out = SignatureCheck {
        platform: layer.platform.clone(),
        found_by: layer.found_by,
        referrer: layer.referrer.clone(),
        about: layer.about.clone(),
        result: Verdict::Failed,
        reason: None,
        docker_reference: None,
        identity: None,
        issuer: None,
    };
    match judge(layer, key, &mut out) {
        Ok(verdict) => out.result = verdict,
        Err(reason) => out.reason = Some(reason),
    }
    out
}

fn judge(
    layer: &SignatureLayer,
    key: Option<&PublicKey>,
    out: &mut SignatureCheck,
) -> Result<Verdict, String> {
    let payload = layer.payload.as_ref().map_err(Clone::clone)?;
    let claimed = claims(payload).map_err(|e| e.0)?;
    out.docker_reference = claimed.docker_reference.clone();
    if let Some(pem) = &layer.certificate {
        let who = cert_identity(pem.as_bytes()).unwrap_or_default();
        out.identity = who.identity;
        out.issuer = who.issuer;
        out.reason = Some(
            "keyless: the certificate chain and transparency log are not checked offline".into(),
        );
        return Ok(Verdict::NotVerifiedOffline);
    }
    let encoded = layer
        .signature
        .as_deref()
        .ok_or("no signature annotation")?;
    let signature = decode_signature(encoded).map_err(|e| e.0)?;
    let key = key.ok_or("no key given")?;
    if !key.verifies(payload, &signature) {
        return Err("the signature does not verify with the key".into());
    }
    if claimed.docker_manifest_digest != layer.about.to_string() {
        return Err(format!(
            "the payload signs {}, not this image ({})",
            claimed.docker_manifest_digest, layer.about
        ));
    }
    Ok(Verdict::Verified)
}
