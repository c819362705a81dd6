//! A tar stream read header by header: each entry's metadata is kept, its
//! content skipped. It reads as the runtimes unpack (Go's `archive/tar`, which
//! docker and containerd use): header-only types (directories, links, devices,
//! fifos) have no content whatever their size field or a PAX `size` says, GNU
//! sparse files are listed at their real size. PAX and GNU long names and links
//! are followed; sizes, counts and extension headers are bounded, so a hostile
//! archive costs at most its limits.

use super::entry::{EntryKind, FileEntry, PathBudget, normalize, whiteout_of};
use std::io::Read;

const BLOCK: u64 = 512;

/// The reading's version: stored listings carry it, so a listing made by an
/// older reader (one a crafted layer could hide files from) is never served.
pub const READER_VERSION: u32 = 2;

/// Most extension blocks one old-GNU sparse header may chain.
const MAX_SPARSE_EXTENSIONS: usize = 4096;

#[derive(Debug, Clone)]
pub struct Limits {
    pub max_entries: usize,
    /// Bytes of tar (after decompression) read at most: a gzip bomb stops here.
    pub max_uncompressed: u64,
    /// Longest PAX or GNU long-name record.
    pub max_extension: u64,
    /// The whole image's budget, charged for every entry.
    pub image: Option<std::sync::Arc<super::entry::ImageBudget>>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 1_000_000,
            max_uncompressed: 64 * 1024 * 1024 * 1024,
            max_extension: 1024 * 1024,
            image: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TarError {
    #[error("not a tar archive: {0}")]
    NotTar(String),
    #[error("the archive ends in the middle of an entry (truncated)")]
    Truncated,
    #[error("more than {0} entries; refusing to index more (max_layer_entries raises it)")]
    TooManyEntries(usize),
    #[error("more than {0} bytes once decompressed; refusing to read more")]
    TooLarge(u64),
    #[error("{0}")]
    Budget(#[from] super::entry::PathBudgetError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What the extended headers before the next entry said, kept as Go's
/// reader keeps them: the latest PAX header's records (a new one replaces
/// them), and GNU long names; a global header starts over.
#[derive(Default)]
struct Pending {
    pax: super::pax::Records,
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
}

impl Pending {
    /// A PAX value; an empty one keeps the header's, as in Go.
    fn value(&self, key: &[u8]) -> Option<&[u8]> {
        self.pax
            .get(key)
            .map(Vec::as_slice)
            .filter(|v| !v.is_empty())
    }

    /// A PAX number; one that does not parse refuses the archive, as in Go.
    fn number(&self, key: &[u8]) -> Result<Option<u64>, TarError> {
        self.parsed(key, |text| text.parse::<u64>().ok())
    }

    /// A PAX time: whole seconds, before 1970 too (the fraction is dropped).
    fn seconds(&self, key: &[u8]) -> Result<Option<i64>, TarError> {
        self.parsed(key, |text| text.split('.').next()?.parse::<i64>().ok())
    }

    fn parsed<T>(
        &self,
        key: &[u8],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, TarError> {
        let Some(value) = self.value(key) else {
            return Ok(None);
        };
        let parsed = std::str::from_utf8(value).ok().and_then(parse);
        parsed.map(Some).ok_or_else(|| {
            let key = String::from_utf8_lossy(key);
            TarError::NotTar(format!("a PAX {key} that is not a number"))
        })
    }

    /// The sparse file's name and real size, when the records make the entry
    /// a PAX sparse file (Go's `readGNUSparsePAXHeaders`).
    fn sparse(&self) -> Result<(Option<&[u8]>, Option<u64>), TarError> {
        let (major, minor) = (
            self.value(b"GNU.sparse.major"),
            self.value(b"GNU.sparse.minor"),
        );
        let sparse = match (major, minor) {
            (Some(b"0"), Some(b"0" | b"1")) | (Some(b"1"), Some(b"0")) => true,
            (None, None) => self.value(b"GNU.sparse.map").is_some(),
            _ => false,
        };
        if !sparse {
            return Ok((None, None));
        }
        let size = match self.number(b"GNU.sparse.size")? {
            Some(size) => Some(size),
            None => self.number(b"GNU.sparse.realsize")?,
        };
        Ok((self.value(b"GNU.sparse.name"), size))
    }
}

struct Reader<R> {
    inner: R,
    position: u64,
    limits: Limits,
}

impl<R: Read> Reader<R> {
    /// The next header block, or `None` at the end of the archive (a zero
    /// block, or the end of the stream on a block boundary).
    fn header(&mut self) -> Result<Option<[u8; 512]>, TarError> {
        let mut block = [0u8; 512];
        let mut filled = 0;
        while filled < block.len() {
            match self.inner.read(&mut block[filled..]) {
                Ok(0) if filled == 0 => return Ok(None),
                Ok(0) => return Err(TarError::Truncated),
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.advance(BLOCK)?;
        Ok((block != [0u8; 512]).then_some(block))
    }

    fn advance(&mut self, n: u64) -> Result<(), TarError> {
        self.position = self.position.saturating_add(n);
        if self.position > self.limits.max_uncompressed {
            return Err(TarError::TooLarge(self.limits.max_uncompressed));
        }
        Ok(())
    }

    /// Skips `size` bytes of content and the padding to the next block.
    fn skip(&mut self, size: u64) -> Result<(), TarError> {
        let padded = size.div_ceil(BLOCK).saturating_mul(BLOCK);
        self.advance(padded)?;
        let copied = std::io::copy(&mut (&mut self.inner).take(padded), &mut std::io::sink())?;
        if copied < padded {
            return Err(TarError::Truncated);
        }
        Ok(())
    }

    /// Reads a PAX or GNU record of `size` bytes (bounded).
    fn record(&mut self, size: u64) -> Result<Vec<u8>, TarError> {
        if size > self.limits.max_extension {
            return Err(TarError::NotTar(format!(
                "an extended header of {size} bytes (more than {})",
                self.limits.max_extension
            )));
        }
        let mut data = Vec::new();
        (&mut self.inner).take(size).read_to_end(&mut data)?;
        if (data.len() as u64) < size {
            return Err(TarError::Truncated);
        }
        let padding = size.div_ceil(BLOCK) * BLOCK - size;
        self.advance(size)?;
        self.skip_padding(padding)?;
        Ok(data)
    }

    fn skip_padding(&mut self, padding: u64) -> Result<(), TarError> {
        self.advance(padding)?;
        let copied = std::io::copy(&mut (&mut self.inner).take(padding), &mut std::io::sink())?;
        match copied < padding {
            true => Err(TarError::Truncated),
            false => Ok(()),
        }
    }
}

/// Every entry of the tar in `input`, and the bytes of tar read. The stream
/// is read up to the end-of-archive marker; the caller drains the rest.
pub fn read_entries<R: Read>(input: R, limits: Limits) -> Result<(Vec<FileEntry>, u64), TarError> {
    let max_entries = limits.max_entries;
    let mut budget = PathBudget::new(max_entries).within(limits.image.clone());
    let mut reader = Reader {
        inner: input,
        position: 0,
        limits,
    };
    let mut entries = Vec::new();
    let mut pending = Pending::default();
    while let Some(block) = reader.header()? {
        check_sum(&block, reader.position)?;
        let header = tar::Header::from_byte_slice(&block);
        let size = header
            .entry_size()
            .map_err(|e| TarError::NotTar(format!("a size field that does not parse ({e})")))?;
        match header.entry_type() {
            tar::EntryType::XHeader => {
                pending.pax = super::pax::parse(&reader.record(size)?)
                    .map_err(|e| TarError::NotTar(e.to_string()))?;
            }
            tar::EntryType::XGlobalHeader => {
                reader.record(size)?;
                pending = Pending::default();
            }
            tar::EntryType::GNULongName => {
                pending.long_name = Some(cut_at_nul(reader.record(size)?))
            }
            tar::EntryType::GNULongLink => {
                pending.long_link = Some(cut_at_nul(reader.record(size)?))
            }
            _ => {
                if entries.len() >= max_entries {
                    return Err(TarError::TooManyEntries(max_entries));
                }
                let taken = std::mem::take(&mut pending);
                let (entry, content) = entry(&block, size, &taken, &mut reader)?;
                budget.take(&entry.path, entry.link.as_deref())?;
                // `./` itself is the root, not an entry (an opaque root is).
                if !entry.path.is_empty() || entry.kind == EntryKind::Opaque {
                    entries.push(entry);
                }
                reader.skip(content)?;
            }
        }
    }
    Ok((entries, reader.position))
}

/// Types whose size field says nothing about content: Go's `isHeaderOnlyType`.
fn header_only(kind: tar::EntryType) -> bool {
    matches!(
        kind,
        tar::EntryType::Link
            | tar::EntryType::Symlink
            | tar::EntryType::Char
            | tar::EntryType::Block
            | tar::EntryType::Directory
            | tar::EntryType::Fifo
    )
}

/// An old-GNU sparse header's real size; its extension blocks (which come
/// before the content) are read past.
fn sparse_size<R: Read>(
    block: &[u8; 512],
    reader: &mut Reader<R>,
) -> Result<Option<u64>, TarError> {
    let header = tar::Header::from_byte_slice(block);
    let gnu = header
        .as_gnu()
        .ok_or_else(|| TarError::NotTar("a sparse entry without a GNU header".into()))?;
    let mut extended = gnu.isextended[0] > 0;
    let mut blocks = 0;
    while extended {
        blocks += 1;
        if blocks > MAX_SPARSE_EXTENSIONS {
            return Err(TarError::NotTar("a sparse map of too many blocks".into()));
        }
        let mut ext = [0u8; 512];
        reader
            .inner
            .read_exact(&mut ext)
            .map_err(|_| TarError::Truncated)?;
        reader.advance(BLOCK)?;
        // 21 entries of 24 bytes, then the flag for another block.
        extended = ext[504] != 0;
    }
    Ok(gnu.real_size().ok())
}

fn check_sum(block: &[u8; 512], position: u64) -> Result<(), TarError> {
    let header = tar::Header::from_byte_slice(block);
    let expected = header.cksum().map_err(|_| {
        TarError::NotTar(format!("no header checksum at byte {}", position - BLOCK))
    })?;
    let actual: u32 = block
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(*b)
            }
        })
        .sum();
    match actual == expected {
        true => Ok(()),
        false => Err(TarError::NotTar(format!(
            "a bad header checksum at byte {}",
            position - BLOCK
        ))),
    }
}

/// The entry a header describes once its extended headers are applied as Go
/// applies them (PAX values, then GNU long names, then a PAX sparse name), and
/// the bytes of content that follow it.
fn entry<R: Read>(
    block: &[u8; 512],
    size: u64,
    pending: &Pending,
    reader: &mut Reader<R>,
) -> Result<(FileEntry, u64), TarError> {
    let header = tar::Header::from_byte_slice(block);
    let mut name = pending
        .value(b"path")
        .map_or_else(|| header.path_bytes().into_owned(), <[u8]>::to_vec);
    if let Some(long) = pending.long_name.as_ref().filter(|n| !n.is_empty()) {
        name.clone_from(long);
    }
    let mut link = pending
        .value(b"linkpath")
        .map(<[u8]>::to_vec)
        .or_else(|| header.link_name_bytes().map(|l| l.into_owned()));
    if let Some(long) = pending.long_link.as_ref().filter(|l| !l.is_empty()) {
        link = Some(long.clone());
    }
    let mut kind = header.entry_type();
    // A legacy `\0` entry named with a trailing slash is a directory.
    if block[156] == 0 && name.ends_with(b"/") {
        kind = tar::EntryType::Directory;
    }
    let content = match header_only(kind) {
        true => 0,
        false => pending.number(b"size")?.unwrap_or(size),
    };
    let mut listed = content;
    if kind == tar::EntryType::GNUSparse {
        listed = sparse_size(block, reader)?.unwrap_or(content);
    } else {
        let (sparse_name, sparse_size) = pending.sparse()?;
        if let Some(sparse_name) = sparse_name {
            name = sparse_name.to_vec();
        }
        listed = sparse_size.unwrap_or(listed);
    }
    let entry = file_entry(header, kind, &name, link, listed, pending)?;
    Ok((entry, content))
}

fn file_entry(
    header: &tar::Header,
    kind: tar::EntryType,
    name: &[u8],
    link: Option<Vec<u8>>,
    size: u64,
    pending: &Pending,
) -> Result<FileEntry, TarError> {
    let mut path = normalize(name);
    let mut kind = match kind {
        tar::EntryType::Directory => EntryKind::Dir,
        tar::EntryType::Symlink => EntryKind::Symlink,
        tar::EntryType::Link => EntryKind::Hardlink,
        tar::EntryType::Char => EntryKind::Char,
        tar::EntryType::Block => EntryKind::Block,
        tar::EntryType::Fifo => EntryKind::Fifo,
        _ => EntryKind::File,
    };
    if let Some((marker, target)) = whiteout_of(&path) {
        kind = marker;
        path = target;
    }
    let mtime = match pending.seconds(b"mtime")? {
        Some(m) => m,
        None => header
            .mtime()
            .ok()
            .and_then(|m| i64::try_from(m).ok())
            .unwrap_or(0),
    };
    Ok(FileEntry {
        path,
        kind,
        size: if kind == EntryKind::File { size } else { 0 },
        mode: header.mode().unwrap_or(0) & 0o7777,
        uid: id(pending.number(b"uid")?.or_else(|| header.uid().ok())),
        gid: id(pending.number(b"gid")?.or_else(|| header.gid().ok())),
        mtime,
        link: link
            .filter(|l| !l.is_empty())
            .map(Vec::into_boxed_slice)
            .filter(|_| matches!(kind, EntryKind::Symlink | EntryKind::Hardlink)),
    })
}

/// A user or group id (a hostile one saturates).
fn id(value: Option<u64>) -> u32 {
    value.map_or(0, |v| u32::try_from(v).unwrap_or(u32::MAX))
}

/// A GNU long name ends at its first NUL, as Go reads it.
fn cut_at_nul(mut v: Vec<u8>) -> Vec<u8> {
    if let Some(end) = v.iter().position(|b| *b == 0) {
        v.truncate(end);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        build(&mut b);
        b.into_inner().unwrap()
    }

    fn header(kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(mode);
        h
    }

    fn read(bytes: &[u8]) -> Result<(Vec<FileEntry>, u64), TarError> {
        read_entries(bytes, Limits::default())
    }

    #[test]
    fn gnu_long_names_and_links_pax_records_and_modes_are_read() {
        let long = format!("dir/{}", "n".repeat(150));
        let target = format!("dir/{}", "t".repeat(140));
        let tar = archive(|b| {
            let mut h = header(tar::EntryType::Regular, 3, 0o100_755);
            b.append_data(&mut h, &long, &b"abc"[..]).unwrap();
            let mut h = header(tar::EntryType::Symlink, 0, 0o777);
            b.append_link(&mut h, "dir/link", &target).unwrap();
            b.append_pax_extensions([("path", &b"pax/../renamed"[..]), ("uid", b"4242")])
                .unwrap();
            let mut h = header(tar::EntryType::Regular, 2, 0o644);
            b.append_data(&mut h, "placeholder", &b"xy"[..]).unwrap();
        });
        let (entries, bytes) = read(&tar).unwrap();
        assert_eq!(
            usize::try_from(bytes).unwrap(),
            tar.len() - 512,
            "up to the first end-of-archive block"
        );
        assert_eq!(&*entries[0].path, long.as_bytes());
        assert_eq!(
            (entries[0].size, entries[0].mode),
            (3, 0o755),
            "type bits masked"
        );
        assert_eq!(entries[1].link.as_deref(), Some(target.as_bytes()));
        assert_eq!(entries[1].kind, EntryKind::Symlink);
        assert_eq!(&*entries[2].path, b"renamed", "PAX path, `..` resolved");
        assert_eq!(entries[2].uid, 4242);
    }

    fn raw_header(kind: tar::EntryType, name: &str, size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_path(name).unwrap();
        h.set_size(size);
        h.set_cksum();
        h
    }

    #[test]
    fn a_sparse_map_over_extension_blocks_is_read_past_and_pax_sparse_names_win() {
        let mut tar = Vec::new();
        let mut h = raw_header(tar::EntryType::GNUSparse, "sparse", 512);
        let gnu = h.as_gnu_mut().unwrap();
        gnu.isextended[0] = 1;
        gnu.realsize.copy_from_slice(b"00004000000\0");
        h.set_cksum();
        tar.extend_from_slice(h.as_bytes());
        let mut ext = [0u8; 512];
        ext[..11].copy_from_slice(b"00000000000");
        tar.extend_from_slice(&ext);
        tar.extend_from_slice(&[7u8; 512]);
        let pax = b"22 GNU.sparse.major=1\n22 GNU.sparse.minor=0\n29 GNU.sparse.name=real-name\n26 GNU.sparse.realsize=99\n";
        tar.extend_from_slice(
            raw_header(tar::EntryType::XHeader, "x", pax.len() as u64).as_bytes(),
        );
        tar.extend_from_slice(pax);
        tar.extend(std::iter::repeat_n(0u8, 512 - pax.len()));
        let h = raw_header(tar::EntryType::Regular, "GNUSparseFile.0/real-name", 3);
        tar.extend_from_slice(h.as_bytes());
        tar.extend_from_slice(&[1u8; 512]);
        tar.extend(std::iter::repeat_n(0u8, 1024));
        let (entries, _) = read(&tar).unwrap();
        let listed: Vec<(&[u8], u64)> = entries.iter().map(|e| (&*e.path, e.size)).collect();
        assert_eq!(listed, [(&b"sparse"[..], 1 << 20), (&b"real-name"[..], 99)]);
    }

    fn pax_block(records: &[u8]) -> Vec<u8> {
        let mut out = raw_header(tar::EntryType::XHeader, "x", records.len() as u64)
            .as_bytes()
            .to_vec();
        out.extend_from_slice(records);
        out.extend(std::iter::repeat_n(0u8, 512 - records.len() % 512));
        out
    }

    /// A regular file of 1,024 bytes whose content is a `fake` header.
    fn file_holding_a_header(name: &str) -> Vec<u8> {
        let mut out = raw_header(tar::EntryType::Regular, name, 1024)
            .as_bytes()
            .to_vec();
        out.extend_from_slice(raw_header(tar::EntryType::Regular, "fake", 0).as_bytes());
        out.extend_from_slice(&[0u8; 512]);
        out
    }

    fn names(tar: Vec<u8>) -> Vec<String> {
        let mut tar = tar;
        tar.extend_from_slice(raw_header(tar::EntryType::Regular, "last", 0).as_bytes());
        tar.extend(std::iter::repeat_n(0u8, 1024));
        let (entries, _) = read(&tar).unwrap();
        entries
            .iter()
            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
            .collect()
    }

    #[test]
    fn extended_headers_are_read_as_go_reads_them() {
        // A newline inside a value is no record of its own.
        let mut tar = pax_block(b"25 comment=one\n9 size=0\n\n");
        tar.extend(file_holding_a_header("data"));
        assert_eq!(names(tar), ["data", "last"]);
        // A second PAX header replaces the first (its size=0 is gone).
        let mut tar = pax_block(b"9 size=0\n");
        tar.extend(pax_block(b"12 mtime=17\n"));
        tar.extend(file_holding_a_header("data"));
        assert_eq!(names(tar), ["data", "last"]);
        // Empty values keep the header's name.
        let mut tar = pax_block(b"8 path=\n");
        tar.extend_from_slice(raw_header(tar::EntryType::Regular, "kept", 0).as_bytes());
        assert_eq!(names(tar), ["kept", "last"]);
        // A legacy entry named with a slash is a directory: no content.
        let mut h = raw_header(tar::EntryType::Regular, "dir/", 512);
        h.as_mut_bytes()[156] = 0;
        h.set_cksum();
        let mut tar = h.as_bytes().to_vec();
        tar.extend_from_slice(raw_header(tar::EntryType::Regular, "seen", 0).as_bytes());
        assert_eq!(names(tar), ["dir", "seen", "last"]);
        // A sparse name without the records that make a sparse file renames nothing.
        let mut tar = pax_block(b"29 GNU.sparse.name=elsewhere\n");
        tar.extend_from_slice(raw_header(tar::EntryType::Regular, "own", 0).as_bytes());
        assert_eq!(names(tar), ["own", "last"]);
        // A time before 1970 is a time; a size with a fraction refuses the
        // archive, as Go's reader does.
        let mut tar = pax_block(b"14 mtime=-5.5\n");
        tar.extend_from_slice(raw_header(tar::EntryType::Regular, "old", 0).as_bytes());
        assert_eq!(names(tar), ["old", "last"]);
        let mut tar = pax_block(b"12 size=0.5\n");
        tar.extend(file_holding_a_header("data"));
        tar.extend(std::iter::repeat_n(0u8, 1024));
        assert!(matches!(read(&tar), Err(TarError::NotTar(_))));
        // A malformed record refuses the archive.
        let mut tar = pax_block(b"99 size=0\n");
        tar.extend(file_holding_a_header("data"));
        tar.extend(std::iter::repeat_n(0u8, 1024));
        assert!(matches!(read(&tar), Err(TarError::NotTar(_))));
    }

    #[test]
    fn hostile_archives_are_refused_not_followed() {
        // A PAX record over the extension limit.
        let big = archive(|b| {
            let value = vec![b'a'; 2 << 20];
            b.append_pax_extensions([("comment", &value[..])]).unwrap();
        });
        assert!(matches!(read(&big), Err(TarError::NotTar(m)) if m.contains("extended header")));
        // A path deeper than the bound.
        let deep = "d/".repeat(300) + "f";
        let mut h = header(tar::EntryType::Regular, 0, 0o644);
        let tar = archive(|b| {
            b.append_pax_extensions([("path", deep.as_bytes())])
                .unwrap();
            b.append_data(&mut h, "x", &b""[..]).unwrap();
        });
        assert!(
            matches!(read(&tar), Err(e @ TarError::Budget(_)) if e.to_string().contains("256 levels"))
        );
        // A header whose content is cut short; a corrupted checksum.
        let mut cut = archive(|b| {
            let mut h = header(tar::EntryType::Regular, 4000, 0o644);
            b.append_data(&mut h, "f", &vec![1u8; 4000][..]).unwrap();
        });
        cut.truncate(2048);
        assert!(matches!(read(&cut), Err(TarError::Truncated)));
        let mut bad = archive(|b| {
            let mut h = header(tar::EntryType::Regular, 1, 0o644);
            b.append_data(&mut h, "f", &b"1"[..]).unwrap();
        });
        bad[0] ^= 0x20;
        assert!(matches!(read(&bad), Err(TarError::NotTar(m)) if m.contains("checksum")));
        // Too many entries.
        let many = archive(|b| {
            for i in 0..5 {
                let mut h = header(tar::EntryType::Regular, 0, 0o644);
                b.append_data(&mut h, format!("f{i}"), &b""[..]).unwrap();
            }
        });
        let limits = Limits {
            max_entries: 4,
            ..Limits::default()
        };
        assert!(matches!(
            read_entries(&many[..], limits),
            Err(TarError::TooManyEntries(4))
        ));
    }

    #[test]
    fn every_entry_type_and_pax_key_is_read() {
        let tar = archive(|b| {
            for (kind, name) in [
                (tar::EntryType::Directory, "d"),
                (tar::EntryType::Char, "dev/tty"),
                (tar::EntryType::Block, "dev/sda"),
                (tar::EntryType::Fifo, "run/fifo"),
            ] {
                let mut h = header(kind, 0, 0o600);
                b.append_data(&mut h, name, &b""[..]).unwrap();
            }
            let mut h = header(tar::EntryType::Link, 0, 0o644);
            b.append_link(&mut h, "hard", "d/target").unwrap();
            b.append_pax_extensions([
                ("linkpath", &b"pax-target"[..]),
                ("gid", b"77"),
                ("mtime", b"1714557600.25"),
            ])
            .unwrap();
            let mut h = header(tar::EntryType::Symlink, 0, 0o777);
            b.append_link(&mut h, "sym", "ignored").unwrap();
            let mut h = header(tar::EntryType::Regular, 0, 0o644);
            b.append_pax_extensions([("size", &b"3"[..])]).unwrap();
            b.append_data(&mut h, "sized", &b"abc"[..]).unwrap();
        });
        let (entries, _) = read(&tar).unwrap();
        let kinds: Vec<EntryKind> = entries.iter().map(|e| e.kind).collect();
        use EntryKind::*;
        assert_eq!(kinds, [Dir, Char, Block, Fifo, Hardlink, Symlink, File]);
        assert_eq!(entries[4].link.as_deref(), Some(&b"d/target"[..]));
        let sym = &entries[5];
        assert_eq!(
            sym.link.as_deref(),
            Some(&b"pax-target"[..]),
            "PAX linkpath"
        );
        assert_eq!(
            (sym.gid, sym.mtime, sym.size),
            (77, 1_714_557_600, 0),
            "a link has no size"
        );
        assert_eq!(entries[6].size, 3, "PAX size");
    }

    /// Returns `Interrupted` once, then reads.
    struct Interrupting<'a>(bool, &'a [u8]);

    impl Read for Interrupting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if !self.0 {
                self.0 = true;
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            self.1.read(buf)
        }
    }

    #[test]
    fn the_end_and_the_limits_are_exact() {
        let tar = archive(|b| {
            let mut h = header(tar::EntryType::Regular, 600, 0o644);
            b.append_data(&mut h, "f", &vec![9u8; 600][..]).unwrap();
        });
        // Without the end-of-archive blocks: the end of the stream on a block boundary.
        let body = &tar[..tar.len() - 1024];
        let (entries, bytes) = read(body).unwrap();
        assert_eq!((entries.len(), bytes), (1, 1536));
        // Cut inside a header: truncated. An interrupted read is retried.
        assert!(matches!(read(&body[..700]), Err(TarError::Truncated)));
        let (again, _) = read_entries(Interrupting(false, body), Limits::default()).unwrap();
        assert_eq!(again.len(), 1);
        // Cut inside the end-of-archive block: truncated, not the end.
        assert!(matches!(read(&tar[..1536 + 100]), Err(TarError::Truncated)));
        // Any other read error ends the read with it.
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("gone"))
            }
        }
        assert!(matches!(
            read_entries(Failing, Limits::default()),
            Err(TarError::Io(_))
        ));
        // Exactly the bytes read is within the limit; one fewer is not.
        let at = |max| Limits {
            max_uncompressed: max,
            ..Limits::default()
        };
        assert!(read_entries(body, at(1536)).is_ok());
        assert!(matches!(
            read_entries(body, at(1535)),
            Err(TarError::TooLarge(1535))
        ));
        // An extended header exactly at its limit is read; one byte over is refused.
        let pax = archive(|b| {
            b.append_pax_extensions([("path", &b"p"[..])]).unwrap();
            let mut h = header(tar::EntryType::Regular, 0, 0o644);
            b.append_data(&mut h, "x", &b""[..]).unwrap();
        });
        let record = 9; // "9 path=p\n"
        let ext = |max| Limits {
            max_extension: max,
            ..Limits::default()
        };
        assert_eq!(
            &*read_entries(&pax[..], ext(record)).unwrap().0[0].path,
            b"p"
        );
        assert!(read_entries(&pax[..], ext(record - 1)).is_err());
        // A record, and the padding after it, cut short; a record of a whole
        // block (no padding to notice it) too.
        assert!(matches!(read(&pax[..512 + 4]), Err(TarError::Truncated)));
        let whole = archive(|b| {
            let value = vec![b'p'; 502]; // "512 path=" + 502 + "\n": 512 bytes
            b.append_pax_extensions([("path", &value[..])]).unwrap();
        });
        assert!(matches!(
            read(&whole[..512 + 100]),
            Err(TarError::Truncated)
        ));
        assert!(matches!(read(&pax[..512 + 100]), Err(TarError::Truncated)));
    }

    #[test]
    fn whiteouts_and_an_opaque_root_are_markers() {
        let tar = archive(|b| {
            for name in ["etc/.wh.passwd", ".wh..wh..opq", "a/.wh...", "./"] {
                let mut h = header(tar::EntryType::Regular, 0, 0o644);
                b.append_data(&mut h, name, &b""[..]).unwrap();
            }
        });
        let (entries, _) = read(&tar).unwrap();
        let got: Vec<(&[u8], EntryKind)> = entries.iter().map(|e| (&*e.path, e.kind)).collect();
        assert_eq!(
            got,
            [
                (&b"etc/passwd"[..], EntryKind::Whiteout),
                (&b""[..], EntryKind::Opaque)
            ],
            "`a/.wh...` would delete `a/..`, the root: it is dropped, as `./` is"
        );
    }
}
