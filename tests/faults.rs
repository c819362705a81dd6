//! Behaviour a real registry will not show, injected by small fake servers:
//! Link pagination, loops, hostile bodies, 429 storms, dropped connections and
//! redirects to other hosts.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fake::{Counter, FakeServer, Seen, respond, serve};
use regscope::oci::Error;
use regscope::registry::RegistryClient;
use regscope::registry::auth::Credentials;
use regscope::registry::transport::{RetryPolicy, TransportOptions};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn fast_retry() -> TransportOptions {
    TransportOptions {
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            budget: Duration::from_secs(10),
        },
        ..TransportOptions::default()
    }
}

async fn connect_to(host: &str) -> RegistryClient {
    RegistryClient::connect(host, fast_retry(), Credentials::Anonymous)
        .await
        .unwrap()
}

async fn connect(server: &FakeServer) -> RegistryClient {
    connect_to(&server.host()).await
}

/// An image with no layers: its config, its manifest and the manifest's digest.
fn tiny_image() -> (Vec<u8>, String, String) {
    let config = br#"{"os":"linux","architecture":"amd64"}"#.to_vec();
    let manifest = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(&config), "size": config.len()},
        "layers": [],
    })
    .to_string();
    let digest = sha256(manifest.as_bytes());
    (config, manifest, digest)
}

fn tags_page(tags: &[&str]) -> String {
    serde_json::json!({"name": "r", "tags": tags}).to_string()
}

