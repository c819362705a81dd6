//! Promises the README makes about secrets and bounds, each run: nothing
//! secret reaches the log, the store or the trash at the most verbose log
//! level; a `Retry-After` of a year and a `Link` that never ends are bounded.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fake::{Counter, Seen, respond, serve};
use common::fixtures::{OCI_LAYER, Style, image, layer};
use common::registry::{Auth, RegistryConfig, TestRegistry};
use common::token_server::{ISSUER, SERVICE, TokenServer};
use regscope::oci::Error;
use regscope::registry::RegistryClient;
use regscope::registry::auth::Credentials;
use regscope::registry::transport::{RetryPolicy, TransportOptions};
use std::path::Path;
use std::time::{Duration, Instant};

async fn connect(host: &str, budget: Duration) -> RegistryClient {
    let options = TransportOptions {
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            budget,
        },
        ..TransportOptions::default()
    };
    RegistryClient::connect(host, options, Credentials::Anonymous)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_retry_after_of_a_year_gives_up_at_once_within_the_deadline() {
    let hits = Counter::default();
    let counter = hits.clone();
    let server = serve(move |req: Seen| match req.path.as_str() {
        "/v2/" => respond(200, &[], "{}"),
        _ => {
            counter.bump();
            respond(429, &[("retry-after", "31536000")], "")
        }
    });
    let client = connect(&server.host(), Duration::from_secs(30)).await;
    let started = Instant::now();
    let err = client.tags("r").await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { .. }),
        "a rate limit, said as one: {err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no year-long sleep"
    );
    assert_eq!(hits.get(), 1, "and no retry it could not wait for");
}

#[tokio::test]
async fn a_listing_whose_link_never_ends_stops_at_ten_thousand_pages() {
    let hits = Counter::default();
    let counter = hits.clone();
    let server = serve(move |req: Seen| match req.path.as_str() {
        "/v2/" => respond(200, &[], "{}"),
        _ => {
            let n = counter.bump();
            let next = format!("</v2/r/tags/list?last=t{n}&n=1>; rel=\"next\"");
            respond(
                200,
                &[
                    ("link", next.as_str()),
                    ("content-type", "application/json"),
                ],
                format!(r#"{{"name":"r","tags":["t{n}"]}}"#),
            )
        }
    });
    let client = connect(&server.host(), Duration::from_secs(600)).await;
    let listing = client.tags("r").await.unwrap();
    assert_eq!(listing.items.len(), 10_000);
    assert_eq!(hits.get(), 10_000);
    let why = listing.incomplete.unwrap();
    assert!(why.contains("10000 pages"), "{why}");
}

/// Every file below `dir`, read whole.
fn files_below(dir: &Path, out: &mut Vec<(std::path::PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_below(&path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_password_or_token_reaches_the_log_the_store_or_the_trash() {
    let storage = tempfile::tempdir().unwrap();
    {
        let seeding = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
        let img = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(5, 600, OCI_LAYER)],
            &["x"],
        );
        common::blocking::push_image(&seeding.url(), "app", &img, &["1.0", "1.1"]);
    }
    let tokens = TokenServer::start(&[("alice", "s3cret-Pa55word", &["*"])]);
    let bearer = TestRegistry::start(RegistryConfig {
        auth: Auth::Token {
            realm: tokens.realm.clone(),
            service: SERVICE.into(),
            issuer: ISSUER.into(),
            root_cert: tokens.cert_path.clone(),
        },
        ..RegistryConfig::anonymous(storage.path())
    });
    let home = tempfile::tempdir().unwrap();
    let run = |host: &str, args: &[&str]| {
        let out = common::regscope(home.path())
            .args(args)
            .env("REGSCOPE_LOG", "trace")
            .env("REGSCOPE_REGISTRY", host)
            .env("REGSCOPE_USERNAME", "alice")
            .env("REGSCOPE_PASSWORD", "s3cret-Pa55word")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let repo = format!("{}/app", bearer.host);
    run(&bearer.host, &["repos", &bearer.host]);
    run(&bearer.host, &["du", &repo]);
    run(&bearer.host, &["inspect", &format!("{repo}:1.0")]);
    drop(bearer);
    let basic = TestRegistry::start(RegistryConfig {
        auth: Auth::Htpasswd(vec![("alice".into(), "s3cret-Pa55word".into())]),
        ..RegistryConfig::anonymous(storage.path())
    });
    let repo = format!("{}/app", basic.host);
    run(&basic.host, &["tags", &repo]);
    run(&basic.host, &["rm", &format!("{repo}:1.1"), "--yes"]);
    let mut files = Vec::new();
    for dir in ["cache", "state", "config"] {
        files_below(&home.path().join(dir), &mut files);
    }
    let log = files
        .iter()
        .find(|(p, _)| p.ends_with("regscope.log"))
        .expect("a log was written");
    assert!(log.1.len() > 1_000, "the trace level logged the session");
    assert!(
        files
            .iter()
            .any(|(p, _)| p.to_string_lossy().contains("trash")),
        "the trash holds the deleted manifest"
    );
    use base64::Engine;
    let basic_value = base64::engine::general_purpose::STANDARD.encode("alice:s3cret-Pa55word");
    // A JWT's header (`{"alg":…` / `{"typ":…`) in base64url.
    let secrets: [&[u8]; 5] = [
        b"s3cret-Pa55word",
        basic_value.as_bytes(),
        b"eyJhbGci",
        b"eyJ0eXAi",
        b"Bearer ey",
    ];
    for (path, bytes) in &files {
        for secret in secrets {
            assert!(
                !contains(bytes, secret),
                "{} holds {}",
                path.display(),
                String::from_utf8_lossy(secret)
            );
        }
    }
    assert!(
        tokens
            .requests()
            .iter()
            .any(|r| r.user.as_deref() == Some("alice"))
    );
}
