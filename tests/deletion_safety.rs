//! Deletion that anyone with push rights cannot steer, on a real Distribution
//! registry: the one executor checks each rule at the moment of each DELETE
//! (signature tags pushed onto other images, indexes re-pushed, listings cut
//! short, errors that are not 404s), brakes travel with the plan, protected
//! images stay, and a second Ctrl-C ends at once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fake::{Seen, respond};
use common::fixtures::{OCI_LAYER, Style, image, image_at, layer};
use common::paused::Paused;
use common::registry::{RegistryConfig, TestRegistry};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

struct Fresh {
    registry: TestRegistry,
    _storage: tempfile::TempDir,
}

fn fresh() -> Fresh {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    Fresh {
        registry,
        _storage: storage,
    }
}

fn app_image(seed: u64) -> common::fixtures::Image {
    image(
        Style::Oci,
        "linux/amd64",
        vec![layer(
            seed,
            1_000 + usize::try_from(seed).unwrap(),
            OCI_LAYER,
        )],
        &["COPY app /"],
    )
}

use common::fixtures::cosign_signature as signature;

fn sig_tag(digest: &str) -> String {
    format!("{}.sig", digest.replacen(':', "-", 1))
}

use common::blocking::{manifest_digest as digest_of, push_image as push, push_index};

fn run(home: &Path, args: &[&str]) -> (Option<i32>, Value, String) {
    let out = common::regscope(home).args(args).output().unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        doc,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// The `reason` of each skipped result.
fn skipped(results: &Value) -> Vec<String> {
    results
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["outcome"] == "skipped")
        .map(|r| r["reason"].as_str().unwrap().to_string())
        .collect()
}

/// `app:prod` and `app:pr-123`, and prod's manifest pushed (push rights only)
/// under the cosign signature tag of pr-123.
fn signature_tag_attack() -> (Fresh, String, String) {
    let f = fresh();
    let base = f.registry.url();
    let prod = app_image(1);
    let pr = app_image(2);
    push(&base, "app", &prod, &["prod"]);
    push(&base, "app", &pr, &["pr-123"]);
    push(&base, "app", &prod, &[&sig_tag(&pr.manifest.digest)]);
    (f, prod.manifest.digest.clone(), pr.manifest.digest.clone())
}

#[test]
fn a_signature_tag_pushed_onto_another_image_does_not_take_it_along() {
    let (f, prod, pr) = signature_tag_attack();
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/app:pr-123", f.registry.host);
    let (code, doc, _) = run(home.path(), &["rm", &image, "--yes", "--json"]);
    assert_eq!(code, Some(1), "a skipped deletion is reported: {doc}");
    assert_eq!(digest_of(&f.registry, "app", "pr-123"), None, "pr-123 went");
    assert_eq!(
        digest_of(&f.registry, "app", "prod").as_deref(),
        Some(prod.as_str()),
        "prod stays"
    );
    let reasons = skipped(&doc["results"]);
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("not a referrer: also tagged prod")),
        "{doc}"
    );
    assert_ne!(prod, pr);
}

#[test]
fn check_prune_orphans_does_not_take_an_image_tagged_as_an_orphan() {
    let f = fresh();
    let base = f.registry.url();
    let prod = app_image(3);
    push(&base, "app", &prod, &["prod"]);
    let random = format!("sha256:{}", "ab".repeat(32));
    push(&base, "app", &prod, &[&sig_tag(&random)]);
    let real_sig = signature(4);
    let gone = format!("sha256:{}", "cd".repeat(32));
    push(&base, "app", &real_sig, &[&sig_tag(&gone)]);
    let home = tempfile::tempdir().unwrap();
    let target = format!("{}/app", f.registry.host);
    let (_, doc, _) = run(
        home.path(),
        &["check", &target, "--prune-orphans", "--yes", "--json"],
    );
    let results = &doc["orphans_pruned"]["results"];
    assert!(
        skipped(results)
            .iter()
            .any(|r| r.contains("not a referrer: also tagged prod")),
        "{doc}"
    );
    assert_eq!(
        digest_of(&f.registry, "app", "prod").as_deref(),
        Some(prod.manifest.digest.as_str())
    );
    assert_eq!(
        digest_of(&f.registry, "app", &sig_tag(&gone)),
        None,
        "the real orphaned signature went: {doc}"
    );
}

