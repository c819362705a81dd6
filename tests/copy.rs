//! `regscope cp`, `tag` and `sync` between two real Distribution 2.8
//! registries (one anonymous, one behind htpasswd) and OCI layouts, checked
//! against the registries' access logs and against skopeo's view of the bytes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{
    Blob, Fixtures, Image, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, Pusher, Style, attestation,
    cosign_signature, image, layer,
};
use common::registry::{Auth, RegistryConfig, TestRegistry};
use serde_json::{Value, json};
use std::sync::LazyLock;

const DEST_USER: &str = "pusher";
const DEST_PASSWORD: &str = "dest-secret-7";
const SPDX: &str = "application/spdx+json";
/// Two upload chunks (5 MiB) and a rest: goes up in two PATCHes and a PUT.
const BIG_LAYER: usize = 12 * 1024 * 1024;

struct Source {
    registry: TestRegistry,
    storage: tempfile::TempDir,
    /// The index tagged `app:1.0`, its children and referrers.
    index: String,
    children: Vec<String>,
    referrer_tags: Vec<String>,
    sbom: String,
    big_layer: String,
    /// The layer every platform of `app:1.0` shares (5,000 bytes).
    shared_layer: String,
}

static SOURCE: LazyLock<Source> = LazyLock::new(seed);

fn tag_of(digest: &str) -> String {
    digest.replacen(':', "-", 1)
}

fn descriptor(blob: &Blob) -> Value {
    json!({"mediaType": blob.media_type, "digest": blob.digest, "size": blob.bytes.len()})
}

fn seed() -> Source {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig {
        access_log: true,
        ..RegistryConfig::anonymous(storage.path())
    });
    let base = registry.url();
    let seeded = common::block_on_thread(async move { push_source(&base).await });
    Source {
        registry,
        storage,
        index: seeded.0,
        children: seeded.1,
        referrer_tags: seeded.2,
        sbom: seeded.3,
        big_layer: seeded.4,
        shared_layer: seeded.5,
    }
}

type Pushed = (String, Vec<String>, Vec<String>, String, String, String);

async fn push_source(base: &str) -> Pushed {
    let pusher = Pusher::new(base);
    let mut fx = Fixtures::default();
    let platforms = ["linux/amd64", "linux/arm64/v8", "linux/arm/v7"];
    let shared = layer(100, 5_000, OCI_LAYER);
    let images: Vec<Image> = platforms
        .iter()
        .enumerate()
        .map(|(i, p)| {
            image(
                Style::Oci,
                p,
                vec![shared.clone(), layer(101 + i as u64, 3_000, OCI_LAYER)],
                &["RUN x"],
            )
        })
        .collect();
    let att = attestation(110);
    pusher
        .index("app", Style::Oci, &images, Some(&att), &["1.0"], &mut fx)
        .await;
    // The same index where only the promotion test looks (the log is shared).
    pusher
        .index("solo", Style::Oci, &images, Some(&att), &["1.0"], &mut fx)
        .await;
    let index = common::fixtures::index(Style::Oci, &images, Some(&att)).digest;
    let mut children: Vec<String> = images.iter().map(|i| i.manifest.digest.clone()).collect();
    children.push(att.manifest.digest.clone());
    let sig = cosign_signature(111);
    let sig_tag = format!("{}.sig", tag_of(&index));
    pusher.image("app", &sig, &[&sig_tag], &mut fx).await;
    let (sbom, schema_tag) = push_sbom(&pusher, base, &index).await;
    let old = image(
        Style::Oci,
        "linux/amd64",
        vec![layer(120, 2_000, OCI_LAYER)],
        &["RUN old"],
    );
    pusher.image("app", &old, &["old"], &mut fx).await;
    let big = image(
        Style::Oci,
        "linux/amd64",
        vec![layer(130, BIG_LAYER, OCI_LAYER)],
        &["ADD big /"],
    );
    pusher.image("big", &big, &["1.0"], &mut fx).await;
    // Two versions on one base for `sync`, and two images for `tag`.
    let base_layer = layer(140, 4_000, OCI_LAYER);
    for (i, version) in ["1.0", "1.1", "2.0"].iter().enumerate() {
        let img = image(
            Style::Oci,
            "linux/amd64",
            vec![base_layer.clone(), layer(141 + i as u64, 1_000, OCI_LAYER)],
            &["RUN v"],
        );
        pusher.image("synced", &img, &[version], &mut fx).await;
    }
    let (x, y) = (layer(150, 1_500, OCI_LAYER), layer(151, 1_500, OCI_LAYER));
    pusher
        .image(
            "tagme",
            &image(Style::Oci, "linux/amd64", vec![x], &["RUN x"]),
            &["1.0"],
            &mut fx,
        )
        .await;
    pusher
        .image(
            "tagme",
            &image(Style::Oci, "linux/amd64", vec![y], &["RUN y"]),
            &["prev"],
            &mut fx,
        )
        .await;
    (
        index,
        children,
        vec![sig_tag, schema_tag],
        sbom,
        big.layers[0].digest.clone(),
        shared.digest.clone(),
    )
}

