//! Copy throughput against skopeo, side by side on the same two loopback
//! registries, runs interleaved:
//! - a 200 MB three-layer image to a cold repository of another registry:
//!   `regscope cp` against `skopeo copy --all` (wall time ratio, regscope's peak RSS);
//! - the same image promoted within one registry (blobs mounted) against
//!   the cross-registry copy;
//! - `sync` of 50 tags sharing a base layer against `skopeo sync`.
//!
//! Every run writes to a repository no run wrote to before, and skopeo runs
//! with a fresh home (no blob-info cache to mount from). Run with
//! `cargo bench --bench copy`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../tests/common/mod.rs"]
mod common;

use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, image, layer};
use common::registry::{RegistryConfig, TestRegistry};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 5;
const MB: usize = 1_000_000;
const SYNC_TAGS: usize = 50;

fn seed(base: String) {
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let mut fx = Fixtures::default();
        let layers = vec![
            layer(1, 120 * MB, OCI_LAYER),
            layer(2, 50 * MB, OCI_LAYER),
            layer(3, 30 * MB, OCI_LAYER),
        ];
        let big = image(
            Style::Oci,
            "linux/amd64",
            layers,
            &["ADD a /", "ADD b /", "ADD c /"],
        );
        pusher.image("big", &big, &["1.0"], &mut fx).await;
        let base_layer = layer(10, 20 * MB, OCI_LAYER);
        for i in 0..SYNC_TAGS {
            let own = layer(100 + i as u64, 100_000, OCI_LAYER);
            let img = image(
                Style::Oci,
                "linux/amd64",
                vec![base_layer.clone(), own],
                &["RUN v"],
            );
            pusher
                .image("fifty", &img, &[&format!("1.{i}")], &mut fx)
                .await;
        }
    });
}

/// Runs one command to completion: wall time and peak RSS (MB). It is
/// started by a fresh copy of this program (see `launch`): a child inherits
/// its parent's peak RSS, and this one holds the seeded layers.
fn timed(program: &str, args: &[String], home: &std::path::Path) -> (Duration, i64) {
    let started = Instant::now();
    let out = Command::new(std::env::current_exe().unwrap())
        .env(LAUNCH, "1")
        .arg(program)
        .args(args)
        .env("HOME", home)
        .env("DOCKER_CONFIG", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .stderr(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    let elapsed = started.elapsed();
    assert!(out.status.success(), "{program} {args:?}");
    let rss = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    (elapsed, rss)
}

const LAUNCH: &str = "REGSCOPE_BENCH_LAUNCH";

/// Launcher mode: runs argv[1..] and prints its peak RSS in MB.
fn launch() -> ! {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let child = Command::new(&args[0])
        .args(&args[1..])
        .env_remove(LAUNCH)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (code, rss) = common::process::wait_with_rss(child);
    println!("{rss}");
    std::process::exit(code);
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

struct Pair {
    ours: Vec<f64>,
    theirs: Vec<f64>,
    ratios: Vec<f64>,
    peak_rss: i64,
}

/// `ours(i)` and `theirs(i)` in turn, RUNS times, each in a fresh home.
fn pairs(
    ours: impl Fn(&str) -> Vec<String>,
    theirs: impl Fn(&str) -> (String, Vec<String>),
) -> Pair {
    let exe = env!("CARGO_BIN_EXE_regscope");
    let mut pair = Pair {
        ours: Vec::new(),
        theirs: Vec::new(),
        ratios: Vec::new(),
        peak_rss: 0,
    };
    for _ in 0..RUNS {
        let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let dst = TestRegistry::start(RegistryConfig::anonymous(dir.path()));
        let (a, rss) = timed(exe, &ours(&dst.host), home.path());
        let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let dst = TestRegistry::start(RegistryConfig::anonymous(dir.path()));
        let (program, args) = theirs(&dst.host);
        let (b, _) = timed(&program, &args, home.path());
        pair.ours.push(a.as_secs_f64());
        pair.theirs.push(b.as_secs_f64());
        pair.ratios.push(a.as_secs_f64() / b.as_secs_f64());
        pair.peak_rss = pair.peak_rss.max(rss);
    }
    pair
}

fn main() {
    if std::env::var_os(LAUNCH).is_some() {
        launch();
    }
    let src_dir = tempfile::tempdir().unwrap();
    let src = TestRegistry::start(RegistryConfig::anonymous(src_dir.path()));
    seed(src.url());
    let from = format!("{}/big:1.0", src.host);

    let copy = pairs(
        |dst| strings(&["cp", &from, &format!("{dst}/big:1.0")]),
        |dst| {
            let to = format!("docker://{dst}/big:1.0");
            let args = [
                "copy",
                "--all",
                "--preserve-digests",
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
            ];
            let mut args = strings(&args);
            args.extend([format!("docker://{from}"), to]);
            ("skopeo".to_string(), args)
        },
    );
    println!(
        "cp 200 MB, 3 layers, cross-registry: regscope median {:.2} s, skopeo {:.2} s, ratio (median of pairs) {:.2}×, regscope peak RSS {} MB",
        median(copy.ours.clone()),
        median(copy.theirs.clone()),
        median(copy.ratios.clone()),
        copy.peak_rss
    );

    let exe = env!("CARGO_BIN_EXE_regscope");
    let mut promotions = Vec::new();
    for i in 0..RUNS {
        let home = tempfile::tempdir().unwrap();
        let to = format!("{}/promoted-{i}/big:1.0", src.host);
        promotions.push(
            timed(exe, &strings(&["cp", &from, &to]), home.path())
                .0
                .as_secs_f64(),
        );
    }
    let promotion = median(promotions);
    println!(
        "cp within one registry (mounted): median {:.3} s = {:.3}× the cross-registry copy",
        promotion,
        promotion / median(copy.ours)
    );

    let repo = format!("{}/fifty", src.host);
    let sync = pairs(
        |dst| strings(&["sync", &repo, &format!("{dst}/fifty")]),
        |dst| {
            let args = [
                "sync",
                "--src",
                "docker",
                "--dest",
                "docker",
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
            ];
            let mut args = strings(&args);
            args.extend([repo.clone(), dst.to_string()]);
            ("skopeo".to_string(), args)
        },
    );
    println!(
        "sync {SYNC_TAGS} tags sharing a 20 MB base: regscope median {:.2} s, skopeo {:.2} s, ratio {:.2}×, regscope peak RSS {} MB",
        median(sync.ours),
        median(sync.theirs),
        median(sync.ratios),
        sync.peak_rss
    );
}
