//! Manifest media types and a lenient decoding of manifests and indexes.
//!
//! Decoding is deliberately tolerant (unknown fields ignored, missing ones defaulted):
//! one odd descriptor must not hide the rest of a document.

use super::digest::Digest;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
pub const DOCKER_SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";

/// Every manifest type we understand. A narrower list makes Distribution answer with
/// another document (a converted schema1, or one child of a list) or a 404.
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json, \
application/vnd.docker.distribution.manifest.v1+prettyjws;q=0.5, \
application/vnd.docker.distribution.manifest.v1+json;q=0.5";

/// Config media types that hold an image configuration (anything else is an artifact's).
pub fn is_image_config(media_type: &str) -> bool {
    matches!(
        media_type,
        "application/vnd.oci.image.config.v1+json"
            | "application/vnd.docker.container.image.v1+json"
    )
}

/// Manifests above this are refused (the OCI distribution spec's minimum a registry must accept).
pub const MANIFEST_LIMIT: u64 = 4 * 1024 * 1024;
/// Config blobs above this are refused.
pub const CONFIG_LIMIT: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestKind {
    Index,
    Image,
    Schema1,
    Unknown,
}

impl ManifestKind {
    pub fn of_media_type(media_type: &str) -> ManifestKind {
        match media_type {
            OCI_INDEX | DOCKER_LIST => ManifestKind::Index,
            OCI_MANIFEST | DOCKER_MANIFEST => ManifestKind::Image,
            DOCKER_SCHEMA1 | DOCKER_SCHEMA1_SIGNED => ManifestKind::Schema1,
            _ => ManifestKind::Unknown,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Platform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl Platform {
    /// Parses `os/arch[/variant]`.
    pub fn parse(text: &str) -> Option<Platform> {
        let mut parts = text.split('/');
        let os = parts.next().filter(|s| !s.is_empty())?.to_string();
        let architecture = parts.next().filter(|s| !s.is_empty())?.to_string();
        let variant = parts.next().map(str::to_string);
        if parts.next().is_some() {
            return None;
        }
        Some(Platform {
            os,
            architecture,
            variant,
        })
    }

    /// Whether `self` (what the user asked for) selects `other`; no variant asked means any.
    pub fn selects(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.architecture == other.architecture
            && (self.variant.is_none() || self.variant == other.variant)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        match &self.variant {
            Some(v) if !v.is_empty() => write!(f, "/{v}"),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub artifact_type: Option<String>,
}

impl Descriptor {
    pub fn parsed_digest(&self) -> Result<Digest, super::digest::DigestError> {
        self.digest.parse()
    }

    /// BuildKit marks its provenance/SBOM manifests this way in an index.
    pub fn is_attestation(&self) -> bool {
        self.annotations
            .get("vnd.docker.reference.type")
            .is_some_and(|t| t == "attestation-manifest")
    }
}

/// Any manifest or index document; fields absent from one kind stay empty.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestDoc {
    #[serde(default)]
    pub schema_version: Option<u32>,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub artifact_type: Option<String>,
    #[serde(default)]
    pub config: Option<Descriptor>,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// The image this one is about (OCI 1.1 referrers): a claim of whoever pushed it.
    #[serde(default)]
    pub subject: Option<Descriptor>,
}

impl ManifestDoc {
    /// Compressed bytes of the layers. Sizes come from outside: the sum stops
    /// at `u64::MAX` instead of wrapping.
    pub fn layer_bytes(&self) -> u64 {
        self.layers
            .iter()
            .fold(0, |sum, l| sum.saturating_add(l.size))
    }
}

/// A manifest as fetched: verified digest, raw bytes and the decoded document.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub digest: Digest,
    pub media_type: String,
    pub kind: ManifestKind,
    pub raw: bytes::Bytes,
    pub doc: ManifestDoc,
}

impl Manifest {
    /// Decodes `raw`; the media type comes from the document, else the Content-Type,
    /// else the document's shape.
    pub fn decode(
        digest: Digest,
        content_type: Option<&str>,
        raw: bytes::Bytes,
    ) -> Result<Manifest, ManifestError> {
        let value: serde_json::Value =
            serde_json::from_slice(&raw).map_err(|e| ManifestError::NotJson(e.to_string()))?;
        check_sizes(&value)?;
        let doc: ManifestDoc = serde_json::from_value(value)
            .map_err(|e| ManifestError::NotImageSpec(e.to_string()))?;
        let header_type = content_type
            .map(|c| c.split(';').next().unwrap_or("").trim().to_string())
            .filter(|c| !c.is_empty() && c != "application/json");
        let media_type = doc
            .media_type
            .clone()
            .filter(|m| !m.is_empty())
            .or(header_type)
            .unwrap_or_else(|| infer_media_type(&doc).to_string());
        let mut kind = ManifestKind::of_media_type(&media_type);
        if kind == ManifestKind::Unknown && doc.schema_version == Some(1) {
            kind = ManifestKind::Schema1;
        }
        Ok(Manifest {
            digest,
            media_type,
            kind,
            raw,
            doc,
        })
    }
}

/// Why bytes are not a manifest (or an index cannot be edited).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("manifest is not valid JSON: {0}")]
    NotJson(String),
    #[error("manifest does not fit the image spec: {0}")]
    NotImageSpec(String),
    #[error("{descriptor} claims a size of {claim}, outside the image spec's 0..=2^63-1 bytes")]
    SizeOutOfRange { descriptor: String, claim: String },
    #[error("an index that does not parse: {0}")]
    IndexNotJson(String),
    #[error("an index without a manifests list")]
    IndexWithoutManifests,
}

/// The largest size the image spec allows (an int64).
pub const MAX_SIZE: u64 = i64::MAX.unsigned_abs();

/// Every descriptor's `size` must be a whole number in 0..=2^63-1; the error
/// names the descriptor ("layer 2 claims a size of …").
fn check_sizes(doc: &serde_json::Value) -> Result<(), ManifestError> {
    let config = doc
        .get("config")
        .into_iter()
        .map(|d| ("the config", None, d));
    let lists = [("layer", "layers"), ("manifest", "manifests")];
    let listed = lists.into_iter().flat_map(|(role, key)| {
        doc.get(key)
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(move |(i, d)| (role, Some(i + 1), d))
    });
    for (role, position, descriptor) in config.chain(listed) {
        let Some(size) = descriptor.get("size") else {
            continue;
        };
        if size.as_u64().is_some_and(|n| n <= MAX_SIZE) {
            continue;
        }
        let claim = super::text::sanitize_line(&size.to_string(), 40);
        let descriptor = match position {
            Some(n) => format!("{role} {n}"),
            None => role.to_string(),
        };
        return Err(ManifestError::SizeOutOfRange { descriptor, claim });
    }
    Ok(())
}

fn infer_media_type(doc: &ManifestDoc) -> &'static str {
    if doc.schema_version == Some(1) {
        DOCKER_SCHEMA1
    } else if !doc.manifests.is_empty() {
        OCI_INDEX
    } else if doc.config.is_some() {
        OCI_MANIFEST
    } else {
        "unknown"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str, ct: Option<&str>) -> Manifest {
        let raw = bytes::Bytes::from(json.to_string());
        Manifest::decode(Digest::sha256_of(&raw), ct, raw).unwrap()
    }

    #[test]
    fn kinds_from_document_header_or_shape() {
        let index = decode(
            r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}"#,
            None,
        );
        assert_eq!(index.kind, ManifestKind::Index);
        let by_header = decode(
            r#"{"schemaVersion":2,"config":{"digest":"x","size":1},"layers":[]}"#,
            Some(OCI_MANIFEST),
        );
        assert_eq!(by_header.kind, ManifestKind::Image);
        let schema1 = decode(
            r#"{"schemaVersion":1,"name":"a","fsLayers":[]}"#,
            Some("application/json"),
        );
        assert_eq!(schema1.kind, ManifestKind::Schema1);
        let artifact = decode(
            r#"{"schemaVersion":2,"mediaType":"application/vnd.example+json"}"#,
            None,
        );
        assert_eq!(artifact.kind, ManifestKind::Unknown);
        assert_eq!(artifact.media_type, "application/vnd.example+json");
    }

