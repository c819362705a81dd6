//! The usage view.

use super::*;

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

fn registry_usage_open(names: &[&str]) -> State {
    let (mut state, _) = initial_state(
        "reg.test",
        Arc::new(Keymap::default_keys()),
        &Start::Registry,
    );
    let ticket = state.tickets.current(Slot::Repos);
    update(
        &mut state,
        Msg::Finished(ticket, Finished::Repos(Ok(listing(names)))),
    );
    update(&mut state, key('u'));
    assert!(matches!(state.screen, Some(Screen::RegistryUsage(_))));
    state
}

fn reads(effects: &[Effect]) -> Vec<(String, bool)> {
    effects
        .iter()
        .filter_map(Effect::job)
        .filter_map(|j| match j {
            Job::RepositoryUsage { repo, stored_only } => Some((repo.clone(), *stored_only)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_registry_usage_reads_after_its_price_and_again_on_request() {
    let mut state = registry_usage_open(&["a", "b"]);
    let early = update(&mut state, key('F'));
    assert!(reads(&early).is_empty());
    assert!(
        status_text(&state).contains("still being read"),
        "{}",
        status_text(&state)
    );
    let ticket = state.tickets.current(Slot::RegistryUsage);
    for repo in ["a", "b"] {
        let done = Finished::RepositoryUsage {
            repo: repo.into(),
            result: Ok(None),
        };
        update(&mut state, Msg::Finished(ticket, done));
    }
    assert!(
        status_text(&state).contains("2 repositories not stored"),
        "{}",
        status_text(&state)
    );
    let read = update(&mut state, key('F'));
    assert_eq!(
        reads(&read),
        [("a".to_string(), false), ("b".to_string(), false)],
        "the price was the question"
    );
    let ticket = state.tickets.current(Slot::RegistryUsage);
    for repo in ["a", "b"] {
        let objects = crate::model::registry_usage::RepositoryObjects {
            repository: repo.into(),
            ..Default::default()
        };
        let done = Finished::RepositoryUsage {
            repo: repo.into(),
            result: Ok(Some((objects, None))),
        };
        update(&mut state, Msg::Finished(ticket, done));
    }
    assert!(
        reads(&update(&mut state, key('r'))).is_empty(),
        "r says its price first"
    );
    let again = update(&mut state, key('r'));
    assert_eq!(
        reads(&again).len(),
        2,
        "read again, under a new ticket the pool runs"
    );
    assert_ne!(state.tickets.current(Slot::RegistryUsage), ticket);
}
