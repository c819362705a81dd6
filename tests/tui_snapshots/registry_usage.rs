//! `u` on the repositories pane: the registry's usage, against a real
//! registry whose repositories share a base layer. The figures are the ones
//! `du REGISTRY --json` gives; the price comes before any manifest is read;
//! a warm store opens it with no manifest read at all.

use super::*;
use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, image, layer};
use regscope::store::db::Store;
use regscope::tui::state::Screen;
use regscope::tui::state::registry_usage::RowState;

fn seed() -> (TestRegistry, tempfile::TempDir) {
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig {
        access_log: true,
        ..RegistryConfig::anonymous(storage.path())
    });
    let base = registry.url();
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let mut fx = Fixtures::default();
        let shared = layer(300, 60_000, OCI_LAYER);
        let repos = [
            ("team/api", 3, 9_000),
            ("team/web", 2, 25_000),
            ("tools", 1, 4_000),
        ];
        for (n, (repo, tags, size)) in repos.into_iter().enumerate() {
            for t in 0..tags {
                let own = layer(310 + (n * 10 + t) as u64, size + t * 100, OCI_LAYER);
                let img = image(
                    Style::Oci,
                    "linux/amd64",
                    vec![shared.clone(), own],
                    &["base", "app"],
                );
                pusher
                    .image(repo, &img, &[&format!("1.{t}")], &mut fx)
                    .await;
            }
        }
        let alone = image(
            Style::Oci,
            "linux/amd64",
            vec![layer(399, 80_000, OCI_LAYER)],
            &["x"],
        );
        pusher
            .image("solo", &alone, &["1.0", "latest"], &mut fx)
            .await;
    });
    (registry, storage)
}

fn manifest_reads(registry: &TestRegistry, from: usize) -> usize {
    registry.access_log()[from..]
        .iter()
        .filter(|(method, path)| method == "GET" && path.contains("/manifests/"))
        .count()
}

async fn session(host: &str, store: &Store) -> Session {
    let client = RegistryClient::connect(host, TransportOptions::default(), Credentials::Anonymous)
        .await
        .unwrap();
    let source = CachedSource::new(Source::Registry(Arc::new(client)), Some(store.clone()));
    Session::on_cached(source, Start::Registry, 120, 20).await
}

fn view(session: &Session) -> &regscope::tui::state::registry_usage::RegistryUsageView {
    match &session.state.screen {
        Some(Screen::RegistryUsage(view)) => view,
        other => panic!("not the registry usage: {other:?}"),
    }
}

#[test]
fn registry_usage_equals_du_asks_first_and_opens_warm_without_a_manifest_read() {
    let (registry, _storage) = seed();
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("store.db"), 1 << 30);
    let store = store.unwrap();
    let host = registry.host.clone();
    common::block_on_thread(async move {
        let mut cold = session(&host, &store).await;
        let before = registry.access_log().len();
        cold.keys("u").await;
        assert_eq!(
            manifest_reads(&registry, before),
            0,
            "the price comes first"
        );
        let status = cold.state.status.message.clone().unwrap().text;
        assert!(status.contains("4 repositories not stored"), "{status}");
        assert!(status.contains("F reads them"), "{status}");
        assert_eq!(view(&cold).count(|s| *s == RowState::Unknown), 4);
        cold.keys("F").await;
        assert!(manifest_reads(&registry, before) > 0);
        assert_eq!(view(&cold).count(|s| *s == RowState::Fresh), 4);

        let home = tempfile::tempdir().unwrap();
        let du = common::run_json(home.path(), &["du", &host, "--json"]);
        let shown = view(&cold);
        assert_eq!(
            shown.totals().unwrap().total_unique_bytes,
            du["total_unique_bytes"]
        );
        for row in du["repositories"].as_array().unwrap() {
            let name = row["repository"].as_str().unwrap();
            let ours = shown.rows().find(|r| r.repository == name).unwrap();
            let b = ours.bytes.as_ref().unwrap();
            assert_eq!(b.unique_bytes, row["unique_bytes"], "{name}");
            assert_eq!(b.exclusive_bytes, row["exclusive_bytes"], "{name}");
            assert_eq!(b.shared_bytes, row["shared_bytes"], "{name}");
            assert_eq!(b.tags, row["tags"], "{name}");
            assert_eq!(b.images, row["images"], "{name}");
        }
        let order: Vec<&str> = shown.rows().map(|r| r.repository.as_str()).collect();
        assert_eq!(
            order,
            ["solo", "team/web", "team/api", "tools"],
            "largest only-here first"
        );
        snap!("registry_usage_120x20", cold.render());

        store.flush();
        let mut warm = session(&host, &store).await;
        let before = registry.access_log().len();
        warm.keys("u").await;
        assert_eq!(
            manifest_reads(&registry, before),
            0,
            "a warm store reads no manifest"
        );
        let warm_view = view(&warm);
        assert_eq!(warm_view.count(|s| matches!(s, RowState::Stored(_))), 4);
        let figures = |v: &regscope::tui::state::registry_usage::RegistryUsageView| {
            v.rows().map(|r| r.bytes.clone()).collect::<Vec<_>>()
        };
        assert_eq!(figures(warm_view), figures(view(&cold)));
        warm.keys("\n").await;
        assert_eq!(
            warm.state.tags.repo(),
            Some("solo"),
            "Enter opens the repository"
        );
        assert!(warm.state.usage.shown(), "with its tag usage");
    });
}
