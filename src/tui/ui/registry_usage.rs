//! The registry's usage on the whole screen: a row per repository with its
//! stored, only-here and shared bytes, tags, images, a bar, and how old the
//! figures are.

use super::text::{ago_seconds, bar, clean, fit, size};
use super::theme::Theme;
use crate::tui::state::State;
use crate::tui::state::registry_usage::{RegistryRow, RegistrySort, RegistryUsageView, RowState};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// The figure columns with the space before each: tags, images, three
/// sizes, the one before the bar, and the age after it.
const FIGURES: usize = 7 + 8 + 3 * 11 + 1 + 10;

pub fn render(
    view: &RegistryUsageView,
    state: &State,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
) {
    let inner = usize::from(area.width.saturating_sub(2));
    let bar_width = inner.saturating_sub(FIGURES + 16).clamp(0, 24);
    let name_width = inner.saturating_sub(FIGURES + bar_width).max(8);
    let title = format!(" {} ", fit(&title(view, state), inner.saturating_sub(2)));
    let mut lines = vec![header(view, name_width, bar_width, theme)];
    let rows = crate::tui::layout::screen_body_rows(area, 1);
    let largest = view.largest();
    let selected = view.cursor().selected();
    for (pos, row) in view.visible().take(rows) {
        let style = super::row_style(pos == selected, true, Style::default(), theme);
        lines.push(row_line(
            row,
            state,
            name_width,
            (bar_width, largest),
            style,
            theme,
        ));
    }
    frame.render_widget(Clear, area);
    let block = super::pane_block(&title, true, theme);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The registry, its unique total, and how many rows are still missing.
fn title(view: &RegistryUsageView, state: &State) -> String {
    let registry = clean(&state.source_name);
    let total = view.totals().map_or(0, |t| t.total_unique_bytes);
    let known = view.count(|s| matches!(s, RowState::Stored(_) | RowState::Fresh));
    let all = view.count(|_| true);
    let order = format!(
        "sorted by {}{}",
        view.sort().label(),
        if view.reversed() { " (reversed)" } else { "" }
    );
    let missing = if known < all {
        // Bytes shared with a repository not read yet count as only-here.
        format!(" ({known} of {all} repositories known; only-here at most)")
    } else {
        format!(" in {all} repositories")
    };
    format!(
        "usage of {registry}: {} unique{missing}, {order}",
        size(total)
    )
}

fn header(view: &RegistryUsageView, name: usize, bar_width: usize, theme: &Theme) -> Line<'static> {
    let mark = |sort: RegistrySort, label: &str| {
        if view.sort() == sort {
            format!("{label}▼")
        } else {
            label.to_string()
        }
    };
    Line::styled(
        format!(
            "{:<name$} {:>6} {:>7} {:>10} {:>10} {:>10} {:<bar_width$} {:>9}",
            mark(RegistrySort::Name, "REPOSITORY"),
            mark(RegistrySort::Tags, "TAGS"),
            mark(RegistrySort::Images, "IMAGES"),
            mark(RegistrySort::Stored, "STORED"),
            mark(RegistrySort::OnlyHere, "ONLY HERE"),
            mark(RegistrySort::Shared, "SHARED"),
            "",
            "AS OF",
        ),
        theme.header,
    )
}

fn row_line(
    row: &RegistryRow,
    state: &State,
    name_width: usize,
    (bar_width, largest): (usize, u64),
    style: Style,
    theme: &Theme,
) -> Line<'static> {
    let name = fit(&clean(&row.repository), name_width);
    let age = match &row.state {
        RowState::Stored(at) => ago_seconds(*at, state.now),
        RowState::Fresh => "now".to_string(),
        RowState::Loading => "…".to_string(),
        RowState::Unknown => "not read".to_string(),
        RowState::Failed(_) => "failed".to_string(),
    };
    let Some(b) = &row.bytes else {
        let why = match &row.state {
            RowState::Failed(e) => fit(&clean(e), FIGURES + bar_width),
            _ => String::new(),
        };
        let style = if why.is_empty() { style } else { theme.error };
        return Line::from(vec![
            Span::styled(format!("{name:<name_width$} "), style),
            Span::styled(
                format!("{why:<w$}", w = FIGURES + bar_width - 11),
                theme.dim,
            ),
            Span::styled(format!(" {age:>9}"), theme.dim),
        ]);
    };
    Line::from(vec![
        Span::styled(
            format!(
                "{name:<name_width$} {:>6} {:>7} {:>10} {:>10} {:>10} ",
                b.tags,
                b.images,
                size(b.unique_bytes),
                size(b.exclusive_bytes),
                size(b.shared_bytes)
            ),
            style,
        ),
        Span::styled(
            bar(b.exclusive_bytes, largest, bar_width)
                .trim_end()
                .to_string(),
            theme.bar,
        ),
        Span::styled(shared_cells(b, largest, bar_width), theme.dim),
        Span::styled(format!(" {age:>9}"), theme.dim),
    ])
}

/// The stored bar's shared part (`░`), after the only-here part, padded to `width`.
fn shared_cells(
    b: &crate::model::registry_usage::RepositoryBytes,
    largest: u64,
    width: usize,
) -> String {
    let used = bar(b.exclusive_bytes, largest, width)
        .trim_end()
        .chars()
        .count();
    let stored = bar(b.unique_bytes, largest, width)
        .trim_end()
        .chars()
        .count();
    let shared = stored.saturating_sub(used);
    format!(
        "{}{}",
        "░".repeat(shared),
        " ".repeat(width.saturating_sub(used + shared))
    )
}
