//! The file tree (`f`, or Enter on a layer of an image): opening it for the
//! image in the detail pane, its arrival, its keys.

use crate::ops::detail::Detail;
use crate::ops::files::view::{FileTreeData, FilesMode};
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::job::Job;
use crate::tui::state::files::FilesView;
use crate::tui::state::{Move, Screen, Slot, State};
use crossterm::event::{KeyCode, KeyEvent};

/// `f`: the merged files of the image the detail pane shows.
pub fn open_merged(state: &mut State) -> Vec<Effect> {
    open(state, FilesMode::Merged)
}

/// Enter on a layer of an image view: that layer's own changes.
pub fn open_layer(state: &mut State) -> Vec<Effect> {
    let layer = state.detail.top().and_then(|e| e.selected_layer());
    match layer {
        Some(i) => open(state, FilesMode::Layer(i)),
        None => Vec::new(),
    }
}

fn open(state: &mut State, mode: FilesMode) -> Vec<Effect> {
    let Some(entry) = state.detail.top() else {
        state.error("select a tag first: the files are an image's");
        return Vec::new();
    };
    let image = match entry.data().map(|d| &d.detail) {
        Some(Detail::Image { manifest, .. }) => Some((
            manifest.digest.clone(),
            manifest
                .doc
                .layers
                .iter()
                .map(|l| l.size)
                .collect::<Vec<_>>(),
            entry.title.clone(),
        )),
        Some(Detail::Index { platforms, .. }) => {
            let p = entry
                .selected_platform()
                .or_else(|| platforms.iter().find(|p| !p.attestation));
            match p {
                Some(_) => {
                    state.error("open a platform first (Enter): the files are one image's");
                    return Vec::new();
                }
                None => None,
            }
        }
        _ => None,
    };
    let Some((digest, sizes, title)) = image else {
        state.error("not an image: it has no file system layers");
        return Vec::new();
    };
    let repo = entry.repo.clone();
    let view = FilesView::new(&repo, title, digest.clone(), sizes, mode);
    let effect = load(state, &view);
    state.screen = Some(Screen::Files(Box::new(view)));
    vec![effect]
}

fn load(state: &mut State, view: &FilesView) -> Effect {
    let job = Job::Files {
        repo: view.repo.clone(),
        image: view.image.clone(),
        mode: view.mode,
        options: state.files_options,
    };
    Effect::urgent(state.tickets.issue(Slot::Files), job)
}

pub fn loaded(state: &mut State, result: Result<Box<FileTreeData>, String>) -> Vec<Effect> {
    if let Some(Screen::Files(view)) = &mut state.screen {
        view.fill(result);
    }
    Vec::new()
}

pub fn progressed(state: &mut State, bytes: Vec<u64>) -> Vec<Effect> {
    if let Some(Screen::Files(view)) = &mut state.screen {
        view.progressed(bytes);
    }
    Vec::new()
}

fn close(state: &mut State) -> Vec<Effect> {
    state.screen = None;
    state.tickets.issue(Slot::Files); // cancels a layer still streaming
    Vec::new()
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let height =
        crate::tui::layout::screen_rows(state.viewport, crate::tui::layout::FILE_TREE_HEADER);
    let action = state.keymap.action(&key);
    let Some(Screen::Files(view)) = &mut state.screen else {
        return Vec::new();
    };
    if view.typing {
        let mut filter = view.filter.clone();
        match key.code {
            KeyCode::Enter => view.typing = false,
            KeyCode::Esc => {
                view.typing = false;
                filter.clear();
            }
            KeyCode::Backspace => {
                filter.pop();
            }
            KeyCode::Char(c) => filter.push(c),
            _ => {}
        }
        if filter != view.filter {
            view.set_filter(filter);
        }
        return Vec::new();
    }
    let page = isize::try_from(height).unwrap_or(isize::MAX);
    let layers = view.layer_sizes.len();
    let mode = match (action, view.mode) {
        (Some(Action::ToggleMerged), FilesMode::Merged) => {
            Some(FilesMode::Layer(layers.saturating_sub(1)))
        }
        (Some(Action::ToggleMerged), FilesMode::Layer(_)) => Some(FilesMode::Merged),
        (Some(Action::PrevLayer), FilesMode::Layer(i)) => {
            Some(FilesMode::Layer(i.saturating_sub(1)))
        }
        (Some(Action::NextLayer), FilesMode::Layer(i)) => {
            Some(FilesMode::Layer((i + 1).min(layers.saturating_sub(1))))
        }
        (Some(Action::PrevLayer | Action::NextLayer), FilesMode::Merged) => {
            Some(FilesMode::Layer(0))
        }
        _ => None,
    };
    if let Some(mode) = mode.filter(|m| *m != view.mode) {
        view.mode = mode;
        view.data = None;
        view.relayout();
        let job = Job::Files {
            repo: view.repo.clone(),
            image: view.image.clone(),
            mode,
            options: state.files_options,
        };
        return vec![Effect::urgent(state.tickets.issue(Slot::Files), job)];
    }
    match action {
        Some(Action::Down) => view.move_cursor(Move::By(1), height),
        Some(Action::Up) => view.move_cursor(Move::By(-1), height),
        Some(Action::PageDown) => view.move_cursor(Move::By(page), height),
        Some(Action::PageUp) => view.move_cursor(Move::By(-page), height),
        Some(Action::HalfPageDown) => view.move_cursor(Move::By(page / 2), height),
        Some(Action::HalfPageUp) => view.move_cursor(Move::By(-page / 2), height),
        Some(Action::Top) => view.move_cursor(Move::First, height),
        Some(Action::Bottom) => view.move_cursor(Move::Last, height),
        Some(Action::Open) => view.open(),
        Some(Action::Sort) => view.toggle_sort(),
        Some(Action::Filter) => view.typing = true,
        Some(Action::Back) if !view.filter.is_empty() && key.code == KeyCode::Esc => {
            view.set_filter(String::new());
        }
        Some(Action::Back) if !view.back() => return close(state),
        Some(Action::Quit) => return close(state),
        _ => {}
    }
    if let Some(Screen::Files(view)) = &mut state.screen {
        view.cursor.keep_in_view(height, view.rows().len());
    }
    Vec::new()
}
