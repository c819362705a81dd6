//! `regscope referrers` against a real Distribution 2.8 (no referrers API: it
//! answers a plain-text 404), seeded the way cosign, ORAS and BuildKit leave
//! things: a signature tag, a referrers tag-schema index, a signature of the
//! SBOM, and an index with an attestation manifest.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{
    Blob, Fixtures, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, Pusher, Style, attestation, image, layer,
};
use common::registry::{RegistryConfig, TestRegistry};
use serde_json::json;

const EMPTY: &str = "application/vnd.oci.empty.v1+json";
const SPDX: &str = "application/spdx+json";
use common::fixtures::SIMPLESIGNING;

fn descriptor(blob: &Blob) -> serde_json::Value {
    json!({"mediaType": blob.media_type, "digest": blob.digest, "size": blob.bytes.len()})
}

fn tag_of(digest: &str) -> String {
    digest.replacen(':', "-", 1)
}

struct Seeded {
    registry: TestRegistry,
    _storage: tempfile::TempDir,
    subject: String,
    signature: String,
    sbom: String,
    sbom_signature: String,
    /// The amd64 image of `multi:1.0` and a layer of its attestation.
    child: String,
    attestation_layer: String,
}

use common::fixtures::cosign_signature as signature;

fn seed() -> Seeded {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let base = registry.url();
    let (subject, signature, sbom, sbom_signature, child, attestation_layer) =
        common::block_on_thread(async move {
            let pusher = Pusher::new(&base);
            let mut fx = Fixtures::default();
            let app = image(
                Style::Oci,
                "linux/amd64",
                vec![layer(1, 3_000, OCI_LAYER)],
                &["COPY app /"],
            );
            pusher.image("signed", &app, &["1.0"], &mut fx).await;
            let subject = app.manifest.digest.clone();
            let sig = signature(2);
            pusher
                .image(
                    "signed",
                    &sig,
                    &[&format!("{}.sig", tag_of(&subject))],
                    &mut fx,
                )
                .await;
            // An SBOM that names its subject, found through the tag schema.
            let empty = Blob::new(b"{}".to_vec(), EMPTY);
            let spdx = Blob::new(br#"{"spdxVersion":"SPDX-2.3"}"#.to_vec(), SPDX);
            pusher.blob("signed", &empty).await;
            pusher.blob("signed", &spdx).await;
            let sbom = Blob::new(
                serde_json::to_vec(&json!({
                    "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": SPDX,
                    "config": descriptor(&empty), "layers": [descriptor(&spdx)],
                    "subject": descriptor(&app.manifest),
                    "annotations": {"org.opencontainers.image.created": "2024-05-01T10:00:00Z"},
                }))
                .unwrap(),
                OCI_MANIFEST,
            );
            pusher.manifest("signed", &sbom.digest, &sbom).await;
            let mut entry = descriptor(&sbom);
            entry["artifactType"] = json!(SPDX);
            let schema = Blob::new(
                serde_json::to_vec(
                    &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry]}),
                )
                .unwrap(),
                OCI_INDEX,
            );
            pusher.manifest("signed", &tag_of(&subject), &schema).await;
            // And a signature of the SBOM.
            let sbom_sig = signature(3);
            pusher
                .image(
                    "signed",
                    &sbom_sig,
                    &[&format!("{}.sig", tag_of(&sbom.digest))],
                    &mut fx,
                )
                .await;
            // A BuildKit index with an attestation manifest.
            let amd = image(
                Style::Oci,
                "linux/amd64",
                vec![layer(4, 900, OCI_LAYER)],
                &["x"],
            );
            let att = attestation(5);
            let child = amd.manifest.digest.clone();
            let att_layer = att.layers[0].digest.clone();
            pusher
                .index("multi", Style::Oci, &[amd], Some(&att), &["1.0"], &mut fx)
                .await;
            (
                subject,
                sig.manifest.digest.clone(),
                sbom.digest.clone(),
                sbom_sig.manifest.digest.clone(),
                child,
                att_layer,
            )
        });
    Seeded {
        registry,
        _storage: storage,
        subject,
        signature,
        sbom,
        sbom_signature,
        child,
        attestation_layer,
    }
}

fn referrers(home: &std::path::Path, image: &str, extra: &[&str]) -> serde_json::Value {
    let out = common::regscope(home)
        .args(["referrers", image, "--json"])
        .args(extra)
        .output()
        .unwrap();
    common::success_json(&out)
}

