//! Snapshots of every view, rendered from data fetched from the real test
//! registry through the same code paths the app uses: one file per kind of
//! view (panes, screens, dialogs).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../common/mod.rs"]
mod common;

use common::fixtures::SMALL;
use common::registry::{RegistryConfig, TestRegistry};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use regscope::registry::RegistryClient;
use regscope::registry::auth::Credentials;
use regscope::registry::transport::TransportOptions;
use regscope::source::Source;
use regscope::store::CachedSource;
use regscope::tui::app::{Start, initial_state};
use regscope::tui::keymap::Keymap;
use regscope::tui::msg::Msg;
use regscope::tui::pool::execute;
use regscope::tui::settings::Settings;
use regscope::tui::state::State;
use regscope::tui::{ui, update};
use std::sync::Arc;

mod dialogs;
mod panes;
mod registry_usage;
mod screens;
mod supply;

/// Snapshots keep the names and the folder they had when this was one file.
macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(format!("tui_snapshots__{}", $name), $value);
        })
    };
}
pub(crate) use snap;

/// A session: state plus the real source; every effect is carried out until quiet.
pub struct Session {
    state: State,
    source: CachedSource,
}

impl Session {
    async fn open(start: Start, width: u16, height: u16) -> Session {
        Session::open_at(&SMALL.registry.host, start, width, height).await
    }

    async fn open_at(host: &str, start: Start, width: u16, height: u16) -> Session {
        let client =
            RegistryClient::connect(host, TransportOptions::default(), Credentials::Anonymous)
                .await
                .unwrap();
        Session::on(Source::Registry(Arc::new(client)), start, width, height).await
    }

    async fn on(source: Source, start: Start, width: u16, height: u16) -> Session {
        Session::on_cached(CachedSource::in_memory(source), start, width, height).await
    }

    /// A session over `source` as given (a store behind it, say).
    async fn on_cached(source: CachedSource, start: Start, width: u16, height: u16) -> Session {
        let settings = Settings::with_keymap(Arc::new(Keymap::default_keys()));
        Session::with_settings(source, start, (width, height), settings).await
    }

    /// A session with these settings (a verify key, say).
    async fn with_settings(
        source: CachedSource,
        start: Start,
        (width, height): (u16, u16),
        settings: Settings,
    ) -> Session {
        let (mut state, effects) = initial_state("registry.test:5000", settings, &start);
        state.viewport = (width, height);
        state.now = Some("2024-05-04T10:00:00Z".parse().unwrap());
        let mut session = Session { state, source };
        session.settle(effects).await;
        session
    }

    async fn settle(&mut self, mut effects: Vec<regscope::tui::effect::Effect>) {
        for _ in 0..50 {
            if effects.is_empty() {
                return;
            }
            let mut next = Vec::new();
            for effect in effects {
                for msg in execute(&self.source, 4, effect).await {
                    next.extend(update::update(&mut self.state, msg));
                }
            }
            effects = next;
        }
        panic!("effects did not settle");
    }

    async fn keys(&mut self, keys: &str) {
        for c in keys.chars() {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\x1b' => KeyCode::Esc,
                ' ' => KeyCode::Char(' '),
                '\u{8}' => KeyCode::Backspace,
                '\t' => KeyCode::Tab,
                c => KeyCode::Char(c),
            };
            let effects = update::update(
                &mut self.state,
                Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
            );
            self.settle(effects).await;
        }
    }

    fn render(&self) -> String {
        let (w, h) = self.state.viewport;
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| ui::render(&self.state, f)).unwrap();
        terminal.backend().to_string()
    }
}

pub async fn check(name: &str, start: Start, keys: &str) {
    for (w, h) in [(100, 30), (80, 24), (60, 20)] {
        let mut session = Session::open(start.clone(), w, h).await;
        session.keys(keys).await;
        snap!(format!("{name}_{w}x{h}"), session.render());
    }
}

pub fn run(name: &'static str, start: Start, keys: &'static str) {
    common::block_on_thread(async move { check(name, start, keys).await });
}

/// A repository as people have them: many tags on one shared base, a cosign
/// signature tag, marks, in a terminal wide enough for every column.
pub fn seed_busy() -> (TestRegistry, tempfile::TempDir) {
    use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, image_at, layer};
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let base = registry.url();
    common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let mut fx = Fixtures::default();
        let shared = layer(900, 40_000, OCI_LAYER);
        let mut first = None;
        for i in 0..24usize {
            let img = image_at(
                Style::Oci,
                if i % 3 == 0 {
                    "linux/arm64/v8"
                } else {
                    "linux/amd64"
                },
                vec![
                    shared.clone(),
                    layer(901 + i as u64, 1_000 + 700 * i, OCI_LAYER),
                ],
                &["ADD rootfs.tar /", "COPY build /srv"],
                &format!("2024-04-{:02}T10:00:00Z", 1 + i),
            );
            let tag = format!("1.{i}");
            let tags: Vec<&str> = if i == 23 {
                vec![&tag, "latest"]
            } else {
                vec![&tag]
            };
            pusher.image("busy", &img, &tags, &mut fx).await;
            first.get_or_insert(img);
        }
        let signed = first.unwrap().manifest.digest.clone();
        let signature = image_at(
            Style::Oci,
            "unknown/unknown",
            vec![layer(
                990,
                300,
                "application/vnd.dev.cosign.simplesigning.v1+json",
            )],
            &["sign"],
            "2024-04-01T11:00:00Z",
        );
        let sig_tag = format!("{}.sig", signed.replace(':', "-"));
        pusher.image("busy", &signature, &[&sig_tag], &mut fx).await;
    });
    (registry, storage)
}

/// The first cell of the first place `needle` is drawn.
pub fn cell_at(buffer: &ratatui::buffer::Buffer, needle: &str) -> ratatui::buffer::Cell {
    let width = buffer.area.width;
    for y in 0..buffer.area.height {
        let row: Vec<&str> = (0..width).map(|x| buffer[(x, y)].symbol()).collect();
        let text = row.concat();
        if let Some(byte) = text.find(needle) {
            let x = u16::try_from(text[..byte].chars().count()).unwrap();
            return buffer[(x, y)].clone();
        }
    }
    panic!("{needle:?} is not on screen");
}

/// A session on the bundled demo (real tar layers), at `repo`.
pub async fn demo_session(repo: &str, width: u16, height: u16) -> Session {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let store = regscope::layout::LayoutStore::open(&demo).unwrap();
    Session::on(
        Source::Layout(Arc::new(store)),
        Start::Repository(repo.into()),
        width,
        height,
    )
    .await
}
