//! `regscope du REGISTRY` on a 2,000-repository registry against the sum of
//! one `regscope du REPOSITORY` run per repository (what a script would do),
//! each with a cold cache. Run with `cargo bench --bench registry_du`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../tests/common/mod.rs"]
mod common;

use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, image, layer};
use common::registry::{RegistryConfig, TestRegistry};
use futures_util::StreamExt;
use std::time::{Duration, Instant};

const REPOSITORIES: usize = 2_000;

async fn seed(base: String) -> Vec<String> {
    let pusher = Pusher::new(&base);
    let shared = layer(5, 8_000, OCI_LAYER);
    let img = image(Style::Oci, "linux/amd64", vec![shared], &["ADD / /"]);
    pusher
        .image("r/0000", &img, &["v1"], &mut Fixtures::default())
        .await;
    let names: Vec<String> = (1..REPOSITORIES).map(|i| format!("r/{i:04}")).collect();
    futures_util::stream::iter(names.iter())
        .for_each_concurrent(8, |name| {
            let (pusher, img) = (&pusher, &img);
            async move {
                for blob in std::iter::once(&img.config).chain(&img.layers) {
                    pusher.mount(name, blob, "r/0000").await;
                }
                pusher.manifest(name, "v1", &img.manifest).await;
            }
        })
        .await;
    std::iter::once("r/0000".to_string()).chain(names).collect()
}

fn du(target: &str) -> Duration {
    let home = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = common::regscope(home.path())
        .args(["du", target, "--json"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn main() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let seeded = Instant::now();
    let repos = common::block_on_thread(seed(registry.url()));
    println!(
        "seeded {REPOSITORIES} repositories in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let whole: Vec<Duration> = (0..3).map(|_| du(&registry.host)).collect();
    let whole = *whole.iter().min().unwrap();
    let each: Duration = repos
        .iter()
        .map(|r| du(&format!("{}/{r}", registry.host)))
        .sum();
    println!(
        "du REGISTRY {:.2} s; {REPOSITORIES} per-repository du runs {:.2} s; ratio {:.3}x",
        whole.as_secs_f64(),
        each.as_secs_f64(),
        whole.as_secs_f64() / each.as_secs_f64()
    );
}
