//! Tests that change a registry get a fresh one of their own.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, image, layer};
use common::registry::{RegistryConfig, TestRegistry};

#[test]
fn a_repository_whose_tags_were_deleted_lists_no_tags() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let base = registry.url();
    let digest = common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let img = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(1, 100, OCI_LAYER)],
            &["COPY x /"],
        );
        let mut fx = Fixtures::default();
        pusher.image("gone", &img, &["1", "2"], &mut fx).await;
        let url = format!("{base}/v2/gone/manifests/{}", img.manifest.digest);
        let resp = reqwest::Client::new().delete(url).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 202);
        img.manifest.digest
    });
    assert!(digest.starts_with("sha256:"));
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/gone", registry.host);
    let out = common::regscope(home.path())
        .args(["tags", &repo, "--json"])
        .output()
        .unwrap();
    let doc = common::success_json(&out);
    assert_eq!(doc, serde_json::json!({"repository": repo, "tags": []}));
    let repos = common::regscope(home.path())
        .args(["repos", &registry.host])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(repos.stdout).unwrap(),
        "gone\n",
        "still in the catalog"
    );
}
