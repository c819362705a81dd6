//! Layers that readers disagree on, read as the runtimes unpack them: each
//! crafted tar is pushed to a real registry, listed by `regscope files
//! --json`, and compared with Python's `tarfile` listing of the same bytes
//! (the reading Go's `archive/tar` — docker, containerd — shares): header-only
//! types with sizes, PAX sizes on them, duplicates, a GNU sparse file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{Blob, Fixtures, Pusher, Style, image_at};
use common::registry::{RegistryConfig, TestRegistry};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

const TAR: &str = "application/vnd.oci.image.layer.v1.tar";

/// A tar written block by block, sizes claimed as the test says.
#[derive(Default)]
struct Raw(Vec<u8>);

impl Raw {
    fn header(mut self, kind: tar::EntryType, name: &str, size: u64, link: &str) -> Raw {
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(kind);
        h.set_path(name).unwrap();
        h.set_size(size);
        h.set_mode(0o644);
        h.set_mtime(1_714_557_600);
        if !link.is_empty() {
            h.set_link_name(link).unwrap();
        }
        h.set_cksum();
        self.0.extend_from_slice(h.as_bytes());
        self
    }

    /// `bytes`, padded to the next block.
    fn data(mut self, bytes: &[u8]) -> Raw {
        self.0.extend_from_slice(bytes);
        let pad = bytes.len().div_ceil(512) * 512 - bytes.len();
        self.0.extend(std::iter::repeat_n(0u8, pad));
        self
    }

    fn file(self, name: &str, bytes: &[u8]) -> Raw {
        let size = bytes.len() as u64;
        self.header(tar::EntryType::Regular, name, size, "")
            .data(bytes)
    }

    /// A PAX extended header with `records` for the next entry.
    fn pax(self, records: &[(&str, &str)]) -> Raw {
        let mut body = Vec::new();
        for (key, value) in records {
            let record = |len: usize| format!("{len} {key}={value}\n");
            let mut len = record(0).len();
            while record(len).len() != len {
                len = record(len).len();
            }
            body.extend_from_slice(record(len).as_bytes());
        }
        let size = body.len() as u64;
        self.header(tar::EntryType::XHeader, "PaxHeaders/x", size, "")
            .data(&body)
    }

    /// An old-GNU sparse file: `stored` bytes of data at offset 0 of a file
    /// `real` bytes long.
    fn gnu_sparse(mut self, name: &str, stored: &[u8], real: u64) -> Raw {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::GNUSparse);
        h.set_path(name).unwrap();
        h.set_size(stored.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_714_557_600);
        let octal = |v: u64, out: &mut [u8; 12]| {
            let text = format!("{v:011o}");
            out[..11].copy_from_slice(text.as_bytes());
            out[11] = 0;
        };
        let gnu = h.as_gnu_mut().unwrap();
        octal(0, &mut gnu.sparse[0].offset);
        octal(stored.len() as u64, &mut gnu.sparse[0].numbytes);
        octal(real, &mut gnu.realsize);
        h.set_cksum();
        self.0.extend_from_slice(h.as_bytes());
        self.data(stored)
    }

    fn finish(mut self) -> Vec<u8> {
        self.0.extend(std::iter::repeat_n(0u8, 1024));
        self.0
    }
}

fn push(registry: &TestRegistry, repo: &'static str, tar: &[u8]) {
    let base = registry.url();
    let layer = Blob::new(tar.to_vec(), TAR);
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let img = image_at(
            Style::Oci,
            "linux/amd64",
            vec![layer],
            &["ADD x /"],
            "2024-05-01T10:00:00Z",
        );
        pusher
            .image(repo, &img, &["1.0"], &mut Fixtures::default())
            .await;
    });
}

