//! The union file system of an image's layers, applied bottom first.

use super::wasted::{WasteCounter, Wasted};
use super::{FileNode, Files, LayerSet, descendants_prefix, remove_below};
use crate::oci::layer::{EntryKind, FileEntry};

pub struct Merged {
    pub files: Files,
    pub wasted: Wasted,
}

/// Applies `layers` in order: each layer's whiteouts and opaque markers act
/// on what the layers below left, then its entries are written (a non-directory
/// written over a directory replaces the whole directory).
pub fn merge<'a>(layers: &[&'a [FileEntry]]) -> Merged {
    let Some((first, later)) = layers.split_first() else {
        return Merged {
            files: Files::new(),
            wasted: WasteCounter::default().finish(),
        };
    };
    let (mut files, mut waste) = base_layer(first);
    for (i, entries) in later.iter().enumerate() {
        let index = i + 1;
        let entries: &'a [FileEntry] = entries;
        let parents = parents_of(entries);
        // (Opaque markers never reach the count: they are neither written nor whiteouts.)
        let is_leaf = |e: &FileEntry| !parents.contains(&*e.path);
        for e in entries.iter().filter(|e| e.kind.is_marker()) {
            if e.kind == EntryKind::Whiteout && is_leaf(e) {
                waste.add(&e.path, deleted_bytes(&files, &e.path));
            }
            if e.kind == EntryKind::Whiteout {
                files.remove(&e.path);
            }
            remove_below(&mut files, &e.path);
        }
        let mut writer = Writer {
            files: &mut files,
            index,
            parent_made: None,
        };
        for e in entries.iter().filter(|e| !e.kind.is_marker()) {
            if is_leaf(e) {
                waste.add(&e.path, e.size);
            }
            writer.write(e);
        }
    }
    let mut wasted = waste.finish();
    name_layers(&mut wasted, layers);
    Merged { files, wasted }
}

/// Fills in which layers touched each wasted path (markers too, opaque ones
/// not), in one pass over the layers.
fn name_layers(wasted: &mut Wasted, layers: &[&[FileEntry]]) {
    let at: hashbrown::HashMap<Box<[u8]>, usize> = wasted
        .paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.path.clone(), i))
        .collect();
    for (index, entries) in layers.iter().enumerate() {
        for e in entries.iter().filter(|e| e.kind != EntryKind::Opaque) {
            if let Some(i) = at.get(&e.path)
                && wasted.paths[*i].layers.last() != Some(&index)
            {
                wasted.paths[*i].layers.push(index);
            }
        }
    }
}

/// The bottom layer onto nothing: sorted once and built in bulk (its markers
/// have nothing to delete), its leaves kept sorted for the waste count.
fn base_layer(entries: &[FileEntry]) -> (Files, WasteCounter<'_>) {
    let mut sorted: Vec<&FileEntry> = entries
        .iter()
        .filter(|e| e.kind != EntryKind::Opaque)
        .collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let parents = parents_of(entries);
    let leaves: Vec<(&[u8], u64)> = sorted
        .iter()
        .filter(|e| !parents.contains(&*e.path))
        .map(|e| {
            // A marker's size is 0 (the readers set it so).
            (&*e.path, e.size)
        })
        .collect();
    let mut files: Files = sorted
        .iter()
        .filter(|e| !e.kind.is_marker())
        .map(|e| (e.path.clone(), node_of(e, 0, LayerSet::one(0))))
        .collect();
    let mut made: Option<&[u8]> = None;
    for e in sorted.iter().filter(|e| !e.kind.is_marker()) {
        let parent = e
            .path
            .iter()
            .rposition(|b| *b == b'/')
            .map(|i| &e.path[..i]);
        if parent.is_some() && parent != made {
            make_parents(&mut files, &e.path, 0);
            made = parent;
        }
    }
    (files, WasteCounter::with_base(leaves))
}

/// Writes one layer's entries.
struct Writer<'f, 'a> {
    files: &'f mut Files,
    index: usize,
    /// The directory whose parents were last made (tars group entries by
    /// directory, so most entries skip the lookups).
    parent_made: Option<&'a [u8]>,
}

