//! SBOMs, provenance and signatures read from a real registry: documents made
//! by real tools (cyclonedx-py, pyspdxtools, openssl), attached every way
//! images carry them (OCI 1.1 referrer through the tag schema, cosign `.sbom`
//! and `.att` tags, a BuildKit attestation manifest in an index).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{Blob, Fixtures, OCI_INDEX, OCI_LAYER, Pusher, Style, image, index, layer};
use common::registry::{RegistryConfig, TestRegistry};
use common::supply::*;
use serde_json::{Value, json};
use std::path::Path;

const SPDX: &str = "application/spdx+json";
const CDX: &str = "application/vnd.cyclonedx+json";

struct World {
    registry: TestRegistry,
    _storage: tempfile::TempDir,
    dir: tempfile::TempDir,
    spdx: Vec<u8>,
    cdx: Vec<u8>,
    app: String,
    keys: Vec<Key>,
}

fn cosign_tag(digest: &str, suffix: &str) -> String {
    format!("{}.{suffix}", digest.replace(':', "-"))
}

async fn push_artifact(pusher: &Pusher, repo: &str, manifest: &Blob, layers: &[&Blob], tag: &str) {
    pusher.blob(repo, &empty_config()).await;
    for l in layers {
        pusher.blob(repo, l).await;
    }
    pusher.manifest(repo, tag, manifest).await;
}

/// `app:1.0` with an SPDX referrer, a cosign `.sbom` and an `.att` (CycloneDX in
/// DSSE); `multi:2.0`, an index whose BuildKit attestation holds an SPDX SBOM and
/// a provenance; `plain:1` with nothing; `signed:1` with signatures.
fn world() -> World {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig {
        access_log: true,
        ..RegistryConfig::anonymous(storage.path())
    });
    let dir = tempfile::tempdir().unwrap();
    let spdx = spdx_sbom(dir.path(), &[("openssl", "3.0.2"), ("zlib", "1.2.13")]);
    let cdx = cyclonedx_sbom(dir.path());
    let keys: Vec<Key> = ["p256", "p384", "rsa", "ed25519"]
        .into_iter()
        .map(|k| key(dir.path(), k))
        .collect();
    let base = registry.url();
    let (spdx2, cdx2) = (spdx.clone(), cdx.clone());
    let sig_dir = dir.path().to_path_buf();
    let signing: Vec<(String, String, &'static str)> = keys
        .iter()
        .map(|k| {
            (
                k.private.display().to_string(),
                k.public.display().to_string(),
                k.kind,
            )
        })
        .collect();
    let app = common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let mut fx = Fixtures::default();
        let app = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(501, 2_000, OCI_LAYER)],
            &["app"],
        );
        pusher.image("app", &app, &["1.0"], &mut fx).await;
        let digest = app.manifest.digest.clone();
        attach_sboms(&pusher, &app.manifest, &spdx2, &cdx2).await;
        push_multi(&pusher, &spdx2).await;
        let plain = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(502, 1_000, OCI_LAYER)],
            &["x"],
        );
        pusher.image("plain", &plain, &["1"], &mut fx).await;
        push_signed(&pusher, &sig_dir, &signing).await;
        digest
    });
    World {
        registry,
        _storage: storage,
        dir,
        spdx,
        cdx,
        app,
        keys,
    }
}

