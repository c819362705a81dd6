//! Where each pane sits: one pure function, shared by render and mouse handling.

use ratatui::layout::Rect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Repos,
    Tags,
    Detail,
}

/// Rows of data `pane` shows in a terminal of `viewport` (columns, rows) with
/// `focus` on a pane (at least one).
pub fn rows_of(viewport: (u16, u16), focus: Pane, pane: Pane) -> usize {
    let a = areas(Rect::new(0, 0, viewport.0, viewport.1), focus);
    match pane {
        Pane::Repos => list_rows(a.repos, false),
        Pane::Tags => list_rows(a.tags, true),
        Pane::Detail => list_rows(a.detail, true),
    }
    .max(1)
}

/// Where a dialog `width` × `height` goes: centred on `frame`, within it.
pub fn dialog_area(frame: Rect, width: u16, height: u16) -> Rect {
    frame.centered(
        ratatui::layout::Constraint::Length(width.min(frame.width)),
        ratatui::layout::Constraint::Length(height.min(frame.height)),
    )
}

/// Widest the delete dialog gets.
const DELETE_DIALOG_MAX_WIDTH: u16 = 84;

/// The delete dialog's width in a frame `frame_width` columns wide.
pub fn delete_dialog_width(frame_width: u16) -> u16 {
    frame_width.saturating_sub(4).min(DELETE_DIALOG_MAX_WIDTH)
}

/// Lines of the help: the keymap's actions, then your commands.
pub fn help_lines(settings: &super::settings::Settings) -> usize {
    settings.keymap.help_lines() + settings.commands.len()
}

/// The help popup's height for `lines` of text (borders and a blank line
/// under the text), in a terminal `height` rows high.
pub fn help_height(lines: usize, height: u16) -> u16 {
    let wanted = lines.saturating_add(usize::from(BORDERS) + 1);
    u16::try_from(wanted).unwrap_or(u16::MAX).min(height)
}

/// How far the help text can scroll: the lines that do not fit.
pub fn help_max_scroll(lines: usize, height: u16) -> usize {
    let shown = usize::from(help_height(lines, height).saturating_sub(BORDERS));
    lines.saturating_sub(shown)
}

/// A bordered box loses a row at the top and one at the bottom.
const BORDERS: u16 = 2;

/// The file tree's summary and hint lines above its tree.
pub const FILE_TREE_HEADER: u16 = 2;

/// Where a screen (the file tree, the comparison) goes: the whole frame
/// above the status and hint lines.
pub fn screen_area(size: Rect) -> Rect {
    let status = areas(size, Pane::Tags).status;
    Rect {
        height: status.y.saturating_sub(size.y),
        ..size
    }
}

/// Rows of a screen's body in `area` (inside its border, under `header`
/// lines): what its render draws and its update scrolls by.
pub fn screen_body_rows(area: Rect, header: u16) -> usize {
    usize::from(area.height.saturating_sub(BORDERS).saturating_sub(header))
}

/// `screen_body_rows` for a terminal of `viewport` (columns, rows); at least one.
pub fn screen_rows(viewport: (u16, u16), header: u16) -> usize {
    let area = screen_area(Rect::new(0, 0, viewport.0, viewport.1));
    screen_body_rows(area, header).max(1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub repos: Rect,
    pub tags: Rect,
    pub detail: Rect,
    pub status: Rect,
    pub hints: Rect,
}

/// Each column's share of the width: the focused pane and its neighbour get
/// the room; below 100 columns only two panes show.
fn column_percents(width: u16, focus: Pane) -> [u16; 3] {
    match (width >= 100, focus) {
        (true, Pane::Repos) => [25, 45, 30],
        (true, Pane::Tags) => [20, 45, 35],
        (true, Pane::Detail) => [15, 30, 55],
        (false, Pane::Repos) => [35, 65, 0],
        (false, Pane::Tags) => [0, 55, 45],
        (false, Pane::Detail) => [0, 35, 65],
    }
}

/// Miller columns: the focused pane and its neighbour get the room. Below 100
/// columns only two panes show.
pub fn areas(size: Rect, focus: Pane) -> Areas {
    let main_height = size.height.saturating_sub(2);
    let main = Rect {
        height: main_height,
        ..size
    };
    let status = Rect {
        y: size.y + main_height,
        height: size.height.min(1),
        ..size
    };
    let hints = Rect {
        y: size.y + main_height + 1,
        height: size.height.saturating_sub(main_height + 1).min(1),
        ..size
    };
    let widths = split(main.width, column_percents(size.width, focus));
    let mut x = main.x;
    let mut column = |w: u16| {
        let r = Rect {
            x,
            width: w,
            ..main
        };
        x += w;
        r
    };
    Areas {
        repos: column(widths[0]),
        tags: column(widths[1]),
        detail: column(widths[2]),
        status,
        hints,
    }
}

fn split(total: u16, percents: [u16; 3]) -> [u16; 3] {
    let a = total * percents[0] / 100;
    let b = if percents[2] == 0 {
        total - a
    } else {
        total * percents[1] / 100
    };
    [a, b, total - a - b]
}

/// Rows of data a bordered list shows (minus a header row when it has one).
pub fn list_rows(area: Rect, header: bool) -> usize {
    area.height.saturating_sub(BORDERS + u16::from(header)) as usize
}

pub fn contains(area: Rect, column: u16, row: u16) -> bool {
    area.width > 0
        && column >= area.x
        && column < area.x + area.width
        && row >= area.y
        && row < area.y + area.height
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_fill_the_width() {
        for width in [60u16, 80, 100, 143] {
            for focus in [Pane::Repos, Pane::Tags, Pane::Detail] {
                let a = areas(Rect::new(0, 0, width, 30), focus);
                assert_eq!(a.repos.width + a.tags.width + a.detail.width, width);
                assert_eq!(a.status.y, 28);
                assert_eq!(a.hints.y, 29);
            }
        }
        let narrow = areas(Rect::new(0, 0, 60, 20), Pane::Tags);
        assert_eq!(narrow.repos.width, 0);
    }
}
