//! Deleting multi-platform images on a real Distribution registry, then its
//! own `garbage-collect` (without `--delete-untagged`): an index's platform and
//! attestation manifests go with it unless something else holds them, and the
//! blob storage shrinks by exactly the `freed_after_gc` the plan printed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::blocking::manifest_digest;
use common::fixtures::{
    Blob, Fixtures, Image, OCI_LAYER, Pusher, Style, attestation, image_at, layer,
};
use common::registry::{RegistryConfig, TestRegistry, stored_blob_bytes};
use serde_json::Value;

struct Seeded {
    registry: TestRegistry,
    storage: tempfile::TempDir,
    /// `auth-proxy:1.0` and `1.1`: their platform images, then the attestation.
    v10: (String, Vec<Image>),
    v11: (String, Vec<Image>),
}

fn platform(base: &Blob, seed: u64, arch: &str, created: &str) -> Image {
    image_at(
        Style::Oci,
        &format!("linux/{arch}"),
        vec![
            base.clone(),
            layer(seed, 2_000 + usize::try_from(seed).unwrap(), OCI_LAYER),
        ],
        &["FROM base", "COPY app /"],
        created,
    )
}

/// `auth-proxy`: 1.0 and 1.1 (indexes of amd64 + arm64 with an attestation,
/// on a shared base layer), 1.2 and 1.3 (single images); 1.1's arm64 image
/// also tagged `arm-pinned`, its amd64 image listed by the index `bundle`.
/// `web:latest` shares 1.0's amd64 layer: only a registry-wide figure sees it.
fn seed() -> Seeded {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let base_url = registry.url();
    let base = layer(1, 5_000, OCI_LAYER);
    let v10 = vec![
        platform(&base, 10, "amd64", "2024-01-01T00:00:00Z"),
        platform(&base, 11, "arm64", "2024-01-01T00:00:00Z"),
        attestation(12),
    ];
    let v11 = vec![
        platform(&base, 20, "amd64", "2024-02-01T00:00:00Z"),
        platform(&base, 21, "arm64", "2024-02-01T00:00:00Z"),
        attestation(22),
    ];
    let singles = [
        ("1.2", platform(&base, 30, "amd64", "2024-03-01T00:00:00Z")),
        ("1.3", platform(&base, 40, "amd64", "2024-04-01T00:00:00Z")),
    ];
    let web = image_at(
        Style::Oci,
        "linux/amd64",
        vec![base.clone(), v10[0].layers[1].clone()],
        &["x"],
        "2024-01-05T00:00:00Z",
    );
    let (a, b) = (v10.clone(), v11.clone());
    let digests = common::block_on_thread(async move {
        let pusher = Pusher::new(&base_url);
        let mut fx = Fixtures::default();
        let mut digests = Vec::new();
        for (tag, images) in [("1.0", &a), ("1.1", &b)] {
            pusher
                .index(
                    "auth-proxy",
                    Style::Oci,
                    &images[..2],
                    Some(&images[2]),
                    &[tag],
                    &mut fx,
                )
                .await;
            digests.push(fx.tags[&format!("auth-proxy:{tag}")].digest.clone());
        }
        for (tag, img) in &singles {
            pusher.image("auth-proxy", img, &[tag], &mut fx).await;
        }
        pusher
            .manifest("auth-proxy", "arm-pinned", &b[1].manifest)
            .await;
        let bundle = common::fixtures::index(Style::Oci, &b[..1], None);
        pusher.manifest("auth-proxy", "bundle", &bundle).await;
        pusher.image("web", &web, &["latest"], &mut fx).await;
        digests
    });
    Seeded {
        registry,
        storage,
        v10: (digests[0].clone(), v10),
        v11: (digests[1].clone(), v11),
    }
}

fn status(s: &Seeded, digest: &str) -> Option<String> {
    manifest_digest(&s.registry, "auth-proxy", digest)
}

/// Collects garbage and returns the bytes the blob store shrank by.
fn collected(s: &Seeded) -> u64 {
    let before = stored_blob_bytes(s.storage.path());
    s.registry.garbage_collect();
    before - stored_blob_bytes(s.storage.path())
}

