//! The copy dialog (`c`) and a new tag (`t`): what each key does, what each
//! answer makes of the dialog.

use super::*;
use crate::tui::state::copy::CopyStage;

fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        update(state, key(c));
    }
}

fn stage(state: &State) -> &CopyStage {
    match &state.dialog {
        Some(Dialog::Copy(dialog)) => &dialog.stage,
        other => panic!("no copy dialog: {other:?}"),
    }
}

#[test]
fn c_is_off_when_read_only_and_needs_a_tag() {
    let (mut state, _) = with_tags(&["1.0"]);
    state.settings.read_only = true;
    assert!(update(&mut state, key('c')).is_empty());
    assert!(state.dialog.is_none());
    assert!(status_text(&state).contains("read-only"));
    state.settings.read_only = false;
    let (mut empty, _) = with_tags(&[]);
    update(&mut empty, key('c'));
    assert!(empty.dialog.is_none(), "nothing selected, nothing to copy");
}

#[test]
fn the_destination_completes_from_this_and_stored_registries_then_plans() {
    let (mut state, _) = with_tags(&["1.0", "1.1"]);
    let ticket = state.tickets.current(Slot::Repos);
    update(
        &mut state,
        Msg::Finished(ticket, Finished::Repos(Ok(listing(&["app", "team/api"])))),
    );
    let effects = update(&mut state, key('c'));
    assert!(matches!(jobs(&effects).as_slice(), [Job::StoredPlaces]));
    let places = vec!["other.test:5000/mirror/app".to_string()];
    let ticket = state.tickets.current(Slot::Copy);
    update(
        &mut state,
        Msg::Finished(ticket, Finished::StoredPlaces(places)),
    );
    typed(&mut state, "oth");
    update(&mut state, code(KeyCode::Tab));
    let CopyStage::Destination { input, .. } = stage(&state) else {
        panic!("still typing");
    };
    assert_eq!(input.value(), "other.test:5000/mirror/app");
    let effects = update(&mut state, code(KeyCode::Enter));
    let [
        Job::PlanCopy {
            repo,
            tags,
            destination,
        },
    ] = jobs(&effects).as_slice()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(
        (repo.as_str(), destination.as_str()),
        ("app", "other.test:5000/mirror/app")
    );
    assert_eq!(tags, &["1.0"]);
    assert!(matches!(stage(&state), CopyStage::Planning { .. }));
}

#[test]
fn marked_tags_are_copied_together_and_an_empty_destination_is_refused() {
    let (mut state, _) = with_tags(&["1.0", "1.1", "2.0"]);
    update(&mut state, key(' '));
    update(&mut state, key(' '));
    update(&mut state, key('c'));
    assert!(update(&mut state, code(KeyCode::Enter)).is_empty());
    let CopyStage::Destination { error, .. } = stage(&state) else {
        panic!("still typing");
    };
    assert!(error.is_some());
    typed(&mut state, "reg.test/backup");
    let effects = update(&mut state, code(KeyCode::Enter));
    let [Job::PlanCopy { tags, .. }] = jobs(&effects).as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(tags, &["1.0", "1.1"]);
}

#[test]
fn a_failed_plan_is_shown_and_any_key_closes_it() {
    let (mut state, _) = with_tags(&["1.0"]);
    update(&mut state, key('c'));
    typed(&mut state, "nowhere");
    update(&mut state, code(KeyCode::Enter));
    let ticket = state.tickets.current(Slot::Copy);
    update(
        &mut state,
        Msg::Finished(ticket, Finished::CopyPlanned(Err("unreachable".into()))),
    );
    assert!(matches!(
        stage(&state),
        CopyStage::Done { failed: true, .. }
    ));
    update(&mut state, key('x'));
    assert!(state.dialog.is_none());
}

#[test]
fn esc_while_planning_drops_the_answer() {
    let (mut state, _) = with_tags(&["1.0"]);
    update(&mut state, key('c'));
    typed(&mut state, "reg.test/x");
    update(&mut state, code(KeyCode::Enter));
    let ticket = state.tickets.current(Slot::Copy);
    update(&mut state, code(KeyCode::Esc));
    assert!(state.dialog.is_none());
    let late = Finished::CopyPlanned(Err("late".into()));
    update(&mut state, Msg::Finished(ticket, late));
    assert!(state.dialog.is_none(), "a stale answer opens nothing");
}

