//! Spending requests where the user's eyes are: a registry that announces a
//! pull budget the way Docker Hub does (`RateLimit-Limit`/`-Remaining` on
//! manifest HEAD and GET), and `max_requests_per_second` pacing every request.
//! A fake server, because no real registry here sends those headers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fake::{FakeServer, Seen, respond, serve};
use common::tmux::Tmux;
use sha2::{Digest as _, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TAGS: usize = 400;

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// What the fake saw: each request's time, method and path.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<(Instant, String, String)>>>);

impl Log {
    fn count(&self, method: &str, path_part: &str) -> usize {
        let seen = self.0.lock().unwrap();
        seen.iter()
            .filter(|(_, m, p)| m == method && p.contains(path_part))
            .count()
    }

    /// The most requests that started within any one second.
    fn busiest_second(&self) -> usize {
        let times: Vec<Instant> = self.0.lock().unwrap().iter().map(|(t, _, _)| *t).collect();
        (0..times.len())
            .map(|i| {
                times[i..]
                    .iter()
                    .take_while(|t| t.duration_since(times[i]) < Duration::from_secs(1))
                    .count()
            })
            .max()
            .unwrap_or(0)
    }
}

/// One image under `TAGS` tags; manifest answers carry the pull budget, which
/// each manifest GET (a pull) lowers by one.
fn hub_like(tags: usize, remaining: Arc<AtomicU64>, log: Log) -> FakeServer {
    let config =
        br#"{"os":"linux","architecture":"amd64","created":"2024-01-01T00:00:00Z"}"#.to_vec();
    let manifest = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(&config), "size": config.len()},
        "layers": [],
    })
    .to_string();
    let digest = sha256(manifest.as_bytes());
    let tags: Vec<String> = (0..tags).map(|i| format!("t{i:03}")).collect();
    serve(move |req: Seen| {
        log.0
            .lock()
            .unwrap()
            .push((Instant::now(), req.method.to_string(), req.path.clone()));
        match req.path.as_str() {
            "/v2/" => respond(200, &[], "{}"),
            "/v2/r/tags/list" => respond(
                200,
                &[],
                serde_json::json!({"name": "r", "tags": tags}).to_string(),
            ),
            p if p.contains("/blobs/") => respond(200, &[], config.clone()),
            p if p.contains("/manifests/") => {
                let left = if req.method == axum::http::Method::GET {
                    remaining.fetch_sub(1, Ordering::SeqCst).saturating_sub(1)
                } else {
                    remaining.load(Ordering::SeqCst)
                };
                let left = format!("{left};w=21600");
                let headers = [
                    ("content-type", "application/vnd.oci.image.manifest.v1+json"),
                    ("docker-content-digest", digest.as_str()),
                    ("ratelimit-limit", "100;w=21600"),
                    ("ratelimit-remaining", left.as_str()),
                ];
                respond(200, &headers, manifest.clone())
            }
            _ => respond(404, &[], ""),
        }
    })
}