    #[test]
    fn media_type_from_the_document_then_the_header_then_the_shape() {
        let body = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
        assert_eq!(
            decode(body, Some(DOCKER_MANIFEST)).media_type,
            OCI_INDEX,
            "the document wins"
        );
        let bare = r#"{"schemaVersion":2,"config":{"digest":"x","size":1},"layers":[]}"#;
        let header = decode(
            bare,
            Some("application/vnd.docker.distribution.manifest.v2+json; charset=utf-8"),
        );
        assert_eq!(header.media_type, DOCKER_MANIFEST, "parameters cut off");
        assert_eq!(
            decode(bare, Some("application/json")).media_type,
            OCI_MANIFEST,
            "generic JSON: the shape"
        );
        assert_eq!(decode(bare, Some("")).media_type, OCI_MANIFEST);
        assert_eq!(decode(bare, None).kind, ManifestKind::Image);
        let index = decode(
            r#"{"schemaVersion":2,"manifests":[{"digest":"d","size":1}]}"#,
            None,
        );
        assert_eq!(
            (index.media_type.as_str(), index.kind),
            (OCI_INDEX, ManifestKind::Index)
        );
        let empty = decode(r#"{"schemaVersion":2}"#, None);
        assert_eq!(
            (empty.media_type.as_str(), empty.kind),
            ("unknown", ManifestKind::Unknown)
        );
        let schema1 = decode(r#"{"schemaVersion":1,"name":"a"}"#, None);
        assert_eq!(
            (schema1.media_type.as_str(), schema1.kind),
            (DOCKER_SCHEMA1, ManifestKind::Schema1)
        );
        let typed = decode(r#"{"schemaVersion":2,"mediaType":""}"#, Some(DOCKER_LIST));
        assert_eq!(
            typed.kind,
            ManifestKind::Index,
            "an empty mediaType is no type"
        );
        let foreign_header = decode(r#"{"schemaVersion":1,"name":"a"}"#, Some("text/plain"));
        assert_eq!(
            foreign_header.kind,
            ManifestKind::Schema1,
            "schema 1 by its version"
        );
        let v1_image = decode(
            r#"{"schemaVersion":1,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#,
            None,
        );
        assert_eq!(
            v1_image.kind,
            ManifestKind::Image,
            "a known type stays what it is"
        );
        let unknown_v2 = decode(r#"{"schemaVersion":2,"mediaType":"x/y"}"#, None);
        assert_eq!(
            unknown_v2.kind,
            ManifestKind::Unknown,
            "only schema 1 becomes Schema1"
        );
    }

    #[test]
    fn every_media_type_has_its_kind() {
        let kinds = [
            OCI_INDEX,
            DOCKER_LIST,
            OCI_MANIFEST,
            DOCKER_MANIFEST,
            DOCKER_SCHEMA1,
            DOCKER_SCHEMA1_SIGNED,
            "x",
        ]
        .map(ManifestKind::of_media_type);
        use ManifestKind::*;
        assert_eq!(
            kinds,
            [Index, Index, Image, Image, Schema1, Schema1, Unknown]
        );
        assert!(is_image_config("application/vnd.oci.image.config.v1+json"));
        assert!(is_image_config(
            "application/vnd.docker.container.image.v1+json"
        ));
        assert!(!is_image_config(
            "application/vnd.dev.cosign.artifact.sig.v1+json"
        ));
        assert_eq!((MANIFEST_LIMIT, CONFIG_LIMIT), (4_194_304, 16_777_216));
    }

    #[test]
    fn sizes_outside_the_spec_are_refused_naming_the_descriptor() {
        let raw = |json: &str| bytes::Bytes::from(json.to_string());
        let decode_err = |json: &str| {
            let raw = raw(json);
            Manifest::decode(Digest::sha256_of(&raw), None, raw).unwrap_err()
        };
        let err = decode_err(r#"{"config":{"size":1},"layers":[{"size":1},{"size":-1}]}"#);
        assert!(
            err.to_string().starts_with("layer 2 claims a size of -1"),
            "{err}"
        );
        let err = decode_err(r#"{"config":{"size":9223372036854775808},"layers":[]}"#);
        assert!(err.to_string().starts_with("the config claims"), "{err}");
        let err = decode_err(r#"{"manifests":[{"size":1.5}]}"#);
        assert!(err.to_string().starts_with("manifest 1 claims"), "{err}");
        let largest = format!(r#"{{"layers":[{{"size":{MAX_SIZE}}},{{"size":1}}]}}"#);
        let ok = decode(&largest, None);
        assert_eq!(ok.doc.layer_bytes(), MAX_SIZE + 1);
        let mut huge = ok.doc.clone();
        huge.layers.iter_mut().for_each(|l| l.size = u64::MAX);
        assert_eq!(
            huge.layer_bytes(),
            u64::MAX,
            "stops at the top instead of wrapping"
        );
        assert_eq!(
            decode(r#"{"layers":[{"size":3},{"size":4}]}"#, None)
                .doc
                .layer_bytes(),
            7
        );
    }

    #[test]
    fn attestations_and_platform_text() {
        let mut d = Descriptor::default();
        assert!(!d.is_attestation());
        d.annotations.insert(
            "vnd.docker.reference.type".into(),
            "attestation-manifest".into(),
        );
        assert!(d.is_attestation());
        d.annotations
            .insert("vnd.docker.reference.type".into(), "other".into());
        assert!(!d.is_attestation());
        let empty_variant = Platform {
            variant: Some(String::new()),
            ..Platform::parse("linux/amd64").unwrap()
        };
        assert_eq!(empty_variant.to_string(), "linux/amd64");
    }

    #[test]
    fn platforms() {
        let p = Platform::parse("linux/arm64/v8").unwrap();
        assert_eq!(p.to_string(), "linux/arm64/v8");
        assert!(Platform::parse("linux/arm64").unwrap().selects(&p));
        assert!(!Platform::parse("linux/arm64/v7").unwrap().selects(&p));
        assert!(Platform::parse("linux").is_none());
        assert!(Platform::parse("a/b/c/d").is_none());
    }
}

/// `raw` (an index document) without the `manifests` entries whose digest is
/// in `remove`, every other field as it was; and how many entries remain.
pub fn index_without(
    raw: &[u8],
    remove: &[super::digest::Digest],
) -> Result<(Vec<u8>, usize), ManifestError> {
    let mut doc: serde_json::Value =
        serde_json::from_slice(raw).map_err(|e| ManifestError::IndexNotJson(e.to_string()))?;
    let Some(entries) = doc.get_mut("manifests").and_then(|m| m.as_array_mut()) else {
        return Err(ManifestError::IndexWithoutManifests);
    };
    entries.retain(|e| {
        let digest = e.get("digest").and_then(|d| d.as_str()).unwrap_or("");
        !remove.iter().any(|r| r.to_string() == digest)
    });
    let remaining = entries.len();
    let bytes = serde_json::to_vec(&doc).map_err(|e| ManifestError::IndexNotJson(e.to_string()))?;
    Ok((bytes, remaining))
}

#[cfg(test)]
mod index_without_tests {
    use super::index_without;
    use crate::oci::digest::Digest;

    #[test]
    fn entries_go_and_everything_else_stays() {
        let (a, b) = (Digest::sha256_of(b"a"), Digest::sha256_of(b"b"));
        let raw = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{"digest": a.to_string(), "size": 1}, {"digest": b.to_string(), "size": 2}],
            "annotations": {"k": "v"}});
        let (bytes, left) = index_without(raw.to_string().as_bytes(), &[a]).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(left, 1);
        assert_eq!(
            doc["manifests"],
            serde_json::json!([{"digest": b.to_string(), "size": 2}])
        );
        assert_eq!(doc["annotations"]["k"], "v");
        assert!(index_without(b"{}", &[]).is_err());
    }
}
