//! `regscope files` of a ~200 MB gzip layer of 200,000 entries on a real
//! registry, against `curl -s BLOB | gzip -dc | tar -t >/dev/null` on the same
//! blob (target ≤ 1.1×); the second `files` of the image from the store
//! (target ≤ 0.05× the first); and peak RSS (target ≤ 100 MB).
//! Run with `cargo bench --bench files`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../tests/common/mod.rs"]
mod common;

use common::fixtures::{Blob, Fixtures, Pusher, Style, image_at};
use common::registry::{RegistryConfig, TestRegistry};
use std::process::Command;
use std::time::{Duration, Instant};

const ENTRIES: u32 = 200_000;
const RUNS: usize = 5;

/// 200 directories of 1,000 files, ~1 kB of random bytes each, gzip -6 as
/// docker writes it.
fn layer() -> Blob {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let mut content = vec![0u8; 2048];
    for i in 0..ENTRIES {
        let size = 500 + rng.usize(..1000);
        rng.fill(&mut content[..size]);
        let mut h = tar::Header::new_gnu();
        h.set_size(size as u64);
        h.set_mode(0o644);
        h.set_mtime(1_714_557_600);
        tar.append_data(
            &mut h,
            format!("srv/d{:03}/file-{i:06}.bin", i % 200),
            &content[..size],
        )
        .unwrap();
    }
    let gz = tar.into_inner().unwrap().finish().unwrap();
    Blob::new(gz, "application/vnd.oci.image.layer.v1.tar+gzip")
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let base = registry.url();
    let started = Instant::now();
    let blob = layer();
    println!(
        "layer: {} MB of gzip, {ENTRIES} entries (built in {:?})",
        blob.bytes.len() / 1_000_000,
        started.elapsed()
    );
    let digest = blob.digest.clone();
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let img = image_at(
            Style::Oci,
            "linux/amd64",
            vec![blob],
            &["ADD srv /"],
            "2024-05-01T10:00:00Z",
        );
        pusher
            .image("big", &img, &["1.0"], &mut Fixtures::default())
            .await;
    });
    let url = format!("{}/v2/big/blobs/{digest}", registry.url());
    let image = format!("{}/big:1.0", registry.host);
    let home = tempfile::tempdir().unwrap();
    // One `files` run: its wall time and its own peak RSS (wait4's rusage).
    let files = |cache: &std::path::Path, json: bool| -> (Duration, i64) {
        let started = Instant::now();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_regscope"));
        cmd.args(["files", &image]);
        if json {
            cmd.arg("--json");
        }
        let child = cmd
            .env("HOME", home.path())
            .env("XDG_STATE_HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path())
            .env("XDG_CACHE_HOME", cache)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let (status, rss) = common::process::wait_with_rss(child);
        assert!(status == 0, "files exited {status}");
        (started.elapsed(), rss)
    };
    // A child spawned with vfork shares this process's memory until exec and
    // keeps its peak as a floor of its own: hand the seeding's memory back
    // and reset this process's peak (Linux `clear_refs` 5) first.
    // SAFETY: malloc_trim only releases free memory.
    unsafe {
        libc::malloc_trim(0);
    }
    common::process::reset_peak_rss();
    let own_rss = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .unwrap_or("0")
                .parse::<i64>()
                .unwrap_or(0)
                / 1024
        })
        .unwrap_or(0);
    println!("(this process: {own_rss} MB resident when spawning, a floor for the figures below)");
    let (mut ours, mut curl, mut warm) = (Vec::new(), Vec::new(), Vec::new());
    let (mut rss_cold, mut rss_warm, mut rss_json) = (0, 0, 0);
    for _ in 0..RUNS {
        let started = Instant::now();
        let status = Command::new("sh")
            .args([
                "-c",
                &format!("curl -s '{url}' | gzip -dc | tar -t >/dev/null"),
            ])
            .status()
            .unwrap();
        assert!(status.success());
        curl.push(started.elapsed());
        let cold = tempfile::tempdir().unwrap();
        let (took, rss) = files(cold.path(), false);
        ours.push(took);
        rss_cold = rss_cold.max(rss);
        let (took, rss) = files(cold.path(), false);
        warm.push(took);
        rss_warm = rss_warm.max(rss);
        rss_json = rss_json.max(files(cold.path(), true).1);
    }
    let (ours, curl, warm) = (median(ours), median(curl), median(warm));
    println!("curl | gzip -dc | tar -t   {curl:?}");
    println!(
        "regscope files (cold)      {ours:?}   ratio {:.2} (target ≤ 1.1)",
        ours.as_secs_f64() / curl.as_secs_f64()
    );
    println!(
        "regscope files (store)     {warm:?}   {:.3}× the cold run (target ≤ 0.05)",
        warm.as_secs_f64() / ours.as_secs_f64()
    );
    println!(
        "peak RSS: {rss_cold} MB cold, {rss_warm} MB from the store, {rss_json} MB with --json (target ≤ 100 MB)"
    );
}
