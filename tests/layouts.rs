//! OCI image layouts as a source: the bundled demo, a layout written by skopeo from
//! the real registry, and path-escape attempts.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::SMALL;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
}

fn files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_committed_demo_is_what_the_generator_writes_and_small() {
    let fresh = tempfile::tempdir().unwrap();
    common::demo::write_demo(fresh.path());
    let committed = files(&demo());
    assert_eq!(
        committed,
        files(fresh.path()),
        "run `cargo run --example make_demo` and commit assets/demo"
    );
    let bytes: usize = committed.iter().map(|(_, b)| b.len()).sum();
    assert!(bytes < 2 * 1024 * 1024, "{bytes} bytes");
}

#[test]
fn tags_and_inspect_read_layouts() {
    let home = tempfile::tempdir().unwrap();
    let frontend = format!("oci:{}", demo().join("shop/frontend").display());
    let tags = common::run_json(home.path(), &["tags", &frontend, "--json"]);
    assert_eq!(
        tags["tags"],
        serde_json::json!(["1.4.0", "1.5.0", "latest"])
    );
    assert_eq!(tags["repository"], frontend.as_str());

    let report = common::run_json(
        home.path(),
        &["inspect", &format!("{frontend}:latest"), "--json"],
    );
    assert_eq!(report["kind"], "index");
    let manifests = report["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 3);
    assert_eq!(manifests[1]["platform"], "linux/arm64/v8");
    assert_eq!(manifests[2]["attestation"], true);
    // Each layer's size is its blob's on disk; the image's is their sum.
    let blobs = demo().join("shop/frontend/blobs/sha256");
    let layers = manifests[0]["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 3);
    let mut total = 0;
    for l in layers {
        let hex = l["digest"].as_str().unwrap().trim_start_matches("sha256:");
        let on_disk = std::fs::metadata(blobs.join(hex)).unwrap().len();
        assert_eq!(l["size"].as_u64().unwrap(), on_disk);
        total += on_disk;
    }
    assert_eq!(manifests[0]["size"], total);
    assert_eq!(
        manifests[0]["layers"][1]["created_by"],
        "RUN /bin/sh -c apk add --no-cache ca-certificates tzdata # buildkit"
    );

    let debug = format!("oci:{}", demo().join("tools/debug").display());
    let tags = common::run_json(home.path(), &["tags", &debug, "--json"]);
    let untagged = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t.as_str().unwrap().starts_with("@sha256:"));
    assert!(
        untagged.is_some(),
        "an entry without a ref name is listed by digest: {tags}"
    );
    let by_digest = format!("{debug}{}", untagged.unwrap().as_str().unwrap());
    assert_eq!(
        common::run_json(home.path(), &["inspect", &by_digest, "--json"])["kind"],
        "image"
    );
}

#[test]
fn a_directory_of_layouts_is_browsed_as_a_registry_but_not_listed_by_tags() {
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args(["tags", &format!("oci:{}", demo().display())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("directory of layouts"));
}

#[test]
fn every_command_accepts_what_the_browser_opens() {
    let home = tempfile::tempdir().unwrap();
    let target = format!("oci:{}", demo().display());
    let doc = common::run_json(home.path(), &["repos", &target, "--json"]);
    assert_eq!(doc["registry"], target);
    assert_eq!(
        doc["repositories"],
        serde_json::json!([
            "base/distroless",
            "shop/api",
            "shop/frontend",
            "tools/debug"
        ])
    );
    let single = format!("oci:{}", demo().join("shop/api").display());
    let doc = common::run_json(home.path(), &["repos", &single, "--json"]);
    assert_eq!(doc["repositories"], serde_json::json!(["api"]));
    let out = common::regscope(home.path())
        .args(["repos", "localhost:5000/app"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a repository is not a registry");
}

#[test]
fn du_columns_add_up_and_a_missing_tag_is_reported_once() {
    let home = tempfile::tempdir().unwrap();
    let api = format!("oci:{}", demo().join("shop/api").display());
    let out = common::regscope(home.path())
        .args(["du", &api])
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["TAG", "DIGEST", "STORED", "EXCLUSIVE", "SHARED", "CREATED"]
    );
    let doc = common::run_json(home.path(), &["du", &api, "--json"]);
    for row in doc["tags"].as_array().unwrap() {
        let (stored, exclusive, shared) = (
            row["stored_bytes"].as_u64().unwrap(),
            row["exclusive_bytes"].as_u64().unwrap(),
            row["shared_bytes"].as_u64().unwrap(),
        );
        assert_eq!(stored, exclusive + shared, "{row}");
    }
    let out = common::regscope(home.path())
        .args(["rm", &format!("{api}:nope"), "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("not found").count(), 1, "{stderr}");
    assert!(stderr.contains(":nope"), "{stderr}");
}

fn skopeo_copy(reference: &str, dest: &Path, tag: &str, all: bool) {
    let mut cmd = Command::new("skopeo");
    cmd.args([
        "copy",
        "--quiet",
        "--preserve-digests",
        "--src-tls-verify=false",
    ]);
    if all {
        cmd.arg("--all");
    }
    let out = cmd
        .arg(format!("docker://{}/{reference}", SMALL.registry.host))
        .arg(format!("oci:{}:{tag}", dest.display()))
        .output()
        .expect("skopeo is installed (scripts/test installs it)");
    assert!(
        out.status.success(),
        "skopeo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn layers_of(report: &Value) -> Vec<Vec<(String, u64)>> {
    report["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    (
                        l["digest"].as_str().unwrap().to_string(),
                        l["size"].as_u64().unwrap(),
                    )
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_layout_written_by_skopeo_matches_the_registry_original() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (reference, tag, all) in [
        ("app:1.0", "app-1.0", false),
        ("multi:1.0", "multi-1.0", true),
    ] {
        skopeo_copy(reference, &dir.path().join("copy"), tag, all);
        let original = common::run_json(
            home.path(),
            &[
                "inspect",
                &format!("{}/{reference}", SMALL.registry.host),
                "--json",
            ],
        );
        let copy = common::run_json(
            home.path(),
            &[
                "inspect",
                &format!("oci:{}:{tag}", dir.path().join("copy").display()),
                "--json",
            ],
        );
        assert_eq!(layers_of(&copy), layers_of(&original), "{reference}");
        let sizes = |r: &Value| {
            r["manifests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["size"].as_u64().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(sizes(&copy), sizes(&original));
        let platforms = |r: &Value| {
            r["manifests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["platform"].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(platforms(&copy), platforms(&original));
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for (path, bytes) in files(from) {
        let target = to.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

#[test]
fn nothing_outside_the_layout_is_read() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("layouts/debug");
    copy_dir(&demo().join("tools/debug"), &layout);
    let report = common::run_json(
        home.path(),
        &["inspect", &format!("oci:{}:v3", layout.display()), "--json"],
    );
    let config_digest = report["manifests"][0]["config"]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    // Replace the config blob with a symlink to an identical file outside the layout.
    let blob = layout
        .join("blobs/sha256")
        .join(config_digest.trim_start_matches("sha256:"));
    let outside = work.path().join("outside-config");
    std::fs::copy(&blob, &outside).unwrap();
    std::fs::remove_file(&blob).unwrap();
    std::os::unix::fs::symlink(&outside, &blob).unwrap();
    let out = common::regscope(home.path())
        .args(["inspect", &format!("oci:{}:v3", layout.display())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("outside the layout"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A symlinked directory leading out is not listed as a repository, and `..` is no name.
    std::os::unix::fs::symlink(demo().join("shop"), work.path().join("layouts/escape")).unwrap();
    let store = regscope::layout::LayoutStore::open(&work.path().join("layouts")).unwrap();
    assert_eq!(store.repositories().unwrap().items, ["debug"]);
    assert!(store.tags("../layouts/debug").unwrap_err().is_not_found());
    assert!(store.tags("escape/frontend").is_err());
}

#[test]
fn rm_removes_index_entries_prune_removes_unreferenced_blobs_and_restore_knows_when_it_is_too_late()
{
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("frontend");
    copy_dir(&demo().join("shop/frontend"), &layout);
    let target = |tag: &str| format!("oci:{}:{tag}", layout.display());
    let blobs = || {
        std::fs::read_dir(layout.join("blobs/sha256"))
            .unwrap()
            .count()
    };
    let before = blobs();
    let bytes_on_disk = || -> u64 {
        std::fs::read_dir(layout.join("blobs/sha256"))
            .unwrap()
            .flatten()
            .map(|e| e.metadata().unwrap().len())
            .sum()
    };

    // `latest` shares its digest with 1.5.0: only the index entry goes, nothing is freed.
    let latest = common::run_json(
        home.path(),
        &["rm", &target("latest"), "--yes", "--prune", "--json"],
    );
    assert_eq!(latest["results"][0]["method"], "index_entry");
    assert_eq!(latest["bytes_freed"], 0);
    assert_eq!(latest["pruned"][0]["blobs"], 0);
    assert_eq!(blobs(), before);

    let plan = common::run_json(
        home.path(),
        &["rm", &target("1.4.0"), "--dry-run", "--json"],
    );
    let freed = plan["bytes_freed"].as_u64().unwrap();
    let disk_before = bytes_on_disk();
    let done = common::run_json(
        home.path(),
        &["rm", &target("1.4.0"), "--yes", "--prune", "--json"],
    );
    assert_eq!(
        done["pruned"][0]["bytes"], freed,
        "prune frees what the plan said"
    );
    assert_eq!(
        disk_before - bytes_on_disk(),
        freed,
        "and the blob files on disk shrank by exactly that"
    );
    assert!(blobs() < before);
    let tags = common::run_json(
        home.path(),
        &["tags", &format!("oci:{}", layout.display()), "--json"],
    );
    assert_eq!(tags["tags"], serde_json::json!(["1.5.0"]));
    assert_eq!(
        common::run_json(home.path(), &["inspect", &target("1.5.0"), "--json"])["manifests"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let index = std::fs::read_to_string(layout.join("index.json")).unwrap();
    assert!(
        serde_json::from_str::<Value>(&index).is_ok(),
        "index.json stays valid"
    );

    // The blobs of 1.4.0 are pruned: restoring it is refused with a clear message.
    let id = done["results"][0]["trash_id"].as_str().unwrap().to_string();
    let out = common::regscope(home.path())
        .args(["trash", "restore", &id])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be restored"));
    // `latest` kept its blobs: restoring it works.
    let id = latest["results"][0]["trash_id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = common::regscope(home.path())
        .args(["trash", "restore", &id])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tags = common::run_json(
        home.path(),
        &["tags", &format!("oci:{}", layout.display()), "--json"],
    );
    assert_eq!(tags["tags"], serde_json::json!(["1.5.0", "latest"]));
}

#[test]
fn prune_never_follows_a_symlinked_blobs_directory_and_rewrites_keep_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("debug");
    copy_dir(&demo().join("tools/debug"), &layout);
    let index = layout.join("index.json");
    std::fs::set_permissions(&index, std::fs::Permissions::from_mode(0o640)).unwrap();
    // blobs/sha512 links to a directory outside the layout holding an unreferenced blob.
    let outside = work.path().join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    let stray = outside.join(format!("{:0128}", 7));
    std::fs::write(&stray, b"not referenced").unwrap();
    std::os::unix::fs::symlink(&outside, layout.join("blobs/sha512")).unwrap();
    let target = format!("oci:{}", layout.display());
    let out = common::regscope(home.path())
        .args(["rm", &format!("{target}:v3"), "--yes", "--prune"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("symlink"), "{stderr}");
    assert!(stray.exists(), "nothing outside the layout was deleted");
    let mode = std::fs::metadata(&index).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "index.json keeps its mode");
}
