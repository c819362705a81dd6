//! `regscope files` and `regscope diff` on real layers pushed to the real
//! registry: the merged tree, one layer's changes, wasted space, the store,
//! eStargz by Range, and hostile layers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{Blob, Fixtures, Pusher, Style, image_at};
use common::layers::{Tar, estargz, gzip, zstd, zstd_chunked};
use common::registry::{RegistryConfig, TestRegistry};
use serde_json::{Value, json};
use std::sync::LazyLock;

const GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
const TAR: &str = "application/vnd.oci.image.layer.v1.tar";
const LONG: &str = "usr/share/a-name-longer-than-one-hundred-bytes-which-ustar-cannot-hold-in-its-name-field-so-pax-carries-it.txt";

fn base_layer() -> Blob {
    let tar = Tar::default()
        .dir(b"etc")
        .file(b"etc/passwd", 100)
        .dir(b"usr/bin")
        .file(b"usr/bin/tool", 1000)
        .symlink(b"usr/bin/t", b"tool")
        .hardlink(b"usr/bin/tool2", b"usr/bin/tool")
        .pax_file(LONG.as_bytes(), 10)
        .file(b"data/caf\xe9", 5)
        .fifo(b"run/pipe")
        .dir(b"var/cache")
        .file(b"var/cache/a", 10)
        .file(b"var/cache/b", 20)
        .file(b"tmp/x", 5)
        .finish();
    Blob::new(gzip(&tar), GZIP)
}

fn middle_layer() -> Blob {
    let tar = Tar::default()
        .file(b"etc/passwd", 150)
        .file(b"tmp/.wh.x", 0)
        .file(b"var/cache/.wh..wh..opq", 0)
        .file(b"var/cache/c", 7)
        .finish();
    Blob::new(zstd(&tar), ZSTD)
}

fn top_layer() -> Blob {
    let tar = Tar::default()
        .file(b"etc/.wh.passwd", 0)
        .file(b"usr/bin/tool", 1000)
        .finish();
    Blob::new(tar, TAR)
}

struct Seeded {
    registry: TestRegistry,
    _storage: tempfile::TempDir,
    layers: Vec<Blob>,
    lazy_layer: Blob,
    chunked_layer: Blob,
}

