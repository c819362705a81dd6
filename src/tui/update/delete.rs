//! Marking tags and the delete confirmation: the dialog lists every tag that
//! goes and the bytes freed; `y` confirms (or typing the tag name when more
//! than one tag goes); anything else cancels.

use super::super::effect::Effect;
use super::super::msg::Loaded;
use super::super::state::{DeleteDialog, Overlay, Slot, State};
use super::{nav, tags};
use crate::ops::delete::{DeleteGroup, DeletePlan, Outcome};
use crossterm::event::{Event, KeyCode, KeyEvent};
use std::sync::Arc;
use tui_input::backend::crossterm::EventHandler;

pub fn mark(state: &mut State) -> Vec<Effect> {
    let Some(name) = state.tags.selected_row().map(|r| r.name.clone()) else {
        return Vec::new();
    };
    if !state.tags.marked.remove(&name) {
        state.tags.marked.insert(name);
    }
    nav::move_by(state, 1)
}

pub fn mark_range(state: &mut State) -> Vec<Effect> {
    let cursor = state.tags.cursor.selected;
    match state.tags.range_anchor.take() {
        None => {
            state.tags.range_anchor = Some(cursor);
            state.info("marking a range: move, then press v again");
        }
        Some(anchor) => {
            let (from, to) = (anchor.min(cursor), anchor.max(cursor));
            let names: Vec<String> = state.tags.visible
                [from..=to.min(state.tags.visible.len().saturating_sub(1))]
                .iter()
                .map(|&i| state.tags.rows[i].name.clone())
                .collect();
            state.tags.marked.extend(names);
        }
    }
    Vec::new()
}

/// Marked tags, plus the open range.
pub fn marked_names(state: &State) -> Vec<String> {
    let mut names: Vec<String> = state.tags.marked.iter().cloned().collect();
    if let Some(anchor) = state.tags.range_anchor {
        let cursor = state.tags.cursor.selected;
        for &i in state
            .tags
            .visible
            .iter()
            .skip(anchor.min(cursor))
            .take(anchor.abs_diff(cursor) + 1)
        {
            names.push(state.tags.rows[i].name.clone());
        }
    }
    names.sort();
    names.dedup();
    names
}

pub fn delete(state: &mut State, marked: bool) -> Vec<Effect> {
    if state.read_only {
        state.error("read-only mode: deletion is off");
        return Vec::new();
    }
    let Some(repo) = state.tags.repo.clone() else {
        return Vec::new();
    };
    let tags = if marked {
        marked_names(state)
    } else {
        state
            .tags
            .selected_row()
            .map(|r| vec![r.name.clone()])
            .unwrap_or_default()
    };
    if tags.is_empty() {
        let key = state
            .keymap
            .first_key(super::super::action::Action::Mark)
            .to_string();
        state.error(format!("nothing marked: {key} marks tags"));
        return Vec::new();
    }
    state.overlay = Overlay::Delete(DeleteDialog::default());
    let ticket = state.tickets.issue(Slot::Delete);
    vec![Effect::PlanDelete { ticket, repo, tags }]
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Overlay::Delete(dialog) = &mut state.overlay else {
        return Vec::new();
    };
    let Some(plan) = dialog
        .plan
        .clone()
        .filter(|p| !p.groups.is_empty() && !dialog.working)
    else {
        if !dialog.working {
            cancel(state);
        }
        return Vec::new();
    };
    match (&dialog.expected, key.code) {
        (None, KeyCode::Char('y')) => confirm(state, plan),
        (Some(expected), KeyCode::Enter) if dialog.input.value() == expected => {
            confirm(state, plan)
        }
        (Some(_), KeyCode::Enter) => {
            dialog.error = Some("that is not it; Esc cancels".into());
            Vec::new()
        }
        (Some(_), KeyCode::Esc) | (None, _) => {
            cancel(state);
            Vec::new()
        }
        (Some(_), _) => {
            dialog.input.handle_event(&Event::Key(key));
            dialog.error = None;
            Vec::new()
        }
    }
}

