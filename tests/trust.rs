//! Credentials stay with their registry: flag credentials go to the target's
//! registry only, nothing secret crosses plain HTTP off loopback, and `login`
//! stores (and `logout` erases) what Docker would.
//!
//! A capturing fake server plays "another registry"; addressed as
//! `[::ffff:127.0.0.1]:PORT` (an IPv4-mapped address, which regscope does not
//! treat as loopback) it plays a remote host while staying on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::certs::tls_files;
use common::fake::{FakeServer, Seen, respond, serve};
use common::fixtures::SMALL;
use common::registry::{Auth, RegistryConfig, TestRegistry, Tls};
use common::tmux::Tmux;
use std::process::Output;
use std::sync::{Arc, Mutex};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn htpasswd(user: &str, password: &str) -> TestRegistry {
    TestRegistry::start(RegistryConfig {
        auth: Auth::Htpasswd(vec![(user.into(), password.into())]),
        ..RegistryConfig::anonymous(SMALL.storage.path())
    })
}

/// A registry that wants Basic auth and records every `Authorization` it gets.
fn capturing_registry() -> (FakeServer, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let server = serve(move |req: Seen| {
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        log.lock().unwrap().push(auth.clone().unwrap_or_default());
        let challenge = [("www-authenticate", r#"Basic realm="capture""#)];
        match (auth, req.path.as_str()) {
            (None, _) => respond(401, &challenge, ""),
            (Some(_), "/v2/_catalog") => respond(200, &[], r#"{"repositories":["captured"]}"#),
            (Some(_), _) => respond(200, &[], "{}"),
        }
    });
    (server, seen)
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    let raw = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

fn docker_config(home: &std::path::Path, json: &str) {
    let dir = home.join(".docker");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.json"), json).unwrap();
}

#[test]
fn flag_credentials_name_one_registry() {
    let alice = htpasswd("alice", "alice-pass");
    let (other, _) = capturing_registry();
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args([
            "rm",
            &format!("{}/app:1.0", alice.host),
            &format!("{}/app:1.0", other.host()),
            "--dry-run",
            "--username",
            "alice",
            "--password-stdin",
        ])
        .write_stdin("alice-pass")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("one registry"), "{}", stderr(&out));
    let lines = stderr(&out).trim().lines().count();
    assert_eq!(lines, 1, "one line: {}", stderr(&out));
}

#[test]
fn a_registry_switch_in_the_browser_carries_no_credentials_of_the_first() {
    let alice = htpasswd("alice", "alice-pass");
    let (other, seen) = capturing_registry();
    let home = tempfile::tempdir().unwrap();
    docker_config(
        home.path(),
        &format!(
            r#"{{"auths":{{"{}":{{"auth":"{}"}}}}}}"#,
            other.host(),
            basic("bob", "bob-pass").trim_start_matches("Basic ")
        ),
    );
    let binary = env!("CARGO_BIN_EXE_regscope");
    let command = format!("{binary} {}; echo REGSCOPE_EXITED=$?; sleep 60", alice.host);
    let env = [
        ("HOME", home.path().display().to_string()),
        (
            "DOCKER_CONFIG",
            home.path().join(".docker").display().to_string(),
        ),
        (
            "XDG_CONFIG_HOME",
            home.path().join("config").display().to_string(),
        ),
        (
            "XDG_STATE_HOME",
            home.path().join("state").display().to_string(),
        ),
        ("REGSCOPE_USERNAME", "alice".to_string()),
        ("REGSCOPE_REGISTRY", alice.host.clone()),
        ("REGSCOPE_PASSWORD", "alice-pass".to_string()),
        ("TERM", "xterm-256color".to_string()),
    ];
    let tmux = Tmux::start(&command, 120, 32, &env);
    tmux.wait_for(&["Repositories (5)", "multi-docker"]);
    tmux.keys(&[":"]);
    for c in other.host().chars() {
        tmux.keys(&[&c.to_string()]);
    }
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["captured"]);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
    let sent = seen.lock().unwrap().clone();
    let alices = basic("alice", "alice-pass");
    assert!(
        !sent.contains(&alices),
        "alice's password reached it: {sent:?}"
    );
    assert!(
        sent.contains(&basic("bob", "bob-pass")),
        "its own stored credentials were used: {sent:?}"
    );
}

#[test]
fn no_password_over_plain_http_off_loopback() {
    let (server, seen) = capturing_registry();
    let remote = format!("[::ffff:127.0.0.1]:{}", server.port);
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args([
            "repos",
            &remote,
            "--plain-http",
            "-u",
            "alice",
            "--password-stdin",
        ])
        .write_stdin("alice-pass\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("plain HTTP"), "{}", stderr(&out));
    let sent = seen.lock().unwrap().clone();
    assert!(!sent.is_empty(), "the registry was reached");
    assert!(
        sent.iter().all(String::is_empty),
        "no Authorization: {sent:?}"
    );

    let on_loopback = common::regscope(home.path())
        .args(["repos", &server.host(), "-u", "alice", "--password-stdin"])
        .write_stdin("alice-pass\n")
        .output()
        .unwrap();
    assert!(on_loopback.status.success(), "{}", stderr(&on_loopback));
}

#[test]
fn insecure_is_tls_without_verification_and_plain_http_is_http() {
    let certs = tempfile::tempdir().unwrap();
    let files = tls_files(certs.path());
    let registry = TestRegistry::start(RegistryConfig {
        tls: Some(Tls {
            cert: files.server_cert.clone(),
            key: files.server_key.clone(),
        }),
        ..RegistryConfig::anonymous(SMALL.storage.path())
    });
    let remote = format!("[::ffff:127.0.0.1]:{}", registry.port);
    let home = tempfile::tempdir().unwrap();
    let run = |flags: &[&str]| {
        common::regscope(home.path())
            .args(["repos", &remote, "--json"])
            .args(flags)
            .output()
            .unwrap()
    };
    let insecure = run(&["--insecure"]);
    assert!(insecure.status.success(), "{}", stderr(&insecure));
    let plain = run(&["--plain-http"]);
    assert_eq!(
        plain.status.code(),
        Some(1),
        "plain HTTP to a TLS port fails"
    );
    assert!(stderr(&plain).contains("HTTPS"), "{}", stderr(&plain));
    let neither = run(&[]);
    assert_eq!(neither.status.code(), Some(1));
    assert!(
        stderr(&neither).to_lowercase().contains("certificate"),
        "{}",
        stderr(&neither)
    );
}

#[test]
fn login_stores_checked_credentials_and_logout_erases_them() {
    let registry = htpasswd("alice", "alice-pass");
    let home = tempfile::tempdir().unwrap();
    docker_config(
        home.path(),
        r#"{"auths":{"other.example":{"auth":"eDp5"}},"detachKeys":"ctrl-e"}"#,
    );
    let config = home.path().join(".docker/config.json");
    let before = std::fs::read(&config).unwrap();
    let wrong = common::regscope(home.path())
        .args(["login", &registry.host, "-u", "alice", "--password-stdin"])
        .write_stdin("wrong\n")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(4), "{}", stderr(&wrong));
    assert_eq!(
        std::fs::read(&config).unwrap(),
        before,
        "a refused login stores nothing"
    );

    let ok = common::regscope(home.path())
        .args(["login", &registry.host, "-u", "alice", "--password-stdin"])
        .write_stdin("alice-pass\n")
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", stderr(&ok));
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
    assert_eq!(stored["detachKeys"], "ctrl-e", "other keys kept");
    assert_eq!(stored["auths"]["other.example"]["auth"], "eDp5");
    let auth = stored["auths"][&registry.host]["auth"].as_str().unwrap();
    assert_eq!(format!("Basic {auth}"), basic("alice", "alice-pass"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let tags = common::regscope(home.path())
        .args(["tags", &format!("{}/app", registry.host)])
        .output()
        .unwrap();
    assert!(
        tags.status.success(),
        "no flags needed after login: {}",
        stderr(&tags)
    );
    assert_eq!(String::from_utf8_lossy(&tags.stdout).lines().count(), 3);

    let out = common::regscope(home.path())
        .args(["logout", &registry.host])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&config).unwrap()).unwrap();
    assert!(stored["auths"].get(&registry.host).is_none());
    assert_eq!(stored["auths"]["other.example"]["auth"], "eDp5");
    let tags = common::regscope(home.path())
        .args(["tags", &format!("{}/app", registry.host)])
        .output()
        .unwrap();
    assert_eq!(tags.status.code(), Some(4), "logged out");
}
