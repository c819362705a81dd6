//! Real layer archives for the file-tree tests: tars with every entry type,
//! PAX and GNU long names, non-UTF-8 names and whiteouts; gzip, zstd and
//! eStargz encodings of them.

use sha2::{Digest as _, Sha256};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;

pub struct Tar {
    builder: tar::Builder<Vec<u8>>,
}

fn header(kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_uid(1000);
    h.set_gid(1000);
    h.set_mtime(1_714_557_600);
    h
}

fn path(bytes: &[u8]) -> &std::path::Path {
    std::path::Path::new(std::ffi::OsStr::from_bytes(bytes))
}

impl Default for Tar {
    fn default() -> Self {
        Tar {
            builder: tar::Builder::new(Vec::new()),
        }
    }
}

impl Tar {
    /// A regular file of `size` bytes (a repeating pattern).
    pub fn file(mut self, name: &[u8], size: usize) -> Tar {
        let data: Vec<u8> = (0..size).map(|i| u8::try_from(i % 251).unwrap()).collect();
        let mut h = header(tar::EntryType::Regular, size as u64, 0o644);
        self.builder
            .append_data(&mut h, path(name), &data[..])
            .unwrap();
        self
    }

    /// A regular file of `size` bytes drawn from `rng` (incompressible).
    pub fn random_file(mut self, name: &[u8], size: usize, rng: &mut fastrand::Rng) -> Tar {
        let data: Vec<u8> = (0..size).map(|_| rng.u8(..)).collect();
        let mut h = header(tar::EntryType::Regular, size as u64, 0o755);
        self.builder
            .append_data(&mut h, path(name), &data[..])
            .unwrap();
        self
    }

    pub fn dir(mut self, name: &[u8]) -> Tar {
        let mut h = header(tar::EntryType::Directory, 0, 0o755);
        self.builder
            .append_data(&mut h, path(name), &[][..])
            .unwrap();
        self
    }

    pub fn symlink(mut self, name: &[u8], target: &[u8]) -> Tar {
        let mut h = header(tar::EntryType::Symlink, 0, 0o777);
        self.builder
            .append_link(&mut h, path(name), path(target))
            .unwrap();
        self
    }

    pub fn hardlink(mut self, name: &[u8], target: &[u8]) -> Tar {
        let mut h = header(tar::EntryType::Link, 0, 0o644);
        self.builder
            .append_link(&mut h, path(name), path(target))
            .unwrap();
        self
    }

    pub fn fifo(mut self, name: &[u8]) -> Tar {
        let mut h = header(tar::EntryType::Fifo, 0, 0o600);
        self.builder
            .append_data(&mut h, path(name), &[][..])
            .unwrap();
        self
    }

    /// A file whose name goes in a PAX `path` record (as Go's and BuildKit's
    /// writers do for names over 100 bytes).
    pub fn pax_file(mut self, name: &[u8], size: usize) -> Tar {
        self.builder
            .append_pax_extensions([("path", name)])
            .unwrap();
        let mut h = header(tar::EntryType::Regular, size as u64, 0o644);
        h.set_path("pax-placeholder").unwrap();
        h.set_cksum();
        let data = vec![7u8; size];
        self.builder.append(&h, &data[..]).unwrap();
        self
    }

    /// A raw header whose size field claims `claimed` bytes, followed by `zeros` bytes.
    pub fn claiming(mut self, name: &[u8], claimed: u64, zeros: usize) -> Vec<u8> {
        let mut h = header(tar::EntryType::Regular, claimed, 0o644);
        h.set_path(path(name)).unwrap();
        h.set_cksum();
        self.builder.get_mut().extend_from_slice(h.as_bytes());
        self.builder
            .get_mut()
            .extend(std::iter::repeat_n(0u8, zeros));
        std::mem::take(self.builder.get_mut())
    }

    pub fn finish(self) -> Vec<u8> {
        self.builder.into_inner().unwrap()
    }
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::bulk::compress(bytes, 3).unwrap()
}

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// An eStargz blob of `files` (path, content), with its TOC JSON's digest:
/// each entry its own gzip member, then the TOC member, then the footer.
pub fn estargz(files: &[(&str, Vec<u8>)]) -> (Vec<u8>, String) {
    let mut blob = Vec::new();
    let mut toc = Vec::new();
    for (name, content) in files {
        let offset = blob.len();
        let mut tar = tar::Builder::new(Vec::new());
        let mut h = header(tar::EntryType::Regular, content.len() as u64, 0o644);
        tar.append_data(&mut h, name, &content[..]).unwrap();
        let mut raw = tar.into_inner().unwrap();
        raw.truncate(raw.len() - 1024); // no end-of-archive yet: members concatenate
        blob.extend(gzip(&raw));
        toc.push(serde_json::json!({
            "name": name, "type": "reg", "size": content.len(), "mode": 420,
            "uid": 1000, "gid": 1000, "modtime": "2024-05-01T10:00:00Z", "offset": offset,
        }));
    }
    let json = serde_json::to_vec(&serde_json::json!({"version": 1, "entries": toc})).unwrap();
    let toc_offset = blob.len();
    let mut tar = tar::Builder::new(Vec::new());
    let mut h = header(tar::EntryType::Regular, json.len() as u64, 0o644);
    tar.append_data(&mut h, "stargz.index.json", &json[..])
        .unwrap();
    blob.extend(gzip(&tar.into_inner().unwrap()));
    let mut footer = vec![
        0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 26, 0, b'S', b'G', 22, 0,
    ];
    footer.extend(format!("{toc_offset:016x}STARGZ").into_bytes());
    footer.extend([1, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(footer.len(), 51);
    blob.extend(footer);
    (blob, sha256(&json))
}

/// A zstd:chunked blob of `files` and its manifest-position annotation: the
/// tar in zstd frames, the table of contents (zstd JSON) in a skippable frame
/// between them, as containers/storage writes it.
pub fn zstd_chunked(files: &[(&str, Vec<u8>)]) -> (Vec<u8>, String) {
    let mut tar = tar::Builder::new(Vec::new());
    let mut toc = Vec::new();
    for (name, content) in files {
        let mut h = header(tar::EntryType::Regular, content.len() as u64, 0o644);
        tar.append_data(&mut h, name, &content[..]).unwrap();
        toc.push(
            serde_json::json!({"type": "reg", "name": name, "size": content.len(), "mode": 420,
            "modtime": "2024-05-01T10:00:00Z"}),
        );
    }
    let mut raw = tar.into_inner().unwrap();
    let end = raw.split_off(raw.len() - 1024);
    let mut blob = zstd(&raw);
    let json = serde_json::to_vec(&serde_json::json!({"version": 1, "entries": toc})).unwrap();
    let manifest = zstd(&json);
    blob.extend([0x50, 0x2a, 0x4d, 0x18]);
    blob.extend(u32::try_from(manifest.len()).unwrap().to_le_bytes());
    let offset = blob.len();
    blob.extend(&manifest);
    blob.extend(zstd(&end));
    let position = format!("{offset}:{}:{}:1", manifest.len(), json.len());
    (blob, position)
}