/// An SPDX SBOM naming `subject`, listed in the tag schema's `sha256-…` index.
async fn push_sbom(pusher: &Pusher, base: &str, subject: &str) -> (String, String) {
    let empty = Blob::new(b"{}".to_vec(), "application/vnd.oci.empty.v1+json");
    let spdx = Blob::new(
        br#"{"spdxVersion":"SPDX-2.3","packages":[]}"#.to_vec(),
        SPDX,
    );
    pusher.blob("app", &empty).await;
    pusher.blob("app", &spdx).await;
    let subject_size = reqwest::Client::new()
        .get(format!("{base}/v2/app/manifests/{subject}"))
        .header("accept", OCI_INDEX)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    let sbom = Blob::new(
        serde_json::to_vec(&json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": SPDX,
            "config": descriptor(&empty), "layers": [descriptor(&spdx)],
            "subject": {"mediaType": OCI_INDEX, "digest": subject, "size": subject_size},
        }))
        .unwrap(),
        OCI_MANIFEST,
    );
    pusher.manifest("app", &sbom.digest, &sbom).await;
    let mut entry = descriptor(&sbom);
    entry["artifactType"] = json!(SPDX);
    let schema = Blob::new(
        serde_json::to_vec(
            &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry]}),
        )
        .unwrap(),
        OCI_INDEX,
    );
    pusher.manifest("app", &tag_of(subject), &schema).await;
    (sbom.digest.clone(), tag_of(subject))
}

/// A destination registry behind htpasswd, with an access log.
fn destination() -> (TestRegistry, tempfile::TempDir) {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig {
        auth: Auth::Htpasswd(vec![(DEST_USER.into(), DEST_PASSWORD.into())]),
        access_log: true,
        ..RegistryConfig::anonymous(storage.path())
    });
    (registry, storage)
}

/// regscope with the destination's password in its own variable.
fn regscope(home: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = common::regscope(home);
    cmd.env("REGSCOPE_DEST_PASSWORD", DEST_PASSWORD);
    cmd
}

/// `cp FROM TO [extra] --dest-username DEST_USER --json`, which must succeed.
fn cp_to_dest(home: &std::path::Path, from: &str, to: &str, extra: &[&str]) -> Value {
    let mut args = vec!["cp", from, to];
    args.extend_from_slice(extra);
    args.extend(["--dest-username", DEST_USER, "--json"]);
    run_ok(home, &args)
}

fn run_ok(home: &std::path::Path, args: &[&str]) -> Value {
    let out = regscope(home).args(args).output().unwrap();
    common::success_json(&out)
}

