//! Layers that lie: a decompression bomb, a header claiming more than the
//! stream holds, a million entries, escape sequences in names, bytes that do
//! not match their digest, a registry that ignores Range, and blobs that are
//! not file systems. Each is refused or shown safely, in bounded time and memory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fake::{respond, serve};
use common::fixtures::{Blob, Fixtures, OCI_MANIFEST, Pusher, Style, image_at};
use common::layers::{Tar, estargz, gzip};
use common::registry::{RegistryConfig, TestRegistry};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

const GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

fn push(registry: &TestRegistry, repo: &'static str, layers: Vec<Blob>) {
    let base = registry.url();
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let img = image_at(
            Style::Oci,
            "linux/amd64",
            layers,
            &["ADD x /"],
            "2024-05-01T10:00:00Z",
        );
        pusher
            .image(repo, &img, &["1.0"], &mut Fixtures::default())
            .await;
    });
}

fn run(home: &Path, args: &[&str]) -> (Option<i32>, String, String, Duration) {
    let started = Instant::now();
    let out = common::regscope(home).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

/// A tar header claiming a 60 GB file, then 1.1 GiB of zeros: about a
/// megabyte of gzip.
fn bomb() -> Blob {
    let head = Tar::default().claiming(b"huge", 60_000_000_000, 0);
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&head).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1126 {
        e.write_all(&zeros).unwrap();
    }
    Blob::new(e.finish().unwrap(), GZIP)
}

#[test]
fn a_decompression_bomb_and_a_lying_header_are_refused_in_bounded_time() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let bomb = bomb();
    assert!(bomb.bytes.len() < 4 << 20, "{} bytes", bomb.bytes.len());
    push(&registry, "bomb", vec![bomb]);
    let short = Tar::default().claiming(b"short", 10_000_000, 4096);
    push(&registry, "short", vec![Blob::new(gzip(&short), GZIP)]);
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr, took) = run(
        home.path(),
        &["files", &format!("{}/bomb:1.0", registry.host)],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("once decompressed") && stderr.contains("1073741824 byte limit"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(90), "{took:?}");
    let (code, _, stderr, _) = run(
        home.path(),
        &["files", &format!("{}/short:1.0", registry.host)],
    );
    assert_eq!(code, Some(1));
    assert!(stderr.contains("truncated"), "{stderr}");
}

#[test]
fn a_million_entries_stop_at_the_entry_limit_within_bounded_memory() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    // 1,000,001 empty files: half a gigabyte of tar headers, a few MB of gzip.
    let mut header = tar::Header::new_ustar();
    header.set_size(0);
    header.set_mode(0o644);
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for i in 0..1_000_001u32 {
        header.set_path(format!("d{}/f{i}", i % 1000)).unwrap();
        header.set_cksum();
        e.write_all(header.as_bytes()).unwrap();
    }
    e.write_all(&[0u8; 1024]).unwrap();
    push(
        &registry,
        "many",
        vec![Blob::new(e.finish().unwrap(), GZIP)],
    );
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/many:1.0", registry.host);
    let (code, stderr, peak) = files_with_rss(home.path(), &image);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("more than 1000000 entries"), "{stderr}");
    assert!(peak < 400, "peak RSS {peak} MB");
    // A configured lower limit holds too.
    common::write_config(home.path(), "[files]\nmax_layer_entries = 1000\n");
    let (code, _, stderr, _) = run(
        home.path(),
        &["files", &format!("{}/many:1.0", registry.host)],
    );
    assert_eq!(code, Some(1));
    assert!(stderr.contains("more than 1000 entries"), "{stderr}");
}

