//! TLS the way private registries run it: a self-signed certificate made as the
//! registry's documentation makes it (`openssl req -x509`, `CA:TRUE`, a
//! subjectAltName), trusted by `--ca-cert`, the config or a certs.d directory;
//! and a registry that demands client certificates.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::SMALL;
use common::registry::{RegistryConfig, TestRegistry, Tls};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    SanType,
};
use std::path::{Path, PathBuf};
use std::process::Output;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// `openssl req -newkey rsa -nodes -x509 -days 365 … -addext subjectAltName=…`, as
/// Distribution's "deploying a registry" page shows.
fn openssl_self_signed(dir: &Path, san: &str) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("domain.crt"), dir.join("domain.key"));
    let status = std::process::Command::new("openssl")
        .args([
            "req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-x509", "-days", "365",
        ])
        .args([
            "-subj",
            "/CN=registry.test",
            "-addext",
            &format!("subjectAltName={san}"),
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl is installed (scripts/test installs it)");
    assert!(status.success());
    let text = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("CA:TRUE"),
        "the documented certificate is a CA"
    );
    (cert, key)
}

fn tls_registry(cert: &Path, key: &Path, client_cas: Option<PathBuf>) -> TestRegistry {
    TestRegistry::start(RegistryConfig {
        tls: Some(Tls::new(cert, key)),
        client_cas,
        ..RegistryConfig::anonymous(SMALL.storage.path())
    })
}

fn repos(home: &Path, host: &str, args: &[&str], certs_d: &Path) -> Output {
    common::regscope(home)
        .args(["repos", host])
        .args(args)
        .env("REGSCOPE_CERTS_D", certs_d)
        .output()
        .unwrap()
}

#[test]
fn a_self_signed_certificate_trusted_directly_is_accepted_three_ways() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = openssl_self_signed(dir.path(), "IP:127.0.0.1");
    let registry = tls_registry(&cert, &key, None);
    let home = tempfile::tempdir().unwrap();
    let empty = home.path().join("no-certs.d");
    let host = registry.host.as_str();

    let untrusted = repos(home.path(), host, &[], &empty);
    assert_eq!(untrusted.status.code(), Some(1));
    let message = stderr(&untrusted);
    assert!(
        message.contains("--ca-cert") && message.contains("certs.d"),
        "{message}"
    );
    assert!(
        !message.contains("--insecure"),
        "not the first thing to suggest: {message}"
    );

    let by_flag = repos(
        home.path(),
        host,
        &["--ca-cert", cert.to_str().unwrap()],
        &empty,
    );
    assert!(by_flag.status.success(), "{}", stderr(&by_flag));
    assert_eq!(String::from_utf8_lossy(&by_flag.stdout).lines().count(), 5);

    let config = home.path().join("regscope.toml");
    std::fs::write(
        &config,
        format!(
            "[registries.\"{host}\"]\nca_cert = \"{}\"\n",
            cert.display()
        ),
    )
    .unwrap();
    let by_config = repos(
        home.path(),
        host,
        &["--config", config.to_str().unwrap()],
        &empty,
    );
    assert!(by_config.status.success(), "{}", stderr(&by_config));

    let certs_d = home.path().join("certs.d");
    std::fs::create_dir_all(certs_d.join(host)).unwrap();
    std::fs::copy(&cert, certs_d.join(host).join("ca.crt")).unwrap();
    let by_dir = repos(home.path(), host, &[], &certs_d);
    assert!(by_dir.status.success(), "{}", stderr(&by_dir));
}

#[test]
fn a_trusted_self_signed_certificate_must_still_name_the_host_and_be_current() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let empty = home.path().join("no-certs.d");
    let (cert, key) = openssl_self_signed(dir.path(), "DNS:registry.elsewhere");
    let registry = tls_registry(&cert, &key, None);
    let wrong_name = repos(
        home.path(),
        &registry.host,
        &["--ca-cert", cert.to_str().unwrap()],
        &empty,
    );
    assert_eq!(wrong_name.status.code(), Some(1));
    assert!(
        stderr(&wrong_name).contains("NotValidForName"),
        "{}",
        stderr(&wrong_name)
    );

    let expired_dir = tempfile::tempdir().unwrap();
    let key_pair = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.subject_alt_names = vec![SanType::IpAddress("127.0.0.1".parse().unwrap())];
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let expired = params.self_signed(&key_pair).unwrap();
    let (cert, key) = (
        expired_dir.path().join("old.crt"),
        expired_dir.path().join("old.key"),
    );
    std::fs::write(&cert, expired.pem()).unwrap();
    std::fs::write(&key, key_pair.serialize_pem()).unwrap();
    let registry = tls_registry(&cert, &key, None);
    let out = repos(
        home.path(),
        &registry.host,
        &["--ca-cert", cert.to_str().unwrap()],
        &empty,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Expired"), "{}", stderr(&out));
}

