//! Fetching everything `inspect` shows: the manifest, each child of an index,
//! and each image's config, with bounded concurrency.

use crate::model::report::{self, InspectReport, ManifestReport};
use crate::registry::digest::Digest;
use crate::registry::error::{RegistryError, Result};
use crate::registry::image_config::ImageConfig;
use crate::registry::manifest::{CONFIG_LIMIT, Descriptor, Manifest, ManifestKind, Platform};
use crate::registry::{ImageRef, RegistryClient};
use futures_util::{StreamExt, TryStreamExt};

const IMAGE_CONFIG_TYPES: [&str; 2] = [
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
];

pub async fn inspect(
    client: &RegistryClient,
    image: &ImageRef,
    platform: Option<&Platform>,
    concurrency: usize,
) -> Result<InspectReport> {
    let repo = &image.repository;
    let top = client.manifest(repo, &image.manifest_reference()).await?;
    let manifests = match top.kind {
        ManifestKind::Image => vec![image_report(client, repo, &top, None, false).await?],
        ManifestKind::Index => index_children(client, repo, &top, platform, concurrency).await?,
        ManifestKind::Schema1 | ManifestKind::Unknown => Vec::new(),
    };
    if let Some(wanted) = platform {
        check_platform_found(image, wanted, &top, &manifests)?;
    }
    Ok(InspectReport {
        reference: image.to_string(),
        digest: top.digest.clone(),
        media_type: top.media_type.clone(),
        kind: report::kind_name(top.kind),
        manifests,
    })
}

fn check_platform_found(
    image: &ImageRef,
    wanted: &Platform,
    top: &Manifest,
    manifests: &[ManifestReport],
) -> Result<()> {
    let found = manifests.iter().any(|m| {
        m.platform
            .as_deref()
            .and_then(Platform::parse)
            .is_some_and(|p| wanted.selects(&p))
    });
    if found || top.kind == ManifestKind::Index && !manifests.is_empty() {
        return Ok(());
    }
    let available: Vec<String> = manifests
        .iter()
        .filter_map(|m| m.platform.clone())
        .collect();
    Err(RegistryError::NotFound {
        what: format!(
            "platform {wanted} in {image} (available: {})",
            if available.is_empty() {
                "none".to_string()
            } else {
                available.join(", ")
            }
        ),
    })
}

async fn index_children(
    client: &RegistryClient,
    repo: &str,
    index: &Manifest,
    platform: Option<&Platform>,
    concurrency: usize,
) -> Result<Vec<ManifestReport>> {
    let selected: Vec<&Descriptor> = index
        .doc
        .manifests
        .iter()
        .filter(|d| match platform {
            None => true,
            Some(wanted) => {
                !d.is_attestation() && d.platform.as_ref().is_some_and(|p| wanted.selects(p))
            }
        })
        .collect();
    futures_util::stream::iter(selected)
        .map(|child| child_report(client, repo, child))
        .buffered(concurrency.max(1))
        .try_collect()
        .await
}

async fn child_report(
    client: &RegistryClient,
    repo: &str,
    child: &Descriptor,
) -> Result<ManifestReport> {
    let digest = descriptor_digest(client, child)?;
    let manifest = client.manifest(repo, &digest.to_string()).await?;
    image_report(
        client,
        repo,
        &manifest,
        child.platform.as_ref(),
        child.is_attestation(),
    )
    .await
}

async fn image_report(
    client: &RegistryClient,
    repo: &str,
    manifest: &Manifest,
    index_platform: Option<&Platform>,
    attestation: bool,
) -> Result<ManifestReport> {
    let config = match (&manifest.kind, &manifest.doc.config) {
        (ManifestKind::Image, Some(desc))
            if IMAGE_CONFIG_TYPES.contains(&desc.media_type.as_str()) =>
        {
            let digest = descriptor_digest(client, desc)?;
            let raw = client.blob(repo, &digest, CONFIG_LIMIT).await?;
            ImageConfig::parse(&raw)
        }
        _ => None,
    };
    let platform = report::platform_of(index_platform, config.as_ref());
    Ok(report::manifest_report(
        manifest.digest.clone(),
        &manifest.media_type,
        platform,
        attestation,
        &manifest.doc,
        config.as_ref(),
    ))
}

fn descriptor_digest(client: &RegistryClient, desc: &Descriptor) -> Result<Digest> {
    desc.parsed_digest()
        .map_err(|e| RegistryError::InvalidResponse {
            registry: client.name().to_string(),
            detail: format!("a descriptor has an invalid digest: {e}"),
        })
}
