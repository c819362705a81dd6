//! Dialogs on top: help, the delete confirmation.

use super::*;

#[test]
fn help_overlay() {
    run("help", Start::Registry, "?");
}

#[test]
fn delete_dialog() {
    // `latest` shares its digest with 1.0: both are listed, and the name must be typed.
    run("delete_dialog", Start::Repository("app".into()), "Gd");
}

/// A layout destination at a fixed path (it shows in the dialog), emptied first.
fn copy_destination(name: &str) -> String {
    let dir = std::path::PathBuf::from(format!("/tmp/regscope-snapshot-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    format!("oci:{}:1.0", dir.display())
}

#[test]
fn copy_dialog_destination_prompt_completes_from_the_repositories() {
    common::block_on_thread(async {
        let mut session = Session::open(Start::Repository("app".into()), 100, 30).await;
        session.keys("cregistry.test:5000/mu\t").await;
        snap!("copy_destination_100x30", session.render());
    });
}

#[test]
fn copy_dialog_preview_progress_and_outcome() {
    use regscope::tui::job::{CopyProgress, Progress};
    use regscope::tui::state::Slot;
    common::block_on_thread(async {
        let mut session = Session::open(Start::Repository("app".into()), 100, 30).await;
        let destination = copy_destination("copy-preview");
        session.keys(&format!("c{destination}\n")).await;
        snap!("copy_preview_100x30", session.render());
        // Enter starts the copy; its progress is shown before it finishes.
        let enter = Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        let effects = update::update(&mut session.state, enter);
        let ticket = session.state.tickets.current(Slot::Copy);
        let halfway = vec![CopyProgress {
            bytes: 3_000,
            blobs: 1,
            done: false,
        }];
        update::update(
            &mut session.state,
            Msg::Progress(ticket, Progress::Copied(halfway)),
        );
        snap!("copy_progress_100x30", session.render());
        session.settle(effects).await;
        snap!("copy_done_100x30", session.render());
    });
}
