//! The one-line inputs: `/` filter (live) and `:` command.

use crate::oci::reference::{RepositoryRef, parse_registry};
use crate::tui::effect::Effect;
use crate::tui::state::{Dialog, InputKind, Pane, Screen, State};
use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

pub fn open(state: &mut State, kind: InputKind) -> Vec<Effect> {
    let initial = match (kind, state.focus, &state.screen) {
        (InputKind::Filter, _, Some(Screen::Packages(view))) => view.filter().to_string(),
        (InputKind::Filter, Pane::Repos, _) => state.repos.filter().to_string(),
        (InputKind::Filter, _, _) => {
            if state.tags.repo().is_none() {
                return Vec::new();
            }
            state.focus = Pane::Tags;
            state.tags.list.filter().to_string()
        }
        (InputKind::Command, _, _) => String::new(),
    };
    state.dialog = Some(Dialog::Input {
        kind,
        input: Input::new(initial),
    });
    Vec::new()
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Dialog::Input { kind, input }) = &mut state.dialog else {
        return Vec::new();
    };
    let kind = *kind;
    match key.code {
        KeyCode::Esc => {
            state.dialog = None;
            if kind == InputKind::Filter {
                set_filter(state, String::new());
            }
            Vec::new()
        }
        KeyCode::Enter => {
            let text = input.value().trim().to_string();
            state.dialog = None;
            match kind {
                InputKind::Filter => Vec::new(),
                InputKind::Command => command(state, &text),
            }
        }
        _ => {
            input.handle_event(&Event::Key(key));
            let value = input.value().to_string();
            if kind == InputKind::Filter {
                set_filter(state, value);
            }
            Vec::new()
        }
    }
}

fn set_filter(state: &mut State, filter: String) {
    if let Some(Screen::Packages(view)) = &mut state.screen {
        view.set_filter(filter);
        return;
    }
    match state.focus {
        Pane::Repos => state.repos.set_filter(filter),
        _ => state.tags.list.set_filter(filter),
    }
}

/// `:q`, `:help`, `:<registry>`, `:<repository>` or `:<registry>/<repository>`.
fn command(state: &mut State, text: &str) -> Vec<Effect> {
    match text {
        "" => Vec::new(),
        "q" | "q!" | "quit" => {
            state.quit = true;
            Vec::new()
        }
        "help" | "h" => {
            state.dialog = Some(Dialog::Help(0));
            Vec::new()
        }
        _ => go_to(state, text),
    }
}

/// `:host`: this registry's repositories, or another registry.
fn go_to_registry(state: &mut State, text: &str) -> Vec<Effect> {
    match parse_registry(text) {
        Ok(host) if host == state.source_name => {
            state.focus = Pane::Repos;
            Vec::new()
        }
        Ok(host) => {
            state.info(format!("connecting to {host}…"));
            vec![Effect::SwitchRegistry(host)]
        }
        Err(e) => {
            state.error(e.to_string());
            Vec::new()
        }
    }
}

fn go_to(state: &mut State, text: &str) -> Vec<Effect> {
    let current = state.source_name.clone();
    if text.starts_with("oci:") || text.starts_with(['/', '.', '~']) {
        state.info(format!("opening {text}…"));
        return vec![Effect::SwitchRegistry(text.to_string())];
    }
    if current.starts_with("oci:") {
        return vec![state.open_repository(text.trim_matches('/'))];
    }
    let first = text.split('/').next().unwrap_or("");
    let names_host = first.contains(['.', ':']) || first == "localhost";
    if names_host && !text.contains('/') {
        return go_to_registry(state, text);
    }
    let qualified = if names_host {
        text.to_string()
    } else {
        format!("{current}/{text}")
    };
    match RepositoryRef::parse(&qualified) {
        Ok(repo) if repo.registry == current => vec![state.open_repository(&repo.repository)],
        Ok(repo) => {
            state.info(format!("connecting to {}…", repo.registry));
            vec![Effect::SwitchRegistry(repo.to_string())]
        }
        Err(e) => {
            state.error(e.to_string());
            Vec::new()
        }
    }
}