async fn attach_sboms(pusher: &Pusher, subject: &Blob, spdx: &[u8], cdx: &[u8]) {
    let digest = &subject.digest;
    // An OCI 1.1 referrer, listed through the referrers tag schema (Distribution 2.8).
    let spdx_blob = Blob::new(spdx.to_vec(), SPDX);
    let referrer = artifact(Some(SPDX), &[(&spdx_blob, Value::Null)], Some(subject));
    push_artifact(pusher, "app", &referrer, &[&spdx_blob], &referrer.digest).await;
    let mut entry = referrer.descriptor();
    entry["artifactType"] = json!(SPDX);
    let schema = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry]});
    let schema = Blob::new(serde_json::to_vec(&schema).unwrap(), OCI_INDEX);
    pusher
        .manifest("app", &digest.replace(':', "-"), &schema)
        .await;
    // cosign's `.sbom` tag.
    let cdx_blob = Blob::new(cdx.to_vec(), CDX);
    let sbom = artifact(None, &[(&cdx_blob, Value::Null)], None);
    push_artifact(
        pusher,
        "app",
        &sbom,
        &[&cdx_blob],
        &cosign_tag(digest, "sbom"),
    )
    .await;
    // cosign's `.att` tag: a DSSE envelope around a CycloneDX statement.
    let predicate: Value = serde_json::from_slice(cdx).unwrap();
    let envelope = Blob::new(
        dsse(&statement(digest, "https://cyclonedx.org/bom", predicate)),
        DSSE,
    );
    let note = json!({"predicateType": "https://cyclonedx.org/bom"});
    let att = artifact(None, &[(&envelope, note)], None);
    push_artifact(
        pusher,
        "app",
        &att,
        &[&envelope],
        &cosign_tag(digest, "att"),
    )
    .await;
}

