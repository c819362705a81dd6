//! `regscope prune` on a real registry seeded with tag families of known
//! created dates: each rule gives exactly the expected keep/delete sets, the
//! brake holds, and applying deletes just the plan.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, image_at, layer};
use common::registry::{RegistryConfig, TestRegistry};
use std::collections::BTreeSet;

/// Tags, the created date of their image, and which share a digest.
const FAMILIES: [(&[&str], &str); 7] = [
    (&["v1.0.0"], "2024-01-01T00:00:00Z"),
    (&["v1.1.0"], "2024-02-01T00:00:00Z"),
    (&["main-1"], "2024-03-01T00:00:00Z"),
    (&["main-2"], "2024-04-01T00:00:00Z"),
    (&["main-3", "latest"], "2024-05-01T00:00:00Z"),
    (&["pr-1"], "2023-06-01T00:00:00Z"),
    (&["pr-2"], "2024-05-02T00:00:00Z"),
];

struct Seeded {
    registry: TestRegistry,
    _storage: tempfile::TempDir,
    pr1_signature: String,
}

fn seed() -> Seeded {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let base = registry.url();
    let pr1_signature = common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let mut fx = Fixtures::default();
        let mut pr1 = String::new();
        for (n, (tags, created)) in FAMILIES.iter().enumerate() {
            let seed = u64::try_from(n).unwrap() + 10;
            let img = image_at(
                Style::Oci,
                "linux/amd64",
                vec![layer(seed, 300, OCI_LAYER)],
                &["COPY x /"],
                created,
            );
            pusher.image("ret", &img, tags, &mut fx).await;
            if tags[0] == "pr-1" {
                pr1 = img.manifest.digest.clone();
            }
        }
        // A cosign-style signature of pr-1 (its payload is simple signing).
        let sig = image_at(
            Style::Oci,
            "linux/amd64",
            vec![layer(
                99,
                50,
                "application/vnd.dev.cosign.simplesigning.v1+json",
            )],
            &["sig"],
            "2023-06-01T00:00:00Z",
        );
        let tag = format!("sha256-{}.sig", pr1.trim_start_matches("sha256:"));
        pusher.image("ret", &sig, &[&tag], &mut fx).await;
        tag
    });
    Seeded {
        registry,
        _storage: storage,
        pr1_signature,
    }
}

fn plan(home: &std::path::Path, repo: &str, rules: &[&str]) -> serde_json::Value {
    let mut args = vec!["prune", repo, "--dry-run", "--json"];
    args.extend_from_slice(rules);
    common::run_json(home, &args)
}

