//! The retention planner's fields and its running total, in the detail pane's
//! place; each tag's verdict shows in the tags pane.

use super::text::{clean, fit, size};
use super::theme::Theme;
use crate::tui::state::planner::{FIELDS, PlanData, Planner, UNDATED};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Columns before a field's value.
const LABEL: u16 = 16;

pub fn render(planner: &Planner, frame: &mut Frame, area: Rect, theme: &Theme) {
    let title = format!(" Plan {} ", clean(planner.repo()));
    let block = super::pane_block(&title, true, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines = Vec::new();
    for (i, label) in FIELDS.iter().enumerate() {
        let style = if planner.focus() == i {
            theme.selected
        } else {
            theme.key
        };
        let value = fit(
            &clean(planner.fields()[i].value()),
            width.saturating_sub(usize::from(LABEL)),
        );
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<w$}", w = usize::from(LABEL)), style),
            Span::raw(value),
        ]));
    }
    let toggle = if planner.include_undated() {
        "[x]"
    } else {
        "[ ]"
    };
    let style = if planner.focus() == UNDATED {
        theme.selected
    } else {
        theme.key
    };
    lines.push(Line::from(vec![
        Span::styled(
            format!("{:<w$}", "include undated", w = usize::from(LABEL)),
            style,
        ),
        Span::raw(toggle),
    ]));
    lines.push(Line::raw(""));
    lines.extend(summary(planner, theme));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    if planner.focus() < UNDATED {
        let input = &planner.fields()[planner.focus()];
        let typed = u16::try_from(input.visual_cursor()).unwrap_or(u16::MAX);
        let x = inner.x.saturating_add(LABEL).saturating_add(typed);
        let y = inner
            .y
            .saturating_add(u16::try_from(planner.focus()).unwrap_or(0));
        if x < inner.right() && y < inner.bottom() {
            frame.set_cursor_position(Position::new(x, y));
        }
    }
}

fn summary<'a>(planner: &Planner, theme: &Theme) -> Vec<Line<'a>> {
    match (&planner.data(), &planner.outcome()) {
        (PlanData::Loading, _) | (PlanData::Ready(_), None) => {
            vec![Line::styled("sizing every tag…", theme.dim)]
        }
        (PlanData::Failed(e), _) => vec![Line::styled(clean(e).to_string(), theme.error)],
        (_, Some(Err(why))) => vec![Line::styled(clean(why).to_string(), theme.error)],
        (_, Some(Ok(outcome))) => {
            let prune = &outcome.prune;
            let tags: usize = prune.plan.delete.iter().map(|d| d.tags.len()).sum();
            vec![
                Line::styled(
                    format!(
                        "deletes {tags} tags, {} of {} images",
                        prune.plan.delete.len(),
                        prune.images
                    ),
                    theme.accent,
                ),
                Line::raw(format!(
                    "frees {} after garbage collection (upper bound: other repositories may share layers)",
                    size(prune.bytes_freed)
                )),
                match &prune.refused {
                    Some(why) => {
                        Line::styled(format!("past the brake: {}", clean(why)), theme.error)
                    }
                    None => Line::styled(
                        format!(
                            "brake: at most {}% of the images",
                            prune.brakes.max_delete_percent
                        ),
                        theme.dim,
                    ),
                },
                Line::raw(""),
                Line::styled("Enter reviews the plan · Esc closes", theme.dim),
            ]
        }
    }
}

/// The status-line total: "N tags, M images, frees X".
pub fn total(planner: &Planner) -> Option<String> {
    let outcome = planner.outcome().as_ref()?.as_ref().ok()?;
    let prune = &outcome.prune;
    let tags: usize = prune.plan.delete.iter().map(|d| d.tags.len()).sum();
    Some(format!(
        "plan: {tags} tags, {} images, frees {}",
        prune.plan.delete.len(),
        size(prune.bytes_freed)
    ))
}