impl<'a> Writer<'_, 'a> {
    fn write(&mut self, e: &'a FileEntry) {
        let parent = e
            .path
            .iter()
            .rposition(|b| *b == b'/')
            .map(|i| &e.path[..i]);
        if parent.is_some() && parent != self.parent_made {
            make_parents(self.files, &e.path, self.index);
            self.parent_made = parent;
        }
        let index = self.index;
        let replaces_dir = match self.files.entry(e.path.clone()) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(node_of(e, index, LayerSet::one(index)));
                false
            }
            std::collections::btree_map::Entry::Occupied(mut slot) => {
                let old = slot.get_mut();
                let replaces_dir = old.kind == EntryKind::Dir && e.kind != EntryKind::Dir;
                let mut layers = std::mem::take(&mut old.layers);
                layers.insert(index);
                *old = node_of(e, index, layers);
                replaces_dir
            }
        };
        if replaces_dir {
            remove_below(self.files, &e.path);
            self.parent_made = None;
        }
    }
}

/// A layer that writes `a/b/c` without `a/b` makes the directories, as
/// unpacking it would (they then stay when their contents are deleted).
fn make_parents(files: &mut Files, path: &[u8], index: usize) {
    let mut end = path.len();
    let mut missing = Vec::new();
    while let Some(i) = path[..end].iter().rposition(|b| *b == b'/') {
        end = i;
        match files.get(&path[..end]) {
            Some(_) => break,
            None => missing.push(end),
        }
    }
    for end in missing {
        let dir = FileNode {
            kind: EntryKind::Dir,
            size: 0,
            mode: 0o755,
            link: None,
            layer: index,
            layers: LayerSet::one(index),
        };
        files.insert(path[..end].into(), dir);
    }
}

pub fn node_of(e: &FileEntry, index: usize, layers: LayerSet) -> FileNode {
    FileNode {
        kind: e.kind,
        size: e.size,
        mode: e.mode,
        link: e.link.clone(),
        layer: index,
        layers,
    }
}

/// One layer's own changes as files (whiteouts and opaque markers included).
pub fn own(entries: &[FileEntry], index: usize) -> Files {
    entries
        .iter()
        .map(|e| (e.path.clone(), node_of(e, index, LayerSet::one(index))))
        .collect()
}

/// What a whiteout at `path` deletes, as dive counts it: the files below a
/// directory (written or implied); a file's 0 (its bytes were counted where
/// it was written).
fn deleted_bytes(files: &Files, path: &[u8]) -> u64 {
    let prefix = descendants_prefix(path);
    files
        .range::<[u8], _>((
            std::ops::Bound::Included(&prefix[..]),
            std::ops::Bound::Unbounded,
        ))
        .take_while(|(k, _)| k.starts_with(&prefix))
        .fold(0u64, |sum, (_, n)| sum.saturating_add(n.size))
}

/// The paths of `entries` that have something below them in the same layer
/// (the others are leaves; opaque markers neither count nor make a parent).
fn parents_of(entries: &[FileEntry]) -> hashbrown::HashSet<&[u8]> {
    let mut parents: hashbrown::HashSet<&[u8]> = hashbrown::HashSet::new();
    for e in entries.iter().filter(|e| e.kind != EntryKind::Opaque) {
        let mut path: &[u8] = &e.path;
        while let Some(i) = path.iter().rposition(|b| *b == b'/') {
            path = &path[..i];
            if !parents.insert(path) {
                break;
            }
        }
    }
    parents
}
#[cfg(test)]
mod tests {
    use super::*;

    fn e(path: &str, kind: EntryKind, size: u64) -> FileEntry {
        FileEntry::sample(path, kind, size)
    }
    use EntryKind::{Dir, File, Opaque, Whiteout};

    fn paths(files: &Files) -> Vec<(String, usize, Vec<usize>)> {
        files
            .iter()
            .map(|(p, n)| {
                (
                    String::from_utf8_lossy(p).into_owned(),
                    n.layer,
                    n.layers.to_vec(),
                )
            })
            .collect()
    }

    #[test]
    fn whiteouts_delete_opaque_hides_and_later_layers_win() {
        let base = vec![
            e("etc", Dir, 0),
            e("etc/passwd", File, 100),
            e("var/cache", Dir, 0),
            e("var/cache/a", File, 10),
            e("var/cache/b", File, 20),
            e("tmp/x", File, 5),
        ];
        let next = vec![
            e("etc/passwd", File, 150),
            e("tmp", Whiteout, 0),
            e("var/cache", Opaque, 0),
            e("var/cache/c", File, 7),
        ];
        let merged = merge(&[&base, &next]);
        // Waste as dive counts it: passwd 100 + 150; the whiteout of tmp adds
        // what it deleted (5); the opaque marker counts nothing.
        let w = &merged.wasted;
        assert_eq!(w.bytes, 250);
        assert_eq!(
            w.paths.iter().map(|p| &*p.path).collect::<Vec<_>>(),
            [&b"etc/passwd"[..]]
        );
        assert!(
            (w.efficiency - 147.0 / 297.0).abs() < 1e-12,
            "{}",
            w.efficiency
        );
        assert_eq!(
            paths(&merged.files),
            [
                ("etc".into(), 0, vec![0]),
                ("etc/passwd".into(), 1, vec![0, 1]),
                ("var".into(), 0, vec![0]),
                ("var/cache".into(), 0, vec![0]),
                ("var/cache/c".into(), 1, vec![1]),
            ]
        );
    }