fn deleted(doc: &serde_json::Value) -> BTreeSet<String> {
    doc["repositories"][0]["delete"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| {
            d["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
        })
        .collect()
}

fn set(tags: &[&str]) -> BTreeSet<String> {
    tags.iter().map(|t| t.to_string()).collect()
}

#[test]
fn each_rule_and_their_combination_give_the_expected_sets() {
    let seeded = seed();
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/ret", seeded.registry.host);
    let sig = seeded.pr1_signature.as_str();

    let newest = plan(home.path(), &repo, &["--keep-newest", "2"]);
    assert_eq!(
        deleted(&newest),
        set(&["v1.0.0", "v1.1.0", "main-1", "main-2", "pr-1", sig]),
        "pr-2 and main-3 (with latest) are the two newest; pr-1's signature goes with it"
    );
    assert_eq!(newest["format"], "regscope-plan/1");
    assert_eq!(newest["source"], seeded.registry.host.as_str());

    let prs = plan(
        home.path(),
        &repo,
        &["--only", "^pr-", "--older-than", "90d"],
    );
    assert_eq!(deleted(&prs), set(&["pr-1", "pr-2", sig]));
    let reasons = &prs["repositories"][0]["delete"][0]["reasons"];
    assert!(
        reasons
            .as_object()
            .unwrap()
            .values()
            .any(|r| r.as_str().unwrap().contains("older than 90d"))
    );

    let releases_stay = plan(
        home.path(),
        &repo,
        &[
            "--keep",
            r"^v\d+\.\d+\.\d+$",
            "--older-than",
            "365d",
            "--keep",
            "^latest$",
        ],
    );
    assert_eq!(
        deleted(&releases_stay),
        set(&["main-1", "main-2", "pr-1", "pr-2", sig]),
        "releases kept; main-3 stays because latest (kept) shares its digest"
    );
    let keep = releases_stay["repositories"][0]["keep"].as_array().unwrap();
    let main3 = keep.iter().find(|k| k["tag"] == "main-3").unwrap();
    assert_eq!(main3["reason"], "kept: shares a digest with latest");
    assert_eq!(
        common::tags_via_cli(&seeded.registry.host, "ret").len(),
        9,
        "dry runs delete nothing"
    );
}

#[test]
fn the_brake_holds_and_applying_deletes_just_the_plan() {
    let seeded = seed();
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/ret", seeded.registry.host);
    let out = common::regscope(home.path())
        .args(["prune", &repo, "--keep-newest", "1", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-delete-percent 80"));
    assert_eq!(
        common::tags_via_cli(&seeded.registry.host, "ret").len(),
        9,
        "the brake deleted nothing"
    );

    let out = common::regscope(home.path())
        .args([
            "prune",
            &repo,
            "--only",
            "^pr-",
            "--older-than",
            "90d",
            "--yes",
            "--json",
        ])
        .output()
        .unwrap();
    let doc = common::success_json(&out);
    assert_eq!(
        common::outcomes(&doc),
        ["deleted", "deleted", "deleted"],
        "{doc}"
    );
    let left = common::tags_via_cli(&seeded.registry.host, "ret");
    assert_eq!(
        left,
        ["latest", "main-1", "main-2", "main-3", "v1.0.0", "v1.1.0"]
    );

    let refused = common::regscope(home.path())
        .args(["prune", &repo, "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "no rule is a usage error");
}

#[test]
fn a_written_plan_is_applied_with_every_tag_rechecked_and_refused_when_stale() {
    let seeded = seed();
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/ret", seeded.registry.host);
    let file = home.path().join("plan.json");
    let out = common::regscope(home.path())
        .args([
            "prune",
            &repo,
            "--only",
            "^pr-",
            "--older-than",
            "90d",
            "--plan-out",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        common::tags_via_cli(&seeded.registry.host, "ret").len(),
        9,
        "writing a plan deletes nothing"
    );
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(written["expires"].as_str().unwrap() > written["created"].as_str().unwrap());

    // pr-2 moves to another image after the plan was written.
    let base = seeded.registry.url();
    common::block_on_thread(async move {
        let other = image_at(
            Style::Oci,
            "linux/amd64",
            vec![layer(77, 40, OCI_LAYER)],
            &["moved"],
            "2024-06-01T00:00:00Z",
        );
        let pusher = Pusher::new(&base);
        pusher
            .image("ret", &other, &["pr-2"], &mut Fixtures::default())
            .await;
    });
    let applied = common::regscope(home.path())
        .args(["apply", "--yes", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        applied.status.code(),
        Some(1),
        "one deletion did not happen"
    );
    let doc: serde_json::Value = serde_json::from_slice(&applied.stdout).unwrap();
    let skipped: Vec<&serde_json::Value> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{doc}");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("pr-2 now points at")
    );
    let left = common::tags_via_cli(&seeded.registry.host, "ret");
    assert!(
        left.contains(&"pr-2".to_string()) && !left.contains(&"pr-1".to_string()),
        "{left:?}"
    );

    // A changed copy of the plan is refused with exit 2 and `message`.
    let refused = |field: &str, value: &str, message: &str| {
        let mut changed = written.clone();
        changed[field] = serde_json::json!(value);
        std::fs::write(&file, serde_json::to_vec(&changed).unwrap()).unwrap();
        let out = common::regscope(home.path())
            .args(["apply", "--yes"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{field}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(message),
            "{field}"
        );
    };
    refused("expires", "2020-01-01T00:00:00Z", "expired");
    refused(
        "source",
        "mirror.example:5000",
        "was made on mirror.example:5000",
    );
}

/// team/a and team/b share one layer; other/c holds team/b's image again.
struct Teams {
    registry: TestRegistry,
    storage: tempfile::TempDir,
    a: common::fixtures::Image,
    b: common::fixtures::Image,
    shared: common::fixtures::Blob,
}

fn seed_teams() -> Teams {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let base = registry.url();
    let (a, b, shared) = common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let shared = layer(1, 1000, OCI_LAYER);
        let a = image_at(
            Style::Oci,
            "linux/amd64",
            vec![shared.clone(), layer(2, 200, OCI_LAYER)],
            &["a", "b"],
            "2024-01-01T00:00:00Z",
        );
        let b = image_at(
            Style::Oci,
            "linux/amd64",
            vec![shared.clone(), layer(3, 300, OCI_LAYER)],
            &["a", "b"],
            "2024-01-01T00:00:00Z",
        );
        let mut fx = Fixtures::default();
        pusher.image("team/a", &a, &["1"], &mut fx).await;
        pusher.image("team/b", &b, &["1"], &mut fx).await;
        pusher.image("other/c", &b, &["1"], &mut fx).await;
        (a, b, shared)
    });
    Teams {
        registry,
        storage,
        a,
        b,
        shared,
    }
}

/// The bytes only `image` holds: its manifest, config and second layer.
fn own(image: &common::fixtures::Image) -> u64 {
    image.manifest.size() + image.config.size() + image.layers[1].size()
}

/// `prune HOST/team/a` deleting everything, as a plan (`--dry-run`) or for real.
fn prune_team_a(home: &std::path::Path, host: &str, extra: &[&str]) -> serde_json::Value {
    let repo = format!("{host}/team/a");
    let mut args = vec![
        "prune",
        &repo,
        "--older-than",
        "1d",
        "--max-delete-percent",
        "100",
        "--json",
    ];
    args.extend_from_slice(extra);
    common::run_json(home, &args)
}

#[test]
fn du_of_a_registry_counts_shared_blobs_once() {
    let Teams {
        registry,
        storage: _storage,
        a,
        b,
        shared,
    } = seed_teams();
    let home = tempfile::tempdir().unwrap();
    let doc = common::run_json(
        home.path(),
        &["du", &registry.host, "--repos", "team/*", "--json"],
    );
    let rows = doc["repositories"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "the glob keeps team/a and team/b: {doc}");
    let row = |name: &str| rows.iter().find(|r| r["repository"] == name).unwrap();
    assert_eq!(row("team/a")["unique_bytes"], own(&a) + shared.size());
    assert_eq!(row("team/a")["exclusive_bytes"], own(&a));
    assert_eq!(row("team/b")["exclusive_bytes"], own(&b));
    assert_eq!(doc["total_unique_bytes"], own(&a) + own(&b) + shared.size());
    let all = common::run_json(home.path(), &["du", &registry.host, "--json"]);
    let b_row = all["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["repository"] == "team/b")
        .unwrap();
    assert_eq!(b_row["exclusive_bytes"], 0, "other/c holds the same image");

    // Pruning team/a: the shared layer stays for team/b, which only --exact knows.
    let prune = |exact: bool| {
        let flags: &[&str] = if exact {
            &["--dry-run", "--exact"]
        } else {
            &["--dry-run"]
        };
        prune_team_a(home.path(), &registry.host, flags)
    };
    let bound = prune(false);
    assert_eq!(bound["exact"], false);
    assert_eq!(
        bound["bytes_freed"],
        own(&a) + shared.size(),
        "an upper bound"
    );
    let exact = prune(true);
    assert_eq!(exact["exact"], true);
    assert_eq!(exact["bytes_freed"], own(&a), "registry-wide");
    assert_eq!(exact["repositories"][0]["bytes_freed"], own(&a));
}

#[test]
fn prune_over_a_registry_by_glob_and_by_configured_policy() {
    let seeded = seed();
    let base = seeded.registry.url();
    common::block_on_thread(async move {
        let img = image_at(
            Style::Oci,
            "linux/amd64",
            vec![layer(55, 100, OCI_LAYER)],
            &["x"],
            "2023-01-01T00:00:00Z",
        );
        Pusher::new(&base)
            .image("other/x", &img, &["pr-9"], &mut Fixtures::default())
            .await;
    });
    let home = tempfile::tempdir().unwrap();
    let host = seeded.registry.host.as_str();
    let sig = seeded.pr1_signature.as_str();
    let by_glob = common::run_json(
        home.path(),
        &[
            "prune",
            host,
            "--repos",
            "ret",
            "--only",
            "^pr-",
            "--older-than",
            "90d",
            "--dry-run",
            "--json",
        ],
    );
    assert_eq!(
        by_glob["repositories"].as_array().unwrap().len(),
        1,
        "other/x is outside the glob"
    );
    assert_eq!(deleted(&by_glob), set(&["pr-1", "pr-2", sig]));
    let everything = common::run_json(
        home.path(),
        &[
            "prune",
            host,
            "--repos",
            "**",
            "--only",
            "^pr-",
            "--older-than",
            "90d",
            "--dry-run",
            "--json",
            "--max-delete-percent",
            "100",
        ],
    );
    assert_eq!(everything["repositories"].as_array().unwrap().len(), 2);

    common::write_config(
        home.path(),
        "[[policy]]\nrepos = \"other/*\"\nonly = \"^pr-\"\nolder_than = \"90d\"\n",
    );
    let braked = common::regscope(home.path())
        .args(["prune", host, "--policy", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(
        braked.status.code(),
        Some(1),
        "all of other/x would go: the default brake holds"
    );
    let policy = common::run_json(
        home.path(),
        &[
            "prune",
            host,
            "--policy",
            "--dry-run",
            "--json",
            "--max-delete-percent",
            "100",
        ],
    );
    let repos = policy["repositories"].as_array().unwrap();
    assert_eq!(repos.len(), 1);
    assert!(
        repos[0]["repository"]
            .as_str()
            .unwrap()
            .ends_with("other/x")
    );
    assert_eq!(deleted(&policy), set(&["pr-9"]));
    let bare = common::regscope(home.path())
        .args(["prune", host, "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(
        bare.status.code(),
        Some(2),
        "a registry needs --repos or --policy"
    );
}

#[test]
fn garbage_collect_frees_exactly_the_bytes_the_exact_plan_promised() {
    let teams = seed_teams();
    let host = teams.registry.host.clone();
    let home = tempfile::tempdir().unwrap();
    let promised = prune_team_a(home.path(), &host, &["--dry-run", "--exact"]);
    assert_eq!(promised["bytes_freed"], own(&teams.a));

    let before = common::registry::stored_blob_bytes(teams.storage.path());
    prune_team_a(home.path(), &host, &["--exact", "--yes"]);
    assert!(
        common::tags_via_cli(&host, "team/a").is_empty(),
        "the plan deleted team/a's tag"
    );
    assert_eq!(
        common::registry::stored_blob_bytes(teams.storage.path()),
        before,
        "a registry frees nothing before its garbage collection"
    );
    teams.registry.garbage_collect();
    let after = common::registry::stored_blob_bytes(teams.storage.path());
    assert_eq!(
        before - after,
        own(&teams.a),
        "garbage-collect freed what the plan said (team/b keeps the shared layer)"
    );
    assert!(after >= own(&teams.b) + teams.shared.size());
}
