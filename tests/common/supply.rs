//! Real supply-chain documents made on this machine: a CycloneDX SBOM by
//! `cyclonedx-py` (PyPI `cyclonedx-bom`) of the tools' own virtualenv, an SPDX
//! document converted and validated by `pyspdxtools` (PyPI `spdx-tools`), and
//! cosign-style simple-signing signatures made with `openssl`. The venv lives
//! in `target/test-venv` (`scripts/test` makes it; made here when missing).

use super::fixtures::{Blob, OCI_MANIFEST};
use base64::Engine;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";
pub const DSSE: &str = "application/vnd.dsse.envelope.v1+json";
pub const IN_TOTO: &str = "application/vnd.in-toto+json";

/// The virtualenv's `bin`, made (once) when missing.
pub fn venv_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-venv");
        let bin = venv.join("bin");
        if !bin.join("cyclonedx-py").exists() || !bin.join("pyspdxtools").exists() {
            run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
            run(Command::new(bin.join("pip")).args([
                "install",
                "-q",
                "cyclonedx-bom==7.5.0",
                "spdx-tools==0.8.5",
            ]));
        }
        bin
    })
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A CycloneDX 1.5 JSON SBOM of the tools' virtualenv, by `cyclonedx-py`.
pub fn cyclonedx_sbom(dir: &Path) -> Vec<u8> {
    let bin = venv_bin();
    let out = dir.join("cdx.json");
    run(Command::new(bin.join("cyclonedx-py"))
        .args(["environment", "--sv", "1.5", "--of", "JSON", "-o"])
        .arg(&out)
        .arg(bin.join("python")));
    std::fs::read(out).unwrap()
}

/// An SPDX 2.3 JSON document, converted from tag-value and validated by `pyspdxtools`.
pub fn spdx_sbom(dir: &Path, packages: &[(&str, &str)]) -> Vec<u8> {
    let mut text = String::from(
        "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n\
         DocumentName: regscope-test-image\nDocumentNamespace: https://regscope.test/spdx/image\n\
         Creator: Tool: regscope-tests-1.0\nCreated: 2026-12-01T10:00:00Z\n",
    );
    for (i, (name, version)) in packages.iter().enumerate() {
        text.push_str(&format!(
            "\nPackageName: {name}\nSPDXID: SPDXRef-p{i}\nPackageVersion: {version}\n\
             PackageDownloadLocation: NOASSERTION\nFilesAnalyzed: false\n\
             PackageLicenseConcluded: Apache-2.0\nPackageLicenseDeclared: Apache-2.0\n\
             PackageCopyrightText: NOASSERTION\n\
             ExternalRef: PACKAGE-MANAGER purl pkg:generic/{name}@{version}\n"
        ));
    }
    text.push_str("\nRelationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-p0\n");
    let input = dir.join("doc.spdx");
    std::fs::write(&input, text).unwrap();
    let out = dir.join("doc.spdx.json");
    run(Command::new(venv_bin().join("pyspdxtools"))
        .arg("-i")
        .arg(&input)
        .arg("-o")
        .arg(&out));
    std::fs::read(out).unwrap()
}

/// (name, version) of every package a document lists, read here, apart
/// from regscope: SPDX `packages`, CycloneDX `components` (nested too).
pub fn packages_of(doc: &[u8]) -> Vec<(String, String)> {
    let value: Value = serde_json::from_slice(doc).unwrap();
    let mut out = Vec::new();
    if let Some(packages) = value["packages"].as_array() {
        for p in packages {
            out.push((
                p["name"].as_str().unwrap().into(),
                p["versionInfo"].as_str().unwrap_or("").into(),
            ));
        }
    }
    let mut stack: Vec<&Value> = value["components"]
        .as_array()
        .map(|c| c.iter().collect())
        .unwrap_or_default();
    while let Some(c) = stack.pop() {
        out.push((
            c["name"].as_str().unwrap().into(),
            c["version"].as_str().unwrap_or("").into(),
        ));
        stack.extend(c["components"].as_array().into_iter().flatten());
    }
    out.sort();
    out
}

