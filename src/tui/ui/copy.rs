//! The copy dialog: destination prompt, preview, progress, outcome.

use super::text::{bar, clean, fit, size};
use super::theme::Theme;
use crate::ops::copy::{CopyBatch, CopyPlan};
use crate::tui::job::CopyProgress;
use crate::tui::state::copy::{CopyDialog, CopyStage};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// Candidates listed under the prompt.
const SHOWN_CANDIDATES: usize = 5;
const BAR: usize = 20;

pub fn render(dialog: &CopyDialog, frame: &mut Frame, area: Rect, theme: &Theme) {
    let width = crate::tui::layout::delete_dialog_width(area.width);
    let text = usize::from(width.saturating_sub(2));
    let mut lines = vec![Line::raw(fit(
        &format!("copy {}", clean(&dialog.what())),
        text,
    ))];
    let cursor = stage_lines(&dialog.stage, text, theme, &mut lines);
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let popup = crate::tui::layout::dialog_area(area, width, height);
    frame.render_widget(Clear, popup);
    let block = super::pane_block(" Copy ", true, theme);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
    if let Some(column) = cursor {
        let x = popup.x.saturating_add(3).saturating_add(column);
        let y = popup.y.saturating_add(2);
        frame.set_cursor_position(Position::new(x.min(popup.right().saturating_sub(2)), y));
    }
}

/// The stage's lines; where the cursor goes when one is typing.
fn stage_lines(
    stage: &CopyStage,
    width: usize,
    theme: &Theme,
    lines: &mut Vec<Line<'static>>,
) -> Option<u16> {
    let to = |destination: &str| Line::raw(fit(&format!("to {}", clean(destination)), width));
    match stage {
        CopyStage::Destination {
            input,
            candidates,
            error,
        } => return destination_lines(input, candidates, error.as_deref(), width, theme, lines),
        CopyStage::Planning { destination } => {
            let asking = format!("asking {} what it has…", clean(destination));
            lines.push(Line::styled(fit(&asking, width), theme.dim));
        }
        CopyStage::Preview { destination, batch } => {
            lines.push(to(destination));
            preview_lines(batch, width, lines);
            lines.push(Line::styled(
                fit("Enter copies · Esc cancels", width),
                theme.key,
            ));
        }
        CopyStage::Copying {
            destination,
            batch,
            progress,
            ..
        } => {
            lines.push(to(destination));
            progress_lines(batch, progress, width, lines);
            let esc = "Esc stops between blobs (nothing half-copied is tagged)";
            lines.push(Line::styled(fit(esc, width), theme.dim));
        }
        CopyStage::Done { summary, failed } => {
            let style = if *failed { theme.error } else { theme.accent };
            lines.push(Line::styled(fit(&clean(summary), width), style));
            lines.push(Line::styled(fit("any key closes", width), theme.dim));
        }
    }
    None
}

/// The prompt, the candidates its text starts, the error, the keys.
fn destination_lines(
    input: &tui_input::Input,
    candidates: &[String],
    error: Option<&str>,
    width: usize,
    theme: &Theme,
    lines: &mut Vec<Line<'static>>,
) -> Option<u16> {
    let scroll = input.visual_scroll(width.saturating_sub(2));
    let typed: String = input.value().chars().skip(scroll).collect();
    let shown = fit(&clean(&typed), width.saturating_sub(2));
    lines.push(Line::from(vec![
        Span::styled("> ", theme.key),
        Span::raw(shown),
    ]));
    let typed = input.value();
    let matching = candidates
        .iter()
        .filter(|c| !typed.is_empty() && c.starts_with(typed));
    for c in matching.take(SHOWN_CANDIDATES) {
        lines.push(Line::styled(
            fit(&format!("  {}", clean(c)), width),
            theme.dim,
        ));
    }
    if let Some(e) = error {
        lines.push(Line::styled(fit(&clean(e), width), theme.error));
    }
    let keys = "to host/repo[:tag] or oci:DIR[:TAG] · Tab completes · Enter checks · Esc cancels";
    lines.push(Line::styled(fit(keys, width), theme.dim));
    Some(u16::try_from(input.visual_cursor().saturating_sub(scroll)).unwrap_or(u16::MAX))
}

/// One line per tag: what moves, what mounts, what is there; then the totals.
fn preview_lines(batch: &CopyBatch, width: usize, lines: &mut Vec<Line<'static>>) {
    for plan in &batch.plans {
        lines.push(Line::raw(fit(&format!("  {}", plan_line(plan)), width)));
        for step in &plan.manifests {
            if let (Some(tag), Some(old)) = (&step.tag, &step.replaces) {
                let moves = format!("    moves {} from {}", clean(tag), old.short());
                lines.push(Line::raw(fit(&moves, width)));
            }
        }
    }
    let t = batch.totals();
    let reads: usize = batch.plans.iter().map(|p| p.source_manifest_reads).sum();
    lines.push(Line::raw(fit(
        &format!(
            "moves {} · mounts {} · {} blobs already there · {reads} manifest reads",
            size(t.bytes_copied),
            size(t.bytes_mounted),
            t.blobs_skipped
        ),
        width,
    )));
}

fn plan_line(plan: &CopyPlan) -> String {
    let t = plan.totals();
    let tag = plan
        .tag
        .as_deref()
        .map_or_else(|| plan.digest.short(), |t| clean(t).to_string());
    format!(
        "{tag}: copy {} blobs ({}), mount {}, there {}; {} manifests to store",
        t.blobs_copied,
        size(t.bytes_copied),
        t.blobs_mounted,
        t.blobs_skipped,
        t.manifests_copied
    )
}

fn progress_lines(
    batch: &CopyBatch,
    progress: &[CopyProgress],
    width: usize,
    lines: &mut Vec<Line<'static>>,
) {
    for (plan, p) in batch.plans.iter().zip(progress) {
        let t = plan.totals();
        let tag = plan
            .tag
            .as_deref()
            .map_or_else(|| plan.digest.short(), |t| clean(t).to_string());
        let blobs = t.blobs_copied + t.blobs_mounted;
        // A refused mount is copied: its bytes count too.
        let total = t.bytes_copied.saturating_add(t.bytes_mounted);
        let mark = if p.done { "done" } else { "" };
        let line = format!(
            "  {tag} {} {}/{} · {}/{blobs} blobs {mark}",
            bar(p.bytes, total.max(1), BAR),
            size(p.bytes),
            size(total),
            p.blobs
        );
        lines.push(Line::raw(fit(&line, width)));
    }
}
