//! What reconcile asks for: visible rows first, a window, stored rows.

use super::*;

#[test]
fn start_points_issue_the_right_loads() {
    let km = Arc::new(Keymap::default_keys());
    let (state, effects) = initial_state("r", km.clone(), &Start::Registry);
    // The catalog, meanwhile the stored one, and the one before this
    // session (what the change marks compare with): no request for those.
    assert!(matches!(
        jobs(&effects).as_slice(),
        [Job::Repos, Job::StoredRepos, Job::CatalogBefore { .. }]
    ));
    assert_eq!(state.focus, Pane::Repos);
    let (state, effects) = initial_state("r", km, &Start::Repository("team/app".into()));
    assert!(matches!(effects[1].job(), Some(Job::Tags { repo }) if repo == "team/app"));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e.job(), Some(Job::StoredRows { repo }) if repo == "team/app"))
    );
    assert_eq!(state.focus, Pane::Tags);
    assert_eq!(state.repos.len(), 1);
    assert_eq!(state.repos.selected(), Some("team/app"));
}

#[test]
fn tags_load_sorted_naturally_and_visible_rows_are_fetched_first() {
    let names: Vec<String> = (0..30).map(|i| format!("1.{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (state, effects) = with_tags(&refs);
    assert_eq!(&visible_names(&state)[..3], ["1.0", "1.1", "1.2"]);
    assert_eq!(visible_names(&state)[10], "1.10");
    let batches = summarized(&effects);
    assert_eq!(batches.len(), 2);
    let (urgent, is_urgent) = &batches[0];
    assert!(is_urgent);
    assert_eq!(
        urgent.len(),
        7,
        "12 rows minus status, hints, borders and header"
    );
    assert_eq!(urgent[0], "1.0");
    assert!(!batches[1].1);
    assert_eq!(
        batches[1].0.len(),
        21,
        "a window of three screens below; the last two rows wait"
    );
    assert_eq!(batches[1].0.last().unwrap(), "1.27");
}

#[test]
fn the_browser_fetches_a_window_not_every_tag_until_asked() {
    let (mut state, effects) = with_numbered_tags(3000);
    let asked: usize = summarized(&effects).iter().map(|(t, _)| t.len()).sum();
    assert_eq!(asked, 7 * 4, "the screen and three screens below it");
    for _ in 0..3 {
        update(&mut state, code(KeyCode::PageDown));
    }
    let later: usize = state.tags.list.len() - state.tags.list.unrequested();
    // The cursor on row 21 shows rows 15..=21; the window reaches 15 + 7 + 21 = 43.
    assert_eq!(later, 43, "scrolling extends the window");
    assert!(
        update(&mut state, key('F')).is_empty(),
        "the first F only says the price"
    );
    assert!(
        status_text(&state).contains("2957 tags: up to 8871 requests, 2957 of them pulls"),
        "{}",
        status_text(&state)
    );
    assert!(status_text(&state).contains("F again fetches"));
    let effects = update(&mut state, key('F'));
    let all: usize = summarized(&effects).iter().map(|(t, _)| t.len()).sum();
    assert_eq!(all, 2957);
    assert_eq!(state.tags.list.unrequested(), 0);
}

#[test]
fn scrolling_makes_queued_rows_urgent_once() {
    let (mut state, _) = with_numbered_tags(30);
    let effects = update(&mut state, key('G'));
    let batches = summarized(&effects);
    assert_eq!(batches.len(), 1);
    assert!(batches[0].1);
    assert!(batches[0].0.contains(&"t29".to_string()));
    assert_eq!(state.tags.list.row("t29").unwrap().fetch, Fetch::Urgent);
    assert!(
        summarized(&update(&mut state, key('k'))).is_empty(),
        "already urgent"
    );
}

#[test]
fn clearing_a_filter_with_back_asks_for_the_rows_now_on_screen() {
    let (mut state, _) = with_numbered_tags(30);
    update(&mut state, key('/'));
    for c in "t15".chars() {
        update(&mut state, key(c));
    }
    update(&mut state, code(KeyCode::Enter));
    assert_eq!(visible_names(&state), ["t15"]);
    let effects = update(&mut state, key('h'));
    assert_eq!(state.tags.list.filter(), "");
    assert_eq!(state.tags.list.selected().unwrap().name, "t15");
    assert_eq!(
        urgent_tags(&effects),
        ["t09"],
        "the screen now shows t09..t15; typing `t1` already asked for t10..t15"
    );
}

#[test]
fn the_resort_on_tick_asks_for_the_rows_it_brings_on_screen() {
    let (mut state, _) = with_numbered_tags(30);
    update(&mut state, key('s'));
    update(&mut state, key('s'));
    assert_eq!(state.tags.list.sort(), SortKey::Size);
    update(&mut state, key('G'));
    for (i, tag) in ["t24", "t25", "t26", "t27", "t28"].into_iter().enumerate() {
        let n = u8::try_from(i).unwrap() + 1;
        assert!(urgent_tags(&deliver(&mut state, tag, n)).is_empty());
    }
    let effects = update(
        &mut state,
        Msg::Tick(crate::tui::msg::Tick {
            in_flight: 0,
            queued: 0,
            now: jiff::Timestamp::UNIX_EPOCH,
            traffic: Default::default(),
        }),
    );
    assert_eq!(visible_names(&state)[..2], ["t28", "t27"], "largest first");
    assert_eq!(
        urgent_tags(&effects),
        ["t18", "t19", "t20", "t21", "t22"],
        "rows the re-sort brought next to the selection"
    );
}

#[test]
fn a_long_listing_shows_and_is_looked_up_as_its_pages_arrive() {
    let (mut state, effects) = initial_state(
        "reg.test",
        Arc::new(Keymap::default_keys()),
        &Start::Repository("app".into()),
    );
    state.viewport = (100, 12);
    let (ticket, _) = job_of(&effects, |j| matches!(j, Job::Tags { .. }));
    let names = |n: usize| (0..n).map(|i| format!("t{i:04}")).collect::<Vec<_>>();
    let effects = update(
        &mut state,
        Msg::Progress(ticket, Progress::TagsSoFar(names(1000))),
    );
    assert_eq!(state.tags.list.len(), 1000, "shown before the listing ends");
    let urgent = urgent_tags(&effects);
    assert_eq!(
        urgent.first().map(String::as_str),
        Some("t0000"),
        "visible rows asked for"
    );
    update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::Summary {
                tag: "t0000".into(),
                result: Ok(summary(1, 10, "2024-01-01T00:00:00Z")),
            },
        ),
    );
    let effects = update(
        &mut state,
        Msg::Finished(
            ticket,
            Finished::Tags(Ok(Listing {
                items: names(1500),
                incomplete: None,
            })),
        ),
    );
    assert_eq!(state.tags.list.len(), 1500);
    assert!(
        state.tags.list.row("t0000").unwrap().summary.is_some(),
        "kept what it loaded"
    );
    assert!(
        !urgent_tags(&effects).contains(&"t0000".to_string()),
        "a row looked up is not asked for again"
    );
}
