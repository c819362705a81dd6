//! Two images compared: layers, config and (optionally) files. What `diff`
//! prints and the browser's `=` view shows.

use super::files::image::{ChosenImage, choose_image, image_layers};
use super::files::{FilesOptions, Listing};
use super::image::image_config;
use crate::model::filetree::diff::{Change, diff};
use crate::model::filetree::merge::merge;
use crate::model::filetree::{FileNode, Files};
use crate::model::image_diff::{self, ConfigChange, LayerDiff};
use crate::oci::digest::Digest;
use crate::oci::error::Result;
use crate::oci::image_config::RunConfig;
use crate::oci::manifest::Manifest;
use crate::store::CachedSource;

/// One side: where it is and which image.
pub struct Side<'a> {
    pub source: &'a CachedSource,
    pub repo: &'a str,
    pub image: &'a ChosenImage,
}

#[derive(Debug, Clone)]
pub struct FileChange {
    pub path: Box<[u8]>,
    pub change: Change,
    pub before: Option<FileNode>,
    pub after: Option<FileNode>,
}

#[derive(Debug, Clone)]
pub struct Comparison {
    pub layers: LayerDiff,
    pub config: Vec<ConfigChange>,
    /// With files asked for: every path whose type, size, mode or link differs.
    pub files: Option<Vec<FileChange>>,
}

/// The run config of an image (`None` for an artifact).
pub async fn run_config(side: &Side<'_>) -> Result<Option<RunConfig>> {
    let config = image_config(side.source, side.repo, &side.image.manifest).await?;
    Ok(config.and_then(|c| c.parsed.as_ref().and_then(|p| p.config.clone())))
}

/// The merged file system of `image` (every layer listed, then applied).
pub async fn merged_files(
    source: &CachedSource,
    repo: &str,
    image: &Manifest,
    options: FilesOptions,
) -> Result<Files> {
    let listings = image_layers(source, repo, image, options, &[]).await?;
    // CPU work: off the async workers (the indexes move as shared handles).
    tokio::task::spawn_blocking(move || {
        let layers: Vec<&[crate::oci::layer::FileEntry]> =
            listings.iter().map(Listing::entries).collect();
        merge(&layers).files
    })
    .await
    .map_err(|e| crate::oci::Error::Config(format!("merging the layers failed: {e}")))
}

pub async fn compare(
    a: &Side<'_>,
    b: &Side<'_>,
    with_files: bool,
    options: FilesOptions,
) -> Result<Comparison> {
    let layers = image_diff::layers(&a.image.manifest.doc.layers, &b.image.manifest.doc.layers);
    let config = image_diff::config(run_config(a).await?.as_ref(), run_config(b).await?.as_ref());
    let files = match with_files {
        true => {
            let before = merged_files(a.source, a.repo, &a.image.manifest, options).await?;
            let after = merged_files(b.source, b.repo, &b.image.manifest, options).await?;
            let changes = diff(&before, &after)
                .into_iter()
                .map(|c| FileChange {
                    path: c.path.into(),
                    change: c.change,
                    before: c.before.cloned(),
                    after: c.after.cloned(),
                })
                .collect();
            Some(changes)
        }
        false => None,
    };
    Ok(Comparison {
        layers,
        config,
        files,
    })
}

/// Two tags of one repository compared, and which images they named:
/// (tag, manifest digest, layer bytes) on each side.
#[derive(Debug)]
pub struct TagsCompared {
    pub a: (String, Digest, u64),
    pub b: (String, Digest, u64),
    pub comparison: Comparison,
}

/// Compares tags `a` and `b` of `repo`, files included (the browser's `=`).
pub async fn compare_tags(
    source: &CachedSource,
    repo: &str,
    a: &str,
    b: &str,
    options: FilesOptions,
) -> Result<TagsCompared> {
    let first = choose_image(source, repo, a, None).await?;
    let second = choose_image(source, repo, b, None).await?;
    let side = |image| Side {
        source,
        repo,
        image,
    };
    let comparison = compare(&side(&first), &side(&second), true, options).await?;
    Ok(TagsCompared {
        a: named(a, &first),
        b: named(b, &second),
        comparison,
    })
}

fn named(tag: &str, image: &ChosenImage) -> (String, Digest, u64) {
    (
        tag.to_string(),
        image.manifest.digest.clone(),
        image.manifest.doc.layer_bytes(),
    )
}
