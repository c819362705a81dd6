//! Deterministic fixture images pushed through the registry's own API, and the
//! values each one is expected to report.

use super::registry::{RegistryConfig, TestRegistry};
use futures_util::StreamExt;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::sync::LazyLock;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

pub const BULK_REPOS: usize = 1_200;
pub const MANY_TAGS: usize = 1_500;

#[derive(Debug, Clone)]
pub struct Blob {
    pub bytes: Vec<u8>,
    pub digest: String,
    pub media_type: String,
}

impl Blob {
    pub fn new(bytes: Vec<u8>, media_type: &str) -> Blob {
        let digest = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
        Blob {
            bytes,
            digest,
            media_type: media_type.to_string(),
        }
    }

    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    pub fn descriptor(&self) -> serde_json::Value {
        json!({"mediaType": self.media_type, "digest": self.digest, "size": self.size()})
    }
}

/// Pseudo-random bytes from a seed: a stand-in layer with a truthful size.
pub fn layer(seed: u64, size: usize, media_type: &str) -> Blob {
    let mut rng = fastrand::Rng::with_seed(seed);
    Blob::new((0..size).map(|_| rng.u8(..)).collect(), media_type)
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    Oci,
    Docker,
}

#[derive(Debug, Clone)]
pub struct Image {
    pub config: Blob,
    pub layers: Vec<Blob>,
    pub manifest: Blob,
    /// `os/arch[/variant]` as the config states it.
    pub platform: String,
    /// One build step per layer.
    pub steps: Vec<String>,
    pub created: String,
}

impl Image {
    pub fn size(&self) -> u64 {
        self.layers.iter().map(Blob::size).sum()
    }
}

pub fn image(style: Style, platform: &str, layers: Vec<Blob>, steps: &[&str]) -> Image {
    image_at(style, platform, layers, steps, "2024-05-01T10:00:00Z")
}

/// `image`, created at `created` (RFC 3339).
pub fn image_at(
    style: Style,
    platform: &str,
    layers: Vec<Blob>,
    steps: &[&str],
    created: &str,
) -> Image {
    let parts: Vec<&str> = platform.split('/').collect();
    let created = created.to_string();
    let mut history = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        history.push(json!({"created": created, "created_by": step}));
        if i == 0 {
            history.push(json!({"created": created, "created_by": "ENV PATH=/usr/local/bin:/usr/bin", "empty_layer": true}));
        }
    }
    history.push(json!({"created": created, "created_by": "CMD [\"/app\"]", "empty_layer": true}));
    let mut config = json!({
        "architecture": parts[1], "os": parts[0], "created": created,
        "config": {"Env": ["PATH=/usr/local/bin:/usr/bin"], "Cmd": ["/app"], "Labels": {"org.opencontainers.image.title": "fixture"}},
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.digest.clone()).collect::<Vec<_>>()},
        "history": history,
    });
    if let Some(variant) = parts.get(2) {
        config["variant"] = json!(variant);
    }
    let (manifest_type, config_type) = match style {
        Style::Oci => (OCI_MANIFEST, OCI_CONFIG),
        Style::Docker => (DOCKER_MANIFEST, DOCKER_CONFIG),
    };
    let config = Blob::new(serde_json::to_vec(&config).expect("json"), config_type);
    let manifest = json!({
        "schemaVersion": 2, "mediaType": manifest_type,
        "config": config.descriptor(),
        "layers": layers.iter().map(Blob::descriptor).collect::<Vec<_>>(),
    });
    Image {
        manifest: Blob::new(
            serde_json::to_vec_pretty(&manifest).expect("json"),
            manifest_type,
        ),
        config,
        layers,
        platform: platform.to_string(),
        steps: steps.iter().map(|s| s.to_string()).collect(),
        created,
    }
}

/// A cosign signature's payload type.
pub const SIMPLESIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

/// A cosign-style signature manifest (generic config, `simplesigning` layer).
pub fn cosign_signature(seed: u64) -> Image {
    image(
        Style::Oci,
        "linux/amd64",
        vec![layer(seed, 200, SIMPLESIGNING)],
        &["sign"],
    )
}

