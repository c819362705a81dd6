//! Your commands: the selection fills the placeholders, `confirm` asks,
//! the output screen scrolls and closes.

use super::*;
use crate::config::{CommandOutput, CommandSettings, RunLine};
use crate::tui::settings::UserCommand;

fn with_command(run: &str, confirm: bool, output: CommandOutput) -> State {
    let (mut state, _) = with_tags(&["1.0", "2.0"]);
    let entry = CommandSettings {
        key: "A".into(),
        description: "show".into(),
        run: RunLine::Line(run.into()),
        confirm,
        output,
    };
    let command = UserCommand::new(&entry, &state.settings.keymap).unwrap();
    state.settings.commands = Arc::new(vec![command]);
    state
}

fn shift(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT))
}

#[test]
fn the_selected_tag_fills_the_placeholders_and_the_output_shows_in_a_screen() {
    let mut state = with_command("echo {ref} {repository} {tag}", false, CommandOutput::Pane);
    update(&mut state, key('j'));
    let effects = update(&mut state, shift('A'));
    let [Job::Command { argv }] = jobs(&effects).as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(argv, &["echo", "reg.test/app:2.0", "app", "2.0"]);
    assert!(matches!(state.screen, Some(Screen::Output(_))));
    let ticket = state.tickets.current(Slot::Command);
    let text = "line one\n\u{1b}[31mred\u{1b}[0m\nline three".to_string();
    update(
        &mut state,
        Msg::Finished(ticket, Finished::CommandOutput(Ok(text))),
    );
    let Some(Screen::Output(view)) = &state.screen else {
        panic!("the output screen");
    };
    assert_eq!(
        view.lines().unwrap(),
        ["line one", "red", "line three"],
        "sanitised"
    );
    update(&mut state, key('j'));
    let Some(Screen::Output(view)) = &state.screen else {
        panic!("still open");
    };
    assert_eq!(view.scroll(), 1);
    update(&mut state, key('q'));
    assert!(state.screen.is_none());
}

#[test]
fn a_placeholder_the_selection_lacks_is_said_and_nothing_runs() {
    let mut state = with_command("scan {digest}", false, CommandOutput::Pane);
    let effects = update(&mut state, shift('A'));
    assert!(effects.is_empty());
    assert!(
        status_text(&state).contains("no {digest} yet"),
        "{}",
        status_text(&state)
    );
}

#[test]
fn confirm_asks_first_and_a_terminal_command_hands_the_terminal_over() {
    let mut state = with_command("sh-free {tag}", true, CommandOutput::Terminal);
    assert!(update(&mut state, shift('A')).is_empty());
    assert!(matches!(state.dialog, Some(Dialog::RunCommand { .. })));
    assert!(update(&mut state, key('n')).is_empty());
    assert!(state.dialog.is_none());
    update(&mut state, shift('A'));
    let effects = update(&mut state, key('y'));
    assert_eq!(
        effects,
        [Effect::Terminal(vec!["sh-free".into(), "1.0".into()])]
    );
}
