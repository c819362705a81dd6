//! An image's merged view — its tree, the layers' summaries, the wasted and
//! hidden figures — kept by the image's manifest digest: a second `files` of
//! the image reads it and prints (no layer index read, no merge, no tree built).

use super::layer::{FilesOptions, LayerSummary};
use crate::model::filetree::hidden::Hidden;
use crate::model::filetree::tree::Tree;
use crate::model::filetree::wasted::Wasted;
use crate::oci::digest::Digest;
use crate::oci::layer::tar_stream::READER_VERSION;
use crate::store::CachedSource;
use std::sync::Arc;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MergedView {
    pub layers: Vec<LayerSummary>,
    /// In name order.
    pub tree: Tree,
    pub wasted: Wasted,
    pub hidden: Hidden,
}

impl MergedView {
    /// Entries of all the layers together.
    fn entries(&self) -> usize {
        self.layers.iter().filter_map(|l| l.entries).sum()
    }
}

/// Bumped when what a view holds, or how it is computed (merge, hidden), changes.
const VIEW_VERSION: u32 = 1;

fn key(image: &Digest) -> String {
    format!("view:v{READER_VERSION}.{VIEW_VERSION}:{image}")
}

/// The stored view of `image`, held to today's limits as a fresh read would be.
pub async fn stored(
    source: &CachedSource,
    image: &Digest,
    options: FilesOptions,
) -> Option<MergedView> {
    let view: MergedView = source.stored_derived(key(image)).await?;
    let layers = || view.layers.iter();
    let within = view.entries() <= options.max_image_entries
        && layers().all(|l| l.entries.unwrap_or(0) <= options.max_entries)
        && layers().all(|l| l.size <= options.max_layer_size)
        && view.tree.path_bytes() <= options.max_image_path_bytes;
    within.then_some(view)
}

/// Keeps `view` for the next look at `image`.
pub async fn save(source: &CachedSource, image: &Digest, view: Arc<MergedView>) {
    source.save_derived(key(image), view).await;
}
