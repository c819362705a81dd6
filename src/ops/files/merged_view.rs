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

fn key(image: &Digest) -> String {
    format!("view:v{READER_VERSION}:{image}")
}

/// The stored view of `image`, held to today's limits as a fresh read would be.
pub async fn stored(
    source: &CachedSource,
    image: &Digest,
    options: FilesOptions,
) -> Option<MergedView> {
    let view: MergedView = source.stored_derived(key(image)).await?;
    let within = view.entries() <= options.max_image_entries
        && view
            .layers
            .iter()
            .all(|l| l.entries.unwrap_or(0) <= options.max_entries);
    within.then_some(view)
}

/// Keeps `view` for the next look at `image`.
pub async fn save(source: &CachedSource, image: &Digest, view: Arc<MergedView>) {
    source.save_derived(key(image), view).await;
}
