//! Fetching everything `inspect` shows: the manifest, each child of an index,
//! and each image's config, with bounded concurrency and the content cache.

use super::image::{descriptor_digest, image_config};
use crate::model::report::{self, InspectReport, ManifestReport};
use crate::oci::error::{Error, Result};
use crate::oci::manifest::{Descriptor, Manifest, ManifestKind, Platform};
use crate::store::CachedSource;
use futures_util::{StreamExt, TryStreamExt};

/// What to inspect: a repository of a source and a tag or digest in it.
pub struct InspectTarget<'a> {
    pub repository: &'a str,
    pub reference: &'a str,
    /// How the report names it (`host/repo:tag`, `oci:/path:tag`).
    pub display: String,
}

pub async fn inspect(
    source: &CachedSource,
    image: &InspectTarget<'_>,
    platform: Option<&Platform>,
    concurrency: usize,
) -> Result<InspectReport> {
    let repo = image.repository;
    let top = source.manifest_by_tag(repo, image.reference).await?;
    let manifests = match top.kind {
        ManifestKind::Image => vec![image_report(source, repo, &top, None, false).await?],
        ManifestKind::Index => {
            let children = select_children(&top, platform);
            futures_util::stream::iter(children)
                .map(|child| child_report(source, repo, child))
                .buffered(concurrency.max(1))
                .try_collect()
                .await?
        }
        ManifestKind::Schema1 | ManifestKind::Unknown => Vec::new(),
    };
    if let Some(wanted) = platform {
        check_platform_found(image, wanted, &manifests)?;
    }
    Ok(InspectReport {
        reference: image.display.clone(),
        digest: top.digest.clone(),
        media_type: top.media_type.clone(),
        kind: report::kind_name(top.kind),
        manifests,
    })
}

fn select_children<'a>(index: &'a Manifest, platform: Option<&Platform>) -> Vec<&'a Descriptor> {
    index
        .doc
        .manifests
        .iter()
        .filter(|d| match platform {
            None => true,
            Some(wanted) => {
                !d.is_attestation() && d.platform.as_ref().is_some_and(|p| wanted.selects(p))
            }
        })
        .collect()
}

fn check_platform_found(
    image: &InspectTarget<'_>,
    wanted: &Platform,
    manifests: &[ManifestReport],
) -> Result<()> {
    let found = manifests.iter().any(|m| {
        m.platform
            .as_deref()
            .and_then(Platform::parse)
            .is_some_and(|p| wanted.selects(&p))
    });
    if found {
        return Ok(());
    }
    let available: Vec<String> = manifests
        .iter()
        .filter_map(|m| m.platform.clone())
        .collect();
    let available = if available.is_empty() {
        "none".to_string()
    } else {
        available.join(", ")
    };
    Err(Error::NotFound {
        what: format!(
            "platform {wanted} in {} (available: {available})",
            image.display
        ),
    })
}

async fn child_report(
    source: &CachedSource,
    repo: &str,
    child: &Descriptor,
) -> Result<ManifestReport> {
    let digest = descriptor_digest(source, child)?;
    let manifest = source.manifest(repo, &digest).await?;
    image_report(
        source,
        repo,
        &manifest,
        child.platform.as_ref(),
        child.is_attestation(),
    )
    .await
}

/// The report of one manifest: its layers paired with build steps from its config.
pub async fn image_report(
    source: &CachedSource,
    repo: &str,
    manifest: &Manifest,
    index_platform: Option<&Platform>,
    attestation: bool,
) -> Result<ManifestReport> {
    let config = image_config(source, repo, manifest).await?;
    let parsed = config.as_ref().and_then(|c| c.parsed.as_ref());
    let platform = report::platform_of(index_platform, parsed);
    Ok(report::manifest_report(
        manifest.digest.clone(),
        &manifest.media_type,
        platform,
        attestation,
        &manifest.doc,
        parsed,
    ))
}
