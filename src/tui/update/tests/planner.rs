//! The retention planner.

use super::*;

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
    let verdict = |state: &State, tag: &str| match &state.screen {
        Some(Screen::Planner(p)) => p.verdict(tag).map(|v| v.delete),
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
    let Some(Dialog::Delete(dialog)) = &state.dialog else {
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
    state.settings.read_only = true;
    assert!(update(&mut state, key('P')).is_empty());
    assert!(state.screen.is_none() && state.dialog.is_none());
    assert!(status_text(&state).contains("read-only"));
    state.settings.read_only = false;
    update(&mut state, key('P'));
    assert!(matches!(state.screen, Some(Screen::Planner(_))));
    update(&mut state, code(KeyCode::Esc));
    assert!(state.screen.is_none() && state.dialog.is_none());
    assert!(status_text(&state).contains("nothing deleted"));
}
