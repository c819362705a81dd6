//! The tags pane: columns fill in as summaries arrive; narrow panes drop columns.

use super::text::{ago_seconds, clean, fit, size};
use super::theme::Theme;
use crate::tui::state::{Load, Pane, State, TagRow};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Column {
    Tag,
    Digest,
    Size,
    Created,
    Platforms,
    Kind,
    /// The planner's verdict and its reason.
    Plan,
    /// Signed, attested, SBOM, referrers: what the tag names attach.
    Refs,
    /// Verified, unverified or unsigned against the repository's key.
    Signed,
}

impl Column {
    /// The tag column takes what the others leave.
    fn constraint(self) -> Constraint {
        match self {
            Column::Tag => Constraint::Min(self.width()),
            _ => Constraint::Length(self.width()),
        }
    }

    fn title(self) -> &'static str {
        match self {
            Column::Tag => "TAG",
            Column::Digest => "DIGEST",
            Column::Size => "SIZE",
            Column::Created => "CREATED",
            Column::Platforms => "PLATFORMS",
            Column::Kind => "KIND",
            Column::Plan => "PLAN",
            Column::Refs => "REFS",
            Column::Signed => "SIGNED",
        }
    }

    fn width(self) -> u16 {
        match self {
            Column::Tag => 12,
            Column::Digest => 12,
            Column::Size => 9,
            Column::Created => 8,
            Column::Platforms => 14,
            Column::Kind => 9,
            Column::Plan => 28,
            Column::Refs => 4,
            Column::Signed => 10,
        }
    }
}

/// Columns in the order they are dropped last to first; shown in display order.
const PRIORITY: [Column; 9] = [
    Column::Tag,
    Column::Plan,
    Column::Size,
    Column::Signed,
    Column::Refs,
    Column::Platforms,
    Column::Created,
    Column::Kind,
    Column::Digest,
];
const DISPLAY: [Column; 9] = [
    Column::Tag,
    Column::Plan,
    Column::Refs,
    Column::Signed,
    Column::Digest,
    Column::Size,
    Column::Created,
    Column::Platforms,
    Column::Kind,
];

fn columns_for(width: u16, planning: bool, refs: bool, signed: bool) -> Vec<Column> {
    let mut used = 0;
    let mut chosen = Vec::new();
    let wanted = |c: &Column| match c {
        Column::Plan => planning,
        Column::Refs => refs,
        Column::Signed => signed,
        _ => true,
    };
    for column in PRIORITY.into_iter().filter(wanted) {
        let need = column.width() + 1;
        if used + need <= width || column == Column::Tag {
            used += need;
            chosen.push(column);
        }
    }
    DISPLAY.into_iter().filter(|c| chosen.contains(c)).collect()
}

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let list = &state.tags.list;
    let focused = state.focus == Pane::Tags;
    let block = super::pane_block(&title(state), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if list.visible_len() == 0 {
        let message = empty_message(state, theme);
        frame.render_widget(Paragraph::new(message).wrap(Wrap { trim: true }), inner);
        return;
    }
    if state.usage.shown() {
        return super::usage::render(state, frame, inner, theme);
    }
    render_table(state, frame, inner, theme);
}

/// The repository, the count, the order, and what the listing is doing.
fn title(state: &State) -> String {
    let list = &state.tags.list;
    let mut title = match state.tags.repo() {
        Some(repo) => format!(
            " {} ({}) sort: {}{} ",
            clean(repo),
            list.visible_len(),
            list.sort().label(),
            if list.reversed() { "↑" } else { "" }
        ),
        None => " Tags ".to_string(),
    };
    if !list.filter().is_empty() {
        title.push_str(&format!("/{} ", clean(list.filter())));
    }
    if state.tags.load == Load::Loading && state.tags.stale_since.is_none() && !list.is_empty() {
        title.push_str("listing… ");
    }
    if let Some(seen) = state.tags.stale_since {
        let progress = if matches!(state.tags.load, Load::Failed(_)) {
            "not revalidated"
        } else {
            "revalidating"
        };
        title.push_str(&format!(
            "as of {}, {progress} ",
            ago_seconds(seen, state.now)
        ));
    }
    title
}

/// What an empty pane says.
fn empty_message(state: &State, theme: &Theme) -> Line<'static> {
    let list = &state.tags.list;
    match &state.tags.load {
        Load::Idle => Line::styled("open a repository", theme.dim),
        Load::Loading => Line::styled("loading tags…", theme.dim),
        Load::Failed(e) => Line::styled(clean(e).to_string(), theme.error),
        Load::Done if !list.filter().is_empty() => Line::styled("no match", theme.dim),
        Load::Done => Line::styled("no tags", theme.dim),
    }
}

