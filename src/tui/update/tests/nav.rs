//! Moving between panes, filtering, help, the clipboard.

use super::*;

#[test]
fn navigation_between_panes() {
    let (mut state, _) = with_tags(&["a", "b"]);
    assert_eq!(state.focus, Pane::Tags);
    update(&mut state, key('j'));
    assert_eq!(state.tags.list.cursor().selected(), 1);
    update(&mut state, key('j'));
    assert_eq!(state.tags.list.cursor().selected(), 1, "stops at the end");
    update(&mut state, key('g'));
    assert_eq!(state.tags.list.cursor().selected(), 0);
    update(&mut state, key('h'));
    assert_eq!(state.focus, Pane::Repos);
    let effects = update(&mut state, code(KeyCode::Enter));
    assert!(
        matches!(jobs(&effects).as_slice(), [Job::Tags { repo: r }, Job::StoredRows { repo: s }] if r == "app" && s == "app"),
        "{effects:?}"
    );
    assert_eq!(state.focus, Pane::Tags);
}

#[test]
fn selected_tag_drives_the_detail_pane() {
    let (mut state, _) = with_tags(&["a", "b"]);
    let ticket = state.tickets.current(Slot::Tags);
    let effects = update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::Summary {
                tag: "a".into(),
                result: Ok(summary(1, 10, "2024-01-01T00:00:00Z")),
            },
        ),
    );
    assert!(
        matches!(jobs(&effects).as_slice(), [Job::Detail { digest, .. }] if *digest == Digest::sha256_of(&[1]))
    );
    let effects = update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::Summary {
                tag: "b".into(),
                result: Ok(summary(2, 20, "2024-02-01T00:00:00Z")),
            },
        ),
    );
    assert!(effects.is_empty(), "b is not selected");
    let effects = update(&mut state, key('j'));
    assert!(effects.iter().any(
        |e| matches!(e.job(), Some(Job::Detail { digest, .. }) if *digest == Digest::sha256_of(&[2]))
    ));
}

#[test]
fn filter_as_you_type_and_esc_clears() {
    let (mut state, _) = with_tags(&["v1.0", "v2.0", "latest", "v1.1"]);
    update(&mut state, key('/'));
    assert!(matches!(state.dialog, Some(Dialog::Input { .. })));
    update(&mut state, key('v'));
    update(&mut state, key('1'));
    assert_eq!(visible_names(&state), ["v1.0", "v1.1"]);
    update(&mut state, code(KeyCode::Enter));
    assert!(state.screen.is_none() && state.dialog.is_none());
    assert_eq!(state.tags.list.filter(), "v1");
    update(&mut state, code(KeyCode::Esc));
    assert_eq!(state.tags.list.filter(), "");
    assert_eq!(visible_names(&state).len(), 4);
}

#[test]
fn signature_tags_can_be_hidden() {
    let sig = format!("sha256-{}.sig", "a".repeat(64));
    let (mut state, _) = with_tags(&["1.0", &sig]);
    assert!(state.tags.list.row(&sig).unwrap().signature);
    update(&mut state, key('i'));
    assert_eq!(visible_names(&state), ["1.0"]);
    update(&mut state, key('i'));
    assert_eq!(visible_names(&state).len(), 2);
}

#[test]
fn copy_needs_a_digest() {
    let (mut state, _) = with_tags(&["a"]);
    assert!(update(&mut state, key('y')).is_empty());
    let ticket = state.tickets.current(Slot::Tags);
    update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::Summary {
                tag: "a".into(),
                result: Ok(summary(1, 1, "2024-01-01T00:00:00Z")),
            },
        ),
    );
    let effects = update(&mut state, key('y'));
    assert_eq!(
        effects,
        [Effect::Clipboard(format!(
            "reg.test/app@{}",
            Digest::sha256_of(&[1])
        ))]
    );
}

#[test]
fn help_scrolls_no_further_than_its_text() {
    let (mut state, _) = with_tags(&["a"]);
    state.viewport = (100, 20);
    update(&mut state, key('?'));
    for _ in 0..200 {
        update(&mut state, key('j'));
    }
    let max = crate::tui::layout::help_max_scroll(state.settings.keymap.help_lines(), 20);
    assert!(max > 0, "the help is longer than 20 rows");
    assert!(
        matches!(state.dialog, Some(Dialog::Help(n)) if n == max),
        "{:?}",
        state.dialog
    );
    update(&mut state, key('k'));
    assert!(matches!(state.dialog, Some(Dialog::Help(n)) if n == max - 1));
}

#[test]
fn hiding_signature_tags_moves_the_detail_to_the_new_selection() {
    let sig = format!("sha256-{}.sig", "a".repeat(64));
    let (mut state, _) = with_tags(&[&sig, "v1"]);
    assert_eq!(visible_names(&state), [sig.as_str(), "v1"]);
    deliver(&mut state, &sig, 1);
    deliver(&mut state, "v1", 2);
    assert_eq!(detail_digest(&state), Some(Digest::sha256_of(&[1])));
    let effects = update(&mut state, key('i'));
    assert_eq!(visible_names(&state), ["v1"]);
    assert!(
        effects.iter().any(
            |e| matches!(e.job(), Some(Job::Detail { digest, .. }) if *digest == Digest::sha256_of(&[2]))
        ),
        "{effects:?}"
    );
    assert_eq!(detail_digest(&state), Some(Digest::sha256_of(&[2])));
}
