//! Marking tags and the delete confirmation: the dialog lists every tag that
//! goes and the bytes freed; `y` confirms (or typing the tag name when more
//! than one tag goes); anything else cancels.

use crate::ops::delete::{DeleteGroup, DeletePlan, Outcome, Requested};
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::job::Job;
use crate::tui::layout::rows_of;
use crate::tui::state::{DeleteDialog, Dialog, Move, Pane, RangeMark, Slot, State};
use crossterm::event::{Event, KeyCode, KeyEvent};
use std::sync::Arc;
use tui_input::backend::crossterm::EventHandler;

pub fn mark(state: &mut State) -> Vec<Effect> {
    let Some(name) = state.tags.list.selected().map(|r| r.name.clone()) else {
        return Vec::new();
    };
    state.tags.list.toggle_mark(&name);
    let height = rows_of(state.viewport, state.focus, Pane::Tags);
    state.move_in(Pane::Tags, Move::By(1), height);
    Vec::new()
}

pub fn mark_range(state: &mut State) -> Vec<Effect> {
    match state.tags.list.start_or_finish_range() {
        RangeMark::Started => state.info("marking a range: move, then press v again"),
        RangeMark::Marked(n) => state.info(format!("marked {n} tags")),
    }
    Vec::new()
}

pub fn delete(state: &mut State, marked: bool) -> Vec<Effect> {
    if state.settings.read_only {
        state.error("read-only mode: deletion is off");
        return Vec::new();
    }
    let Some(repo) = state.tags.repo().map(str::to_string) else {
        return Vec::new();
    };
    let tags = if marked {
        state.tags.list.marked_names()
    } else {
        state
            .tags
            .list
            .selected()
            .map(|r| vec![r.name.clone()])
            .unwrap_or_default()
    };
    if tags.is_empty() {
        let key = state.settings.keymap.first_key(Action::Mark).to_string();
        state.error(format!("nothing marked: {key} marks tags"));
        return Vec::new();
    }
    if state.protected_for_deleting().is_none() {
        return Vec::new();
    }
    let protect = state.settings.protect_sources.clone();
    state.dialog = Some(Dialog::Delete(DeleteDialog {
        no_undo: !state.settings.undo_available,
        ..DeleteDialog::default()
    }));
    let ticket = state.tickets.issue(Slot::Delete);
    let job = Job::PlanDelete {
        repo,
        tags,
        protect: protect.into(),
    };
    vec![Effect::urgent(ticket, job)]
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Dialog::Delete(dialog)) = &mut state.dialog else {
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
        (_, KeyCode::Down | KeyCode::PageDown) => {
            let most = plan_rows(&plan);
            dialog.scroll = dialog
                .scroll
                .saturating_add(scroll_step(key.code))
                .min(most);
            Vec::new()
        }
        (_, KeyCode::Up | KeyCode::PageUp) => {
            dialog.scroll = dialog.scroll.saturating_sub(scroll_step(key.code));
            Vec::new()
        }
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
    state.dialog = None;
    state.tickets.issue(Slot::Delete);
    state.info("cancelled: nothing deleted");
}

/// An upper bound of the dialog's rows: one per tag, and a few per digest.
fn plan_rows(plan: &DeletePlan) -> usize {
    plan.groups
        .iter()
        .map(|g| g.tags.len() + g.part_of.len() + 3)
        .sum()
}

/// Rows an arrow key (or a page key) scrolls the dialog.
fn scroll_step(code: KeyCode) -> usize {
    match code {
        KeyCode::PageDown | KeyCode::PageUp => 10,
        _ => 1,
    }
}

fn confirm(state: &mut State, plan: Arc<DeletePlan>) -> Vec<Effect> {
    if state.protected_for_deleting().is_none() {
        state.dialog = None;
        return Vec::new();
    }
    let protect = state.settings.protect_sources.clone();
    if let Some(Dialog::Delete(dialog)) = &mut state.dialog {
        dialog.working = true;
    }
    let ticket = state.tickets.current(Slot::Delete);
    // Typing the digest (what `expected_confirmation` asks for then) is the
    // browser's `--force` for that index child alone.
    let forced: Vec<crate::oci::digest::Digest> = plan
        .groups
        .iter()
        .find(|g| !g.part_of.is_empty())
        .map(|g| g.digest.clone())
        .into_iter()
        .collect();
    let job = Job::Delete {
        plan: plan.into(),
        forced,
        protect: protect.into(),
    };
    vec![Effect::urgent(ticket, job)]
}

/// What confirms a plan: the short digest when it breaks an index; `y` when one
/// tag goes; else typing the tag name (or `delete` when several were asked for).
pub fn expected_confirmation(plan: &DeletePlan) -> Option<String> {
    if let Some(child) = plan.groups.iter().find(|g| !g.part_of.is_empty()) {
        return Some(child.digest.short());
    }
    let chosen = || plan.groups.iter().filter(|g| g.child_of.is_none());
    let tags: usize = chosen().map(|g| g.tags.len().max(1)).sum();
    if tags <= 1 {
        return None;
    }
    let requested: Vec<&Requested> = chosen().flat_map(|g| &g.requested).collect();
    match requested.as_slice() {
        [Requested::Tag(one)] => Some(one.clone()),
        _ => Some("delete".to_string()),
    }
}

pub fn planned(state: &mut State, result: Result<DeletePlan, String>) -> Vec<Effect> {
    let Some(Dialog::Delete(dialog)) = &mut state.dialog else {
        return Vec::new();
    };
    match result {
        Ok(plan) => {
            dialog.expected = expected_confirmation(&plan);
            if plan.groups.is_empty() {
                dialog.error = Some(match plan.kept.first() {
                    Some(kept) => format!("nothing to delete: {}", kept.reason),
                    None => "nothing to delete: the tags are gone".into(),
                });
            }
            dialog.plan = Some(Arc::new(plan));
        }
        Err(e) => dialog.error = Some(e),
    }
    Vec::new()
}

/// Removes deleted tags from the pane in place and says what happened.
pub fn deleted(state: &mut State, results: &[(DeleteGroup, Outcome)]) -> Vec<Effect> {
    state.dialog = None;
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
                problems.push(format!("skipped {}: {reason}", group.digest.short()));
            }
            Outcome::Failed { error, removed } => {
                gone.extend(removed.iter().cloned());
                problems.push(format!("failed {}: {error}", group.digest.short()));
            }
        }
    }
    let went: std::collections::HashSet<&str> = gone.iter().map(String::as_str).collect();
    state.tags.list.retain(|name| !went.contains(name));
    state.tags.list.clear_marks();
    state.usage.invalidate();
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
    Vec::new()
}