static SEEDED: LazyLock<Seeded> = LazyLock::new(|| {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig {
        access_log: true,
        ..RegistryConfig::anonymous(storage.path())
    });
    let base = registry.url();
    let layers = vec![base_layer(), middle_layer(), top_layer()];
    let files: Vec<(&str, Vec<u8>)> = (0..4)
        .map(|i| {
            let mut rng = fastrand::Rng::with_seed(i);
            let name = ["bin/a", "bin/b", "lib/c.so", "lib/d.so"][usize::try_from(i).unwrap()];
            (name, (0..256 * 1024).map(|_| rng.u8(..)).collect())
        })
        .collect();
    let (lazy, toc_digest) = estargz(&files);
    let lazy_layer = Blob::new(lazy, GZIP);
    let (chunked, position) = zstd_chunked(&files);
    let chunked_layer = Blob::new(chunked, ZSTD);
    let pushed = (layers.clone(), lazy_layer.clone(), chunked_layer.clone());
    common::block_on_thread(async move {
        let (layers, lazy_layer, chunked_layer) = pushed;
        let pusher = Pusher::new(&base);
        let mut fx = Fixtures::default();
        let img = image_at(
            Style::Oci,
            "linux/amd64",
            layers.clone(),
            &["ADD base /", "RUN edit", "RUN clean"],
            "2024-05-01T10:00:00Z",
        );
        pusher.image("files", &img, &["1.0"], &mut fx).await;
        pusher.image("own", &img, &["1.0"], &mut fx).await;
        pusher.image("again", &img, &["1.0"], &mut fx).await;
        let changed = Blob::new(
            gzip(
                &Tar::default()
                    .file(b"etc/passwd", 90)
                    .file(b"srv/app", 4000)
                    .finish(),
            ),
            GZIP,
        );
        let next = image_at(
            Style::Oci,
            "linux/amd64",
            vec![layers[0].clone(), changed],
            &["ADD base /", "COPY app /srv"],
            "2024-06-01T10:00:00Z",
        );
        pusher.image("files", &next, &["2.0"], &mut fx).await;
        // eStargz: the layer descriptor carries the TOC digest annotation.
        let img = image_at(
            Style::Oci,
            "linux/amd64",
            vec![lazy_layer.clone()],
            &["ADD lazy /"],
            "2024-05-01T10:00:00Z",
        );
        pusher.blob("lazy", &img.config).await;
        pusher.blob("lazy", &lazy_layer).await;
        let mut layer = lazy_layer.descriptor();
        layer["annotations"] = json!({"containerd.io/snapshot/stargz/toc.digest": toc_digest});
        let manifest = json!({"schemaVersion": 2, "mediaType": common::fixtures::OCI_MANIFEST,
            "config": img.config.descriptor(), "layers": [layer]});
        let manifest = Blob::new(
            serde_json::to_vec(&manifest).unwrap(),
            common::fixtures::OCI_MANIFEST,
        );
        pusher.manifest("lazy", "1.0", &manifest).await;
        // The same layer claiming a table of contents it does not have.
        let mut layer = lazy_layer.descriptor();
        layer["annotations"] =
            json!({"containerd.io/snapshot/stargz/toc.digest": common::layers::sha256(b"another")});
        let lying = json!({"schemaVersion": 2, "mediaType": common::fixtures::OCI_MANIFEST,
            "config": img.config.descriptor(), "layers": [layer]});
        let lying = Blob::new(
            serde_json::to_vec(&lying).unwrap(),
            common::fixtures::OCI_MANIFEST,
        );
        // In its own repository: the byte counts of the tests above stay theirs.
        pusher.blob("lazywrong", &img.config).await;
        pusher.blob("lazywrong", &lazy_layer).await;
        pusher.manifest("lazywrong", "1.0", &lying).await;
        // zstd:chunked, with its annotation (1.0) and without it (plain: streamed).
        let img = image_at(
            Style::Oci,
            "linux/amd64",
            vec![chunked_layer.clone()],
            &["ADD chunked /"],
            "2024-05-01T10:00:00Z",
        );
        pusher.image("chunked", &img, &["plain"], &mut fx).await;
        let mut layer = chunked_layer.descriptor();
        layer["annotations"] =
            json!({"io.github.containers.zstd-chunked.manifest-position": position});
        let manifest = json!({"schemaVersion": 2, "mediaType": common::fixtures::OCI_MANIFEST,
            "config": img.config.descriptor(), "layers": [layer]});
        let manifest = Blob::new(
            serde_json::to_vec(&manifest).unwrap(),
            common::fixtures::OCI_MANIFEST,
        );
        pusher.manifest("chunked", "1.0", &manifest).await;
        let mut layer = chunked_layer.descriptor();
        layer["annotations"] = json!({
            "io.github.containers.zstd-chunked.manifest-position": position,
            "io.github.containers.zstd-chunked.manifest-checksum": common::layers::sha256(b"not it"),
        });
        let badsum = json!({"schemaVersion": 2, "mediaType": common::fixtures::OCI_MANIFEST,
            "config": img.config.descriptor(), "layers": [layer]});
        let badsum = Blob::new(
            serde_json::to_vec(&badsum).unwrap(),
            common::fixtures::OCI_MANIFEST,
        );
        pusher.blob("chunkedbad", &img.config).await;
        pusher.blob("chunkedbad", &chunked_layer).await;
        pusher.manifest("chunkedbad", "1.0", &badsum).await;
    });
    Seeded {
        registry,
        _storage: storage,
        layers,
        lazy_layer,
        chunked_layer,
    }
});

fn files(home: &std::path::Path, args: &[&str]) -> Value {
    let out = common::regscope(home)
        .arg("files")
        .args(args)
        .arg("--json")
        .output();
    common::success_json(&out.unwrap())
}

