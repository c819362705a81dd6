//! Mouse: the wheel scrolls the pane under the pointer, a click selects a row.

use super::super::effect::Effect;
use super::super::layout::{areas, contains};
use super::super::state::{Pane, State};
use super::nav;
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

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
    match event.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta = if event.kind == MouseEventKind::ScrollDown {
                3
            } else {
                -3
            };
            let focus = state.focus;
            state.focus = pane;
            let effects = nav::move_by(state, delta);
            state.focus = focus;
            effects
        }
        MouseEventKind::Down(MouseButton::Left) => {
            state.focus = pane;
            let first_row = area.y + 1 + header;
            if event.row < first_row {
                return Vec::new();
            }
            let clicked = (event.row - first_row) as usize;
            let target = match pane {
                Pane::Repos => state.repos.cursor.offset + clicked,
                Pane::Tags => state.tags.cursor.offset + clicked,
                Pane::Detail => return Vec::new(),
            };
            let current = match pane {
                Pane::Repos => state.repos.cursor.selected,
                _ => state.tags.cursor.selected,
            };
            nav::move_by(state, target as isize - current as isize)
        }
        _ => Vec::new(),
    }
}
