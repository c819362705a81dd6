//! `c` copies the selected (or marked) tags: a destination prompt (Tab
//! completes from the registry's repositories), the preview, the copy with
//! its progress (Esc stops between blobs), the outcome. `t` adds a tag.

use crate::ops::copy::CopyBatch;
use crate::tui::effect::Effect;
use crate::tui::job::{CopyProgress, Job, Shared};
use crate::tui::msg::CopyOutcome;
use crate::tui::state::copy::{CopyDialog, CopyStage, complete};
use crate::tui::state::{Dialog, Slot, State};
use crossterm::event::{Event, KeyCode, KeyEvent};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

pub fn open(state: &mut State) -> Vec<Effect> {
    if state.settings.read_only {
        state.error("read-only mode: copying is off");
        return Vec::new();
    }
    let Some(repo) = state.tags.repo().map(str::to_string) else {
        state.error("open a repository and select a tag to copy");
        return Vec::new();
    };
    let mut tags = state.tags.list.marked_names();
    if tags.is_empty() {
        tags.extend(state.tags.list.selected().map(|r| r.name.clone()));
    }
    if tags.is_empty() {
        state.error("select a tag to copy");
        return Vec::new();
    }
    let here = &state.source_name;
    let candidates = state.repos.names().map(|r| format!("{here}/{r}")).collect();
    state.dialog = Some(Dialog::Copy(Box::new(CopyDialog::new(
        repo, tags, candidates,
    ))));
    // The store knows other registries' repositories too.
    vec![Effect::urgent(
        state.tickets.issue(Slot::Places),
        Job::StoredPlaces,
    )]
}

pub fn stored_places(state: &mut State, places: Vec<String>) -> Vec<Effect> {
    if let Some(Dialog::Copy(dialog)) = &mut state.dialog
        && let CopyStage::Destination { candidates, .. } = &mut dialog.stage
    {
        candidates.extend(places);
        candidates.sort();
        candidates.dedup();
    }
    Vec::new()
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Dialog::Copy(dialog)) = &mut state.dialog else {
        return Vec::new();
    };
    match &mut dialog.stage {
        CopyStage::Destination { .. } => on_destination_key(state, key),
        CopyStage::Preview { .. } => match key.code {
            KeyCode::Enter | KeyCode::Char('y') => start(state),
            _ => close(state),
        },
        CopyStage::Copying { stop, .. } => {
            if key.code == KeyCode::Esc {
                stop.store(true, Ordering::SeqCst);
                state.info("stopping after the blobs in flight…");
            }
            Vec::new()
        }
        CopyStage::Planning { .. } | CopyStage::Done { .. } => close(state),
    }
}

/// Typing the destination: Tab completes, Enter plans, Esc closes.
fn on_destination_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Dialog::Copy(dialog)) = &mut state.dialog else {
        return Vec::new();
    };
    let CopyStage::Destination {
        input,
        candidates,
        error,
    } = &mut dialog.stage
    else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => close(state),
        KeyCode::Tab => {
            if let Some(longer) = complete(input.value(), candidates) {
                *input = Input::new(longer);
            }
            Vec::new()
        }
        KeyCode::Enter if input.value().trim().is_empty() => {
            *error = Some("type a destination: host/repo[:tag] or oci:DIR[:TAG]".into());
            Vec::new()
        }
        KeyCode::Enter => plan(state),
        _ => {
            input.handle_event(&Event::Key(key));
            *error = None;
            Vec::new()
        }
    }
}

/// Closes the dialog; a plan on its way is dropped (its ticket goes stale).
fn close(state: &mut State) -> Vec<Effect> {
    state.dialog = None;
    state.tickets.issue(Slot::Copy);
    Vec::new()
}

fn plan(state: &mut State) -> Vec<Effect> {
    let Some(Dialog::Copy(dialog)) = &mut state.dialog else {
        return Vec::new();
    };
    let CopyStage::Destination { input, .. } = &dialog.stage else {
        return Vec::new();
    };
    let destination = input.value().trim().to_string();
    let job = Job::PlanCopy {
        repo: dialog.repo.clone(),
        tags: dialog.tags.clone(),
        destination: destination.clone(),
    };
    dialog.stage = CopyStage::Planning { destination };
    vec![Effect::urgent(state.tickets.issue(Slot::Copy), job)]
}