#[tokio::test]
async fn tag_pagination_follows_relative_and_absolute_links() {
    let seen_queries = Arc::new(Mutex::new(Vec::new()));
    let log = seen_queries.clone();
    let port = Arc::new(Mutex::new(0u16));
    let port_in = port.clone();
    let server = serve(move |req: Seen| {
        if req.path == "/v2/" {
            return respond(200, &[], "{}");
        }
        let query = req.query.clone().unwrap_or_default();
        log.lock().unwrap().push(query.clone());
        let absolute = format!(
            "<http://127.0.0.1:{}/v2/r/tags/list?last=b&n=2>; rel=\"next\"",
            port_in.lock().unwrap()
        );
        match query.as_str() {
            "n=1000" => respond(
                400,
                &[],
                r#"{"errors":[{"code":"PAGINATION_NUMBER_INVALID","message":"n too big"}]}"#,
            ),
            "n=100" => respond(
                200,
                &[("link", r#"</v2/r/tags/list?last=a&n=2>; rel="next""#)],
                tags_page(&["1.10", "1.9"]),
            ),
            "last=a&n=2" => respond(200, &[("link", absolute.as_str())], tags_page(&["a"])),
            "last=b&n=2" => respond(200, &[], r#"{"name":"r","tags":null}"#),
            _ => respond(500, &[], "unexpected"),
        }
    });
    *port.lock().unwrap() = server.port;
    let client = connect(&server).await;
    let listing = client.tags("r").await.unwrap();
    assert_eq!(listing.items, ["1.10", "1.9", "a"]);
    assert_eq!(listing.incomplete, None);
    assert_eq!(
        *seen_queries.lock().unwrap(),
        ["n=1000", "n=100", "last=a&n=2", "last=b&n=2"]
    );
}

#[test]
fn a_link_loop_stops_with_a_warning() {
    let server = serve(|req: Seen| match req.path.as_str() {
        "/v2/" => respond(200, &[], "{}"),
        _ => respond(
            200,
            &[("link", r#"</v2/r/tags/list?n=1000>; rel="next""#)],
            tags_page(&["x"]),
        ),
    });
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args(["tags", &format!("{}/r", server.host())])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "x\n");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("loops"), "{stderr}");
}

#[tokio::test]
async fn a_link_to_another_host_is_not_followed() {
    let server = serve(|req: Seen| match req.path.as_str() {
        "/v2/" => respond(200, &[], "{}"),
        _ => respond(
            200,
            &[(
                "link",
                r#"<http://evil.example/v2/r/tags/list>; rel="next""#,
            )],
            tags_page(&["x"]),
        ),
    });
    let err = connect(&server).await.tags("r").await.unwrap_err();
    assert!(err.to_string().contains("another host"), "{err}");
}

fn manifest_server(
    body: &'static [u8],
    header_digest: Option<String>,
    size_headers: bool,
) -> FakeServer {
    serve(move |req: Seen| {
        if req.path == "/v2/" {
            return respond(200, &[], "{}");
        }
        let mut headers = vec![("content-type", "application/vnd.oci.image.manifest.v1+json")];
        if let Some(d) = &header_digest {
            headers.push(("docker-content-digest", d.as_str()));
        }
        if !size_headers {
            // Streamed with no Content-Length: the cap must hold while reading.
            let stream = futures_util::stream::iter(
                body.chunks(64 * 1024)
                    .map(|c| Ok::<_, std::io::Error>(c.to_vec())),
            );
            return respond(200, &headers, axum::body::Body::from_stream(stream));
        }
        respond(200, &headers, body)
    })
}

const MANIFEST: &[u8] = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":2},"layers":[]}"#;

#[tokio::test]
async fn a_body_that_does_not_match_its_digest_is_rejected() {
    let wrong = sha256(b"something else");
    let server = manifest_server(MANIFEST, Some(wrong.clone()), true);
    let client = connect(&server).await;
    let by_tag = client.manifest("r", "1.0").await.unwrap_err();
    assert!(matches!(by_tag, Error::DigestMismatch { .. }), "{by_tag}");
    let by_digest = client.manifest("r", &wrong).await.unwrap_err();
    assert!(
        matches!(by_digest, Error::DigestMismatch { .. }),
        "{by_digest}"
    );
    let right = sha256(MANIFEST);
    let by_right_digest = client.manifest("r", &right).await.unwrap();
    assert_eq!(
        by_right_digest.digest.to_string(),
        right,
        "the requested digest is what counts"
    );

    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args(["inspect", &format!("{}/r@{wrong}", server.host())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("digest mismatch"));
}

#[tokio::test]
async fn oversized_manifests_are_refused_with_and_without_content_length() {
    static HUGE: std::sync::LazyLock<Vec<u8>> =
        std::sync::LazyLock::new(|| vec![b' '; 5 * 1024 * 1024]);
    for size_headers in [true, false] {
        let server = manifest_server(HUGE.as_slice(), None, size_headers);
        let err = connect(&server)
            .await
            .manifest("r", "big")
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::TooLarge { limit: 4194304, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("larger than"), "{err}");
    }
}

#[test]
fn control_characters_from_the_registry_never_reach_the_terminal() {
    let server = serve(|req: Seen| match req.path.as_str() {
        "/v2/" => respond(200, &[], "{}"),
        _ => respond(
            200,
            &[],
            tags_page(&["ok", "evil\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2Jtag"]),
        ),
    });
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args(["tags", &format!("{}/r", server.host())])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(stdout.contains("eviltag"), "{stdout:?}");
    let json = common::regscope(home.path())
        .args(["tags", &format!("{}/r", server.host()), "--json"])
        .output()
        .unwrap();
    assert!(json.status.success(), "the --json run succeeded");
    assert!(
        !json.stdout.contains(&0x1b),
        "JSON escapes control characters"
    );
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        doc["tags"][0].as_str().unwrap(),
        "evil\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2Jtag",
        "the value itself is kept, escaped as JSON"
    );
}

#[tokio::test]
async fn rate_limits_slow_down_then_succeed_or_give_up() {
    let hits = Counter::default();
    let counter = hits.clone();
    let server = serve(move |req: Seen| {
        if req.path == "/v2/" {
            return respond(200, &[], "{}");
        }
        if counter.bump() <= 3 {
            return respond(
                429,
                &[("retry-after", "0")],
                r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#,
            );
        }
        respond(200, &[], tags_page(&["ok"]))
    });
    let client = connect(&server).await;
    assert_eq!(client.tags("r").await.unwrap().items, ["ok"]);
    assert_eq!(hits.get(), 4);

    let storm_hits = Counter::default();
    let storm_counter = storm_hits.clone();
    let storm = serve(move |req: Seen| match req.path.as_str() {
        "/v2/" => respond(200, &[], "{}"),
        _ => {
            storm_counter.bump();
            respond(503, &[], "overloaded")
        }
    });
    let err = connect(&storm).await.tags("r").await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err}");
    assert_eq!(
        storm_hits.get(),
        4,
        "gave up after max_attempts, not before"
    );

    let limited = serve(|req: Seen| match req.path.as_str() {
        "/v2/" => respond(200, &[], "{}"),
        _ => respond(429, &[("retry-after", "0")], ""),
    });
    let err = connect(&limited).await.tags("r").await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err}");
}

/// Answers `GET /v2/` always; closes the first `drops` tag-list requests without a
/// word (and anything else it cannot read, such as a TLS hello), then answers them.
fn dropping_server(drops: usize) -> (u16, Counter) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let tag_requests = Counter::default();
    let count = tag_requests.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let body = if request.starts_with("GET /v2/ ") {
                "{}".to_string()
            } else if request.contains("/tags/list") && count.bump() > drops {
                tags_page(&["survived"])
            } else {
                continue;
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, tag_requests)
}

#[tokio::test]
async fn dropped_connections_are_retried_a_bounded_number_of_times() {
    let (port, tag_requests) = dropping_server(2);
    let client = connect_to(&format!("127.0.0.1:{port}")).await;
    assert_eq!(client.tags("r").await.unwrap().items, ["survived"]);
    assert_eq!(tag_requests.get(), 3);

    let (port, tag_requests) = dropping_server(usize::MAX);
    let client = connect_to(&format!("127.0.0.1:{port}")).await;
    let err = client.tags("r").await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert_eq!(tag_requests.get(), 4, "max_attempts bounds the retries");
}

