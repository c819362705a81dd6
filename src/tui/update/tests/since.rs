//! Marks of what changed since the last visit: a tag the store did not know
//! is `N`, one whose digest moved is `M`; the repository is then marked `~`,
//! and a repository the last catalog lacked `+`.

use super::*;

fn since_ticket(state: &State) -> Ticket {
    state.tickets.current(Slot::Since)
}

/// What the store held of `app` before the session arrives.
fn last_visit(state: &mut State, rows: Vec<(String, Option<Digest>)>) {
    let ticket = since_ticket(state);
    let repo = "app".into();
    update(
        state,
        Msg::Finished(ticket, Finished::TagsBefore { repo, rows }),
    );
}

fn mark_of(state: &State, tag: &str) -> Option<char> {
    let row = state.tags.list.row(tag).unwrap();
    state.change_mark(row).map(|m| m.letter())
}

#[test]
fn new_and_moved_tags_are_marked_once_the_last_visit_is_known() {
    let (mut state, effects) = initial_state(
        "reg.test",
        Arc::new(Keymap::default_keys()),
        &Start::Repository("app".into()),
    );
    let asked: Vec<&Job> = effects.iter().filter_map(Effect::job).collect();
    assert!(
        asked.iter().any(|j| matches!(j, Job::CatalogBefore { .. })),
        "{asked:?}"
    );
    assert!(
        asked
            .iter()
            .any(|j| matches!(j, Job::TagsBefore { repo, .. } if repo == "app")),
        "{asked:?}"
    );
    let tags = state.tickets.current(Slot::Tags);
    update(
        &mut state,
        Msg::Finished(tags, Finished::Tags(Ok(listing(&["1.0", "1.1", "2.0"])))),
    );
    assert_eq!(mark_of(&state, "2.0"), None, "nothing known yet: no marks");
    let before = vec![
        ("1.0".to_string(), Some(Digest::sha256_of(&[1]))),
        ("1.1".to_string(), Some(Digest::sha256_of(&[2]))),
    ];
    last_visit(&mut state, before);
    assert_eq!(mark_of(&state, "2.0"), Some('N'));
    assert_eq!(mark_of(&state, "1.0"), None);
    assert_eq!(state.since.repository_mark("reg.test", "app"), Some('~'));
    let moved = summary(9, 100, "2024-05-01T10:00:00Z");
    update(
        &mut state,
        Msg::Finished(
            tags,
            Finished::Summary {
                tag: "1.1".into(),
                result: Ok(moved),
            },
        ),
    );
    assert_eq!(mark_of(&state, "1.1"), Some('M'));
    let same = summary(1, 100, "2024-05-01T10:00:00Z");
    update(
        &mut state,
        Msg::Finished(
            tags,
            Finished::Summary {
                tag: "1.0".into(),
                result: Ok(same),
            },
        ),
    );
    assert_eq!(mark_of(&state, "1.0"), None, "the same digest as before");
}

#[test]
fn a_repository_never_seen_has_no_marks_and_a_new_one_in_the_catalog_is_plus() {
    let (mut state, _) = with_tags(&["1.0"]);
    last_visit(&mut state, vec![]);
    let ticket = since_ticket(&state);
    assert_eq!(
        mark_of(&state, "1.0"),
        None,
        "never seen before: nothing is new to you"
    );
    assert_eq!(state.since.repository_mark("reg.test", "app"), None);
    update(
        &mut state,
        Msg::Finished(ticket, Finished::CatalogBefore(Some(vec!["app".into()]))),
    );
    assert_eq!(state.since.repository_mark("reg.test", "fresh"), Some('+'));
    assert_eq!(state.since.repository_mark("reg.test", "app"), None);
}

#[test]
fn the_last_visit_is_asked_for_once_a_repository_a_session() {
    let (mut state, _) = with_tags(&["1.0"]);
    let effects = update(&mut state, key('h'));
    let effects: Vec<Effect> = effects
        .into_iter()
        .chain(update(&mut state, key('l')))
        .collect();
    let reopened = effects
        .iter()
        .filter_map(Effect::job)
        .any(|j| matches!(j, Job::Tags { repo } if repo == "app"));
    assert!(reopened, "{effects:?}");
    let again = effects
        .iter()
        .filter_map(Effect::job)
        .filter(|j| matches!(j, Job::TagsBefore { .. }))
        .count();
    assert_eq!(
        again, 0,
        "the first visit's answer is kept: a later one would see this session"
    );
}

#[test]
fn a_registry_switched_away_from_and_back_keeps_its_last_visit() {
    let (mut state, _) = with_tags(&["1.0", "2.0"]);
    last_visit(
        &mut state,
        vec![("1.0".to_string(), Some(Digest::sha256_of(&[1])))],
    );
    assert_eq!(mark_of(&state, "2.0"), Some('N'));
    update(&mut state, Msg::Switched(Ok(("other.test".into(), None))));
    let back = update(
        &mut state,
        Msg::Switched(Ok(("reg.test".into(), Some("app".into())))),
    );
    let asked = back
        .iter()
        .filter_map(Effect::job)
        .any(|j| matches!(j, Job::TagsBefore { .. }));
    assert!(
        !asked,
        "read once a session: a second read would see this session's writes"
    );
    let tags = state.tickets.current(Slot::Tags);
    update(
        &mut state,
        Msg::Finished(tags, Finished::Tags(Ok(listing(&["1.0", "2.0"])))),
    );
    assert_eq!(mark_of(&state, "2.0"), Some('N'), "the first read is kept");
    assert_eq!(
        state.since.repository_mark("other.test", "app"),
        None,
        "per registry"
    );
}
