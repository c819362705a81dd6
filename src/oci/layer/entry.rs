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

/// Everything read from one layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerIndex {
    pub entries: Vec<FileEntry>,
    /// Bytes of the tar stream (after decompression).
    pub uncompressed_size: u64,
    /// How it was read: `tar`, `tar+gzip`, `tar+zstd`, `estargz`, `zstd:chunked`.
    pub format: String,
}

/// `a/./b/` → `a/b`; `..` and empty segments are dropped (never resolved
/// against the host: this is only a name).
pub fn normalize(raw: &[u8]) -> Box<[u8]> {
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    for part in raw.split(|b| *b == b'/') {
        if part.is_empty() || part == b"." || part == b".." {
            continue;
        }
        if !out.is_empty() {
            out.push(b'/');
        }
        out.extend_from_slice(part);
    }
    out.into_boxed_slice()
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
    Some((EntryKind::Whiteout, target.into_boxed_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_without_resolving_dot_dot() {
        assert_eq!(&*normalize(b"./usr/bin/"), b"usr/bin");
        assert_eq!(&*normalize(b"/a//b/./c"), b"a/b/c");
        assert_eq!(&*normalize(b"../../etc/passwd"), b"etc/passwd");
        assert_eq!(&*normalize(b"./"), b"");
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
        assert_eq!(whiteout_of(b"etc/wh.passwd"), None);
    }
}
