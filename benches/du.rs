//! `regscope du` wall time as a ratio to a tight parallel HTTP client (curl
//! --parallel) fetching the same manifests and configs at the same concurrency,
//! on a real registry seeded with 300 tags (30 % multi-arch with attestations,
//! shared base layers). Target: ≤ 1.3×. Run with `cargo bench --bench du`.
//! With `REGSCOPE_BASELINE_BIN` naming a regscope binary of an older commit
//! (`scripts/bench-baseline` builds one), its cold `du` runs interleaved with
//! this one's and the ratio is reported (the warm-start target: ≤ 1.05×).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../tests/common/mod.rs"]
mod common;

use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, attestation, image, layer};
use common::registry::{RegistryConfig, TestRegistry};
use std::process::Command;
use std::time::{Duration, Instant};

const TAGS: usize = 300;
const CONCURRENCY: usize = 8;
const RUNS: usize = 7;
const ACCEPT: &str = "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// Seeds the repository `bench` and returns the URLs `du` fetches.
async fn seed(base: String) -> Vec<String> {
    let pusher = Pusher::new(&base);
    let mut fx = Fixtures::default();
    let base_amd = layer(1, 30_000, OCI_LAYER);
    let base_arm = layer(2, 29_000, OCI_LAYER);
    let mut urls = Vec::new();
    for i in 0..TAGS {
        let tag = format!("1.{i}");
        urls.push(format!("{base}/v2/bench/manifests/{tag}"));
        let app = |seed: u64| {
            layer(
                1_000 + seed,
                2_000 + usize::try_from(seed % 500).unwrap(),
                OCI_LAYER,
            )
        };
        let amd = image(
            Style::Oci,
            "linux/amd64",
            vec![base_amd.clone(), app(i as u64 * 2)],
            &["ADD base /", "COPY app /"],
        );
        if i % 10 < 3 {
            let arm = image(
                Style::Oci,
                "linux/arm64/v8",
                vec![base_arm.clone(), app(i as u64 * 2 + 1)],
                &["ADD base /", "COPY app /"],
            );
            let att = attestation(50_000 + i as u64);
            pusher
                .index(
                    "bench",
                    Style::Oci,
                    &[amd.clone(), arm.clone()],
                    Some(&att),
                    &[tag.as_str()],
                    &mut fx,
                )
                .await;
            for child in [&amd, &arm, &att] {
                urls.push(format!(
                    "{base}/v2/bench/manifests/{}",
                    child.manifest.digest
                ));
            }
        } else {
            pusher.image("bench", &amd, &[tag.as_str()], &mut fx).await;
        }
        urls.push(format!("{base}/v2/bench/blobs/{}", amd.config.digest));
    }
    urls
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let base = registry.url();
    let urls = common::block_on_thread(seed(base.clone()));
    let config = tempfile::NamedTempFile::new().unwrap();
    let lines: String = urls
        .iter()
        .map(|u| format!("url = \"{u}\"\noutput = \"/dev/null\"\n"))
        .collect();
    std::fs::write(config.path(), lines).unwrap();
    // What a warm run cannot avoid: a HEAD per tag (the revalidation).
    let heads = tempfile::NamedTempFile::new().unwrap();
    let head_lines: String = (0..TAGS)
        .map(|i| format!("url = \"{base}/v2/bench/manifests/1.{i}\"\noutput = \"/dev/null\"\n"))
        .collect();
    std::fs::write(heads.path(), head_lines).unwrap();
    let curl = |config: &std::path::Path, extra: &[&str]| {
        let started = Instant::now();
        let status = Command::new("curl")
            .args(["--silent", "--no-progress-meter", "--fail", "--parallel"])
            .args(["--parallel-max", &CONCURRENCY.to_string(), "-H", ACCEPT])
            .args(extra)
            .arg("--config")
            .arg(config)
            .status()
            .expect("curl");
        assert!(status.success());
        started.elapsed()
    };
    let mut curl_heads = Vec::new();
    let home = tempfile::tempdir().unwrap();

    let mut curl_all = Vec::new();
    let mut du = Vec::new();
    let (mut warm, mut fresh, mut offline) = (Vec::new(), Vec::new(), Vec::new());
    let mut planning = Vec::new();
    // One timed regscope run against the bench repository, with `cache` as its cache.
    let baseline_bin = std::env::var_os("REGSCOPE_BASELINE_BIN");
    let mut baseline = Vec::new();
    let run_with = |binary: &std::ffi::OsStr, cache: &std::path::Path, args: &[&str]| {
        let started = Instant::now();
        let out = Command::new(binary)
            .args(args)
            .args(["--json", "--concurrency", &CONCURRENCY.to_string()])
            .env("HOME", home.path())
            .env("XDG_STATE_HOME", home.path())
            .env("XDG_CACHE_HOME", cache)
            .output()
            .unwrap();
        let took = started.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (took, out)
    };
    let run = |cache: &std::path::Path, args: &[&str]| {
        run_with(env!("CARGO_BIN_EXE_regscope").as_ref(), cache, args)
    };
    let repo = format!("{}/bench", registry.host);
    let run_prune = |cache: &std::path::Path| {
        run(
            cache,
            &["prune", &repo, "--keep-newest", "100", "--dry-run"],
        )
        .0
    };
    let run_du = |cache: &std::path::Path, extra: &[&str]| {
        let mut args = vec!["du", repo.as_str()];
        args.extend_from_slice(extra);
        let (took, out) = run(cache, &args);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["tags"].as_array().unwrap().len(), TAGS);
        took
    };
    for _ in 0..RUNS {
        curl_all.push(curl(config.path(), &[]));
        curl_heads.push(curl(heads.path(), &["--head"]));

        // A cold cache each run: the same work curl does.
        let cold = tempfile::tempdir().unwrap();
        du.push(run_du(cold.path(), &[]));
        if let Some(binary) = &baseline_bin {
            let cold = tempfile::tempdir().unwrap();
            baseline.push(run_with(binary, cold.path(), &["du", repo.as_str()]).0);
        }
        // The same cache again: every tag revalidated (HEAD), content from the store.
        warm.push(run_du(cold.path(), &[]));
        fresh.push(run_du(cold.path(), &["--max-age", "1h"]));
        offline.push(run_du(cold.path(), &["--offline"]));
        // Planning from cold: the same scan as du, plus the rules.
        let cold_plan = tempfile::tempdir().unwrap();
        planning.push(run_prune(cold_plan.path()));
    }
    let (c, d) = (median(curl_all), median(du));
    println!("{} requests at concurrency {CONCURRENCY}", urls.len());
    println!(
        "curl --parallel  median {:8.1} ms",
        c.as_secs_f64() * 1000.0
    );
    println!(
        "regscope du      median {:8.1} ms",
        d.as_secs_f64() * 1000.0
    );
    println!(
        "ratio du / curl  {:.2}x (target <= 1.3x)",
        d.as_secs_f64() / c.as_secs_f64()
    );
    let ratio = |runs: Vec<std::time::Duration>| median(runs).as_secs_f64() / d.as_secs_f64();
    let warm_median = median(warm.clone());
    let h = median(curl_heads);
    println!(
        "curl --head per tag ({TAGS})  median {:8.1} ms = {:.2}x cold du; warm du = {:.2}x of it",
        h.as_secs_f64() * 1000.0,
        h.as_secs_f64() / d.as_secs_f64(),
        warm_median.as_secs_f64() / h.as_secs_f64()
    );
    if !baseline.is_empty() {
        let b = median(baseline);
        println!(
            "cold du / baseline cold du         {:.2}x (target <= 1.05x; baseline {:.1} ms)",
            d.as_secs_f64() / b.as_secs_f64(),
            b.as_secs_f64() * 1000.0
        );
    }
    println!(
        "warm du (HEAD per tag) / cold du   {:.2}x (target <= 0.25x)",
        ratio(warm)
    );
    println!("du --max-age 1h / cold du          {:.2}x", ratio(fresh));
    println!(
        "du --offline / cold du             {:.2}x (target <= 0.05x)",
        ratio(offline)
    );
    println!(
        "prune --dry-run (cold) / cold du   {:.2}x (target <= 1.1x)",
        ratio(planning)
    );
}
