//! The second look: the store file keeps content by digest and each
//! repository's last tag snapshot; warm runs revalidate, `--max-age` and
//! `--offline` answer from it, and it stays sound under damage and company.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{Pusher, Seeded, seed};
use std::path::Path;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn du(home: &Path, repo: &str, extra: &[&str]) -> std::process::Output {
    common::regscope(home)
        .args(["du", repo, "--json"])
        .args(extra)
        .output()
        .unwrap()
}

fn row<'a>(doc: &'a serde_json::Value, tag: &str) -> &'a serde_json::Value {
    doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tag"] == tag)
        .unwrap()
}

#[test]
fn a_warm_du_sees_a_tag_pushed_to_another_digest() {
    let seeded = seed(false);
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/app", seeded.registry.host);
    let cold = common::success_json(&du(home.path(), &repo, &[]));
    assert!(cold.get("as_of").is_none(), "looked up now");
    let v10 = &seeded.fixtures.tags["app:1.0"];
    assert_ne!(row(&cold, "1.1")["digest"], v10.digest.as_str());
    let manifest = v10.images[0].0.manifest.clone();
    let base = seeded.registry.url();
    common::block_on_thread(
        async move { Pusher::new(&base).manifest("app", "1.1", &manifest).await },
    );
    let warm = common::success_json(&du(home.path(), &repo, &[]));
    assert_eq!(
        row(&warm, "1.1")["digest"],
        v10.digest.as_str(),
        "revalidated"
    );
    assert_eq!(row(&warm, "1.1")["size"], row(&warm, "1.0")["size"]);
    assert!(warm.get("as_of").is_none());
}

#[test]
fn offline_and_max_age_answer_from_the_store_with_the_registry_gone() {
    let Seeded {
        registry,
        fixtures,
        storage: _storage,
    } = seed(false);
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/app", registry.host);
    let live = common::success_json(&du(home.path(), &repo, &[]));
    drop(registry);
    for flags in [&["--offline"][..], &["--max-age", "1h"][..]] {
        let out = du(home.path(), &repo, flags);
        let stored = common::success_json(&out);
        assert_eq!(stored["tags"], live["tags"], "{flags:?}");
        assert!(stored["as_of"].is_string(), "says how old: {stored}");
        assert!(stderr(&out).contains("tags as of"), "{}", stderr(&out));
    }
    let tags = common::regscope(home.path())
        .args(["tags", &repo, "--offline", "--json"])
        .output()
        .unwrap();
    let doc = common::success_json(&tags);
    assert_eq!(doc["tags"], serde_json::json!(["1.0", "1.1", "latest"]));
    let unseen = du(home.path(), &repo.replace("/app", "/multi"), &["--offline"]);
    assert_eq!(unseen.status.code(), Some(3), "{}", stderr(&unseen));
    assert!(
        stderr(&unseen).contains("not cached"),
        "{}",
        stderr(&unseen)
    );
    assert!(fixtures.tags.contains_key("multi:1.0"));
}

#[test]
fn a_damaged_store_file_is_moved_aside_and_rebuilt() {
    let seeded = seed(false);
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/app", seeded.registry.host);
    common::success_json(&du(home.path(), &repo, &[]));
    let file = home.path().join("cache/regscope/regscope.db");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.truncate(bytes.len().min(1000));
    bytes[..16].copy_from_slice(b"not sqlite at al");
    std::fs::write(&file, bytes).unwrap();
    let _ = std::fs::remove_file(home.path().join("cache/regscope/regscope.db-wal"));
    let out = du(home.path(), &repo, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("moved it to"), "{}", stderr(&out));
    let again = du(home.path(), &repo, &["--offline"]);
    assert!(
        again.status.success(),
        "rebuilt and filled: {}",
        stderr(&again)
    );
}

#[test]
fn two_runs_at_once_leave_a_sound_store_within_its_bound() {
    let seeded = seed(false);
    let home = tempfile::tempdir().unwrap();
    common::write_config(home.path(), "[cache]\nmax_size = \"6kB\"\n");
    let host = seeded.registry.host.clone();
    let runs: Vec<_> = ["app", "multi"]
        .into_iter()
        .map(|repo| {
            let repo = format!("{host}/{repo}");
            std::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
                .env_clear()
                .env("HOME", home.path())
                .env("XDG_CONFIG_HOME", home.path().join("config"))
                .env("XDG_CACHE_HOME", home.path().join("cache"))
                .env("XDG_STATE_HOME", home.path().join("state"))
                .args(["du", &repo, "--json"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let stats = common::run_json(home.path(), &["cache", "stats", "--json"]);
    assert_eq!(
        stats["repositories"], 2,
        "both snapshots were written: {stats}"
    );
    assert!(stats["content_entries"].as_u64().unwrap() > 0);
    assert!(
        stats["content_bytes"].as_u64().unwrap() <= 6_000,
        "the bound holds: {stats}"
    );
    let pruned = common::run_json(home.path(), &["cache", "prune", "--json"]);
    assert_eq!(pruned["max_bytes"], 6_000);
    common::run_json(home.path(), &["cache", "clear", "--json"]);
    let cleared = common::run_json(home.path(), &["cache", "stats", "--json"]);
    assert_eq!(cleared["content_entries"], 0);
    assert_eq!(cleared["repositories"], 0);
}

#[test]
fn listed_tags_never_looked_up_are_named_offline_and_send_max_age_back_to_the_registry() {
    let seeded = seed(false);
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/app", seeded.registry.host);
    common::success_json(&du(home.path(), &repo, &[]));
    // What the browser leaves after a listing it resolved only part of.
    let file = home.path().join("cache/regscope/regscope.db");
    let (store, _) = regscope::store::db::Store::open(&file, 1 << 30);
    let store = store.unwrap();
    let listed = ["1.0", "1.1", "latest", "2.0-never-shown"].map(String::from);
    store.save_listing(&seeded.registry.host, "app", listed.to_vec());
    store.flush();
    drop(store);

    let out = du(home.path(), &repo, &["--offline"]);
    let doc = common::success_json(&out);
    assert_eq!(doc["not_cached"], serde_json::json!(["2.0-never-shown"]));
    assert_eq!(doc["tags"].as_array().unwrap().len(), 3, "{doc}");
    assert!(
        stderr(&out).contains("1 listed tags are not cached (never looked up): 2.0-never-shown"),
        "{}",
        stderr(&out)
    );
    // A young but incomplete snapshot is not trusted: the registry is asked.
    let fresh = common::success_json(&du(home.path(), &repo, &["--max-age", "1h"]));
    assert!(fresh.get("as_of").is_none(), "looked up now: {fresh}");
    assert!(fresh.get("not_cached").is_none());
    assert_eq!(fresh["tags"].as_array().unwrap().len(), 3);
}
