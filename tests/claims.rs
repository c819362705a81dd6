//! One test per README claim that had none, named after the claim. Where the
//! claim is plumbing (a flag, an environment variable or a config key reaching
//! the browser), the real binary runs in tmux under a clean environment.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fake::{Counter, Seen, respond, serve};
use common::fixtures::{Pusher, SMALL, seed};
use common::tmux::Tmux;
use common::write_config;
use sha2::{Digest as _, Sha256};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The browser (or a command) in tmux with a clean environment plus `extra`.
fn tmux(home: &Path, args: &str, extra: &[(&str, String)]) -> Tmux {
    let binary = env!("CARGO_BIN_EXE_regscope");
    // tmux sets TERM in the pane itself: the extra variables also go on the
    // command line so that they win.
    let assignments: Vec<String> = extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let command = format!(
        "env {} {binary} {args}; echo REGSCOPE_EXITED=$?; sleep 60",
        assignments.join(" ")
    );
    let mut env = vec![
        ("HOME", home.display().to_string()),
        ("DOCKER_CONFIG", home.join(".docker").display().to_string()),
        ("XDG_CONFIG_HOME", home.join("config").display().to_string()),
        ("XDG_CACHE_HOME", home.join("cache").display().to_string()),
        ("XDG_STATE_HOME", home.join("state").display().to_string()),
        ("TERM", "xterm-256color".to_string()),
    ];
    env.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    env.extend(extra.iter().cloned());
    Tmux::start(&command, 120, 32, &env)
}

