//! In-toto statements and the DSSE envelopes that carry them (cosign
//! attestations), read as claims: the caller checks the subject against the
//! image before believing a word.

use super::unreadable::Unreadable;
use base64::Engine;
use serde::Deserialize;
use serde_json::Value;

pub const SPDX_PREDICATE: &str = "https://spdx.dev/Document";
pub const CYCLONEDX_PREDICATE: &str = "https://cyclonedx.org/bom";
pub const SLSA_V02: &str = "https://slsa.dev/provenance/v0.2";
pub const SLSA_V1: &str = "https://slsa.dev/provenance/v1";

/// A predicate type that is SLSA provenance (any version).
pub fn is_provenance_type(predicate_type: &str) -> bool {
    predicate_type.starts_with("https://slsa.dev/provenance/")
}

#[derive(Debug, Clone, Deserialize)]
pub struct Statement {
    #[serde(rename = "predicateType", default)]
    pub predicate_type: String,
    #[serde(default)]
    pub subject: Vec<Subject>,
    #[serde(default)]
    pub predicate: Value,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Subject {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub digest: std::collections::BTreeMap<String, String>,
}

impl Statement {
    /// The statement names `digest` (`sha256:…`) among its subjects.
    pub fn is_about(&self, digest: &str) -> bool {
        let Some((algorithm, hex)) = digest.split_once(':') else {
            return false;
        };
        self.subject.iter().any(|s| {
            s.digest
                .get(algorithm)
                .is_some_and(|h| h.eq_ignore_ascii_case(hex))
        })
    }

    pub fn is_sbom(&self) -> bool {
        let t = self.predicate_type.as_str();
        t.starts_with(SPDX_PREDICATE) || t.starts_with(CYCLONEDX_PREDICATE) || t.contains("spdx")
    }

    /// The statement as JSON again (to show it whole).
    pub fn whole(&self) -> Value {
        let subject: Vec<Value> = self
            .subject
            .iter()
            .map(|s| serde_json::json!({"name": s.name, "digest": s.digest}))
            .collect();
        serde_json::json!({
            "subject": subject,
            "predicateType": self.predicate_type,
            "predicate": self.predicate,
        })
    }

    pub fn is_provenance(&self) -> bool {
        is_provenance_type(&self.predicate_type)
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "payloadType")]
    payload_type: String,
    payload: String,
}

/// A statement from a blob: a DSSE envelope around it, or the bare statement
/// (BuildKit's attestation layers).
pub fn statement(bytes: &[u8]) -> Result<Statement, Unreadable> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    if value.get("payloadType").is_some() {
        let envelope: Envelope =
            serde_json::from_value(value).map_err(|e| format!("DSSE envelope: {e}"))?;
        if !envelope.payload_type.contains("in-toto") {
            let why = format!(
                "DSSE payload type {:?} is not in-toto",
                envelope.payload_type
            );
            return Err(why.into());
        }
        let payload = base64::engine::general_purpose::STANDARD
            .decode(envelope.payload.as_bytes())
            .map_err(|e| format!("DSSE payload is not base64: {e}"))?;
        return serde_json::from_slice(&payload)
            .map_err(|e| format!("in-toto statement: {e}").into());
    }
    serde_json::from_value(value).map_err(|e| format!("in-toto statement: {e}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_and_bare_statements_and_their_subject() {
        let bare = br#"{"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://slsa.dev/provenance/v0.2",
                        "subject": [{"name": "x", "digest": {"sha256": "AB"}}], "predicate": {}}"#;
        let s = statement(bare).unwrap();
        assert!(s.is_provenance() && s.is_about("sha256:ab") && !s.is_about("sha256:cd"));
        let payload = base64::engine::general_purpose::STANDARD.encode(bare);
        let env = format!(
            r#"{{"payloadType": "application/vnd.in-toto+json", "payload": "{payload}", "signatures": []}}"#
        );
        assert!(statement(env.as_bytes()).unwrap().is_provenance());
        let broken =
            r#"{"payloadType": "application/vnd.in-toto+json", "payload": "%%%not base64"}"#;
        let e = statement(broken.as_bytes()).unwrap_err();
        assert!(e.0.contains("not base64"), "{e}");
    }
}
