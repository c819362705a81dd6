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
/// Entries are counted and converted as the JSON streams: more than
/// `max_entries` records stop the parse there.
pub fn toc_entries(
    json: &[u8],
    max_entries: usize,
    image: Option<std::sync::Arc<super::entry::ImageBudget>>,
) -> Result<Vec<FileEntry>, TocError> {
    let mut collected = Collected {
        max_entries,
        records: 0,
        out: Vec::new(),
        budget: super::entry::PathBudget::new(max_entries).within(image),
        refused: None,
    };
    let mut de = serde_json::Deserializer::from_slice(json);
    let parsed =
        serde::de::DeserializeSeed::deserialize(&mut collected, &mut de).and_then(|()| de.end());
    let result = match (parsed, collected.refused) {
        (_, Some(why)) => Err(why),
        (Err(e), None) => Err(TocError::Unparsable(e.to_string())),
        (Ok(()), None) => Ok(collected.out),
    };
    // A TOC that does not hold up leaves the layer to be streamed: what it
    // charged to the image goes back, so the stream is not counted twice.
    if result.is_err() {
        collected.budget.refund();
    }
    result
}

/// What the streaming parse has gathered, and why it stopped early.
struct Collected {
    max_entries: usize,
    records: usize,
    out: Vec<FileEntry>,
    budget: super::entry::PathBudget,
    refused: Option<TocError>,
}

impl Collected {
    /// One record: counted, converted, kept (a chunk record is not an entry).
    fn take(&mut self, e: TocEntry) -> Result<(), TocError> {
        self.records += 1;
        if self.records > self.max_entries {
            return Err(TocError::TooManyEntries(self.max_entries));
        }
        if let Some(entry) = file_entry(e)? {
            self.budget.take(&entry.path, entry.link.as_deref())?;
            self.out.push(entry);
        }
        Ok(())
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for &mut Collected {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for &mut Collected {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a table of contents object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "entries" => map.next_value_seed(Entries(&mut *self))?,
                _ => drop(map.next_value::<serde::de::IgnoredAny>()?),
            }
        }
        Ok(())
    }
}

/// The `entries` array, element by element.
struct Entries<'a>(&'a mut Collected);

impl<'de> serde::de::DeserializeSeed<'de> for Entries<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Entries<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of entries")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(e) = seq.next_element::<TocEntry>()? {
            if let Err(why) = self.0.take(e) {
                self.0.refused = Some(why);
                return Err(serde::de::Error::custom("refused"));
            }
        }
        Ok(())
    }
}

/// A TOC record as a file entry (`None` for a chunk record or the root).
fn file_entry(e: TocEntry) -> Result<Option<FileEntry>, TocError> {
    let kind = match e.kind.as_str() {
        "chunk" => return Ok(None),
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
        return Ok(None);
    }
    Ok(Some(FileEntry {
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
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_converted_as_they_stream_and_chunks_fold_in() {
        let json = br#"{"version": 1, "entries": [
            {"name": "bin/", "type": "dir", "mode": 493},
            {"name": "bin/tool", "type": "reg", "size": 9, "mode": 493},
            {"name": "bin/tool", "type": "chunk", "size": 4},
            {"name": "bin/sh", "type": "symlink", "linkName": "tool"}
        ], "extra": {"ignored": [1, 2]}}"#;
        let entries = toc_entries(json, 10, None).unwrap();
        let listed: Vec<(&[u8], EntryKind, u64)> =
            entries.iter().map(|e| (&*e.path, e.kind, e.size)).collect();
        assert_eq!(
            listed,
            [
                (&b"bin"[..], EntryKind::Dir, 0),
                (&b"bin/tool"[..], EntryKind::File, 9),
                (&b"bin/sh"[..], EntryKind::Symlink, 0)
            ]
        );
    }

    #[test]
    fn records_past_the_limit_stop_the_parse_where_they_are() {
        // Three records allowed; the fourth stops the parse before the bytes
        // that would not parse.
        let json = br#"{"entries": [{"name": "a", "type": "reg"}, {"name": "b", "type": "reg"},
            {"name": "c", "type": "reg"}, {"name": "d", "type": "reg"}, NOT JSON"#;
        assert_eq!(toc_entries(json, 3, None), Err(TocError::TooManyEntries(3)));
        assert!(matches!(
            toc_entries(b"{\"entries\": [1", 3, None),
            Err(TocError::Unparsable(_))
        ));
    }
}