/// A BuildKit-style attestation manifest for `subject`.
pub fn attestation(seed: u64) -> Image {
    let statement = layer(seed, 700, "application/vnd.in-toto+json");
    let config = Blob::new(
        br#"{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}"#.to_vec(),
        OCI_CONFIG,
    );
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": config.descriptor(), "layers": [statement.descriptor()],
    });
    Image {
        manifest: Blob::new(serde_json::to_vec(&manifest).expect("json"), OCI_MANIFEST),
        config,
        layers: vec![statement],
        platform: "unknown/unknown".into(),
        steps: Vec::new(),
        created: String::new(),
    }
}

/// An index (or Docker manifest list) over platform images, then the attestation.
pub fn index(style: Style, images: &[Image], attestation: Option<&Image>) -> Blob {
    let mut entries: Vec<serde_json::Value> = images
        .iter()
        .map(|img| {
            let p: Vec<&str> = img.platform.split('/').collect();
            let mut platform = json!({"os": p[0], "architecture": p[1]});
            if let Some(v) = p.get(2) {
                platform["variant"] = json!(v);
            }
            let mut d = img.manifest.descriptor();
            d["platform"] = platform;
            d
        })
        .collect();
    if let (Some(att), Some(first)) = (attestation, images.first()) {
        let mut d = att.manifest.descriptor();
        d["platform"] = json!({"os": "unknown", "architecture": "unknown"});
        d["annotations"] = json!({
            "vnd.docker.reference.type": "attestation-manifest",
            "vnd.docker.reference.digest": first.manifest.digest,
        });
        entries.push(d);
    }
    let media_type = match style {
        Style::Oci => OCI_INDEX,
        Style::Docker => DOCKER_LIST,
    };
    let doc = json!({"schemaVersion": 2, "mediaType": media_type, "manifests": entries});
    Blob::new(serde_json::to_vec_pretty(&doc).expect("json"), media_type)
}

/// What a tag is expected to report.
#[derive(Debug, Clone)]
pub struct Expected {
    pub digest: String,
    pub media_type: String,
    /// The platform images (and attestations) in index order; one for an image.
    pub images: Vec<(Image, bool)>,
}

#[derive(Default)]
pub struct Fixtures {
    /// `repo:tag` → expectation.
    pub tags: BTreeMap<String, Expected>,
    pub repositories: Vec<String>,
    pub many_tags: Vec<String>,
}

pub struct Seeded {
    pub registry: TestRegistry,
    pub storage: tempfile::TempDir,
    pub fixtures: Fixtures,
}

/// One registry per test binary with the full fixture set, bulk repositories included.
pub static FULL: LazyLock<Seeded> = LazyLock::new(|| seed(true));
/// The same images without the 1,200 repositories and 1,500 tags.
pub static SMALL: LazyLock<Seeded> = LazyLock::new(|| seed(false));

pub fn seed(bulk: bool) -> Seeded {
    let storage = tempfile::tempdir().expect("storage dir");
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let base = registry.url();
    let fixtures = super::block_on_thread(async move { push_all(&base, bulk).await });
    Seeded {
        registry,
        storage,
        fixtures,
    }
}