#[test]
fn escape_sequences_in_names_never_reach_the_terminal() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let tar = Tar::default()
        .file(b"\x1b]0;pwned\x07title", 3)
        .symlink(b"link", b"\x1b[2J\x1b[31mred")
        .finish();
    push(&registry, "names", vec![Blob::new(gzip(&tar), GZIP)]);
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/names:1.0", registry.host);
    let (code, stdout, _, _) = run(home.path(), &["files", &image]);
    assert_eq!(code, Some(0));
    assert!(
        !stdout.contains('\x1b') && !stdout.contains('\x07'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("title") && stdout.contains("red"),
        "{stdout}"
    );
    let (_, json_out, _, _) = run(home.path(), &["files", &image, "--json"]);
    assert!(!json_out.contains('\x1b'), "{json_out:?}");
    let doc: Value = serde_json::from_str(&json_out).unwrap();
    assert_eq!(
        doc["entries"][0]["path"], "\u{1b}]0;pwned\u{7}title",
        "JSON keeps the name, escaped"
    );
}

#[test]
fn a_layer_whose_bytes_do_not_match_its_digest_yields_no_index() {
    // A layout on disk, its layer blob altered after the fact.
    let root = tempfile::tempdir().unwrap();
    let layer = Blob::new(gzip(&Tar::default().file(b"etc/hosts", 9).finish()), GZIP);
    let img = image_at(
        Style::Oci,
        "linux/amd64",
        vec![layer.clone()],
        &["ADD x /"],
        "2024-05-01T10:00:00Z",
    );
    let blobs = root.path().join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    for blob in [&img.config, &img.manifest] {
        std::fs::write(blobs.join(&blob.digest[7..]), &blob.bytes).unwrap();
    }
    let tampered = gzip(&Tar::default().file(b"etc/evil", 9).finish());
    std::fs::write(blobs.join(&layer.digest[7..]), tampered).unwrap();
    std::fs::write(
        root.path().join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    let index = json!({"schemaVersion": 2, "manifests": [{"mediaType": OCI_MANIFEST, "digest": img.manifest.digest,
        "size": img.manifest.bytes.len(), "annotations": {"org.opencontainers.image.ref.name": "1.0"}}]});
    std::fs::write(root.path().join("index.json"), index.to_string()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let image = format!("oci:{}:1.0", root.path().display());
    for _ in 0..2 {
        let (code, stdout, stderr, _) = run(home.path(), &["files", &image]);
        assert_eq!(code, Some(1), "{stdout}");
        assert!(stderr.contains("digest mismatch"), "{stderr}");
        assert!(!stdout.contains("evil"), "{stdout}");
    }
}

#[test]
fn a_registry_that_ignores_range_gets_the_layer_streamed() {
    let (blob, toc_digest) = estargz(&[("bin/a", vec![1u8; 5000]), ("bin/b", vec![2u8; 7000])]);
    let layer = Blob::new(blob, GZIP);
    let img = image_at(
        Style::Oci,
        "linux/amd64",
        vec![layer.clone()],
        &["ADD x /"],
        "2024-05-01T10:00:00Z",
    );
    let mut descriptor = layer.descriptor();
    descriptor["annotations"] = json!({"containerd.io/snapshot/stargz/toc.digest": toc_digest});
    let manifest = Blob::new(
        serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": img.config.descriptor(), "layers": [descriptor]}))
        .unwrap(),
        OCI_MANIFEST,
    );
    let blobs = [layer.clone(), img.config.clone(), manifest.clone()];
    let fake = serve(move |seen| {
        let found = blobs.iter().find(|b| {
            seen.path.ends_with(&b.digest)
                || (seen.path.ends_with("/manifests/1.0") && b.media_type == OCI_MANIFEST)
        });
        match (seen.path.as_str(), found) {
            ("/v2/", _) => respond(200, &[], "{}"),
            (_, Some(b)) => respond(
                200,
                &[
                    ("content-type", &b.media_type),
                    ("docker-content-digest", &b.digest),
                ],
                b.bytes.clone(),
            ),
            _ => respond(404, &[], ""),
        }
    });
    let home = tempfile::tempdir().unwrap();
    let (code, stdout, stderr, _) = run(
        home.path(),
        &["files", &format!("{}/lazy:1.0", fake.host()), "--json"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["layers"][0]["format"], "tar+gzip", "streamed: {doc}");
    let paths: Vec<&str> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["bin", "bin/a", "bin/b"], "no stargz.index.json");
}

#[test]
fn blobs_that_are_not_file_systems_say_what_they_are() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let signature = Blob::new(
        br#"{"critical":{}}"#.to_vec(),
        "application/vnd.dev.cosign.simplesigning.v1+json",
    );
    let fs = Blob::new(gzip(&Tar::default().file(b"app", 4).finish()), GZIP);
    push(&registry, "mixed", vec![fs, signature]);
    let home = tempfile::tempdir().unwrap();
    let (code, stdout, stderr, _) = run(
        home.path(),
        &["files", &format!("{}/mixed:1.0", registry.host), "--json"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        doc["layers"][1]["note"],
        "not a file system layer: application/vnd.dev.cosign.simplesigning.v1+json"
    );
    assert_eq!(doc["layers"][1]["entries"], Value::Null);
    assert_eq!(doc["entries"][0]["path"], "app");
}

fn configure(home: &Path, files: &str) {
    common::write_config(home, &format!("[files]\n{files}\n"));
}

/// `files` on `image`: exit code, stderr, and peak RSS in MB.
fn files_with_rss(home: &Path, image: &str) -> (i32, String, i64) {
    common::process::reset_peak_rss();
    let mut child = common::regscope_process(home)
        .args(["files", image])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let (code, peak) = common::process::wait_with_rss(child);
    (code, stderr, peak)
}

#[test]
fn link_targets_count_in_the_image_s_path_budget() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    // 20,000 symlinks, each with a 4 KiB PAX linkpath: 80 MiB of targets.
    let target = "t".repeat(4096);
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for i in 0..20_000u32 {
        builder
            .append_pax_extensions([("linkpath", target.as_bytes())])
            .unwrap();
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_path(format!("links/l{i}")).unwrap();
        h.set_size(0);
        h.set_cksum();
        builder.append(&h, &[][..]).unwrap();
    }
    let gz = builder.into_inner().unwrap().finish().unwrap();
    push(&registry, "links", vec![Blob::new(gz, GZIP)]);
    let home = tempfile::tempdir().unwrap();
    configure(home.path(), "max_image_path_mib = 16");
    let image = format!("{}/links:1.0", registry.host);
    let (code, stderr, peak) = files_with_rss(home.path(), &image);
    println!("20,000 links of 4 KiB, 16 MiB budget: exit {code}, peak RSS {peak} MB");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("more than 16 MiB") && stderr.contains("max_image_path_mib"),
        "{stderr}"
    );
    assert!(peak < 300, "peak RSS {peak} MB");
}

