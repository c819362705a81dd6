//! What the detail pane shows for a digest: an index's platforms, or an image's
//! layers (with build steps) and config.

use super::image::{descriptor_digest, image_config};
use super::inspect::image_report;
use crate::model::report::ManifestReport;
use crate::oci::Result;
use crate::oci::digest::Digest;
use crate::oci::manifest::{Manifest, ManifestKind};
use crate::store::CachedSource;
use crate::store::ConfigBlob;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct PlatformRow {
    pub digest: Digest,
    pub platform: String,
    pub attestation: bool,
    pub size: u64,
    /// Listed by the index, but not in the repository.
    pub missing: bool,
}

#[derive(Debug, Clone)]
pub enum Detail {
    Index {
        manifest: Arc<Manifest>,
        platforms: Vec<PlatformRow>,
    },
    Image {
        manifest: Arc<Manifest>,
        config: Option<Arc<ConfigBlob>>,
        report: ManifestReport,
    },
    /// Schema1 or an unknown artifact: only the raw document.
    Other { manifest: Arc<Manifest> },
}

impl Detail {
    pub fn manifest(&self) -> &Arc<Manifest> {
        match self {
            Detail::Index { manifest, .. }
            | Detail::Image { manifest, .. }
            | Detail::Other { manifest } => manifest,
        }
    }
}

/// One entry of an index: its child fetched (a missing one is marked, not an error).
async fn platform_row(
    source: &CachedSource,
    repo: &str,
    d: &crate::oci::manifest::Descriptor,
) -> Result<PlatformRow> {
    let digest = descriptor_digest(source, d)?;
    let child = match source.manifest(repo, &digest).await {
        Ok(child) => Some(child),
        Err(e) if e.is_not_found() => None,
        Err(e) => return Err(e),
    };
    Ok(PlatformRow {
        platform: d
            .platform
            .as_ref()
            .map_or("unknown".into(), |p| p.to_string()),
        attestation: d.is_attestation(),
        size: child.as_ref().map_or(0, |c| c.doc.layer_bytes()),
        missing: child.is_none(),
        digest,
    })
}

pub async fn load(source: &CachedSource, repo: &str, digest: &Digest) -> Result<Detail> {
    let manifest = source.manifest(repo, digest).await?;
    match manifest.kind {
        ManifestKind::Index => {
            let rows = manifest.doc.manifests.iter();
            let rows = rows.map(|d| platform_row(source, repo, d));
            let platforms = futures_util::future::try_join_all(rows).await?;
            Ok(Detail::Index {
                manifest,
                platforms,
            })
        }
        ManifestKind::Image => {
            let config = image_config(source, repo, &manifest).await?;
            let report = image_report(source, repo, &manifest, None, false).await?;
            Ok(Detail::Image {
                manifest,
                config,
                report,
            })
        }
        ManifestKind::Schema1 | ManifestKind::Unknown => Ok(Detail::Other { manifest }),
    }
}
