//! What `inspect` reports about an image or index. The JSON field names are a
//! documented contract (README, "JSON output"): add fields, never rename them.

use crate::oci::digest::Digest;
use crate::oci::image_config::ImageConfig;
use crate::oci::manifest::{ManifestDoc, ManifestKind, Platform};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    pub reference: String,
    pub digest: Digest,
    pub media_type: String,
    pub kind: &'static str,
    pub manifests: Vec<ManifestReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManifestReport {
    pub digest: Digest,
    pub media_type: String,
    pub platform: Option<String>,
    pub attestation: bool,
    pub config: Option<ConfigRef>,
    pub created: Option<String>,
    pub layers: Vec<LayerReport>,
    /// Sum of the compressed layer sizes.
    pub size: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfigRef {
    pub digest: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    pub digest: String,
    pub media_type: String,
    pub size: u64,
    pub created_by: Option<String>,
}

pub fn kind_name(kind: ManifestKind) -> &'static str {
    match kind {
        ManifestKind::Index => "index",
        ManifestKind::Image => "image",
        ManifestKind::Schema1 => "schema1",
        ManifestKind::Unknown => "unknown",
    }
}

/// Where an image's platform comes from: its index entry, else its config.
pub fn platform_of(from_index: Option<&Platform>, config: Option<&ImageConfig>) -> Option<String> {
    if let Some(p) = from_index {
        return Some(p.to_string());
    }
    let config = config?;
    let platform = Platform {
        os: config.os.clone()?,
        architecture: config.architecture.clone()?,
        variant: config.variant.clone(),
    };
    Some(platform.to_string())
}

/// One image manifest with its layers, each paired with the build step that made it.
pub fn manifest_report(
    digest: Digest,
    media_type: &str,
    platform: Option<String>,
    attestation: bool,
    doc: &ManifestDoc,
    config: Option<&ImageConfig>,
) -> ManifestReport {
    let steps = config.map(ImageConfig::layer_steps).unwrap_or_default();
    let layers: Vec<LayerReport> = doc
        .layers
        .iter()
        .enumerate()
        .map(|(i, layer)| LayerReport {
            digest: layer.digest.clone(),
            media_type: layer.media_type.clone(),
            size: layer.size,
            created_by: steps.get(i).cloned().flatten(),
        })
        .collect();
    ManifestReport {
        digest,
        media_type: media_type.to_string(),
        platform,
        attestation,
        config: doc.config.as_ref().map(|c| ConfigRef {
            digest: c.digest.clone(),
            size: c.size,
        }),
        created: config.and_then(|c| c.created.clone()),
        size: layers.iter().fold(0, |sum, l| sum.saturating_add(l.size)),
        layers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_their_json_names() {
        let names = [
            ManifestKind::Index,
            ManifestKind::Image,
            ManifestKind::Schema1,
            ManifestKind::Unknown,
        ]
        .map(kind_name);
        assert_eq!(names, ["index", "image", "schema1", "unknown"]);
    }

    #[test]
    fn pairs_layers_with_steps_and_sums_sizes() {
        let doc: ManifestDoc = serde_json::from_str(
            r#"{"config":{"digest":"sha256:c","size":7},
                "layers":[{"digest":"sha256:a","size":10,"mediaType":"m"},{"digest":"sha256:b","size":5,"mediaType":"m"}]}"#,
        )
        .unwrap();
        let config = ImageConfig::parse(
            br#"{"os":"linux","architecture":"arm64","variant":"v8","created":"2024-01-01T00:00:00Z",
                 "history":[{"created_by":"ADD x"},{"created_by":"ENV y","empty_layer":true},{"created_by":"RUN z"}]}"#,
        )
        .unwrap();
        let platform = platform_of(None, Some(&config));
        let r = manifest_report(
            Digest::sha256_of(b"m"),
            "t",
            platform,
            false,
            &doc,
            Some(&config),
        );
        assert_eq!(r.size, 15);
        assert_eq!(r.platform.as_deref(), Some("linux/arm64/v8"));
        assert_eq!(r.layers[0].created_by.as_deref(), Some("ADD x"));
        assert_eq!(r.layers[1].created_by.as_deref(), Some("RUN z"));
        assert_eq!(r.config.as_ref().unwrap().size, 7);
    }
}