#[test]
fn deleting_an_index_frees_exactly_what_the_plan_said_after_garbage_collection() {
    let s = seed();
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/auth-proxy:1.0", s.registry.host);
    let doc = common::run_json(home.path(), &["rm", &image, "--yes", "--json", "--exact"]);
    let children: Vec<&Value> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["child_of"] == s.v10.0.as_str())
        .collect();
    assert_eq!(children.len(), 3, "amd64, arm64 and the attestation: {doc}");
    for img in &s.v10.1 {
        assert_eq!(status(&s, &img.manifest.digest), None);
    }
    let promised = doc["freed_after_gc"].as_u64().unwrap();
    assert_eq!(collected(&s), promised, "{doc}");
    assert!(
        manifest_digest(&s.registry, "web", "latest").is_some(),
        "web keeps the layer it shares"
    );
}

#[test]
fn prune_of_indexes_and_images_frees_what_it_said_and_held_children_stay() {
    let s = seed();
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/auth-proxy", s.registry.host);
    let doc = common::run_json(
        home.path(),
        &[
            "prune",
            &repo,
            "--only",
            r"^1\.",
            "--keep-newest",
            "1",
            "--max-delete-percent",
            "100",
            "--exact",
            "--yes",
            "--json",
        ],
    );
    let outcomes = common::outcomes(&doc);
    assert!(outcomes.iter().all(|o| *o == "deleted"), "{doc}");
    let held: Vec<&str> = doc["repositories"][0]["held_children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["digest"].as_str().unwrap())
        .collect();
    let (amd11, arm11) = (&s.v11.1[0].manifest.digest, &s.v11.1[1].manifest.digest);
    assert_eq!(held.len(), 2, "{doc}");
    assert!(held.contains(&amd11.as_str()) && held.contains(&arm11.as_str()));
    assert_eq!(doc["freed_after_gc"], doc["bytes_freed"]);
    let promised = doc["freed_after_gc"].as_u64().unwrap();
    assert_eq!(collected(&s), promised, "{doc}");
    // What something else holds survives, and the index holding it still pulls.
    assert_eq!(status(&s, amd11).as_deref(), Some(amd11.as_str()));
    assert_eq!(status(&s, "arm-pinned").as_deref(), Some(arm11.as_str()));
    assert!(status(&s, "bundle").is_some());
    assert_eq!(
        status(&s, &s.v11.1[2].manifest.digest),
        None,
        "attestation went"
    );
    for img in &s.v10.1 {
        assert_eq!(status(&s, &img.manifest.digest), None);
    }
    assert!(status(&s, "1.3").is_some());
}

#[test]
fn check_names_the_children_delete_untagged_would_break_and_the_dangling_ones() {
    let s = seed();
    let home = tempfile::tempdir().unwrap();
    let storage = s.storage.path().to_str().unwrap().to_string();
    let check = |home: &std::path::Path| {
        let out = common::regscope(home)
            .args(["check", &s.registry.host, "--storage", &storage, "--json"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let doc = check(home.path());
    // 1.0 lists 3 untagged children; 1.1 lists 3, one tagged; bundle lists one of those.
    assert_eq!(doc["collector"]["index_children_at_risk"], 5, "{doc}");
    assert_eq!(doc["collector"]["indexes_at_risk"], 3, "{doc}");
    assert_eq!(doc["collector"]["dangling"], serde_json::json!([]), "{doc}");
    // A manifest pushed by digest alone is dangling: safe to collect.
    let lone = image_at(
        Style::Oci,
        "linux/amd64",
        vec![layer(77, 3_000, OCI_LAYER)],
        &["x"],
        "2024-06-01T00:00:00Z",
    );
    let base = s.registry.url();
    let pushed = lone.clone();
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        pusher.blob("auth-proxy", &pushed.config).await;
        pusher.blob("auth-proxy", &pushed.layers[0]).await;
        pusher
            .manifest("auth-proxy", &pushed.manifest.digest, &pushed.manifest)
            .await;
    });
    let doc = check(home.path());
    let dangling = doc["collector"]["dangling"].as_array().unwrap();
    assert_eq!(dangling.len(), 1, "{doc}");
    assert_eq!(dangling[0]["digest"], lone.manifest.digest.as_str());
    assert_eq!(
        dangling[0]["bytes"].as_u64().unwrap(),
        lone.manifest.size() + lone.config.size() + lone.layers[0].size(),
        "{doc}"
    );
}
