//! Start-up and listing wall time against a real seeded registry, with the
//! same reads by skopeo and curl in the same run, as ratios:
//! - `regscope repos` on a 1,200-repository catalog;
//! - `regscope tags` on a 3,000-tag repository against `skopeo list-tags` and
//!   one `curl` of `/tags/list`;
//! - `regscope inspect` of one image against `skopeo inspect --raw` and one
//!   `curl` of the manifest.
//!
//! Run with `cargo bench --bench listing` (skopeo and curl come with
//! `scripts/test`'s packages).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../tests/common/mod.rs"]
mod common;

use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, image, layer};
use futures_util::StreamExt;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 15;
const TAGS: usize = 3_000;

/// Runs `program args` RUNS times (interleaved with nothing else), sorted times.
fn time_runs(program: &str, args: &[&str], home: &std::path::Path) -> Vec<Duration> {
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        let out = Command::new(program)
            .args(args)
            .env("HOME", home)
            .env("DOCKER_CONFIG", home)
            .env("XDG_STATE_HOME", home)
            .output()
            .unwrap_or_else(|e| panic!("run {program}: {e}"));
        times.push(started.elapsed());
        assert!(
            out.status.success(),
            "{program}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    times.sort();
    times
}

fn median(times: &[Duration]) -> f64 {
    times[times.len() / 2].as_secs_f64()
}

fn report(name: &str, times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<44} min {:7.1} ms   median {:7.1} ms   max {:7.1} ms   ({RUNS} runs)",
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
}

/// One command timed by regscope, skopeo and curl, reported as ratios.
fn side_by_side(what: &str, regscope: &[&str], skopeo: &[&str], curl: &[&str]) {
    let home = tempfile::tempdir().expect("home");
    let ours = time_runs(env!("CARGO_BIN_EXE_regscope"), regscope, home.path());
    let theirs = time_runs("skopeo", skopeo, home.path());
    let plain = time_runs("curl", curl, home.path());
    report(&format!("regscope {what}"), &ours);
    report(&format!("skopeo   {what}"), &theirs);
    report(&format!("curl     {what}"), &plain);
    println!(
        "{what}: regscope/skopeo {:.2}×   regscope/curl {:.2}×",
        median(&ours) / median(&theirs),
        median(&ours) / median(&plain)
    );
}

/// A repository of exactly `TAGS` tags on one small image.
fn seed_tags(base: String) {
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let small = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(16, 300, OCI_LAYER)],
            &["COPY x /"],
        );
        let mut fx = Fixtures::default();
        pusher.image("tags-3000", &small, &["t0"], &mut fx).await;
        let tags: Vec<String> = (1..TAGS).map(|i| format!("t{i}")).collect();
        futures_util::stream::iter(tags.iter())
            .for_each_concurrent(8, |tag| pusher.manifest("tags-3000", tag, &small.manifest))
            .await;
    });
}

fn main() {
    let seeded = &*common::fixtures::FULL;
    let host = seeded.registry.host.clone();
    let home = tempfile::tempdir().expect("home");
    let exe = env!("CARGO_BIN_EXE_regscope");
    let repos = time_runs(exe, &["repos", &host], home.path());
    let count = seeded.fixtures.repositories.len();
    report(&format!("repos ({count} repositories)"), &repos);

    seed_tags(seeded.registry.url());
    let repo = format!("{host}/tags-3000");
    let docker = format!("docker://{repo}");
    let list = format!("{}/v2/tags-3000/tags/list", seeded.registry.url());
    side_by_side(
        &format!("tags ({TAGS} tags)"),
        &["tags", &repo],
        &["list-tags", "--tls-verify=false", &docker],
        &["-sf", "-o", "/dev/null", &list],
    );

    let image = format!("{repo}:t0");
    let docker = format!("docker://{image}");
    let manifest = format!("{}/v2/tags-3000/manifests/t0", seeded.registry.url());
    let accept = "Accept: application/vnd.oci.image.manifest.v1+json";
    side_by_side(
        "inspect (one image)",
        &["inspect", &image],
        &["inspect", "--raw", "--tls-verify=false", &docker],
        &["-sf", "-o", "/dev/null", "-H", accept, &manifest],
    );
}