fn render_table(state: &State, frame: &mut Frame, inner: Rect, theme: &Theme) {
    let list = &state.tags.list;
    let focused = state.focus == Pane::Tags;
    let planner = match &state.screen {
        Some(crate::tui::state::Screen::Planner(p)) => Some(p.as_ref()),
        _ => None,
    };
    let planning = planner.is_some_and(|p| matches!(p.outcome(), Some(Ok(_))));
    let signed = state
        .tags
        .repo()
        .is_some_and(|r| state.settings.verify_key(&state.source_name, r).is_some());
    let columns = columns_for(inner.width, planning, list.has_attached(), signed);
    let tag_width = tag_column_width(&columns, inner.width);
    let cursor = list.cursor();
    let rows: Vec<Row> = list
        .visible_from(cursor.offset())
        .take(inner.height.saturating_sub(1) as usize)
        .map(|(pos, row)| {
            let normal = if row.signature {
                theme.dim
            } else {
                Style::default()
            };
            let style = super::row_style(pos == cursor.selected(), focused, normal, theme);
            Row::new(columns.iter().map(|c| match c {
                Column::Plan => verdict_cell(planner, &row.name, theme),
                _ => cell(*c, row, tag_width, state, theme),
            }))
            .style(style)
        })
        .collect();
    let widths: Vec<Constraint> = columns.iter().map(|c| c.constraint()).collect();
    let header = Row::new(columns.iter().map(|c| Cell::from(c.title()))).style(theme.header);
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}

/// `DELETE older than 90d` / `keep   newest 10`, as the planner judges the tag.
fn verdict_cell<'a>(
    planner: Option<&crate::tui::state::planner::Planner>,
    tag: &str,
    theme: &Theme,
) -> Cell<'a> {
    let width = Column::Plan.width() as usize;
    match planner.and_then(|p| p.verdict(tag)) {
        Some(v) if v.delete => {
            Cell::from(fit(&format!("DELETE {}", clean(&v.reason)), width)).style(theme.error)
        }
        Some(v) => Cell::from(fit(&format!("keep   {}", clean(&v.reason)), width)).style(theme.dim),
        None => Cell::from("…").style(theme.dim),
    }
}

/// What the tag column gets: the pane's width less the other columns and gaps.
fn tag_column_width(columns: &[Column], width: u16) -> usize {
    let others: u16 = columns
        .iter()
        .filter(|c| **c != Column::Tag)
        .map(|c| c.width() + 1)
        .sum();
    usize::from(width.saturating_sub(others).max(Column::Tag.width()))
}

fn cell<'a>(
    column: Column,
    row: &'a TagRow,
    tag_width: usize,
    state: &State,
    theme: &Theme,
) -> Cell<'a> {
    let summary = row.summary.as_deref();
    let pending = || Cell::from("…").style(theme.dim);
    match column {
        Column::Tag => tag_cell(row, tag_width, state, theme),
        Column::Digest => {
            summary.map_or_else(pending, |s| Cell::from(s.digest.short().to_string()))
        }
        Column::Size => {
            summary.map_or_else(pending, |s| Cell::from(format!("{:>9}", size(s.size))))
        }
        Column::Created => match summary.map(|s| s.created) {
            Some(Some(created)) => Cell::from(ago_seconds(created, state.now)),
            Some(None) => Cell::from("-"),
            None => pending(),
        },
        Column::Platforms => summary.map_or_else(pending, |s| {
            Cell::from(platforms(&s.platforms, Column::Platforms.width() as usize))
        }),
        Column::Plan => pending(),
        Column::Refs => match summary {
            Some(s) => match (state.tags.list.attached(&s.digest), s.referred) {
                (None, None) => Cell::from("····").style(theme.dim),
                (a, b) => {
                    let both = a.unwrap_or_default().union(b.unwrap_or_default());
                    Cell::from(both.badges()).style(theme.accent)
                }
            },
            None => pending(),
        },
        // Signatures and referrer tags are not images to sign.
        Column::Signed if row.signature => Cell::from("-").style(theme.dim),
        Column::Signed => signed_cell(summary, state, theme),
        Column::Kind => match (summary, &row.error) {
            (_, Some(_)) => Cell::from("error").style(theme.error),
            (Some(s), None) if s.missing.is_some() => {
                Cell::from(format!("! {}", s.kind.label())).style(theme.error)
            }
            (Some(s), None) => Cell::from(s.kind.label()),
            (None, None) => pending(),
        },
    }
}