#[test]
fn a_low_pull_budget_pauses_background_fetching_and_shows_in_the_status_bar() {
    let remaining = Arc::new(AtomicU64::new(9));
    let log = Log::default();
    let server = hub_like(TAGS, remaining.clone(), log.clone());
    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux::regscope(&format!("{}/r", server.host()), home.path(), &[]);
    let screen = tmux.wait_for(&[
        "r (400)",
        "background fetching paused",
        "pulls 8/100",
        " req",
    ]);
    // The rows on screen are fetched; the window around them waits.
    tmux.wait_for(&["queued (paused)"]);
    let heads = log.count("HEAD", "/manifests/");
    assert!(
        heads > 0 && heads <= 32,
        "only rows on screen: {heads} HEADs\n{screen}"
    );
    tmux.keys(&["F"]);
    tmux.wait_for(&["fetch all waits until it recovers"]);
    assert!(log.count("HEAD", "/manifests/") <= 32);

    // The next answer that shows the budget back resumes it: the rows at the
    // bottom come into view and are looked up.
    remaining.store(100, Ordering::SeqCst);
    tmux.keys(&["G"]);
    tmux.wait_for(&["background fetching resumed"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while log.count("HEAD", "/manifests/") <= 32 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        log.count("HEAD", "/manifests/") > 32,
        "the window is fetched once the budget is back"
    );
    assert_eq!(log.count("GET", "/manifests/"), 1, "one pull per digest");
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
}

const PACED_TAGS: usize = 150;

/// One `du` with `config` (TOML) and `extra` flags; the busiest second the
/// registry saw, less the one unpaced connection probe (`GET /v2/`).
fn busiest_second_of_du(config: &str, extra: &[&str]) -> usize {
    let log = Log::default();
    let server = hub_like(PACED_TAGS, Arc::new(AtomicU64::new(1_000_000)), log.clone());
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("config.toml");
    std::fs::write(&file, config.replace("HOST", &server.host())).unwrap();
    let out = common::regscope(home.path())
        .env("REGSCOPE_CONFIG", &file)
        .args([
            "du",
            &format!("{}/r", server.host()),
            "--json",
            "--concurrency",
            "8",
        ])
        .args(extra)
        .output()
        .unwrap();
    let doc = common::success_json(&out);
    assert_eq!(doc["tags"].as_array().unwrap().len(), PACED_TAGS);
    log.0.lock().unwrap().retain(|(_, _, path)| path != "/v2/");
    let seen = log.0.lock().unwrap();
    assert!(seen.len() > PACED_TAGS);
    // `n` requests at `rate` a second take at least `(n - 1) / rate`: a check
    // load cannot break (arrival jitter can nudge a count per second).
    let span = seen.last().unwrap().0.duration_since(seen[0].0);
    let rate = extra
        .last()
        .and_then(|r| r.parse::<f64>().ok())
        .or(pace_of(config));
    if let Some(rate) = rate {
        let least = (seen.len() - 1) as f64 / rate;
        assert!(
            span.as_secs_f64() >= least * 0.99,
            "{} requests in {span:?} at {rate}/s",
            seen.len()
        );
    }
    drop(seen);
    log.busiest_second()
}

/// The `max_requests_per_second` a test config names.
fn pace_of(config: &str) -> Option<f64> {
    config
        .split("max_requests_per_second = ")
        .nth(1)?
        .trim()
        .parse()
        .ok()
}

#[test]
fn max_requests_per_second_holds_for_every_request() {
    // A positive control: unpaced on loopback, one second holds far more.
    let unpaced = busiest_second_of_du("", &[]);
    assert!(unpaced > 60, "unpaced: {unpaced}");
    let configured = "[registries.\"HOST\"]\nmax_requests_per_second = 30\n";
    let by_config = busiest_second_of_du(configured, &[]);
    // On a loaded machine a request sent late lands next to the ones after
    // it, so arrivals bunch; the span check in `busiest_second_of_du` is the
    // exact one, this bound only says "paced" (unpaced is well over 60).
    assert!(by_config <= 45, "config 30/s: {by_config}");
    // The flag wins: the span check holds the run to 20/s, not the config's 30.
    let by_flag = busiest_second_of_du(configured, &["--max-requests-per-second", "20"]);
    assert!(by_flag <= 30, "20/s: {by_flag}");
}

#[test]
fn search_says_its_price_with_the_pull_budget_before_reading_a_manifest() {
    let remaining = Arc::new(AtomicU64::new(50));
    let log = Log::default();
    let server = hub_like(3, remaining, log.clone());
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args([
            "search",
            &format!("{}/r", server.host()),
            "--package",
            "openssl",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let price = stderr.find("reading 1 images").expect(&stderr);
    assert!(
        stderr[price..].contains("pull budget 50/100 left"),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown: r:"),
        "no SBOM: unknown, never clean: {stderr}"
    );
    assert_eq!(
        log.count("GET", "/manifests/"),
        1,
        "one pull for the one image"
    );
}
