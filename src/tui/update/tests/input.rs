//! The command line and the keys that work while typing.

use super::*;

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
fn a_closed_catalog_lists_this_registry_s_favorites_and_the_repositories_seen() {
    let mut settings =
        crate::tui::settings::Settings::with_keymap(Arc::new(Keymap::default_keys()));
    settings.favorites = Arc::new(vec![
        ("hub".into(), "library/nginx".into()),
        ("other.example".into(), "not/here".into()),
    ]);
    let (mut state, _) = initial_state("hub", settings, &Start::Registry);
    let ticket = state.tickets.current(Slot::Repos);
    let err = LoadError {
        message: "not authorised".into(),
        closed: true,
    };
    let effects = update(&mut state, Msg::Finished(ticket, Finished::Repos(Err(err))));
    assert!(
        effects.iter().any(|e| e.job() == Some(&Job::SeenRepos)),
        "{effects:?}"
    );
    let names = |state: &State| state.repos.names().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(names(&state), ["library/nginx"]);
    let seen = vec!["library/alpine".to_string(), "library/nginx".to_string()];
    update(&mut state, Msg::Finished(ticket, Finished::SeenRepos(seen)));
    assert_eq!(names(&state), ["library/nginx", "library/alpine"]);
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
