//! An image's layers, indexed: which image of an index (by platform), and
//! every layer's listing, a few at a time.

use super::layer::{FilesOptions, Listing, layer_index};
use crate::oci::digest::Digest;
use crate::oci::error::{Error, Result};
use crate::oci::manifest::{Descriptor, Manifest, ManifestKind, Platform};
use crate::store::CachedSource;
use futures_util::{StreamExt, TryStreamExt};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// Layers fetched at once for one image.
const LAYERS_AT_ONCE: usize = 3;

/// The image a reference names: itself, or the platform's image of an index.
pub struct ChosenImage {
    pub top: Digest,
    pub manifest: Arc<Manifest>,
    /// `os/arch[/variant]`, when known.
    pub platform: Option<String>,
    /// Other platforms the index has (when one was picked without being asked).
    pub others: Vec<String>,
}

/// Picks `wanted` from an index, else linux on this machine's architecture,
/// else the first platform image.
pub async fn choose_image(
    source: &CachedSource,
    repo: &str,
    reference: &str,
    wanted: Option<&Platform>,
) -> Result<ChosenImage> {
    let top = source.source().manifest(repo, reference).await?;
    let top_digest = top.digest.clone();
    if top.kind != ManifestKind::Index {
        return single_image(source, reference, top);
    }
    let images: Vec<&Descriptor> = top
        .doc
        .manifests
        .iter()
        .filter(|d| !d.is_attestation())
        .collect();
    let pick = pick_platform(&images, wanted, reference)?;
    let digest = super::super::image::descriptor_digest(source, pick)?;
    let manifest = source.manifest(repo, &digest).await?;
    let platform = platform_name(&pick);
    let others = match wanted {
        Some(_) => Vec::new(),
        None => images
            .iter()
            .filter_map(platform_name)
            .filter(|p| Some(p) != platform.as_ref())
            .collect(),
    };
    Ok(ChosenImage {
        top: top_digest,
        manifest,
        platform,
        others,
    })
}

/// `top` itself, when it is an image.
fn single_image(source: &CachedSource, reference: &str, top: Manifest) -> Result<ChosenImage> {
    if top.kind != ManifestKind::Image {
        return Err(Error::Unsupported {
            registry: source.name(),
            detail: format!(
                "{reference} is not an image (media type {})",
                crate::oci::text::sanitize_line(&top.media_type, 120)
            ),
        });
    }
    Ok(ChosenImage {
        top: top.digest.clone(),
        manifest: Arc::new(top),
        platform: None,
        others: Vec::new(),
    })
}

fn platform_name(d: &&Descriptor) -> Option<String> {
    d.platform.as_ref().map(|p| p.to_string())
}

/// The entry `wanted` names, else linux on this machine, else the first;
/// not found names what the index has.
fn pick_platform<'a>(
    images: &[&'a Descriptor],
    wanted: Option<&Platform>,
    reference: &str,
) -> Result<&'a Descriptor> {
    let selected_by = |w: &Platform| {
        images
            .iter()
            .find(|d| d.platform.as_ref().is_some_and(|p| w.selects(p)))
    };
    let here = Platform::parse(&format!("linux/{}", host_architecture()));
    let pick = match wanted {
        Some(w) => selected_by(w),
        None => here.as_ref().and_then(selected_by).or(images.first()),
    };
    if let Some(pick) = pick {
        return Ok(pick);
    }
    let have: Vec<String> = images.iter().filter_map(platform_name).collect();
    let have = match have.is_empty() {
        true => "none".to_string(),
        false => have.join(", "),
    };
    let asked = wanted.map_or("an image".to_string(), |w| format!("platform {w}"));
    Err(Error::NotFound {
        what: format!("{asked} in {reference} (it has {have})"),
    })
}

fn host_architecture() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "arm" => "arm",
        "s390x" => "s390x",
        "powerpc64" => "ppc64le",
        "riscv64" => "riscv64",
        other => other,
    }
}

/// Every layer of `image`, listed (bottom first), a few at a time; layer
/// `i` counts its bytes into `progress[i]` when there is one.
pub async fn image_layers(
    source: &CachedSource,
    repo: &str,
    image: &Manifest,
    options: FilesOptions,
    progress: &[Arc<AtomicU64>],
) -> Result<Vec<Listing>> {
    // The futures are made first: a stream of a closure's futures is not
    // `Send` for a spawned task (a higher-ranked lifetime limitation).
    // One budget for the whole image, charged by every layer as it is read.
    let budget = options.image_budget();
    let reads: Vec<_> = image
        .doc
        .layers
        .iter()
        .enumerate()
        .map(|(i, layer)| {
            let counter = progress.get(i).cloned().unwrap_or_default();
            layer_index(source, repo, layer, options, counter, budget.clone())
        })
        .collect();
    futures_util::stream::iter(reads)
        .buffered(LAYERS_AT_ONCE)
        .try_collect()
        .await
}