/// `(path, type, size, layer, layers)` of each entry.
fn rows(doc: &Value) -> Vec<(String, String, u64, Value, Value)> {
    doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["type"].as_str().unwrap().to_string(),
                e["size"].as_u64().unwrap(),
                e["layer"].clone(),
                e["layers"].clone(),
            )
        })
        .collect()
}

fn row(
    path: &str,
    kind: &str,
    size: u64,
    layer: Value,
    layers: Value,
) -> (String, String, u64, Value, Value) {
    (path.to_string(), kind.to_string(), size, layer, layers)
}

#[test]
fn files_lists_the_merged_tree_with_wasted_space_as_dive_counts_it() {
    let s = &*SEEDED;
    let home = tempfile::tempdir().unwrap();
    let doc = files(home.path(), &[&format!("{}/files:1.0", s.registry.host)]);
    let formats: Vec<&str> = doc["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["tar+gzip", "tar+zstd", "tar"]);
    assert_eq!(doc["layers"][0]["entries"], 13);
    assert_eq!(doc["layers"][0]["digest"], s.layers[0].digest.as_str());
    assert_eq!(
        doc["platform"],
        Value::Null,
        "a single image has no platform to pick"
    );
    let (l0, l02) = (json!(0), json!([0]));
    assert_eq!(
        rows(&doc),
        [
            row("data", "dir", 5, l0.clone(), l02.clone()),
            row("data/caf\\xe9", "file", 5, l0.clone(), l02.clone()),
            row("etc", "dir", 0, l0.clone(), l02.clone()),
            row("run", "dir", 0, l0.clone(), l02.clone()),
            row("run/pipe", "fifo", 0, l0.clone(), l02.clone()),
            row("tmp", "dir", 0, l0.clone(), l02.clone()),
            row("usr", "dir", 1010, l0.clone(), l02.clone()),
            row("usr/bin", "dir", 1000, l0.clone(), l02.clone()),
            row("usr/bin/t", "symlink", 0, l0.clone(), l02.clone()),
            row("usr/bin/tool", "file", 1000, json!(2), json!([0, 2])),
            row("usr/bin/tool2", "hardlink", 0, l0.clone(), l02.clone()),
            row("usr/share", "dir", 10, l0.clone(), l02.clone()),
            row(LONG, "file", 10, l0.clone(), l02.clone()),
            row("var", "dir", 7, l0.clone(), l02.clone()),
            row("var/cache", "dir", 7, l0.clone(), l02.clone()),
            row("var/cache/c", "file", 7, json!(1), json!([1])),
        ]
    );
    let link = |p: &str| {
        doc["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["path"] == p)
            .unwrap()["link"]
            .clone()
    };
    assert_eq!(link("usr/bin/t"), "tool");
    assert_eq!(link("usr/bin/tool2"), "usr/bin/tool");
    // By hand, as dive: etc/passwd 100 + 150 + 0 (a file's whiteout), usr/bin/tool
    // 1000 + 1000, tmp/x 5 + 0; every other leaf is touched once.
    assert_eq!(doc["wasted_bytes"], 2255);
    let minimum = 1000 + 10 + 5 + 10 + 20 + 7;
    let discovered = 2255 + 10 + 5 + 10 + 20 + 7;
    let efficiency = doc["efficiency"].as_f64().unwrap();
    assert!(
        (efficiency - f64::from(minimum) / f64::from(discovered)).abs() < 1e-9,
        "{efficiency}"
    );
    let wasted = files(
        home.path(),
        &[&format!("{}/files:1.0", s.registry.host), "--wasted"],
    );
    let paths: Vec<(&str, u64)> = wasted["wasted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["path"].as_str().unwrap(), w["bytes"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        paths,
        [("usr/bin/tool", 2000), ("etc/passwd", 250), ("tmp/x", 5)]
    );
}

#[test]
fn one_layer_shows_its_own_changes_with_whiteouts_and_the_second_look_costs_no_fetch() {
    let s = &*SEEDED;
    let home = tempfile::tempdir().unwrap();
    // Its own repository: the other tests' fetches are not counted.
    let image = format!("{}/own:1.0", s.registry.host);
    let gets = || {
        s.registry
            .access_bytes()
            .iter()
            .filter(|(m, p, _, _)| {
                m == "GET"
                    && p.starts_with("/v2/own/blobs/")
                    && s.layers.iter().any(|l| p.ends_with(&l.digest))
            })
            .count()
    };
    let before = gets();
    let doc = files(home.path(), &[&image, "--layer", "1"]);
    assert_eq!(gets() - before, 3, "every layer read once");
    assert_eq!(
        rows(&doc)
            .into_iter()
            .map(|r| (r.0, r.1))
            .collect::<Vec<_>>(),
        [
            ("etc".into(), "dir".into()),
            ("etc/passwd".into(), "file".into()),
            ("tmp".into(), "dir".into()),
            ("tmp/x".into(), "whiteout".into()),
            ("var".into(), "dir".into()),
            ("var/cache".into(), "opaque".into()),
            ("var/cache/c".into(), "file".into()),
        ]
    );
    // By digest, and from the store: no blob is fetched again.
    let by_digest = files(
        home.path(),
        &[&image, "--layer", &s.layers[2].digest, "--depth", "1"],
    );
    assert_eq!(gets() - before, 3, "the store answered");
    assert_eq!(
        rows(&by_digest)
            .into_iter()
            .map(|r| r.0)
            .collect::<Vec<_>>(),
        ["etc", "usr"]
    );
    let text = common::regscope(home.path())
        .args(["files", &image, "--sort", "size", "--depth", "1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&text.stdout);
    let order: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .filter(|n| n.ends_with('/'))
        .collect();
    assert_eq!(
        order,
        ["usr/", "var/", "data/", "etc/", "run/", "tmp/"],
        "{stdout}"
    );
    assert!(stdout.contains("wasted 2.25 kB"), "{stdout}");
    let bad = common::regscope(home.path())
        .args(["files", &image, "--layer", "7"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("the image has 3"));
}

#[test]
fn an_estargz_layer_is_listed_from_its_table_of_contents_with_range_requests() {
    let s = &*SEEDED;
    let home = tempfile::tempdir().unwrap();
    let doc = files(
        home.path(),
        &[&format!("{}/lazy:1.0", s.registry.host), "--layer", "0"],
    );
    assert_eq!(doc["layers"][0]["format"], "estargz");
    let names: Vec<(String, u64)> = rows(&doc)
        .into_iter()
        .filter(|r| r.1 == "file")
        .map(|r| (r.0, r.2))
        .collect();
    assert_eq!(
        names,
        [
            ("bin/a".to_string(), 262_144),
            ("bin/b".into(), 262_144),
            ("lib/c.so".into(), 262_144),
            ("lib/d.so".into(), 262_144)
        ]
    );
    let fetched: u64 = s
        .registry
        .access_bytes()
        .iter()
        .filter(|(m, p, _, _)| {
            m == "GET" && p.starts_with("/v2/lazy/") && p.ends_with(&s.lazy_layer.digest)
        })
        .map(|(_, _, status, bytes)| {
            assert_eq!(*status, 206, "ranged");
            *bytes
        })
        .sum();
    let size = s.lazy_layer.bytes.len() as u64;
    assert!(
        fetched > 0 && fetched * 100 < size,
        "{fetched} of {size} bytes fetched"
    );
}

#[test]
fn two_images_compare_by_layers_config_and_files() {
    let s = &*SEEDED;
    let home = tempfile::tempdir().unwrap();
    let (a, b) = (
        format!("{}/files:1.0", s.registry.host),
        format!("{}/files:2.0", s.registry.host),
    );
    let out = common::regscope(home.path())
        .args(["diff", &a, &b, "--files", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["layers"]["shared"].as_array().unwrap().len(), 1);
    assert_eq!(doc["layers"]["only_a"].as_array().unwrap().len(), 2);
    assert_eq!(doc["layers"]["only_b"].as_array().unwrap().len(), 1);
    let delta = doc["b"]["size"].as_i64().unwrap() - doc["a"]["size"].as_i64().unwrap();
    assert_eq!(doc["size_delta"], delta);
    assert_eq!(doc["config"], json!([]), "the fixtures share their config");
    let changes: Vec<(&str, &str)> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["change"].as_str().unwrap()))
        .collect();
    assert!(
        changes.contains(&("etc/passwd", "added")),
        "1.0 deleted it, 2.0 rewrote it: {changes:?}"
    );
    assert!(changes.contains(&("srv/app", "added")), "{changes:?}");
    assert!(changes.contains(&("var/cache/c", "removed")), "{changes:?}");
    assert!(
        changes.contains(&("var/cache/a", "added")),
        "2.0 has no opaque layer: {changes:?}"
    );
    assert!(
        !changes.iter().any(|(p, _)| *p == "usr/bin/t"),
        "unchanged: {changes:?}"
    );
    let text = common::regscope(home.path())
        .args(["diff", &a, &b])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("1 shared") && stdout.contains("config: the same"),
        "{stdout}"
    );
}

#[test]
fn a_zstd_chunked_layer_is_listed_from_its_manifest_and_streams_the_same_without_it() {
    let s = &*SEEDED;
    let home = tempfile::tempdir().unwrap();
    let host = &s.registry.host;
    let fetched = || -> (u64, Vec<u16>) {
        let log = s.registry.access_bytes();
        let gets: Vec<_> = log
            .iter()
            .filter(|(m, p, _, _)| {
                m == "GET" && p.starts_with("/v2/chunked/") && p.ends_with(&s.chunked_layer.digest)
            })
            .collect();
        (
            gets.iter().map(|g| g.3).sum(),
            gets.iter().map(|g| g.2).collect(),
        )
    };
    let listed = files(
        home.path(),
        &[&format!("{host}/chunked:1.0"), "--layer", "0"],
    );
    assert_eq!(listed["layers"][0]["format"], "zstd:chunked");
    let (bytes, statuses) = fetched();
    let size = s.chunked_layer.bytes.len() as u64;
    assert!(
        !statuses.is_empty() && statuses.iter().all(|s| *s == 206) && bytes * 100 < size,
        "{bytes} of {size}: {statuses:?}"
    );
    // A fresh cache: the store would answer from the first listing (same layer digest).
    let fresh = tempfile::tempdir().unwrap();
    let streamed = files(
        fresh.path(),
        &[&format!("{host}/chunked:plain"), "--layer", "0"],
    );
    assert_eq!(streamed["layers"][0]["format"], "tar+zstd");
    let names = |doc: &Value| {
        rows(doc)
            .into_iter()
            .filter(|r| r.1 == "file")
            .map(|r| (r.0, r.2))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&listed),
        names(&streamed),
        "the same files either way"
    );
    assert_eq!(names(&listed).len(), 4);
}

#[test]
fn a_table_of_contents_that_does_not_hold_up_falls_back_to_the_verified_blob() {
    let s = &*SEEDED;
    let host = &s.registry.host;
    for (image, claimed) in [
        ("lazywrong:1.0", "estargz"),
        ("chunkedbad:1.0", "zstd:chunked"),
    ] {
        let home = tempfile::tempdir().unwrap();
        let doc = files(home.path(), &[&format!("{host}/{image}"), "--layer", "0"]);
        let format = doc["layers"][0]["format"].as_str().unwrap();
        assert_ne!(format, claimed, "{image}: the claim was not trusted");
        assert!(
            format.starts_with("tar+"),
            "{image}: streamed and verified ({format})"
        );
        let files: Vec<String> = rows(&doc)
            .into_iter()
            .filter(|r| r.1 == "file")
            .map(|r| r.0)
            .collect();
        assert_eq!(files, ["bin/a", "bin/b", "lib/c.so", "lib/d.so"], "{image}");
    }
}

#[test]
fn the_second_look_at_an_image_reads_its_stored_view_within_today_s_limits() {
    let s = &*SEEDED;
    let home = tempfile::tempdir().unwrap();
    // Its own repository: the other tests' requests are not counted.
    let image = format!("{}/again:1.0", s.registry.host);
    let first = files(home.path(), &[&image, "--wasted"]);
    let manifests = || {
        let log = s.registry.access_bytes();
        log.iter()
            .filter(|(_, p, _, _)| p.starts_with("/v2/again/"))
            .count()
    };
    let before = manifests();
    let second = files(home.path(), &[&image, "--wasted"]);
    assert_eq!(
        first, second,
        "the stored view prints what the first look printed"
    );
    // Resolving the tag (a HEAD or GET of the manifest): nothing else.
    assert!(
        manifests() - before <= 2,
        "{} requests",
        manifests() - before
    );
    // Lower limits than the view was made under: refused like a fresh read.
    let refused_under = |config: &str, says: &str| {
        common::write_config(home.path(), config);
        let out = common::regscope(home.path())
            .args(["files", &image])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{config}: {stderr}");
        assert!(stderr.contains(says), "{config}: {stderr}");
    };
    refused_under("[files]\nmax_image_entries = 2\n", "max_image_entries");
    refused_under(
        "[files]\nmax_layer_size = \"10B\"\n",
        "--max-layer-size raises the limit",
    );
}

#[test]
fn an_unverified_zstd_chunked_toc_read_for_one_registry_is_not_served_for_another() {
    let files_in = vec![
        ("bin/tool", vec![5u8; 3000]),
        ("etc/conf", b"x=1\n".to_vec()),
    ];
    let (chunked, position) = zstd_chunked(&files_in);
    let layer = Blob::new(chunked, ZSTD);
    let registries: Vec<(tempfile::TempDir, TestRegistry)> = (0..2)
        .map(|_| {
            let storage = tempfile::tempdir().unwrap();
            let config = RegistryConfig {
                access_log: true,
                ..RegistryConfig::anonymous(storage.path())
            };
            let registry = TestRegistry::start(config);
            (storage, registry)
        })
        .collect();
    for (_, registry) in &registries {
        let (base, layer, position) = (registry.url(), layer.clone(), position.clone());
        common::block_on_thread(async move {
            let pusher = Pusher::new(&base);
            let img = image_at(
                Style::Oci,
                "linux/amd64",
                vec![layer.clone()],
                &["ADD / /"],
                "2024-05-01T10:00:00Z",
            );
            pusher.blob("toc", &img.config).await;
            pusher.blob("toc", &layer).await;
            let mut descriptor = layer.descriptor();
            // No manifest-checksum: the TOC cannot be checked.
            descriptor["annotations"] =
                json!({"io.github.containers.zstd-chunked.manifest-position": position});
            let manifest = json!({"schemaVersion": 2, "mediaType": common::fixtures::OCI_MANIFEST,
                "config": img.config.descriptor(), "layers": [descriptor]});
            let manifest = Blob::new(
                serde_json::to_vec(&manifest).unwrap(),
                common::fixtures::OCI_MANIFEST,
            );
            pusher.manifest("toc", "1.0", &manifest).await;
        });
    }
    let home = tempfile::tempdir().unwrap();
    let ranged = |registry: &TestRegistry| {
        let log = registry.access_bytes();
        log.iter()
            .filter(|(m, p, status, _)| m == "GET" && p.contains("/blobs/") && *status == 206)
            .count()
    };
    for (_, registry) in &registries {
        let doc = files(home.path(), &[&format!("{}/toc:1.0", registry.host)]);
        assert!(rows(&doc).iter().any(|r| r.0 == "bin/tool"), "{doc}");
        assert!(
            ranged(registry) > 0,
            "{} read the TOC itself (a Range request): {:?} {doc}",
            registry.host,
            registry.access_bytes()
        );
    }
}
