//! The usage view inside the tags pane: per tag, bars of exclusive and shared bytes.

use super::text::{bar, clean, fit, size};
use super::theme::Theme;
use crate::tui::state::{Load, Pane, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Columns besides the tag and the two bars: two sizes and the spaces between.
const FIGURE_COLUMNS: usize = 22;

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(data) = state.usage.data() else {
        let text = not_ready(state, theme);
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    };
    let list = &state.tags.list;
    let width = area.width as usize;
    let bar_width = width.saturating_sub(36).clamp(4, 20) / 2;
    let tag_width = width.saturating_sub(2 * bar_width + FIGURE_COLUMNS).max(6);
    let mut lines = vec![total_line(state, data, theme)];
    lines.push(Line::styled(
        format!(
            "{:<tag_width$} {:<w$} {:>9} {:<w$} {:>9}",
            "TAG",
            "EXCLUSIVE",
            "",
            "SHARED",
            "",
            w = bar_width
        ),
        theme.header,
    ));
    let max = data
        .usage
        .tags
        .iter()
        .map(|t| t.exclusive_bytes.max(t.shared_bytes))
        .max()
        .unwrap_or(0);
    let focused = state.focus == Pane::Tags;
    let rows = (area.height as usize).saturating_sub(2);
    let cursor = list.cursor();
    let columns = Columns {
        tag: tag_width,
        bar: bar_width,
        max,
    };
    for (pos, row) in list.visible_from(cursor.offset()).take(rows) {
        let mark = if list.is_marked(&row.name) { "* " } else { "" };
        let name = fit(&format!("{mark}{}", clean(&row.name)), tag_width);
        let style = super::row_style(pos == cursor.selected(), focused, Style::default(), theme);
        let figures = state.usage.figures(&row.name);
        lines.push(tag_line(&name, figures, &columns, style, theme));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The repository's unique bytes, and what the marked tags would free.
fn total_line(state: &State, data: &crate::ops::usage::UsageData, theme: &Theme) -> Line<'static> {
    let marked = state
        .usage
        .marked_freed()
        .filter(|_| state.tags.list.has_marks())
        .map(|b| format!("   marked frees {}", size(b)))
        .unwrap_or_default();
    Line::from(vec![
        Span::styled("unique ", theme.dim),
        Span::raw(size(data.usage.total_unique_bytes)),
        Span::styled(marked, theme.accent),
    ])
}

/// What the view says before its figures are there.
fn not_ready(state: &State, theme: &Theme) -> Line<'static> {
    match &state.usage.load {
        Load::Failed(e) => Line::styled(clean(e).to_string(), theme.error),
        _ => {
            let repo = clean(state.tags.repo().unwrap_or(""));
            Line::styled(format!("sizing every tag of {repo}…"), theme.dim)
        }
    }
}

/// Widths of the tag and bar columns, and the largest figure (a full bar).
struct Columns {
    tag: usize,
    bar: usize,
    max: u64,
}

fn tag_line(
    name: &str,
    figures: Option<&crate::model::usage::TagUsage>,
    c: &Columns,
    style: Style,
    theme: &Theme,
) -> Line<'static> {
    let tag_width = c.tag;
    match figures {
        Some(t) => Line::from(vec![
            Span::styled(format!("{name:<tag_width$} "), style),
            Span::styled(bar(t.exclusive_bytes, c.max, c.bar), theme.bar),
            Span::styled(format!(" {:>9} ", size(t.exclusive_bytes)), style),
            Span::styled(bar(t.shared_bytes, c.max, c.bar), theme.dim),
            Span::styled(format!(" {:>9}", size(t.shared_bytes)), style),
        ]),
        None => Line::styled(format!("{name:<tag_width$} …"), style),
    }
}