async fn push_all(base: &str, bulk: bool) -> Fixtures {
    let pusher = Pusher::new(base);
    let mut fx = Fixtures::default();
    let base_layer = layer(1, 4_000, OCI_LAYER);
    let v1 = image(
        Style::Oci,
        "linux/amd64",
        vec![base_layer.clone(), layer(2, 2_500, OCI_LAYER)],
        &["ADD alpine-minirootfs.tar.gz /", "COPY app /app"],
    );
    let v11 = image(
        Style::Oci,
        "linux/amd64",
        vec![base_layer.clone(), layer(3, 3_100, OCI_LAYER)],
        &["ADD alpine-minirootfs.tar.gz /", "COPY app-1.1 /app"],
    );
    pusher.image("app", &v1, &["1.0", "latest"], &mut fx).await;
    pusher.image("app", &v11, &["1.1"], &mut fx).await;

    let legacy = image(
        Style::Docker,
        "linux/amd64",
        vec![
            layer(4, 5_000, DOCKER_LAYER),
            layer(5, 1_200, DOCKER_LAYER),
            layer(6, 800, DOCKER_LAYER),
        ],
        &[
            "ADD debian-rootfs.tar /",
            "RUN apt-get install -y curl",
            "COPY entrypoint.sh /",
        ],
    );
    pusher
        .image("docker/legacy", &legacy, &["2.0"], &mut fx)
        .await;

    let amd = image(
        Style::Oci,
        "linux/amd64",
        vec![layer(7, 6_000, OCI_LAYER), layer(8, 900, OCI_LAYER)],
        &["ADD rootfs-amd64.tar /", "RUN make install"],
    );
    let arm = image(
        Style::Oci,
        "linux/arm64/v8",
        vec![layer(9, 5_500, OCI_LAYER), layer(10, 850, OCI_LAYER)],
        &["ADD rootfs-arm64.tar /", "RUN make install"],
    );
    let att = attestation(11);
    pusher
        .index(
            "multi",
            Style::Oci,
            &[amd, arm],
            Some(&att),
            &["1.0"],
            &mut fx,
        )
        .await;

    let d_amd = image(
        Style::Docker,
        "linux/amd64",
        vec![layer(12, 3_000, DOCKER_LAYER)],
        &["ADD rootfs.tar /"],
    );
    let d_arm = image(
        Style::Docker,
        "linux/arm/v7",
        vec![layer(13, 2_800, DOCKER_LAYER)],
        &["ADD rootfs.tar /"],
    );
    let d_att = attestation(14);
    pusher
        .index(
            "multi-docker",
            Style::Docker,
            &[d_amd, d_arm],
            Some(&d_att),
            &["1.0"],
            &mut fx,
        )
        .await;

    let nested = image(
        Style::Oci,
        "linux/amd64",
        vec![layer(15, 1_000, OCI_LAYER)],
        &["COPY . /"],
    );
    pusher
        .image("nested/deep/path/repo", &nested, &["1"], &mut fx)
        .await;

    if bulk {
        push_bulk(&pusher, &mut fx).await;
    }
    fx.repositories.sort();
    fx.repositories.dedup();
    fx
}

async fn push_bulk(pusher: &Pusher, fx: &mut Fixtures) {
    let small = image(
        Style::Oci,
        "linux/amd64",
        vec![layer(16, 300, OCI_LAYER)],
        &["COPY x /"],
    );
    let mut tags: Vec<String> = (0..MANY_TAGS)
        .map(|i| format!("{}.{}", i / 100, i % 100))
        .collect();
    fastrand::Rng::with_seed(42).shuffle(&mut tags);
    pusher
        .image("many-tags", &small, &[tags[0].as_str()], fx)
        .await;
    futures_util::stream::iter(tags[1..].iter())
        .for_each_concurrent(8, |tag| pusher.manifest("many-tags", tag, &small.manifest))
        .await;
    fx.many_tags = tags;
    pusher.image("bulk/repo-0000", &small, &["v1"], fx).await;
    let names: Vec<String> = (1..BULK_REPOS)
        .map(|i| format!("bulk/repo-{i:04}"))
        .collect();
    futures_util::stream::iter(names.iter())
        .for_each_concurrent(8, |name| async {
            for blob in std::iter::once(&small.config).chain(&small.layers) {
                pusher.mount(name, blob, "bulk/repo-0000").await;
            }
            pusher.manifest(name, "v1", &small.manifest).await;
        })
        .await;
    fx.repositories.extend(names);
}

pub struct Pusher {
    http: reqwest::Client,
    base: url::Url,
}

impl Pusher {
    pub fn new(base: &str) -> Pusher {
        Pusher {
            http: reqwest::Client::new(),
            base: url::Url::parse(base).expect("base url"),
        }
    }

    fn url(&self, path: &str) -> url::Url {
        self.base.join(path).expect("url")
    }

