//! The detail pane: an index's platforms, an image's layers and config, or raw JSON.

use super::text::{ago, bar, clean, fit, size};
use super::theme::Theme;
use crate::ops::detail::{Detail, PlatformRow};
use crate::tui::state::{DetailEntry, DetailView, Pane, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let focused = state.focus == Pane::Detail;
    let entry = state.detail.top();
    let title = match entry {
        Some(e) if state.detail.raw => format!(" {} — raw JSON ", clean(&e.title)),
        Some(e) => format!(" {} ", clean(&e.title)),
        None => " Detail ".to_string(),
    };
    let block = super::pane_block(&title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(entry) = entry else {
        let hint = match state.tags.selected_row() {
            Some(row) if row.error.is_some() => Line::styled(
                clean(row.error.as_deref().unwrap_or("")).to_string(),
                theme.error,
            ),
            Some(row) => Line::styled(format!("resolving {}…", clean(&row.name)), theme.dim),
            None => Line::styled("select a tag", theme.dim),
        };
        frame.render_widget(Paragraph::new(hint).wrap(Wrap { trim: true }), inner);
        return;
    };
    let lines = match &entry.view {
        DetailView::Loading => vec![Line::styled("loading…", theme.dim)],
        DetailView::Failed(e) => vec![Line::styled(clean(e).to_string(), theme.error)],
        DetailView::Loaded(data) if state.detail.raw => data
            .raw_lines
            .iter()
            .skip(entry.cursor.offset)
            .take(inner.height as usize)
            .map(|l| Line::raw(l.clone()))
            .collect(),
        DetailView::Loaded(data) => match &data.detail {
            Detail::Index {
                manifest,
                platforms,
            } => index_lines(
                entry,
                &manifest.digest.to_string(),
                platforms,
                inner,
                focused,
                theme,
            ),
            Detail::Image { .. } => image_lines(&data.detail, state, inner.width as usize, theme)
                .into_iter()
                .skip(entry.cursor.offset)
                .collect(),
            Detail::Other { manifest } => vec![
                Line::raw(format!(
                    "{} ({})",
                    clean(&manifest.media_type),
                    crate::model::report::kind_name(manifest.kind)
                )),
                Line::styled("press J for the raw document", theme.dim),
            ],
        },
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

fn index_lines<'a>(
    entry: &DetailEntry,
    digest: &str,
    platforms: &[PlatformRow],
    area: Rect,
    focused: bool,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let width = area.width as usize;
    let show_digest = width >= 46;
    let name_width = width
        .saturating_sub(if show_digest { 24 } else { 10 })
        .min(24);
    let mut header = format!("{:<name_width$} {:>9}", "PLATFORM", "SIZE");
    if show_digest {
        header.push_str("  DIGEST");
    }
    let mut lines = vec![
        Line::from(vec![
            Span::styled("index ", theme.accent),
            Span::raw(fit(digest, width.saturating_sub(6))),
        ]),
        Line::styled(header, theme.header),
    ];
    let rows = (area.height as usize).saturating_sub(2);
    for (i, p) in platforms
        .iter()
        .enumerate()
        .skip(entry.cursor.offset)
        .take(rows)
    {
        let label = if p.attestation {
            "attestation".to_string()
        } else {
            clean(&p.platform).to_string()
        };
        let mut text = format!(
            "{:<name_width$} {:>9}",
            fit(&label, name_width),
            size(p.size)
        );
        if show_digest {
            text.push_str(&format!("  {}", p.digest.short()));
        }
        let style = match (i == entry.cursor.selected, focused) {
            (true, true) => theme.selected,
            (true, false) => theme.selected_unfocused,
            _ if p.attestation => theme.dim,
            _ => Default::default(),
        };
        lines.push(Line::styled(
            format!("{:<width$}", fit(&text, width)),
            style,
        ));
    }
    lines
}

/// Every line of an image view (the caller scrolls).
pub fn image_lines<'a>(
    detail: &Detail,
    state: &State,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let Detail::Image {
        manifest,
        config,
        report,
    } = detail
    else {
        return Vec::new();
    };
    let parsed = config.as_ref().and_then(|c| c.parsed.as_ref());
    let mut lines = vec![Line::from(vec![
        Span::styled(
            clean(report.platform.as_deref().unwrap_or("image")).to_string(),
            theme.accent,
        ),
        Span::raw(format!(
            "  {}  {}",
            size(report.size),
            manifest.digest.short()
        )),
        Span::styled(
            report
                .created
                .as_deref()
                .map(|c| format!("  created {}", ago(c, state.now)))
                .unwrap_or_default(),
            theme.dim,
        ),
    ])];
    let users = &state.usage.object_tags;
    let show_users = !users.is_empty();
    let used_header = if show_users { " TAGS" } else { "" };
    lines.push(Line::styled(
        format!(
            "{:<10} {:>9} {:>4}{used_header}  CREATED BY",
            "LAYERS", "SIZE", "%"
        ),
        theme.header,
    ));
    let max = report.layers.iter().map(|l| l.size).max().unwrap_or(0);
    for layer in &report.layers {
        let share = (layer.size.saturating_mul(100))
            .checked_div(report.size)
            .unwrap_or(0);
        let step = clean(layer.created_by.as_deref().unwrap_or(""))
            .trim()
            .to_string();
        let step = step
            .strip_prefix("/bin/sh -c ")
            .unwrap_or(&step)
            .to_string();
        let used = match layer
            .digest
            .parse::<crate::oci::digest::Digest>()
            .ok()
            .and_then(|d| users.get(&d))
        {
            Some(n) if show_users => format!(" {n:>4}"),
            _ if show_users => "    -".to_string(),
            _ => String::new(),
        };
        let rest = width.saturating_sub(28 + used.len());
        lines.push(Line::from(vec![
            Span::styled(bar(layer.size, max, 10), theme.bar),
            Span::raw(format!(" {:>9} {:>3}%{used}  ", size(layer.size), share)),
            Span::raw(fit(&step, rest)),
        ]));
    }
    let Some(run) = parsed.and_then(|p| p.config.as_ref()) else {
        return lines;
    };
    lines.push(Line::raw(""));
    lines.push(Line::styled("CONFIG", theme.header));
    let join = |v: &Option<Vec<String>>| v.as_ref().map(|v| clean(&v.join(" ")).to_string());
    let mut field = |name: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            lines.push(Line::from(vec![
                Span::styled(format!("{name:<11}"), theme.key),
                Span::raw(fit(&value, width.saturating_sub(11))),
            ]));
        }
    };
    field("entrypoint", join(&run.entrypoint));
    field("cmd", join(&run.cmd));
    field(
        "workdir",
        run.working_dir.as_deref().map(|w| clean(w).to_string()),
    );
    field("user", run.user.as_deref().map(|u| clean(u).to_string()));
    field(
        "ports",
        run.exposed_ports.as_ref().map(|p| {
            p.keys()
                .map(|k| clean(k).to_string())
                .collect::<Vec<_>>()
                .join(" ")
        }),
    );
    field(
        "arch",
        parsed.and_then(|p| crate::model::report::platform_of(None, Some(p))),
    );
    field(
        "created",
        report.created.as_deref().map(|c| clean(c).to_string()),
    );
    for env in run.env.iter().flatten() {
        field("env", Some(clean(env).to_string()));
    }
    for (k, v) in run.labels.iter().flatten() {
        field("label", Some(format!("{}={}", clean(k), clean(v))));
    }
    lines
}
