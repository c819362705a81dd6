//! Bytes the layers carry that the merged image no longer shows: copies a
//! later layer overwrote or deleted (a whiteout, an opaque directory), and
//! earlier copies of a path one layer wrote twice. What squashing the image, or
//! a build that does not write them, would save. Dive's "wasted" counts every
//! copy of such a path, the surviving one included; this counts the dead ones.

use super::Files;
use crate::oci::layer::{EntryKind, FileEntry};
use std::collections::HashMap;

/// One copy of a file the merged image does not show.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HiddenCopy {
    pub path: Box<[u8]>,
    /// The layer (index from the bottom) that holds it.
    pub layer: usize,
    pub bytes: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hidden {
    pub bytes: u64,
    /// Largest first.
    pub copies: Vec<HiddenCopy>,
}

/// The file copies of `layers` that `merged` (their union) does not show.
pub fn hidden(layers: &[&[FileEntry]], merged: &Files) -> Hidden {
    let mut copies = Vec::new();
    for (layer, entries) in layers.iter().enumerate() {
        // Unpacking leaves the last entry of a path a layer wrote twice (a
        // layer's whiteouts act before its writes, wherever they stand).
        let mut last: HashMap<&[u8], usize> = HashMap::new();
        let writes = entries.iter().enumerate();
        for (i, e) in
            writes.filter(|(_, e)| !matches!(e.kind, EntryKind::Whiteout | EntryKind::Opaque))
        {
            last.insert(&e.path, i);
        }
        for (i, e) in entries.iter().enumerate() {
            if e.kind != EntryKind::File || e.size == 0 {
                continue;
            }
            let shown = last.get(&*e.path) == Some(&i)
                && merged
                    .get(&e.path)
                    .is_some_and(|n| n.layer == layer && n.kind == EntryKind::File);
            if !shown {
                copies.push(HiddenCopy {
                    path: e.path.clone(),
                    layer,
                    bytes: e.size,
                });
            }
        }
    }
    copies.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
    let bytes = copies.iter().fold(0u64, |s, c| s.saturating_add(c.bytes));
    Hidden { bytes, copies }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::filetree::merge::merge;

    fn file(path: &str, size: u64) -> FileEntry {
        FileEntry::sample(path, EntryKind::File, size)
    }

    fn whiteout(path: &str) -> FileEntry {
        FileEntry::sample(path, EntryKind::Whiteout, 0)
    }

    #[test]
    fn overwritten_deleted_and_twice_written_copies_are_hidden_the_survivors_are_not() {
        let base = [
            file("app/bin", 100),
            file("cache/big", 1000),
            file("keep", 7),
        ];
        let second = [
            file("app/bin", 120),
            whiteout("cache/big"),
            file("twice", 5),
        ];
        let third = [file("twice", 9)];
        let layers: Vec<&[FileEntry]> = vec![&base, &second, &third];
        let merged = merge(&layers);
        let hidden = hidden(&layers, &merged.files);
        let copies: Vec<(&[u8], usize, u64)> = hidden
            .copies
            .iter()
            .map(|c| (&*c.path, c.layer, c.bytes))
            .collect();
        assert_eq!(
            copies,
            [
                (&b"cache/big"[..], 0, 1000),
                (&b"app/bin"[..], 0, 100),
                (&b"twice"[..], 1, 5)
            ]
        );
        assert_eq!(hidden.bytes, 1105);
        assert!(
            merged.wasted.bytes > hidden.bytes - 1000,
            "dive's figure counts the survivors too"
        );
        let same_layer = [file("dup", 3), file("dup", 4)];
        let layers: Vec<&[FileEntry]> = vec![&same_layer];
        let merged = merge(&layers);
        assert_eq!(hidden_bytes(&layers, &merged.files), 3);
    }

    #[test]
    fn a_layer_s_whiteout_acts_before_its_writes_wherever_it_stands() {
        let base = [file("x", 5)];
        let upper = [file("x", 10), whiteout("x")];
        let layers: Vec<&[FileEntry]> = vec![&base, &upper];
        let merged = merge(&layers);
        assert_eq!(
            merged.files[&b"x"[..]].size,
            10,
            "merge shows the upper copy"
        );
        assert_eq!(
            hidden_bytes(&layers, &merged.files),
            5,
            "only the lower copy is dead"
        );
    }

    fn hidden_bytes(layers: &[&[FileEntry]], merged: &Files) -> u64 {
        hidden(layers, merged).bytes
    }
}