    pub async fn blob(&self, repo: &str, blob: &Blob) {
        let head = self
            .http
            .head(self.url(&format!("/v2/{repo}/blobs/{}", blob.digest)))
            .send()
            .await
            .expect("HEAD blob");
        if head.status().is_success() {
            return;
        }
        let start = self
            .http
            .post(self.url(&format!("/v2/{repo}/blobs/uploads/")))
            .send()
            .await
            .expect("start upload");
        assert_eq!(start.status().as_u16(), 202, "start upload in {repo}");
        self.finish_upload(start, blob).await;
    }

    async fn finish_upload(&self, started: reqwest::Response, blob: &Blob) {
        let location = started.headers()["location"]
            .to_str()
            .expect("location")
            .to_string();
        let mut url = self.base.join(&location).expect("upload url");
        url.query_pairs_mut().append_pair("digest", &blob.digest);
        let put = self
            .http
            .put(url)
            .header("content-type", "application/octet-stream")
            .body(blob.bytes.clone())
            .send()
            .await
            .expect("PUT blob");
        assert_eq!(put.status().as_u16(), 201, "PUT blob {}", blob.digest);
    }

    /// Cross-repository mount, falling back to an upload.
    pub async fn mount(&self, repo: &str, blob: &Blob, from: &str) {
        let url = self.url(&format!(
            "/v2/{repo}/blobs/uploads/?mount={}&from={from}",
            blob.digest
        ));
        let resp = self.http.post(url).send().await.expect("mount");
        match resp.status().as_u16() {
            201 => {}
            202 => self.finish_upload(resp, blob).await,
            s => panic!("mount into {repo} answered {s}"),
        }
    }

    /// PUT a manifest, retrying the brief 5xx a busy filesystem driver can give.
    pub async fn manifest(&self, repo: &str, reference: &str, manifest: &Blob) {
        for attempt in 0..5 {
            let resp = self
                .http
                .put(self.url(&format!("/v2/{repo}/manifests/{reference}")))
                .header("content-type", &manifest.media_type)
                .body(manifest.bytes.clone())
                .send()
                .await
                .expect("PUT manifest");
            let status = resp.status().as_u16();
            if status == 201 {
                return;
            }
            let body = resp.text().await.unwrap_or_default();
            assert!(
                status >= 500 && attempt < 4,
                "PUT manifest {repo}:{reference} → {status} {body}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    pub async fn image(&self, repo: &str, img: &Image, tags: &[&str], fx: &mut Fixtures) {
        self.blob(repo, &img.config).await;
        for l in &img.layers {
            self.blob(repo, l).await;
        }
        for tag in tags {
            self.manifest(repo, tag, &img.manifest).await;
            fx.tags.insert(
                format!("{repo}:{tag}"),
                Expected {
                    digest: img.manifest.digest.clone(),
                    media_type: img.manifest.media_type.clone(),
                    images: vec![(img.clone(), false)],
                },
            );
        }
        fx.repositories.push(repo.to_string());
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn index(
        &self,
        repo: &str,
        style: Style,
        images: &[Image],
        att: Option<&Image>,
        tags: &[&str],
        fx: &mut Fixtures,
    ) {
        let children: Vec<&Image> = images.iter().chain(att).collect();
        for child in &children {
            self.blob(repo, &child.config).await;
            for l in &child.layers {
                self.blob(repo, l).await;
            }
            self.manifest(repo, &child.manifest.digest, &child.manifest)
                .await;
        }
        let idx = index(style, images, att);
        let mut expected: Vec<(Image, bool)> = images.iter().map(|i| (i.clone(), false)).collect();
        expected.extend(att.map(|a| (a.clone(), true)));
        for tag in tags {
            self.manifest(repo, tag, &idx).await;
            fx.tags.insert(
                format!("{repo}:{tag}"),
                Expected {
                    digest: idx.digest.clone(),
                    media_type: idx.media_type.clone(),
                    images: expected.clone(),
                },
            );
        }
        fx.repositories.push(repo.to_string());
    }
}
