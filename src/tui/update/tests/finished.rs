//! Results arriving: stale ones dropped, stored rows then the listing.

use super::*;

#[test]
fn stale_results_are_dropped_and_changing_repository_supersedes_work() {
    let (mut state, _) = with_tags(&["a"]);
    let old = state.tickets.current(Slot::Tags);
    update(&mut state, key('h'));
    update(&mut state, key(':'));
    for c in "other".chars() {
        update(&mut state, key(c));
    }
    let effects = update(&mut state, code(KeyCode::Enter));
    let (new, Job::Tags { repo }) = job_of(&effects[..1], |_| true) else {
        panic!("{effects:?}")
    };
    assert_eq!(repo, "other");
    assert_ne!(new, old);
    assert!(!state.tickets.is_current(old));
    update(
        &mut state,
        Msg::Finished(old, Finished::Tags(Ok(listing(&["stale"])))),
    );
    assert!(
        state.tags.list.is_empty(),
        "the old repository's result is dropped"
    );
    update(
        &mut state,
        Msg::Finished(new, Finished::Tags(Ok(listing(&["fresh"])))),
    );
    assert_eq!(visible_names(&state), ["fresh"]);
}

#[test]
fn a_repository_seen_before_opens_on_its_stored_rows_then_revalidates() {
    let (mut state, effects) = initial_state(
        "reg.test",
        Arc::new(Keymap::default_keys()),
        &Start::Repository("app".into()),
    );
    let (ticket, Job::StoredRows { repo }) =
        job_of(&effects, |j| matches!(j, Job::StoredRows { .. }))
    else {
        panic!("{effects:?}")
    };
    assert_eq!(repo, "app");
    let stored = summary(1, 10, "2024-01-01T00:00:00Z");
    let rows = vec![
        ("1.0".to_string(), Some(stored.digest.clone())),
        ("old".to_string(), None),
    ];
    let effects = update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::StoredRows {
                rows,
                taken_at: 1_700_000_000,
            },
        ),
    );
    assert_eq!(visible_names(&state), ["1.0", "old"], "names at once");
    assert_eq!(state.tags.stale_since, Some(1_700_000_000));
    let asked: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Run {
                job: Job::StoredSummaries { rows, .. },
                ..
            } => Some(rows.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        asked,
        [vec![("1.0".to_string(), stored.digest.clone())]],
        "the stored summary of the row in view, once"
    );
    update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::StoredSummaries(vec![("1.0".to_string(), stored.clone())]),
        ),
    );
    assert_eq!(
        state.tags.list.row("1.0").unwrap().summary.as_deref(),
        Some(&stored)
    );
    let effects = update(
        &mut state,
        Msg::Finished(ticket, Finished::Tags(Ok(listing(&["1.0", "new"])))),
    );
    assert_eq!(visible_names(&state), ["1.0", "new"]);
    assert_eq!(state.tags.stale_since, None);
    assert!(
        state.tags.list.row("1.0").unwrap().summary.is_some(),
        "the stored row stays while it is looked up again"
    );
    assert_eq!(
        urgent_tags(&effects),
        ["1.0", "new"],
        "both revalidated, visible first"
    );
}

#[test]
fn a_failed_listing_still_shows_the_stored_rows_not_revalidated() {
    let (mut state, effects) = initial_state(
        "reg.test",
        Arc::new(Keymap::default_keys()),
        &Start::Repository("app".into()),
    );
    let (ticket, _) = job_of(&effects, |j| matches!(j, Job::StoredRows { .. }));
    let offline = LoadError {
        message: "not cached (--offline answers from the cache only)".into(),
        closed: false,
    };
    update(
        &mut state,
        Msg::Finished(ticket, Finished::Tags(Err(offline))),
    );
    update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::StoredRows {
                rows: vec![(
                    "1.0".to_string(),
                    Some(summary(1, 10, "2024-01-01T00:00:00Z").digest),
                )],
                taken_at: 1_700_000_000,
            },
        ),
    );
    assert_eq!(visible_names(&state), ["1.0"], "the last-known rows");
    assert_eq!(state.tags.stale_since, Some(1_700_000_000));
    assert!(matches!(state.tags.load, Load::Failed(_)));
}

#[test]
fn stored_rows_after_the_listing_change_nothing() {
    let (mut state, _) = with_tags(&["a"]);
    let ticket = state.tickets.current(Slot::Tags);
    update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::StoredRows {
                rows: vec![("stale".to_string(), None)],
                taken_at: 1,
            },
        ),
    );
    assert_eq!(visible_names(&state), ["a"]);
    assert_eq!(state.tags.stale_since, None);
}
