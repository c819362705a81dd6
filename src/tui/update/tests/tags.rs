//! Sorting and marking tags.

use super::*;

#[test]
fn sorting_by_size_says_what_is_not_fetched_yet() {
    let (mut state, _) = with_numbered_tags(100);
    update(&mut state, key('s'));
    assert!(
        status_text(&state).contains("F fetches the other 72"),
        "{}",
        status_text(&state)
    );
}

#[test]
fn sort_cycles_and_reverses_and_resorts_on_tick() {
    let (mut state, _) = with_tags(&["a", "b", "c"]);
    let ticket = state.tickets.current(Slot::Tags);
    for (i, (tag, size, created)) in [
        ("a", 5, "2024-03-01T00:00:00Z"),
        ("b", 50, "2024-01-01T00:00:00Z"),
    ]
    .into_iter()
    .enumerate()
    {
        update(
            &mut state,
            Msg::Finished(
                ticket,
                Finished::Summary {
                    tag: tag.into(),
                    result: Ok(summary(u8::try_from(i).unwrap(), size, created)),
                },
            ),
        );
    }
    update(&mut state, key('s'));
    assert_eq!(state.tags.list.sort(), SortKey::Created);
    assert_eq!(
        visible_names(&state),
        ["a", "b", "c"],
        "newest first, unknown last"
    );
    update(&mut state, key('s'));
    assert_eq!(state.tags.list.sort(), SortKey::Size);
    assert_eq!(visible_names(&state), ["b", "a", "c"]);
    update(&mut state, key('S'));
    assert_eq!(visible_names(&state), ["c", "a", "b"]);
    update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::Summary {
                tag: "c".into(),
                result: Ok(summary(9, 500, "2024-04-01T00:00:00Z")),
            },
        ),
    );
    assert_eq!(
        visible_names(&state),
        ["c", "a", "b"],
        "the order holds until the next tick"
    );
    update(
        &mut state,
        Msg::Tick(crate::tui::msg::Tick {
            in_flight: 0,
            queued: 0,
            now: jiff::Timestamp::UNIX_EPOCH,
            traffic: Default::default(),
        }),
    );
    assert_eq!(
        visible_names(&state),
        ["a", "b", "c"],
        "reversed size order after the tick"
    );
}

#[test]
fn marks_ranges_and_read_only() {
    let (mut state, _) = with_tags(&["a", "b", "c", "d"]);
    update(&mut state, key(' '));
    assert_eq!(
        state.tags.list.cursor().selected(),
        1,
        "space marks and moves down"
    );
    update(&mut state, key('v'));
    update(&mut state, key('j'));
    update(&mut state, key('j'));
    update(&mut state, key('v'));
    let effects = update(&mut state, key('D'));
    let (_, Job::PlanDelete { tags, .. }) = job_of(&effects[..1], |_| true) else {
        panic!("{effects:?}")
    };
    assert_eq!(tags, ["a", "b", "c", "d"]);

    let (mut state, _) = with_tags(&["a"]);
    state.settings.read_only = true;
    assert!(update(&mut state, key('d')).is_empty());
    assert!(status_text(&state).contains("read-only"));
    let (mut state, _) = with_tags(&["a"]);
    assert!(update(&mut state, key('D')).is_empty(), "nothing marked");
}

#[test]
fn range_over_a_filter_that_matches_nothing_does_not_panic() {
    let (mut state, _) = with_tags(&["a", "b"]);
    update(&mut state, key('v'));
    update(&mut state, key('/'));
    update(&mut state, key('z'));
    update(&mut state, code(KeyCode::Enter));
    assert!(visible_names(&state).is_empty());
    update(&mut state, key('v'));
    assert!(state.tags.list.marked_names().is_empty());
    update(&mut state, code(KeyCode::Esc));
    assert_eq!(visible_names(&state), ["a", "b"]);
}

#[test]
fn a_range_whose_start_was_filtered_out_marks_from_the_selection() {
    let (mut state, _) = with_tags(&["a", "b1", "b2", "c"]);
    update(&mut state, key('v'));
    update(&mut state, key('/'));
    update(&mut state, key('b'));
    update(&mut state, code(KeyCode::Enter));
    update(&mut state, key('j'));
    update(&mut state, key('v'));
    assert_eq!(state.tags.list.marked_names(), ["b2"]);
}