#[test]
fn redirected_blobs_never_receive_the_registry_credentials() {
    use base64::Engine;
    let config = br#"{"os":"linux","architecture":"amd64","history":[{"created_by":"RUN from-the-config"}]}"#;
    let config_digest = sha256(config);
    let manifest = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha256(b"layer"), "size": 5}],
    })
    .to_string();
    let storage_auth = Arc::new(Mutex::new(Vec::new()));
    let storage_log = storage_auth.clone();
    let storage = serve(move |req: Seen| {
        storage_log.lock().unwrap().push(
            req.headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_string()),
        );
        respond(200, &[], &config[..])
    });
    let storage_port = storage.port;
    let expected_auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("alice:secret")
    );
    let registry_auth = Counter::default();
    let authed = registry_auth.clone();
    let registry = serve(move |req: Seen| {
        let auth = req
            .headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string());
        if auth.as_deref() != Some(expected_auth.as_str()) {
            return respond(401, &[("www-authenticate", r#"Basic realm="fake""#)], "");
        }
        authed.bump();
        if req.path.contains("/manifests/") {
            return respond(
                200,
                &[("content-type", "application/vnd.oci.image.manifest.v1+json")],
                manifest.clone(),
            );
        }
        if req.path == "/v2/" {
            return respond(200, &[], "{}");
        }
        let location = format!("http://localhost:{storage_port}/storage/config?sig=abc");
        respond(307, &[("location", location.as_str())], "")
    });
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args(["inspect", &format!("{}/app:1.0", registry.host()), "--json"])
        .env("REGSCOPE_USERNAME", "alice")
        .env("REGSCOPE_REGISTRY", registry.host())
        .env("REGSCOPE_PASSWORD", "secret")
        .output()
        .unwrap();
    let doc = common::success_json(&out);
    assert_eq!(
        doc["manifests"][0]["layers"][0]["created_by"],
        "RUN from-the-config"
    );
    assert!(
        registry_auth.get() >= 2,
        "the registry itself got the credentials"
    );
    assert_eq!(
        *storage_auth.lock().unwrap(),
        vec![None],
        "storage host saw no Authorization"
    );
}

#[test]
fn invalid_references_exit_2_before_any_request() {
    let requests = Counter::default();
    let counter = requests.clone();
    let server = serve(move |_req: Seen| {
        counter.bump();
        respond(200, &[], "{}")
    });
    let host = server.host();
    let home = tempfile::tempdir().unwrap();
    let cases = [
        vec!["inspect".to_string(), format!("{host}/Upper:1")],
        vec!["inspect".to_string(), format!("{host}/app@sha256:1234")],
        vec!["inspect".to_string(), format!("{host}/app:-bad")],
        vec!["tags".to_string(), format!("{host}/app:1.0")],
        vec!["repos".to_string(), "not a host".to_string()],
        vec![
            "inspect".to_string(),
            format!("{host}/app:1"),
            "--platform".into(),
            "linux".into(),
        ],
    ];
    for args in cases {
        let out = common::regscope(home.path()).args(&args).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("regscope: error: invalid"), "{stderr}");
    }
    assert_eq!(requests.get(), 0);
}

#[tokio::test]
async fn the_cache_fetches_each_digest_once_and_stays_bounded() {
    use regscope::source::Source;
    use regscope::store::CachedSource;
    let docs: Vec<String> = (0..3).map(|i| format!(r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[],"annotations":{{"n":"{i}"}}}}"#)).collect();
    let digests: Vec<String> = docs.iter().map(|d| sha256(d.as_bytes())).collect();
    let hits = Counter::default();
    let counter = hits.clone();
    let served = docs.clone();
    let server = serve(move |req: Seen| {
        if req.path == "/v2/" {
            return respond(200, &[], "{}");
        }
        counter.bump();
        std::thread::sleep(Duration::from_millis(30));
        let doc = served
            .iter()
            .find(|d| req.path.ends_with(&sha256(d.as_bytes())))
            .cloned()
            .unwrap_or_default();
        respond(
            200,
            &[("content-type", "application/vnd.oci.image.manifest.v1+json")],
            doc,
        )
    });
    let source = Source::Registry(Arc::new(connect(&server).await));
    let cache = CachedSource::with_store(source, None, 2);
    let first: regscope::oci::Digest = digests[0].parse().unwrap();
    let same = futures_util::future::join_all((0..10).map(|_| cache.manifest("r", &first))).await;
    assert!(same.iter().all(|m| m.as_ref().unwrap().digest == first));
    assert_eq!(hits.get(), 1, "ten concurrent askers, one request");
    for d in &digests[1..] {
        cache.manifest("r", &d.parse().unwrap()).await.unwrap();
    }
    assert_eq!(hits.get(), 3);
    assert_eq!(cache.manifest_count(), 2, "bounded");
    cache.manifest("r", &first).await.unwrap();
    assert_eq!(
        hits.get(),
        4,
        "the oldest entry was evicted and fetched again"
    );
}

