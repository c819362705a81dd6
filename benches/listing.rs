//! Wall time of `regscope repos` on a 1,200-repository catalog and `regscope tags`
//! on a 1,500-tag repository, against a real seeded registry.
//! Run with `cargo bench --bench listing`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 15;

fn time_runs(args: &[&str]) -> Vec<Duration> {
    let home = tempfile::tempdir().expect("home");
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_regscope"))
            .args(args)
            .env("HOME", home.path())
            .env("DOCKER_CONFIG", home.path())
            .env("XDG_STATE_HOME", home.path())
            .output()
            .expect("run regscope");
        times.push(started.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    times.sort();
    times
}

fn report(name: &str, times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<40} min {:7.1} ms   median {:7.1} ms   max {:7.1} ms   ({RUNS} runs)",
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
}

fn main() {
    let seeded = &*common::fixtures::FULL;
    let host = seeded.registry.host.clone();
    let repos = time_runs(&["repos", &host]);
    report(
        &format!(
            "repos ({} repositories)",
            seeded.fixtures.repositories.len()
        ),
        &repos,
    );
    let repo = format!("{host}/many-tags");
    let tags = time_runs(&["tags", &repo]);
    report(
        &format!("tags ({} tags)", seeded.fixtures.many_tags.len()),
        &tags,
    );
}
