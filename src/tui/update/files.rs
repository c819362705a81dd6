//! The file tree (`f`, or Enter on a layer of an image): opening it for the
//! image in the detail pane, its arrival, its keys.

use crate::ops::detail::Detail;
use crate::ops::files::view::{FileTreeData, FilesMode};
use crate::tui::action::Action;
use crate::tui::effect::Effect;
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
    Effect::urgent(
        state.tickets.issue(Slot::Files),
        view.job(state.settings.files),
    )
}

pub fn loaded(state: &mut State, result: Result<Box<FileTreeData>, String>) -> Vec<Effect> {
    let Some(Screen::Files(view)) = &mut state.screen else {
        return Vec::new();
    };
    if view.fill(result) {
        let job = view.job(state.settings.files);
        return vec![Effect::urgent(state.tickets.issue(Slot::Files), job)];
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
    let action = state.settings.keymap.action(&key);
    let options = state.settings.files;
    let Some(Screen::Files(view)) = &mut state.screen else {
        return Vec::new();
    };
    if view.typing() {
        type_filter(view, key.code);
        return Vec::new();
    }
    if let Some(mode) = action.and_then(|a| view.mode_after(a)) {
        if !view.show_mode(mode) {
            return Vec::new();
        }
        let job = view.job(options);
        return vec![Effect::urgent(state.tickets.issue(Slot::Files), job)];
    }
    let Some(action) = action else {
        return Vec::new();
    };
    match act(view, action, key.code, height) {
        Stay::Open => Vec::new(),
        Stay::Closed => close(state),
    }
}

/// Keys while the filter is typed.
fn type_filter(view: &mut FilesView, code: KeyCode) {
    let mut filter = view.filter().to_string();
    match code {
        KeyCode::Enter => return view.stop_typing(true),
        KeyCode::Esc => return view.stop_typing(false),
        KeyCode::Backspace => {
            filter.pop();
        }
        KeyCode::Char(c) => filter.push(c),
        _ => {}
    }
    if filter != view.filter() {
        view.set_filter(filter);
    }
}

enum Stay {
    Open,
    Closed,
}

/// Moving, folding, sorting and filtering in the tree.
fn act(view: &mut FilesView, action: Action, code: KeyCode, height: usize) -> Stay {
    let page = isize::try_from(height).unwrap_or(isize::MAX);
    match action {
        Action::Down => view.move_cursor(Move::By(1), height),
        Action::Up => view.move_cursor(Move::By(-1), height),
        Action::PageDown => view.move_cursor(Move::By(page), height),
        Action::PageUp => view.move_cursor(Move::By(-page), height),
        Action::HalfPageDown => view.move_cursor(Move::By(page / 2), height),
        Action::HalfPageUp => view.move_cursor(Move::By(-page / 2), height),
        Action::Top => view.move_cursor(Move::First, height),
        Action::Bottom => view.move_cursor(Move::Last, height),
        Action::Open => view.open(),
        Action::Sort => view.toggle_sort(),
        Action::Filter => view.start_typing(),
        Action::Back if !view.filter().is_empty() && code == KeyCode::Esc => {
            view.set_filter(String::new());
        }
        Action::Back if !view.back() => return Stay::Closed,
        Action::Quit => return Stay::Closed,
        _ => {}
    }
    view.keep_in_view(height);
    Stay::Open
}
