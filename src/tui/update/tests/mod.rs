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
use crate::tui::state::{Dialog, Fetch, Load, Pane, Screen, Slot, SortKey, State, Ticket};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;

mod commands;
mod copy;
mod delete;
mod finished;
mod input;
mod mouse;
mod nav;
mod planner;
mod reconcile;
mod since;
mod tags;
mod usage;

pub(super) fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub(super) fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(super) fn listing(items: &[&str]) -> Listing {
    Listing {
        items: items.iter().map(|s| s.to_string()).collect(),
        incomplete: None,
    }
}

pub(super) fn summary(n: u8, size: u64, created: &str) -> TagSummary {
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
pub(super) fn with_tags(tags: &[&str]) -> (State, Vec<Effect>) {
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

pub(super) fn status_text(state: &State) -> &str {
    &state
        .status
        .message
        .as_ref()
        .expect("a status message")
        .text
}

pub(super) fn visible_names(state: &State) -> Vec<String> {
    state.tags.list.visible_names()
}

/// The tags whose summaries the effects ask for, in runs of equal urgency.
pub(super) fn summarized(effects: &[Effect]) -> Vec<(Vec<String>, bool)> {
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
pub(super) fn job_of(effects: &[Effect], wanted: impl Fn(&Job) -> bool) -> (Ticket, Job) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Run { ticket, job, .. } if wanted(job) => Some((*ticket, job.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no such job in {effects:?}"))
}

pub(super) fn jobs(effects: &[Effect]) -> Vec<&Job> {
    effects.iter().filter_map(Effect::job).collect()
}

pub(super) fn plan_for(tags: &[&str], requested: &[&str]) -> crate::ops::delete::DeletePlan {
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

pub(super) fn open_dialog(state: &mut State, plan: crate::ops::delete::DeletePlan) {
    let effects = update(state, key('d'));
    let (ticket, Job::PlanDelete { tags, .. }) = job_of(&effects[..1], |_| true) else {
        panic!("{effects:?}")
    };
    assert_eq!(tags, [state.tags.list.selected().unwrap().name.clone()]);
    update(state, Msg::Finished(ticket, Finished::Plan(Ok(plan))));
}

/// Delivers a summary for `tag` (digest `sha256([n])`, `n × 10` bytes).
pub(super) fn deliver(state: &mut State, tag: &str, n: u8) -> Vec<Effect> {
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

pub(super) fn urgent_tags(effects: &[Effect]) -> Vec<String> {
    summarized(effects)
        .into_iter()
        .filter(|(_, urgent)| *urgent)
        .flat_map(|(tags, _)| tags)
        .collect()
}

/// A state on a repository of `n` tags named `t00`, `t01`, …
pub(super) fn with_numbered_tags(n: usize) -> (State, Vec<Effect>) {
    let names: Vec<String> = (0..n).map(|i| format!("t{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    with_tags(&refs)
}

pub(super) fn detail_digest(state: &State) -> Option<Digest> {
    state.detail.top().map(|e| e.digest.clone())
}

pub(super) fn planning_data() -> Arc<crate::ops::prune::PlanningData> {
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