    #[test]
    fn wasted_bytes_and_efficiency_are_dives() {
        // Layer 0: a 100-byte file, a dir of 30 bytes; layer 1 overwrites the
        // file (150) and deletes the dir; layer 2 deletes the file.
        let l0 = vec![e("f", File, 100), e("d/a", File, 10), e("d/b", File, 20)];
        let l1 = vec![e("f", File, 150), e("d", Whiteout, 0)];
        let l2 = vec![e("f", Whiteout, 0)];
        let merged = merge(&[&l0, &l1, &l2]);
        assert!(merged.files.is_empty());
        // f: 100 + 150 + 0 (a file's whiteout) = 250, min 0.
        // d: 30 deleted by the whiteout (d itself was implied), only one touch.
        // d/a, d/b: one touch each.
        let w = &merged.wasted;
        assert_eq!(w.bytes, 250);
        assert_eq!(w.paths.len(), 1);
        assert_eq!(w.paths[0].layers, [0, 1, 2]);
        // minimum 0 + 10 + 20 + 30 = 60 over 250 + 10 + 20 + 30 = 310.
        assert!(
            (w.efficiency - 60.0 / 310.0).abs() < 1e-12,
            "{}",
            w.efficiency
        );
    }

    #[test]
    fn a_directory_with_contents_is_no_leaf_and_wastes_nothing() {
        // An empty directory (a leaf) filled by the next layer (no leaf there).
        let merged = merge(&[&[e("d", Dir, 0)], &[e("d", Dir, 0), e("d/f", File, 5)]]);
        assert!(merged.wasted.paths.is_empty(), "{:?}", merged.wasted.paths);
        assert_eq!(
            paths(&merged.files),
            [("d".into(), 1, vec![0, 1]), ("d/f".into(), 1, vec![1])]
        );
    }

    #[test]
    fn a_directory_with_deeper_contents_only_is_no_leaf_either() {
        // `a` has nothing directly below it, only `a/b/…` (with no `a/b` entry).
        let l0 = [e("a", Dir, 0), e("a/b/c", File, 1)];
        let l1 = [e("a", Dir, 0), e("a/b/c2", File, 1), e("x", Opaque, 0)];
        let merged = merge(&[&l0, &l1]);
        assert!(merged.wasted.paths.is_empty(), "{:?}", merged.wasted.paths);
    }

    #[test]
    fn an_opaque_marker_is_no_touch_of_its_directory() {
        // An empty directory, then made opaque (nothing below it in that layer).
        let merged = merge(&[&[e("v", Dir, 0)], &[e("v", Opaque, 0)]]);
        assert!(merged.wasted.paths.is_empty(), "{:?}", merged.wasted.paths);
        assert_eq!(paths(&merged.files), [("v".into(), 0, vec![0])]);
    }

    #[test]
    fn a_directory_written_again_keeps_what_is_below_it() {
        let merged = merge(&[&[e("d", Dir, 0), e("d/f", File, 5)], &[e("d", Dir, 0)]]);
        assert_eq!(
            paths(&merged.files),
            [("d".into(), 1, vec![0, 1]), ("d/f".into(), 0, vec![0])]
        );
    }

    #[test]
    fn a_layers_own_view_is_its_entries_markers_included() {
        let layer = [e("etc/passwd", File, 7), e("tmp", Whiteout, 0)];
        let files = own(&layer, 3);
        assert_eq!(
            paths(&files),
            [
                ("etc/passwd".into(), 3, vec![3]),
                ("tmp".into(), 3, vec![3])
            ]
        );
        assert_eq!(files[&b"tmp"[..]].kind, Whiteout);
    }

    #[test]
    fn a_file_written_over_a_directory_replaces_it() {
        let l0 = vec![e("x", Dir, 0), e("x/y", File, 3)];
        let l1 = vec![e("x", File, 1)];
        let merged = merge(&[&l0, &l1]);
        assert_eq!(paths(&merged.files), [("x".into(), 1, vec![0, 1])]);
        assert!((merge(&[]).wasted.efficiency - 1.0).abs() < f64::EPSILON);
    }
}