/// `skopeo inspect --raw`: the bytes another tool reads back.
fn skopeo_raw(image: &str, creds: Option<&str>) -> Vec<u8> {
    let mut cmd = std::process::Command::new("skopeo");
    cmd.args(["inspect", "--raw", "--tls-verify=false"]);
    if let Some(creds) = creds {
        cmd.args(["--creds", creds]);
    }
    let out = cmd.arg(format!("docker://{image}")).output().unwrap();
    assert!(
        out.status.success(),
        "skopeo inspect {image}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn dest_creds() -> String {
    format!("{DEST_USER}:{DEST_PASSWORD}")
}

/// Requests logged since `from`: (method, path).
fn since(registry: &TestRegistry, from: usize) -> Vec<(String, String)> {
    registry.access_log().split_off(from)
}

fn is_blob_transfer((method, path): &(String, String)) -> bool {
    let blob_get = method == "GET" && path.contains("/blobs/sha256:");
    let upload = matches!(method.as_str(), "PUT" | "PATCH") && path.contains("/blobs/uploads/");
    blob_get || upload
}

#[test]
fn same_registry_copy_mounts_every_blob_and_moves_no_bytes() {
    let src = &*SOURCE;
    let home = tempfile::tempdir().unwrap();
    let before = src.registry.access_log().len();
    let from = format!("{}/solo:1.0", src.registry.host);
    let to = format!("{}/promoted/solo:1.4.2", src.registry.host);
    let doc = run_ok(home.path(), &["cp", &from, &to, "--json"]);
    let log: Vec<_> = since(&src.registry, before)
        .into_iter()
        .filter(|(_, p)| p.starts_with("/v2/solo/") || p.starts_with("/v2/promoted/solo/"))
        .collect();
    let transfers: Vec<_> = log.iter().filter(|r| is_blob_transfer(r)).collect();
    assert!(
        transfers.is_empty(),
        "no blob GET, PUT or PATCH: {transfers:?}"
    );
    let mounts = log
        .iter()
        .filter(|(m, p)| m == "POST" && p.contains("mount="))
        .count();
    assert_eq!(doc["totals"]["blobs_mounted"], json!(mounts));
    // The shared layer once, three own layers, three configs, the attestation's config and statement.
    assert_eq!(mounts, 9);
    assert_eq!(doc["digest"], json!(src.index));
    let copied = common::blocking::manifest_digest(&src.registry, "promoted/solo", "1.4.2");
    assert_eq!(copied.as_deref(), Some(src.index.as_str()));
}

#[test]
fn cross_registry_copy_with_referrers_gives_identical_bytes_to_skopeo() {
    let src = &*SOURCE;
    let (dest, _storage) = destination();
    let home = tempfile::tempdir().unwrap();
    let from = format!("{}/app:1.0", src.registry.host);
    let to = format!("{}/mirror/app:1.0", dest.host);
    let dry = cp_to_dest(home.path(), &from, &to, &["--referrers", "--dry-run"]);
    assert_eq!(dry["dry_run"], json!(true));
    assert!(
        dest.access_log()
            .iter()
            .all(|(m, _)| m == "GET" || m == "HEAD"),
        "a dry run writes nothing"
    );
    let doc = cp_to_dest(home.path(), &from, &to, &["--referrers"]);
    assert_eq!(
        doc["totals"], dry["totals"],
        "the dry run said what the copy did"
    );
    assert_eq!(doc["completed"], json!(true));
    let creds = dest_creds();
    let same = |reference: &str| {
        let a = skopeo_raw(&format!("{}/app{reference}", src.registry.host), None);
        let b = skopeo_raw(
            &format!("{}/mirror/app{reference}", dest.host),
            Some(&creds),
        );
        assert_eq!(a, b, "{reference} differs");
    };
    same(":1.0");
    for child in src.children.iter().chain([&src.sbom]) {
        same(&format!("@{child}"));
    }
    for tag in &src.referrer_tags {
        same(&format!(":{tag}"));
    }
    // A second copy finds everything there: no blob moves.
    let again = cp_to_dest(home.path(), &from, &to, &["--referrers"]);
    assert_eq!(again["totals"]["blobs_copied"], json!(0));
    assert_eq!(again["totals"]["manifests_copied"], json!(0));
}

#[test]
fn a_copy_to_a_layout_reads_back_with_skopeo_and_back_again() {
    let src = &*SOURCE;
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("backup");
    let from = format!("{}/app:1.0", src.registry.host);
    run_ok(
        home.path(),
        &[
            "cp",
            &from,
            &format!("oci:{}:1.0", layout.display()),
            "--json",
        ],
    );
    let raw = std::process::Command::new("skopeo")
        .args(["inspect", "--raw"])
        .arg(format!("oci:{}:1.0", layout.display()))
        .output()
        .unwrap();
    assert_eq!(
        raw.stdout,
        skopeo_raw(&from, None),
        "skopeo reads the layout's index as the source's bytes"
    );
    // skopeo reads the layout and pushes it: the same index digest arrives.
    let status = std::process::Command::new("skopeo")
        .args([
            "copy",
            "--all",
            "--preserve-digests",
            "--dest-tls-verify=false",
        ])
        .arg(format!("oci:{}:1.0", layout.display()))
        .arg(format!("docker://{}/from-layout:1.0", src.registry.host))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let pushed = common::blocking::manifest_digest(&src.registry, "from-layout", "1.0");
    assert_eq!(pushed.as_deref(), Some(src.index.as_str()));
    // And skopeo's layout goes back to a registry through regscope.
    let theirs = dir.path().join("theirs");
    let status = std::process::Command::new("skopeo")
        .args([
            "copy",
            "--all",
            "--preserve-digests",
            "--src-tls-verify=false",
        ])
        .arg(format!("docker://{}/app:1.0", src.registry.host))
        .arg(format!("oci:{}:2.0", theirs.display()))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let to = format!("{}/back/app:2.0", src.registry.host);
    let doc = run_ok(
        home.path(),
        &[
            "cp",
            &format!("oci:{}:2.0", theirs.display()),
            &to,
            "--json",
        ],
    );
    assert_eq!(doc["digest"], json!(src.index));
    let back = common::blocking::manifest_digest(&src.registry, "back/app", "2.0");
    assert_eq!(back.as_deref(), Some(src.index.as_str()));
}

#[test]
fn one_platform_copies_that_platforms_manifest() {
    let src = &*SOURCE;
    let home = tempfile::tempdir().unwrap();
    let from = format!("{}/app:1.0", src.registry.host);
    let to = format!("{}/arm/app:1.0", src.registry.host);
    let doc = run_ok(
        home.path(),
        &["cp", &from, &to, "--platform", "linux/arm64", "--json"],
    );
    assert_eq!(doc["digest"], json!(src.children[1]));
    assert_eq!(doc["manifests"].as_array().unwrap().len(), 1);
    let copied = common::blocking::manifest_digest(&src.registry, "arm/app", "1.0");
    assert_eq!(copied.as_deref(), Some(src.children[1].as_str()));
}

#[test]
fn an_interrupted_copy_leaves_no_tag_and_the_rerun_moves_only_what_is_missing() {
    let src = &*SOURCE;
    let (dest, _storage) = destination();
    let home = tempfile::tempdir().unwrap();
    let from = format!("{}/app:1.0", src.registry.host);
    let to = format!("{}/app:1.0", dest.host);
    let args = [
        "cp",
        &from,
        &to,
        "--dest-username",
        DEST_USER,
        "--concurrency",
        "1",
        "--json",
    ];
    let env = [("REGSCOPE_DEST_PASSWORD", DEST_PASSWORD)];
    let mut paused = common::paused::Paused::start_with_env(home.path(), &args, &env);
    paused.wait_paused(1);
    paused.child.kill().unwrap();
    paused.child.wait().unwrap();
    let out = std::process::Command::new("skopeo")
        .args([
            "inspect",
            "--raw",
            "--tls-verify=false",
            "--creds",
            &dest_creds(),
        ])
        .arg(format!("docker://{to}"))
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "no tag points at a half-copied index"
    );
    let before = dest.access_log().len();
    let doc = cp_to_dest(home.path(), &from, &to, &[]);
    let uploads = since(&dest, before)
        .into_iter()
        .filter(|(m, p)| m == "PUT" && p.contains("/blobs/uploads/"))
        .count();
    assert_eq!(
        doc["totals"]["blobs_skipped"],
        json!(1),
        "the blob copied before the kill"
    );
    assert_eq!(uploads, 8, "only the 8 missing blobs were uploaded");
    assert_eq!(
        skopeo_raw(&to, Some(&dest_creds())),
        skopeo_raw(&from, None)
    );
}

