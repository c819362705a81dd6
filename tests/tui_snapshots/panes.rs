//! The Miller columns: repositories, tags, detail (and what marks them).

use super::*;

#[test]
fn repositories_pane() {
    run("repositories", Start::Registry, "j");
}

#[test]
fn tags_pane_with_summaries() {
    run("tags", Start::Registry, "jj\n");
}

#[test]
fn detail_of_an_index() {
    run("index_detail", Start::Repository("multi".into()), "\n");
}

#[test]
fn detail_of_a_platform_image() {
    run("platform_image", Start::Repository("multi".into()), "\nj\n");
}

#[test]
fn detail_of_a_docker_image() {
    run(
        "docker_image",
        Start::Repository("docker/legacy".into()),
        "\n",
    );
}

#[test]
fn raw_json_view() {
    run("raw_json", Start::Repository("app".into()), "\nJ");
}

#[test]
fn filter_while_typing() {
    run("filter", Start::Repository("app".into()), "/1.");
}

#[test]
fn monochrome_has_no_colour() {
    common::block_on_thread(async {
        let mut session = Session::open(Start::Repository("app".into()), 100, 30).await;
        let (w, h) = session.state.viewport;
        // A positive control: the same screen in colour has coloured cells.
        let mut coloured = Terminal::new(TestBackend::new(w, h)).unwrap();
        coloured.draw(|f| ui::render(&session.state, f)).unwrap();
        assert!(
            coloured
                .backend()
                .buffer()
                .content
                .iter()
                .any(|cell| cell.fg != ratatui::style::Color::Reset),
            "colour is on by default"
        );
        session.state.settings.monochrome = true;
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| ui::render(&session.state, f)).unwrap();
        let buffer = terminal.backend().buffer();
        assert!(
            buffer
                .content
                .iter()
                .all(|cell| cell.fg == ratatui::style::Color::Reset
                    && cell.bg == ratatui::style::Color::Reset)
        );
    });
}

#[test]
fn read_only_offers_no_delete() {
    common::block_on_thread(async {
        let mut session = Session::open(Start::Repository("app".into()), 100, 30).await;
        let hints = |session: &Session| session.render().lines().last().unwrap().to_string();
        assert!(hints(&session).contains("d delete"), "{}", hints(&session));
        assert!(hints(&session).contains("P plan"), "{}", hints(&session));
        session.state.settings.read_only = true;
        assert!(!hints(&session).contains("delete"), "{}", hints(&session));
        assert!(!hints(&session).contains("plan"), "{}", hints(&session));
        assert!(hints(&session).contains("u usage"), "{}", hints(&session));
    });
}

#[test]
fn the_bundled_demo() {
    common::block_on_thread(async {
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
        let store = regscope::layout::LayoutStore::open(&demo).unwrap();
        for (w, h) in [(100, 30), (60, 20)] {
            let mut session = Session::on(
                Source::Layout(Arc::new(store.clone())),
                Start::Registry,
                w,
                h,
            )
            .await;
            session.state.note = Some("demo content".into());
            session.keys("jj\n\n").await;
            snap!(format!("demo_{w}x{h}"), session.render());
        }
    });
}

#[test]
fn hostile_registry_text_never_reaches_the_screen() {
    use regscope::oci::listing::Listing;
    use regscope::tui::msg::Finished;
    use regscope::tui::state::Slot;
    let evil = "x\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{1b}[31mred\u{9b}1m";
    let (mut state, _) = initial_state(
        "reg\u{1b}[5m.test",
        Arc::new(Keymap::default_keys()),
        &Start::Registry,
    );
    state.viewport = (100, 30);
    let repos = state.tickets.current(Slot::Repos);
    update::update(
        &mut state,
        Msg::Finished(
            repos,
            Finished::Repos(Ok(Listing {
                items: vec![evil.into()],
                incomplete: None,
            })),
        ),
    );
    update::update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let tags = state.tickets.current(Slot::Tags);
    update::update(
        &mut state,
        Msg::Finished(
            tags,
            Finished::Tags(Ok(Listing {
                items: vec![evil.into()],
                incomplete: None,
            })),
        ),
    );
    state.error(format!("error from registry: {evil}"));
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| ui::render(&state, f)).unwrap();
    let screen: String = terminal
        .backend()
        .buffer()
        .content
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        !screen.chars().any(|c| c.is_control()),
        "no control characters drawn"
    );
    // ratatui drops lone control characters itself; what shows that the
    // sanitiser ran is that the rest of each sequence is gone too.
    for leftover in ["52;c", "cHduZWQ", "[2J", "[31m", "1m", "[5m"] {
        assert!(
            !screen.contains(leftover),
            "{leftover:?} of an escape sequence was drawn"
        );
    }
    assert!(screen.contains("xred"), "the printable part stays");
    assert!(screen.contains("reg.test"), "the source name, cleaned");
}

