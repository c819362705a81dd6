//! What the checks at the moment of each DELETE cost: `prune --yes` on a real
//! registry seeded with 120 images (a third of them multi-arch indexes with
//! attestations, every other one signed), keeping the 20 newest. Reports the
//! wall time and the requests per deleted group, by method, from the
//! registry's access log. With `REGSCOPE_BASELINE_BIN` naming a regscope binary
//! of an older commit (`scripts/bench-baseline COMMIT delete` builds one), the
//! same prune runs with it on an identically seeded registry, interleaved, and
//! the ratios are reported. Run with `cargo bench --bench delete`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../tests/common/mod.rs"]
mod common;

use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, attestation, image_at, layer};
use common::registry::{RegistryConfig, TestRegistry};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const IMAGES: u64 = 120;
const KEEP: &str = "20";
const RUNS: usize = 3;
const SIMPLESIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

async fn seed(base: String) {
    let pusher = Pusher::new(&base);
    let mut fx = Fixtures::default();
    let shared = layer(1, 20_000, OCI_LAYER);
    for n in 0..IMAGES {
        let day = format!("2024-{:02}-{:02}T00:00:00Z", 1 + n / 28, 1 + n % 28);
        let platform = |arch: &str, seed: u64| {
            image_at(
                Style::Oci,
                &format!("linux/{arch}"),
                vec![shared.clone(), layer(seed, 1_500, OCI_LAYER)],
                &["x"],
                &day,
            )
        };
        let tag = format!("1.{n}");
        let digest = if n % 3 == 0 {
            let images = [platform("amd64", 1_000 + n), platform("arm64", 2_000 + n)];
            let att = attestation(3_000 + n);
            pusher
                .index("bench", Style::Oci, &images, Some(&att), &[&tag], &mut fx)
                .await;
            fx.tags[&format!("bench:{tag}")].digest.clone()
        } else {
            let img = platform("amd64", 1_000 + n);
            pusher.image("bench", &img, &[&tag], &mut fx).await;
            img.manifest.digest.clone()
        };
        if n % 2 == 0 {
            let sig = image_at(
                Style::Oci,
                "linux/amd64",
                vec![layer(4_000 + n, 90, SIMPLESIGNING)],
                &["sign"],
                "2024-01-01T00:00:00Z",
            );
            let sig_tag = format!("{}.sig", digest.replacen(':', "-", 1));
            pusher.image("bench", &sig, &[&sig_tag], &mut fx).await;
        }
    }
}

struct Run {
    wall: Duration,
    groups: usize,
    requests: BTreeMap<String, usize>,
}

/// Seeds a fresh registry, then times `bin prune` on it.
fn run(bin: &Path) -> Run {
    let storage = tempfile::tempdir().unwrap();
    let mut config = RegistryConfig::anonymous(storage.path());
    config.access_log = true;
    let registry = TestRegistry::start(config);
    common::block_on_thread(seed(registry.url()));
    let seeded = registry.access_log().len();
    let home = tempfile::tempdir().unwrap();
    let repo = format!("{}/bench", registry.host);
    let started = Instant::now();
    let out = Command::new(bin)
        .args(["prune", &repo, "--keep-newest", KEEP, "--yes", "--no-trash"])
        .args(["--max-delete-percent", "100", "--include-undated", "--json"])
        .env("HOME", home.path())
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .output()
        .unwrap();
    let wall = started.elapsed();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let groups = doc["results"].as_array().map_or(0, Vec::len);
    let mut requests = BTreeMap::new();
    for (method, _) in registry.access_log().into_iter().skip(seeded) {
        *requests.entry(method).or_default() += 1;
    }
    Run {
        wall,
        groups,
        requests,
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn report(name: &str, runs: &[Run]) -> f64 {
    let wall = median(runs.iter().map(|r| r.wall.as_secs_f64()).collect());
    let last = runs.last().unwrap();
    let per_group: Vec<String> = last
        .requests
        .iter()
        .map(|(m, n)| format!("{m} {:.1}", *n as f64 / last.groups.max(1) as f64))
        .collect();
    println!(
        "{name}: {} groups, median {wall:.2}s over {} runs; requests per group: {}",
        last.groups,
        runs.len(),
        per_group.join(", ")
    );
    wall
}

fn main() {
    let current = std::path::PathBuf::from(env!("CARGO_BIN_EXE_regscope"));
    let baseline = std::env::var_os("REGSCOPE_BASELINE_BIN").map(std::path::PathBuf::from);
    let (mut now, mut before) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        now.push(run(&current));
        if let Some(bin) = &baseline {
            before.push(run(bin));
        }
    }
    let wall = report("this commit", &now);
    if !before.is_empty() {
        let base = report("baseline", &before);
        println!("ratio (this / baseline): {:.2}x", wall / base);
    }
}