#[tokio::test]
async fn a_429_pauses_every_request_to_that_registry() {
    let log = Arc::new(Mutex::new(Vec::<(String, std::time::Instant)>::new()));
    let seen = log.clone();
    let limited_once = Counter::default();
    let (limited_tx, limited_rx) = std::sync::mpsc::channel::<()>();
    let limited_tx = Mutex::new(limited_tx);
    let server = serve(move |req: Seen| {
        if req.path == "/v2/" {
            return respond(200, &[], "{}");
        }
        seen.lock()
            .unwrap()
            .push((req.path.clone(), std::time::Instant::now()));
        if req.path.contains("/slow/") && limited_once.bump() == 1 {
            let _ = limited_tx.lock().unwrap().send(());
            return respond(429, &[("retry-after", "1")], "");
        }
        respond(200, &[], tags_page(&["ok"]))
    });
    let client = Arc::new(connect(&server).await);
    let first = {
        let client = client.clone();
        tokio::spawn(async move { client.tags("slow").await })
    };
    // Wait for the events (the 429 was served, the client paused), not a fixed time.
    tokio::task::spawn_blocking(move || limited_rx.recv().unwrap())
        .await
        .unwrap();
    for _ in 0..1000 {
        if client.paused_for().is_some() {
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(client.paused_for().is_some(), "the 429 paused the registry");
    let other = client.tags("other").await.unwrap();
    assert_eq!(other.items, ["ok"]);
    first.await.unwrap().unwrap();
    let log = log.lock().unwrap();
    let limited_at = log[0].1;
    let other_at = log.iter().find(|(p, _)| p.contains("/other/")).unwrap().1;
    assert!(
        other_at.duration_since(limited_at) >= Duration::from_millis(900),
        "a request to the same registry waited for Retry-After"
    );
}

#[tokio::test]
async fn config_blobs_are_capped_at_16_mib() {
    static BIG: std::sync::LazyLock<Vec<u8>> =
        std::sync::LazyLock::new(|| vec![b'{'; 17 * 1024 * 1024]);
    let server = serve(|req: Seen| match req.path.as_str() {
        "/v2/" => respond(200, &[], "{}"),
        _ => respond(200, &[], BIG.as_slice()),
    });
    let digest: regscope::oci::Digest = sha256(&BIG).parse().unwrap();
    let err = connect(&server)
        .await
        .blob("r", &digest, regscope::oci::manifest::CONFIG_LIMIT)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { limit, .. } if limit == 16 * 1024 * 1024),
        "{err}"
    );
}

#[test]
fn completions_and_version() {
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(script.contains("regscope") && script.contains("inspect") && script.contains("trash"));
    let out = common::regscope(home.path()).arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with(".ie") && page.contains(".TH regscope 1") && page.contains("inspect"));
    let out = common::regscope(home.path())
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("regscope {}", env!("CARGO_PKG_VERSION"))
    );
    let out = common::regscope(home.path())
        .args(["inspect"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "missing argument is bad usage");
}

#[test]
fn manifests_and_configs_by_digest_come_from_the_disk_cache_the_second_time() {
    let config =
        br#"{"os":"linux","architecture":"amd64","history":[{"created_by":"RUN cached"}]}"#
            .to_vec();
    let child = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(&config), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha256(b"l"), "size": 1}],
    })
    .to_string();
    let index = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(child.as_bytes()), "size": child.len(), "platform": {"os": "linux", "architecture": "amd64"}}],
    })
    .to_string();
    let by_digest = Counter::default();
    let counter = by_digest.clone();
    let (child_digest, config_digest) = (sha256(child.as_bytes()), sha256(&config));
    let server = serve(move |req: Seen| {
        let path = req.path.as_str();
        if path == "/v2/" {
            return respond(200, &[], "{}");
        }
        if path.ends_with("/manifests/1.0") {
            return respond(
                200,
                &[("content-type", "application/vnd.oci.image.index.v1+json")],
                index.clone(),
            );
        }
        counter.bump();
        if path.ends_with(&child_digest) {
            return respond(
                200,
                &[("content-type", "application/vnd.oci.image.manifest.v1+json")],
                child.clone(),
            );
        }
        if path.ends_with(&config_digest) {
            return respond(200, &[], config.clone());
        }
        respond(404, &[], "")
    });
    let home = tempfile::tempdir().unwrap();
    let image = format!("{}/app:1.0", server.host());
    let first = common::run_json(home.path(), &["inspect", &image, "--json"]);
    assert_eq!(by_digest.get(), 2, "child manifest and config fetched once");
    let second = common::run_json(home.path(), &["inspect", &image, "--json"]);
    assert_eq!(by_digest.get(), 2, "the second run reads them from disk");
    assert_eq!(first, second);
    assert_eq!(
        second["manifests"][0]["layers"][0]["created_by"],
        "RUN cached"
    );
    // A damaged entry is noticed, dropped and fetched again.
    let db = rusqlite::Connection::open(home.path().join("cache/regscope/regscope.db")).unwrap();
    let changed = db
        .execute(
            "UPDATE content SET bytes = x'7461' WHERE digest = ?1",
            [format!("sha256:{}", child_digest_hex(&second))],
        )
        .unwrap();
    assert_eq!(changed, 1, "the child manifest is in the store file");
    drop(db);
    let third = common::run_json(home.path(), &["inspect", &image, "--json"]);
    assert_eq!(third, second);
    assert_eq!(by_digest.get(), 3);
}

