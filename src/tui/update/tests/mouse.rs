//! Wheel and clicks.

use super::*;

#[test]
fn mouse_wheel_scrolls_and_click_selects() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let (mut state, _) = with_numbered_tags(30);
    state.viewport = (100, 30);
    let at = |kind, column, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // Tags pane spans columns 20..65 at 100 columns with the tags pane focused.
    update(&mut state, at(MouseEventKind::ScrollDown, 30, 5));
    assert_eq!(state.tags.list.cursor().selected(), 3);
    update(
        &mut state,
        at(MouseEventKind::Down(MouseButton::Left), 30, 2 + 4),
    );
    assert_eq!(
        state.tags.list.cursor().selected(),
        4,
        "row 6 is the fifth data row"
    );
    update(
        &mut state,
        at(MouseEventKind::Down(MouseButton::Left), 5, 1),
    );
    assert_eq!(
        state.focus,
        Pane::Repos,
        "a click focuses the pane under it"
    );
}
