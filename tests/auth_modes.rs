//! The same seeded storage served by real registries in htpasswd, token and TLS modes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use base64::Engine;
use common::certs::tls_files;
use common::fixtures::SMALL;
use common::registry::{Auth, RegistryConfig, TestRegistry, Tls};
use common::token_server::{ISSUER, SERVICE, TokenServer};
use std::process::Output;

fn with_auth(auth: Auth) -> TestRegistry {
    TestRegistry::start(RegistryConfig {
        auth,
        ..RegistryConfig::anonymous(SMALL.storage.path())
    })
}

fn htpasswd_registry() -> TestRegistry {
    with_auth(Auth::Htpasswd(vec![("alice".into(), "alice-pass".into())]))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn repos_of(out: &Output) -> Vec<String> {
    assert!(out.status.success(), "{}", stderr(out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn basic_auth_needs_credentials() {
    let registry = htpasswd_registry();
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args(["repos", &registry.host])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("not authorised"), "{}", stderr(&out));

    let wrong = common::regscope(home.path())
        .args(["repos", &registry.host, "-u", "alice", "--password-stdin"])
        .write_stdin("wrong\n")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(4));
    assert!(
        !String::from_utf8_lossy(&wrong.stdout).contains("wrong"),
        "password must not be echoed on stdout"
    );
    assert!(
        stderr(&wrong).contains("not authorised"),
        "a positive control: the error is there"
    );
    assert!(
        !stderr(&wrong).contains("wrong"),
        "password must not be echoed"
    );
}

#[test]
fn basic_auth_from_stdin_env_and_docker_config() {
    let registry = htpasswd_registry();
    let home = tempfile::tempdir().unwrap();
    let stdin = common::regscope(home.path())
        .args([
            "repos",
            &registry.host,
            "--json",
            "--username",
            "alice",
            "--password-stdin",
        ])
        .write_stdin("alice-pass\n")
        .output()
        .unwrap();
    assert_eq!(repos_of(&stdin), SMALL.fixtures.repositories);

    let env = common::regscope(home.path())
        .args(["tags", &format!("{}/app", registry.host), "--json"])
        .env("REGSCOPE_USERNAME", "alice")
        .env("REGSCOPE_REGISTRY", &registry.host)
        .env("REGSCOPE_PASSWORD", "alice-pass")
        .output()
        .unwrap();
    assert!(env.status.success(), "{}", stderr(&env));
    let tags: serde_json::Value = serde_json::from_slice(&env.stdout).unwrap();
    assert_eq!(tags["tags"], serde_json::json!(["1.0", "1.1", "latest"]));

    let docker = home.path().join(".docker");
    std::fs::create_dir_all(&docker).unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:alice-pass");
    let config = format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, registry.host);
    std::fs::write(docker.join("config.json"), config).unwrap();
    let from_file = common::regscope(home.path())
        .args(["inspect", &format!("{}/multi:1.0", registry.host), "--json"])
        .output()
        .unwrap();
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    let doc: serde_json::Value = serde_json::from_slice(&from_file.stdout).unwrap();
    let expected = &SMALL.fixtures.tags["multi:1.0"];
    for (got, (image, _)) in doc["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&expected.images)
    {
        assert_eq!(got["size"], image.size());
    }
}

#[test]
fn password_stdin_needs_a_username() {
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args(["repos", "127.0.0.1:1", "--password-stdin"])
        .write_stdin("x\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

fn token_setup() -> (TokenServer, TestRegistry) {
    let tokens = TokenServer::start(&[
        ("alice", "alice-pass", &["*"]),
        ("reader", "reader-pass", &["pull"]),
    ]);
    let registry = with_auth(Auth::Token {
        realm: tokens.realm.clone(),
        service: SERVICE.into(),
        issuer: ISSUER.into(),
        root_cert: tokens.cert_path.clone(),
    });
    (tokens, registry)
}

fn as_user(home: &std::path::Path, user: &str, args: &[&str]) -> Output {
    // The environment's credentials go to the registry REGSCOPE_REGISTRY names.
    let host = args
        .iter()
        .find(|a| !a.starts_with('-') && a.contains(':'))
        .map(|a| a.split('/').next().unwrap_or(a))
        .unwrap_or_default();
    common::regscope(home)
        .args(args)
        .env("REGSCOPE_REGISTRY", host)
        .env("REGSCOPE_USERNAME", user)
        .env("REGSCOPE_PASSWORD", format!("{user}-pass"))
        .output()
        .unwrap()
}

#[test]
fn token_auth_requests_exactly_the_challenged_scope_and_caches_it() {
    let (tokens, registry) = token_setup();
    let home = tempfile::tempdir().unwrap();
    let repos = as_user(home.path(), "alice", &["repos", &registry.host, "--json"]);
    assert_eq!(repos_of(&repos), SMALL.fixtures.repositories);

    let multi = format!("{}/multi:1.0", registry.host);
    let inspect = as_user(home.path(), "alice", &["inspect", &multi, "--json"]);
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    let report: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(
        report["digest"],
        SMALL.fixtures.tags["multi:1.0"].digest.as_str()
    );

    let requests = tokens.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.service == SERVICE && r.user.as_deref() == Some("alice"))
    );
    let scopes: Vec<Vec<String>> = requests.iter().map(|r| r.scopes.clone()).collect();
    assert_eq!(
        scopes,
        vec![
            vec!["registry:catalog:*".to_string()],
            vec!["repository:multi:pull".to_string()]
        ],
        "one token per scope: the inspect's 7 requests reuse one token"
    );
}

#[test]
fn token_auth_refuses_missing_grants() {
    let (_tokens, registry) = token_setup();
    let home = tempfile::tempdir().unwrap();
    let reader_catalog = as_user(home.path(), "reader", &["repos", &registry.host]);
    assert_eq!(
        reader_catalog.status.code(),
        Some(4),
        "{}",
        stderr(&reader_catalog)
    );
    let reader_tags = as_user(
        home.path(),
        "reader",
        &["tags", &format!("{}/app", registry.host)],
    );
    assert!(reader_tags.status.success(), "{}", stderr(&reader_tags));
    assert_eq!(
        String::from_utf8_lossy(&reader_tags.stdout)
            .lines()
            .collect::<Vec<_>>(),
        ["1.0", "1.1", "latest"]
    );
    let anonymous = common::regscope(home.path())
        .args(["tags", &format!("{}/app", registry.host)])
        .output()
        .unwrap();
    assert_eq!(anonymous.status.code(), Some(4));
    let bad = common::regscope(home.path())
        .args(["tags", &format!("{}/app", registry.host)])
        .env("REGSCOPE_USERNAME", "alice")
        .env("REGSCOPE_REGISTRY", &registry.host)
        .env("REGSCOPE_PASSWORD", "nope")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(4));
    assert!(
        stderr(&bad).contains("refused the credentials"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn tls_with_ca_cert_insecure_and_config() {
    let certs_dir = tempfile::tempdir().unwrap();
    let files = tls_files(certs_dir.path());
    let registry = TestRegistry::start(RegistryConfig {
        tls: Some(Tls {
            cert: files.server_cert.clone(),
            key: files.server_key.clone(),
        }),
        ..RegistryConfig::anonymous(SMALL.storage.path())
    });
    let home = tempfile::tempdir().unwrap();
    let host = registry.host.as_str();

    let untrusted = common::regscope(home.path())
        .args(["repos", host])
        .output()
        .unwrap();
    assert_eq!(untrusted.status.code(), Some(1));
    assert!(
        stderr(&untrusted).to_lowercase().contains("certificate"),
        "{}",
        stderr(&untrusted)
    );

    let ca = files.ca_cert.to_str().unwrap();
    let trusted = common::regscope(home.path())
        .args(["repos", host, "--json", "--ca-cert", ca])
        .output()
        .unwrap();
    assert_eq!(repos_of(&trusted), SMALL.fixtures.repositories);

    let insecure = common::regscope(home.path())
        .args(["repos", host, "--json", "--insecure"])
        .output()
        .unwrap();
    assert_eq!(repos_of(&insecure), SMALL.fixtures.repositories);

    let config = home.path().join("regscope.toml");
    std::fs::write(
        &config,
        format!("[registries.\"{host}\"]\nca_cert = \"{ca}\"\n"),
    )
    .unwrap();
    let configured = common::regscope(home.path())
        .args([
            "tags",
            &format!("{host}/app"),
            "--json",
            "--config",
            config.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(configured.status.success(), "{}", stderr(&configured));
    let tags: serde_json::Value = serde_json::from_slice(&configured.stdout).unwrap();
    assert_eq!(tags["tags"], serde_json::json!(["1.0", "1.1", "latest"]));
}

#[test]
fn identity_tokens_from_docker_config_are_exchanged_at_the_realm() {
    let (tokens, registry) = token_setup();
    let home = tempfile::tempdir().unwrap();
    let docker = home.path().join(".docker");
    std::fs::create_dir_all(&docker).unwrap();
    let config = format!(
        r#"{{"auths":{{"{}":{{"identitytoken":"alice-refresh"}}}}}}"#,
        registry.host
    );
    std::fs::write(docker.join("config.json"), config).unwrap();
    let out = common::regscope(home.path())
        .args(["repos", &registry.host, "--json"])
        .output()
        .unwrap();
    assert_eq!(repos_of(&out), SMALL.fixtures.repositories);
    assert_eq!(
        tokens.requests().last().unwrap().user.as_deref(),
        Some("alice")
    );
}

/// A token service across the network on plain HTTP gets no password: here
/// the registry is `localhost` and its token service `127.0.0.1`, which a
/// debug build treats as remote (`REGSCOPE_TEST_REMOTE_HOSTS`).
#[test]
fn a_plain_http_token_service_off_loopback_gets_no_credentials() {
    let (tokens, registry) = token_setup();
    let host = registry.host.replace("127.0.0.1", "localhost");
    let home = tempfile::tempdir().unwrap();
    let remote = common::regscope(home.path())
        .args(["repos", &host])
        .env("REGSCOPE_REGISTRY", &host)
        .env("REGSCOPE_USERNAME", "alice")
        .env("REGSCOPE_PASSWORD", "alice-pass")
        .env("REGSCOPE_TEST_REMOTE_HOSTS", "127.0.0.1")
        .output()
        .unwrap();
    assert_eq!(remote.status.code(), Some(4), "{}", stderr(&remote));
    let err = stderr(&remote);
    assert!(
        err.contains("the credentials were not sent") && err.contains("plain HTTP off loopback"),
        "{err}"
    );
    assert!(
        tokens.requests().iter().all(|r| r.user.is_none()),
        "the token service saw no user"
    );
    // On loopback (as it really is) the same credentials go.
    let local = as_user(home.path(), "alice", &["repos", &host, "--json"]);
    assert_eq!(repos_of(&local), SMALL.fixtures.repositories);
    assert!(
        tokens
            .requests()
            .iter()
            .any(|r| r.user.as_deref() == Some("alice"))
    );
}

/// `REGSCOPE_USERNAME`/`REGSCOPE_PASSWORD` go only to the registry
/// `REGSCOPE_REGISTRY` (else the config's default) names: a command on another
/// host does not send them, and says so in one line.
#[test]
fn environment_credentials_go_only_to_the_registry_they_name() {
    let registry = htpasswd_registry();
    let home = tempfile::tempdir().unwrap();
    let run = |named: Option<&str>| {
        let mut cmd = common::regscope(home.path());
        cmd.args(["repos", &registry.host])
            .env("REGSCOPE_USERNAME", "alice")
            .env("REGSCOPE_PASSWORD", "alice-pass");
        if let Some(named) = named {
            cmd.env("REGSCOPE_REGISTRY", named);
        }
        cmd.output().unwrap()
    };
    let elsewhere = run(Some("ci.example.com"));
    assert_eq!(elsewhere.status.code(), Some(4), "{}", stderr(&elsewhere));
    let err = stderr(&elsewhere);
    assert!(
        err.contains("REGSCOPE_USERNAME/REGSCOPE_PASSWORD not sent to")
            && err.contains("they are for ci.example.com"),
        "{err}"
    );
    let unnamed = run(None);
    assert_eq!(unnamed.status.code(), Some(4), "{}", stderr(&unnamed));
    assert!(
        stderr(&unnamed).contains("set REGSCOPE_REGISTRY"),
        "{}",
        stderr(&unnamed)
    );
    let named = run(Some(&registry.host));
    assert!(named.status.success(), "{}", stderr(&named));
    // The config's default registry names it too.
    common::write_config(home.path(), &format!("default = \"{}\"\n", registry.host));
    let by_default = run(None);
    assert!(by_default.status.success(), "{}", stderr(&by_default));
}
