//! Mouse: the wheel scrolls the pane under the pointer, a click selects a row.

use crate::tui::effect::Effect;
use crate::tui::layout::{areas, contains, rows_of};
use crate::tui::state::{Move, Pane, State};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

/// Rows one wheel notch scrolls.
const WHEEL_ROWS: isize = 3;

pub fn on_mouse(state: &mut State, event: MouseEvent) -> Vec<Effect> {
    let (w, h) = state.viewport;
    let a = areas(Rect::new(0, 0, w, h), state.focus);
    let panes = [
        (Pane::Repos, a.repos, 0u16),
        (Pane::Tags, a.tags, 1),
        (Pane::Detail, a.detail, 1),
    ];
    let Some(&(pane, area, header)) = panes
        .iter()
        .find(|(_, r, _)| contains(*r, event.column, event.row))
    else {
        return Vec::new();
    };
    let height = rows_of(state.viewport, state.focus, pane);
    match event.kind {
        MouseEventKind::ScrollDown => state.move_in(pane, Move::By(WHEEL_ROWS), height),
        MouseEventKind::ScrollUp => state.move_in(pane, Move::By(-WHEEL_ROWS), height),
        MouseEventKind::Down(MouseButton::Left) => {
            state.focus = pane;
            let first_row = area.y + 1 + header;
            if event.row < first_row {
                return Vec::new();
            }
            let clicked = usize::from(event.row - first_row);
            match pane {
                Pane::Repos => {
                    let offset = state.repos.cursor().offset();
                    state.repos.select_position(offset + clicked);
                }
                Pane::Tags => {
                    let offset = state.tags.list.cursor().offset();
                    state.tags.list.select_position(offset + clicked);
                }
                Pane::Detail => {}
            }
        }
        _ => {}
    }
    Vec::new()
}
