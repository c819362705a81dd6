//! One entry of a layer's file index, and the index itself.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Char,
    Block,
    Fifo,
    /// `.wh.<name>`: the path below is deleted (the entry names the deleted path).
    Whiteout,
    /// `.wh..wh..opq`: what lower layers had in this directory is hidden.
    Opaque,
}

impl EntryKind {
    /// The `"type"` of `files --json` (a contract).
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::File => "file",
            EntryKind::Dir => "dir",
            EntryKind::Symlink => "symlink",
            EntryKind::Hardlink => "hardlink",
            EntryKind::Char => "char",
            EntryKind::Block => "block",
            EntryKind::Fifo => "fifo",
            EntryKind::Whiteout => "whiteout",
            EntryKind::Opaque => "opaque",
        }
    }

    pub fn is_marker(self) -> bool {
        matches!(self, EntryKind::Whiteout | EntryKind::Opaque)
    }
}

/// A path in a layer: raw bytes (names need not be UTF-8), relative, without
/// `./`, a leading or a trailing `/`; the root is the empty path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: Box<[u8]>,
    pub kind: EntryKind,
    pub size: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime: i64,
    pub link: Option<Box<[u8]>>,
}

#[cfg(test)]
impl FileEntry {
    /// An entry for tests: `path` of `kind` and `size`, mode 0644, no owner or time.
    pub fn sample(path: &str, kind: EntryKind, size: u64) -> FileEntry {
        FileEntry {
            path: path.as_bytes().into(),
            kind,
            size,
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: 0,
            link: None,
        }
    }
}

/// Everything read from one layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerIndex {
    pub entries: Vec<FileEntry>,
    /// Bytes of the tar stream (after decompression).
    pub uncompressed_size: u64,
    /// How it was read: `tar`, `tar+gzip`, `tar+zstd`, `estargz`, `zstd:chunked`.
    pub format: String,
}

/// `a/./b/` → `a/b`, `a/../b` → `b`, as unpacking resolves them (`..` stops
/// at the root); only a name, never resolved against the host.
pub fn normalize(raw: &[u8]) -> Box<[u8]> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in raw.split(|b| *b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join(&b'/').into_boxed_slice()
}

/// The longest path accepted, and the most levels.
pub const MAX_PATH_BYTES: usize = 4096;
pub const MAX_PATH_LEVELS: usize = 256;

/// What a layer's paths may cost the merged tree: each path within
/// `MAX_PATH_BYTES` and `MAX_PATH_LEVELS`, the directories they imply at most
/// 8 per entry allowed, and their names (each prefix a copy) 1 GiB in all.
#[derive(Debug)]
pub struct PathBudget {
    levels: u64,
    prefix_bytes: u64,
    max_levels: u64,
    max_prefix_bytes: u64,
    /// The whole image's budget, shared by the layers read at once.
    image: Option<std::sync::Arc<ImageBudget>>,
    /// What this layer charged to it: `(entries, bytes)`.
    charged: (u64, u64),
}

/// What all the layers of one image may hold together: entries, and bytes of
/// paths and link targets (what their indexes keep in memory).
#[derive(Debug)]
pub struct ImageBudget {
    entries: std::sync::atomic::AtomicU64,
    bytes: std::sync::atomic::AtomicU64,
    max_entries: u64,
    max_bytes: u64,
}

impl ImageBudget {
    pub fn new(max_entries: usize, max_bytes: u64) -> ImageBudget {
        ImageBudget {
            entries: Default::default(),
            bytes: Default::default(),
            max_entries: u64::try_from(max_entries).unwrap_or(u64::MAX),
            max_bytes,
        }
    }

    /// Gives back what a reading that was abandoned charged (a table of
    /// contents that did not hold up: the layer is streamed instead).
    pub fn refund(&self, entries: u64, bytes: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        self.entries
            .fetch_sub(entries.min(self.entries.load(Relaxed)), Relaxed);
        self.bytes
            .fetch_sub(bytes.min(self.bytes.load(Relaxed)), Relaxed);
    }

