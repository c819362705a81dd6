//! The retention planner (`P`): fields edited in place, the plan recomputed
//! by reconcile, Enter reviews it in the delete dialog, where typing the
//! repository name confirms.

use crate::ops::delete::DeletePlan;
use crate::ops::prune::PlanningData;
use crate::tui::effect::Effect;
use crate::tui::job::Job;
use crate::tui::layout::rows_of;
use crate::tui::state::planner::{PlanData, Planner};
use crate::tui::state::{DeleteDialog, Dialog, Move, Pane, Screen, Slot, State};
use crossterm::event::{Event, KeyCode, KeyEvent};
use std::sync::Arc;

pub fn open(state: &mut State) -> Vec<Effect> {
    if state.settings.read_only {
        state.error("read-only mode: the planner deletes, so it is off");
        return Vec::new();
    }
    let Some(repo) = state.tags.repo().map(str::to_string) else {
        state.error("open a repository first: the planner works on one");
        return Vec::new();
    };
    let Some(protected) = state.protected_for_deleting() else {
        return Vec::new();
    };
    state.screen = Some(Screen::Planner(Box::new(Planner::new(&repo, protected))));
    state.focus = Pane::Tags;
    state.info(format!(
        "sizing every tag of {repo} for the plan (no deletion yet)"
    ));
    // Asked for with a key: the user waits for it.
    let job = Job::Planning { repo };
    vec![Effect::urgent(state.tickets.issue(Slot::Planner), job)]
}

pub fn loaded(state: &mut State, result: Result<Arc<PlanningData>, String>) -> Vec<Effect> {
    if let Some(Screen::Planner(planner)) = &mut state.screen {
        planner.fill(result);
        state.status.message = None;
    }
    Vec::new()
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Screen::Planner(planner)) = &mut state.screen else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => {
            state.screen = None;
            state.tickets.issue(Slot::Planner);
            state.info("planner closed: nothing deleted");
        }
        KeyCode::Tab | KeyCode::Down => planner.move_focus(1),
        KeyCode::BackTab | KeyCode::Up => planner.move_focus(-1),
        KeyCode::Char(' ') if planner.toggle() => {}
        KeyCode::PageDown | KeyCode::PageUp => {
            let height = rows_of(state.viewport, Pane::Tags, Pane::Tags);
            let step = isize::try_from(height).unwrap_or(isize::MAX);
            let by = if key.code == KeyCode::PageDown {
                step
            } else {
                -step
            };
            state.move_in(Pane::Tags, Move::By(by), height);
        }
        KeyCode::Enter => return review(state),
        _ => planner.type_key(&Event::Key(key)),
    }
    Vec::new()
}

/// Opens the delete dialog on the plan; typing the repository name confirms.
fn review(state: &mut State) -> Vec<Effect> {
    let Some(Screen::Planner(planner)) = &state.screen else {
        return Vec::new();
    };
    let plan = match (planner.data(), planner.outcome()) {
        (PlanData::Ready(_), Some(Ok(outcome))) if !outcome.prune.groups.is_empty() => {
            &outcome.prune
        }
        (PlanData::Ready(_), Some(Ok(_))) => {
            state.info("these rules delete nothing");
            return Vec::new();
        }
        (PlanData::Ready(_), Some(Err(why))) => {
            let why = why.clone();
            state.error(why);
            return Vec::new();
        }
        _ => {
            state.error("the plan is not ready yet");
            return Vec::new();
        }
    };
    let dialog = dialog_for(plan, planner.repo(), state.settings.undo_available);
    state.tickets.issue(Slot::Planner);
    state.tickets.issue(Slot::Delete);
    // The plan goes to the delete dialog; the planner closes.
    state.screen = None;
    state.dialog = Some(Dialog::Delete(dialog));
    Vec::new()
}

/// The delete dialog for the planner's plan: typing the repository name
/// confirms, or `override` past the brake.
fn dialog_for(plan: &crate::ops::prune::RepoPrune, repo: &str, undo: bool) -> DeleteDialog {
    let delete = DeletePlan {
        groups: plan.groups.clone(),
        bytes_freed: plan.bytes_freed,
        ..DeletePlan::default()
    };
    let brake = plan.refused.clone();
    let expected = match brake {
        Some(_) => "override".to_string(),
        None => repo.to_string(),
    };
    DeleteDialog {
        plan: Some(Arc::new(delete)),
        expected: Some(expected),
        brake,
        no_undo: !undo,
        ..DeleteDialog::default()
    }
}