#[test]
fn a_large_blob_goes_up_in_chunks_resumes_after_a_416_and_takes_relative_locations() {
    let src = &*SOURCE;
    let (dest, _storage) = destination();
    let patches = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = patches.clone();
    let rule: common::proxy::Rule = std::sync::Arc::new(move |seen| {
        if seen.method == "PATCH" && counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 1
        {
            return Some(common::fake::respond(416, &[], "out of order"));
        }
        None
    });
    let proxy = common::proxy::start_with(&dest.host, rule, true);
    let home = tempfile::tempdir().unwrap();
    let from = format!("{}/big:1.0", src.registry.host);
    let to = format!("{}/big:1.0", proxy.host());
    let doc = cp_to_dest(home.path(), &from, &to, &[]);
    assert_eq!(doc["completed"], json!(true));
    let patched = dest
        .access_log()
        .iter()
        .filter(|(m, _)| m == "PATCH")
        .count();
    assert_eq!(
        patched, 2,
        "12 MiB: two 5 MiB chunks (the second re-sent after the 416), the rest in the PUT"
    );
    assert!(patches.load(std::sync::atomic::Ordering::SeqCst) >= 3);
    let status = dest
        .access_log()
        .iter()
        .filter(|(m, p)| m == "GET" && p.contains("/blobs/uploads/"))
        .count();
    assert_eq!(
        status, 1,
        "the upload's status was asked once, after the 416"
    );
    assert_eq!(
        skopeo_raw(&to, Some(&dest_creds())),
        skopeo_raw(&from, None)
    );
    let layer = stored_blob_size(&dest, "big", &src.big_layer);
    assert_eq!(layer, BIG_LAYER as u64);
}

