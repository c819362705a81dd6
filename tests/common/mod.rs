//! Test harness: real `docker-registry` processes, a token server, generated
//! certificates, fixture pushing, and small fault-injecting servers.
#![allow(dead_code)]

pub mod blocking;
pub mod certs;
pub mod demo;
pub mod fake;
pub mod fixtures;
pub mod layers;
pub mod paused;
pub mod process;
pub mod proxy;
pub mod registry;
pub mod supply;
pub mod tmux;
pub mod token_server;

use std::path::Path;

/// `regscope`, as a plain `std::process::Command` (to spawn and wait on).
pub fn regscope_process(home: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("regscope"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("DOCKER_CONFIG", home.join(".docker"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"));
    cmd
}

/// The regscope binary with an isolated environment: no user config, credentials or logs.
pub fn regscope(home: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("regscope").expect("regscope binary is built");
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("DOCKER_CONFIG", home.join(".docker"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .timeout(std::time::Duration::from_secs(120));
    cmd
}

/// Runs an async block on a fresh runtime in its own thread (safe inside `#[tokio::test]`).
pub fn block_on_thread<T: Send + 'static>(
    f: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f)
    })
    .join()
    .expect("thread running the future panicked")
}

/// A port the OS says is free right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind an ephemeral port")
}

/// The JSON document a successful regscope run printed (fails with its stderr otherwise).
pub fn success_json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "regscope failed: {}\nstdout: {}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

/// The `outcome` of each entry of a deletion report's `results`, in order.
pub fn outcomes(doc: &serde_json::Value) -> Vec<&str> {
    doc["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["outcome"].as_str().expect("outcome"))
        .collect()
}

/// Writes `text` as the config file regscope reads under `home`; its path.
pub fn write_config(home: &Path, text: &str) -> std::path::PathBuf {
    let dir = home.join("config/regscope");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs regscope with `args` and returns the JSON it printed.
pub fn run_json(home: &Path, args: &[&str]) -> serde_json::Value {
    success_json(&regscope(home).args(args).output().expect("run regscope"))
}

/// The tags of `repo` on `host`, as `regscope tags --json` lists them.
pub fn tags_via_cli(host: &str, repo: &str) -> Vec<String> {
    let home = tempfile::tempdir().expect("home");
    let out = regscope(home.path())
        .args(["tags", &format!("{host}/{repo}"), "--json"])
        .output()
        .expect("run regscope");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    doc["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| t.as_str().expect("tag").to_string())
        .collect()
}
