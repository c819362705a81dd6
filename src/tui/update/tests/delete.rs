//! The delete dialog: what confirms, what is left, what a switch cancels.

use super::*;

#[test]
fn delete_one_tag_with_y_and_cancel_with_anything_else() {
    let (mut state, _) = with_tags(&["a", "b"]);
    open_dialog(&mut state, plan_for(&["a"], &["a"]));
    let effects = update(&mut state, key('y'));
    assert!(
        matches!(jobs(&effects).as_slice(), [Job::Delete { .. }]),
        "{effects:?}"
    );

    let (mut state, _) = with_tags(&["a", "b"]);
    open_dialog(&mut state, plan_for(&["a"], &["a"]));
    assert!(update(&mut state, key('n')).is_empty());
    assert!(
        state.screen.is_none() && state.dialog.is_none(),
        "cancelled"
    );
    assert_eq!(status_text(&state), "cancelled: nothing deleted");
}

#[test]
fn when_several_tags_go_the_tag_name_must_be_typed() {
    let (mut state, _) = with_tags(&["a", "b"]);
    open_dialog(&mut state, plan_for(&["a", "b"], &["a"]));
    assert!(
        update(&mut state, key('y')).is_empty(),
        "y is just a letter here"
    );
    assert!(
        update(&mut state, code(KeyCode::Enter)).is_empty(),
        "'y' is not the tag name"
    );
    update(&mut state, code(KeyCode::Backspace));
    update(&mut state, key('a'));
    let effects = update(&mut state, code(KeyCode::Enter));
    assert!(matches!(jobs(&effects).as_slice(), [Job::Delete { .. }]));
}

#[test]
fn deleted_tags_leave_the_pane_in_place() {
    use crate::ops::delete::Outcome;
    let (mut state, _) = with_tags(&["a", "b", "c"]);
    update(&mut state, key('j'));
    open_dialog(&mut state, plan_for(&["b", "c"], &["b"]));
    let plan = plan_for(&["b", "c"], &["b"]);
    let outcome = Outcome::Deleted {
        method: crate::source::DeleteMethod::Digest,
        tags: vec!["b".into(), "c".into()],
        trash_id: Some("t1".into()),
    };
    let ticket = state.tickets.current(Slot::Delete);
    update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::Deleted(vec![(plan.groups[0].clone(), outcome)]),
        ),
    );
    assert_eq!(visible_names(&state), ["a"]);
    assert!(state.screen.is_none() && state.dialog.is_none());
    assert!(status_text(&state).contains("trash restore t1"));
}

#[test]
fn a_registry_switch_closes_the_delete_dialog_and_nothing_is_deleted() {
    let (mut state, _) = with_tags(&["a", "b"]);
    open_dialog(&mut state, plan_for(&["a"], &["a"]));
    let plan_ticket = state.tickets.current(Slot::Delete);
    update(
        &mut state,
        Msg::Switched(Ok(("mirror.test".into(), Some("app".into())))),
    );
    assert!(
        state.screen.is_none() && state.dialog.is_none(),
        "the dialog is closed"
    );
    assert!(!state.tickets.is_current(plan_ticket));
    let effects = update(&mut state, key('y'));
    assert!(
        !jobs(&effects)
            .iter()
            .any(|j| matches!(j, Job::Delete { .. })),
        "{effects:?}"
    );
    let late = update(
        &mut state,
        Msg::Finished(plan_ticket, Finished::Plan(Ok(plan_for(&["a"], &["a"])))),
    );
    assert!(late.is_empty());
    assert!(
        state.screen.is_none() && state.dialog.is_none(),
        "a late plan opens nothing"
    );
}

#[test]
fn a_child_of_an_index_needs_its_digest_typed() {
    let (mut state, _) = with_tags(&["a"]);
    let mut plan = plan_for(&[], &["a"]);
    plan.groups[0].part_of = vec![format!("{} (1.0)", Digest::sha256_of(b"index"))];
    open_dialog(&mut state, plan);
    let short = Digest::sha256_of(b"d").short();
    assert!(
        update(&mut state, key('y')).is_empty(),
        "y does not confirm"
    );
    update(&mut state, code(KeyCode::Backspace));
    for c in short.chars() {
        update(&mut state, key(c));
    }
    let effects = update(&mut state, code(KeyCode::Enter));
    assert!(
        matches!(jobs(&effects).as_slice(), [Job::Delete { forced, .. }] if forced.len() == 1),
        "{effects:?}"
    );
}