#[test]
fn a_busy_repository_with_marks_shared_bytes_and_a_signature() {
    use ratatui::style::{Color, Modifier};
    let (registry, _storage) = seed_busy();
    common::block_on_thread(async move {
        let start = Start::Repository("busy".into());
        let mut session = Session::open_at(&registry.host, start, 220, 40).await;
        // Sorted by created, newest first: a mark moves down a row. Mark the
        // newest image's first tag and the next two images.
        session.keys("sg j  ").await;
        let screen = session.render();
        snap!("busy_marked_220x40", screen);
        for column in [
            "TAG",
            "REFS",
            "DIGEST",
            "SIZE",
            "CREATED",
            "PLATFORMS",
            "KIND",
        ] {
            assert!(screen.contains(column), "{column} shown at 220 columns");
        }
        assert!(screen.contains("S···"), "1.0 is signed: {screen}");
        let mut terminal = Terminal::new(TestBackend::new(220, 40)).unwrap();
        terminal.draw(|f| ui::render(&session.state, f)).unwrap();
        let buffer = terminal.backend().buffer();
        let signature = cell_at(buffer, "sha256-");
        assert_eq!(signature.fg, Color::DarkGray, "signature tags are dimmed");
        let marked = cell_at(buffer, "* 1.21");
        assert_eq!(marked.fg, Color::Green, "marks stand out");
        let plain = cell_at(buffer, "1.5      ");
        assert_eq!(
            plain.fg,
            Color::Reset,
            "a plain row is the positive control"
        );
        assert!(!plain.modifier.contains(Modifier::DIM));

        session.keys("u").await;
        snap!("busy_usage_marked_220x40", session.render());
    });
}

#[test]
fn the_detail_pane_lists_what_refers_to_the_image() {
    let (registry, _storage) = seed_busy();
    common::block_on_thread(async move {
        let session =
            Session::open_at(&registry.host, Start::Repository("busy".into()), 220, 40).await;
        let screen = session.render();
        assert!(
            screen.contains("┌ 1.0 "),
            "1.0 (signed) is selected: {screen}"
        );
        for shown in ["REFERRERS", "simplesigning", "(cosign-tag)"] {
            assert!(screen.contains(shown), "{shown}: {screen}");
        }
        snap!("referrers_in_detail_220x40", screen);
        // The cursor goes on from the two layers to the referrer; Enter opens it.
        let mut session = session;
        session.keys("ljj\n").await;
        let opened = session.render();
        assert!(
            opened.contains("┌ 1.0 → "),
            "the signature on top: {opened}"
        );
        assert!(opened.contains("sign"), "its build step: {opened}");
        session.keys("h").await;
        assert!(session.render().contains("REFERRERS"), "back to the image");
    });
}

#[test]
fn a_broken_index_is_badged_and_its_detail_names_the_missing_platform() {
    use common::fixtures::{Fixtures, OCI_LAYER, Pusher, Style, image_at, layer};
    let storage = tempfile::tempdir().unwrap();
    let registry = TestRegistry::start(RegistryConfig::anonymous(storage.path()));
    let base = registry.url();
    let gone = common::block_on_thread(async move {
        let pusher = Pusher::new(&base);
        let mut fx = Fixtures::default();
        let platform = |p: &str, seed: u64| {
            image_at(
                Style::Oci,
                p,
                vec![layer(seed, 2_000, OCI_LAYER)],
                &["COPY app /"],
                "2024-04-01T10:00:00Z",
            )
        };
        let (amd, arm) = (platform("linux/amd64", 1), platform("linux/arm64", 2));
        let whole = platform("linux/amd64", 3);
        let gone = arm.manifest.digest.clone();
        pusher
            .index("multi", Style::Oci, &[amd, arm], None, &["broken"], &mut fx)
            .await;
        pusher.image("multi", &whole, &["whole"], &mut fx).await;
        let url = format!("{base}/v2/multi/manifests/{gone}");
        let deleted = reqwest::Client::new().delete(url).send().await.unwrap();
        assert_eq!(deleted.status(), 202);
        gone
    });
    let host = registry.host.clone();
    common::block_on_thread(async move {
        let session = Session::open_at(&host, Start::Repository("multi".into()), 160, 24).await;
        let screen = session.render();
        let row = |tag: &str| {
            let found = screen
                .lines()
                .find(|l| l.contains(tag) && l.contains("2 kB"));
            found.unwrap().to_string()
        };
        let (broken, whole) = (row("broken"), row("whole"));
        assert!(
            broken.contains("! broken") && broken.contains("! index"),
            "{screen}"
        );
        assert!(!whole.contains('!'), "the positive control: {screen}");
        assert!(screen.contains("! MISSING"), "{screen}");
        assert!(screen.contains(&gone[7..15]), "names it: {screen}");
        snap!("broken_index_160x24", screen);
    });
}