pub fn empty_config() -> Blob {
    Blob::new(b"{}".to_vec(), EMPTY_CONFIG)
}

/// An artifact manifest: the empty config and `layers`, with an artifact
/// type and a subject when given.
pub fn artifact(
    artifact_type: Option<&str>,
    layers: &[(&Blob, Value)],
    subject: Option<&Blob>,
) -> Blob {
    let mut doc = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": empty_config().descriptor(),
        "layers": layers.iter().map(|(b, annotations)| {
            let mut d = b.descriptor();
            if !annotations.is_null() { d["annotations"] = annotations.clone(); }
            d
        }).collect::<Vec<_>>(),
    });
    if let Some(t) = artifact_type {
        doc["artifactType"] = json!(t);
    }
    if let Some(s) = subject {
        doc["subject"] = s.descriptor();
    }
    Blob::new(serde_json::to_vec(&doc).unwrap(), OCI_MANIFEST)
}

/// An in-toto statement about `digest`.
pub fn statement(digest: &str, predicate_type: &str, predicate: Value) -> Vec<u8> {
    let hex = digest.strip_prefix("sha256:").unwrap();
    serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "subject": [{"name": "image", "digest": {"sha256": hex}}],
        "predicateType": predicate_type,
        "predicate": predicate,
    }))
    .unwrap()
}

/// A DSSE envelope around a statement (what `cosign attest` pushes).
pub fn dsse(statement: &[u8]) -> Vec<u8> {
    let payload = base64::engine::general_purpose::STANDARD.encode(statement);
    serde_json::to_vec(&json!({"payloadType": IN_TOTO, "payload": payload, "signatures": []}))
        .unwrap()
}

/// A key pair made by `openssl`: `kind` is `p256`, `p384`, `rsa` or `ed25519`.
pub struct Key {
    pub kind: &'static str,
    pub private: PathBuf,
    pub public: PathBuf,
}

pub fn key(dir: &Path, kind: &'static str) -> Key {
    let private = dir.join(format!("{kind}.key"));
    let public = dir.join(format!("{kind}.pub"));
    let genkey: Vec<&str> = match kind {
        "p256" => vec![
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ],
        "p384" => vec![
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
        ],
        "rsa" => vec![
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ],
        "ed25519" => vec!["genpkey", "-algorithm", "ED25519"],
        other => panic!("no key kind {other}"),
    };
    run(Command::new("openssl")
        .args(&genkey)
        .arg("-out")
        .arg(&private));
    run(Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&private)
        .arg("-out")
        .arg(&public));
    Key {
        kind,
        private,
        public,
    }
}

/// The signature of `payload` by `key`, base64 (cosign's annotation).
pub fn sign(dir: &Path, key: &Key, payload: &[u8]) -> String {
    let input = dir.join("payload.bin");
    std::fs::write(&input, payload).unwrap();
    let sig = match key.kind {
        "ed25519" => run(Command::new("openssl")
            .args(["pkeyutl", "-sign", "-rawin", "-inkey"])
            .arg(&key.private)
            .arg("-in")
            .arg(&input)),
        "p384" => run(Command::new("openssl")
            .args(["dgst", "-sha384", "-sign"])
            .arg(&key.private)
            .arg(&input)),
        _ => run(Command::new("openssl")
            .args(["dgst", "-sha256", "-sign"])
            .arg(&key.private)
            .arg(&input)),
    };
    base64::engine::general_purpose::STANDARD.encode(sig)
}

/// cosign's simple-signing payload for `digest`.
pub fn payload(digest: &str, reference: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "critical": {"identity": {"docker-reference": reference},
                     "image": {"docker-manifest-digest": digest},
                     "type": "cosign container image signature"},
        "optional": null,
    }))
    .unwrap()
}