/// Python's `tarfile` listing: path → (type, size), the last entry of a
/// path winning, with the directories the paths imply.
fn python_listing(tar: &[u8]) -> BTreeMap<String, (String, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("layer.tar");
    std::fs::write(&file, tar).unwrap();
    let script = [
        "import json, sys, tarfile",
        "kinds = {b'0': 'file', b'\\0': 'file', b'7': 'file', b'S': 'file', b'5': 'dir',",
        "         b'2': 'symlink', b'1': 'hardlink', b'3': 'char', b'4': 'block', b'6': 'fifo'}",
        "with tarfile.open(sys.argv[1]) as t:",
        "    print(json.dumps([[m.name, kinds.get(m.type, '?'), m.size] for m in t.getmembers()]))",
    ]
    .join("\n");
    let out = Command::new("python3")
        .args(["-c", &script])
        .arg(&file)
        .output()
        .expect("python3 (scripts/test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let members: Vec<(String, String, u64)> = serde_json::from_slice(&out.stdout).unwrap();
    let mut listing = BTreeMap::new();
    for (name, kind, size) in members {
        let name = name
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_string();
        let mut parent = name.as_str();
        while let Some((up, _)) = parent.rsplit_once('/') {
            listing
                .entry(up.to_string())
                .or_insert(("dir".to_string(), 0));
            parent = up;
        }
        // Header-only types carry no bytes, whatever their size field says.
        let size = if kind == "file" { size } else { 0 };
        listing.insert(name, (kind, size));
    }
    listing
}

fn regscope_listing(registry: &TestRegistry, repo: &str) -> BTreeMap<String, (String, u64)> {
    let home = tempfile::tempdir().unwrap();
    let reference = format!("{}/{repo}:1.0", registry.host);
    let doc = common::run_json(home.path(), &["files", &reference, "--json"]);
    let entries = doc["entries"].as_array().expect("entries");
    entries
        .iter()
        .map(|e: &Value| {
            let kind = e["type"].as_str().unwrap().to_string();
            // A directory's size in the listing is what it holds: not compared.
            let size = match kind.as_str() {
                "dir" => 0,
                _ => e["size"].as_u64().unwrap(),
            };
            (e["path"].as_str().unwrap().to_string(), (kind, size))
        })
        .collect()
}

fn cases() -> Vec<(&'static str, Vec<u8>)> {
    use tar::EntryType::{Directory, Fifo, Link, Symlink};
    vec![
        (
            "dir-with-size",
            Raw::default()
                .header(Directory, "etc/", 1024, "")
                .file("usr/bin/hidden", b"#!/bin/sh\n")
                .file("etc/visible", b"")
                .finish(),
        ),
        (
            "symlink-and-fifo-with-sizes",
            Raw::default()
                .header(Symlink, "link", 600, "target")
                .file("after-link", b"abc")
                .header(Fifo, "pipe", 512, "")
                .file("after-fifo", b"")
                .finish(),
        ),
        (
            "hardlink-with-size",
            Raw::default()
                .file("a", b"aaaa")
                .header(Link, "b", 700, "a")
                .file("c", b"c")
                .finish(),
        ),
        (
            "pax-size-on-a-directory",
            Raw::default()
                .pax(&[("size", "2048")])
                .header(Directory, "d/", 0, "")
                .file("d/f", b"ff")
                .file("e", b"")
                .finish(),
        ),
        (
            "duplicate-entries",
            Raw::default()
                .file("dup", b"one")
                .file("dup", b"the second, longer")
                .header(Directory, "x/", 0, "")
                .file("x", b"1")
                .finish(),
        ),
        (
            "gnu-sparse",
            Raw::default()
                .gnu_sparse("sparse", &[7u8; 512], 1 << 20)
                .file("after-sparse", b"zz")
                .finish(),
        ),
    ]
}

#[test]
fn crafted_layers_list_as_the_runtime_unpacks_them() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let mut wrong = Vec::new();
    for (name, tar) in cases() {
        let repo: &'static str = Box::leak(format!("runtime/{name}").into_boxed_str());
        push(&registry, repo, &tar);
        let expected = python_listing(&tar);
        let listed = regscope_listing(&registry, repo);
        if listed != expected {
            wrong.push(format!(
                "{name}:\n  python  {expected:?}\n  regscope {listed:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_hidden_file_behind_a_directory_s_size_is_listed() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let (_, tar) = cases().remove(0);
    push(&registry, "hides", &tar);
    let listed = regscope_listing(&registry, "hides");
    assert_eq!(
        listed.get("usr/bin/hidden"),
        Some(&("file".to_string(), 10)),
        "{listed:?}"
    );
    assert_eq!(listed.get("etc"), Some(&("dir".to_string(), 0)));
}

#[test]
fn hidden_bytes_are_the_dead_copies_and_wasted_stays_dive_s_figure() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let lower = Raw::default()
        .file("a", &[1u8; 100])
        .file("b", &[2u8; 200])
        .file("c", &[3u8; 50])
        .finish();
    let upper = Raw::default()
        .file("a", &[4u8; 150])
        .file(".wh.b", b"")
        .finish();
    let base = registry.url();
    let layers = vec![Blob::new(lower, TAR), Blob::new(upper, TAR)];
    common::block_on_thread(async move {
        let img = image_at(
            Style::Oci,
            "linux/amd64",
            layers,
            &["ADD a b c /", "RUN rm b"],
            "2024-05-01T10:00:00Z",
        );
        let pusher = Pusher::new(&base);
        let mut fx = Fixtures::default();
        pusher.image("bar", &img, &["1.0"], &mut fx).await;
    });
    let home = tempfile::tempdir().unwrap();
    let reference = format!("{}/bar:1.0", registry.host);
    let doc = common::run_json(home.path(), &["files", &reference, "--wasted", "--json"]);
    // dive: both copies of `a` (100 + 150) and `b` (200, its whiteout adds 0).
    assert_eq!(doc["wasted_bytes"], 450, "{doc}");
    assert_eq!(
        doc["hidden_bytes"], 300,
        "the overwritten a and the deleted b"
    );
    let hidden: Vec<(String, u64, u64)> = doc["hidden"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let path = h["path"].as_str().unwrap().to_string();
            (
                path,
                h["bytes"].as_u64().unwrap(),
                h["layer"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(hidden, [("b".into(), 200, 0), ("a".into(), 100, 0)]);
    let out = common::regscope(home.path())
        .args(["files", &reference])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("hidden 300 B"), "{text}");
    assert!(text.contains("wasted 450 B (dive's figure"), "{text}");
}