fn child_digest_hex(report: &serde_json::Value) -> String {
    report["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .trim_start_matches("sha256:")
        .to_string()
}

/// A one-image registry whose DELETE by tag answers `refusal` (status, body);
/// counts the DELETEs by digest it receives.
fn refusing_registry(refusal: (u16, &'static str)) -> (FakeServer, Counter) {
    let (config, manifest, digest) = tiny_image();
    let by_digest = Counter::default();
    let counter = by_digest.clone();
    let server = serve(move |req: Seen| {
        let oci = [
            ("content-type", "application/vnd.oci.image.manifest.v1+json"),
            ("docker-content-digest", digest.as_str()),
        ];
        match (req.method.as_str(), req.path.as_str()) {
            (_, "/v2/") => respond(200, &[], "{}"),
            ("GET", "/v2/r/tags/list") => respond(200, &[], tags_page(&["v1"])),
            ("DELETE", p) if p.ends_with("/manifests/v1") => respond(refusal.0, &[], refusal.1),
            ("DELETE", _) => {
                counter.bump();
                respond(202, &[], "")
            }
            (_, p) if p.contains("/blobs/") => respond(200, &[], config.clone()),
            (_, p) if p.contains("/manifests/") => respond(200, &oci, manifest.clone()),
            _ => respond(404, &[], ""),
        }
    });
    (server, by_digest)
}

#[test]
fn only_the_documented_tag_delete_refusals_fall_back_to_a_digest_delete() {
    let home = tempfile::tempdir().unwrap();
    let immutable = (
        400,
        r#"{"errors":[{"code":"TAG_IMMUTABLE","message":"v1 is immutable"}]}"#,
    );
    let (server, by_digest) = refusing_registry(immutable);
    let out = common::regscope(home.path())
        .args(["rm", &format!("{}/r:v1", server.host()), "--yes", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["results"][0]["outcome"], "failed", "{doc}");
    assert!(
        doc["results"][0]["error"]
            .as_str()
            .unwrap()
            .contains("immutable"),
        "{doc}"
    );
    assert_eq!(
        by_digest.get(),
        0,
        "no DELETE by digest after an undocumented refusal"
    );

    let documented = (
        400,
        r#"{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match"}]}"#,
    );
    let (server, by_digest) = refusing_registry(documented);
    let out = common::regscope(home.path())
        .args(["rm", &format!("{}/r:v1", server.host()), "--yes", "--json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success(), "{doc}");
    assert_eq!(doc["results"][0]["method"], "digest");
    assert_eq!(by_digest.get(), 1);
}

#[test]
fn ctrl_c_during_a_batch_finishes_the_delete_in_flight_and_stops() {
    let images: Vec<(String, String)> = (0..3)
        .map(|i| {
            let m = serde_json::json!({
                "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "layers": [], "annotations": {"n": i.to_string()},
            })
            .to_string();
            (sha256(m.as_bytes()), m)
        })
        .collect();
    let deletes = Counter::default();
    let counter = deletes.clone();
    let served = images.clone();
    let server = serve(move |req: Seen| {
        let find = |reference: &str| {
            served
                .iter()
                .enumerate()
                .find(|(i, (d, _))| reference == format!("t{i}") || reference == d)
                .map(|(_, image)| image.clone())
        };
        let reference = req.path.rsplit('/').next().unwrap_or("").to_string();
        match (req.method.as_str(), req.path.as_str()) {
            (_, "/v2/") => respond(200, &[], "{}"),
            ("GET", "/v2/r/tags/list") => respond(200, &[], tags_page(&["t0", "t1", "t2"])),
            ("DELETE", _) if reference.starts_with('t') => respond(
                400,
                &[],
                r#"{"errors":[{"code":"DIGEST_INVALID","message":"no tag deletes"}]}"#,
            ),
            ("DELETE", _) => {
                counter.bump();
                std::thread::sleep(Duration::from_millis(1500));
                respond(202, &[], "")
            }
            (_, p) if p.contains("/manifests/") => match find(&reference) {
                Some((digest, body)) => respond(
                    200,
                    &[
                        ("content-type", "application/vnd.oci.image.manifest.v1+json"),
                        ("docker-content-digest", digest.as_str()),
                    ],
                    body,
                ),
                None => respond(404, &[], ""),
            },
            _ => respond(404, &[], ""),
        }
    });
    let home = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_regscope"))
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .args(["rm", "--yes", "--json"])
        .args((0..3).map(|i| format!("{}/r:t{i}", server.host())))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while deletes.get() == 0 && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(deletes.get(), 1, "the first DELETE is in flight");
    let pid = i32::try_from(child.id()).unwrap();
    unsafe { libc::kill(pid, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("1 of 3 deletions done"), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        common::outcomes(&doc),
        ["deleted", "skipped", "skipped"],
        "{doc}"
    );
    assert_eq!(deletes.get(), 1, "nothing after the one in flight");
}

/// A registry with one tag `v1` whose manifest is `manifest` (raw JSON text).
fn one_manifest_registry(manifest: String) -> FakeServer {
    let config = br#"{"os":"linux","architecture":"amd64"}"#.to_vec();
    let digest = sha256(manifest.as_bytes());
    serve(move |req: Seen| {
        let headers = [
            ("content-type", "application/vnd.oci.image.manifest.v1+json"),
            ("docker-content-digest", digest.as_str()),
        ];
        match req.path.as_str() {
            "/v2/" => respond(200, &[], "{}"),
            "/v2/r/tags/list" => respond(200, &[], tags_page(&["v1"])),
            p if p.contains("/blobs/") => respond(200, &[], config.clone()),
            p if p.contains("/manifests/") => respond(200, &headers, manifest.clone()),
            _ => respond(404, &[], ""),
        }
    })
}

#[test]
fn sizes_outside_the_image_spec_are_refused_with_the_descriptor_named() {
    let config = br#"{"os":"linux","architecture":"amd64"}"#;
    let home = tempfile::tempdir().unwrap();
    for claim in [
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "-1",
        "1e30",
    ] {
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{}","size":5}},{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{}","size":{claim}}}]}}"#,
            sha256(config),
            config.len(),
            sha256(b"a"),
            sha256(b"b"),
        );
        let server = one_manifest_registry(manifest);
        let repo = format!("{}/r", server.host());
        for args in [
            vec!["inspect".to_string(), format!("{repo}:v1"), "--json".into()],
            vec!["du".to_string(), repo.clone(), "--json".into()],
            vec![
                "rm".to_string(),
                format!("{repo}:v1"),
                "--dry-run".into(),
                "--json".into(),
            ],
        ] {
            let out = common::regscope(home.path()).args(&args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?} {claim}: {stderr}");
            assert!(
                stderr.contains("layer 2 claims a size of"),
                "{args:?}: {stderr}"
            );
            assert!(out.stdout.is_empty(), "no figure printed: {args:?}");
        }
    }
}

