//! The browser's first frame with rows on a warm 3,000-tag repository: a real
//! registry seeded with 3,000 distinct images, one `regscope du` to fill the
//! store, then (each run with an empty memory cache, as a new process has) the
//! stored rows loaded and drawn. Target: ≤ 50 ms. Run with
//! `cargo bench --bench warm`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../tests/common/mod.rs"]
mod common;

use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, image_at, layer};
use common::registry::{RegistryConfig, TestRegistry};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use regscope::registry::RegistryClient;
use regscope::source::Source;
use regscope::store::CachedSource;
use regscope::store::db::{DEFAULT_MAX_BYTES, Store};
use regscope::tui::app::{Start, initial_state};
use regscope::tui::effect::Effect;
use regscope::tui::job::Job;
use regscope::tui::keymap::Keymap;
use regscope::tui::pool::execute;
use regscope::tui::state::State;
use regscope::tui::{ui, update};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TAGS: usize = 3_000;
const RUNS: usize = 9;

async fn seed(base: String) {
    let pusher = Pusher::new(&base);
    let shared = layer(7, 20_000, OCI_LAYER);
    let first = image_at(
        Style::Oci,
        "linux/amd64",
        vec![shared.clone()],
        &["ADD / /"],
        "2024-01-01T00:00:00Z",
    );
    pusher
        .image("warm", &first, &["0.0"], &mut Fixtures::default())
        .await;
    futures_util::stream::iter(1..TAGS)
        .for_each_concurrent(8, |i| {
            let pusher = &pusher;
            let shared = shared.clone();
            async move {
                let created = format!("2024-01-01T00:{:02}:{:02}Z", (i / 60) % 60, i % 60);
                let img = image_at(
                    Style::Oci,
                    "linux/amd64",
                    vec![shared],
                    &[&format!("RUN step {i}")],
                    &created,
                );
                pusher.blob("warm", &img.config).await;
                pusher
                    .manifest("warm", &format!("{}.{}", i / 100, i % 100), &img.manifest)
                    .await;
            }
        })
        .await;
}

fn is_stored(effect: &Effect) -> bool {
    matches!(
        effect.job(),
        Some(Job::StoredRows { .. } | Job::StoredSummaries { .. })
    )
}

fn draw(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| ui::render(state, f)).unwrap();
    terminal.backend().to_string()
}

/// From a new browser state to the first frame that shows the stored rows,
/// and to the first that shows every visible row's stored size.
async fn first_frames(store: &Store, host: &str) -> (Duration, Duration) {
    let started = Instant::now();
    // Only the store is asked here: the registry's answers come after, by design.
    let client = RegistryClient::offline(host).unwrap();
    let source = CachedSource::new(Source::Registry(Arc::new(client)), Some(store.clone()));
    let (mut state, mut effects) = initial_state(
        host,
        Arc::new(Keymap::default_keys()),
        &Start::Repository("warm".into()),
    );
    state.viewport = (120, 40);
    let mut rows_at = None;
    while !effects.is_empty() {
        let mut next = Vec::new();
        for effect in effects.into_iter().filter(is_stored) {
            for msg in execute(&source, 8, effect).await {
                next.extend(update::update(&mut state, msg));
            }
        }
        let screen = draw(&state);
        if rows_at.is_none() && screen.contains("warm (3000)") {
            rows_at = Some(started.elapsed());
        }
        effects = next;
    }
    let sized = started.elapsed();
    let screen = draw(&state);
    assert!(
        screen.contains("20 kB") && !screen.contains(" … "),
        "stored sizes drawn: {screen}"
    );
    (rows_at.expect("the stored rows were drawn"), sized)
}

fn main() {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let seeded = Instant::now();
    common::block_on_thread(seed(registry.url()));
    println!(
        "seeded {TAGS} tags in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let repo = format!("{}/warm", registry.host);
    // Planning is du plus the rules: both cold, three runs each, best of.
    let cold = |args: &[&str]| {
        (0..3)
            .map(|_| {
                let home = tempfile::tempdir().unwrap();
                let started = Instant::now();
                let out = common::regscope(home.path()).args(args).output().unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                started.elapsed()
            })
            .min()
            .unwrap()
    };
    let du = cold(&["du", &repo, "--json"]);
    let plan = cold(&[
        "prune",
        &repo,
        "--keep-newest",
        "10",
        "--max-delete-percent",
        "100",
        "--dry-run",
        "--json",
    ]);
    println!(
        "prune --dry-run {:.0} ms / du {:.0} ms on {TAGS} tags = {:.2}x (target <= 1.1x)",
        plan.as_secs_f64() * 1000.0,
        du.as_secs_f64() * 1000.0,
        plan.as_secs_f64() / du.as_secs_f64()
    );
    let home = tempfile::tempdir().unwrap();
    let out = common::regscope(home.path())
        .args(["du", &repo, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = home.path().join("cache/regscope/regscope.db");
    let (store, _) = Store::open(&file, DEFAULT_MAX_BYTES);
    let store = store.unwrap();
    let host = registry.host.clone();
    let runs: Vec<(Duration, Duration)> = common::block_on_thread(async move {
        let mut runs = Vec::new();
        for _ in 0..RUNS {
            runs.push(first_frames(&store, &host).await);
        }
        runs
    });
    let report = |what: &str, mut times: Vec<Duration>| {
        times.sort();
        println!(
            "{what:<44} median {:6.1} ms  max {:6.1} ms (target <= 50 ms)",
            times[RUNS / 2].as_secs_f64() * 1000.0,
            times[RUNS - 1].as_secs_f64() * 1000.0
        );
    };
    report(
        &format!("warm first frame with rows ({TAGS} tags)"),
        runs.iter().map(|r| r.0).collect(),
    );
    report(
        "warm first frame with visible sizes",
        runs.iter().map(|r| r.1).collect(),
    );
}