fn start(state: &mut State) -> Vec<Effect> {
    let Some(Dialog::Copy(dialog)) = &mut state.dialog else {
        return Vec::new();
    };
    let CopyStage::Preview { destination, batch } = &dialog.stage else {
        return Vec::new();
    };
    let stop = Arc::new(AtomicBool::new(false));
    let job = Job::Copy {
        repo: dialog.repo.clone(),
        batch: Shared::from(batch.clone()),
        stop: Shared::from(stop.clone()),
    };
    dialog.stage = CopyStage::Copying {
        destination: destination.clone(),
        progress: vec![CopyProgress::default(); batch.plans.len()],
        batch: batch.clone(),
        stop,
    };
    vec![Effect::urgent(state.tickets.issue(Slot::Copy), job)]
}

pub fn planned(state: &mut State, result: Result<Arc<CopyBatch>, String>) -> Vec<Effect> {
    let Some(Dialog::Copy(dialog)) = &mut state.dialog else {
        return Vec::new();
    };
    let CopyStage::Planning { destination } = &dialog.stage else {
        return Vec::new();
    };
    dialog.stage = match result {
        Ok(batch) => CopyStage::Preview {
            destination: destination.clone(),
            batch,
        },
        Err(message) => CopyStage::Done {
            summary: message,
            failed: true,
        },
    };
    Vec::new()
}

pub fn progressed(state: &mut State, progress: Vec<CopyProgress>) -> Vec<Effect> {
    if let Some(Dialog::Copy(dialog)) = &mut state.dialog
        && let CopyStage::Copying {
            progress: shown, ..
        } = &mut dialog.stage
    {
        *shown = progress;
    }
    Vec::new()
}

pub fn copied(state: &mut State, result: Result<CopyOutcome, String>) -> Vec<Effect> {
    let Some(Dialog::Copy(dialog)) = &mut state.dialog else {
        return Vec::new();
    };
    let CopyStage::Copying {
        destination, batch, ..
    } = &dialog.stage
    else {
        return Vec::new();
    };
    let here = batch.destination.name() == state.source_name;
    let (summary, failed) = match result {
        Ok(CopyOutcome { stopped: false, .. }) => (format!("copied to {destination}"), false),
        Ok(CopyOutcome { tags_done, .. }) => (
            format!(
                "stopped: {tags_done} of {} tags copied; the one in flight has no tag",
                batch.plans.len()
            ),
            true,
        ),
        Err(message) => (message, true),
    };
    dialog.stage = CopyStage::Done { summary, failed };
    // A copy into this registry may have made a repository or a tag.
    match here {
        true => vec![state.load_repositories()],
        false => Vec::new(),
    }
}

pub fn open_add_tag(state: &mut State) -> Vec<Effect> {
    if state.settings.read_only {
        state.error("read-only mode: tagging is off");
        return Vec::new();
    }
    let repo = state.tags.repo().map(str::to_string);
    let from = state.tags.list.selected().map(|r| r.name.clone());
    let (Some(repo), Some(from)) = (repo, from) else {
        state.error("select a tag to put another tag on its image");
        return Vec::new();
    };
    state.dialog = Some(Dialog::AddTag {
        repo,
        from,
        input: Input::default(),
    });
    Vec::new()
}

pub fn on_add_tag_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Dialog::AddTag { repo, from, input }) = &mut state.dialog else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => {
            state.dialog = None;
            Vec::new()
        }
        KeyCode::Enter => {
            let tag = input.value().trim().to_string();
            let job = Job::AddTag {
                repo: repo.clone(),
                from: from.clone(),
                tag: tag.clone(),
            };
            state.dialog = None;
            if !crate::oci::reference::is_valid_tag(&tag) {
                state.error(format!("{tag:?} is not a valid tag"));
                return Vec::new();
            }
            state.info(format!("tagging {tag}…"));
            // Each `t` keeps its ticket: a later one does not cancel it.
            vec![Effect::urgent(state.tickets.current(Slot::Tag), job)]
        }
        _ => {
            input.handle_event(&Event::Key(key));
            Vec::new()
        }
    }
}

pub fn tagged(state: &mut State, tag: &str, result: Result<(), String>) -> Vec<Effect> {
    match result {
        Ok(()) => {
            state.info(format!("tagged {tag}"));
            let Some(repo) = state.tags.repo().map(str::to_string) else {
                return Vec::new();
            };
            let selected = state.tags.list.selected().map(|r| r.name.clone());
            state.tags.select_when_loaded(selected);
            vec![state.open_repository(&repo)]
        }
        Err(message) => {
            state.error(message);
            Vec::new()
        }
    }
}
