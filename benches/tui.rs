//! TUI speed: time to first frame, render time per frame and key-to-frame latency
//! with 100,000 tags loaded while summaries keep arriving, and peak RSS.
//! Run with `cargo bench --bench tui`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../tests/common/mod.rs"]
mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use regscope::oci::digest::Digest;
use regscope::oci::listing::Listing;
use regscope::ops::summary::{ArtifactKind, TagSummary};
use regscope::registry::RegistryClient;
use regscope::registry::auth::Credentials;
use regscope::registry::transport::TransportOptions;
use regscope::source::Source;
use regscope::store::CachedSource;
use regscope::tui::app::{Start, initial_state};
use regscope::tui::keymap::Keymap;
use regscope::tui::msg::{Finished, Msg};
use regscope::tui::pool::execute;
use regscope::tui::state::{Slot, State};
use regscope::tui::{ui, update};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TAGS: usize = 100_000;
const KEYS: usize = 3_000;
const ARRIVALS_PER_KEY: usize = 25;

fn percentile(sorted: &[Duration], percent: usize) -> f64 {
    let i = (sorted.len() - 1) * percent / 100;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name:<34} p50 {:7.3} ms   p99 {:7.3} ms   max {:7.3} ms   ({} samples)",
        percentile(&samples, 50),
        percentile(&samples, 99),
        samples.last().unwrap().as_secs_f64() * 1000.0,
        samples.len()
    );
}

fn draw(terminal: &mut Terminal<TestBackend>, state: &State) {
    terminal.draw(|f| ui::render(state, f)).unwrap();
}

/// Connect, list, fetch and draw the first frame against the real registry.
fn first_frame() -> Duration {
    let host = common::fixtures::SMALL.registry.host.clone();
    common::block_on_thread(async move {
        let started = Instant::now();
        let client =
            RegistryClient::connect(&host, TransportOptions::default(), Credentials::Anonymous)
                .await
                .unwrap();
        let source = Source::Registry(Arc::new(client));
        let keymap = Arc::new(Keymap::load().unwrap());
        let (mut state, effects) = initial_state(&source.name(), keymap, &Start::Registry);
        state.viewport = (120, 40);
        let source = CachedSource::in_memory(source);
        for effect in effects {
            for msg in execute(&source, 4, effect).await {
                update::update(&mut state, msg);
            }
        }
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        draw(&mut terminal, &state);
        started.elapsed()
    })
}

fn summary(i: usize) -> TagSummary {
    TagSummary {
        digest: Digest::sha256_of(&i.to_le_bytes()),
        kind: if i.is_multiple_of(3) {
            ArtifactKind::Index
        } else {
            ArtifactKind::Image
        },
        size: (i as u64 * 7_919) % 900_000_000,
        created: Some(1_704_103_200 + i64::try_from(i % 300).unwrap() * 86_400),
        platforms: vec!["linux/amd64".to_string(), "linux/arm64/v8".to_string()].into(),
        missing: None,
        referred: None,
    }
}