/// The name, after `*` when marked, `P` when protected (a protect list names
/// its digest or tag: deletion keeps it), `!` when broken, and `N`/`M` when
/// new or moved since the last visit: letters that read without colour.
fn tag_cell<'a>(row: &TagRow, tag_width: usize, state: &State, theme: &Theme) -> Cell<'a> {
    let marked = state.tags.list.is_marked(&row.name);
    let broken = row.summary.as_deref().is_some_and(|s| s.missing.is_some());
    let protected = is_protected(row, state);
    let change = state.change_mark(row);
    let mut prefix: String = [(marked, '*'), (protected, 'P'), (broken, '!')]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, c)| *c)
        .chain(change.map(|c| c.letter()))
        .collect();
    if prefix.chars().count() == 1 {
        prefix.push(' ');
    }
    let style = match (marked, broken, protected) {
        (true, _, _) | (false, false, true) => theme.accent,
        (false, true, _) => theme.error,
        (false, false, false) => Style::default(),
    };
    Cell::from(fit(&format!("{prefix}{}", clean(&row.name)), tag_width)).style(style)
}

/// `verified`, `UNVERIFIED` or `unsigned` (words that read without colour).
fn signed_cell<'a>(
    summary: Option<&crate::ops::summary::TagSummary>,
    state: &State,
    theme: &Theme,
) -> Cell<'a> {
    use crate::ops::supply::Standing;
    let standing = summary.and_then(|s| state.tags.signed.get(&s.digest).copied().flatten());
    match standing {
        Some(Standing::Verified) => Cell::from("verified").style(theme.accent),
        Some(Standing::Unverified) => Cell::from("UNVERIFIED").style(theme.error),
        Some(Standing::Unsigned) => Cell::from("unsigned").style(theme.dim),
        None => Cell::from("…").style(theme.dim),
    }
}

fn is_protected(row: &TagRow, state: &State) -> bool {
    let Ok(protected) = &state.settings.protection else {
        return false;
    };
    if protected.is_empty() {
        return false;
    }
    let by_digest = row
        .summary
        .as_deref()
        .is_some_and(|s| protected.protects_digest(&s.digest));
    let repo = state.tags.repo().unwrap_or_default();
    by_digest || protected.protects_tag(&state.source_name, repo, &row.name)
}

/// `amd64 arm64 +2`: architectures (with variant), as many as fit.
fn platforms(list: &[String], width: usize) -> String {
    let short: Vec<String> = list
        .iter()
        .map(|p| clean(p.split_once('/').map_or(p, |(_, arch)| arch)).to_string())
        .collect();
    let mut out = String::new();
    for (i, p) in short.iter().enumerate() {
        let rest = short.len() - i - 1;
        let suffix = if rest > 0 {
            format!(" +{rest}")
        } else {
            String::new()
        };
        let candidate = if out.is_empty() {
            p.clone()
        } else {
            format!("{out} {p}")
        };
        if candidate.chars().count() + suffix.chars().count() > width && !out.is_empty() {
            return format!("{out} +{}", short.len() - i);
        }
        out = candidate;
    }
    fit(&out, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_lists_shorten() {
        let list: Vec<String> = [
            "linux/amd64",
            "linux/arm64/v8",
            "linux/s390x",
            "linux/ppc64le",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(platforms(&list[..1], 14), "amd64");
        assert_eq!(platforms(&list, 14), "amd64 +3");
        assert_eq!(platforms(&list, 30), "amd64 arm64/v8 s390x ppc64le");
    }

    #[test]
    fn columns_drop_by_priority() {
        assert_eq!(columns_for(80, false, false, false).len(), 6);
        let narrow = columns_for(40, false, false, false);
        assert!(
            narrow.contains(&Column::Tag)
                && narrow.contains(&Column::Size)
                && narrow.contains(&Column::Platforms)
        );
        assert!(!narrow.contains(&Column::Digest));
        assert_eq!(columns_for(10, false, false, false), vec![Column::Tag]);
        // Planning, the verdict comes right after the tag.
        let planning = columns_for(60, true, false, false);
        assert_eq!(&planning[..2], [Column::Tag, Column::Plan]);
        assert!(!columns_for(200, false, false, false).contains(&Column::Plan));
        assert!(!columns_for(200, false, false, false).contains(&Column::Refs));
        assert_eq!(&columns_for(200, false, true, false)[1..2], [Column::Refs]);
    }
}