/// A CA for client certificates and one client certificate it signed.
fn client_pki(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["regscope-client".to_string()]).unwrap();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client = params.signed_by(&key, &ca).unwrap();
    let paths = (
        dir.join("clients-ca.pem"),
        dir.join("client.cert"),
        dir.join("client.key"),
    );
    std::fs::write(&paths.0, ca.pem()).unwrap();
    std::fs::write(&paths.1, client.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    paths
}

#[test]
fn a_registry_that_demands_a_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = openssl_self_signed(dir.path(), "IP:127.0.0.1");
    let (clients_ca, client_cert, client_key) = client_pki(dir.path());
    let registry = tls_registry(&cert, &key, Some(clients_ca));
    let home = tempfile::tempdir().unwrap();
    let host = registry.host.as_str();
    let certs_d = home.path().join("certs.d");
    std::fs::create_dir_all(certs_d.join(host)).unwrap();
    std::fs::copy(&cert, certs_d.join(host).join("ca.crt")).unwrap();

    let without = repos(home.path(), host, &[], &certs_d);
    assert_eq!(without.status.code(), Some(1));
    assert!(
        stderr(&without).contains("client certificate"),
        "{}",
        stderr(&without)
    );

    let by_flags = repos(
        home.path(),
        host,
        &[
            "--client-cert",
            client_cert.to_str().unwrap(),
            "--client-key",
            client_key.to_str().unwrap(),
        ],
        &certs_d,
    );
    assert!(by_flags.status.success(), "{}", stderr(&by_flags));

    std::fs::copy(&client_cert, certs_d.join(host).join("client.cert")).unwrap();
    std::fs::copy(&client_key, certs_d.join(host).join("client.key")).unwrap();
    let by_dir = repos(home.path(), host, &[], &certs_d);
    assert!(by_dir.status.success(), "{}", stderr(&by_dir));
    assert_eq!(String::from_utf8_lossy(&by_dir.stdout).lines().count(), 5);
}

/// A client CA and a client certificate signed the way most mutual-TLS guides
/// do it: `openssl x509 -req` (OpenSSL 3 makes an X.509 version 1 certificate),
/// with an RSA (PKCS#8 or PKCS#1) or EC (SEC1) key.
fn openssl_v1_client(dir: &Path, key_kind: &str) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl is installed (scripts/test installs it)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-new",
        "-x509",
        "-nodes",
        "-newkey",
        "rsa:2048",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=clients",
        "-days",
        "30",
    ]);
    match key_kind {
        "ec" => run(&[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "client.key",
        ]),
        "pkcs1" => run(&["genrsa", "-traditional", "-out", "client.key", "2048"]),
        _ => run(&["genrsa", "-out", "client.key", "2048"]),
    }
    run(&[
        "req",
        "-new",
        "-key",
        "client.key",
        "-out",
        "client.csr",
        "-subj",
        "/CN=regscope",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "client.cert",
        "-days",
        "30",
    ]);
    let text = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in", "client.cert"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("Version: 1 (0x0)"),
        "openssl x509 -req makes a version 1 certificate"
    );
    (
        dir.join("ca.pem"),
        dir.join("client.cert"),
        dir.join("client.key"),
    )
}

#[test]
fn a_version_1_client_certificate_from_openssl_is_presented() {
    for ec in ["pkcs8", "pkcs1", "ec"] {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = openssl_self_signed(dir.path(), "IP:127.0.0.1");
        let clients = dir.path().join("clients");
        std::fs::create_dir_all(&clients).unwrap();
        let (clients_ca, client_cert, client_key) = openssl_v1_client(&clients, ec);
        let registry = tls_registry(&cert, &key, Some(clients_ca));
        let home = tempfile::tempdir().unwrap();
        let host = registry.host.as_str();
        let certs_d = home.path().join("certs.d");
        std::fs::create_dir_all(certs_d.join(host)).unwrap();
        std::fs::copy(&cert, certs_d.join(host).join("ca.crt")).unwrap();
        let flags = [
            "--client-cert",
            client_cert.to_str().unwrap(),
            "--client-key",
            client_key.to_str().unwrap(),
        ];
        let by_flags = repos(home.path(), host, &flags, &certs_d);
        assert!(by_flags.status.success(), "ec {ec}: {}", stderr(&by_flags));
        std::fs::copy(&client_cert, certs_d.join(host).join("client.cert")).unwrap();
        std::fs::copy(&client_key, certs_d.join(host).join("client.key")).unwrap();
        let by_dir = repos(home.path(), host, &[], &certs_d);
        assert!(by_dir.status.success(), "ec {ec}: {}", stderr(&by_dir));
        // A key that is not the certificate's is refused before any handshake.
        let other = dir.path().join("other.key");
        std::fs::copy(&key, &other).unwrap();
        let mismatched = repos(
            home.path(),
            host,
            &[
                "--client-cert",
                client_cert.to_str().unwrap(),
                "--client-key",
                other.to_str().unwrap(),
            ],
            &certs_d,
        );
        let err = stderr(&mismatched);
        assert_ne!(mismatched.status.code(), Some(0));
        assert!(
            err.contains("does not match the key")
                && err.contains("client.cert")
                && err.contains("other.key"),
            "{err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
}