#[test]
fn the_largest_valid_sizes_add_up_without_wrapping() {
    let config = br#"{"os":"linux","architecture":"amd64"}"#;
    let big = i64::MAX;
    let layers: Vec<String> = (0..3)
        .map(|i| {
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{}","size":{big}}}"#,
                sha256(&[i])
            )
        })
        .collect();
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{}]}}"#,
        sha256(config),
        config.len(),
        layers.join(",")
    );
    let server = one_manifest_registry(manifest);
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/r", server.host());
    let inspect = common::run_json(home.path(), &["inspect", &format!("{repo}:v1"), "--json"]);
    assert_eq!(
        inspect["manifests"][0]["size"],
        u64::MAX,
        "saturated, not wrapped"
    );
    let du = common::run_json(home.path(), &["du", &repo, "--json"]);
    assert_eq!(du["tags"][0]["stored_bytes"], u64::MAX);
    assert_eq!(du["total_unique_bytes"], u64::MAX);
    let plan = common::run_json(
        home.path(),
        &["rm", &format!("{repo}:v1"), "--dry-run", "--json"],
    );
    assert_eq!(plan["bytes_freed"], u64::MAX);
}

#[derive(Clone, Copy, Debug)]
enum Slow {
    /// Headers, then one byte a second, forever.
    Trickle,
    /// Headers, then nothing.
    Stall,
}

fn slow_body(slow: Slow) -> axum::body::Body {
    match slow {
        Slow::Trickle => {
            axum::body::Body::from_stream(futures_util::stream::unfold((), |()| async {
                tokio::time::sleep(Duration::from_millis(1000)).await;
                Some((Ok::<_, std::io::Error>(bytes::Bytes::from_static(b" ")), ()))
            }))
        }
        Slow::Stall => axum::body::Body::from_stream(futures_util::stream::pending::<
            Result<bytes::Bytes, std::io::Error>,
        >()),
    }
}