async fn push_multi(pusher: &Pusher, spdx: &[u8]) {
    let amd = image(
        Style::Oci,
        "linux/amd64",
        vec![layer(511, 1_500, OCI_LAYER)],
        &["amd"],
    );
    let arm = image(
        Style::Oci,
        "linux/arm64",
        vec![layer(512, 1_500, OCI_LAYER)],
        &["arm"],
    );
    let about = &amd.manifest.digest;
    let predicate: Value = serde_json::from_slice(spdx).unwrap();
    let sbom = Blob::new(
        statement(about, "https://spdx.dev/Document", predicate),
        IN_TOTO,
    );
    let provenance = json!({
        "builder": {"id": "https://github.com/o/r/actions/runs/1"},
        "buildType": "https://mobyproject.org/buildkit@v1",
        "invocation": {"configSource": {"uri": "https://github.com/o/r.git", "digest": {"sha1": "0123abc"}},
                       "parameters": {"frontend": "dockerfile.v0",
                                      "args": {"build-arg:VERSION": "1.2\u{1b}[31m", "build-arg:API_TOKEN": "hunter2"}}},
        "metadata": {"buildStartedOn": "2026-11-30T08:00:00Z", "buildFinishedOn": "2026-11-30T08:03:00Z"},
    });
    let slsa = Blob::new(
        statement(about, "https://slsa.dev/provenance/v0.2", provenance),
        IN_TOTO,
    );
    let layers = [
        (
            &sbom,
            json!({"in-toto.io/predicate-type": "https://spdx.dev/Document"}),
        ),
        (
            &slsa,
            json!({"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}),
        ),
    ];
    let attestation = artifact(None, &layers, None);
    let mut att_image = amd.clone();
    att_image.manifest = attestation.clone();
    for img in [&amd, &arm] {
        pusher.blob("multi", &img.config).await;
        for l in &img.layers {
            pusher.blob("multi", l).await;
        }
        pusher
            .manifest("multi", &img.manifest.digest, &img.manifest)
            .await;
    }
    push_artifact(
        pusher,
        "multi",
        &attestation,
        &[&sbom, &slsa],
        &attestation.digest,
    )
    .await;
    let idx = index(Style::Oci, &[amd.clone(), arm], Some(&att_image));
    pusher.manifest("multi", "2.0", &idx).await;
}

/// `signed:1` carries, in one `.sig`, a valid signature by each key type, one
/// over a payload naming another digest, and one whose payload was changed
/// after signing; `badly:1` only the last two.
async fn push_signed(pusher: &Pusher, dir: &Path, keys: &[(String, String, &'static str)]) {
    for (repo, seed) in [("signed", 521), ("badly", 522)] {
        let img = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(seed, 1_000, OCI_LAYER)],
            &[repo],
        );
        pusher
            .image(repo, &img, &["1"], &mut Fixtures::default())
            .await;
        let digest = img.manifest.digest.clone();
        let p256 = Key {
            kind: keys[0].2,
            private: keys[0].0.clone().into(),
            public: keys[0].1.clone().into(),
        };
        let mut layers: Vec<(Blob, Value)> = Vec::new();
        if repo == "signed" {
            for (private, public, kind) in keys {
                let k = Key {
                    kind,
                    private: private.into(),
                    public: public.into(),
                };
                let body = payload(&digest, &format!("{repo}:{kind}"));
                let sig = sign(dir, &k, &body);
                layers.push((
                    Blob::new(body, common::fixtures::SIMPLESIGNING),
                    signature_note(&sig),
                ));
            }
        }
        let other = payload(&format!("sha256:{}", "e".repeat(64)), "other");
        let sig = sign(dir, &p256, &other);
        layers.push((
            Blob::new(other, common::fixtures::SIMPLESIGNING),
            signature_note(&sig),
        ));
        let honest = payload(&digest, "tampered");
        let sig = sign(dir, &p256, &honest);
        let mut changed = honest.clone();
        changed.extend_from_slice(b" ");
        layers.push((
            Blob::new(changed, common::fixtures::SIMPLESIGNING),
            signature_note(&sig),
        ));
        let refs: Vec<(&Blob, Value)> = layers.iter().map(|(b, v)| (b, v.clone())).collect();
        let manifest = artifact(None, &refs, None);
        let blobs: Vec<&Blob> = layers.iter().map(|(b, _)| b).collect();
        push_artifact(pusher, repo, &manifest, &blobs, &cosign_tag(&digest, "sig")).await;
    }
}

fn signature_note(sig: &str) -> Value {
    json!({"dev.cosignproject.cosign/signature": sig})
}

fn names(doc: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().into(),
                p["version"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    out.sort();
    out
}

fn blob_gets(registry: &TestRegistry, from: usize) -> usize {
    registry.access_log()[from..]
        .iter()
        .filter(|(m, p)| m == "GET" && p.contains("/blobs/"))
        .count()
}

#[test]
fn sboms_are_found_wherever_they_are_attached_and_read_as_the_tools_wrote_them() {
    let w = world();
    let home = tempfile::tempdir().unwrap();
    let host = &w.registry.host;
    let doc = common::run_json(home.path(), &["sbom", &format!("{host}/app:1.0"), "--json"]);
    assert_eq!(doc["digest"], json!(w.app));
    let sboms = doc["sboms"].as_array().unwrap();
    let by = |found_by: &str, format: &str| -> Vec<&Value> {
        sboms
            .iter()
            .filter(|s| s["found_by"] == found_by && s["format"] == format)
            .collect()
    };
    let referrer = by("tag-schema", "spdx");
    assert_eq!(referrer.len(), 1, "{doc:#}");
    assert_eq!(names(referrer[0]), packages_of(&w.spdx));
    let cosign: Vec<&Value> = by("cosign-tag", "cyclonedx");
    assert_eq!(
        cosign.len(),
        2,
        "the .sbom tag and the .att statement: {doc:#}"
    );
    for s in cosign {
        assert_eq!(names(s), packages_of(&w.cdx));
        assert_eq!(s["spec_version"], "1.5");
    }
    let multi = common::run_json(
        home.path(),
        &["sbom", &format!("{host}/multi:2.0"), "--json"],
    );
    let found = multi["sboms"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{multi:#}");
    assert_eq!(found[0]["found_by"], "index");
    assert_eq!(found[0]["platform"], "linux/amd64");
    assert_eq!(names(&found[0]), packages_of(&w.spdx));
    let arm = common::run_json(
        home.path(),
        &[
            "sbom",
            &format!("{host}/multi:2.0"),
            "--platform",
            "linux/arm64",
            "--json",
        ],
    );
    assert_eq!(
        arm["sboms"],
        json!([]),
        "the attestation is about amd64 only"
    );
}

#[test]
fn search_finds_the_image_and_only_it_and_the_second_search_reads_no_blob() {
    let w = world();
    let home = tempfile::tempdir().unwrap();
    let host = &w.registry.host;
    let cdx = packages_of(&w.cdx);
    let (name, version) = cdx
        .iter()
        .find(|(n, _)| n == "cyclonedx-python-lib")
        .unwrap();
    let query = format!("{name}@{version}");
    let doc = common::run_json(
        home.path(),
        &["search", host, "--package", &query, "--json"],
    );
    let hits: Vec<(&str, &str)> = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["repository"].as_str().unwrap(),
                m["digest"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(hits, [("app", w.app.as_str())], "{doc:#}");
    let unknown: Vec<&str> = doc["unknown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["repository"].as_str().unwrap())
        .collect();
    assert!(
        unknown.contains(&"plain") && unknown.contains(&"signed"),
        "no SBOM is unknown, not clean: {doc:#}"
    );
    assert!(!unknown.contains(&"app"));
    let multi = doc["unknown"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["repository"] == "multi");
    assert_eq!(
        multi.map(|u| u["reason"].as_str().unwrap()),
        Some("no SBOM for linux/arm64"),
        "an SBOM for one platform does not clear the other: {doc:#}"
    );
    let openssl = common::run_json(
        home.path(),
        &[
            "search",
            host,
            "--package",
            "openssl@>=3.0,<3.0.14",
            "--json",
        ],
    );
    let repos: Vec<&str> = openssl["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["repository"].as_str().unwrap())
        .collect();
    assert_eq!(repos, ["app", "multi"], "{openssl:#}");
    let none = common::run_json(
        home.path(),
        &["search", host, "--package", "openssl@>=3.0.14", "--json"],
    );
    assert_eq!(none["matches"], json!([]));
    let before = w.registry.access_log().len();
    let again = common::run_json(
        home.path(),
        &["search", host, "--package", &query, "--json"],
    );
    assert_eq!(again["matches"], doc["matches"]);
    assert_eq!(
        blob_gets(&w.registry, before),
        0,
        "SBOM blobs come from the store"
    );
}

#[test]
fn signatures_verify_with_each_key_type_and_fail_with_their_reason() {
    let w = world();
    let home = tempfile::tempdir().unwrap();
    let host = &w.registry.host;
    for key in &w.keys {
        let out = common::regscope(home.path())
            .args(["verify", &format!("{host}/signed:1"), "--json", "--key"])
            .arg(&key.public)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            key.kind,
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let results: Vec<&str> = doc["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["result"].as_str().unwrap())
            .collect();
        assert_eq!(
            results.iter().filter(|r| **r == "verified").count(),
            1,
            "{}: {doc:#}",
            key.kind
        );
        assert_eq!(doc["verified"], json!(true));
    }
    let p256 = &w.keys[0].public;
    let out = common::regscope(home.path())
        .args(["verify", &format!("{host}/badly:1"), "--json", "--key"])
        .arg(p256)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "nothing verifies: exit 1");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons: Vec<&str> = doc["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert!(reasons[0].contains("not this image"), "{reasons:?}");
    assert!(reasons[1].contains("does not verify"), "{reasons:?}");
    let text = common::regscope(home.path())
        .args(["verify", &format!("{host}/badly:1"), "--key"])
        .arg(&w.keys[3].public)
        .output()
        .unwrap();
    assert_eq!(text.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&text.stdout).contains("FAILED"));
    let bad_key = w.dir.path().join("not-a-key.pem");
    std::fs::write(&bad_key, "hello").unwrap();
    let out = common::regscope(home.path())
        .args(["verify", &format!("{host}/signed:1"), "--key"])
        .arg(&bad_key)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a bad key is bad usage");
}

#[test]
fn provenance_says_builder_source_and_times_without_secrets_or_escapes() {
    let w = world();
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/multi:2.0", w.registry.host);
    let doc = common::run_json(home.path(), &["provenance", &image, "--json"]);
    let p = &doc["provenance"][0];
    assert_eq!(p["slsa_version"], "v0.2");
    assert_eq!(p["builder_id"], "https://github.com/o/r/actions/runs/1");
    assert_eq!(
        p["sources"],
        json!([{"uri": "https://github.com/o/r.git", "commit": "0123abc"}])
    );
    assert_eq!(p["started"], "2026-11-30T08:00:00Z");
    let text = serde_json::to_string(&doc).unwrap();
    assert!(
        !text.contains("hunter2"),
        "a secret-looking parameter is left out"
    );
    let out = common::regscope(home.path())
        .args(["provenance", &image])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("args.build-arg:VERSION=1.2"), "{shown}");
    assert!(
        !shown.contains('\u{1b}'),
        "escape sequences never reach the terminal"
    );
}

#[test]
fn hostile_documents_are_bounded_clear_errors() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig {
        access_log: true,
        ..RegistryConfig::anonymous(storage.path())
    });
    let base = registry.url();
    let digest = common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let img = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(531, 1_000, OCI_LAYER)],
            &["h"],
        );
        pusher
            .image("hostile", &img, &["1"], &mut Fixtures::default())
            .await;
        let digest = img.manifest.digest.clone();
        // An SBOM whose descriptor claims 2 GiB.
        let small = Blob::new(b"{}".to_vec(), SPDX);
        let mut huge = small.descriptor();
        huge["size"] = json!(2u64 << 30);
        let claims = json!({"schemaVersion": 2, "mediaType": common::fixtures::OCI_MANIFEST,
            "config": empty_config().descriptor(), "layers": [huge]});
        let claims = Blob::new(
            serde_json::to_vec(&claims).unwrap(),
            common::fixtures::OCI_MANIFEST,
        );
        push_artifact(
            &pusher,
            "hostile",
            &claims,
            &[&small],
            &cosign_tag(&digest, "sbom"),
        )
        .await;
        // A deeply nested CycloneDX statement and a DSSE payload that is not base64.
        let deep = format!(
            "{{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{}{}]}}",
            "{\"name\":\"x\",\"components\":[".repeat(3000),
            "]}".repeat(3000)
        );
        let deep = Blob::new(deep.into_bytes(), CDX);
        let junk = Blob::new(
            br#"{"payloadType": "application/vnd.in-toto+json", "payload": "%%%", "signatures": []}"#.to_vec(),
            DSSE,
        );
        let att = artifact(None, &[(&deep, Value::Null), (&junk, Value::Null)], None);
        push_artifact(
            &pusher,
            "hostile",
            &att,
            &[&deep, &junk],
            &cosign_tag(&digest, "att"),
        )
        .await;
        digest
    });
    let home = tempfile::tempdir().unwrap();
    let before = registry.access_log().len();
    let doc = common::run_json(
        home.path(),
        &["sbom", &format!("{}/hostile:1", registry.host), "--json"],
    );
    let errors: Vec<&str> = doc["sboms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["error"].as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 3, "{doc:#}");
    assert!(
        errors.iter().any(|e| e.contains("claims 2147483648 bytes")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("recursion limit")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("not base64")),
        "{errors:?}"
    );
    let huge_read = registry.access_log()[before..]
        .iter()
        .any(|(m, p)| m == "GET" && p.ends_with(&Blob::new(b"{}".to_vec(), SPDX).digest));
    assert!(!huge_read, "a blob past the cap is not fetched");
    assert_eq!(doc["digest"], json!(digest));
}

#[test]
fn a_keyless_signature_is_named_by_its_certificate_and_never_verified_offline() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let dir = tempfile::tempdir().unwrap();
    // A Fulcio-like certificate: the signer's email, the OIDC issuer extension.
    let (cert_key, cert) = (dir.path().join("kl.key"), dir.path().join("kl.pem"));
    let issuer: String = b"https://accounts.google.com"
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let out = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
        ])
        .args([
            "-subj",
            "/O=sigstore.dev",
            "-addext",
            "subjectAltName=email:dev@example.com",
        ])
        .arg("-addext")
        .arg(format!("1.3.6.1.4.1.57264.1.1=DER:{issuer}"))
        .arg("-keyout")
        .arg(&cert_key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signer = Key {
        kind: "p256",
        private: cert_key,
        public: cert.clone(),
    };
    let pem = std::fs::read_to_string(&cert).unwrap();
    let base = registry.url();
    let sig_dir = dir.path().to_path_buf();
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let img = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(541, 900, OCI_LAYER)],
            &["kl"],
        );
        pusher
            .image("keyless", &img, &["1"], &mut Fixtures::default())
            .await;
        let body = payload(&img.manifest.digest, "keyless");
        let note = json!({
            "dev.cosignproject.cosign/signature": sign(&sig_dir, &signer, &body),
            "dev.sigstore.cosign/certificate": pem,
        });
        let blob = Blob::new(body, common::fixtures::SIMPLESIGNING);
        let manifest = artifact(None, &[(&blob, note)], None);
        push_artifact(
            &pusher,
            "keyless",
            &manifest,
            &[&blob],
            &cosign_tag(&img.manifest.digest, "sig"),
        )
        .await;
    });
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args(["verify", &format!("{}/keyless:1", registry.host), "--json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "keyless is not verified offline"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sig = &doc["signatures"][0];
    assert_eq!(sig["result"], "not_verified_offline", "{doc:#}");
    assert_eq!(sig["identity"], "dev@example.com");
    assert_eq!(sig["issuer"], "https://accounts.google.com");
    assert_eq!(doc["verified"], json!(false));
}

#[test]
fn a_signed_platform_image_does_not_sign_the_index_around_it() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let dir = tempfile::tempdir().unwrap();
    let k = key(dir.path(), "p256");
    let signer = Key {
        kind: k.kind,
        private: k.private.clone(),
        public: k.public.clone(),
    };
    let base = registry.url();
    let sig_dir = dir.path().to_path_buf();
    let child = common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let signed = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(551, 900, OCI_LAYER)],
            &["good"],
        );
        let other = image(
            Style::Oci,
            "linux/arm64",
            vec![layer(552, 900, OCI_LAYER)],
            &["evil"],
        );
        for img in [&signed, &other] {
            pusher.blob("mixed", &img.config).await;
            for l in &img.layers {
                pusher.blob("mixed", l).await;
            }
            pusher
                .manifest("mixed", &img.manifest.digest, &img.manifest)
                .await;
        }
        pusher
            .manifest(
                "mixed",
                "1",
                &index(Style::Oci, &[signed.clone(), other], None),
            )
            .await;
        let body = payload(&signed.manifest.digest, "mixed");
        let note = json!({"dev.cosignproject.cosign/signature": sign(&sig_dir, &signer, &body)});
        let blob = Blob::new(body, common::fixtures::SIMPLESIGNING);
        let manifest = artifact(None, &[(&blob, note)], None);
        push_artifact(
            &pusher,
            "mixed",
            &manifest,
            &[&blob],
            &cosign_tag(&signed.manifest.digest, "sig"),
        )
        .await;
        signed.manifest.digest.clone()
    });
    let home = tempfile::tempdir().unwrap();
    let verify = |image: &str| {
        common::regscope(home.path())
            .args(["verify", image, "--json", "--key"])
            .arg(&k.public)
            .output()
            .unwrap()
    };
    let out = verify(&format!("{}/mixed:1", registry.host));
    assert_eq!(out.status.code(), Some(1), "the index itself is not signed");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["verified"], json!(false));
    assert_eq!(
        doc["signatures"][0]["result"], "verified",
        "listed, for its platform: {doc:#}"
    );
    assert_eq!(doc["signatures"][0]["about"], json!(child));
    let out = verify(&format!("{}/mixed@{child}", registry.host));
    assert_eq!(
        out.status.code(),
        Some(0),
        "the platform image itself is signed"
    );
}
