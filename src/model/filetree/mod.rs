//! An image's file system from its layers' indexes: the union of the layers
//! (whiteouts deleting, opaque directories hiding), the space wasted on files
//! a later layer replaced, a tree to show, and the difference of two trees.

pub mod diff;
pub mod merge;
pub mod tree;
pub mod wasted;

use crate::oci::layer::EntryKind;

/// A path of the merged file system (or of one layer's own changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileNode {
    pub kind: EntryKind,
    pub size: u64,
    pub mode: u32,
    pub link: Option<Box<[u8]>>,
    /// The layer (index from the bottom) that last wrote it.
    pub layer: usize,
    /// Every layer that wrote it, bottom first.
    pub layers: Vec<usize>,
}

/// Paths (normalised bytes) to what is there, in byte order.
pub type Files = std::collections::BTreeMap<Box<[u8]>, FileNode>;

/// `prefix/` (or the empty prefix for the root): where descendants start.
pub(crate) fn descendants_prefix(path: &[u8]) -> Vec<u8> {
    let mut prefix = path.to_vec();
    if !prefix.is_empty() {
        prefix.push(b'/');
    }
    prefix
}

/// Removes every path below `path` (not `path` itself) from `files`.
pub(crate) fn remove_below(files: &mut Files, path: &[u8]) -> Vec<(Box<[u8]>, FileNode)> {
    let prefix = descendants_prefix(path);
    let keys: Vec<Box<[u8]>> = files
        .range::<[u8], _>((
            std::ops::Bound::Included(&prefix[..]),
            std::ops::Bound::Unbounded,
        ))
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect();
    keys.into_iter()
        .filter_map(|k| files.remove(&k).map(|v| (k, v)))
        .collect()
}