#[test]
fn du_sort_orders_the_rows() {
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/app", SMALL.registry.host);
    let rows = |sort: &str| -> Vec<(String, u64)> {
        let doc = common::run_json(home.path(), &["du", &repo, "--json", "--sort", sort]);
        doc["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["tag"].as_str().unwrap().to_string(),
                    t["exclusive_bytes"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let by_name: Vec<String> = rows("name").into_iter().map(|(t, _)| t).collect();
    assert_eq!(by_name, ["1.0", "1.1", "latest"]);
    let by_exclusive = rows("exclusive");
    assert!(
        by_exclusive.windows(2).all(|w| w[0].1 >= w[1].1),
        "{by_exclusive:?}"
    );
    assert_ne!(
        by_exclusive
            .iter()
            .map(|(t, _)| t.clone())
            .collect::<Vec<_>>(),
        by_name,
        "the orders differ on this repository"
    );
}

#[test]
fn rm_asks_on_a_terminal_and_n_deletes_nothing() {
    let seeded = seed(false);
    let home = tempfile::tempdir().unwrap();
    let target = format!("rm {}/app:1.1", seeded.registry.host);
    let session = tmux(home.path(), &target, &[]);
    session.wait_for(&["Delete these (1 tag(s)", "[y/N]"]);
    session.keys(&["n", "Enter"]);
    session.wait_for(&["cancelled: nothing deleted", "REGSCOPE_EXITED=1"]);
    assert_eq!(common::tags_via_cli(&seeded.registry.host, "app").len(), 3);
    let session = tmux(home.path(), &target, &[]);
    session.wait_for(&["[y/N]"]);
    session.keys(&["y", "Enter"]);
    session.wait_for(&["deleted", "REGSCOPE_EXITED=0"]);
    assert_eq!(
        common::tags_via_cli(&seeded.registry.host, "app"),
        ["1.0", "latest"]
    );
}

#[test]
fn a_registry_that_deletes_by_tag_gets_tag_deletes() {
    let manifest = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "layers": [],
    })
    .to_string();
    let digest = sha256(manifest.as_bytes());
    let (by_tag, by_digest) = (Counter::default(), Counter::default());
    let (tag_counter, digest_counter) = (by_tag.clone(), by_digest.clone());
    let server = serve(move |req: Seen| {
        let headers = [
            ("content-type", "application/vnd.oci.image.manifest.v1+json"),
            ("docker-content-digest", digest.as_str()),
        ];
        match (req.method.as_str(), req.path.as_str()) {
            (_, "/v2/") => respond(200, &[], "{}"),
            ("GET", "/v2/r/tags/list") => respond(200, &[], r#"{"tags":["a","b"]}"#),
            ("DELETE", p) if p.ends_with("/manifests/a") => {
                tag_counter.bump();
                respond(202, &[], "")
            }
            ("DELETE", _) => {
                digest_counter.bump();
                respond(202, &[], "")
            }
            (_, p) if p.contains("/manifests/") => respond(200, &headers, manifest.clone()),
            _ => respond(404, &[], ""),
        }
    });
    let home = tempfile::tempdir().unwrap();
    let doc = common::run_json(
        home.path(),
        &["rm", &format!("{}/r:a", server.host()), "--yes", "--json"],
    );
    assert_eq!(doc["results"][0]["method"], "tag");
    assert_eq!(
        doc["results"][0]["tags"],
        serde_json::json!(["a"]),
        "b stays"
    );
    assert_eq!((by_tag.get(), by_digest.get()), (1, 0));
}

#[test]
fn restore_refuses_to_overwrite_a_tag_pushed_again() {
    let seeded = seed(false);
    let home = tempfile::tempdir().unwrap();
    let host = seeded.registry.host.clone();
    let done = common::run_json(
        home.path(),
        &["rm", &format!("{host}/app:1.1"), "--yes", "--json"],
    );
    let id = done["results"][0]["trash_id"].as_str().unwrap().to_string();
    let other = seeded.fixtures.tags["app:1.0"].images[0].0.manifest.clone();
    let base = seeded.registry.url();
    common::block_on_thread(async move { Pusher::new(&base).manifest("app", "1.1", &other).await });
    let out = common::regscope(home.path())
        .args(["trash", "restore", &id])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("now points at"), "{}", stderr(&out));
    let inspect = common::run_json(
        home.path(),
        &["inspect", &format!("{host}/app:1.1"), "--json"],
    );
    assert_eq!(
        inspect["digest"],
        seeded.fixtures.tags["app:1.0"].digest.as_str(),
        "the re-pushed tag is untouched"
    );
}

#[test]
fn bad_gateways_are_retried() {
    let hits = Counter::default();
    let counter = hits.clone();
    let server = serve(move |req: Seen| {
        if req.path == "/v2/" {
            return respond(200, &[], "{}");
        }
        match counter.bump() {
            1 => respond(502, &[], "bad gateway"),
            2 => respond(504, &[], "gateway timeout"),
            _ => respond(200, &[], r#"{"tags":["ok"]}"#),
        }
    });
    let home = tempfile::tempdir().unwrap();
    let doc = common::run_json(
        home.path(),
        &["tags", &format!("{}/r", server.host()), "--json"],
    );
    assert_eq!(doc["tags"], serde_json::json!(["ok"]));
    assert_eq!(hits.get(), 3);
}

#[test]
fn a_tag_page_over_32_mib_is_refused() {
    static BIG: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!(r#"{{"tags":["{}"]}}"#, "a".repeat(33 * 1024 * 1024)));
    let server = serve(|req: Seen| match req.path.as_str() {
        "/v2/" => respond(200, &[], "{}"),
        _ => respond(200, &[], BIG.as_str()),
    });
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args(["tags", &format!("{}/r", server.host())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("larger than the 33554432 byte limit"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ctrl_c_exits_130() {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let tx = std::sync::Mutex::new(tx);
    let server = serve(move |req: Seen| {
        if req.path == "/v2/" {
            return respond(200, &[], "{}");
        }
        let _ = tx.lock().unwrap().send(());
        respond(
            200,
            &[],
            axum::body::Body::from_stream(futures_util::stream::pending::<
                Result<bytes::Bytes, std::io::Error>,
            >()),
        )
    });
    let home = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .args(["tags", &format!("{}/r", server.host())])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    rx.recv_timeout(Duration::from_secs(30)).unwrap();
    unsafe { libc::kill(i32::try_from(child.id()).unwrap(), libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(stderr(&out).contains("interrupted"));
}

#[test]
fn concurrency_is_an_upper_bound_on_requests_in_flight() {
    let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (now_in, most_in) = (now.clone(), most.clone());
    let tags: Vec<String> = (0..40).map(|i| format!("t{i}")).collect();
    let listed = serde_json::json!({ "tags": tags }).to_string();
    let manifest = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "layers": [],
    })
    .to_string();
    let digest = sha256(manifest.as_bytes());
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let (now, most) = (now_in.clone(), most_in.clone());
        let (listed, manifest, digest) = (listed.clone(), manifest.clone(), digest.clone());
        async move {
            let path = req.uri().path().to_string();
            if path == "/v2/" {
                return respond(200, &[], "{}");
            }
            let in_flight = now.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(in_flight, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            if path.ends_with("/tags/list") {
                return respond(200, &[], listed);
            }
            let headers = [
                ("content-type", "application/vnd.oci.image.manifest.v1+json"),
                ("docker-content-digest", digest.as_str()),
            ];
            respond(200, &headers, manifest)
        }
    });
    let server = common::fake::FakeServer::start(app);
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args([
            "du",
            &format!("{}/r", server.host()),
            "--concurrency",
            "3",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let most = most.load(Ordering::SeqCst);
    assert!(
        (2..=3).contains(&most),
        "{most} in flight with --concurrency 3"
    );
}

#[test]
fn regscope_config_names_the_config_file() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("elsewhere.toml");
    std::fs::write(&path, "concurrency = \"many\"\n").unwrap();
    let out = common::regscope(home.path())
        .args(["tags", "localhost:1/app"])
        .env("REGSCOPE_CONFIG", &path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("elsewhere.toml"), "{}", stderr(&out));
}

#[test]
fn regscope_log_sets_the_level_of_the_log_file() {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("state/regscope/regscope.log");
    let run = |level: &str| {
        let out = common::regscope(home.path())
            .args(["tags", &format!("{}/app", SMALL.registry.host)])
            .env("REGSCOPE_LOG", level)
            .output()
            .unwrap();
        assert!(out.status.success());
        std::fs::read_to_string(&log).unwrap_or_default()
    };
    assert!(
        !run("error").contains("connecting"),
        "info lines are off at error"
    );
    assert!(run("info").contains("connecting"), "and on at info");
}

#[test]
fn the_config_default_is_what_regscope_opens_without_a_target() {
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!("default = \"{}/app\"\n", SMALL.registry.host),
    );
    let session = tmux(home.path(), "", &[]);
    session.wait_for(&["app (3)", "latest"]);
    session.keys(&["q"]);
    session.wait_for(&["REGSCOPE_EXITED=0"]);
}

#[test]
fn read_only_by_flag_and_by_config_turns_deletion_off() {
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/app", SMALL.registry.host);
    for (args, config) in [
        (format!("--read-only {repo}"), ""),
        (repo.clone(), "read_only = true\n"),
    ] {
        write_config(home.path(), config);
        let session = tmux(home.path(), &args, &[]);
        session.wait_for(&["app (3)", "latest"]);
        session.keys(&["d"]);
        session.wait_for(&["read-only mode: deletion is off"]);
        assert!(!session.screen().contains("Delete?"));
        session.keys(&["q"]);
        session.wait_for(&["REGSCOPE_EXITED=0"]);
    }
    write_config(home.path(), "");
    let session = tmux(home.path(), &repo, &[]);
    session.wait_for(&["app (3)", "d delete"]);
    session.keys(&["q"]);
}

#[test]
fn a_user_keymap_file_replaces_keys() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/regscope");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("keymap.toml"), "quit = [\"x\"]\n").unwrap();
    let session = tmux(home.path(), &format!("{}/app", SMALL.registry.host), &[]);
    session.wait_for(&["app (3)", "x quit"]);
    session.keys(&["q", "?"]);
    session.wait_for(&["Help", "x "]);
    assert!(
        !session.screen().contains("REGSCOPE_EXITED"),
        "q is no longer quit"
    );
    session.keys(&["Escape", "x"]);
    session.wait_for(&["REGSCOPE_EXITED=0"]);
}

#[test]
fn no_mouse_leaves_the_mouse_to_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/app", SMALL.registry.host);
    for (args, captured) in [(repo.clone(), "1"), (format!("--no-mouse {repo}"), "0")] {
        let session = tmux(home.path(), &args, &[]);
        session.wait_for(&["app (3)"]);
        assert_eq!(session.pane_format("#{mouse_any_flag}"), captured, "{args}");
        session.keys(&["q"]);
        session.wait_for(&["REGSCOPE_EXITED=0"]);
    }
}

#[test]
fn y_copies_with_an_osc_52_sequence() {
    let home = tempfile::tempdir().unwrap();
    let session = tmux(home.path(), &format!("{}/app", SMALL.registry.host), &[]);
    session.set_server_option("set-clipboard", "on");
    session.wait_for(&["app (3)", "latest"]);
    session.keys(&["G"]);
    session.wait_for(&["LAYERS"]);
    session.keys(&["y"]);
    session.wait_for(&["copied"]);
    let digest = &SMALL.fixtures.tags["app:latest"].digest;
    assert_eq!(
        session.buffer(),
        format!("{}/app@{digest}", SMALL.registry.host)
    );
    session.keys(&["q"]);
}

/// Whether SGR sequences in `screen` set a foreground colour (30–37, 90–97, 38;…).
fn has_foreground_colour(screen: &str) -> bool {
    screen.split('\u{1b}').any(|seq| {
        let Some(params) = seq
            .strip_prefix('[')
            .and_then(|s| s.split_once('m'))
            .map(|(p, _)| p)
        else {
            return false;
        };
        params
            .split(';')
            .any(|p| matches!(p.parse::<u8>(), Ok(30..=37 | 90..=97 | 38)))
    })
}

#[test]
fn colour_follows_no_color_and_color_and_term_dumb() {
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/app", SMALL.registry.host);
    type Case = (&'static str, Vec<(&'static str, String)>, bool);
    let cases: [Case; 5] = [
        ("", vec![], true),
        ("", vec![("NO_COLOR", "1".to_string())], false),
        ("--color always ", vec![("NO_COLOR", "1".to_string())], true),
        ("--color never ", vec![], false),
        ("", vec![("TERM", "dumb".to_string())], false),
    ];
    for (flags, env, coloured) in cases {
        let session = tmux(home.path(), &format!("{flags}{repo}"), &env);
        session.wait_for(&["app (3)", "latest"]);
        let screen = session.screen_with_escapes();
        assert_eq!(has_foreground_colour(&screen), coloured, "{flags} {env:?}");
        session.keys(&["q"]);
        session.wait_for(&["REGSCOPE_EXITED=0"]);
    }
}