fn cancel(state: &mut State) {
    state.overlay = Overlay::None;
    state.tickets.issue(Slot::Delete);
    state.info("cancelled: nothing deleted");
}

fn confirm(state: &mut State, plan: Arc<DeletePlan>) -> Vec<Effect> {
    if let Overlay::Delete(dialog) = &mut state.overlay {
        dialog.working = true;
    }
    let ticket = state.tickets.current(Slot::Delete);
    vec![Effect::Delete { ticket, plan }]
}

/// What confirms a plan: `y` when one tag goes, else typing the tag name
/// (or `delete` when several were asked for).
pub fn expected_confirmation(plan: &DeletePlan) -> Option<String> {
    let tags: usize = plan.groups.iter().map(|g| g.tags.len().max(1)).sum();
    if tags <= 1 {
        return None;
    }
    let requested: Vec<&String> = plan.groups.iter().flat_map(|g| &g.requested).collect();
    match requested.as_slice() {
        [one] => Some(one.trim_start_matches(':').to_string()),
        _ => Some("delete".to_string()),
    }
}

pub fn loaded(state: &mut State, loaded: Loaded) -> Vec<Effect> {
    match loaded {
        Loaded::Plan(result) => {
            let Overlay::Delete(dialog) = &mut state.overlay else {
                return Vec::new();
            };
            match result {
                Ok(plan) => {
                    dialog.expected = expected_confirmation(&plan);
                    if plan.groups.is_empty() {
                        dialog.error = Some("nothing to delete: the tags are gone".into());
                    }
                    dialog.plan = Some(Arc::new(plan));
                }
                Err(e) => dialog.error = Some(e),
            }
            Vec::new()
        }
        Loaded::Deleted(results) => {
            state.overlay = Overlay::None;
            deleted(state, &results)
        }
        _ => Vec::new(),
    }
}

/// Removes deleted tags from the pane in place and says what happened.
fn deleted(state: &mut State, results: &[(DeleteGroup, Outcome)]) -> Vec<Effect> {
    let mut gone = Vec::new();
    let mut problems = Vec::new();
    let mut undo = Vec::new();
    for (group, outcome) in results {
        match outcome {
            Outcome::Deleted { tags, trash_id, .. } => {
                gone.extend(tags.iter().cloned());
                undo.extend(trash_id.iter().cloned());
            }
            Outcome::Skipped { reason } => {
                problems.push(format!("skipped {}: {reason}", group.digest.short()))
            }
            Outcome::Failed { error } => {
                problems.push(format!("failed {}: {error}", group.digest.short()))
            }
        }
    }
    let selected = state.tags.selected_row().map(|r| r.name.clone());
    let kept: Vec<_> = state
        .tags
        .rows
        .drain(..)
        .filter(|r| !gone.contains(&r.name))
        .collect();
    tags::set_rows(
        &mut state.tags,
        kept.iter().map(|r| r.name.clone()).collect(),
    );
    state.tags.rows = kept;
    tags::resort(&mut state.tags);
    if let Some(p) = selected.and_then(|name| {
        state
            .tags
            .visible
            .iter()
            .position(|&i| state.tags.rows[i].name == name)
    }) {
        state.tags.cursor.selected = p;
    }
    state.tags.marked.clear();
    state.tags.range_anchor = None;
    nav::keep_in_view(state);
    let mut effects = super::detail::follow_selection(state);
    effects.extend(super::usage::reload(state));
    if problems.is_empty() {
        let undo = match undo.as_slice() {
            [one] => format!("; undo: regscope trash restore {one}"),
            [] => String::new(),
            _ => "; undo: regscope trash list".into(),
        };
        state.info(format!("deleted {}{undo}", gone.join(", ")));
    } else {
        state.error(problems.join("; "));
    }
    effects
}