/// A one-image registry that answers `slow` on requests whose path contains `at`.
fn slow_registry(slow: Slow, at: &'static str) -> FakeServer {
    let (config, manifest, digest) = tiny_image();
    serve(move |req: Seen| {
        if req.path != "/v2/" && req.path.contains(at) {
            let mut resp = respond(
                200,
                &[("content-type", "application/json")],
                slow_body(slow),
            );
            if at == "/manifests/" {
                let headers = resp.headers_mut();
                headers.insert("docker-content-digest", digest.parse().unwrap());
                headers.insert(
                    "content-type",
                    "application/vnd.oci.image.manifest.v1+json"
                        .parse()
                        .unwrap(),
                );
            }
            return resp;
        }
        let headers = [
            ("content-type", "application/vnd.oci.image.manifest.v1+json"),
            ("docker-content-digest", digest.as_str()),
        ];
        match req.path.as_str() {
            "/v2/" => respond(200, &[], "{}"),
            "/v2/_catalog" => respond(200, &[], r#"{"repositories":["r"]}"#),
            "/v2/r/tags/list" => respond(200, &[], tags_page(&["v1"])),
            p if p.contains("/blobs/") => respond(200, &[], config.clone()),
            p if p.contains("/manifests/") => respond(200, &headers, manifest.clone()),
            _ => respond(404, &[], ""),
        }
    })
}

#[test]
fn trickling_and_stalled_registries_fail_within_the_deadline() {
    let home = tempfile::tempdir().unwrap();
    type Args = fn(&str) -> Vec<String>;
    let cases: [(&str, Args); 5] = [
        ("/_catalog", |h| vec!["repos".into(), h.into()]),
        ("/tags/list", |h| vec!["tags".into(), format!("{h}/r")]),
        ("/manifests/", |h| {
            vec!["inspect".into(), format!("{h}/r:v1")]
        }),
        ("/blobs/", |h| vec!["du".into(), format!("{h}/r")]),
        ("/manifests/", |h| {
            vec!["rm".into(), format!("{h}/r:v1"), "--dry-run".into()]
        }),
    ];
    for slow in [Slow::Trickle, Slow::Stall] {
        for (at, args) in cases {
            let server = slow_registry(slow, at);
            let args = args(&server.host());
            let started = std::time::Instant::now();
            let out = common::regscope(home.path())
                .args(&args)
                .args(["--timeout", "2s"])
                .output()
                .unwrap();
            let took = started.elapsed();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{slow:?} {args:?}: {stderr}");
            // Time to failure is reported, not asserted (no wall-clock assertions).
            eprintln!("{slow:?} {args:?}: failed after {took:?}");
            assert!(stderr.contains(&server.host()), "names the host: {stderr}");
            assert!(
                stderr.contains("timed out") || stderr.contains("no complete answer"),
                "{slow:?} {args:?}: {stderr}"
            );
            assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        }
    }
}

#[test]
fn a_stalled_body_fails_on_the_idle_timeout_by_default() {
    let home = tempfile::tempdir().unwrap();
    let server = slow_registry(Slow::Stall, "/tags/list");
    let started = std::time::Instant::now();
    let out = common::regscope(home.path())
        .args(["tags", &format!("{}/r", server.host())])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    eprintln!("stalled tag list with default deadlines: failed after {took:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("timed out"));
}

#[test]
fn a_20000_child_index_is_fetched_within_the_width() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const CHILDREN: usize = 20_000;
    const WIDTH: usize = 8;
    let child = |i: usize| {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[],"annotations":{{"n":"{i}"}}}}"#
        )
    };
    let children: Arc<HashMap<String, String>> = Arc::new(
        (0..CHILDREN)
            .map(|i| {
                let body = child(i);
                (sha256(body.as_bytes()), body)
            })
            .collect(),
    );
    let entries: Vec<String> = children
        .iter()
        .map(|(digest, body)| {
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{digest}","size":{},"platform":{{"os":"linux","architecture":"amd64"}}}}"#,
                body.len()
            )
        })
        .collect();
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
        entries.join(",")
    );
    let index_digest = sha256(index.as_bytes());
    let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (now_in, most_in) = (now.clone(), most.clone());
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let (children, index, index_digest) =
            (children.clone(), index.clone(), index_digest.clone());
        let (now, most) = (now_in.clone(), most_in.clone());
        async move {
            let path = req.uri().path().to_string();
            if path == "/v2/" {
                return respond(200, &[], "{}");
            }
            let in_flight = now.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(in_flight, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(1)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            let reference = path.rsplit('/').next().unwrap_or("").to_string();
            let (body, digest, media) = if reference == "big" || reference == index_digest {
                (
                    index,
                    index_digest,
                    "application/vnd.oci.image.index.v1+json",
                )
            } else {
                let body = children.get(&reference).cloned().unwrap_or_default();
                (
                    body,
                    reference,
                    "application/vnd.oci.image.manifest.v1+json",
                )
            };
            respond(
                200,
                &[
                    ("content-type", media),
                    ("docker-content-digest", digest.as_str()),
                ],
                body,
            )
        }
    });
    let server = FakeServer::start(app);
    let host = server.host();
    let summary = common::block_on_thread(async move {
        let client = connect_to(&host).await;
        let source = regscope::store::CachedSource::in_memory(regscope::source::Source::Registry(
            Arc::new(client),
        ))
        .with_width(WIDTH);
        regscope::ops::summary::summarize(&source, "r", "big")
            .await
            .unwrap()
    });
    assert_eq!(summary.platforms.len(), CHILDREN);
    let most = most.load(Ordering::SeqCst);
    assert!(
        most <= WIDTH,
        "{most} requests in flight at once, width {WIDTH}"
    );
    assert!(most >= 2, "fetches did overlap ({most})");
}