#[test]
fn signatures_sboms_and_their_signatures_are_found_without_a_referrers_api() {
    let s = seed();
    let home = tempfile::tempdir().unwrap();
    let doc = referrers(home.path(), &format!("{}/signed:1.0", s.registry.host), &[]);
    assert_eq!(doc["subject"], s.subject.as_str());
    let found: Vec<(&str, &str)> = doc["referrers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["digest"].as_str().unwrap(),
                r["found_by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (s.sbom.as_str(), "tag-schema"),
            (s.signature.as_str(), "cosign-tag")
        ],
        "{doc}"
    );
    let sbom = &doc["referrers"][0];
    assert_eq!(sbom["artifact_type"], SPDX);
    assert_eq!(sbom["media_type"], OCI_MANIFEST);
    let nested = &sbom["referrers"][0];
    assert_eq!(
        nested["digest"],
        s.sbom_signature.as_str(),
        "a signature of the SBOM"
    );
    assert_eq!(nested["found_by"], "cosign-tag");
    assert_eq!(nested["artifact_type"], SIMPLESIGNING);
    assert_eq!(doc["referrers"][1]["artifact_type"], SIMPLESIGNING);

    let only = referrers(
        home.path(),
        &format!("{}/signed:1.0", s.registry.host),
        &["--artifact-type", SPDX],
    );
    assert_eq!(only["referrers"].as_array().unwrap().len(), 1);
    assert_eq!(only["referrers"][0]["digest"], s.sbom.as_str());

    let text = common::regscope(home.path())
        .args(["referrers", &format!("{}/signed:1.0", s.registry.host)])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("(tag-schema)") && text.contains("(cosign-tag)"),
        "{text}"
    );
}

#[test]
fn an_index_lists_its_attestation_manifests_and_a_plain_image_has_none() {
    let s = seed();
    let home = tempfile::tempdir().unwrap();
    let doc = referrers(home.path(), &format!("{}/multi:1.0", s.registry.host), &[]);
    let list = doc["referrers"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{doc}");
    assert_eq!(list[0]["found_by"], "index");
    assert_eq!(
        list[0]["annotations"]["vnd.docker.reference.type"],
        "attestation-manifest"
    );
    let sig = referrers(
        home.path(),
        &format!("{}/signed@{}", s.registry.host, s.signature),
        &[],
    );
    assert_eq!(
        sig["referrers"],
        json!([]),
        "nothing refers to the signature"
    );
}

/// A registry with the OCI 1.1 referrers API (Distribution 2.8 has none).
#[test]
fn the_referrers_api_is_used_when_the_registry_has_it() {
    use common::fake::{Seen, respond, serve};
    use sha2::{Digest as _, Sha256};
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{}", "c".repeat(64)), "size": 2},
        "layers": [],
    })
    .to_string();
    let digest = format!(
        "sha256:{}",
        hex::encode(Sha256::digest(manifest.as_bytes()))
    );
    let referrer = format!("sha256:{}", "e".repeat(64));
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": referrer, "size": 321, "artifactType": "application/example",
         "annotations": {"org.example": "yes"}}]})
    .to_string();
    let (subject, api_path) = (digest.clone(), format!("/v2/r/referrers/{digest}"));
    let server = serve(move |req: Seen| {
        let headers = [
            ("content-type", OCI_MANIFEST),
            ("docker-content-digest", subject.as_str()),
        ];
        match req.path.as_str() {
            "/v2/" => respond(200, &[], "{}"),
            "/v2/r/tags/list" => respond(200, &[], r#"{"name":"r","tags":["1.0"]}"#),
            "/v2/r/manifests/1.0" => respond(200, &headers, manifest.clone()),
            p if p == api_path => respond(200, &[("content-type", OCI_INDEX)], index.clone()),
            // The referrer's own referrers: none.
            p if p.contains("/referrers/") => respond(
                200,
                &[("content-type", OCI_INDEX)],
                r#"{"schemaVersion":2,"manifests":[]}"#,
            ),
            _ => respond(404, &[], "404 page not found"),
        }
    });
    let home = tempfile::tempdir().unwrap();
    let doc = referrers(home.path(), &format!("{}/r:1.0", server.host()), &[]);
    assert_eq!(doc["subject"], digest.as_str());
    let r = &doc["referrers"][0];
    assert_eq!(r["found_by"], "api", "{doc}");
    assert_eq!(r["artifact_type"], "application/example");
    assert_eq!(r["size"], 321);
    assert_eq!(r["annotations"]["org.example"], "yes");
}

