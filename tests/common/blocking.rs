//! Blocking one-liners over the fixture pusher and the registry, for tests
//! that act on a registry between steps of a running command.

use super::fixtures::{Blob, Fixtures, Image, Pusher, Style};
use super::registry::TestRegistry;

/// Pushes `img` to `repo` of the registry at `base`, under each of `tags`.
pub fn push_image(base: &str, repo: &str, img: &Image, tags: &[&str]) {
    let (base, repo, img) = (base.to_string(), repo.to_string(), img.clone());
    let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    super::block_on_thread(async move {
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        Pusher::new(&base)
            .image(&repo, &img, &tags, &mut Fixtures::default())
            .await;
    });
}

/// Pushes an OCI index of `images` (and the images) under each of `tags`.
pub fn push_index(base: &str, repo: &str, images: &[Image], tags: &[&str]) {
    let (base, repo, images) = (base.to_string(), repo.to_string(), images.to_vec());
    let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    super::block_on_thread(async move {
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        Pusher::new(&base)
            .index(
                &repo,
                Style::Oci,
                &images,
                None,
                &tags,
                &mut Fixtures::default(),
            )
            .await;
    });
}

/// Puts `manifest` under `reference` (a tag or its digest).
pub fn push_manifest(base: &str, repo: &str, reference: &str, manifest: &Blob) {
    let (base, repo, reference, manifest) = (
        base.to_string(),
        repo.to_string(),
        reference.to_string(),
        manifest.clone(),
    );
    super::block_on_thread(async move {
        Pusher::new(&base)
            .manifest(&repo, &reference, &manifest)
            .await;
    });
}

/// The digest `repo:reference` names on the registry right now (a HEAD), if any.
pub fn manifest_digest(registry: &TestRegistry, repo: &str, reference: &str) -> Option<String> {
    let url = format!("{}/v2/{repo}/manifests/{reference}", registry.url());
    super::block_on_thread(async move {
        let resp = reqwest::Client::new()
            .head(url)
            .header(
                "accept",
                "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json",
            )
            .send()
            .await
            .unwrap();
        resp.status().is_success().then(|| {
            resp.headers()["docker-content-digest"]
                .to_str()
                .unwrap()
                .to_string()
        })
    })
}
