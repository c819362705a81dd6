//! `regscope changes` against a real registry: a new repository, a new tag,
//! a moved tag and a removed tag are exactly what it lists; `--watch` sees a
//! move within two intervals, asking with listings and HEADs only.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{Fixtures, Image, OCI_LAYER, Pusher, Style, image, image_at, layer};
use common::registry::{RegistryConfig, TestRegistry};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

struct Seeded {
    registry: TestRegistry,
    _storage: tempfile::TempDir,
    v1: Image,
    v2: Image,
}

fn seed() -> Seeded {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig {
        access_log: true,
        ..RegistryConfig::anonymous(storage.path())
    });
    let base = registry.url();
    let (v1, v2) = common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let mut fx = Fixtures::default();
        let v1 = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(1, 900, OCI_LAYER)],
            &["v1"],
        );
        let v2 = image_at(
            Style::Oci,
            "linux/amd64",
            vec![layer(2, 900, OCI_LAYER)],
            &["v2"],
            "2026-11-30T08:00:00Z",
        );
        pusher.image("app", &v1, &["1.0"], &mut fx).await;
        pusher.image("app", &v2, &["1.1", "latest"], &mut fx).await;
        pusher.image("other", &v1, &["x"], &mut fx).await;
        (v1, v2)
    });
    Seeded {
        registry,
        _storage: storage,
        v1,
        v2,
    }
}

fn push(seeded: &Seeded, repo: &'static str, img: &Image, tag: &'static str) {
    let (base, img) = (seeded.registry.url(), img.clone());
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        pusher
            .image(repo, &img, &[tag], &mut Fixtures::default())
            .await;
    });
}

fn delete_manifest(seeded: &Seeded, repo: &str, digest: &str) {
    let url = format!("{}/v2/{repo}/manifests/{digest}", seeded.registry.url());
    common::block_on_thread(async move {
        let resp = reqwest::Client::new().delete(url).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 202);
    });
}

#[test]
fn changes_lists_exactly_the_new_repository_and_the_new_moved_and_removed_tags() {
    let seeded = seed();
    let home = tempfile::tempdir().unwrap();
    let host = seeded.registry.host.clone();
    let first = common::run_json(home.path(), &["changes", &host, "--json"]);
    assert_eq!(
        first["since"],
        Value::Null,
        "the first look is the baseline"
    );
    assert_eq!(first["changes"], json!([]));
    // Seen once (stored): the move's dates come from the store, no request.
    common::run_json(
        home.path(),
        &["inspect", &format!("{host}/app:latest"), "--json"],
    );
    common::run_json(
        home.path(),
        &["inspect", &format!("{host}/app:1.0"), "--json"],
    );
    push(&seeded, "app", &seeded.v2, "2.0");
    push(&seeded, "app", &seeded.v1, "latest");
    delete_manifest(&seeded, "app", &seeded.v1.manifest.digest.clone());
    push(&seeded, "app", &seeded.v1, "latest");
    push(&seeded, "newrepo", &seeded.v2, "1");
    let doc = common::run_json(home.path(), &["changes", &host, "--json"]);
    assert!(doc["since"].is_string());
    assert_eq!(doc["target"], json!(host));
    let kinds: Vec<(String, String)> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let what = c["tag"]
                .as_str()
                .or(c["repository"].as_str())
                .unwrap()
                .to_string();
            (c["kind"].as_str().unwrap().to_string(), what)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("new_repository".to_string(), "newrepo".to_string()),
            ("new_tag".to_string(), "2.0".to_string()),
            ("moved_tag".to_string(), "latest".to_string()),
            ("removed_tag".to_string(), "1.0".to_string()),
        ],
        "{doc:#}"
    );
    let moved = &doc["changes"][2];
    assert_eq!(moved["from"], json!(seeded.v2.manifest.digest));
    assert_eq!(moved["to"], json!(seeded.v1.manifest.digest));
    assert_eq!(
        moved["previous_created"],
        json!("2026-11-30T08:00:00Z"),
        "{doc:#}"
    );
    assert_eq!(moved["created"], json!("2024-05-01T10:00:00Z"));
    assert_eq!(
        doc["changes"][1]["created"],
        json!("2026-11-30T08:00:00Z"),
        "2.0 names v2"
    );
    let added = &doc["changes"][0];
    assert_eq!(added.get("created"), None, "a repository has no date");
    let again = common::run_json(home.path(), &["changes", &host, "--json"]);
    assert_eq!(
        again["changes"],
        json!([]),
        "compared with the look just taken"
    );
}

#[test]
fn watch_prints_a_move_within_two_intervals_with_listings_and_heads_only() {
    let seeded = seed();
    let home = tempfile::tempdir().unwrap();
    let before = seeded.registry.access_log().len();
    let mut child = common::regscope_process(home.path())
        .args([
            "changes",
            &format!("{}/app", seeded.registry.host),
            "--watch",
            "1s",
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap_or_default());
        }
    });
    std::thread::sleep(Duration::from_millis(1500));
    push(&seeded, "app", &seeded.v1, "latest");
    let moved_at = Instant::now();
    let line = rx
        .recv_timeout(Duration::from_millis(2500))
        .expect("a line within two intervals");
    let seen_after = moved_at.elapsed();
    child.kill().unwrap();
    child.wait().unwrap();
    let change: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(change["kind"], json!("moved_tag"), "{line}");
    assert_eq!(change["tag"], json!("latest"));
    assert!(change["at"].is_string());
    assert!(seen_after < Duration::from_secs(2), "{seen_after:?}");
    let asked: Vec<(String, String)> = seeded.registry.access_log().split_off(before);
    let other: Vec<_> = asked
        .iter()
        .filter(|(m, p)| {
            let listing = m == "GET" && (p.contains("/tags/list") || p == "/v2/");
            let head = m == "HEAD" && p.contains("/manifests/");
            let pushed = p.starts_with("/v2/app/blobs") || m == "PUT";
            !(listing || head || pushed)
        })
        .collect();
    assert!(other.is_empty(), "only listings and HEADs: {other:?}");
}
