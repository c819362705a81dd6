//! What the browser's file tree shows: the merged image, or one layer's own
//! changes marked added / modified / removed against the layers below it.

use super::image::image_layers;
use super::layer::{FilesOptions, LayerSummary, Listing};
use crate::model::filetree::diff::Change;
use crate::model::filetree::merge::{merge, own};
use crate::model::filetree::tree::{SortBy, Tree};
use crate::model::filetree::wasted::Wasted;
use crate::oci::error::Result;
use crate::oci::layer::{EntryKind, FileEntry};
use crate::oci::manifest::Manifest;
use crate::store::CachedSource;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilesMode {
    Merged,
    /// One layer's own changes (its index from the bottom).
    Layer(usize),
}

#[derive(Debug)]
pub struct FileTreeData {
    pub mode: FilesMode,
    pub tree: Tree,
    /// Per tree node, in layer mode: what the layer did to the path.
    pub marks: Vec<Option<Change>>,
    /// Of the whole image.
    pub wasted: Wasted,
    /// Bytes of file copies the merged image no longer shows.
    pub hidden_bytes: u64,
    pub layers: Vec<LayerSummary>,
}

/// Lists every layer of `image` (a few at a time, each counting its bytes
/// into `progress[i]`) and builds the view for `mode`.
pub async fn load_view(
    source: &CachedSource,
    repo: &str,
    image: &Manifest,
    mode: FilesMode,
    options: FilesOptions,
    progress: &[Arc<AtomicU64>],
) -> Result<FileTreeData> {
    let listings = image_layers(source, repo, image, options, progress).await?;
    let layers = image
        .doc
        .layers
        .iter()
        .zip(&listings)
        .enumerate()
        .map(|(i, (d, l))| LayerSummary::of(i, d, l))
        .collect();
    // Building the tree is CPU work: off the async workers (the indexes
    // move there as shared handles, not copies).
    tokio::task::spawn_blocking(move || {
        let entries: Vec<&[FileEntry]> = listings.iter().map(Listing::entries).collect();
        build(&entries, mode, layers)
    })
    .await
    .map_err(|e| crate::oci::Error::Config(format!("building the file tree failed: {e}")))
}

fn build(all: &[&[FileEntry]], mode: FilesMode, layers: Vec<LayerSummary>) -> FileTreeData {
    let merged = merge(all);
    let hidden_bytes = crate::model::filetree::hidden::hidden(all, &merged.files).bytes;
    let (tree, marks) = match mode {
        FilesMode::Merged => {
            let mut tree = Tree::build(merged.files);
            tree.sort(SortBy::Name);
            let marks = vec![None; tree.nodes.len()];
            (tree, marks)
        }
        FilesMode::Layer(i) => {
            let i = i.min(all.len().saturating_sub(1));
            let below = merge(&all[..i]).files;
            let mut tree = Tree::build(own(all.get(i).copied().unwrap_or_default(), i));
            tree.sort(SortBy::Name);
            let marks = tree
                .nodes
                .iter()
                .map(|node| {
                    let file = tree.file(node)?;
                    Some(match file.kind {
                        EntryKind::Whiteout => Change::Removed,
                        EntryKind::Opaque => Change::Changed,
                        _ if below.contains_key(tree.path(node)) => Change::Changed,
                        _ => Change::Added,
                    })
                })
                .collect();
            (tree, marks)
        }
    };
    FileTreeData {
        mode,
        tree,
        marks,
        wasted: merged.wasted,
        hidden_bytes,
        layers,
    }
}
