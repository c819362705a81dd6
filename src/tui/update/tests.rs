//! Table tests of the pure `update`: (state, msg) → (state, effects).

use super::update;
use crate::oci::digest::Digest;
use crate::oci::listing::Listing;
use crate::ops::summary::{ArtifactKind, TagSummary};
use crate::tui::app::{Start, initial_state};
use crate::tui::effect::Effect;
use crate::tui::job::Job;
use crate::tui::keymap::Keymap;
use crate::tui::msg::{Finished, LoadError, Msg, Progress};
use crate::tui::state::{Fetch, Load, Overlay, Pane, Slot, SortKey, State, Ticket};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn listing(items: &[&str]) -> Listing {
    Listing {
        items: items.iter().map(|s| s.to_string()).collect(),
        incomplete: None,
    }
}

fn summary(n: u8, size: u64, created: &str) -> TagSummary {
    TagSummary {
        digest: Digest::sha256_of(&[n]),
        kind: ArtifactKind::Image,
        size,
        created: crate::ops::summary::unix_seconds(created),
        platforms: vec!["linux/amd64".to_string()].into(),
        missing: None,
        referred: None,
    }
}

/// A state showing repository `app` with these tags loaded.
fn with_tags(tags: &[&str]) -> (State, Vec<Effect>) {
    let (mut state, _) = initial_state(
        "reg.test",
        Arc::new(Keymap::default_keys()),
        &Start::Repository("app".into()),
    );
    state.viewport = (100, 12);
    let ticket = state.tickets.current(Slot::Tags);
    let effects = update(
        &mut state,
        Msg::Finished(ticket, Finished::Tags(Ok(listing(tags)))),
    );
    (state, effects)
}

fn status_text(state: &State) -> &str {
    &state
        .status
        .message
        .as_ref()
        .expect("a status message")
        .text
}

fn visible_names(state: &State) -> Vec<String> {
    state.tags.list.visible_names()
}

/// The tags whose summaries the effects ask for, in runs of equal urgency.
fn summarized(effects: &[Effect]) -> Vec<(Vec<String>, bool)> {
    let mut runs: Vec<(Vec<String>, bool)> = Vec::new();
    for effect in effects {
        let Effect::Run {
            urgent,
            job: Job::Summary { tag, .. },
            ..
        } = effect
        else {
            continue;
        };
        match runs.last_mut() {
            Some((tags, u)) if u == urgent => tags.push(tag.clone()),
            _ => runs.push((vec![tag.clone()], *urgent)),
        }
    }
    runs
}