    /// Counts one entry of `bytes` path and target bytes, or says which
    /// bound the image breaks.
    pub fn charge(&self, bytes: usize) -> Result<(), PathBudgetError> {
        use std::sync::atomic::Ordering::Relaxed;
        let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
        let entries = self.entries.fetch_add(1, Relaxed).saturating_add(1);
        if entries > self.max_entries {
            return Err(PathBudgetError::ImageEntries(self.max_entries));
        }
        let total = self.bytes.fetch_add(bytes, Relaxed).saturating_add(bytes);
        if total > self.max_bytes {
            return Err(PathBudgetError::ImageBytes(self.max_bytes >> 20));
        }
        Ok(())
    }
}

const MAX_PREFIX_BYTES: u64 = 1 << 30;

impl PathBudget {
    pub fn new(max_entries: usize) -> PathBudget {
        let levels = u64::try_from(max_entries)
            .unwrap_or(u64::MAX)
            .saturating_mul(8);
        PathBudget::with_limits(levels, MAX_PREFIX_BYTES)
    }

    fn with_limits(max_levels: u64, max_prefix_bytes: u64) -> PathBudget {
        PathBudget {
            levels: 0,
            prefix_bytes: 0,
            max_levels,
            max_prefix_bytes,
            image: None,
            charged: (0, 0),
        }
    }

    /// Gives the image back what this layer charged.
    pub fn refund(&self) {
        if let Some(image) = &self.image {
            image.refund(self.charged.0, self.charged.1);
        }
    }

    /// Also charges every path to the image's budget.
    pub fn within(mut self, image: Option<std::sync::Arc<ImageBudget>>) -> PathBudget {
        self.image = image;
        self
    }

    /// Counts `path` (and `link`), or says which bound it breaks.
    pub fn take(&mut self, path: &[u8], link: Option<&[u8]>) -> Result<(), PathBudgetError> {
        if !path_in_bounds(path) || link.is_some_and(|l| l.len() > MAX_PATH_BYTES) {
            return Err(PathBudgetError::PathTooLong);
        }
        let levels = path.iter().filter(|b| **b == b'/').count() as u64 + 1;
        self.levels = self.levels.saturating_add(levels);
        let target = link.map_or(0, <[u8]>::len);
        // Each prefix a copy, and the link target kept beside the path.
        let bytes = (path.len() as u64)
            .saturating_mul(levels)
            .saturating_add(target as u64);
        self.prefix_bytes = self.prefix_bytes.saturating_add(bytes);
        if let Some(image) = &self.image {
            let bytes = path.len().saturating_add(target);
            self.charged.0 = self.charged.0.saturating_add(1);
            self.charged.1 = self.charged.1.saturating_add(bytes as u64);
            image.charge(bytes)?;
        }
        if self.levels > self.max_levels || self.prefix_bytes > self.max_prefix_bytes {
            return Err(PathBudgetError::TooManyDirectories);
        }
        Ok(())
    }
}

/// Which bound a layer's paths break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PathBudgetError {
    #[error(
        "a path or link longer than {MAX_PATH_BYTES} bytes or deeper than {MAX_PATH_LEVELS} levels"
    )]
    PathTooLong,
    #[error("paths that imply more directories than the entry limit allows")]
    TooManyDirectories,
    #[error(
        "the image's layers hold more than {0} entries together ([files] max_image_entries raises it)"
    )]
    ImageEntries(u64),
    #[error(
        "the image's paths and link targets take more than {0} MiB together ([files] max_image_path_mib raises it)"
    )]
    ImageBytes(u64),
}

/// Whether a (normalised) path is within the bounds.
pub fn path_in_bounds(path: &[u8]) -> bool {
    path.len() <= MAX_PATH_BYTES && path.iter().filter(|b| **b == b'/').count() < MAX_PATH_LEVELS
}