#[test]
fn one_entry_budget_holds_for_all_of_an_image_s_layers() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    // Five layers of 100,000 empty files each: each layer is within the
    // per-layer limit, the image is not.
    let layers: Vec<Blob> = (0..5u32)
        .map(|layer| {
            let mut header = tar::Header::new_ustar();
            header.set_size(0);
            header.set_mode(0o644);
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            for i in 0..100_000u32 {
                header
                    .set_path(format!("l{layer}/d{}/f{i}", i % 100))
                    .unwrap();
                header.set_cksum();
                e.write_all(header.as_bytes()).unwrap();
            }
            e.write_all(&[0u8; 1024]).unwrap();
            Blob::new(e.finish().unwrap(), GZIP)
        })
        .collect();
    push(&registry, "wide", layers);
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/wide:1.0", registry.host);
    configure(home.path(), "max_image_entries = 300000");
    let (code, stderr, peak) = files_with_rss(home.path(), &image);
    println!("5 x 100,000 files, 300,000 budget: exit {code}, peak RSS {peak} MB");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("more than 300000 entries together")
            && stderr.contains("max_image_entries"),
        "{stderr}"
    );
    assert!(peak < 300, "peak RSS {peak} MB");
    // Within the default budget the same image is listed.
    configure(home.path(), "");
    let (code, stderr, peak) = files_with_rss(home.path(), &image);
    println!("5 x 100,000 files, default budget: exit {code}, peak RSS {peak} MB");
    assert_eq!(code, 0, "{stderr}");
    assert!(peak < 300, "peak RSS {peak} MB listing 500,000 entries");
}
