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