/// A path as text: UTF-8 as it is, other bytes as `\xNN` (so JSON and the
/// screen show what is there; control characters are the sanitiser's).
pub fn display(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for chunk in path.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// The whiteout conventions of the OCI image spec: `.wh.<name>` deletes
/// `<name>`, `.wh..wh..opq` makes its directory opaque.
pub fn whiteout_of(path: &[u8]) -> Option<(EntryKind, Box<[u8]>)> {
    let (dir, name) = match path.iter().rposition(|b| *b == b'/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (&path[..0], path),
    };
    if name == b".wh..wh..opq" {
        return Some((EntryKind::Opaque, dir.into()));
    }
    let hidden = name.strip_prefix(b".wh.")?;
    if hidden.is_empty() {
        return None;
    }
    let mut target = dir.to_vec();
    if !target.is_empty() {
        target.push(b'/');
    }
    target.extend_from_slice(hidden);
    // `.wh...` names `..`: normalised, it may be the parent or nothing.
    Some((EntryKind::Whiteout, normalize(&target)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_without_resolving_dot_dot() {
        assert_eq!(&*normalize(b"./usr/bin/"), b"usr/bin");
        assert_eq!(&*normalize(b"/a//b/./c"), b"a/b/c");
        assert_eq!(&*normalize(b"../../etc/passwd"), b"etc/passwd");
        assert_eq!(
            &*normalize(b"tmp/../etc/passwd"),
            b"etc/passwd",
            "as unpacking resolves it"
        );
        assert_eq!(&*normalize(b"a/b/../../.."), b"");
        assert_eq!(&*normalize(b"./"), b"");
    }

    #[test]
    fn the_path_budget_counts_levels_and_prefix_bytes_to_the_byte() {
        let mut b = PathBudget::with_limits(8, 1000);
        assert!(b.take(b"a/b/c/d", None).is_ok(), "4 levels");
        assert!(b.take(b"e/f/g/h", None).is_ok(), "8: the limit itself");
        assert!(b.take(b"i", None).is_err(), "9");
        let mut b = PathBudget::with_limits(100, 15);
        assert!(b.take(b"abcde", None).is_ok(), "5 bytes × 1 level");
        assert!(
            b.take(b"ab/cd", None).is_ok(),
            "5 × 2 = 10: 15 in all, the limit"
        );
        assert!(b.take(b"x", None).is_err(), "16");
        let mut b = PathBudget::new(10);
        assert!(b.take(b"f", Some(&[b'l'; MAX_PATH_BYTES])).is_ok());
        assert!(
            b.take(b"f", Some(&[b'l'; MAX_PATH_BYTES + 1])).is_err(),
            "a link too long"
        );
        let deepest = "a/".repeat(MAX_PATH_LEVELS - 1) + "a";
        assert!(path_in_bounds(deepest.as_bytes()), "256 levels");
        assert!(!path_in_bounds(format!("a/{deepest}").as_bytes()), "257");
    }

    #[test]
    fn kinds_have_the_json_contracts_names() {
        use EntryKind::*;
        let kinds = [
            File, Dir, Symlink, Hardlink, Char, Block, Fifo, Whiteout, Opaque,
        ];
        let labels: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
        assert_eq!(
            labels,
            [
                "file", "dir", "symlink", "hardlink", "char", "block", "fifo", "whiteout", "opaque"
            ]
        );
        assert_eq!(kinds.iter().filter(|k| k.is_marker()).count(), 2);
    }

    #[test]
    fn non_utf8_bytes_are_shown_escaped() {
        assert_eq!(display(b"caf\xe9/x"), "caf\\xe9/x");
        assert_eq!(display("naïve".as_bytes()), "naïve");
    }

    #[test]
    fn whiteouts_name_what_they_delete() {
        assert_eq!(
            whiteout_of(b"etc/.wh.passwd"),
            Some((EntryKind::Whiteout, b"etc/passwd".to_vec().into()))
        );
        assert_eq!(
            whiteout_of(b".wh.tmp"),
            Some((EntryKind::Whiteout, b"tmp".to_vec().into()))
        );
        assert_eq!(
            whiteout_of(b"var/cache/.wh..wh..opq"),
            Some((EntryKind::Opaque, b"var/cache".to_vec().into()))
        );
        assert_eq!(whiteout_of(b"etc/.wh."), None);
        assert_eq!(
            whiteout_of(b"a/b/.wh..."),
            Some((EntryKind::Whiteout, b"a".to_vec().into())),
            "`..` hidden: the parent, normalised"
        );
        assert!(path_in_bounds(&[b'a'; 4096]) && !path_in_bounds(&[b'a'; 4097]));
        assert!(!path_in_bounds("a/".repeat(300).as_bytes()));
        assert_eq!(whiteout_of(b"etc/wh.passwd"), None);
    }
}