/// A proxy that answers 500 to every HEAD of `digest`'s manifest.
fn failing_head(upstream: &str, digest: String) -> common::fake::FakeServer {
    common::proxy::start(
        upstream,
        Arc::new(move |seen: &Seen| {
            (seen.method == axum::http::Method::HEAD && seen.path.ends_with(&digest))
                .then(|| respond(500, &[], "boom"))
        }),
    )
}

#[test]
fn a_subject_that_answers_500_is_unknown_and_its_signature_stays() {
    let f = fresh();
    let base = f.registry.url();
    let app = app_image(5);
    push(&base, "app", &app, &["1.0"]);
    let sig = signature(6);
    push(&base, "app", &sig, &[&sig_tag(&app.manifest.digest)]);
    let proxy = failing_head(&f.registry.host, app.manifest.digest.clone());
    // 1.0 moves to another image: the subject stays, untagged, found by a HEAD only.
    push(&base, "app", &app_image(7), &["1.0"]);
    let home = tempfile::tempdir().unwrap();
    let target = format!("{}/app", proxy.host());
    let (code, doc, _) = run(
        home.path(),
        &["check", &target, "--prune-orphans", "--yes", "--json"],
    );
    assert_eq!(code, Some(1), "{doc}");
    let kinds: Vec<&str> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["unknown-subject"], "{doc}");
    assert!(doc["orphans_pruned"].is_null(), "nothing to prune: {doc}");
    assert_eq!(
        digest_of(&f.registry, "app", &sig_tag(&app.manifest.digest)).as_deref(),
        Some(sig.manifest.digest.as_str())
    );
}

/// `nightly` (an index of amd64 and arm64) and its amd64 image tagged too.
fn nightly(base: &str, seed: u64) -> (common::fixtures::Image, String) {
    let amd = image_at(
        Style::Oci,
        "linux/amd64",
        vec![layer(seed, 900, OCI_LAYER)],
        &["x"],
        "2024-01-01T00:00:00Z",
    );
    let arm = image_at(
        Style::Oci,
        "linux/arm64",
        vec![layer(seed + 1, 900, OCI_LAYER)],
        &["x"],
        "2024-01-01T00:00:00Z",
    );
    let index = common::fixtures::index(Style::Oci, &[amd.clone(), arm.clone()], None);
    push_index(base, "app", &[amd.clone(), arm], &["nightly"]);
    common::blocking::push_manifest(base, "app", "nightly-amd64", &amd.manifest);
    (amd, index.digest)
}

