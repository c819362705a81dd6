//! Your commands (`[[commands]]`) on the selected image: the placeholders
//! filled from the selection, a question first with `confirm = true`, then
//! the output in a screen (`pane`) or the terminal handed over (`terminal`).

use crate::config::CommandOutput;
use crate::model::command_line::Values;
use crate::tui::effect::Effect;
use crate::tui::job::Job;
use crate::tui::settings::UserCommand;
use crate::tui::state::output::OutputView;
use crate::tui::state::{Dialog, Pane, Screen, Slot, State};
use crossterm::event::{KeyCode, KeyEvent};

/// The command bound to `key`, if any.
pub fn bound_to(state: &State, key: &KeyEvent) -> Option<UserCommand> {
    state
        .settings
        .commands
        .iter()
        .find(|c| c.key == crate::tui::keymap::chord(key))
        .cloned()
}

pub fn start(state: &mut State, command: &UserCommand) -> Vec<Effect> {
    let argv = match command.line.argv(&selection(state)) {
        Ok(argv) => argv,
        Err(e) => {
            state.error(format!("{}: {e}", command.description));
            return Vec::new();
        }
    };
    if command.confirm {
        state.dialog = Some(Dialog::RunCommand {
            description: command.description.clone(),
            argv,
            output: command.output,
        });
        return Vec::new();
    }
    run(state, command.description.clone(), argv, command.output)
}

/// `y` runs the command asked about; any other key cancels.
pub fn on_confirm_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Dialog::RunCommand {
        description,
        argv,
        output,
    }) = state.dialog.take()
    else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Char('y') => run(state, description, argv, output),
        _ => {
            state.info(format!("{description}: not run"));
            Vec::new()
        }
    }
}

fn run(
    state: &mut State,
    description: String,
    argv: Vec<String>,
    output: CommandOutput,
) -> Vec<Effect> {
    match output {
        CommandOutput::Terminal => vec![Effect::Terminal(argv)],
        CommandOutput::Pane => {
            let title = format!("{description}: {}", argv.join(" "));
            state.screen = Some(Screen::Output(Box::new(OutputView::running(title))));
            let ticket = state.tickets.issue(Slot::Command);
            vec![Effect::urgent(ticket, Job::Command { argv })]
        }
    }
}

pub fn finished(state: &mut State, result: Result<String, String>) -> Vec<Effect> {
    if let Some(Screen::Output(view)) = &mut state.screen {
        match result {
            Ok(text) => view.finish(&text),
            Err(why) => view.finish(&why),
        }
    }
    Vec::new()
}

/// The output screen: j/k and the page keys scroll, anything else closes.
pub fn on_output_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Screen::Output(view)) = &mut state.screen else {
        return Vec::new();
    };
    let page = isize::try_from(state.viewport.1.saturating_sub(4).max(1)).unwrap_or(1);
    match key.code {
        KeyCode::Char('j') | KeyCode::Down => view.scroll_by(1),
        KeyCode::Char('k') | KeyCode::Up => view.scroll_by(-1),
        KeyCode::PageDown | KeyCode::Char(' ') => view.scroll_by(page),
        KeyCode::PageUp => view.scroll_by(-page),
        _ => {
            state.screen = None;
            // A command still running is left to finish; its output is dropped.
            state.tickets.issue(Slot::Command);
        }
    }
    Vec::new()
}

/// The placeholders' values from the selection: the tag under the cursor
/// (or the image in the detail pane), its digest once known, the platform
/// the detail pane shows.
fn selection(state: &State) -> Values {
    let registry = state.source_name.clone();
    let repository = state.tags.repo().map(str::to_string);
    let row = state.tags.list.selected();
    let tag = row
        .filter(|_| state.focus != Pane::Repos)
        .map(|r| r.name.clone());
    let digest = row
        .and_then(|r| r.summary.as_ref().map(|s| s.digest.to_string()))
        .or_else(|| state.detail.top().map(|d| d.digest.to_string()));
    let platform = state
        .detail
        .image()
        .map(|v| v.platform.clone())
        .filter(|p| p.contains('/'));
    let reference = repository.as_ref().map(|repo| {
        let base = match registry.strip_prefix("oci:") {
            // A layout that is its own repository, or one in a directory of them.
            Some(_) if registry.ends_with(&format!("/{repo}")) => registry.clone(),
            _ => format!("{registry}/{repo}"),
        };
        match (&tag, &digest) {
            (Some(tag), _) => format!("{base}:{tag}"),
            (None, Some(digest)) => format!("{base}@{digest}"),
            (None, None) => base,
        }
    });
    Values {
        reference,
        digest,
        registry: Some(registry),
        repository,
        tag,
        platform,
    }
}
