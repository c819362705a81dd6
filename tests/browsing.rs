//! The browser spends requests where the user looks: a real registry with
//! 3,000 tags and its access log.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod common;

use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, image_at, layer};
use common::registry::{RegistryConfig, TestRegistry};
use common::tmux::Tmux;
use futures_util::StreamExt;

const TAGS: usize = 3_000;
const IMAGES: usize = 30;

fn seed() -> (TestRegistry, tempfile::TempDir) {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig {
        access_log: true,
        ..RegistryConfig::anonymous(storage.path())
    });
    let base = registry.url();
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let shared = layer(70, 5_000, OCI_LAYER);
        let mut images = Vec::new();
        for i in 0..IMAGES {
            let created = format!("2024-03-{:02}T00:00:00Z", 1 + i % 28);
            let step = format!("RUN build {i}");
            let img = image_at(
                Style::Oci,
                "linux/amd64",
                vec![shared.clone()],
                &[&step],
                &created,
            );
            pusher
                .image("big", &img, &[&format!("0.{i}")], &mut Fixtures::default())
                .await;
            images.push(img);
        }
        futures_util::stream::iter(IMAGES..TAGS)
            .for_each_concurrent(8, |i| {
                let manifest = images[i % IMAGES].manifest.clone();
                let pusher = &pusher;
                async move {
                    pusher
                        .manifest("big", &format!("{}.{}", i / 100, i % 100), &manifest)
                        .await
                }
            })
            .await;
    });
    (registry, storage)
}

/// The browser has nothing in flight or queued and every visible row has its size.
fn quiet(screen: &str) -> bool {
    let status = screen.lines().rev().nth(1).unwrap_or("");
    !status.contains("in flight") && !status.contains("queued") && !screen.contains(" … ")
}

fn count(log: &[(String, String)], method: &str, part: &str) -> usize {
    log.iter()
        .filter(|(m, p)| m == method && p.contains(part))
        .count()
}

/// Waits until the registry's log since entry `from` satisfies `ready`
/// (synchronising on what the registry saw, not on time).
fn wait_log(
    registry: &TestRegistry,
    from: usize,
    what: &str,
    ready: impl Fn(&[(String, String)]) -> bool,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !ready(&registry.access_log().split_off(from)) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn an_idle_browser_fetches_the_rows_in_view_and_a_window_then_what_it_is_asked_for() {
    let (registry, _storage) = seed();
    let seeded = registry.access_log().len();
    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux::regscope(&format!("{}/big", registry.host), home.path(), &[]);
    tmux.wait_for(&["big (3000)"]);
    tmux.wait_until("quiet", quiet);
    let log = registry.access_log().split_off(seeded);
    let heads = count(&log, "HEAD", "/manifests/");
    // 120×32: 27 rows on screen, 3 screens either side (none above the top).
    assert!(
        (27..=4 * 27).contains(&heads),
        "visible rows and the window: {heads} HEADs"
    );
    assert!(
        count(&log, "GET", "/manifests/") <= IMAGES,
        "a manifest GET per digest at most"
    );
    assert!(count(&log, "GET", "/blobs/") <= IMAGES);
    assert_eq!(
        count(&log, "GET", "/referrers/"),
        1,
        "one answer shows the registry has no referrers API: not a request per row"
    );
    assert!(
        log.len() < 4 * 27 + 2 * IMAGES + 10,
        "{} requests in all",
        log.len()
    );
    eprintln!(
        "idle: {} requests ({heads} HEADs) for 3,000 tags",
        log.len()
    );

    // Sorting by size needs every row: it says so, F prices it, F again fetches.
    tmux.keys(&["s", "s"]);
    tmux.wait_for(&["sorted by size among the tags fetched so far; F fetches the other"]);
    tmux.keys(&["F"]);
    tmux.wait_for(&["tags: up to", "F again fetches"]);
    tmux.keys(&["F"]);
    tmux.wait_for(&["fetching"]);
    wait_log(&registry, seeded, "every tag's HEAD", |log| {
        count(log, "HEAD", "/manifests/") >= TAGS
    });
    tmux.wait_until("quiet", quiet);
    let log = registry.access_log().split_off(seeded);
    assert_eq!(count(&log, "HEAD", "/manifests/"), TAGS, "every tag, once");
    assert!(count(&log, "GET", "/manifests/") <= IMAGES);
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
    drop(tmux);

    // A second open with the store warm: no manifest GET for a stored digest.
    let before = registry.access_log().len();
    let tmux = Tmux::regscope(&format!("{}/big", registry.host), home.path(), &[]);
    tmux.wait_for(&["big (3000)"]);
    // The rows in view are revalidated (a HEAD each) before anything is judged.
    wait_log(&registry, before, "the visible rows' HEADs", |log| {
        count(log, "HEAD", "/manifests/") >= 27
    });
    tmux.wait_until("quiet", quiet);
    let log = registry.access_log().split_off(before);
    assert_eq!(count(&log, "GET", "/manifests/"), 0, "{log:?}");
    assert_eq!(count(&log, "GET", "/blobs/"), 0);
    assert!(
        count(&log, "HEAD", "/manifests/") <= 4 * 27,
        "revalidated in view only"
    );
    tmux.keys(&["q"]);
    tmux.wait_for(&["REGSCOPE_EXITED=0"]);
}
