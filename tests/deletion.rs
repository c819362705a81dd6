//! `du` and `rm` against real registries: figures equal to what the fixtures pushed,
//! deletions that really happen, the re-check before DELETE, refusals, and restore.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{Expected, Pusher, SMALL, seed};
use common::registry::{Auth, RegistryConfig, TestRegistry};
use common::token_server::{ISSUER, SERVICE, TokenServer};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

fn run(home: &Path, args: &[&str]) -> std::process::Output {
    common::regscope(home).args(args).output().unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Objects (digest → size) each tag's manifest keeps alive, from the pushed fixtures.
fn expected_objects(e: &Expected) -> BTreeMap<String, u64> {
    let mut objects = BTreeMap::new();
    let top_size = if e.images.len() == 1 && e.images[0].0.manifest.digest == e.digest {
        e.images[0].0.manifest.size()
    } else {
        common::fixtures::index(
            if e.media_type.contains("docker") {
                common::fixtures::Style::Docker
            } else {
                common::fixtures::Style::Oci
            },
            &e.images
                .iter()
                .filter(|(_, a)| !a)
                .map(|(i, _)| i.clone())
                .collect::<Vec<_>>(),
            e.images.iter().find(|(_, a)| *a).map(|(i, _)| i),
        )
        .size()
    };
    objects.insert(e.digest.clone(), top_size);
    for (image, _) in &e.images {
        objects.insert(image.manifest.digest.clone(), image.manifest.size());
        objects.insert(image.config.digest.clone(), image.config.size());
        for layer in &image.layers {
            objects.insert(layer.digest.clone(), layer.size());
        }
    }
    objects
}

#[test]
fn du_figures_equal_the_pushed_fixtures() {
    let home = tempfile::tempdir().unwrap();
    for repo in ["app", "multi", "multi-docker", "docker/legacy"] {
        let doc = common::run_json(
            home.path(),
            &["du", &format!("{}/{repo}", SMALL.registry.host), "--json"],
        );
        let tags: Vec<(&String, &Expected)> = SMALL
            .fixtures
            .tags
            .iter()
            .filter(|(k, _)| k.rsplit_once(':').unwrap().0 == repo)
            .collect();
        let per_digest: HashMap<&str, BTreeMap<String, u64>> = tags
            .iter()
            .map(|(_, e)| (e.digest.as_str(), expected_objects(e)))
            .collect();
        let mut users: HashMap<&String, usize> = HashMap::new();
        for objects in per_digest.values() {
            for o in objects.keys() {
                *users.entry(o).or_default() += 1;
            }
        }
        let unique: BTreeMap<&String, u64> = per_digest
            .values()
            .flat_map(|o| o.iter())
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .map(|(k, v)| (k, *v))
            .collect();
        assert_eq!(
            doc["total_unique_bytes"],
            unique.values().sum::<u64>(),
            "{repo}"
        );
        let rows = doc["tags"].as_array().unwrap();
        assert_eq!(rows.len(), tags.len(), "{repo}");
        for (name, e) in &tags {
            let tag = name.rsplit_once(':').unwrap().1;
            let row = rows.iter().find(|r| r["tag"] == tag).unwrap();
            let objects = &per_digest[e.digest.as_str()];
            let stored: u64 = objects.values().sum();
            let exclusive: u64 = objects
                .iter()
                .filter(|(o, _)| users[o] == 1)
                .map(|(_, s)| s)
                .sum();
            let size: u64 = e
                .images
                .iter()
                .filter(|(_, a)| !a)
                .map(|(i, _)| i.size())
                .sum();
            assert_eq!(row["digest"], e.digest.as_str());
            assert_eq!(row["size"], size, "{name}");
            assert_eq!(row["stored_bytes"], stored, "{name}");
            assert_eq!(row["exclusive_bytes"], exclusive, "{name}");
            assert_eq!(row["shared_bytes"], stored - exclusive, "{name}");
        }
    }
}

#[test]
fn rm_deletes_the_digest_with_every_sibling_tag_and_restore_brings_them_back() {
    let seeded = seed(false);
    let home = tempfile::tempdir().unwrap();
    let host = &seeded.registry.host;
    let digest = seeded.fixtures.tags["app:1.0"].digest.clone();
    assert_eq!(
        common::tags_via_cli(&seeded.registry.host, "app"),
        ["1.0", "1.1", "latest"]
    );
    let dry = common::run_json(
        home.path(),
        &["rm", &format!("{host}/app:1.0"), "--dry-run", "--json"],
    );
    assert_eq!(
        dry["plan"][0]["tags"],
        serde_json::json!(["1.0", "latest"]),
        "the sibling is listed before"
    );
    assert_eq!(dry["plan"][0]["digest"], digest.as_str());
    assert_eq!(
        common::tags_via_cli(&seeded.registry.host, "app").len(),
        3,
        "a dry run deletes nothing"
    );

    let done = common::run_json(
        home.path(),
        &["rm", &format!("{host}/app:1.0"), "--yes", "--json"],
    );
    assert_eq!(done["results"][0]["outcome"], "deleted");
    assert_eq!(
        done["results"][0]["method"], "digest",
        "Distribution refuses tag deletes"
    );
    assert_eq!(
        common::tags_via_cli(&seeded.registry.host, "app"),
        ["1.1"],
        "the sibling is gone after"
    );
    assert_eq!(
        seeded
            .registry
            .head_status(&format!("app/manifests/{digest}")),
        404
    );

    let id = done["results"][0]["trash_id"].as_str().unwrap().to_string();
    let listed = common::run_json(home.path(), &["trash", "list", "--json"]);
    assert_eq!(listed["entries"][0]["id"], id.as_str());
    let restored = run(home.path(), &["trash", "restore", &id]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert_eq!(
        common::tags_via_cli(&seeded.registry.host, "app"),
        ["1.0", "1.1", "latest"]
    );
    let inspect = common::run_json(
        home.path(),
        &["inspect", &format!("{host}/app:latest"), "--json"],
    );
    assert_eq!(
        inspect["digest"],
        digest.as_str(),
        "restored with the same digest"
    );
}

#[test]
fn an_index_goes_with_its_children_unless_asked_and_restore_brings_the_whole_image_back() {
    let seeded = seed(false);
    let home = tempfile::tempdir().unwrap();
    let e = &seeded.fixtures.tags["multi:1.0"];
    let image = format!("{}/multi@{}", seeded.registry.host, e.digest);
    let status = |digest: &str| {
        seeded
            .registry
            .head_status(&format!("multi/manifests/{digest}"))
    };
    // --keep-children: the index goes, its children stay (untagged).
    let kept = common::run_json(
        home.path(),
        &["rm", &image, "--yes", "--json", "--keep-children"],
    );
    assert_eq!(common::outcomes(&kept), ["deleted"], "{kept}");
    assert_eq!(status(&e.digest), 404);
    for (child, _) in &e.images {
        assert_eq!(status(&child.manifest.digest), 200);
    }
    assert!(
        kept["freed_after_gc_delete_untagged"].as_u64().unwrap()
            > kept["freed_after_gc"].as_u64().unwrap(),
        "{kept}"
    );
    let id = kept["results"][0]["trash_id"].as_str().unwrap().to_string();
    common::run_json(home.path(), &["trash", "restore", &id, "--json"]);
    assert_eq!(status(&e.digest), 200);
    // By default its platform and attestation manifests go after it, each kept
    // in the trash, and restoring the index brings them back first.
    let gone = common::run_json(home.path(), &["rm", &image, "--yes", "--json"]);
    let children: Vec<&Value> = gone["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["child_of"] == e.digest.as_str())
        .collect();
    assert_eq!(children.len(), e.images.len(), "{gone}");
    assert!(
        common::outcomes(&gone).iter().all(|o| *o == "deleted"),
        "{gone}"
    );
    assert_eq!(status(&e.digest), 404);
    for (child, _) in &e.images {
        assert_eq!(status(&child.manifest.digest), 404);
    }
    let id = gone["results"][0]["trash_id"].as_str().unwrap().to_string();
    let restored = common::run_json(home.path(), &["trash", "restore", &id, "--json"]);
    assert_eq!(
        restored["children"].as_array().unwrap().len(),
        e.images.len(),
        "{restored}"
    );
    assert_eq!(status(&e.digest), 200);
    for (child, _) in &e.images {
        assert_eq!(status(&child.manifest.digest), 200);
    }
}

#[test]
fn a_tag_pushed_elsewhere_after_planning_is_not_deleted() {
    let seeded = seed(false);
    let base = seeded.registry.url();
    let host = seeded.registry.host.clone();
    let v11 = seeded.fixtures.tags["app:1.1"].clone();
    let old = seeded.fixtures.tags["app:1.0"].digest.clone();
    common::block_on_thread(async move {
        use regscope::ops::delete::{ExecuteOptions, Outcome, Requested, execute, plan};
        let client = regscope::registry::RegistryClient::connect(
            &host,
            Default::default(),
            Default::default(),
        )
        .await
        .unwrap();
        let source = regscope::store::CachedSource::in_memory(regscope::source::Source::Registry(
            std::sync::Arc::new(client),
        ));
        let protected = regscope::model::protect::Protected::default();
        let planned = plan(
            &source,
            "app",
            &[Requested::Tag("latest".into())],
            &plan_options(&protected),
        )
        .await
        .unwrap();
        assert_eq!(planned.groups[0].digest.to_string(), old);
        // Someone pushes `latest` to another image between the confirmation and the DELETE.
        Pusher::new(&base)
            .manifest("app", "latest", &v11.images[0].0.manifest)
            .await;
        let options = ExecuteOptions {
            trash: None,
            forced: Default::default(),
            concurrency: 4,
            protected: &Default::default(),
        };
        let outcome = execute(&source, &planned.groups[0], &options, &Default::default()).await;
        assert!(
            matches!(&outcome, Outcome::Skipped { reason } if reason.contains("now points at")),
            "{outcome:?}"
        );
    });
    assert_eq!(
        common::tags_via_cli(&seeded.registry.host, "app"),
        ["1.0", "1.1", "latest"],
        "nothing was deleted"
    );
}

/// How the library tests plan: referrers along, children along, nothing protected.
fn plan_options(
    protected: &regscope::model::protect::Protected,
) -> regscope::ops::delete::PlanOptions<'_> {
    regscope::ops::delete::PlanOptions {
        concurrency: 4,
        referrers: true,
        keep_children: false,
        protected,
    }
}

#[test]
fn refusals_are_clear() {
    let seeded = seed(false);
    let home = tempfile::tempdir().unwrap();
    let host = &seeded.registry.host;
    // Not a terminal and no --yes.
    let out = common::regscope(home.path())
        .args(["rm", &format!("{host}/app:1.1")])
        .write_stdin("y\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    // No tag named.
    let out = run(home.path(), &["rm", &format!("{host}/app"), "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    // Already gone.
    let missing = format!("{host}/app@sha256:{}", "0".repeat(64));
    let out = run(home.path(), &["rm", &missing, "--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("not found"), "{}", stderr(&out));
    assert_eq!(common::tags_via_cli(&seeded.registry.host, "app").len(), 3);

    // Deletion disabled on the registry.
    let readonly = TestRegistry::start(RegistryConfig {
        delete_enabled: false,
        ..RegistryConfig::anonymous(seeded.storage.path())
    });
    let out = run(
        home.path(),
        &["rm", &format!("{}/app:1.1", readonly.host), "--yes"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("storage.delete.enabled"),
        "{}",
        stderr(&out)
    );

    // A token without the delete action.
    let tokens = TokenServer::start(&[("reader", "reader-pass", &["pull"])]);
    let token_registry = TestRegistry::start(RegistryConfig {
        auth: Auth::Token {
            realm: tokens.realm.clone(),
            service: SERVICE.into(),
            issuer: ISSUER.into(),
            root_cert: tokens.cert_path.clone(),
        },
        ..RegistryConfig::anonymous(seeded.storage.path())
    });
    let out = common::regscope(home.path())
        .args(["rm", &format!("{}/app:1.1", token_registry.host), "--yes"])
        .env("REGSCOPE_USERNAME", "reader")
        .env("REGSCOPE_REGISTRY", &token_registry.host)
        .env("REGSCOPE_PASSWORD", "reader-pass")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("do not grant delete"),
        "{}",
        stderr(&out)
    );
    assert!(
        tokens
            .requests()
            .iter()
            .any(|r| r.scopes == ["repository:app:delete"]),
        "asked for exactly the delete scope"
    );
    assert_eq!(common::tags_via_cli(&seeded.registry.host, "app").len(), 3);
}

fn connected(host: &str) -> regscope::store::CachedSource {
    let host = host.to_string();
    common::block_on_thread(async move {
        let client = regscope::registry::RegistryClient::connect(
            &host,
            Default::default(),
            Default::default(),
        )
        .await
        .unwrap();
        regscope::store::CachedSource::in_memory(regscope::source::Source::Registry(
            std::sync::Arc::new(client),
        ))
    })
}

#[test]
fn a_tag_added_to_the_digest_after_planning_keeps_the_digest() {
    use regscope::ops::delete::{ExecuteOptions, Outcome, Requested, execute, plan};
    let seeded = seed(false);
    let base = seeded.registry.url();
    let source = std::sync::Arc::new(connected(&seeded.registry.host));
    let v1 = seeded.fixtures.tags["app:1.0"].images[0].0.manifest.clone();
    let trash_dir = tempfile::tempdir().unwrap();
    let outcome = common::block_on_thread({
        let source = source.clone();
        async move {
            let protected = regscope::model::protect::Protected::default();
            let planned = plan(
                &source,
                "app",
                &[Requested::Tag("1.0".into())],
                &plan_options(&protected),
            )
            .await
            .unwrap();
            assert_eq!(planned.groups[0].tags, ["1.0", "latest"]);
            Pusher::new(&base).manifest("app", "hotfix", &v1).await;
            let trash = regscope::store::trash::Trash::new(trash_dir.path().join("trash"));
            let options = ExecuteOptions {
                trash: Some(&trash),
                forced: Default::default(),
                concurrency: 4,
                protected: &Default::default(),
            };
            execute(&source, &planned.groups[0], &options, &Default::default()).await
        }
    });
    assert!(
        matches!(&outcome, Outcome::Skipped { reason } if reason.contains("hotfix") && reason.contains("did not confirm")),
        "{outcome:?}"
    );
    assert_eq!(
        common::tags_via_cli(&seeded.registry.host, "app"),
        ["1.0", "1.1", "hotfix", "latest"],
        "nothing was deleted"
    );
}

#[test]
fn a_platform_manifest_of_an_index_is_refused_without_force() {
    let seeded = seed(false);
    let home = tempfile::tempdir().unwrap();
    let host = &seeded.registry.host;
    let index = seeded.fixtures.tags["multi:1.0"].digest.clone();
    let child = seeded.fixtures.tags["multi:1.0"].images[0]
        .0
        .manifest
        .digest
        .clone();
    let out = run(
        home.path(),
        &["rm", &format!("{host}/multi@{child}"), "--yes", "--json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["results"][0]["outcome"], "skipped");
    let part_of = doc["plan"][0]["part_of"][0].as_str().unwrap();
    assert!(
        part_of.starts_with(&index) && part_of.contains("1.0"),
        "{part_of}"
    );
    assert!(
        doc["results"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("--force"),
        "{doc}"
    );
    assert_eq!(
        seeded
            .registry
            .head_status(&format!("multi/manifests/{child}")),
        200
    );
    assert_eq!(
        seeded.registry.head_status("multi/manifests/1.0"),
        200,
        "the index still resolves"
    );

    let forced = run(
        home.path(),
        &[
            "rm",
            &format!("{host}/multi@{child}"),
            "--yes",
            "--force",
            "--json",
        ],
    );
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(
        seeded
            .registry
            .head_status(&format!("multi/manifests/{child}")),
        404
    );
}

#[test]
fn nothing_is_deleted_unless_the_trash_copy_is_written_or_declined() {
    let seeded = seed(false);
    let home = tempfile::tempdir().unwrap();
    let host = &seeded.registry.host;
    let unwritable = "/dev/null/state";
    let out = common::regscope(home.path())
        .args(["rm", &format!("{host}/app:1.1"), "--yes", "--json"])
        .env("XDG_STATE_HOME", unwritable)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["results"][0]["outcome"], "failed");
    assert!(
        doc["results"][0]["error"]
            .as_str()
            .unwrap()
            .contains("cannot save to the trash"),
        "{doc}"
    );
    assert_eq!(
        common::tags_via_cli(host, "app").len(),
        3,
        "nothing deleted"
    );
    let out = common::regscope(home.path())
        .args([
            "rm",
            &format!("{host}/app:1.1"),
            "--yes",
            "--no-trash",
            "--json",
        ])
        .env("XDG_STATE_HOME", unwritable)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["results"][0]["trash_id"], serde_json::Value::Null);
    assert_eq!(common::tags_via_cli(host, "app"), ["1.0", "latest"]);
}