fn stored_blob_size(registry: &TestRegistry, repo: &str, digest: &str) -> u64 {
    let url = format!("{}/v2/{repo}/blobs/{digest}", registry.url());
    common::block_on_thread(async move {
        let resp = reqwest::Client::new()
            .head(url)
            .basic_auth(DEST_USER, Some(DEST_PASSWORD))
            .send()
            .await
            .unwrap();
        resp.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    })
}

/// A proxy that records every `Authorization` header on its way to `upstream`.
fn capturing_proxy(
    upstream: &str,
) -> (
    common::fake::FakeServer,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let rule: common::proxy::Rule = std::sync::Arc::new(move |req| {
        if let Some(auth) = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
        {
            log.lock().unwrap().push(auth.to_string());
        }
        None
    });
    (common::proxy::start_with(upstream, rule, true), seen)
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

#[test]
fn each_side_gets_its_own_credentials_and_never_the_others() {
    let src = &*SOURCE;
    let guarded_source = TestRegistry::start(RegistryConfig {
        auth: Auth::Htpasswd(vec![("puller".into(), "src-secret-3".into())]),
        ..RegistryConfig::anonymous(src.storage.path())
    });
    let (dest, _storage) = destination();
    let (src_proxy, src_seen) = capturing_proxy(&guarded_source.host);
    let (dest_proxy, dest_seen) = capturing_proxy(&dest.host);
    let home = tempfile::tempdir().unwrap();
    let from = format!("{}/app:old", src_proxy.host());
    let to = format!("{}/app:old", dest_proxy.host());
    let out = regscope(home.path())
        .env("REGSCOPE_SRC_PASSWORD", "src-secret-3")
        .args([
            "cp",
            &from,
            &to,
            "--src-username",
            "puller",
            "--dest-username",
            DEST_USER,
            "--json",
        ])
        .output()
        .unwrap();
    let doc = common::success_json(&out);
    assert_eq!(doc["totals"]["blobs_copied"], json!(2));
    let src_auth = src_seen.lock().unwrap().clone();
    let dest_auth = dest_seen.lock().unwrap().clone();
    assert!(!src_auth.is_empty() && !dest_auth.is_empty());
    let source_basic = basic("puller", "src-secret-3");
    let dest_basic = basic(DEST_USER, DEST_PASSWORD);
    assert!(
        src_auth.iter().all(|a| *a == source_basic),
        "the source saw only its own: {src_auth:?}"
    );
    assert!(
        dest_auth.iter().all(|a| *a == dest_basic),
        "the destination saw only its own: {dest_auth:?}"
    );
}

#[test]
fn a_password_comes_from_stdin_or_its_variable_never_from_an_argument() {
    let home = tempfile::tempdir().unwrap();
    let src = &*SOURCE;
    let out = common::regscope(home.path())
        .args([
            "cp",
            &format!("{}/app:old", src.registry.host),
            &format!("{}/x:old", src.registry.host),
        ])
        .args(["--dest-username", "someone"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--dest-password-stdin or REGSCOPE_DEST_PASSWORD"),
        "{err}"
    );
    let out = common::regscope(home.path())
        .args(["cp", "a", "b", "--dest-password", "pw"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "there is no password flag");
}

/// A proxy in front of the source that answers `path` with `body` itself.
fn lying_source(path: String, body: Vec<u8>) -> common::fake::FakeServer {
    let src = &*SOURCE;
    let rule: common::proxy::Rule = std::sync::Arc::new(move |req| {
        (req.method == "GET" && req.path == path)
            .then(|| common::fake::respond(200, &[], body.clone()))
    });
    common::proxy::start(&src.registry.host, rule)
}

fn assert_nothing_written(dest: &TestRegistry, stderr: &str, named: &str) {
    assert!(stderr.contains(named), "the error names {named}: {stderr}");
    let manifests: Vec<_> = dest
        .access_log()
        .into_iter()
        .filter(|(m, p)| m == "PUT" && p.contains("/manifests/"))
        .collect();
    assert!(
        manifests.is_empty(),
        "no manifest or tag written: {manifests:?}"
    );
}

#[test]
fn a_source_that_lies_stops_the_copy_before_any_manifest_is_written() {
    let src = &*SOURCE;
    let layer_path = format!("/v2/app/blobs/{}", src.shared_layer);
    let cases: Vec<(&str, String, Vec<u8>, String)> = vec![
        (
            "other bytes",
            layer_path.clone(),
            vec![7u8; 5_000],
            src.shared_layer.clone(),
        ),
        (
            "more bytes",
            layer_path.clone(),
            vec![7u8; 6_000],
            src.shared_layer.clone(),
        ),
        (
            "fewer bytes",
            layer_path,
            vec![7u8; 10],
            src.shared_layer.clone(),
        ),
        (
            "a manifest over the cap",
            "/v2/app/manifests/1.0".into(),
            vec![b' '; 5 << 20],
            "manifest".into(),
        ),
    ];
    for (what, path, body, named) in cases {
        let proxy = lying_source(path, body);
        let (dest, _storage) = destination();
        let home = tempfile::tempdir().unwrap();
        let out = regscope(home.path())
            .args([
                "cp",
                &format!("{}/app:1.0", proxy.host()),
                &format!("{}/app:1.0", dest.host),
            ])
            .args(["--dest-username", DEST_USER])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{what}");
        assert_nothing_written(&dest, &String::from_utf8_lossy(&out.stderr), &named);
    }
}

fn anonymous_destination() -> (TestRegistry, tempfile::TempDir) {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig {
        access_log: true,
        ..RegistryConfig::anonymous(storage.path())
    });
    (registry, storage)
}

#[test]
fn sync_moves_shared_blobs_once_and_a_second_run_makes_no_blob_request() {
    let src = &*SOURCE;
    let (dest, _storage) = anonymous_destination();
    let home = tempfile::tempdir().unwrap();
    let from = format!("{}/synced", src.registry.host);
    let to = format!("{}/synced", dest.host);
    let first = common::run_json(
        home.path(),
        &["sync", &from, &to, "--tags", "^1\\.", "--json"],
    );
    let tags: Vec<&str> = first["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["1.0", "1.1"], "--tags selects");
    assert_eq!(
        first["totals"]["blobs_copied"],
        json!(5),
        "the base layer once, two own layers, two configs"
    );
    let src_before = src.registry.access_log().len();
    let dest_before = dest.access_log().len();
    let second = common::run_json(
        home.path(),
        &["sync", &from, &to, "--tags", "^1\\.", "--json"],
    );
    assert!(
        second["tags"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["action"] == "unchanged")
    );
    let blob_requests: Vec<_> = since(&src.registry, src_before)
        .into_iter()
        .filter(|(_, p)| p.starts_with("/v2/synced/"))
        .chain(since(&dest, dest_before))
        .filter(|(_, p)| p.contains("/blobs/"))
        .collect();
    assert!(blob_requests.is_empty(), "{blob_requests:?}");
    // --keep-newest and --delete: only 2.0 is wanted; 1.0 and 1.1 go.
    let third = common::run_json(
        home.path(),
        &[
            "sync",
            &from,
            &to,
            "--keep-newest",
            "1",
            "--delete",
            "--yes",
            "--json",
        ],
    );
    assert_eq!(third["tags"][0]["tag"], json!("2.0"));
    assert_eq!(third["stale"], json!(["1.0", "1.1"]));
    assert_eq!(common::tags_via_cli(&dest.host, "synced"), ["2.0"]);
}

#[test]
fn tag_adds_tags_with_no_blob_traffic_and_a_moved_tag_can_be_restored() {
    let src = &*SOURCE;
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/tagme:1.0", src.registry.host);
    let prev = common::blocking::manifest_digest(&src.registry, "tagme", "prev").unwrap();
    let target = common::blocking::manifest_digest(&src.registry, "tagme", "1.0").unwrap();
    let refused = common::regscope(home.path())
        .args(["tag", &image, "latest", "prev"])
        .output()
        .unwrap();
    assert_eq!(
        refused.status.code(),
        Some(2),
        "moving a tag asks; stdin is no terminal"
    );
    assert_eq!(
        common::blocking::manifest_digest(&src.registry, "tagme", "prev").unwrap(),
        prev
    );
    let before = src.registry.access_log().len();
    let doc = common::run_json(
        home.path(),
        &["tag", &image, "latest", "prev", "--yes", "--json"],
    );
    let log: Vec<_> = since(&src.registry, before)
        .into_iter()
        .filter(|(_, p)| p.starts_with("/v2/tagme/"))
        .collect();
    assert!(log.iter().all(|(_, p)| !p.contains("/blobs/")), "{log:?}");
    let puts = log.iter().filter(|(m, _)| m == "PUT").count();
    assert_eq!(puts, 2, "one PUT per tag");
    let actions: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["tagged", "moved"]);
    assert_eq!(doc["tags"][1]["previous"], json!(prev));
    for tag in ["latest", "prev"] {
        assert_eq!(
            common::blocking::manifest_digest(&src.registry, "tagme", tag).unwrap(),
            target
        );
    }
    let id = doc["tags"][1]["trash_id"].as_str().unwrap();
    let out = common::regscope(home.path())
        .args(["trash", "restore", id])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        common::blocking::manifest_digest(&src.registry, "tagme", "prev").unwrap(),
        prev
    );
}

fn layout_index(dir: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap()
}

#[test]
fn a_lying_source_writes_nothing_into_a_layout_either() {
    let src = &*SOURCE;
    let path = format!("/v2/app/blobs/{}", src.shared_layer);
    let proxy = lying_source(path, vec![7u8; 5_000]);
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("copy");
    let out = common::regscope(home.path())
        .args(["cp", &format!("{}/app:1.0", proxy.host())])
        .arg(format!("oci:{}:1.0", layout.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&src.shared_layer));
    let hex = src.shared_layer.trim_start_matches("sha256:");
    assert!(
        !layout.join("blobs/sha256").join(hex).exists(),
        "the lying blob was not committed"
    );
    assert_eq!(
        layout_index(&layout)["manifests"],
        json!([]),
        "no manifest listed"
    );
}

#[test]
fn an_image_copied_by_digest_into_a_layout_is_listed_untagged() {
    let src = &*SOURCE;
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("by-digest");
    let from = format!("{}/app@{}", src.registry.host, src.index);
    run_ok(
        home.path(),
        &["cp", &from, &format!("oci:{}", layout.display()), "--json"],
    );
    let entries = layout_index(&layout)["manifests"].clone();
    assert_eq!(entries.as_array().unwrap().len(), 1, "{entries}");
    assert_eq!(entries[0]["digest"], json!(src.index));
    assert!(
        entries[0].get("annotations").is_none(),
        "untagged: {entries}"
    );
    // Copied again: still one entry.
    run_ok(
        home.path(),
        &["cp", &from, &format!("oci:{}", layout.display()), "--json"],
    );
    assert_eq!(
        layout_index(&layout)["manifests"].as_array().unwrap().len(),
        1
    );
}

#[test]
fn sync_refuses_to_delete_when_nothing_is_selected() {
    let src = &*SOURCE;
    let (dest, _storage) = anonymous_destination();
    let home = tempfile::tempdir().unwrap();
    let from = format!("{}/synced", src.registry.host);
    let to = format!("{}/synced", dest.host);
    let out = common::regscope(home.path())
        .args([
            "sync",
            &from,
            &to,
            "--tags",
            "^nothing-matches$",
            "--delete",
            "--yes",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing"));
    assert!(dest.access_log().iter().all(|(m, _)| m != "DELETE"));
}

#[test]
fn a_registry_that_answers_a_mount_with_202_gets_the_blob_uploaded() {
    let src = &*SOURCE;
    // The mount parameters never reach the registry: it opens a plain upload (202).
    let rewrite: common::proxy::Rewrite = std::sync::Arc::new(|seen| {
        if seen.query.as_deref().is_some_and(|q| q.contains("mount=")) {
            seen.query = None;
        }
    });
    let never: common::proxy::Rule = std::sync::Arc::new(|_| None);
    let proxy = common::proxy::start_full(&src.registry.host, never, rewrite, true);
    let home = tempfile::tempdir().unwrap();
    let from = format!("{}/app:old", proxy.host());
    let to = format!("{}/unmounted/app:old", proxy.host());
    let doc = run_ok(home.path(), &["cp", &from, &to, "--json"]);
    assert_eq!(doc["totals"]["blobs_mounted"], json!(0));
    assert_eq!(
        doc["totals"]["blobs_copied"],
        json!(2),
        "both blobs streamed into the uploads opened"
    );
    let copied = common::blocking::manifest_digest(&src.registry, "unmounted/app", "old");
    let original = common::blocking::manifest_digest(&src.registry, "app", "old");
    assert_eq!(copied, original);
}

#[test]
fn a_copy_over_a_moved_tag_says_which_digest_the_tag_had() {
    let src = &*SOURCE;
    let home = tempfile::tempdir().unwrap();
    let to = format!("{}/moving/app:current", src.registry.host);
    run_ok(
        home.path(),
        &[
            "cp",
            &format!("{}/app:old", src.registry.host),
            &to,
            "--json",
        ],
    );
    let old = common::blocking::manifest_digest(&src.registry, "moving/app", "current").unwrap();
    let from = format!("{}/app:1.0", src.registry.host);
    let dry = run_ok(home.path(), &["cp", &from, &to, "--dry-run", "--json"]);
    let tagged: Vec<&Value> = dry["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["tag"] == json!("current"))
        .collect();
    assert_eq!(tagged.len(), 1);
    assert_eq!(tagged[0]["replaces"], json!(old));
    assert_eq!(tagged[0]["digest"], json!(src.index));
}

/// `subject` with an SPDX SBOM pushed by digest only: no tag points at it.
fn push_untagged_sbom(base: &str, repo: &'static str) -> (String, Value) {
    let base = base.to_string();
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let mut fx = Fixtures::default();
        let img = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(160, 1_200, OCI_LAYER)],
            &["RUN s"],
        );
        pusher.image(repo, &img, &["1.0"], &mut fx).await;
        let empty = Blob::new(b"{}".to_vec(), "application/vnd.oci.empty.v1+json");
        let spdx = Blob::new(br#"{"spdxVersion":"SPDX-2.3","name":"api"}"#.to_vec(), SPDX);
        pusher.blob(repo, &empty).await;
        pusher.blob(repo, &spdx).await;
        let sbom = Blob::new(
            serde_json::to_vec(&json!({
                "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": SPDX,
                "config": descriptor(&empty), "layers": [descriptor(&spdx)],
                "subject": descriptor(&img.manifest),
            }))
            .unwrap(),
            OCI_MANIFEST,
        );
        pusher.manifest(repo, &sbom.digest, &sbom).await;
        let mut entry = descriptor(&sbom);
        entry["artifactType"] = json!(SPDX);
        (img.manifest.digest.clone(), entry)
    })
}

#[test]
fn referrers_a_source_api_lists_reach_a_destination_without_one_through_the_tag_schema() {
    let src = &*SOURCE;
    let (subject, entry) = push_untagged_sbom(&src.registry.url(), "apiref");
    // The source answers the referrers API (Distribution 2.8 itself has none).
    let listed = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry.clone()]});
    let none = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []});
    let path = format!("/v2/apiref/referrers/{subject}");
    let rule: common::proxy::Rule = std::sync::Arc::new(move |req| {
        let body = match req.path.as_str() {
            p if p == path => listed.to_string(),
            p if p.contains("/referrers/") => none.to_string(),
            _ => return None,
        };
        Some(common::fake::respond(
            200,
            &[("content-type", OCI_INDEX)],
            body,
        ))
    });
    let proxy = common::proxy::start(&src.registry.host, rule);
    let (dest, _storage) = anonymous_destination();
    let home = tempfile::tempdir().unwrap();
    let from = format!("{}/apiref:1.0", proxy.host());
    let to = format!("{}/apiref:1.0", dest.host);
    run_ok(home.path(), &["cp", &from, &to, "--referrers", "--json"]);
    let schema_tag = tag_of(&subject);
    let index = skopeo_raw(&format!("{}/apiref:{schema_tag}", dest.host), None);
    let index: Value = serde_json::from_slice(&index).unwrap();
    assert_eq!(
        index["manifests"],
        json!([entry]),
        "the SBOM is found by the tag schema"
    );
    let sbom = entry["digest"].as_str().unwrap();
    assert!(common::blocking::manifest_digest(&dest, "apiref", sbom).is_some());
}
