//! An image's file system from its layers' indexes: the union of the layers
//! (whiteouts deleting, opaque directories hiding), the space wasted on files
//! a later layer replaced, a tree to show, and the difference of two trees.

pub mod diff;
pub mod hidden;
pub mod merge;
pub mod tree;
pub mod wasted;

use crate::oci::layer::EntryKind;

/// A path of the merged file system (or of one layer's own changes).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileNode {
    pub kind: EntryKind,
    pub size: u64,
    pub mode: u32,
    pub link: Option<Box<[u8]>>,
    /// The layer (index from the bottom) that last wrote it.
    pub layer: usize,
    /// Every layer that wrote it.
    pub layers: LayerSet,
}

/// Layer indexes: a bit each below 128 (overlay's own limit is 127 layers),
/// a list above. No allocation for the common case.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LayerSet {
    low: [u64; 2],
    high: Option<Box<[usize]>>,
}

impl LayerSet {
    pub fn one(layer: usize) -> LayerSet {
        let mut set = LayerSet::default();
        set.insert(layer);
        set
    }

    pub fn insert(&mut self, layer: usize) {
        if layer < 128 {
            self.low[layer / 64] |= 1u64 << (layer % 64);
            return;
        }
        let mut high: Vec<usize> = self.high.take().map(Vec::from).unwrap_or_default();
        // Layers come bottom first: the new one is almost always the last.
        match high.last() {
            Some(last) if *last >= layer => {
                if let Err(at) = high.binary_search(&layer) {
                    high.insert(at, layer);
                }
            }
            _ => high.push(layer),
        }
        self.high = Some(high.into_boxed_slice());
    }

    fn has_low(&self, layer: usize) -> bool {
        self.low[layer / 64] & (1u64 << (layer % 64)) != 0
    }

    pub fn len(&self) -> usize {
        let low = self.low[0].count_ones() + self.low[1].count_ones();
        low as usize + self.high.as_ref().map_or(0, |h| h.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bottom first.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..128usize)
            .filter(|b| self.has_low(*b))
            .chain(self.high.iter().flat_map(|h| h.iter().copied()))
    }

    pub fn to_vec(&self) -> Vec<usize> {
        self.iter().collect()
    }
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

#[cfg(test)]
mod tests {
    use super::LayerSet;

    #[test]
    fn layer_sets_hold_any_index_once_in_order() {
        let mut set = LayerSet::one(3);
        for layer in [0, 127, 64, 200, 3, 130, 200] {
            set.insert(layer);
        }
        assert_eq!(set.to_vec(), [0, 3, 64, 127, 130, 200]);
        assert_eq!(set.len(), 6);
        assert!(!set.is_empty() && LayerSet::default().is_empty());
    }
}