#[test]
fn t_tags_the_selected_image_and_refuses_a_bad_name() {
    let (mut state, _) = with_tags(&["1.0"]);
    update(&mut state, key('t'));
    assert!(matches!(state.dialog, Some(Dialog::AddTag { .. })));
    typed(&mut state, "bad tag");
    assert!(update(&mut state, code(KeyCode::Enter)).is_empty());
    assert!(status_text(&state).contains("not a valid tag"));
    update(&mut state, key('t'));
    typed(&mut state, "stable");
    let effects = update(&mut state, code(KeyCode::Enter));
    let [Job::AddTag { repo, from, tag }] = jobs(&effects).as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        (repo.as_str(), from.as_str(), tag.as_str()),
        ("app", "1.0", "stable")
    );
    let ticket = state.tickets.current(Slot::Copy);
    let effects = update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::Tagged {
                tag: "stable".into(),
                result: Ok(()),
            },
        ),
    );
    let listed = jobs(&effects).iter().any(|j| matches!(j, Job::Tags { .. }));
    assert!(listed, "the tags are listed again: {effects:?}");
    state.settings.read_only = true;
    update(&mut state, key('t'));
    assert!(state.dialog.is_none());
}

/// A preview of copying `1.0` (a plan with nothing in it, from a layout).
fn preview(state: &mut State) {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::layout::LayoutStore::create(&dir.path().join("l")).unwrap();
    let batch = crate::ops::copy::CopyBatch {
        destination: crate::source::Source::Layout(Arc::new(store)),
        repository: "l".into(),
        plans: Vec::new(),
        known: Default::default(),
        width: 1,
    };
    update(state, key('c'));
    typed(state, "oci:/somewhere");
    update(state, code(KeyCode::Enter));
    let ticket = state.tickets.current(Slot::Copy);
    update(
        state,
        Msg::Finished(ticket, Finished::CopyPlanned(Ok(Arc::new(batch)))),
    );
    assert!(matches!(stage(state), CopyStage::Preview { .. }));
}

#[test]
fn enter_copies_esc_stops_between_blobs_and_the_outcome_closes_on_a_key() {
    use crate::tui::job::{CopyProgress, Progress};
    use crate::tui::msg::CopyOutcome;
    let (mut state, _) = with_tags(&["1.0"]);
    preview(&mut state);
    let effects = update(&mut state, code(KeyCode::Enter));
    let [Job::Copy { stop, .. }] = jobs(&effects).as_slice() else {
        panic!("{effects:?}");
    };
    let stop = stop.clone();
    let ticket = state.tickets.current(Slot::Copy);
    let moved = vec![CopyProgress {
        bytes: 10,
        blobs: 1,
        done: false,
    }];
    update(
        &mut state,
        Msg::Progress(ticket, Progress::Copied(moved.clone())),
    );
    let CopyStage::Copying { progress, .. } = stage(&state) else {
        panic!("copying");
    };
    assert_eq!(progress, &moved);
    update(&mut state, key('x'));
    assert!(
        !stop.load(std::sync::atomic::Ordering::SeqCst),
        "only Esc stops"
    );
    update(&mut state, code(KeyCode::Esc));
    assert!(stop.load(std::sync::atomic::Ordering::SeqCst));
    assert!(
        matches!(stage(&state), CopyStage::Copying { .. }),
        "it stops by itself"
    );
    let outcome = CopyOutcome {
        tags_done: 0,
        stopped: true,
    };
    update(
        &mut state,
        Msg::Finished(ticket, Finished::Copied(Ok(outcome))),
    );
    let CopyStage::Done { summary, failed } = stage(&state) else {
        panic!("done");
    };
    assert!(*failed && summary.contains("stopped"), "{summary}");
    update(&mut state, key('x'));
    assert!(state.dialog.is_none());
}

#[test]
fn a_registry_switch_stops_a_running_copy() {
    let (mut state, _) = with_tags(&["1.0"]);
    preview(&mut state);
    let effects = update(&mut state, code(KeyCode::Enter));
    let [Job::Copy { stop, .. }] = jobs(&effects).as_slice() else {
        panic!("{effects:?}");
    };
    let stop = stop.clone();
    update(&mut state, Msg::Switched(Ok(("other.test".into(), None))));
    assert!(stop.load(std::sync::atomic::Ordering::SeqCst));
}

#[test]
fn a_tag_on_its_way_is_not_cancelled_by_the_copy_dialog() {
    let (mut state, _) = with_tags(&["1.0"]);
    update(&mut state, key('t'));
    typed(&mut state, "stable");
    let effects = update(&mut state, code(KeyCode::Enter));
    let tag_ticket = match effects.as_slice() {
        [Effect::Run { ticket, .. }] => *ticket,
        other => panic!("{other:?}"),
    };
    update(&mut state, key('c'));
    assert!(state.tickets.is_current(tag_ticket), "c takes other slots");
}
