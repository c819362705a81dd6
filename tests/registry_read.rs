//! Read-only behaviour against one real, seeded Distribution registry (anonymous mode).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{Expected, FULL, MANY_TAGS};
use regscope::registry::RegistryClient;
use regscope::registry::auth::Credentials;
use regscope::registry::transport::TransportOptions;
use serde_json::Value;

fn run_json(args: &[&str]) -> Value {
    let home = tempfile::tempdir().unwrap();
    common::run_json(home.path(), args)
}

async fn client() -> RegistryClient {
    RegistryClient::connect(
        &FULL.registry.host,
        TransportOptions::default(),
        Credentials::Anonymous,
    )
    .await
    .unwrap()
}

#[test]
fn repos_lists_the_whole_catalog_across_pages() {
    let host = &FULL.registry.host;
    let doc = run_json(&["repos", host, "--json"]);
    assert_eq!(doc["registry"], host.as_str());
    let listed: Vec<String> = doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(listed.len() > 1_200, "{} repositories", listed.len());
    assert_eq!(listed, FULL.fixtures.repositories);
}

#[test]
fn tags_lists_every_tag_in_natural_order() {
    let repo = format!("{}/many-tags", FULL.registry.host);
    let doc = run_json(&["tags", &repo, "--json"]);
    assert_eq!(doc["repository"], repo.as_str());
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tags.len(), MANY_TAGS);
    let expected: Vec<String> = (0..MANY_TAGS)
        .map(|i| format!("{}.{}", i / 100, i % 100))
        .collect();
    assert_eq!(tags, expected);
    assert_eq!(tags[9], "0.9");
    assert_eq!(tags[10], "0.10");
}

#[test]
fn tags_human_output_is_one_tag_per_line() {
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args(["tags", &format!("{}/app", FULL.registry.host)])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "1.0\n1.1\nlatest\n");
}

fn check_inspect(reference: &str, expected: &Expected) {
    let doc = run_json(&["inspect", reference, "--json"]);
    assert_eq!(doc["digest"], expected.digest.as_str(), "{reference}");
    assert_eq!(doc["media_type"], expected.media_type.as_str());
    let manifests = doc["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), expected.images.len(), "{reference}");
    for (got, (image, attestation)) in manifests.iter().zip(&expected.images) {
        assert_eq!(got["digest"], image.manifest.digest.as_str());
        assert_eq!(got["media_type"], image.manifest.media_type.as_str());
        assert_eq!(got["platform"], image.platform.as_str());
        assert_eq!(got["attestation"], *attestation);
        assert_eq!(got["config"]["digest"], image.config.digest.as_str());
        assert_eq!(got["config"]["size"], image.config.size());
        assert_eq!(got["size"], image.size(), "{reference} {}", image.platform);
        let layers = got["layers"].as_array().unwrap();
        assert_eq!(layers.len(), image.layers.len());
        for (i, (layer, blob)) in layers.iter().zip(&image.layers).enumerate() {
            assert_eq!(layer["digest"], blob.digest.as_str());
            assert_eq!(layer["size"], blob.size());
            assert_eq!(layer["media_type"], blob.media_type.as_str());
            match image.steps.get(i) {
                Some(step) => assert_eq!(layer["created_by"], step.as_str()),
                None => assert!(layer["created_by"].is_null()),
            }
        }
        if !attestation {
            assert_eq!(got["created"], image.created.as_str());
        }
    }
}

#[test]
fn inspect_reports_what_the_fixtures_pushed() {
    for (tag, expected) in &FULL.fixtures.tags {
        check_inspect(&format!("{}/{tag}", FULL.registry.host), expected);
    }
}

#[test]
fn inspect_by_digest_and_platform() {
    let expected = &FULL.fixtures.tags["multi:1.0"];
    let by_digest = format!("{}/multi@{}", FULL.registry.host, expected.digest);
    check_inspect(&by_digest, expected);
    let arm = run_json(&["inspect", &by_digest, "--platform", "linux/arm64", "--json"]);
    let manifests = arm["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 1);
    assert_eq!(manifests[0]["platform"], "linux/arm64/v8");
    assert_eq!(manifests[0]["size"], expected.images[1].0.size());
}

#[test]
fn inspect_missing_platform_or_tag_exits_not_found() {
    let home = tempfile::tempdir().unwrap();
    let host = &FULL.registry.host;
    let out = common::regscope(home.path())
        .args([
            "inspect",
            &format!("{host}/multi:1.0"),
            "--platform",
            "linux/s390x",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = common::regscope(home.path())
        .args(["inspect", &format!("{host}/app:nope")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("not found"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn inspect_human_output_shows_layers_and_steps() {
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args([
            "inspect",
            &format!("{}/docker/legacy:2.0", FULL.registry.host),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("linux/amd64"), "{text}");
    assert!(text.contains("RUN apt-get install -y curl"), "{text}");
    assert!(text.contains("7 kB"), "{text}");
}

#[tokio::test]
async fn head_resolves_tags_to_digests() {
    let client = client().await;
    let head = client.head_manifest("app", "latest").await.unwrap();
    assert_eq!(
        head.digest.to_string(),
        FULL.fixtures.tags["app:1.0"].digest
    );
    let list = client.head_manifest("multi-docker", "1.0").await.unwrap();
    assert_eq!(
        list.digest.to_string(),
        FULL.fixtures.tags["multi-docker:1.0"].digest
    );
    assert!(
        client
            .head_manifest("app", "missing")
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn nested_repository_tags_and_missing_repository() {
    let client = client().await;
    let tags = client.tags("nested/deep/path/repo").await.unwrap();
    assert_eq!(tags.items, vec!["1".to_string()]);
    assert!(
        client
            .tags("does/not/exist")
            .await
            .unwrap_err()
            .is_not_found()
    );
}