#[test]
fn hostile_tag_names_never_leave_the_repository_path() {
    let (config, manifest, digest) = tiny_image();
    let paths = Arc::new(Mutex::new(Vec::new()));
    let log = paths.clone();
    let hostile = [
        format!("../../other/manifests/{digest}"),
        "a b".to_string(),
        "\u{1b}]52;c;ZXZpbA==\u{7}x".to_string(),
        "ok".to_string(),
    ];
    let listed = hostile.clone();
    let server = serve(move |req: Seen| {
        log.lock()
            .unwrap()
            .push(format!("{} {}", req.method, req.path));
        let headers = [
            ("content-type", "application/vnd.oci.image.manifest.v1+json"),
            ("docker-content-digest", digest.as_str()),
        ];
        match req.path.as_str() {
            "/v2/" => respond(200, &[], "{}"),
            "/v2/r/tags/list" => respond(
                200,
                &[],
                serde_json::json!({"name": "r", "tags": listed}).to_string(),
            ),
            p if p.starts_with("/v2/r/blobs/") => respond(200, &[], config.clone()),
            p if p.starts_with("/v2/r/manifests/") => respond(200, &headers, manifest.clone()),
            _ => respond(404, &[], ""),
        }
    });
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/r", server.host());
    let tags = common::regscope(home.path())
        .args(["tags", &repo])
        .output()
        .unwrap();
    assert!(tags.status.success());
    let listed = String::from_utf8(tags.stdout).unwrap();
    assert!(
        !listed.contains('\u{1b}') && !listed.contains('\u{7}'),
        "{listed:?}"
    );
    assert_eq!(listed.lines().count(), 4, "shown, sanitised: {listed:?}");
    let du = common::run_json(home.path(), &["du", &repo, "--json"]);
    let rows: Vec<&str> = du["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect();
    assert_eq!(rows, ["ok"], "invalid names are left out of the figures");
    let rm = common::regscope(home.path())
        .args(["rm", &format!("{repo}:ok"), "--dry-run", "--json"])
        .output()
        .unwrap();
    assert!(
        rm.status.success(),
        "{}",
        String::from_utf8_lossy(&rm.stderr)
    );
    let paths = paths.lock().unwrap().clone();
    for path in &paths {
        let (_, p) = path.split_once(' ').unwrap();
        assert!(
            p == "/v2/" || p.starts_with("/v2/r/"),
            "outside the repository: {path}"
        );
        assert!(
            !p.contains("..") && !p.contains("other") && !p.contains(' '),
            "{path}"
        );
        assert!(
            !p.contains("%"),
            "no encoded hostile name was requested: {path}"
        );
    }
    assert!(
        paths.iter().any(|p| p.ends_with("/manifests/ok")),
        "{paths:?}"
    );
}

#[test]
fn registry_text_in_errors_reaches_the_terminal_inert() {
    let evil = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{9b}31m\u{202e}gone";
    let body =
        serde_json::json!({"errors": [{"code": "MANIFEST_UNKNOWN", "message": evil}]}).to_string();
    let digest_header = format!("sha256:{}", "a".repeat(64));
    let server = serve(move |req: Seen| match req.path.as_str() {
        "/v2/" => respond(200, &[], "{}"),
        "/v2/r/tags/list" => respond(200, &[], tags_page(&[evil])),
        p if p.ends_with("/manifests/bad") => {
            respond(200, &[("docker-content-digest", "sha256:zz")], "{}")
        }
        p if p.ends_with("/manifests/mismatch") => respond(
            200,
            &[("docker-content-digest", digest_header.as_str())],
            "{}",
        ),
        _ => respond(404, &[("content-type", "application/json")], body.clone()),
    });
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/r", server.host());
    for reference in ["v1", "bad", "mismatch"] {
        for args in [
            vec!["inspect".to_string(), format!("{repo}:{reference}")],
            vec![
                "inspect".to_string(),
                format!("{repo}:{reference}"),
                "--json".into(),
            ],
            vec![
                "rm".to_string(),
                format!("{repo}:{reference}"),
                "--dry-run".into(),
            ],
        ] {
            let out = common::regscope(home.path()).args(&args).output().unwrap();
            assert!(!out.status.success(), "{args:?}");
            for stream in [&out.stderr, &out.stdout] {
                let text = String::from_utf8_lossy(stream);
                assert!(
                    !text
                        .chars()
                        .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
                    "{args:?}: {text:?}"
                );
            }
            assert!(
                String::from_utf8_lossy(&out.stderr).starts_with("regscope: error:"),
                "{args:?}"
            );
        }
    }
}

/// A listener whose accept queue is full: the kernel drops every further SYN,
/// as a firewall that drops packets does.
fn unanswering_listener() -> (std::net::TcpListener, Vec<std::net::TcpStream>) {
    use std::os::fd::AsRawFd;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    // SAFETY: listen(2) on a socket this function owns; only the backlog changes.
    assert_eq!(unsafe { libc::listen(listener.as_raw_fd(), 0) }, 0);
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    let mut dropped = 0;
    for _ in 0..4 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(stream) => queued.push(stream),
            Err(_) => dropped += 1,
        }
    }
    assert!(
        dropped > 0,
        "positive control: the queue is full, SYNs go unanswered"
    );
    (listener, queued)
}

#[tokio::test]
async fn a_host_that_never_answers_fails_on_the_connect_timeout() {
    let (listener, _queued) = unanswering_listener();
    let host = listener.local_addr().unwrap().to_string();
    let opts = TransportOptions {
        connect_timeout: Duration::from_millis(200),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            // Far beyond: the connect timeout, not the deadline, must end this.
            budget: Duration::from_secs(120),
        },
        ..TransportOptions::default()
    };
    let err = RegistryClient::connect(&host, opts, Credentials::Anonymous)
        .await
        .err()
        .expect("nothing answers");
    let text = err.to_string();
    assert!(text.contains(&host), "names the host: {text}");
    assert!(
        text.contains("could not connect"),
        "says it is the connection: {text}"
    );
    assert!(!text.contains("within 120s"), "not the deadline: {text}");
}
