//! Cosign simple-signing signatures checked against a public key: the
//! signature (an annotation, base64) over the payload's bytes, and the
//! payload's `critical.image.docker-manifest-digest` against the image.
//! Keyless signatures (a Fulcio certificate) are read for who and which
//! issuer, and never called verified offline.

use super::unreadable::Unreadable;
use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use base64::Engine;
use serde::Serialize;
use x509_parser::prelude::FromDer;

/// A public key read from PEM (`PUBLIC KEY`, SubjectPublicKeyInfo).
#[derive(Debug)]
pub struct PublicKey {
    kind: KeyKind,
    /// The key as the algorithm takes it (EC point, PKCS#1 RSA key, Ed25519 bytes).
    bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    P256,
    P384,
    P521,
    Rsa,
    Ed25519,
}

impl PublicKey {
    pub fn from_pem(pem: &[u8]) -> Result<PublicKey, Unreadable> {
        let (_, pem) = x509_parser::pem::parse_x509_pem(pem)
            .map_err(|e| format!("not a PEM public key: {e}"))?;
        if pem.label != "PUBLIC KEY" {
            return Err(format!("a PEM {:?}, not a PUBLIC KEY", pem.label).into());
        }
        let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&pem.contents)
            .map_err(|e| format!("not a SubjectPublicKeyInfo: {e}"))?;
        let algorithm = spki.algorithm.algorithm.to_id_string();
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .map(|o| o.to_id_string());
        let kind = match (algorithm.as_str(), curve.as_deref()) {
            ("1.2.840.10045.2.1", Some("1.2.840.10045.3.1.7")) => KeyKind::P256,
            ("1.2.840.10045.2.1", Some("1.3.132.0.34")) => KeyKind::P384,
            ("1.2.840.10045.2.1", Some("1.3.132.0.35")) => KeyKind::P521,
            ("1.2.840.113549.1.1.1", _) => KeyKind::Rsa,
            ("1.3.101.112", _) => KeyKind::Ed25519,
            (other, curve) => {
                return Err(format!("unsupported key {other} {}", curve.unwrap_or("")).into());
            }
        };
        if kind == KeyKind::Rsa {
            let bits = match spki.parsed() {
                Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => rsa.key_size(),
                _ => 0,
            };
            if bits < 2048 {
                return Err(format!("an RSA key of {bits} bits: 2048 or more are checked").into());
            }
        }
        Ok(PublicKey {
            kind,
            bytes: spki.subject_public_key.data.to_vec(),
        })
    }

    /// `signature` is this key's over `message` (the hashes cosign uses for
    /// the key's type).
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let algorithms: &[&'static dyn VerificationAlgorithm] = match self.kind {
            KeyKind::P256 => &[&signature::ECDSA_P256_SHA256_ASN1],
            KeyKind::P384 => &[
                &signature::ECDSA_P384_SHA384_ASN1,
                &signature::ECDSA_P384_SHA256_ASN1,
            ],
            KeyKind::P521 => &[&signature::ECDSA_P521_SHA512_ASN1],
            KeyKind::Rsa => &[
                &signature::RSA_PKCS1_2048_8192_SHA256,
                &signature::RSA_PSS_2048_8192_SHA256,
            ],
            KeyKind::Ed25519 => &[&signature::ED25519],
        };
        algorithms.iter().any(|algorithm| {
            UnparsedPublicKey::new(*algorithm, &self.bytes)
                .verify(message, signature)
                .is_ok()
        })
    }
}

/// The payload's claims (cosign's "simple signing" JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedClaims {
    pub docker_manifest_digest: String,
    pub docker_reference: Option<String>,
}

pub fn claims(payload: &[u8]) -> Result<SignedClaims, Unreadable> {
    let value: serde_json::Value =
        serde_json::from_slice(payload).map_err(|e| format!("payload is not JSON: {e}"))?;
    let digest = value
        .pointer("/critical/image/docker-manifest-digest")
        .and_then(|v| v.as_str())
        .ok_or("payload names no critical.image.docker-manifest-digest")?;
    Ok(SignedClaims {
        docker_manifest_digest: digest.to_string(),
        docker_reference: value
            .pointer("/critical/identity/docker-reference")
            .and_then(|v| v.as_str())
            .map(str::to_string),
    })
}

pub fn decode_signature(annotation: &str) -> Result<Vec<u8>, Unreadable> {
    base64::engine::general_purpose::STANDARD
        .decode(annotation.trim().as_bytes())
        .map_err(|e| format!("signature is not base64: {e}").into())
}

/// Who a keyless signature's certificate names, and the OIDC issuer that
/// vouched for it (Fulcio's extensions).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CertIdentity {
    pub identity: Option<String>,
    pub issuer: Option<String>,
}

pub fn cert_identity(pem: &[u8]) -> Result<CertIdentity, Unreadable> {
    let (_, pem) =
        x509_parser::pem::parse_x509_pem(pem).map_err(|e| format!("certificate PEM: {e}"))?;
    let cert = pem.parse_x509().map_err(|e| format!("certificate: {e}"))?;
    let mut found = CertIdentity::default();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        found.identity = san.value.general_names.iter().find_map(|n| match n {
            x509_parser::extensions::GeneralName::RFC822Name(s)
            | x509_parser::extensions::GeneralName::URI(s) => Some(s.to_string()),
            _ => None,
        });
    }
    let mut v1 = None;
    let mut v2 = None;
    for ext in cert.extensions() {
        match ext.oid.to_id_string().as_str() {
            // v1: the issuer's bytes as they are.
            "1.3.6.1.4.1.57264.1.1" => v1 = Some(bounded_text(ext.value)),
            // v2: a DER UTF8String.
            "1.3.6.1.4.1.57264.1.8" => v2 = der_utf8(ext.value).map(bounded_text),
            _ => {}
        }
    }
    found.issuer = v2.or(v1);
    Ok(found)
}

/// Longest issuer or identity text kept.
const MAX_TEXT: usize = 512;

fn bounded_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_TEXT)]).to_string()
}

/// The contents of a DER UTF8String (tag 12, short or long length).
fn der_utf8(der: &[u8]) -> Option<&[u8]> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    if tag != 0x0c {
        return None;
    }
    let (len, body) = match first {
        n if n < 0x80 => (usize::from(n), rest),
        0x81 => (usize::from(*rest.first()?), rest.get(1..)?),
        0x82 => {
            let hi = usize::from(*rest.first()?);
            let lo = usize::from(*rest.get(1)?);
            (hi << 8 | lo, rest.get(2..)?)
        }
        _ => return None,
    };
    body.get(..len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_need_the_manifest_digest() {
        let ok = br#"{"critical": {"identity": {"docker-reference": "r/app"}, "image": {"docker-manifest-digest": "sha256:ab"}, "type": "cosign container image signature"}}"#;
        assert_eq!(claims(ok).unwrap().docker_manifest_digest, "sha256:ab");
        assert!(claims(br#"{"critical": {}}"#).is_err());
        assert!(
            PublicKey::from_pem(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
                .is_err()
        );
        assert!(decode_signature("%%%").is_err());
        let long = format!("https://{}", "a".repeat(200));
        let mut der = vec![0x0c, 0x81, u8::try_from(long.len()).unwrap()];
        der.extend_from_slice(long.as_bytes());
        assert_eq!(der_utf8(&der), Some(long.as_bytes()));
        assert_eq!(der_utf8(&[0x04, 0x01, b'x']), None, "not a UTF8String");
    }
}
