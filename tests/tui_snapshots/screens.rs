//! Screens that take the frame: usage, planner, file tree, comparison.

use super::*;

#[test]
fn usage_view() {
    run("usage", Start::Repository("multi-docker".into()), "u");
}

#[test]
fn the_retention_planner_shows_each_tags_verdict() {
    // Keep the newest image: `1.1` and `1.0`/`latest` share a created date, so
    // natural tag order breaks the tie; `only` narrows the candidates.
    run("planner", Start::Repository("app".into()), "P\u{8}\u{8}1");
}

#[test]
fn the_file_tree_of_a_layer_and_of_the_merged_image() {
    common::block_on_thread(async {
        let mut session = demo_session("shop/api", 100, 24).await;
        // 2.4.0, its detail, the second layer (python3 over debian), Enter.
        session.keys("jlj\n").await;
        let layer = session.render();
        assert!(layer.contains("layer 2 of 3: its own changes"), "{layer}");
        snap!("files_layer_100x24", layer);
        // Unfold etc/, then filter down to the others: + added, ~ modified, - removed.
        let mark_of = |screen: &str, name: &str| {
            let line = screen
                .lines()
                .find(|l| l.contains(name))
                .unwrap_or_default();
            line.split('│').nth(1).and_then(|row| row.chars().next())
        };
        session.keys("l").await;
        assert_eq!(
            mark_of(&session.render(), "passwd"),
            Some('~'),
            "{}",
            session.render()
        );
        session.keys("/python\n").await;
        assert_eq!(
            mark_of(&session.render(), "python3"),
            Some('+'),
            "{}",
            session.render()
        );
        session.keys("\x1b/dists\n").await;
        let deleted = session.render();
        assert_eq!(
            mark_of(&deleted, "deb.debian.org_dists"),
            Some('-'),
            "{deleted}"
        );
        assert!(deleted.contains("(deleted)"), "{deleted}");
        session.keys("\x1b").await;
        session.keys("m").await;
        let merged = session.render();
        assert!(
            merged.contains("merged image") && merged.contains("wasted 1.61 kB"),
            "{merged}"
        );
        session.keys("/apt").await;
        let filtered = session.render();
        assert!(
            filtered.contains("apt/") && !filtered.contains("python3"),
            "{filtered}"
        );
        snap!("files_merged_filtered_100x24", filtered);
        session.keys("\x1bq").await;
        assert!(
            session.render().contains("CREATED BY"),
            "closed: back to the detail"
        );
    });
}

#[test]
fn two_marked_tags_compare_down_to_the_files() {
    common::block_on_thread(async {
        let mut session = demo_session("shop/api", 100, 24).await;
        session.keys("  =").await;
        let screen = session.render();
        for shown in [
            "compare 2.3.1 → 2.4.0",
            "1 only in A",
            "CONFIG  the same",
            "~ srv/api/app/main.py",
        ] {
            assert!(screen.contains(shown), "{shown}: {screen}");
        }
        snap!("compare_100x24", screen);
    });
}

/// The comparison scrolled to its end shows its last line at every height
/// (update scrolls and render draws by the same geometry).
#[test]
fn the_comparison_draws_its_last_line_at_every_height() {
    common::block_on_thread(async {
        let mut session = demo_session("shop/api", 100, 40).await;
        session.keys("  =").await;
        let Some(regscope::tui::state::Screen::Compare(view)) = &session.state.screen else {
            panic!("the comparison is open");
        };
        let files = view.data().and_then(|c| c.comparison.files.as_ref());
        let last = files.and_then(|f| f.last()).expect("a file change");
        let last = String::from_utf8_lossy(&last.path).into_owned();
        for height in 7..=60u16 {
            session.state.viewport = (100, height);
            session.keys("gG").await;
            let screen = session.render();
            assert!(
                screen.contains(&last),
                "height {height}: the last line ({last}) is not drawn\n{screen}"
            );
        }
    });
}

#[test]
fn a_commands_output_screen() {
    use regscope::config::{CommandOutput, CommandSettings, RunLine};
    use regscope::tui::settings::UserCommand;
    common::block_on_thread(async {
        let mut session = Session::open(Start::Repository("app".into()), 100, 30).await;
        let entry = CommandSettings {
            key: "A".into(),
            description: "echo it".into(),
            run: RunLine::Words(vec![
                "printf".into(),
                "%s\\n".into(),
                "{ref}".into(),
                "{tag}".into(),
            ]),
            confirm: false,
            output: CommandOutput::Pane,
        };
        let command = UserCommand::new(&entry, &session.state.settings.keymap).unwrap();
        session.state.settings.commands = Arc::new(vec![command]);
        session.keys("A").await;
        snap!("command_output_100x30", session.render());
    });
}