/// The first job the effects run that `wanted` picks, with its ticket.
fn job_of(effects: &[Effect], wanted: impl Fn(&Job) -> bool) -> (Ticket, Job) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Run { ticket, job, .. } if wanted(job) => Some((*ticket, job.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no such job in {effects:?}"))
}

fn jobs(effects: &[Effect]) -> Vec<&Job> {
    effects.iter().filter_map(Effect::job).collect()
}

#[test]
fn start_points_issue_the_right_loads() {
    let km = Arc::new(Keymap::default_keys());
    let (state, effects) = initial_state("r", km.clone(), &Start::Registry);
    // The catalog, and meanwhile the stored one (no request).
    assert!(matches!(
        jobs(&effects).as_slice(),
        [Job::Repos, Job::StoredRepos]
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
    let names = numbered_tags(3000);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (mut state, effects) = with_tags(&refs);
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
fn sorting_by_size_says_what_is_not_fetched_yet() {
    let names = numbered_tags(100);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (mut state, _) = with_tags(&refs);
    update(&mut state, key('s'));
    assert!(
        status_text(&state).contains("F fetches the other 72"),
        "{}",
        status_text(&state)
    );
}

#[test]
fn scrolling_makes_queued_rows_urgent_once() {
    let names: Vec<String> = (0..30).map(|i| format!("t{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (mut state, _) = with_tags(&refs);
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
fn filter_as_you_type_and_esc_clears() {
    let (mut state, _) = with_tags(&["v1.0", "v2.0", "latest", "v1.1"]);
    update(&mut state, key('/'));
    assert!(matches!(state.overlay, Overlay::Input { .. }));
    update(&mut state, key('v'));
    update(&mut state, key('1'));
    assert_eq!(visible_names(&state), ["v1.0", "v1.1"]);
    update(&mut state, code(KeyCode::Enter));
    assert!(matches!(state.overlay, Overlay::None));
    assert_eq!(state.tags.list.filter(), "v1");
    update(&mut state, code(KeyCode::Esc));
    assert_eq!(state.tags.list.filter(), "");
    assert_eq!(visible_names(&state).len(), 4);
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
        Msg::Tick {
            in_flight: 0,
            queued: 0,
            now: jiff::Timestamp::UNIX_EPOCH,
            traffic: Default::default(),
        },
    );
    assert_eq!(
        visible_names(&state),
        ["a", "b", "c"],
        "reversed size order after the tick"
    );
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
fn closed_catalog_offers_the_command_line() {
    let (mut state, _) = initial_state("hub", Arc::new(Keymap::default_keys()), &Start::Registry);
    let ticket = state.tickets.current(Slot::Repos);
    let err = LoadError {
        message: "not authorised".into(),
        closed: true,
    };
    update(&mut state, Msg::Finished(ticket, Finished::Repos(Err(err))));
    assert!(state.repos.catalog_closed);
    let message = state.status.message.clone().unwrap();
    assert!(
        message.error && message.text.contains("press :"),
        "{message:?}"
    );
}

#[test]
fn command_line_quits_jumps_and_switches() {
    let (mut state, _) = with_tags(&["a"]);
    let run = |state: &mut State, text: &str| {
        update(state, key(':'));
        for c in text.chars() {
            update(state, key(c));
        }
        update(state, code(KeyCode::Enter))
    };
    let effects = run(&mut state, "other.example:5000");
    assert_eq!(
        effects,
        [Effect::SwitchRegistry("other.example:5000".into())]
    );
    let effects = run(&mut state, "reg.test/team/api");
    assert!(matches!(effects[0].job(), Some(Job::Tags { repo }) if repo == "team/api"));
    let effects = run(&mut state, "Bad Name");
    assert!(effects.is_empty());
    assert!(state.status.message.as_ref().unwrap().error);
    run(&mut state, "q");
    assert!(state.quit);
}

#[test]
fn ctrl_c_quits_even_while_typing() {
    let (mut state, _) = with_tags(&["a"]);
    update(&mut state, key('/'));
    update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(state.quit);
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
fn mouse_wheel_scrolls_and_click_selects() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let names: Vec<String> = (0..30).map(|i| format!("t{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (mut state, _) = with_tags(&refs);
    state.viewport = (100, 30);
    let at = |kind, column, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // Tags pane spans columns 20..65 at 100 columns with the tags pane focused.
    update(&mut state, at(MouseEventKind::ScrollDown, 30, 5));
    assert_eq!(state.tags.list.cursor().selected(), 3);
    update(
        &mut state,
        at(MouseEventKind::Down(MouseButton::Left), 30, 2 + 4),
    );
    assert_eq!(
        state.tags.list.cursor().selected(),
        4,
        "row 6 is the fifth data row"
    );
    update(
        &mut state,
        at(MouseEventKind::Down(MouseButton::Left), 5, 1),
    );
    assert_eq!(
        state.focus,
        Pane::Repos,
        "a click focuses the pane under it"
    );
}

fn plan_for(tags: &[&str], requested: &[&str]) -> crate::ops::delete::DeletePlan {
    use crate::ops::delete::{DeleteGroup, DeletePlan, Requested};
    DeletePlan {
        groups: vec![DeleteGroup {
            referrer_of: None,
            orphan_of: None,
            emptied_index: false,
            child_of: None,
            display_name: "reg.test/app".into(),
            repository: "app".into(),
            location: "reg.test".into(),
            part_of: Vec::new(),
            digest: Digest::sha256_of(b"d"),
            kind: "image",
            requested: requested
                .iter()
                .map(|t| Requested::Tag(t.to_string()))
                .collect(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            bytes_freed: 1234,
        }],
        bytes_freed: 1234,
        missing: vec![],
        index_updates: Vec::new(),
        kept: Vec::new(),
        freed_after_gc_delete_untagged: None,
        objects: Default::default(),
    }
}

fn open_dialog(state: &mut State, plan: crate::ops::delete::DeletePlan) {
    let effects = update(state, key('d'));
    let (ticket, Job::PlanDelete { tags, .. }) = job_of(&effects[..1], |_| true) else {
        panic!("{effects:?}")
    };
    assert_eq!(tags, [state.tags.list.selected().unwrap().name.clone()]);
    update(state, Msg::Finished(ticket, Finished::Plan(Ok(plan))));
}

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
    assert!(matches!(state.overlay, Overlay::None), "cancelled");
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
    assert!(matches!(state.overlay, Overlay::None));
    assert!(status_text(&state).contains("trash restore t1"));
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
    state.read_only = true;
    assert!(update(&mut state, key('d')).is_empty());
    assert!(status_text(&state).contains("read-only"));
    let (mut state, _) = with_tags(&["a"]);
    assert!(update(&mut state, key('D')).is_empty(), "nothing marked");
}

/// Delivers a summary for `tag` (digest `sha256([n])`, `n × 10` bytes).
fn deliver(state: &mut State, tag: &str, n: u8) -> Vec<Effect> {
    let ticket = state.tickets.current(Slot::Tags);
    let result = Ok(summary(n, u64::from(n) * 10, "2024-01-01T00:00:00Z"));
    update(
        state,
        Msg::Finished(
            ticket,
            Finished::Summary {
                tag: tag.into(),
                result,
            },
        ),
    )
}

fn urgent_tags(effects: &[Effect]) -> Vec<String> {
    summarized(effects)
        .into_iter()
        .filter(|(_, urgent)| *urgent)
        .flat_map(|(tags, _)| tags)
        .collect()
}

fn numbered_tags(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("t{i:02}")).collect()
}

fn detail_digest(state: &State) -> Option<Digest> {
    state.detail.top().map(|e| e.digest.clone())
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

#[test]
fn a_registry_switch_makes_every_ticket_stale_usage_included() {
    let (mut state, _) = with_tags(&["a"]);
    let effects = update(&mut state, key('u'));
    let (usage_ticket, Job::Usage { repo }) = job_of(&effects[..1], |_| true) else {
        panic!("{effects:?}")
    };
    assert_eq!(repo, "app");
    let tags_ticket = state.tickets.current(Slot::Tags);
    update(&mut state, Msg::Switched(Ok(("other.test".into(), None))));
    for slot in Slot::ALL {
        assert_ne!(
            state.tickets.current(slot).generation,
            0,
            "{slot:?} has a ticket"
        );
    }
    assert!(!state.tickets.is_current(usage_ticket));
    assert!(!state.tickets.is_current(tags_ticket));
    let data = crate::ops::usage::UsageData {
        usage: crate::model::usage::repo_usage("app", &[], &Default::default()),
        tag_digests: Vec::new(),
        objects: Default::default(),
    };
    update(
        &mut state,
        Msg::Finished(usage_ticket, Finished::Usage(Ok(Arc::new(data)))),
    );
    assert!(
        state.usage.data().is_none(),
        "the old registry's figures are dropped"
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
    let max = crate::tui::layout::help_max_scroll(state.keymap.help_lines(), 20);
    assert!(max > 0, "the help is longer than 20 rows");
    assert!(
        matches!(state.overlay, Overlay::Help(n) if n == max),
        "{:?}",
        state.overlay
    );
    update(&mut state, key('k'));
    assert!(matches!(state.overlay, Overlay::Help(n) if n == max - 1));
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

#[test]
fn clearing_a_filter_with_back_asks_for_the_rows_now_on_screen() {
    let names = numbered_tags(30);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (mut state, _) = with_tags(&refs);
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
    let names = numbered_tags(30);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (mut state, _) = with_tags(&refs);
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
        Msg::Tick {
            in_flight: 0,
            queued: 0,
            now: jiff::Timestamp::UNIX_EPOCH,
            traffic: Default::default(),
        },
    );
    assert_eq!(visible_names(&state)[..2], ["t28", "t27"], "largest first");
    assert_eq!(
        urgent_tags(&effects),
        ["t18", "t19", "t20", "t21", "t22"],
        "rows the re-sort brought next to the selection"
    );
}

#[test]
fn marked_bytes_freed_follow_the_marks() {
    use crate::model::usage::DigestObjects;
    let (mut state, _) = with_tags(&["a", "b"]);
    let (da, db) = (Digest::sha256_of(b"a"), Digest::sha256_of(b"b"));
    let layer = |n: u8| Digest::sha256_of(&[n, n]);
    let objects: std::collections::HashMap<Digest, DigestObjects> = [
        (da.clone(), [(da.clone(), 1), (layer(1), 100)]),
        (db.clone(), [(db.clone(), 1), (layer(2), 1000)]),
    ]
    .into_iter()
    .map(|(d, o)| {
        let objects = o.into_iter().collect();
        (
            d,
            DigestObjects {
                kind: "image",
                objects,
                ..Default::default()
            },
        )
    })
    .collect();
    let tag_digests = vec![("a".to_string(), da), ("b".to_string(), db)];
    let data = crate::ops::usage::UsageData {
        usage: crate::model::usage::repo_usage("app", &tag_digests, &objects),
        tag_digests,
        objects,
    };
    let effects = update(&mut state, key('u'));
    let (ticket, _) = job_of(&effects, |j| matches!(j, Job::Usage { .. }));
    update(
        &mut state,
        Msg::Finished(ticket, Finished::Usage(Ok(Arc::new(data)))),
    );
    assert_eq!(state.usage.marked_freed(), Some(0));
    update(&mut state, key(' '));
    assert_eq!(state.usage.marked_freed(), Some(101));
    update(&mut state, key(' '));
    assert_eq!(state.usage.marked_freed(), Some(1102));
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
        matches!(state.overlay, Overlay::None),
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
        matches!(state.overlay, Overlay::None),
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

fn planning_data() -> Arc<crate::ops::prune::PlanningData> {
    use crate::model::retention::Image;
    let image = |n: u8, tags: &[&str], day: i64| Image {
        digest: Digest::sha256_of(&[n]),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        created: Some(day * 86_400),
        children: Vec::new(),
        protected: false,
    };
    Arc::new(crate::ops::prune::PlanningData {
        repository: "reg.test/app".into(),
        name: "app".into(),
        location: "reg.test".into(),
        images: vec![
            image(1, &["1.0", "latest"], 10),
            image(2, &["0.9"], 5),
            image(3, &["0.8"], 1),
        ],
        objects: Arc::default(),
        children: Default::default(),
    })
}

#[test]
fn the_planner_judges_every_tag_live_and_reviews_with_the_repository_name() {
    let (mut state, _) = with_tags(&["0.8", "0.9", "1.0", "latest"]);
    state.now = jiff::Timestamp::from_second(20 * 86_400).ok();
    let effects = update(&mut state, key('P'));
    let (ticket, Job::Planning { repo }) = job_of(&effects[..1], |_| true) else {
        panic!("{effects:?}")
    };
    assert_eq!(repo, "app");
    update(
        &mut state,
        Msg::Finished(ticket, Finished::Planning(Ok(planning_data()))),
    );
    let verdict = |state: &State, tag: &str| match &state.overlay {
        Overlay::Planner(p) => p.verdict(tag).map(|v| v.delete),
        _ => None,
    };
    // The default keeps the newest 10: nothing goes, and Enter says so.
    assert_eq!(verdict(&state, "0.8"), Some(false));
    update(&mut state, code(KeyCode::Enter));
    assert!(status_text(&state).contains("these rules delete nothing"));
    // Keep newest 1: the older two images go, `latest` is kept with `1.0`.
    update(&mut state, code(KeyCode::Backspace));
    update(&mut state, code(KeyCode::Backspace));
    update(&mut state, key('1'));
    assert_eq!(verdict(&state, "0.8"), Some(true));
    assert_eq!(verdict(&state, "0.9"), Some(true));
    assert_eq!(verdict(&state, "latest"), Some(false));
    // A bad regex in `keep` says so and judges nothing.
    update(&mut state, code(KeyCode::Tab));
    update(&mut state, key('('));
    assert_eq!(verdict(&state, "0.8"), None);
    update(&mut state, code(KeyCode::Backspace));
    assert_eq!(verdict(&state, "0.8"), Some(true));
    update(&mut state, code(KeyCode::Enter));
    let Overlay::Delete(dialog) = &state.overlay else {
        panic!("the review is the delete dialog")
    };
    assert_eq!(
        dialog.expected.as_deref(),
        Some("app"),
        "typing the repository confirms"
    );
    let plan = dialog.plan.as_ref().unwrap();
    let tags: Vec<&str> = plan
        .groups
        .iter()
        .flat_map(|g| g.tags.iter().map(String::as_str))
        .collect();
    assert_eq!(tags.len(), 2, "{tags:?}");
    assert!(tags.contains(&"0.8") && tags.contains(&"0.9"));
}

#[test]
fn the_planner_is_off_when_read_only_and_esc_closes_it() {
    let (mut state, _) = with_tags(&["a"]);
    state.read_only = true;
    assert!(update(&mut state, key('P')).is_empty());
    assert!(matches!(state.overlay, Overlay::None));
    assert!(status_text(&state).contains("read-only"));
    state.read_only = false;
    update(&mut state, key('P'));
    assert!(matches!(state.overlay, Overlay::Planner(_)));
    update(&mut state, code(KeyCode::Esc));
    assert!(matches!(state.overlay, Overlay::None));
    assert!(status_text(&state).contains("nothing deleted"));
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