#[test]
fn a_child_of_an_index_pushed_after_the_plan_is_not_deleted() {
    let f = fresh();
    let base = f.registry.url();
    let (amd, old_index) = nightly(&base, 10);
    let home = tempfile::tempdir().unwrap();
    let plan = home.path().join("plan.json");
    let repo = format!("{}/app", f.registry.host);
    let (code, _, err) = run(
        home.path(),
        &[
            "prune",
            &repo,
            "--only",
            "^nightly",
            "--include-undated",
            "--max-delete-percent",
            "100",
            "--plan-out",
            plan.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let written: Value = serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    let doomed: Vec<&str> = written["repositories"][0]["delete"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["digest"].as_str().unwrap())
        .collect();
    assert!(doomed.contains(&amd.manifest.digest.as_str()), "{written}");
    assert!(doomed.contains(&old_index.as_str()), "{written}");
    // CI pushes nightly again: a new index that lists the same amd64 image.
    let arm = image(
        Style::Oci,
        "linux/arm64",
        vec![layer(99, 900, OCI_LAYER)],
        &["y"],
    );
    push_index(&base, "app", &[amd.clone(), arm], &["nightly"]);
    let (code, doc, _) = run(
        home.path(),
        &["apply", plan.to_str().unwrap(), "--yes", "--json"],
    );
    assert_eq!(code, Some(1), "{doc}");
    let reasons = skipped(&doc["results"]).join("\n");
    assert!(reasons.contains("nightly now points at"), "{reasons}");
    assert!(reasons.contains("is listed by the index"), "{reasons}");
    assert_eq!(
        digest_of(&f.registry, "app", &amd.manifest.digest).as_deref(),
        Some(amd.manifest.digest.as_str()),
        "the current nightly's amd64 image stays"
    );
}

/// Six dated images of `app`.
fn six_images(base: &str) {
    for n in 0..6u64 {
        let img = image_at(
            Style::Oci,
            "linux/amd64",
            vec![layer(40 + n, 500, OCI_LAYER)],
            &["x"],
            &format!("2024-0{}-01T00:00:00Z", n + 1),
        );
        push(base, "app", &img, &[&format!("1.{n}")]);
    }
}

#[test]
fn brakes_hold_the_plan_file_and_apply_enforces_them_again() {
    let f = fresh();
    six_images(&f.registry.url());
    let home = tempfile::tempdir().unwrap();
    let plan = home.path().join("plan.json");
    let repo = format!("{}/app", f.registry.host);
    let (code, _, err) = run(
        home.path(),
        &[
            "prune",
            &repo,
            "--keep-newest",
            "1",
            "--max-delete",
            "3",
            "--plan-out",
            plan.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains("more than --max-delete 3") && err.contains("no plan written"),
        "{err}"
    );
    assert!(!plan.exists(), "a plan its brakes refuse is not written");
    // Within the brakes it is written, with them; raised by hand, apply refuses it.
    let (code, _, err) = run(
        home.path(),
        &[
            "prune",
            &repo,
            "--keep-newest",
            "3",
            "--max-delete",
            "3",
            "--plan-out",
            plan.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    assert_eq!(doc["format"], "regscope-plan/1");
    assert_eq!(doc["brakes"]["max_delete"], 3);
    let extra = doc["repositories"][0]["keep"][0].clone();
    doc["repositories"][0]["delete"]
        .as_array_mut()
        .unwrap()
        .push(
            serde_json::json!({"digest": extra["digest"], "tags": [extra["tag"]],
            "created": null, "reasons": {}}),
        );
    std::fs::write(&plan, serde_json::to_vec(&doc).unwrap()).unwrap();
    let (code, _, err) = run(home.path(), &["apply", plan.to_str().unwrap(), "--yes"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("more than --max-delete 3"), "{err}");
    assert_eq!(common::tags_via_cli(&f.registry.host, "app").len(), 6);
    // A plan that records no brakes (an older regscope's) is refused, and so
    // is an unknown format: neither is guessed at.
    doc["brakes"] = serde_json::Value::Null;
    std::fs::write(&plan, serde_json::to_vec(&doc).unwrap()).unwrap();
    let (code, _, err) = run(home.path(), &["apply", plan.to_str().unwrap(), "--yes"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("must record its brakes"), "{err}");
    doc["format"] = "regscope-plan/9".into();
    std::fs::write(&plan, serde_json::to_vec(&doc).unwrap()).unwrap();
    let (code, _, err) = run(home.path(), &["apply", plan.to_str().unwrap(), "--yes"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("reads regscope-plan/1 only"), "{err}");
}

#[test]
fn max_delete_and_max_delete_percent_refuse_and_delete_nothing() {
    let f = fresh();
    six_images(&f.registry.url());
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/app", f.registry.host);
    for (flags, expected) in [
        (vec!["--max-delete", "2"], "more than --max-delete 2"),
        (
            vec!["--max-delete-percent", "50"],
            "more than --max-delete-percent 50",
        ),
    ] {
        let mut args = vec!["prune", repo.as_str(), "--keep-newest", "2", "--yes"];
        args.extend(flags);
        let (code, _, err) = run(home.path(), &args);
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains(expected), "{err}");
        assert_eq!(common::tags_via_cli(&f.registry.host, "app").len(), 6);
    }
    // Within both, the four oldest go.
    let (code, _, err) = run(
        home.path(),
        &[
            "prune",
            &repo,
            "--keep-newest",
            "2",
            "--max-delete",
            "4",
            "--max-delete-percent",
            "70",
            "--yes",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        common::tags_via_cli(&f.registry.host, "app"),
        ["1.4", "1.5"]
    );
}

#[test]
fn a_tag_list_cut_short_refuses_a_delete_by_digest() {
    let f = fresh();
    let base = f.registry.url();
    let one = app_image(20);
    push(&base, "app", &one, &["1.0"]);
    // Every page links to itself: the listing is incomplete.
    let proxy = common::proxy::start(
        &f.registry.host,
        Arc::new(|seen: &Seen| {
            seen.path.ends_with("/tags/list").then(|| {
                respond(
                    200,
                    &[
                        ("content-type", "application/json"),
                        ("link", "</v2/app/tags/list?last=1.0&n=1>; rel=\"next\""),
                    ],
                    r#"{"name":"app","tags":["1.0"]}"#,
                )
            })
        }),
    );
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/app:1.0", proxy.host());
    let (code, doc, err) = run(home.path(), &["rm", &image, "--yes", "--json"]);
    assert_ne!(code, Some(0), "{err}");
    let reasons = skipped(&doc["results"]).join("\n");
    assert!(reasons.contains("incomplete"), "{doc}\n{err}");
    assert_eq!(
        digest_of(&f.registry, "app", "1.0").as_deref(),
        Some(one.manifest.digest.as_str())
    );
}

#[test]
fn a_configured_max_age_never_answers_a_deletion_or_a_restore() {
    let f = fresh();
    let base = f.registry.url();
    push(&base, "app", &app_image(30), &["1.0"]);
    push(&base, "app", &app_image(31), &["1.1"]);
    let home = tempfile::tempdir().unwrap();
    common::write_config(home.path(), "[cache]\nmax_age = \"1h\"\n");
    let repo = format!("{}/app", f.registry.host);
    let (code, _, err) = run(home.path(), &["tags", &repo, "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, doc, err) = run(
        home.path(),
        &["rm", &format!("{repo}:1.1"), "--yes", "--json"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        digest_of(&f.registry, "app", "1.1"),
        None,
        "deleted for real"
    );
    let id = doc["results"][0]["trash_id"].as_str().unwrap();
    let (code, _, err) = run(home.path(), &["trash", "restore", id]);
    assert_eq!(code, Some(0), "{err}");
    assert!(digest_of(&f.registry, "app", "1.1").is_some(), "restored");
}

#[test]
fn an_index_that_lists_the_digest_by_the_moment_of_the_delete_keeps_it() {
    let f = fresh();
    let base = f.registry.url();
    let one = app_image(50);
    push(&base, "app", &one, &["1.0"]);
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/app:1.0", f.registry.host);
    let paused = Paused::start(home.path(), &["rm", &image, "--yes", "--json"]);
    paused.wait_paused(0);
    // Meanwhile someone pushes an index (tagged bundle) that lists it.
    push_index(&base, "app", std::slice::from_ref(&one), &["bundle"]);
    paused.go(0);
    let (code, doc, err) = paused.finish();
    assert_eq!(code, Some(1), "{err}");
    assert!(
        skipped(&doc["results"])
            .iter()
            .any(|r| r.contains("is listed by the index") && r.contains("bundle")),
        "{doc}"
    );
    assert!(digest_of(&f.registry, "app", &one.manifest.digest).is_some());
}

#[test]
fn a_signature_tagged_by_the_moment_of_its_delete_stays() {
    let f = fresh();
    let base = f.registry.url();
    let app = app_image(60);
    push(&base, "app", &app, &["1.0"]);
    let sig = signature(61);
    push(&base, "app", &sig, &[&sig_tag(&app.manifest.digest)]);
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/app:1.0", f.registry.host);
    let paused = Paused::start(home.path(), &["rm", &image, "--yes", "--json"]);
    paused.wait_paused(0);
    paused.go(0);
    paused.wait_paused(1);
    // Between the subject's delete and its signature's: a tag a user relies on.
    push(&base, "app", &sig, &["keep-me"]);
    paused.go(1);
    let (code, doc, err) = paused.finish();
    assert_eq!(code, Some(1), "{err}");
    let reasons = skipped(&doc["results"]).join("\n");
    assert!(
        reasons.contains("keep-me"),
        "the signature now carries an unconfirmed tag: {doc}"
    );
    assert_eq!(digest_of(&f.registry, "app", "1.0"), None);
    assert_eq!(
        digest_of(&f.registry, "app", "keep-me").as_deref(),
        Some(sig.manifest.digest.as_str())
    );
}

#[test]
fn a_second_ctrl_c_ends_at_once() {
    let f = fresh();
    let base = f.registry.url();
    push(&base, "app", &app_image(70), &["1.0"]);
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/app:1.0", f.registry.host);
    let paused = Paused::start(home.path(), &["rm", &image, "--yes"]);
    paused.wait_paused(0);
    let pid = paused.child.id().to_string();
    let interrupt = || {
        let status = std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap();
        assert!(status.success());
    };
    interrupt();
    std::thread::sleep(std::time::Duration::from_millis(300));
    interrupt();
    let started = std::time::Instant::now();
    let (code, _, err) = paused.finish();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "ended at once"
    );
    assert_eq!(code, Some(130), "{err}");
    assert!(
        digest_of(&f.registry, "app", "1.0").is_some(),
        "nothing deleted"
    );
}

/// `app:running` (an index whose amd64 child runs somewhere), `app:old`.
fn protected_fixture(base: &str) -> (String, String, common::fixtures::Image) {
    let child = image_at(
        Style::Oci,
        "linux/amd64",
        vec![layer(80, 700, OCI_LAYER)],
        &["x"],
        "2023-01-01T00:00:00Z",
    );
    let index = common::fixtures::index(Style::Oci, std::slice::from_ref(&child), None);
    push_index(base, "app", std::slice::from_ref(&child), &["running"]);
    let old = image_at(
        Style::Oci,
        "linux/amd64",
        vec![layer(81, 700, OCI_LAYER)],
        &["x"],
        "2023-01-01T00:00:00Z",
    );
    push(base, "app", &old, &["old"]);
    (index.digest, child.manifest.digest.clone(), old)
}

#[test]
fn protected_images_stay_through_rm_prune_and_a_failing_protect_command() {
    let f = fresh();
    let host = f.registry.host.clone();
    let (index, child, old) = protected_fixture(&f.registry.url());
    let home = tempfile::tempdir().unwrap();
    // kubectl's image IDs of running containers.
    let list = home.path().join("running.txt");
    std::fs::write(&list, format!("docker-pullable://{host}/app@{child}\n")).unwrap();
    let running = format!("{host}/app:running");
    let (code, doc, err) = run(
        home.path(),
        &[
            "rm",
            &running,
            "--yes",
            "--json",
            "--protect",
            list.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "nothing to delete is no failure: {err}");
    assert_eq!(doc["plan"], serde_json::json!([]), "{doc}");
    assert_eq!(
        doc["kept"][0]["reason"], "kept: protected (running)",
        "{doc}"
    );
    assert_eq!(
        doc["kept"][0]["tags"],
        serde_json::json!(["running"]),
        "{doc}"
    );
    assert_eq!(
        digest_of(&f.registry, "app", "running"),
        Some(index.clone())
    );
    // prune keeps the protected index (and so its child) and takes the rest.
    let (code, doc, err) = run(
        home.path(),
        &[
            "prune",
            &format!("{host}/app"),
            "--older-than",
            "1d",
            "--max-delete-percent",
            "100",
            "--yes",
            "--json",
            "--protect",
            list.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let kept: Vec<&Value> = doc["repositories"][0]["keep"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert!(
        kept.iter()
            .any(|k| k["tag"] == "running" && k["reason"] == "kept: protected (running)"),
        "{doc}"
    );
    assert_eq!(digest_of(&f.registry, "app", "old"), None, "{doc}");
    assert_eq!(
        digest_of(&f.registry, "app", "running"),
        Some(index.clone())
    );
    // A protect command that fails: every deleting command refuses.
    push(&f.registry.url(), "app", &old, &["old"]);
    common::write_config(
        home.path(),
        "[protect]\ncommand = \"echo cluster unreachable >&2; exit 3\"\n",
    );
    let (code, _, err) = run(home.path(), &["rm", &format!("{host}/app:old"), "--yes"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("the protect command failed") && err.contains("cluster unreachable"),
        "{err}"
    );
    assert!(digest_of(&f.registry, "app", "old").is_some());
    // A protect command printing what kubectl prints protects like the file.
    let script = home.path().join("running.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho 'docker-pullable://{host}/app@{}'\n",
            old.manifest.digest
        ),
    )
    .unwrap();
    common::write_config(
        home.path(),
        &format!("[protect]\ncommand = \"sh {}\"\n", script.display()),
    );
    let old_ref = format!("{host}/app:old");
    let (code, doc, err) = run(home.path(), &["rm", &old_ref, "--yes", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        doc["kept"][0]["reason"], "kept: protected (running)",
        "{doc}"
    );
    assert!(
        digest_of(&f.registry, "app", "old").is_some(),
        "protected by the command"
    );
}

#[test]
fn signatures_kept_in_another_repository_are_not_orphans_registry_wide() {
    let f = fresh();
    let base = f.registry.url();
    let app = app_image(90);
    push(&base, "app", &app, &["1.0"]);
    // cosign with COSIGN_REPOSITORY=REG/sigs: the signature lives apart.
    let sig = signature(91);
    push(&base, "sigs", &sig, &[&sig_tag(&app.manifest.digest)]);
    let home = tempfile::tempdir().unwrap();
    let (code, doc, err) = run(
        home.path(),
        &[
            "check",
            &f.registry.host,
            "--prune-orphans",
            "--yes",
            "--json",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(doc["problems"], serde_json::json!([]), "{doc}");
    assert_eq!(
        digest_of(&f.registry, "sigs", &sig_tag(&app.manifest.digest)).as_deref(),
        Some(sig.manifest.digest.as_str())
    );
}

#[test]
fn a_tag_delete_leaves_the_subject_so_its_signature_stays() {
    let f = fresh();
    let base = f.registry.url();
    let app = app_image(95);
    push(&base, "app", &app, &["v1", "latest"]);
    let sig = signature(96);
    push(&base, "app", &sig, &[&sig_tag(&app.manifest.digest)]);
    // A registry that deletes by tag (OCI 1.1): `v1` goes, the manifest stays
    // under `latest` (here the proxy answers the tag DELETE and keeps all).
    let proxy = common::proxy::start(
        &f.registry.host,
        Arc::new(|seen: &Seen| {
            (seen.method == axum::http::Method::DELETE
                && seen.path.contains("/manifests/")
                && !seen.path.contains("sha256:"))
            .then(|| respond(202, &[], ""))
        }),
    );
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/app:v1", proxy.host());
    let (_, doc, err) = run(home.path(), &["rm", &image, "--yes", "--json"]);
    let outcomes = common::outcomes(&doc);
    assert_eq!(outcomes.first(), Some(&"deleted"), "{doc}\n{err}");
    assert!(
        skipped(&doc["results"])
            .iter()
            .any(|r| r.contains("still there")),
        "{doc}"
    );
    assert_eq!(
        digest_of(&f.registry, "app", &sig_tag(&app.manifest.digest)).as_deref(),
        Some(sig.manifest.digest.as_str()),
        "the signature of an image that stays stays"
    );
}