#[test]
fn deleting_an_image_takes_its_referrers_unless_asked_to_keep_them() {
    for keep in [false, true] {
        let s = seed();
        let home = tempfile::tempdir().unwrap();
        let mut args = vec![
            "rm".to_string(),
            format!("{}/signed:1.0", s.registry.host),
            "--yes".into(),
            "--json".into(),
        ];
        if keep {
            args.push("--keep-referrers".into());
        }
        let out = common::regscope(home.path()).args(&args).output().unwrap();
        let doc = common::success_json(&out);
        let referrers: Vec<&str> = doc["groups"]
            .as_array()
            .or_else(|| doc["plan"]["groups"].as_array())
            .map(|g| g.iter().filter_map(|g| g["referrer_of"].as_str()).collect())
            .unwrap_or_default();
        let left = common::tags_via_cli(&s.registry.host, "signed");
        if keep {
            assert!(referrers.is_empty(), "{doc}");
            assert_eq!(
                left.len(),
                3,
                "signature, schema index and SBOM signature stay: {left:?}"
            );
            assert_eq!(
                s.registry
                    .head_status(&format!("signed/manifests/{}", &s.sbom)),
                200
            );
        } else {
            assert!(
                left.is_empty(),
                "every referrer tag went with 1.0: {left:?}"
            );
            for gone in [&s.signature, &s.sbom, &s.sbom_signature] {
                assert_eq!(
                    s.registry
                        .head_status(&format!("signed/manifests/{}", gone)),
                    404,
                    "{gone}"
                );
            }
        }
        assert_eq!(
            s.registry
                .head_status(&format!("signed/manifests/{}", &s.subject)),
            404,
            "the subject went"
        );
    }
}