#[test]
fn referrers_the_api_lists_badge_the_row_without_tags_for_them() {
    use common::fake::{Counter, Seen, respond, serve};
    use sha2::{Digest as _, Sha256};
    let sha = |b: &[u8]| format!("sha256:{}", hex::encode(Sha256::digest(b)));
    let config =
        br#"{"architecture":"amd64","os":"linux","created":"2024-05-01T10:00:00Z"}"#.to_vec();
    let config_digest = sha(&config);
    let manifest = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": []})
    .to_string();
    let digest = sha(manifest.as_bytes());
    let index = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{}", "e".repeat(64)),
                       "size": 321, "artifactType": "application/spdx+json"}]})
    .to_string();
    let asked = Counter::default();
    let seen = asked.clone();
    let (subject, api) = (digest.clone(), format!("/v2/r/referrers/{digest}"));
    let server = serve(move |req: Seen| {
        let headers = [
            ("content-type", "application/vnd.oci.image.manifest.v1+json"),
            ("docker-content-digest", subject.as_str()),
        ];
        match req.path.as_str() {
            "/v2/" => respond(200, &[], "{}"),
            "/v2/r/tags/list" => respond(200, &[], r#"{"name":"r","tags":["1.0"]}"#),
            "/v2/r/manifests/1.0" => respond(200, &headers, manifest.clone()),
            p if p == format!("/v2/r/manifests/{subject}") => {
                respond(200, &headers, manifest.clone())
            }
            p if p == format!("/v2/r/blobs/{config_digest}") => respond(200, &[], config.clone()),
            p if p == api => {
                seen.bump();
                respond(
                    200,
                    &[("content-type", "application/vnd.oci.image.index.v1+json")],
                    index.clone(),
                )
            }
            _ => respond(404, &[], "404 page not found"),
        }
    });
    let host = server.host();
    common::block_on_thread(async move {
        let session = Session::open_at(&host, Start::Repository("r".into()), 160, 12).await;
        let screen = session.render();
        let row = screen
            .lines()
            .find(|l| l.contains("││1.0 "))
            .unwrap_or_default()
            .to_string();
        assert!(screen.contains("REFS"), "{screen}");
        assert!(row.contains("··B·"), "an SBOM the API lists: {screen}");
    });
    assert!(asked.get() >= 1, "the API was asked");
}

#[test]
fn protected_tags_are_marked_and_the_planner_shows_its_brake() {
    common::block_on_thread(async {
        let digest = &SMALL.fixtures.tags["app:1.0"].digest;
        let mut session = Session::open(Start::Repository("app".into()), 100, 30).await;
        let list = regscope::model::protect::Protected::parse(digest, "test").unwrap();
        session.state.settings.protection = Ok(Arc::new(list));
        snap!("protected_tags_100x30", session.render());
        // Keep none: everything but the protected image goes.
        session.keys("P\u{8}\u{8}0").await;
        let planner = session.render();
        assert!(planner.contains("keep   kept: protected"), "{planner}");
        snap!("planner_protected_100x30", planner);
        // Unprotected, keeping none deletes every image: past the 80% brake.
        session.keys("\x1b").await;
        session.state.settings.protection = Ok(Arc::default());
        session.keys("P\u{8}\u{8}0").await;
        let planner = session.render();
        assert!(planner.contains("past the brake"), "{planner}");
        snap!("planner_past_the_brake_100x30", planner);
        session.keys("\n").await;
        let dialog = session.render();
        assert!(dialog.contains("type override"), "{dialog}");
        snap!("delete_dialog_past_the_brake_100x30", dialog);
    });
}

/// The file tree at every height from 7 to 60 rows: after G the cursor's row
/// (the last entry) is always drawn (update and render ask one function).
#[test]
fn the_file_tree_draws_its_cursor_row_at_every_height() {
    common::block_on_thread(async {
        let mut session = demo_session("shop/api", 100, 40).await;
        // The merged image, every directory unfolded on the way down.
        session.keys("jlj\nm").await;
        session.keys(&"lj".repeat(60)).await;
        let Some(regscope::tui::state::Screen::Files(view)) = &session.state.screen else {
            panic!("the file tree is open");
        };
        let entries = view.rows().len();
        assert!(entries > 20, "enough rows to scroll: {entries}");
        for height in 7..=60u16 {
            session.state.viewport = (100, height);
            session.keys("gG").await;
            let screen = session.render();
            let Some(regscope::tui::state::Screen::Files(view)) = &session.state.screen else {
                panic!("the file tree is open");
            };
            let tree = view.tree().expect("read");
            let last = *view.rows().last().expect("rows");
            let node = &tree.nodes[last as usize];
            let name = String::from_utf8_lossy(tree.name(node)).into_owned();
            assert_eq!(view.cursor().selected(), view.rows().len() - 1);
            assert!(
                screen.contains(&name),
                "height {height}: the cursor's row {name:?} is not drawn\n{screen}"
            );
        }
    });
}