fn rss_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    if let Some(tags) = std::env::var_os("REGSCOPE_BENCH_TAGS_ONLY") {
        return tags_phase(tags.to_string_lossy().parse().unwrap());
    }
    let mut firsts: Vec<Duration> = (0..20).map(|_| first_frame()).collect();
    firsts.sort();
    println!(
        "first frame (connect, catalog, draw)  median {:.2} ms   max {:.2} ms",
        firsts[10].as_secs_f64() * 1000.0,
        firsts[19].as_secs_f64() * 1000.0
    );
    // Each size runs in a fresh process so its peak RSS is its own.
    for tags in [TAGS, 1_000_000] {
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .env("REGSCOPE_BENCH_TAGS_ONLY", tags.to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// Typing a filter: each keystroke's update and frame.
fn filter_keystrokes(state: &mut State, terminal: &mut Terminal<TestBackend>) -> Vec<Duration> {
    let press = |state: &mut State, code: KeyCode| {
        update::update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    };
    press(state, KeyCode::Char('/'));
    let mut times = Vec::new();
    for _ in 0..10 {
        for c in ['1', '2', '.', '3', '4'] {
            let started = Instant::now();
            press(state, KeyCode::Char(c));
            draw(terminal, state);
            times.push(started.elapsed());
        }
        for _ in 0..5 {
            let started = Instant::now();
            press(state, KeyCode::Backspace);
            draw(terminal, state);
            times.push(started.elapsed());
        }
    }
    press(state, KeyCode::Esc);
    times
}

fn tags_phase(tags: usize) {
    let label = if tags >= 1_000_000 {
        format!("{}M tags", tags / 1_000_000)
    } else {
        format!("{}k tags", tags / 1_000)
    };
    let rss_before = rss_kib("VmRSS:");
    let keymap = Arc::new(Keymap::default_keys());
    let (mut state, _) = initial_state(
        "registry.test:5000",
        keymap,
        &Start::Repository("big".into()),
    );
    state.viewport = (160, 48);
    state.now = Some(jiff::Timestamp::now());
    let ticket = state.tickets.current(Slot::Tags);
    // Names are made when needed: the bench keeps no copy of its own, so the
    // peak RSS is the browser's.
    let name = |i: usize| format!("{}.{}.{}", i / 10_000, (i / 100) % 100, i % 100);
    let loaded = Instant::now();
    update::update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::Tags(Ok(Listing {
                items: (0..tags).map(name).collect(),
                incomplete: None,
            })),
        ),
    );
    println!(
        "load {label} into the state {:>12.1} ms",
        loaded.elapsed().as_secs_f64() * 1000.0
    );
    for i in 0..tags / 2 {
        update::update(
            &mut state,
            Msg::Finished(
                ticket,
                Finished::Summary {
                    tag: name(i),
                    result: Ok(summary(i)),
                },
            ),
        );
    }
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    draw(&mut terminal, &state);

    let keys = [
        KeyCode::Char('j'),
        KeyCode::Char('j'),
        KeyCode::PageDown,
        KeyCode::Char('k'),
        KeyCode::Char('G'),
        KeyCode::Char('g'),
    ];
    let mut renders = Vec::with_capacity(KEYS);
    let mut key_to_frame = Vec::with_capacity(KEYS);
    let mut next_arrival = tags / 2;
    for k in 0..KEYS {
        // Fetch results keep arriving between keys, as with a busy pool.
        for _ in 0..ARRIVALS_PER_KEY {
            let i = next_arrival % tags;
            next_arrival += 1;
            update::update(
                &mut state,
                Msg::Finished(
                    ticket,
                    Finished::Summary {
                        tag: name(i),
                        result: Ok(summary(i)),
                    },
                ),
            );
        }
        if k.is_multiple_of(4) {
            update::update(
                &mut state,
                Msg::Tick(regscope::tui::msg::Tick {
                    in_flight: 8,
                    queued: tags - next_arrival % tags,
                    now: jiff::Timestamp::now(),
                    traffic: Default::default(),
                }),
            );
        }
        let key = KeyEvent::new(keys[k % keys.len()], KeyModifiers::NONE);
        let started = Instant::now();
        update::update(&mut state, Msg::Key(key));
        let rendered = Instant::now();
        draw(&mut terminal, &state);
        let done = Instant::now();
        renders.push(done - rendered);
        key_to_frame.push(done - started);
    }
    report(&format!("render per frame ({label})"), renders);
    let mut sorts = Vec::new();
    for _ in 0..30 {
        let started = Instant::now();
        update::update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE)),
        );
        draw(&mut terminal, &state);
        sorts.push(started.elapsed());
    }
    report(&format!("sort key `s` to frame ({label})"), sorts);
    report(&format!("key to frame ({label}, arrivals)"), key_to_frame);
    report(
        &format!("filter keystroke ({label})"),
        filter_keystrokes(&mut state, &mut terminal),
    );
    println!(
        "RSS with {label}: peak {:.1} MB, now {:.1} MB ({:.1} MB before loading)",
        rss_kib("VmHWM:") as f64 / 1024.0,
        rss_kib("VmRSS:") as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );
}
