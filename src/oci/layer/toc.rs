//! Tables of contents of seekable layers: where eStargz keeps its TOC (the
//! footer), and the TOC's entries (eStargz and zstd:chunked share the shape).

use super::entry::{EntryKind, FileEntry, normalize};
use serde::Deserialize;

/// The annotation that marks an eStargz layer (the TOC JSON's digest).
pub const ESTARGZ_TOC_DIGEST: &str = "containerd.io/snapshot/stargz/toc.digest";
pub const ESTARGZ_UNCOMPRESSED_SIZE: &str = "io.containers.estargz.uncompressed-size";
/// `offset:length:uncompressed_length:type` of a zstd:chunked manifest.
pub const ZSTD_CHUNKED_POSITION: [&str; 2] = [
    "io.github.containers.zstd-chunked.manifest-position",
    "io.containers.zstd-chunked.manifest-position",
];
/// The sha256 of a zstd:chunked layer's compressed manifest.
pub const ZSTD_CHUNKED_CHECKSUM: &str = "io.github.containers.zstd-chunked.manifest-checksum";
pub const FOOTER_SIZE: u64 = 51;
pub const LEGACY_FOOTER_SIZE: u64 = 47;
/// The tar entry of the TOC member that holds the JSON.
pub const TOC_TAR_NAME: &[u8] = b"stargz.index.json";

/// The TOC offset written in an eStargz footer: the gzip extra field of an
/// empty member holds `%016xSTARGZ` (after an `SG` subfield header in the
/// 51-byte footer; bare in the legacy 47-byte one). `tail` is the blob's
/// last bytes (at least 51 of them).
pub fn footer_toc_offset(tail: &[u8]) -> Option<u64> {
    let parse = |extra: &[u8]| -> Option<u64> {
        let (hex, magic) = extra.split_at_checked(16)?;
        if magic != b"STARGZ" {
            return None;
        }
        u64::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    };
    let footer = |size: u64| tail.get(tail.len().checked_sub(usize::try_from(size).ok()?)?..);
    if let Some(f) = footer(FOOTER_SIZE)
        && f.starts_with(&[0x1f, 0x8b, 0x08, 0x04])
        && f.get(10..16) == Some(&[26, 0, b'S', b'G', 22, 0])
        && let Some(offset) = f.get(16..38).and_then(parse)
    {
        return Some(offset);
    }
    let f = footer(LEGACY_FOOTER_SIZE)?;
    if f.starts_with(&[0x1f, 0x8b, 0x08, 0x04]) && f.get(10..12) == Some(&[22, 0]) {
        return f.get(12..34).and_then(parse);
    }
    None
}

#[derive(Deserialize)]
struct Toc {
    #[serde(default)]
    entries: Vec<TocEntry>,
}

#[derive(Deserialize)]
struct TocEntry {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    modtime: Option<String>,
    #[serde(default, rename = "linkName")]
    link_name: Option<String>,
    #[serde(default)]
    mode: u32,
    #[serde(default)]
    uid: u64,
    #[serde(default)]
    gid: u64,
}

/// Why a table of contents is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TocError {
    #[error("a table of contents that does not parse: {0}")]
    Unparsable(String),
    #[error("a table of contents of more than {0} entries")]
    TooManyEntries(usize),
    #[error("an entry of unknown type {0:?}")]
    UnknownType(String),
    #[error("{0}")]
    Path(#[from] super::entry::PathBudgetError),
}

/// The entries of a TOC JSON (eStargz's `stargz.index.json` or a
/// zstd:chunked manifest); chunk records of a large file are folded into it.
pub fn toc_entries(json: &[u8], max_entries: usize) -> Result<Vec<FileEntry>, TocError> {
    let toc: Toc = serde_json::from_slice(json).map_err(|e| TocError::Unparsable(e.to_string()))?;
    if toc.entries.len() > max_entries {
        return Err(TocError::TooManyEntries(max_entries));
    }
    let mut out = Vec::with_capacity(toc.entries.len());
    let mut budget = super::entry::PathBudget::new(max_entries);
    for e in toc.entries {
        let kind = match e.kind.as_str() {
            "chunk" => continue,
            "dir" => EntryKind::Dir,
            "reg" => EntryKind::File,
            "symlink" => EntryKind::Symlink,
            "hardlink" => EntryKind::Hardlink,
            "char" => EntryKind::Char,
            "block" => EntryKind::Block,
            "fifo" => EntryKind::Fifo,
            other => return Err(TocError::UnknownType(other.to_string())),
        };
        let path = normalize(e.name.as_bytes());
        let (kind, path) = match super::entry::whiteout_of(&path) {
            Some((marker, target)) => (marker, target),
            None => (kind, path),
        };
        if path.is_empty() && kind != EntryKind::Opaque {
            continue;
        }
        budget.take(&path, e.link_name.as_deref().map(str::as_bytes))?;
        out.push(FileEntry {
            path,
            kind,
            size: if kind == EntryKind::File { e.size } else { 0 },
            mode: e.mode & 0o7777,
            uid: u32::try_from(e.uid).unwrap_or(u32::MAX),
            gid: u32::try_from(e.gid).unwrap_or(u32::MAX),
            mtime: e
                .modtime
                .as_deref()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .map(|t| t.as_second())
                .unwrap_or(0),
            link: e
                .link_name
                .filter(|l| !l.is_empty())
                .map(|l| l.into_bytes().into_boxed_slice()),
        });
    }
    Ok(out)
}