fn delete(host: &str, path: &str) {
    let url = format!("http://{host}/v2/{path}");
    let status = common::block_on_thread(async move {
        reqwest::Client::new()
            .delete(url)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 202, "DELETE {path}");
}

fn check(home: &std::path::Path, target: &str, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = common::regscope(home)
        .args(["check", target, "--json"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

fn kinds(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let at = p["tag"]
                .as_str()
                .or(p["digest"].as_str())
                .unwrap_or("")
                .to_string();
            (p["kind"].as_str().unwrap().to_string(), at)
        })
        .collect()
}

#[test]
fn check_finds_orphaned_referrers_missing_children_and_blobs() {
    let s = seed();
    let home = tempfile::tempdir().unwrap();
    let host = s.registry.host.clone();
    // A positive control: the seeded registry is whole.
    let (code, clean) = check(home.path(), &host, &["--blobs"]);
    assert_eq!(code, Some(0), "{clean}");
    assert_eq!(clean["problems"], json!([]));
    assert_eq!(clean["repositories"], 2);
    assert!(clean["blobs"].as_u64().unwrap() > 5, "{clean}");

    delete(&host, &format!("signed/manifests/{}", s.subject));
    delete(&host, &format!("multi/manifests/{}", s.child));
    delete(&host, &format!("multi/blobs/{}", s.attestation_layer));
    let (code, doc) = check(home.path(), &format!("{host}/signed"), &[]);
    assert_eq!(code, Some(1), "{doc}");
    let sig_tag = format!("{}.sig", tag_of(&s.subject));
    assert_eq!(
        kinds(&doc),
        [
            ("orphan-referrer".to_string(), tag_of(&s.subject)),
            ("orphan-referrer".to_string(), sig_tag.clone()),
        ],
        "{doc}"
    );
    // --prune-orphans: a dry run deletes nothing and still fails ...
    let signed = format!("{host}/signed");
    let (code, dry) = check(home.path(), &signed, &["--prune-orphans", "--dry-run"]);
    assert_eq!(code, Some(1), "{dry}");
    // The orphaned index, the SBOM it lists (whose subject is the missing
    // image), that SBOM's signature, and the orphaned signature.
    assert_eq!(dry["orphans_pruned"]["plan"].as_array().unwrap().len(), 4);
    assert_eq!(dry["orphans_pruned"]["results"], json!([]));
    assert_eq!(
        s.registry
            .head_status(&format!("signed/manifests/{sig_tag}")),
        200
    );
    // ... and without one, the orphans and what hangs off them go, and the
    // repository is whole.
    let (code, pruned) = check(home.path(), &signed, &["--prune-orphans", "--yes"]);
    assert_eq!(code, Some(0), "{pruned}");
    let outcomes = common::outcomes(&pruned["orphans_pruned"]);
    assert_eq!(outcomes, ["deleted"; 4], "{pruned}");
    assert_eq!(
        s.registry
            .head_status(&format!("signed/manifests/{sig_tag}")),
        404
    );
    let (code, after) = check(home.path(), &signed, &[]);
    assert_eq!((code, &after["problems"]), (Some(0), &json!([])), "{after}");
    // An index's missing child is not an orphan: --prune-orphans leaves it.
    let (code, _) = check(
        home.path(),
        &format!("{host}/multi"),
        &["--prune-orphans", "--yes"],
    );
    assert_eq!(code, Some(1));
    let (_, doc) = check(home.path(), &format!("{host}/multi"), &[]);
    assert_eq!(
        kinds(&doc),
        [("missing-child".to_string(), s.child.clone())],
        "layers unchecked: {doc}"
    );
    let (_, doc) = check(home.path(), &format!("{host}/multi"), &["--blobs"]);
    assert_eq!(
        kinds(&doc),
        [
            ("missing-child".to_string(), s.child.clone()),
            ("missing-layer".to_string(), s.attestation_layer.clone()),
        ],
        "{doc}"
    );
    let text = common::regscope(home.path())
        .args(["check", &host])
        .output()
        .unwrap();
    assert_eq!(text.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("checked 2 repositories") && stdout.contains("1 problems"),
        "{stdout}"
    );
}

#[test]
fn deleting_a_referrer_takes_it_out_of_its_subjects_index_and_an_emptied_index_goes() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let base = registry.url();
    let (subject, first, second) = common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let app = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(7, 900, OCI_LAYER)],
            &["COPY app /"],
        );
        pusher
            .image("app", &app, &["1.0"], &mut Fixtures::default())
            .await;
        let empty = Blob::new(b"{}".to_vec(), EMPTY);
        pusher.blob("app", &empty).await;
        let mut sboms = Vec::new();
        for n in 0..2 {
            let spdx = Blob::new(
                format!(r#"{{"spdxVersion":"SPDX-2.3","n":{n}}}"#).into_bytes(),
                SPDX,
            );
            pusher.blob("app", &spdx).await;
            let sbom = Blob::new(
                serde_json::to_vec(
                    &json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": SPDX,
                    "config": descriptor(&empty), "layers": [descriptor(&spdx)],
                    "subject": descriptor(&app.manifest)}),
                )
                .unwrap(),
                OCI_MANIFEST,
            );
            pusher.manifest("app", &sbom.digest, &sbom).await;
            sboms.push(sbom);
        }
        let entries: Vec<_> = sboms
            .iter()
            .map(|s| {
                let mut d = descriptor(s);
                d["artifactType"] = json!(SPDX);
                d
            })
            .collect();
        let schema = Blob::new(
            serde_json::to_vec(
                &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}),
            )
            .unwrap(),
            OCI_INDEX,
        );
        pusher
            .manifest("app", &tag_of(&app.manifest.digest), &schema)
            .await;
        (
            app.manifest.digest.clone(),
            sboms[0].digest.clone(),
            sboms[1].digest.clone(),
        )
    });
    let home = tempfile::tempdir().unwrap();
    let schema_tag = tag_of(&subject);
    let listed = |registry: &TestRegistry| -> Vec<String> {
        let url = format!("{}/v2/app/manifests/{schema_tag}", registry.url());
        let doc: serde_json::Value = common::block_on_thread(async move {
            let resp = reqwest::Client::new()
                .get(url)
                .header("accept", OCI_INDEX)
                .send()
                .await
                .unwrap();
            resp.json().await.unwrap_or(serde_json::Value::Null)
        });
        doc["manifests"]
            .as_array()
            .map(|m| {
                m.iter()
                    .map(|e| e["digest"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(listed(&registry), [first.clone(), second.clone()]);
    let rm = |digest: &str| {
        let image = format!("{}/app@{digest}", registry.host);
        common::run_json(home.path(), &["rm", &image, "--yes", "--json"])
    };
    // One of two: its entry goes, the other stays, the subject is untouched.
    let doc = rm(&first);
    assert_eq!(doc["index_updates"][0]["outcome"], "updated", "{doc}");
    assert_eq!(doc["index_updates"][0]["tag"], schema_tag.as_str());
    assert_eq!(doc["index_updates"][0]["removed"], json!([first.clone()]));
    assert!(
        doc["index_updates"][0]["new_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(listed(&registry), std::slice::from_ref(&second));
    assert_eq!(registry.head_status("app/manifests/1.0"), 200);
    // The last one: the emptied index goes with it.
    let doc = rm(&second);
    assert_eq!(doc["index_updates"], json!([]), "{doc}");
    assert_eq!(common::outcomes(&doc), ["deleted", "deleted"], "{doc}");
    assert_eq!(
        registry.head_status(&format!("app/manifests/{schema_tag}")),
        404
    );
    assert_eq!(
        registry.head_status("app/manifests/1.0"),
        200,
        "the subject stays"
    );
}
